/*
 * The emulator's resource model: records, their clocks, quotas and
 * operations.  It never reads the clock (every call takes now), never
 * prints and knows nothing of HTTP: the front end maps enum emu_error
 * to the wire.  States are derived from when a phase began and the
 * configured delays; emu_model_tick() moves records past each threshold
 * and fires the hooks in order.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"
#include "clouddp.h"
#include "emu/model.h"
#include "secret.h"
#include "xml.h"

#define DEFAULT_MAX_HOSTED	20
#define DEFAULT_MAX_STORAGE	100
#define DEFAULT_MAX_CORES	20

/* A package check the hook has not answered yet. */
struct package_wait {
	struct emu_model	*model;
	unsigned long		 serial;
	struct package_wait	*next;
};

/* A growable array of record pointers. */
struct vec {
	void	**v;
	size_t	  n, cap;
};

struct emu_model {
	struct emu_subscription	 sub;
	char			*sub_id;
	char			*sub_name;
	char			**regions;
	size_t			 nregions;
	char			*blob_endpoint;
	char			*blob_key;
	double			 delay[EMU_STEP__MAX];
	char			**thumbprints;
	size_t			 nthumbprints;
	uint32_t		 vip_base;	/* host order */
	uint32_t		 vip_count;
	unsigned char		*vip_used;
	uint64_t		 rng;
	struct vec		 services, storages, certs, deploys, ops;
	struct emu_hooks	 hooks;
	struct package_wait	*waits;
	unsigned long		 serial;
};

/* Extra per-deployment bookkeeping kept beside the public record. */
struct deploy_priv {
	struct emu_deployment	 pub;
	unsigned long		 serial;
	char			 op[33];
	int			 announced;	/* enum emu_event + 1, 0 */
};

static const char *const step_names[EMU_STEP__MAX] = {
	"operation", "storage-creating", "storage-dns", "deploying",
	"role-unknown", "creating-vm", "starting-vm", "busy-role",
	"instance-skew", "suspend", "delete"
};
static const double step_defaults[EMU_STEP__MAX] = {
	2, 3, 2, 6, 1, 2, 2, 3, 1, 2, 2
};
static const char *const storage_names[EMU_STORAGE__MAX] = {
	"Creating", "ResolvingDns", "Created"
};
static const char *const deploy_names[EMU_DEPLOY__MAX] = {
	"Deploying", "Running", "Suspended", "Suspending", "Starting",
	"Deleting"
};
static const char *const instance_names[EMU_INSTANCE__MAX] = {
	"RoleStateUnknown", "CreatingVM", "StartingVM", "BusyRole",
	"ReadyRole", "StoppedVM"
};
static const char *const op_names[EMU_OP__MAX] = {
	"InProgress", "Succeeded", "Failed"
};
static const char *const slot_names[EMU_SLOT__MAX] = {
	"Production", "Staging"
};
static const char *const default_regions[] = {
	"West US", "East US", "North Europe", "West Europe",
	"South Central US", "East Asia"
};

const char *
emu_step_name(enum emu_step s)
{
	return (unsigned)s < EMU_STEP__MAX ? step_names[s] : NULL;
}

int
emu_step_find(const char *name)
{
	int	 i;

	for (i = 0; i < EMU_STEP__MAX; i++)
		if (strcmp(step_names[i], name) == 0)
			return i;
	return -1;
}

const char *
emu_storage_state_name(enum emu_storage_state s)
{
	return (unsigned)s < EMU_STORAGE__MAX ? storage_names[s] : "?";
}

const char *
emu_deploy_state_name(enum emu_deploy_state s)
{
	return (unsigned)s < EMU_DEPLOY__MAX ? deploy_names[s] : "?";
}

const char *
emu_instance_state_name(enum emu_instance_state s)
{
	return (unsigned)s < EMU_INSTANCE__MAX ? instance_names[s] : "?";
}

const char *
emu_op_state_name(enum emu_op_state s)
{
	return (unsigned)s < EMU_OP__MAX ? op_names[s] : "?";
}

const char *
emu_slot_name(enum emu_slot s)
{
	return (unsigned)s < EMU_SLOT__MAX ? slot_names[s] : "?";
}

int
emu_slot_find(const char *name)
{
	int	 i;

	for (i = 0; i < EMU_SLOT__MAX; i++)
		if (strcasecmp(slot_names[i], name) == 0)
			return i;
	return -1;
}

void
emu_config_defaults(struct emu_config *cfg)
{
	int	 i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < EMU_STEP__MAX; i++)
		cfg->delay[i] = step_defaults[i];
	cfg->seed = 1;
}

/* Helpers ------------------------------------------------------------ */

static int
fail(struct emu_status *st, enum emu_error e, int http, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct emu_status *st, enum emu_error e, int http, const char *fmt,
    ...)
{
	va_list	 ap;

	st->error = e;
	st->http = http;
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
	return -1;
}

static int
nomem(struct emu_status *st)
{
	return fail(st, EMU_EINTERNAL, 500, "The server encountered an "
	    "internal error. Please retry the request.");
}

static int
vec_push(struct vec *v, void *p)
{
	void	**nv;
	size_t	  cap;

	if (v->n == v->cap) {
		cap = v->cap == 0 ? 8 : v->cap * 2;
		nv = realloc(v->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return 0;
}

static void
vec_remove(struct vec *v, size_t i)
{
	memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(*v->v));
	v->n--;
}

static char *
dup_or_null(const char *s, int *bad)
{
	char	*d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*bad = 1;
	return d;
}

static uint64_t
rng_next(struct emu_model *m)
{
	/* xorshift64*: deterministic under --seed, good enough for ids. */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 2685821657736338717ULL;
}

static void
rng_hex(struct emu_model *m, char *out, size_t nchars)
{
	static const char	 hex[] = "0123456789abcdef";
	uint64_t		 r = 0;
	size_t			 i;

	for (i = 0; i < nchars; i++) {
		if (i % 16 == 0)
			r = rng_next(m);
		out[i] = hex[r & 0xf];
		r >>= 4;
	}
	out[nchars] = '\0';
}

/* Base64 of 64 random bytes: 88 characters, as Azure's keys are. */
static char *
rng_key(struct emu_model *m)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char		 raw[66];
	char			*out;
	size_t			 i, o = 0;

	for (i = 0; i < 64; i++)
		raw[i] = (unsigned char)(rng_next(m) >> 32);
	raw[64] = raw[65] = 0;
	out = malloc(89);
	if (out == NULL)
		return NULL;
	for (i = 0; i < 66; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 |
		    (uint32_t)raw[i + 1] << 8 | raw[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	out[86] = out[87] = '=';
	out[88] = '\0';
	return out;
}

static void
props_free(struct emu_prop *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
}

static int
props_copy(struct emu_prop *dst, size_t *ndst, const struct emu_prop *src,
    size_t n)
{
	size_t	 i;
	int	 bad = 0;

	if (n > EMU_PROPS_MAX)
		n = EMU_PROPS_MAX;
	for (i = 0; i < n; i++) {
		dst[i].name = dup_or_null(src[i].name, &bad);
		dst[i].value = dup_or_null(src[i].value, &bad);
	}
	*ndst = n;
	return bad ? -1 : 0;
}

/* Model -------------------------------------------------------------- */

static int
vip_pool_parse(struct emu_model *m, const char *pool,
    struct clouddp_err *err)
{
	unsigned	 a, b, c, d, bits;
	char		 tail;

	if (pool == NULL)
		pool = "127.0.0.16/28";
	if (sscanf(pool, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &bits,
	    &tail) != 5 || a > 255 || b > 255 || c > 255 || d > 255 ||
	    bits < 16 || bits > 32)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give an IPv4 prefix of /16 to /32, e.g. 127.0.0.16/28",
		    "--vip-pool %s: not an IPv4 CIDR prefix", pool);
	m->vip_count = bits == 32 ? 1 : 1U << (32 - bits);
	m->vip_base = (a << 24 | b << 16 | c << 8 | d) &
	    (bits == 32 ? 0xffffffffU : ~(m->vip_count - 1));
	m->vip_used = calloc(m->vip_count, 1);
	if (m->vip_used == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	return 0;
}

static int
model_copy_config(struct emu_model *m, const struct emu_config *cfg)
{
	const char *const	*regions = cfg->regions;
	size_t			 i, n = cfg->nregions;
	int			 bad = 0;

	if (regions == NULL) {
		regions = default_regions;
		n = sizeof(default_regions) / sizeof(default_regions[0]);
	}
	m->regions = calloc(n + 1, sizeof(*m->regions));
	if (m->regions == NULL)
		return -1;
	for (i = 0; i < n; i++)
		m->regions[i] = dup_or_null(regions[i], &bad);
	m->nregions = n;
	m->sub_id = dup_or_null(cfg->subscription != NULL ?
	    cfg->subscription : "00000000-0000-0000-0000-000000000000", &bad);
	m->sub_name = dup_or_null(cfg->subscription_name != NULL ?
	    cfg->subscription_name : "clouddp-emulator", &bad);
	m->blob_endpoint = dup_or_null(cfg->blob_endpoint, &bad);
	m->blob_key = dup_or_null(cfg->blob_key, &bad);
	return bad ? -1 : 0;
}

struct emu_model *
emu_model_new(const struct emu_config *cfg, struct clouddp_err *err)
{
	struct emu_model	*m;

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	if (model_copy_config(m, cfg) == -1) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	if (vip_pool_parse(m, cfg->vip_pool, err) == -1)
		goto fail;
	memcpy(m->delay, cfg->delay, sizeof(m->delay));
	m->rng = cfg->seed != 0 ? cfg->seed : 1;
	m->sub.id = m->sub_id;
	m->sub.name = m->sub_name;
	m->sub.status = "Active";
	m->sub.max_hosted_services = cfg->max_hosted_services > 0 ?
	    cfg->max_hosted_services : DEFAULT_MAX_HOSTED;
	m->sub.max_storage_accounts = cfg->max_storage_accounts > 0 ?
	    cfg->max_storage_accounts : DEFAULT_MAX_STORAGE;
	m->sub.max_cores = cfg->max_cores > 0 ? cfg->max_cores :
	    DEFAULT_MAX_CORES;
	return m;
fail:
	emu_model_free(m);
	return NULL;
}

static void
service_free(struct emu_service *s)
{
	free(s->label);
	free(s->description);
	free(s->location);
	free(s->affinity_group);
	props_free(s->props, s->nprops);
	free(s);
}

static void
storage_free(struct emu_storage *s)
{
	free(s->label);
	free(s->description);
	free(s->location);
	free(s->affinity_group);
	free(s->account_type);
	secret_free(s->primary_key);
	secret_free(s->secondary_key);
	free(s->blob_endpoint);
	props_free(s->props, s->nprops);
	free(s);
}

static void
cert_record_free(struct emu_certificate *c)
{
	if (c == NULL)
		return;
	free(c->der);
	if (c->pfx != NULL)
		memset(c->pfx, 0, c->pfx_len);
	free(c->pfx);
	if (c->password != NULL)
		memset(c->password, 0, strlen(c->password));
	free(c->password);
	cert_free(c->cert);
	free(c);
}

static void
deploy_free(struct deploy_priv *p)
{
	if (p == NULL)
		return;
	free(p->pub.label);
	free(p->pub.configuration);
	free(p->pub.package_url);
	free(p->pub.instances);
	props_free(p->pub.props, p->pub.nprops);
	free(p);
}

void
emu_model_free(struct emu_model *m)
{
	struct package_wait	*w, *next;
	size_t			 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->services.n; i++)
		service_free(m->services.v[i]);
	for (i = 0; i < m->storages.n; i++)
		storage_free(m->storages.v[i]);
	for (i = 0; i < m->certs.n; i++)
		cert_record_free(m->certs.v[i]);
	for (i = 0; i < m->deploys.n; i++)
		deploy_free(m->deploys.v[i]);
	for (i = 0; i < m->ops.n; i++)
		free(m->ops.v[i]);
	free(m->services.v);
	free(m->storages.v);
	free(m->certs.v);
	free(m->deploys.v);
	free(m->ops.v);
	for (w = m->waits; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
	for (i = 0; i < m->nregions; i++)
		free(m->regions[i]);
	free(m->regions);
	for (i = 0; i < m->nthumbprints; i++)
		free(m->thumbprints[i]);
	free(m->thumbprints);
	free(m->vip_used);
	free(m->sub_id);
	free(m->sub_name);
	free(m->blob_endpoint);
	secret_free(m->blob_key);
	free(m);
}

void
emu_model_set_hooks(struct emu_model *m, const struct emu_hooks *h)
{
	if (h == NULL)
		memset(&m->hooks, 0, sizeof(m->hooks));
	else
		m->hooks = *h;
}

int
emu_model_add_management(struct emu_model *m, const char *thumb,
    struct clouddp_err *err)
{
	char	**nt, *t;
	size_t	  i;

	if (strlen(thumb) != 40 || strspn(thumb,
	    "0123456789abcdefABCDEF") != 40)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "%s: not a SHA-1 thumbprint (40 hex digits)", thumb);
	nt = realloc(m->thumbprints, (m->nthumbprints + 1) * sizeof(*nt));
	if (nt == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	m->thumbprints = nt;
	t = strdup(thumb);
	if (t == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	for (i = 0; t[i] != '\0'; i++)
		t[i] = (char)toupper((unsigned char)t[i]);
	m->thumbprints[m->nthumbprints++] = t;
	return 0;
}

int
emu_model_has_subscription(const struct emu_model *m, const char *sub)
{
	return sub != NULL && strcasecmp(sub, m->sub_id) == 0;
}

int
emu_model_is_authorised(const struct emu_model *m, const char *sub,
    const char *thumb)
{
	size_t	 i;

	if (!emu_model_has_subscription(m, sub) || thumb == NULL)
		return 0;
	for (i = 0; i < m->nthumbprints; i++)
		if (strcasecmp(m->thumbprints[i], thumb) == 0)
			return 1;
	return 0;
}

const char *const *
emu_model_regions(const struct emu_model *m, size_t *n)
{
	*n = m->nregions;
	return (const char *const *)m->regions;
}

/* Lookups ------------------------------------------------------------ */

static struct emu_service *
service_find(struct emu_model *m, const char *name, size_t *at)
{
	struct emu_service	*s;
	size_t			 i;

	for (i = 0; i < m->services.n; i++) {
		s = m->services.v[i];
		if (strcasecmp(s->name, name) == 0) {
			if (at != NULL)
				*at = i;
			return s;
		}
	}
	return NULL;
}

static struct emu_storage *
storage_find(struct emu_model *m, const char *name, size_t *at)
{
	struct emu_storage	*s;
	size_t			 i;

	for (i = 0; i < m->storages.n; i++) {
		s = m->storages.v[i];
		if (!s->deleted && strcmp(s->name, name) == 0) {
			if (at != NULL)
				*at = i;
			return s;
		}
	}
	return NULL;
}

static struct deploy_priv *
deploy_find(struct emu_model *m, const struct emu_deploy_ref *ref)
{
	struct deploy_priv	*p;
	size_t			 i;

	for (i = 0; i < m->deploys.n; i++) {
		p = m->deploys.v[i];
		if (p->pub.gone || strcasecmp(p->pub.service,
		    ref->service) != 0)
			continue;
		if (ref->name != NULL ? strcmp(p->pub.name, ref->name) == 0 :
		    p->pub.slot == ref->slot)
			return p;
	}
	return NULL;
}

static struct emu_certificate *
cert_find(struct emu_model *m, const char *service, const char *thumb,
    size_t *at)
{
	struct emu_certificate	*c;
	size_t			 i;

	for (i = 0; i < m->certs.n; i++) {
		c = m->certs.v[i];
		if (strcasecmp(c->service, service) == 0 &&
		    strcasecmp(c->thumbprint, thumb) == 0) {
			if (at != NULL)
				*at = i;
			return c;
		}
	}
	return NULL;
}

static struct emu_operation *
op_find(struct emu_model *m, const char *id)
{
	struct emu_operation	*o;
	size_t			 i;

	for (i = 0; i < m->ops.n; i++) {
		o = m->ops.v[i];
		if (strcasecmp(o->id, id) == 0)
			return o;
	}
	return NULL;
}

/*
 * Register operation id: it ends in final after delay seconds (< 0:
 * when something else completes it).  Returns it, or NULL on ENOMEM.
 */
static struct emu_operation *
op_new(struct emu_model *m, double now, const char *id, double delay)
{
	struct emu_operation	*o;

	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return NULL;
	snprintf(o->id, sizeof(o->id), "%s", id);
	o->state = EMU_OP_IN_PROGRESS;
	o->final = EMU_OP_SUCCEEDED;
	o->http = 200;
	o->done_at = delay < 0 ? -1 : now + delay;
	if (vec_push(&m->ops, o) == -1) {
		free(o);
		return NULL;
	}
	if (o->done_at >= 0 && now >= o->done_at)
		o->state = o->final;
	return o;
}

static void
op_fail(struct emu_operation *o, double at, int http, const char *code,
    const char *message)
{
	o->final = EMU_OP_FAILED;
	o->http = http;
	snprintf(o->code, sizeof(o->code), "%s", code);
	snprintf(o->message, sizeof(o->message), "%s", message);
	o->done_at = at;
}

int
emu_op_add_failed(struct emu_model *m, double now, const char *reqid,
    int http, const char *code, const char *message,
    struct emu_status *st)
{
	struct emu_operation	*o;

	emu_model_tick(m, now);
	o = op_new(m, now, reqid, -1);
	if (o == NULL)
		return nomem(st);
	op_fail(o, now + m->delay[EMU_STEP_OPERATION], http, code, message);
	emu_model_tick(m, now);
	return 0;
}

const struct emu_operation *
emu_op_get(struct emu_model *m, double now, const char *id)
{
	emu_model_tick(m, now);
	return op_find(m, id);
}

/* Subscription ------------------------------------------------------- */

static int
cores_used(struct emu_model *m)
{
	struct deploy_priv	*p;
	size_t			 i;
	int			 n = 0;

	for (i = 0; i < m->deploys.n; i++) {
		p = m->deploys.v[i];
		if (!p->pub.gone)
			n += (int)p->pub.ninstances;
	}
	return n;
}

static int
storages_used(struct emu_model *m)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < m->storages.n; i++)
		if (!((struct emu_storage *)m->storages.v[i])->deleted)
			n++;
	return n;
}

const struct emu_subscription *
emu_subscription_get(struct emu_model *m, double now)
{
	emu_model_tick(m, now);
	m->sub.cur_hosted_services = (int)m->services.n;
	m->sub.cur_storage_accounts = storages_used(m);
	m->sub.cur_cores = cores_used(m);
	return &m->sub;
}

/* Names -------------------------------------------------------------- */

/* A DNS label: letters, digits, hyphens inside; 1 to 63. [U] */
static int
service_name_ok(const char *name)
{
	size_t	 len = strlen(name), i;

	if (len < 1 || len > 63 || name[0] == '-' || name[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-')
			return 0;
	return 1;
}

/* 3 to 24 digits and lower-case letters [D]. */
static int
storage_name_ok(const char *name)
{
	size_t	 len = strlen(name);

	return len >= 3 && len <= 24 &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789") == len;
}

int
emu_service_available(struct emu_model *m, double now, const char *name,
    char *reason, size_t len)
{
	emu_model_tick(m, now);
	if (!service_name_ok(name)) {
		snprintf(reason, len, "The hosted service name is invalid.");
		return 0;
	}
	if (service_find(m, name, NULL) != NULL) {
		snprintf(reason, len, "A hosted service with the specified "
		    "name already exists.");
		return 0;
	}
	return 1;
}

int
emu_storage_available(struct emu_model *m, double now, const char *name,
    char *reason, size_t len)
{
	emu_model_tick(m, now);
	if (!storage_name_ok(name)) {
		snprintf(reason, len, "The name is not a valid storage "
		    "account name. Storage account names must be between 3 "
		    "and 24 characters in length and use numbers and "
		    "lower-case letters only.");
		return 0;
	}
	if (storage_find(m, name, NULL) != NULL) {
		snprintf(reason, len, "The storage account named %s is "
		    "already taken.", name);
		return 0;
	}
	return 1;
}

static int
region_known(struct emu_model *m, const char *location)
{
	size_t	 i;

	for (i = 0; i < m->nregions; i++)
		if (strcmp(m->regions[i], location) == 0)
			return 1;
	return 0;
}

/* Checks shared by both creates; -1 with st filled. */
static int
create_check(struct emu_model *m, const struct emu_create_input *in,
    struct emu_status *st)
{
	if (in->label == NULL || strlen(in->label) > 100)
		return fail(st, EMU_EBADREQUEST, 400, "The label must be "
		    "at most 100 characters long.");
	if ((in->location == NULL) == (in->affinity_group == NULL))
		return fail(st, EMU_EBADREQUEST, 400, "Exactly one of "
		    "Location or AffinityGroup must be specified.");
	if (in->affinity_group != NULL)
		return fail(st, EMU_EBADREQUEST, 400, "The affinity group "
		    "name is empty or was not specified.");
	if (!region_known(m, in->location))
		return fail(st, EMU_EBADREQUEST, 400, "The location "
		    "constraint is not valid: %s", in->location);
	if (in->description != NULL && strlen(in->description) > 1024)
		return fail(st, EMU_EBADREQUEST, 400, "The description "
		    "must be at most 1024 characters long.");
	return 0;
}

/* Cloud services ----------------------------------------------------- */

int
emu_service_create(struct emu_model *m, double now, const char *reqid,
    const struct emu_create_input *in, struct emu_status *st)
{
	struct emu_service	*s = NULL;
	int			 bad = 0;

	emu_model_tick(m, now);
	if (!service_name_ok(in->name))
		return fail(st, EMU_EBADREQUEST, 400, "The hosted service "
		    "name is invalid.");
	if (create_check(m, in, st) == -1)
		return -1;
	if (service_find(m, in->name, NULL) != NULL)
		return fail(st, EMU_ECONFLICT, 409, "The specified DNS name "
		    "is already taken.");
	if ((int)m->services.n >= m->sub.max_hosted_services)
		return fail(st, EMU_EQUOTA, 409, "You have reached the "
		    "maximum number of hosted services (%d) for this "
		    "subscription.", m->sub.max_hosted_services);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return nomem(st);
	snprintf(s->name, sizeof(s->name), "%s", in->name);
	s->label = dup_or_null(in->label, &bad);
	s->description = dup_or_null(in->description != NULL ?
	    in->description : "", &bad);
	s->location = dup_or_null(in->location, &bad);
	s->created = s->modified = now;
	if (bad || props_copy(s->props, &s->nprops, in->props,
	    in->nprops) == -1 || op_new(m, now, reqid, 0) == NULL ||
	    vec_push(&m->services, s) == -1) {
		service_free(s);
		return nomem(st);
	}
	return 0;
}

const struct emu_service *
emu_service_get(struct emu_model *m, double now, const char *name)
{
	emu_model_tick(m, now);
	return service_find(m, name, NULL);
}

int
emu_service_delete(struct emu_model *m, double now, const char *reqid,
    const char *name, struct emu_status *st)
{
	struct emu_deploy_ref	 ref = { name, EMU_SLOT_PRODUCTION, NULL };
	size_t			 at, i;

	emu_model_tick(m, now);
	if (service_find(m, name, &at) == NULL)
		return fail(st, EMU_ENOTFOUND, 404, "The hosted service "
		    "does not exist.");
	for (ref.slot = 0; ref.slot < EMU_SLOT__MAX; ref.slot++)
		if (deploy_find(m, &ref) != NULL)
			return fail(st, EMU_ECONFLICT, 409, "The hosted "
			    "service has deployments; delete them first.");
	if (op_new(m, now, reqid, 0) == NULL)
		return nomem(st);
	service_free(m->services.v[at]);
	vec_remove(&m->services, at);
	for (i = m->certs.n; i-- > 0;) {
		struct emu_certificate *c = m->certs.v[i];

		if (strcasecmp(c->service, name) == 0) {
			cert_record_free(c);
			vec_remove(&m->certs, i);
		}
	}
	return 0;
}

/* Storage accounts --------------------------------------------------- */

static int
storage_fill(struct emu_model *m, struct emu_storage *s,
    const struct emu_create_input *in)
{
	char	 ep[512];
	int	 bad = 0;

	snprintf(s->name, sizeof(s->name), "%s", in->name);
	s->label = dup_or_null(in->label, &bad);
	s->description = dup_or_null(in->description != NULL ?
	    in->description : "", &bad);
	s->location = dup_or_null(in->location, &bad);
	s->account_type = dup_or_null(in->account_type != NULL ?
	    in->account_type : "Standard_GRS", &bad);
	s->primary_key = m->blob_key != NULL ? strdup(m->blob_key) :
	    rng_key(m);
	s->secondary_key = rng_key(m);
	if (m->blob_endpoint != NULL)
		snprintf(ep, sizeof(ep), "%s%s", m->blob_endpoint,
		    m->blob_endpoint[0] != '\0' && m->blob_endpoint[
		    strlen(m->blob_endpoint) - 1] == '/' ? "" : "/");
	else
		snprintf(ep, sizeof(ep), "https://%s.blob.core.windows.net/",
		    in->name);
	s->blob_endpoint = strdup(ep);
	if (s->primary_key == NULL || s->secondary_key == NULL ||
	    s->blob_endpoint == NULL)
		bad = 1;
	if (props_copy(s->props, &s->nprops, in->props, in->nprops) == -1)
		bad = 1;
	return bad ? -1 : 0;
}

static const char *const account_types[] = {
	"Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS",
	"Premium_LRS"
};

static int
account_type_ok(const char *t)
{
	size_t	 i;

	if (t == NULL)
		return 1;
	for (i = 0; i < sizeof(account_types) / sizeof(*account_types); i++)
		if (strcmp(account_types[i], t) == 0)
			return 1;
	return 0;
}

int
emu_storage_create(struct emu_model *m, double now, const char *reqid,
    const struct emu_create_input *in, int stuck, struct emu_status *st)
{
	struct emu_storage	*s;

	emu_model_tick(m, now);
	if (!storage_name_ok(in->name))
		return fail(st, EMU_EBADREQUEST, 400, "The name is not a "
		    "valid storage account name. Storage account names must "
		    "be between 3 and 24 characters in length and use "
		    "numbers and lower-case letters only.");
	if (create_check(m, in, st) == -1)
		return -1;
	if (!account_type_ok(in->account_type))
		return fail(st, EMU_EBADREQUEST, 400, "The account type "
		    "%s is not valid.", in->account_type);
	if (storage_find(m, in->name, NULL) != NULL)
		return fail(st, EMU_ECONFLICT, 409, "The storage account "
		    "named %s is already taken.", in->name);
	if (storages_used(m) >= m->sub.max_storage_accounts)
		return fail(st, EMU_EQUOTA, 409, "The subscription has "
		    "reached its maximum of %d storage accounts.",
		    m->sub.max_storage_accounts);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return nomem(st);
	if (storage_fill(m, s, in) == -1 ||
	    op_new(m, now, reqid, m->delay[EMU_STEP_OPERATION]) == NULL ||
	    vec_push(&m->storages, s) == -1) {
		storage_free(s);
		return nomem(st);
	}
	s->created = now;
	s->stuck = stuck;
	s->ready_at = now + m->delay[EMU_STEP_STORAGE_CREATING] +
	    m->delay[EMU_STEP_STORAGE_DNS];
	emu_model_tick(m, now);
	return 0;
}

const struct emu_storage *
emu_storage_get(struct emu_model *m, double now, const char *name)
{
	emu_model_tick(m, now);
	return storage_find(m, name, NULL);
}

int
emu_storage_delete(struct emu_model *m, double now, const char *reqid,
    const char *name, struct emu_status *st)
{
	size_t	 at;

	emu_model_tick(m, now);
	if (storage_find(m, name, &at) == NULL)
		return fail(st, EMU_ENOTFOUND, 404, "The storage account "
		    "does not exist.");
	if (op_new(m, now, reqid, m->delay[EMU_STEP_OPERATION]) == NULL)
		return nomem(st);
	storage_free(m->storages.v[at]);
	vec_remove(&m->storages, at);
	return 0;
}

/* Service certificates ----------------------------------------------- */

/* Open the file as the classic API would; -1 with why filled. */
static struct cert *
cert_open(const struct emu_cert_input *in, char *why, size_t len)
{
	struct clouddp_err	 err;
	struct cert		*c;

	if (strcmp(in->format, "pfx") == 0)
		c = cert_from_pkcs12(in->data, in->data_len, in->password,
		    "certificate", &err);
	else
		c = cert_from_der(in->data, in->data_len, &err);
	if (c == NULL) {
		snprintf(why, len, "%s", err.code == CLOUDDP_EPASSWORD ?
		    "The specified password is invalid." :
		    "The certificate data is not valid.");
		return NULL;
	}
	if (strcmp(in->format, "pfx") == 0 && cert_pfx_is_pbes2(c)) {
		/* Azure refused AES256-SHA256 .pfx files (spec 5.5). */
		snprintf(why, len, "The certificate's encryption "
		    "(PBES2/AES) is not supported; export it with "
		    "TripleDES-SHA1.");
		cert_free(c);
		return NULL;
	}
	if (strcmp(in->format, "pfx") == 0 && !cert_has_key(c)) {
		snprintf(why, len, "The .pfx holds no private key.");
		cert_free(c);
		return NULL;
	}
	return c;
}

static int
cert_record_fill(struct emu_certificate *r, struct cert *c,
    const struct emu_cert_input *in)
{
	struct clouddp_buf	 der = { 0 };
	struct clouddp_err	 err;

	cert_thumbprint_sha1(c, r->thumbprint);
	if (cert_der(c, &der, &err) == -1)
		return -1;
	r->der = (unsigned char *)der.data;
	r->der_len = der.len;
	if (strcmp(in->format, "pfx") == 0) {
		r->pfx = malloc(in->data_len);
		r->password = strdup(in->password != NULL ? in->password :
		    "");
		if (r->pfx == NULL || r->password == NULL)
			return -1;
		memcpy(r->pfx, in->data, in->data_len);
		r->pfx_len = in->data_len;
	}
	snprintf(r->service, sizeof(r->service), "%s", in->service);
	return 0;
}

int
emu_cert_add(struct emu_model *m, double now, const char *reqid,
    const struct emu_cert_input *in, struct emu_status *st)
{
	struct emu_certificate	*r = NULL;
	struct emu_operation	*o;
	struct cert		*c;
	char			 why[256];

	emu_model_tick(m, now);
	if (service_find(m, in->service, NULL) == NULL)
		return fail(st, EMU_ENOTFOUND, 404, "The hosted service "
		    "does not exist.");
	if (strcmp(in->format, "pfx") != 0 && strcmp(in->format, "cer") != 0)
		return fail(st, EMU_EBADREQUEST, 400, "The certificate "
		    "format %s is not valid; use pfx or cer.", in->format);
	o = op_new(m, now, reqid, m->delay[EMU_STEP_OPERATION]);
	if (o == NULL)
		return nomem(st);
	c = cert_open(in, why, sizeof(why));
	if (c == NULL) {
		op_fail(o, o->done_at, 400, "BadRequest", why);
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL || cert_record_fill(r, c, in) == -1) {
		cert_free(c);
		cert_record_free(r);
		return nomem(st);
	}
	r->cert = c;
	if (cert_find(m, in->service, r->thumbprint, NULL) != NULL) {
		op_fail(o, o->done_at, 409, "ConflictError", "A certificate "
		    "with the same thumbprint already exists.");
		cert_record_free(r);
		goto out;
	}
	r->visible_at = o->done_at;
	if (vec_push(&m->certs, r) == -1) {
		cert_record_free(r);
		return nomem(st);
	}
out:
	emu_model_tick(m, now);
	return 0;
}

const struct emu_certificate *
emu_cert_at(struct emu_model *m, double now, const char *service, size_t i)
{
	struct emu_certificate	*c;
	size_t			 j;

	emu_model_tick(m, now);
	for (j = 0; j < m->certs.n; j++) {
		c = m->certs.v[j];
		if (strcasecmp(c->service, service) != 0 ||
		    now < c->visible_at)
			continue;
		if (i-- == 0)
			return c;
	}
	return NULL;
}

/* "sha1-THUMB" -> THUMB, or NULL. */
static const char *
cert_id_thumb(const char *id)
{
	if (strncasecmp(id, "sha1-", 5) != 0 || strlen(id + 5) != 40)
		return NULL;
	return id + 5;
}

const struct emu_certificate *
emu_cert_get(struct emu_model *m, double now, const char *service,
    const char *id)
{
	const struct emu_certificate	*c;
	const char			*thumb;

	emu_model_tick(m, now);
	thumb = cert_id_thumb(id);
	if (thumb == NULL)
		return NULL;
	c = cert_find(m, service, thumb, NULL);
	if (c == NULL || now < c->visible_at)
		return NULL;
	return c;
}

int
emu_cert_delete(struct emu_model *m, double now, const char *reqid,
    const char *service, const char *id, struct emu_status *st)
{
	const char	*thumb;
	size_t		 at;

	emu_model_tick(m, now);
	thumb = cert_id_thumb(id);
	if (service_find(m, service, NULL) == NULL || thumb == NULL ||
	    cert_find(m, service, thumb, &at) == NULL)
		return fail(st, EMU_ENOTFOUND, 404, "The specified "
		    "certificate does not exist.");
	if (op_new(m, now, reqid, m->delay[EMU_STEP_OPERATION]) == NULL)
		return nomem(st);
	cert_record_free(m->certs.v[at]);
	vec_remove(&m->certs, at);
	return 0;
}

/* Deployments -------------------------------------------------------- */

#define CSCFG_ROLES_MAX		16
#define CSCFG_CERTS_MAX		16
#define INSTANCES_MAX		100

/* What a .cscfg says that the model checks. */
struct cscfg {
	char	 role[CSCFG_ROLES_MAX][EMU_NAME_MAX];
	int	 count[CSCFG_ROLES_MAX];
	size_t	 nroles;
	char	 thumb[CSCFG_CERTS_MAX][41];
	size_t	 nthumbs;
	int	 total;
};

static int
cscfg_certs(const struct xml_node *role, struct cscfg *c,
    struct clouddp_buf *b, char *why, size_t len)
{
	const struct xml_node	*certs, *n;
	struct clouddp_err	 err;

	certs = xml_node_child(role, "Certificates");
	if (certs == NULL)
		return 0;
	for (n = xml_node_child(certs, "Certificate"); n != NULL;
	    n = xml_node_next(n, "Certificate")) {
		if (xml_node_attr(n, "thumbprint", b, &err) != 1 ||
		    b->len != 40 || strspn(b->data,
		    "0123456789abcdefABCDEF") != 40) {
			snprintf(why, len, "The configuration file has a "
			    "Certificate without a valid thumbprint.");
			return -1;
		}
		if (c->nthumbs < CSCFG_CERTS_MAX)
			snprintf(c->thumb[c->nthumbs++], 41, "%s", b->data);
	}
	return 0;
}

static int
cscfg_role(const struct xml_node *role, struct cscfg *c,
    struct clouddp_buf *b, char *why, size_t len)
{
	const struct xml_node	*inst;
	struct clouddp_err	 err;
	char			*end;
	long			 n;

	if (c->nroles == CSCFG_ROLES_MAX || xml_node_attr(role, "name", b,
	    &err) != 1 || b->len == 0 || b->len >= EMU_NAME_MAX) {
		snprintf(why, len, "The configuration file has a Role "
		    "without a valid name.");
		return -1;
	}
	snprintf(c->role[c->nroles], EMU_NAME_MAX, "%s", b->data);
	inst = xml_node_child(role, "Instances");
	if (inst == NULL || xml_node_attr(inst, "count", b, &err) != 1) {
		snprintf(why, len, "The configuration file does not give "
		    "the instance count of role %s.", c->role[c->nroles]);
		return -1;
	}
	n = strtol(b->data, &end, 10);
	if (*end != '\0' || end == b->data || n < 1 || n > INSTANCES_MAX) {
		snprintf(why, len, "The instance count of role %s is not "
		    "valid: %s.", c->role[c->nroles], b->data);
		return -1;
	}
	c->count[c->nroles++] = (int)n;
	c->total += (int)n;
	return cscfg_certs(role, c, b, why, len);
}

/* Parse the .cscfg; -1 with why filled (the operation's Message). */
static int
cscfg_parse(const char *text, size_t text_len, struct cscfg *c, char *why,
    size_t len)
{
	struct xml_doc		*doc;
	const struct xml_node	*root, *role;
	struct clouddp_buf	 b = { 0 };
	struct clouddp_err	 err;
	int			 rc = -1;

	memset(c, 0, sizeof(*c));
	doc = xml_parse(text, text_len, "configuration", &err);
	if (doc == NULL) {
		snprintf(why, len, "The configuration file is not valid "
		    "XML.");
		return -1;
	}
	root = xml_doc_root(doc);
	if (strcmp(xml_node_name(root), "ServiceConfiguration") != 0) {
		snprintf(why, len, "The configuration file's root element "
		    "is not ServiceConfiguration.");
		goto out;
	}
	for (role = xml_node_child(root, "Role"); role != NULL;
	    role = xml_node_next(role, "Role"))
		if (cscfg_role(role, c, &b, why, len) == -1)
			goto out;
	if (c->nroles == 0) {
		snprintf(why, len, "The configuration file has no Role.");
		goto out;
	}
	rc = 0;
out:
	clouddp_buf_free(&b);
	xml_doc_free(doc);
	return rc;
}

static int
vip_take(struct emu_model *m, char out[16])
{
	uint32_t	 i, a;

	/* Skip the network and broadcast addresses of a real subnet. */
	for (i = 0; i < m->vip_count; i++) {
		if (m->vip_count > 2 && (i == 0 || i == m->vip_count - 1))
			continue;
		if (m->vip_used[i])
			continue;
		m->vip_used[i] = 1;
		a = m->vip_base + i;
		snprintf(out, 16, "%u.%u.%u.%u", a >> 24, a >> 16 & 255,
		    a >> 8 & 255, a & 255);
		return 0;
	}
	return -1;
}

static void
vip_release(struct emu_model *m, const char *vip)
{
	unsigned	 a, b, c, d;
	uint32_t	 addr;

	if (sscanf(vip, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
		return;
	addr = a << 24 | b << 16 | c << 8 | d;
	if (addr - m->vip_base < m->vip_count)
		m->vip_used[addr - m->vip_base] = 0;
}

static int
deploy_instances(struct emu_model *m, struct emu_deployment *d,
    const struct cscfg *c)
{
	size_t	 r, k = 0;
	int	 i;

	d->instances = calloc((size_t)c->total, sizeof(*d->instances));
	if (d->instances == NULL)
		return -1;
	for (r = 0; r < c->nroles; r++)
		for (i = 0; i < c->count[r]; i++, k++) {
			struct emu_instance *in = &d->instances[k];

			snprintf(in->role, sizeof(in->role), "%s",
			    c->role[r]);
			snprintf(in->name, sizeof(in->name), "%s_IN_%d",
			    c->role[r], i);
			in->index = (int)k;
			snprintf(in->ip, sizeof(in->ip), "100.74.%u.%u",
			    (unsigned)(rng_next(m) & 255), 4 + (unsigned)k);
		}
	d->ninstances = k;
	snprintf(d->role, sizeof(d->role), "%s", c->role[0]);
	return 0;
}

/* Checks that need no parsing; -1 with st filled. */
static int
deploy_check(struct emu_model *m, const char *service,
    const struct emu_deploy_input *in, struct emu_status *st)
{
	struct emu_deploy_ref	 ref = { service, in->slot, NULL };

	if (service_find(m, service, NULL) == NULL)
		return fail(st, EMU_ENOTFOUND, 404, "The hosted service "
		    "does not exist.");
	if (in->name == NULL || in->name[0] == '\0' ||
	    strlen(in->name) >= EMU_NAME_MAX)
		return fail(st, EMU_EBADREQUEST, 400, "The deployment name "
		    "is not valid.");
	if (in->label == NULL || strlen(in->label) > 100)
		return fail(st, EMU_EBADREQUEST, 400, "The label must be "
		    "at most 100 characters long.");
	if (deploy_find(m, &ref) != NULL)
		return fail(st, EMU_ECONFLICT, 409, "There is already a "
		    "deployment in the %s slot.", emu_slot_name(in->slot));
	ref.name = in->name;
	if (deploy_find(m, &ref) != NULL)
		return fail(st, EMU_ECONFLICT, 409, "A deployment named %s "
		    "already exists in this hosted service.", in->name);
	return 0;
}

/* Every certificate the .cscfg names must have been added. */
static int
deploy_certs_ok(struct emu_model *m, double now, const char *service,
    const struct cscfg *c, char *why, size_t len)
{
	const struct emu_certificate	*r;
	size_t				 i;

	for (i = 0; i < c->nthumbs; i++) {
		r = cert_find(m, service, c->thumb[i], NULL);
		if (r == NULL || now < r->visible_at) {
			snprintf(why, len, "The certificate with thumbprint "
			    "%s was not found in hosted service %s.",
			    c->thumb[i], service);
			return -1;
		}
	}
	return 0;
}

static struct deploy_priv *
deploy_record(struct emu_model *m, double now, const char *service,
    const struct emu_deploy_input *in, const struct cscfg *c)
{
	struct deploy_priv	*p;
	struct emu_deployment	*d;
	int			 bad = 0;
	size_t			 i;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	d = &p->pub;
	snprintf(d->service, sizeof(d->service), "%s", service);
	snprintf(d->name, sizeof(d->name), "%s", in->name);
	d->slot = in->slot;
	rng_hex(m, d->private_id, 32);
	d->label = dup_or_null(in->label, &bad);
	d->package_url = dup_or_null(in->package_url, &bad);
	d->configuration = malloc(in->configuration_len + 1);
	if (d->configuration != NULL) {
		memcpy(d->configuration, in->configuration,
		    in->configuration_len);
		d->configuration[in->configuration_len] = '\0';
	}
	if (bad || d->configuration == NULL || props_copy(d->props,
	    &d->nprops, in->props, in->nprops) == -1 ||
	    deploy_instances(m, d, c) == -1) {
		deploy_free(p);
		return NULL;
	}
	for (i = 0; i < 40 && c->nthumbs > 0; i++)
		d->thumbprint[i] = (char)toupper(
		    (unsigned char)c->thumb[0][i]);
	d->created = d->modified = d->t_state = now;
	d->start = in->start;
	d->stuck = in->stuck;
	d->state = EMU_DEPLOY_DEPLOYING;
	p->serial = ++m->serial;
	return p;
}

static void
package_done(void *token, enum emu_package result, const char *message)
{
	struct package_wait	*w = token, **pp;
	struct emu_model	*m = w->model;
	struct deploy_priv	*p;
	struct emu_operation	*o;
	size_t			 i;

	for (pp = &m->waits; *pp != NULL && *pp != w; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;
	*pp = w->next;
	for (i = 0; i < m->deploys.n; i++) {
		p = m->deploys.v[i];
		if (p->serial != w->serial || p->pub.gone)
			continue;
		o = op_find(m, p->op);
		if (result == EMU_PACKAGE_EXISTS) {
			p->pub.package = 1;	/* started at the next tick */
		} else if (o != NULL) {
			p->pub.package = -1;
			op_fail(o, -1, result == EMU_PACKAGE_MISSING ? 400 :
			    500, result == EMU_PACKAGE_MISSING ? "BadRequest" :
			    "InternalError", message != NULL ? message :
			    "The package could not be read.");
		}
	}
	free(w);
}

static int
package_ask(struct emu_model *m, struct deploy_priv *p)
{
	struct package_wait	*w;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->model = m;
	w->serial = p->serial;
	w->next = m->waits;
	m->waits = w;
	m->hooks.package_check(m->hooks.arg, p->pub.package_url,
	    package_done, w);
	return 0;
}

int
emu_deploy_create(struct emu_model *m, double now, const char *reqid,
    const char *service, const struct emu_deploy_input *in,
    struct emu_status *st)
{
	struct deploy_priv	*p;
	struct emu_operation	*o;
	struct cscfg		 c;
	char			 why[256];

	emu_model_tick(m, now);
	if (deploy_check(m, service, in, st) == -1)
		return -1;
	if (cscfg_parse(in->configuration, in->configuration_len, &c, why,
	    sizeof(why)) == -1 || deploy_certs_ok(m, now, service, &c, why,
	    sizeof(why)) == -1)
		return emu_op_add_failed(m, now, reqid, 400, "BadRequest",
		    why, st);
	if (cores_used(m) + c.total > m->sub.max_cores)
		return fail(st, EMU_EQUOTA, 409, "The operation would exceed "
		    "the subscription's core quota: %d in use, %d asked, "
		    "%d allowed.", cores_used(m), c.total, m->sub.max_cores);
	p = deploy_record(m, now, service, in, &c);
	if (p == NULL)
		return nomem(st);
	if (vip_take(m, p->pub.vip) == -1) {
		deploy_free(p);
		return fail(st, EMU_EINTERNAL, 500, "No virtual IP address "
		    "is left in the pool.");
	}
	o = op_new(m, now, reqid, -1);
	if (o == NULL || vec_push(&m->deploys, p) == -1) {
		vip_release(m, p->pub.vip);
		deploy_free(p);
		return nomem(st);
	}
	snprintf(p->op, sizeof(p->op), "%s", reqid);
	p->pub.t_start = -1;
	if (m->hooks.package_check == NULL)
		p->pub.package = 1;
	else if (package_ask(m, p) == -1)
		return nomem(st);
	emu_model_tick(m, now);
	return 0;
}

const struct emu_deployment *
emu_deploy_get(struct emu_model *m, double now,
    const struct emu_deploy_ref *ref)
{
	struct deploy_priv	*p;

	emu_model_tick(m, now);
	p = deploy_find(m, ref);
	return p != NULL ? &p->pub : NULL;
}

static int
deploy_not_found(struct emu_status *st)
{
	return fail(st, EMU_ENOTFOUND, 404, "No deployments were found.");
}

int
emu_deploy_set_status(struct emu_model *m, double now, const char *reqid,
    const struct emu_deploy_ref *ref, int running, struct emu_status *st)
{
	struct deploy_priv	*p;
	struct emu_deployment	*d;

	emu_model_tick(m, now);
	p = deploy_find(m, ref);
	if (p == NULL)
		return deploy_not_found(st);
	d = &p->pub;
	if (d->state != EMU_DEPLOY_RUNNING &&
	    d->state != EMU_DEPLOY_SUSPENDED)
		return fail(st, EMU_ECONFLICT, 409, "The deployment is %s; "
		    "retry when it is Running or Suspended.",
		    emu_deploy_state_name(d->state));
	if (op_new(m, now, reqid, m->delay[EMU_STEP_SUSPEND]) == NULL)
		return nomem(st);
	if (running && d->state == EMU_DEPLOY_SUSPENDED)
		d->state = EMU_DEPLOY_STARTING;
	else if (!running && d->state == EMU_DEPLOY_RUNNING)
		d->state = EMU_DEPLOY_SUSPENDING;
	d->t_state = d->modified = now;
	emu_model_tick(m, now);
	return 0;
}

int
emu_deploy_delete(struct emu_model *m, double now, const char *reqid,
    const struct emu_deploy_ref *ref, struct emu_status *st)
{
	struct deploy_priv	*p;

	emu_model_tick(m, now);
	p = deploy_find(m, ref);
	if (p == NULL || p->pub.state == EMU_DEPLOY_DELETING)
		return deploy_not_found(st);
	if (op_new(m, now, reqid, m->delay[EMU_STEP_DELETE]) == NULL)
		return nomem(st);
	p->pub.state = EMU_DEPLOY_DELETING;
	p->pub.t_state = p->pub.modified = now;
	emu_model_tick(m, now);
	return 0;
}

/* Advancing ---------------------------------------------------------- */

/* Keep the earliest time after now in *next. */
static void
soonest(double *next, double now, double t)
{
	if (t > now && (*next < 0 || t < *next))
		*next = t;
}

static enum emu_instance_state
instance_fresh(struct emu_model *m, const struct emu_deployment *d,
    size_t i, double now, double *next)
{
	static const enum emu_step steps[] = {
		EMU_STEP_ROLE_UNKNOWN, EMU_STEP_CREATING_VM,
		EMU_STEP_STARTING_VM, EMU_STEP_BUSY_ROLE
	};
	double	 t;
	size_t	 k;

	if (d->package != 1 || d->t_start < 0)
		return EMU_INSTANCE_UNKNOWN;
	t = d->t_start + (double)i * m->delay[EMU_STEP_INSTANCE_SKEW];
	for (k = 0; k < sizeof(steps) / sizeof(*steps); k++) {
		t += m->delay[steps[k]];
		if (now < t) {
			soonest(next, now, t);
			return (enum emu_instance_state)k;
		}
	}
	if (d->stuck && i == 0)
		return EMU_INSTANCE_BUSY_ROLE;
	return EMU_INSTANCE_READY_ROLE;
}

static void
instances_update(struct emu_model *m, struct deploy_priv *p, double now,
    double *next)
{
	struct emu_deployment	*d = &p->pub;
	size_t			 i;

	for (i = 0; i < d->ninstances; i++) {
		enum emu_instance_state s;

		switch (d->state) {
		case EMU_DEPLOY_DEPLOYING:
			s = instance_fresh(m, d, i, now, next);
			break;
		case EMU_DEPLOY_RUNNING:
			s = p->announced == 0 ? instance_fresh(m, d, i, now,
			    next) : d->stuck && i == 0 ?
			    EMU_INSTANCE_BUSY_ROLE : EMU_INSTANCE_READY_ROLE;
			break;
		case EMU_DEPLOY_STARTING:
			s = EMU_INSTANCE_STARTING_VM;
			break;
		case EMU_DEPLOY_SUSPENDED:
			s = EMU_INSTANCE_STOPPED_VM;
			break;
		default:
			s = d->instances[i].state;
			break;
		}
		d->instances[i].state = s;
	}
}

static int
all_ready(const struct emu_deployment *d)
{
	size_t	 i;

	for (i = 0; i < d->ninstances; i++)
		if (d->instances[i].state != EMU_INSTANCE_READY_ROLE)
			return 0;
	return 1;
}

static void
fire(struct emu_model *m, struct deploy_priv *p, enum emu_event ev)
{
	struct emu_deploy_event		 e;
	const struct emu_certificate	*c = NULL;

	if (m->hooks.deploy_event == NULL)
		return;
	memset(&e, 0, sizeof(e));
	e.event = ev;
	e.service = p->pub.service;
	e.deployment = p->pub.name;
	e.vip = p->pub.vip;
	if (p->pub.thumbprint[0] != '\0')
		c = cert_find(m, p->pub.service, p->pub.thumbprint, NULL);
	if (c != NULL) {
		e.pfx = c->pfx;
		e.pfx_len = c->pfx_len;
		e.password = c->password;
		e.cert = c->cert;
	}
	m->hooks.deploy_event(m->hooks.arg, &e);
}

/* Move one deployment's state past every threshold up to now. */
static void
deploy_state_update(struct emu_model *m, struct deploy_priv *p,
    double now, double *next)
{
	struct emu_deployment	*d = &p->pub;
	struct emu_operation	*o;
	double			 t;

	if (d->package == 1 && d->t_start < 0) {
		d->t_start = now;
		o = op_find(m, p->op);
		if (o != NULL && o->done_at < 0)
			o->done_at = now + m->delay[EMU_STEP_OPERATION];
	}
	if (d->package == -1 && d->state == EMU_DEPLOY_DEPLOYING) {
		o = op_find(m, p->op);
		if (o != NULL && o->done_at < 0)
			o->done_at = now;
		d->gone = 1;
		return;
	}
	switch (d->state) {
	case EMU_DEPLOY_DEPLOYING:
		if (d->package != 1)
			return;
		t = d->t_start + m->delay[EMU_STEP_DEPLOYING];
		if (now < t) {
			soonest(next, now, t);
			return;
		}
		d->state = d->start ? EMU_DEPLOY_RUNNING :
		    EMU_DEPLOY_SUSPENDED;
		d->t_state = t;
		break;
	case EMU_DEPLOY_SUSPENDING:
	case EMU_DEPLOY_STARTING:
		t = d->t_state + m->delay[EMU_STEP_SUSPEND];
		if (now < t) {
			soonest(next, now, t);
			return;
		}
		d->state = d->state == EMU_DEPLOY_STARTING ?
		    EMU_DEPLOY_RUNNING : EMU_DEPLOY_SUSPENDED;
		d->t_state = t;
		break;
	case EMU_DEPLOY_DELETING:
		t = d->t_state + m->delay[EMU_STEP_DELETE];
		if (now < t)
			soonest(next, now, t);
		else
			d->gone = 1;
		break;
	default:
		break;
	}
}

/* Fire the hook for what changed since the last announcement. */
static void
deploy_announce(struct emu_model *m, struct deploy_priv *p)
{
	struct emu_deployment	*d = &p->pub;

	if (d->gone) {
		if (p->announced != 0)
			fire(m, p, EMU_EVENT_DELETED);
		p->announced = 0;
		return;
	}
	if (d->state == EMU_DEPLOY_RUNNING && all_ready(d) &&
	    p->announced != 1) {
		fire(m, p, p->announced == 0 ? EMU_EVENT_READY :
		    EMU_EVENT_RESUMED);
		p->announced = 1;
		d->ready = 1;
	} else if (d->state == EMU_DEPLOY_SUSPENDED && p->announced == 1) {
		fire(m, p, EMU_EVENT_SUSPENDED);
		p->announced = 2;
	}
}

static void
deploys_advance(struct emu_model *m, double now, double *next)
{
	struct deploy_priv	*p;
	size_t			 i;

	for (i = 0; i < m->deploys.n; i++) {
		p = m->deploys.v[i];
		if (p->pub.package == 1 && p->pub.t_start < 0)
			soonest(next, now - 1, now);
		deploy_state_update(m, p, now, next);
		if (!p->pub.gone)
			instances_update(m, p, now, next);
		deploy_announce(m, p);
	}
	for (i = m->deploys.n; i-- > 0;) {
		p = m->deploys.v[i];
		if (!p->pub.gone)
			continue;
		vip_release(m, p->pub.vip);
		deploy_free(p);
		vec_remove(&m->deploys, i);
	}
}

static void
storages_advance(struct emu_model *m, double now, double *next)
{
	struct emu_storage	*s;
	size_t			 i;
	double			 dns_at;

	for (i = 0; i < m->storages.n; i++) {
		s = m->storages.v[i];
		dns_at = s->created + m->delay[EMU_STEP_STORAGE_CREATING];
		if (s->stuck || now < dns_at) {
			s->state = EMU_STORAGE_CREATING;
			if (!s->stuck)
				soonest(next, now, dns_at);
		} else if (now < s->ready_at) {
			s->state = EMU_STORAGE_RESOLVING_DNS;
			soonest(next, now, s->ready_at);
		} else {
			s->state = EMU_STORAGE_CREATED;
		}
	}
}

double
emu_model_tick(struct emu_model *m, double now)
{
	struct emu_operation	*o;
	double			 next = -1;
	size_t			 i;

	if (m->sub.created == 0)
		m->sub.created = now;	/* the first moment the model saw */
	deploys_advance(m, now, &next);
	storages_advance(m, now, &next);
	for (i = 0; i < m->ops.n; i++) {
		o = m->ops.v[i];
		if (o->done_at >= 0 && now >= o->done_at)
			o->state = o->final;
		else if (o->done_at >= 0)
			soonest(&next, now, o->done_at);
	}
	for (i = 0; i < m->certs.n; i++)
		soonest(&next, now,
		    ((struct emu_certificate *)m->certs.v[i])->visible_at);
	return next < 0 ? -1 : next - now;
}

int
emu_model_is_waiting(const struct emu_model *m)
{
	return m->waits != NULL;
}
