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
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "cert.h"
#include "opts.h"
#include "publishsettings.h"
#include "report.h"
#include "secret.h"

enum {
	OPT_CER = CLOUDDP_OPT__TOOL,
	OPT_FQDN,
	OPT_MANAGEMENT,
	OPT_PUBLISHSETTINGS,
	OPT_SERVICE,
	OPT_SUBSCRIPTION,
	OPT_WARN_DAYS
};

static const struct option longopts[] = {
	{ "cer",	required_argument,	NULL, OPT_CER },
	{ "fqdn",	required_argument,	NULL, OPT_FQDN },
	CLOUDDP_LONGOPTS_COMMON,
	{ "management",	required_argument,	NULL, OPT_MANAGEMENT },
	CLOUDDP_LONGOPTS_PASSWORD,
	{ "publishsettings", required_argument, NULL, OPT_PUBLISHSETTINGS },
	{ "service",	required_argument,	NULL, OPT_SERVICE },
	{ "subscription", required_argument,	NULL, OPT_SUBSCRIPTION },
	{ "warn-days",	required_argument,	NULL, OPT_WARN_DAYS },
	{ NULL,		0,			NULL, 0 }
};

struct run {
	struct clouddp_ctx	 ctx;
	const char		*service;
	const char		*management;
	const char		*cer;
	const char		*publishsettings;
	const char		*subscription;
	const char		*fqdn;
	long			 warn_days;
	time_t			 now;
	char			*password;	/* read once, wiped */
	struct report		*report;
	char			 prefix[128];	/* of check messages */
};

static void
usage(FILE *fp)
{
	fputs(
"usage: clouddp-cert --service file.pfx [--fqdn name] [--warn-days days]\n"
"           [password options] [--json | --nagios]\n"
"       clouddp-cert --management file.pfx [--cer file.cer]\n"
"           [--warn-days days] [password options] [--json | --nagios]\n"
"       clouddp-cert --publishsettings file [--subscription id]\n"
"           [--warn-days days] [password options] [--json | --nagios]\n",
	    fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\n"
"      --cer FILE         the .cer (DER or base64) uploaded to Azure\n"
"      --fqdn NAME        the Service FQDN (required for a wildcard cert)\n"
"      --management FILE  check the management certificate .pfx\n"
"      --publishsettings FILE  check a .publishsettings file\n"
"      --service FILE     check the service certificate .pfx\n"
"      --subscription ID  check only this subscription\n"
"      --warn-days DAYS   warn when a certificate expires sooner (30)\n",
	    stdout);
	clouddp_help_password(stdout);
	clouddp_help_common(stdout);
}

static void
add(struct run *run, const struct cert_finding *f)
{
	report_check(run->report, f->check, f->status, "%s%s", run->prefix,
	    f->message);
}

static void
date_iso(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

/* The certificate's facts, as fields of obj. */
static void
describe(struct report_obj *obj, const struct cert *c, time_t now)
{
	struct report_obj	*sans;
	char			 buf[80];
	size_t			 i;

	report_obj_set_str(obj, "subject", cert_subject(c));
	sans = report_arr_new();
	for (i = 0; sans != NULL && i < cert_nsans(c); i++)
		report_arr_append_str(sans, cert_san(c, i));
	report_obj_set(obj, "sans", sans);
	report_obj_set_str(obj, "issuer", cert_issuer(c));
	report_obj_set_bool(obj, "self_signed", cert_is_self_signed(c));
	report_obj_set_str(obj, "serial", cert_serial(c));
	date_iso(cert_not_before(c), buf, sizeof(buf));
	report_obj_set_str(obj, "not_before", buf);
	date_iso(cert_not_after(c), buf, sizeof(buf));
	report_obj_set_str(obj, "not_after", buf);
	report_obj_set_int(obj, "days_left",
	    (long long)((cert_not_after(c) - now) / 86400));
	report_obj_set_str(obj, "key_type", cert_key_type(c));
	report_obj_set_int(obj, "key_bits", cert_key_bits(c));
	report_obj_set_str(obj, "ekus", cert_ekus(c));
	cert_thumbprint_sha1(c, buf);
	report_obj_set_str(obj, "thumbprint_sha1", buf);
	cert_thumbprint_sha256(c, buf);
	report_obj_set_str(obj, "thumbprint_sha256", buf);
	if (cert_pfx_mac(c) != NULL) {
		report_obj_set_str(obj, "pfx_cert_encryption",
		    cert_pfx_cert_cipher(c));
		report_obj_set_str(obj, "pfx_key_encryption",
		    cert_pfx_key_cipher(c));
		report_obj_set_str(obj, "pfx_mac", cert_pfx_mac(c));
		report_obj_set_int(obj, "chain_certificates",
		    (long long)cert_nchain(c));
	}
}

static struct cert *
load_once(const char *path, const char *b64, const char *name,
    const char *password, struct clouddp_err *err)
{
	if (b64 != NULL)
		return cert_from_base64(b64, strlen(b64), password, name, err);
	return cert_load_file(path, password, err);
}

/*
 * Load a .pfx (path) or a base64 PKCS#12 (b64).  Without a password
 * source the empty password is tried first, then a prompt on a
 * terminal; a .publishsettings certificate has the empty password.
 */
static struct cert *
load(struct run *run, const char *path, const char *b64, const char *name,
    struct clouddp_err *err)
{
	struct cert	*c;
	char		 prompt[300];

	if (run->password == NULL && (b64 != NULL ||
	    run->ctx.secret.kind == CLOUDDP_SECRET_NONE)) {
		c = load_once(path, b64, name, "", err);
		if (c != NULL || err->code != CLOUDDP_EPASSWORD ||
		    (run->ctx.secret.kind == CLOUDDP_SECRET_NONE &&
		    !isatty(STDIN_FILENO)))
			return c;
	}
	if (run->password == NULL) {
		snprintf(prompt, sizeof(prompt), "Password for %s: ", name);
		if (secret_read(&run->ctx.secret, prompt, &run->password,
		    err) == -1)
			return NULL;
	}
	c = load_once(path, b64, name, run->password, err);
	if (c == NULL && err->code == CLOUDDP_EPASSWORD &&
	    run->ctx.secret.kind != CLOUDDP_SECRET_NONE)
		snprintf(err->hint, sizeof(err->hint), "check the password "
		    "given by --password-%s %s", run->ctx.secret.kind ==
		    CLOUDDP_SECRET_FILE ? "file" : run->ctx.secret.kind ==
		    CLOUDDP_SECRET_ENV ? "env" : "fd", run->ctx.secret.arg);
	return c;
}

static void
check_common(struct run *run, const struct cert *c)
{
	struct cert_finding	 f;

	cert_check_private_key(c, &f);
	add(run, &f);
	cert_check_key_size(c, 2048, &f);
	add(run, &f);
	cert_check_validity(c, run->now, run->warn_days, &f);
	add(run, &f);
}

static int
check_service(struct run *run, struct clouddp_err *err)
{
	struct cert_finding	 f;
	struct cert		*c;
	char			 fqdn[256];

	c = load(run, run->service, NULL, run->service, err);
	if (c == NULL)
		return -1;
	cert_check_service_name(c, run->fqdn, fqdn, sizeof(fqdn), &f);
	report_obj_set_str(report_root(run->report), "fqdn",
	    fqdn[0] != '\0' ? fqdn : NULL);
	describe(report_root(run->report), c, run->now);
	add(run, &f);
	cert_check_server_auth(c, &f);
	add(run, &f);
	check_common(run, c);
	if (cert_is_self_signed(c))
		report_check(run->report, "issuer", CLOUDDP_STATUS_WARNING,
		    "self-signed: every client must trust this certificate "
		    "itself; use one issued by a CA the clients trust");
	else
		report_check(run->report, "issuer", CLOUDDP_STATUS_OK,
		    "issued by %s", cert_issuer(c));
	cert_check_pfx_encoding(c, &f);
	add(run, &f);
	report_perf(run->report, "days_left",
	    (double)((cert_not_after(c) - run->now) / 86400), "");
	cert_free(c);
	return 0;
}

static int
check_management(struct run *run, struct clouddp_err *err)
{
	struct cert_finding	 f;
	struct cert		*c, *cer = NULL;

	c = load(run, run->management, NULL, run->management, err);
	if (c == NULL)
		return -1;
	if (run->cer != NULL) {
		cer = cert_load_file(run->cer, NULL, err);
		if (cer == NULL) {
			cert_free(c);
			return -1;
		}
	}
	describe(report_root(run->report), c, run->now);
	check_common(run, c);
	if (cer != NULL) {
		cert_check_same(cer, run->cer, c, run->management, &f);
		add(run, &f);
	}
	report_perf(run->report, "days_left",
	    (double)((cert_not_after(c) - run->now) / 86400), "");
	cert_free(cer);
	cert_free(c);
	return 0;
}

static int
unknown_subscription(struct run *run, const struct publishsettings *ps,
    struct clouddp_err *err)
{
	struct clouddp_buf			 ids = { NULL, 0, 0 };
	const struct publishsettings_sub	*s;
	size_t					 i;

	for (i = 0; i < publishsettings_count(ps); i++) {
		s = publishsettings_get(ps, i);
		clouddp_buf_printf(&ids, NULL, "%s%s (%s)", i > 0 ? ", " : "",
		    s->id, s->name);
	}
	clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
	    "%s: no subscription %s; the file holds %s", run->publishsettings,
	    run->subscription, ids.data != NULL ? ids.data : "none");
	snprintf(err->hint, sizeof(err->hint), "give one of these ids to "
	    "--subscription, or leave it out to check all");
	clouddp_buf_free(&ids);
	return -1;
}

/* One subscription: list it, and check its certificate if new. */
static int
check_sub(struct run *run, const struct publishsettings_sub *s,
    struct report_obj *arr, struct cert **last, struct clouddp_err *err)
{
	struct report_obj	*obj;
	struct cert		*c;
	char			 name[512];

	report_check(run->report, "subscription", CLOUDDP_STATUS_OK,
	    "%s \"%s\", management API %s", s->id, s->name, s->url);
	snprintf(name, sizeof(name), "%s: subscription %s",
	    run->publishsettings, s->id);
	c = load(run, NULL, s->certificate, name, err);
	if (c == NULL)
		return -1;
	obj = report_obj_new();
	report_obj_set_str(obj, "id", s->id);
	report_obj_set_str(obj, "name", s->name);
	report_obj_set_str(obj, "management_url", s->url);
	describe(obj, c, run->now);
	report_arr_append(arr, obj);
	/* Version 1 subscriptions share one certificate: check it once. */
	if (*last != NULL && cert_equal(*last, c)) {
		cert_free(c);
		return 0;
	}
	check_common(run, c);
	cert_free(*last);
	*last = c;
	return 1;
}

static int
check_publishsettings(struct run *run, struct clouddp_err *err)
{
	const struct publishsettings_sub	*s, *sel = NULL;
	struct publishsettings			*ps;
	struct report_obj			*arr;
	struct cert				*last = NULL;
	size_t					 i, n, ncerts = 0;
	int					 rc = -1, v2;

	ps = publishsettings_load(run->publishsettings, err);
	if (ps == NULL)
		return -1;
	if (run->subscription != NULL) {
		sel = publishsettings_find(ps, run->subscription);
		if (sel == NULL) {
			unknown_subscription(run, ps, err);
			goto out;
		}
	}
	n = publishsettings_count(ps);
	v2 = publishsettings_version(ps) == 2;
	report_obj_set_int(report_root(run->report), "schema_version",
	    publishsettings_version(ps));
	arr = report_arr_new();
	report_obj_set(report_root(run->report), "subscriptions", arr);
	for (i = 0; arr != NULL && i < n; i++) {
		s = publishsettings_get(ps, i);
		if (sel != NULL && s != sel)
			continue;
		/* Version 2: one certificate each; say whose finding it is. */
		if (v2 && sel == NULL && n > 1)
			snprintf(run->prefix, sizeof(run->prefix),
			    "subscription %s: ", s->id);
		rc = check_sub(run, s, arr, &last, err);
		if (rc == -1)
			goto out;
		ncerts += (size_t)rc;
	}
	if (ncerts == 1)
		describe(report_root(run->report), last, run->now);
	rc = 0;
out:
	run->prefix[0] = '\0';
	cert_free(last);
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
	if (run->subscription != NULL && run->publishsettings == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "use --subscription with --publishsettings",
		    "--subscription without --publishsettings");
	return 0;
}

static int
parse(struct run *run, int argc, char *argv[], struct clouddp_err *err)
{
	int	 ch, rc;

	while ((ch = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, NULL)) != -1) {
		rc = clouddp_opt_common(&run->ctx, ch, optarg, err);
		if (rc == -1)
			return -1;
		if (rc == 1)
			continue;
		switch (ch) {
		case OPT_CER:
			run->cer = optarg;
			break;
		case OPT_FQDN:
			run->fqdn = optarg;
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
	return 0;
}

int
main(int argc, char *argv[])
{
	struct run		 run;
	struct clouddp_err	 err;
	int			 rc, status;

	memset(&run, 0, sizeof(run));
	clouddp_ctx_init(&run.ctx, argv[0], "CERT");
	run.warn_days = 30;
	rc = parse(&run, argc, argv, &err);
	if (rc == -2)
		return clouddp_usage_error(&run.ctx);
	if (rc == 0 && run.ctx.help) {
		help();
		return 0;
	}
	if (rc == 0 && run.ctx.version) {
		clouddp_print_version(&run.ctx);
		return 0;
	}
	if (rc == -1 || options_check(&run, &err) == -1 ||
	    clouddp_global_init(&err) == -1)
		return log_err(&run.ctx, &err);
	run.now = time(NULL);
	run.report = report_new("CERT");
	if (run.report == NULL) {
		clouddp_errf(&err, CLOUDDP_ENOMEM, NULL, "out of memory");
		status = log_err(&run.ctx, &err);
		goto out;
	}
	if (run.service != NULL)
		rc = check_service(&run, &err);
	else if (run.management != NULL)
		rc = check_management(&run, &err);
	else
		rc = check_publishsettings(&run, &err);
	if (rc == -1)
		status = log_err(&run.ctx, &err);
	else {
		report_write(&run.ctx, run.report, stdout);
		status = (int)report_status(run.report);
	}
out:
	secret_free(run.password);
	report_free(run.report);
	clouddp_global_cleanup();
	clouddp_ctx_cleanup(&run.ctx);
	return status;
}
