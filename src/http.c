/*
 * HTTP through libcurl.  The only file that includes curl/curl.h; tools
 * and other modules see opaque requests and results.
 */
#include "config.h"

#include <curl/curl.h>

#include "clouddp.h"
#include "http.h"

int
http_global_init(struct clouddp_err *err)
{
	CURLcode	 rc;

	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot initialise libcurl: %s", curl_easy_strerror(rc));
	return 0;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}
