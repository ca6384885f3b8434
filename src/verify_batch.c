/*
 * A run of clouddp-verify as a batch: the DPs it is given (the one DP
 * of the options, or the lines of an --input) and what becomes of each
 * as it ends, through the report: its report on stdout, and for an
 * --input --nagios run only the summary, which names the worst DP.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "clouddp.h"
#include "input.h"
#include "loop.h"
#include "report.h"
#include "tool.h"
#include "verify.h"
#include "vip.h"

int
verify_batch_open(struct verify_batch *b, struct verify_cfg *cfg,
    struct vip_secrets *sec, struct clouddp_err *err)
{
	const struct clouddp_ctx *ctx = b->ctx;

	b->given = b->input_path == NULL;
	cfg->probe.now = time(NULL);
	if (ctx->timeout > 0)
		cfg->probe.timeout = cfg->timeout = ctx->timeout;
	cfg->resolvers = ctx->resolvers;
	cfg->nresolvers = ctx->nresolvers;
	sec->expect_src = ctx->secret;
	if (vip_secrets_load(sec, &cfg->probe, err) == -1)
		return -1;
	cfg->service = sec->expect;
	if (b->input_path != NULL) {
		b->in = tool_input_open(ctx, b->input_path,
		    INPUT_BIT(INPUT_FQDN) | INPUT_BIT(INPUT_TARGET), 0, err);
		if (b->in == NULL)
			return -1;
	}
	if (b->junit_path != NULL) {
		cfg->junit = verify_junit_new(err);
		if (cfg->junit == NULL)
			return -1;
	}
	return 0;
}

int
verify_batch_next(void *arg, struct verify_dp *dp, struct clouddp_err *err)
{
	struct verify_batch	*b = arg;
	struct input_rec	 rec;
	int			 rc;

	if (b->stopped || tool_interrupted() != 0)
		return 0;
	if (b->in == NULL) {
		if (!b->given)
			return 0;
		b->given = 0;
		*dp = b->one;
		return 1;
	}
	rc = input_next(b->in, &rec, err);
	if (rc != 1)
		return rc;
	*dp = b->one;
	dp->fqdn = rec.col[INPUT_FQDN];
	dp->target = rec.col[INPUT_TARGET];
	dp->vip = rec.col[INPUT_VIP];
	dp->line = rec.line;
	return 1;
}

/* Text that is not a report: the record to publish, a blank line. */
static void
text_write(const char *s)
{
	struct report_line	 l = { { NULL, 0, 0 }, 0 };

	report_line_printf(&l, "%s", s);
	report_text_write(&l, stdout);
	report_line_free(&l);
}

void
verify_batch_emit(void *arg, struct report *r, const char *record,
    const struct clouddp_err *err)
{
	struct verify_batch	*b = arg;
	int			 text;

	if (b->stopped)
		return;
	if (r == NULL) {
		report_subject_err(b->ctx, err);
		return;
	}
	if (b->in != NULL && b->ctx->output == CLOUDDP_OUTPUT_NAGIOS) {
		report_worst_keep(&b->worst, r, report_field(r, "fqdn"));
		return;
	}
	report_write(b->ctx, r, stdout);
	text = b->ctx->output == CLOUDDP_OUTPUT_TEXT && !b->ctx->quiet;
	if (record != NULL && text) {
		text_write("publish this record to finish:\n");
		text_write(record);
	}
	if (b->in != NULL && text)
		text_write("\n");
	fflush(stdout);
	if (tool_out_check() == -1) {
		b->stopped = 1;
		loop_stop(b->loop);
	}
}

static int
batch_summary(struct verify_batch *b, const struct verify_tally *t)
{
	struct report	*r;
	int		 st;

	r = report_new("VERIFY");
	if (r == NULL || verify_summary(t, r) == -1) {
		report_free(r);
		return CLOUDDP_STATUS_UNKNOWN;
	}
	if (tool_interrupted() != 0)
		report_check(r, "interrupted", CLOUDDP_STATUS_UNKNOWN,
		    "stopped by a signal; the counts are of the DPs done "
		    "before");
	report_worst_append(&b->worst, r);
	report_write(b->ctx, r, stdout);
	st = tool_interrupted() != 0 ? CLOUDDP_STATUS_UNKNOWN :
	    (int)report_status(r);
	report_free(r);
	return st;
}

enum clouddp_status
verify_tally_status(const struct verify_tally *t)
{
	int	 st;

	for (st = CLOUDDP_STATUS_UNKNOWN; st > 0 && t->status[st] == 0; st--)
		;
	return (enum clouddp_status)st;
}

int
verify_batch_end(struct verify_batch *b, const struct verify_cfg *cfg,
    const struct verify_tally *t, struct clouddp_err *err)
{
	if (b->stopped)
		return CLOUDDP_STATUS_UNKNOWN;
	if (b->junit_path != NULL && verify_junit_write(cfg->junit,
	    b->junit_path, err) == -1)
		return -1;
	if (b->in != NULL && t->dps == 0 && tool_interrupted() == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT, "give one DP per "
		    "line: fqdn target [vip]", "%s: no DPs to verify",
		    b->input_path);
	if (b->in != NULL)
		return batch_summary(b, t);
	if (tool_interrupted() != 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, "run it again",
		    "interrupted by a signal before the checks ended");
	return (int)verify_tally_status(t);
}
