/*
 * clouddp-cert: pre-flight checks of the service certificate (.pfx), the
 * management certificate (.pfx and .cer) or a .publishsettings file, and
 * the Service FQDN the other tools use.  All the work is in
 * cert_check.c; this file maps options to one call and prints its report.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clouddp.h"
#include "cert_check.h"
#include "name.h"
#include "opts.h"
#include "report.h"
#include "tool.h"

enum {
	OPT_CER = CLOUDDP_OPT__TOOL,
	OPT_CRITICAL_DAYS,
	OPT_FQDN,
	OPT_MANAGEMENT,
	OPT_PUBLISHSETTINGS,
	OPT_SERVICE,
	OPT_SUBSCRIPTION,
	OPT_WARN_DAYS
};

/*
 * The common options but --timeout: nothing here waits on a network, so
 * the tool neither takes nor lists it.
 */
static const struct option longopts[] = {
	{ "cer",	required_argument,	NULL, OPT_CER },
	{ "critical-days", required_argument,	NULL, OPT_CRITICAL_DAYS },
	CLOUDDP_LONGOPTS_INVENTORY,
	{ "fqdn",	required_argument,	NULL, OPT_FQDN },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, CLOUDDP_OPT_JSON },
	{ "management",	required_argument,	NULL, OPT_MANAGEMENT },
	{ "nagios",	no_argument,		NULL, CLOUDDP_OPT_NAGIOS },
	CLOUDDP_LONGOPTS_PASSWORD,
	{ "publishsettings", required_argument, NULL, OPT_PUBLISHSETTINGS },
	{ "quiet",	no_argument,		NULL, 'q' },
	{ "service",	required_argument,	NULL, OPT_SERVICE },
	{ "subscription", required_argument,	NULL, OPT_SUBSCRIPTION },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "warn-days",	required_argument,	NULL, OPT_WARN_DAYS },
	{ NULL,		0,			NULL, 0 }
};
#define SHORTOPTS	"hqvV"

struct run {
	struct clouddp_ctx	*ctx;
	struct cert_check_cfg	 cfg;	/* cfg.fqdn: fqdn_buf, normalised */
	char			 fqdn_buf[ZONE_NAME_MAX];
	struct report		*report;
};

static void
usage(FILE *fp)
{
	fputs(
"usage: clouddp-cert --service file.pfx [--fqdn name | --dp name [--db path]]\n"
"           [--warn-days days] [--critical-days days] [password options]\n"
"           [--json | --nagios]\n"
"       clouddp-cert --management file.pfx [--cer file.cer]\n"
"           [--warn-days days] [--critical-days days] [password options]\n"
"           [--json | --nagios]\n"
"       clouddp-cert --publishsettings file [--subscription id]\n"
"           [--warn-days days] [--critical-days days] [--json | --nagios]\n",
	    fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\n"
"      --cer FILE         the .cer (DER or base64) uploaded to Azure\n"
"      --critical-days DAYS  critical when a certificate expires sooner\n"
"                         (default 0: once it has expired)\n"
"      --db PATH          the inventory --dp reads (default as\n"
"                         clouddp-provision)\n"
"      --dp NAME          --service must be the certificate the inventory's\n"
"                         DP NAME was deployed with, for its Service FQDN\n"
"      --fqdn NAME        the Service FQDN (required for a wildcard cert)\n"
"      --management FILE  check the management certificate .pfx\n"
"      --publishsettings FILE  check a .publishsettings file\n"
"      --service FILE     check the service certificate .pfx\n"
"      --subscription ID  check only this subscription\n"
"      --warn-days DAYS   warn when a certificate expires sooner (30)\n",
	    stdout);
	clouddp_help_password(stdout);
	fputs(
"  -h, --help             print this help and exit\n"
"      --json             print one JSON object\n"
"      --nagios           print one monitoring-plugin line with perfdata\n"
"  -q, --quiet            print no results, only errors\n"
"  -v, --verbose          say more on stderr (repeatable)\n"
"  -V, --version          print the version and exit\n", stdout);
}

/* Exactly one file to check, and options that belong to it. */
static int
options_check(const struct run *run, struct clouddp_err *err)
{
	const struct cert_check_cfg	*c = &run->cfg;
	int				 modes;

	modes = (c->service != NULL) + (c->management != NULL) +
	    (c->publishsettings != NULL);
	if (modes != 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give one of them; check each file in its own run",
		    "give exactly one of --service, --management and "
		    "--publishsettings");
	if (c->cer != NULL && c->management == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --cer with --management",
		    "--cer without --management");
	if (c->fqdn != NULL && c->service == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --fqdn with --service", "--fqdn without --service");
	if (run->ctx->dp != NULL && c->service == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --dp with --service", "--dp without --service");
	if (run->ctx->dp != NULL && c->fqdn != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "leave out --fqdn: "
		    "the DP's Service FQDN is used", "--dp with --fqdn");
	if (run->ctx->db != NULL && run->ctx->dp == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "name the DP with "
		    "--dp", "--db without --dp");
	if (c->subscription != NULL && c->publishsettings == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --subscription with --publishsettings",
		    "--subscription without --publishsettings");
	if (c->publishsettings != NULL &&
	    run->ctx->secret.kind != CLOUDDP_SECRET_NONE)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "leave out the password option",
		    "a .publishsettings certificate has no password");
	return 0;
}

static int
parse(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct run	*run = arg;
	int		 ch, rc;

	run->ctx = ctx;

	while ((ch = getopt_long(argc, argv, SHORTOPTS,
	    longopts, NULL)) != -1) {
		rc = clouddp_opt_common(run->ctx, ch, optarg, err);
		if (rc == -1)
			return -1;
		if (rc == 1)
			continue;
		switch (ch) {
		case OPT_CER:
			run->cfg.cer = optarg;
			break;
		case OPT_CRITICAL_DAYS:
			if (clouddp_parse_long("--critical-days", optarg, 0,
			    3650, &run->cfg.crit_days, err) == -1)
				return -1;
			break;
		case OPT_FQDN:
			if (name_host(optarg, run->fqdn_buf, err) == -1) {
				err->code = CLOUDDP_EUSAGE;
				clouddp_err_prefix(err, "--fqdn");
				return -1;
			}
			run->cfg.fqdn = run->fqdn_buf;
			break;
		case OPT_MANAGEMENT:
			run->cfg.management = optarg;
			break;
		case OPT_PUBLISHSETTINGS:
			run->cfg.publishsettings = optarg;
			break;
		case OPT_SERVICE:
			run->cfg.service = optarg;
			break;
		case OPT_SUBSCRIPTION:
			run->cfg.subscription = optarg;
			break;
		case OPT_WARN_DAYS:
			if (clouddp_parse_long("--warn-days", optarg, 0, 3650,
			    &run->cfg.warn_days, err) == -1)
				return -1;
			break;
		default:
			return -2;
		}
	}
	if (optind < argc)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "name the files with --service, --management or "
		    "--publishsettings", "unexpected argument '%s'",
		    argv[optind]);
	if (ctx->help || ctx->version)
		return 0;
	return options_check(run, err);
}

static int
run_checks(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct run	*run = arg;

	run->cfg.now = time(NULL);
	run->report = report_new("CERT");
	if (run->report == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	if (cert_check_run(&run->cfg, ctx, run->report, err) == -1)
		return -1;
	report_write(ctx, run->report, stdout);
	return (int)report_status(run->report);
}

static void
cleanup(void *arg)
{
	struct run	*run = arg;

	report_free(run->report);
}

static const struct tool tool = {
	"CERT", parse, help, run_checks, cleanup
};

int
main(int argc, char *argv[])
{
	struct run	 run;

	memset(&run, 0, sizeof(run));
	run.cfg.warn_days = 30;
	return tool_main(&tool, &run, argc, argv);
}
