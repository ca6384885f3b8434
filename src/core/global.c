/*
 * Process-wide set-up and tear-down: the only code that touches global
 * library state.  Each dependency's part lives in the module that owns it.
 */
#include "config.h"

#include <signal.h>

#include "clouddp.h"
#include "cert.h"
#include "http.h"
#include "resolve.h"
#include "xml.h"

int
clouddp_global_init(struct clouddp_err *err)
{
	/* A peer closing a socket must be an error return, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	if (cert_global_init(err) == -1)
		return -1;
	if (http_global_init(err) == -1)
		return -1;
	if (dns_global_init(err) == -1)
		return -1;
	xml_global_init();
	return 0;
}

void
clouddp_global_cleanup(void)
{
	xml_global_cleanup();
	dns_global_cleanup();
	http_global_cleanup();
	cert_global_cleanup();
}
