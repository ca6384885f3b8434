/*
 * clouddp-emulator: a local stand-in for the classic Azure Service
 * Management API, for rehearsals and tests.  The model and the front end
 * are the library's (src/emu), its settings too (emu/settings.h); this
 * is getopt, usage and the call sequence.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "clouddp.h"
#include "emu/api.h"
#include "emu/fault.h"
#include "emu/model.h"
#include "emu/real.h"
#include "emu/settings.h"
#include "loop.h"
#include "opts.h"
#include "tool.h"

/* Every option of the emulator's own, told apart by its name. */
#define OPT_EMU	CLOUDDP_OPT__TOOL

static const struct option longopts[] = {
	{ "blob-account", required_argument, NULL, OPT_EMU },
	{ "blob-endpoint", required_argument, NULL, OPT_EMU },
	{ "blob-key-env", required_argument, NULL, OPT_EMU },
	{ "blob-key-file", required_argument, NULL, OPT_EMU },
	{ "cloudapp-zone", required_argument, NULL, OPT_EMU },
	{ "delay", required_argument, NULL, OPT_EMU },
	{ "dns-update", required_argument, NULL, OPT_EMU },
	{ "fault", required_argument, NULL, OPT_EMU },
	{ "listen", required_argument, NULL, OPT_EMU },
	{ "management-cer", required_argument, NULL, OPT_EMU },
	{ "quota", required_argument, NULL, OPT_EMU },
	{ "ready-file", required_argument, NULL, OPT_EMU },
	{ "regions", required_argument, NULL, OPT_EMU },
	{ "request-log", required_argument, NULL, OPT_EMU },
	{ "seed", required_argument, NULL, OPT_EMU },
	{ "subscription", required_argument, NULL, OPT_EMU },
	{ "tls-cert", required_argument, NULL, OPT_EMU },
	{ "tls-key", required_argument, NULL, OPT_EMU },
	{ "tsig-file", required_argument, NULL, OPT_EMU },
	{ "vip-http-port", required_argument, NULL, OPT_EMU },
	{ "vip-https-port", required_argument, NULL, OPT_EMU },
	{ "vip-pool", required_argument, NULL, OPT_EMU },
	CLOUDDP_LONGOPTS_COMMON,
	{ NULL, 0, NULL, 0 }
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
parse(void *arg, struct clouddp_ctx *ctx, int argc, char **argv,
    struct clouddp_err *err)
{
	struct emu_settings	*s = arg;
	int			 c, i = 0, rc;

	while ((c = getopt_long(argc, argv, CLOUDDP_SHORTOPTS_COMMON,
	    longopts, &i)) != -1) {
		rc = clouddp_opt_common(ctx, c, optarg, err);
		if (rc == -1)
			return -1;
		if (rc == 1)
			continue;
		if (c != OPT_EMU)
			return -2;
		rc = emu_settings_set(s, longopts[i].name, optarg, err);
		if (rc != 0)
			return rc;
	}
	if (optind < argc && !ctx->help && !ctx->version)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see --help",
		    "unexpected argument '%s'", argv[optind]);
	if (ctx->help || ctx->version)
		return 0;
	return emu_settings_check(s, err);
}

static int
run(void *arg, struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	struct emu_settings	*s = arg;
	struct loop		*loop = NULL;
	struct emu_model	*model = NULL;
	struct fault_set	*faults = NULL;
	struct emu_api		*api = NULL;
	struct emu_real		*real = NULL;
	int			 status = -1;

	if (emu_settings_prepare(s, err) == -1)
		goto out;
	model = emu_model_new(&s->model, err);
	if (model == NULL)
		goto out;
	faults = emu_settings_faults(s, err);
	if (faults == NULL)
		goto out;
	loop = loop_new(err);
	if (loop == NULL || tool_signals(loop, err) == -1)
		goto out;
	real = emu_real_start(loop, &s->real, model, ctx, err);
	if (real == NULL)
		goto out;
	api = emu_api_new(loop, model, faults, &s->api, err);
	if (api == NULL ||
	    emu_settings_write_ready(s, emu_api_port(api), err) == -1)
		goto out;
	log_debug(ctx, 1, "listening on port %d", emu_api_port(api));
	if (loop_run(loop, 0, err) == -1)
		goto out;
	status = 0;
out:
	emu_api_free(api);
	emu_real_finish(real, model, loop);
	loop_free(loop);
	fault_set_free(faults);
	emu_model_free(model);
	return status;
}

static void
cleanup(void *arg)
{
	emu_settings_clear(arg);
}

static const struct tool tool = {
	"EMULATOR", parse, help, run, cleanup
};

int
main(int argc, char *argv[])
{
	struct emu_settings	 s;

	emu_settings_init(&s);
	return tool_main(&tool, &s, argc, argv);
}
