/*
 * dnsregreq: emu/dnsreg.c on its own, for tests/t/emulator-real.sh.
 * Registers SERVICE.ZONE A VIP with the server, prints "added FQDN" (or
 * "error=..."), then reads one command line on stdin: "remove" removes
 * that one name, "stop" removes everything registered (as SIGTERM does
 * in the emulator); it prints "removed FQDN" and exits 0, or 1 when a
 * change failed, 3 on a set-up error.  "flip" removes the name and adds
 * it again at once, the removal still in flight (a deployment deleted,
 * another Ready in its slot), and prints "readded FQDN".
 *
 * usage: dnsregreq HOST:PORT KEYFILE ZONE SERVICE VIP
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "loop.h"
#include "emu/dnsreg.h"

struct state {
	struct loop	*loop;
	struct dnsreg	*reg;
	const char	*service;
	const char	*vip;
	char		 line[64];
	size_t		 len;
	int		 status;
};

/* What a removal or a re-add did to fqdn, one line on stdout. */
static void
say(struct state *s, const struct clouddp_err *err, const char *done,
    const char *fqdn)
{
	if (err != NULL) {
		printf("error=%s\n", err->what);
		s->status = 1;
	} else
		printf("%s %s\n", done, fqdn);
	fflush(stdout);
}

static void
on_removed(void *arg, const struct clouddp_err *err, const char *fqdn)
{
	struct state	*s = arg;

	say(s, err, "removed", fqdn);
	if (dnsreg_pending(s->reg) == 0)
		loop_stop(s->loop);
}

static void
on_readded(void *arg, const struct clouddp_err *err, const char *fqdn)
{
	struct state	*s = arg;

	say(s, err, "readded", fqdn);
	loop_stop(s->loop);
}

/* Remove, then add before the removal has ended. */
static int
flip(struct state *s, struct clouddp_err *err)
{
	if (dnsreg_remove(s->reg, s->service, NULL, NULL, err) == -1)
		return -1;
	return dnsreg_add(s->reg, s->service, s->vip, on_readded, s, err);
}

static void
on_stdin(void *arg, int fd, int events)
{
	struct state		*s = arg;
	struct clouddp_err	 err;
	char			 c;

	(void)events;
	if (read(fd, &c, 1) == 1 && c != '\n') {
		if (s->len < sizeof(s->line) - 1)
			s->line[s->len++] = c;
		return;
	}
	(void)loop_fd_set(s->loop, fd, 0, NULL, NULL, &err);
	s->line[s->len] = '\0';
	if (strcmp(s->line, "flip") == 0) {
		if (flip(s, &err) == -1) {
			printf("error=%s\n", err.what);
			s->status = 1;
			loop_stop(s->loop);
		}
	} else if (strcmp(s->line, "remove") == 0) {
		if (dnsreg_remove(s->reg, s->service, on_removed, s,
		    &err) == -1) {
			printf("error=%s\n", err.what);
			s->status = 1;
			loop_stop(s->loop);
		}
	} else if (dnsreg_remove_all(s->reg, on_removed, s) == 0)
		loop_stop(s->loop);
}

static void
on_added(void *arg, const struct clouddp_err *err, const char *fqdn)
{
	struct state		*s = arg;
	struct clouddp_err	 e;

	if (err != NULL) {
		printf("error=%s\nhint=%s\n", err->what, err->hint);
		s->status = 1;
		loop_stop(s->loop);
		return;
	}
	printf("added %s\n", fqdn);
	fflush(stdout);
	if (loop_fd_set(s->loop, 0, LOOP_READ, on_stdin, s, &e) == -1)
		loop_stop(s->loop);
}

int
main(int argc, char **argv)
{
	struct clouddp_err	 err;
	struct dnsreg_cfg	 cfg;
	struct state		 s;

	if (argc != 6) {
		fprintf(stderr, "usage: dnsregreq HOST:PORT KEYFILE ZONE "
		    "SERVICE VIP\n");
		return 3;
	}
	memset(&s, 0, sizeof(s));
	memset(&cfg, 0, sizeof(cfg));
	cfg.server = argv[1];
	cfg.tsig_file = argv[2];
	cfg.zone = argv[3];
	s.service = argv[4];
	s.vip = argv[5];
	s.status = 3;
	if (clouddp_global_init(&err) == -1 ||
	    (s.loop = loop_new(&err)) == NULL ||
	    (s.reg = dnsreg_new(s.loop, &cfg, &err)) == NULL ||
	    dnsreg_add(s.reg, argv[4], argv[5], on_added, &s, &err) == -1)
		printf("error=%s\nhint=%s\n", err.what, err.hint);
	else {
		s.status = 0;
		if (loop_run(s.loop, 0, &err) == -1) {
			printf("error=%s\n", err.what);
			s.status = 3;
		}
	}
	dnsreg_free(s.reg);
	loop_free(s.loop);
	clouddp_global_cleanup();
	return s.status;
}
