/*
 * --dp NAME [--db PATH]: one DP of the inventory as the checking tools
 * need it.  Reads only; an inventory that does not exist is an error
 * here, never a new empty file.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "dpref.h"
#include "inventory.h"
#include "log.h"

static int
find_db(const char *db, struct dpref *ref, struct clouddp_err *err)
{
	struct stat	 st;
	int		 n;

	if (db == NULL) {
		if (inventory_default_path(ref->db, sizeof(ref->db),
		    err) == -1)
			return -1;
	} else {
		n = snprintf(ref->db, sizeof(ref->db), "%s", db);
		if (n < 0 || (size_t)n >= sizeof(ref->db))
			return clouddp_errf(err, CLOUDDP_ECONFIG,
			    "pass a shorter --db", "inventory path too long");
	}
	if (stat(ref->db, &st) == -1)
		return clouddp_errf(err, errno == ENOENT ? CLOUDDP_ECONFIG :
		    CLOUDDP_EIO, "pass the inventory clouddp-provision wrote "
		    "with --db PATH, or give the names instead of --dp",
		    "%s: no inventory: %s", ref->db, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return clouddp_errf(err, CLOUDDP_ECONFIG, "pass the "
		    "inventory file with --db PATH", "%s: not a file",
		    ref->db);
	return 0;
}

static void
copy_dp(const struct inv_dp *dp, struct dpref *ref)
{
	snprintf(ref->name, sizeof(ref->name), "%s", dp->name);
	snprintf(ref->fqdn, sizeof(ref->fqdn), "%s", dp->service_fqdn);
	snprintf(ref->target, sizeof(ref->target), "%s", dp->azure_fqdn);
	snprintf(ref->vip, sizeof(ref->vip), "%s", dp->vip);
	snprintf(ref->thumbprint, sizeof(ref->thumbprint), "%s",
	    dp->service_thumbprint);
	ref->state = dp->state;
}

/* A DP that is not Ready, or Ready without what the tools need. */
static int
check_state(const struct dpref *ref, int flags, struct clouddp_err *err)
{
	char	 hint[256];

	if (ref->state != INV_STATE_READY) {
		if (flags & DPREF_ANY_STATE)
			return 0;
		snprintf(hint, sizeof(hint), "see 'clouddp-provision status "
		    "--name %s'; start or resume it until it is ready",
		    ref->name);
		return clouddp_errf(err, CLOUDDP_ECONFIG, hint,
		    "%s: DP %s is %s, not ready", ref->db, ref->name,
		    inventory_state_name(ref->state));
	}
	if (ref->target[0] == '\0' || ref->vip[0] == '\0')
		return clouddp_errf(err, CLOUDDP_ECONFIG, "run "
		    "'clouddp-provision create' again to record them",
		    "%s: DP %s is ready but has no %s recorded", ref->db,
		    ref->name, ref->target[0] == '\0' ? "Azure FQDN" : "VIP");
	return 0;
}

int
dpref_get(const char *db, const char *name, int flags, struct dpref *ref,
    struct clouddp_err *err)
{
	struct inventory	*inv = NULL;
	struct inv_dp		 dp;
	int			 rc, ret = -1;

	memset(ref, 0, sizeof(*ref));
	if (find_db(db, ref, err) == -1)
		goto out;
	inv = inventory_open(ref->db, err);
	if (inv == NULL)
		goto out;
	rc = inventory_dp_get(inv, name, &dp, err);
	if (rc == -1)
		goto out;
	if (rc == 1) {
		clouddp_errf(err, CLOUDDP_ECONFIG, "'clouddp-provision list' "
		    "shows the DPs this inventory knows",
		    "%s: no DP named '%s'", ref->db, name);
		goto out;
	}
	copy_dp(&dp, ref);
	ret = check_state(ref, flags, err);
out:
	inventory_free(inv);
	return ret;
}

int
dpref_need(const struct dpref *ref, int need, const char *doing,
    struct clouddp_ctx *ctx, struct clouddp_err *err)
{
	const char	*no = NULL;

	if ((need & DPREF_NEED_FQDN) && ref->fqdn[0] == '\0')
		no = "Service FQDN";
	else if ((need & DPREF_NEED_TARGET) && ref->target[0] == '\0')
		no = "Azure FQDN";
	else if ((need & DPREF_NEED_VIP) && ref->vip[0] == '\0')
		no = "VIP";
	if (no != NULL)
		return clouddp_errf(err, CLOUDDP_ECONFIG, "wait until "
		    "clouddp-provision has made it ready", "%s: DP %s is %s "
		    "and has no %s yet", ref->db, ref->name,
		    inventory_state_name(ref->state), no);
	if (ref->state != INV_STATE_READY)
		log_warn(ctx, "%s: DP %s is %s, not ready%s%s", ref->db,
		    ref->name, inventory_state_name(ref->state),
		    doing != NULL ? "; " : "", doing != NULL ? doing : "");
	return 0;
}
