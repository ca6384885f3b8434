/*
 * Secrets (passwords of .pfx files, TSIG keys): read from a file, an
 * environment variable, a file descriptor or a terminal prompt, never
 * from argv, and wiped when done.
 */
#ifndef CLOUDDP_SECRET_H
#define CLOUDDP_SECRET_H

#include <stddef.h>

#include "clouddp.h"

/*
 * Read a secret from src: the first line of a file (without its line
 * ending), an environment variable (which is then wiped and unset), a
 * file descriptor (first line), or, when src is NONE and stdin is a
 * terminal, a prompt with echo off.  An empty secret is valid.  On
 * success *out is a NUL-terminated heap copy the caller releases with
 * secret_free().  Returns 0, or -1 with err filled (CLOUDDP_EPASSWORD
 * when no source is available).
 */
int	 secret_read(const struct clouddp_secret_src *, const char *,
	    char **, struct clouddp_err *);
/* Wipe and free a secret; NULL does nothing. */
void	 secret_free(char *);
/* Wipe len bytes at p in a way the compiler keeps. */
void	 secret_wipe(void *, size_t);

#endif /* CLOUDDP_SECRET_H */
