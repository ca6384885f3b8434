/*
 * The emulator's VIP listeners: libmicrohttpd, one daemon for HTTPS
 * (GnuTLS with the service certificate as PEM) and one for HTTP, each
 * driven by the loop through its epoll descriptor and one timer.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clouddp.h"
#include "cert.h"
#include "loop.h"
#include "vipserve.h"

#define CONN_TIMEOUT	30	/* seconds an idle connection is kept */

struct listener {
	struct vipserve		*vs;
	struct MHD_Daemon	*mhd;
	struct loop_timer	*timer;
	long			 port;	/* wanted, then bound; -1 none */
	int			 tls;
};

struct vipserve {
	struct loop		*loop;
	char			*vip;
	char			*service;
	struct clouddp_buf	 cert_pem;
	struct clouddp_buf	 key_pem;	/* wiped by _free */
	struct listener		 l[2];		/* HTTPS, HTTP */
	int			 serving;
};

static void	schedule(struct listener *);

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data,
    size_t *data_len, void **con_cls)
{
	struct listener		*l = cls;
	struct MHD_Response	*resp;
	char			 page[256];
	enum MHD_Result		 rc;
	int			 n;

	(void)url;
	(void)version;
	(void)data;
	if (*con_cls == NULL) {
		*con_cls = l;	/* headers only so far */
		return MHD_YES;
	}
	*data_len = 0;		/* a body, if any, is ignored */
	n = snprintf(page, sizeof(page), "<html><body><p>%s: "
	    "cloud distribution point (clouddp-emulator)</p></body></html>\n",
	    l->vs->service);
	if (n < 0 || (size_t)n >= sizeof(page))
		return MHD_NO;
	resp = MHD_create_response_from_buffer((size_t)n, page,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/html");
	rc = MHD_queue_response(conn, strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0 ? MHD_HTTP_OK :
	    MHD_HTTP_METHOD_NOT_ALLOWED, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void
on_timer(void *arg)
{
	struct listener	*l = arg;

	l->timer = NULL;
	MHD_run(l->mhd);
	schedule(l);
}

static void
on_ready(void *arg, int fd, int events)
{
	struct listener	*l = arg;

	(void)fd;
	(void)events;
	MHD_run(l->mhd);
	schedule(l);
}

/* One timer for libmicrohttpd's own timeout (idle connections). */
static void
schedule(struct listener *l)
{
	struct clouddp_err	 err;
	MHD_UNSIGNED_LONG_LONG	 ms;

	if (l->timer != NULL) {
		loop_timer_cancel(l->vs->loop, l->timer);
		l->timer = NULL;
	}
	if (MHD_get_timeout(l->mhd, &ms) != MHD_YES)
		return;
	l->timer = loop_timer_add(l->vs->loop, (double)ms / 1000.0, on_timer,
	    l, &err);
}

/* A listening socket on vip:port (port 0: any); the port bound. */
static int
listen_on(const char *vip, long *port, struct clouddp_err *err)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)*port);
	if (inet_pton(AF_INET, vip, &sin.sin_addr) != 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give an IPv4 "
		    "address", "VIP %s: not an IPv4 address", vip);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 64) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		clouddp_errf(err, CLOUDDP_EIO, "pick a free port, or one "
		    "this user may bind (below 1024 needs root)",
		    "VIP %s:%ld: %s", vip, *port, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static int
listener_open(struct listener *l, struct clouddp_err *err)
{
	struct vipserve			*vs = l->vs;
	const union MHD_DaemonInfo	*info;
	unsigned int			 flags = MHD_USE_EPOLL;
	int				 fd;

	fd = listen_on(vs->vip, &l->port, err);
	if (fd == -1)
		return -1;
	if (l->tls)
		l->mhd = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL,
		    on_request, l, MHD_OPTION_LISTEN_SOCKET, fd,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT,
		    MHD_OPTION_HTTPS_MEM_CERT, vs->cert_pem.data,
		    MHD_OPTION_HTTPS_MEM_KEY, vs->key_pem.data,
		    MHD_OPTION_END);
	else
		l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
		    MHD_OPTION_LISTEN_SOCKET, fd,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT,
		    MHD_OPTION_END);
	if (l->mhd == NULL) {
		close(fd);
		return clouddp_errf(err, CLOUDDP_ETLS, "check that the "
		    "service certificate's key is RSA or EC and matches it",
		    "VIP %s:%ld: the %s server did not start", vs->vip,
		    l->port, l->tls ? "HTTPS" : "HTTP");
	}
	info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "libmicrohttpd has no epoll descriptor");
	if (loop_fd_set(vs->loop, info->epoll_fd, LOOP_READ, on_ready, l,
	    err) == -1)
		return -1;
	schedule(l);
	return 0;
}

static void
listener_close(struct listener *l)
{
	const union MHD_DaemonInfo	*info;
	struct clouddp_err		 err;

	if (l->timer != NULL)
		loop_timer_cancel(l->vs->loop, l->timer);
	l->timer = NULL;
	if (l->mhd == NULL)
		return;
	info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info != NULL)
		(void)loop_fd_set(l->vs->loop, info->epoll_fd, 0, NULL, NULL,
		    &err);
	MHD_stop_daemon(l->mhd);	/* closes the socket and connections */
	l->mhd = NULL;
}

struct vipserve *
vipserve_new(struct loop *loop, const struct vipserve_cfg *cfg,
    struct clouddp_err *err)
{
	struct vipserve	*vs;

	vs = calloc(1, sizeof(*vs));
	if (vs == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	vs->loop = loop;
	vs->vip = strdup(cfg->vip);
	vs->service = strdup(cfg->service);
	if (vs->vip == NULL || vs->service == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	if (cert_pem_export(cfg->cert, &vs->cert_pem, &vs->key_pem,
	    err) == -1)
		goto fail;
	vs->l[0].vs = vs->l[1].vs = vs;
	vs->l[0].tls = 1;
	vs->l[0].port = cfg->https_port;
	vs->l[1].port = cfg->http_port;
	if (vipserve_start(vs, err) == -1)
		goto fail;
	return vs;
fail:
	vipserve_free(vs);
	return NULL;
}

int
vipserve_start(struct vipserve *vs, struct clouddp_err *err)
{
	int	 i;

	if (vs->serving)
		return 0;
	for (i = 0; i < 2; i++)
		if (vs->l[i].port >= 0 && listener_open(&vs->l[i], err) == -1) {
			vipserve_stop(vs);
			return -1;
		}
	vs->serving = 1;
	return 0;
}

void
vipserve_stop(struct vipserve *vs)
{
	listener_close(&vs->l[0]);
	listener_close(&vs->l[1]);
	vs->serving = 0;
}

int
vipserve_is_serving(const struct vipserve *vs)
{
	return vs->serving;
}

long
vipserve_https_port(const struct vipserve *vs)
{
	return vs->l[0].port;
}

long
vipserve_http_port(const struct vipserve *vs)
{
	return vs->l[1].port;
}

void
vipserve_free(struct vipserve *vs)
{
	if (vs == NULL)
		return;
	vipserve_stop(vs);
	clouddp_buf_free(&vs->key_pem);
	clouddp_buf_free(&vs->cert_pem);
	free(vs->vip);
	free(vs->service);
	free(vs);
}
