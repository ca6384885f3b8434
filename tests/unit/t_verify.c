/*
 * Unit tests: the pieces clouddp-verify composes its report from: one
 * report's checks and perfdata adopted into another's stage, every check
 * walked in order, XML written with its values escaped (and read back by
 * the strict parser), and thumbprints as people paste them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "input.h"
#include "opts.h"
#include "report.h"
#include "verify.h"
#include "xml.h"
#include "../tap.h"

static char	 walked[512];

static void
walk(void *arg, const char *stage, const char *check,
    enum clouddp_status st, const char *msg)
{
	size_t	 n = strlen(walked);

	(void)arg;
	(void)msg;
	snprintf(walked + n, sizeof(walked) - n, "%s%s/%s=%s",
	    n > 0 ? " " : "", stage != NULL ? stage : "-", check,
	    clouddp_status_key(st));
}

static void
adopt(void)
{
	struct clouddp_ctx	 ctx;
	struct report		*r, *sub;
	struct report_stage	*sg;
	FILE			*fp;
	char			 out[1024];
	size_t			 n;

	clouddp_ctx_init(&ctx, "t_verify", "VERIFY");
	ctx.output = CLOUDDP_OUTPUT_NAGIOS;
	r = report_new("VERIFY");
	sub = report_new("VIP");
	report_perf(r, "dns", 3, "ms");
	report_check(sub, "tcp_https", CLOUDDP_STATUS_OK, "connected");
	report_check(sub, "tls", CLOUDDP_STATUS_WARNING, "slow");
	report_perf(sub, "tcp_https", 0.5, "ms");
	report_perf_thr(sub, "days_left", 12, NULL, 30, 0);
	sg = report_stage(r, "vip");
	ok(report_stage_adopt(sg, sub, "vip_") == 0, "a stage adopts");
	is_int(report_stage_status(sg), CLOUDDP_STATUS_WARNING,
	    "the stage takes the worst adopted status");
	is_int(report_status(r), CLOUDDP_STATUS_WARNING, "and so the report");
	is_int(report_count(r, CLOUDDP_STATUS_OK), 1, "the checks are counted");
	report_check(sub, "late", CLOUDDP_STATUS_CRITICAL, "after");
	report_check_each(sub, walk, NULL);
	is(walked, "-/late=critical", "the adopted checks left the other");
	walked[0] = '\0';
	report_check(r, "input", CLOUDDP_STATUS_OK, "read");
	report_check_each(r, walk, NULL);
	is(walked, "-/input=ok vip/tcp_https=ok vip/tls=warning",
	    "every check walked, the default stage first");
	fp = tmpfile();
	report_write(&ctx, r, fp);
	report_nagios_flush(fp);
	rewind(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	fclose(fp);
	ok(strstr(out, "| 'dns'=3ms 'vip_tcp_https'=0.5ms "
	    "'vip_days_left'=12;30;0\n") != NULL,
	    "perfdata adopted behind the report's, each label prefixed");
	report_free(sub);
	report_free(r);
	clouddp_ctx_cleanup(&ctx);
}

static void
writer(void)
{
	struct clouddp_err	 err;
	struct clouddp_buf	 doc = { NULL, 0, 0 }, v = { NULL, 0, 0 };
	struct xml_writer	*w;
	struct xml_doc		*d;
	const struct xml_node	*n;

	w = xml_writer_new(&err);
	ok(w != NULL && xml_writer_start(w, "testsuites", &err) == 0 &&
	    xml_writer_start(w, "testcase", &err) == 0 &&
	    xml_writer_attr(w, "name", "a<b & \"c\" > 'd'", &err) == 0 &&
	    xml_writer_text(w, "]]> & <x/>", &err) == 0 &&
	    xml_writer_done(w, &doc, &err) == 0, "a document is written");
	ok(doc.data != NULL && strstr(doc.data, "<x/>") == NULL,
	    "markup in text is escaped");
	d = doc.data != NULL ? xml_parse(doc.data, doc.len, "junit", &err) :
	    NULL;
	ok(d != NULL, "and parses strictly");
	n = d != NULL ? xml_node_child(xml_doc_root(d), "testcase") : NULL;
	ok(n != NULL && xml_node_attr(n, "name", &v, &err) == 1 &&
	    strcmp(v.data, "a<b & \"c\" > 'd'") == 0,
	    "an attribute reads back as it was given");
	ok(n != NULL && xml_node_text(n, &v, &err) == 1 &&
	    strcmp(v.data, "]]> & <x/>") == 0, "so does text");
	xml_doc_free(d);
	xml_writer_free(w);
	w = xml_writer_new(&err);
	ok(w != NULL && xml_writer_start(w, "t", &err) == 0 &&
	    xml_writer_text(w, "caf\xe9", &err) == -1,
	    "text that is not UTF-8 is refused");
	xml_writer_free(w);
	w = xml_writer_new(&err);
	ok(w != NULL && xml_writer_start(w, "t", &err) == 0 &&
	    xml_writer_attr(w, "m", "bell\a caf\xc3\xa9", &err) == 0 &&
	    xml_writer_done(w, &doc, &err) == 0 &&
	    strstr(doc.data, "m=\"bell? caf\xc3\xa9\"") != NULL,
	    "a control character XML cannot hold becomes '?'");
	xml_writer_free(w);
	clouddp_buf_free(&doc);
	clouddp_buf_free(&v);
}

static void
thumbprints(void)
{
	struct clouddp_err	 err;
	char			 t[41];

	ok(verify_thumbprint_parse("0e:6d:66:d0:f0:d9:2d:f4:91:ad:cb:4f:cd:"
	    "50:f9:1f:45:16:28:0e", t, &err) == 0 &&
	    strcmp(t, "0E6D66D0F0D92DF491ADCB4FCD50F91F4516280E") == 0,
	    "a thumbprint with colons, in lower case");
	ok(verify_thumbprint_parse("0E6D66D0F0D92DF491ADCB4FCD50F91F4516280", t,
	    &err) == -1 && strstr(err.what, "39 hex digits") != NULL,
	    "39 digits are refused");
	ok(verify_thumbprint_parse("certs/svc.pfx", t, &err) == -1 &&
	    strstr(err.hint, "--service-pfx") != NULL,
	    "a file name is refused, pointing at --service-pfx");
}

/* A batch's DPs: the one of the options once, or each input line. */
static void
batches(void)
{
	struct verify_batch	 b;
	struct verify_dp	 dp;
	struct verify_tally	 t;
	struct input_cfg	 icfg;
	struct clouddp_err	 err;
	const char		*lines = "a.test a.cloudapp.net\n"
	    "b.test b.cloudapp.net 192.0.2.7\n";
	int			 fd[2], n;

	memset(&b, 0, sizeof(b));
	b.one.fqdn = "one.test";
	b.one.target = "one.cloudapp.net";
	b.given = 1;
	n = verify_batch_next(&b, &dp, &err);
	ok(n == 1 && strcmp(dp.fqdn, "one.test") == 0, "the one DP");
	is_int(verify_batch_next(&b, &dp, &err), 0, "given once only");
	memset(&icfg, 0, sizeof(icfg));
	icfg.need = INPUT_BIT(INPUT_FQDN) | INPUT_BIT(INPUT_TARGET);
	if (pipe(fd) == -1 || write(fd[1], lines, strlen(lines)) == -1)
		return;
	close(fd[1]);
	b.one.thumbprint = "00";
	b.in = input_new_fd(fd[0], "dps", &icfg, &err);
	n = verify_batch_next(&b, &dp, &err);
	n += verify_batch_next(&b, &dp, &err);
	ok(n == 2 && strcmp(dp.fqdn, "b.test") == 0 && dp.line == 2 &&
	    strcmp(dp.vip, "192.0.2.7") == 0 &&
	    strcmp(dp.thumbprint, "00") == 0,
	    "input lines on the options' defaults");
	is_int(verify_batch_next(&b, &dp, &err), 0, "then the end");
	input_free(b.in);
	memset(&t, 0, sizeof(t));
	is_int(verify_tally_status(&t), CLOUDDP_STATUS_OK, "no DPs: OK");
	t.status[CLOUDDP_STATUS_WARNING] = 2;
	t.status[CLOUDDP_STATUS_OK] = 1;
	is_int(verify_tally_status(&t), CLOUDDP_STATUS_WARNING,
	    "the worst DP's status");
}

int
main(void)
{
	struct clouddp_err	 err;

	plan(23);
	if (clouddp_global_init(&err) == -1)
		return 1;
	adopt();
	writer();
	thumbprints();
	batches();
	clouddp_global_cleanup();
	return done_testing();
}
