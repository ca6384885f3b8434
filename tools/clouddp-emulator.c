/*
 * clouddp-emulator: a local stand-in for the classic Azure Service
 * Management API, for rehearsals and tests.  The model and the front end
 * are the library's (src/emu); this is options, the clock and the loop.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "emu/api.h"
#include "emu/fault.h"
#include "emu/model.h"
#include "emu/real.h"
#include "loop.h"
#include "opts.h"
#include "secret.h"
#include "tool.h"

#define ARGS_MAX	64

enum {
	OPT_BLOB_ACCOUNT = CLOUDDP_OPT__TOOL,
	OPT_BLOB_ENDPOINT,
	OPT_BLOB_KEY_ENV,
	OPT_BLOB_KEY_FILE,
	OPT_CLOUDAPP_ZONE,
	OPT_DELAY,
	OPT_DNS_UPDATE,
	OPT_FAULT,
	OPT_LISTEN,
	OPT_MANAGEMENT_CER,
	OPT_QUOTA,
	OPT_READY_FILE,
	OPT_REGIONS,
	OPT_REQUEST_LOG,
	OPT_SEED,
	OPT_SUBSCRIPTION,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TSIG_FILE,
	OPT_VIP_HTTP_PORT,
	OPT_VIP_HTTPS_PORT,
	OPT_VIP_POOL
};

static const struct option longopts[] = {
	{ "blob-account", required_argument, NULL, OPT_BLOB_ACCOUNT },
	{ "blob-endpoint", required_argument, NULL, OPT_BLOB_ENDPOINT },
	{ "blob-key-env", required_argument, NULL, OPT_BLOB_KEY_ENV },
	{ "blob-key-file", required_argument, NULL, OPT_BLOB_KEY_FILE },
	{ "cloudapp-zone", required_argument, NULL, OPT_CLOUDAPP_ZONE },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "dns-update", required_argument, NULL, OPT_DNS_UPDATE },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "management-cer", required_argument, NULL, OPT_MANAGEMENT_CER },
	{ "quota", required_argument, NULL, OPT_QUOTA },
	{ "ready-file", required_argument, NULL, OPT_READY_FILE },
	{ "regions", required_argument, NULL, OPT_REGIONS },
	{ "request-log", required_argument, NULL, OPT_REQUEST_LOG },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "subscription", required_argument, NULL, OPT_SUBSCRIPTION },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "tsig-file", required_argument, NULL, OPT_TSIG_FILE },
	{ "vip-http-port", required_argument, NULL, OPT_VIP_HTTP_PORT },
	{ "vip-https-port", required_argument, NULL, OPT_VIP_HTTPS_PORT },
	{ "vip-pool", required_argument, NULL, OPT_VIP_POOL },
	CLOUDDP_LONGOPTS_COMMON,
	{ NULL, 0, NULL, 0 }
};

struct emulator {
	struct emu_config	 model;
	struct emu_api_config	 api;
	const char		*management[ARGS_MAX];
	const char		*faults[ARGS_MAX];
	size_t			 nfaults;
	const char		*regions[ARGS_MAX];
	char			*regions_copy;
	const char		*ready_file;
	struct emu_real_cfg	 real;
	struct clouddp_secret_src blob_key_src;	/* never argv */
	char			*blob_key;
};

static void
usage(FILE *fp)
{
	fputs("usage: clouddp-emulator [-hqVv] --listen ADDRESS:PORT "
	    "--tls-cert FILE --tls-key FILE\n"
	    "                        --subscription ID --management-cer FILE"
	    " ...\n"
	    "                        [--blob-endpoint URL] [--blob-key-file FILE]"
	    " [--delay STEP=SECONDS]\n"
	    "                        [--fault RULE] [--quota NAME=N] "
	    "[--ready-file FILE]\n"
	    "                        [--regions LIST] [--request-log FILE] "
	    "[--seed N]\n"
	    "                        [--vip-pool CIDR]\n"
	    "                        [--blob-account NAME] "
	    "[--vip-https-port N] [--vip-http-port N]\n"
	    "                        [--dns-update HOST:PORT "
	    "[--tsig-file FILE]] [--cloudapp-zone ZONE]\n", fp);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nServe the classic Azure management API on loopback, for "
	    "rehearsals and tests.\n\n"
"      --blob-account NAME  the Blob endpoint's account: PackageUrl is\n"
"                         checked there (with --blob-endpoint and a key)\n"
"      --blob-endpoint URL  storage accounts' blob endpoint (e.g. Azurite)\n"
"      --blob-key-env VAR storage accounts' primary key (base64), from VAR\n"
"      --blob-key-file FILE  the same, from the first line of FILE\n"
"      --cloudapp-zone ZONE  where --dns-update registers deployments\n"
"                         (cloudapp.net)\n"
"      --delay STEP=SECONDS  how long a step takes: operation,\n"
"                         storage-creating, storage-dns, deploying,\n"
"                         role-unknown, creating-vm, starting-vm, busy-role,\n"
"                         instance-skew, suspend, delete (or all=SECONDS)\n"
"      --dns-update HOST:PORT  register SERVICE.ZONE A VIP there by\n"
"                         RFC 2136 once Ready; removed on delete and exit\n"
"      --fault RULE       OP:KIND[=SECONDS][:times=N|every=N|prob=P];\n"
"                         KIND busy, throttle, internal, redirect, fail-op,\n"
"                         drop, stall, storage-stuck, instance-stuck\n"
"      --listen ADDRESS:PORT  where to serve HTTPS (port 0: any)\n"
"      --management-cer FILE  a management certificate (.cer) clients\n"
"                         may present; repeatable\n"
"      --quota NAME=N     cores, hosted-services or storage-accounts\n"
"      --ready-file FILE  write {\"port\":N,\"pid\":N} once listening\n"
"      --regions LIST     comma-separated locations (West US,...)\n"
"      --request-log FILE append every request as a JSON line\n"
"      --seed N           seed for keys, ids and prob= faults (1)\n"
"      --subscription ID  the subscription's GUID\n"
"      --tls-cert FILE    the server's certificate chain (PEM)\n"
"      --tls-key FILE     its private key (PEM)\n"
"      --tsig-file FILE   the TSIG key (BIND key file) for --dns-update\n"
"      --vip-http-port N|none  serve HTTP on a Ready VIP's port N (80)\n"
"      --vip-https-port N serve HTTPS on a Ready VIP's port N (443) with\n"
"                         the deployment's service certificate\n"
"      --vip-pool CIDR    where deployments' VIPs come from "
"(127.0.0.16/28)\n", stdout);
	clouddp_help_common(stdout);
}

static int
push(const char **list, size_t *n, const char *arg, const char *opt,
    struct clouddp_err *err)
{
	if (*n == ARGS_MAX)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "%s: at most %d times", opt, ARGS_MAX);
	list[(*n)++] = arg;
	return 0;
}

static int
opt_delay(struct emulator *e, const char *arg, struct clouddp_err *err)
{
	char	 step[32];
	double	 v;
	int	 i, k;

	i = (int)strcspn(arg, "=");
	if (arg[i] != '=' || i >= (int)sizeof(step))
		return clouddp_errf(err, CLOUDDP_EUSAGE, "write STEP=SECONDS",
		    "--delay %s: no '='", arg);
	snprintf(step, sizeof(step), "%.*s", i, arg);
	if (clouddp_parse_seconds("--delay", arg + i + 1, 0, 86400, &v,
	    err) == -1)
		return -1;
	if (strcmp(step, "all") == 0) {
		for (k = 0; k < EMU_STEP__MAX; k++)
			e->model.delay[k] = v;
		return 0;
	}
	k = emu_step_find(step);
	if (k < 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see --help for the "
		    "steps", "--delay %s: unknown step", arg);
	e->model.delay[k] = v;
	return 0;
}

static int
opt_quota(struct emulator *e, const char *arg, struct clouddp_err *err)
{
	const char	*eq = strchr(arg, '=');
	long		 v;
	int		*dst = NULL;

	if (eq != NULL && strncmp(arg, "cores=", 6) == 0)
		dst = &e->model.max_cores;
	else if (eq != NULL && strncmp(arg, "hosted-services=", 16) == 0)
		dst = &e->model.max_hosted_services;
	else if (eq != NULL && strncmp(arg, "storage-accounts=", 17) == 0)
		dst = &e->model.max_storage_accounts;
	if (dst == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "write cores=N, "
		    "hosted-services=N or storage-accounts=N",
		    "--quota %s: unknown quota", arg);
	if (clouddp_parse_long("--quota", eq + 1, 1, 100000, &v,
	    err) == -1)
		return -1;
	*dst = (int)v;
	return 0;
}

static int
opt_regions(struct emulator *e, const char *arg, struct clouddp_err *err)
{
	char	*p, *comma;

	free(e->regions_copy);
	e->regions_copy = strdup(arg);
	if (e->regions_copy == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	e->model.nregions = 0;
	for (p = e->regions_copy; p != NULL; p = comma) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma++ = '\0';
		if (*p == '\0')
			return clouddp_errf(err, CLOUDDP_EUSAGE, "write "
			    "\"West US,North Europe\"", "--regions %s: an "
			    "empty name", arg);
		if (push(e->regions, &e->model.nregions, p, "--regions",
		    err) == -1)
			return -1;
	}
	e->model.regions = e->regions;
	return 0;
}

/* What makes a deployment real: Blob, VIP listeners, DNS (emu/real.h). */
static int
real_opt(struct emulator *e, int c, const char *arg, struct clouddp_err *err)
{
	long	 v;

	switch (c) {
	case OPT_BLOB_ACCOUNT:
		e->real.blob_account = arg;
		return 0;
	case OPT_CLOUDAPP_ZONE:
		e->real.zone = arg;
		return 0;
	case OPT_DNS_UPDATE:
		e->real.dns_update = arg;
		return 0;
	case OPT_TSIG_FILE:
		e->real.tsig_file = arg;
		return 0;
	case OPT_VIP_HTTP_PORT:
		if (strcmp(arg, "none") == 0) {
			e->real.http_port = -1;
			return 0;
		}
		if (clouddp_parse_long("--vip-http-port", arg, 1, 65535, &v,
		    err) == -1)
			return -1;
		e->real.http_port = v;
		return 0;
	case OPT_VIP_HTTPS_PORT:
		if (clouddp_parse_long("--vip-https-port", arg, 1, 65535, &v,
		    err) == -1)
			return -1;
		e->real.https_port = v;
		return 0;
	default:
		return -2;
	}
}

static int
tool_opt(struct emulator *e, int c, const char *arg, struct clouddp_err *err)
{
	long	 v;

	switch (c) {
	case OPT_BLOB_ENDPOINT:
		e->model.blob_endpoint = arg;
		return 0;
	case OPT_BLOB_KEY_ENV:
	case OPT_BLOB_KEY_FILE:
		e->blob_key_src.kind = c == OPT_BLOB_KEY_ENV ?
		    CLOUDDP_SECRET_ENV : CLOUDDP_SECRET_FILE;
		e->blob_key_src.arg = arg;
		e->blob_key_src.opt = "--blob-key";
		return 0;
	case OPT_DELAY:
		return opt_delay(e, arg, err);
	case OPT_FAULT:
		return push(e->faults, &e->nfaults, arg, "--fault", err);
	case OPT_LISTEN:
		e->api.listen = arg;
		return 0;
	case OPT_MANAGEMENT_CER:
		return push(e->management, &e->api.nmanagement, arg,
		    "--management-cer", err);
	case OPT_QUOTA:
		return opt_quota(e, arg, err);
	case OPT_READY_FILE:
		e->ready_file = arg;
		return 0;
	case OPT_REGIONS:
		return opt_regions(e, arg, err);
	case OPT_REQUEST_LOG:
		e->api.request_log = arg;
		return 0;
	case OPT_SEED:
		if (clouddp_parse_long("--seed", arg, 0, 0x7fffffffL, &v,
		    err) == -1)
			return -1;
		e->model.seed = (unsigned long)v;
		return 0;
	case OPT_SUBSCRIPTION:
		e->model.subscription = arg;
		return 0;
	case OPT_TLS_CERT:
		e->api.tls_cert = arg;
		return 0;
	case OPT_TLS_KEY:
		e->api.tls_key = arg;
		return 0;
	case OPT_VIP_POOL:
		e->model.vip_pool = arg;
		return 0;
	default:
		return real_opt(e, c, arg, err);
	}
}

static int
required(const struct emulator *e, struct clouddp_err *err)
{
	if (e->api.listen == NULL || e->api.tls_cert == NULL ||
	    e->api.tls_key == NULL || e->model.subscription == NULL ||
	    e->api.nmanagement == 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see --help",
		    "--listen, --tls-cert, --tls-key, --subscription and "
		    "--management-cer are required");
	return 0;
}

static int
parse(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct emulator	*e = arg;
	int		 c, rc;

	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, NULL)) != -1) {
		rc = clouddp_opt_common(ctx, c, optarg, err);
		if (rc == -1)
			return -1;
		if (rc == 1)
			continue;
		rc = tool_opt(e, c, optarg, err);
		if (rc != 0)
			return rc;
	}
	if (optind < argc && !ctx->help && !ctx->version)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see --help",
		    "unexpected argument '%s'", argv[optind]);
	if (ctx->help || ctx->version)
		return 0;
	return required(e, err);
}

static double
wall_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* {"port":N,"pid":N}, written whole under a temporary name first. */
static int
ready_write(const char *path, int port, struct clouddp_err *err)
{
	char	 tmp[4096];
	FILE	*fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return clouddp_errf(err, CLOUDDP_EIO, "check the directory",
		    "%s: %s", tmp, strerror(errno));
	fprintf(fp, "{\"port\":%d,\"pid\":%ld}\n", port, (long)getpid());
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		fclose(fp);
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s", tmp,
		    strerror(errno));
	}
	fclose(fp);
	if (rename(tmp, path) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s", path,
		    strerror(errno));
	return 0;
}

static void
real_warn(void *arg, const struct clouddp_err *err)
{
	const struct clouddp_ctx	*ctx = arg;

	log_warn(ctx, "%s%s%s", err->what, err->hint[0] != '\0' ?
	    "; hint: " : "", err->hint);
}

static void
real_stopped(void *arg)
{
	loop_stop(arg);
}

/* The Blob, VIP and DNS side, behind the model's hooks. */
static struct emu_real *
real_start(struct emulator *e, struct clouddp_ctx *ctx, struct loop *loop,
    struct emu_model *model, struct clouddp_err *err)
{
	struct emu_real		*real;
	struct emu_hooks	 hooks;

	/* Package checks need the account; without it every one exists. */
	if (e->real.blob_account != NULL) {
		e->real.blob_endpoint = e->model.blob_endpoint;
		e->real.blob_key = e->model.blob_key;
	}
	e->real.warn = real_warn;
	e->real.warn_arg = ctx;
	real = emu_real_new(loop, &e->real, err);
	if (real == NULL)
		return NULL;
	emu_real_hooks(real, &hooks);
	emu_model_set_hooks(model, &hooks);
	return real;
}

/* Close the VIP listeners and remove the DNS records added (10 s). */
static void
real_finish(struct emu_real *real, struct emu_model *model,
    struct loop *loop)
{
	struct clouddp_err	 err;

	if (real == NULL)
		return;
	emu_model_set_hooks(model, NULL);
	/* When nothing is left to remove, done comes at once and the run
	 * below ends as soon as nothing is in flight. */
	emu_real_stop(real, real_stopped, loop);
	(void)loop_run(loop, loop_now() + 10, &err);
	emu_real_free(real);
}

static int
run(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct emulator		*e = arg;
	struct loop		*loop = NULL;
	struct emu_model	*model = NULL;
	struct fault_set	*faults = NULL;
	struct emu_api		*api = NULL;
	struct emu_real		*real = NULL;
	size_t			 i;
	int			 status = -1;

	if (e->blob_key_src.kind != CLOUDDP_SECRET_NONE) {
		if (secret_read(&e->blob_key_src, "", &e->blob_key,
		    err) == -1)
			goto out;
		e->model.blob_key = e->blob_key;
	}
	model = emu_model_new(&e->model, err);
	faults = fault_set_new(e->model.seed, err);
	if (model == NULL || faults == NULL)
		goto out;
	for (i = 0; i < e->nfaults; i++)
		if (fault_set_add(faults, e->faults[i], emu_api_operations(),
		    err) == -1)
			goto out;
	loop = loop_new(err);
	if (loop == NULL || tool_signals(loop, err) == -1)
		goto out;
	real = real_start(e, ctx, loop, model, err);
	if (real == NULL)
		goto out;
	e->api.management = e->management;
	e->api.now = wall_now;
	api = emu_api_new(loop, model, faults, &e->api, err);
	if (api == NULL)
		goto out;
	if (e->ready_file != NULL && ready_write(e->ready_file,
	    emu_api_port(api), err) == -1)
		goto out;
	log_debug(ctx, 1, "listening on port %d", emu_api_port(api));
	if (loop_run(loop, 0, err) == -1)
		goto out;
	status = 0;
out:
	emu_api_free(api);
	real_finish(real, model, loop);
	loop_free(loop);
	fault_set_free(faults);
	emu_model_free(model);
	return status;
}

static void
cleanup(void *arg)
{
	struct emulator	*e = arg;

	free(e->regions_copy);
	secret_free(e->blob_key);
}

static const struct tool tool = {
	"EMULATOR", parse, help, run, cleanup
};

int
main(int argc, char *argv[])
{
	struct emulator	 e;

	memset(&e, 0, sizeof(e));
	emu_config_defaults(&e.model);
	return tool_main(&tool, &e, argc, argv);
}
