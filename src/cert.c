/*
 * Certificates.  The only file that includes OpenSSL's X509 and PKCS#12
 * headers and the only place private keys are parsed; it never touches
 * the network.
 */
#include "config.h"

#include <openssl/err.h>
#include <openssl/provider.h>

#include "clouddp.h"
#include "cert.h"

static OSSL_PROVIDER	*legacy_provider;
static OSSL_PROVIDER	*default_provider;

int
cert_global_init(struct clouddp_err *err)
{
	if (default_provider == NULL)
		default_provider = OSSL_PROVIDER_load(NULL, "default");
	if (default_provider == NULL)
		return clouddp_errf(err, CLOUDDP_EINTERNAL,
		    "check the OpenSSL installation (libssl3)",
		    "cannot load the OpenSSL default provider");
	/*
	 * Without the legacy provider RC2-40 and 3DES .pfx files fail to
	 * decrypt with an error that looks like a wrong password.  Its
	 * absence is reported when such a file is loaded, not here.
	 */
	if (legacy_provider == NULL)
		legacy_provider = OSSL_PROVIDER_load(NULL, "legacy");
	ERR_clear_error();
	return 0;
}

void
cert_global_cleanup(void)
{
	if (legacy_provider != NULL)
		OSSL_PROVIDER_unload(legacy_provider);
	if (default_provider != NULL)
		OSSL_PROVIDER_unload(default_provider);
	legacy_provider = default_provider = NULL;
}
