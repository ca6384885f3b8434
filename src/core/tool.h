/*
 * The one skeleton of every tool's main: parse the options, initialise
 * the process, run, print through the report, check that what was
 * printed reached its destination, exit with the monitoring-plugins
 * status.  A tool fills a struct tool with its callbacks; main() is one
 * call to tool_main().
 *
 * Batch tools also ask for signals: SIGINT and SIGTERM then stop the
 * event loop between two results, never inside one, so the tool can
 * print an "interrupted" summary and exit 3.
 */
#ifndef CLOUDDP_TOOL_H
#define CLOUDDP_TOOL_H

#include "clouddp.h"

struct loop;

struct tool {
	const char	*name;		/* for --nagios: "RESOLVE" */
	/*
	 * Parse argv into the tool's arg (ctx holds the common options).
	 * Returns 0, -1 with err filled (CLOUDDP_EUSAGE), or -2 after a
	 * getopt error getopt has already printed.
	 */
	int		 (*parse)(void *, struct clouddp_ctx *, int, char **,
			    struct clouddp_err *);
	void		 (*help)(void);
	/*
	 * Do the work and print through the report.  Returns the exit
	 * status (0 to 3), or -1 with err filled.
	 */
	int		 (*run)(void *, struct clouddp_ctx *,
			    struct clouddp_err *);
	void		 (*cleanup)(void *);	/* may be NULL */
};

/* The whole main: returns the process exit status. */
int	 tool_main(const struct tool *, void *, int, char **);

/*
 * Check stdout after a write.  Returns 0 while it works; -1 once a
 * write failed, after which the caller stops its run.  The failure is
 * said once by tool_main at exit, except EPIPE (the reader went away,
 * as "| head -1" does), which ends the run quietly.
 */
int	 tool_out_check(void);

/*
 * Watch SIGINT and SIGTERM while loop runs: the first one stops the
 * loop (a second one kills, as usual).  Call once a loop exists.
 * Returns 0, or -1 with err filled.
 */
int	 tool_signals(struct loop *, struct clouddp_err *);
/* The signal that stopped the run, or 0. */
int	 tool_interrupted(void);

struct input;
/*
 * Open a tool's --input (input.h): path ("-" for stdin), the columns
 * every line needs and the reader's flags, waits cut at ctx->timeout,
 * and a signal ending the input (tool_interrupted).  Returns it, or
 * NULL with err filled.
 */
struct input	*tool_input_open(const struct clouddp_ctx *, const char *,
		    unsigned, unsigned, struct clouddp_err *);

#endif /* CLOUDDP_TOOL_H */
