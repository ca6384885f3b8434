/*
 * The DP's life after create: start, stop and delete (status is in
 * provision_status.c).  Each change is journaled in the
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

	c->inv = inventory_open_existing(cfg->db, err);
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
