/*
 * clouddp-verify: is this DP ready for clients?  Every check of the
 * toolkit at once (certificate, both resolution stages, authoritative
 * servers, VIP, served certificate, HTTP), one report, one exit code.
 * A thin main over verify.h.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "cname.h"
#include "dpref.h"
#include "input.h"
#include "loop.h"
#include "opts.h"
#include "tool.h"
#include "verify.h"
#include "vip.h"

enum {
	OPT_AUTHORITATIVE = CLOUDDP_OPT__TOOL,
	OPT_CACERT,
	OPT_CONCURRENCY,
	OPT_CRITICAL_DAYS,
	OPT_DNS_PORT,
	OPT_EXPECT_CERT,
	OPT_FORMAT,
	OPT_FQDN,
	OPT_HTTP_PORT,
	OPT_INPUT,
	OPT_JUNIT,
	OPT_PORT,
	OPT_PROXY,
	OPT_SERVICE_PFX,
	OPT_TARGET,
	OPT_VIP,
	OPT_WARN_DAYS
};

static const struct option longopts[] = {
	{ "authoritative", no_argument,	NULL, OPT_AUTHORITATIVE },
	{ "cacert",	required_argument, NULL, OPT_CACERT },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "critical-days", required_argument, NULL, OPT_CRITICAL_DAYS },
	{ "dns-port",	required_argument, NULL, OPT_DNS_PORT },
	{ "expect-cert", required_argument, NULL, OPT_EXPECT_CERT },
	{ "format",	required_argument, NULL, OPT_FORMAT },
	{ "fqdn",	required_argument, NULL, OPT_FQDN },
	{ "http-port",	required_argument, NULL, OPT_HTTP_PORT },
	{ "input",	required_argument, NULL, OPT_INPUT },
	{ "junit",	required_argument, NULL, OPT_JUNIT },
	{ "port",	required_argument, NULL, OPT_PORT },
	{ "proxy",	required_argument, NULL, OPT_PROXY },
	{ "service-pfx", required_argument, NULL, OPT_SERVICE_PFX },
	{ "target",	required_argument, NULL, OPT_TARGET },
	{ "vip",	required_argument, NULL, OPT_VIP },
	{ "warn-days",	required_argument, NULL, OPT_WARN_DAYS },
	CLOUDDP_LONGOPTS_COMMON,
	CLOUDDP_LONGOPTS_INVENTORY,
	CLOUDDP_LONGOPTS_PASSWORD,
	CLOUDDP_LONGOPTS_PROXY_PASSWORD,
	CLOUDDP_LONGOPTS_RESOLVER,
	{ NULL,		0,		NULL, 0 }
};

struct run {
	struct clouddp_ctx	*ctx;
	struct verify_cfg	 cfg;
	struct verify_batch	 b;	/* the DPs and their output */
	struct dpref		 ref;
	char			 thumbprint[41];
	struct vip_secrets	 sec;
	struct loop		*loop;
};

static void
usage(FILE *fp)
{
	fputs(
"usage: clouddp-verify --dp NAME [--db PATH] [options]\n"
"       clouddp-verify --fqdn NAME --target AZURE-FQDN [--vip ADDR]\n"
"                      [--service-pfx FILE [--password-file F |\n"
"                      --password-env VAR | --password-fd N] |\n"
"                      --expect-cert THUMBPRINT] [options]\n"
"       clouddp-verify --input FILE|- [--concurrency N] [options]\n"
"options: [--resolver HOST[:PORT]]... [--dns-port N] [--authoritative]\n"
"         [--proxy URL] [--cacert FILE] [--port N] [--http-port N|none]\n"
"         [--warn-days N] [--critical-days N] [--format FORMAT]\n"
"         [--timeout SECONDS] [--json | --nagios] [--junit FILE]\n", fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nCheck a DP end to end: certificate, CNAME, VIP, served "
	    "certificate, HTTP.\n\n"
"      --authoritative    also ask every authoritative server of both zones\n"
"      --cacert FILE      judge the served chain against these CAs\n"
"      --concurrency N    verify at most N DPs at once (default 64)\n"
"      --critical-days N  critical when a certificate expires within N days\n"
"                         (default 7)\n"
"      --db PATH          the inventory --dp reads (default as\n"
"                         clouddp-provision)\n"
"      --dns-port N       send every DNS query to port N\n"
"      --dp NAME          the DP's names, VIP and thumbprint, from the\n"
"                         inventory\n"
"      --expect-cert THUMBPRINT  the SHA-1 the VIP must serve\n"
"      --format FORMAT    the record to publish, when the CNAME is missing:\n"
"                         bind (default), nsupdate, powershell, dnscmd, json\n"
"      --fqdn NAME        the Service FQDN\n"
"      --http-port N|none the HTTP port to probe (default 80)\n"
"      --input FILE|-     one DP per line: fqdn target [vip], or CSV with\n"
"                         a header naming fqdn, target, vip\n"
"      --junit FILE       also write the checks as JUnit XML to FILE\n"
"      --port N           the VIP's HTTPS port (default 443)\n"
"      --proxy URL        reach the VIP through this proxy; \"\" for none\n",
	    stdout);
	clouddp_help_proxy_password(stdout);
	fputs(
"      --service-pfx FILE the service certificate (.pfx, .cer, .pem)\n"
"      --target NAME      the Azure FQDN the CNAME must point to\n"
"      --vip ADDR         the VIP (default: what the target resolves to)\n"
"      --warn-days N      warn when a certificate expires within N days\n"
"                         (default 30)\n", stdout);
	clouddp_help_common(stdout);
	clouddp_help_password(stdout);
	clouddp_help_resolver(stdout);
}

static int
tool_opt(struct run *run, int c, const char *arg, struct clouddp_err *err)
{
	struct verify_cfg	*cfg = &run->cfg;
	const char		*name;
	enum clouddp_secret_kind kind;
	long			 v;

	name = clouddp_opt_proxy_password(c, &kind);
	if (name != NULL)
		return vip_secrets_set(&run->sec, name, kind, arg, err);
	switch (c) {
	case OPT_AUTHORITATIVE:
		cfg->authoritative = 1;
		return 0;
	case OPT_CACERT:
		cfg->probe.cacert = arg;
		return 0;
	case OPT_CONCURRENCY:
		if (clouddp_parse_long("--concurrency", arg, 1, 1000, &v,
		    err) == -1)
			return -1;
		cfg->concurrency = (size_t)v;
		return 0;
	case OPT_CRITICAL_DAYS:
		return clouddp_parse_long("--critical-days", arg, 0, 3650,
		    &cfg->crit_days, err);
	case OPT_DNS_PORT:
		if (clouddp_parse_long("--dns-port", arg, 1, 65535, &v,
		    err) == -1)
			return -1;
		cfg->dns_port = (unsigned)v;
		return 0;
	case OPT_EXPECT_CERT:
		if (verify_thumbprint_parse(arg, run->thumbprint, err) == -1)
			return -1;
		run->b.one.thumbprint = run->thumbprint;
		return 0;
	case OPT_FORMAT:
		return cname_format_parse(arg, &cfg->format, err);
	case OPT_FQDN:
		run->b.one.fqdn = arg;
		return 0;
	case OPT_HTTP_PORT:
		return clouddp_parse_port("--http-port", arg, 1,
		    &cfg->probe.http_port, err);
	case OPT_INPUT:
		run->b.input_path = arg;
		return 0;
	case OPT_JUNIT:
		run->b.junit_path = arg;
		return 0;
	case OPT_PORT:
		return clouddp_parse_port("--port", arg, 0,
		    &cfg->probe.port, err);
	case OPT_PROXY:
		cfg->probe.proxy = arg;
		return 0;
	case OPT_SERVICE_PFX:
		run->sec.expect_path = arg;
		return 0;
	case OPT_TARGET:
		run->b.one.target = arg;
		return 0;
	case OPT_VIP:
		run->b.one.vip = arg;
		return 0;
	case OPT_WARN_DAYS:
		return clouddp_parse_long("--warn-days", arg, 0, 3650,
		    &cfg->probe.warn_days, err);
	default:
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "unknown option");
	}
}

static int
parse_args(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct run	*run = arg;
	int		 c, rc;

	run->ctx = ctx;
	run->b.ctx = ctx;
	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, NULL)) != -1) {
		if (c == '?')
			return -2;
		rc = clouddp_opt_common(ctx, c, optarg, err);
		if (rc == 0)
			rc = tool_opt(run, c, optarg, err);
		if (rc == -1)
			return -1;
	}
	if (optind < argc)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "name the DP with "
		    "--dp, --fqdn and --target, or --input",
		    "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* --dp: the names, VIP and thumbprint from the inventory. */
static int
from_inventory(struct run *run, struct clouddp_err *err)
{
	if (run->b.one.fqdn != NULL || run->b.one.target != NULL ||
	    run->b.one.vip != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give either --dp "
		    "or the names", "--dp with --fqdn, --target or --vip");
	if (dpref_get(run->ctx->db, run->ctx->dp, DPREF_ANY_STATE, &run->ref,
	    err) == -1)
		return -1;
	verify_dp_from_ref(&run->b.one, &run->ref);
	return 0;
}

/* Check the options together; open the input or read the inventory. */
static int
setup(struct run *run, struct clouddp_err *err)
{
	int			 n;

	n = (run->ctx->dp != NULL) + (run->b.input_path != NULL) +
	    (run->b.one.fqdn != NULL || run->b.one.target != NULL);
	if (n != 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give --dp NAME, "
		    "or --fqdn NAME --target AZURE-FQDN, or --input FILE",
		    n == 0 ? "no DP to verify" : "more than one way to name "
		    "the DPs");
	if (run->ctx->dp != NULL && from_inventory(run, err) == -1)
		return -1;
	if (run->b.one.fqdn != NULL && (run->b.one.target == NULL ||
	    run->b.one.fqdn[0] == '\0' || run->b.one.target[0] == '\0'))
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give the Azure "
		    "FQDN with --target", "--fqdn needs --target");
	return verify_batch_open(&run->b, &run->cfg, &run->sec, err);
}

static int
verify(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct run		*run = arg;
	struct verify_tally	 t;

	if (setup(run, err) == -1)
		return -1;
	run->loop = loop_new(err);
	run->b.loop = run->loop;
	if (run->loop == NULL || tool_signals(run->loop, err) == -1 ||
	    verify_run(&run->cfg, run->loop, verify_batch_next,
	    verify_batch_emit, &run->b, &t, err) == -1)
		return -1;
	(void)ctx;
	return verify_batch_end(&run->b, &run->cfg, &t, err);
}

static void
cleanup(void *arg)
{
	struct run	*run = arg;

	loop_free(run->loop);
	input_free(run->b.in);
	vip_secrets_clear(&run->sec);
	verify_junit_free(run->cfg.junit);
}

static const struct tool tool = {
	"VERIFY", parse_args, help, verify, cleanup
};

int
main(int argc, char *argv[])
{
	struct run	 run;

	memset(&run, 0, sizeof(run));
	vip_cfg_init(&run.cfg.probe);
	run.cfg.crit_days = 7;
	run.cfg.concurrency = 64;
	return tool_main(&tool, &run, argc, argv);
}
