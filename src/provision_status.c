/*
 * status: every DP of the inventory (or one) asked of its back end at
 * once, on one loop.  For each DP its deployment (status, instances,
 * VIP) and its storage (the content container's blobs summed, through
 * the storage account's keys) are asked side by side, so that a hundred
 * DPs take about as long as the slowest one.  One back end serves every
 * DP of a subscription.  Transfer use is unknown unless a back end
 * reports it, and said so, never taken as zero.  It never prints and
 * never names a cloud's API.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "backend.h"
#include "blob.h"
#include "http.h"
#include "inventory.h"
#include "loop.h"
#include "provision.h"
#include "report.h"

#define CONTAINER	"content"
#define GIB		1073741824.0

/* One back end per (back end, subscription) the DPs name. */
struct sbe {
	const char	*backend;
	const char	*subscription;
	struct backend	*be;
};

/* The whole run: one loop, one multi for the Blob requests. */
struct srun {
	const struct prov_cfg	*cfg;
	struct loop		*loop;
	struct http_multi	*multi;
	struct sbe		*bes;
	size_t			 nbes;
	size_t			 pending;	/* calls not yet answered */
};

/* One DP: its deployment and its storage, each asked once. */
struct sdp {
	struct srun		*run;
	const struct inv_dp	*dp;
	struct blob_client	*blob;
	int			 asked;		/* the back end was asked */
	int			 live;		/* the deployment answered */
	struct clouddp_err	 err;		/* why not live */
	char			 status[32];
	char			 vip[64];
	size_t			 ninst, nready;
	int			 ready;
	long long		 storage;	/* bytes; -1 unknown */
	struct clouddp_err	 serr;		/* why unknown */
	enum clouddp_status	 worst;
};

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

/* A call answered: the loop ends with the last one. */
static void
answered(struct srun *run)
{
	if (run->pending > 0 && --run->pending == 0)
		loop_stop(run->loop);
}

static void
on_deployment(void *arg, const struct clouddp_err *err, const void *res)
{
	struct sdp			*s = arg;
	const struct backend_deployment	*d = res;
	size_t				 i;

	if (err != NULL)
		s->err = *err;
	else if (d != NULL) {
		snprintf(s->status, sizeof(s->status), "%s",
		    d->status != NULL ? d->status : "");
		snprintf(s->vip, sizeof(s->vip), "%s",
		    d->vip != NULL ? d->vip : "");
		s->ninst = d->ninstances;
		for (i = 0; i < d->ninstances; i++)
			if (strcmp(d->instance_status[i], "ReadyRole") == 0)
				s->nready++;
		s->ready = d->ready;
		s->live = 1;
	}
	answered(s->run);
}

static void
on_sum(void *arg, const struct clouddp_err *err,
    const struct blob_result *res)
{
	struct sdp	*s = arg;

	if (err != NULL)
		s->serr = *err;
	else if (res != NULL)
		s->storage = res->total_size;
	answered(s->run);
}


/* The keys came: sum the content container with them. */
static void
on_keys(void *arg, const struct clouddp_err *err, const void *res)
{
	struct sdp			*s = arg;
	const struct backend_storage	*st = res;
	struct blob_cfg			 bc;
	char				 account[64];

	if (err != NULL) {
		s->serr = *err;
		goto out;
	}
	if (st == NULL || st->endpoint[0] == '\0' || st->key[0] == '\0') {
		clouddp_errf(&s->serr, CLOUDDP_EAPI, "check the storage "
		    "account in the portal", "storage account %s: no blob "
		    "endpoint or key", s->dp->storage_account);
		goto out;
	}
	blob_endpoint_account(st->endpoint, account, sizeof(account));
	memset(&bc, 0, sizeof(bc));
	bc.endpoint = st->endpoint;
	bc.account = account;
	bc.key = st->key;
	bc.cacert = s->run->cfg->be.cacert;
	bc.proxy = s->run->cfg->be.proxy;
	bc.proxy_password = s->run->cfg->be.proxy_password;
	bc.timeout = s->run->cfg->be.timeout;
	s->blob = blob_client_new(s->run->multi, &bc, &s->serr);
	if (s->blob == NULL)
		goto out;
	s->run->pending++;
	if (blob_sum(s->blob, CONTAINER, on_sum, s, &s->serr) == -1)
		s->run->pending--;
out:
	answered(s->run);
}

/* The back end of dp's subscription, made the first time it is asked. */
static struct backend *
run_backend(struct srun *run, const struct inv_dp *dp,
    struct clouddp_err *err)
{
	struct backend_cfg	 bc = run->cfg->be;
	struct sbe		*b;
	size_t			 i;

	for (i = 0; i < run->nbes; i++)
		if (strcmp(run->bes[i].backend, dp->backend) == 0 &&
		    strcmp(run->bes[i].subscription, dp->subscription) == 0)
			return run->bes[i].be;
	b = &run->bes[run->nbes];
	bc.subscription = dp->subscription[0] != '\0' ? dp->subscription :
	    run->cfg->be.subscription;
	bc.on_accepted = NULL;
	bc.accepted_arg = NULL;
	b->be = backend_new(dp->backend[0] != '\0' ? dp->backend : "asm",
	    run->loop, &bc, err);
	if (b->be == NULL)
		return NULL;
	b->backend = dp->backend;
	b->subscription = dp->subscription;
	run->nbes++;
	return b->be;
}

/* Whether a DP in this state has a deployment to ask about. */
static int
has_deployment(const struct inv_dp *dp)
{
	return dp->service_name[0] != '\0' &&
	    (dp->state == INV_STATE_READY || dp->state == INV_STATE_STOPPED ||
	    dp->state == INV_STATE_STOPPING ||
	    dp->state == INV_STATE_STARTING);
}

/* Start both questions of s; what cannot start is said in s. */
static void
ask(struct srun *run, struct sdp *s)
{
	struct backend	*be;

	be = run_backend(run, s->dp, &s->err);
	if (be == NULL) {
		s->serr = s->err;
		return;
	}
	s->asked = 1;
	run->pending++;
	if (be->ops->poll(be, s->dp->service_name, on_deployment, s,
	    &s->err) == -1)
		run->pending--;
	if (s->dp->storage_account[0] == '\0') {
		clouddp_errf(&s->serr, CLOUDDP_EINPUT, "finish it with "
		    "clouddp-provision resume", "%s: no storage account in "
		    "the inventory", s->dp->name);
		return;
	}
	run->pending++;
	if (be->ops->storage_keys(be, s->dp->storage_account, on_keys, s,
	    &s->serr) == -1)
		run->pending--;
}

/* Ask every DP of s[0..n) at once; return when all have answered. */
static int
ask_all(struct srun *run, struct sdp *s, size_t n, struct clouddp_err *err)
{
	size_t	 i;

	run->loop = loop_new(err);
	if (run->loop == NULL)
		return -1;
	run->multi = http_multi_new(run->loop, err);
	run->bes = calloc(n > 0 ? n : 1, sizeof(*run->bes));
	if (run->multi == NULL || run->bes == NULL) {
		if (run->bes == NULL)
			clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (has_deployment(s[i].dp))
			ask(run, &s[i]);
	if (run->pending == 0)
		return 0;
	return loop_run(run->loop, 0, err);
}

static void
run_free(struct srun *run, struct sdp *s, size_t n)
{
	size_t	 i;

	for (i = 0; s != NULL && i < n; i++)
		blob_client_free(s[i].blob);
	for (i = 0; i < run->nbes; i++)
		backend_free(run->bes[i].be);
	free(run->bes);
	if (run->multi != NULL)
		http_multi_free(run->multi);
	loop_free(run->loop);
}

/* How a DP's live deployment state reads as a check. */
static enum clouddp_status
live_status(const struct sdp *s)
{
	if (s->dp->state == INV_STATE_STOPPED &&
	    strcmp(s->status, "Suspended") == 0)
		return CLOUDDP_STATUS_WARNING;
	if (strcmp(s->status, "Running") == 0 && s->ready)
		return CLOUDDP_STATUS_OK;
	return CLOUDDP_STATUS_CRITICAL;
}

/* The deployment's check of s: the state the back end gave. */
static int
deployment_check(struct report *r, struct sdp *s, int one)
{
	const char		*st = inventory_state_name(s->dp->state);
	enum clouddp_status	 cs;

	if (!has_deployment(s->dp)) {
		s->worst = s->dp->state == INV_STATE_FAILED ?
		    CLOUDDP_STATUS_CRITICAL : CLOUDDP_STATUS_WARNING;
		return report_check(r, s->dp->name, s->worst, "not Ready: %s "
		    "in the inventory", st);
	}
	if (!s->live) {
		s->worst = CLOUDDP_STATUS_CRITICAL;
		return report_check(r, s->dp->name, s->worst, "%s",
		    s->err.what[0] != '\0' ? s->err.what : "no answer");
	}
	cs = live_status(s);
	s->worst = cs;
	if (report_check(r, s->dp->name, cs, "%s, %zu of %zu instances "
	    "ready, VIP %s (%s in the inventory)", s->status, s->nready,
	    s->ninst, s->vip[0] != '\0' ? s->vip : "-", st) == -1)
		return -1;
	return one ? report_perf(r, "instances_ready", (double)s->nready,
	    NULL) : 0;
}

/* Storage used against its quota; transfer, which no back end gives. */
static int
usage_checks(struct report *r, struct sdp *s, int one)
{
	const struct inv_dp	*dp = s->dp;
	enum clouddp_status	 st = CLOUDDP_STATUS_UNKNOWN;
	double			 pct, q = dp->storage_quota_gb * GIB / 100;

	if (s->storage < 0) {
		if (report_check(r, "storage", st, "%s: storage used unknown "
		    "(quota %d GB): %s", dp->name, dp->storage_quota_gb,
		    s->serr.what) == -1)
			return -1;
	} else {
		st = provision_usage_status(s->storage / GIB,
		    dp->storage_quota_gb, dp->storage_warning,
		    dp->storage_critical, &pct);
		if (report_check(r, "storage", st, "%s: storage used %lld "
		    "bytes (%.2f GB) of %d GB, %.2f%%", dp->name, s->storage,
		    s->storage / GIB, dp->storage_quota_gb, pct) == -1 ||
		    (one && (report_perf_thr(r, "storage_used",
		    (double)s->storage, "B", q * dp->storage_warning,
		    q * dp->storage_critical) == -1 || report_perf_thr(r,
		    "storage_pct", pct, "%", dp->storage_warning,
		    dp->storage_critical) == -1)))
			return -1;
	}
	s->worst = clouddp_status_worst(s->worst, st);
	return report_check(r, "transfer", CLOUDDP_STATUS_OK, "%s: transfer "
	    "used unknown (quota %d GB): the back end does not report it",
	    dp->name, dp->transfer_quota_gb);
}

static int
usage_obj(const struct sdp *s, struct report_obj *o)
{
	const struct inv_dp	*dp = s->dp;
	double			 pct;

	if (report_obj_set_int(o, "storage_quota_gb", dp->storage_quota_gb) ==
	    -1 || report_obj_set_int(o, "transfer_quota_gb",
	    dp->transfer_quota_gb) == -1 ||
	    report_obj_set_str(o, "transfer_used_bytes", NULL) == -1)
		return -1;
	if (s->storage < 0)
		return report_obj_set_str(o, "storage_used_bytes", NULL) ==
		    -1 || report_obj_set_str(o, "storage_used_pct", NULL) ==
		    -1 ? -1 : 0;
	provision_usage_status(s->storage / GIB, dp->storage_quota_gb,
	    dp->storage_warning, dp->storage_critical, &pct);
	return report_obj_set_int(o, "storage_used_bytes", s->storage) ==
	    -1 || report_obj_set_real(o, "storage_used_pct", pct) == -1 ?
	    -1 : 0;
}

static int
status_obj(const struct sdp *s, struct report_obj *arr)
{
	const struct inv_dp	*dp = s->dp;
	struct report_obj	*o;
	const char		*st = inventory_state_name(dp->state);

	o = report_obj_new();
	if (o == NULL)
		return -1;
	if (report_obj_set_str(o, "name", dp->name) == -1 ||
	    report_obj_set_str(o, "status", clouddp_status_key(s->worst)) ==
	    -1 || report_obj_set_str(o, "state", st != NULL ? st : "") ==
	    -1 || report_obj_set_str(o, "region", dp->region) == -1 ||
	    report_obj_set_str(o, "service_name", dp->service_name) == -1 ||
	    report_obj_set_str(o, "azure_fqdn", dp->azure_fqdn) == -1 ||
	    report_obj_set_str(o, "vip", s->live ? s->vip : dp->vip) == -1 ||
	    report_obj_set_str(o, "deployment", s->live ? s->status : "") ==
	    -1 || report_obj_set_int(o, "instances", (long long)s->ninst) ==
	    -1 || report_obj_set_int(o, "instances_ready",
	    (long long)s->nready) == -1 || usage_obj(s, o) == -1 ||
	    report_arr_append(arr, o) == -1) {
		report_obj_free(o);
		return -1;
	}
	return 0;
}

/* Every DP's checks and record into r, in the inventory's order. */
static int
report_all(struct report *r, struct sdp *s, size_t n, int one)
{
	struct report_obj	*arr;
	size_t			 i, nok = 0;
	double			 used = 0;

	arr = report_arr_new();
	if (arr == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (deployment_check(r, &s[i], one) == -1 ||
		    (has_deployment(s[i].dp) && usage_checks(r, &s[i],
		    one) == -1) || status_obj(&s[i], arr) == -1)
			goto fail;
		nok += s[i].worst == CLOUDDP_STATUS_OK;
		used += s[i].storage > 0 ? (double)s[i].storage : 0;
	}
	if (report_obj_set(report_root(r), "dps", arr) == -1)
		return -1;
	if (!one && (report_perf(r, "dps", (double)n, NULL) == -1 ||
	    report_perf(r, "dps_ok", (double)nok, NULL) == -1 ||
	    report_perf(r, "storage_used", used, "B") == -1))
		return -1;
	if (report_status(r) == CLOUDDP_STATUS_OK)
		report_summary(r, "%zu DPs, all as they should be", n);
	return 0;
fail:
	report_obj_free(arr);
	return -1;
}

/* The DPs status shows: cfg->name, or every one not deleted. */
static int
shown(const struct prov_cfg *cfg, const struct inv_dp *dp)
{
	if (cfg->name != NULL)
		return strcmp(cfg->name, dp->name) == 0;
	return dp->state != INV_STATE_DELETED;
}

int
provision_status(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	struct inventory	*inv;
	struct inv_dp		*dps = NULL;
	struct sdp		*s = NULL;
	struct srun		 run;
	size_t			 n = 0, i, ns = 0;
	int			 ret = -1;

	memset(&run, 0, sizeof(run));
	run.cfg = cfg;
	inv = inventory_open_existing(cfg->db, err);
	if (inv == NULL)
		return -1;
	if (inventory_dp_list(inv, &dps, &n, err) == -1)
		goto out;
	s = calloc(n > 0 ? n : 1, sizeof(*s));
	if (s == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (shown(cfg, &dps[i])) {
			s[ns].run = &run;
			s[ns].dp = &dps[i];
			s[ns++].storage = -1;
		}
	if (cfg->name != NULL && ns == 0) {
		clouddp_errf(err, CLOUDDP_EUSAGE, "list the DPs with "
		    "clouddp-provision list", "%s: no such DP in the "
		    "inventory", cfg->name);
		goto out;
	}
	if (ask_all(&run, s, ns, err) == -1)
		goto out;
	ret = report_all(r, s, ns, cfg->name != NULL);
	if (ret == -1)
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
out:
	run_free(&run, s, ns);
	free(s);
	free(dps);
	inventory_free(inv);
	return ret;
}
