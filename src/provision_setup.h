/*
 * What clouddp-provision builds from its options before a subcommand
 * runs: the provisioner's configuration (quotas, inventory, lease
 * owner), its credentials and its back end (timeout, log); and the text
 * of its progress display, which the tool writes.  Nothing is printed
 * here; errors go to err.
 */
#ifndef CLOUDDP_PROVISION_SETUP_H
#define CLOUDDP_PROVISION_SETUP_H

#include <stddef.h>

#include "clouddp.h"
#include "provision.h"
#include "provision_cred.h"

struct prov_setup {
	const char		*cmd;		/* the subcommand */
	struct prov_cfg		 cfg;
	struct prov_cred	 cr;
	const char		*log;		/* --log, or NULL */
	char			 db[1024];	/* the default inventory */
	char			 owner[300];	/* "host:pid" */
};

/* The defaults: instances, quotas, thresholds; the password options. */
void	 prov_setup_init(struct prov_setup *);
/*
 * Take the option name (long, without "--"): instances, poll-interval,
 * a quota or threshold (storage-quota, storage-warning,
 * storage-critical, transfer-quota, transfer-warning,
 * transfer-critical) or a credential's (prov_cred_opt).  Returns 0, or
 * -1 with err filled.
 */
int	 prov_setup_opt(struct prov_setup *, const char *, const char *,
	    struct clouddp_err *);
/*
 * Everything s->cmd needs before touching the network: thresholds
 * checked, --name, the inventory (it must exist unless cmd is create),
 * the owner and time of the run, and but for list the credentials and
 * the back end's timeout and log; manage: the management certificate
 * only (status, start, stop, delete).  Returns 0, or -1 with err filled.
 */
int	 prov_setup_prepare(struct prov_setup *, const struct clouddp_ctx *,
	    int, struct clouddp_err *);
/*
 * After the run: 0 when the --log file took every line, else -1 with
 * err saying the log (not the inventory) lost some.
 */
int	 prov_setup_log_check(const struct prov_setup *, struct clouddp_err *);
/* Wipe and free what prepare loaded; close the log. */
void	 prov_setup_cleanup(struct prov_setup *);

/* A progress display on stderr. */
struct prov_display {
	const char	*prog;
	int		 tty;		/* stderr is a terminal */
	int		 width;		/* its columns, when tty */
	double		 start;		/* loop_now() of the start */
	char		 shown[512];	/* the last line; "" none yet */
};

/* Start the clock of d. */
void	 prov_display_start(struct prov_display *, const char *, int);
/*
 * What to write to stderr for pp, into buf: on a terminal one line
 * redrawn in place (elapsed time, step, state, instance states) cut to
 * d->width; otherwise a plain line, when it changed since the last
 * ("" when not).
 */
void	 prov_display_format(struct prov_display *,
	    const struct prov_progress *, char *, size_t);

#endif /* CLOUDDP_PROVISION_SETUP_H */
