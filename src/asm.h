/*
 * The classic Azure Service Management back end (backend.h): XML over
 * HTTPS with a management certificate.  The only module that knows ASM
 * paths, x-ms-version and the cloudapp.net suffix.
 */
#ifndef CLOUDDP_ASM_H
#define CLOUDDP_ASM_H

#include "backend.h"

/* The version sent on every request (spec 1.2: 2014-06-01 or later). */
#define ASM_VERSION	"2014-06-01"
#define ASM_ENDPOINT	"https://management.core.windows.net"

/*
 * A back end for cfg's subscription on loop, or NULL with err filled
 * (CLOUDDP_EUSAGE: no subscription or credential).  cfg's strings must
 * outlive it.  Free with backend_free().
 */
struct backend	*asm_backend_new(struct loop *, const struct backend_cfg *,
		    struct clouddp_err *);

#endif /* CLOUDDP_ASM_H */
