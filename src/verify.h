/*
 * Every check of one DP, at once, into one report: the service
 * certificate, both resolution stages on every resolver, every
 * authoritative server when asked, and the VIP (TCP, proxy, TLS, the
 * served certificate, HTTP).  The checks are the other modules' (cert,
 * resolve, vip, cname's record formats); verify.c only runs them
 * together on one event loop, so that a DP costs its slowest check, and
 * judges the chain FQDN -> target -> VIP as a whole.  It never prints.
 */
#ifndef CLOUDDP_VERIFY_H
#define CLOUDDP_VERIFY_H

#include <stddef.h>
#include <time.h>

#include "clouddp.h"
#include "cname.h"
#include "dpref.h"
#include "report.h"
#include "vip.h"

struct cert;
struct loop;
struct verify_junit;

/* One DP: what it should be.  Strings are copied by verify_run. */
struct verify_dp {
	const char	*fqdn;		/* the Service FQDN */
	const char	*target;	/* the Azure FQDN */
	const char	*vip;		/* NULL: found by stage 2 */
	const char	*thumbprint;	/* SHA-1 to be served, or NULL */
	const char	*name;		/* the inventory's DP name, or NULL */
	const char	*state;		/* its state, when not ready */
	const char	*db;		/* the inventory, for messages */
	unsigned long	 line;		/* --input line, 0: none */
};

/*
 * Point dp at what ref (from dpref_get) holds: names, VIP, thumbprint
 * (unless dp has one), the DP's name and inventory, its state when it
 * is not ready.  ref must outlive dp.
 */
void	 verify_dp_from_ref(struct verify_dp *, const struct dpref *);
/*
 * A SHA-1 thumbprint as given (40 hex digits, colons and blanks
 * allowed) into out, upper case.  Returns 0, or -1 with CLOUDDP_EUSAGE.
 */
int	 verify_thumbprint_parse(const char *, char[41], struct clouddp_err *);

/* How to check every DP; borrowed for the run. */
struct verify_cfg {
	const char *const	*resolvers;	/* "ADDR[:PORT]"; none: system */
	size_t			 nresolvers;
	unsigned		 dns_port;	/* 0, or for every server */
	int			 authoritative;
	struct vip_cfg		 probe;		/* port, proxy, cacert... */
	const struct cert	*service;	/* the service cert file */
	long			 crit_days;	/* certificate: CRITICAL within */
	enum cname_format	 format;	/* of the record to publish */
	double			 timeout;	/* DNS, per try; 0: default */
	size_t			 concurrency;	/* DPs at once */
	struct verify_junit	*junit;		/* each report, or NULL */
};

/*
 * Pull the next DP into *dp (strings valid until the next call).
 * Return 1 for a DP, 0 at the end, -1 with err filled for a bad one,
 * which is reported and ends the input.
 */
typedef int	(*verify_next_cb)(void *, struct verify_dp *,
		    struct clouddp_err *);
/*
 * One DP is done: its report, borrowed for the call; record is the
 * CNAME to publish in cfg's format when the CNAME does not exist yet
 * (pre-flight), else NULL.  r is NULL with err set when the DP could
 * not be checked at all (a bad name).
 */
typedef void	(*verify_emit_cb)(void *, struct report *, const char *,
		    const struct clouddp_err *);

/* Counts over a run, for the batch summary. */
struct verify_tally {
	size_t			 dps;
	size_t			 status[CLOUDDP_STATUS__MAX];
	double			 slowest;	/* seconds, one DP */
	double			 wall;		/* seconds, the run */
};

/*
 * Check every DP next() gives, cfg->concurrency at a time, on loop,
 * calling emit() as each DP completes (completion order).  Runs the
 * loop until all are done.  Returns 0 and fills the tally, or -1 with
 * err filled (out of memory, a bad --resolver, the loop failed).
 */
int	 verify_run(const struct verify_cfg *, struct loop *, verify_next_cb,
	    verify_emit_cb, void *, struct verify_tally *,
	    struct clouddp_err *);

/* The batch summary: dps, ok, warning, critical, unknown, wall_ms. */
int	 verify_summary(const struct verify_tally *, struct report *);

/* The worst status of the DPs tallied (OK when none). */
enum clouddp_status verify_tally_status(const struct verify_tally *);

/*
 * A run as a batch (verify_batch.c).  Set ctx, one (the DP of the
 * options, also the defaults of every input line), input_path and
 * junit_path, then verify_batch_open(); give verify_run()
 * verify_batch_next (the one DP once, or each line of the input) and
 * verify_batch_emit, which prints each DP's report to stdout as it ends
 * (with the record to publish, and a blank line after each text report
 * of an --input run); an --input --nagios run prints only its summary,
 * which names the worst DP.  A DP that could not be checked is said on
 * stderr.  A failed write to stdout sets stopped and stops loop.
 */
struct input;
struct vip_secrets;

struct verify_batch {
	const struct clouddp_ctx *ctx;
	struct loop		*loop;	/* what a failed write stops */
	struct verify_dp	 one;	/* --fqdn or --dp; the defaults */
	const char		*input_path;	/* --input, or NULL */
	const char		*junit_path;	/* --junit, or NULL */
	struct input		*in;	/* the open input, or NULL */
	int			 given;	/* one is still to be given */
	int			 stopped;	/* a write failed */
	struct report_worst	 worst;	/* for --nagios */
};

/*
 * Point cfg at ctx's settings (timeout, resolvers), load what sec names
 * into cfg (vip_secrets_load), open the input and the JUnit document.
 * Returns 0, or -1 with err filled.  The caller frees b->in
 * (input_free), sec (vip_secrets_clear) and cfg->junit.
 */
int	 verify_batch_open(struct verify_batch *, struct verify_cfg *,
	    struct vip_secrets *, struct clouddp_err *);
int	 verify_batch_next(void *, struct verify_dp *, struct clouddp_err *);
void	 verify_batch_emit(void *, struct report *, const char *,
	    const struct clouddp_err *);
/*
 * After verify_run: write the JUnit file, print an --input run's
 * summary (verify_summary, the interruption, the worst DP).  Returns
 * the exit status (UNKNOWN when stopped or interrupted in a batch), or
 * -1 with err filled: the JUnit file could not be written, an input
 * without DPs, a single DP interrupted.
 */
int	 verify_batch_end(struct verify_batch *, const struct verify_cfg *,
	    const struct verify_tally *, struct clouddp_err *);

/*
 * JUnit XML of a run (cfg->junit): one testsuite per DP, one testcase
 * per check, classname "clouddp-verify.STAGE"; CRITICAL checks are
 * failures, UNKNOWN ones errors, WARNING ones pass with the message in
 * system-out.  A DP that could not be checked is one testcase in error.
 */
struct verify_junit;

struct verify_junit *verify_junit_new(struct clouddp_err *);
void	 verify_junit_free(struct verify_junit *);
/*
 * Write the document to path: a temporary file in the same directory,
 * synced, then renamed into place.  Returns 0, or -1 with err filled
 * (CLOUDDP_EIO naming the path).
 */
int	 verify_junit_write(struct verify_junit *, const char *,
	    struct clouddp_err *);

#endif /* CLOUDDP_VERIFY_H */
