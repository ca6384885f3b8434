/*
 * Every check of a DP on one event loop: two resolution engines (the
 * resolvers, and the authoritative servers when asked), one VIP probe
 * and the offline certificate checks, judged together into one report
 * with a stage per concern.  The checks themselves live in resolve.c,
 * vip.c, cert.c and cname.c; this file composes them and never prints.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clouddp.h"
#include "cert.h"
#include "cname.h"
#include "dpref.h"
#include "http.h"
#include "inventory.h"
#include "loop.h"
#include "name.h"
#include "report.h"
#include "resolve.h"
#include "resolve_io.h"
#include "verify.h"
#include "vip.h"
#include "xml.h"

#define SUBJ_FQDN	0	/* fqdn -> target (-> vip) */
#define SUBJ_TARGET	1	/* target -> vip */
#define NSUBJ		2

/* One engine's results: one array of per-server results per subject. */
struct dnsset {
	struct resolve		*engine;
	int			 next;		/* subjects handed out */
	int			 ndone;
	struct resolve_result	*res[NSUBJ];
	size_t			 nres[NSUBJ];
	double			 ms;
};

struct vrun;

/* One DP being verified. */
struct verify {
	struct vrun		*run;
	char			 fqdn[ZONE_NAME_MAX];	/* host form */
	char			 target[ZONE_NAME_MAX];
	char			 vip[RESOLVE_ADDR_MAX];	/* "" unknown */
	const char		*vip_source;
	char			 thumbprint[64];
	char			 name[64];
	char			 state[32];
	char			 db[1024];
	unsigned long		 line;
	struct resolve_name	 subj[NSUBJ];
	struct dnsset		 dns, auth;
	struct vip_probe	*probe;
	int			 probe_done;
	char			 probe_why[256];	/* no probe: why */
	double			 probe_ms;
	int			 pending;	/* parts still running */
	double			 t0, ms;
	struct verify		*next;
};

/* A run: the window of DPs in flight. */
struct vrun {
	const struct verify_cfg	*cfg;
	struct loop		*loop;
	struct http_multi	*m;
	verify_next_cb		 next;
	verify_emit_cb		 emit;
	void			*arg;
	struct verify		*live;
	size_t			 nlive;
	int			 eof;
	int			 failed;
	struct clouddp_err	 err;
	struct loop_timer	*reap;
	struct verify_tally	*tally;
};

static void	 part_done(struct verify *);
static void	 probe_start(struct verify *, const char *);

/* DNS ---------------------------------------------------------------------- */

static int
dns_next(void *arg, struct resolve_name *n, struct clouddp_err *err)
{
	struct verify	*v = arg;

	(void)err;
	if (v->dns.next >= NSUBJ)
		return 0;
	*n = v->subj[v->dns.next++];
	return 1;
}

static int
auth_next(void *arg, struct resolve_name *n, struct clouddp_err *err)
{
	struct verify	*v = arg;

	(void)err;
	if (v->auth.next >= NSUBJ)
		return 0;
	*n = v->subj[v->auth.next++];
	return 1;
}

static int
subject_of(const struct verify *v, const struct resolve_name *n)
{
	return strcmp(n->name, v->subj[SUBJ_FQDN].name) == 0 ? SUBJ_FQDN :
	    SUBJ_TARGET;
}

/* Keep a copy of one subject's results (the engine's are borrowed). */
static void
keep(struct verify *v, struct dnsset *set, const struct resolve_name *n,
    const struct resolve_result *res, size_t nres)
{
	int	 s = subject_of(v, n);

	free(set->res[s]);
	set->res[s] = nres > 0 ? calloc(nres, sizeof(*res)) : NULL;
	if (set->res[s] != NULL)
		memcpy(set->res[s], res, nres * sizeof(*res));
	set->nres[s] = set->res[s] != NULL ? nres : 0;
	if (++set->ndone == NSUBJ) {
		set->ms = (loop_now() - v->t0) * 1000;
		part_done(v);
	}
}

static void
dns_done(void *arg, const struct resolve_name *n,
    const struct resolve_result *res, size_t nres)
{
	struct verify	*v = arg;
	size_t		 i;

	keep(v, &v->dns, n, res, nres);
	/* No VIP known: probe the first address stage 2 finds. */
	if (v->vip[0] != '\0' || v->probe != NULL || v->probe_done ||
	    subject_of(v, n) != SUBJ_TARGET)
		return;
	for (i = 0; i < nres; i++)
		if (res[i].naddrs > 0) {
			v->vip_source = "dns";
			probe_start(v, res[i].addrs[0]);
			return;
		}
	snprintf(v->probe_why, sizeof(v->probe_why), "no VIP to probe: "
	    "%s has no address on any resolver, and none was given", v->target);
	v->probe_done = 1;
	part_done(v);
}

static void
auth_done(void *arg, const struct resolve_name *n,
    const struct resolve_result *res, size_t nres)
{
	struct verify	*v = arg;

	keep(v, &v->auth, n, res, nres);
}

static int
engines_start(struct verify *v, struct clouddp_err *err)
{
	const struct verify_cfg	*cfg = v->run->cfg;
	struct resolve_cfg	 rc;

	memset(&rc, 0, sizeof(rc));
	rc.servers = cfg->resolvers;
	rc.nservers = cfg->nresolvers;
	rc.port = cfg->dns_port;
	rc.timeout = cfg->timeout;
	rc.window = NSUBJ;
	v->dns.engine = resolve_new(v->run->loop, &rc, err);
	if (v->dns.engine == NULL)
		return -1;
	if (cfg->authoritative) {
		rc.authoritative = 1;
		v->auth.engine = resolve_new(v->run->loop, &rc, err);
		if (v->auth.engine == NULL)
			return -1;
		v->pending++;
	}
	v->pending++;
	resolve_start(v->dns.engine, dns_next, dns_done, v);
	if (v->auth.engine != NULL)
		resolve_start(v->auth.engine, auth_next, auth_done, v);
	return 0;
}

/* The VIP probe ------------------------------------------------------------ */

static void
probe_done(void *arg, const struct clouddp_err *err, struct vip_probe *p)
{
	struct verify	*v = arg;

	(void)p;
	if (err != NULL)
		snprintf(v->probe_why, sizeof(v->probe_why), "%s", err->what);
	v->probe_ms = (loop_now() - v->t0) * 1000;
	v->probe_done = 1;
	part_done(v);
}

static void
probe_start(struct verify *v, const char *addr)
{
	struct vip_cfg		 pc = v->run->cfg->probe;
	struct clouddp_err	 e;

	snprintf(v->vip, sizeof(v->vip), "%s", addr);
	pc.vip = v->vip;
	pc.fqdn = v->fqdn;
	pc.expect = NULL;	/* judged here, by thumbprint */
	v->probe = vip_probe_new(&pc, &e);
	if (v->probe != NULL && vip_probe_start(v->probe, v->run->m,
	    probe_done, v, &e) == 0)
		return;
	vip_probe_free(v->probe);
	v->probe = NULL;
	snprintf(v->probe_why, sizeof(v->probe_why), "%s", e.what);
	v->probe_done = 1;
	part_done(v);
}

/* One DP's life ------------------------------------------------------------ */

static void	 reap_soon(struct vrun *);

static void
part_done(struct verify *v)
{
	if (--v->pending > 0)
		return;
	v->ms = (loop_now() - v->t0) * 1000;
	/* Freed from a timer: an engine may not be freed in its callback. */
	reap_soon(v->run);
}

static void
verify_free(struct verify *v)
{
	int	 i;

	if (v == NULL)
		return;
	resolve_free(v->dns.engine);
	resolve_free(v->auth.engine);
	for (i = 0; i < NSUBJ; i++) {
		free(v->dns.res[i]);
		free(v->auth.res[i]);
	}
	vip_probe_free(v->probe);
	free(v);
}

static void
copy_dp(struct verify *v, const struct verify_dp *dp)
{
	snprintf(v->thumbprint, sizeof(v->thumbprint), "%s",
	    dp->thumbprint != NULL ? dp->thumbprint : "");
	snprintf(v->name, sizeof(v->name), "%s",
	    dp->name != NULL ? dp->name : "");
	snprintf(v->state, sizeof(v->state), "%s",
	    dp->state != NULL ? dp->state : "");
	snprintf(v->db, sizeof(v->db), "%s", dp->db != NULL ? dp->db : "");
	v->line = dp->line;
	v->vip_source = dp->vip == NULL ? NULL : dp->name != NULL ?
	    "inventory" : "given";
}

/* Check the names and start every part.  NULL with err on a bad DP. */
static struct verify *
verify_start(struct vrun *run, const struct verify_dp *dp,
    struct clouddp_err *err)
{
	struct verify	*v;

	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	v->run = run;
	v->t0 = loop_now();
	copy_dp(v, dp);
	if (dp->target == NULL || dp->target[0] == '\0') {
		clouddp_errf(err, CLOUDDP_EINPUT, "give the Azure FQDN",
		    "%s: no target", dp->fqdn);
		goto fail;
	}
	if (resolve_name_set(&v->subj[SUBJ_FQDN], dp->fqdn, dp->target,
	    dp->vip, err) == -1 || resolve_name_set(&v->subj[SUBJ_TARGET],
	    dp->target, NULL, dp->vip, err) == -1 ||
	    name_host(dp->fqdn, v->fqdn, err) == -1 ||
	    name_host(dp->target, v->target, err) == -1)
		goto fail;
	v->pending = 1;		/* held until every part has started */
	if (engines_start(v, err) == -1)
		goto fail;
	v->pending++;
	if (dp->vip != NULL)
		probe_start(v, v->subj[SUBJ_TARGET].vip);
	part_done(v);
	return v;
fail:
	verify_free(v);
	return NULL;
}

/* Judging: one report, a stage per concern --------------------------------- */

/* Index of the hop that reaches the target, -1 if none. */
static int
target_hop(const struct resolve_result *r, const char *target)
{
	size_t	 i;

	for (i = 0; i < r->nhops; i++)
		if (strcmp(r->hops[i].target, target) == 0)
			return (int)i;
	return -1;
}

static int
is_missing(const struct resolve_result *r)
{
	return r->nhops == 0 && (r->verdict == RESOLVE_NXDOMAIN ||
	    r->verdict == RESOLVE_NODATA);
}

/* The CNAME does not exist on any server that answered: pre-flight. */
static int
cname_missing(const struct verify *v)
{
	const struct dnsset	*set = &v->dns;
	size_t			 i, nmissing = 0;

	for (i = 0; i < set->nres[SUBJ_FQDN]; i++) {
		if (is_missing(&set->res[SUBJ_FQDN][i]))
			nmissing++;
		else if (set->res[SUBJ_FQDN][i].verdict != RESOLVE_TIMEOUT)
			return 0;
	}
	return nmissing > 0;
}

/* Stage 1 on one server: the FQDN is a CNAME to the target. */
static void
judge_stage1(const struct verify *v, const struct resolve_result *r,
    struct report_stage *sg, const char *check)
{
	const struct resolve_name	*n = &v->subj[SUBJ_FQDN];
	char				 msg[1024];
	int				 hop;

	resolve_io_message(n, r, msg, sizeof(msg));
	hop = target_hop(r, n->target);
	if (r->nhops > 0 && hop == 0 && r->verdict != RESOLVE_LOOP)
		report_stage_check(sg, check, r->verdict ==
		    RESOLVE_NOT_AUTHORITATIVE ? CLOUDDP_STATUS_WARNING :
		    CLOUDDP_STATUS_OK, NULL, "%s -> %s (ttl %u)%s%s", v->fqdn,
		    v->target, (unsigned)r->hops[0].ttl, r->verdict ==
		    RESOLVE_NOT_AUTHORITATIVE ? "; " : "",
		    r->verdict == RESOLVE_NOT_AUTHORITATIVE ? msg : "");
	else if (hop > 0 && r->verdict != RESOLVE_LOOP)
		report_stage_check(sg, check, CLOUDDP_STATUS_WARNING, NULL,
		    "%s reaches %s only through other CNAMEs: %s", v->fqdn,
		    v->target, msg);
	else if (r->nhops > 0 && r->verdict != RESOLVE_LOOP &&
	    r->verdict != RESOLVE_CHAIN_TOO_LONG)
		report_stage_check(sg, check, CLOUDDP_STATUS_CRITICAL, NULL,
		    "wrong target: %s is a CNAME to %s, expected %s", v->fqdn,
		    r->hops[0].target, v->target);
	else if (is_missing(r))
		report_stage_check(sg, check, CLOUDDP_STATUS_CRITICAL, NULL,
		    "no CNAME: %s", msg);
	else
		report_stage_check(sg, check, resolve_verdict_status(
		    r->verdict), NULL, "%s", msg);
}

/* The addresses of r as "a, b"; 1 when vip (if any) is among them. */
static int
addrs_text(const struct resolve_result *r, const char *vip, char *buf,
    size_t len)
{
	size_t	 i, o = 0;
	int	 hit = 0, n;

	buf[0] = '\0';
	for (i = 0; i < r->naddrs && o < len; i++) {
		n = snprintf(buf + o, len - o, "%s%s", i > 0 ? ", " : "",
		    r->addrs[i]);
		o += n > 0 ? (size_t)n : 0;
		if (vip[0] != '\0' && strcmp(vip, r->addrs[i]) == 0)
			hit = 1;
	}
	if (r->nmore > 0 && o < len)
		snprintf(buf + o, len - o, " and %zu more", r->nmore);
	return vip[0] == '\0' || hit;
}

/*
 * Stage 2 on one server: the target resolves to the VIP.  fq is the
 * same server's stage-1 result, for a CNAME left dangling.
 */
static void
judge_stage2(const struct verify *v, const struct resolve_result *r,
    const struct resolve_result *fq, struct report_stage *sg,
    const char *server)
{
	const struct resolve_name	*n = &v->subj[SUBJ_TARGET];
	char				 check[400], msg[1024], addrs[800];

	snprintf(check, sizeof(check), "vip@%s", server);
	if (r->naddrs > 0) {
		if (addrs_text(r, v->subj[SUBJ_TARGET].vip, addrs,
		    sizeof(addrs)))
			report_stage_check(sg, check, CLOUDDP_STATUS_OK, NULL,
			    "%s -> %s (ttl %u)", v->target, addrs,
			    (unsigned)r->addr_ttl);
		else
			report_stage_check(sg, check, CLOUDDP_STATUS_CRITICAL,
			    NULL, "wrong VIP: %s -> %s, expected %s",
			    v->target, addrs, n->vip);
		return;
	}
	resolve_io_message(n, r, msg, sizeof(msg));
	if (fq != NULL && fq->verdict == RESOLVE_DANGLING_CNAME &&
	    target_hop(fq, n->name) >= 0) {
		snprintf(check, sizeof(check), "dangling_cname@%s", server);
		report_stage_check(sg, check, CLOUDDP_STATUS_CRITICAL, NULL,
		    "takeover risk: %s is a CNAME to %s, which does not "
		    "exist: whoever creates %s gets this DP's clients; remove "
		    "the CNAME, or recreate the service", v->fqdn, v->target,
		    v->target);
		return;
	}
	report_stage_check(sg, check, r->verdict == RESOLVE_NO_CNAME ||
	    r->verdict == RESOLVE_OK ? CLOUDDP_STATUS_CRITICAL :
	    resolve_verdict_status(r->verdict), NULL, "%s", msg);
}

static int
dns_report(const struct verify *v, struct report *rep)
{
	struct report_stage	*s1, *s2;
	const struct dnsset	*set = &v->dns;
	const struct resolve_result *fq;
	char			 check[400];
	size_t			 i;

	s1 = report_stage(rep, "dns_stage_1");
	s2 = report_stage(rep, "dns_stage_2");
	if (s1 == NULL || s2 == NULL)
		return -1;
	if (name_azure_shape(v->target) == NAME_AZURE_NONE)
		report_stage_check(s1, "target_shape", CLOUDDP_STATUS_WARNING,
		    NULL, "%s is not an Azure service name (<24-hex>."
		    "cloudapp.net, <prefix>.<region>.cloudapp.azure.com)",
		    v->target);
	for (i = 0; i < set->nres[SUBJ_FQDN]; i++) {
		snprintf(check, sizeof(check), "cname@%s",
		    set->res[SUBJ_FQDN][i].server);
		judge_stage1(v, &set->res[SUBJ_FQDN][i], s1, check);
	}
	for (i = 0; i < set->nres[SUBJ_TARGET]; i++) {
		fq = i < set->nres[SUBJ_FQDN] ? &set->res[SUBJ_FQDN][i] : NULL;
		judge_stage2(v, &set->res[SUBJ_TARGET][i], fq, s2,
		    set->res[SUBJ_TARGET][i].server);
	}
	return report_perf(rep, "dns", round(set->ms), "ms");
}

static long long
newest_serial(const struct resolve_result *r, size_t n)
{
	long long	 newest = -1;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (r[i].serial > newest)
			newest = r[i].serial;
	return newest;
}

/* Each authoritative server: the CNAME, its serial, and the VIP. */
static int
auth_report(const struct verify *v, struct report *rep)
{
	struct report_stage	*sg;
	const struct dnsset	*set = &v->auth;
	const struct resolve_result *r;
	char			 check[400];
	long long		 newest;
	size_t			 i;

	if (set->engine == NULL)
		return 0;
	sg = report_stage(rep, "authoritative");
	if (sg == NULL)
		return -1;
	newest = newest_serial(set->res[SUBJ_FQDN], set->nres[SUBJ_FQDN]);
	for (i = 0; i < set->nres[SUBJ_FQDN]; i++) {
		r = &set->res[SUBJ_FQDN][i];
		snprintf(check, sizeof(check), "cname@%s", r->server);
		judge_stage1(v, r, sg, check);
		if (r->serial >= 0 && r->serial < newest) {
			snprintf(check, sizeof(check), "serial@%s", r->server);
			report_stage_check(sg, check, CLOUDDP_STATUS_WARNING,
			    NULL, "stale: zone %s serial %lld, another server "
			    "has %lld", r->zone, r->serial, newest);
		}
	}
	for (i = 0; i < set->nres[SUBJ_TARGET]; i++)
		judge_stage2(v, &set->res[SUBJ_TARGET][i], NULL, sg,
		    set->res[SUBJ_TARGET][i].server);
	return report_perf(rep, "authoritative", round(set->ms), "ms");
}

/* The thumbprint the VIP must serve: the DP's, else the file's. */
static const char *
expected_sha1(const struct verify *v, char *buf)
{
	const struct cert	*svc = v->run->cfg->service;

	if (v->thumbprint[0] != '\0')
		return v->thumbprint;
	if (svc == NULL)
		return NULL;
	cert_thumbprint_sha1(svc, buf);
	return buf;
}

/* The service certificate file, and the thumbprint it must have. */
static int
cert_report(const struct verify *v, struct report *rep)
{
	const struct verify_cfg	*cfg = v->run->cfg;
	struct report_stage	*sg;
	struct report		*sub;
	struct cert_policy	 pol;
	char			 derived[ZONE_NAME_MAX], sha1[41];
	int			 rc;

	if (cfg->service == NULL && v->thumbprint[0] == '\0')
		return 0;
	sg = report_stage(rep, "certificate");
	if (sg == NULL)
		return -1;
	if (cfg->service == NULL)
		return report_stage_check(sg, "thumbprint", CLOUDDP_STATUS_OK,
		    NULL, "the VIP must serve SHA-1 %s (%s)", v->thumbprint,
		    v->name[0] != '\0' ? "from the inventory" :
		    "--expect-cert");
	sub = report_new("VERIFY");
	if (sub == NULL)
		return -1;
	memset(&pol, 0, sizeof(pol));
	pol.service = 1;
	pol.fqdn = v->fqdn;
	pol.now = cfg->probe.now;
	pol.warn_days = cfg->probe.warn_days;
	pol.crit_days = cfg->crit_days;
	cert_check_all(cfg->service, &pol, sub, derived, sizeof(derived));
	cert_perf_days_left(cfg->service, &pol, sub);
	cert_thumbprint_sha1(cfg->service, sha1);
	if (v->thumbprint[0] != '\0' && strcasecmp(sha1, v->thumbprint) != 0)
		report_check(sub, "thumbprint", CLOUDDP_STATUS_CRITICAL,
		    "the file is SHA-1 %s, but the %s says %s", sha1,
		    v->name[0] != '\0' ? "inventory" : "--expect-cert",
		    v->thumbprint);
	rc = report_stage_adopt(sg, sub, "");
	report_free(sub);
	return rc;
}

/* The VIP: the probe's phases, and the served certificate's thumbprint. */
static int
vip_report(const struct verify *v, struct report *rep)
{
	struct report_stage	*sg;
	struct report		*sub;
	const struct cert	*leaf;
	const char		*want;
	char			 got[41], buf[41];
	int			 rc;

	sg = report_stage(rep, "vip");
	if (sg == NULL)
		return -1;
	if (v->probe == NULL)
		return report_stage_check(sg, "vip", CLOUDDP_STATUS_UNKNOWN,
		    NULL, "%s", v->probe_why);
	sub = report_new("VERIFY");
	if (sub == NULL || vip_probe_report(v->probe, sub) == -1) {
		report_free(sub);
		return -1;
	}
	report_obj_set_str(report_root(rep), "proxy", report_field(sub,
	    "proxy"));
	want = expected_sha1(v, buf);
	leaf = vip_probe_leaf(v->probe);
	if (want != NULL && leaf != NULL) {
		cert_thumbprint_sha1(leaf, got);
		if (strcasecmp(got, want) == 0)
			report_check(sub, "cert_thumbprint", CLOUDDP_STATUS_OK,
			    "the VIP serves the DP's certificate (SHA-1 %s)",
			    got);
		else
			report_check(sub, "cert_thumbprint",
			    CLOUDDP_STATUS_CRITICAL, "the VIP serves SHA-1 %s, "
			    "expected %s: another certificate is deployed",
			    got, want);
	}
	rc = report_stage_adopt(sg, sub, "vip_");
	report_free(sub);
	if (rc == 0)
		rc = report_perf(rep, "vip", round(v->probe_ms), "ms");
	return rc;
}

static int
inventory_report(const struct verify *v, struct report *rep)
{
	struct report_stage	*sg;

	if (v->name[0] == '\0')
		return 0;
	sg = report_stage(rep, "inventory");
	if (sg == NULL)
		return -1;
	if (v->state[0] != '\0')
		return report_stage_check(sg, "dp_state",
		    CLOUDDP_STATUS_CRITICAL, NULL, "DP %s is %s, not ready "
		    "(%s): see clouddp-provision status --name %s", v->name,
		    v->state, v->db, v->name);
	return report_stage_check(sg, "dp_state", CLOUDDP_STATUS_OK, NULL,
	    "DP %s is ready (%s)", v->name, v->db);
}

/* The CNAME to publish, as clouddp-cname writes it, into out. */
static int
record_text(const struct verify *v, struct clouddp_buf *out)
{
	struct cname_rules	 rules = { NULL, 1, 3600 };
	struct cname_rec	 rec;
	struct report_line	 line;
	struct cname_out	 o;
	struct clouddp_err	 e;
	char			*text = NULL;
	size_t			 len = 0;
	int			 rc = -1;

	memset(&line, 0, sizeof(line));
	memset(&o, 0, sizeof(o));
	if (cname_rec_make(&rules, v->fqdn, v->target, NULL, &rec, &e) == -1)
		return -1;
	o.fp = open_memstream(&text, &len);
	if (o.fp == NULL)
		return -1;
	o.line = &line;
	o.format = v->run->cfg->format;
	if (cname_write_begin(&o, &rec) == 0 && cname_write_rec(&o,
	    &rec) == 0)
		rc = 0;
	if (fclose(o.fp) != 0)
		rc = -1;
	if (rc == 0)
		rc = clouddp_buf_append(out, text, len, NULL);
	free(text);
	report_line_free(&line);
	return rc;
}

/* Which stage and check the nagios line leads with. */
struct worst {
	enum clouddp_status	 status;
	char			 text[600];
	size_t			 nbad;		/* non-ok checks */
	size_t			 nother;	/* non-ok, not the CNAME's */
};

static int
is_cname_check(const char *stage, const char *check)
{
	return stage != NULL && (strcmp(stage, "dns_stage_1") == 0 ||
	    strcmp(stage, "authoritative") == 0) &&
	    strncmp(check, "cname@", 6) == 0;
}

static void
worst_find(void *arg, const char *stage, const char *check,
    enum clouddp_status st, const char *msg)
{
	struct worst	*w = arg;

	if (st == CLOUDDP_STATUS_OK)
		return;
	w->nbad++;
	if (!is_cname_check(stage, check))
		w->nother++;
	if (st <= w->status)
		return;
	w->status = st;
	snprintf(w->text, sizeof(w->text), "%s: %s: %s",
	    stage != NULL ? stage : "checks", check, msg);
}

static void
summary_set(const struct verify *v, struct report *rep, int preflight)
{
	struct worst	 w;

	memset(&w, 0, sizeof(w));
	report_check_each(rep, worst_find, &w);
	if (preflight && w.nother == 0)
		report_summary(rep, "%s; pre-flight: one step remains: "
		    "publish the CNAME %s -> %s; everything else checks out",
		    w.text, v->fqdn, v->target);
	else if (w.nbad == 0)
		report_summary(rep, "%s -> %s -> %s: %zu checks passed",
		    v->fqdn, v->target, v->vip[0] != '\0' ? v->vip : "?",
		    report_count(rep, CLOUDDP_STATUS_OK));
	else {
		report_summary(rep, "%s", w.text);
		if (w.nbad > 1)
			report_summary_append(rep, " (and %zu more)",
			    w.nbad - 1);
		if (preflight)
			report_summary_append(rep, "; the CNAME is not "
			    "published yet");
	}
}

static int
fields_set(const struct verify *v, struct report *rep, int preflight)
{
	struct report_obj	*root = report_root(rep);
	char			 chain[3 * ZONE_NAME_MAX];
	int			 bad = 0;

	snprintf(chain, sizeof(chain), "%s %s %s -> %s", v->fqdn,
	    preflight ? "(no CNAME yet) ->" : "->", v->target,
	    v->vip[0] != '\0' ? v->vip : "(no VIP)");
	if (v->name[0] != '\0')
		bad |= report_obj_set_str(root, "dp", v->name);
	if (v->line > 0)
		bad |= report_obj_set_int(root, "line", (long long)v->line);
	bad |= report_obj_set_str(root, "chain", chain);
	bad |= report_obj_set_str(root, "fqdn", v->fqdn);
	bad |= report_obj_set_str(root, "target", v->target);
	bad |= report_obj_set_str(root, "target_shape",
	    name_azure_name(name_azure_shape(v->target)));
	bad |= report_obj_set_str(root, "vip", v->vip[0] != '\0' ? v->vip :
	    NULL);
	bad |= report_obj_set_str(root, "vip_source", v->vip_source);
	bad |= report_obj_set_bool(root, "preflight", preflight);
	bad |= report_obj_set_real(root, "wall_ms", round(v->ms));
	return bad ? -1 : 0;
}

static const char *const format_names[CNAME_FORMAT__MAX] = {
	"bind", "nsupdate", "powershell", "dnscmd", "json"
};

/* Pre-flight: the record to publish, as an object of the report. */
static int
publish_set(const struct verify *v, struct report *rep,
    struct clouddp_buf *record)
{
	struct report_obj	*o;

	if (record_text(v, record) == -1)
		return -1;
	o = report_obj_new();
	if (o == NULL)
		return -1;
	report_obj_set_str(o, "format", format_names[v->run->cfg->format]);
	report_obj_set_str(o, "record", record->data);
	return report_obj_set(report_root(rep), "publish", o);
}

/* Build the DP's report; record gets the CNAME to publish, if any. */
static int
verify_report(const struct verify *v, struct report *rep,
    struct clouddp_buf *record)
{
	int	 preflight = cname_missing(v);

	if (fields_set(v, rep, preflight) == -1 ||
	    inventory_report(v, rep) == -1 || cert_report(v, rep) == -1 ||
	    dns_report(v, rep) == -1 || auth_report(v, rep) == -1 ||
	    vip_report(v, rep) == -1)
		return -1;
	if (preflight && publish_set(v, rep, record) == -1)
		return -1;
	summary_set(v, rep, preflight);
	return report_perf(rep, "total", round(v->ms), "ms");
}

/* JUnit ------------------------------------------------------------------- */

struct verify_junit {
	struct xml_writer	*w;
	int			 failed;
	struct clouddp_err	 err;
};

struct verify_junit *
verify_junit_new(struct clouddp_err *err)
{
	struct verify_junit	*j;

	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	j->w = xml_writer_new(err);
	if (j->w == NULL || xml_writer_start(j->w, "testsuites", err) == -1 ||
	    xml_writer_attr(j->w, "name", "clouddp-verify", err) == -1) {
		verify_junit_free(j);
		return NULL;
	}
	return j;
}

void
verify_junit_free(struct verify_junit *j)
{
	if (j == NULL)
		return;
	xml_writer_free(j->w);
	free(j);
}

/* Counts per status over a report's checks. */
static void
junit_count(void *arg, const char *stage, const char *check,
    enum clouddp_status st, const char *msg)
{
	size_t	*n = arg;

	(void)stage;
	(void)check;
	(void)msg;
	n[st]++;
}

static void
junit_case(void *arg, const char *stage, const char *check,
    enum clouddp_status st, const char *msg)
{
	struct verify_junit	*j = arg;
	struct clouddp_err	*e = &j->err;
	char			 cls[128], out[1100];
	int			 bad = 0;

	snprintf(cls, sizeof(cls), "clouddp-verify.%s",
	    stage != NULL ? stage : "checks");
	bad |= xml_writer_start(j->w, "testcase", e);
	bad |= xml_writer_attr(j->w, "name", check, e);
	bad |= xml_writer_attr(j->w, "classname", cls, e);
	if (st == CLOUDDP_STATUS_CRITICAL || st == CLOUDDP_STATUS_UNKNOWN) {
		bad |= xml_writer_start(j->w, st == CLOUDDP_STATUS_CRITICAL ?
		    "failure" : "error", e);
		bad |= xml_writer_attr(j->w, "message", msg, e);
		bad |= xml_writer_attr(j->w, "type", clouddp_status_key(st),
		    e);
		bad |= xml_writer_text(j->w, msg, e);
		bad |= xml_writer_end(j->w, e);
	} else if (st == CLOUDDP_STATUS_WARNING) {
		snprintf(out, sizeof(out), "WARNING: %s", msg);
		bad |= xml_writer_start(j->w, "system-out", e);
		bad |= xml_writer_text(j->w, out, e);
		bad |= xml_writer_end(j->w, e);
	}
	bad |= xml_writer_end(j->w, e);
	if (bad)
		j->failed = 1;
}

static void
junit_suite(struct verify_junit *j, const char *name, const size_t *n,
    double seconds)
{
	struct clouddp_err	*e = &j->err;
	char			 num[32];
	int			 bad = 0;

	bad |= xml_writer_start(j->w, "testsuite", e);
	bad |= xml_writer_attr(j->w, "name", name, e);
	snprintf(num, sizeof(num), "%zu", n[0] + n[1] + n[2] + n[3]);
	bad |= xml_writer_attr(j->w, "tests", num, e);
	snprintf(num, sizeof(num), "%zu", n[CLOUDDP_STATUS_CRITICAL]);
	bad |= xml_writer_attr(j->w, "failures", num, e);
	snprintf(num, sizeof(num), "%zu", n[CLOUDDP_STATUS_UNKNOWN]);
	bad |= xml_writer_attr(j->w, "errors", num, e);
	bad |= xml_writer_attr(j->w, "skipped", "0", e);
	snprintf(num, sizeof(num), "%.3f", seconds);
	bad |= xml_writer_attr(j->w, "time", num, e);
	if (bad)
		j->failed = 1;
}

static void
junit_add(struct verify_junit *j, struct report *rep, double seconds)
{
	size_t	 n[CLOUDDP_STATUS__MAX] = { 0, 0, 0, 0 };

	report_check_each(rep, junit_count, n);
	junit_suite(j, report_field(rep, "fqdn"), n, seconds);
	report_check_each(rep, junit_case, j);
	if (xml_writer_end(j->w, &j->err) == -1)
		j->failed = 1;
}

/* A DP that could not be checked: one testcase in error. */
static void
junit_error(struct verify_junit *j, const struct clouddp_err *err)
{
	size_t	 n[CLOUDDP_STATUS__MAX] = { 0, 0, 0, 1 };

	junit_suite(j, "input", n, 0);
	junit_case(j, "input", "dp", CLOUDDP_STATUS_UNKNOWN, err->what);
	if (xml_writer_end(j->w, &j->err) == -1)
		j->failed = 1;
}

/*
 * All of buf to fd: a short write is tried again, so that errno says why
 * the disk took no more (ENOSPC, EFBIG), never a stale value.
 */
static int
write_all(int fd, const struct clouddp_buf *buf)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < buf->len) {
		n = write(fd, buf->data + off, buf->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Write buf to path through a synced temporary file and a rename. */
static int
file_replace(const char *path, const struct clouddp_buf *buf,
    struct clouddp_err *err)
{
	char	 tmp[1100], dir[1100];
	int	 fd, dfd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return clouddp_errf(err, CLOUDDP_EIO, "choose a shorter path",
		    "%s: path too long", path);
	fd = mkstemp(tmp);
	if (fd == -1)
		return clouddp_errf(err, CLOUDDP_EIO, "check that the "
		    "directory exists and is writable", "%s: cannot create: "
		    "%s", path, strerror(errno));
	if (write_all(fd, buf) == -1 ||
	    fchmod(fd, 0644) == -1 || fsync(fd) == -1 || close(fd) == -1 ||
	    rename(tmp, path) == -1) {
		clouddp_errf(err, CLOUDDP_EIO, "check the free space and the "
		    "directory's permissions", "%s: cannot write: %s", path,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (dfd != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int
verify_junit_write(struct verify_junit *j, const char *path,
    struct clouddp_err *err)
{
	struct clouddp_buf	 doc = { NULL, 0, 0 };
	int			 rc;

	if (j->failed) {
		*err = j->err;
		return -1;
	}
	rc = xml_writer_done(j->w, &doc, err);
	if (rc == 0)
		rc = file_replace(path, &doc, err);
	clouddp_buf_free(&doc);
	return rc;
}

/* The run: a window of DPs ---------------------------------------------- */

static void
fail_dp(struct vrun *run, const struct clouddp_err *err)
{
	enum clouddp_status	 st;

	st = clouddp_code_status(err->code);
	if (st == CLOUDDP_STATUS_OK)
		st = CLOUDDP_STATUS_UNKNOWN;
	run->tally->dps++;
	run->tally->status[st]++;
	if (run->cfg->junit != NULL)
		junit_error(run->cfg->junit, err);
	run->emit(run->arg, NULL, NULL, err);
}

/* Start DPs until the window is full or the input ends. */
static void
fill(struct vrun *run)
{
	struct verify_dp	 dp;
	struct verify		*v;
	struct clouddp_err	 e;
	int			 rc;

	while (!run->eof && !run->failed &&
	    run->nlive < run->cfg->concurrency) {
		memset(&dp, 0, sizeof(dp));
		rc = run->next(run->arg, &dp, &e);
		if (rc <= 0) {
			run->eof = 1;
			if (rc == -1)
				fail_dp(run, &e);
			break;
		}
		v = verify_start(run, &dp, &e);
		if (v == NULL) {
			if (e.code == CLOUDDP_ENOMEM ||
			    e.code == CLOUDDP_EUSAGE) {
				run->failed = 1;
				run->err = e;
				break;
			}
			fail_dp(run, &e);
			continue;
		}
		v->next = run->live;
		run->live = v;
		run->nlive++;
	}
	if (run->failed || (run->eof && run->nlive == 0))
		loop_stop(run->loop);
}

/* Emit and free one finished DP. */
static void
finish(struct vrun *run, struct verify *v)
{
	struct clouddp_buf	 record = { NULL, 0, 0 };
	struct clouddp_err	 e;
	struct report		*rep;

	rep = report_new("VERIFY");
	if (rep == NULL || verify_report(v, rep, &record) == -1) {
		clouddp_errf(&e, CLOUDDP_ENOMEM, NULL, "out of memory");
		fail_dp(run, &e);
	} else {
		run->tally->dps++;
		run->tally->status[report_status(rep)]++;
		if (v->ms / 1000 > run->tally->slowest)
			run->tally->slowest = v->ms / 1000;
		if (run->cfg->junit != NULL)
			junit_add(run->cfg->junit, rep, v->ms / 1000);
		run->emit(run->arg, rep, record.data, NULL);
	}
	report_free(rep);
	clouddp_buf_free(&record);
	verify_free(v);
}

static void
on_reap(void *arg)
{
	struct vrun	*run = arg;
	struct verify	**pp, *v;

	run->reap = NULL;
	pp = &run->live;
	while (*pp != NULL) {
		v = *pp;
		if (v->pending > 0) {
			pp = &v->next;
			continue;
		}
		*pp = v->next;
		run->nlive--;
		finish(run, v);
	}
	fill(run);
}

static void
reap_soon(struct vrun *run)
{
	if (run->reap == NULL)
		run->reap = loop_timer_add(run->loop, 0, on_reap, run, NULL);
	if (run->reap == NULL) {
		run->failed = 1;
		clouddp_errf(&run->err, CLOUDDP_ENOMEM, NULL, "out of memory");
		loop_stop(run->loop);
	}
}

int
verify_run(const struct verify_cfg *cfg, struct loop *loop,
    verify_next_cb next, verify_emit_cb emit, void *arg,
    struct verify_tally *tally, struct clouddp_err *err)
{
	struct vrun	 run;
	struct verify	*v;
	double		 t0 = loop_now();
	int		 rc = -1;

	memset(&run, 0, sizeof(run));
	memset(tally, 0, sizeof(*tally));
	run.cfg = cfg;
	run.loop = loop;
	run.next = next;
	run.emit = emit;
	run.arg = arg;
	run.tally = tally;
	run.m = http_multi_new(loop, err);
	if (run.m == NULL)
		return -1;
	fill(&run);
	if (!run.failed && !(run.eof && run.nlive == 0) &&
	    loop_run(loop, 0, err) == -1)
		goto out;
	if (run.failed) {
		*err = run.err;
		goto out;
	}
	rc = 0;
out:
	tally->wall = loop_now() - t0;
	http_multi_free(run.m);
	loop_timer_cancel(loop, run.reap);
	while (run.live != NULL) {
		v = run.live;
		run.live = v->next;
		verify_free(v);
	}
	return rc;
}

int
verify_summary(const struct verify_tally *t, struct report *r)
{
	struct report_obj	*root = report_root(r);
	struct report_obj	*o;
	int			 st;

	o = report_obj_new();
	if (o == NULL)
		return -1;
	report_obj_set_int(o, "dps", (long long)t->dps);
	report_obj_set_int(o, "ok", (long long)t->status[CLOUDDP_STATUS_OK]);
	report_obj_set_int(o, "warning",
	    (long long)t->status[CLOUDDP_STATUS_WARNING]);
	report_obj_set_int(o, "critical",
	    (long long)t->status[CLOUDDP_STATUS_CRITICAL]);
	report_obj_set_int(o, "unknown",
	    (long long)t->status[CLOUDDP_STATUS_UNKNOWN]);
	report_obj_set_real(o, "slowest_ms", round(t->slowest * 1000));
	report_obj_set_real(o, "wall_ms", round(t->wall * 1000));
	if (report_obj_set(root, "summary", o) == -1)
		return -1;
	report_summary(r, "%zu DPs: %zu ok, %zu warning, %zu critical, "
	    "%zu unknown", t->dps, t->status[CLOUDDP_STATUS_OK],
	    t->status[CLOUDDP_STATUS_WARNING],
	    t->status[CLOUDDP_STATUS_CRITICAL],
	    t->status[CLOUDDP_STATUS_UNKNOWN]);
	report_perf(r, "dps", (double)t->dps, NULL);
	report_perf(r, "critical",
	    (double)t->status[CLOUDDP_STATUS_CRITICAL], NULL);
	report_perf(r, "slowest", round(t->slowest * 1000), "ms");
	for (st = 0; st < CLOUDDP_STATUS__MAX; st++)
		if (t->status[st] > 0)
			report_raise(r, (enum clouddp_status)st);
	return report_perf(r, "wall", round(t->wall * 1000), "ms");
}

void
verify_dp_from_ref(struct verify_dp *dp, const struct dpref *ref)
{
	dp->fqdn = ref->fqdn;
	dp->target = ref->target;
	dp->vip = ref->vip[0] != '\0' ? ref->vip : NULL;
	if (dp->thumbprint == NULL && ref->thumbprint[0] != '\0')
		dp->thumbprint = ref->thumbprint;
	dp->name = ref->name;
	dp->db = ref->db;
	dp->state = ref->state != INV_STATE_READY ?
	    inventory_state_name(ref->state) : NULL;
}

int
verify_thumbprint_parse(const char *arg, char out[41],
    struct clouddp_err *err)
{
	size_t	 n = 0;

	for (; *arg != '\0'; arg++) {
		if (*arg == ':' || *arg == ' ')
			continue;
		if (n == 40 || strchr("0123456789abcdefABCDEF", *arg) == NULL)
			return clouddp_errf(err, CLOUDDP_EUSAGE, "give the "
			    "SHA-1 thumbprint as 40 hex digits; for a file "
			    "use --service-pfx", "--expect-cert: not a SHA-1 "
			    "thumbprint");
		out[n++] = (*arg >= 'a' && *arg <= 'f') ? *arg - 32 : *arg;
	}
	out[n] = '\0';
	if (n != 40)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give the SHA-1 "
		    "thumbprint as 40 hex digits", "--expect-cert: %zu hex "
		    "digits, not 40", n);
	return 0;
}
