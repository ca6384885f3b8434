/*
 * HTTP through libcurl: the only module that includes curl/curl.h.
 * Requests run on libcurl's multi interface inside the one event loop
 * (loop.h): curl's sockets and timer become loop watches and a loop
 * timer, and each finished transfer is handed to its completion callback
 * with what happened at every stage (TCP, proxy CONNECT, TLS, response).
 */
#ifndef CLOUDDP_HTTP_H
#define CLOUDDP_HTTP_H

#include <stddef.h>

#include "clouddp.h"
#include "loop.h"

/*
 * libcurl's global state, with allocation functions that wipe each block
 * libcurl frees: call before any other libcurl function.
 */
int	 http_global_init(struct clouddp_err *);
void	 http_global_cleanup(void);

struct http_multi;
struct secret_shield;

/*
 * Called with each line curl says about a request (its informational
 * text and the headers sent and received, never the body), without the
 * line ending; redacted by log_redact() (Authorization values, proxy
 * passwords) before it gets here.
 */
typedef void	(*http_trace_cb)(void *, const char *);

/*
 * The client certificate for mutual TLS: called with the connection's
 * SSL_CTX (as void *) before the handshake, it puts the certificate and
 * key there and returns 0, or -1 with err filled.  cert.h's
 * cert_tls_client_use() is one.
 *
 * How the private key reaches TLS: cert.c is the only place keys are
 * parsed (STYLE 5), and it keeps them as EVP_PKEY.  Rather than hand
 * curl a PEM or DER copy (CURLOPT_SSLKEY_BLOB: one more buffer holding
 * the key, that we would have to wipe and curl copies again), curl's
 * CURLOPT_SSL_CTX_FUNCTION calls this callback and cert.c gives the
 * SSL_CTX its EVP_PKEY by reference.  So http.c never sees key bytes,
 * no copy outlives the cert, and a later process split (keys in their
 * own process) changes only the callback.  It ties us to curl's OpenSSL
 * backend, which Debian's libcurl4-openssl-dev is.
 */
typedef int	(*http_tls_cb)(void *, const void *, struct clouddp_err *);

/*
 * Default cap on a response body: reading stops there.  With
 * body_strict, a body declared longer (Content-Length) is refused
 * before any of it is read.
 */
#define HTTP_BODY_MAX	(1024 * 1024)

/* The most response headers one answer may carry; past it, it stops. */
#define HTTP_HEADERS_BYTES_MAX	(64 * 1024)

/*
 * A transfer that moves fewer than HTTP_STALL_RATE bytes a second (up
 * and down together) for stall_time seconds has stalled and stops: a
 * server that drips one byte a second cannot hold a request until its
 * timeout.  The default stall_time is half the timeout, at most
 * HTTP_STALL_MAX seconds.
 */
#define HTTP_STALL_RATE	128
#define HTTP_STALL_MAX	30

/*
 * What one request asks for.  Strings are borrowed until the completion
 * callback has run.  A zeroed struct plus a url is a GET that verifies
 * the server's certificate and name against the system CAs (or cacert).
 * Probes set insecure: they judge what was served from certs[], so that
 * a wrong name or an unknown CA is a finding, not a failed connection
 * that hides the rest.
 */
struct http_req_opts {
	const char	*url;
	const char	*method;	/* NULL: GET, or PUT with a body */
	const char *const *headers;	/* "Name: value" lines sent */
	size_t		 nheaders;
	const void	*body;		/* sent from memory, or NULL */
	size_t		 body_len;
	const char	*body_file;	/* or streamed from this file */
	size_t		 body_max;	/* response cap; 0: HTTP_BODY_MAX */
	int		 body_strict;	/* refuse, unread, a body whose
					 * Content-Length passes body_max */
	int		 keep_body;	/* keep it in the result's body */
	int		 insecure;	/* no peer and name verification */
	const char	*cacert;	/* CA file; NULL: the system's */
	http_tls_cb	 tls_setup;	/* client certificate, or NULL */
	const void	*tls_arg;
	const char	*connect_to;	/* "HOST:PORT:ADDR:PORT" or NULL */
	const char	*proxy;		/* NULL: environment; "": none */
	const struct secret_shield *proxy_password; /* the proxy URL's
					 * user's, shielded (secret.h) */
	int		 tunnel;	/* CONNECT through the proxy for http */
	int		 connect_only;	/* stop after TCP, CONNECT and TLS */
	int		 certinfo;	/* collect the served chain */
	double		 connect_timeout; /* TCP + CONNECT + TLS, seconds */
	double		 timeout;	/* the whole request, seconds */
	double		 stall_time;	/* 0: the default; < 0: none */
	http_trace_cb	 trace;		/* NULL: none */
	void		*trace_arg;
};

/* The stage a request reached or failed at, in the order they happen. */
enum http_stage {
	HTTP_STAGE_TCP = 0,
	HTTP_STAGE_PROXY,	/* the CONNECT through a proxy */
	HTTP_STAGE_TLS,
	HTTP_STAGE_RESPONSE,
	HTTP_STAGE_DONE
};

/* Why a stage failed. */
enum http_fail {
	HTTP_FAIL_NONE = 0,
	HTTP_FAIL_REFUSED,	/* RST to our SYN */
	HTTP_FAIL_UNREACHABLE,	/* no route, host or network unreachable */
	HTTP_FAIL_TIMEOUT,	/* no answer within the time given */
	HTTP_FAIL_STATUS,	/* the proxy answered CONNECT with non-2xx */
	HTTP_FAIL_VERIFY,	/* the server's certificate or name failed
				 * verification (TLS stage) */
	HTTP_FAIL_CLIENT_CERT,	/* our client certificate could not be set */
	HTTP_FAIL_BODY_MAX,	/* the body passed body_max, or declared
				 * more: reading stopped (RESPONSE stage;
				 * status is valid) */
	HTTP_FAIL_RESOLVE,	/* the host's (or the proxy's) name did not
				 * resolve (TCP stage) */
	HTTP_FAIL_STALL,	/* under HTTP_STALL_RATE for stall_time
				 * (RESPONSE stage) */
	HTTP_FAIL_HEADERS_MAX,	/* the headers passed HTTP_HEADERS_BYTES_MAX
				 * (RESPONSE stage) */
	HTTP_FAIL_ERROR		/* anything else; see error */
};

/* Why the server's certificate failed verification (HTTP_FAIL_VERIFY). */
enum http_verify {
	HTTP_VERIFY_OTHER = 0,
	HTTP_VERIFY_NAME,	/* it does not name the host of the URL */
	HTTP_VERIFY_EXPIRED,	/* expired, or not yet valid */
	HTTP_VERIFY_UNTRUSTED	/* no chain to a CA we trust */
};

#define HTTP_CHAIN_MAX	8
#define HTTP_HEADERS_MAX 64

/* One response header, borrowed; the name as the server spelled it. */
struct http_header {
	const char	*name;
	const char	*value;
};

/* One certificate of the served chain, as curl reports it (borrowed). */
struct http_cert {
	const char	*pem;
};

/*
 * What happened.  Times are seconds since the request started, -1 for a
 * stage not reached.  Pointers are borrowed and valid only during the
 * completion callback.
 */
struct http_result {
	enum http_stage	 stage;		/* failed at; DONE on success */
	enum http_fail	 fail;
	enum http_verify verify;	/* with HTTP_FAIL_VERIFY */
	int		 os_errno;	/* of the failed connect, 0 none */
	char		 error[256];	/* curl's words for the failure */
	char		 peer[64];	/* "ADDR" the TCP connection went to */
	long		 peer_port;
	const char	*proxy_env;	/* variable curl takes a proxy from */
	const char	*proxy;		/* configured proxy, NULL none;
					 * any password in it cut out */
	long		 proxy_status;	/* CONNECT answer, 0 none */
	double		 t_tcp;
	double		 t_proxy;
	double		 t_tls;
	double		 t_pretransfer;
	double		 t_ttfb;
	double		 t_total;
	char		 tls_version[16];
	char		 cipher[64];
	long		 status;	/* HTTP status, 0 none */
	const char	*location;	/* a redirect's target as an absolute
					 * URL, or the Location header */
	const char	*content_type;	/* NULL none */
	const char	*request_id;	/* x-ms-request-id, NULL none */
	long		 retry_after;	/* Retry-After in seconds, -1 none;
					 * a date counts from the Date header */
	long long	 retry_at;	/* Retry-After as a date (Unix time),
					 * 0 none */
	size_t		 nheaders;	/* of the final response */
	const struct http_header *headers;
	size_t		 body_len;	/* bytes read (up to body_max) */
	const char	*body;		/* keep_body: NUL-terminated, else
					 * NULL */
	size_t		 ncerts;
	struct http_cert certs[HTTP_CHAIN_MAX];	/* leaf first */
};

/*
 * Called once per request when it ends, successfully or not.  err is
 * NULL, except when the request could not be carried out at all (out of
 * memory); res is then NULL.  A callback may start new requests.
 */
typedef void	(*http_done_cb)(void *, const struct clouddp_err *,
		    const struct http_result *);

/*
 * A set of concurrent requests driven by the loop.  Returns NULL with
 * err filled.  http_multi_free() abandons the requests still running
 * without calling their callbacks; call it before loop_free().
 */
struct http_multi *http_multi_new(struct loop *, struct clouddp_err *);
void	 http_multi_free(struct http_multi *);

/*
 * Start one request; it runs when the loop runs.  Returns 0, or -1 with
 * err filled (and the callback never called) if it could not be set up.
 */
int	 http_req_start(struct http_multi *, const struct http_req_opts *,
	    http_done_cb, void *, struct clouddp_err *);

/*
 * The value of response header name (any case), or NULL; the last one
 * when a header came more than once.  Valid as the result is.
 */
const char *http_result_header(const struct http_result *, const char *);

/*
 * Read a proxy password from src (secret_read) and shield it at once:
 * the caller keeps it for http_req_opts's proxy_password and releases
 * it with secret_shield_free().  NULL with err filled.
 */
struct secret_shield *http_proxy_password_read(
	    const struct clouddp_secret_src *, struct clouddp_err *);

/*
 * The proxy curl will take from the environment for scheme ("https" or
 * "http"), or NULL: sets *var to the variable's name.  no_proxy is not
 * consulted; whether the proxy was used shows in the result's peer.
 */
const char *http_env_proxy(const char *, const char **);

#endif /* CLOUDDP_HTTP_H */
