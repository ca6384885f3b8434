/*
 * TSIG key files (update.c's zone_tsig_load): BIND's
 * key "name" { algorithm ...; secret "..."; }; as clouddp-cname
 * --tsig-file and the emulator read it.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "update.h"
#include "fuzz.h"

const struct fuzz_target	 fuzz_target = { 0, NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct clouddp_err	 err;
	struct zone_tsig	*k;
	const char		*warning;
	char			 path[128];

	if (fuzz_file(data, len, "tsig.key", path, sizeof(path)) == -1)
		return 0;
	k = zone_tsig_load(path, &warning, &err);
	if (k == NULL) {
		FUZZ_ASSERT(err.what[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(warning == NULL);
	FUZZ_ASSERT(zone_tsig_name(k) != NULL && zone_tsig_name(k)[0] !=
	    '\0');
	zone_tsig_free(k);
	return 0;
}
