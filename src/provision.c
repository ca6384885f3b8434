/*
 * The provisioning state machine.  One step at a time: journal it in
 * the inventory, ask the back end, journal the outcome with the DP's new
 * state in one transaction, go on.  A step already journaled as done is
 * skipped on a rerun; one left in flight with an operation id is
 * re-polled first, and every create step is safe to repeat (the back end
 * treats a conflict on its own name as "already there").  It never
 * prints and never names a cloud's API.
 */
#include "config.h"

#include <sys/random.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "backend.h"
#include "blob.h"
#include "http.h"
#include "cert.h"
#include "inventory.h"
#include "log.h"
#include "loop.h"
#include "provision.h"
#include "report.h"
#include "secret.h"

#define NAME_TRIES	5
#define RESOLVE_TRIES	3	/* the blob endpoint's name, unresolved */
#define LEASE_TTL	3600
#define CONTAINER	"content"
#define PACKAGES	"packages"	/* the deployment package's */

enum prov_step {
	STEP_VALIDATE = 0,
	STEP_REGION,
	STEP_USAGE,
	STEP_NAME,
	STEP_STORAGE,
	STEP_CONTAINER,
	STEP_SERVICE,
	STEP_CERTIFICATE,
	STEP_PACKAGE,
	STEP_DEPLOY,
	STEP_READY,
	STEP__MAX
};

static const char *const step_names[STEP__MAX] = {
	"validate", "region", "usage", "name", "storage", "container",
	"service", "certificate", "package", "deploy", "ready"
};

struct prov {
	const struct prov_cfg	*cfg;
	struct loop		*loop;
	struct backend		*be;
	struct inventory	*inv;
	struct inv_dp		 dp;
	enum prov_step		 step;
	long long		 step_id;
	int			 done[STEP__MAX];
	int			 again[STEP__MAX];	/* begun before */
	char			 opid[64];	/* in flight, journaled */
	int			 tries;
	int			 failed;
	struct clouddp_err	 err;
	char			 inst_state[BACKEND_INSTANCES_MAX][32];
	struct loop_timer	*timer;
	struct http_multi	*multi;		/* Blob requests */
	struct blob_client	*blob;
	struct clouddp_buf	 pkg;		/* built-in package */
	char			 pkg_md5[25];	/* its Content-MD5 */
	long long		 pkg_size;
	char			 pkg_blob[64];
	char			 endpoint[512];	/* blob endpoint */
	char			 package_url[1024];	/* uploaded */
	double			 waited;	/* for the container */
	double			 step_started;	/* loop time */
	int			 unresolved;	/* blob endpoint, in a row */
	double			 t0;		/* loop_now() at cfg->now */
};

static void	 step_run(struct prov *);

/* What each step does, for the progress display. */
static const char *const step_doing[STEP__MAX] = {
	"checking the management certificate", "checking the region",
	"checking the subscription's quotas", "choosing a service name",
	"creating the storage account", "checking the content container",
	"creating the cloud service", "adding the service certificate",
	"uploading the package", "creating the deployment",
	"waiting for the deployment to be Ready"
};

static void
progress(struct prov *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Tell the progress callback where the run is. */
static void
progress(struct prov *p, const char *fmt, ...)
{
	struct prov_progress	 pp;
	const char		*inst[BACKEND_INSTANCES_MAX];
	char			 state[300];
	va_list			 ap;
	size_t			 n = 0;

	if (p->cfg->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	while (n < BACKEND_INSTANCES_MAX && p->inst_state[n][0] != '\0') {
		inst[n] = p->inst_state[n];
		n++;
	}
	memset(&pp, 0, sizeof(pp));
	pp.step = p->step < STEP__MAX ? step_names[p->step] : "done";
	pp.index = p->step < STEP__MAX ? (int)p->step + 1 : STEP__MAX;
	pp.nsteps = STEP__MAX;
	pp.state = state;
	pp.ninstances = n;
	pp.instances = inst;
	p->cfg->progress(p->cfg->progress_arg, &pp);
}

static void
plog(struct prov *p, enum log_type t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
plog(struct prov *p, enum log_type t, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;

	if (p->cfg->be.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_sink_write(p->cfg->be.log, t, line);
}

/* Unix time now: the main's, moved on by the monotonic clock. */
static long long
clock_at(const struct prov *p)
{
	return p->cfg->now + (long long)(loop_now() - p->t0);
}

static void
fail(struct prov *p, const struct clouddp_err *err)
{
	struct clouddp_err	 e;

	p->err = *err;
	p->failed = 1;
	plog(p, LOG_TYPE_ERROR, "%s: %s", step_names[p->step], err->what);
	if (p->step_id != 0) {
		p->dp.state = INV_STATE_FAILED;
		p->dp.updated = clock_at(p);
		/* Best effort: the error to report is the step's. */
		inventory_step_end(p->inv, p->step_id, "failed", &p->dp,
		    p->dp.updated, &e);
		p->step_id = 0;
	}
	loop_stop(p->loop);
}

/* The step succeeded: journal it with the DP as it now is, go on. */
static void
next(struct prov *p)
{
	struct clouddp_err	 err;

	p->dp.updated = clock_at(p);
	if (inventory_step_end(p->inv, p->step_id, "ok", &p->dp,
	    p->dp.updated, &err) == -1) {
		fail(p, &err);
		return;
	}
	p->step_id = 0;
	p->done[p->step] = 1;
	p->step++;
	step_run(p);
}

/*
 * A test hook, documented as one: CLOUDDP_TEST_KILL_AFTER_SEND=STEP
 * kills the process the moment STEP's request is accepted, before its
 * id is journaled, as a crash at that instant would; resume must then
 * find what the request made.
 */
static void
test_kill(const struct prov *p)
{
	const char	*s = getenv("CLOUDDP_TEST_KILL_AFTER_SEND");

	if (s != NULL && strcmp(s, step_names[p->step]) == 0)
		raise(SIGKILL);
}

static void
accepted(void *arg, const char *request_id)
{
	struct prov		*p = arg;
	struct clouddp_err	 err;

	test_kill(p);
	if (p->step_id != 0 && inventory_step_request(p->inv, p->step_id,
	    request_id, &err) == -1) {
		fail(p, &err);
		return;
	}
	progress(p, "operation %s accepted, waiting for it", request_id);
}

static void
on_validate(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov	*p = arg;

	(void)res;
	if (err != NULL) {
		fail(p, err);
		return;
	}
	plog(p, LOG_TYPE_INFO, "The management certificate is valid for "
	    "subscription %s", p->cfg->be.subscription);
	next(p);
}

static void
on_regions(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov				*p = arg;
	const struct backend_region_list	*l = res;
	struct clouddp_err			 e;
	size_t					 i;

	if (err != NULL) {
		fail(p, err);
		return;
	}
	for (i = 0; i < l->nregions; i++)
		if (strcmp(l->regions[i].name, p->dp.region) == 0 &&
		    l->regions[i].compute && l->regions[i].storage) {
			next(p);
			return;
		}
	clouddp_errf(&e, CLOUDDP_EUSAGE, "pass a region the subscription "
	    "offers with compute and storage, spelled as Azure lists it "
	    "(\"West Europe\")", "%s: not a region this subscription offers "
	    "for cloud services and storage", p->dp.region);
	fail(p, &e);
}

static void
on_usage(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov			*p = arg;
	const struct backend_usage	*u = res;
	struct clouddp_err		 e;
	const char			*what = NULL;

	if (err != NULL) {
		fail(p, err);
		return;
	}
	if (u->services_max >= 0 && u->services_used + 1 > u->services_max)
		what = "hosted services";
	else if (u->storage_max >= 0 && u->storage_used + 1 > u->storage_max)
		what = "storage accounts";
	else if (u->cores_max >= 0 && u->cores_used + p->dp.instances >
	    u->cores_max)
		what = "cores";
	if (what != NULL) {
		clouddp_errf(&e, CLOUDDP_EAPI, "free some, or ask for a higher "
		    "quota", "subscription %s has no room for another DP: "
		    "its %s quota is used up", p->cfg->be.subscription, what);
		fail(p, &e);
		return;
	}
	next(p);
}

/* 24 lower-case hex digits from the kernel's CSPRNG (spec 5.1). */
static int
random_name(char *buf, size_t len, struct clouddp_err *err)
{
	unsigned char	 r[12];
	size_t		 i;

	if (len < 25 || getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "no random bytes for the service name");
	for (i = 0; i < sizeof(r); i++)
		snprintf(buf + 2 * i, 3, "%02x", r[i]);
	return 0;
}

static void
on_name(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov		*p = arg;
	struct clouddp_err	 e;

	if (err != NULL) {
		fail(p, err);
		return;
	}
	if (*(const int *)res) {
		snprintf(p->dp.storage_account, sizeof(p->dp.storage_account),
		    "%s", p->dp.service_name);
		plog(p, LOG_TYPE_INFO, "Service name %s is available",
		    p->dp.service_name);
		next(p);
		return;
	}
	if (++p->tries >= NAME_TRIES) {
		clouddp_errf(&e, CLOUDDP_EAPI, "run again later", "no free "
		    "service name after %d tries", NAME_TRIES);
		fail(p, &e);
		return;
	}
	p->dp.service_name[0] = '\0';
	step_run(p);
}

static void
on_created(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov			*p = arg;
	const struct backend_created	*c = res;

	if (err != NULL) {
		fail(p, err);
		return;
	}
	plog(p, LOG_TYPE_INFO, "%s %s %s", step_names[p->step], c->name,
	    c->existed ? "was already there" : "created");
	/* The service certificate is in: its password is needed no more. */
	if (p->step == STEP_CERTIFICATE && p->cfg->service_password != NULL)
		secret_wipe(p->cfg->service_password,
		    strlen(p->cfg->service_password));
	next(p);
}

static void	 on_ready(void *, const struct clouddp_err *, const void *);

static void
ready_again(void *arg)
{
	struct prov		*p = arg;
	struct clouddp_err	 err;

	p->timer = NULL;
	if (p->be->ops->poll(p->be, p->dp.service_name, on_ready, p,
	    &err) == -1)
		fail(p, &err);
}


/* --timeout, the longest one step may wait. */
static double
limit(const struct prov *p)
{
	return p->cfg->be.timeout > 0 ? p->cfg->be.timeout : 1800;
}

static double	 interval(const struct prov *);

/*
 * Not Ready yet: poll again, unless --timeout would pass first; then
 * say what the deployment and its instances were doing.
 */
static int
ready_later(struct prov *p, const struct backend_deployment *d,
    struct clouddp_err *err)
{
	char	 states[300];
	size_t	 i, n;

	if (loop_now() - p->step_started + interval(p) <= limit(p)) {
		p->timer = loop_timer_add(p->loop, interval(p), ready_again,
		    p, err);
		return p->timer != NULL ? 0 : -1;
	}
	n = (size_t)snprintf(states, sizeof(states), "%s", d->status != NULL ?
	    d->status : "no status");
	for (i = 0; i < d->ninstances && n < sizeof(states); i++)
		n += (size_t)snprintf(states + n, sizeof(states) - n, "%s %s",
		    i == 0 ? ", instances" : ",", d->instance_status[i]);
	return clouddp_errf(err, CLOUDDP_ETIMEOUT, "raise --timeout, or "
	    "resume later; an instance that stays busy needs its role "
	    "checked", "deployment %s not Ready after %.0f s (--timeout): %s",
	    p->dp.service_name, loop_now() - p->step_started, states);
}

static void
log_instances(struct prov *p, const struct backend_deployment *d)
{
	size_t	 i;

	for (i = 0; i < d->ninstances; i++) {
		if (strcmp(p->inst_state[i], d->instance_status[i]) == 0)
			continue;
		snprintf(p->inst_state[i], sizeof(p->inst_state[i]), "%s",
		    d->instance_status[i]);
		plog(p, LOG_TYPE_INFO, "Deployment instance status for "
		    "service %s is %s.", p->dp.service_name,
		    d->instance_status[i]);
	}
}

static void
on_ready(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov				*p = arg;
	const struct backend_deployment		*d = res;
	struct clouddp_err			 e;

	if (err != NULL) {
		fail(p, err);
		return;
	}
	log_instances(p, d);
	progress(p, "deployment %s", d->status != NULL ? d->status : "?");
	if (!d->ready) {
		if (ready_later(p, d, &e) == -1)
			fail(p, &e);
		return;
	}
	snprintf(p->dp.azure_fqdn, sizeof(p->dp.azure_fqdn), "%s",
	    d->fqdn != NULL ? d->fqdn : "");
	snprintf(p->dp.vip, sizeof(p->dp.vip), "%s",
	    d->vip != NULL ? d->vip : "");
	p->dp.state = INV_STATE_READY;
	plog(p, LOG_TYPE_INFO, "STATMSG: ID=9409 SEV=I "
	    "COMP=SMS_CLOUD_SERVICES_MANAGER: cloud distribution point %s "
	    "is ready: %s, VIP %s", p->dp.name, p->dp.azure_fqdn, p->dp.vip);
	next(p);
}

/*
 * The content container, as ConfigMgr does it: ask "does it exist?"
 * every poll interval until the storage endpoint answers, create it
 * when it does not, and go on once it is there.
 */
static void	 container_check(struct prov *);

static double
interval(const struct prov *p)
{
	return p->cfg->be.poll_interval > 0 ? p->cfg->be.poll_interval : 10;
}

static void
container_again(void *arg)
{
	struct prov	*p = arg;

	p->timer = NULL;
	container_check(p);
}

static void
container_wait(struct prov *p, const struct clouddp_err *why)
{
	struct clouddp_err	 e;
	double			 d = interval(p);

	/* A name that does not resolve will not soon: a few tries only. */
	p->unresolved = why->code == CLOUDDP_EDNS ? p->unresolved + 1 : 0;
	if (p->unresolved >= RESOLVE_TRIES) {
		clouddp_errf(&e, CLOUDDP_EDNS, "check the storage account's "
		    "blob endpoint, the resolver and any proxy, then resume",
		    "container %s: %s, %d tries", CONTAINER, why->what,
		    p->unresolved);
		fail(p, &e);
		return;
	}
	if (loop_now() - p->step_started + d > limit(p)) {
		clouddp_errf(&e, CLOUDDP_ETIMEOUT, "check the storage "
		    "account's blob endpoint, then resume", "container %s: "
		    "no answer after %.0f seconds: %s", CONTAINER,
		    loop_now() - p->step_started, why->what);
		fail(p, &e);
		return;
	}
	p->waited += d;
	plog(p, LOG_TYPE_INFO, "Waiting for check if container exists. "
	    "Will check again in %.0f seconds", d);
	progress(p, "the blob endpoint does not answer yet; again in %.0f s",
	    d);
	p->timer = loop_timer_add(p->loop, d, container_again, p, &e);
	if (p->timer == NULL)
		fail(p, &e);
}

static void
on_container_made(void *arg, const struct clouddp_err *err,
    const struct blob_result *res)
{
	struct prov	*p = arg;

	if (err != NULL && res != NULL && res->status == 409) {
		container_check(p);
		return;
	}
	if (err != NULL && (res == NULL || res->status == 0 ||
	    res->status >= 500)) {
		container_wait(p, err);
		return;
	}
	if (err != NULL) {
		fail(p, err);
		return;
	}
	plog(p, LOG_TYPE_INFO, "Created container %s", CONTAINER);
	container_check(p);
}

static void
on_container(void *arg, const struct clouddp_err *err,
    const struct blob_result *res)
{
	struct prov		*p = arg;
	struct clouddp_err	 e;

	if (err != NULL && (res == NULL || res->status == 0 ||
	    res->status >= 500)) {
		container_wait(p, err);
		return;
	}
	if (err != NULL) {
		fail(p, err);
		return;
	}
	if (res->found) {
		plog(p, LOG_TYPE_INFO, "Container %s exists", CONTAINER);
		next(p);
		return;
	}
	if (blob_container_create(p->blob, CONTAINER, on_container_made, p,
	    &e) == -1)
		fail(p, &e);
}

static void
container_check(struct prov *p)
{
	struct clouddp_err	 e;

	if (blob_container_exists(p->blob, CONTAINER, on_container, p,
	    &e) == -1)
		fail(p, &e);
}


static void	 package_start(struct prov *);

static void
on_keys(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov			*p = arg;
	const struct backend_storage	*st = res;
	struct blob_cfg			 bc;
	struct clouddp_err		 e;
	char				 account[64];

	if (err != NULL) {
		fail(p, err);
		return;
	}
	if (st->endpoint[0] == '\0' || st->key[0] == '\0') {
		clouddp_errf(&e, CLOUDDP_EAPI, "check the storage account in "
		    "the portal", "storage account %s: no blob endpoint or "
		    "key", p->dp.storage_account);
		fail(p, &e);
		return;
	}
	blob_endpoint_account(st->endpoint, account, sizeof(account));
	memset(&bc, 0, sizeof(bc));
	bc.endpoint = st->endpoint;
	bc.account = account;
	bc.key = st->key;
	bc.cacert = p->cfg->be.cacert;
	/* No Blob request outlives --timeout. */
	bc.timeout = limit(p) < 60 ? limit(p) : 0;
	bc.proxy = p->cfg->be.proxy;
	bc.proxy_password = p->cfg->be.proxy_password;
	if (p->multi == NULL)
		p->multi = http_multi_new(p->loop, &e);
	if (p->multi == NULL) {
		fail(p, &e);
		return;
	}
	blob_client_free(p->blob);
	p->blob = blob_client_new(p->multi, &bc, &e);
	if (p->blob == NULL) {
		fail(p, &e);
		return;
	}
	plog(p, LOG_TYPE_INFO, "Storage account %s: blob endpoint %s",
	    p->dp.storage_account, st->endpoint);
	snprintf(p->endpoint, sizeof(p->endpoint), "%s", st->endpoint);
	if (p->step == STEP_CONTAINER)
		container_check(p);
	else
		package_start(p);
}

/*
 * The deployment package: the file --package names, or the back end's
 * built-in one, uploaded once to the "packages" container of the DP's
 * storage account as NAME.cspkg.  A blob already there with the same
 * size and Content-MD5 is not sent again, so the step can always be
 * repeated; the deploy step repeats it when a resumed run has no
 * package URL yet.  Its MD5 is taken before anything is asked of Azure.
 */
static int	 deploy_call(struct prov *, struct clouddp_err *);

static int
package_prepare(struct prov *p, struct clouddp_err *err)
{
	const char	*path = p->cfg->package;
	char		 magic[4];
	FILE		*fp;
	size_t		 n = 0;

	if (path == NULL) {
		if (p->be->ops->package == NULL ||
		    p->be->ops->package(p->be, &p->pkg, err) == -1)
			return -1;
	} else {
		fp = fopen(path, "rb");
		if (fp != NULL) {
			n = fread(magic, 1, sizeof(magic), fp);
			fclose(fp);
		}
		if (fp != NULL && (n < 4 || memcmp(magic, "PK\3\4", 4) != 0))
			return clouddp_errf(err, CLOUDDP_EINPUT, "give the "
			    "cloud service package (.cspkg) to deploy",
			    "%s: not a .cspkg (no ZIP archive)", path);
	}
	return blob_content_md5(path, p->pkg.data, p->pkg.len, p->pkg_md5,
	    &p->pkg_size, err);
}

/* The package is in place: record its URL, go on with the step. */
static void
package_done(struct prov *p)
{
	struct clouddp_err	 e;
	size_t			 n = strlen(p->endpoint);

	while (n > 0 && p->endpoint[n - 1] == '/')
		n--;
	snprintf(p->package_url, sizeof(p->package_url), "%.*s/%s/%s",
	    (int)n, p->endpoint, PACKAGES, p->pkg_blob);
	if (p->step == STEP_PACKAGE) {
		next(p);
		return;
	}
	if (deploy_call(p, &e) == -1)
		fail(p, &e);
}

static void
on_package_put(void *arg, const struct clouddp_err *err,
    const struct blob_result *res)
{
	struct prov	*p = arg;

	(void)res;
	if (err != NULL) {
		fail(p, err);
		return;
	}
	plog(p, LOG_TYPE_INFO, "Uploaded package %s/%s (%lld bytes, "
	    "Content-MD5 %s)", PACKAGES, p->pkg_blob, p->pkg_size,
	    p->pkg_md5);
	package_done(p);
}

static void
on_package_head(void *arg, const struct clouddp_err *err,
    const struct blob_result *res)
{
	struct prov		*p = arg;
	struct blob_put		 put;
	struct clouddp_err	 e;

	if (err != NULL) {
		fail(p, err);
		return;
	}
	if (res->found && res->size == p->pkg_size &&
	    res->content_md5 != NULL &&
	    strcmp(res->content_md5, p->pkg_md5) == 0) {
		plog(p, LOG_TYPE_INFO, "Package %s/%s is already uploaded "
		    "(same size and Content-MD5)", PACKAGES, p->pkg_blob);
		package_done(p);
		return;
	}
	plog(p, LOG_TYPE_INFO, "Uploading package %s (%lld bytes) to %s/%s",
	    p->cfg->package != NULL ? p->cfg->package : "(built in)",
	    p->pkg_size, PACKAGES, p->pkg_blob);
	memset(&put, 0, sizeof(put));
	put.container = PACKAGES;
	put.blob = p->pkg_blob;
	put.path = p->cfg->package;
	put.data = p->pkg.data;
	put.len = p->pkg.len;
	put.content_md5 = p->pkg_md5;
	if (blob_put(p->blob, &put, on_package_put, p, &e) == -1)
		fail(p, &e);
}

static void
on_packages(void *arg, const struct clouddp_err *err,
    const struct blob_result *res)
{
	struct prov		*p = arg;
	struct clouddp_err	 e;

	/* 409: the container is there already, from an earlier run. */
	if (err != NULL && (res == NULL || res->status != 409)) {
		fail(p, err);
		return;
	}
	if (blob_head(p->blob, PACKAGES, p->pkg_blob, on_package_head, p,
	    &e) == -1)
		fail(p, &e);
}

static void
package_start(struct prov *p)
{
	struct clouddp_err	 e;
	int			 rc;

	snprintf(p->pkg_blob, sizeof(p->pkg_blob), "%s.cspkg",
	    p->dp.service_name);
	if (p->blob == NULL)
		rc = p->be->ops->storage_keys(p->be, p->dp.storage_account,
		    on_keys, p, &e);
	else
		rc = blob_container_create(p->blob, PACKAGES, on_packages, p,
		    &e);
	if (rc == -1)
		fail(p, &e);
}

static int
deploy_call(struct prov *p, struct clouddp_err *err)
{
	struct backend_deploy_spec	 d;

	memset(&d, 0, sizeof(d));
	d.service = p->dp.service_name;
	d.label = p->dp.name;
	d.package_url = p->package_url;
	d.thumbprint = p->dp.service_thumbprint;
	d.instances = p->dp.instances;
	return p->be->ops->deploy(p->be, &d, on_created, p, err);
}

/* The resource a create step makes; -1 for the other steps. */
static int
step_kind(enum prov_step s)
{
	switch (s) {
	case STEP_STORAGE:
		return BACKEND_STORAGE;
	case STEP_SERVICE:
		return BACKEND_SERVICE;
	case STEP_CERTIFICATE:
		return BACKEND_CERTIFICATE;
	case STEP_DEPLOY:
		return BACKEND_DEPLOYMENT;
	default:
		return -1;
	}
}

static int	 step_call(struct prov *, struct clouddp_err *);

static void
on_probed(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov			*p = arg;
	const struct backend_created	*c = res;
	struct clouddp_err		 e;

	if (err != NULL) {
		fail(p, err);
		return;
	}
	p->again[p->step] = 0;
	if (c->existed) {
		plog(p, LOG_TYPE_INFO, "%s %s was already there: an earlier "
		    "run made it", step_names[p->step], c->name);
		next(p);
		return;
	}
	if (step_call(p, &e) == -1)
		fail(p, &e);
}

/*
 * A create step that an earlier run began and never saw end may have
 * made its resource (its answer lost with the run): look before asking
 * again, so that there is never a second one.
 */
static int
probe(struct prov *p, struct clouddp_err *err)
{
	struct backend_probe	 q;

	memset(&q, 0, sizeof(q));
	q.kind = (enum backend_kind)step_kind(p->step);
	q.name = q.kind == BACKEND_STORAGE ? p->dp.storage_account :
	    p->dp.service_name;
	q.region = p->dp.region;
	q.thumbprint = p->dp.service_thumbprint;
	plog(p, LOG_TYPE_INFO, "%s: begun by an earlier run; looking for "
	    "what it made", step_names[p->step]);
	return p->be->ops->exists(p->be, &q, on_probed, p, err);
}

/* Issue the current step's back-end call.  -1: err filled. */
static int
step_call(struct prov *p, struct clouddp_err *err)
{
	const struct backend_ops	*o = p->be->ops;

	if (p->again[p->step] && step_kind(p->step) >= 0)
		return probe(p, err);
	switch (p->step) {
	case STEP_VALIDATE:
		return o->validate(p->be, on_validate, p, err);
	case STEP_REGION:
		return o->regions(p->be, on_regions, p, err);
	case STEP_USAGE:
		return o->usage(p->be, on_usage, p, err);
	case STEP_NAME:
		if (p->dp.service_name[0] == '\0' && random_name(
		    p->dp.service_name, sizeof(p->dp.service_name), err) == -1)
			return -1;
		return o->name_free(p->be, p->dp.service_name, on_name, p, err);
	case STEP_STORAGE:
		return o->storage_create(p->be, p->dp.storage_account,
		    p->dp.region, on_created, p, err);
	case STEP_CONTAINER:
		p->waited = 0;
		p->unresolved = 0;
		return o->storage_keys(p->be, p->dp.storage_account, on_keys,
		    p, err);
	case STEP_SERVICE:
		return o->service_create(p->be, p->dp.service_name,
		    p->dp.region, on_created, p, err);
	case STEP_CERTIFICATE:
		return o->cert_add(p->be, p->dp.service_name,
		    p->cfg->service_pfx, p->cfg->service_password, on_created,
		    p, err);
	case STEP_PACKAGE:
		package_start(p);
		return 0;
	case STEP_DEPLOY:
		if (p->package_url[0] != '\0')
			return deploy_call(p, err);
		package_start(p);
		return 0;
	case STEP_READY:
		return o->poll(p->be, p->dp.service_name, on_ready, p, err);
	default:
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL, "bad step");
	}
}

static void
step_run(struct prov *p)
{
	struct clouddp_err	 err;

	while (p->step < STEP__MAX && p->done[p->step])
		p->step++;
	if (p->step == STEP__MAX) {
		progress(p, "Ready");
		loop_stop(p->loop);
		return;
	}
	/* Renew the lease: a long run must not lose it halfway. */
	if (inventory_lease_take(p->inv, p->dp.name, p->cfg->owner,
	    clock_at(p), LEASE_TTL, &err) == -1 || (p->step_id == 0 &&
	    inventory_step_begin(p->inv, p->dp.name, step_names[p->step],
	    clock_at(p), &p->step_id, &err) == -1)) {
		fail(p, &err);
		return;
	}
	if (p->dp.state == INV_STATE_NEW || p->dp.state == INV_STATE_FAILED)
		p->dp.state = INV_STATE_PROVISIONING;
	p->step_started = loop_now();
	progress(p, "%s", step_doing[p->step] != NULL ? step_doing[p->step] :
	    "started");
	if (step_call(p, &err) == -1)
		fail(p, &err);
}

static void
on_waited(void *arg, const struct clouddp_err *err, const void *res)
{
	struct prov	*p = arg;

	(void)res;
	/*
	 * Succeeded or failed, the step runs again: a create step looks
	 * for its resource first and makes it only when it is missing.
	 */
	if (err != NULL)
		plog(p, LOG_TYPE_WARNING, "%s: the earlier operation: %s",
		    step_names[p->step], err->what);
	step_run(p);
}

/*
 * Mark the steps the journal has as done, and those begun but never
 * ended ok (killed, or failed) as begun before; find the one left in
 * flight and the operation it journaled, if any.
 */
static int
replay(struct prov *p, struct clouddp_err *err)
{
	struct inv_step	*steps = NULL;
	size_t		 n = 0, i;
	int		 k;

	p->opid[0] = '\0';
	if (inventory_step_list(p->inv, p->dp.name, &steps, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		for (k = 0; k < STEP__MAX; k++) {
			if (strcmp(steps[i].step, step_names[k]) != 0)
				continue;
			if (strcmp(steps[i].outcome, "ok") == 0)
				p->done[k] = 1;
			else
				p->again[k] = 1;
			if (steps[i].ended == 0 && !p->done[k] &&
			    i == n - 1) {
				p->step = k;
				p->step_id = steps[i].id;
				snprintf(p->opid, sizeof(p->opid), "%s",
				    steps[i].request_id);
			}
		}
	free(steps);
	/* Validation is cheap and says whether the credential still works. */
	p->done[STEP_VALIDATE] = p->done[STEP_REGION] = 0;
	p->done[STEP_USAGE] = p->done[STEP_USAGE] && p->done[STEP_STORAGE];
	return 0;
}

/* The service certificate decides the Service FQDN and thumbprint. */
static int
service_cert(const struct prov_cfg *cfg, struct inv_dp *dp,
    struct clouddp_err *err)
{
	struct cert_finding	 f;
	char			 thumb[41];

	memset(&f, 0, sizeof(f));
	cert_check_service_name(cfg->service, cfg->fqdn, dp->service_fqdn,
	    sizeof(dp->service_fqdn), &f);
	if (f.status == CLOUDDP_STATUS_CRITICAL || dp->service_fqdn[0] == '\0')
		return clouddp_errf(err, CLOUDDP_ECERT, "check the service "
		    "certificate with clouddp-cert", "service certificate: %s",
		    f.message);
	cert_thumbprint_sha1(cfg->service, thumb);
	snprintf(dp->service_thumbprint, sizeof(dp->service_thumbprint),
	    "%s", thumb);
	return 0;
}

static void
dp_from_cfg(const struct prov_cfg *cfg, struct inv_dp *dp)
{
	memset(dp, 0, sizeof(*dp));
	snprintf(dp->name, sizeof(dp->name), "%s", cfg->name);
	snprintf(dp->backend, sizeof(dp->backend), "%s",
	    cfg->backend != NULL ? cfg->backend : "asm");
	snprintf(dp->subscription, sizeof(dp->subscription), "%s",
	    cfg->be.subscription);
	snprintf(dp->region, sizeof(dp->region), "%s", cfg->region);
	dp->instances = cfg->instances;
	dp->storage_quota_gb = cfg->storage_quota_gb;
	dp->storage_warning = cfg->storage_warning;
	dp->storage_critical = cfg->storage_critical;
	dp->transfer_quota_gb = cfg->transfer_quota_gb;
	dp->transfer_warning = cfg->transfer_warning;
	dp->transfer_critical = cfg->transfer_critical;
	dp->state = INV_STATE_NEW;
	dp->created = dp->updated = cfg->now;
}

static int
dp_report(const struct inv_dp *dp, struct report_obj *o)
{
	const char	*st = inventory_state_name(dp->state);

	if (report_obj_set_str(o, "name", dp->name) == -1 ||
	    report_obj_set_str(o, "backend", dp->backend) == -1 ||
	    report_obj_set_str(o, "subscription", dp->subscription) == -1 ||
	    report_obj_set_str(o, "region", dp->region) == -1 ||
	    report_obj_set_str(o, "service_name", dp->service_name) == -1 ||
	    report_obj_set_str(o, "service_fqdn", dp->service_fqdn) == -1 ||
	    report_obj_set_str(o, "azure_fqdn", dp->azure_fqdn) == -1 ||
	    report_obj_set_str(o, "vip", dp->vip) == -1 ||
	    report_obj_set_str(o, "service_thumbprint",
	    dp->service_thumbprint) == -1 ||
	    report_obj_set_int(o, "instances", dp->instances) == -1 ||
	    report_obj_set_int(o, "storage_quota_gb",
	    dp->storage_quota_gb) == -1 ||
	    report_obj_set_int(o, "transfer_quota_gb",
	    dp->transfer_quota_gb) == -1 ||
	    report_obj_set_str(o, "state", st != NULL ? st : "") == -1)
		return -1;
	return 0;
}

/* The DP's record and, once Ready, the CNAME the DNS admin needs. */
static int
report_ready(const struct inv_dp *dp, int changed, struct report *r,
    struct clouddp_err *err)
{
	struct report_obj	*root = report_root(r);
	char			 cname[600], cmd[700];

	if (dp_report(dp, root) == -1 ||
	    report_obj_set_bool(root, "changed", changed) == -1)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	if (dp->state != INV_STATE_READY)
		return 0;
	snprintf(cname, sizeof(cname), "%s. IN CNAME %s.", dp->service_fqdn,
	    dp->azure_fqdn);
	snprintf(cmd, sizeof(cmd), "clouddp-cname --fqdn %s --target %s",
	    dp->service_fqdn, dp->azure_fqdn);
	if (report_obj_set_str(root, "cname", cname) == -1 ||
	    report_obj_set_str(root, "cname_command", cmd) == -1 ||
	    report_check(r, "provisioning", CLOUDDP_STATUS_OK, "%s is Ready: "
	    "%s, VIP %s", dp->name, dp->azure_fqdn, dp->vip) == -1)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	report_summary(r, "%s Ready at %s (%s)", dp->name, dp->azure_fqdn,
	    dp->vip);
	return 0;
}

/* Run the steps left on the loop; p's inventory and DP are set. */
static int
drive(struct prov *p, struct clouddp_err *err)
{
	struct backend_cfg	 bc = p->cfg->be;

	bc.on_accepted = accepted;
	bc.accepted_arg = p;
	if (replay(p, err) == -1)
		return -1;
	p->loop = loop_new(err);
	if (p->loop == NULL)
		return -1;
	p->be = backend_new(p->dp.backend, p->loop, &bc, err);
	if (p->be == NULL || package_prepare(p, err) == -1)
		return -1;
	if (p->opid[0] != '\0') {
		plog(p, LOG_TYPE_INFO, "Resuming %s: polling operation %s",
		    step_names[p->step], p->opid);
		if (p->be->ops->wait(p->be, p->opid, on_waited, p, err) == -1)
			return -1;
	} else
		step_run(p);
	if (!p->failed && loop_run(p->loop, 0, err) == -1)
		return -1;
	if (p->failed) {
		*err = p->err;
		return -1;
	}
	return 0;
}

/* Take the DP's lease, or that of a run on this host that is gone. */
static int
lease(struct prov *p, struct clouddp_err *err)
{
	struct inv_lease	 l;

	memset(&l, 0, sizeof(l));
	l.dp = p->cfg->name;
	l.owner = p->cfg->owner;
	l.now = p->cfg->now;
	l.ttl = LEASE_TTL;
	if (inventory_lease_claim(p->inv, &l, err) == -1)
		return -1;
	if (l.was[0] != '\0')
		plog(p, LOG_TYPE_WARNING, "%s: taking over the lease of %s, "
		    "which is gone", l.dp, l.was);
	return 0;
}

static int
run_steps(const struct prov_cfg *cfg, int must_exist, struct report *r,
    struct clouddp_err *err)
{
	struct prov		 p;
	struct clouddp_err	 e;
	int			 found, ret = -1, leased = 0;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.t0 = loop_now();
	p.inv = must_exist ? inventory_open_existing(cfg->db, err) :
	    inventory_open(cfg->db, err);
	if (p.inv == NULL)
		return -1;
	found = inventory_dp_get(p.inv, cfg->name, &p.dp, err);
	if (found == -1)
		goto out;
	if (found == 1 && must_exist) {
		clouddp_errf(err, CLOUDDP_EUSAGE, "create it first, or list "
		    "the DPs with clouddp-provision list", "%s: no such DP in "
		    "the inventory", cfg->name);
		goto out;
	}
	/* No room to journal it: say so before anything is made. */
	if ((found == 1 || p.dp.state != INV_STATE_READY) &&
	    inventory_room(p.inv, err) == -1)
		goto out;
	if (found == 1) {
		dp_from_cfg(cfg, &p.dp);
		if (service_cert(cfg, &p.dp, err) == -1)
			goto out;
		/* Another create of this DP added it first: its lease says. */
		if (inventory_dp_add(p.inv, &p.dp, err) == -1 &&
		    (err->code != CLOUDDP_ECONFLICT || inventory_dp_get(p.inv,
		    cfg->name, &p.dp, err) != 0))
			goto out;
	}
	if (p.dp.state == INV_STATE_READY) {
		ret = report_ready(&p.dp, 0, r, err);
		goto out;
	}
	if (cfg->service_pfx == NULL) {
		clouddp_errf(err, CLOUDDP_EUSAGE, "pass --service-pfx",
		    "%s: the service certificate is needed to go on",
		    cfg->name);
		goto out;
	}
	if (lease(&p, err) == -1)
		goto out;
	leased = 1;
	if (drive(&p, err) == 0)
		ret = report_ready(&p.dp, 1, r, err);
	else
		report_check(r, "provisioning", CLOUDDP_STATUS_CRITICAL,
		    "%s: %s", step_names[p.step], err->what);
out:
	if (leased)
		inventory_lease_drop(p.inv, cfg->name, cfg->owner, &e);
	blob_client_free(p.blob);
	clouddp_buf_free(&p.pkg);
	if (p.multi != NULL)
		http_multi_free(p.multi);
	backend_free(p.be);
	loop_free(p.loop);
	inventory_free(p.inv);
	return ret;
}

int
provision_create(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	return run_steps(cfg, 0, r, err);
}

int
provision_resume(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	return run_steps(cfg, 1, r, err);
}

int
provision_list(const struct prov_cfg *cfg, struct report *r,
    struct clouddp_err *err)
{
	struct inventory	*inv;
	struct inv_dp		*dps = NULL;
	struct report_obj	*arr = NULL, *o;
	size_t			 n = 0, i;
	int			 ret = -1;

	inv = inventory_open_existing(cfg->db, err);
	if (inv == NULL)
		return -1;
	if (inventory_dp_list(inv, &dps, &n, err) == -1)
		goto out;
	arr = report_arr_new();
	if (arr == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		if (cfg->name != NULL && strcmp(cfg->name, dps[i].name) != 0)
			continue;
		o = report_obj_new();
		if (o == NULL || dp_report(&dps[i], o) == -1 ||
		    report_arr_append(arr, o) == -1 ||
		    report_check(r, dps[i].name, CLOUDDP_STATUS_OK, "%s %s %s "
		    "%s", inventory_state_name(dps[i].state), dps[i].region,
		    dps[i].azure_fqdn[0] != '\0' ? dps[i].azure_fqdn : "-",
		    dps[i].vip[0] != '\0' ? dps[i].vip : "-") == -1)
			goto nomem;
	}
	if (report_obj_set(report_root(r), "dps", arr) == -1) {
		arr = NULL;
		goto nomem;
	}
	arr = NULL;
	report_summary(r, "%zu DPs in the inventory", n);
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
