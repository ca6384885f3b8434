/*
 * Input lines and printed verdicts of the resolution engine.  Every
 * verdict has one message here, in the words the man page uses; JSON
 * goes through report.c like everything else.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clouddp.h"
#include "input.h"
#include "name.h"
#include "report.h"
#include "resolve.h"
#include "resolve_io.h"

/* A user's name in the one form (name.h), without its trailing dot. */
static int
canon(const char *in, char *out, struct clouddp_err *err)
{
	if (in == NULL || in[0] == '\0') {
		out[0] = '\0';
		return 0;
	}
	return name_host(in, out, err);
}

int
resolve_io_subject(const struct input_rec *rec, const char *source,
    const char *target, const char *vip, struct resolve_name *name,
    struct clouddp_err *err)
{
	char		 fqdn[ZONE_NAME_MAX], tgt[ZONE_NAME_MAX];
	const char	*t, *v;

	t = rec->col[INPUT_TARGET] != NULL ? rec->col[INPUT_TARGET] : target;
	v = rec->col[INPUT_VIP] != NULL ? rec->col[INPUT_VIP] : vip;
	if (canon(rec->col[INPUT_FQDN], fqdn, err) == -1 ||
	    canon(t, tgt, err) == -1 ||
	    resolve_name_set(name, fqdn, tgt, v, err) == -1) {
		if (rec->line > 0)
			clouddp_err_prefix(err, "%s:%zu", source, rec->line);
		return -1;
	}
	name->line = rec->line;
	return 0;
}

/* Append to buf at *off, never past len. */
static void
put(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = *off + (size_t)n < len ? *off + (size_t)n : len;
}

static void
put_chain(char *buf, size_t len, size_t *off, const struct resolve_result *r)
{
	size_t	 i;

	put(buf, len, off, "CNAME");
	for (i = 0; i < r->nhops; i++)
		put(buf, len, off, "%s %s (ttl %u)", i > 0 ? " ->" : "",
		    r->hops[i].target, (unsigned)r->hops[i].ttl);
}

static void
put_addrs(char *buf, size_t len, size_t *off, const struct resolve_result *r)
{
	size_t	 i;

	for (i = 0; i < r->naddrs; i++)
		put(buf, len, off, "%s%s", i > 0 ? ", " : "", r->addrs[i]);
	if (r->nmore > 0)
		put(buf, len, off, " and %zu more", r->nmore);
	if (r->naddrs > 0)
		put(buf, len, off, " (ttl %u)", (unsigned)r->addr_ttl);
}

static const char *
end_name(const struct resolve_name *n, const struct resolve_result *r)
{
	return r->nhops > 0 ? r->hops[r->nhops - 1].target : n->name;
}

static void
put_failure(char *b, size_t len, size_t *o, const struct resolve_name *n,
    const struct resolve_result *r)
{
	switch (r->verdict) {
	case RESOLVE_NO_CNAME:
		put(b, len, o, "no CNAME: the name has addresses of its own, "
		    "");
		put_addrs(b, len, o, r);
		put(b, len, o, "; a host may already use this name");
		break;
	case RESOLVE_NXDOMAIN:
		put(b, len, o, "the name does not exist (NXDOMAIN)");
		break;
	case RESOLVE_NODATA:
		if (r->stage == 2)
			put(b, len, o, "%s has no address record (NODATA)",
			    end_name(n, r));
		else
			put(b, len, o, "the name exists but has no CNAME and "
			    "no address (NODATA)");
		break;
	case RESOLVE_SERVFAIL:
		put(b, len, o, "the server failed (SERVFAIL) on %s",
		    end_name(n, r));
		break;
	case RESOLVE_REFUSED:
		put(b, len, o, "the server refused the query for %s "
		    "(REFUSED)", end_name(n, r));
		break;
	case RESOLVE_TIMEOUT:
		if (r->note[0] == '\0')
			put(b, len, o, "no answer");
		break;
	case RESOLVE_LOOP:
		put(b, len, o, "CNAME loop: %s -> ", n->name);
		put_chain(b, len, o, r);
		break;
	case RESOLVE_CHAIN_TOO_LONG:
		put(b, len, o, "more than %d CNAMEs: ", RESOLVE_MAX_HOPS);
		put_chain(b, len, o, r);
		break;
	case RESOLVE_DANGLING_CNAME:
		put(b, len, o, "dangling CNAME: %s does not exist (NXDOMAIN); "
		    "whoever registers that name takes over this one",
		    end_name(n, r));
		break;
	default:
		if (r->note[0] == '\0')
			put(b, len, o, "unusable answer");
		break;
	}
}

void
resolve_io_message(const struct resolve_name *n,
    const struct resolve_result *r, char *b, size_t len)
{
	size_t	 o = 0;

	b[0] = '\0';
	switch (r->verdict) {
	case RESOLVE_OK:
	case RESOLVE_INDIRECT:
	case RESOLVE_NOT_AUTHORITATIVE:
	case RESOLVE_WRONG_TARGET:
	case RESOLVE_WRONG_VIP:
		put_chain(b, len, &o, r);
		if (r->naddrs > 0)
			put(b, len, &o, " -> ");
		put_addrs(b, len, &o, r);
		if (r->verdict == RESOLVE_INDIRECT)
			put(b, len, &o, "; reaches %s only through other "
			    "CNAMEs", n->target);
		else if (r->verdict == RESOLVE_NOT_AUTHORITATIVE)
			put(b, len, &o, "; answered without the AA bit: not "
			    "authoritative for %s (lame delegation)",
			    r->zone != NULL ? r->zone : "the zone");
		else if (r->verdict == RESOLVE_WRONG_TARGET)
			put(b, len, &o, "; expected CNAME %s", n->target);
		else if (r->verdict == RESOLVE_WRONG_VIP)
			put(b, len, &o, "; expected %s", n->vip);
		break;
	default:
		put_failure(b, len, &o, n, r);
		break;
	}
	if (r->neg_ttl >= 0)
		put(b, len, &o, "; negative answer cached up to %lds",
		    r->neg_ttl);
	if (r->note[0] != '\0')
		put(b, len, &o, "%s%s", o > 0 ? "; " : "", r->note);
	if (r->serial >= 0)
		put(b, len, &o, "; zone %s serial %lld", r->zone, r->serial);
}

static int
addrs_differ(const struct resolve_result *a, const struct resolve_result *b)
{
	size_t	 i, k;
	int	 found;

	/* Partial lists (over the limit) and rotated ones still agree. */
	if (a->nmore > 0 || b->nmore > 0)
		return 0;
	if (a->naddrs != b->naddrs)
		return 1;
	for (i = 0; i < a->naddrs; i++) {
		for (found = 0, k = 0; k < b->naddrs && !found; k++)
			found = strcmp(a->addrs[i], b->addrs[k]) == 0;
		if (!found)
			return 1;
	}
	return 0;
}

/* Servers that disagree: other verdict, first target or addresses. */
static int
results_differ(const struct resolve_result *r, size_t n)
{
	size_t	 i;

	for (i = 1; i < n; i++) {
		if (r[i].verdict != r[0].verdict ||
		    r[i].nhops != r[0].nhops)
			return 1;
		/* An authoritative server need not add the target's A. */
		if (r[0].zone == NULL && addrs_differ(&r[i], &r[0]))
			return 1;
		if (r[0].nhops > 0 && strcmp(r[i].hops[0].target,
		    r[0].hops[0].target) != 0)
			return 1;
	}
	return 0;
}

static long long
serial_newest(const struct resolve_result *r, size_t n)
{
	long long	 max = -1;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (r[i].serial > max)
			max = r[i].serial;
	return max;
}

/* One name's text: a line per server, stale serials, a disagreement. */
static void
text_write(struct report_line *l, const struct resolve_name *name,
    const struct resolve_result *r, size_t n, int differ)
{
	char		 msg[2048], u[4 * DNSMSG_NAME_MAX + 3] = "";
	long long	 newest;
	size_t		 i;

	newest = serial_newest(r, n);
	/* An internationalised name shows its U-label beside. */
	if (name_to_unicode(name->name, msg, sizeof(msg)) == 1)
		snprintf(u, sizeof(u), " (%s)", msg);
	for (i = 0; i < n; i++) {
		resolve_io_message(name, &r[i], msg, sizeof(msg));
		report_line_printf(l, "%s%s%s @%s %s: %s", i > 0 ? "\n" : "",
		    name->name, u, r[i].server,
		    resolve_verdict_name(r[i].verdict), msg);
		if (r[i].serial >= 0 && r[i].serial < newest)
			report_line_printf(l, "\n%s @%s stale: serial %lld, "
			    "another server has %lld", name->name,
			    r[i].server, r[i].serial, newest);
	}
	if (!differ)
		return;
	report_line_printf(l, "\n%s disagreement:", name->name);
	for (i = 0; i < n; i++) {
		report_line_printf(l, "%s %s says %s", i > 0 ? ";" : "",
		    r[i].server, resolve_verdict_name(r[i].verdict));
		if (r[i].nhops > 0)
			report_line_printf(l, " %s", r[i].hops[0].target);
		if (r[i].zone == NULL && r[i].naddrs > 0)
			report_line_printf(l, " %s%s", r[i].addrs[0],
			    r[i].naddrs > 1 ? ",..." : "");
	}
}

static void
result_json(struct report_line *l, const struct resolve_name *name,
    const struct resolve_result *r, long long newest)
{
	char	 msg[2048];
	size_t	 i;

	resolve_io_message(name, r, msg, sizeof(msg));
	report_jw_open(l, NULL);
	report_jw_str(l, "server", r->server);
	report_jw_str(l, "verdict", resolve_verdict_name(r->verdict));
	report_jw_str(l, "status", clouddp_status_key(
	    resolve_verdict_status(r->verdict)));
	report_jw_int(l, "stage", r->stage);
	report_jw_str(l, "message", msg);
	report_jw_arr_open(l, "chain");
	for (i = 0; i < r->nhops; i++) {
		report_jw_open(l, NULL);
		report_jw_str(l, "target", r->hops[i].target);
		report_jw_int(l, "ttl", r->hops[i].ttl);
		report_jw_close(l);
	}
	report_jw_arr_close(l);
	report_jw_arr_open(l, "addresses");
	for (i = 0; i < r->naddrs; i++)
		report_jw_str(l, NULL, r->addrs[i]);
	report_jw_arr_close(l);
	if (r->naddrs > 0)
		report_jw_int(l, "address_ttl", r->addr_ttl);
	if (r->neg_ttl >= 0)
		report_jw_int(l, "negative_ttl", r->neg_ttl);
	if (r->aa >= 0)
		report_jw_bool(l, "aa", r->aa);
	if (r->zone != NULL)
		report_jw_str(l, "zone", r->zone);
	if (r->serial >= 0) {
		report_jw_int(l, "serial", r->serial);
		report_jw_bool(l, "stale", r->serial < newest);
	}
	report_jw_close(l);
}

/* One NDJSON line per name, streamed: no tree, no allocation. */
static void
json_write(struct report_line *l, const struct resolve_name *name,
    const struct resolve_result *r, size_t n, int differ,
    enum clouddp_status st)
{
	char		 u[4 * DNSMSG_NAME_MAX];
	long long	 newest;
	size_t		 i;

	newest = serial_newest(r, n);
	report_jw_open(l, NULL);
	report_jw_str(l, "name", name->name);
	if (name_to_unicode(name->name, u, sizeof(u)) == 1)
		report_jw_str(l, "name_unicode", u);
	report_jw_str(l, "expect_target", name->target[0] != '\0' ?
	    name->target : NULL);
	report_jw_str(l, "expect_vip", name->vip[0] != '\0' ?
	    name->vip : NULL);
	if (name->line > 0)
		report_jw_int(l, "line", (long long)name->line);
	report_jw_str(l, "status", clouddp_status_key(st));
	report_jw_bool(l, "disagreement", differ);
	report_jw_arr_open(l, "results");
	for (i = 0; i < n; i++)
		result_json(l, name, &r[i], newest);
	report_jw_arr_close(l);
	report_jw_close(l);
}

/* Keep the worst name seen for the --nagios line: first of the worst. */
static void
worst_keep(struct resolve_tally *t, const struct resolve_name *name,
    const struct resolve_result *r, size_t n, enum clouddp_status st)
{
	size_t	 i, w = 0;

	if (t->worst_name[0] != '\0' && st <= t->worst_status)
		return;
	for (i = 1; i < n; i++)
		if (resolve_verdict_status(r[i].verdict) >
		    resolve_verdict_status(r[w].verdict))
			w = i;
	t->worst_status = st;
	snprintf(t->worst_name, sizeof(t->worst_name), "%s", name->name);
	if (n == 0) {
		snprintf(t->worst_what, sizeof(t->worst_what), "no result");
		return;
	}
	resolve_io_message(name, &r[w], t->worst_what,
	    sizeof(t->worst_what));
	snprintf(t->worst_verdict, sizeof(t->worst_verdict), "%s",
	    r[w].verdict == RESOLVE_OK && st > CLOUDDP_STATUS_OK ?
	    "disagreement" : resolve_verdict_name(r[w].verdict));
}

enum clouddp_status
resolve_io_name(const struct clouddp_ctx *ctx, struct resolve_tally *t,
    const struct resolve_name *name, const struct resolve_result *r,
    size_t n)
{
	enum clouddp_status	 st = CLOUDDP_STATUS_OK;
	long long		 newest;
	size_t			 i;
	int			 differ;

	newest = serial_newest(r, n);
	differ = n > 1 && results_differ(r, n);
	if (n == 0)
		st = CLOUDDP_STATUS_UNKNOWN;
	for (i = 0; i < n; i++) {
		st = clouddp_status_worst(st,
		    resolve_verdict_status(r[i].verdict));
		if (r[i].serial >= 0 && r[i].serial < newest)
			st = clouddp_status_worst(st, CLOUDDP_STATUS_WARNING);
		t->verdicts[r[i].verdict]++;
		t->results++;
		if (r[i].rcode >= 0)
			t->answered++;
	}
	if (differ) {
		st = clouddp_status_worst(st, CLOUDDP_STATUS_WARNING);
		t->disagreements++;
	}
	t->names++;
	t->status[st]++;
	if (st >= CLOUDDP_STATUS_CRITICAL && t->nfailed <
	    RESOLVE_IO_FAILED_KEPT)
		snprintf(t->failed[t->nfailed++], DNSMSG_NAME_MAX, "%s",
		    name->name);
	if (st > CLOUDDP_STATUS_OK)
		worst_keep(t, name, r, n, st);
	if (ctx->quiet || ctx->output == CLOUDDP_OUTPUT_NAGIOS)
		return st;
	if (ctx->output == CLOUDDP_OUTPUT_JSON)
		json_write(&t->line, name, r, n, differ, st);
	else
		text_write(&t->line, name, r, n, differ);
	report_line_write(&t->line, stdout);
	return st;
}

static enum clouddp_status
tally_status(const struct resolve_tally *t)
{
	enum clouddp_status	 st = CLOUDDP_STATUS_OK;
	int			 i;

	/* Nobody answered anything: nothing was checked. */
	if (t->names == 0 || (t->results > 0 && t->answered == 0))
		return CLOUDDP_STATUS_UNKNOWN;
	for (i = 0; i < CLOUDDP_STATUS__MAX; i++)
		if (t->status[i] > 0)
			st = clouddp_status_worst(st, (enum clouddp_status)i);
	return st;
}

static void
summary_nagios(const struct clouddp_ctx *ctx, const struct resolve_tally *t,
    enum clouddp_status st, double elapsed)
{
	struct report	*rep;
	char		 worst[400];

	rep = report_new(ctx->tool);
	if (rep == NULL)
		return;
	report_raise(rep, st);
	snprintf(worst, sizeof(worst), "; worst: %s %s: %s", t->worst_name,
	    t->worst_verdict, t->worst_what);
	if (t->worst_name[0] == '\0')
		worst[0] = '\0';
	if (t->interrupted != 0)
		report_summary(rep, "interrupted by %s after %zu names, %zu "
		    "failed%s", t->interrupted == SIGINT ? "SIGINT" :
		    "SIGTERM", t->names, t->status[CLOUDDP_STATUS_CRITICAL], worst);
	else if (st == CLOUDDP_STATUS_UNKNOWN)
		report_summary(rep, "no server answered for %zu names%s",
		    t->names, worst);
	else if (t->status[CLOUDDP_STATUS_CRITICAL] > 0)
		report_summary(rep, "%zu of %zu names failed%s",
		    t->status[CLOUDDP_STATUS_CRITICAL], t->names, worst);
	else if (st == CLOUDDP_STATUS_WARNING)
		report_summary(rep, "%zu names resolve, %zu with warnings%s",
		    t->names, t->status[CLOUDDP_STATUS_WARNING], worst);
	else
		report_summary(rep, "%zu names resolve as expected",
		    t->names);
	report_perf(rep, "names", (double)t->names, NULL);
	report_perf(rep, "ok", (double)t->status[CLOUDDP_STATUS_OK], NULL);
	report_perf(rep, "warning", (double)t->status[CLOUDDP_STATUS_WARNING],
	    NULL);
	report_perf(rep, "critical",
	    (double)t->status[CLOUDDP_STATUS_CRITICAL], NULL);
	report_perf(rep, "disagreements", (double)t->disagreements, NULL);
	report_perf(rep, "time", round(elapsed * 1000) / 1000, "s");
	report_write(ctx, rep, stdout);
	report_free(rep);
}

static void
summary_json(struct report_line *l, const struct resolve_tally *t,
    enum clouddp_status st, double elapsed, const struct resolve_stats *rs)
{
	int	 i;

	report_jw_open(l, NULL);
	report_jw_open(l, "summary");
	report_jw_int(l, "names", (long long)t->names);
	for (i = 0; i < CLOUDDP_STATUS__MAX; i++)
		report_jw_int(l, clouddp_status_key((enum clouddp_status)i),
		    (long long)t->status[i]);
	report_jw_open(l, "verdicts");
	for (i = 0; i < RESOLVE__MAX; i++)
		report_jw_int(l, resolve_verdict_name((enum resolve_verdict)i),
		    (long long)t->verdicts[i]);
	report_jw_close(l);
	report_jw_int(l, "disagreements", (long long)t->disagreements);
	report_jw_int(l, "queries", (long long)rs->queries);
	report_jw_int(l, "timeouts", (long long)rs->timeouts);
	report_jw_real(l, "elapsed_s", elapsed, 3);
	report_jw_bool(l, "interrupted", t->interrupted != 0);
	report_jw_close(l);
	report_jw_str(l, "status", clouddp_status_key(st));
	report_jw_close(l);
	report_line_write(l, stdout);
}

/* Two lines, each within 80 columns for any run under a billion names. */
static void
summary_text(struct report_line *l, const struct resolve_tally *t,
    double elapsed, const struct resolve_stats *rs)
{
	int	 i;

	if (t->interrupted != 0)
		report_line_printf(l, "summary: interrupted by %s; checked "
		    "before that:\n", t->interrupted == SIGINT ? "SIGINT" :
		    "SIGTERM");
	report_line_printf(l, "summary: %zu names, %zu ok, %zu warning, "
	    "%zu critical;", t->names, t->status[CLOUDDP_STATUS_OK],
	    t->status[CLOUDDP_STATUS_WARNING],
	    t->status[CLOUDDP_STATUS_CRITICAL]);
	for (i = 0; i < RESOLVE__MAX; i++)
		if (t->verdicts[i] > 0)
			report_line_printf(l, " %s=%zu", resolve_verdict_name(
			    (enum resolve_verdict)i), t->verdicts[i]);
	report_line_printf(l, "\nsummary: %zu disagreements; %llu queries, "
	    "%llu tries timed out, in %.2fs", t->disagreements, rs->queries,
	    rs->timeouts, elapsed);
	report_line_write(l, stdout);
}

int
resolve_io_summary(const struct clouddp_ctx *ctx, struct resolve_tally *t,
    double elapsed, const struct resolve_stats *rs)
{
	enum clouddp_status	 st;

	st = t->interrupted != 0 ? CLOUDDP_STATUS_UNKNOWN : tally_status(t);
	if (ctx->output == CLOUDDP_OUTPUT_NAGIOS)
		summary_nagios(ctx, t, st, elapsed);
	else if (ctx->output == CLOUDDP_OUTPUT_JSON && !ctx->quiet)
		summary_json(&t->line, t, st, elapsed, rs);
	else if (!ctx->quiet)
		summary_text(&t->line, t, elapsed, rs);
	fflush(stdout);
	return (int)st;
}

void
resolve_io_tally_free(struct resolve_tally *t)
{
	report_line_free(&t->line);
}
