/*
 * VIP probes.  Each repetition opens, at once, an HTTPS request with the
 * FQDN as SNI and Host pinned to the VIP (CONNECT_TO, so a proxy's
 * CONNECT goes to the VIP too), a TLS connection without SNI, and an
 * HTTP request; their results become one verdict per phase.  Never
 * follows redirects, never trusts what it has not checked.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clouddp.h"
#include "cert.h"
#include "http.h"
#include "input.h"
#include "name.h"
#include "opts.h"
#include "vip.h"
#include "report.h"
#include "secret.h"

#define URL_MAX		2400
#define PATH_MAX_LEN	2000

enum vip_req_kind {
	REQ_HTTPS = 0,		/* GET with SNI: TCP, proxy, TLS, cert */
	REQ_NO_SNI,		/* TLS only, no name: what else is served */
	REQ_HTTP,		/* GET on the HTTP port */
	REQ__MAX
};

struct vip_req {
	struct vip_probe		*p;
	enum vip_req_kind	 kind;
};

#define EXTRA_MAX	8

/* A phase-specific field ("protocol", "http_status", ...). */
struct extra {
	const char	*key;		/* static string */
	int		 kind;		/* 0 string, 1 integer, 2 real */
	double		 num;
	char		 str[256];
};

struct phase {
	int			 ran;
	int			 keep;		/* this sample's words shown */
	long			 sample;	/* the sample shown, from 1 */
	enum clouddp_status	 status;
	char			 detail[400];
	double			*ms;		/* one slot per repetition */
	size_t			 nms;
	struct extra		 extras[EXTRA_MAX];
	size_t			 nextras;
};

struct vip_probe {
	struct vip_cfg	 cfg;
	char			 vip[INET6_ADDRSTRLEN];
	char			 host[INET6_ADDRSTRLEN + 2]; /* vip for URLs */
	char			*fqdn;
	char			 url[REQ__MAX][URL_MAX];
	char			 connect_to[REQ__MAX][600];
	struct http_multi	*m;
	vip_probe_done_cb		 cb;
	void			*arg;
	struct vip_req	 reqs[REQ__MAX];
	int			 pending;
	long			 samples;	/* repetitions done */
	struct cert		*leaf;		/* served with SNI */
	struct cert		*leaf_no_sni;	/* served without */
	char			 no_sni_error[256];
	char			 proxy_used[300];	/* by HTTPS */
	char			 proxy_used_http[300];
	struct phase		 phases[VIP__MAX];
};

static const char *const phase_names[VIP__MAX] = {
	[VIP_TCP] = "tcp_https",
	[VIP_PROXY] = "proxy_connect",
	[VIP_TLS] = "tls",
	[VIP_CERT_NAME] = "cert_name",
	[VIP_CERT_VALIDITY] = "cert_validity",
	[VIP_CERT_CHAIN] = "cert_chain",
	[VIP_CERT_EXPECT] = "cert_expect",
	[VIP_CERT_NO_SNI] = "cert_no_sni",
	[VIP_HTTPS] = "https",
	[VIP_TCP_HTTP] = "tcp_http",
	[VIP_HTTP] = "http",
};

const char *
vip_phase_name(enum vip_phase ph)
{
	if ((unsigned)ph >= VIP__MAX)
		return "unknown";
	return phase_names[ph];
}

int
vip_addr_parse(const char *in, char *out, size_t len,
    struct clouddp_err *err)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	char		 shown[128];

	if (inet_pton(AF_INET, in, &a4) == 1 &&
	    inet_ntop(AF_INET, &a4, out, (socklen_t)len) != NULL)
		return 0;
	if (inet_pton(AF_INET6, in, &a6) == 1 &&
	    inet_ntop(AF_INET6, &a6, out, (socklen_t)len) != NULL)
		return 0;
	return clouddp_errf(err, CLOUDDP_EUSAGE,
	    "give the VIP as an address, e.g. --vip 203.0.113.10; "
	    "clouddp-resolve finds it from a name",
	    "'%s' is not an IPv4 or IPv6 address",
	    input_escape(in, shown, sizeof(shown)));
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
vip_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
check_path(const char *s, struct clouddp_err *err)
{
	size_t	 i;

	if (s[0] != '/' || strlen(s) > PATH_MAX_LEN)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give a path that starts with '/', e.g. --path /",
		    "--path: '%.64s' is not an absolute path", s);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return clouddp_errf(err, CLOUDDP_EUSAGE,
			    "percent-encode spaces and control characters",
			    "--path: '%.64s' contains a space or control "
			    "character", s);
	return 0;
}

/* Format the URLs and CONNECT_TO entries of each request. */
static int
build_urls(struct vip_probe *p, struct clouddp_err *err)
{
	const char	*name = p->fqdn != NULL ? p->fqdn : p->host;
	int		 n[5];

	n[0] = snprintf(p->url[REQ_HTTPS], URL_MAX, "https://%s:%ld%s",
	    name, p->cfg.port, p->cfg.path);
	n[1] = snprintf(p->url[REQ_NO_SNI], URL_MAX, "https://%s:%ld/",
	    p->host, p->cfg.port);
	n[2] = snprintf(p->url[REQ_HTTP], URL_MAX, "http://%s:%ld%s",
	    name, p->cfg.http_port, p->cfg.path);
	n[3] = snprintf(p->connect_to[REQ_HTTPS], sizeof(p->connect_to[0]),
	    "%s:%ld:%s:%ld", name, p->cfg.port, p->host, p->cfg.port);
	n[4] = snprintf(p->connect_to[REQ_HTTP], sizeof(p->connect_to[0]),
	    "%s:%ld:%s:%ld", name, p->cfg.http_port, p->host,
	    p->cfg.http_port);
	if (n[0] >= URL_MAX || n[2] >= URL_MAX ||
	    n[3] >= (int)sizeof(p->connect_to[0]) ||
	    n[4] >= (int)sizeof(p->connect_to[0]))
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "the URL for %s is too long", name);
	(void)n[1];
	return 0;
}

struct vip_probe *
vip_probe_new(const struct vip_cfg *cfg, struct clouddp_err *err)
{
	struct vip_probe	*p;
	char			 fqdn[ZONE_NAME_MAX];
	size_t		 i;

	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	if (p->cfg.count < 1)
		p->cfg.count = 1;
	if (vip_addr_parse(cfg->vip, p->vip, sizeof(p->vip), err) == -1)
		goto fail;
	snprintf(p->host, sizeof(p->host), strchr(p->vip, ':') != NULL ?
	    "[%s]" : "%s", p->vip);
	/* The one name form: A-labels, lower case, no final dot. */
	if (cfg->fqdn != NULL && (name_host(cfg->fqdn, fqdn, err) == -1 ||
	    (p->fqdn = strdup(fqdn)) == NULL))
		goto fail;
	if (check_path(cfg->path, err) == -1 || build_urls(p, err) == -1)
		goto fail;
	p->cfg.vip = p->vip;
	p->cfg.fqdn = p->fqdn;
	for (i = 0; i < VIP__MAX; i++) {
		p->phases[i].ms = calloc((size_t)p->cfg.count, sizeof(double));
		if (p->phases[i].ms == NULL) {
			clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
			goto fail;
		}
	}
	return p;
fail:
	if (err != NULL && err->code == CLOUDDP_OK)
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	vip_probe_free(p);
	return NULL;
}

void
vip_probe_free(struct vip_probe *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < VIP__MAX; i++) {
		free(p->phases[i].ms);
	}
	cert_free(p->leaf);
	cert_free(p->leaf_no_sni);
	free(p->fqdn);
	free(p);
}

const struct cert *
vip_probe_leaf(const struct vip_probe *p)
{
	return p->leaf;
}

enum clouddp_status
vip_probe_status(const struct vip_probe *p)
{
	enum clouddp_status	 st = CLOUDDP_STATUS_OK;
	size_t			 i;

	for (i = 0; i < VIP__MAX; i++)
		if (p->phases[i].ran)
			st = clouddp_status_worst(st, p->phases[i].status);
	return st;
}

/* Milliseconds as reported: to a tenth, as the text prints them. */
static double
ms_round(double ms)
{
	return round(ms * 10) / 10;
}

/*
 * Record one repetition's verdict on a phase: the worst verdict and its
 * words are kept, the first of equals, and the phase-specific fields
 * (extra_*) of that same repetition, so that text and JSON show one
 * sample; ms < 0 means no timing.
 */
static void __attribute__((format(printf, 5, 6)))
verdict(struct vip_probe *p, enum vip_phase id, enum clouddp_status st,
    double ms, const char *fmt, ...)
{
	struct phase	*ph = &p->phases[id];
	va_list		 ap;

	ph->keep = !ph->ran || st > ph->status;
	if (ph->keep) {
		va_start(ap, fmt);
		vsnprintf(ph->detail, sizeof(ph->detail), fmt, ap);
		va_end(ap);
		ph->status = st;
		ph->sample = p->samples + 1;
		ph->nextras = 0;
	}
	ph->ran = 1;
	if (ms >= 0 && ph->nms < (size_t)p->cfg.count)
		ph->ms[ph->nms++] = ms * 1000;
}

/* Phase-specific fields of the repetition whose verdict is kept. */
static struct extra *
extra_slot(struct vip_probe *p, enum vip_phase id, const char *key)
{
	struct phase	*ph = &p->phases[id];
	size_t		 i;

	if (!ph->keep)
		return NULL;
	for (i = 0; i < ph->nextras; i++)
		if (strcmp(ph->extras[i].key, key) == 0)
			return &ph->extras[i];
	if (ph->nextras == EXTRA_MAX)
		return NULL;
	ph->extras[ph->nextras].key = key;
	return &ph->extras[ph->nextras++];
}

static void
extra_str(struct vip_probe *p, enum vip_phase id, const char *key,
    const char *val)
{
	struct extra	*e;

	e = extra_slot(p, id, key);
	if (e == NULL)
		return;
	e->kind = 0;
	snprintf(e->str, sizeof(e->str), "%s", val != NULL ? val : "");
}

static void
extra_num(struct vip_probe *p, enum vip_phase id, const char *key, double v,
    int integer)
{
	struct extra	*e;

	e = extra_slot(p, id, key);
	if (e == NULL)
		return;
	e->kind = integer ? 1 : 2;
	e->num = v;
}

/* The connection went to a proxy rather than straight to the VIP. */
static int
went_via_proxy(const struct vip_probe *p, const struct http_result *res,
    long port)
{
	if (res->proxy == NULL)
		return 0;
	if (res->peer[0] == '\0')
		return 1;
	return strcmp(res->peer, p->vip) != 0 || res->peer_port != port;
}

static const char *
subject_name(const struct vip_probe *p)
{
	return p->fqdn != NULL ? p->fqdn : p->vip;
}

/* TCP: to VIP:port, or to the proxy.  Returns 1 when it connected. */
static int
judge_tcp(struct vip_probe *p, enum vip_phase id,
    const struct http_result *res, long port, int via)
{
	char	 where[400];

	if (via)
		snprintf(where, sizeof(where), "proxy %s (%s port %ld)",
		    res->proxy, res->peer[0] != '\0' ? res->peer : "?",
		    res->peer_port);
	else
		snprintf(where, sizeof(where), "%s port %ld", p->vip, port);
	if (res->stage != HTTP_STAGE_TCP) {
		verdict(p, id, CLOUDDP_STATUS_OK, res->t_tcp, "connected to %s",
		    where);
		extra_str(p, id, "peer", res->peer);
		extra_str(p, id, "proxy", via ? res->proxy : "none");
		return 1;
	}
	switch (res->fail) {
	case HTTP_FAIL_REFUSED:
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "refused: %s rejected the connection (%s)", where, via ?
		    "is the proxy running?" : "nothing listens there, or a "
		    "firewall rejects it");
		break;
	case HTTP_FAIL_UNREACHABLE:
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "unreachable: %s: %s", where, strerror(res->os_errno));
		break;
	case HTTP_FAIL_TIMEOUT:
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "timeout: no answer from %s within %g s (packets dropped "
		    "by a firewall, or the host is down)", where,
		    p->cfg.timeout);
		break;
	default:
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "cannot connect to %s: %s", where, res->error);
		break;
	}
	extra_str(p, id, "proxy", via ? res->proxy : "none");
	extra_str(p, id, "outcome", res->fail == HTTP_FAIL_REFUSED ?
	    "refused" : res->fail == HTTP_FAIL_UNREACHABLE ? "unreachable" :
	    res->fail == HTTP_FAIL_TIMEOUT ? "timeout" : "error");
	return 0;
}

/* The words for a failed CONNECT through the proxy. */
static void
proxy_failure(const struct vip_probe *p, const struct http_result *res,
    long port, char *buf, size_t len)
{
	long	 st = res->proxy_status;

	if (res->fail == HTTP_FAIL_STATUS && (st == 407 || st == 401) &&
	    (strchr(res->proxy, '@') != NULL || p->cfg.proxy_password != NULL))
		snprintf(buf, len, "authentication failed: proxy %s did not "
		    "accept the credentials (%ld): check the user in the "
		    "proxy URL and the password given with "
		    "--proxy-password-file, -env or -fd", res->proxy, st);
	else if (res->fail == HTTP_FAIL_STATUS && (st == 407 || st == 401))
		snprintf(buf, len, "authentication failed: proxy %s requires "
		    "authentication (%ld): put the user in the proxy URL "
		    "(http://USER@proxy:port) and give the password with "
		    "--proxy-password-file, -env or -fd", res->proxy, st);
	else if (res->fail == HTTP_FAIL_STATUS && st >= 500)
		snprintf(buf, len, "proxy %s could not reach %s port %ld "
		    "(CONNECT answered %ld)", res->proxy, p->vip, port, st);
	else if (res->fail == HTTP_FAIL_STATUS)
		snprintf(buf, len, "proxy %s refused CONNECT to %s port %ld "
		    "(answered %ld): its rules do not allow this destination "
		    "or port", res->proxy, p->vip, port, st);
	else if (res->fail == HTTP_FAIL_TIMEOUT)
		snprintf(buf, len, "proxy %s did not answer CONNECT to %s "
		    "port %ld within %g s", res->proxy, p->vip, port,
		    p->cfg.timeout);
	else
		snprintf(buf, len, "CONNECT through proxy %s failed: %s",
		    res->proxy, res->error);
}

/* The CONNECT step.  Returns 1 when the tunnel stands (or no proxy). */
static int
judge_proxy(struct vip_probe *p, const struct http_result *res, int via)
{
	char	 text[400];
	double	 ms;

	if (!via) {
		if (res->proxy != NULL)
			verdict(p, VIP_PROXY, CLOUDDP_STATUS_OK, -1,
			    "bypassed: no_proxy exempts %s from proxy %s%s%s; "
			    "connected directly", subject_name(p), res->proxy,
			    res->proxy_env != NULL ? " set in " : "",
			    res->proxy_env != NULL ? res->proxy_env : "");
		return 1;
	}
	if (res->stage < HTTP_STAGE_PROXY)
		return 0;
	if (res->stage == HTTP_STAGE_PROXY) {
		proxy_failure(p, res, p->cfg.port, text, sizeof(text));
		verdict(p, VIP_PROXY, CLOUDDP_STATUS_CRITICAL, -1, "%s",
		    text);
		extra_num(p, VIP_PROXY, "http_status",
		    (double)res->proxy_status, 1);
		if (res->proxy_status == 401 || res->proxy_status == 407)
			extra_str(p, VIP_PROXY, "outcome", "authentication");
		return 0;
	}
	ms = res->t_proxy >= 0 && res->t_tcp >= 0 ?
	    res->t_proxy - res->t_tcp : -1;
	if (ms < 0 && res->t_proxy >= 0)
		ms = 0;
	verdict(p, VIP_PROXY, CLOUDDP_STATUS_OK, ms,
	    "CONNECT %s:%ld through %s answered %ld", p->vip, p->cfg.port,
	    res->proxy, res->proxy_status);
	extra_num(p, VIP_PROXY, "http_status", (double)res->proxy_status,
	    1);
	return 1;
}

static int
judge_tls(struct vip_probe *p, const struct http_result *res, int via)
{
	double	 base;

	base = via && res->t_proxy >= 0 ? res->t_proxy : res->t_tcp;
	if (res->stage > HTTP_STAGE_TLS) {
		verdict(p, VIP_TLS, CLOUDDP_STATUS_OK,
		    res->t_tls >= base ? res->t_tls - base : -1,
		    "%s %s, SNI %s", res->tls_version, res->cipher,
		    p->fqdn != NULL ? p->fqdn : "none");
		extra_str(p, VIP_TLS, "protocol", res->tls_version);
		extra_str(p, VIP_TLS, "cipher", res->cipher);
		return 1;
	}
	if (res->stage < HTTP_STAGE_TLS)
		return 0;
	if (res->fail == HTTP_FAIL_TIMEOUT)
		verdict(p, VIP_TLS, CLOUDDP_STATUS_CRITICAL, -1,
		    "timeout: no TLS handshake within %g s: the port accepts "
		    "TCP but does not answer TLS", p->cfg.timeout);
	else
		verdict(p, VIP_TLS, CLOUDDP_STATUS_CRITICAL, -1,
		    "handshake failed: %s", res->error);
	return 0;
}

/* The response ended early: by a timeout, an error, or our cap. */
static void
judge_cut(struct vip_probe *p, enum vip_phase id,
    const struct http_result *res)
{
	long	 code = res->status;

	if (code == 0 && res->fail == HTTP_FAIL_TIMEOUT)
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "timeout: no answer to GET %s within %g s",
		    p->cfg.path, 2 * p->cfg.timeout);
	else if (code == 0)
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "GET %s failed: %s", p->cfg.path, res->error);
	else if (res->fail == HTTP_FAIL_TIMEOUT)
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "%ld for GET %s, but the body did not end within %g s "
		    "(%zu bytes read): the server stalls or keeps sending",
		    code, p->cfg.path, 2 * p->cfg.timeout, res->body_len);
	else
		verdict(p, id, CLOUDDP_STATUS_CRITICAL, -1,
		    "%ld for GET %s, but reading the body failed after %zu "
		    "bytes: %s", code, p->cfg.path, res->body_len,
		    res->error);
	if (code != 0)
		extra_num(p, id, "http_status", (double)code, 1);
	extra_num(p, id, "body_bytes", (double)res->body_len, 1);
}

static void
judge_response(struct vip_probe *p, enum vip_phase id,
    const struct http_result *res)
{
	enum clouddp_status	 st;
	long			 code = res->status;
	char			 cap[80] = "";

	if (res->stage == HTTP_STAGE_RESPONSE &&
	    res->fail != HTTP_FAIL_BODY_MAX) {
		judge_cut(p, id, res);
		return;
	}
	if (res->fail == HTTP_FAIL_BODY_MAX)
		snprintf(cap, sizeof(cap), " (reading stopped there: the "
		    "cap is %d bytes)", VIP_BODY_MAX);
	st = code >= 200 && code <= 299 ? CLOUDDP_STATUS_OK :
	    code >= 300 && code <= 399 ? CLOUDDP_STATUS_WARNING :
	    CLOUDDP_STATUS_CRITICAL;
	if (code >= 300 && code <= 399)
		verdict(p, id, st, res->t_total, "%ld redirect to %s (not "
		    "followed)", code, res->location != NULL ?
		    res->location : "nowhere");
	else
		verdict(p, id, st, res->t_total, "%ld for GET %s, first byte "
		    "after %.1f ms, %zu bytes%s", code, p->cfg.path,
		    ms_round(res->t_ttfb * 1000), res->body_len, cap);
	extra_num(p, id, "http_status", (double)code, 1);
	extra_num(p, id, "ttfb_ms", res->t_ttfb * 1000, 0);
	extra_num(p, id, "total_ms", res->t_total * 1000, 0);
	extra_num(p, id, "body_bytes", (double)res->body_len, 1);
	if (res->fail == HTTP_FAIL_BODY_MAX)
		extra_str(p, id, "body", "capped");
	if (res->location != NULL)
		extra_str(p, id, "location", res->location);
}

static void	judge_cert(struct vip_probe *, const struct http_result *);

static void
judge_https(struct vip_probe *p, const struct http_result *res)
{
	int	 via;

	via = went_via_proxy(p, res, p->cfg.port);
	snprintf(p->proxy_used, sizeof(p->proxy_used), "%s", via ?
	    res->proxy : res->proxy != NULL ? "bypassed" : "none");
	if (!judge_tcp(p, VIP_TCP, res, p->cfg.port, via))
		return;
	if (!judge_proxy(p, res, via) || !judge_tls(p, res, via))
		return;
	judge_cert(p, res);
	judge_response(p, VIP_HTTPS, res);
}

static void
judge_http(struct vip_probe *p, const struct http_result *res)
{
	char	 text[400];
	int	 via;

	via = went_via_proxy(p, res, p->cfg.http_port);
	snprintf(p->proxy_used_http, sizeof(p->proxy_used_http), "%s", via ?
	    res->proxy : res->proxy != NULL ? "bypassed" : "none");
	if (!judge_tcp(p, VIP_TCP_HTTP, res, p->cfg.http_port, via))
		return;
	if (res->stage == HTTP_STAGE_PROXY) {
		proxy_failure(p, res, p->cfg.http_port, text, sizeof(text));
		verdict(p, VIP_HTTP, CLOUDDP_STATUS_CRITICAL, -1, "%s",
		    text);
		return;
	}
	judge_response(p, VIP_HTTP, res);
}

/* Without SNI: keep the leaf for the comparison at the repetition's end. */
static void
judge_no_sni(struct vip_probe *p, const struct http_result *res)
{
	struct clouddp_err	 e;

	cert_free(p->leaf_no_sni);
	p->leaf_no_sni = NULL;
	p->no_sni_error[0] = '\0';
	if (res->stage < HTTP_STAGE_TLS)
		return;		/* said by the request with SNI */
	if (res->stage == HTTP_STAGE_TLS) {
		snprintf(p->no_sni_error, sizeof(p->no_sni_error), "%s",
		    res->error);
		return;
	}
	if (res->ncerts == 0 || res->certs[0].pem == NULL) {
		snprintf(p->no_sni_error, sizeof(p->no_sni_error),
		    "no certificate was reported");
		return;
	}
	p->leaf_no_sni = cert_from_pem(res->certs[0].pem,
	    strlen(res->certs[0].pem), &e);
	if (p->leaf_no_sni == NULL)
		snprintf(p->no_sni_error, sizeof(p->no_sni_error), "%s",
		    e.what);
}

/* All the names a certificate answers to, for messages. */
static void
names_text(const struct cert *c, char *buf, size_t len)
{
	size_t	 i, n = cert_nsans(c), used;

	if (n == 0) {
		snprintf(buf, len, "CN %s", cert_cn(c) != NULL ? cert_cn(c) :
		    "(none)");
		return;
	}
	snprintf(buf, len, "SAN ");
	for (i = 0; i < n; i++) {
		used = strlen(buf);
		if (used + 1 >= len)
			break;
		snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "",
		    cert_san(c, i));
	}
}

static void
judge_name(struct vip_probe *p, const struct cert *leaf)
{
	char	 names[300];

	if (p->fqdn == NULL)
		return;
	names_text(leaf, names, sizeof(names));
	if (cert_name_matches(leaf, p->fqdn))
		verdict(p, VIP_CERT_NAME, CLOUDDP_STATUS_OK, -1,
		    "%s matches the certificate (%s)", p->fqdn, names);
	else
		verdict(p, VIP_CERT_NAME, CLOUDDP_STATUS_CRITICAL, -1,
		    "%s does not match the certificate (%s): clients will "
		    "refuse it; deploy the service certificate issued for "
		    "%s", p->fqdn, names, p->fqdn);
}

static void
judge_chain(struct vip_probe *p, const struct cert *const *chain, size_t n)
{
	struct clouddp_err	 e;
	const char		*anchors;
	char			 why[256];
	int			 rc;

	anchors = p->cfg.cacert != NULL ? p->cfg.cacert :
	    "the system store";
	rc = cert_chain_verify(chain, n, p->cfg.cacert, why, sizeof(why),
	    &e);
	if (rc == 1)
		verdict(p, VIP_CERT_CHAIN, CLOUDDP_STATUS_OK, -1,
		    "trusted: the chain of %zu leads to a CA in %s", n,
		    anchors);
	else if (rc == 0 && p->cfg.cacert != NULL)
		verdict(p, VIP_CERT_CHAIN, CLOUDDP_STATUS_CRITICAL, -1,
		    "not trusted by %s: %s", anchors, why);
	else if (rc == 0)
		verdict(p, VIP_CERT_CHAIN, CLOUDDP_STATUS_WARNING, -1,
		    "not trusted by the system store: %s (a private PKI? "
		    "give its CA with --cacert)", why);
	else
		verdict(p, VIP_CERT_CHAIN, CLOUDDP_STATUS_UNKNOWN, -1,
		    "%s", e.what);
}

static void
judge_expect(struct vip_probe *p, const struct cert *leaf)
{
	char	 got[41], want[41];
	int	 same;

	if (p->cfg.expect == NULL && p->cfg.expect_sha1 == NULL)
		return;
	cert_thumbprint_sha1(leaf, got);
	if (p->cfg.expect != NULL) {
		cert_thumbprint_sha1(p->cfg.expect, want);
		same = cert_equal(leaf, p->cfg.expect);
	} else {
		snprintf(want, sizeof(want), "%s", p->cfg.expect_sha1);
		same = strcasecmp(got, want) == 0;
	}
	if (same)
		verdict(p, VIP_CERT_EXPECT, CLOUDDP_STATUS_OK, -1,
		    "the served certificate is the expected one (SHA-1 %s)",
		    got);
	else
		verdict(p, VIP_CERT_EXPECT, CLOUDDP_STATUS_CRITICAL, -1,
		    "the VIP serves SHA-1 %s, expected SHA-1 %s: another "
		    "certificate is deployed", got, want);
	extra_str(p, VIP_CERT_EXPECT, "served_sha1", got);
	extra_str(p, VIP_CERT_EXPECT, "expected_sha1", want);
}

static void
judge_cert(struct vip_probe *p, const struct http_result *res)
{
	struct cert		*chain[HTTP_CHAIN_MAX];
	struct cert_finding	 f;
	struct clouddp_err	 e;
	char			 sha1[41];
	size_t			 i, n;

	cert_free(p->leaf);
	p->leaf = NULL;
	for (n = 0; n < res->ncerts && res->certs[n].pem != NULL; n++) {
		chain[n] = cert_from_pem(res->certs[n].pem,
		    strlen(res->certs[n].pem), &e);
		if (chain[n] == NULL)
			break;
	}
	if (n == 0) {
		verdict(p, VIP_CERT_VALIDITY, CLOUDDP_STATUS_UNKNOWN, -1,
		    "the served certificate could not be read: %s",
		    res->ncerts == 0 ? "libcurl reported none" : e.what);
		return;
	}
	judge_name(p, chain[0]);
	cert_check_validity(chain[0], p->cfg.now, p->cfg.warn_days, &f);
	verdict(p, VIP_CERT_VALIDITY, f.status, -1, "%s", f.message);
	extra_num(p, VIP_CERT_VALIDITY, "days_left",
	    floor(difftime(cert_not_after(chain[0]), p->cfg.now) / 86400), 1);
	judge_chain(p, (const struct cert *const *)chain, n);
	judge_expect(p, chain[0]);
	cert_thumbprint_sha1(chain[0], sha1);
	extra_str(p, VIP_CERT_NAME, "subject", cert_subject(chain[0]));
	extra_str(p, VIP_CERT_NAME, "sha1", sha1);
	extra_str(p, VIP_CERT_CHAIN, "issuer", cert_issuer(chain[0]));
	p->leaf = chain[0];
	for (i = 1; i < n; i++)
		cert_free(chain[i]);
}

/* At the end of a repetition: compare what is served without SNI. */
static void
judge_no_sni_end(struct vip_probe *p)
{
	const char	*subject;

	if (p->fqdn == NULL || p->leaf == NULL)
		return;
	if (p->leaf_no_sni == NULL) {
		if (p->no_sni_error[0] != '\0')
			verdict(p, VIP_CERT_NO_SNI, CLOUDDP_STATUS_WARNING,
			    -1, "without SNI the handshake fails (%s): "
			    "clients that send no server name cannot connect",
			    p->no_sni_error);
		return;
	}
	subject = cert_subject(p->leaf_no_sni);
	if (cert_equal(p->leaf, p->leaf_no_sni))
		verdict(p, VIP_CERT_NO_SNI, CLOUDDP_STATUS_OK, -1,
		    "the same certificate as with SNI");
	else if (cert_name_matches(p->leaf_no_sni, p->fqdn))
		verdict(p, VIP_CERT_NO_SNI, CLOUDDP_STATUS_OK, -1,
		    "another certificate (%s), also valid for %s", subject,
		    p->fqdn);
	else
		verdict(p, VIP_CERT_NO_SNI, CLOUDDP_STATUS_WARNING, -1,
		    "another certificate (%s), not valid for %s: clients "
		    "that send no server name will refuse it", subject,
		    p->fqdn);
	extra_str(p, VIP_CERT_NO_SNI, "subject", subject);
}

static void	on_req_done(void *, const struct clouddp_err *,
		    const struct http_result *);

static void
on_trace(void *arg, const char *line)
{
	static const char *const kinds[REQ__MAX] = {
		"https", "no-sni", "http"
	};
	struct vip_req	*q = arg;
	struct vip_probe		*p = q->p;
	char			 text[640];

	snprintf(text, sizeof(text), "%s %s: %s", p->vip, kinds[q->kind],
	    line);
	p->cfg.trace(p->cfg.trace_arg, text);
}

static int
req_start(struct vip_probe *p, enum vip_req_kind kind,
    const struct http_req_opts *o, struct clouddp_err *err)
{
	struct http_req_opts	 opts = *o;

	p->reqs[kind].p = p;
	p->reqs[kind].kind = kind;
	if (p->cfg.trace != NULL) {
		opts.trace = on_trace;
		opts.trace_arg = &p->reqs[kind];
	}
	if (http_req_start(p->m, &opts, on_req_done, &p->reqs[kind],
	    err) == -1)
		return -1;
	p->pending++;
	return 0;
}

/* Start one repetition: its requests run at once. */
static int
sample_start(struct vip_probe *p, struct clouddp_err *err)
{
	struct http_req_opts	 o;

	/* Nothing of an earlier repetition may be compared with this one. */
	cert_free(p->leaf);
	cert_free(p->leaf_no_sni);
	p->leaf = p->leaf_no_sni = NULL;
	p->no_sni_error[0] = '\0';
	memset(&o, 0, sizeof(o));
	o.insecure = 1;		/* judged from what was served */
	o.body_max = VIP_BODY_MAX;
	o.proxy = p->cfg.proxy;
	o.proxy_password = p->cfg.proxy_password;
	o.connect_timeout = p->cfg.timeout;
	o.timeout = 2 * p->cfg.timeout;
	o.url = p->url[REQ_HTTPS];
	o.connect_to = p->fqdn != NULL ? p->connect_to[REQ_HTTPS] : NULL;
	o.certinfo = 1;
	if (req_start(p, REQ_HTTPS, &o, err) == -1)
		return -1;
	if (p->fqdn != NULL) {
		o.url = p->url[REQ_NO_SNI];
		o.connect_to = NULL;
		o.connect_only = 1;
		if (req_start(p, REQ_NO_SNI, &o, err) == -1)
			return -1;
	}
	if (p->cfg.http_port > 0) {
		o.url = p->url[REQ_HTTP];
		o.connect_to = p->fqdn != NULL ? p->connect_to[REQ_HTTP] :
		    NULL;
		o.connect_only = 0;
		o.certinfo = 0;
		/* A plain proxied GET would make the proxy resolve the
		 * name; a tunnel takes us to the VIP, as for HTTPS. */
		o.tunnel = 1;
		if (req_start(p, REQ_HTTP, &o, err) == -1)
			return -1;
	}
	return 0;
}

static void
on_req_done(void *arg, const struct clouddp_err *err,
    const struct http_result *res)
{
	struct vip_req	*q = arg;
	struct vip_probe		*p = q->p;
	struct clouddp_err	 e;

	if (err != NULL)
		verdict(p, q->kind == REQ_HTTP ? VIP_HTTP : VIP_TCP,
		    CLOUDDP_STATUS_UNKNOWN, -1, "%s", err->what);
	else if (q->kind == REQ_HTTPS)
		judge_https(p, res);
	else if (q->kind == REQ_NO_SNI)
		judge_no_sni(p, res);
	else
		judge_http(p, res);
	if (--p->pending > 0)
		return;
	judge_no_sni_end(p);
	p->samples++;
	if (p->samples < p->cfg.count) {
		clouddp_err_clear(&e);
		if (sample_start(p, &e) == 0)
			return;
		if (p->pending > 0) {
			verdict(p, VIP_TCP, CLOUDDP_STATUS_UNKNOWN, -1,
			    "%s", e.what);
			p->samples = p->cfg.count;
			return;
		}
		p->cb(p->arg, &e, p);
		return;
	}
	p->cb(p->arg, NULL, p);
}

int
vip_probe_start(struct vip_probe *p, struct http_multi *m, vip_probe_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	p->m = m;
	p->cb = cb;
	p->arg = arg;
	if (sample_start(p, err) == -1 && p->pending == 0)
		return -1;
	return 0;
}

static struct report_obj *
phase_obj(const struct vip_probe *p, enum vip_phase id)
{
	const struct phase	*ph = &p->phases[id];
	const struct extra	*e;
	struct report_obj	*o;
	double			 v[64], *ms = ph->ms;
	size_t			 i, n = ph->nms;

	/* vip_median() sorts: work on a copy where one fits. */

	o = report_obj_new();
	if (o == NULL)
		return NULL;
	report_obj_set_str(o, "status", ph->ran ?
	    clouddp_status_key(ph->status) : "skipped");
	if (n > 0 && n <= sizeof(v) / sizeof(v[0])) {
		memcpy(v, ms, n * sizeof(*v));
		ms = v;
	}
	if (n > 0) {
		report_obj_set_real(o, "ms", ms_round(vip_median(ms, n)));
		if (p->cfg.count > 1) {
			report_obj_set_real(o, "min_ms", ms_round(ms[0]));
			report_obj_set_real(o, "max_ms", ms_round(ms[n - 1]));
			report_obj_set_int(o, "samples", (long long)n);
		}
	} else
		report_obj_set_str(o, "ms", NULL);
	report_obj_set_str(o, "detail", ph->ran ? ph->detail :
	    "not reached: an earlier phase failed");
	if (ph->ran && p->cfg.count > 1)
		report_obj_set_int(o, "sample", ph->sample);
	for (i = 0; i < ph->nextras; i++) {
		e = &ph->extras[i];
		if (e->kind == 0)
			report_obj_set_str(o, e->key, e->str);
		else if (e->kind == 1)
			report_obj_set_int(o, e->key, (long long)e->num);
		else
			report_obj_set_real(o, e->key, ms_round(e->num));
	}
	return o;
}

/* Whether a phase belongs in this probe's report at all. */
static int
applies(const struct vip_probe *p, enum vip_phase id)
{
	switch (id) {
	case VIP_PROXY:
		return p->phases[id].ran || (p->proxy_used[0] != '\0' &&
		    strcmp(p->proxy_used, "none") != 0);
	case VIP_CERT_NAME:
	case VIP_CERT_NO_SNI:
		return p->fqdn != NULL;
	case VIP_CERT_EXPECT:
		return p->cfg.expect != NULL || p->cfg.expect_sha1 != NULL;
	case VIP_TCP_HTTP:
	case VIP_HTTP:
		return p->cfg.http_port > 0;
	default:
		return 1;
	}
}

static int
report_fields(const struct vip_probe *p, struct report *r)
{
	struct report_obj	*root = report_root(r);
	char			 u[4 * ZONE_NAME_MAX];
	int			 bad = 0;

	bad |= report_obj_set_str(root, "vip", p->vip);
	bad |= report_obj_set_str(root, "fqdn", p->fqdn);
	if (p->fqdn != NULL && name_to_unicode(p->fqdn, u, sizeof(u)) == 1)
		bad |= report_obj_set_str(root, "fqdn_unicode", u);
	bad |= report_obj_set_int(root, "port", p->cfg.port);
	if (p->cfg.http_port > 0)
		bad |= report_obj_set_int(root, "http_port",
		    p->cfg.http_port);
	else
		bad |= report_obj_set_str(root, "http_port", NULL);
	bad |= report_obj_set_str(root, "path", p->cfg.path);
	bad |= report_obj_set_str(root, "proxy", p->proxy_used[0] != '\0' ?
	    p->proxy_used : "none");
	if (p->cfg.http_port > 0)
		bad |= report_obj_set_str(root, "proxy_http",
		    p->proxy_used_http[0] != '\0' ? p->proxy_used_http :
		    "none");
	bad |= report_obj_set_int(root, "count", p->cfg.count);
	return bad ? -1 : 0;
}

/* One check line: the detail, then the timing. */
static int
report_phase(const struct vip_probe *p, struct report *r, enum vip_phase id)
{
	const struct phase	*ph = &p->phases[id];
	double			 v[64], median;
	size_t			 n = ph->nms;
	char			 t[96] = "";

	if (n > sizeof(v) / sizeof(v[0]))
		n = sizeof(v) / sizeof(v[0]);
	memcpy(v, ph->ms, n * sizeof(*v));
	median = vip_median(v, n);	/* sorts v */
	if (n == 1)
		snprintf(t, sizeof(t), " (%.1f ms)", v[0]);
	else if (n > 1)
		snprintf(t, sizeof(t), " (sample %ld of %ld; min/median/max "
		    "%.1f/%.1f/%.1f ms)", ph->sample, p->cfg.count, v[0],
		    median, v[n - 1]);
	else if (p->cfg.count > 1)
		snprintf(t, sizeof(t), " (sample %ld of %ld)", ph->sample,
		    p->cfg.count);
	if (n > 0 && report_perf(r, vip_phase_name(id), ms_round(median),
	    "ms") == -1)
		return -1;
	return report_check(r, vip_phase_name(id), ph->status, "%s%s",
	    ph->detail, t);
}

/*
 * Perfdata for the served certificate's remaining days, with the
 * thresholds as ranges ("30:" alerts below 30): warning within
 * --warn-days, critical once expired.
 */
static int
days_left_perf(const struct vip_probe *p, struct report *r)
{
	char	 thresholds[64];
	double	 days;

	if (p->leaf == NULL)
		return 0;
	days = floor(difftime(cert_not_after(p->leaf), p->cfg.now) / 86400);
	snprintf(thresholds, sizeof(thresholds), ";%ld:;0:", p->cfg.warn_days);
	return report_perf(r, "days_left", days, thresholds);
}

int
vip_probe_report(const struct vip_probe *p, struct report *r)
{
	struct report_obj	*phases, *o;
	size_t			 i;

	if (report_fields(p, r) == -1 || days_left_perf(p, r) == -1)
		return -1;
	phases = report_obj_new();
	if (phases == NULL)
		return -1;
	for (i = 0; i < VIP__MAX; i++) {
		if (!applies(p, (enum vip_phase)i))
			continue;
		o = phase_obj(p, (enum vip_phase)i);
		if (o == NULL || report_obj_set(phases, phase_names[i], o)) {
			report_obj_free(phases);
			return -1;
		}
		if (p->phases[i].ran &&
		    report_phase(p, r, (enum vip_phase)i) == -1) {
			report_obj_free(phases);
			return -1;
		}
	}
	return report_obj_set(report_root(r), "phases", phases);
}

/*
 * The certificate the VIP must serve: with src NONE the empty password
 * is tried first, then a prompt on a terminal (secret_load).
 */
struct expect_try {
	const char	*path;
	struct cert	*cert;
};

static int
expect_try(void *arg, const char *password, struct clouddp_err *err)
{
	struct expect_try	*t = arg;

	t->cert = cert_load_file(t->path, password, err);
	return t->cert != NULL ? 0 : -1;
}

static struct cert *
expect_load(const char *path, const struct clouddp_secret_src *src,
    struct clouddp_err *err)
{
	struct expect_try	 t = { path, NULL };
	struct secret_req	 req = { src, NULL, 1, expect_try, &t };
	char			 prompt[300];

	snprintf(prompt, sizeof(prompt), "Password for %s: ", path);
	req.prompt = prompt;
	if (secret_load(&req, NULL, err) == -1)
		clouddp_err_prefix(err, "--expect-cert");
	return t.cert;
}

/* The proxy's password, once the proxy is known to name its user. */
static int
proxy_password_load(const struct vip_cfg *cfg,
    const struct clouddp_secret_src *src, struct secret_shield **out,
    struct clouddp_err *err)
{
	const char	*proxy = cfg->proxy, *var, *p, *at;

	if (proxy == NULL)
		proxy = http_env_proxy("https", &var);
	if (proxy == NULL && cfg->http_port > 0)
		proxy = http_env_proxy("http", &var);
	if (proxy == NULL || proxy[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "give the proxy with --proxy http://USER@HOST:PORT",
		    "a proxy password was given, but no proxy");
	p = strstr(proxy, "://");
	p = p != NULL ? p + 3 : proxy;
	at = strchr(p, '@');
	if (at == NULL || at == p || (strchr(p, '/') != NULL &&
	    strchr(p, '/') < at))
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "put the user in the proxy URL: http://USER@HOST:PORT",
		    "a proxy password was given, but the proxy names no "
		    "user");
	*out = http_proxy_password_read(src, err);
	return *out != NULL ? 0 : -1;
}

void
vip_cfg_init(struct vip_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 443;
	cfg->http_port = 80;
	cfg->path = "/";
	cfg->count = 1;
	cfg->warn_days = 30;
	cfg->timeout = 10;
}

int
vip_secrets_set(struct vip_secrets *sec, const char *opt,
    enum clouddp_secret_kind kind, const char *arg, struct clouddp_err *err)
{
	long	 fd;

	if (sec->proxy_src.kind != CLOUDDP_SECRET_NONE)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give one of "
		    "--proxy-password-file, --proxy-password-env, "
		    "--proxy-password-fd", "more than one proxy password "
		    "source given");
	if (kind == CLOUDDP_SECRET_FD &&
	    clouddp_parse_long(opt, arg, 0, INT_MAX, &fd, err) == -1)
		return -1;
	sec->proxy_src.kind = kind;
	sec->proxy_src.arg = arg;
	sec->proxy_src.opt = "--proxy-password";
	return 0;
}

int
vip_secrets_load(struct vip_secrets *sec, struct vip_cfg *cfg,
    struct clouddp_err *err)
{
	if (cfg->cacert != NULL && access(cfg->cacert, R_OK) == -1)
		return clouddp_errf(err, CLOUDDP_EIO,
		    "check the path given to --cacert",
		    "%s: %s", cfg->cacert, strerror(errno));
	if (sec->expect_path != NULL) {
		sec->expect = expect_load(sec->expect_path, &sec->expect_src,
		    err);
		if (sec->expect == NULL)
			return -1;
		cfg->expect = sec->expect;
	}
	if (sec->proxy_src.kind != CLOUDDP_SECRET_NONE) {
		if (proxy_password_load(cfg, &sec->proxy_src, &sec->proxy_pw,
		    err) == -1)
			return -1;
		cfg->proxy_password = sec->proxy_pw;
	}
	return 0;
}

void
vip_secrets_clear(struct vip_secrets *sec)
{
	cert_free(sec->expect);
	secret_shield_free(sec->proxy_pw);
	sec->expect = NULL;
	sec->proxy_pw = NULL;
}
