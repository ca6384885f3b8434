/*
 * Unit tests: reading secrets from a file, the environment and an fd,
 * and secret_load's tries, at a terminal (a pty typed into by a child).
 */
#include "config.h"

#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "secret.h"
#include "../tap.h"

static int	 ncalls;

/* "right" fits; anything else is a wrong password, found slowly. */
static int
check_right(void *arg, const char *s, struct clouddp_err *err)
{
	struct timespec	 ts = { 0, 50 * 1000 * 1000 };

	(void)arg;
	ncalls++;
	if (strcmp(s, "right") == 0)
		return 0;
	nanosleep(&ts, NULL);
	return clouddp_errf(err, CLOUDDP_EPASSWORD, "a hint",
	    "wrong password for t");
}

/* Wait (5 s at most) until the terminal's echo is off (0) or on (1). */
static void
wait_echo(int master, int on)
{
	struct termios	 t;
	struct timespec	 ts = { 0, 1000 * 1000 };
	int		 i;

	for (i = 0; i < 5000; i++) {
		if (tcgetattr(master, &t) == 0 && !!(t.c_lflag & ECHO) == on)
			return;
		nanosleep(&ts, NULL);
	}
}

/* A child types each line when the prompt has turned echo off. */
static pid_t
typist(int master, const char *const *lines)
{
	pid_t	 pid;

	pid = fork();
	if (pid != 0)
		return pid;
	for (; *lines != NULL; lines++) {
		wait_echo(master, 0);
		write(master, *lines, strlen(*lines));
		write(master, "\n", 1);
		wait_echo(master, 1);
	}
	_exit(0);
}

/* secret_load on a terminal answered with lines; its result. */
static int
prompted(const char *const *lines, char **out, struct clouddp_err *err)
{
	struct clouddp_secret_src	 none = { CLOUDDP_SECRET_NONE, NULL, NULL };
	struct secret_req		 req = { &none, "pw: ", 1,
					    check_right, NULL };
	int				 master, slave, in, errfd, rc;
	pid_t				 pid;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master == -1 || grantpt(master) == -1 || unlockpt(master) == -1)
		return -2;
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	in = dup(STDIN_FILENO);
	errfd = dup(STDERR_FILENO);
	dup2(slave, STDIN_FILENO);
	dup2(open("/dev/null", O_WRONLY), STDERR_FILENO);
	pid = typist(master, lines);
	ncalls = 0;
	rc = secret_load(&req, out, err);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	dup2(in, STDIN_FILENO);
	dup2(errfd, STDERR_FILENO);
	close(in);
	close(errfd);
	close(slave);
	close(master);
	return rc;
}

static void
test_load(void)
{
	static const char *const	 typo[] = { "rigth", "right", NULL };
	static const char *const	 bad[] = { "a", "b", "c", "d", NULL };
	struct clouddp_secret_src	 src = { 0 };
	struct secret_req		 req = { &src, "", 1, check_right,
					    NULL };
	struct clouddp_err		 err;
	char				*s = NULL, path[] = "/tmp/t_sXXXXXX";
	int				 fd;

	ok(prompted(typo, &s, &err) == 0 && s != NULL &&
	    strcmp(s, "right") == 0, "a typo at the prompt gets a second try");
	is_int(ncalls, 3, "\"\", then two typed passwords were checked");
	secret_free(s);
	s = NULL;
	ok(prompted(bad, &s, &err) == -1 && err.code == CLOUDDP_EPASSWORD &&
	    s == NULL, "three wrong passwords at the prompt: wrong password");
	is_int(ncalls, 1 + SECRET_TRIES, "and no fourth try");
	fd = mkstemp(path);
	write(fd, "\xef\xbb\xbfright\r\n", 10);
	close(fd);
	src.kind = CLOUDDP_SECRET_FILE;
	src.arg = path;
	ok(secret_load(&req, &s, &err) == 0 && strcmp(s, "right") == 0,
	    "a Notepad file (BOM, CRLF) fits as the bare password");
	secret_free(s);
	s = NULL;
	fd = open(path, O_WRONLY | O_TRUNC);
	write(fd, "wrong\n", 6);
	close(fd);
	ok(secret_load(&req, &s, &err) == -1 && ncalls == 1 + SECRET_TRIES +
	    2 && strstr(err.hint, "--password-file /tmp/t_s") != NULL,
	    "a wrong one from a file: one try, a hint naming the option");
	unlink(path);
}

/* Shielded secrets open to what was shielded, binary ones too. */
static void
test_shield(void)
{
	struct clouddp_err	 err;
	struct secret_shield	*a, *b;
	char			*s = NULL;
	size_t			 len = 99;
	static const char	 bin[] = "k\0e\xffy";

	a = secret_shield_new("proxy pw", 8, &err);
	ok(a != NULL && secret_shield_len(a) == 8, "a secret is shielded");
	ok(a != NULL && secret_shield_open(a, &s, &len, &err) == 0 &&
	    len == 8 && strcmp(s, "proxy pw") == 0, "and opens to itself");
	secret_free(s);
	ok(a != NULL && secret_shield_open(a, &s, NULL, &err) == 0 &&
	    strcmp(s, "proxy pw") == 0, "as often as needed");
	secret_free(s);
	b = secret_shield_new(bin, sizeof(bin) - 1, &err);
	ok(b != NULL && secret_shield_open(b, &s, &len, &err) == 0 &&
	    len == sizeof(bin) - 1 && memcmp(s, bin, len) == 0 &&
	    s[len] == '\0', "a binary secret opens byte for byte");
	secret_wipe(s, len);
	free(s);
	secret_shield_free(b);
	b = secret_shield_new("", 0, &err);
	ok(b != NULL && secret_shield_open(b, &s, &len, &err) == 0 &&
	    len == 0 && *s == '\0', "an empty secret is one too");
	secret_free(s);
	secret_shield_free(b);
	secret_shield_free(a);
	secret_shield_free(NULL);
}

int
main(void)
{
	struct clouddp_secret_src	 src = { 0 };
	struct clouddp_err		 err;
	char				 path[] = "/tmp/t_secretXXXXXX";
	char				 path2[] = "/tmp/t_secretXXXXXX";
	char				*s = NULL, fdarg[16];
	int				 fd, p[2];

	plan(22);
	fd = mkstemp(path);
	write(fd, "s3cret\r\nsecond line\n", 20);
	close(fd);
	src.kind = CLOUDDP_SECRET_FILE;
	src.arg = path;
	ok(secret_read(&src, "", &s, &err) == 0, "read from a file");
	is(s, "s3cret", "first line, CR LF stripped");
	secret_free(s);

	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	ok(secret_read(&src, "", &s, &err) == 0 && strcmp(s, "") == 0,
	    "an empty file is an empty password");
	secret_free(s);
	unlink(path);
	ok(secret_read(&src, "", &s, &err) == -1 &&
	    err.code == CLOUDDP_EPASSWORD, "a missing file fails");

	setenv("T_SECRET", "from env", 1);
	src.kind = CLOUDDP_SECRET_ENV;
	src.arg = "T_SECRET";
	ok(secret_read(&src, "", &s, &err) == 0, "read from the environment");
	is(s, "from env", "value");
	ok(getenv("T_SECRET") == NULL, "the variable is unset after use");
	secret_free(s);

	pipe(p);
	write(p[1], "piped\n", 6);
	close(p[1]);
	snprintf(fdarg, sizeof(fdarg), "%d", p[0]);
	src.kind = CLOUDDP_SECRET_FD;
	src.arg = fdarg;
	ok(secret_read(&src, "", &s, &err) == 0, "read from a descriptor");
	is(s, "piped", "value");
	secret_free(s);
	close(p[0]);
	src.arg = "250";
	ok(secret_read(&src, "", &s, &err) == -1, "a closed descriptor fails");

	fd = mkstemp(path2);
	write(fd, "\xef\xbb\xbfs3cret\r\n", 11);
	close(fd);
	src.kind = CLOUDDP_SECRET_FILE;
	src.arg = path2;
	ok(secret_read(&src, "", &s, &err) == 0 && strcmp(s, "s3cret") == 0,
	    "a UTF-8 byte order mark and a CRLF are stripped");
	secret_free(s);
	unlink(path2);
	test_load();
	test_shield();
	return done_testing();
}
