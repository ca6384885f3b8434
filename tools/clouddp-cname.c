/*
 * clouddp-cname: turn "service FQDN -> Azure service name" into the
 * record a DNS server needs, checked before it is published, and publish
 * it by RFC 2136 when asked.  The work is cname_job's; this is options.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "cname.h"
#include "dpref.h"
#include "loop.h"
#include "opts.h"
#include "tool.h"

enum {
	OPT_ALLOW_ANY_TARGET = CLOUDDP_OPT__TOOL,
	OPT_APPLY,
	OPT_DELETE,
	OPT_FORMAT,
	OPT_FQDN,
	OPT_INPUT,
	OPT_ORIGIN,
	OPT_REPLACE,
	OPT_SERVER,
	OPT_TARGET,
	OPT_TSIG_FILE,
	OPT_TTL,
	OPT_ZONE
};

static const struct option longopts[] = {
	{ "allow-any-target", no_argument, NULL, OPT_ALLOW_ANY_TARGET },
	{ "apply", no_argument, NULL, OPT_APPLY },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "tsig-file", required_argument, NULL, OPT_TSIG_FILE },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "zone", required_argument, NULL, OPT_ZONE },
	CLOUDDP_LONGOPTS_COMMON,
	CLOUDDP_LONGOPTS_INVENTORY,
	{ NULL, 0, NULL, 0 }
};

/* The job, and the DP --dp read its names from. */
struct run {
	struct cname_job_cfg	 cfg;
	struct dpref		 ref;
};

static void
usage(FILE *fp)
{
	fputs("usage: clouddp-cname [-hqVv] [--allow-any-target] [--apply] "
	    "[--delete]\n"
	    "                     [--format FORMAT]"
	    " [--json | --nagios]\n"
	    "                     [--fqdn NAME --target NAME | --input FILE |\n"
	    "                     --dp NAME [--db PATH]]\n"
	    "                     [--origin ZONE] [--replace] "
	    "[--server HOST[:PORT]]\n"
	    "                     [-t SECONDS] [--tsig-file FILE] "
	    "[--ttl SECONDS]\n"
	    "                     [--zone FILE]\n", fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nWrite, check and publish the CNAME of a cloud distribution "
	    "point.\n\n"
"      --allow-any-target accept a target that is no Azure service name\n"
"      --apply            publish by RFC 2136 dynamic update to --server\n"
"      --db PATH          the inventory --dp reads (default as\n"
"                         clouddp-provision)\n"
"      --delete           remove the CNAME from --server, only if it still\n"
"                         points at the target\n"
"      --dp NAME          the record of the inventory's DP NAME: its\n"
"                         Service FQDN and Azure FQDN\n"
"      --format FORMAT    bind (default), nsupdate, powershell, dnscmd, json\n"
"      --fqdn NAME        the service FQDN, e.g. clouddp1.contoso.com\n"
"      --input FILE       records from FILE (- for stdin): FQDN TARGET [TTL]\n"
"                         per line, or CSV with a fqdn,target[,ttl] header\n"
"      --origin ZONE      the zone; owners are written relative to it\n"
"      --replace          with --apply (or nsupdate and --zone), replace a\n"
"                         CNAME to another target\n"
"      --server HOST[:PORT]  the primary server to update (port 53)\n"
"      --target NAME      the Azure name: GUID.cloudapp.net, or a CMG's\n"
"                         PREFIX.REGION.cloudapp.azure.com\n"
"      --tsig-file FILE   TSIG key in BIND key-file form, for --apply\n"
"      --ttl SECONDS      TTL of the records (3600)\n"
"      --zone FILE        refuse records that conflict with this zone file\n",
	    stdout);
	clouddp_help_common(stdout);
}

static int
tool_opt(struct cname_job_cfg *cfg, int c, const char *arg)
{
	switch (c) {
	case OPT_ALLOW_ANY_TARGET:
		cfg->allow_any_target = 1;
		break;
	case OPT_APPLY:
		cfg->apply = 1;
		break;
	case OPT_DELETE:
		cfg->delete = 1;
		break;
	case OPT_FORMAT:
		cfg->format = arg;
		break;
	case OPT_FQDN:
		cfg->fqdn = arg;
		break;
	case OPT_INPUT:
		cfg->input = arg;
		break;
	case OPT_ORIGIN:
		cfg->origin = arg;
		break;
	case OPT_REPLACE:
		cfg->replace = 1;
		break;
	case OPT_SERVER:
		cfg->server = arg;
		break;
	case OPT_TARGET:
		cfg->target = arg;
		break;
	case OPT_TSIG_FILE:
		cfg->tsig_file = arg;
		break;
	case OPT_TTL:
		cfg->ttl = arg;
		break;
	case OPT_ZONE:
		cfg->zone_file = arg;
		break;
	default:
		return -1;
	}
	return 0;
}

/* --dp: the Service FQDN and the Azure FQDN from the inventory. */
static int
from_inventory(struct run *run, struct clouddp_ctx *ctx,
    struct clouddp_err *err)
{
	struct dpref	*ref = &run->ref;

	if (run->cfg.fqdn != NULL || run->cfg.target != NULL ||
	    run->cfg.input != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give either --dp "
		    "or the names", "--dp with --fqdn, --target or --input");
	if (dpref_get(ctx->db, ctx->dp, DPREF_ANY_STATE, ref, err) == -1)
		return -1;
	if (dpref_need(ref, DPREF_NEED_FQDN | DPREF_NEED_TARGET, NULL, ctx,
	    err) == -1)
		return -1;
	run->cfg.fqdn = ref->fqdn;
	run->cfg.target = ref->target;
	return 0;
}

static int
parse(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct run	*run = arg;
	int		 c, rc;

	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, NULL)) != -1) {
		rc = clouddp_opt_common(ctx, c, optarg, err);
		if (rc == -1)
			return -1;
		if (rc == 0 && tool_opt(&run->cfg, c, optarg) == -1)
			return -2;
	}
	if (ctx->help || ctx->version)
		return 0;
	if (optind < argc)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give the names with --fqdn and --target",
		    "unexpected argument '%s'", argv[optind]);
	if (ctx->db != NULL && ctx->dp == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "name the DP with "
		    "--dp", "--db without --dp");
	if (ctx->dp != NULL)
		return from_inventory(run, ctx, err);
	return 0;
}

static int
run(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct cname_job_cfg	*cfg = &((struct run *)arg)->cfg;
	int			 status;

	/* SIGINT and SIGTERM stop --apply between two records. */
	if (cfg->apply || cfg->delete) {
		cfg->loop = loop_new(err);
		if (cfg->loop == NULL || tool_signals(cfg->loop, err) == -1)
			return -1;
	}
	status = cname_job_run(ctx, cfg);
	loop_free(cfg->loop);
	cfg->loop = NULL;
	return status;
}

static const struct tool tool = {
	"CNAME", parse, help, run, NULL
};

int
main(int argc, char *argv[])
{
	struct run	 run;

	memset(&run, 0, sizeof(run));
	return tool_main(&tool, &run, argc, argv);
}
