/*
 * Loading a .pfx whose password is a secret (secret.h): the loader
 * every tool that takes a .pfx shares, and its raw bytes for uploads.
 */
#ifndef CLOUDDP_PFX_H
#define CLOUDDP_PFX_H

#include "clouddp.h"

struct cert;

/*
 * Load the .pfx at path, its password from src (never argv).  Without
 * a source the empty password is tried first, then a prompt on a
 * terminal (secret_load).  When keep is not NULL, *keep is the password
 * that fitted, released with secret_free(); otherwise no copy of it
 * outlives the call.  Returns the certificate, or NULL with err filled.
 */
struct cert	*pfx_load(const char *, const struct clouddp_secret_src *,
		    char **, struct clouddp_err *);

/*
 * Append the bytes of the file at path to b, wiping the staging buffer.
 * Returns 0, or -1 with err filled (CLOUDDP_EIO when unreadable).
 */
int		 pfx_read(const char *, struct clouddp_buf *,
		    struct clouddp_err *);

#endif /* CLOUDDP_PFX_H */
