/*
 * Reading secrets.  Nothing here logs a secret or puts it in an error
 * message; every copy made is wiped before it is freed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "clouddp.h"
#include "secret.h"

/* Longest secret we accept; a longer first line is refused. */
#define SECRET_MAX	4096

void
secret_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	secret_wipe(s, strlen(s));
	free(s);
}

/*
 * A fresh copy of line (len bytes, its LF gone) without what Windows
 * adds: a UTF-8 byte order mark before it (Notepad) and a CR after it.
 * line (size bytes) is wiped whatever happens.
 */
static int
line_copy(char *line, size_t size, size_t len, char **out,
    struct clouddp_err *err)
{
	size_t	 skip = 0;

	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	if (len > skip && line[len - 1] == '\r')
		len--;
	*out = malloc(len - skip + 1);
	if (*out == NULL) {
		secret_wipe(line, size);
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	}
	memcpy(*out, line + skip, len - skip);
	(*out)[len - skip] = '\0';
	secret_wipe(line, size);
	return 0;
}

/* Read the first line from fd into a fresh string. */
static int
read_line_fd(int fd, const char *name, char **out, struct clouddp_err *err)
{
	char	 buf[SECRET_MAX + 1];
	size_t	 len = 0;
	ssize_t	 n;
	char	*nl;

	for (;;) {
		if (len == sizeof(buf))
			break;
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			secret_wipe(buf, len);
			return clouddp_errf(err, CLOUDDP_EIO, NULL,
			    "%s: cannot read the password: %s", name,
			    strerror(errno));
		}
		if (n == 0)
			break;
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl != NULL)
			break;
	}
	nl = memchr(buf, '\n', len);
	if (nl == NULL && len > SECRET_MAX) {
		secret_wipe(buf, len);
		return clouddp_errf(err, CLOUDDP_EPASSWORD, NULL,
		    "%s: password longer than %d bytes", name, SECRET_MAX);
	}
	if (nl != NULL)
		len = (size_t)(nl - buf);
	return line_copy(buf, sizeof(buf), len, out, err);
}

/* The option that gave src, less its -file/-env/-fd: for hints. */
static const char *
src_opt(const struct clouddp_secret_src *src)
{
	return src->opt != NULL ? src->opt : "--password";
}

static int
read_file(const struct clouddp_secret_src *src, char **out,
    struct clouddp_err *err)
{
	const char	*path = src->arg;
	char		 hint[128];
	int		 fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		snprintf(hint, sizeof(hint), "check the path given to %s-file",
		    src_opt(src));
		return clouddp_errf(err, CLOUDDP_EPASSWORD, hint,
		    "%s: cannot open the password file: %s", path,
		    strerror(errno));
	}
	rc = read_line_fd(fd, path, out, err);
	close(fd);
	return rc;
}

static int
read_env(const char *var, char **out, struct clouddp_err *err)
{
	char	*val;

	val = getenv(var);
	if (val == NULL)
		return clouddp_errf(err, CLOUDDP_EPASSWORD,
		    "export the variable or use another password source",
		    "environment variable %s is not set", var);
	*out = strdup(val);
	if (*out == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	/* Leave no copy behind for /proc/PID/environ or a core dump. */
	secret_wipe(val, strlen(val));
	unsetenv(var);
	return 0;
}

static int
read_fd(const struct clouddp_secret_src *src, char **out,
    struct clouddp_err *err)
{
	char	 name[96], hint[128];
	int	 fd;

	fd = atoi(src->arg);	/* range checked by the option parser */
	snprintf(name, sizeof(name), "%s-fd %d", src_opt(src), fd);
	if (fcntl(fd, F_GETFD) == -1) {
		snprintf(hint, sizeof(hint), "open the descriptor for the "
		    "tool, e.g. %s-fd 3 3<file", src_opt(src));
		return clouddp_errf(err, CLOUDDP_EPASSWORD, hint,
		    "%s: descriptor is not open", name);
	}
	return read_line_fd(fd, name, out, err);
}

static int
read_prompt(const char *prompt, int again, char **out,
    struct clouddp_err *err)
{
	struct termios	 old, noecho;
	int		 fd, rc;

	fd = STDIN_FILENO;
	if (!isatty(fd))
		return clouddp_errf(err, CLOUDDP_EPASSWORD,
		    "pass --password-file F, --password-env VAR or "
		    "--password-fd N",
		    "no password given and standard input is not a terminal");
	if (tcgetattr(fd, &old) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL,
		    "cannot read terminal settings: %s", strerror(errno));
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	if (again)
		fputs("Wrong password; try again.\n", stderr);
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcsetattr(fd, TCSAFLUSH, &noecho) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL,
		    "cannot turn off terminal echo: %s", strerror(errno));
	rc = read_line_fd(fd, "terminal", out, err);
	tcsetattr(fd, TCSAFLUSH, &old);
	return rc;
}

int
secret_read(const struct clouddp_secret_src *src, const char *prompt,
    char **out, struct clouddp_err *err)
{
	switch (src->kind) {
	case CLOUDDP_SECRET_FILE:
		return read_file(src, out, err);
	case CLOUDDP_SECRET_ENV:
		return read_env(src->arg, out, err);
	case CLOUDDP_SECRET_FD:
		return read_fd(src, out, err);
	default:
		return read_prompt(prompt, 0, out, err);
	}
}

/* A wrong secret from an option: say which option gave it. */
static void
source_hint(const struct clouddp_secret_src *src, struct clouddp_err *err)
{
	snprintf(err->hint, sizeof(err->hint),
	    "check the password given by %s-%s %s", src_opt(src),
	    src->kind == CLOUDDP_SECRET_FILE ? "file" :
	    src->kind == CLOUDDP_SECRET_ENV ? "env" : "fd", src->arg);
}

/* Ask on the terminal until check takes it or SECRET_TRIES are used. */
static int
prompt_tries(const struct secret_req *req, char **s, struct clouddp_err *err)
{
	int	 i, rc = -1;

	for (i = 0; i < SECRET_TRIES; i++) {
		secret_free(*s);
		*s = NULL;
		if (read_prompt(req->prompt, i > 0, s, err) == -1)
			return -1;
		rc = req->check(req->arg, *s, err);
		if (rc == 0 || err->code != CLOUDDP_EPASSWORD)
			return rc;
	}
	snprintf(err->hint, sizeof(err->hint), "%d wrong passwords; run "
	    "again, or pass --password-file, --password-env or "
	    "--password-fd", SECRET_TRIES);
	return rc;
}

int
secret_load(const struct secret_req *req, char **out,
    struct clouddp_err *err)
{
	char	*s = NULL;
	int	 rc;

	if (req->src->kind != CLOUDDP_SECRET_NONE) {
		if (secret_read(req->src, req->prompt, &s, err) == -1)
			return -1;
		rc = req->check(req->arg, s, err);
		if (rc == -1 && err->code == CLOUDDP_EPASSWORD)
			source_hint(req->src, err);
		goto out;
	}
	if (req->empty_first) {
		rc = req->check(req->arg, "", err);
		if (rc == 0 && out != NULL) {
			s = strdup("");
			if (s == NULL)
				rc = clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
				    "out of memory");
		}
		if (rc == 0 || err->code != CLOUDDP_EPASSWORD ||
		    !isatty(STDIN_FILENO))
			goto out;
	}
	rc = prompt_tries(req, &s, err);
out:
	if (rc == 0 && out != NULL) {
		*out = s;
		s = NULL;
	}
	secret_free(s);
	return rc;
}

/*
 * Shielded secrets, after OpenSSH's shielded private keys: the cipher
 * key and IV are SHA-512 of a random pre-key, computed afresh for each
 * use and wiped, so only the whole 16 KiB pre-key gives the secret back.
 */
#define SHIELD_PREKEY	(16 * 1024)

struct secret_shield {
	unsigned char	*prekey;	/* SHIELD_PREKEY random bytes */
	unsigned char	*box;		/* the secret, encrypted */
	size_t		 len;
};

/* AES-256-CTR of len bytes in into out under sh's pre-key. */
static int
shield_crypt(const struct secret_shield *sh, const unsigned char *in,
    unsigned char *out, size_t len, struct clouddp_err *err)
{
	unsigned char	 kiv[SHA512_DIGEST_LENGTH];
	EVP_CIPHER_CTX	*ctx = NULL;
	int		 n, rc = -1;

	if (SHA512(sh->prekey, SHIELD_PREKEY, kiv) == NULL)
		goto out;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, kiv,
	    kiv + 32) != 1)
		goto out;
	/* CTR encrypts in steps of at most INT_MAX; secrets are small. */
	if (len > SECRET_MAX * 16 ||
	    EVP_EncryptUpdate(ctx, out, &n, in, (int)len) != 1 ||
	    (size_t)n != len)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	secret_wipe(kiv, sizeof(kiv));
	ERR_clear_error();
	if (rc == -1)
		clouddp_errf(err, CLOUDDP_EINTERNAL,
		    "check that OpenSSL offers AES-256-CTR and SHA-512",
		    "cannot shield a secret in memory");
	return rc;
}

struct secret_shield *
secret_shield_new(const void *p, size_t len, struct clouddp_err *err)
{
	struct secret_shield	*sh;

	sh = calloc(1, sizeof(*sh));
	if (sh == NULL)
		goto nomem;
	sh->len = len;
	sh->prekey = malloc(SHIELD_PREKEY);
	sh->box = malloc(len > 0 ? len : 1);
	if (sh->prekey == NULL || sh->box == NULL)
		goto nomem;
	if (RAND_bytes(sh->prekey, SHIELD_PREKEY) != 1) {
		ERR_clear_error();
		clouddp_errf(err, CLOUDDP_EINTERNAL,
		    "check that the system's random source works",
		    "cannot shield a secret in memory: no random bytes");
		goto fail;
	}
	if (shield_crypt(sh, p, sh->box, len, err) == -1)
		goto fail;
	return sh;
nomem:
	clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
fail:
	secret_shield_free(sh);
	return NULL;
}

int
secret_shield_open(const struct secret_shield *sh, char **out, size_t *len,
    struct clouddp_err *err)
{
	*out = malloc(sh->len + 1);
	if (*out == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	if (shield_crypt(sh, sh->box, (unsigned char *)*out, sh->len,
	    err) == -1) {
		secret_wipe(*out, sh->len);
		free(*out);
		*out = NULL;
		return -1;
	}
	(*out)[sh->len] = '\0';
	if (len != NULL)
		*len = sh->len;
	return 0;
}

size_t
secret_shield_len(const struct secret_shield *sh)
{
	return sh->len;
}

void
secret_shield_free(struct secret_shield *sh)
{
	if (sh == NULL)
		return;
	if (sh->prekey != NULL)
		secret_wipe(sh->prekey, SHIELD_PREKEY);
	if (sh->box != NULL)
		secret_wipe(sh->box, sh->len);
	free(sh->prekey);
	free(sh->box);
	free(sh);
}
