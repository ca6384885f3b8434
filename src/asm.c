/*
 * The classic Service Management back end.  One engine (struct call)
 * sends a request with x-ms-version and the management certificate,
 * retries 429/500/503 and dropped connections with capped exponential
 * backoff, jitter and Retry-After, follows 307, and follows an accepted
 * request's operation with Get Operation Status on loop timers (spec
 * 1.4-1.6).  The operations of backend.h are built on it, each a small
 * state machine (struct job).  Never sleeps, never prints; secrets (the
 * service .pfx password) live only in a request body that is wiped.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clouddp.h"
#include "asm.h"
#include "backend.h"
#include "cert.h"
#include "http.h"
#include "log.h"
#include "secret.h"
#include "loop.h"
#include "xml.h"

#define NS	"http://schemas.microsoft.com/windowsazure"
#define REDIRECTS_MAX	5
#define ROLE		"ContentService"	/* in .cscfg and package */
#define CERT_NAME	"SSLCertificate"
#define BACKOFF_MAX	30.0
#define RESOLVE_TRIES	3	/* a name that does not resolve */
#define NOT_ASM_HINT	"check that --endpoint is the Azure management " \
	"API (https://management.core.windows.net) and not another server"

struct asm_be;
struct call;

typedef void	(*call_cb)(struct call *, const struct clouddp_err *);

/* One API request, with its retries and its operation's polling. */
struct call {
	struct asm_be		*b;
	struct call		*prev, *next;
	const char		*what;		/* "Create Storage Account" */
	const char		*method;
	char			 url[1024];
	struct clouddp_buf	 body;		/* wiped when freed */
	int			 async;		/* follow the operation */
	int			 notified;	/* on_accepted called */
	int			 polling;	/* now on the operation */
	int			 attempt;
	int			 redirects;
	double			 deadline;
	struct loop_timer	*timer;
	long			 status;	/* final, or the op's */
	char			 request_id[64];	/* the request's */
	char			 last_id[64];	/* the last answer's */
	char			 api_code[64];
	char			 last[300];	/* the last failure, words */
	const char		*last_hint;	/* its hint, or NULL */
	int			 stalled;	/* an answer stalled */
	struct clouddp_buf	 resp;
	struct xml_doc		*doc;		/* resp parsed, or NULL */
	call_cb			 cb;
	void			*arg;
};

struct asm_be {
	struct backend		 be;
	struct loop		*loop;
	struct http_multi	*multi;
	struct backend_cfg	 cfg;
	char			 base[512];
	unsigned long long	 rnd;
	struct call		*calls;
	struct job		*jobs;
	struct backend_usage	 usage;		/* from Get Subscription */
	int			 have_usage;	/* usage read this run */
};

static const char *const hdrs[] = {
	"x-ms-version: " ASM_VERSION,
	"Content-Type: application/xml",
	"Accept: application/xml",
	"Expect:"
};

static void	 send_call(struct call *);

static void
logf_(struct asm_be *b, enum log_type t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
logf_(struct asm_be *b, enum log_type t, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;

	if (b->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_sink_write(b->cfg.log, t, line);
}

/* Uniform in [0, 1): xorshift, seeded per back end. */
static double
jitter(struct asm_be *b)
{
	b->rnd ^= b->rnd << 13;
	b->rnd ^= b->rnd >> 7;
	b->rnd ^= b->rnd << 17;
	return (double)(b->rnd >> 11) / 9007199254740992.0;
}

static void
call_free(struct call *c)
{
	if (c == NULL)
		return;
	if (c->timer != NULL)
		loop_timer_cancel(c->b->loop, c->timer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->b->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	clouddp_buf_free(&c->body);
	clouddp_buf_free(&c->resp);
	xml_doc_free(c->doc);
	free(c);
}

static void
finish(struct call *c, const struct clouddp_err *err)
{
	c->cb(c, err);
	call_free(c);
}

/* A child's text into buf (empty when absent). */
static void
leaf(const struct xml_node *n, const char *name, char *buf, size_t len)
{
	struct clouddp_buf	 t = { NULL, 0, 0 };
	struct clouddp_err	 err;
	const struct xml_node	*k;

	buf[0] = '\0';
	k = n != NULL ? xml_node_child(n, name) : NULL;
	if (k != NULL && xml_node_text(k, &t, &err) == 1 && t.data != NULL)
		snprintf(buf, len, "%s", t.data);
	clouddp_buf_free(&t);
}

static const char *
code_hint(const char *code, long status)
{
	if (strcmp(code, "AuthenticationFailed") == 0)
		return "upload the management certificate's .cer to this "
		    "subscription, or pass the one that is";
	if (strcmp(code, "SubscriptionDisabled") == 0)
		return "re-enable the subscription in the portal";
	if (strcmp(code, "ConflictError") == 0)
		return "the name is taken or a quota is used up: free it, "
		    "or raise the quota";
	if (strcmp(code, "ResourceNotFound") == 0)
		return "check the name; it may have been deleted";
	if (strcmp(code, "MissingOrIncorrectVersionHeader") == 0)
		return "the endpoint does not accept x-ms-version "
		    ASM_VERSION "; check --endpoint";
	if (strcmp(code, "TemporaryRedirect") == 0)
		return "Azure kept redirecting the request: run again later, "
		    "or resume";
	if (strcmp(code, "TooManyRequests") == 0 || status == 429)
		return "Azure is throttling this subscription: wait a few "
		    "minutes, then resume";
	if (strcmp(code, "InternalError") == 0 ||
	    strcmp(code, "OperationTimedOut") == 0)
		return "Azure failed on its side: resume to try again (what "
		    "was done is kept)";
	if (status == 429 || status >= 500)
		return "Azure is busy: run again later, or resume";
	return "correct the value the message names, then run again";
}

/* An <Error> (or an <Operation>'s) into err, with the request id. */
static void
api_error(struct call *c, const struct xml_node *e, struct clouddp_err *err)
{
	char	 msg[300];

	leaf(e, "Code", c->api_code, sizeof(c->api_code));
	leaf(e, "Message", msg, sizeof(msg));
	if (c->api_code[0] == '\0')
		snprintf(c->api_code, sizeof(c->api_code), "HTTP%ld",
		    c->status);
	clouddp_errf(err, CLOUDDP_EAPI, code_hint(c->api_code, c->status),
	    "%s: %ld %s: %s (request id %s)", c->what, c->status, c->api_code,
	    msg[0] != '\0' ? msg : "no message",
	    c->polling && c->request_id[0] != '\0' ? c->request_id :
	    c->last_id[0] != '\0' ? c->last_id : "none");
}

static void
retry_fire(void *arg)
{
	struct call	*c = arg;

	c->timer = NULL;
	send_call(c);
}

/* Schedule the request again after delay; -1 when out of tries. */
static int
again(struct call *c, double delay, struct clouddp_err *err)
{
	if (loop_now() + delay > c->deadline) {
		clouddp_errf(err, CLOUDDP_ETIMEOUT, c->last_hint != NULL ?
		    c->last_hint : "raise --timeout, or resume later",
		    "%s: timed out after %.0f s (--timeout): %s", c->what,
		    c->b->cfg.timeout, c->last[0] != '\0' ? c->last :
		    "no answer");
		return -1;
	}
	c->timer = loop_timer_add(c->b->loop, delay, retry_fire, c, err);
	return c->timer != NULL ? 0 : -1;
}

/* 429, 500, 503 and dropped connections: back off and send again. */
static int
backoff(struct call *c, long retry_after, const char *why,
    struct clouddp_err *err)
{
	double	 d;

	snprintf(c->last, sizeof(c->last), "%s", why);
	if (c->attempt >= c->b->cfg.max_retries) {
		clouddp_errf(err, c->status != 0 ? CLOUDDP_EAPI : CLOUDDP_EHTTP,
		    c->status != 0 ? code_hint(c->api_code, c->status) :
		    c->last_hint != NULL ? c->last_hint : "check the endpoint "
		    "and the network (or the proxy), then resume",
		    "%s: %s, still after %d tries", c->what, why,
		    c->attempt + 1);
		return -1;
	}
	d = c->b->cfg.retry_base * pow(2, c->attempt);
	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	d = d / 2 + d / 2 * jitter(c->b);
	if (retry_after >= 0 && (double)retry_after > d)
		d = (double)retry_after;
	c->attempt++;
	logf_(c->b, LOG_TYPE_WARNING, "%s: %s; retry %d in %.1f s", c->what,
	    why, c->attempt, d);
	return again(c, d, err);
}

/* The operation's state: InProgress polls again, the others end. */
static void
on_operation(struct call *c, struct clouddp_err *err)
{
	const struct xml_node	*root;
	char			 st[32], code[16];

	/* An answer with no body has no document to read. */
	if (c->doc == NULL) {
		clouddp_errf(err, CLOUDDP_EAPI, NOT_ASM_HINT, "%s: unreadable "
		    "answer: operation %s: %ld with no body", c->what,
		    c->request_id[0] != '\0' ? c->request_id : "polled",
		    c->status);
		finish(c, err);
		return;
	}
	root = xml_doc_root(c->doc);
	leaf(root, "Status", st, sizeof(st));
	if (strcmp(st, "InProgress") == 0) {
		c->attempt = 0;
		snprintf(c->last, sizeof(c->last), "operation %s still "
		    "InProgress", c->request_id);
		if (again(c, c->b->cfg.poll_interval, err) == -1)
			finish(c, err);
		return;
	}
	leaf(root, "HttpStatusCode", code, sizeof(code));
	c->status = strtol(code, NULL, 10);
	if (strcmp(st, "Succeeded") == 0) {
		finish(c, NULL);
		return;
	}
	if (c->status == 0)
		c->status = 500;
	api_error(c, xml_node_child(root, "Error"), err);
	clouddp_err_prefix(err, "operation failed");
	logf_(c->b, LOG_TYPE_ERROR, "%s", err->what);
	finish(c, err);
}

/* Accepted: now follow its operation, or end. */
static void
on_success(struct call *c, struct clouddp_err *err)
{
	int	 n;

	if (c->polling) {
		on_operation(c, err);
		return;
	}
	if (!c->async || c->request_id[0] == '\0') {
		finish(c, NULL);
		return;
	}
	logf_(c->b, LOG_TYPE_INFO, "%s: accepted, operation %s", c->what,
	    c->request_id);
	if (c->b->cfg.on_accepted != NULL && !c->notified)
		c->b->cfg.on_accepted(c->b->cfg.accepted_arg, c->request_id);
	c->notified = 1;
	c->polling = 1;
	c->attempt = 0;
	c->method = "GET";
	clouddp_buf_free(&c->body);
	n = snprintf(c->url, sizeof(c->url), "%s/operations/%s", c->b->base,
	    c->request_id);
	if (n < 0 || (size_t)n >= sizeof(c->url)) {
		clouddp_errf(err, CLOUDDP_EINTERNAL, NULL, "url too long");
		finish(c, err);
		return;
	}
	if (again(c, c->b->cfg.poll_interval, err) == -1)
		finish(c, err);
}

/*
 * The proxy refused the CONNECT (curl's words are only "CONNECT
 * tunnel failed"): say why in words.  A 407 or another refusal stays
 * until the credentials or the proxy's rules change, so it is not
 * retried; only a proxy that could not reach Azure (5xx) may pass.
 */
static int
proxy_refused(struct call *c, const struct http_result *res,
    struct clouddp_err *err)
{
	long	 st = res->proxy_status;

	if ((st == 407 || st == 401) && c->b->cfg.proxy_password == NULL &&
	    strchr(res->proxy, '@') == NULL)
		return clouddp_errf(err, CLOUDDP_EHTTP, "put the user in the "
		    "proxy URL (http://USER@HOST:PORT) and give its password "
		    "with --proxy-password-file, -env or -fd", "%s: proxy %s "
		    "requires authentication (%ld)", c->what, res->proxy, st);
	if (st == 407 || st == 401)
		return clouddp_errf(err, CLOUDDP_EHTTP, "check the user in the "
		    "proxy URL and the password given with "
		    "--proxy-password-file, -env or -fd", "%s: proxy %s did not "
		    "accept the credentials (%ld)", c->what, res->proxy, st);
	return clouddp_errf(err, CLOUDDP_EHTTP, "ask the proxy's "
	    "administrators to allow the management endpoint, or bypass the "
	    "proxy with no_proxy", "%s: proxy %s refused the connection to "
	    "%s (answered %ld)", c->what, res->proxy, c->url, st);
}

/* What to do about a certificate that failed verification. */
static const char *
verify_hint(const struct http_result *res)
{
	if (res->fail == HTTP_FAIL_CLIENT_CERT)
		return "check the management certificate and its key";
	switch (res->verify) {
	case HTTP_VERIFY_NAME:
		return "give --endpoint the name the endpoint's certificate "
		    "carries, or check that it is the right server";
	case HTTP_VERIFY_EXPIRED:
		return "the endpoint's certificate is out of its dates: have "
		    "it renewed, or check this machine's clock";
	case HTTP_VERIFY_UNTRUSTED:
		return "pass the CA that signed the endpoint's certificate "
		    "with --cacert, or check that it is the right server";
	default:
		return "pass the endpoint's CA with --cacert";
	}
}

/* The transfer failed before a whole answer: retry what may pass. */
static int
transport_failed(struct call *c, const struct http_result *res,
    struct clouddp_err *err)
{
	char	 why[300];

	if (res->stage == HTTP_STAGE_PROXY && res->fail == HTTP_FAIL_STATUS &&
	    res->proxy != NULL && res->proxy_status < 500)
		return proxy_refused(c, res, err);

	if (res->fail == HTTP_FAIL_VERIFY || res->fail == HTTP_FAIL_CLIENT_CERT)
		return clouddp_errf(err, CLOUDDP_ETLS, verify_hint(res),
		    "%s: %s: %s", c->what, c->url, res->error);
	/* Cut on our side: a server that does this will do it again. */
	if (res->fail == HTTP_FAIL_BODY_MAX ||
	    res->fail == HTTP_FAIL_HEADERS_MAX)
		return clouddp_errf(err, CLOUDDP_EHTTP, NOT_ASM_HINT,
		    "%s: %s: %s", c->what, c->url, res->error);
	c->last_hint = NULL;
	if (res->stage == HTTP_STAGE_TLS) {
		snprintf(why, sizeof(why), "TLS handshake failed: %s",
		    res->error);
		c->last_hint = "check that --endpoint is the management API's "
		    "https:// address (and any proxy): it does not complete "
		    "a TLS handshake";
	} else if (res->fail == HTTP_FAIL_STALL ||
	    (res->fail == HTTP_FAIL_TIMEOUT && c->stalled)) {
		/* The last try's time may end before its stall check. */
		snprintf(why, sizeof(why), "%s", res->fail == HTTP_FAIL_STALL ?
		    res->error : c->last);
		c->stalled = 1;
		c->last_hint = "the endpoint stalls: check --endpoint and any "
		    "proxy, then resume";
	} else
		snprintf(why, sizeof(why), "%s", res->error[0] != '\0' ?
		    res->error : "connection failed");
	/* A name that does not resolve will not soon: a few tries only. */
	if (res->fail == HTTP_FAIL_RESOLVE && c->attempt + 1 >= RESOLVE_TRIES)
		return clouddp_errf(err, CLOUDDP_EDNS, "check the host in "
		    "--endpoint (and in the proxy URL), and the resolver",
		    "%s: %s, %d tries", c->what, why, c->attempt + 1);
	return backoff(c, -1, why, err);
}

/* Keep the body and parse it as XML (an empty body parses as none). */
static int
keep(struct call *c, const struct http_result *res, struct clouddp_err *err)
{
	clouddp_buf_reset(&c->resp);
	xml_doc_free(c->doc);
	c->doc = NULL;
	if (res->body == NULL || res->body_len == 0)
		return 0;
	if (clouddp_buf_append(&c->resp, res->body, res->body_len, err) == -1)
		return -1;
	if (res->content_type == NULL || strstr(res->content_type, "xml") ==
	    NULL) {
		if (res->status < 200 || res->status > 299)
			return 0;
		return clouddp_errf(err, CLOUDDP_EAPI, NOT_ASM_HINT, "%s: "
		    "unreadable answer: %ld with a body of %s, not XML",
		    c->what, res->status, res->content_type != NULL ?
		    res->content_type : "no Content-Type");
	}
	c->doc = xml_parse(c->resp.data, c->resp.len, c->url, err);
	if (c->doc == NULL && res->status >= 200 && res->status < 300) {
		/* xml.c's hint speaks of files; this came from a server. */
		clouddp_err_prefix(err, "%s: unreadable answer", c->what);
		snprintf(err->hint, sizeof(err->hint), "%s", NOT_ASM_HINT);
		return -1;
	}
	return 0;
}

/*
 * Follow a 307 (spec 1.5), only to https: the request may carry a
 * secret in its body (Add Certificate), and the management certificate
 * proves nothing over plain HTTP.
 */
static int
redirect(struct call *c, const struct http_result *res,
    struct clouddp_err *err)
{
	if (strncasecmp(res->location, "https://", 8) != 0)
		return clouddp_errf(err, CLOUDDP_EHTTP, NOT_ASM_HINT,
		    "%s: refused to follow a redirect to %s: not https",
		    c->what, res->location);
	if (c->redirects >= REDIRECTS_MAX)
		return clouddp_errf(err, CLOUDDP_EAPI, "Azure kept "
		    "redirecting the request: run again later, or resume (and "
		    "check --endpoint)", "%s: redirected %d times, the last to "
		    "%s", c->what, c->redirects + 1, res->location);
	c->redirects++;
	snprintf(c->url, sizeof(c->url), "%s", res->location);
	send_call(c);
	return 0;
}

/*
 * An x-ms-request-id the provisioner may quote and poll: 1-63 letters,
 * digits and hyphens (Azure's are 32 hex digits).  It goes into the URL
 * of Get Operation Status, so nothing else may pass.
 */
static int
request_id_ok(const char *id)
{
	size_t	 n = strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ-");

	return n > 0 && n < 64 && id[n] == '\0';
}

static void
on_response(struct call *c, const struct http_result *res,
    struct clouddp_err *err)
{
	char	 why[200];

	if (res->request_id != NULL && res->request_id[0] != '\0' &&
	    !request_id_ok(res->request_id)) {
		clouddp_errf(err, CLOUDDP_EAPI, NOT_ASM_HINT, "%s: an answer "
		    "whose x-ms-request-id is not a request id: %.64s",
		    c->what, res->request_id);
		finish(c, err);
		return;
	}
	c->status = res->status;
	snprintf(c->last_id, sizeof(c->last_id), "%s",
	    res->request_id != NULL ? res->request_id : "");
	if (!c->polling && res->request_id != NULL)
		snprintf(c->request_id, sizeof(c->request_id), "%s",
		    res->request_id);
	if (res->status == 307 && res->location != NULL) {
		if (redirect(c, res, err) == -1)
			finish(c, err);
		return;
	}
	if (keep(c, res, err) == -1) {
		finish(c, err);
		return;
	}
	if (res->status == 429 || res->status == 500 || res->status == 503) {
		leaf(c->doc != NULL ? xml_doc_root(c->doc) : NULL, "Code",
		    c->api_code, sizeof(c->api_code));
		snprintf(why, sizeof(why), "%ld %s (request id %s)",
		    res->status, c->api_code[0] != '\0' ? c->api_code :
		    "with no error code", c->last_id[0] != '\0' ? c->last_id :
		    "none");
		if (backoff(c, res->retry_after, why, err) == -1)
			finish(c, err);
		return;
	}
	if (res->status >= 200 && res->status < 300) {
		on_success(c, err);
		return;
	}
	if (c->doc == NULL && res->body_len > 0)
		clouddp_errf(err, CLOUDDP_EAPI, NOT_ASM_HINT, "%s: %ld, and the "
		    "answer is no Azure error (%s)", c->what, res->status,
		    res->content_type != NULL ? res->content_type :
		    "no Content-Type");
	else
		api_error(c, c->doc != NULL ? xml_doc_root(c->doc) : NULL,
		    err);
	finish(c, err);
}

static void
on_done(void *arg, const struct clouddp_err *herr,
    const struct http_result *res)
{
	struct call		*c = arg;
	struct clouddp_err	 err;

	if (res == NULL) {
		finish(c, herr);
		return;
	}
	if (res->stage != HTTP_STAGE_DONE) {
		if (transport_failed(c, res, &err) == -1)
			finish(c, &err);
		return;
	}
	on_response(c, res, &err);
}

static void
send_call(struct call *c)
{
	struct http_req_opts	 o;
	struct clouddp_err	 err;
	double			 left;

	memset(&o, 0, sizeof(o));
	o.url = c->url;
	o.method = c->method;
	o.headers = hdrs;
	o.nheaders = sizeof(hdrs) / sizeof(hdrs[0]);
	o.body = c->body.data;
	o.body_len = c->body.len;
	o.keep_body = 1;
	o.body_strict = 1;
	o.cacert = c->b->cfg.cacert;
	o.tls_setup = cert_tls_client_use;
	o.tls_arg = c->b->cfg.credential;
	o.proxy = c->b->cfg.proxy;
	o.proxy_password = c->b->cfg.proxy_password;
	/* No request outlives the operation's --timeout. */
	left = c->deadline - loop_now();
	o.timeout = left > 120 ? 120 : left > 1 ? left : 1;
	o.connect_timeout = o.timeout > 30 ? 30 : o.timeout;
	if (http_req_start(c->b->multi, &o, on_done, c, &err) == -1)
		finish(c, &err);
}

/*
 * Start a request: path below the subscription ("" for itself), body
 * may be NULL.  cb runs once; the call is freed after it returns.
 */
#define CALL_ASYNC	0x1	/* follow the request's operation */
#define CALL_POLL	0x2	/* path is an operation: poll it */

static int
call_start(struct asm_be *b, const char *what, const char *method,
    const char *path, const struct clouddp_buf *body, int flags, call_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct call	*c;
	int		 n;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	c->b = b;
	c->what = what;
	c->method = method;
	c->async = (flags & CALL_ASYNC) != 0;
	c->polling = (flags & CALL_POLL) != 0;
	c->cb = cb;
	c->arg = arg;
	c->deadline = loop_now() + b->cfg.timeout;
	c->next = b->calls;
	if (b->calls != NULL)
		b->calls->prev = c;
	b->calls = c;
	n = snprintf(c->url, sizeof(c->url), "%s%s", b->base, path);
	if (n < 0 || (size_t)n >= sizeof(c->url) || (body != NULL &&
	    clouddp_buf_append(&c->body, body->data, body->len, err) == -1)) {
		call_free(c);
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "%s: request too long", what);
	}
	logf_(b, LOG_TYPE_INFO, "%s: %s %s", what, method, c->url);
	send_call(c);
	return 0;
}

/* ---- the operations of backend.h, each a job of calls ---------------- */

#define REGIONS_MAX	64

struct job;
typedef void	(*job_fn)(struct job *, struct call *,
		    const struct clouddp_err *);

struct job {
	struct asm_be			*b;
	struct job			*prev, *next;
	job_fn				 fn;
	int				 step;
	int				 flag;	/* start, usage, ... */
	backend_done_cb			 cb;
	void				*arg;
	char				 name[64];
	char				 location[128];
	struct loop_timer		*timer;
	double				 deadline;
	struct backend_created		 created;
	char				 request_id[64];
	char				 thumb[41];	/* exists */
	int				 avail;
	struct backend_usage		 usage;
	struct backend_region		 regions[REGIONS_MAX];
	char				 rnames[REGIONS_MAX][64];
	struct backend_region_list	 rlist;
	struct backend_deployment	 dep;
	char				 dstatus[32];
	char				 fqdn[256];
	char				 vip[64];
	char				 inst[BACKEND_INSTANCES_MAX][64];
	char				 ist[BACKEND_INSTANCES_MAX][32];
	struct backend_storage		 st;
	char				 key[256];
	char				 endpoint[512];
};

static void
job_free(struct job *j)
{
	if (j->timer != NULL)
		loop_timer_cancel(j->b->loop, j->timer);
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		j->b->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	secret_wipe(j->key, sizeof(j->key));
	free(j);
}

static void
job_done(struct job *j, const struct clouddp_err *err, const void *result)
{
	j->cb(j->arg, err, err == NULL ? result : NULL);
	job_free(j);
}

static struct job *
job_new(struct asm_be *b, job_fn fn, const char *name, backend_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct job	*j;

	if (name != NULL && (strlen(name) == 0 || strlen(name) >= 64 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(name))) {
		clouddp_errf(err, CLOUDDP_EINPUT, "names are lower-case "
		    "letters, digits and hyphens", "%s: not a valid service "
		    "name", name);
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	j->b = b;
	j->fn = fn;
	j->cb = cb;
	j->arg = arg;
	j->deadline = loop_now() + b->cfg.timeout;
	if (name != NULL)
		snprintf(j->name, sizeof(j->name), "%s", name);
	j->created.name = j->name;
	j->next = b->jobs;
	if (b->jobs != NULL)
		b->jobs->prev = j;
	b->jobs = j;
	return j;
}

static void
job_call_cb(struct call *c, const struct clouddp_err *err)
{
	struct job	*j = c->arg;

	j->fn(j, c, err);
}

/* Issue a request for the job; on failure the job ends with the error. */
static void
jcall(struct job *j, const char *what, const char *method, const char *path,
    const struct clouddp_buf *body, int flags)
{
	struct clouddp_err	 err;

	if (call_start(j->b, what, method, path, body, flags, job_call_cb, j,
	    &err) == -1)
		job_done(j, &err, NULL);
}

static void
job_timer(void *arg)
{
	struct job	*j = arg;

	j->timer = NULL;
	j->fn(j, NULL, NULL);
}

/* Run the job's step again after the poll interval, or time out. */
static void
job_later(struct job *j, const char *waiting)
{
	struct clouddp_err	 err;

	if (loop_now() + j->b->cfg.poll_interval > j->deadline) {
		clouddp_errf(&err, CLOUDDP_ETIMEOUT, "raise --timeout, or "
		    "resume later", "%s: still %s after %.0f s (--timeout)",
		    j->name, waiting, j->b->cfg.timeout);
		job_done(j, &err, NULL);
		return;
	}
	j->timer = loop_timer_add(j->b->loop, j->b->cfg.poll_interval,
	    job_timer, j, &err);
	if (j->timer == NULL)
		job_done(j, &err, NULL);
}

static const struct xml_node *
root_of(const struct call *c)
{
	return c->doc != NULL ? xml_doc_root(c->doc) : NULL;
}

static int
is_404(const struct call *c, const struct clouddp_err *err)
{
	return err != NULL && c != NULL && c->status == 404 && !c->polling;
}

static int
is_409(const struct call *c, const struct clouddp_err *err)
{
	return err != NULL && c != NULL && c->status == 409 && !c->polling;
}

/* Escape text for an XML element's content. */
static int
xml_esc(struct clouddp_buf *b, const char *s, struct clouddp_err *err)
{
	const char	*r;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '&': r = "&amp;"; break;
		case '"': r = "&quot;"; break;
		case '\'': r = "&apos;"; break;
		default: r = NULL; break;
		}
		if (clouddp_buf_append(b, r != NULL ? r : s, r != NULL ?
		    strlen(r) : 1, err) == -1)
			return -1;
	}
	return 0;
}

static int
b64(struct clouddp_buf *out, const void *in, size_t len,
    struct clouddp_err *err)
{
	static const char	 t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = in;
	char			 q[4];
	unsigned long		 v;
	size_t			 i, k;

	for (i = 0; i < len; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		for (k = 0; k < 4; k++)
			q[k] = t[(v >> (18 - 6 * k)) & 0x3f];
		if (i + 1 >= len)
			q[2] = '=';
		if (i + 2 >= len)
			q[3] = '=';
		if (clouddp_buf_append(out, q, 4, err) == -1)
			return -1;
	}
	if (out->data == NULL)
		return clouddp_buf_append(out, "", 0, err);
	return 0;
}

/* <Name>escaped value</Name> */
static int
elem(struct clouddp_buf *b, const char *name, const char *value,
    struct clouddp_err *err)
{
	if (clouddp_buf_printf(b, err, "<%s>", name) == -1 ||
	    xml_esc(b, value, err) == -1 ||
	    clouddp_buf_printf(b, err, "</%s>", name) == -1)
		return -1;
	return 0;
}

/* <Label>base64 of text</Label> */
static int
label(struct clouddp_buf *b, const char *text, struct clouddp_err *err)
{
	if (clouddp_buf_printf(b, err, "<Label>") == -1 ||
	    b64(b, text, strlen(text), err) == -1 ||
	    clouddp_buf_printf(b, err, "</Label>") == -1)
		return -1;
	return 0;
}

static long
num(const struct xml_node *n, const char *name)
{
	char	 v[32];

	leaf(n, name, v, sizeof(v));
	return v[0] != '\0' ? strtol(v, NULL, 10) : -1;
}

/* -- Get Subscription: validate and usage -- */

static void
sub_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	const struct xml_node	*r;
	struct clouddp_err	 e;
	char			 st[32];

	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	r = root_of(c);
	leaf(r, "SubscriptionStatus", st, sizeof(st));
	if (strcmp(st, "Active") != 0) {
		clouddp_errf(&e, CLOUDDP_EAPI, "use an active subscription",
		    "subscription %s is %s", j->b->cfg.subscription,
		    st[0] != '\0' ? st : "of unknown status");
		job_done(j, &e, NULL);
		return;
	}
	j->usage.services_max = num(r, "MaxHostedServices");
	j->usage.services_used = num(r, "CurrentHostedServices");
	j->usage.storage_max = num(r, "MaxStorageAccounts");
	j->usage.storage_used = num(r, "CurrentStorageAccounts");
	j->usage.cores_max = num(r, "MaxCoreCount");
	j->usage.cores_used = num(r, "CurrentCoreCount");
	j->b->usage = j->usage;
	j->b->have_usage = 1;
	job_done(j, NULL, j->flag ? (const void *)&j->usage : NULL);
}

/* The quotas validate has just read: no second Get Subscription. */
static void
sub_cached(struct job *j, struct call *c, const struct clouddp_err *err)
{
	(void)c;
	(void)err;
	j->usage = j->b->usage;
	job_done(j, NULL, &j->usage);
}

static int
sub_start(struct backend *be, int usage, backend_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct job	*j;

	j = job_new(be->impl, sub_step, NULL, cb, arg, err);
	if (j == NULL)
		return -1;
	j->flag = usage;
	if (usage && j->b->have_usage) {
		/* Answered from the loop, as every other result is. */
		j->fn = sub_cached;
		j->timer = loop_timer_add(j->b->loop, 0, job_timer, j, err);
		if (j->timer == NULL) {
			job_free(j);
			return -1;
		}
		return 0;
	}
	jcall(j, "Get Subscription", "GET", "", NULL, 0);
	return 0;
}

static int
op_validate(struct backend *be, backend_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	return sub_start(be, 0, cb, arg, err);
}

static int
op_usage(struct backend *be, backend_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	return sub_start(be, 1, cb, arg, err);
}

/* -- List Locations -- */

static void
regions_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	const struct xml_node	*l, *svc, *a;
	struct clouddp_buf	 t = { NULL, 0, 0 };
	struct clouddp_err	 e;
	struct backend_region	*r;

	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	for (l = xml_node_child(root_of(c), "Location"); l != NULL &&
	    j->rlist.nregions < REGIONS_MAX; l = xml_node_next(l, "Location")) {
		r = &j->regions[j->rlist.nregions];
		leaf(l, "Name", j->rnames[j->rlist.nregions], 64);
		r->name = j->rnames[j->rlist.nregions++];
		svc = xml_node_child(l, "AvailableServices");
		for (a = svc != NULL ? xml_node_child(svc, "AvailableService") :
		    NULL; a != NULL; a = xml_node_next(a, "AvailableService")) {
			if (xml_node_text(a, &t, &e) != 1 || t.data == NULL)
				continue;
			if (strcmp(t.data, "Compute") == 0)
				r->compute = 1;
			else if (strcmp(t.data, "Storage") == 0)
				r->storage = 1;
		}
	}
	clouddp_buf_free(&t);
	j->rlist.regions = j->regions;
	job_done(j, NULL, &j->rlist);
}

static int
op_regions(struct backend *be, backend_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct job	*j;

	j = job_new(be->impl, regions_step, NULL, cb, arg, err);
	if (j == NULL)
		return -1;
	jcall(j, "List Locations", "GET", "/locations", NULL, 0);
	return 0;
}

/* -- both name-availability checks -- */

static void
name_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	char	 res[16], path[160];

	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	leaf(root_of(c), "Result", res, sizeof(res));
	j->avail = strcmp(res, "true") == 0;
	if (!j->avail || j->step++ > 0) {
		job_done(j, NULL, &j->avail);
		return;
	}
	snprintf(path, sizeof(path), "/services/storageservices/operations/"
	    "isavailable/%s", j->name);
	jcall(j, "Check Storage Name", "GET", path, NULL, 0);
}

static int
op_name_free(struct backend *be, const char *name, backend_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct job	*j;
	char		 path[160];

	j = job_new(be->impl, name_step, name, cb, arg, err);
	if (j == NULL)
		return -1;
	snprintf(path, sizeof(path), "/services/hostedservices/operations/"
	    "isavailable/%s", j->name);
	jcall(j, "Check Cloud Service Name", "GET", path, NULL, 0);
	return 0;
}

/*
 * -- Create Storage Account, then wait until Created --
 * A 409 on the create may be our own earlier request (a dropped answer,
 * a killed run): re-read the account and accept it when it is ours
 * (same location), as spec 1.6 says.
 */
enum { ST_CREATE, ST_CONFLICT, ST_GET, ST_STATE };

static void
storage_get(struct job *j)
{
	char	 path[160];

	snprintf(path, sizeof(path), "/services/storageservices/%s", j->name);
	jcall(j, "Get Storage Account", "GET", path, NULL, 0);
}

static void
storage_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	const struct xml_node	*p;
	struct clouddp_err	 e;
	char			 v[128];

	if (c == NULL) {
		j->step = ST_STATE;
		storage_get(j);
		return;
	}
	if (j->step == ST_CREATE && is_409(c, err)) {
		j->step = ST_CONFLICT;
		storage_get(j);
		return;
	}
	if (err != NULL) {
		if (j->step == ST_CONFLICT)
			clouddp_errf(&e, CLOUDDP_ECONFLICT, "choose another "
			    "name", "storage account %s: the name is taken",
			    j->name);
		job_done(j, j->step == ST_CONFLICT ? &e : err, NULL);
		return;
	}
	p = xml_node_child(root_of(c), "StorageServiceProperties");
	if (j->step == ST_CREATE) {
		snprintf(j->request_id, sizeof(j->request_id), "%s",
		    c->request_id);
		j->created.request_id = j->request_id;
	} else {
		leaf(p, "Location", v, sizeof(v));
		if (j->step == ST_CONFLICT && strcmp(v, j->location) != 0) {
			clouddp_errf(&e, CLOUDDP_ECONFLICT, "choose another "
			    "name", "storage account %s exists in %s, not %s",
			    j->name, v, j->location);
			job_done(j, &e, NULL);
			return;
		}
		if (j->step == ST_CONFLICT)
			j->created.existed = 1;
		leaf(p, "Status", v, sizeof(v));
		if (strcmp(v, "Created") == 0) {
			job_done(j, NULL, &j->created);
			return;
		}
		logf_(j->b, LOG_TYPE_INFO, "storage account %s is %s", j->name,
		    v);
	}
	j->step = ST_STATE;
	job_later(j, "not Created");
}

static int
op_storage_create(struct backend *be, const char *name, const char *region,
    backend_done_cb cb, void *arg, struct clouddp_err *err)
{
	struct clouddp_buf	 body = { NULL, 0, 0 };
	struct job		*j;

	j = job_new(be->impl, storage_step, name, cb, arg, err);
	if (j == NULL)
		return -1;
	snprintf(j->location, sizeof(j->location), "%s", region);
	if (clouddp_buf_printf(&body, err, "<CreateStorageServiceInput "
	    "xmlns=\"" NS "\">") == -1 ||
	    elem(&body, "ServiceName", name, err) == -1 ||
	    label(&body, name, err) == -1 ||
	    elem(&body, "Location", region, err) == -1 ||
	    clouddp_buf_printf(&body, err, "<AccountType>Standard_GRS"
	    "</AccountType></CreateStorageServiceInput>") == -1) {
		clouddp_buf_free(&body);
		job_free(j);
		return -1;
	}
	jcall(j, "Create Storage Account", "POST", "/services/storageservices",
	    &body, CALL_ASYNC);
	clouddp_buf_free(&body);
	return 0;
}

/*
 * -- Get Storage Keys, then Get Storage Account Properties for the blob
 * endpoint (the first Endpoint that names the blob service) --
 */
static void
keys_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	const struct xml_node	*p, *e;
	char			 path[160];

	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	if (j->step++ == 0) {
		leaf(xml_node_child(root_of(c), "StorageServiceKeys"),
		    "Primary", j->key, sizeof(j->key));
		snprintf(path, sizeof(path), "/services/storageservices/%s",
		    j->name);
		jcall(j, "Get Storage Account Properties", "GET", path, NULL,
		    0);
		return;
	}
	p = xml_node_child(root_of(c), "StorageServiceProperties");
	e = p != NULL ? xml_node_child(p, "Endpoints") : NULL;
	leaf(e, "Endpoint", j->endpoint, sizeof(j->endpoint));
	j->st.endpoint = j->endpoint;
	j->st.key = j->key;
	job_done(j, NULL, &j->st);
}

static int
op_storage_keys(struct backend *be, const char *name, backend_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct job	*j;
	char		 path[160];

	j = job_new(be->impl, keys_step, name, cb, arg, err);
	if (j == NULL)
		return -1;
	snprintf(path, sizeof(path), "/services/storageservices/%s/keys",
	    j->name);
	jcall(j, "Get Storage Keys", "GET", path, NULL, 0);
	return 0;
}

/* -- Create Cloud Service (409: re-read and compare) -- */

static void
service_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	struct clouddp_err	 e;
	char			 path[160], v[128];

	if (j->step == 0 && is_409(c, err)) {
		j->step = 1;
		snprintf(path, sizeof(path), "/services/hostedservices/%s",
		    j->name);
		jcall(j, "Get Cloud Service", "GET", path, NULL, 0);
		return;
	}
	if (j->step == 1) {
		leaf(xml_node_child(root_of(c), "HostedServiceProperties"),
		    "Location", v, sizeof(v));
		if (err != NULL || strcmp(v, j->location) != 0) {
			clouddp_errf(&e, CLOUDDP_ECONFLICT, "choose another "
			    "name", "cloud service %s: the name is taken",
			    j->name);
			job_done(j, &e, NULL);
			return;
		}
		j->created.existed = 1;
	} else if (err != NULL) {
		job_done(j, err, NULL);
		return;
	} else {
		snprintf(j->request_id, sizeof(j->request_id), "%s",
		    c->request_id);
		j->created.request_id = j->request_id;
	}
	job_done(j, NULL, &j->created);
}

static int
op_service_create(struct backend *be, const char *name, const char *region,
    backend_done_cb cb, void *arg, struct clouddp_err *err)
{
	struct clouddp_buf	 body = { NULL, 0, 0 };
	struct job		*j;

	j = job_new(be->impl, service_step, name, cb, arg, err);
	if (j == NULL)
		return -1;
	snprintf(j->location, sizeof(j->location), "%s", region);
	if (clouddp_buf_printf(&body, err, "<CreateHostedService "
	    "xmlns=\"" NS "\">") == -1 ||
	    elem(&body, "ServiceName", name, err) == -1 ||
	    label(&body, name, err) == -1 ||
	    elem(&body, "Location", region, err) == -1 ||
	    clouddp_buf_printf(&body, err, "</CreateHostedService>") == -1) {
		clouddp_buf_free(&body);
		job_free(j);
		return -1;
	}
	jcall(j, "Create Cloud Service", "POST", "/services/hostedservices",
	    &body, CALL_ASYNC);
	clouddp_buf_free(&body);
	return 0;
}

/*
 * -- Add Service Certificate --
 * A duplicate fails its operation with 409: the certificate, named by
 * its thumbprint, is already there, which is what we wanted.
 */
static void
cert_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	if (err != NULL && c != NULL && c->status == 409) {
		j->created.existed = 1;
		err = NULL;
	}
	if (err == NULL && c != NULL) {
		snprintf(j->request_id, sizeof(j->request_id), "%s",
		    c->request_id);
		j->created.request_id = j->request_id;
	}
	job_done(j, err, &j->created);
}

/*
 * The .pfx as the classic API takes it: one encrypted with PBES2 (AES),
 * which it refuses (spec 5.5), re-encrypted into tmp with 3DES and a
 * SHA-1 MAC under the same password; any other as it is, and so is one
 * that does not open here (a wrong password): the API says why in its
 * own words.  *use points at pfx or at tmp.
 */
static int
pfx_for_api(struct asm_be *b, const struct clouddp_buf *pfx,
    const char *password, struct clouddp_buf *tmp,
    const struct clouddp_buf **use, struct clouddp_err *err)
{
	struct cert		*c;
	struct clouddp_err	 e;
	const char		*how;
	int			 rc = -1;

	*use = pfx;
	c = cert_from_pkcs12((const unsigned char *)pfx->data, pfx->len,
	    password, "service certificate", &e);
	if (c == NULL || !cert_pfx_is_pbes2(c)) {
		rc = 0;
		goto out;
	}
	if (cert_pfx_reencrypt(c, password, tmp, err) == -1)
		goto out;
	how = cert_pfx_key_cipher(c);
	if (how == NULL || strncmp(how, "PBES2", 5) != 0)
		how = cert_pfx_cert_cipher(c);
	logf_(b, LOG_TYPE_INFO, "Add Service Certificate: the .pfx is "
	    "encrypted with %s, which the classic API refuses; re-encrypted "
	    "with 3DES and a SHA-1 MAC", how != NULL ? how : "PBES2");
	*use = tmp;
	rc = 0;
out:
	cert_free(c);
	return rc;
}

static int
op_cert_add(struct backend *be, const char *name,
    const struct clouddp_buf *pfx, const char *password, backend_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct clouddp_buf	 body = { NULL, 0, 0 };
	struct clouddp_buf	 tmp = { NULL, 0, 0 };
	struct job		*j;
	char			 path[160];
	int			 ret = -1;

	if (pfx_for_api(be->impl, pfx, password, &tmp, &pfx, err) == -1)
		goto out;
	j = job_new(be->impl, cert_step, name, cb, arg, err);
	if (j == NULL)
		goto out;
	snprintf(path, sizeof(path), "/services/hostedservices/%s/"
	    "certificates", name);
	if (clouddp_buf_printf(&body, err, "<CertificateFile xmlns=\"" NS
	    "\"><Data>") == -1 || b64(&body, pfx->data, pfx->len, err) == -1 ||
	    clouddp_buf_printf(&body, err, "</Data><CertificateFormat>pfx"
	    "</CertificateFormat>") == -1 ||
	    elem(&body, "Password", password != NULL ? password : "",
	    err) == -1 ||
	    clouddp_buf_printf(&body, err, "</CertificateFile>") == -1) {
		job_free(j);
		goto out;
	}
	jcall(j, "Add Service Certificate", "POST", path, &body, CALL_ASYNC);
	ret = 0;
out:
	clouddp_buf_free(&tmp);
	clouddp_buf_free(&body);
	return ret;
}

/* -- deployments: Get Deployment parsed into j->dep -- */

static void
deployment_get(struct job *j)
{
	char	 path[200];

	snprintf(path, sizeof(path), "/services/hostedservices/%s/"
	    "deploymentslots/production", j->name);
	jcall(j, "Get Deployment", "GET", path, NULL, 0);
}

/* "http://NAME.cloudapp.net/" -> "NAME.cloudapp.net" */
static void
url_host(const char *url, char *buf, size_t len)
{
	const char	*p;
	size_t		 n;

	p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	n = strcspn(p, "/:");
	snprintf(buf, len, "%.*s", (int)n, p);
}

static void
deployment_parse(struct job *j, const struct xml_node *r)
{
	const struct xml_node	*l, *i;
	char			 url[300];
	size_t			 n = 0;

	memset(&j->dep, 0, sizeof(j->dep));
	leaf(r, "Status", j->dstatus, sizeof(j->dstatus));
	leaf(r, "Url", url, sizeof(url));
	url_host(url, j->fqdn, sizeof(j->fqdn));
	l = xml_node_child(r, "VirtualIPs");
	leaf(l != NULL ? xml_node_child(l, "VirtualIP") : NULL, "Address",
	    j->vip, sizeof(j->vip));
	j->dep.status = j->dstatus;
	j->dep.fqdn = j->fqdn[0] != '\0' ? j->fqdn : NULL;
	j->dep.vip = j->vip[0] != '\0' ? j->vip : NULL;
	j->dep.ready = strcmp(j->dstatus, "Running") == 0;
	l = xml_node_child(r, "RoleInstanceList");
	for (i = l != NULL ? xml_node_child(l, "RoleInstance") : NULL;
	    i != NULL && n < BACKEND_INSTANCES_MAX;
	    i = xml_node_next(i, "RoleInstance"), n++) {
		leaf(i, "InstanceName", j->inst[n], sizeof(j->inst[n]));
		leaf(i, "InstanceStatus", j->ist[n], sizeof(j->ist[n]));
		j->dep.instance[n] = j->inst[n];
		j->dep.instance_status[n] = j->ist[n];
		if (strcmp(j->ist[n], "ReadyRole") != 0)
			j->dep.ready = 0;
	}
	j->dep.ninstances = n;
	if (n == 0)
		j->dep.ready = 0;
}

/* -- Create Deployment (started) with a generated .cscfg -- */

static void
deploy_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	if (j->step == 0 && is_409(c, err)) {
		j->step = 1;
		deployment_get(j);
		return;
	}
	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	if (j->step == 1)
		j->created.existed = 1;
	else {
		snprintf(j->request_id, sizeof(j->request_id), "%s",
		    c->request_id);
		j->created.request_id = j->request_id;
	}
	job_done(j, NULL, &j->created);
}

static int
cscfg(struct clouddp_buf *out, const struct backend_deploy_spec *d,
    struct clouddp_err *err)
{
	struct clouddp_buf	 x = { NULL, 0, 0 };
	int			 ret;

	ret = clouddp_buf_printf(&x, err, "<ServiceConfiguration "
	    "serviceName=\"%s\" xmlns=\"http://schemas.microsoft.com/"
	    "ServiceHosting/2008/10/ServiceConfiguration\" osFamily=\"4\" "
	    "osVersion=\"*\"><Role name=\"" ROLE "\"><Instances "
	    "count=\"%d\"/><Certificates><Certificate name=\"" CERT_NAME "\" "
	    "thumbprint=\"%s\" thumbprintAlgorithm=\"sha1\"/></Certificates>"
	    "</Role></ServiceConfiguration>", d->service, d->instances,
	    d->thumbprint);
	if (ret == 0)
		ret = b64(out, x.data, x.len, err);
	clouddp_buf_free(&x);
	return ret;
}

/*
 * -- the built-in package: a placeholder .cspkg, a ZIP archive (stored,
 * no compression) holding a service definition whose role and
 * certificate names are the ones cscfg() configures.  The classic API
 * wants the package Configuration Manager ships for a cloud DP; this one
 * is enough for the emulator, which only checks that PackageUrl exists.
 * Fixed dates, so the bytes, and their MD5, never change.
 */
static const char csdef[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
    "<ServiceDefinition name=\"clouddp\" xmlns=\"http://schemas.microsoft."
    "com/ServiceHosting/2008/10/ServiceDefinition\">\r\n"
    "  <WebRole name=\"" ROLE "\" vmsize=\"ExtraSmall\">\r\n"
    "    <Endpoints>\r\n"
    "      <InputEndpoint name=\"HttpsIn\" protocol=\"https\" port=\"443\" "
    "certificate=\"" CERT_NAME "\"/>\r\n"
    "      <InputEndpoint name=\"HttpIn\" protocol=\"http\" port=\"80\"/>"
    "\r\n"
    "    </Endpoints>\r\n"
    "    <Certificates>\r\n"
    "      <Certificate name=\"" CERT_NAME "\" storeLocation=\"LocalMachine\" "
    "storeName=\"My\"/>\r\n"
    "    </Certificates>\r\n"
    "  </WebRole>\r\n"
    "</ServiceDefinition>\r\n";

static unsigned long
crc32_of(const void *data, size_t len)
{
	const unsigned char	*p = data;
	unsigned long		 c = 0xffffffffUL;
	size_t			 i;
	int			 k;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320UL & (0UL - (c & 1)));
	}
	return c ^ 0xffffffffUL;
}

/* Little-endian integers of n bytes, as ZIP writes them. */
static int
le(struct clouddp_buf *b, unsigned long v, int n, struct clouddp_err *err)
{
	unsigned char	 x[4];
	int		 i;

	for (i = 0; i < n; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return clouddp_buf_append(b, x, (size_t)n, err);
}

/* A ZIP header: signature, then the fields of one stored file. */
static int
zip_header(struct clouddp_buf *b, unsigned long sig, int central,
    unsigned long crc, size_t len, struct clouddp_err *err)
{
	static const char	 name[] = "ServiceDefinition.csdef";

	if (le(b, sig, 4, err) == -1 ||
	    (central && le(b, 20, 2, err) == -1) ||	/* made by */
	    le(b, 10, 2, err) == -1 ||		/* needed: 1.0, stored */
	    le(b, 0, 2, err) == -1 || le(b, 0, 2, err) == -1 ||
	    le(b, 0, 2, err) == -1 ||		/* 00:00:00 */
	    le(b, 0x21, 2, err) == -1 ||	/* 1980-01-01 */
	    le(b, crc, 4, err) == -1 || le(b, len, 4, err) == -1 ||
	    le(b, len, 4, err) == -1 ||
	    le(b, sizeof(name) - 1, 2, err) == -1 || le(b, 0, 2, err) == -1 ||
	    (central && (le(b, 0, 2, err) == -1 || le(b, 0, 2, err) == -1 ||
	    le(b, 0, 2, err) == -1 || le(b, 0, 4, err) == -1 ||
	    le(b, 0, 4, err) == -1)))	/* comment, disk, attrs, offset */
		return -1;
	return clouddp_buf_append(b, name, sizeof(name) - 1, err);
}

static int
op_package(struct backend *be, struct clouddp_buf *out,
    struct clouddp_err *err)
{
	size_t		 len = sizeof(csdef) - 1, cd;
	unsigned long	 crc = crc32_of(csdef, len);

	(void)be;
	clouddp_buf_reset(out);
	if (zip_header(out, 0x04034b50UL, 0, crc, len, err) == -1 ||
	    clouddp_buf_append(out, csdef, len, err) == -1)
		return -1;
	cd = out->len;
	if (zip_header(out, 0x02014b50UL, 1, crc, len, err) == -1)
		return -1;
	/* The end record: one entry; the directory's size and offset. */
	if (le(out, 0x06054b50UL, 4, err) == -1 || le(out, 0, 4, err) == -1 ||
	    le(out, 1, 2, err) == -1 || le(out, 1, 2, err) == -1 ||
	    le(out, out->len - 12 - cd, 4, err) == -1 ||
	    le(out, cd, 4, err) == -1 || le(out, 0, 2, err) == -1)
		return -1;
	return 0;
}

static int
op_deploy(struct backend *be, const struct backend_deploy_spec *d,
    backend_done_cb cb, void *arg, struct clouddp_err *err)
{
	struct clouddp_buf	 body = { NULL, 0, 0 };
	struct job		*j;
	char			 path[200], url[200];
	int			 ret = -1;

	/* XXX the package upload is not done yet: its default place. */
	snprintf(url, sizeof(url), "https://%s.blob.core.windows.net/"
	    "packages/clouddp.cspkg", d->service);
	if (strspn(d->thumbprint, "0123456789abcdefABCDEF") != 40 ||
	    strlen(d->thumbprint) != 40 || d->instances < 1)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL, "%s: bad "
		    "thumbprint or instance count", d->service);
	j = job_new(be->impl, deploy_step, d->service, cb, arg, err);
	if (j == NULL)
		return -1;
	snprintf(path, sizeof(path), "/services/hostedservices/%s/"
	    "deploymentslots/production", d->service);
	if (clouddp_buf_printf(&body, err, "<CreateDeployment xmlns=\"" NS
	    "\">") == -1 || elem(&body, "Name", d->service, err) == -1 ||
	    elem(&body, "PackageUrl", d->package_url != NULL ?
	    d->package_url : url, err) == -1 ||
	    label(&body, d->label != NULL ? d->label : d->service, err) == -1 ||
	    clouddp_buf_printf(&body, err, "<Configuration>") == -1 ||
	    cscfg(&body, d, err) == -1 ||
	    clouddp_buf_printf(&body, err, "</Configuration><StartDeployment>"
	    "true</StartDeployment><TreatWarningsAsError>false"
	    "</TreatWarningsAsError></CreateDeployment>") == -1) {
		job_free(j);
		goto out;
	}
	jcall(j, "Create Deployment", "POST", path, &body, CALL_ASYNC);
	ret = 0;
out:
	clouddp_buf_free(&body);
	return ret;
}

/*
 * -- exists: the read a create would have made on 409, made first --
 * Get Storage Account Properties, Get Cloud Service, Get Service
 * Certificate or Get Deployment; 404 is "not there".  A storage account
 * of ours not yet Created is polled until it is, as its create does.
 */
static void
probe_issue(struct job *j)
{
	char	 path[256];

	switch (j->flag) {
	case BACKEND_STORAGE:
		snprintf(path, sizeof(path), "/services/storageservices/%s",
		    j->name);
		jcall(j, "Get Storage Account", "GET", path, NULL, 0);
		break;
	case BACKEND_SERVICE:
		snprintf(path, sizeof(path), "/services/hostedservices/%s",
		    j->name);
		jcall(j, "Get Cloud Service", "GET", path, NULL, 0);
		break;
	case BACKEND_CERTIFICATE:
		snprintf(path, sizeof(path), "/services/hostedservices/%s/"
		    "certificates/sha1-%s", j->name, j->thumb);
		jcall(j, "Get Service Certificate", "GET", path, NULL, 0);
		break;
	default:
		deployment_get(j);
		break;
	}
}

static void
probe_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	const struct xml_node	*p = NULL;
	struct clouddp_err	 e;
	char			 v[128];

	if (c == NULL) {
		probe_issue(j);
		return;
	}
	if (is_404(c, err)) {
		job_done(j, NULL, &j->created);
		return;
	}
	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	if (j->flag == BACKEND_STORAGE)
		p = xml_node_child(root_of(c), "StorageServiceProperties");
	else if (j->flag == BACKEND_SERVICE)
		p = xml_node_child(root_of(c), "HostedServiceProperties");
	leaf(p, "Location", v, sizeof(v));
	if (p != NULL && strcmp(v, j->location) != 0) {
		clouddp_errf(&e, CLOUDDP_ECONFLICT, "choose another name",
		    "%s: exists in %s, not %s", j->name, v, j->location);
		job_done(j, &e, NULL);
		return;
	}
	j->created.existed = 1;
	leaf(p, "Status", v, sizeof(v));
	if (j->flag != BACKEND_STORAGE || strcmp(v, "Created") == 0) {
		job_done(j, NULL, &j->created);
		return;
	}
	logf_(j->b, LOG_TYPE_INFO, "storage account %s is %s", j->name, v);
	job_later(j, "not Created");
}

static int
op_exists(struct backend *be, const struct backend_probe *q,
    backend_done_cb cb, void *arg, struct clouddp_err *err)
{
	struct job	*j;

	if ((int)q->kind < 0 || q->kind >= BACKEND__MAX ||
	    (q->kind == BACKEND_CERTIFICATE && (q->thumbprint == NULL ||
	    strlen(q->thumbprint) != 40 || strspn(q->thumbprint,
	    "0123456789abcdefABCDEF") != 40)) ||
	    ((q->kind == BACKEND_STORAGE || q->kind == BACKEND_SERVICE) &&
	    q->region == NULL))
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL, "%s: bad "
		    "resource kind, region or thumbprint", q->name);
	j = job_new(be->impl, probe_step, q->name, cb, arg, err);
	if (j == NULL)
		return -1;
	j->flag = (int)q->kind;
	if (q->region != NULL)
		snprintf(j->location, sizeof(j->location), "%s", q->region);
	if (q->thumbprint != NULL)
		snprintf(j->thumb, sizeof(j->thumb), "%s", q->thumbprint);
	probe_issue(j);
	return 0;
}

/* -- re-poll an operation journaled earlier -- */

static void
wait_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	(void)c;
	job_done(j, err, NULL);
}

static int
op_wait(struct backend *be, const char *opid, backend_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct job	*j;
	char		 path[128];

	if (strlen(opid) == 0 || strlen(opid) > 64 ||
	    strspn(opid, "0123456789abcdef-") != strlen(opid))
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: not an operation id", opid);
	j = job_new(be->impl, wait_step, NULL, cb, arg, err);
	if (j == NULL)
		return -1;
	snprintf(path, sizeof(path), "/operations/%s", opid);
	jcall(j, "Get Operation Status", "GET", path, NULL, CALL_POLL);
	return 0;
}

/* -- Get Deployment once -- */

static void
poll_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	deployment_parse(j, root_of(c));
	job_done(j, NULL, &j->dep);
}

static int
op_poll(struct backend *be, const char *name, backend_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct job	*j;

	j = job_new(be->impl, poll_step, name, cb, arg, err);
	if (j == NULL)
		return -1;
	deployment_get(j);
	return 0;
}

/* -- Update Deployment Status, then until the deployment shows it -- */

static void
run_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	const char	*want = j->flag ? "Running" : "Suspended";

	if (c == NULL) {
		deployment_get(j);
		return;
	}
	if (err != NULL) {
		job_done(j, err, NULL);
		return;
	}
	if (j->step++ > 0) {
		deployment_parse(j, root_of(c));
		if (strcmp(j->dstatus, want) == 0) {
			job_done(j, NULL, &j->dep);
			return;
		}
	}
	job_later(j, want[0] == 'R' ? "not Running" : "not Suspended");
}

static int
op_run(struct backend *be, const char *name, int start, backend_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct clouddp_buf	 body = { NULL, 0, 0 };
	struct job		*j;
	char			 path[200];

	j = job_new(be->impl, run_step, name, cb, arg, err);
	if (j == NULL)
		return -1;
	j->flag = start;
	snprintf(path, sizeof(path), "/services/hostedservices/%s/"
	    "deploymentslots/production/?comp=status", name);
	if (clouddp_buf_printf(&body, err, "<UpdateDeploymentStatus xmlns=\""
	    NS "\"><Status>%s</Status></UpdateDeploymentStatus>",
	    start ? "Running" : "Suspended") == -1) {
		job_free(j);
		return -1;
	}
	jcall(j, "Update Deployment Status", "POST", path, &body, CALL_ASYNC);
	clouddp_buf_free(&body);
	return 0;
}

/*
 * -- delete everything: the deployment, the cloud service (its
 * certificates go with it), the storage account; each confirmed gone by
 * a 404 before the next.  A 404 on a delete means already gone.
 */
static const struct {
	const char	*what;
	const char	*method;
	int		 flags;
} remove_steps[] = {
	{ "Delete Deployment", "DELETE", CALL_ASYNC },
	{ "Get Deployment", "GET", 0 },
	{ "Delete Cloud Service", "DELETE", CALL_ASYNC },
	{ "Get Cloud Service", "GET", 0 },
	{ "Delete Storage Account", "DELETE", CALL_ASYNC },
	{ "Get Storage Account", "GET", 0 },
};

static void
remove_issue(struct job *j)
{
	char	 path[200];

	if ((size_t)j->step >= sizeof(remove_steps) / sizeof(remove_steps[0])) {
		job_done(j, NULL, NULL);
		return;
	}
	if (j->step < 2)
		snprintf(path, sizeof(path), "/services/hostedservices/%s/"
		    "deploymentslots/production", j->name);
	else if (j->step < 4)
		snprintf(path, sizeof(path), "/services/hostedservices/%s",
		    j->name);
	else
		snprintf(path, sizeof(path), "/services/storageservices/%s",
		    j->name);
	jcall(j, remove_steps[j->step].what, remove_steps[j->step].method,
	    path, NULL, remove_steps[j->step].flags);
}

static void
remove_step(struct job *j, struct call *c, const struct clouddp_err *err)
{
	if (c == NULL) {
		remove_issue(j);
		return;
	}
	if (err != NULL && !is_404(c, err)) {
		job_done(j, err, NULL);
		return;
	}
	if (j->step % 2 == 1 && err == NULL) {
		job_later(j, "not gone");
		return;
	}
	j->step++;
	remove_issue(j);
}

static int
op_remove(struct backend *be, const char *name, backend_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct job	*j;

	j = job_new(be->impl, remove_step, name, cb, arg, err);
	if (j == NULL)
		return -1;
	remove_issue(j);
	return 0;
}

static void
asm_destroy(struct backend *be)
{
	struct asm_be	*b = be->impl;

	while (b->jobs != NULL)
		job_free(b->jobs);
	while (b->calls != NULL)
		call_free(b->calls);
	http_multi_free(b->multi);
	free(b);
}

static const struct backend_ops asm_ops = {
	.name = "asm",
	.destroy = asm_destroy,
	.validate = op_validate,
	.regions = op_regions,
	.usage = op_usage,
	.name_free = op_name_free,
	.storage_create = op_storage_create,
	.storage_keys = op_storage_keys,
	.service_create = op_service_create,
	.cert_add = op_cert_add,
	.deploy = op_deploy,
	.exists = op_exists,
	.wait = op_wait,
	.poll = op_poll,
	.run = op_run,
	.remove = op_remove,
	.package = op_package,
};

struct backend *
asm_backend_new(struct loop *loop, const struct backend_cfg *cfg,
    struct clouddp_err *err)
{
	struct asm_be	*b;
	const char	*ep;
	int		 n;

	if (cfg->subscription == NULL || cfg->credential == NULL) {
		clouddp_errf(err, CLOUDDP_EUSAGE, "pass --subscription and a "
		    "management certificate", "no subscription or "
		    "management certificate");
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	b->be.ops = &asm_ops;
	b->be.impl = b;
	b->loop = loop;
	b->cfg = *cfg;
	if (b->cfg.poll_interval <= 0)
		b->cfg.poll_interval = 10;
	if (b->cfg.timeout <= 0)
		b->cfg.timeout = 1800;
	if (b->cfg.retry_base <= 0)
		b->cfg.retry_base = 1;
	if (b->cfg.max_retries <= 0)
		b->cfg.max_retries = 6;
	b->rnd = (unsigned long long)(loop_now() * 1e9) | 1;
	ep = cfg->endpoint != NULL ? cfg->endpoint : ASM_ENDPOINT;
	n = snprintf(b->base, sizeof(b->base), "%.*s/%s", (int)(strlen(ep) -
	    (ep[0] != '\0' && ep[strlen(ep) - 1] == '/')), ep,
	    cfg->subscription);
	if (n < 0 || (size_t)n >= sizeof(b->base)) {
		clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "endpoint too long");
		free(b);
		return NULL;
	}
	b->multi = http_multi_new(loop, err);
	if (b->multi == NULL) {
		free(b);
		return NULL;
	}
	return &b->be;
}
