/*
 * Certificates: loading .pfx/.cer/.pem files, checking them, RFC 6125
 * name matching, thumbprints.  cert.c is the only place that parses
 * private keys, and it never touches the network.
 */
#ifndef CLOUDDP_CERT_H
#define CLOUDDP_CERT_H

#include <stddef.h>
#include <time.h>

#include "clouddp.h"

/* Load the OpenSSL default and legacy providers (Windows-exported .pfx
 * files use RC2-40 and 3DES).  Returns -1 with err filled on failure. */
int	 cert_global_init(struct clouddp_err *);
void	 cert_global_cleanup(void);

/*
 * One X.509 certificate (the leaf), with its private key when the file
 * held one, and the other certificates of its bag.  Opaque; the
 * getters below return borrowed values valid while the cert lives.
 */
struct cert;
struct report;
struct report_obj;

/* Files larger than this are refused before parsing. */
#define CERT_FILE_MAX	(1024 * 1024)

/*
 * Load path: a .pfx/.p12 (PKCS#12, DER), a .cer (DER, or base64 with or
 * without PEM armour) or a .pem (certificates, and a private key if
 * present).  The format is found from the content, not the name.
 * password is the .pfx password; NULL means empty, and an empty
 * password also tries the "no password" encoding Windows may write.
 * The leaf of a .pfx is the certificate whose key is in the bag, in
 * whatever order the bag holds the chain.  Returns a new cert, or NULL
 * with err filled: CLOUDDP_EIO (unreadable), CLOUDDP_EPASSWORD (wrong
 * password: "wrong password for NAME.pfx"), CLOUDDP_ECERT (corrupt,
 * truncated, not a certificate, no certificate in the bag, or an
 * encryption algorithm this OpenSSL cannot decrypt).  The OpenSSL error
 * queue is always left empty.
 */
struct cert	*cert_load_file(const char *, const char *,
		    struct clouddp_err *);

/*
 * The same for bytes in memory.  name is used in messages only (a file
 * name or "publishsettings subscription X").
 */
struct cert	*cert_from_pkcs12(const unsigned char *, size_t,
		    const char *, const char *, struct clouddp_err *);
/*
 * Base64 (whitespace allowed) of a PKCS#12 or of a DER certificate, as
 * a .publishsettings file or a bare-base64 .cer holds it; otherwise as
 * cert_from_pkcs12.
 */
struct cert	*cert_from_base64(const char *, size_t, const char *,
		    const char *, struct clouddp_err *);
/* One DER certificate, no key.  NULL with CLOUDDP_ECERT on bad input. */
struct cert	*cert_from_der(const unsigned char *, size_t,
		    struct clouddp_err *);
/* PEM text: the first certificate, no key (e.g. one from curl's
 * CURLINFO_CERTINFO).  NULL with CLOUDDP_ECERT on bad input. */
struct cert	*cert_from_pem(const char *, size_t, struct clouddp_err *);
/* Free a cert, wiping its private key; NULL does nothing. */
void		 cert_free(struct cert *);

/* Upper-case hex of the DER's SHA-1, as Azure and ConfigMgr show it. */
void	 cert_thumbprint_sha1(const struct cert *, char[41]);
/* Upper-case hex of the DER's SHA-256. */
void	 cert_thumbprint_sha256(const struct cert *, char[65]);
/* The leaf's DER (public certificate only) into out, replacing its
 * contents.  Returns 0, or -1 on ENOMEM. */
int	 cert_der(const struct cert *, struct clouddp_buf *,
	    struct clouddp_err *);
/* 1 when both hold the same certificate (same DER), else 0. */
int	 cert_equal(const struct cert *, const struct cert *);

/*
 * RFC 6125 name check: against the SAN dNSNames when there are any (the
 * CN is then ignored, as clients do), else against the subject CN.
 * Case-insensitive; one trailing dot on fqdn is ignored.  1 match,
 * 0 no match.
 */
int	 cert_name_matches(const struct cert *, const char *);
/*
 * The same rule for one name pattern: a wildcard only as the whole
 * left-most label ("*.contoso.com"), matching exactly one label (never
 * across dots, never the bare parent), and only with at least two
 * labels after it.  1 match, 0 no match.
 */
int	 cert_pattern_matches(const char *, const char *);
/* 1 when the pattern's left-most label is "*". */
int	 cert_pattern_is_wildcard(const char *);

/*
 * Getters.  Strings are borrowed; NULL when the certificate has no such
 * field (cert_cn without a CN, cert_pfx_* for a file that was no .pfx).
 */
const char	*cert_cn(const struct cert *);
const char	*cert_subject(const struct cert *);	/* RFC 2253 */
const char	*cert_issuer(const struct cert *);	/* RFC 2253 */
const char	*cert_serial(const struct cert *);	/* upper-case hex */
size_t		 cert_nsans(const struct cert *);
const char	*cert_san(const struct cert *, size_t);	/* dNSName i */
time_t		 cert_not_before(const struct cert *);
time_t		 cert_not_after(const struct cert *);
/* "RSA", "EC", "Ed25519"... and the key size in bits. */
const char	*cert_key_type(const struct cert *);
int		 cert_key_bits(const struct cert *);
/* 1 when the certificate is signed by its own key. */
int		 cert_is_self_signed(const struct cert *);
/* 1 when the file held a private key; 1 when that key matches the
 * certificate's public key (0 without a key). */
int		 cert_has_key(const struct cert *);
int		 cert_key_matches(const struct cert *);
/* Number of other certificates in the bag (the chain). */
size_t		 cert_nchain(const struct cert *);
/* 1 when the extended key usage lists oid ("1.3.6.1.5.5.7.3.1"); 0 when
 * not, or when the certificate has no EKU extension. */
int		 cert_has_eku(const struct cert *, const char *);
/* The EKUs as "serverAuth, clientAuth" (short names or dotted oids);
 * "" without the extension. */
const char	*cert_ekus(const struct cert *);

/*
 * How a .pfx was protected, e.g. "PBES2/AES-256-CBC" or
 * "pbeWithSHA1And40BitRC2-CBC", for the certificates and the key, and
 * its MAC digest ("sha256"); "none" when that part was not encrypted.
 * cert_pfx_is_pbes2() is 1 when any part uses PBES2 (the AES encoding
 * of OpenSSL 3 and Windows Server 2019+, which Azure's classic API
 * refuses).
 */
const char	*cert_pfx_cert_cipher(const struct cert *);
const char	*cert_pfx_key_cipher(const struct cert *);
const char	*cert_pfx_mac(const struct cert *);
int		 cert_pfx_is_pbes2(const struct cert *);

/*
 * The certificate, its chain and its private key as a new .pfx in the
 * form Azure's classic API accepts: certificates and key encrypted with
 * pbeWithSHA1And3-KeyTripleDES-CBC, a SHA-1 MAC, under password (NULL:
 * empty), into out (replacing its contents).  For a file that
 * cert_pfx_is_pbes2() says the API would refuse.  The key is encrypted
 * before it leaves OpenSSL; no clear copy outlives the call.  Returns 0,
 * or -1 with err filled (CLOUDDP_ECERT: no private key).
 */
int		 cert_pfx_reencrypt(const struct cert *, const char *,
		    struct clouddp_buf *, struct clouddp_err *);

/*
 * Checks.  Each fills one finding: the status it deserves and a
 * message saying what was found and, when not OK, what to do.  now is
 * the current time (only mains call time()).
 */
struct cert_finding {
	const char		*check;	/* "validity", static */
	enum clouddp_status	 status;
	char			 message[384];
};

/* Not yet valid or expired: CRITICAL; expiring within warn_days:
 * WARNING; else OK with the dates and days left. */
void	 cert_check_validity(const struct cert *, time_t, long,
	    struct cert_finding *);
/* The same, and CRITICAL too when expiring within crit_days (the last
 * argument but one; 0: only once expired). */
void	 cert_check_validity_days(const struct cert *, time_t, long, long,
	    struct cert_finding *);
/* RSA of at least min_bits: OK, else CRITICAL. */
void	 cert_check_key_size(const struct cert *, int,
	    struct cert_finding *);
/* The file held a private key and it matches the certificate. */
void	 cert_check_private_key(const struct cert *, struct cert_finding *);
/* The EKU includes Server Authentication (1.3.6.1.5.5.7.3.1). */
void	 cert_check_server_auth(const struct cert *, struct cert_finding *);
/*
 * Derive the Service FQDN from the subject CN and check it against the
 * certificate.  fqdn is what --fqdn gave, or NULL.  A wildcard CN needs
 * fqdn inside it (then WARNING: testing only); a given fqdn must be
 * covered; SAN dNSNames, when present, must include the FQDN.  Without
 * a CN (a SAN-only certificate) the one SAN DNS name, or fqdn among
 * several, is the FQDN, with a WARNING: ConfigMgr reads the CN.  out
 * receives the derived FQDN in lower case, without a trailing dot (""
 * when none could be derived).
 */
void	 cert_check_service_name(const struct cert *, const char *, char *,
	    size_t, struct cert_finding *);
/* Whether Azure's classic API takes the .pfx as it is (PBES2: WARNING). */
void	 cert_check_pfx_encoding(const struct cert *,
	    struct cert_finding *);
/* The .cer holds the same certificate as the .pfx (thumbprints). */
void	 cert_check_same(const struct cert *, const char *,
	    const struct cert *, const char *, struct cert_finding *);

/*
 * Add the certificate's facts to obj (a report object): subject, sans,
 * issuer, self_signed, serial, not_before, not_after (ISO 8601 UTC),
 * days_left (from now), key_type, key_bits, ekus, thumbprint_sha1,
 * thumbprint_sha256 and, for a .pfx, pfx_cert_encryption,
 * pfx_key_encryption, pfx_mac, chain_certificates.  Returns 0, or -1
 * on ENOMEM.
 */
int	 cert_describe(const struct cert *, time_t, struct report_obj *);

/* What cert_check_all checks against. */
struct cert_policy {
	int		 service;	/* 1 service cert, 0 management */
	const char	*fqdn;		/* --fqdn, or NULL */
	time_t		 now;
	long		 warn_days;
	const char	*prefix;	/* before each message, or NULL */
	long		 crit_days;	/* CRITICAL within; 0: once expired */
};

/*
 * Run every check of a service certificate (service_fqdn, server_auth,
 * private_key, key_size >= 2048, validity, issuer, pfx_encoding) or of
 * a management certificate (private_key, key_size, validity) and add
 * the findings to report r.  For a service certificate the derived
 * Service FQDN goes to fqdn ("" when none).
 */
void	 cert_check_all(const struct cert *, const struct cert_policy *,
	    struct report *, char *, size_t);

/*
 * Add the monitoring perfdata 'days_left' (rounded down, negative once
 * expired) to r, with p's warn_days and crit_days as range thresholds
 * ("30:" alerts below 30): 'days_left'=799;30:;0:.
 */
void	 cert_perf_days_left(const struct cert *, const struct cert_policy *,
	    struct report *);

/*
 * Whether chain (leaf first, as a TLS server sends it) leads to a trust
 * anchor in cafile, or in OpenSSL's default store (the system's) when
 * cafile is NULL, for TLS server use.  Dates are not judged here, so an
 * expired leaf from a trusted CA is "trusted": cert_check_validity says
 * the rest.  Returns 1 trusted, 0 not (why gets OpenSSL's reason, e.g.
 * "unable to get local issuer certificate"), or -1 with err filled
 * (CLOUDDP_ECONFIG when cafile holds no certificate).
 */
int	 cert_chain_verify(const struct cert *const *, size_t, const char *,
	    char *, size_t, struct clouddp_err *);

/*
 * Put the certificate c (a struct cert *, the tls_arg of an http
 * request), its private key and its chain into ssl_ctx, an OpenSSL
 * SSL_CTX * passed as void * so that callers need no OpenSSL header:
 * the client certificate for mutual TLS.  Shaped as http.h's
 * http_tls_cb.  The key goes from this module's EVP_PKEY to the TLS
 * library by reference: no PEM or DER copy of it is ever made.
 * Returns 0, or -1 with err filled (CLOUDDP_ECERT: no key, or a key the
 * certificate does not match).  The OpenSSL error queue is left empty.
 */
int	 cert_tls_client_use(void *, const void *, struct clouddp_err *);

/*
 * The certificate and its chain (leaf first), and its private key, as
 * PEM into cert_pem and key_pem (replacing their contents), for a TLS
 * server library that takes PEM (libmicrohttpd).  key_pem holds the key
 * in clear: free it with clouddp_buf_free(), which wipes it.  Returns 0,
 * or -1 with err filled (CLOUDDP_ECERT: no key).
 */
int	 cert_pem_export(const struct cert *, struct clouddp_buf *,
	    struct clouddp_buf *, struct clouddp_err *);

#endif /* CLOUDDP_CERT_H */
