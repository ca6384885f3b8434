/*
 * What clouddp-cert checks of one file: a service certificate .pfx
 * (against a DP of the inventory when one is named), a management
 * certificate .pfx with the .cer uploaded to Azure, or a
 * .publishsettings file.  Findings go to a report; nothing is printed.
 */
#ifndef CLOUDDP_CERT_CHECK_H
#define CLOUDDP_CERT_CHECK_H

#include <time.h>

#include "clouddp.h"

struct report;

/* Exactly one of service, management and publishsettings is set. */
struct cert_check_cfg {
	const char	*service;	/* the service certificate .pfx */
	const char	*management;	/* the management certificate .pfx */
	const char	*cer;		/* its .cer, or NULL */
	const char	*publishsettings;
	const char	*subscription;	/* only this one, or NULL */
	const char	*fqdn;		/* the Service FQDN, or NULL */
	long		 warn_days;
	long		 crit_days;	/* 0: CRITICAL once expired */
	time_t		 now;
};

/*
 * Check the file cfg names and add the findings, the certificate's
 * facts and the days_left perfdata to r.  A .pfx password comes from
 * ctx->secret.  With ctx->dp the service certificate must be the one
 * that DP of the inventory ctx->db (NULL: the default) was deployed
 * with, and the DP's Service FQDN is the one checked (a DP not Ready
 * gets a warning on ctx's log).  Returns 0, or -1 with err filled: a
 * file that cannot be read or parsed, a wrong password, an unknown
 * subscription, or a DP without a service certificate recorded
 * (CLOUDDP_ECONFIG) or not in the inventory (as dpref_get).
 */
int	 cert_check_run(const struct cert_check_cfg *, struct clouddp_ctx *,
	    struct report *, struct clouddp_err *);

#endif /* CLOUDDP_CERT_CHECK_H */
