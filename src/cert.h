/*
 * Certificates: loading .pfx/.cer/.pem files, checking them, RFC 6125
 * name matching, thumbprints.  cert.c is the only place that parses
 * private keys, and it never touches the network.
 */
#ifndef CLOUDDP_CERT_H
#define CLOUDDP_CERT_H

#include "clouddp.h"

/* Load the OpenSSL default and legacy providers (Windows-exported .pfx
 * files use RC2-40 and 3DES).  Returns -1 with err filled on failure. */
int	 cert_global_init(struct clouddp_err *);
void	 cert_global_cleanup(void);

/*
 * The contract shared by clouddp-cert, clouddp-vip and the provisioner
 * (implemented with the clouddp-cert issue):
 *
 * struct cert: one X.509 certificate, with its private key when the
 * file held one.
 *
 * struct cert *cert_load_file(const char *path, const char *password,
 *     struct clouddp_err *err);
 *	.pfx/.p12 (password NULL means empty), .cer (DER or PEM), .pem.
 *	The leaf of a .pfx is the certificate whose key is in the bag.
 *	Wrong password: CLOUDDP_EPASSWORD; corrupt/truncated: CLOUDDP_ECERT.
 * struct cert *cert_from_der(const unsigned char *der, size_t len,
 *     struct clouddp_err *err);
 * void cert_free(struct cert *);
 * void cert_thumbprint_sha1(const struct cert *, char out[41]);
 *	upper-case hex, as Azure and ConfigMgr show it.
 * void cert_thumbprint_sha256(const struct cert *, char out[65]);
 * int cert_name_matches(const struct cert *, const char *fqdn);
 *	RFC 6125: SAN dNSNames when present (the CN is then ignored),
 *	else the CN; case-insensitive; a wildcard only as the whole
 *	left-most label, never across dots.  1 match, 0 no match.
 * int cert_pattern_matches(const char *pattern, const char *fqdn);
 *	the same rule for one name pattern.
 */

#endif /* CLOUDDP_CERT_H */
