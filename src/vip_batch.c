/*
 * Batches of VIP probes: reading targets through the one input reader,
 * keeping a window of probes in flight on one event loop, and tallying
 * the verdicts.  A bad line is one unknown target and the end of the
 * input: the probes in flight finish, no more start.  Prints nothing:
 * each finished target goes to the caller's emit callback.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "http.h"
#include "input.h"
#include "loop.h"
#include "report.h"
#include "tool.h"
#include "vip.h"

struct vip_batch;

/* A running probe's place: the callback's argument. */
struct slot {
	struct vip_batch	*b;
	struct vip_probe	*p;
};

struct vip_batch {
	struct vip_cfg	 cfg;
	struct input		*in;
	long			 concurrency;
	long			 running;
	struct slot		*slots;		/* concurrency of them */
	long			*free_slots;	/* a stack of indexes */
	long			 nfree;
	int			 eof;
	struct http_multi	*m;
	vip_emit_cb		 emit;
	void			*arg;
	size_t			 counts[CLOUDDP_STATUS__MAX];
};

struct vip_batch *
vip_batch_new(const struct vip_cfg *cfg, struct input *in, long concurrency,
    struct clouddp_err *err)
{
	struct vip_batch	*b;
	long			 i;

	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	b->cfg = *cfg;
	b->in = in;
	b->concurrency = concurrency > 0 ? concurrency : 1;
	b->slots = calloc((size_t)b->concurrency, sizeof(*b->slots));
	b->free_slots = calloc((size_t)b->concurrency,
	    sizeof(*b->free_slots));
	if (b->slots == NULL || b->free_slots == NULL) {
		vip_batch_free(b);
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	for (i = 0; i < b->concurrency; i++) {
		b->slots[i].b = b;
		b->free_slots[b->nfree++] = b->concurrency - 1 - i;
	}
	return b;
}

/*
 * Probes still running when the loop was stopped (a signal, a failed
 * write) are freed here; free the http_multi first, which abandons
 * their requests without calling back.
 */
void
vip_batch_free(struct vip_batch *b)
{
	long	 i;

	if (b == NULL)
		return;
	for (i = 0; b->slots != NULL && i < b->concurrency; i++)
		vip_probe_free(b->slots[i].p);
	free(b->slots);
	free(b->free_slots);
	free(b);
}

/* A target that could not be probed: counted, and said once. */
static void
fail_target(struct vip_batch *b, const struct clouddp_err *err)
{
	enum clouddp_status	 st;

	st = clouddp_code_status(err->code);
	if (st == CLOUDDP_STATUS_OK)
		st = CLOUDDP_STATUS_UNKNOWN;
	b->counts[st]++;
	b->emit(b->arg, NULL, err);
}

/*
 * Read the next target into cfg (vip and fqdn point into the reader's
 * line; vip_probe_new() checks and copies them).  Returns 1, 0 at the
 * end, -1 on error (err says "FILE:LINE: what").
 */
static int
read_target(struct vip_batch *b, struct vip_cfg *cfg,
    struct clouddp_err *err)
{
	struct input_rec	 rec;
	int			 rc;

	rc = input_next(b->in, &rec, err);
	if (rc != 1)
		return rc;
	cfg->vip = rec.col[INPUT_VIP];
	if (rec.col[INPUT_FQDN] != NULL)
		cfg->fqdn = rec.col[INPUT_FQDN];
	return 1;
}

static int	fill_window(struct vip_batch *, struct clouddp_err *);

static void
on_probe_done(void *arg, const struct clouddp_err *err, struct vip_probe *p)
{
	struct slot		*slot = arg;
	struct vip_batch	*b = slot->b;
	struct report		*r;
	struct clouddp_err	 e;

	b->running--;
	slot->p = NULL;
	b->free_slots[b->nfree++] = slot - b->slots;
	clouddp_err_clear(&e);
	r = report_new("VIP");
	if (err == NULL && r != NULL && vip_probe_report(p, r) == 0) {
		b->counts[report_status(r)]++;
		b->emit(b->arg, r, NULL);
	} else {
		if (err == NULL)
			clouddp_errf(&e, CLOUDDP_ENOMEM, NULL, "out of memory");
		fail_target(b, err != NULL ? err : &e);
	}
	report_free(r);
	vip_probe_free(p);
	clouddp_err_clear(&e);
	if (fill_window(b, &e) == -1)
		fail_target(b, &e);
}

/* Start probes until the window is full.  -1: the input failed. */
static int
fill_window(struct vip_batch *b, struct clouddp_err *err)
{
	struct vip_cfg	 cfg;
	struct vip_probe		*p;
	struct slot		*slot;
	int			 rc = 1;

	while (!b->eof && b->running < b->concurrency) {
		cfg = b->cfg;
		if (b->in != NULL)
			rc = read_target(b, &cfg, err);
		else
			b->eof = 1;
		if (rc <= 0) {
			/* The end, or a line that ends the input. */
			b->eof = 1;
			return rc;
		}
		p = vip_probe_new(&cfg, err);
		if (p == NULL && b->in != NULL)
			clouddp_err_prefix(err, "%s:%zu", input_name(b->in),
			    input_line(b->in));
		slot = &b->slots[b->free_slots[b->nfree - 1]];
		if (p == NULL || vip_probe_start(p, b->m, on_probe_done, slot,
		    err) == -1) {
			vip_probe_free(p);
			b->eof = 1;
			return -1;
		}
		b->nfree--;
		slot->p = p;
		b->running++;
	}
	return 0;
}

int
vip_batch_start(struct vip_batch *b, struct http_multi *m,
    vip_emit_cb emit, void *arg, struct clouddp_err *err)
{
	b->m = m;
	b->emit = emit;
	b->arg = arg;
	if (fill_window(b, err) == 0)
		return 0;
	if (b->in == NULL)
		return -1;
	fail_target(b, err);
	return 0;
}

size_t
vip_batch_unfinished(const struct vip_batch *b)
{
	return (size_t)b->running;
}

enum clouddp_status
vip_batch_status(const struct vip_batch *b)
{
	enum clouddp_status	 st = CLOUDDP_STATUS_OK;
	size_t			 i;

	for (i = 0; i < CLOUDDP_STATUS__MAX; i++)
		if (b->counts[i] > 0)
			st = (enum clouddp_status)i;
	return st;
}

int
vip_batch_summary(const struct vip_batch *b, double wall,
    struct report *r)
{
	struct report_obj	*root = report_root(r);
	const size_t		*c = b->counts;
	size_t			 n = 0, i;
	int			 bad = 0;

	for (i = 0; i < CLOUDDP_STATUS__MAX; i++)
		n += c[i];
	report_raise(r, vip_batch_status(b));
	bad |= report_obj_set_int(root, "targets", (long long)n);
	for (i = 0; i < CLOUDDP_STATUS__MAX; i++)
		bad |= report_obj_set_int(root, clouddp_status_key(
		    (enum clouddp_status)i), (long long)c[i]);
	bad |= report_obj_set_real(root, "wall_ms", round(wall * 10000) / 10);
	report_summary(r, "%zu targets: %zu ok, %zu warning, %zu critical, "
	    "%zu unknown in %.2f s", n, c[0], c[1], c[2], c[3], wall);
	bad |= report_perf(r, "targets", (double)n, NULL);
	bad |= report_perf(r, "wall", wall * 1000, "ms");
	return bad ? -1 : 0;
}

static void
trace(void *arg, const char *line)
{
	log_debug(arg, 1, "%s", line);
}

void
vip_cfg_trace(struct vip_cfg *cfg, struct clouddp_ctx *ctx)
{
	if (ctx->verbose <= 0)
		return;
	cfg->trace = trace;
	cfg->trace_arg = ctx;
}

/* The target's name for the --nagios line: "VIP FQDN". */
static void
worst_keep(struct vip_print *pr, struct report *r)
{
	char	 subject[300];

	snprintf(subject, sizeof(subject), "%s%s%s",
	    report_field(r, "vip") != NULL ? report_field(r, "vip") : "",
	    report_field(r, "fqdn") != NULL ? " " : "",
	    report_field(r, "fqdn") != NULL ? report_field(r, "fqdn") : "");
	report_worst_keep(&pr->worst, r, subject);
}

void
vip_print_emit(void *arg, struct report *r, const struct clouddp_err *err)
{
	struct vip_print	*pr = arg;
	struct report_line	 nl = { { NULL, 0, 0 }, 0 };

	if (pr->stopped || tool_interrupted() != 0)
		return;
	if (r == NULL) {
		report_subject_err(pr->ctx, err);
		report_worst_unknown(&pr->worst, err->what);
		return;
	}
	if (pr->batch && pr->ctx->output == CLOUDDP_OUTPUT_NAGIOS) {
		worst_keep(pr, r);
		return;
	}
	report_write(pr->ctx, r, stdout);
	if (pr->batch && pr->ctx->output == CLOUDDP_OUTPUT_TEXT &&
	    !pr->ctx->quiet) {
		report_line_printf(&nl, "\n");
		report_text_write(&nl, stdout);
		report_line_free(&nl);
	}
	fflush(stdout);
	if (tool_out_check() == -1) {
		pr->stopped = 1;
		loop_stop(pr->loop);
	}
}

static void
print_summary(struct vip_print *pr, const struct vip_batch *b, double wall)
{
	struct report	*r;
	const char	*sig;

	sig = tool_interrupted() == SIGINT ? "SIGINT" : "SIGTERM";
	r = report_new("VIP");
	if (r != NULL && vip_batch_summary(b, wall, r) == 0) {
		if (tool_interrupted() != 0) {
			report_check(r, "interrupted", CLOUDDP_STATUS_UNKNOWN,
			    "stopped by %s; the counts are of the targets "
			    "done before", sig);
			report_summary(r, "interrupted by %s", sig);
		}
		report_worst_append(&pr->worst, r);
		report_write(pr->ctx, r, stdout);
	}
	report_free(r);
}

int
vip_print_end(struct vip_print *pr, const struct vip_batch *b, double wall,
    struct clouddp_err *err)
{
	if (pr->stopped)
		return CLOUDDP_STATUS_UNKNOWN;
	if (tool_interrupted() == 0 && vip_batch_unfinished(b) > 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL, "the event "
		    "loop ended with %zu probes unfinished",
		    vip_batch_unfinished(b));
	if (pr->batch)
		print_summary(pr, b, wall);
	if (tool_interrupted() != 0)
		return CLOUDDP_STATUS_UNKNOWN;
	return (int)vip_batch_status(b);
}
