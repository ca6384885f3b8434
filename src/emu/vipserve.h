/*
 * What a cloud DP's VIP serves in the emulator: HTTPS with the
 * deployment's service certificate and plain HTTP, on the VIP address,
 * from the one event loop (libmicrohttpd driven through its epoll
 * descriptor).  Nothing is served while the deployment is Suspended:
 * vipserve_stop() closes the listeners, vipserve_start() opens them
 * again on the same ports.  So clouddp-vip and openssl s_client check an
 * emulated DP as they would a real one.
 */
#ifndef CLOUDDP_EMU_VIPSERVE_H
#define CLOUDDP_EMU_VIPSERVE_H

#include "clouddp.h"
#include "loop.h"

struct cert;

/* What to serve; copied by vipserve_new (the key as PEM, wiped later). */
struct vipserve_cfg {
	const char		*vip;		/* IPv4, e.g. "127.0.0.16" */
	const char		*service;	/* named in the page served */
	long			 https_port;	/* 0: any free port */
	long			 http_port;	/* 0: any; -1: no HTTP */
	const struct cert	*cert;		/* leaf, chain and key */
};

struct vipserve;

/* Start serving.  Returns NULL with err filled (a port taken, no key). */
struct vipserve	*vipserve_new(struct loop *, const struct vipserve_cfg *,
		    struct clouddp_err *);
/* Close the listeners and every connection; _free(NULL) does nothing. */
void		 vipserve_free(struct vipserve *);
/* Suspended: close the listeners; the ports are kept for _start. */
void		 vipserve_stop(struct vipserve *);
/* Running again: listen on the same ports.  0, or -1 with err filled. */
int		 vipserve_start(struct vipserve *, struct clouddp_err *);
/* 1 while listening. */
int		 vipserve_is_serving(const struct vipserve *);
/* The ports bound (useful with port 0); -1 for none. */
long		 vipserve_https_port(const struct vipserve *);
long		 vipserve_http_port(const struct vipserve *);

#endif /* CLOUDDP_EMU_VIPSERVE_H */
