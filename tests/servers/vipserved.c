/*
 * vipserved: emu/vipserve.c on its own, for tests/t/emulator-real.sh.
 * Serves VIP with the .pfx (password from a file), prints
 * "https=PORT http=PORT" once listening, then reads commands on stdin:
 * "stop" (as Suspended), "start" (Running again), "quit".  SIGTERM stops
 * it cleanly too.  Exits 0 after a clean stop, 3 on a set-up error.
 *
 * usage: vipserved VIP HTTPS_PORT HTTP_PORT SERVICE PFX PWFILE
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "cert.h"
#include "loop.h"
#include "secret.h"
#include "tool.h"
#include "emu/vipserve.h"

struct state {
	struct loop	*loop;
	struct vipserve	*vs;
	char		 line[64];
	size_t		 len;
};

static void
command(struct state *s, const char *cmd)
{
	struct clouddp_err	 err;

	if (strcmp(cmd, "stop") == 0)
		vipserve_stop(s->vs);
	else if (strcmp(cmd, "start") == 0) {
		if (vipserve_start(s->vs, &err) == -1)
			printf("error=%s\n", err.what);
	} else if (strcmp(cmd, "quit") == 0)
		loop_stop(s->loop);
	printf("%s serving=%d\n", cmd, vipserve_is_serving(s->vs));
	fflush(stdout);
}

static void
on_stdin(void *arg, int fd, int events)
{
	struct state		*s = arg;
	struct clouddp_err	 err;
	char			 c;
	ssize_t			 n;

	(void)events;
	n = read(fd, &c, 1);
	if (n <= 0) {
		(void)loop_fd_set(s->loop, fd, 0, NULL, NULL, &err);
		return;
	}
	if (c != '\n' && s->len < sizeof(s->line) - 1) {
		s->line[s->len++] = c;
		return;
	}
	s->line[s->len] = '\0';
	s->len = 0;
	command(s, s->line);
}

static int
serve(struct state *s, char **argv, struct clouddp_err *err)
{
	struct clouddp_secret_src	 src = { CLOUDDP_SECRET_FILE, argv[6], NULL };
	struct vipserve_cfg		 cfg;
	struct cert			*c = NULL;
	char				*pw = NULL;
	int				 rc = -1;

	if (secret_read(&src, "", &pw, err) == -1)
		return -1;
	c = cert_load_file(argv[5], pw, err);
	if (c == NULL)
		goto out;
	memset(&cfg, 0, sizeof(cfg));
	cfg.vip = argv[1];
	cfg.https_port = strtol(argv[2], NULL, 10);
	cfg.http_port = strtol(argv[3], NULL, 10);
	cfg.service = argv[4];
	cfg.cert = c;
	s->vs = vipserve_new(s->loop, &cfg, err);
	if (s->vs == NULL)
		goto out;
	printf("https=%ld http=%ld\n", vipserve_https_port(s->vs),
	    vipserve_http_port(s->vs));
	fflush(stdout);
	rc = loop_fd_set(s->loop, 0, LOOP_READ, on_stdin, s, err);
out:
	cert_free(c);	/* vipserve keeps its own copy */
	if (pw != NULL)
		secret_free(pw);
	return rc;
}

int
main(int argc, char **argv)
{
	struct clouddp_err	 err;
	struct state		 s;
	int			 rc = 3;

	if (argc != 7) {
		fprintf(stderr, "usage: vipserved VIP HTTPS_PORT HTTP_PORT "
		    "SERVICE PFX PWFILE\n");
		return 3;
	}
	memset(&s, 0, sizeof(s));
	if (clouddp_global_init(&err) == -1 ||
	    (s.loop = loop_new(&err)) == NULL ||
	    tool_signals(s.loop, &err) == -1 || serve(&s, argv, &err) == -1 ||
	    loop_run(s.loop, 0, &err) == -1)
		printf("error=%s\nhint=%s\n", err.what, err.hint);
	else
		rc = 0;
	vipserve_free(s.vs);
	loop_free(s.loop);
	clouddp_global_cleanup();
	printf("stopped\n");
	return rc;
}
