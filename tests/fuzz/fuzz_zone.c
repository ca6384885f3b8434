/*
 * Zone files as clouddp-cname --zone-file reads them (zone.c on ldns):
 * load, then the conflict checks a new CNAME must pass.  The zone's
 * origin comes from a first line ";origin NAME" (a comment to any zone
 * parser, so seeds stay real zone files), else example.com.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "zone.h"
#include "fuzz.h"

#define TARGET	"d1594d4527614a09b934d470.cloudapp.net"

const struct fuzz_target	 fuzz_target = { 0, NULL };

/* The origin named on the first line into out, or example.com. */
static void
origin_of(const uint8_t *data, size_t len, char *out, size_t outlen)
{
	size_t	 n;

	snprintf(out, outlen, "example.com");
	if (len < 8 || memcmp(data, ";origin ", 8) != 0)
		return;
	for (n = 8; n < len && n - 8 < outlen - 1 && data[n] != '\n' &&
	    data[n] != '\0'; n++)
		;
	if (n > 8)
		snprintf(out, outlen, "%.*s", (int)(n - 8), data + 8);
}

static void
check(const struct zone_db *db, const char *label)
{
	struct clouddp_err	 err;
	enum zone_cname_state	 st;
	char			 fqdn[600];
	const char		*other;

	snprintf(fqdn, sizeof(fqdn), "%s%s%s", label, label[0] != '\0' ?
	    "." : "", zone_db_origin(db));
	st = zone_db_check_cname(db, fqdn, TARGET, &err);
	FUZZ_ASSERT(st == ZONE_CNAME_FREE || st == ZONE_CNAME_PRESENT ||
	    st == ZONE_CNAME_CONFLICT);
	if (st == ZONE_CNAME_CONFLICT)
		FUZZ_ASSERT(err.what[0] != '\0');
	other = zone_db_cname_elsewhere(db, fqdn, TARGET);
	FUZZ_ASSERT(other == NULL || st == ZONE_CNAME_CONFLICT);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct clouddp_err	 err;
	struct zone_db		*db;
	char			 path[128], origin[300];
	size_t			 i;

	origin_of(data, len, origin, sizeof(origin));
	if (fuzz_file(data, len, "zone.db", path, sizeof(path)) == -1)
		return 0;
	db = zone_db_load(path, origin, &err);
	if (db == NULL) {
		FUZZ_ASSERT(err.what[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(zone_db_origin(db) != NULL);
	for (i = 0; i < zone_db_nwarnings(db) && i < 20; i++)
		FUZZ_ASSERT(zone_db_warning(db, i) != NULL);
	check(db, "");
	check(db, "www");
	check(db, "newdp-test-x1");
	check(db, "a.b.c");
	check(db, "*");
	zone_db_free(db);
	return 0;
}
