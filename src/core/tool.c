/*
 * The skeleton of every main, the check of what reaches stdout, and the
 * signals that end a batch.  stdout and signal dispositions belong to
 * the process, so their state lives here once (the only mutable statics
 * besides the libraries' own global state).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "input.h"
#include "loop.h"
#include "opts.h"
#include "report.h"
#include "tool.h"

#define TOOL_OUT_BUFSIZE	(64 * 1024)

/* The errno of the first failed write to stdout, 0 while all is well. */
static int			 out_errno;
static volatile sig_atomic_t	 got_signal;
static int			 sig_pipe[2] = { -1, -1 };

int
tool_out_check(void)
{
	if (out_errno != 0)
		return -1;
	if (!ferror(stdout))
		return 0;
	out_errno = errno != 0 ? errno : EIO;
	return -1;
}

/* Flush and close stdout; say what failed, once.  Returns 0 or -1. */
static int
out_close(const struct clouddp_ctx *ctx)
{
	int	 e, seen;

	e = out_errno;
	/* Failed before, unchecked here: the run saw it and said so. */
	seen = e == 0 && ferror(stdout);
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout))
		e = e != 0 ? e : errno != 0 ? errno : EIO;
	errno = 0;
	if (fclose(stdout) == EOF && e == 0)
		e = errno != 0 ? errno : EIO;
	/* The reader went away: nothing to say, the status stands. */
	if (e == 0 || e == EPIPE)
		return 0;
	if (seen)
		return -1;
	fprintf(stderr, "%s: standard output: %s\n", ctx->prog,
	    strerror(e));
	return -1;
}

static void
on_signal(int sig)
{
	int	 e = errno;
	ssize_t	 n;

	got_signal = sig;
	if (sig_pipe[1] != -1)
		n = write(sig_pipe[1], "", 1);
	(void)n;
	/* The next one is not ours to soften. */
	signal(sig, SIG_DFL);
	errno = e;
}

static void
on_sig_pipe(void *arg, int fd, int ready)
{
	char	 buf[16];

	(void)ready;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	loop_stop(arg);
}

int
tool_signals(struct loop *loop, struct clouddp_err *err)
{
	struct sigaction	 sa;
	int			 i;

	if (sig_pipe[0] == -1) {
		if (pipe(sig_pipe) == -1)
			return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
			    "pipe: %s", strerror(errno));
		for (i = 0; i < 2; i++) {
			fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
			fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	if (loop_fd_set(loop, sig_pipe[0], LOOP_READ | LOOP_PASSIVE,
	    on_sig_pipe, loop, err) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* Restart writes, so a signal never cuts a line on stdout. */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A signal that came before the pipe was watched still counts. */
	if (got_signal != 0)
		loop_stop(loop);
	return 0;
}

int
tool_interrupted(void)
{
	return got_signal;
}

static int
begin(const struct tool *t, void *arg, struct clouddp_ctx *ctx, int argc,
    char **argv, struct clouddp_err *err)
{
	int	 rc;

	rc = t->parse(arg, ctx, argc, argv, err);
	if (rc == -2)
		return clouddp_usage_error(ctx);
	if (rc == -1)
		return log_err(ctx, err);
	if (ctx->help) {
		t->help();
		return CLOUDDP_STATUS_OK;
	}
	if (ctx->version) {
		clouddp_print_version(ctx);
		return CLOUDDP_STATUS_OK;
	}
	return -1;
}

int
tool_main(const struct tool *t, void *arg, int argc, char **argv)
{
	struct clouddp_ctx	 ctx;
	struct clouddp_err	 err;
	int			 status, inited = 0;

	clouddp_ctx_init(&ctx, argv[0], t->name);
	clouddp_err_clear(&err);
	status = begin(t, arg, &ctx, argc, argv, &err);
	if (status != -1)
		goto out;
	if (clouddp_global_init(&err) == -1) {
		status = log_err(&ctx, &err);
		goto out;
	}
	inited = 1;
	/* Batches write megabytes: fewer, larger writes to a file or pipe. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, TOOL_OUT_BUFSIZE);
	status = t->run(arg, &ctx, &err);
	if (status == -1)
		status = log_err(&ctx, &err);
out:
	/*
	 * What the tool holds may belong to a library (a JUnit writer is
	 * libxml2's): free it before the libraries clean up after themselves.
	 */
	if (t->cleanup != NULL)
		t->cleanup(arg);
	if (inited)
		clouddp_global_cleanup();
	report_nagios_flush(stdout);
	if (out_close(&ctx) == -1)
		status = CLOUDDP_STATUS_UNKNOWN;
	if (sig_pipe[0] != -1) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
	}
	clouddp_ctx_cleanup(&ctx);
	return status;
}

struct input *
tool_input_open(const struct clouddp_ctx *ctx, const char *path,
    unsigned need, unsigned flags, struct clouddp_err *err)
{
	struct input_cfg	 cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.need = need;
	cfg.flags = flags;
	cfg.timeout = ctx->timeout;
	cfg.stopped = tool_interrupted;
	return input_open(path, &cfg, err);
}
