/*
 * The classic front end's server half: libmicrohttpd over GnuTLS, the
 * client certificate's thumbprint, routing, x-ms-version, request ids,
 * the request log and the fault rules.  The operations themselves are in
 * api_ops.c; the model is touched only through model.h.  This file and
 * api_ops.c are the only users of microhttpd.h and gnutls.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <jansson.h>
#include <microhttpd.h>

#include "cert.h"
#include "clouddp.h"
#include "emu/api.h"
#include "emu/api_int.h"
#include "emu/fault.h"
#include "emu/model.h"
#include "loop.h"
#include "xml.h"

/* Idle connections are closed after this many seconds. */
#define CONN_TIMEOUT	120

struct emu_api {
	struct loop		*loop;
	struct emu_model	*model;
	struct fault_set	*faults;
	struct MHD_Daemon	*mhd;
	struct loop_timer	*timer;
	int			 listen_fd;
	int			 port;
	FILE			*log;
	double			 (*now)(void);
	char			*cert_pem, *key_pem, *trust_pem;
	struct req		*stalled;
};

typedef int	(*op_fn)(struct req *);

struct route {
	const char	*method;
	const char	*pattern;	/* segments after /<sub>; '*' any */
	const char	*comp;		/* ?comp= required, or NULL */
	const char	*op;
	const char	*min_version;
	op_fn		 fn;
};

#define HS	"services/hostedservices"
#define SS	"services/storageservices"

static const struct route routes[] = {
	{ "GET", "", NULL, "get-subscription", "2009-10-01",
	    op_get_subscription },
	{ "GET", "locations", NULL, "list-locations", "2010-10-28",
	    op_list_locations },
	{ "GET", HS "/operations/isavailable/*", NULL, "check-service-name",
	    "2012-03-01", op_check_service_name },
	{ "POST", HS, NULL, "create-service", "2010-10-28",
	    op_create_service },
	{ "GET", HS "/*", NULL, "get-service", "2009-10-01",
	    op_get_service },
	{ "DELETE", HS "/*", NULL, "delete-service", "2010-10-28",
	    op_delete_service },
	{ "GET", SS "/operations/isavailable/*", NULL, "check-storage-name",
	    "2012-03-01", op_check_storage_name },
	{ "POST", SS, NULL, "create-storage", "2011-06-01",
	    op_create_storage },
	{ "GET", SS "/*", NULL, "get-storage", "2009-10-01",
	    op_get_storage },
	{ "DELETE", SS "/*", NULL, "delete-storage", "2009-10-01",
	    op_delete_storage },
	{ "GET", SS "/*/keys", NULL, "get-storage-keys", "2009-10-01",
	    op_get_storage_keys },
	{ "POST", HS "/*/certificates", NULL, "add-certificate",
	    "2009-10-01", op_add_certificate },
	{ "GET", HS "/*/certificates", NULL, "list-certificates",
	    "2009-10-01", op_list_certificates },
	{ "GET", HS "/*/certificates/*", NULL, "get-certificate",
	    "2009-10-01", op_get_certificate },
	{ "DELETE", HS "/*/certificates/*", NULL, "delete-certificate",
	    "2009-10-01", op_delete_certificate },
	{ "POST", HS "/*/deploymentslots/*", "status",
	    "update-deployment-status", "2009-10-01",
	    op_update_deployment_status },
	{ "POST", HS "/*/deployments/*", "status",
	    "update-deployment-status", "2009-10-01",
	    op_update_deployment_status },
	{ "POST", HS "/*/deploymentslots/*", NULL, "create-deployment",
	    "2009-10-01", op_create_deployment },
	{ "GET", HS "/*/deploymentslots/*", NULL, "get-deployment",
	    "2009-10-01", op_get_deployment },
	{ "GET", HS "/*/deployments/*", NULL, "get-deployment",
	    "2009-10-01", op_get_deployment },
	{ "DELETE", HS "/*/deploymentslots/*", NULL, "delete-deployment",
	    "2009-10-01", op_delete_deployment },
	{ "DELETE", HS "/*/deployments/*", NULL, "delete-deployment",
	    "2009-10-01", op_delete_deployment },
	{ "GET", "operations/*", NULL, "get-operation", "2009-10-01",
	    op_get_operation },
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

static const char *const op_names[] = {
	"get-subscription", "list-locations", "check-service-name",
	"create-service", "get-service", "delete-service",
	"check-storage-name", "create-storage", "get-storage",
	"delete-storage", "get-storage-keys", "add-certificate",
	"list-certificates", "get-certificate", "delete-certificate",
	"update-deployment-status", "create-deployment", "get-deployment",
	"delete-deployment", "get-operation", NULL
};

const char *const *
emu_api_operations(void)
{
	return op_names;
}

static void	 api_schedule(struct emu_api *);

/* Requests ----------------------------------------------------------- */

const char *
req_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

void
req_base_url(struct req *r, char *out, size_t len)
{
	const char	*host;

	host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "Host");
	snprintf(out, len, "https://%s", host != NULL ? host :
	    "management.core.windows.net");
}

int
req_error(struct req *r, int status, const char *code, const char *msg)
{
	struct xw	 w = { &r->out, 0 };

	clouddp_buf_reset(&r->out);
	xw_root(&w, "Error");
	xw_text(&w, "Code", code);
	xw_text(&w, "Message", msg);
	xw_end(&w, "Error");
	r->status = status;
	return w.bad ? -1 : 0;
}

int
req_empty(struct req *r, int status)
{
	clouddp_buf_reset(&r->out);
	r->status = status;
	return 0;
}

static void
request_id(char out[33])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 raw[16];
	size_t			 i;

	if (gnutls_rnd(GNUTLS_RND_NONCE, raw, sizeof(raw)) != 0)
		memset(raw, 0, sizeof(raw));
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[32] = '\0';
}

/* The client certificate's SHA-1 thumbprint, "" without one. */
static void
client_thumbprint(struct MHD_Connection *conn, char out[41])
{
	const union MHD_ConnectionInfo	*ci;
	const gnutls_datum_t		*peers;
	struct clouddp_err		 err;
	struct cert			*c;
	unsigned int			 n = 0;

	out[0] = '\0';
	ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return;
	peers = gnutls_certificate_get_peers(ci->tls_session, &n);
	if (peers == NULL || n == 0)
		return;
	c = cert_from_der(peers[0].data, peers[0].size, &err);
	if (c == NULL)
		return;
	cert_thumbprint_sha1(c, out);
	cert_free(c);
}

static struct req *
req_new(struct emu_api *api, struct MHD_Connection *conn, const char *url,
    const char *method)
{
	struct req	*r;
	const char	*v;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->api = api;
	r->model = api->model;
	r->conn = conn;
	r->url = strdup(url);
	if (r->url == NULL) {
		free(r);
		return NULL;
	}
	snprintf(r->method, sizeof(r->method), "%s", method);
	request_id(r->id);
	v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "x-ms-version");
	if (v != NULL)
		snprintf(r->version, sizeof(r->version), "%s", v);
	client_thumbprint(conn, r->thumb);
	return r;
}

static void
req_free(struct req *r)
{
	if (r == NULL)
		return;
	if (r->timer != NULL)
		loop_timer_cancel(r->api->loop, r->timer);
	clouddp_buf_free(&r->body);
	clouddp_buf_free(&r->out);
	free(r->path_copy);
	free(r->url);
	free(r);
}

/* Split "/<sub>/a/b/" into sub and segments; -1 when it has none. */
static int
req_split(struct req *r)
{
	char	*p, *slash;

	if (r->url[0] != '/')
		return -1;
	r->path_copy = strdup(r->url + 1);
	if (r->path_copy == NULL)
		return -1;
	p = r->path_copy;
	slash = strchr(p, '/');
	if (slash != NULL)
		*slash++ = '\0';
	snprintf(r->sub, sizeof(r->sub), "%s", p);
	p = slash;
	while (p != NULL && *p != '\0') {
		if (r->nsegs == REQ_SEGS_MAX)
			return -1;
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash++ = '\0';
		r->segs[r->nsegs++] = p;
		p = slash;
	}
	return r->sub[0] != '\0' ? 0 : -1;
}

static int
route_matches(const struct route *rt, struct req *r)
{
	const char	*p = rt->pattern;
	size_t		 i = 0, len;

	while (*p != '\0') {
		len = strcspn(p, "/");
		if (i == r->nsegs)
			return 0;
		if (!(len == 1 && *p == '*') && (strlen(r->segs[i]) != len ||
		    strncasecmp(r->segs[i], p, len) != 0))
			return 0;
		if (len == 1 && *p == '*' && r->segs[i][0] == '\0')
			return 0;
		i++;
		p += len;
		if (*p == '/')
			p++;
	}
	return i == r->nsegs;
}

/* The route for the request: NULL, with *path_known set when only the
 * method was wrong. */
static const struct route *
route_find(struct req *r, int *path_known)
{
	const char	*comp = req_query(r, "comp");
	size_t		 i;

	*path_known = 0;
	for (i = 0; i < NROUTES; i++) {
		if (!route_matches(&routes[i], r))
			continue;
		*path_known = 1;
		if (strcmp(routes[i].method, r->method) != 0)
			continue;
		if (routes[i].comp != NULL && (comp == NULL ||
		    strcasecmp(comp, routes[i].comp) != 0))
			continue;
		return &routes[i];
	}
	return NULL;
}

/* YYYY-MM-DD, at least min.  1 good, 0 not. */
static int
version_ok(const char *v, const char *min)
{
	int	 y, m, d, n = 0;

	if (strlen(v) != 10 || sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d,
	    &n) != 3 || n != 10 || v[4] != '-' || v[7] != '-' ||
	    strspn(v, "0123456789-") != 10 || m < 1 || m > 12 || d < 1 ||
	    d > 31)
		return 0;
	return strcmp(v, min) >= 0;
}

/* Answers ------------------------------------------------------------ */

#define AUTH_MESSAGE	"The server failed to authenticate the request. " \
	"Verify that the certificate is valid and is associated with this " \
	"subscription."

/* Apply a fault that replaces the answer; 1 when it did. */
static int
fault_answer(struct req *r, const struct fault_rule *f)
{
	char	 base[400];

	switch (f->kind) {
	case FAULT_BUSY:
		req_error(r, 503, "ServerBusy", "The server (or an "
		    "internal component) is currently experiencing heavy "
		    "traffic, please try again shortly.");
		return 1;
	case FAULT_THROTTLE:
		req_error(r, 429, "TooManyRequests", "Too many requests "
		    "received. Retry after some time.");
		return 1;
	case FAULT_INTERNAL:
		req_error(r, 500, "InternalError", "The server encountered "
		    "an internal error. Please retry the request.");
		return 1;
	case FAULT_REDIRECT:
		req_base_url(r, base, sizeof(base));
		snprintf(r->location, sizeof(r->location), "%s%s", base,
		    r->url);
		req_error(r, 307, "TemporaryRedirect", "Temporary "
		    "redirect. Please retry the request at the URI in the "
		    "Location header.");
		return 1;
	case FAULT_FAIL_OP:
		r->fail_op = 1;
		return 0;
	case FAULT_STORAGE_STUCK:
	case FAULT_INSTANCE_STUCK:
		r->stuck = 1;
		return 0;
	default:
		return 0;
	}
}

/*
 * Decide what the request gets before running it: authentication,
 * version, route, then the fault rules.  An error answer is left in r
 * (r->answered).
 */
static void
decide(struct req *r)
{
	const struct route	*rt;
	int			 path_known;

	r->answered = 1;
	if (req_split(r) == -1 || !emu_model_is_authorised(r->model,
	    r->sub, r->thumb)) {
		req_error(r, 403, "AuthenticationFailed", AUTH_MESSAGE);
		return;
	}
	rt = route_find(r, &path_known);
	r->op = rt != NULL ? rt->op : NULL;
	r->route = rt;
	if (r->version[0] == '\0' || !version_ok(r->version,
	    rt != NULL ? rt->min_version : "2009-10-01")) {
		req_error(r, 400, "MissingOrIncorrectVersionHeader", "The "
		    "versioning header is not specified or was specified "
		    "incorrectly.");
		return;
	}
	if (rt == NULL) {
		if (path_known)
			req_error(r, 400, "InvalidHttpVerb", "The HTTP verb "
			    "specified is not valid for this resource.");
		else
			req_error(r, 404, "ResourceNotFound", "The "
			    "requested URI does not represent any resource "
			    "on the server.");
		return;
	}
	if (r->too_big) {
		req_error(r, 400, "InvalidXmlRequest", "The request body "
		    "is too large.");
		return;
	}
	if (r->api->faults != NULL)
		r->fault = fault_set_match(r->api->faults, rt->op);
	r->answered = r->fault != NULL && fault_answer(r, r->fault);
}

/* Run the operation decided. */
static void
execute(struct req *r)
{
	const struct route	*rt = r->route;

	if (r->answered)
		return;
	r->now = r->api->now();
	if (rt->fn(r) == -1)
		req_error(r, 500, "InternalError", "The server encountered "
		    "an internal error. Please retry the request.");
}

static void
log_request(struct req *r)
{
	json_t		*o;
	char		*line;
	char		 when[32];
	struct tm	 tm;
	time_t		 t;

	if (r->api->log == NULL)
		return;
	t = (time_t)r->api->now();
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		when[0] = '\0';
	o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:i, s:s}",
	    "time", when, "method", r->method, "path", r->url,
	    "x_ms_version", r->version[0] != '\0' ? r->version : NULL,
	    "client_thumbprint", r->thumb[0] != '\0' ? r->thumb : NULL,
	    "operation", r->op, "status", r->status, "request_id", r->id);
	if (o == NULL)
		return;
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (line == NULL)
		return;
	fprintf(r->api->log, "%s\n", line);
	fflush(r->api->log);
	free(line);
}

/* The body of a dropped answer: half of it, then the connection goes. */
struct dropped {
	char	*data;
	size_t	 len;
};

static ssize_t
drop_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct dropped	*d = cls;
	size_t		 half = d->len / 2, n;

	if (pos >= half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = half - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, d->data + pos, n);
	return (ssize_t)n;
}

static void
drop_free(void *cls)
{
	struct dropped	*d = cls;

	free(d->data);
	free(d);
}

static struct MHD_Response *
response_dropped(struct req *r)
{
	struct dropped		*d;
	struct MHD_Response	*resp;
	static const char	 filler[] = "<Error xmlns=\"http://schemas."
	    "microsoft.com/windowsazure\"><Code>InternalError</Code>"
	    "</Error>";

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->len = r->out.len > 0 ? r->out.len : sizeof(filler) - 1;
	d->data = malloc(d->len);
	if (d->data == NULL) {
		free(d);
		return NULL;
	}
	memcpy(d->data, r->out.len > 0 ? r->out.data : filler, d->len);
	resp = MHD_create_response_from_callback(d->len, 4096, drop_reader,
	    d, drop_free);
	if (resp == NULL)
		drop_free(d);
	return resp;
}

static enum MHD_Result
respond(struct req *r)
{
	const struct fault_rule	*f = r->fault;
	struct MHD_Response	*resp;
	enum MHD_Result		 rc;
	char			 num[32], empty[1] = "";

	if (f != NULL && f->kind == FAULT_DROP)
		resp = response_dropped(r);
	else
		resp = MHD_create_response_from_buffer(r->out.len,
		    r->out.data != NULL ? r->out.data : empty,
		    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "x-ms-request-id", r->id);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (r->out.len > 0)
		MHD_add_response_header(resp, "Content-Type",
		    "application/xml; charset=utf-8");
	if (r->location[0] != '\0')
		MHD_add_response_header(resp, "Location", r->location);
	if (f != NULL && f->kind == FAULT_THROTTLE) {
		snprintf(num, sizeof(num), "%.0f", f->arg);
		MHD_add_response_header(resp, "Retry-After", num);
	}
	log_request(r);
	rc = MHD_queue_response(r->conn, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* Stalls ------------------------------------------------------------- */

static void
stall_end(void *arg)
{
	struct req	*r = arg;
	struct emu_api	*api = r->api;
	struct req	**pp;

	r->timer = NULL;
	r->stall = 2;
	for (pp = &api->stalled; *pp != NULL; pp = &(*pp)->next_stalled)
		if (*pp == r) {
			*pp = r->next_stalled;
			break;
		}
	MHD_resume_connection(r->conn);
	/*
	 * Answer it now: nothing else may wake the daemon.  A client that
	 * gave up meanwhile has its request completed, and r freed, in
	 * this run: r is not used after it.
	 */
	MHD_run(api->mhd);
	api_schedule(api);
}

static int
stall_start(struct req *r, double seconds)
{
	struct clouddp_err	 err;

	r->timer = loop_timer_add(r->api->loop, seconds, stall_end, r, &err);
	if (r->timer == NULL)
		return -1;
	r->stall = 1;
	r->next_stalled = r->api->stalled;
	r->api->stalled = r;
	MHD_suspend_connection(r->conn);
	return 0;
}

/* libmicrohttpd ------------------------------------------------------ */

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **con_cls)
{
	struct emu_api		*api = cls;
	struct req		*r = *con_cls;
	const struct fault_rule	*f;
	struct clouddp_err	 err;

	(void)version;
	if (r == NULL) {
		r = req_new(api, conn, url, method);
		*con_cls = r;
		return r != NULL ? MHD_YES : MHD_NO;
	}
	if (*upload_len > 0) {
		if (r->body.len + *upload_len > XML_DOC_MAX)
			r->too_big = 1;
		else if (clouddp_buf_append(&r->body, upload, *upload_len,
		    &err) == -1)
			return MHD_NO;
		*upload_len = 0;
		return MHD_YES;
	}
	if (r->stall == 0) {
		decide(r);
		f = r->fault;
		if (f != NULL && f->kind == FAULT_STALL) {
			if (stall_start(r, f->arg) == 0)
				return MHD_YES;
		}
	}
	execute(r);
	return respond(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode why)
{
	struct req	*r = *con_cls;
	struct req	**pp;

	(void)cls;
	(void)conn;
	(void)why;
	if (r == NULL)
		return;
	for (pp = &r->api->stalled; *pp != NULL; pp = &(*pp)->next_stalled)
		if (*pp == r) {
			*pp = r->next_stalled;
			break;
		}
	req_free(r);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

static void
on_timer(void *arg)
{
	struct emu_api	*api = arg;

	api->timer = NULL;
	MHD_run(api->mhd);
	api_schedule(api);
}

static void
on_ready(void *arg, int fd, int events)
{
	struct emu_api	*api = arg;

	(void)fd;
	(void)events;
	MHD_run(api->mhd);
	api_schedule(api);
}

/*
 * Arm the one timer for the soonest of libmicrohttpd's own timeout and
 * the model's next change (so hooks fire with no request coming).
 */
static void
api_schedule(struct emu_api *api)
{
	struct clouddp_err	 err;
	MHD_UNSIGNED_LONG_LONG	 ms;
	double			 wait = -1, next;

	if (api->timer != NULL) {
		loop_timer_cancel(api->loop, api->timer);
		api->timer = NULL;
	}
	if (MHD_get_timeout(api->mhd, &ms) == MHD_YES)
		wait = (double)ms / 1000.0;
	next = emu_model_tick(api->model, api->now());
	/* A package check may be answered from the loop, unseen here. */
	if (emu_model_is_waiting(api->model) && (next < 0 || next > 0.1))
		next = 0.1;
	if (next >= 0 && (wait < 0 || next < wait))
		wait = next;
	if (wait < 0)
		return;
	api->timer = loop_timer_add(api->loop, wait, on_timer, api, &err);
}

/* Listening ---------------------------------------------------------- */

static int
listen_on(struct emu_api *api, const char *where, struct clouddp_err *err)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 host[64], *colon, *end;
	long			 port;
	int			 one = 1;

	snprintf(host, sizeof(host), "%s", where);
	colon = strrchr(host, ':');
	if (colon == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give ADDRESS:PORT, "
		    "e.g. 127.0.0.1:8443", "--listen %s: no port", where);
	*colon++ = '\0';
	port = strtol(colon, &end, 10);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (*end != '\0' || end == colon || port < 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give an IPv4 "
		    "ADDRESS:PORT, e.g. 127.0.0.1:8443",
		    "--listen %s: not an IPv4 address and port", where);
	api->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (api->listen_fd == -1 || setsockopt(api->listen_fd, SOL_SOCKET,
	    SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(api->listen_fd, (struct sockaddr *)&sin, sizeof(sin)) ==
	    -1 || listen(api->listen_fd, 64) == -1 ||
	    getsockname(api->listen_fd, (struct sockaddr *)&sin, &len) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, "pick a free port, or "
		    "port 0 for any", "--listen %s: %s", where,
		    strerror(errno));
	api->port = ntohs(sin.sin_port);
	return 0;
}

static int
mhd_start(struct emu_api *api, struct clouddp_err *err)
{
	const union MHD_DaemonInfo	*info;

	api->mhd = MHD_start_daemon(MHD_USE_TLS | MHD_USE_EPOLL |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, api,
	    MHD_OPTION_LISTEN_SOCKET, api->listen_fd,
	    MHD_OPTION_HTTPS_MEM_CERT, api->cert_pem,
	    MHD_OPTION_HTTPS_MEM_KEY, api->key_pem,
	    MHD_OPTION_HTTPS_MEM_TRUST, api->trust_pem,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, api,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, api,
	    MHD_OPTION_END);
	if (api->mhd == NULL)
		return clouddp_errf(err, CLOUDDP_ETLS, "check that --tls-cert "
		    "and --tls-key are PEM and belong together, and that the "
		    "--management-cer files are certificates",
		    "the HTTPS server did not start");
	api->listen_fd = -1;	/* the daemon owns it now */
	info = MHD_get_daemon_info(api->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "libmicrohttpd has no epoll descriptor");
	return loop_fd_set(api->loop, info->epoll_fd, LOOP_READ, on_ready,
	    api, err);
}

/* Read a PEM file whole (NUL-terminated) into out. */
static int
pem_read(const char *path, struct clouddp_buf *out, struct clouddp_err *err)
{
	FILE	*fp;
	char	 chunk[4096];
	size_t	 n;
	int	 rc = 0;

	fp = fopen(path, "r");
	if (fp == NULL)
		return clouddp_errf(err, CLOUDDP_EIO, "check the path and "
		    "its permissions", "%s: %s", path, strerror(errno));
	clouddp_buf_reset(out);
	if (clouddp_buf_append(out, "", 0, err) == -1)
		rc = -1;
	while (rc == 0) {
		n = fread(chunk, 1, sizeof(chunk), fp);
		if (n == 0)
			break;
		if (out->len + n > CERT_FILE_MAX)
			rc = clouddp_errf(err, CLOUDDP_EINPUT, "give a PEM "
			    "file", "%s: larger than %d bytes", path,
			    CERT_FILE_MAX);
		else
			rc = clouddp_buf_append(out, chunk, n, err);
	}
	memset(chunk, 0, sizeof(chunk));
	if (rc == 0 && ferror(fp))
		rc = clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: read error",
		    path);
	fclose(fp);
	return rc;
}

/* Append c as one PEM block to trust. */
static int
pem_append(struct clouddp_buf *trust, const struct cert *c,
    struct clouddp_err *err)
{
	struct clouddp_buf	 der = { 0 }, b64 = { 0 };
	size_t			 i;
	int			 rc = -1;

	if (cert_der(c, &der, err) == -1 || b64_encode(der.data, der.len,
	    &b64) == -1 || clouddp_buf_printf(trust, err,
	    "-----BEGIN CERTIFICATE-----\n") == -1)
		goto out;
	for (i = 0; i < b64.len; i += 64)
		if (clouddp_buf_printf(trust, err, "%.*s\n",
		    (int)(b64.len - i < 64 ? b64.len - i : 64),
		    b64.data + i) == -1)
			goto out;
	rc = clouddp_buf_printf(trust, err, "-----END CERTIFICATE-----\n");
out:
	clouddp_buf_free(&der);
	clouddp_buf_free(&b64);
	return rc;
}

/* Register every --management-cer and build the trust list. */
static int
management_load(struct emu_api *api, const struct emu_api_config *cfg,
    struct clouddp_err *err)
{
	struct clouddp_buf	 trust = { 0 };
	struct cert		*c;
	char			 thumb[41];
	size_t			 i;
	int			 rc = -1;

	if (cfg->nmanagement == 0)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give the .cer of "
		    "the client's management certificate", "no "
		    "--management-cer");
	for (i = 0; i < cfg->nmanagement; i++) {
		c = cert_load_file(cfg->management[i], NULL, err);
		if (c == NULL)
			goto out;
		cert_thumbprint_sha1(c, thumb);
		if (emu_model_add_management(api->model, thumb, err) == -1 ||
		    pem_append(&trust, c, err) == -1) {
			cert_free(c);
			goto out;
		}
		cert_free(c);
	}
	api->trust_pem = trust.data;
	trust.data = NULL;
	rc = 0;
out:
	clouddp_buf_free(&trust);
	return rc;
}

static int
files_load(struct emu_api *api, const struct emu_api_config *cfg,
    struct clouddp_err *err)
{
	struct clouddp_buf	 b = { 0 };

	if (pem_read(cfg->tls_cert, &b, err) == -1)
		goto fail;
	api->cert_pem = b.data;
	memset(&b, 0, sizeof(b));
	if (pem_read(cfg->tls_key, &b, err) == -1)
		goto fail;
	api->key_pem = b.data;
	return management_load(api, cfg, err);
fail:
	clouddp_buf_free(&b);
	return -1;
}

struct emu_api *
emu_api_new(struct loop *loop, struct emu_model *model,
    struct fault_set *faults, const struct emu_api_config *cfg,
    struct clouddp_err *err)
{
	struct emu_api	*api;

	api = calloc(1, sizeof(*api));
	if (api == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	api->loop = loop;
	api->model = model;
	api->faults = faults;
	api->now = cfg->now;
	api->listen_fd = -1;
	if (files_load(api, cfg, err) == -1)
		goto fail;
	if (cfg->request_log != NULL) {
		api->log = fopen(cfg->request_log, "a");
		if (api->log == NULL) {
			clouddp_errf(err, CLOUDDP_EIO, "check the directory",
			    "%s: %s", cfg->request_log, strerror(errno));
			goto fail;
		}
	}
	if (listen_on(api, cfg->listen, err) == -1 ||
	    mhd_start(api, err) == -1)
		goto fail;
	api_schedule(api);
	return api;
fail:
	emu_api_free(api);
	return NULL;
}

int
emu_api_port(const struct emu_api *api)
{
	return api->port;
}

void
emu_api_free(struct emu_api *api)
{
	const union MHD_DaemonInfo	*info;
	struct req			*r;
	struct clouddp_err		 err;

	if (api == NULL)
		return;
	if (api->timer != NULL)
		loop_timer_cancel(api->loop, api->timer);
	if (api->mhd != NULL) {
		/* Stalled requests end now: resumed, then closed. */
		for (r = api->stalled; r != NULL; r = api->stalled) {
			api->stalled = r->next_stalled;
			if (r->timer != NULL)
				loop_timer_cancel(api->loop, r->timer);
			r->timer = NULL;
			r->stall = 2;
			MHD_resume_connection(r->conn);
		}
		info = MHD_get_daemon_info(api->mhd,
		    MHD_DAEMON_INFO_EPOLL_FD);
		if (info != NULL)
			loop_fd_set(api->loop, info->epoll_fd, 0, NULL, NULL,
			    &err);
		MHD_stop_daemon(api->mhd);
	}
	if (api->listen_fd != -1)
		close(api->listen_fd);
	if (api->log != NULL)
		fclose(api->log);
	free(api->cert_pem);
	if (api->key_pem != NULL)
		memset(api->key_pem, 0, strlen(api->key_pem));
	free(api->key_pem);	/* wiped: the server's private key */
	free(api->trust_pem);
	free(api);
}
