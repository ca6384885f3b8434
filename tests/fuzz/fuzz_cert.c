/*
 * Certificate loading as every tool does it (cert_load_file: .pfx, .cer
 * in DER or base64, .pem, told apart by content) with a fixed password,
 * then every getter and check a tool runs on what loaded.  The OpenSSL
 * error queue must be left empty, and the DER must load back as the
 * same certificate.
 */
#include "config.h"

#include <openssl/err.h>

#include <string.h>

#include "clouddp.h"
#include "cert.h"
#include "report.h"
#include "fuzz.h"

/* The password of the seed .pfx files (tests/fuzz/corpus/cert). */
#define PASSWORD	"clouddp-fuzz"

const struct fuzz_target	 fuzz_target = { FUZZ_NEED_CERT, NULL };

static void
getters(const struct cert *c)
{
	char	 sha1[41], sha256[65];
	size_t	 i;

	cert_thumbprint_sha1(c, sha1);
	cert_thumbprint_sha256(c, sha256);
	FUZZ_ASSERT(strlen(sha1) == 40 && strlen(sha256) == 64);
	FUZZ_ASSERT(cert_subject(c) != NULL && cert_issuer(c) != NULL);
	for (i = 0; i < cert_nsans(c); i++)
		FUZZ_ASSERT(cert_san(c, i) != NULL);
	FUZZ_ASSERT(cert_ekus(c) != NULL && cert_key_type(c) != NULL);
	(void)cert_key_bits(c);
	(void)cert_is_self_signed(c);
	(void)cert_key_matches(c);
	(void)cert_name_matches(c, "dp1.contoso.com");
}

static void
checks(const struct cert *c, int service)
{
	struct cert_policy	 p = { 0 };
	struct report		*r;
	char			 fqdn[256];

	p.service = service;
	p.now = 1767225600;	/* 2026-01-01 */
	p.warn_days = 30;
	r = report_new("clouddp-cert");
	FUZZ_ASSERT(r != NULL);
	cert_check_all(c, &p, r, fqdn, sizeof(fqdn));
	FUZZ_ASSERT(memchr(fqdn, '\0', sizeof(fqdn)) != NULL);
	FUZZ_ASSERT(ERR_peek_error() == 0);
	cert_describe(c, p.now, report_root(r));
	report_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct clouddp_buf	 der = { NULL, 0, 0 };
	struct clouddp_err	 err;
	struct cert		*c, *again;
	char			 path[128];

	if (len > CERT_FILE_MAX || fuzz_file(data, len, "cert", path,
	    sizeof(path)) == -1)
		return 0;
	c = cert_load_file(path, PASSWORD, &err);
	FUZZ_ASSERT(ERR_peek_error() == 0);
	if (c == NULL) {
		FUZZ_ASSERT(err.what[0] != '\0');
		return 0;
	}
	getters(c);
	FUZZ_ASSERT(ERR_peek_error() == 0);
	checks(c, 1);
	FUZZ_ASSERT(ERR_peek_error() == 0);
	checks(c, 0);
	FUZZ_ASSERT(ERR_peek_error() == 0);
	FUZZ_ASSERT(cert_der(c, &der, &err) == 0);
	again = cert_from_der((const unsigned char *)der.data, der.len, &err);
	FUZZ_ASSERT(again != NULL && cert_equal(c, again));
	cert_free(again);
	clouddp_buf_free(&der);
	FUZZ_ASSERT(ERR_peek_error() == 0);
	cert_free(c);
	return 0;
}
