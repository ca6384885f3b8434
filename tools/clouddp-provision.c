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
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "inventory.h"
#include "log.h"
#include "opts.h"
#include "provision.h"
#include "provision_cred.h"
#include "report.h"
#include "secret.h"
#include "tool.h"

enum {
	OPT_CACERT = CLOUDDP_OPT__TOOL,
	OPT_ENDPOINT,
	OPT_FQDN,
	OPT_INSTANCES,
	OPT_LOG,
	OPT_MGMT_PASSWORD_ENV,
	OPT_MGMT_PASSWORD_FD,
	OPT_MGMT_PASSWORD_FILE,
	OPT_MGMT_PFX,
	OPT_NAME,
	OPT_PACKAGE,
	OPT_POLL_INTERVAL,
	OPT_PROXY,
	OPT_PUBLISHSETTINGS,
	OPT_REGION,
	OPT_SERVICE_PASSWORD_ENV,
	OPT_SERVICE_PASSWORD_FD,
	OPT_SERVICE_PASSWORD_FILE,
	OPT_SERVICE_PFX,
	OPT_STORAGE_CRITICAL,
	OPT_STORAGE_QUOTA,
	OPT_STORAGE_WARNING,
	OPT_SUBSCRIPTION,
	OPT_TRANSFER_CRITICAL,
	OPT_TRANSFER_QUOTA,
	OPT_TRANSFER_WARNING
};

static const struct option longopts[] = {
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "instances", required_argument, NULL, OPT_INSTANCES },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "management-password-env", required_argument, NULL,
	    OPT_MGMT_PASSWORD_ENV },
	{ "management-password-fd", required_argument, NULL,
	    OPT_MGMT_PASSWORD_FD },
	{ "management-password-file", required_argument, NULL,
	    OPT_MGMT_PASSWORD_FILE },
	{ "management-pfx", required_argument, NULL, OPT_MGMT_PFX },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "package", required_argument, NULL, OPT_PACKAGE },
	{ "poll-interval", required_argument, NULL, OPT_POLL_INTERVAL },
	{ "proxy", required_argument, NULL, OPT_PROXY },
	{ "publishsettings", required_argument, NULL, OPT_PUBLISHSETTINGS },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "service-password-env", required_argument, NULL,
	    OPT_SERVICE_PASSWORD_ENV },
	{ "service-password-fd", required_argument, NULL,
	    OPT_SERVICE_PASSWORD_FD },
	{ "service-password-file", required_argument, NULL,
	    OPT_SERVICE_PASSWORD_FILE },
	{ "service-pfx", required_argument, NULL, OPT_SERVICE_PFX },
	{ "storage-critical", required_argument, NULL, OPT_STORAGE_CRITICAL },
	{ "storage-quota", required_argument, NULL, OPT_STORAGE_QUOTA },
	{ "storage-warning", required_argument, NULL, OPT_STORAGE_WARNING },
	{ "subscription", required_argument, NULL, OPT_SUBSCRIPTION },
	{ "transfer-critical", required_argument, NULL,
	    OPT_TRANSFER_CRITICAL },
	{ "transfer-quota", required_argument, NULL, OPT_TRANSFER_QUOTA },
	{ "transfer-warning", required_argument, NULL, OPT_TRANSFER_WARNING },
	CLOUDDP_LONGOPTS_COMMON,
	CLOUDDP_LONGOPTS_INVENTORY,
	CLOUDDP_LONGOPTS_PROXY_PASSWORD,
	{ NULL, 0, NULL, 0 }
};

struct args {
	const char			*cmd;
	struct prov_cfg			 cfg;
	struct prov_cred		 cr;
	const char			*log;
	long				 num[6];
	char				 db[1024], owner[300];
	int				 manage;
	const struct clouddp_ctx	*ctx;
	double				 start;		/* monotonic */
	char				 shown[512];	/* last progress */
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

static const struct {
	int		 opt;
	const char	*name;
	long		 min, max;
} numbers[6] = {
	{ OPT_STORAGE_QUOTA, "--storage-quota", 1, 100000 },
	{ OPT_STORAGE_WARNING, "--storage-warning", 1, 100 },
	{ OPT_STORAGE_CRITICAL, "--storage-critical", 1, 100 },
	{ OPT_TRANSFER_QUOTA, "--transfer-quota", 1, 1000000 },
	{ OPT_TRANSFER_WARNING, "--transfer-warning", 1, 100 },
	{ OPT_TRANSFER_CRITICAL, "--transfer-critical", 1, 100 },
};

static int
secret_opt(struct clouddp_secret_src *s, enum clouddp_secret_kind kind,
    const char *arg, struct clouddp_err *err)
{
	if (s->kind != CLOUDDP_SECRET_NONE)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give one source "
		    "for each password", "two sources given for one "
		    "password");
	s->kind = kind;
	s->arg = arg;
	return 0;
}

static int
tool_opt(struct args *a, int c, const char *arg, struct clouddp_err *err)
{
	struct prov_cfg	*cfg = &a->cfg;
	struct prov_cred *cr = &a->cr;
	enum clouddp_secret_kind kind;
	long		 v;
	size_t		 i;

	if (clouddp_opt_proxy_password(c, &kind) != NULL)
		return secret_opt(&cr->proxy_pw, kind, arg, err);
	for (i = 0; i < 6; i++)
		if (c == numbers[i].opt)
			return clouddp_parse_long(numbers[i].name, arg,
			    numbers[i].min, numbers[i].max, &a->num[i], err);
	switch (c) {
	case OPT_CACERT: cfg->be.cacert = arg; break;
	case OPT_ENDPOINT: cfg->be.endpoint = arg; break;
	case OPT_FQDN: cfg->fqdn = arg; break;
	case OPT_INSTANCES:
		if (clouddp_parse_long("--instances", arg, 1, 16, &v,
		    err) == -1)
			return -1;
		cfg->instances = (int)v;
		break;
	case OPT_LOG: a->log = arg; break;
	case OPT_MGMT_PASSWORD_ENV:
		return secret_opt(&cr->mgmt_pw, CLOUDDP_SECRET_ENV, arg, err);
	case OPT_MGMT_PASSWORD_FD:
		return secret_opt(&cr->mgmt_pw, CLOUDDP_SECRET_FD, arg, err);
	case OPT_MGMT_PASSWORD_FILE:
		return secret_opt(&cr->mgmt_pw, CLOUDDP_SECRET_FILE, arg, err);
	case OPT_MGMT_PFX: cr->mgmt_pfx = arg; break;
	case OPT_NAME: cfg->name = arg; break;
	case OPT_PACKAGE: cfg->package = arg; break;
	case OPT_POLL_INTERVAL:
		return clouddp_parse_seconds("--poll-interval", arg, 0.001,
		    3600, &cfg->be.poll_interval, err);
	case OPT_PROXY: cfg->be.proxy = arg; break;
	case OPT_PUBLISHSETTINGS: cr->publishsettings = arg; break;
	case OPT_REGION: cfg->region = arg; break;
	case OPT_SERVICE_PASSWORD_ENV:
		return secret_opt(&cr->service_pw, CLOUDDP_SECRET_ENV, arg, err);
	case OPT_SERVICE_PASSWORD_FD:
		return secret_opt(&cr->service_pw, CLOUDDP_SECRET_FD, arg, err);
	case OPT_SERVICE_PASSWORD_FILE:
		return secret_opt(&cr->service_pw, CLOUDDP_SECRET_FILE, arg, err);
	case OPT_SERVICE_PFX: cr->service_pfx = arg; break;
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
	int		 c, rc;
	size_t		 i;

	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, NULL)) != -1) {
		rc = clouddp_opt_common(ctx, c, optarg, err);
		if (rc == -1)
			return -1;
		if (rc == 0 && (c == '?' || tool_opt(a, c, optarg, err) == -1))
			return c == '?' ? -2 : -1;
	}
	if (ctx->help || ctx->version)
		return 0;
	if (optind != argc - 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE, SUBCMD_HINT, "%s",
		    optind < argc ? "one subcommand only" : "no subcommand");
	a->cmd = argv[optind];
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (strcmp(a->cmd, subcmds[i].name) == 0)
			return 0;
	return clouddp_errf(err, CLOUDDP_EUSAGE, SUBCMD_HINT,
	    "%s: unknown subcommand", a->cmd);
}

/* status, start, stop, delete: the management certificate only. */
static int
setup_manage(struct args *a, struct clouddp_ctx *ctx,
    struct clouddp_err *err)
{
	struct prov_cfg	*cfg = &a->cfg;

	if (prov_cred_load_mgmt(&a->cr, cfg, a->cmd, err) == -1 ||
	    prov_cred_load_proxy_password(&a->cr, cfg, err) == -1)
		return -1;
	cfg->be.credential = a->cr.mgmt;
	cfg->be.timeout = ctx->timeout;
	if (a->log != NULL) {
		cfg->be.log = log_sink_open(a->log,
		    "SMS_CLOUD_SERVICES_MANAGER", err);
		if (cfg->be.log == NULL)
			return -1;
	}
	return 0;
}

/* Everything create and resume need before touching the network. */
static int
setup(struct args *a, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct prov_cfg	*cfg = &a->cfg;

	if (a->manage)
		return setup_manage(a, ctx, err);
	if (a->cr.service_pfx == NULL || (strcmp(a->cmd, "create") == 0 &&
	    cfg->region == NULL))
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see clouddp-"
		    "provision --help", "%s needs --service-pfx%s", a->cmd,
		    cfg->region == NULL ? " and --region" : "");
	if (prov_cred_load_mgmt(&a->cr, cfg, a->cmd, err) == -1 ||
	    prov_cred_load_proxy_password(&a->cr, cfg, err) == -1 ||
	    prov_cred_load_service(&a->cr, err) == -1)
		return -1;
	cfg->be.credential = a->cr.mgmt;
	cfg->service = a->cr.service;
	cfg->service_pfx = &a->cr.pfx;
	cfg->service_password = a->cr.service_password;
	cfg->be.timeout = ctx->timeout;
	if (cfg->region == NULL)
		cfg->region = "";
	if (a->log != NULL) {
		cfg->be.log = log_sink_open(a->log,
		    "SMS_CLOUD_SERVICES_MANAGER", err);
		if (cfg->be.log == NULL)
			return -1;
	}
	return 0;
}

static double
monotonic(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Progress on stderr: on a terminal one line redrawn in place (elapsed
 * time, step, state, instance states), cut to the terminal's width;
 * otherwise a plain line each time it changes.  -q silences it.
 */
static void
show_progress(void *arg, const struct prov_progress *pp)
{
	struct args	*a = arg;
	struct winsize	 ws;
	char		 line[512];
	size_t		 i;
	int		 n, t, width = 80;

	n = snprintf(line, sizeof(line), "[%d/%d] %s: %s", pp->index,
	    pp->nsteps, pp->step, pp->state);
	for (i = 0; i < pp->ninstances && n > 0 && (size_t)n < sizeof(line);
	    i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s",
		    i == 0 ? "; instances " : ", ", pp->instances[i]);
	t = (int)(monotonic() - a->start);
	if (a->ctx->stderr_tty) {
		if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_col > 20)
			width = ws.ws_col;
		fprintf(stderr, "\r\033[K%02d:%02d %.*s", t / 60, t % 60,
		    width - 7, line);
		fflush(stderr);
	} else if (strcmp(line, a->shown) != 0)
		fprintf(stderr, "%s: %02d:%02d %s\n", a->ctx->prog, t / 60,
		    t % 60, line);
	snprintf(a->shown, sizeof(a->shown), "%s", line);
}

static int
run(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct args	*a = arg;
	struct prov_cfg	*cfg = &a->cfg;
	struct report	*r;
	int		 ret, status;
	char		 host[256];
	size_t		 i;

	cfg->storage_quota_gb = (int)a->num[0];
	cfg->storage_warning = (int)a->num[1];
	cfg->storage_critical = (int)a->num[2];
	cfg->transfer_quota_gb = (int)a->num[3];
	cfg->transfer_warning = (int)a->num[4];
	cfg->transfer_critical = (int)a->num[5];
	if (a->num[1] >= a->num[2] || a->num[4] >= a->num[5])
		return clouddp_errf(err, CLOUDDP_EUSAGE, "make the warning "
		    "percentage lower than the critical one",
		    "warning threshold not below critical");
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (strcmp(a->cmd, subcmds[i].name) == 0)
			break;
	a->manage = subcmds[i].manage;
	if (cfg->name == NULL && strcmp(a->cmd, "list") != 0 &&
	    strcmp(a->cmd, "status") != 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "pass --name",
		    "%s needs --name", a->cmd);
	cfg->db = ctx->db;
	if (cfg->name == NULL)
		cfg->name = ctx->dp;
	if (cfg->db == NULL) {
		if (inventory_default_path(a->db, sizeof(a->db), err) == -1)
			return -1;
		cfg->db = a->db;
	}
	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	snprintf(a->owner, sizeof(a->owner), "%s:%ld", host, (long)getpid());
	cfg->owner = a->owner;
	cfg->now = (long long)time(NULL);
	/* Only create makes an inventory; the rest need one, first. */
	if (strcmp(a->cmd, "create") != 0 &&
	    inventory_exists(cfg->db, err) == -1)
		return -1;
	if (strcmp(a->cmd, "list") != 0 && setup(a, ctx, err) == -1)
		return -1;
	r = report_new("PROVISION");
	if (r == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	a->ctx = ctx;
	a->start = monotonic();
	if (!ctx->quiet && !a->manage) {
		cfg->progress = show_progress;
		cfg->progress_arg = a;
	}
	ret = subcmds[i].fn(cfg, r, err);
	if (a->shown[0] != '\0' && ctx->stderr_tty)
		fputs("\r\033[K", stderr);
	status = ret == 0 ? (int)report_status(r) : -1;
	if (ret == 0)
		report_write(ctx, r, stdout);
	report_free(r);
	/* The run is recorded in the inventory; say the log is not. */
	if (status != -1 && log_sink_failed(cfg->be.log))
		return clouddp_errf(err, CLOUDDP_EIO, "free space for it or "
		    "give another --log; the inventory has the run", "%s: "
		    "cannot write the log: %s", a->log,
		    strerror(log_sink_failed(cfg->be.log)));
	return status;
}

static void
cleanup(void *arg)
{
	struct args	*a = arg;

	prov_cred_cleanup(&a->cr);
	log_sink_close(a->cfg.be.log);
}

static const struct tool tool = {
	"PROVISION", parse, help, run, cleanup
};

int
main(int argc, char *argv[])
{
	struct args	 a;

	memset(&a, 0, sizeof(a));
	a.cr.mgmt_pw.opt = "--management-password";
	a.cr.service_pw.opt = "--service-password";
	a.cr.proxy_pw.opt = "--proxy-password";
	a.cfg.instances = PROV_INSTANCES;
	a.num[0] = PROV_STORAGE_GB;
	a.num[1] = PROV_WARNING;
	a.num[2] = PROV_CRITICAL;
	a.num[3] = PROV_TRANSFER_GB;
	a.num[4] = PROV_WARNING;
	a.num[5] = PROV_CRITICAL;
	umask(077);
	return tool_main(&tool, &a, argc, argv);
}
