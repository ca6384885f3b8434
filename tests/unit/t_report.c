/* Unit tests: reports in their three printed forms. */
#include "config.h"

#include <math.h>
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

/* Stages: checks per stage, the report's status the worst of all. */
static void
stages(struct clouddp_ctx *ctx)
{
	struct report		*r;
	struct report_stage	*tls, *http;
	struct report_obj	*data;

	r = report_new("VERIFY");
	report_check(r, "input", CLOUDDP_STATUS_OK, "read");
	tls = report_stage(r, "tls");
	http = report_stage(r, "http");
	ok(tls != NULL && report_stage(r, "tls") == tls,
	    "report_stage finds a stage by name");
	data = report_obj_new();
	report_obj_set_int(data, "days_left", 799);
	report_stage_check(tls, "expiry", CLOUDDP_STATUS_OK, data, "%d days",
	    799);
	report_stage_check(http, "get", CLOUDDP_STATUS_CRITICAL, NULL,
	    "GET / answered 503");
	is_int(report_stage_status(tls), CLOUDDP_STATUS_OK, "stage status");
	is_int(report_status(r), CLOUDDP_STATUS_CRITICAL,
	    "a stage's check raises the report");
	ctx->quiet = 0;
	ctx->output = CLOUDDP_OUTPUT_TEXT;
	is(render(ctx, r), "ok       input: read\nok       tls/expiry: 799 days\n"
	    "critical http/get: GET / answered 503\n", "stages as text");
	ctx->output = CLOUDDP_OUTPUT_JSON;
	is(render(ctx, r), "{\"status\":\"critical\",\"checks\":[{\"check\":"
	    "\"input\",\"status\":\"ok\",\"message\":\"read\"}],\"stages\":"
	    "[{\"stage\":\"tls\",\"status\":\"ok\",\"checks\":[{\"check\":"
	    "\"expiry\",\"status\":\"ok\",\"message\":\"799 days\",\"data\":"
	    "{\"days_left\":799}}]},{\"stage\":\"http\",\"status\":"
	    "\"critical\",\"checks\":[{\"check\":\"get\",\"status\":"
	    "\"critical\",\"message\":\"GET / answered 503\"}]}]}\n",
	    "stages as JSON");
	ctx->output = CLOUDDP_OUTPUT_NAGIOS;
	is(render(ctx, r), "CLOUDDP-VERIFY CRITICAL: http/get: GET / answered "
	    "503\n", "stages in the nagios line");
	report_free(r);
}

static void
perf_and_wrap(struct clouddp_ctx *ctx)
{
	struct report	*r;

	r = report_new("CERT");
	report_perf_thr(r, "days_left", 799, NULL, 30, 7);
	report_perf(r, "wall", 0.363922, "ms");
	report_perf_thr(r, "x", 1, "s", NAN, 2);
	report_check(r, "expiry", CLOUDDP_STATUS_WARNING, "the certificate "
	    "expires in 3 days, on 2026-12-03 10:00:00 UTC; renew it and "
	    "upload the new one before then");
	report_check(r, "a|b", CLOUDDP_STATUS_CRITICAL, "two\nlines");
	ctx->output = CLOUDDP_OUTPUT_NAGIOS;
	is(render(ctx, r), "CLOUDDP-CERT CRITICAL: a/b: two lines; expiry: the "
	    "certificate expires in 3 days, on 2026-12-03 10:00:00 UTC; renew "
	    "it and upload the new one before then | 'days_left'=799;30;7 "
	    "'wall'=0.364ms 'x'=1s;;2\n",
	    "nagios: one line, worst first, thresholds, rounded perfdata");
	ctx->output = CLOUDDP_OUTPUT_TEXT;
	is(render(ctx, r), "warning  expiry: the certificate expires in 3 "
	    "days, on 2026-12-03 10:00:00 UTC;\n         renew it and upload "
	    "the new one before then\ncritical a|b: two\nlines\n",
	    "text: long messages wrap within 80 columns");
	report_free(r);
	r = report_new("CERT");
	report_obj_set_str(report_root(r), "thumbprint_sha256",
	    "252CF7337D072259066E398C0F526D9CE1B976829AECBB7A3F7906E0AB36C72E");
	is(render(ctx, r), "thumbprint_sha256:\n         252CF7337D072259066E3"
	    "98C0F526D9CE1B976829AECBB7A3F7906E0AB36C72E\n",
	    "text: a long value starts the next line, whole");
	report_free(r);
}

/* The streaming writer: escaping, UTF-8, reals, nesting. */
static void
lines(void)
{
	struct report_line	 l;
	FILE			*fp;
	char			 out[512];
	size_t			 n;

	memset(&l, 0, sizeof(l));
	report_jw_open(&l, NULL);
	report_jw_str(&l, "s", "a\"b\\c\n\x1b\x7f caf\xc3\xa9 \xe9\xc0\xaf");
	report_jw_str(&l, "null", NULL);
	report_jw_arr_open(&l, "a");
	report_jw_int(&l, NULL, -3);
	report_jw_bool(&l, NULL, 1);
	report_jw_open(&l, NULL);
	report_jw_close(&l);
	report_jw_arr_close(&l);
	report_jw_real(&l, "ms", 2005.92914200001, 1);
	report_jw_real(&l, "z", 3.0004, 3);
	report_jw_real(&l, "inf", 1.0 / 0.0, 3);
	report_jw_close(&l);
	fp = tmpfile();
	ok(report_line_write(&l, fp) == 0, "report_line_write");
	rewind(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	fclose(fp);
	is(out, "{\"s\":\"a\\\"b\\\\c\\u000a\\u001b\\u007f caf\xc3\xa9 ???\","
	    "\"null\":null,\"a\":[-3,true,{}],\"ms\":2005.9,\"z\":3,"
	    "\"inf\":null}\n", "escaped, UTF-8 checked, reals rounded");
	is_int((int)l.buf.len, 0, "the line is reset after writing");
	report_line_printf(&l, "%s", "text");
	fp = tmpfile();
	report_line_write(&l, fp);
	rewind(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	fclose(fp);
	is(out, "text\n", "text lines too");
	report_line_free(&l);
}

/* The worst subject of a batch: the first of the worst status kept. */
static void
worst(void)
{
	struct report_worst	 w;
	struct report		*a, *b, *c, *sum;

	memset(&w, 0, sizeof(w));
	a = report_new("TEST");
	b = report_new("TEST");
	c = report_new("TEST");
	report_check(a, "syntax", CLOUDDP_STATUS_OK, "valid");
	report_worst_keep(&w, a, "a.test");
	is(w.text, "", "an ok subject is never the worst");
	report_check(b, "expiry", CLOUDDP_STATUS_WARNING, "soon");
	report_worst_keep(&w, b, "b.test");
	is(w.text, "b.test: expiry: soon", "a warning is kept");
	report_check(c, "expiry", CLOUDDP_STATUS_WARNING, "sooner");
	report_worst_keep(&w, c, "c.test");
	is(w.text, "b.test: expiry: soon", "the first of equals stays");
	report_check(c, "name", CLOUDDP_STATUS_CRITICAL, "wrong");
	report_worst_keep(&w, c, NULL);
	is_int(w.status, CLOUDDP_STATUS_CRITICAL, "a worse one replaces it");
	report_worst_unknown(&w, "x:3: bad line");
	is(w.text, "x:3: bad line", "a subject not checked is unknown");
	report_worst_unknown(&w, "x:4: bad line");
	sum = report_new("TEST");
	report_summary(sum, "3 subjects");
	report_worst_append(&w, sum);
	report_headline(sum, w.text, sizeof(w.text));
	is(w.text, "3 subjects; worst: x:3: bad line",
	    "the summary names the worst");
	report_free(a);
	report_free(b);
	report_free(c);
	report_free(sum);
}

int
main(void)
{
	struct clouddp_ctx	 ctx;
	struct report		*r;
	struct report_obj	*arr;

	plan(28);
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
	stages(&ctx);
	perf_and_wrap(&ctx);
	lines();
	worst();
	return done_testing();
}
