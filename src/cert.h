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

#endif /* CLOUDDP_CERT_H */
