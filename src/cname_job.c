/*
 * clouddp-cname's job: check everything, then write or apply.  Nothing
 * is written or sent until every record has passed, so bad input never
 * leaves half a zone snippet or half-applied changes behind.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "cname.h"
#include "log.h"
#include "opts.h"
#include "report.h"
#include "tool.h"
#include "update.h"
#include "zone.h"

struct job {
	const struct clouddp_ctx	*ctx;
	const struct cname_job_cfg	*cfg;
	struct cname_rules		 rules;
	struct cname_out		 out;
	struct report_line		 line;
	char				 origin[ZONE_NAME_MAX];
	char				 host[ZONE_NAME_MAX];
	struct zone_db			*db;
	struct zone_tsig		*tsig;
	struct zone_server		 server;
	struct cname_seen		*seen;
	struct cname_input		*in;
	size_t				 nrecords, nbad, nconflicts;
	size_t				 npresent, ndone;
	enum clouddp_status		 status;
};

static void
job_fail(struct job *j, const struct clouddp_err *err)
{
	enum clouddp_status	 st = clouddp_code_status(err->code);

	log_err(j->ctx, err);
	if (st == CLOUDDP_STATUS_CRITICAL)
		j->nconflicts++;
	else
		j->nbad++;
	j->status = clouddp_status_worst(j->status, st);
}

/* HOST, HOST:PORT, [V6]:PORT or a bare IPv6 address. */
static int
parse_server(struct job *j, const char *s, struct clouddp_err *err)
{
	const char	*colon = strrchr(s, ':');
	long		 port = 53;

	if (s[0] == '[') {
		colon = strchr(s, ']');
		if (colon == NULL || (colon[1] != '\0' && colon[1] != ':'))
			return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
			    "--server: malformed address '%s'", s);
		snprintf(j->host, sizeof(j->host), "%.*s",
		    (int)(colon - s - 1), s + 1);
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else if (colon != NULL && strchr(s, ':') == colon)
		snprintf(j->host, sizeof(j->host), "%.*s", (int)(colon - s),
		    s);
	else {
		snprintf(j->host, sizeof(j->host), "%s", s);
		colon = NULL;
	}
	if (colon != NULL && clouddp_parse_long("--server port", colon + 1,
	    1, 65535, &port, err) == -1)
		return -1;
	if (j->host[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "--server: empty host in '%s'", s);
	j->server.host = j->host;
	j->server.port = (unsigned short)port;
	j->server.timeout = j->ctx->timeout > 0 ? j->ctx->timeout : 5;
	j->out.server = j->host;
	j->out.port = (unsigned)port;
	return 0;
}

static int
check_usage(const struct job *j, struct clouddp_err *err)
{
	const struct cname_job_cfg	*c = j->cfg;
	const char			*hint = "run 'clouddp-cname --help'";

	if ((c->fqdn != NULL || c->target != NULL) && c->input != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, hint,
		    "give either --fqdn and --target, or --input");
	if (c->input == NULL && (c->fqdn == NULL || c->target == NULL))
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "e.g. --fqdn clouddp1.contoso.com --target "
		    "d1594d4527614a09b934d470.cloudapp.net",
		    "both --fqdn and --target are needed");
	if ((c->apply || c->delete) && c->server == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "name the zone's primary server, e.g. --server 192.0.2.53",
		    "%s needs --server", c->delete ? "--delete" : "--apply");
	if (!c->apply && !c->delete && c->tsig_file != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, hint,
		    "--tsig-file goes with --apply");
	if (c->replace && !c->apply && !c->delete && (c->format == NULL ||
	    strcasecmp(c->format, "nsupdate") != 0))
		return clouddp_errf(err, CLOUDDP_EUSAGE, hint,
		    "--replace goes with --apply or --format nsupdate");
	if (c->replace && !c->apply && !c->delete && c->zone_file == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give the zone file: the script replaces only the CNAME "
		    "it shows, and only while it is still there",
		    "--format nsupdate --replace needs --zone");
	if (c->delete && (c->replace || c->format != NULL ||
	    c->zone_file != NULL))
		return clouddp_errf(err, CLOUDDP_EUSAGE, hint,
		    "--delete goes with neither --replace, --format nor "
		    "--zone");
	if (c->zone_file != NULL && c->origin == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "name the zone the file holds, e.g. --origin contoso.com",
		    "--zone needs --origin");
	if (j->ctx->output == CLOUDDP_OUTPUT_JSON && c->format != NULL &&
	    strcmp(c->format, "json") != 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, hint,
		    "--json writes JSON; it cannot go with --format %s",
		    c->format);
	return 0;
}

/*
 * The zone apex: a host name, or a single label such as an Active
 * Directory zone ("corp"), held to the same label rules.
 */
static int
origin_parse(const char *in, char *out, struct clouddp_err *err)
{
	struct clouddp_err	 first;
	char			 buf[ZONE_NAME_MAX + 16];
	size_t			 n = strlen(in), i;

	if (name_parse(in, 0, out, err) == 0)
		return 0;
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n >= ZONE_NAME_MAX || memchr(in, '.', n) != NULL)
		return -1;
	first = *err;
	snprintf(buf, sizeof(buf), "%.*s.invalid", (int)n, in);
	if (name_parse(buf, 0, out, err) == -1) {
		*err = first;
		return -1;
	}
	out[strlen(out) - strlen("invalid.")] = '\0';
	for (i = 0; out[i] != '.' && isdigit((unsigned char)out[i]); i++)
		continue;
	if (out[i] == '.')
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: a zone name is not a number", in);
	return 0;
}

/* What the zone file's reader passed over, as warnings. */
static void
zone_warnings(const struct job *j)
{
	const char	*w;
	size_t		 i, n = zone_db_nwarnings(j->db);

	for (i = 0; i < n; i++) {
		w = zone_db_warning(j->db, i);
		if (w == NULL) {
			log_warn(j->ctx, "%s: %zu more records kept without "
			    "their data", j->cfg->zone_file, n - i);
			break;
		}
		log_warn(j->ctx, "%s", w);
	}
}

static int
job_setup(struct job *j, struct clouddp_err *err)
{
	const struct cname_job_cfg	*c = j->cfg;
	const char			*warning;

	if (check_usage(j, err) == -1)
		return -1;
	j->out.fp = stdout;
	j->out.line = &j->line;
	j->out.replace = c->replace;
	j->out.format = j->ctx->output == CLOUDDP_OUTPUT_JSON ?
	    CNAME_FORMAT_JSON : CNAME_FORMAT_BIND;
	if (c->format != NULL &&
	    cname_format_parse(c->format, &j->out.format, err) == -1)
		return -1;
	j->rules.ttl = 3600;
	j->rules.allow_any_target = c->allow_any_target;
	if (c->ttl != NULL && cname_ttl_parse(c->ttl, &j->rules.ttl, err) == -1)
		return -1;
	if (c->origin != NULL) {
		if (origin_parse(c->origin, j->origin, err) == -1) {
			clouddp_err_prefix(err, "--origin");
			return -1;
		}
		j->rules.origin = j->out.zone = j->origin;
	}
	if (c->server != NULL && parse_server(j, c->server, err) == -1)
		return -1;
	if (c->tsig_file != NULL) {
		j->tsig = zone_tsig_load(c->tsig_file, &warning, err);
		if (j->tsig == NULL)
			return -1;
		if (warning != NULL)
			log_warn(j->ctx, "%s: %s", c->tsig_file, warning);
		j->server.tsig = j->tsig;
	}
	if (c->zone_file != NULL) {
		j->db = zone_db_load(c->zone_file, j->origin, err);
		if (j->db == NULL)
			return -1;
		zone_warnings(j);
	}
	j->seen = cname_seen_new();
	if (j->seen == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	return 0;
}

enum pass {
	PASS_CHECK = 0,		/* every rule and the zone file */
	PASS_REPEATS,		/* only when a name may repeat */
	PASS_EMIT		/* write or apply */
};

static void
check_rec(struct job *j, const struct cname_rec *rec)
{
	struct clouddp_err	 err;

	j->nrecords++;
	if (cname_seen_note(j->seen, rec) == -1) {
		clouddp_errf(&err, CLOUDDP_ENOMEM, NULL, "out of memory");
		job_fail(j, &err);
		return;
	}
	if (j->db != NULL && zone_db_check_cname(j->db, rec->fqdn,
	    rec->target, &err) == ZONE_CNAME_CONFLICT &&
	    !(j->cfg->replace && zone_db_cname_elsewhere(j->db, rec->fqdn,
	    rec->target) != NULL)) {
		if (rec->line > 0)
			clouddp_err_prefix(&err, "%s:%zu", j->cfg->input,
			    rec->line);
		job_fail(j, &err);
	}
}

static void
repeat_rec(struct job *j, const struct cname_rec *rec)
{
	struct clouddp_err	 err;
	size_t			 first;

	if (cname_seen_recheck(j->seen, rec, &first) == 1) {
		clouddp_errf(&err, CLOUDDP_ECONFLICT,
		    "give each service FQDN one line",
		    "%s:%zu: %s is given again (first on line %zu)",
		    j->cfg->input, rec->line, rec->fqdn, first);
		job_fail(j, &err);
	}
}

/* Under --json every record gets its object, also one with nothing to do. */
static int
print_present(struct job *j, const struct cname_rec *rec)
{
	struct report_obj	*o;
	int			 rc;

	if (j->ctx->quiet || j->ctx->output != CLOUDDP_OUTPUT_JSON)
		return 0;
	o = report_obj_new();
	if (o == NULL)
		return -1;
	report_obj_set_str(o, "fqdn", rec->fqdn);
	report_obj_set_str(o, "target", rec->target);
	report_obj_set_str(o, "action", "present");
	report_obj_set_str(o, "zone_file", j->cfg->zone_file);
	if (rec->line > 0)
		report_obj_set_int(o, "line", (long long)rec->line);
	rc = report_obj_write(o, stdout);
	report_obj_free(o);
	return rc;
}

static int
emit_rec(struct job *j, const struct cname_rec *rec, int single)
{
	struct clouddp_err	 err;

	if (j->db != NULL && zone_db_check_cname(j->db, rec->fqdn,
	    rec->target, &err) == ZONE_CNAME_PRESENT) {
		j->npresent++;
		log_notice(j->ctx, "nothing to do: %s is already a CNAME "
		    "to %s in %s", rec->fqdn, rec->target, j->cfg->zone_file);
		return print_present(j, rec);
	}
	if (j->ctx->quiet || j->ctx->output == CLOUDDP_OUTPUT_NAGIOS) {
		j->ndone++;
		return 0;
	}
	if (j->ndone == 0 && cname_write_begin(&j->out, single ? rec : NULL))
		return -1;
	j->ndone++;
	j->out.old_target = j->db != NULL && j->cfg->replace ?
	    zone_db_cname_elsewhere(j->db, rec->fqdn, rec->target) : NULL;
	return cname_write_rec(&j->out, rec);
}

static int
do_rec(struct job *j, enum pass pass, const struct cname_rec *rec, int single)
{
	switch (pass) {
	case PASS_CHECK:
		check_rec(j, rec);
		return 0;
	case PASS_REPEATS:
		repeat_rec(j, rec);
		return 0;
	default:
		return emit_rec(j, rec, single);
	}
}

/* Run one pass over the record or the input. */
static int
each_rec(struct job *j, enum pass pass, struct clouddp_err *err)
{
	struct cname_rec	 rec;
	int			 rc;

	if (j->in == NULL) {
		memset(&rec, 0, sizeof(rec));
		if (cname_rec_make(&j->rules, j->cfg->fqdn, j->cfg->target,
		    NULL, &rec, err) == -1)
			return -1;
		return do_rec(j, pass, &rec, 1);
	}
	if (cname_input_rewind(j->in, err) == -1)
		return -1;
	while ((rc = cname_input_next(j->in, &j->rules, &rec, err)) != 0) {
		if (rc == -1 && cname_input_failed(j->in))
			break;
		if (rc == -1) {
			if (pass == PASS_CHECK)
				job_fail(j, err);
		} else if (do_rec(j, pass, &rec, 0) == -1)
			break;
	}
	return rc == 0 ? 0 : -1;
}

/* What the counts call a record done, and one with nothing to do. */
static const char *
done_word(const struct job *j)
{
	return j->cfg->delete ? "deleted" : j->cfg->apply ? "applied" :
	    "written";
}

static const char *
idle_word(const struct job *j)
{
	return j->cfg->delete ? "absent" : "present";
}

/*
 * --apply and --delete: every record goes through the server twice,
 * each pass on the event loop with a window of exchanges in flight.
 * The check pass asks the server what each name holds and decides; only
 * when no record conflicts does the publish pass send the updates (the
 * first alone, so that a key the zone refuses stops the run after one
 * record).  Results are reported in input order, each exactly once.
 */
/* Under BIND's default tcp-listen-queue (10): more SYNs at once are
 * dropped, and each costs a 1 s retransmission. */
#define APPLY_WINDOW	8

struct slot {
	struct apply		*a;
	struct cname_rec	 rec;
	struct update_op	*op;
	int			 done;		/* finished, not reported */
	int			 in_file;	/* present in --zone */
	int			 failed;
	struct clouddp_err	 err;
	struct update_result	 res;
};

struct apply {
	struct job		*j;
	struct loop		*loop;
	struct update_client	*client;
	struct cname_input	*in;
	int			 single_done;
	int			 publish;	/* the second pass */
	int			 eof, stop;
	int			 interrupted;	/* loop_stop() was called */
	size_t			 head, tail;	/* reported, started */
	size_t			 nok;		/* ops that ended well */
	struct clouddp_err	 err;		/* reading the input */
	int			 read_failed;
	struct slot		 slots[APPLY_WINDOW];
};

static void	apply_fill(struct apply *);

static void
print_applied(struct job *j, const struct apply *a, const struct slot *sl)
{
	const struct update_result	*res = &sl->res;
	struct report_obj		*o;
	const char			*action;
	int				 sent;

	if (j->ctx->quiet || j->ctx->output == CLOUDDP_OUTPUT_NAGIOS)
		return;
	action = update_action_name(res->action);
	sent = res->action != UPDATE_PRESENT && res->action != UPDATE_ABSENT;
	if (j->ctx->output != CLOUDDP_OUTPUT_JSON) {
		report_line_printf(&j->line, "%-8s %s CNAME %s (zone %s, "
		    "server %s)%s%s", action, sl->rec.fqdn, sl->rec.target,
		    res->zone, update_client_label(a->client),
		    res->action == UPDATE_REPLACED ? ", was " : "",
		    res->action == UPDATE_REPLACED ? res->old : "");
		report_line_write(&j->line, stdout);
		return;
	}
	o = report_obj_new();
	if (o == NULL)
		return;
	report_obj_set_str(o, "fqdn", sl->rec.fqdn);
	report_obj_set_str(o, "target", sl->rec.target);
	report_obj_set_int(o, "ttl", sl->rec.ttl);
	if (sl->rec.line > 0)
		report_obj_set_int(o, "line", (long long)sl->rec.line);
	report_obj_set_str(o, "zone", res->zone);
	report_obj_set_str(o, "server", update_client_label(a->client));
	report_obj_set_str(o, "action", action);
	if (res->action == UPDATE_REPLACED)
		report_obj_set_str(o, "old_target", res->old);
	if (sent)
		report_obj_set_bool(o, "confirmed", 1);
	report_obj_write(o, stdout);
	report_obj_free(o);
}

/* The next record of the input (or the one record); 1, 0 or -1. */
static int
apply_next(struct apply *a, struct cname_rec *rec)
{
	struct job	*j = a->j;
	int		 rc;

	if (a->in == NULL) {
		if (a->single_done)
			return 0;
		a->single_done = 1;
		memset(rec, 0, sizeof(*rec));
		return cname_rec_make(&j->rules, j->cfg->fqdn, j->cfg->target,
		    NULL, rec, &a->err) == -1 ? -1 : 1;
	}
	/* Bad lines were reported by the first pass: only I/O is left. */
	while ((rc = cname_input_next(a->in, &j->rules, rec, &a->err)) == -1)
		if (cname_input_failed(a->in))
			return -1;
	return rc;
}

static void
apply_report(struct apply *a, struct slot *sl)
{
	struct job	*j = a->j;

	if (sl->failed) {
		if (sl->rec.line > 0)
			clouddp_err_prefix(&sl->err, "%s:%zu", j->cfg->input,
			    sl->rec.line);
		job_fail(j, &sl->err);
	} else if (sl->in_file) {
		j->npresent++;
		if (a->publish)
			print_present(j, &sl->rec);
	} else if (a->publish) {
		if (sl->res.action == UPDATE_PRESENT ||
		    sl->res.action == UPDATE_ABSENT)
			j->npresent++;
		else
			j->ndone++;
		print_applied(j, a, sl);
	}
}

/* Report the finished records at the head of the window, in order. */
static void
apply_flush(struct apply *a)
{
	struct slot	*sl;

	while (a->head < a->tail) {
		sl = &a->slots[a->head % APPLY_WINDOW];
		if (!sl->done)
			break;
		apply_report(a, sl);
		sl->done = 0;
		a->head++;
	}
}

static void
on_rec_done(void *arg, const struct clouddp_err *err,
    const struct update_result *res)
{
	struct slot	*sl = arg;
	struct apply	*a = sl->a;

	sl->op = NULL;
	sl->done = 1;
	sl->res = *res;
	if (err != NULL) {
		sl->failed = 1;
		sl->err = *err;
		/* A refusal or a dead server will refuse the rest too. */
		if (err->code != CLOUDDP_ECONFLICT)
			a->stop = 1;
	} else
		a->nok++;
	apply_flush(a);
	apply_fill(a);
}

static void
apply_start_rec(struct apply *a, struct slot *sl)
{
	struct job		*j = a->j;
	struct update_req	 req;
	struct clouddp_err	 err;

	if (j->db != NULL && !j->cfg->delete && zone_db_check_cname(j->db,
	    sl->rec.fqdn, sl->rec.target, &err) == ZONE_CNAME_PRESENT) {
		sl->in_file = 1;
		sl->done = 1;
		return;
	}
	memset(&req, 0, sizeof(req));
	req.fqdn = sl->rec.fqdn;
	req.type = UPDATE_CNAME;
	req.data = sl->rec.target;
	req.ttl = sl->rec.ttl;
	req.zone = j->cfg->origin != NULL ? j->origin : NULL;
	req.mode = j->cfg->delete ? UPDATE_DELETE : j->cfg->replace ?
	    UPDATE_REPLACE : UPDATE_ADD;
	req.check_only = !a->publish;
	sl->op = update_start(a->client, &req, on_rec_done, sl, &sl->err);
	if (sl->op == NULL) {
		sl->failed = 1;
		sl->done = 1;
		a->stop = 1;
	}
}

/* Start records while the window has room: one until one went well. */
static void
apply_fill(struct apply *a)
{
	struct slot	*sl;
	size_t		 window = a->publish && a->nok == 0 ? 1 : APPLY_WINDOW;
	int		 rc;

	while (!a->eof && !a->stop && a->tail - a->head < window) {
		sl = &a->slots[a->tail % APPLY_WINDOW];
		memset(sl, 0, sizeof(*sl));
		sl->a = a;
		rc = apply_next(a, &sl->rec);
		if (rc != 1) {
			a->eof = 1;
			a->read_failed = rc == -1;
			break;
		}
		a->tail++;
		apply_start_rec(a, sl);
		apply_flush(a);
	}
}

/*
 * After the loop: if it was stopped, the records in flight are dropped
 * (an update already sent may have been applied: say so); what
 * finished is reported.
 */
static void
apply_drain(struct apply *a)
{
	struct clouddp_err	 err;
	struct slot		*sl;

	for (; a->head < a->tail; a->head++) {
		sl = &a->slots[a->head % APPLY_WINDOW];
		if (sl->done) {
			apply_report(a, sl);
			continue;
		}
		if (sl->op != NULL && update_is_sent(sl->op)) {
			clouddp_errf(&err, CLOUDDP_EDNS, "check it with dig",
			    "%s: stopped with its update sent: it may have "
			    "been applied", sl->rec.fqdn);
			log_err(a->j->ctx, &err);
		}
		update_cancel(sl->op);
		sl->op = NULL;
	}
}

/* One pass over the records; -1 when the loop or the input failed. */
static int
apply_pass(struct apply *a, int publish, struct clouddp_err *err)
{
	struct job	*j = a->j;
	int		 rc = 0;

	a->publish = publish;
	a->eof = a->stop = a->single_done = a->read_failed = 0;
	a->head = a->tail = a->nok = 0;
	if (j->in != NULL) {
		if (cname_input_rewind(j->in, err) == -1)
			return -1;
		a->in = j->in;
	}
	apply_fill(a);
	if (loop_run(a->loop, 0, err) == -1)
		rc = -1;
	/* Records still in flight or unread: someone called loop_stop(). */
	else if (a->head != a->tail || (!a->eof && !a->stop))
		a->interrupted = 1;
	apply_drain(a);
	a->in = NULL;
	if (a->read_failed) {
		*err = a->err;
		rc = -1;
	}
	return rc;
}

static int
run_apply(struct job *j, struct clouddp_err *err)
{
	struct apply	*a;
	int		 rc = -1;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	a->j = j;
	a->loop = j->cfg->loop != NULL ? j->cfg->loop : loop_new(err);
	if (a->loop == NULL)
		goto out;
	a->client = update_client_new(a->loop, &j->server, err);
	if (a->client == NULL)
		goto out;
	/* One record is checked by its own update's lookup. */
	if (j->in != NULL && apply_pass(a, 0, err) == -1)
		goto out;
	rc = 0;
	if (!a->interrupted && j->nbad == 0 && j->nconflicts == 0)
		rc = apply_pass(a, 1, err);
	if (rc == 0 && a->interrupted)
		rc = clouddp_errf(err, CLOUDDP_EINTERNAL, "run it again: "
		    "what was done is then reported as already done",
		    "interrupted%s: %zu records %s before, the rest not sent",
		    tool_interrupted() == SIGINT ? " by SIGINT" :
		    tool_interrupted() == SIGTERM ? " by SIGTERM" : "",
		    j->ndone, done_word(j));
out:
	update_client_free(a->client);
	if (a->loop != j->cfg->loop)
		loop_free(a->loop);
	free(a);
	return rc;
}

static void
summary(struct job *j, int single)
{
	struct report		*r;
	struct report_obj	*s;

	if (j->ctx->output == CLOUDDP_OUTPUT_NAGIOS) {
		r = report_new("CNAME");
		if (r == NULL)
			return;
		report_raise(r, j->status);
		report_summary(r, "%zu records: %zu %s, %zu already %s, "
		    "%zu bad, %zu conflicts or refusals", j->nrecords, j->ndone,
		    done_word(j), j->npresent, idle_word(j), j->nbad,
		    j->nconflicts);
		report_perf(r, "records", (double)j->nrecords, NULL);
		report_write(j->ctx, r, stdout);
		report_free(r);
		return;
	}
	if (j->ctx->output == CLOUDDP_OUTPUT_JSON && !single &&
	    !j->ctx->quiet) {
		s = report_obj_new();
		r = report_new("CNAME");
		if (s == NULL || r == NULL) {
			report_obj_free(s);
			report_free(r);
			return;
		}
		report_obj_set_int(s, "records", (long long)j->nrecords);
		report_obj_set_int(s, done_word(j), (long long)j->ndone);
		report_obj_set_int(s, idle_word(j), (long long)j->npresent);
		report_obj_set_int(s, "bad", (long long)j->nbad);
		report_obj_set_int(s, "conflicts", (long long)j->nconflicts);
		report_obj_set(report_root(r), "summary", s);
		report_raise(r, j->status);
		report_write(j->ctx, r, stdout);
		report_free(r);
		return;
	}
	if (!single && j->nrecords > 0)
		log_notice(j->ctx, "%zu records checked: %zu %s, %zu already "
		    "%s, %zu bad, %zu conflicts", j->nrecords, j->ndone,
		    done_word(j), j->npresent, idle_word(j), j->nbad,
		    j->nconflicts);
}

static int
job_open_input(struct job *j, struct clouddp_err *err)
{
	if (j->cfg->input == NULL)
		return 0;
	j->in = cname_input_open(j->cfg->input, j->ctx->timeout, err);
	return j->in != NULL ? 0 : -1;
}

int
cname_job_run(const struct clouddp_ctx *ctx, const struct cname_job_cfg *cfg)
{
	struct job		 j;
	struct clouddp_err	 err;
	int			 single = cfg->input == NULL, rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.cfg = cfg;
	clouddp_err_clear(&err);
	if (job_setup(&j, &err) == -1 || job_open_input(&j, &err) == -1 ||
	    each_rec(&j, PASS_CHECK, &err) == -1 ||
	    (cname_seen_suspects(j.seen) > 0 &&
	    each_rec(&j, PASS_REPEATS, &err) == -1)) {
		job_fail(&j, &err);
		goto out;
	}
	if (j.nbad > 0 || j.nconflicts > 0)
		goto out;
	if (cfg->apply || cfg->delete)
		rc = run_apply(&j, &err);
	else
		rc = each_rec(&j, PASS_EMIT, &err);
	if (rc == -1 && j.status == CLOUDDP_STATUS_OK) {
		if (err.what[0] == '\0')
			clouddp_errf(&err, CLOUDDP_EIO, NULL,
			    "cannot write the output: %s", strerror(errno));
		job_fail(&j, &err);
	}
	if (fflush(stdout) != 0 && j.status == CLOUDDP_STATUS_OK) {
		clouddp_errf(&err, CLOUDDP_EIO, NULL,
		    "cannot write the output: %s", strerror(errno));
		job_fail(&j, &err);
	}
out:
	summary(&j, single);
	cname_input_free(j.in);
	cname_seen_free(j.seen);
	zone_db_free(j.db);
	zone_tsig_free(j.tsig);
	report_line_free(&j.line);
	return (int)j.status;
}
