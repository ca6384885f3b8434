/*
 * clouddp-cert: pre-flight checks of the service certificate (.pfx), the
 * management certificate (.pfx and .cer) or a .publishsettings file, and
 * the Service FQDN the other tools use.  All the work is in cert.c and
 * publishsettings.c; this file maps options to calls and findings to a
 * report.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "cert.h"
#include "dpref.h"
#include "inventory.h"
#include "name.h"
#include "opts.h"
#include "pfx.h"
#include "publishsettings.h"
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
	const char		*service;
	const char		*management;
	const char		*cer;
	const char		*publishsettings;
	const char		*subscription;
	const char		*fqdn;		/* fqdn_buf, normalised */
	char			 fqdn_buf[ZONE_NAME_MAX];
	long			 warn_days;
	long			 crit_days;
	struct dpref		 ref;		/* --dp */
	time_t			 now;
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

static void
policy(const struct run *run, int service, struct cert_policy *p)
{
	p->service = service;
	p->fqdn = run->fqdn;
	p->now = run->now;
	p->warn_days = run->warn_days;
	p->crit_days = run->crit_days;
	p->prefix = NULL;
}

/* --dp: the thumbprint and the Service FQDN the file must have. */
static int
dp_load(struct run *run, struct clouddp_err *err)
{
	struct dpref	*ref = &run->ref;

	if (dpref_get(run->ctx->db, run->ctx->dp, DPREF_ANY_STATE, ref,
	    err) == -1)
		return -1;
	if (ref->thumbprint[0] == '\0' || ref->fqdn[0] == '\0')
		return clouddp_errf(err, CLOUDDP_ECONFIG, "run "
		    "'clouddp-provision create' or 'resume' to record it",
		    "%s: DP %s is %s and has no service certificate recorded",
		    ref->db, ref->name, inventory_state_name(ref->state));
	if (ref->state != INV_STATE_READY)
		log_warn(run->ctx, "%s: DP %s is %s, not ready", ref->db,
		    ref->name, inventory_state_name(ref->state));
	if (name_host(ref->fqdn, run->fqdn_buf, err) == -1) {
		clouddp_err_prefix(err, "%s: DP %s", ref->db, ref->name);
		return -1;
	}
	run->fqdn = run->fqdn_buf;
	return 0;
}

/* --dp: is the file the certificate the DP was deployed with? */
static void
dp_judge(struct run *run, const struct cert *c)
{
	const struct dpref	*ref = &run->ref;
	char			 sha1[41];

	report_obj_set_str(report_root(run->report), "dp", ref->name);
	cert_thumbprint_sha1(c, sha1);
	if (strcasecmp(sha1, ref->thumbprint) == 0)
		report_check(run->report, "dp_certificate",
		    CLOUDDP_STATUS_OK, "%s is the service certificate of DP "
		    "%s (SHA-1 %s)", run->service, ref->name, sha1);
	else
		report_check(run->report, "dp_certificate",
		    CLOUDDP_STATUS_CRITICAL, "%s is not the service "
		    "certificate of DP %s: SHA-1 %s, the DP has %s",
		    run->service, ref->name, sha1, ref->thumbprint);
}

static int
check_service(struct run *run, struct clouddp_err *err)
{
	struct cert_policy	 p;
	struct cert		*c;
	char			 fqdn[256];

	if (run->ctx->dp != NULL && dp_load(run, err) == -1)
		return -1;
	c = pfx_load(run->service, &run->ctx->secret, NULL, err);
	if (c == NULL)
		return -1;
	policy(run, 1, &p);
	cert_check_all(c, &p, run->report, fqdn, sizeof(fqdn));
	if (run->ctx->dp != NULL)
		dp_judge(run, c);
	report_obj_set_str(report_root(run->report), "fqdn",
	    fqdn[0] != '\0' ? fqdn : NULL);
	cert_describe(c, run->now, report_root(run->report));
	cert_perf_days_left(c, &p, run->report);
	cert_free(c);
	return 0;
}

static int
check_management(struct run *run, struct clouddp_err *err)
{
	struct cert_policy	 p;
	struct cert_finding	 f;
	struct cert		*c, *cer = NULL;

	c = pfx_load(run->management, &run->ctx->secret, NULL, err);
	if (c == NULL)
		return -1;
	if (run->cer != NULL) {
		cer = cert_load_file(run->cer, NULL, err);
		if (cer == NULL) {
			cert_free(c);
			return -1;
		}
	}
	cert_describe(c, run->now, report_root(run->report));
	policy(run, 0, &p);
	cert_check_all(c, &p, run->report, NULL, 0);
	if (cer != NULL) {
		cert_check_same(cer, run->cer, c, run->management, &f);
		report_check(run->report, f.check, f.status, "%s",
		    f.message);
	}
	cert_perf_days_left(c, &p, run->report);
	cert_free(cer);
	cert_free(c);
	return 0;
}

static int
check_publishsettings(struct run *run, struct clouddp_err *err)
{
	struct publishsettings	*ps;
	struct cert_policy	 p;
	int			 rc;

	ps = publishsettings_load(run->publishsettings, err);
	if (ps == NULL)
		return -1;
	policy(run, 0, &p);
	rc = publishsettings_check(ps, run->subscription, &p, run->report,
	    err);
	if (rc == -1)
		clouddp_err_prefix(err, "%s", run->publishsettings);
	publishsettings_free(ps);
	return rc;
}

/* Exactly one file to check, and options that belong to it. */
static int
options_check(const struct run *run, struct clouddp_err *err)
{
	int	 modes;

	modes = (run->service != NULL) + (run->management != NULL) +
	    (run->publishsettings != NULL);
	if (modes != 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give one of them; check each file in its own run",
		    "give exactly one of --service, --management and "
		    "--publishsettings");
	if (run->cer != NULL && run->management == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --cer with --management",
		    "--cer without --management");
	if (run->fqdn != NULL && run->service == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --fqdn with --service", "--fqdn without --service");
	if (run->ctx->dp != NULL && run->service == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --dp with --service", "--dp without --service");
	if (run->ctx->dp != NULL && run->fqdn != NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "leave out --fqdn: "
		    "the DP's Service FQDN is used", "--dp with --fqdn");
	if (run->ctx->db != NULL && run->ctx->dp == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "name the DP with "
		    "--dp", "--db without --dp");
	if (run->subscription != NULL && run->publishsettings == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --subscription with --publishsettings",
		    "--subscription without --publishsettings");
	if (run->publishsettings != NULL &&
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
			run->cer = optarg;
			break;
		case OPT_CRITICAL_DAYS:
			if (clouddp_parse_long("--critical-days", optarg, 0,
			    3650, &run->crit_days, err) == -1)
				return -1;
			break;
		case OPT_FQDN:
			if (name_host(optarg, run->fqdn_buf, err) == -1) {
				err->code = CLOUDDP_EUSAGE;
				clouddp_err_prefix(err, "--fqdn");
				return -1;
			}
			run->fqdn = run->fqdn_buf;
			break;
		case OPT_MANAGEMENT:
			run->management = optarg;
			break;
		case OPT_PUBLISHSETTINGS:
			run->publishsettings = optarg;
			break;
		case OPT_SERVICE:
			run->service = optarg;
			break;
		case OPT_SUBSCRIPTION:
			run->subscription = optarg;
			break;
		case OPT_WARN_DAYS:
			if (clouddp_parse_long("--warn-days", optarg, 0, 3650,
			    &run->warn_days, err) == -1)
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
	int		 rc;

	run->now = time(NULL);
	run->report = report_new("CERT");
	if (run->report == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	if (run->service != NULL)
		rc = check_service(run, err);
	else if (run->management != NULL)
		rc = check_management(run, err);
	else
		rc = check_publishsettings(run, err);
	if (rc == -1)
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
	run.warn_days = 30;
	return tool_main(&tool, &run, argc, argv);
}
