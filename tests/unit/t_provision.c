/*
 * The usage thresholds of clouddp-provision status: percent of quota
 * against the warning and critical percentages, edges included.
 */
#include "config.h"

#include <stdio.h>

#include "clouddp.h"
#include "provision.h"
#include "../tap.h"

static void
test_usage(void)
{
	double	 pct;

	is_int(provision_usage_status(0, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_OK, "no use: ok");
	ok(pct == 0, "0 %%");
	is_int(provision_usage_status(999, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_OK, "just under the warning: ok");
	is_int(provision_usage_status(1000, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_WARNING, "at the warning: warning");
	ok(pct == 50, "50 %%");
	is_int(provision_usage_status(1799, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_WARNING, "under critical: warning");
	is_int(provision_usage_status(1800, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_CRITICAL, "at critical: critical");
	is_int(provision_usage_status(3, 1, 50, 90, &pct),
	    CLOUDDP_STATUS_CRITICAL, "over the quota: critical");
	ok(pct == 300, "300 %%");
	is_int(provision_usage_status(0.6, 1, 50, 90, &pct),
	    CLOUDDP_STATUS_WARNING, "a fraction of a GB counts");
}

int
main(void)
{
	test_usage();
	printf("1..%d\n", tap_n);
	return done_testing();
}
