/*
 * The resolution engine on c-ares.  The only file that includes ares.h.
 */
#include "config.h"

#include <ares.h>

#include "clouddp.h"
#include "resolve.h"

int
dns_global_init(struct clouddp_err *err)
{
	int	 rc;

	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot initialise c-ares: %s", ares_strerror(rc));
	return 0;
}

void
dns_global_cleanup(void)
{
	ares_library_cleanup();
}
