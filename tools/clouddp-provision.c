/*
 * clouddp-provision: create a cloud distribution point and keep its
 * record.  Options and secrets here; the steps are provision.c's.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "opts.h"
#include "provision.h"
#include "provision_setup.h"
#include "report.h"
#include "tool.h"

/* OPT_SETUP: an option prov_setup_opt() takes, by its name. */
enum {
	OPT_CACERT = CLOUDDP_OPT__TOOL,
	OPT_ENDPOINT,
	OPT_FQDN,
	OPT_LOG,
	OPT_NAME,
	OPT_PACKAGE,
	OPT_PROXY,
	OPT_REGION,
	OPT_SETUP,
	OPT_SUBSCRIPTION
};

static const struct option longopts[] = {
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "instances", required_argument, NULL, OPT_SETUP },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "management-password-env", required_argument, NULL, OPT_SETUP },
	{ "management-password-fd", required_argument, NULL, OPT_SETUP },
	{ "management-password-file", required_argument, NULL, OPT_SETUP },
	{ "management-pfx", required_argument, NULL, OPT_SETUP },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "package", required_argument, NULL, OPT_PACKAGE },
	{ "poll-interval", required_argument, NULL, OPT_SETUP },
	{ "proxy", required_argument, NULL, OPT_PROXY },
	{ "publishsettings", required_argument, NULL, OPT_SETUP },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "service-password-env", required_argument, NULL, OPT_SETUP },
	{ "service-password-fd", required_argument, NULL, OPT_SETUP },
	{ "service-password-file", required_argument, NULL, OPT_SETUP },
	{ "service-pfx", required_argument, NULL, OPT_SETUP },
	{ "storage-critical", required_argument, NULL, OPT_SETUP },
	{ "storage-quota", required_argument, NULL, OPT_SETUP },
	{ "storage-warning", required_argument, NULL, OPT_SETUP },
	{ "subscription", required_argument, NULL, OPT_SUBSCRIPTION },
	{ "transfer-critical", required_argument, NULL, OPT_SETUP },
	{ "transfer-quota", required_argument, NULL, OPT_SETUP },
	{ "transfer-warning", required_argument, NULL, OPT_SETUP },
	CLOUDDP_LONGOPTS_COMMON,
	CLOUDDP_LONGOPTS_INVENTORY,
	CLOUDDP_LONGOPTS_PROXY_PASSWORD,
	{ NULL, 0, NULL, 0 }
};

struct args {
	struct prov_setup	 s;
	struct prov_display	 d;
};

static void
usage(FILE *fp)
{
	fputs("usage: clouddp-provision create --name DP --subscription ID "
	    "CREDENTIAL\n"
	    "           --region REGION --service-pfx FILE [--fqdn NAME]\n"
	    "           [--instances N] [--package FILE]\n"
	    "           [--storage-quota GB] [--storage-warning PCT] "
	    "[--storage-critical PCT]\n"
	    "           [--transfer-quota GB] [--transfer-warning PCT] "
	    "[--transfer-critical PCT]\n"
	    "           [--endpoint URL] [--cacert FILE] [--proxy URL "
	    "[--proxy-password-file F]]\n"
	    "           [--poll-interval SECONDS] [-t SECONDS] [--db PATH] "
	    "[--log FILE] [--json]\n"
	    "       clouddp-provision resume --name DP --subscription ID "
	    "CREDENTIAL\n"
	    "           --service-pfx FILE [options as create]\n"
	    "       clouddp-provision list [--name DP] [--db PATH] "
	    "[--json]\n"
	    "       clouddp-provision status [--name DP] --subscription ID "
	    "CREDENTIAL\n"
	    "           [--db PATH] [--json | --nagios]\n"
	    "       clouddp-provision start | stop | delete --name DP "
	    "--subscription ID\n"
	    "           CREDENTIAL [--db PATH]\n"
	    "CREDENTIAL: --management-pfx FILE [--management-password-file F]"
	    "\n"
	    "          | --publishsettings FILE\n", fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nCreate, watch, start, stop and delete a cloud distribution point\n"
"and keep its record.\n\n"
"      --cacert FILE      CA file for the management endpoint\n"
"      --db PATH          the inventory (default\n"
"                         $XDG_STATE_HOME/clouddp/inventory.db)\n"
"      --dp DP            the same as --name\n"
"      --endpoint URL     the management endpoint\n"
"                         (https://management.core.windows.net)\n"
"      --fqdn NAME        the Service FQDN, inside a wildcard certificate\n"
"      --instances N      role instances, 1 to 16 (2)\n"
"      --log FILE         CMTrace log, component SMS_CLOUD_SERVICES_MANAGER\n"
"      --management-password-env VAR, --management-password-fd N,\n"
"      --management-password-file FILE  the management .pfx password\n"
"      --management-pfx FILE  the management certificate and key\n"
"      --name DP          the DP's name in the inventory\n"
"      --package FILE     the .cspkg to deploy (default: a built-in one)\n"
"      --poll-interval SECONDS  between two polls of Azure (10)\n"
"      --proxy URL        the proxy of every request, \"\" for none\n"
"                         (default: https_proxy, no_proxy, as curl)\n"
"      --proxy-password-env VAR, --proxy-password-fd N,\n"
"      --proxy-password-file FILE  the password of the proxy URL's user\n"
"      --publishsettings FILE  the management certificate and endpoint\n"
"                         from a .publishsettings file (v1 or v2)\n"
"      --region REGION    as Azure spells it: \"West Europe\"\n"
"      --service-password-env VAR, --service-password-fd N,\n"
"      --service-password-file FILE  the service .pfx password\n"
"      --service-pfx FILE the service certificate and key\n"
"      --storage-critical PCT, --storage-warning PCT  alerts (90, 50)\n"
"      --storage-quota GB storage quota (2000)\n"
"      --subscription ID  the Azure subscription id\n"
"      --transfer-critical PCT, --transfer-warning PCT  alerts (90, 50)\n"
"      --transfer-quota GB  transfer quota per 30 days (10000)\n",
	    stdout);
	clouddp_help_common(stdout);
}

/* name: the long option's, when c is one. */
static int
tool_opt(struct args *a, int c, const char *name, const char *arg,
    struct clouddp_err *err)
{
	struct prov_cfg	*cfg = &a->s.cfg;
	enum clouddp_secret_kind kind;

	if (c == OPT_SETUP || clouddp_opt_proxy_password(c, &kind) != NULL)
		return prov_setup_opt(&a->s, name, arg, err);
	switch (c) {
	case OPT_CACERT: cfg->be.cacert = arg; break;
	case OPT_ENDPOINT: cfg->be.endpoint = arg; break;
	case OPT_FQDN: cfg->fqdn = arg; break;
	case OPT_LOG: a->s.log = arg; break;
	case OPT_NAME: cfg->name = arg; break;
	case OPT_PACKAGE: cfg->package = arg; break;
	case OPT_PROXY: cfg->be.proxy = arg; break;
	case OPT_REGION: cfg->region = arg; break;
	case OPT_SUBSCRIPTION: cfg->be.subscription = arg; break;
	default:
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "bad option");
	}
	return 0;
}

#define SUBCMD_HINT "give one of create, resume, status, list, start, " \
	"stop, delete"

/* The subcommands; manage: needs the management certificate only. */
static const struct {
	const char	*name;
	int		 (*fn)(const struct prov_cfg *, struct report *,
			    struct clouddp_err *);
	int		 manage;
} subcmds[] = {
	{ .name = "create", .fn = provision_create, .manage = 0 },
	{ .name = "resume", .fn = provision_resume, .manage = 0 },
	{ .name = "list", .fn = provision_list, .manage = 0 },
	{ .name = "status", .fn = provision_status, .manage = 1 },
	{ .name = "start", .fn = provision_start, .manage = 1 },
	{ .name = "stop", .fn = provision_stop, .manage = 1 },
	{ .name = "delete", .fn = provision_delete, .manage = 1 },
};

static int
parse(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct args	*a = arg;
	int		 c, rc, li = 0;
	size_t		 i;

	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, &li)) != -1) {
		rc = clouddp_opt_common(ctx, c, optarg, err);
		if (rc == -1)
			return -1;
		if (rc == 0 && (c == '?' ||
		    tool_opt(a, c, longopts[li].name, optarg, err) == -1))
			return c == '?' ? -2 : -1;
	}
	if (ctx->help || ctx->version)
		return 0;
	if (optind != argc - 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE, SUBCMD_HINT, "%s",
		    optind < argc ? "one subcommand only" : "no subcommand");
	a->s.cmd = argv[optind];
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (strcmp(a->s.cmd, subcmds[i].name) == 0)
			return 0;
	return clouddp_errf(err, CLOUDDP_EUSAGE, SUBCMD_HINT,
	    "%s: unknown subcommand", a->s.cmd);
}

/* Progress on stderr, as prov_display_format() has it; -q silences it. */
static void
show_progress(void *arg, const struct prov_progress *pp)
{
	struct args	*a = arg;
	struct winsize	 ws;
	char		 buf[1024];

	a->d.width = 80;
	if (a->d.tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 20)
		a->d.width = ws.ws_col;
	prov_display_format(&a->d, pp, buf, sizeof(buf));
	fputs(buf, stderr);
	fflush(stderr);
}

static int
run(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct args	*a = arg;
	struct report	*r;
	int		 ret, status;
	size_t		 i;

	for (i = 0; strcmp(a->s.cmd, subcmds[i].name) != 0; i++)
		continue;
	if (prov_setup_prepare(&a->s, ctx, subcmds[i].manage, err) == -1)
		return -1;
	r = report_new("PROVISION");
	if (r == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	prov_display_start(&a->d, ctx->prog, ctx->stderr_tty);
	if (!ctx->quiet && !subcmds[i].manage) {
		a->s.cfg.progress = show_progress;
		a->s.cfg.progress_arg = a;
	}
	ret = subcmds[i].fn(&a->s.cfg, r, err);
	if (a->d.shown[0] != '\0' && a->d.tty)
		fputs("\r\033[K", stderr);
	status = ret == 0 ? (int)report_status(r) : -1;
	if (ret == 0)
		report_write(ctx, r, stdout);
	report_free(r);
	if (status != -1 && prov_setup_log_check(&a->s, err) == -1)
		return -1;
	return status;
}

static void
cleanup(void *arg)
{
	struct args	*a = arg;

	prov_setup_cleanup(&a->s);
}

static const struct tool tool = {
	"PROVISION", parse, help, run, cleanup
};

int
main(int argc, char *argv[])
{
	struct args	 a;

	memset(&a, 0, sizeof(a));
	prov_setup_init(&a.s);
	umask(077);
	return tool_main(&tool, &a, argc, argv);
}
