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
 * ending, and without a UTF-8 byte order mark a Windows editor may put
 * first), an environment variable (which is then wiped and unset), a
 * file descriptor (first line), or, when src is NONE and stdin is a
 * terminal, a prompt with echo off.  An empty secret is valid.  On
 * success *out is a NUL-terminated heap copy the caller releases with
 * secret_free().  Returns 0, or -1 with err filled (CLOUDDP_EPASSWORD
 * when no source is available).
 */
int	 secret_read(const struct clouddp_secret_src *, const char *,
	    char **, struct clouddp_err *);
/* How many times a terminal prompt asks before giving up. */
#define SECRET_TRIES	3

/*
 * What secret_load needs: where the secret comes from, the prompt for a
 * terminal, and check, which tries one candidate (0 it fits; -1 with
 * err filled otherwise, CLOUDDP_EPASSWORD when it is the wrong one).
 */
struct secret_req {
	const struct clouddp_secret_src	*src;
	const char	*prompt;	/* "Password for clouddp1.pfx: " */
	int		 empty_first;	/* without a source, try "" first */
	int		(*check)(void *, const char *, struct clouddp_err *);
	void		*arg;		/* check's first argument */
};

/*
 * The password loader every tool uses.  With a source (--password-file,
 * -env or -fd) its secret is read once and checked once; a wrong one
 * gets a hint naming the option.  Without one, "" is tried first when
 * empty_first is set, then, when standard input is a terminal, a prompt
 * asks up to SECRET_TRIES times while check says CLOUDDP_EPASSWORD.
 * On success *out (if out is not NULL) is the secret that fitted, to be
 * released with secret_free(); without out nothing of it stays.
 * Returns 0, or -1 with err filled (check's error for the last try).
 */
int	 secret_load(const struct secret_req *, char **,
	    struct clouddp_err *);
/*
 * A secret kept for later use (a proxy password, a TSIG key) is held
 * shielded: encrypted (AES-256-CTR) under a key derived (SHA-512) from
 * a 16 KiB random pre-key of its own, so neither a core dump nor a page
 * written to swap shows it, nor any part of it short of the whole
 * pre-key.  It is opened only for the moment it is used, into a copy
 * the caller wipes at once (secret_free, or secret_wipe and free).
 */
struct secret_shield;

/* Shield len bytes at p (p is left as it was).  NULL with err filled. */
struct secret_shield *secret_shield_new(const void *, size_t,
	    struct clouddp_err *);
/*
 * A NUL-terminated heap copy of the secret in *out, its length (without
 * the NUL) in *len when len is not NULL.  Returns 0, or -1 with err.
 */
int	 secret_shield_open(const struct secret_shield *, char **, size_t *,
	    struct clouddp_err *);
/* The shielded secret's length. */
size_t	 secret_shield_len(const struct secret_shield *);
/* Wipe and free; NULL does nothing. */
void	 secret_shield_free(struct secret_shield *);

/* Wipe and free a secret; NULL does nothing. */
void	 secret_free(char *);
/* Wipe len bytes at p in a way the compiler keeps. */
void	 secret_wipe(void *, size_t);

#endif /* CLOUDDP_SECRET_H */
