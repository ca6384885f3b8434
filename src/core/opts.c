/*
 * Common options and number parsing.  What an option means is decided
 * here once for every tool.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "opts.h"

void
clouddp_ctx_init(struct clouddp_ctx *ctx, const char *argv0, const char *tool)
{
	const char	*slash;

	memset(ctx, 0, sizeof(*ctx));
	slash = strrchr(argv0, '/');
	ctx->prog = slash != NULL ? slash + 1 : argv0;
	ctx->tool = tool;
	ctx->stderr_tty = isatty(STDERR_FILENO);
}

void
clouddp_ctx_cleanup(struct clouddp_ctx *ctx)
{
	free(ctx->resolvers);
	ctx->resolvers = NULL;
	ctx->nresolvers = 0;
}

static int
add_resolver(struct clouddp_ctx *ctx, const char *arg,
    struct clouddp_err *err)
{
	const char	**p;

	if (arg[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give an address, e.g. --resolver 192.0.2.53:5300",
		    "--resolver: empty address");
	p = reallocarray(ctx->resolvers, ctx->nresolvers + 1, sizeof(*p));
	if (p == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	p[ctx->nresolvers++] = arg;
	ctx->resolvers = p;
	return 0;
}

static int
set_secret(struct clouddp_ctx *ctx, enum clouddp_secret_kind kind,
    const char *arg, struct clouddp_err *err)
{
	if (ctx->secret.kind != CLOUDDP_SECRET_NONE)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give one of --password-file, --password-env, "
		    "--password-fd",
		    "more than one password source given");
	ctx->secret.kind = kind;
	ctx->secret.arg = arg;
	return 0;
}

/* --json and --nagios: one output form per run. */
static int
set_output(struct clouddp_ctx *ctx, enum clouddp_output out,
    struct clouddp_err *err)
{
	if (ctx->output != CLOUDDP_OUTPUT_TEXT && ctx->output != out)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give one of them: --json for scripts, --nagios for a "
		    "monitoring system", "--json and --nagios together");
	ctx->output = out;
	return 1;
}

int
clouddp_opt_common(struct clouddp_ctx *ctx, int c, const char *arg,
    struct clouddp_err *err)
{
	long	 fd;

	switch (c) {
	case 'h':
		ctx->help = 1;
		return 1;
	case 'q':
		ctx->quiet++;
		return 1;
	case 't':
		if (clouddp_parse_seconds("--timeout", arg, 0.001, 86400,
		    &ctx->timeout, err) == -1)
			return -1;
		return 1;
	case 'v':
		ctx->verbose++;
		return 1;
	case 'V':
		ctx->version = 1;
		return 1;
	case CLOUDDP_OPT_DB:
		ctx->db = arg;
		return 1;
	case CLOUDDP_OPT_DP:
		ctx->dp = arg;
		return 1;
	case CLOUDDP_OPT_JSON:
	case CLOUDDP_OPT_NAGIOS:
		return set_output(ctx, c == CLOUDDP_OPT_JSON ?
		    CLOUDDP_OUTPUT_JSON : CLOUDDP_OUTPUT_NAGIOS, err);
	case CLOUDDP_OPT_PASSWORD_ENV:
		return set_secret(ctx, CLOUDDP_SECRET_ENV, arg, err) == -1 ?
		    -1 : 1;
	case CLOUDDP_OPT_PASSWORD_FD:
		if (clouddp_parse_long("--password-fd", arg, 0, INT_MAX, &fd,
		    err) == -1)
			return -1;
		return set_secret(ctx, CLOUDDP_SECRET_FD, arg, err) == -1 ?
		    -1 : 1;
	case CLOUDDP_OPT_PASSWORD_FILE:
		return set_secret(ctx, CLOUDDP_SECRET_FILE, arg, err) == -1 ?
		    -1 : 1;
	case CLOUDDP_OPT_RESOLVER:
		return add_resolver(ctx, arg, err) == -1 ? -1 : 1;
	default:
		return 0;
	}
}

int
clouddp_parse_long(const char *opt, const char *arg, long min, long max,
    long *out, struct clouddp_err *err)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] == '\0' || *end != '\0' || errno == ERANGE)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "%s: '%s' is not a whole number", opt, arg);
	if (v < min || v > max)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "%s: %ld is out of range (%ld to %ld)", opt, v, min, max);
	*out = v;
	return 0;
}

int
clouddp_parse_seconds(const char *opt, const char *arg, double min,
    double max, double *out, struct clouddp_err *err)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(arg, &end);
	if (arg[0] == '\0' || *end != '\0' || errno == ERANGE || isnan(v))
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "%s: '%s' is not a number of seconds", opt, arg);
	if (v < min || v > max)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "%s: %s is out of range (%g to %g seconds)", opt, arg,
		    min, max);
	*out = v;
	return 0;
}

int
clouddp_parse_port(const char *opt, const char *arg, int none_ok,
    long *out, struct clouddp_err *err)
{
	if (none_ok && strcmp(arg, "none") == 0) {
		*out = 0;
		return 0;
	}
	return clouddp_parse_long(opt, arg, 1, 65535, out, err);
}

const char *
clouddp_opt_proxy_password(int c, enum clouddp_secret_kind *kind)
{
	switch (c) {
	case CLOUDDP_OPT_PROXY_PASSWORD_ENV:
		*kind = CLOUDDP_SECRET_ENV;
		return "--proxy-password-env";
	case CLOUDDP_OPT_PROXY_PASSWORD_FD:
		*kind = CLOUDDP_SECRET_FD;
		return "--proxy-password-fd";
	case CLOUDDP_OPT_PROXY_PASSWORD_FILE:
		*kind = CLOUDDP_SECRET_FILE;
		return "--proxy-password-file";
	default:
		return NULL;
	}
}

void
clouddp_help_common(FILE *fp)
{
	fputs(
"  -h, --help             print this help and exit\n"
"      --json             print one JSON object (NDJSON for batches)\n"
"      --nagios           print one monitoring-plugin line with perfdata\n"
"  -q, --quiet            print no results, only errors\n"
"  -t, --timeout SECONDS  give up on each network step after SECONDS\n"
"  -v, --verbose          say more on stderr (repeatable)\n"
"  -V, --version          print the version and exit\n", fp);
}

void
clouddp_help_password(FILE *fp)
{
	fputs(
"      --password-env VAR read the password from environment variable VAR\n"
"      --password-fd N    read the password from file descriptor N\n"
"      --password-file F  read the password from the first line of F\n", fp);
}

void
clouddp_help_resolver(FILE *fp)
{
	fputs(
"      --resolver HOST[:PORT]  ask this DNS server (repeatable)\n", fp);
}

void
clouddp_help_proxy_password(FILE *fp)
{
	fputs(
"      --proxy-password-env VAR  the proxy user's password, from VAR\n"
"      --proxy-password-fd N     ... from the first line read on fd N\n"
"      --proxy-password-file F   ... from the first line of F\n", fp);
}

void
clouddp_print_version(const struct clouddp_ctx *ctx)
{
	printf("%s (clouddp) %s\n", ctx->prog, PACKAGE_VERSION);
}

int
clouddp_usage_error(const struct clouddp_ctx *ctx)
{
	fprintf(stderr, "%s: hint: run '%s --help' for the options\n",
	    ctx->prog, ctx->prog);
	return CLOUDDP_STATUS_UNKNOWN;
}
