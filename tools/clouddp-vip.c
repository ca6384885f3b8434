/*
 * clouddp-vip: is the VIP reachable on HTTPS and HTTP, through the proxy
 * too, does it serve the right certificate for the service FQDN, and how
 * long does each step take.  A thin main over vip.h.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clouddp.h"
#include "dpref.h"
#include "http.h"
#include "input.h"
#include "loop.h"
#include "opts.h"
#include "vip.h"
#include "report.h"
#include "tool.h"

enum {
	OPT_CACERT = CLOUDDP_OPT__TOOL,
	OPT_CONCURRENCY,
	OPT_COUNT,
	OPT_EXPECT_CERT,
	OPT_FQDN,
	OPT_HTTP_PORT,
	OPT_INPUT,
	OPT_PATH,
	OPT_PORT,
	OPT_PROXY,
	OPT_VIP,
	OPT_WARN_DAYS
};

static const struct option longopts[] = {
	{ "cacert",	required_argument,	NULL, OPT_CACERT },
	{ "concurrency", required_argument,	NULL, OPT_CONCURRENCY },
	{ "count",	required_argument,	NULL, OPT_COUNT },
	{ "expect-cert", required_argument,	NULL, OPT_EXPECT_CERT },
	{ "fqdn",	required_argument,	NULL, OPT_FQDN },
	{ "http-port",	required_argument,	NULL, OPT_HTTP_PORT },
	{ "input",	required_argument,	NULL, OPT_INPUT },
	{ "path",	required_argument,	NULL, OPT_PATH },
	{ "port",	required_argument,	NULL, OPT_PORT },
	{ "proxy",	required_argument,	NULL, OPT_PROXY },
	{ "vip",	required_argument,	NULL, OPT_VIP },
	{ "warn-days",	required_argument,	NULL, OPT_WARN_DAYS },
	CLOUDDP_LONGOPTS_COMMON,
	CLOUDDP_LONGOPTS_INVENTORY,
	CLOUDDP_LONGOPTS_PASSWORD,
	CLOUDDP_LONGOPTS_PROXY_PASSWORD,
	{ NULL,		0,			NULL, 0 }
};

/* What the options asked for, and what main holds for the run. */
struct run {
	struct clouddp_ctx	*ctx;
	struct vip_cfg	 cfg;
	struct input		*in;
	const char		*in_name;
	struct vip_secrets	 sec;
	struct dpref		 ref;		/* --dp */
	long			 concurrency;
	struct vip_batch	*batch;
	struct loop		*loop;
	struct http_multi	*m;
	struct vip_print	 out;
};

static void
usage(FILE *fp)
{
	fputs(
"usage: clouddp-vip --vip ADDR [--fqdn NAME] [--port N] [--http-port N|none]\n"
"                   [--path PATH] [--expect-cert FILE [--password-file F |\n"
"                   --password-env VAR | --password-fd N]] [--cacert FILE]\n"
"                   [--proxy URL [--proxy-password-file F |\n"
"                   --proxy-password-env VAR | --proxy-password-fd N]]\n"
"                   [--timeout SECONDS] [--count N] [--warn-days N]\n"
"                   [--json | --nagios]\n"
"       clouddp-vip --dp NAME [--db PATH] [options]\n"
"       clouddp-vip --input FILE|- [--concurrency N] [options]\n", fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nProbe a VIP: TCP, proxy CONNECT, TLS, the served "
	    "certificate and HTTP.\n\n"
"      --cacert FILE      judge the chain against these CAs, not the system\n"
"      --concurrency N    probe at most N targets at once (default 100)\n"
"      --count N          probe N times; report min/median/max per phase\n"
"      --db PATH          the inventory --dp reads (default as\n"
"                         clouddp-provision)\n"
"      --dp NAME          the VIP, the Service FQDN and the certificate\n"
"                         thumbprint of the inventory's DP NAME\n"
"      --expect-cert FILE the VIP must serve this certificate (.pfx, .cer,\n"
"                         .pem); a .pfx password as the options below say\n"
"      --fqdn NAME        the service FQDN: SNI, Host and certificate name\n"
"      --http-port N|none the HTTP port to probe (default 80)\n"
"      --input FILE|-     probe every line of FILE: fqdn [target [vip]],\n"
"                         CSV with a vip[,fqdn] header, or VIP [FQDN]\n"
"      --path PATH        the path to GET (default /)\n"
"      --port N           the HTTPS port (default 443)\n"
"      --proxy URL        go through this proxy; \"\" for none (default:\n"
"                         https_proxy and no_proxy, as curl reads them)\n",
	    stdout);
	clouddp_help_proxy_password(stdout);
	fputs(
"      --vip ADDR         the VIP, an IPv4 or IPv6 address\n"
"      --warn-days N      warn when the certificate expires within N days\n"
"                         (default 30)\n", stdout);
	clouddp_help_common(stdout);
	clouddp_help_password(stdout);
}

static int
tool_opt(struct run *run, int c, const char *arg, struct clouddp_err *err)
{
	struct vip_cfg	*cfg = &run->cfg;
	const char	*name;
	enum clouddp_secret_kind kind;

	name = clouddp_opt_proxy_password(c, &kind);
	if (name != NULL)
		return vip_secrets_set(&run->sec, name, kind, arg, err);
	switch (c) {
	case OPT_CACERT:
		cfg->cacert = arg;
		return 0;
	case OPT_CONCURRENCY:
		return clouddp_parse_long("--concurrency", arg, 1, 10000,
		    &run->concurrency, err);
	case OPT_COUNT:
		return clouddp_parse_long("--count", arg, 1, 1000,
		    &cfg->count, err);
	case OPT_EXPECT_CERT:
		run->sec.expect_path = arg;
		return 0;
	case OPT_FQDN:
		cfg->fqdn = arg;
		return 0;
	case OPT_HTTP_PORT:
		return clouddp_parse_port("--http-port", arg, 1, &cfg->http_port, err);
	case OPT_INPUT:
		run->in_name = arg;
		return 0;
	case OPT_PATH:
		cfg->path = arg;
		return 0;
	case OPT_PORT:
		return clouddp_parse_port("--port", arg, 0, &cfg->port, err);
	case OPT_PROXY:
		cfg->proxy = arg;
		return 0;
	case OPT_VIP:
		cfg->vip = arg;
		return 0;
	case OPT_WARN_DAYS:
		return clouddp_parse_long("--warn-days", arg, 0, 3650,
		    &cfg->warn_days, err);
	default:
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "unknown option");
	}
}

/* --dp: what to probe and what must be served, from the inventory. */
static int
from_inventory(struct run *run, struct clouddp_err *err)
{
	struct dpref	*ref = &run->ref;

	if (run->cfg.vip != NULL || run->cfg.fqdn != NULL ||
	    run->in_name != NULL || run->sec.expect_path != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give either --dp "
		    "or the VIP and names", "--dp with --vip, --fqdn, "
		    "--expect-cert or --input");
	if (dpref_get(run->ctx->db, run->ctx->dp, DPREF_ANY_STATE, ref,
	    err) == -1)
		return -1;
	if (dpref_need(ref, DPREF_NEED_VIP, "probing its VIP all the same",
	    run->ctx, err) == -1)
		return -1;
	run->cfg.vip = ref->vip;
	run->cfg.fqdn = ref->fqdn[0] != '\0' ? ref->fqdn : NULL;
	run->cfg.expect_sha1 = ref->thumbprint[0] != '\0' ?
	    ref->thumbprint : NULL;
	return 0;
}

/* Check the options together and open the input. */
static int
setup(struct run *run, struct clouddp_err *err)
{
	if (run->ctx->db != NULL && run->ctx->dp == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "name the DP with "
		    "--dp", "--db without --dp");
	if (run->ctx->dp != NULL && from_inventory(run, err) == -1)
		return -1;
	if ((run->cfg.vip == NULL) == (run->in_name == NULL))
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give --vip ADDR or --dp NAME for one VIP, or --input "
		    "FILE for many",
		    "give exactly one of --vip and --input");
	if (run->ctx->timeout > 0)
		run->cfg.timeout = run->ctx->timeout;
	run->cfg.now = time(NULL);
	run->sec.expect_src = run->ctx->secret;
	if (vip_secrets_load(&run->sec, &run->cfg, err) == -1)
		return -1;
	if (run->in_name == NULL)
		return 0;
	run->in = tool_input_open(run->ctx, run->in_name,
	    INPUT_BIT(INPUT_VIP), INPUT_VIP_FIRST, err);
	return run->in != NULL ? 0 : -1;
}

static int
parse_args(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct run	*run = arg;
	int		 c, rc;

	run->ctx = ctx;
	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, NULL)) != -1) {
		if (c == '?')
			return -2;
		rc = clouddp_opt_common(run->ctx, c, optarg, err);
		if (rc == 0)
			rc = tool_opt(run, c, optarg, err);
		if (rc == -1)
			return -1;
	}
	if (optind < argc)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give the VIP with --vip, or many with --input",
		    "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int
probe(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct run	*run = arg;
	double		 t0;

	if (setup(run, err) == -1)
		return -1;
	vip_cfg_trace(&run->cfg, ctx);
	run->loop = loop_new(err);
	if (run->loop == NULL || tool_signals(run->loop, err) == -1)
		return -1;
	run->m = http_multi_new(run->loop, err);
	if (run->m == NULL)
		return -1;
	run->batch = vip_batch_new(&run->cfg, run->in, run->concurrency, err);
	if (run->batch == NULL)
		return -1;
	t0 = loop_now();
	run->out.ctx = ctx;
	run->out.loop = run->loop;
	run->out.batch = run->in_name != NULL;
	if (vip_batch_start(run->batch, run->m, vip_print_emit, &run->out,
	    err) == -1 || loop_run(run->loop, 0, err) == -1)
		return -1;
	return vip_print_end(&run->out, run->batch, loop_now() - t0, err);
}

static void
cleanup(void *arg)
{
	struct run	*run = arg;

	http_multi_free(run->m);
	loop_free(run->loop);
	vip_batch_free(run->batch);
	input_free(run->in);
	vip_secrets_clear(&run->sec);
}

static const struct tool tool = {
	"VIP", parse_args, help, probe, cleanup
};

int
main(int argc, char *argv[])
{
	struct run	 run;

	memset(&run, 0, sizeof(run));
	run.concurrency = 100;
	vip_cfg_init(&run.cfg);
	return tool_main(&tool, &run, argc, argv);
}
