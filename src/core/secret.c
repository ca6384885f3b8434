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
	if (len > 0 && buf[len - 1] == '\r')	/* written on Windows */
		len--;
	*out = malloc(len + 1);
	if (*out == NULL) {
		secret_wipe(buf, sizeof(buf));
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	}
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	secret_wipe(buf, sizeof(buf));
	return 0;
}

static int
read_file(const char *path, char **out, struct clouddp_err *err)
{
	int	 fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return clouddp_errf(err, CLOUDDP_EPASSWORD,
		    "check the path given to --password-file",
		    "%s: cannot open the password file: %s", path,
		    strerror(errno));
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
read_fd(const char *arg, char **out, struct clouddp_err *err)
{
	char	 name[64];
	int	 fd;

	fd = atoi(arg);		/* range checked by the option parser */
	if (fcntl(fd, F_GETFD) == -1)
		return clouddp_errf(err, CLOUDDP_EPASSWORD,
		    "open the descriptor for the tool, e.g. "
		    "--password-fd 3 3<file",
		    "--password-fd %d: descriptor is not open", fd);
	snprintf(name, sizeof(name), "--password-fd %d", fd);
	return read_line_fd(fd, name, out, err);
}

static int
read_prompt(const char *prompt, char **out, struct clouddp_err *err)
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
		return read_file(src->arg, out, err);
	case CLOUDDP_SECRET_ENV:
		return read_env(src->arg, out, err);
	case CLOUDDP_SECRET_FD:
		return read_fd(src->arg, out, err);
	default:
		return read_prompt(prompt, out, err);
	}
}
