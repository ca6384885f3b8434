/*
 * The emulator's classic (Service Management) front end: HTTPS with
 * client certificates through libmicrohttpd, routes, x-ms-version,
 * XML bodies in and out, error shapes, request ids, the request log and
 * the fault rules.  It translates between the wire and the model
 * (model.h) and holds no resource state of its own, so another front
 * end (ARM) can serve the same model.
 *
 * libmicrohttpd runs without a thread of its own: its epoll descriptor
 * is watched by the caller's loop (loop.h) and MHD_run() is called
 * when it is ready or its timeout passes, so the model is touched from
 * one thread only.
 */
#ifndef CLOUDDP_EMU_API_H
#define CLOUDDP_EMU_API_H

#include <stddef.h>

#include "clouddp.h"

struct emu_model;
struct fault_set;
struct loop;

struct emu_api_config {
	const char	*listen;	/* "127.0.0.1:8443"; port 0: any */
	const char	*tls_cert;	/* path: the server's chain, PEM */
	const char	*tls_key;	/* path: its key, PEM */
	const char	**management;	/* paths: .cer (DER, PEM, base64) */
	size_t		 nmanagement;
	const char	*request_log;	/* path, or NULL */
	double		 (*now)(void);	/* wall clock, seconds */
};

struct emu_api;

/*
 * Start serving model (borrowed; it must outlive the front end) on
 * cfg->listen, driven by loop.  faults may be NULL (borrowed).  The
 * management certificates are registered with the model (their SHA-1
 * thumbprints) and given to the TLS layer as its trust list, which
 * makes it ask every client for a certificate.  Returns NULL with err
 * filled: CLOUDDP_EUSAGE (bad address, no management certificate),
 * CLOUDDP_EIO (unreadable file, cannot listen, cannot open the request
 * log), CLOUDDP_ECERT (not a certificate), CLOUDDP_ETLS (the server's
 * certificate or key was refused).
 */
struct emu_api	*emu_api_new(struct loop *, struct emu_model *,
		    struct fault_set *, const struct emu_api_config *,
		    struct clouddp_err *);
/* The port it listens on (useful with port 0). */
int		 emu_api_port(const struct emu_api *);
/* Stop listening, close every connection, free; NULL does nothing. */
void		 emu_api_free(struct emu_api *);

/* The operation names --fault takes, NULL-terminated. */
const char	*const *emu_api_operations(void);

#endif /* CLOUDDP_EMU_API_H */
