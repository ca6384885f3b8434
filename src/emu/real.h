/*
 * The emulator's real-world side, behind the model's hooks (model.h):
 * Create Deployment's PackageUrl looked up in the Blob service (blob.h),
 * a Ready deployment's VIP served with its service certificate
 * (vipserve.h) and its <service>.<zone> A record registered by RFC 2136
 * (dnsreg.h); nothing served while Suspended; all of it undone when the
 * deployment is deleted or the emulator stops.
 */
#ifndef CLOUDDP_EMU_REAL_H
#define CLOUDDP_EMU_REAL_H

#include "clouddp.h"
#include "loop.h"
#include "model.h"

struct emu_real_cfg {
	const char	*blob_endpoint;	/* NULL: every package exists */
	const char	*blob_account;	/* the endpoint's account */
	const char	*blob_key;	/* its key, base64 */
	long		 https_port;	/* VIP ports: 443 and 80 by */
	long		 http_port;	/* default; -1 no HTTP */
	const char	*dns_update;	/* "HOST:PORT"; NULL: no DNS */
	const char	*tsig_file;	/* NULL: unsigned updates */
	const char	*zone;		/* NULL: "cloudapp.net" */
	/* Told what went wrong on the way (the library never prints). */
	void		 (*warn)(void *, const struct clouddp_err *);
	void		*warn_arg;
};

struct emu_real;

/* Returns NULL with err filled: a bad endpoint, key, server or key file. */
struct emu_real	*emu_real_new(struct loop *, const struct emu_real_cfg *,
		    struct clouddp_err *);
/* The hooks to give emu_model_set_hooks(). */
void		 emu_real_hooks(struct emu_real *, struct emu_hooks *);
/*
 * Stopping: close every VIP listener and remove every DNS record added.
 * done(arg) is called once the removals have ended (from the loop), or
 * at once when there are none.
 */
void		 emu_real_stop(struct emu_real *, void (*)(void *), void *);
void		 emu_real_free(struct emu_real *);

/*
 * emu_real_new() with its warnings logged to ctx (borrowed, it must
 * outlive the result) and its hooks given to model.
 */
struct emu_real	*emu_real_start(struct loop *, const struct emu_real_cfg *,
		    struct emu_model *, struct clouddp_ctx *,
		    struct clouddp_err *);
/*
 * Take the hooks back from model, stop (running loop for at most 10 s
 * while the DNS records are removed) and free; NULL does nothing.
 */
void		 emu_real_finish(struct emu_real *, struct emu_model *,
		    struct loop *);

#endif /* CLOUDDP_EMU_REAL_H */
