/*
 * The emulator's fault rules (--fault): which request of which
 * operation gets a fault instead of, or on top of, its normal answer.
 * Counting and the seeded random draw live here; what a fault does on
 * the wire is the front end's business.
 */
#ifndef CLOUDDP_EMU_FAULT_H
#define CLOUDDP_EMU_FAULT_H

#include "clouddp.h"

enum fault_kind {
	FAULT_BUSY = 0,		/* "busy": 503 ServerBusy */
	FAULT_THROTTLE,		/* "throttle[=S]": 429, Retry-After S */
	FAULT_INTERNAL,		/* "internal": 500 InternalError */
	FAULT_REDIRECT,		/* "redirect": 307 TemporaryRedirect */
	FAULT_FAIL_OP,		/* "fail-op": the operation goes Failed */
	FAULT_DROP,		/* "drop": connection closed mid-body */
	FAULT_STALL,		/* "stall[=S]": no answer for S seconds */
	FAULT_STORAGE_STUCK,	/* "storage-stuck": stays Creating */
	FAULT_INSTANCE_STUCK,	/* "instance-stuck": stays BusyRole */
	FAULT__MAX
};

struct fault_rule {
	char		 op[48];	/* operation name, or "any" */
	enum fault_kind	 kind;
	double		 arg;		/* seconds for throttle and stall */
	unsigned long	 times;		/* fire on the first N (0: off) */
	unsigned long	 every;		/* fire on every Nth (0: off) */
	double		 prob;		/* fire with this probability */
	unsigned long	 seen;		/* matching requests so far */
	unsigned long	 fired;
};

struct fault_set;

/* "busy"...; NULL past the end. */
const char	*fault_kind_name(enum fault_kind);

/* An empty set; the seed drives prob= draws.  NULL on ENOMEM. */
struct fault_set *fault_set_new(unsigned long, struct clouddp_err *);
void		 fault_set_free(struct fault_set *);

/*
 * Add the rule OP:KIND[=ARG][:WHEN], WHEN one of times=N, every=N,
 * prob=P (default times=1).  ops, a NULL-terminated list, names the
 * valid operations ("any" is always valid).  Returns 0, or -1 with err
 * filled (CLOUDDP_EUSAGE naming the rule).
 */
int		 fault_set_add(struct fault_set *, const char *,
		    const char *const *, struct clouddp_err *);

/*
 * Count one request of operation op and return the first rule that
 * fires for it (rules in the order added), or NULL.  Every rule for op
 * counts the request, whether or not an earlier one fired.
 */
const struct fault_rule *fault_set_match(struct fault_set *, const char *);

#endif /* CLOUDDP_EMU_FAULT_H */
