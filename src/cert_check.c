/*
 * The checks clouddp-cert runs on one file, composed from cert.c,
 * pfx.c, publishsettings.c and, for --dp, dpref.c.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "clouddp.h"
#include "cert.h"
#include "cert_check.h"
#include "dpref.h"
#include "inventory.h"
#include "name.h"
#include "pfx.h"
#include "publishsettings.h"
#include "report.h"

static void
policy(const struct cert_check_cfg *cfg, int service, const char *fqdn,
    struct cert_policy *p)
{
	p->service = service;
	p->fqdn = fqdn;
	p->now = cfg->now;
	p->warn_days = cfg->warn_days;
	p->crit_days = cfg->crit_days;
	p->prefix = NULL;
}

/* --dp: the thumbprint and the Service FQDN the file must have. */
static int
dp_load(struct clouddp_ctx *ctx, struct dpref *ref, char *fqdn,
    struct clouddp_err *err)
{
	if (dpref_get(ctx->db, ctx->dp, DPREF_ANY_STATE, ref, err) == -1)
		return -1;
	if (ref->thumbprint[0] == '\0' || ref->fqdn[0] == '\0')
		return clouddp_errf(err, CLOUDDP_ECONFIG, "run "
		    "'clouddp-provision create' or 'resume' to record it",
		    "%s: DP %s is %s and has no service certificate recorded",
		    ref->db, ref->name, inventory_state_name(ref->state));
	if (ref->state != INV_STATE_READY)
		log_warn(ctx, "%s: DP %s is %s, not ready", ref->db,
		    ref->name, inventory_state_name(ref->state));
	if (name_host(ref->fqdn, fqdn, err) == -1) {
		clouddp_err_prefix(err, "%s: DP %s", ref->db, ref->name);
		return -1;
	}
	return 0;
}

/* --dp: is the file the certificate the DP was deployed with? */
static void
dp_judge(const char *path, const struct dpref *ref, const struct cert *c,
    struct report *r)
{
	char	 sha1[41];

	report_obj_set_str(report_root(r), "dp", ref->name);
	cert_thumbprint_sha1(c, sha1);
	if (strcasecmp(sha1, ref->thumbprint) == 0)
		report_check(r, "dp_certificate", CLOUDDP_STATUS_OK,
		    "%s is the service certificate of DP %s (SHA-1 %s)",
		    path, ref->name, sha1);
	else
		report_check(r, "dp_certificate", CLOUDDP_STATUS_CRITICAL,
		    "%s is not the service certificate of DP %s: SHA-1 %s, "
		    "the DP has %s", path, ref->name, sha1, ref->thumbprint);
}

static int
check_service(const struct cert_check_cfg *cfg, struct clouddp_ctx *ctx,
    struct report *r, struct clouddp_err *err)
{
	struct cert_policy	 p;
	struct dpref		 ref;
	struct cert		*c;
	const char		*want = cfg->fqdn;
	char			 dp_fqdn[ZONE_NAME_MAX], fqdn[256];

	if (ctx->dp != NULL) {
		if (dp_load(ctx, &ref, dp_fqdn, err) == -1)
			return -1;
		want = dp_fqdn;
	}
	c = pfx_load(cfg->service, &ctx->secret, NULL, err);
	if (c == NULL)
		return -1;
	policy(cfg, 1, want, &p);
	cert_check_all(c, &p, r, fqdn, sizeof(fqdn));
	if (ctx->dp != NULL)
		dp_judge(cfg->service, &ref, c, r);
	report_obj_set_str(report_root(r), "fqdn",
	    fqdn[0] != '\0' ? fqdn : NULL);
	cert_describe(c, cfg->now, report_root(r));
	cert_perf_days_left(c, &p, r);
	cert_free(c);
	return 0;
}

static int
check_management(const struct cert_check_cfg *cfg, struct clouddp_ctx *ctx,
    struct report *r, struct clouddp_err *err)
{
	struct cert_policy	 p;
	struct cert_finding	 f;
	struct cert		*c, *cer = NULL;

	c = pfx_load(cfg->management, &ctx->secret, NULL, err);
	if (c == NULL)
		return -1;
	if (cfg->cer != NULL) {
		cer = cert_load_file(cfg->cer, NULL, err);
		if (cer == NULL) {
			cert_free(c);
			return -1;
		}
	}
	cert_describe(c, cfg->now, report_root(r));
	policy(cfg, 0, NULL, &p);
	cert_check_all(c, &p, r, NULL, 0);
	if (cer != NULL) {
		cert_check_same(cer, cfg->cer, c, cfg->management, &f);
		report_check(r, f.check, f.status, "%s", f.message);
	}
	cert_perf_days_left(c, &p, r);
	cert_free(cer);
	cert_free(c);
	return 0;
}

static int
check_publishsettings(const struct cert_check_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	struct publishsettings	*ps;
	struct cert_policy	 p;
	int			 rc;

	ps = publishsettings_load(cfg->publishsettings, err);
	if (ps == NULL)
		return -1;
	policy(cfg, 0, NULL, &p);
	rc = publishsettings_check(ps, cfg->subscription, &p, r, err);
	if (rc == -1)
		clouddp_err_prefix(err, "%s", cfg->publishsettings);
	publishsettings_free(ps);
	return rc;
}

int
cert_check_run(const struct cert_check_cfg *cfg, struct clouddp_ctx *ctx,
    struct report *r, struct clouddp_err *err)
{
	if (cfg->service != NULL)
		return check_service(cfg, ctx, r, err);
	if (cfg->management != NULL)
		return check_management(cfg, ctx, r, err);
	return check_publishsettings(cfg, r, err);
}
