/*
 * A DP named on the command line (--dp NAME [--db PATH]) turned into
 * what the checking tools work on: the Service FQDN, the Azure FQDN, the
 * VIP and the service certificate's thumbprint, read from the inventory.
 * It never creates an inventory and never changes one.
 */
#ifndef CLOUDDP_DPREF_H
#define CLOUDDP_DPREF_H

#include "clouddp.h"
#include "inventory.h"

/* What a tool needs of one DP; strings "" when the inventory has none. */
struct dpref {
	char		 name[64];
	char		 fqdn[256];		/* Service FQDN */
	char		 target[256];		/* Azure FQDN */
	char		 vip[64];
	char		 thumbprint[64];	/* SHA-1, upper-case hex */
	enum inv_state	 state;
	char		 db[1024];		/* the inventory read */
};

/* Flags for dpref_get. */
#define DPREF_ANY_STATE	0x1	/* a DP not Ready is no error */

/*
 * Fill *ref with the DP name from the inventory at db (NULL: the
 * default path, inventory_default_path), which must exist already.
 * Returns 0, or -1 with err filled: no inventory at that path, no DP of
 * that name (CLOUDDP_ECONFIG, the hint says how to list them), a DP
 * that is not Ready, unless flags has DPREF_ANY_STATE (CLOUDDP_ECONFIG,
 * the state named, ref still filled), a Ready DP without its Azure FQDN
 * or VIP (CLOUDDP_ECONFIG), or an inventory that cannot be read
 * (CLOUDDP_EIO).  The messages name the DP and the inventory's path.
 */
int	 dpref_get(const char *, const char *, int, struct dpref *,
	    struct clouddp_err *);

/* What a tool reads of a DP: flags for dpref_need. */
#define DPREF_NEED_FQDN		0x1	/* the Service FQDN */
#define DPREF_NEED_TARGET	0x2	/* the Azure FQDN */
#define DPREF_NEED_VIP		0x4

/*
 * A DP read with DPREF_ANY_STATE is usable by a tool that reads what
 * need names.  Returns 0, after a warning on ctx's log when the DP is
 * not Ready ("DP X is stopped, not ready", then "; " and doing when it
 * is not NULL: what the tool does all the same), or -1 with err filled
 * (CLOUDDP_ECONFIG) naming the first of them the DP has not got yet.
 */
int	 dpref_need(const struct dpref *, int, const char *,
	    struct clouddp_ctx *, struct clouddp_err *);

#endif /* CLOUDDP_DPREF_H */
