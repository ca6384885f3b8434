/* Unit tests: reports in their three printed forms. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "opts.h"
#include "report.h"
#include "../tap.h"

static char *
render(struct clouddp_ctx *ctx, struct report *r)
{
	static char	 out[4096];
	FILE		*fp;
	size_t		 n;

	fp = tmpfile();
	report_write(ctx, r, fp);
	rewind(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	fclose(fp);
	return out;
}

int
main(void)
{
	struct clouddp_ctx	 ctx;
	struct report		*r;
	struct report_obj	*arr;

	plan(9);
	clouddp_ctx_init(&ctx, "clouddp-test", "TEST");
	r = report_new("TEST");
	ok(r != NULL, "report_new");
	report_obj_set_str(report_root(r), "fqdn", "clouddp1.contoso.com");
	report_obj_set_int(report_root(r), "ttl", 3600);
	arr = report_arr_new();
	report_arr_append_str(arr, "a");
	report_arr_append_str(arr, "b");
	report_obj_set(report_root(r), "names", arr);
	report_obj_set_str(report_root(r), "bad", "caf\xe9");
	report_check(r, "syntax", CLOUDDP_STATUS_OK, "valid");
	is_int(report_status(r), CLOUDDP_STATUS_OK, "one ok check: OK");
	report_check(r, "expiry", CLOUDDP_STATUS_WARNING, "expires in %d days",
	    3);
	is_int(report_status(r), CLOUDDP_STATUS_WARNING, "a warning raises");
	report_check(r, "syntax", CLOUDDP_STATUS_OK, "still fine");
	is_int(report_status(r), CLOUDDP_STATUS_WARNING,
	    "an ok check never lowers");
	is(render(&ctx, r), "fqdn: clouddp1.contoso.com\nttl: 3600\n"
	    "names: a, b\nbad: caf?\n"
	    "ok       syntax: valid\nwarning  expiry: expires in 3 days\n"
	    "ok       syntax: still fine\n", "text form");
	ctx.output = CLOUDDP_OUTPUT_JSON;
	is(render(&ctx, r), "{\"fqdn\":\"clouddp1.contoso.com\",\"ttl\":3600,"
	    "\"names\":[\"a\",\"b\"],\"bad\":\"caf?\",\"status\":\"warning\","
	    "\"checks\":[{\"check\":\"syntax\",\"status\":\"ok\","
	    "\"message\":\"valid\"},{\"check\":\"expiry\",\"status\":"
	    "\"warning\",\"message\":\"expires in 3 days\"},{\"check\":"
	    "\"syntax\",\"status\":\"ok\",\"message\":\"still fine\"}]}\n",
	    "JSON form, one line, order kept, invalid UTF-8 replaced");
	ctx.output = CLOUDDP_OUTPUT_NAGIOS;
	report_perf(r, "time", 0.25, "s");
	is(render(&ctx, r), "CLOUDDP-TEST WARNING: expiry: expires in 3 days"
	    " | 'time'=0.25s\n", "nagios form with perfdata");
	report_summary(r, "all %s", "good");
	is(render(&ctx, r), "CLOUDDP-TEST WARNING: all good | 'time'=0.25s\n",
	    "nagios summary");
	ctx.quiet = 1;
	is(render(&ctx, r), "", "--quiet prints nothing");
	report_free(r);
	report_free(NULL);
	return done_testing();
}
