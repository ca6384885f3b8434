/*
 * clouddp-resolve: check that each name is a CNAME to its Azure target
 * and that the target resolves to the VIP, on every resolver or every
 * authoritative server, for one name or a million.  A thin main: the
 * engine is resolve.c, the printing resolve_io.c.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "dpref.h"
#include "input.h"
#include "loop.h"
#include "opts.h"
#include "resolve.h"
#include "resolve_io.h"
#include "tool.h"

enum {
	OPT_AAAA = CLOUDDP_OPT__TOOL,
	OPT_AUTHORITATIVE,
	OPT_CONCURRENCY,
	OPT_EXPECT_TARGET,
	OPT_EXPECT_VIP,
	OPT_INPUT,
	OPT_PORT,
	OPT_TRIES
};

static const struct option longopts[] = {
	{ "aaaa",	   no_argument,	      NULL, OPT_AAAA },
	{ "authoritative", no_argument,	      NULL, OPT_AUTHORITATIVE },
	{ "concurrency",   required_argument, NULL, OPT_CONCURRENCY },
	{ "expect-target", required_argument, NULL, OPT_EXPECT_TARGET },
	{ "expect-vip",	   required_argument, NULL, OPT_EXPECT_VIP },
	{ "input",	   required_argument, NULL, OPT_INPUT },
	{ "port",	   required_argument, NULL, OPT_PORT },
	{ "tries",	   required_argument, NULL, OPT_TRIES },
	CLOUDDP_LONGOPTS_COMMON,
	CLOUDDP_LONGOPTS_INVENTORY,
	CLOUDDP_LONGOPTS_RESOLVER,
	{ NULL,			0,		   NULL, 0 }
};

/* Where the names come from, and what the run has seen. */
struct run {
	struct clouddp_ctx	*ctx;
	char			**names;
	int			 nnames;
	int			 next;
	const char		*input;
	struct input		*in;
	const char		*target;
	const char		*vip;
	struct dpref		 ref;		/* --dp */
	char			*dp_name[1];
	struct resolve_tally	 tally;
	double			 start, shown;
	struct resolve_cfg	 cfg;
	struct loop		*loop;
	int			 stopped;	/* signal or write error */
};

static void
usage(FILE *fp)
{
	fputs("usage: clouddp-resolve [--resolver HOST[:PORT]]... [--port N] "
	    "[--authoritative]\n"
	    "                       [--expect-target NAME] "
	    "[--expect-vip ADDR]\n"
	    "                       [--input FILE|-] [--concurrency N] "
	    "[--timeout SECONDS]\n"
	    "                       [--tries N] [--aaaa] [--json|--nagios] "
	    "[--quiet] NAME...\n"
	    "       clouddp-resolve --dp NAME [--db PATH] [options]\n", fp);
}

static void
help(void)
{
	usage(stdout);
	fputs(
"\nCheck both resolution stages of each NAME: NAME is a CNAME to its target,\n"
"and the target resolves to the VIP, on every resolver or authoritative\n"
"server.\n\n"
"      --aaaa             ask AAAA records as well as A for every target\n"
"      --authoritative    ask every authoritative server of each name's zone\n"
"      --concurrency N    names in flight at once (default 150)\n"
"      --db PATH          the inventory --dp reads (default as\n"
"                         clouddp-provision)\n"
"      --dp NAME          check the inventory's DP NAME: its Service FQDN,\n"
"                         Azure FQDN and VIP\n"
"      --expect-target NAME  the CNAME target every name must have\n"
"      --expect-vip ADDR  the address every target must resolve to\n"
"      --input FILE|-     read names from FILE: fqdn [target [vip]] lines,\n"
"                         or CSV with a header naming fqdn, target, vip\n"
"      --port N           send every query to port N\n"
"      --tries N          tries per query (default 3)\n", stdout);
	clouddp_help_common(stdout);
	clouddp_help_resolver(stdout);
}

static int
input_start(struct clouddp_ctx *ctx, struct run *run, struct clouddp_err *err)
{
	if (run->input == NULL)
		return 0;
	run->in = tool_input_open(ctx, run->input, INPUT_BIT(INPUT_FQDN), 0,
	    err);
	return run->in != NULL ? 0 : -1;
}

/* resolve_next_cb: the command line's names, then the input's. */
static int
next_name(void *arg, struct resolve_name *name, struct clouddp_err *err)
{
	struct run		*run = arg;
	struct input_rec	 rec;
	int			 rc;

	/* Stopped: read no more, let the loop wind down. */
	if (run->stopped || tool_interrupted() != 0)
		return 0;
	if (run->next < run->nnames) {
		memset(&rec, 0, sizeof(rec));
		rec.col[INPUT_FQDN] = run->names[run->next++];
		rc = 1;
	} else if (run->in != NULL)
		rc = input_next(run->in, &rec, err);
	else
		rc = 0;
	if (rc != 1)
		return rc;
	return resolve_io_subject(&rec, run->in != NULL ?
	    input_name(run->in) : "", run->target, run->vip, name,
	    err) == -1 ? -1 : 1;
}

/* resolve_done_cb: print, count, and show progress on a terminal. */
static void
name_done(void *arg, const struct resolve_name *name,
    const struct resolve_result *res, size_t n)
{
	struct run	*run = arg;
	double		 now;

	if (run->stopped)
		return;
	resolve_io_name(run->ctx, &run->tally, name, res, n);
	if (tool_out_check() == -1) {
		run->stopped = 1;
		loop_stop(run->loop);
		return;
	}
	if (!run->ctx->stderr_tty || run->ctx->quiet)
		return;
	now = loop_now();
	if (now - run->shown < 0.25)
		return;
	run->shown = now;
	fprintf(stderr, "\r%zu names, %zu failed, %.0f names/s ",
	    run->tally.names, run->tally.status[CLOUDDP_STATUS_CRITICAL],
	    run->tally.names / (now - run->start));
}

static int
tool_opt(struct resolve_cfg *cfg, struct run *run, int c, const char *arg,
    struct clouddp_err *err)
{
	long	 v;

	switch (c) {
	case OPT_AAAA:
		cfg->aaaa = 1;
		return 0;
	case OPT_AUTHORITATIVE:
		cfg->authoritative = 1;
		return 0;
	case OPT_CONCURRENCY:
		if (clouddp_parse_long("--concurrency", arg, 1, 60000, &v,
		    err) == -1)
			return -1;
		cfg->window = (size_t)v;
		return 0;
	case OPT_EXPECT_TARGET:
		run->target = arg;
		return 0;
	case OPT_EXPECT_VIP:
		run->vip = arg;
		return 0;
	case OPT_INPUT:
		run->input = arg;
		return 0;
	case OPT_PORT:
		if (clouddp_parse_long("--port", arg, 1, 65535, &v, err) == -1)
			return -1;
		cfg->port = (unsigned)v;
		return 0;
	case OPT_TRIES:
		if (clouddp_parse_long("--tries", arg, 1, 10, &v, err) == -1)
			return -1;
		cfg->tries = (int)v;
		return 0;
	default:
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "bad option");
	}
}

/* The engine's error after a stop is only that names were in flight. */
static int
engine_run(struct run *run, struct resolve *r, struct clouddp_err *err)
{
	int	 rc;

	rc = resolve_run(r, next_name, name_done, run, err);
	if (tool_interrupted() != 0 && !run->stopped)
		run->stopped = 1;
	if (run->stopped)
		return 0;
	return rc;
}

static int
check_run(struct run *run, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct resolve	*r = NULL;
	struct resolve_stats stats;
	size_t		 i;
	int		 rc = -1;

	if (input_start(ctx, run, err) == -1)
		goto out;
	run->loop = loop_new(err);
	if (run->loop == NULL || tool_signals(run->loop, err) == -1)
		goto out;
	run->cfg.servers = ctx->resolvers;
	run->cfg.nservers = ctx->nresolvers;
	run->cfg.timeout = ctx->timeout;
	r = resolve_new(run->loop, &run->cfg, err);
	if (r == NULL)
		goto out;
	for (i = 0; i < resolve_nservers(r); i++)
		log_debug(ctx, 1, "resolver %zu: %s", i + 1,
		    resolve_server(r, i));
	run->start = loop_now();
	if (engine_run(run, r, err) == -1)
		goto out;
	if (ctx->stderr_tty && !ctx->quiet && run->shown > 0)
		fputs("\r\033[K", stderr);
	/* A write failed: tool_main says so; no summary to a dead stdout. */
	if (tool_out_check() == -1) {
		rc = CLOUDDP_STATUS_UNKNOWN;
		goto out;
	}
	run->tally.interrupted = tool_interrupted();
	if (run->tally.names == 0 && run->tally.interrupted == 0) {
		clouddp_errf(err, CLOUDDP_EINPUT,
		    "give names on the command line or lines in --input",
		    "%s: no names to check",
		    run->input != NULL ? run->input : "input");
		goto out;
	}
	resolve_stats_get(r, &stats);
	rc = resolve_io_summary(ctx, &run->tally, loop_now() - run->start,
	    &stats);
	if (tool_out_check() == -1)
		goto out;
	if (rc == CLOUDDP_STATUS_UNKNOWN && run->tally.interrupted == 0)
		log_warn(ctx, "no server answered any query: check --resolver "
		    "and --port");
out:
	resolve_free(r);
	loop_free(run->loop);
	run->loop = NULL;
	return rc;
}

/* --dp: the name, its target and its VIP, from the inventory. */
static int
from_inventory(struct run *run, struct clouddp_err *err)
{
	struct dpref	*ref = &run->ref;

	if (run->nnames > 0 || run->input != NULL || run->target != NULL ||
	    run->vip != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give either --dp "
		    "or the names", "--dp with a NAME, --input, "
		    "--expect-target or --expect-vip");
	if (dpref_get(run->ctx->db, run->ctx->dp, DPREF_ANY_STATE, ref,
	    err) == -1)
		return -1;
	if (dpref_need(ref, DPREF_NEED_FQDN | DPREF_NEED_TARGET,
	    "checking its names all the same", run->ctx, err) == -1)
		return -1;
	run->dp_name[0] = ref->fqdn;
	run->names = run->dp_name;
	run->nnames = 1;
	run->target = ref->target;
	run->vip = ref->vip[0] != '\0' ? ref->vip : NULL;
	return 0;
}

static int
parse(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct run	*run = arg;
	int		 c, rc;

	run->ctx = ctx;
	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, NULL)) != -1) {
		if (c == '?')
			return -2;
		rc = clouddp_opt_common(ctx, c, optarg, err);
		if (rc == 0)
			rc = tool_opt(&run->cfg, run, c, optarg, err);
		if (rc == -1)
			return -1;
	}
	run->names = argv + optind;
	run->nnames = argc - optind;
	if (ctx->help || ctx->version)
		return 0;
	if (ctx->db != NULL && ctx->dp == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "name the DP with "
		    "--dp", "--db without --dp");
	if (ctx->dp != NULL && from_inventory(run, err) == -1)
		return -1;
	if (run->nnames == 0 && run->input == NULL && !ctx->help &&
	    !ctx->version) {
		usage(stderr);
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give a NAME, --dp NAME or --input FILE",
		    "no names to check");
	}
	return 0;
}

static int
run_main(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	return check_run(arg, ctx, err);
}

static void
cleanup(void *arg)
{
	struct run	*run = arg;

	input_free(run->in);
	resolve_io_tally_free(&run->tally);
}

static const struct tool tool = {
	"RESOLVE", parse, help, run_main, cleanup
};

int
main(int argc, char *argv[])
{
	struct run	 run;

	memset(&run, 0, sizeof(run));
	return tool_main(&tool, &run, argc, argv);
}
