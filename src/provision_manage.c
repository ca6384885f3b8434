/*
 * The DP's life after create: status (the inventory refreshed from the
 * back end), start, stop and delete.  Each change is journaled in the
 * inventory before and after the back end's call, under the DP's lease,
 * so that a run killed halfway is simply run again: the back end treats
 * a delete of something already gone as done.  It never prints and never
 * names a cloud's API.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "backend.h"
#include "inventory.h"
#include "loop.h"
#include "provision.h"
#include "report.h"

#define MANAGE_LEASE_TTL	3600

/* One back-end call run to its end on a private loop. */
struct call1 {
	struct loop		*loop;
	struct backend		*be;
	struct inventory	*inv;
	long long		 step_id;
	int			 failed;
	struct clouddp_err	 err;
	char			 status[32];
	char			 vip[64];
	size_t			 ninst, nready;
	int			 ready;
};

static void
on_done(void *arg, const struct clouddp_err *err, const void *res)
{
	struct call1			*c = arg;
	const struct backend_deployment	*d = res;
	size_t				 i;

	if (err != NULL) {
		c->err = *err;
		c->failed = 1;
	} else if (d != NULL) {
		snprintf(c->status, sizeof(c->status), "%s",
		    d->status != NULL ? d->status : "");
		snprintf(c->vip, sizeof(c->vip), "%s",
		    d->vip != NULL ? d->vip : "");
		c->ninst = d->ninstances;
		c->nready = 0;
		for (i = 0; i < d->ninstances; i++)
			if (strcmp(d->instance_status[i], "ReadyRole") == 0)
				c->nready++;
		c->ready = d->ready;
	}
	loop_stop(c->loop);
}

static void
on_accepted(void *arg, const char *request_id)
{
	struct call1		*c = arg;
	struct clouddp_err	 e;

	if (c->step_id != 0)
		inventory_step_request(c->inv, c->step_id, request_id, &e);
}

static int
call1_open(struct call1 *c, const struct prov_cfg *cfg, const char *be,
    struct clouddp_err *err)
{
	struct backend_cfg	 bc = cfg->be;

	bc.on_accepted = on_accepted;
	bc.accepted_arg = c;
	c->loop = loop_new(err);
	if (c->loop == NULL)
		return -1;
	c->be = backend_new(be[0] != '\0' ? be : "asm", c->loop, &bc, err);
	return c->be == NULL ? -1 : 0;
}

static void
call1_close(struct call1 *c)
{
	backend_free(c->be);
	loop_free(c->loop);
	c->be = NULL;
	c->loop = NULL;
}

/* Wait for the call started (rc 0) to end.  -1: err filled. */
static int
call1_wait(struct call1 *c, int rc, struct clouddp_err *err)
{
	if (rc == -1)
		return -1;
	c->failed = 0;
	if (loop_run(c->loop, 0, err) == -1)
		return -1;
	if (c->failed) {
		*err = c->err;
		return -1;
	}
	return 0;
}

enum clouddp_status
provision_usage_status(double used_gb, int quota_gb, int warning,
    int critical, double *pct)
{
	*pct = quota_gb > 0 ? 100.0 * used_gb / quota_gb : 0;
	if (*pct >= critical)
		return CLOUDDP_STATUS_CRITICAL;
	if (*pct >= warning)
		return CLOUDDP_STATUS_WARNING;
	return CLOUDDP_STATUS_OK;
}

/* The usage checks and perfdata of one DP; used unknown: < 0. */
static int
usage_checks(const struct inv_dp *dp, double storage_gb, double transfer_gb,
    struct report *r, int one)
{
	enum clouddp_status	 st;
	double			 pct;

	if (storage_gb < 0)
		return report_check(r, "storage", CLOUDDP_STATUS_OK,
		    "%s: storage used unknown (quota %d GB)", dp->name,
		    dp->storage_quota_gb);
	st = provision_usage_status(storage_gb, dp->storage_quota_gb,
	    dp->storage_warning, dp->storage_critical, &pct);
	if (report_check(r, "storage", st, "%s: storage %.1f of %d GB "
	    "(%.0f%%)", dp->name, storage_gb, dp->storage_quota_gb,
	    pct) == -1 || (one && report_perf_thr(r, "storage_pct", pct, "%",
	    dp->storage_warning, dp->storage_critical) == -1))
		return -1;
	if (transfer_gb < 0)
		return report_check(r, "transfer", CLOUDDP_STATUS_OK,
		    "%s: transfer used unknown (quota %d GB)", dp->name,
		    dp->transfer_quota_gb);
	st = provision_usage_status(transfer_gb, dp->transfer_quota_gb,
	    dp->transfer_warning, dp->transfer_critical, &pct);
	if (report_check(r, "transfer", st, "%s: transfer %.1f of %d GB "
	    "(%.0f%%)", dp->name, transfer_gb, dp->transfer_quota_gb,
	    pct) == -1 || (one && report_perf_thr(r, "transfer_pct", pct,
	    "%", dp->transfer_warning, dp->transfer_critical) == -1))
		return -1;
	return 0;
}

/* How a DP's live deployment state reads as a check. */
static enum clouddp_status
live_status(const struct inv_dp *dp, const struct call1 *c)
{
	if (dp->state == INV_STATE_STOPPED &&
	    strcmp(c->status, "Suspended") == 0)
		return CLOUDDP_STATUS_WARNING;
	if (strcmp(c->status, "Running") == 0 && c->ready)
		return CLOUDDP_STATUS_OK;
	return CLOUDDP_STATUS_CRITICAL;
}

static int
status_obj(const struct inv_dp *dp, const struct call1 *c, int live,
    struct report_obj *arr)
{
	struct report_obj	*o;
	const char		*st = inventory_state_name(dp->state);

	o = report_obj_new();
	if (o == NULL)
		return -1;
	if (report_obj_set_str(o, "name", dp->name) == -1 ||
	    report_obj_set_str(o, "state", st != NULL ? st : "") == -1 ||
	    report_obj_set_str(o, "region", dp->region) == -1 ||
	    report_obj_set_str(o, "service_name", dp->service_name) == -1 ||
	    report_obj_set_str(o, "azure_fqdn", dp->azure_fqdn) == -1 ||
	    report_obj_set_str(o, "vip", live ? c->vip : dp->vip) == -1 ||
	    report_obj_set_str(o, "deployment", live ? c->status : "") ==
	    -1 || report_obj_set_int(o, "instances", live ? (long long)
	    c->ninst : 0) == -1 || report_obj_set_int(o, "instances_ready",
	    live ? (long long)c->nready : 0) == -1 ||
	    report_obj_set_int(o, "storage_quota_gb", dp->storage_quota_gb) ==
	    -1 || report_obj_set_int(o, "transfer_quota_gb",
	    dp->transfer_quota_gb) == -1 || report_arr_append(arr, o) == -1) {
		report_obj_free(o);
		return -1;
	}
	return 0;
}

/* One DP into r: asked of the back end when it has a deployment. */
static int
status_one(const struct prov_cfg *cfg, const struct inv_dp *dp,
    struct report_obj *arr, struct report *r, int one)
{
	struct call1		 c;
	struct clouddp_err	 e;
	const char		*st = inventory_state_name(dp->state);
	int			 live = 0, ret = -1;

	memset(&c, 0, sizeof(c));
	if (dp->state != INV_STATE_READY && dp->state != INV_STATE_STOPPED &&
	    dp->state != INV_STATE_STOPPING &&
	    dp->state != INV_STATE_STARTING) {
		ret = report_check(r, dp->name, dp->state == INV_STATE_FAILED ?
		    CLOUDDP_STATUS_CRITICAL : CLOUDDP_STATUS_WARNING, "not "
		    "Ready: %s in the inventory", st);
		goto obj;
	}
	if (call1_open(&c, cfg, dp->backend, &e) == -1 ||
	    call1_wait(&c, c.be->ops->poll(c.be, dp->service_name, on_done,
	    &c, &e), &e) == -1) {
		ret = report_check(r, dp->name, CLOUDDP_STATUS_CRITICAL,
		    "%s", e.what);
		goto obj;
	}
	live = 1;
	if (report_check(r, dp->name, live_status(dp, &c), "%s, %zu of "
	    "%zu instances ready, VIP %s (%s in the inventory)", c.status, c.nready, c.ninst, c.vip[0] != '\0' ? c.vip : "-",
	    st) == -1)
		goto out;
	if (one && report_perf(r, "instances_ready", (double)c.nready,
	    NULL) == -1)
		goto out;
	/* No back end reports a DP's storage or transfer use yet. */
	ret = usage_checks(dp, -1, -1, r, one);
obj:
	if (ret == 0)
		ret = status_obj(dp, &c, live, arr);
out:
	call1_close(&c);
	return ret;
}

int
provision_status(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	struct inventory	*inv;
	struct inv_dp		*dps = NULL;
	struct report_obj	*arr = NULL;
	size_t			 n = 0, i, shown = 0;
	int			 ret = -1;

	inv = inventory_open(cfg->db, err);
	if (inv == NULL)
		return -1;
	if (inventory_dp_list(inv, &dps, &n, err) == -1)
		goto out;
	arr = report_arr_new();
	if (arr == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		if ((cfg->name != NULL && strcmp(cfg->name, dps[i].name) != 0)
		    || (cfg->name == NULL && dps[i].state == INV_STATE_DELETED))
			continue;
		shown++;
		if (status_one(cfg, &dps[i], arr, r, cfg->name != NULL) == -1)
			goto nomem;
	}
	if (cfg->name != NULL && shown == 0) {
		clouddp_errf(err, CLOUDDP_EUSAGE, "list the DPs with "
		    "clouddp-provision list", "%s: no such DP in the "
		    "inventory", cfg->name);
		goto out;
	}
	if (report_obj_set(report_root(r), "dps", arr) == -1) {
		arr = NULL;
		goto nomem;
	}
	arr = NULL;
	if (report_status(r) == CLOUDDP_STATUS_OK)
		report_summary(r, "%zu DPs, all as they should be", shown);
	ret = 0;
	goto out;
nomem:
	clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
out:
	report_obj_free(arr);
	free(dps);
	inventory_free(inv);
	return ret;
}

/* Take the DP's lease, or that of a run on this host that is gone. */
static int
manage_lease(struct inventory *inv, const struct prov_cfg *cfg,
    struct clouddp_err *err)
{
	struct inv_lease	 l;

	memset(&l, 0, sizeof(l));
	l.dp = cfg->name;
	l.owner = cfg->owner;
	l.now = cfg->now;
	l.ttl = MANAGE_LEASE_TTL;
	return inventory_lease_claim(inv, &l, err);
}

/* The DP, leased, for a change.  1: no such DP (err filled). */
static int
manage_open(const struct prov_cfg *cfg, struct call1 *c, struct inv_dp *dp,
    struct clouddp_err *err)
{
	int	 found;

	c->inv = inventory_open(cfg->db, err);
	if (c->inv == NULL)
		return -1;
	found = inventory_dp_get(c->inv, cfg->name, dp, err);
	if (found != 0) {
		if (found == 1)
			clouddp_errf(err, CLOUDDP_EUSAGE, "list the DPs with "
			    "clouddp-provision list", "%s: no such DP in the "
			    "inventory", cfg->name);
		return -1;
	}
	if (dp->state == INV_STATE_DELETED)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "create it again",
		    "%s: deleted", cfg->name);
	return manage_lease(c->inv, cfg, err);
}

/* Journal step, set state mid, run the call, then state end. */
static int
manage_step(const struct prov_cfg *cfg, struct call1 *c, struct inv_dp *dp,
    const char *step, enum inv_state mid, enum inv_state end,
    struct clouddp_err *err)
{
	enum inv_state		 was = dp->state;
	struct clouddp_err	 e;
	int			 rc;

	if (inventory_step_begin(c->inv, dp->name, step, cfg->now,
	    &c->step_id, err) == -1)
		return -1;
	dp->state = mid;
	dp->updated = cfg->now;
	if (inventory_dp_update(c->inv, dp, err) == -1) {
		dp->state = was;
		inventory_step_end(c->inv, c->step_id, "failed", dp, cfg->now,
		    &e);
		return -1;
	}
	if (dp->service_name[0] == '\0')
		rc = 0;		/* never reached the cloud */
	else if (call1_open(c, cfg, dp->backend, err) == -1)
		rc = -1;
	else if (strcmp(step, "delete") == 0)
		rc = call1_wait(c, c->be->ops->remove(c->be, dp->service_name,
		    on_done, c, err), err);
	else
		rc = call1_wait(c, c->be->ops->run(c->be, dp->service_name,
		    mid == INV_STATE_STARTING, on_done, c, err), err);
	dp->state = rc == 0 ? end : was;
	dp->updated = cfg->now;
	if (rc == -1) {
		inventory_step_end(c->inv, c->step_id, "failed", dp, cfg->now,
		    &e);
		return -1;
	}
	return inventory_step_end(c->inv, c->step_id, "ok", dp, cfg->now,
	    err);
}

static int
manage(const struct prov_cfg *cfg, const char *step, enum inv_state mid,
    enum inv_state end, struct report *r, struct clouddp_err *err)
{
	struct call1		 c;
	struct inv_dp		 dp;
	struct clouddp_err	 e;
	const char		*st;
	int			 ret = -1, leased = 0;

	memset(&c, 0, sizeof(c));
	if (manage_open(cfg, &c, &dp, err) == -1)
		goto out;
	leased = 1;
	if (end != INV_STATE_DELETED && dp.state != INV_STATE_READY &&
	    dp.state != INV_STATE_STOPPED && dp.state != mid) {
		clouddp_errf(err, CLOUDDP_EUSAGE, "finish it with "
		    "clouddp-provision resume", "%s: not Ready (%s)",
		    cfg->name, inventory_state_name(dp.state));
		goto out;
	}
	if (manage_step(cfg, &c, &dp, step, mid, end, err) == -1)
		goto out;
	st = inventory_state_name(dp.state);
	if (report_obj_set_str(report_root(r), "name", dp.name) == -1 ||
	    report_obj_set_str(report_root(r), "state", st) == -1 ||
	    report_check(r, step, CLOUDDP_STATUS_OK, "%s: %s", dp.name,
	    st) == -1) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	report_summary(r, "%s %s", dp.name, st);
	ret = 0;
out:
	if (leased)
		inventory_lease_drop(c.inv, cfg->name, cfg->owner, &e);
	call1_close(&c);
	inventory_free(c.inv);
	return ret;
}

int
provision_start(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	return manage(cfg, "start", INV_STATE_STARTING, INV_STATE_READY, r,
	    err);
}

int
provision_stop(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	return manage(cfg, "stop", INV_STATE_STOPPING, INV_STATE_STOPPED, r,
	    err);
}

int
provision_delete(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	return manage(cfg, "delete", INV_STATE_DELETING, INV_STATE_DELETED, r,
	    err);
}
