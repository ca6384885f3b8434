/*
 * The configuration, credentials and back end of clouddp-provision,
 * from its options; and the text of its progress display.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "inventory.h"
#include "log.h"
#include "loop.h"
#include "opts.h"
#include "provision.h"
#include "provision_cred.h"
#include "provision_setup.h"

/* The numbers of the configuration, with the option naming each. */
static const struct {
	const char	*opt;
	long		 min, max;
} numbers[] = {
	{ "--instances", 1, 16 },
	{ "--storage-quota", 1, 100000 },
	{ "--storage-warning", 1, 100 },
	{ "--storage-critical", 1, 100 },
	{ "--transfer-quota", 1, 1000000 },
	{ "--transfer-warning", 1, 100 },
	{ "--transfer-critical", 1, 100 },
};

#define NNUMBERS	(sizeof(numbers) / sizeof(numbers[0]))

static void
number_fields(struct prov_cfg *cfg, int *f[NNUMBERS])
{
	f[0] = &cfg->instances;
	f[1] = &cfg->storage_quota_gb;
	f[2] = &cfg->storage_warning;
	f[3] = &cfg->storage_critical;
	f[4] = &cfg->transfer_quota_gb;
	f[5] = &cfg->transfer_warning;
	f[6] = &cfg->transfer_critical;
}

void
prov_setup_init(struct prov_setup *s)
{
	memset(s, 0, sizeof(*s));
	prov_cred_init(&s->cr);
	s->cfg.instances = PROV_INSTANCES;
	s->cfg.storage_quota_gb = PROV_STORAGE_GB;
	s->cfg.storage_warning = PROV_WARNING;
	s->cfg.storage_critical = PROV_CRITICAL;
	s->cfg.transfer_quota_gb = PROV_TRANSFER_GB;
	s->cfg.transfer_warning = PROV_WARNING;
	s->cfg.transfer_critical = PROV_CRITICAL;
}

int
prov_setup_opt(struct prov_setup *s, const char *name, const char *arg,
    struct clouddp_err *err)
{
	int		*f[NNUMBERS];
	long		 v;
	size_t		 i;

	if (strcmp(name, "poll-interval") == 0)
		return clouddp_parse_seconds("--poll-interval", arg, 0.001,
		    3600, &s->cfg.be.poll_interval, err);
	number_fields(&s->cfg, f);
	for (i = 0; i < NNUMBERS; i++) {
		if (strcmp(name, numbers[i].opt + 2) != 0)
			continue;
		if (clouddp_parse_long(numbers[i].opt, arg, numbers[i].min,
		    numbers[i].max, &v, err) == -1)
			return -1;
		*f[i] = (int)v;
		return 0;
	}
	return prov_cred_opt(&s->cr, name, arg, err);
}

/*
 * The credentials and the back end; manage: the management certificate
 * only, else the service certificate too (create, resume).
 */
static int
setup(struct prov_setup *s, double timeout, int manage,
    struct clouddp_err *err)
{
	struct prov_cfg	*cfg = &s->cfg;

	if (!manage && (s->cr.service_pfx == NULL ||
	    (strcmp(s->cmd, "create") == 0 && cfg->region == NULL)))
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see clouddp-"
		    "provision --help", "%s needs --service-pfx%s", s->cmd,
		    cfg->region == NULL ? " and --region" : "");
	if (prov_cred_load_mgmt(&s->cr, cfg, s->cmd, err) == -1 ||
	    prov_cred_load_proxy_password(&s->cr, cfg, err) == -1 ||
	    (!manage && prov_cred_load_service(&s->cr, err) == -1))
		return -1;
	cfg->be.credential = s->cr.mgmt;
	cfg->be.timeout = timeout;
	if (!manage) {
		cfg->service = s->cr.service;
		cfg->service_pfx = &s->cr.pfx;
		cfg->service_password = s->cr.service_password;
		if (cfg->region == NULL)
			cfg->region = "";
	}
	if (s->log != NULL) {
		cfg->be.log = log_sink_open(s->log,
		    "SMS_CLOUD_SERVICES_MANAGER", err);
		if (cfg->be.log == NULL)
			return -1;
	}
	return 0;
}

/* The lease's owner, "host:pid", and the time of the run. */
static void
set_owner(struct prov_setup *s)
{
	char	 host[256];

	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	snprintf(s->owner, sizeof(s->owner), "%s:%ld", host, (long)getpid());
	s->cfg.owner = s->owner;
	s->cfg.now = (long long)time(NULL);
}

int
prov_setup_prepare(struct prov_setup *s, const struct clouddp_ctx *ctx,
    int manage, struct clouddp_err *err)
{
	struct prov_cfg	*cfg = &s->cfg;

	if (cfg->storage_warning >= cfg->storage_critical ||
	    cfg->transfer_warning >= cfg->transfer_critical)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "make the warning "
		    "percentage lower than the critical one",
		    "warning threshold not below critical");
	if (cfg->name == NULL && strcmp(s->cmd, "list") != 0 &&
	    strcmp(s->cmd, "status") != 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "pass --name",
		    "%s needs --name", s->cmd);
	cfg->db = ctx->db;
	if (cfg->name == NULL)
		cfg->name = ctx->dp;
	if (cfg->db == NULL) {
		if (inventory_default_path(s->db, sizeof(s->db), err) == -1)
			return -1;
		cfg->db = s->db;
	}
	set_owner(s);
	/* Only create makes an inventory; the rest need one, first. */
	if (strcmp(s->cmd, "create") != 0 &&
	    inventory_exists(cfg->db, err) == -1)
		return -1;
	if (strcmp(s->cmd, "list") == 0)
		return 0;
	return setup(s, ctx->timeout, manage, err);
}

/* The run is recorded in the inventory; say the log is not. */
int
prov_setup_log_check(const struct prov_setup *s, struct clouddp_err *err)
{
	int	 e;

	e = log_sink_failed(s->cfg.be.log);
	if (e == 0)
		return 0;
	return clouddp_errf(err, CLOUDDP_EIO, "free space for it or give "
	    "another --log; the inventory has the run", "%s: cannot write "
	    "the log: %s", s->log, strerror(e));
}

void
prov_setup_cleanup(struct prov_setup *s)
{
	prov_cred_cleanup(&s->cr);
	log_sink_close(s->cfg.be.log);
	s->cfg.be.log = NULL;
}

void
prov_display_start(struct prov_display *d, const char *prog, int tty)
{
	memset(d, 0, sizeof(*d));
	d->prog = prog;
	d->tty = tty;
	d->width = 80;
	d->start = loop_now();
}

void
prov_display_format(struct prov_display *d, const struct prov_progress *pp,
    char *buf, size_t len)
{
	char		 line[sizeof(d->shown)];
	size_t		 i;
	int		 n, t;

	n = snprintf(line, sizeof(line), "[%d/%d] %s: %s", pp->index,
	    pp->nsteps, pp->step, pp->state);
	for (i = 0; i < pp->ninstances && n > 0 && (size_t)n < sizeof(line);
	    i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s",
		    i == 0 ? "; instances " : ", ", pp->instances[i]);
	t = (int)(loop_now() - d->start);
	buf[0] = '\0';
	if (d->tty)
		snprintf(buf, len, "\r\033[K%02d:%02d %.*s", t / 60, t % 60,
		    d->width - 7, line);
	else if (strcmp(line, d->shown) != 0)
		snprintf(buf, len, "%s: %02d:%02d %s\n", d->prog, t / 60,
		    t % 60, line);
	snprintf(d->shown, sizeof(d->shown), "%s", line);
}
