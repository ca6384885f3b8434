/*
 * Batches of VIP probes: reading "VIP [FQDN]" lines, keeping a window of
 * probes in flight on one event loop, and tallying the verdicts.  A bad
 * line is one unknown target, never the end of the batch.  Prints
 * nothing: each finished target goes to the caller's emit callback.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "http.h"
#include "vip.h"
#include "report.h"

#define LINE_MAX_LEN	4096

struct vip_batch {
	struct vip_cfg	 cfg;
	FILE			*in;
	const char		*name;
	struct clouddp_buf	 line;
	long			 lineno;
	long			 concurrency;
	long			 running;
	int			 eof;
	struct http_multi	*m;
	vip_emit_cb		 emit;
	void			*arg;
	size_t			 counts[CLOUDDP_STATUS__MAX];
};

struct vip_batch *
vip_batch_new(const struct vip_cfg *cfg, FILE *in, const char *name,
    long concurrency, struct clouddp_err *err)
{
	struct vip_batch	*b;

	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	b->cfg = *cfg;
	b->in = in;
	b->name = name != NULL ? name : "input";
	b->concurrency = concurrency > 0 ? concurrency : 1;
	return b;
}

void
vip_batch_free(struct vip_batch *b)
{
	if (b == NULL)
		return;
	clouddp_buf_free(&b->line);
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
 * Read the next "VIP [FQDN]" line into cfg (fields point into the line
 * buffer).  Returns 1, 0 at the end, 2 for a line to skip, -1 on error.
 */
static int
read_target(struct vip_batch *b, struct vip_cfg *cfg,
    struct clouddp_err *err)
{
	char	*s, *vip, *fqdn, *extra, *save = NULL;
	int	 rc;

	rc = clouddp_buf_getline(&b->line, b->in, LINE_MAX_LEN, err);
	if (rc <= 0) {
		if (rc == -1)
			clouddp_err_prefix(err, "%s:%ld", b->name,
			    b->lineno + 1);
		return rc;
	}
	b->lineno++;
	s = b->line.data;
	s[strcspn(s, "#")] = '\0';
	vip = strtok_r(s, " \t\r", &save);
	if (vip == NULL)
		return 2;
	fqdn = strtok_r(NULL, " \t\r", &save);
	extra = strtok_r(NULL, " \t\r", &save);
	if (extra != NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "write one 'VIP [FQDN]' per line",
		    "%s:%ld: unexpected '%s' after the FQDN", b->name,
		    b->lineno, extra);
	cfg->vip = vip;
	if (fqdn != NULL)
		cfg->fqdn = fqdn;
	return 1;
}

static int	fill_window(struct vip_batch *, struct clouddp_err *);

static void
on_probe_done(void *arg, const struct clouddp_err *err, struct vip_probe *p)
{
	struct vip_batch	*b = arg;
	struct report		*r;
	struct clouddp_err	 e;

	b->running--;
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
	int			 rc = 1;

	while (!b->eof && b->running < b->concurrency) {
		cfg = b->cfg;
		if (b->in != NULL)
			rc = read_target(b, &cfg, err);
		else
			b->eof = 1;
		if (rc == 0 || (rc == -1 && err->code != CLOUDDP_EINPUT)) {
			b->eof = 1;
			return rc;
		}
		if (rc == 2)
			continue;
		p = rc == 1 ? vip_probe_new(&cfg, err) : NULL;
		if (p == NULL && rc == 1 && b->in != NULL)
			clouddp_err_prefix(err, "%s:%ld", b->name, b->lineno);
		if (p == NULL || vip_probe_start(p, b->m, on_probe_done, b,
		    err) == -1) {
			vip_probe_free(p);
			if (b->in == NULL)
				return -1;
			fail_target(b, err);
			continue;
		}
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
