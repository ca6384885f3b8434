/*
 * The .publishsettings parser (xml.c's strict parser and
 * publishsettings.c), and cert.c's decoding of each embedded PKCS#12
 * with the empty password, as clouddp-cert and the provisioner read
 * them.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "cert.h"
#include "publishsettings.h"
#include "fuzz.h"

const struct fuzz_target	 fuzz_target = {
	FUZZ_NEED_CERT | FUZZ_NEED_XML, NULL
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct publishsettings_sub	*s;
	struct publishsettings			*ps;
	struct clouddp_err			 err;
	struct cert				*c;
	size_t					 i;

	ps = publishsettings_parse((const char *)data, len, "fuzz", &err);
	if (ps == NULL) {
		FUZZ_ASSERT(err.what[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(publishsettings_count(ps) > 0);
	for (i = 0; i < publishsettings_count(ps); i++) {
		s = publishsettings_get(ps, i);
		FUZZ_ASSERT(s->id != NULL && s->name != NULL &&
		    s->url != NULL && s->certificate != NULL);
		FUZZ_ASSERT(publishsettings_find(ps, s->id) != NULL);
		c = cert_from_base64(s->certificate, strlen(s->certificate),
		    "", "fuzz", &err);
		cert_free(c);
	}
	publishsettings_free(ps);
	return 0;
}
