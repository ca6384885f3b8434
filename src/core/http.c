/*
 * HTTP through libcurl.  The only file that includes curl/curl.h; tools
 * and other modules see opaque requests and plain results.  One CURLM
 * per http_multi, driven by the event loop through curl's socket and
 * timer callbacks; never curl_multi_perform, never a blocking call.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "clouddp.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "secret.h"

struct http_req;

struct http_multi {
	struct loop		*loop;
	CURLM			*multi;
	struct loop_timer	*timer;
	struct http_req		*reqs;		/* running, for free */
	size_t			 nauth;		/* of them with proxy_hdr */
};

struct http_req {
	struct http_multi	*m;
	CURL			*easy;
	struct curl_slist	*connect_to;
	http_done_cb		 cb;
	void			*arg;
	http_trace_cb		 trace;
	void			*trace_arg;
	int			 https;
	int			 connect_sent;	/* through a proxy tunnel */
	int			 in_connect;	/* CONNECT sent, no answer */
	int			 tls_seen;
	double			 t_open;	/* socket opened (loop_now) */
	double			 t_up;		/* first byte sent, 0 none */
	char			 errbuf[CURL_ERROR_SIZE];
	char			 proxy_shown[512];
	char			 proxy_url[1024];	/* without userinfo */
	char			 proxy_user[256];
	const char		*proxy_src;	/* option or environment */
	const struct secret_shield *proxy_pw;	/* borrowed */
	struct curl_slist	*proxy_hdr;	/* Proxy-Authorization */
	size_t			 proxy_hdr_size; /* its data's bytes */
	size_t			 auth_match;	/* for sent_wipe */
	int			 auth_pending;	/* to be sent on this
						 * connection */
	int			 auth_filled;
	int			 auth_failed;
	struct clouddp_err	 auth_err;
	struct curl_slist	*headers;
	struct clouddp_buf	 hdrs;		/* of the latest response */
	struct clouddp_buf	 body;
	size_t			 body_max;
	int			 keep_body;
	int			 capped;
	size_t			 hdrs_total;	/* this response's */
	int			 hdrs_capped;
	long			 stall_time;	/* seconds, 0 none */
	int			 body_fd;	/* body_file, -1 none */
	const unsigned char	*up;		/* body from memory */
	size_t			 up_len, up_off;
	http_tls_cb		 tls_setup;
	const void		*tls_arg;
	int			 tls_failed;
	struct clouddp_err	 tls_err;
	struct http_header	 harr[HTTP_HEADERS_MAX];
	struct http_result	 res;
	struct http_req		*prev, *next;
};

/*
 * libcurl's memory: every block it frees is wiped first, so nothing it
 * held (a request with a Proxy-Authorization header, a response) stays
 * readable in freed memory, where a core dump would show it.
 */
static void
wipe_free(void *p)
{
	if (p == NULL)
		return;
	secret_wipe(p, malloc_usable_size(p));
	free(p);
}

static void *
wipe_malloc(size_t len)
{
	return malloc(len);
}

/* A new block and the old one wiped: realloc would leave it as it was. */
static void *
wipe_realloc(void *p, size_t len)
{
	void	*q;
	size_t	 old;

	if (p == NULL)
		return malloc(len);
	q = malloc(len > 0 ? len : 1);
	if (q == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < len ? old : len);
	wipe_free(p);
	return q;
}

static char *
wipe_strdup(const char *s)
{
	size_t	 len = strlen(s) + 1;
	char	*p;

	p = malloc(len);
	if (p != NULL)
		memcpy(p, s, len);
	return p;
}

static void *
wipe_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

int
http_global_init(struct clouddp_err *err)
{
	CURLcode	 rc;

	rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, wipe_malloc, wipe_free,
	    wipe_realloc, wipe_strdup, wipe_calloc);
	if (rc != CURLE_OK)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot initialise libcurl: %s", curl_easy_strerror(rc));
	return 0;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

const char *
http_env_proxy(const char *scheme, const char **var)
{
	/* curl's order (lib/url.c detect_proxy): lower case first; http
	 * takes only the lower-case name (CGI's HTTP_PROXY is a header). */
	static const char *const https_vars[] = {
		"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL
	};
	static const char *const http_vars[] = {
		"http_proxy", "all_proxy", "ALL_PROXY", NULL
	};
	const char *const	*v;
	const char		*val;

	v = strcmp(scheme, "https") == 0 ? https_vars : http_vars;
	for (; *v != NULL; v++) {
		val = getenv(*v);
		if (val != NULL && val[0] != '\0') {
			*var = *v;
			return val;
		}
	}
	*var = NULL;
	return NULL;
}

/*
 * The proxy password.  curl is never given it (CURLOPT_PROXYPASSWORD):
 * it would keep the password and the "user:password" it encodes for as
 * long as the handle lives.  It stays shielded (secret.h) in the caller,
 * and curl sends a Proxy-Authorization header we make (a
 * CURLOPT_PROXYHEADER entry, at its full size from the start, so filling
 * it in never allocates).  The header is filled in only while curl runs
 * (around curl_multi_socket_action, for the requests that have not sent
 * it yet on their connection) and wiped back to its bare name, which
 * curl does not send, when curl returns: a process waiting on the
 * network holds it nowhere.  curl writes a CONNECT in the same call in
 * which it sees the TCP connection stand.
 */
static const char auth_name[] = "Proxy-Authorization:";
static const char auth_prefix[] = "Proxy-Authorization: Basic ";
#define AUTH_PREFIX_LEN	(sizeof(auth_prefix) - 1)

/* Base64 of "user:password" is 4 bytes for every 3, rounded up. */
static size_t
auth_size(const struct http_req *r)
{
	size_t	 n;

	n = strlen(r->proxy_user) + 1 + secret_shield_len(r->proxy_pw);
	return AUTH_PREFIX_LEN + (n + 2) / 3 * 4 + 1;
}

/* The header back to its name alone. */
static void
auth_close(struct http_req *r)
{
	if (r->proxy_hdr == NULL)
		return;
	secret_wipe(r->proxy_hdr->data, r->proxy_hdr_size);
	memcpy(r->proxy_hdr->data, auth_name, sizeof(auth_name));
	r->auth_filled = 0;
}

/* The empty header, at the size auth_open fills.  Returns 0 or -1. */
static int
auth_init(struct http_req *r)
{
	char	*blank;

	r->proxy_hdr_size = auth_size(r);
	blank = malloc(r->proxy_hdr_size);
	if (blank == NULL)
		return -1;
	memset(blank, ' ', r->proxy_hdr_size - 1);
	blank[r->proxy_hdr_size - 1] = '\0';
	memcpy(blank, auth_name, sizeof(auth_name) - 1);
	r->proxy_hdr = curl_slist_append(NULL, blank);
	free(blank);
	if (r->proxy_hdr == NULL)
		return -1;
	auth_close(r);
	r->auth_pending = 1;
	r->m->nauth++;
	return 0;
}

/* "Proxy-Authorization: Basic BASE64(user:password)", for one request. */
static int
auth_open(struct http_req *r)
{
	char	*pw = NULL, *up = NULL;
	size_t	 pwlen, ulen, n;
	int	 rc = -1;

	if (secret_shield_open(r->proxy_pw, &pw, &pwlen, &r->auth_err) == -1)
		goto out;
	ulen = strlen(r->proxy_user);
	n = ulen + 1 + pwlen;
	up = malloc(n + 1);
	if (up == NULL) {
		clouddp_errf(&r->auth_err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
		goto out;
	}
	memcpy(up, r->proxy_user, ulen);
	up[ulen] = ':';
	memcpy(up + ulen + 1, pw, pwlen);
	up[n] = '\0';
	memcpy(r->proxy_hdr->data, auth_prefix, AUTH_PREFIX_LEN);
	EVP_EncodeBlock((unsigned char *)r->proxy_hdr->data +
	    AUTH_PREFIX_LEN, (const unsigned char *)up, (int)n);
	r->auth_filled = 1;
	rc = 0;
out:
	secret_free(pw);
	secret_free(up);
	if (rc == -1)
		r->auth_failed = 1;
	return rc;
}

/*
 * Before curl runs: the headers still to be sent, filled in.  Requests
 * of one client share the password and the user: it is opened once.
 */
static void
auth_fill(struct http_multi *m)
{
	struct http_req	*r, *done = NULL;

	if (m->nauth == 0)
		return;
	for (r = m->reqs; r != NULL; r = r->next) {
		if (!r->auth_pending || r->auth_filled || r->auth_failed)
			continue;
		if (done != NULL && done->proxy_pw == r->proxy_pw &&
		    strcmp(done->proxy_user, r->proxy_user) == 0) {
			memcpy(r->proxy_hdr->data, done->proxy_hdr->data,
			    r->proxy_hdr_size);
			r->auth_filled = 1;
		} else if (auth_open(r) == 0)
			done = r;
	}
}

/* When curl returns: every header wiped. */
static void
auth_wipe(struct http_multi *m)
{
	struct http_req	*r;

	if (m->nauth == 0)
		return;
	for (r = m->reqs; r != NULL; r = r->next)
		if (r->auth_filled)
			auth_close(r);
}

/*
 * What curl wrote of a request: the header's value is wiped in the very
 * bytes the debug callback is shown.  curl calls it once they are sent
 * (lib/http.c Curl_buffer_send and lib/http_proxy.c send_CONNECT in
 * 7.88; lib/cf-h1-proxy.c since 8.0), and for an https URL those bytes
 * are a copy of the CONNECT request in the transfer's upload buffer,
 * which is neither freed nor overwritten before the transfer ends.  The
 * request may come in pieces: auth_match counts how much of the header's
 * name and scheme has been seen.
 */
static void
sent_wipe(struct http_req *r, char *data, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (r->auth_match == AUTH_PREFIX_LEN) {
			if (data[i] == '\r' || data[i] == '\n')
				r->auth_match = 0;
			else
				data[i] = '*';
		} else if (data[i] == auth_prefix[r->auth_match])
			r->auth_match++;
		else
			r->auth_match = data[i] == auth_prefix[0];
	}
}

struct secret_shield *
http_proxy_password_read(const struct clouddp_secret_src *src,
    struct clouddp_err *err)
{
	struct secret_shield	*sh;
	char			*pw = NULL;

	if (secret_read(src, "", &pw, err) == -1)
		return NULL;
	sh = secret_shield_new(pw, strlen(pw), err);
	secret_free(pw);
	return sh;
}

/* Curl's socket callback: mirror what curl wants into the loop. */
static void	on_fd(void *, int, int);

static int
on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct http_multi	*m = userp;
	int			 events = 0;

	(void)easy;
	(void)sockp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= LOOP_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= LOOP_WRITE;
	return loop_fd_set(m->loop, s, events, on_fd, m, NULL);
}

static void	on_timer(void *);

static int
on_timer_set(CURLM *multi, long ms, void *userp)
{
	struct http_multi	*m = userp;

	(void)multi;
	loop_timer_cancel(m->loop, m->timer);
	m->timer = NULL;
	/*
	 * No timer wanted.  While transfers run, wake curl each second
	 * anyway: the loop ends when nothing is watched, and a transfer
	 * must never be left behind by a loop that believes it is done.
	 */
	if (ms < 0 && m->reqs == NULL)
		return 0;
	if (ms < 0)
		ms = 1000;
	m->timer = loop_timer_add(m->loop, (double)ms / 1000, on_timer, m,
	    NULL);
	return m->timer != NULL ? 0 : -1;
}

static void	req_free(struct http_req *);

static void
collect_times(struct http_req *r)
{
	struct http_result	*res = &r->res;
	curl_off_t		 v;
	long			 l;
	char			*s;

	if (curl_easy_getinfo(r->easy, CURLINFO_CONNECT_TIME_T, &v) ==
	    CURLE_OK && v > 0)
		res->t_tcp = (double)v / 1e6;
	else if (r->t_up > 0)
		res->t_tcp = r->t_up - r->t_open;
	if (r->https && curl_easy_getinfo(r->easy,
	    CURLINFO_APPCONNECT_TIME_T, &v) == CURLE_OK && v > 0)
		res->t_tls = (double)v / 1e6;
	if (curl_easy_getinfo(r->easy, CURLINFO_PRETRANSFER_TIME_T, &v) ==
	    CURLE_OK && v > 0)
		res->t_pretransfer = (double)v / 1e6;
	if (curl_easy_getinfo(r->easy, CURLINFO_STARTTRANSFER_TIME_T, &v) ==
	    CURLE_OK && v > 0)
		res->t_ttfb = (double)v / 1e6;
	if (curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME_T, &v) == CURLE_OK)
		res->t_total = (double)v / 1e6;
	if (curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &l) ==
	    CURLE_OK)
		res->status = l;
	if (curl_easy_getinfo(r->easy, CURLINFO_HTTP_CONNECTCODE, &l) ==
	    CURLE_OK)
		res->proxy_status = l;
	if (curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &l) == CURLE_OK)
		res->os_errno = (int)l;
	s = NULL;
	if (curl_easy_getinfo(r->easy, CURLINFO_REDIRECT_URL, &s) ==
	    CURLE_OK && s != NULL)
		res->location = s;
}

static void
collect_certs(struct http_req *r)
{
	struct curl_certinfo	*ci = NULL;
	struct curl_slist	*s;
	int			 i;

	if (curl_easy_getinfo(r->easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL)
		return;
	/* Entries are "Key:value"; the PEM is under "Cert". */
	for (i = 0; i < ci->num_of_certs && i < HTTP_CHAIN_MAX; i++) {
		r->res.certs[i].pem = NULL;
		for (s = ci->certinfo[i]; s != NULL; s = s->next)
			if (strncmp(s->data, "Cert:", 5) == 0)
				r->res.certs[i].pem = s->data + 5;
	}
	r->res.ncerts = (size_t)i;
}

static enum http_fail
tcp_fail(int timeout, int os_errno)
{
	if (timeout)
		return HTTP_FAIL_TIMEOUT;
	switch (os_errno) {
	case ECONNREFUSED:
		return HTTP_FAIL_REFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
		return HTTP_FAIL_UNREACHABLE;
	case ETIMEDOUT:
		return HTTP_FAIL_TIMEOUT;
	default:
		return HTTP_FAIL_ERROR;
	}
}

/* "1 MiB" or "1000 bytes". */
static void
size_words(char *buf, size_t len, unsigned long long n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(buf, len, "%llu MiB", n / (1024 * 1024));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, len, "%llu KiB", n / 1024);
	else
		snprintf(buf, len, "%llu bytes", n);
}

/*
 * The answer was cut on our side: a body or headers past their cap, or
 * a stall.  Returns 1 (with stage, fail and words set) or 0.
 */
static int
response_cut(struct http_req *r, CURLcode rc)
{
	struct http_result	*res = &r->res;
	char			 max[32];

	size_words(max, sizeof(max), r->body_max);
	if (r->capped || rc == CURLE_FILESIZE_EXCEEDED) {
		res->stage = HTTP_STAGE_RESPONSE;
		res->fail = HTTP_FAIL_BODY_MAX;
		if (r->capped)
			snprintf(res->error, sizeof(res->error), "the answer's "
			    "body exceeds %s, the most this request reads: "
			    "reading stopped there", max);
		else
			snprintf(res->error, sizeof(res->error), "the answer's "
			    "body exceeds %s, the most this request reads: "
			    "its Content-Length says more, none of it read",
			    max);
		return 1;
	}
	if (r->hdrs_capped) {
		res->stage = HTTP_STAGE_RESPONSE;
		res->fail = HTTP_FAIL_HEADERS_MAX;
		size_words(max, sizeof(max), HTTP_HEADERS_BYTES_MAX);
		snprintf(res->error, sizeof(res->error), "the answer's headers "
		    "exceed %s, the most a response may carry: reading "
		    "stopped there", max);
		return 1;
	}
	/* curl's low-speed check says "Operation too slow" (speedcheck.c). */
	if (rc == CURLE_OPERATION_TIMEDOUT && r->stall_time > 0 &&
	    strncmp(r->errbuf, "Operation too slow", 18) == 0) {
		res->stage = HTTP_STAGE_RESPONSE;
		res->fail = HTTP_FAIL_STALL;
		snprintf(res->error, sizeof(res->error), "the answer stalled: "
		    "less than %d bytes/s for %ld s (%zu bytes of body read)",
		    HTTP_STALL_RATE, r->stall_time, res->body_len);
		return 1;
	}
	return 0;
}

/*
 * A name that does not match is curl's own check (vtls/openssl.c
 * verifyhost), made before it reads OpenSSL's verify result: only its
 * words tell.  Returns 1 when they do.
 */
static int
name_words(struct http_result *res, const char *words)
{
	char	 subject[128], host[128];

	if (sscanf(words, "SSL: certificate subject name '%127[^']' does "
	    "not match target host name '%127[^']'", subject, host) == 2)
		snprintf(res->error, sizeof(res->error), "the certificate for "
		    "%s does not match the endpoint name %s", subject, host);
	else if (sscanf(words, "SSL: no alternative certificate subject "
	    "name matches target host name '%127[^']'", host) == 1)
		snprintf(res->error, sizeof(res->error), "no name in the "
		    "certificate's subjectAltName matches the endpoint name "
		    "%s", host);
	else
		return 0;
	res->verify = HTTP_VERIFY_NAME;
	return 1;
}

/* Why verification failed, from OpenSSL's verify result. */
static void
verify_words(struct http_req *r)
{
	struct http_result	*res = &r->res;
	char			 words[256];
	long			 v = -1;

	snprintf(words, sizeof(words), "%s", res->error);
	if (name_words(res, words))
		return;
	curl_easy_getinfo(r->easy, CURLINFO_SSL_VERIFYRESULT, &v);
	switch (v) {
	case 9:		/* X509_V_ERR_CERT_NOT_YET_VALID */
	case 10:	/* X509_V_ERR_CERT_HAS_EXPIRED */
		res->verify = HTTP_VERIFY_EXPIRED;
		break;
	case 2:		/* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT */
	case 18:	/* X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT */
	case 19:	/* X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN */
	case 20:	/* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */
	case 21:	/* X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE */
		res->verify = HTTP_VERIFY_UNTRUSTED;
		break;
	default:
		res->verify = HTTP_VERIFY_OTHER;
		break;
	}
	/* "SSL certificate problem: certificate has expired" */
	if (strncmp(words, "SSL certificate problem: ", 25) == 0)
		snprintf(res->error, sizeof(res->error), "the certificate "
		    "served failed verification: %s%s", words + 25,
		    res->verify == HTTP_VERIFY_UNTRUSTED ?
		    " (no chain to a CA we trust)" : "");
}

/*
 * A handshake that failed for want of TLS: what OpenSSL's reason means
 * for the server, curl's words after it.
 */
static void
tls_words(struct http_result *res)
{
	static const struct {
		const char	*reason;
		const char	*words;
	} t[] = {
		{ "wrong version number", "the server answered with "
		    "something that is not TLS" },
		{ "unsupported protocol", "the server offers only a protocol "
		    "version refused here (SSL 3.0, TLS 1.0 or 1.1)" },
		{ "reset by peer", "the server reset the connection during "
		    "the handshake" },
		{ "unexpected eof", "the server closed the connection during "
		    "the handshake" },
		{ "record layer failure", "the server sent a malformed TLS "
		    "record" },
	};
	char	 words[sizeof(res->error)];
	size_t	 i;

	snprintf(words, sizeof(words), "%s", res->error);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcasestr(words, t[i].reason) != NULL) {
			snprintf(res->error, sizeof(res->error), "%s (%s)",
			    t[i].words, words);
			return;
		}
}

/* Which stage failed, and why, from the stages reached. */
static void
classify(struct http_req *r, CURLcode rc)
{
	struct http_result	*res = &r->res;
	int			 timeout;

	if (rc == CURLE_OK) {
		res->stage = HTTP_STAGE_DONE;
		return;
	}
	snprintf(res->error, sizeof(res->error), "%s",
	    r->errbuf[0] != '\0' ? r->errbuf : curl_easy_strerror(rc));
	if (response_cut(r, rc))
		return;
	if (r->auth_failed) {
		res->stage = HTTP_STAGE_PROXY;
		res->fail = HTTP_FAIL_ERROR;
		snprintf(res->error, sizeof(res->error), "%s",
		    r->auth_err.what);
		return;
	}
	if (r->tls_failed) {
		res->stage = HTTP_STAGE_TLS;
		res->fail = HTTP_FAIL_CLIENT_CERT;
		snprintf(res->error, sizeof(res->error), "%s",
		    r->tls_err.what);
		return;
	}
	timeout = rc == CURLE_OPERATION_TIMEDOUT;
	res->fail = timeout ? HTTP_FAIL_TIMEOUT : HTTP_FAIL_ERROR;
	if (rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_COULDNT_RESOLVE_PROXY) {
		res->stage = HTTP_STAGE_TCP;
		res->fail = HTTP_FAIL_RESOLVE;
		return;
	}
	if (res->t_tcp < 0) {
		res->stage = HTTP_STAGE_TCP;
		res->fail = tcp_fail(timeout, res->os_errno);
	} else if (r->connect_sent && (res->proxy_status < 200 ||
	    res->proxy_status > 299)) {
		res->stage = HTTP_STAGE_PROXY;
		if (res->proxy_status != 0)
			res->fail = HTTP_FAIL_STATUS;
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE) {
		res->stage = HTTP_STAGE_TLS;
		res->fail = HTTP_FAIL_VERIFY;
		verify_words(r);
	} else if (r->https && res->t_tls < 0) {
		res->stage = HTTP_STAGE_TLS;
		tls_words(res);
	} else
		res->stage = HTTP_STAGE_RESPONSE;
}

const char *
http_result_header(const struct http_result *res, const char *name)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			v = res->headers[i].value;
	return v;
}

/* Split the kept header block in place into name/value pairs. */
static void
parse_headers(struct http_req *r)
{
	char	*p, *end, *nl, *e, *colon, *v;
	size_t	 n = 0;

	if (r->hdrs.data == NULL)
		return;
	p = r->hdrs.data;
	end = p + r->hdrs.len;
	while (p < end && n < HTTP_HEADERS_MAX) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		e = nl;
		if (e > p && e[-1] == '\r')
			*--e = '\0';
		colon = strchr(p, ':');
		if (colon != NULL && p[0] != ' ' && p[0] != '\t' &&
		    strncmp(p, "HTTP/", 5) != 0) {
			*colon = '\0';
			for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
				;
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			r->harr[n].name = p;
			r->harr[n++].value = v;
		}
		p = nl + 1;
	}
	r->res.headers = r->harr;
	r->res.nheaders = n;
}

/*
 * Retry-After (RFC 9110 10.2.3): delay-seconds, or an HTTP-date, which
 * counts from the response's Date so that our clock's error does not.
 */
static void
parse_retry_after(struct http_result *res)
{
	const char	*v, *d;
	char		*end;
	long		 sec;
	time_t		 at, date;

	v = http_result_header(res, "Retry-After");
	if (v == NULL)
		return;
	if (v[0] >= '0' && v[0] <= '9') {
		errno = 0;
		sec = strtol(v, &end, 10);
		if (*end == '\0' && errno == 0)
			res->retry_after = sec;
		return;
	}
	at = curl_getdate(v, NULL);
	if (at == -1)
		return;
	res->retry_at = (long long)at;
	d = http_result_header(res, "Date");
	date = d != NULL ? curl_getdate(d, NULL) : -1;
	if (date != -1)
		res->retry_after = at > date ? (long)(at - date) : 0;
}

static void
collect_response(struct http_req *r)
{
	struct http_result	*res = &r->res;
	const char		*v;

	parse_headers(r);
	parse_retry_after(res);
	res->request_id = http_result_header(res, "x-ms-request-id");
	res->content_type = http_result_header(res, "Content-Type");
	v = http_result_header(res, "Location");
	if (v != NULL && res->location == NULL)
		res->location = v;
	if (r->keep_body)
		res->body = r->body.data != NULL ? r->body.data : "";
}

static void
drain(struct http_multi *m)
{
	CURLMsg		*msg;
	struct http_req	*r;
	char		*p;
	CURLcode	 rc;
	int		 left;

	for (;;) {
		msg = curl_multi_info_read(m->multi, &left);
		if (msg == NULL)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		rc = msg->data.result;
		p = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		r = (struct http_req *)(void *)p;
		collect_times(r);
		collect_certs(r);
		collect_response(r);
		classify(r, rc);
		r->cb(r->arg, NULL, &r->res);
		req_free(r);
	}
}

static void
on_fd(void *arg, int fd, int ready)
{
	struct http_multi	*m = arg;
	int			 flags = 0, running;

	if (ready & LOOP_READ)
		flags |= CURL_CSELECT_IN;
	if (ready & LOOP_WRITE)
		flags |= CURL_CSELECT_OUT;
	if (ready & LOOP_ERROR)
		flags |= CURL_CSELECT_ERR;
	auth_fill(m);
	curl_multi_socket_action(m->multi, fd, flags, &running);
	auth_wipe(m);
	drain(m);
}

static void
on_timer(void *arg)
{
	struct http_multi	*m = arg;
	int			 running;

	/* The loop frees this timer after we return: forget it first, as
	 * curl may set a new one from inside the action. */
	m->timer = NULL;
	auth_fill(m);
	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	auth_wipe(m);
	drain(m);
}

struct http_multi *
http_multi_new(struct loop *loop, struct clouddp_err *err)
{
	struct http_multi	*m;

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	m->loop = loop;
	m->multi = curl_multi_init();
	if (m->multi == NULL) {
		free(m);
		clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot create a libcurl multi handle");
		return NULL;
	}
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, on_timer_set);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	return m;
}

static void
req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	if (r->easy != NULL) {
		curl_multi_remove_handle(r->m->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	auth_close(r);
	if (r->proxy_hdr != NULL)
		r->m->nauth--;
	curl_slist_free_all(r->proxy_hdr);
	curl_slist_free_all(r->connect_to);
	curl_slist_free_all(r->headers);
	clouddp_buf_free(&r->hdrs);
	clouddp_buf_free(&r->body);
	if (r->body_fd != -1)
		close(r->body_fd);
	if (r->prev != NULL)
		r->prev->next = r->next;
	else if (r->m->reqs == r)
		r->m->reqs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	/* The last request gone: nothing is left for the timer to do. */
	if (r->m->reqs == NULL) {
		loop_timer_cancel(r->m->loop, r->m->timer);
		r->m->timer = NULL;
	}
	free(r);
}

void
http_multi_free(struct http_multi *m)
{
	if (m == NULL)
		return;
	while (m->reqs != NULL)
		req_free(m->reqs);
	curl_multi_cleanup(m->multi);
	loop_timer_cancel(m->loop, m->timer);
	free(m);
}

/* Note where each connection goes: the VIP itself, or a proxy. */
static curl_socket_t
on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_req			*r = arg;
	const struct sockaddr_in	*in4;
	const struct sockaddr_in6	*in6;
	int				 fd;

	(void)purpose;
	if (a->family == AF_INET) {
		in4 = (const struct sockaddr_in *)(const void *)&a->addr;
		inet_ntop(AF_INET, &in4->sin_addr, r->res.peer,
		    sizeof(r->res.peer));
		r->res.peer_port = ntohs(in4->sin_port);
	} else if (a->family == AF_INET6) {
		in6 = (const struct sockaddr_in6 *)(const void *)&a->addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, r->res.peer,
		    sizeof(r->res.peer));
		r->res.peer_port = ntohs(in6->sin6_port);
	}
	r->t_open = loop_now();
	/* A new connection to the proxy: it sends the header anew (curl
	 * runs: auth_wipe follows). */
	if (r->proxy_hdr != NULL) {
		r->auth_pending = 1;
		r->auth_match = 0;
		if (!r->auth_filled && !r->auth_failed)
			auth_open(r);
		if (r->auth_failed)
			return CURL_SOCKET_BAD;
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return fd == -1 ? CURL_SOCKET_BAD : fd;
}

/*
 * Hand curl's words to the trace callback line by line, "* " before
 * text, "> " before headers sent, "< " before headers received.  A
 * credential must not reach a log: every line is redacted.
 */
static void
trace_lines(struct http_req *r, curl_infotype type, const char *data,
    size_t len)
{
	char		 raw[512], line[600];
	const char	*mark, *nl;
	size_t		 n;

	mark = type == CURLINFO_TEXT ? "* " : type == CURLINFO_HEADER_OUT ?
	    "> " : "< ";
	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		if (n > 0 && data[n - 1] == '\r')
			n--;
		if (n > 0) {
			snprintf(raw, sizeof(raw), "%s%.*s", mark, (int)n,
			    data);
			log_redact(line, sizeof(line), raw);
			secret_wipe(raw, sizeof(raw));
			r->trace(r->trace_arg, line);
		}
		if (nl == NULL)
			break;
		len -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
}

/*
 * curl's trace: the only place curl says which TLS version and cipher it
 * negotiated (lib/vtls/openssl.c: "SSL connection using V / C"), and
 * where a CONNECT request and its answer can be timed.
 */
static int
on_debug(CURL *easy, curl_infotype type, char *data, size_t len, void *arg)
{
	struct http_req	*r = arg;
	static const char using[] = "SSL connection using ";
	char		 line[160];
	size_t		 n;

	(void)easy;
	if (r->trace != NULL && (type == CURLINFO_TEXT ||
	    type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT))
		trace_lines(r, type, data, len);
	/* A request went out: curl has its headers; ours is done. */
	if (type == CURLINFO_HEADER_OUT && r->proxy_hdr != NULL) {
		sent_wipe(r, data, len);
		auth_close(r);
		r->auth_pending = 0;
	}
	/*
	 * curl records no connect time for a transfer that fails later,
	 * so note it ourselves: the first thing sent, or curl's "Connected
	 * to" line, means TCP stood.
	 */
	if (r->t_up == 0 && (type == CURLINFO_HEADER_OUT ||
	    type == CURLINFO_DATA_OUT || type == CURLINFO_SSL_DATA_OUT ||
	    (type == CURLINFO_TEXT && len > 13 &&
	    memcmp(data, "Connected to ", 13) == 0)))
		r->t_up = loop_now();
	if (type == CURLINFO_HEADER_OUT && len > 8 &&
	    memcmp(data, "CONNECT ", 8) == 0)
		r->connect_sent = r->in_connect = 1;
	else if (type == CURLINFO_HEADER_IN && r->in_connect && len > 5 &&
	    memcmp(data, "HTTP/", 5) == 0) {
		r->in_connect = 0;
		r->res.t_proxy = loop_now() - r->t_open;
	} else if (type == CURLINFO_TEXT && len > sizeof(using) - 1 &&
	    memcmp(data, using, sizeof(using) - 1) == 0) {
		n = len - (sizeof(using) - 1);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, data + sizeof(using) - 1, n);
		line[n] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		if (sscanf(line, "%15s / %63s", r->res.tls_version,
		    r->res.cipher) == 2)
			r->tls_seen = 1;
	}
	return 0;
}

/* Keep (or count) the body up to body_max; past it, stop the transfer. */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_req	*r = arg;
	size_t		 len = size * n, take = len;

	if (take > r->body_max - r->res.body_len) {
		take = r->body_max - r->res.body_len;
		r->capped = 1;
	}
	if (r->keep_body && take > 0 &&
	    clouddp_buf_append(&r->body, data, take, NULL) == -1)
		return 0;
	r->res.body_len += take;
	return r->capped ? 0 : len;
}

/* Response headers: only the last response's (not a CONNECT's or a
 * 100 Continue's), up to HTTP_HEADERS_BYTES_MAX, past which the
 * request stops (curl keeps them too, and its own cap is higher). */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_req	*r = arg;
	size_t		 len = size * n;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		clouddp_buf_reset(&r->hdrs);
		r->hdrs_total = 0;
	}
	r->hdrs_total += len;
	if (r->hdrs_total > HTTP_HEADERS_BYTES_MAX) {
		r->hdrs_capped = 1;
		return 0;
	}
	clouddp_buf_append(&r->hdrs, data, len, NULL);
	return len;
}

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct http_req	*r = arg;
	size_t		 len = size * n;
	ssize_t		 got;

	if (r->body_fd != -1) {
		do
			got = read(r->body_fd, buf, len);
		while (got == -1 && errno == EINTR);
		return got < 0 ? CURL_READFUNC_ABORT : (size_t)got;
	}
	if (len > r->up_len - r->up_off)
		len = r->up_len - r->up_off;
	memcpy(buf, r->up + r->up_off, len);
	r->up_off += len;
	return len;
}

/* curl rewinds the body to send it again (after a 401 or 407). */
static int
on_seek(void *arg, curl_off_t off, int origin)
{
	struct http_req	*r = arg;

	if (origin != SEEK_SET || off < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (r->body_fd != -1)
		return lseek(r->body_fd, (off_t)off, SEEK_SET) == -1 ?
		    CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
	if ((size_t)off > r->up_len)
		return CURL_SEEKFUNC_FAIL;
	r->up_off = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

static CURLcode
on_ssl_ctx(CURL *easy, void *ssl_ctx, void *arg)
{
	struct http_req	*r = arg;

	(void)easy;
	if (r->tls_setup(ssl_ctx, r->tls_arg, &r->tls_err) == -1) {
		r->tls_failed = 1;
		return CURLE_SSL_CERTPROBLEM;
	}
	return CURLE_OK;
}

/* Set the options every probe shares; returns 0 or -1. */
static int
set_common(struct http_req *r, const struct http_req_opts *o)
{
	CURL	*e = r->easy;
	int	 bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, o->url);
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "clouddp/" PACKAGE_VERSION);
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* Every probe measures a new connection and a full handshake. */
	bad |= curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
	    o->insecure ? 0L : 1L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
	    o->insecure ? 0L : 2L);
	if (o->cacert != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open);
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
	bad |= curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
	bad |= curl_easy_setopt(e, CURLOPT_DEBUGDATA, r);
	bad |= curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o->connect_timeout * 1000));
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)(o->timeout * 1000));
	/* Refuse a declared body past the cap before reading any of it
	 * (a HEAD's Content-Length is the resource's, not a body). */
	if (o->body_strict && !o->connect_only && (o->method == NULL ||
	    strcmp(o->method, "HEAD") != 0))
		bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)r->body_max);
	if (r->stall_time > 0) {
		bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
		    (long)HTTP_STALL_RATE);
		bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		    r->stall_time);
	}
	return bad ? -1 : 0;
}

/*
 * With a separate proxy password, curl must not see a userinfo in the
 * proxy URL (it would send a header of its own, and keep it): split
 * "scheme://user[:pw]@host:port" into the URL without it and the user.
 */
static int
proxy_split(struct http_req *r, const char *proxy, struct clouddp_err *err)
{
	const char	*p, *q, *at = NULL, *end;
	char		*user;
	int		 n;

	q = strstr(proxy, "://");
	p = q != NULL ? q + 3 : proxy;
	for (end = p; *end != '\0' && *end != '/'; end++)
		if (*end == '@')
			at = end;
	if (at == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "put the user in the proxy URL, e.g. "
		    "http://USER@proxy.contoso.com:3128",
		    "a proxy password was given but the proxy %s names no "
		    "user", r->proxy_shown);
	n = snprintf(r->proxy_url, sizeof(r->proxy_url), "%.*s%s",
	    (int)(p - proxy), proxy, at + 1);
	if (n < 0 || (size_t)n >= sizeof(r->proxy_url))
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
		    "the proxy URL is too long");
	q = memchr(p, ':', (size_t)(at - p));
	user = curl_easy_unescape(r->easy, p, (int)((q != NULL ? q : at) - p),
	    NULL);
	if (user == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	snprintf(r->proxy_user, sizeof(r->proxy_user), "%s", user);
	curl_free(user);
	return 0;
}

static int
set_route(struct http_req *r, const struct http_req_opts *o,
    struct clouddp_err *err)
{
	CURL	*e = r->easy;
	int	 bad = 0;

	if (o->connect_to != NULL) {
		r->connect_to = curl_slist_append(NULL, o->connect_to);
		if (r->connect_to == NULL)
			return -1;
		bad |= curl_easy_setopt(e, CURLOPT_CONNECT_TO, r->connect_to);
	}
	if (o->proxy_password != NULL && r->proxy_src != NULL) {
		if (proxy_split(r, r->proxy_src, err) == -1)
			return -1;
		r->proxy_pw = o->proxy_password;
		if (auth_init(r) == -1)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		bad |= curl_easy_setopt(e, CURLOPT_PROXY, r->proxy_url);
		bad |= curl_easy_setopt(e, CURLOPT_PROXYHEADER, r->proxy_hdr);
		bad |= curl_easy_setopt(e, CURLOPT_HEADEROPT,
		    CURLHEADER_SEPARATE);
	} else if (o->proxy != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	if (o->tunnel)
		bad |= curl_easy_setopt(e, CURLOPT_HTTPPROXYTUNNEL, 1L);
	if (o->connect_only)
		bad |= curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	if (o->certinfo)
		bad |= curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
	if (o->tls_setup != NULL) {
		bad |= curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION,
		    on_ssl_ctx);
		bad |= curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, r);
	}
	return bad ? clouddp_errf(err, CLOUDDP_EINTERNAL,
	    "check that libcurl was built with proxy and OpenSSL support",
	    "%s: libcurl refused the request's options", o->url) : 0;
}

/* The body to send: opened (a file) or pointed at (memory). */
static int
set_body(struct http_req *r, const struct http_req_opts *o,
    struct clouddp_err *err)
{
	CURL		*e = r->easy;
	struct stat	 st;
	curl_off_t	 size;
	int		 bad = 0;

	if (o->body_file != NULL) {
		r->body_fd = open(o->body_file, O_RDONLY | O_CLOEXEC);
		if (r->body_fd == -1)
			return clouddp_errf(err, CLOUDDP_EIO,
			    "check the path of the file to send",
			    "%s: %s", o->body_file, strerror(errno));
		if (fstat(r->body_fd, &st) == -1 || !S_ISREG(st.st_mode))
			return clouddp_errf(err, CLOUDDP_EIO,
			    "send a regular file", "%s: not a regular file",
			    o->body_file);
		size = (curl_off_t)st.st_size;
	} else {
		r->up = o->body;
		r->up_len = o->body_len;
		size = (curl_off_t)o->body_len;
	}
	bad |= curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	bad |= curl_easy_setopt(e, CURLOPT_READDATA, r);
	bad |= curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
	bad |= curl_easy_setopt(e, CURLOPT_SEEKDATA, r);
	bad |= curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, size);
	return bad ? -1 : 0;
}

/* Method, headers and body of an API request. */
static int
set_request(struct http_req *r, const struct http_req_opts *o,
    struct clouddp_err *err)
{
	CURL			*e = r->easy;
	struct curl_slist	*l;
	int			 has_body, bad = 0;
	size_t			 i;

	has_body = o->body != NULL || o->body_file != NULL;
	for (i = 0; i <= o->nheaders; i++) {
		/* curl would wait a second for "100 Continue" first. */
		if (i == o->nheaders && !has_body)
			break;
		l = curl_slist_append(r->headers, i < o->nheaders ?
		    o->headers[i] : "Expect:");
		if (l == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		r->headers = l;
	}
	if (r->headers != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	if (has_body && set_body(r, o, err) == -1)
		return -1;
	if (o->method != NULL && strcmp(o->method, "HEAD") == 0)
		bad |= curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (o->method != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, o->method);
	return bad ? clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
	    "%s: libcurl refused the request's options", o->url) : 0;
}

/* Whole seconds (curl's unit), at least 1; 0: no stall check. */
static void
stall_init(struct http_req *r, const struct http_req_opts *o)
{
	double	 t = o->stall_time;

	if (t == 0)
		t = o->timeout > 0 ? o->timeout / 2 : HTTP_STALL_MAX;
	if (t > HTTP_STALL_MAX && o->stall_time == 0)
		t = HTTP_STALL_MAX;
	r->stall_time = t < 0 ? 0 : t < 1 ? 1 : (long)(t + 0.5);
}

static void
result_init(struct http_req *r, const struct http_req_opts *o)
{
	struct http_result	*res = &r->res;

	res->t_tcp = res->t_proxy = res->t_tls = -1;
	res->t_pretransfer = res->t_ttfb = res->t_total = -1;
	res->retry_after = -1;
	r->https = strncmp(o->url, "https:", 6) == 0;
	r->body_max = o->body_max > 0 ? o->body_max : HTTP_BODY_MAX;
	stall_init(r, o);
	r->keep_body = o->keep_body;
	r->tls_setup = o->tls_setup;
	r->tls_arg = o->tls_arg;
	if (o->proxy != NULL)
		r->proxy_src = o->proxy[0] != '\0' ? o->proxy : NULL;
	else
		r->proxy_src = http_env_proxy(r->https ? "https" : "http",
		    &res->proxy_env);
	if (r->proxy_src != NULL) {
		log_redact(r->proxy_shown, sizeof(r->proxy_shown),
		    r->proxy_src);
		res->proxy = r->proxy_shown;
	}
}

int
http_req_start(struct http_multi *m, const struct http_req_opts *o,
    http_done_cb cb, void *arg, struct clouddp_err *err)
{
	struct http_req	*r;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	r->m = m;
	r->cb = cb;
	r->arg = arg;
	r->body_fd = -1;
	r->trace = o->trace;
	r->trace_arg = o->trace_arg;
	r->next = m->reqs;
	if (m->reqs != NULL)
		m->reqs->prev = r;
	m->reqs = r;
	result_init(r, o);
	r->easy = curl_easy_init();
	if (r->easy == NULL || set_common(r, o) == -1) {
		req_free(r);
		return clouddp_errf(err, CLOUDDP_EINTERNAL,
		    "check that libcurl was built with TLS support",
		    "%s: libcurl refused the request's options", o->url);
	}
	if (set_route(r, o, err) == -1 || set_request(r, o, err) == -1) {
		req_free(r);
		return -1;
	}
	if (curl_multi_add_handle(m->multi, r->easy) != CURLM_OK) {
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
		req_free(r);
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "%s: libcurl refused to start the request", o->url);
	}
	return 0;
}
