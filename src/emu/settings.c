/*
 * The emulator's settings from its options: each value checked as it
 * comes, with the option's name in the error and a hint.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "emu/api.h"
#include "emu/fault.h"
#include "emu/settings.h"
#include "opts.h"
#include "secret.h"

static double
wall_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
emu_settings_init(struct emu_settings *s)
{
	memset(s, 0, sizeof(*s));
	emu_config_defaults(&s->model);
	s->api.management = s->management;
	s->api.now = wall_now;
}

void
emu_settings_clear(struct emu_settings *s)
{
	free(s->regions_copy);
	s->regions_copy = NULL;
	secret_free(s->blob_key);
	s->blob_key = NULL;
}

static int
push(const char **list, size_t *n, const char *arg, const char *opt,
    struct clouddp_err *err)
{
	if (*n == EMU_ARGS_MAX)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "%s: at most %d times", opt, EMU_ARGS_MAX);
	list[(*n)++] = arg;
	return 0;
}

int
emu_config_set_delay(struct emu_config *cfg, const char *arg,
    struct clouddp_err *err)
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
			cfg->delay[k] = v;
		return 0;
	}
	k = emu_step_find(step);
	if (k < 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see --help for the "
		    "steps", "--delay %s: unknown step", arg);
	cfg->delay[k] = v;
	return 0;
}

int
emu_config_set_quota(struct emu_config *cfg, const char *arg,
    struct clouddp_err *err)
{
	const char	*eq = strchr(arg, '=');
	long		 v;
	int		*dst = NULL;

	if (eq != NULL && strncmp(arg, "cores=", 6) == 0)
		dst = &cfg->max_cores;
	else if (eq != NULL && strncmp(arg, "hosted-services=", 16) == 0)
		dst = &cfg->max_hosted_services;
	else if (eq != NULL && strncmp(arg, "storage-accounts=", 17) == 0)
		dst = &cfg->max_storage_accounts;
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
set_regions(struct emu_settings *s, const char *arg,
    struct clouddp_err *err)
{
	char	*p, *comma;

	free(s->regions_copy);
	s->regions_copy = strdup(arg);
	if (s->regions_copy == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	s->model.nregions = 0;
	for (p = s->regions_copy; p != NULL; p = comma) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma++ = '\0';
		if (*p == '\0')
			return clouddp_errf(err, CLOUDDP_EUSAGE, "write "
			    "\"West US,North Europe\"", "--regions %s: an "
			    "empty name", arg);
		if (push(s->regions, &s->model.nregions, p, "--regions",
		    err) == -1)
			return -1;
	}
	s->model.regions = s->regions;
	return 0;
}

/* Options whose value is kept as it is, by where it goes. */
static const struct {
	const char	*name;
	size_t		 off;
} plain[] = {
	{ "blob-account", offsetof(struct emu_settings, real.blob_account) },
	{ "blob-endpoint", offsetof(struct emu_settings, model.blob_endpoint) },
	{ "cloudapp-zone", offsetof(struct emu_settings, real.zone) },
	{ "dns-update", offsetof(struct emu_settings, real.dns_update) },
	{ "listen", offsetof(struct emu_settings, api.listen) },
	{ "ready-file", offsetof(struct emu_settings, ready_file) },
	{ "request-log", offsetof(struct emu_settings, api.request_log) },
	{ "subscription", offsetof(struct emu_settings, model.subscription) },
	{ "tls-cert", offsetof(struct emu_settings, api.tls_cert) },
	{ "tls-key", offsetof(struct emu_settings, api.tls_key) },
	{ "tsig-file", offsetof(struct emu_settings, real.tsig_file) },
	{ "vip-pool", offsetof(struct emu_settings, model.vip_pool) }
};

static int
set_port(long *dst, const char *opt, const char *arg,
    struct clouddp_err *err)
{
	long	 v;

	if (clouddp_parse_long(opt, arg, 1, 65535, &v, err) == -1)
		return -1;
	*dst = v;
	return 0;
}

static int
set_other(struct emu_settings *s, const char *name, const char *arg,
    struct clouddp_err *err)
{
	long	 v;

	if (strcmp(name, "delay") == 0)
		return emu_config_set_delay(&s->model, arg, err);
	if (strcmp(name, "quota") == 0)
		return emu_config_set_quota(&s->model, arg, err);
	if (strcmp(name, "regions") == 0)
		return set_regions(s, arg, err);
	if (strcmp(name, "fault") == 0)
		return push(s->faults, &s->nfaults, arg, "--fault", err);
	if (strcmp(name, "management-cer") == 0)
		return push(s->management, &s->api.nmanagement, arg,
		    "--management-cer", err);
	if (strcmp(name, "vip-https-port") == 0)
		return set_port(&s->real.https_port, "--vip-https-port", arg,
		    err);
	if (strcmp(name, "vip-http-port") == 0) {
		if (strcmp(arg, "none") == 0) {
			s->real.http_port = -1;
			return 0;
		}
		return set_port(&s->real.http_port, "--vip-http-port", arg,
		    err);
	}
	if (strcmp(name, "seed") != 0)
		return -2;
	if (clouddp_parse_long("--seed", arg, 0, 0x7fffffffL, &v, err) == -1)
		return -1;
	s->model.seed = (unsigned long)v;
	return 0;
}

int
emu_settings_set(struct emu_settings *s, const char *name, const char *arg,
    struct clouddp_err *err)
{
	size_t	 i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(name, plain[i].name) == 0) {
			*(const char **)(void *)((char *)s + plain[i].off) =
			    arg;
			return 0;
		}
	if (strcmp(name, "blob-key-env") == 0 ||
	    strcmp(name, "blob-key-file") == 0) {
		s->blob_key_src.kind = strcmp(name, "blob-key-env") == 0 ?
		    CLOUDDP_SECRET_ENV : CLOUDDP_SECRET_FILE;
		s->blob_key_src.arg = arg;
		s->blob_key_src.opt = "--blob-key";
		return 0;
	}
	return set_other(s, name, arg, err);
}

int
emu_settings_check(const struct emu_settings *s, struct clouddp_err *err)
{
	if (s->api.listen == NULL || s->api.tls_cert == NULL ||
	    s->api.tls_key == NULL || s->model.subscription == NULL ||
	    s->api.nmanagement == 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see --help",
		    "--listen, --tls-cert, --tls-key, --subscription and "
		    "--management-cer are required");
	return 0;
}

int
emu_settings_prepare(struct emu_settings *s, struct clouddp_err *err)
{
	if (s->blob_key_src.kind != CLOUDDP_SECRET_NONE) {
		secret_free(s->blob_key);
		s->blob_key = NULL;
		if (secret_read(&s->blob_key_src, "", &s->blob_key,
		    err) == -1)
			return -1;
		s->model.blob_key = s->blob_key;
	}
	/* Package checks need the account; without it every one exists. */
	if (s->real.blob_account != NULL) {
		s->real.blob_endpoint = s->model.blob_endpoint;
		s->real.blob_key = s->model.blob_key;
	}
	return 0;
}

struct fault_set *
emu_settings_faults(const struct emu_settings *s, struct clouddp_err *err)
{
	struct fault_set	*faults;
	size_t			 i;

	faults = fault_set_new(s->model.seed, err);
	if (faults == NULL)
		return NULL;
	for (i = 0; i < s->nfaults; i++)
		if (fault_set_add(faults, s->faults[i], emu_api_operations(),
		    err) == -1) {
			fault_set_free(faults);
			return NULL;
		}
	return faults;
}

int
emu_settings_write_ready(const struct emu_settings *s, int port,
    struct clouddp_err *err)
{
	char	 tmp[4096];
	FILE	*fp;

	if (s->ready_file == NULL)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->ready_file);
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
	if (rename(tmp, s->ready_file) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s",
		    s->ready_file, strerror(errno));
	return 0;
}
