/*
 * Certificates.  The only file that includes OpenSSL's X509 and PKCS#12
 * headers and the only place private keys are parsed; it never touches
 * the network.  Every OpenSSL failure is translated into one clouddp_err
 * and the OpenSSL error queue is left empty.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "clouddp.h"
#include "cert.h"
#include "report.h"

#define SERVER_AUTH_OID	"1.3.6.1.5.5.7.3.1"

struct cert {
	X509		*x509;
	EVP_PKEY	*key;
	STACK_OF(X509)	*chain;
	char		*cn;
	char		*subject;
	char		*issuer;
	char		*serial;
	char		**sans;
	size_t		 nsans;
	struct clouddp_buf ekus;	/* "serverAuth, clientAuth" */
	struct clouddp_buf eku_oids;	/* " 1.3.6... 1.3.6... " */
	time_t		 not_before;
	time_t		 not_after;
	const char	*key_type;
	int		 key_bits;
	int		 self_signed;
	int		 key_matches;
	int		 key_how;	/* enum pfx_how: a key not decrypted */
	int		 key_no_mac;	/* ... in a .pfx without a MAC */
	int		 is_pfx;
	int		 pbes2;
	char		 pfx_cert_cipher[64];
	char		 pfx_key_cipher[64];
	char		 pfx_mac[32];
	char		 sha1[41];
	char		 sha256[65];
};

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

void
cert_free(struct cert *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	X509_free(c->x509);
	EVP_PKEY_free(c->key);	/* OpenSSL cleanses key material */
	sk_X509_pop_free(c->chain, X509_free);
	free(c->cn);
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	for (i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	free(c->sans);
	clouddp_buf_free(&c->ekus);
	clouddp_buf_free(&c->eku_oids);
	free(c);
}

static char *
name_text(const X509_NAME *name)
{
	BIO	*bio;
	char	*data, *s = NULL;
	long	 len;

	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return NULL;
	if (X509_NAME_print_ex(bio, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		len = BIO_get_mem_data(bio, &data);
		s = strndup(len > 0 ? data : "", len > 0 ? (size_t)len : 0);
	}
	BIO_free(bio);
	return s;
}

/* A UTF-8 copy of an ASN.1 string; NULL if it holds a NUL byte. */
static char *
asn1_text(const ASN1_STRING *str)
{
	unsigned char	*utf8 = NULL;
	char		*s = NULL;
	int		 len;

	len = ASN1_STRING_to_UTF8(&utf8, str);
	if (len < 0)
		return NULL;
	if (memchr(utf8, '\0', (size_t)len) == NULL)
		s = strndup((char *)utf8, (size_t)len);
	OPENSSL_free(utf8);
	return s;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static void
hex_digest(const X509 *x, const EVP_MD *md, char *out, size_t outlen)
{
	unsigned char	 buf[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0, i;

	out[0] = '\0';
	if (X509_digest(x, md, buf, &n) != 1)
		return;
	for (i = 0; i < n && 2 * i + 2 < outlen; i++)
		snprintf(out + 2 * i, 3, "%02X", buf[i]);
}

static int
fill_cn(struct cert *c)
{
	const X509_NAME	*name;
	int		 pos = -1, last = -1;

	name = X509_get_subject_name(c->x509);
	for (;;) {
		pos = X509_NAME_get_index_by_NID(name, NID_commonName, pos);
		if (pos < 0)
			break;
		last = pos;
	}
	if (last < 0)
		return 0;
	/* The most specific (last) CN is the one clients look at. */
	c->cn = asn1_text(X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, last)));
	return 0;
}

static int
fill_sans(struct cert *c)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gen;
	char		*s;
	int		 i, n, rc = -1;

	gens = X509_get_ext_d2i(c->x509, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return 0;
	n = sk_GENERAL_NAME_num(gens);
	c->sans = calloc((size_t)n + 1, sizeof(*c->sans));
	if (c->sans == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type != GEN_DNS)
			continue;
		/* A name with a NUL inside is an attack; drop it. */
		s = asn1_text(gen->d.dNSName);
		if (s != NULL)
			c->sans[c->nsans++] = s;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

static int
fill_ekus(struct cert *c)
{
	EXTENDED_KEY_USAGE	*eku;
	const ASN1_OBJECT	*obj;
	char			 oid[80];
	const char		*sn;
	int			 i, nid, rc = 0;

	eku = X509_get_ext_d2i(c->x509, NID_ext_key_usage, NULL, NULL);
	if (clouddp_buf_append(&c->ekus, "", 0, NULL) == -1 ||
	    clouddp_buf_append(&c->eku_oids, " ", 1, NULL) == -1)
		rc = -1;
	for (i = 0; eku != NULL && rc == 0 &&
	    i < sk_ASN1_OBJECT_num(eku); i++) {
		obj = sk_ASN1_OBJECT_value(eku, i);
		OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		nid = OBJ_obj2nid(obj);
		sn = nid != NID_undef ? OBJ_nid2sn(nid) : oid;
		if (clouddp_buf_printf(&c->ekus, NULL, "%s%s",
		    i > 0 ? ", " : "", sn) == -1 ||
		    clouddp_buf_printf(&c->eku_oids, NULL, "%s ", oid) == -1)
			rc = -1;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return rc;
}

static const char *
key_type_name(const EVP_PKEY *pkey)
{
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		return "RSA";
	case EVP_PKEY_RSA_PSS:
		return "RSA-PSS";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_DSA:
		return "DSA";
	case EVP_PKEY_ED25519:
		return "Ed25519";
	case EVP_PKEY_ED448:
		return "Ed448";
	default:
		return "unknown";
	}
}

/* Fill every derived field of c from c->x509 and c->key. */
static int
cert_fill(struct cert *c, struct clouddp_err *err)
{
	const ASN1_INTEGER	*serial;
	EVP_PKEY		*pub;
	BIGNUM			*bn;
	char			*hex;

	c->subject = name_text(X509_get_subject_name(c->x509));
	c->issuer = name_text(X509_get_issuer_name(c->x509));
	if (c->subject == NULL || c->issuer == NULL || fill_cn(c) == -1 ||
	    fill_sans(c) == -1 || fill_ekus(c) == -1)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory reading a certificate");
	serial = X509_get0_serialNumber(c->x509);
	bn = ASN1_INTEGER_to_BN(serial, NULL);
	hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	c->serial = strdup(hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
	c->not_before = asn1_time(X509_get0_notBefore(c->x509));
	c->not_after = asn1_time(X509_get0_notAfter(c->x509));
	pub = X509_get0_pubkey(c->x509);
	c->key_type = pub != NULL ? key_type_name(pub) : "unknown";
	c->key_bits = pub != NULL ? EVP_PKEY_get_bits(pub) : 0;
	c->self_signed = X509_self_signed(c->x509, 1) == 1;
	c->key_matches = c->key != NULL &&
	    X509_check_private_key(c->x509, c->key) == 1;
	hex_digest(c->x509, EVP_sha1(), c->sha1, sizeof(c->sha1));
	hex_digest(c->x509, EVP_sha256(), c->sha256, sizeof(c->sha256));
	ERR_clear_error();
	if (c->serial == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory reading a certificate");
	return 0;
}

static struct cert *
cert_new(X509 *x, EVP_PKEY *key, STACK_OF(X509) *chain,
    struct clouddp_err *err)
{
	struct cert	*c;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		X509_free(x);
		EVP_PKEY_free(key);
		sk_X509_pop_free(chain, X509_free);
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	c->x509 = x;
	c->key = key;
	c->chain = chain;
	if (cert_fill(c, err) == -1) {
		cert_free(c);
		return NULL;
	}
	return c;
}

struct cert *
cert_from_der(const unsigned char *der, size_t len, struct clouddp_err *err)
{
	const unsigned char	*p = der;
	X509			*x;

	x = len <= CERT_FILE_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
	ERR_clear_error();
	if (x == NULL) {
		clouddp_errf(err, CLOUDDP_ECERT,
		    "give a DER or PEM encoded X.509 certificate",
		    "not a valid DER certificate");
		return NULL;
	}
	return cert_new(x, NULL, NULL, err);
}

/* Read the certificates, and a key if any, from PEM text. */
static int
pem_read_all(const char *pem, size_t len, const char *password,
    STACK_OF(X509) **certs, EVP_PKEY **key)
{
	BIO	*bio;
	X509	*x;

	*certs = sk_X509_new_null();
	bio = BIO_new_mem_buf(pem, (int)len);
	if (*certs == NULL || bio == NULL)
		goto out;
	for (;;) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (x == NULL)
			break;
		if (sk_X509_push(*certs, x) == 0) {
			X509_free(x);
			break;
		}
	}
	if (key != NULL) {
		BIO_free(bio);
		bio = BIO_new_mem_buf(pem, (int)len);
		if (bio != NULL)
			*key = PEM_read_bio_PrivateKey(bio, NULL, NULL,
			    (void *)(uintptr_t)(password != NULL ?
			    password : ""));
	}
out:
	BIO_free(bio);
	ERR_clear_error();
	return *certs != NULL && sk_X509_num(*certs) > 0 ? 0 : -1;
}

struct cert *
cert_from_pem(const char *pem, size_t len, struct clouddp_err *err)
{
	STACK_OF(X509)	*certs = NULL;
	X509		*x;

	if (len > CERT_FILE_MAX ||
	    pem_read_all(pem, len, NULL, &certs, NULL) == -1) {
		sk_X509_pop_free(certs, X509_free);
		clouddp_errf(err, CLOUDDP_ECERT,
		    "give a PEM encoded X.509 certificate",
		    "no valid PEM certificate found");
		return NULL;
	}
	x = sk_X509_shift(certs);
	sk_X509_pop_free(certs, X509_free);
	return cert_new(x, NULL, NULL, err);
}

/*
 * Take the leaf out of certs: the one whose key is key, else (no key,
 * or a key that fits none) the one that issued no other certificate of
 * the bag.  The rest stays in certs as the chain.
 */
static X509 *
leaf_take(STACK_OF(X509) *certs, EVP_PKEY *key)
{
	X509	*x, *y;
	int	 i, j, n, issuer;

	n = sk_X509_num(certs);
	for (i = 0; key != NULL && i < n; i++) {
		x = sk_X509_value(certs, i);
		if (X509_check_private_key(x, key) == 1) {
			ERR_clear_error();
			return sk_X509_delete(certs, i);
		}
	}
	ERR_clear_error();
	for (i = 0; i < n; i++) {
		x = sk_X509_value(certs, i);
		issuer = 0;
		for (j = 0; j < n && !issuer; j++) {
			y = sk_X509_value(certs, j);
			issuer = i != j && X509_check_issued(x, y) == X509_V_OK;
		}
		if (!issuer)
			return sk_X509_delete(certs, i);
	}
	return n > 0 ? sk_X509_delete(certs, 0) : NULL;
}

/* "PBES2/AES-256-CBC" or the PBE's long name, for an encryption alg. */
static void
alg_describe(const X509_ALGOR *alg, char *out, size_t outlen, int *pbes2)
{
	const ASN1_OBJECT	*obj;
	const void		*pval;
	PBE2PARAM		*p2 = NULL;
	int			 ptype, nid;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	nid = OBJ_obj2nid(obj);
	if (nid != NID_pbes2) {
		if (nid != NID_undef)
			snprintf(out, outlen, "%s", OBJ_nid2ln(nid));
		else
			OBJ_obj2txt(out, (int)outlen, obj, 1);
		return;
	}
	*pbes2 = 1;
	if (ptype == V_ASN1_SEQUENCE)
		p2 = ASN1_item_unpack(pval, ASN1_ITEM_rptr(PBE2PARAM));
	if (p2 != NULL && OBJ_obj2nid(p2->encryption->algorithm) != NID_undef)
		snprintf(out, outlen, "PBES2/%s", OBJ_nid2sn(
		    OBJ_obj2nid(p2->encryption->algorithm)));
	else
		snprintf(out, outlen, "PBES2");
	PBE2PARAM_free(p2);
}

/* The key bags of one unencrypted safe: how the key is protected. */
static void
bags_describe(struct cert *c, PKCS7 *p7)
{
	STACK_OF(PKCS12_SAFEBAG)	*bags;
	const PKCS12_SAFEBAG		*bag;
	const X509_SIG			*sig;
	const X509_ALGOR		*alg;
	int				 i;

	bags = PKCS12_unpack_p7data(p7);
	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		switch (PKCS12_SAFEBAG_get_nid(bag)) {
		case NID_pkcs8ShroudedKeyBag:
			sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
			X509_SIG_get0(sig, &alg, NULL);
			alg_describe(alg, c->pfx_key_cipher,
			    sizeof(c->pfx_key_cipher), &c->pbes2);
			break;
		case NID_keyBag:
			snprintf(c->pfx_key_cipher, sizeof(c->pfx_key_cipher),
			    "none");
			break;
		case NID_certBag:
			if (c->pfx_cert_cipher[0] == '\0')
				snprintf(c->pfx_cert_cipher,
				    sizeof(c->pfx_cert_cipher), "none");
			break;
		}
	}
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
}

/* Record how the .pfx was protected, without decrypting anything. */
static void
pfx_describe(struct cert *c, const PKCS12 *p12)
{
	STACK_OF(PKCS7)		*safes;
	PKCS7			*p7;
	const X509_ALGOR	*macalg = NULL;
	const ASN1_OBJECT	*obj;
	int			 i;

	c->is_pfx = 1;
	snprintf(c->pfx_mac, sizeof(c->pfx_mac), "none");
	if (PKCS12_mac_present(p12)) {
		PKCS12_get0_mac(NULL, &macalg, NULL, NULL, p12);
		X509_ALGOR_get0(&obj, NULL, NULL, macalg);
		snprintf(c->pfx_mac, sizeof(c->pfx_mac), "%s",
		    OBJ_nid2ln(OBJ_obj2nid(obj)));
	}
	safes = PKCS12_unpack_authsafes(p12);
	for (i = 0; i < sk_PKCS7_num(safes); i++) {
		p7 = sk_PKCS7_value(safes, i);
		if (PKCS7_type_is_data(p7))
			bags_describe(c, p7);
		else if (PKCS7_type_is_encrypted(p7) &&
		    p7->d.encrypted != NULL)
			alg_describe(p7->d.encrypted->enc_data->algorithm,
			    c->pfx_cert_cipher, sizeof(c->pfx_cert_cipher),
			    &c->pbes2);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	if (c->pfx_cert_cipher[0] == '\0')
		snprintf(c->pfx_cert_cipher, sizeof(c->pfx_cert_cipher),
		    "none");
	if (c->pfx_key_cipher[0] == '\0')
		snprintf(c->pfx_key_cipher, sizeof(c->pfx_key_cipher), "none");
	ERR_clear_error();
}

/*
 * What a .pfx held once decrypted.  how says why decryption failed:
 * PFX_OK, PFX_BAD_DECRYPT (padding or contents wrong: the password,
 * when there is no MAC to say so), PFX_NO_CIPHER (an algorithm this
 * OpenSSL lacks) or PFX_DAMAGED.
 */
enum pfx_how {
	PFX_OK,
	PFX_BAD_DECRYPT,
	PFX_NO_CIPHER,
	PFX_DAMAGED
};

struct pfx_content {
	EVP_PKEY	*key;
	STACK_OF(X509)	*certs;
	enum pfx_how	 how;
	enum pfx_how	 key_how;	/* a key bag that would not open */
};

/* Drain the error queue into why a decryption failed. */
static enum pfx_how
decrypt_failure(void)
{
	enum pfx_how	 how = PFX_DAMAGED;
	unsigned long	 e;
	int		 lib, reason;

	for (;;) {
		e = ERR_get_error();
		if (e == 0)
			break;
		lib = ERR_GET_LIB(e);
		reason = ERR_GET_REASON(e);
		if (lib == ERR_LIB_EVP && reason == EVP_R_BAD_DECRYPT)
			how = PFX_BAD_DECRYPT;
		else if ((lib == ERR_LIB_EVP &&
		    (reason == EVP_R_UNSUPPORTED_CIPHER ||
		    reason == EVP_R_UNKNOWN_PBE_ALGORITHM ||
		    reason == EVP_R_UNSUPPORTED_PRF ||
		    reason == EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION ||
		    reason == EVP_R_UNSUPPORTED_ALGORITHM)) ||
		    (lib == ERR_LIB_PKCS12 &&
		    reason == PKCS12_R_UNKNOWN_DIGEST_ALGORITHM) ||
		    reason == ERR_R_UNSUPPORTED)
			how = PFX_NO_CIPHER;
	}
	/* Garbage from a wrong key fails as ASN.1, not as padding. */
	return how;
}

/*
 * One key bag (plain or shrouded); the first key is kept.  A key that
 * does not decrypt leaves the certificates readable, as "openssl
 * pkcs12 -info" shows them: key_how says why, for the private_key check.
 */
static void
bag_key(const PKCS12_SAFEBAG *bag, const char *pass, int passlen,
    struct pfx_content *pc)
{
	PKCS8_PRIV_KEY_INFO	*p8 = NULL;
	const PKCS8_PRIV_KEY_INFO *p8c;
	EVP_PKEY		*key;

	if (PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag)
		p8c = PKCS12_SAFEBAG_get0_p8inf(bag);
	else {
		p8 = PKCS12_decrypt_skey(bag, pass, passlen);
		if (p8 == NULL) {
			pc->key_how = decrypt_failure();
			if (pc->key_how == PFX_DAMAGED)
				pc->key_how = PFX_BAD_DECRYPT;
			return;
		}
		p8c = p8;
	}
	key = p8c != NULL ? EVP_PKCS82PKEY(p8c) : NULL;
	PKCS8_PRIV_KEY_INFO_free(p8);	/* cleanses the key */
	ERR_clear_error();
	if (key == NULL)
		pc->key_how = p8 != NULL ? PFX_BAD_DECRYPT : PFX_DAMAGED;
	else if (pc->key == NULL)
		pc->key = key;
	else
		EVP_PKEY_free(key);
}

static int
bag_cert(const PKCS12_SAFEBAG *bag, struct pfx_content *pc)
{
	X509	*x;

	/* SDSI certificates and other kinds are not X.509: skip them. */
	if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
		return 0;
	x = PKCS12_SAFEBAG_get1_cert(bag);
	if (x == NULL) {
		pc->how = PFX_DAMAGED;
		return -1;
	}
	if (sk_X509_push(pc->certs, x) == 0) {
		X509_free(x);
		pc->how = PFX_DAMAGED;
		return -1;
	}
	return 0;
}

/* Every bag of a safe, safeContents bags included (nested a little). */
static int
bags_take(const STACK_OF(PKCS12_SAFEBAG) *bags, const char *pass,
    int passlen, int depth, struct pfx_content *pc)
{
	const PKCS12_SAFEBAG	*bag;
	int			 i, rc = 0;

	for (i = 0; rc == 0 && i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		switch (PKCS12_SAFEBAG_get_nid(bag)) {
		case NID_keyBag:
		case NID_pkcs8ShroudedKeyBag:
			bag_key(bag, pass, passlen, pc);
			break;
		case NID_certBag:
			rc = bag_cert(bag, pc);
			break;
		case NID_safeContentsBag:
			if (depth >= 4) {
				pc->how = PFX_DAMAGED;
				rc = -1;
			} else
				rc = bags_take(PKCS12_SAFEBAG_get0_safes(bag),
				    pass, passlen, depth + 1, pc);
			break;
		default:	/* CRLs, secrets: not ours */
			break;
		}
	}
	return rc;
}

/*
 * Decrypt every safe of p12 with pass, as "openssl pkcs12" does (and
 * unlike OpenSSL 3.0's PKCS12_parse, which needs a MAC): a safe that
 * is not data or encrypted data is skipped.
 */
static int
pfx_decrypt(PKCS12 *p12, const char *pass, struct pfx_content *pc)
{
	STACK_OF(PKCS7)			*safes;
	STACK_OF(PKCS12_SAFEBAG)	*bags;
	PKCS7				*p7;
	int				 i, nid, passlen, rc = -1;

	passlen = pass != NULL ? (int)strlen(pass) : 0;
	pc->how = PFX_DAMAGED;
	pc->certs = sk_X509_new_null();
	safes = PKCS12_unpack_authsafes(p12);
	if (safes == NULL || pc->certs == NULL)
		goto out;
	for (i = 0; i < sk_PKCS7_num(safes); i++) {
		p7 = sk_PKCS7_value(safes, i);
		nid = OBJ_obj2nid(p7->type);
		if (nid == NID_pkcs7_data)
			bags = PKCS12_unpack_p7data(p7);
		else if (nid == NID_pkcs7_encrypted) {
			bags = PKCS12_unpack_p7encdata(p7, pass, passlen);
			if (bags == NULL) {
				pc->how = decrypt_failure();
				if (pc->how == PFX_DAMAGED)
					pc->how = PFX_BAD_DECRYPT;
				goto out;
			}
		} else
			continue;
		if (bags == NULL)
			goto out;
		pc->how = PFX_OK;
		if (bags_take(bags, pass, passlen, 0, pc) == -1) {
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
			goto out;
		}
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	pc->how = PFX_OK;
	rc = 0;
out:
	sk_PKCS7_pop_free(safes, PKCS7_free);
	ERR_clear_error();
	return rc;
}

/*
 * The password as an OpenSSL before 1.1 encoded it: each byte taken as
 * a Latin-1 character, so "ó" (two UTF-8 bytes) became two characters.
 * "openssl pkcs12" tries this form too.  NULL when the password is
 * ASCII (nothing differs) or on ENOMEM; wipe and free it after use.
 */
static char *
latin1_form(const char *pass)
{
	const unsigned char	*s;
	char			*out, *p;
	size_t			 len;

	len = strlen(pass);
	for (s = (const unsigned char *)pass; *s != '\0' && *s < 0x80; s++)
		;
	if (*s == '\0' || len > SIZE_MAX / 2 - 1)
		return NULL;
	out = malloc(2 * len + 1);
	if (out == NULL)
		return NULL;
	p = out;
	for (s = (const unsigned char *)pass; *s != '\0'; s++) {
		if (*s < 0x80) {
			*p++ = (char)*s;
			continue;
		}
		*p++ = (char)(0xc0 | *s >> 6);
		*p++ = (char)(0x80 | (*s & 0x3f));
	}
	*p = '\0';
	return out;
}

/* 1 when this OpenSSL has no digest for the .pfx's MAC (PBMAC1 before
 * OpenSSL 3.4, GOST without its engine); its name goes to alg. */
static int
mac_unsupported(const PKCS12 *p12, char *alg, size_t alglen)
{
	const X509_ALGOR	*macalg = NULL;
	const ASN1_OBJECT	*obj;
	EVP_MD			*md = NULL;
	int			 nid;

	PKCS12_get0_mac(NULL, &macalg, NULL, NULL, p12);
	if (macalg == NULL)
		return 0;
	X509_ALGOR_get0(&obj, NULL, NULL, macalg);
	OBJ_obj2txt(alg, (int)alglen, obj, 0);
	nid = OBJ_obj2nid(obj);
	if (nid != NID_undef)
		md = EVP_MD_fetch(NULL, OBJ_nid2sn(nid), NULL);
	EVP_MD_free(md);
	ERR_clear_error();
	return md == NULL;
}

/*
 * Check the password against the MAC, as "openssl pkcs12" does, so
 * that a wrong one is told apart from a damaged file.  An empty
 * password may have been encoded as "no password" (Windows) or as the
 * empty string (OpenSSL); a non-ASCII one the Latin-1 way.  Sets *pass
 * to what to decrypt with (*alt holds it when it is the Latin-1 form).
 * Without a MAC there is nothing to check here: decryption tells.
 */
static int
pfx_password(PKCS12 *p12, const char *name, const char **pass, char **alt,
    struct clouddp_err *err)
{
	char	 alg[80];

	if (!PKCS12_mac_present(p12))
		return 0;
	if (PKCS12_verify_mac(p12, *pass, -1) == 1)
		return 0;
	if ((*pass)[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0) == 1) {
		*pass = NULL;
		return 0;
	}
	*alt = latin1_form(*pass);
	if (*alt != NULL && PKCS12_verify_mac(p12, *alt, -1) == 1) {
		*pass = *alt;
		return 0;
	}
	ERR_clear_error();
	if (mac_unsupported(p12, alg, sizeof(alg)))
		return clouddp_errf(err, CLOUDDP_ECERT,
		    "export the .pfx again with a SHA-256 MAC",
		    "%s: MAC algorithm unsupported (%s): this OpenSSL cannot "
		    "check the password", name, alg);
	if ((*pass)[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EPASSWORD,
		    "pass --password-file, --password-env or --password-fd",
		    "password required for %s: the empty password is wrong",
		    name);
	return clouddp_errf(err, CLOUDDP_EPASSWORD,
	    "check --password-file, --password-env or --password-fd",
	    "wrong password for %s", name);
}

static void
pfx_content_free(struct pfx_content *pc)
{
	EVP_PKEY_free(pc->key);
	sk_X509_pop_free(pc->certs, X509_free);
	pc->key = NULL;
	pc->certs = NULL;
}

/*
 * Decrypt p12 into pc, and say why not.  Without a MAC a failed
 * decryption is the password's fault as far as anyone can tell; an
 * empty password is then tried in both encodings.
 */
static int
pfx_open(PKCS12 *p12, const char *pass, const char *name,
    struct pfx_content *pc, struct clouddp_err *err)
{
	int	 mac;

	mac = PKCS12_mac_present(p12);
	if (pfx_decrypt(p12, pass, pc) == 0)
		return 0;
	pfx_content_free(pc);
	if (!mac && pass != NULL && pass[0] == '\0' &&
	    pfx_decrypt(p12, NULL, pc) == 0)
		return 0;
	pfx_content_free(pc);
	if (pc->how == PFX_NO_CIPHER)
		return clouddp_errf(err, CLOUDDP_ECERT,
		    "export it again with AES-256 or 3DES; RC2 needs the "
		    "OpenSSL legacy provider (ossl-modules/legacy.so)",
		    "%s: encrypted with an algorithm this OpenSSL cannot "
		    "decrypt", name);
	if (!mac && pc->how == PFX_BAD_DECRYPT)
		return clouddp_errf(err, CLOUDDP_EPASSWORD,
		    "check --password-file, --password-env or --password-fd",
		    pass == NULL || pass[0] == '\0' ?
		    "password required for %s (it has no MAC, so a damaged "
		    "file would fail the same way)" :
		    "wrong password for %s (it has no MAC, so a damaged "
		    "file would fail the same way)", name);
	return clouddp_errf(err, CLOUDDP_ECERT,
	    "export the certificate again as a .pfx",
	    "%s: cannot decrypt the .pfx: damaged", name);
}

struct cert *
cert_from_pkcs12(const unsigned char *der, size_t len, const char *password,
    const char *name, struct clouddp_err *err)
{
	const unsigned char	*p = der;
	const char		*pass = password != NULL ? password : "";
	char			*alt = NULL;
	PKCS12			*p12 = NULL;
	struct pfx_content	 pc = { NULL, NULL, PFX_OK, PFX_OK };
	X509			*x = NULL;
	struct cert		*c = NULL;

	if (len <= CERT_FILE_MAX)
		p12 = d2i_PKCS12(NULL, &p, (long)len);
	if (p12 == NULL) {
		clouddp_errf(err, CLOUDDP_ECERT,
		    "export the certificate again as a .pfx",
		    "%s: not a PKCS#12 (.pfx) file, or damaged", name);
		goto out;
	}
	if (pfx_password(p12, name, &pass, &alt, err) == -1 ||
	    pfx_open(p12, pass, name, &pc, err) == -1)
		goto out;
	x = leaf_take(pc.certs, pc.key);
	if (x == NULL) {
		clouddp_errf(err, CLOUDDP_ECERT,
		    "export the certificate, not only its key",
		    "%s: the .pfx holds no certificate", name);
		goto out;
	}
	c = cert_new(x, pc.key, pc.certs, err);
	x = NULL;
	pc.key = NULL;
	pc.certs = NULL;
	if (c != NULL) {
		c->key_how = pc.key_how;
		c->key_no_mac = !PKCS12_mac_present(p12);
		pfx_describe(c, p12);
	}
out:
	if (alt != NULL)
		OPENSSL_cleanse(alt, strlen(alt));
	free(alt);
	X509_free(x);
	pfx_content_free(&pc);
	PKCS12_free(p12);
	ERR_clear_error();
	return c;
}

static int
file_read(const char *path, struct clouddp_buf *buf, struct clouddp_err *err)
{
	FILE	*fp;
	char	 chunk[8192];
	size_t	 n;
	int	 rc = -1;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return clouddp_errf(err, CLOUDDP_EIO, "check the path",
		    "%s: %s", path, strerror(errno));
	for (;;) {
		n = fread(chunk, 1, sizeof(chunk), fp);
		if (n == 0)
			break;
		if (buf->len + n > CERT_FILE_MAX) {
			clouddp_errf(err, CLOUDDP_ECERT,
			    "give a .pfx, .cer or .pem certificate file",
			    "%s: larger than %d bytes, not a certificate file",
			    path, CERT_FILE_MAX);
			goto out;
		}
		if (clouddp_buf_append(buf, chunk, n, err) == -1)
			goto out;
	}
	if (ferror(fp)) {
		clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: read error: %s",
		    path, strerror(errno));
		goto out;
	}
	if (buf->len == 0) {
		clouddp_errf(err, CLOUDDP_ECERT,
		    "give a .pfx, .cer or .pem certificate file",
		    "%s: empty file", path);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	fclose(fp);
	return rc;
}

/*
 * A DER file: tell a .pfx (SEQUENCE { INTEGER 3, ... }) from an X.509
 * certificate (SEQUENCE { SEQUENCE ... }), and a truncated file from a
 * damaged one, by the outer header alone.  NSS (Firefox, pk12util)
 * writes BER with indefinite lengths (0x80): no length to check then,
 * and the parser finds a truncation itself.
 */
static struct cert *
der_load(const unsigned char *der, size_t len, const char *password,
    const char *name, struct clouddp_err *err)
{
	struct cert	*c;
	size_t		 hdr = 2, body = 0, i, n;

	if (len < 4 || der[0] != 0x30)
		goto bad;
	if (der[1] < 0x80)
		body = der[1];
	else if (der[1] == 0x80)
		body = len - hdr;
	else {
		n = der[1] & 0x7f;
		if (n == 0 || n > 4 || len < 2 + n)
			goto bad;
		for (i = 0; i < n; i++)
			body = body << 8 | der[2 + i];
		hdr += n;
	}
	if (hdr + body > len) {
		clouddp_errf(err, CLOUDDP_ECERT,
		    "copy or export the file again",
		    "%s: truncated: %zu bytes of %zu", name, len, hdr + body);
		return NULL;
	}
	if (len >= hdr + 3 && der[hdr] == 0x02 && der[hdr + 1] == 0x01 &&
	    der[hdr + 2] == 0x03)
		return cert_from_pkcs12(der, len, password, name, err);
	c = cert_from_der(der, len, err);
	if (c == NULL)
		clouddp_err_prefix(err, "%s", name);
	return c;
bad:
	clouddp_errf(err, CLOUDDP_ECERT,
	    "give a .pfx (PKCS#12), .cer (DER or base64) or .pem file",
	    "%s: not a certificate file", name);
	return NULL;
}

/* Base64 of a .pfx or a .cer, as .publishsettings and some tools hold it. */
struct cert *
cert_from_base64(const char *text, size_t len, const char *password,
    const char *name, struct clouddp_err *err)
{
	EVP_ENCODE_CTX	*ctx;
	unsigned char	*der;
	int		 n = 0, m = 0, ok;
	struct cert	*c = NULL;

	if (len > CERT_FILE_MAX || len > INT_MAX) {
		clouddp_errf(err, CLOUDDP_ECERT, NULL,
		    "%s: larger than %d bytes, not a certificate", name,
		    CERT_FILE_MAX);
		return NULL;
	}
	der = malloc(len + 1);
	ctx = EVP_ENCODE_CTX_new();
	if (der == NULL || ctx == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, der, &n, (const unsigned char *)text,
	    (int)len) != -1 && EVP_DecodeFinal(ctx, der + n, &m) == 1;
	ERR_clear_error();
	if (!ok || n + m == 0)
		clouddp_errf(err, CLOUDDP_ECERT,
		    "give a .pfx (PKCS#12), .cer (DER or base64) or .pem file",
		    "%s: not a certificate file", name);
	else
		c = der_load(der, (size_t)(n + m), password, name, err);
out:
	if (der != NULL)
		OPENSSL_cleanse(der, len + 1);
	free(der);
	EVP_ENCODE_CTX_free(ctx);
	return c;
}

static struct cert *
pem_load(const struct clouddp_buf *buf, const char *password,
    const char *name, struct clouddp_err *err)
{
	STACK_OF(X509)	*certs = NULL;
	EVP_PKEY	*key = NULL;
	X509		*x;

	if (pem_read_all(buf->data, buf->len, password, &certs, &key) == -1) {
		sk_X509_pop_free(certs, X509_free);
		EVP_PKEY_free(key);
		clouddp_errf(err, CLOUDDP_ECERT,
		    "give a .pfx (PKCS#12), .cer (DER or base64) or .pem file",
		    "%s: no valid PEM certificate in the file", name);
		return NULL;
	}
	/* A key block we could not read: a wrong or missing password. */
	if (key == NULL && memmem(buf->data, buf->len, "PRIVATE KEY-----",
	    16) != NULL) {
		sk_X509_pop_free(certs, X509_free);
		clouddp_errf(err, CLOUDDP_EPASSWORD,
		    "check --password-file, --password-env or --password-fd",
		    password == NULL || password[0] == '\0' ?
		    "password required for %s: its private key is encrypted" :
		    "wrong password for %s", name);
		return NULL;
	}
	x = leaf_take(certs, key);
	return cert_new(x, key, certs, err);
}

struct cert *
cert_load_file(const char *path, const char *password,
    struct clouddp_err *err)
{
	struct clouddp_buf	 buf = { NULL, 0, 0 };
	struct cert		*c = NULL;

	if (file_read(path, &buf, err) == -1)
		goto out;
	if (memmem(buf.data, buf.len, "-----BEGIN ", 11) != NULL)
		c = pem_load(&buf, password, path, err);
	else if ((unsigned char)buf.data[0] == 0x30)
		c = der_load((unsigned char *)buf.data, buf.len, password,
		    path, err);
	else
		c = cert_from_base64(buf.data, buf.len, password, path, err);
out:
	clouddp_buf_free(&buf);		/* wipes: it may hold a key */
	ERR_clear_error();
	return c;
}

void
cert_thumbprint_sha1(const struct cert *c, char out[41])
{
	memcpy(out, c->sha1, sizeof(c->sha1));
}

void
cert_thumbprint_sha256(const struct cert *c, char out[65])
{
	memcpy(out, c->sha256, sizeof(c->sha256));
}

int
cert_der(const struct cert *c, struct clouddp_buf *out,
    struct clouddp_err *err)
{
	unsigned char	*der = NULL;
	int		 len, rc;

	len = i2d_X509(c->x509, &der);
	if (len <= 0) {
		ERR_clear_error();
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	}
	clouddp_buf_reset(out);
	rc = clouddp_buf_append(out, der, (size_t)len, err);
	OPENSSL_free(der);
	return rc;
}

int
cert_equal(const struct cert *a, const struct cert *b)
{
	int	 rc;

	/* X509_cmp() caches the extensions, queueing errors for bad ones. */
	rc = X509_cmp(a->x509, b->x509);
	ERR_clear_error();
	return rc == 0;
}

/* Length of name without one trailing dot. */
static size_t
name_len(const char *name)
{
	size_t	 len;

	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	return len;
}

int
cert_pattern_is_wildcard(const char *pattern)
{
	return pattern[0] == '*' && pattern[1] == '.';
}

int
cert_pattern_matches(const char *pattern, const char *fqdn)
{
	const char	*rest, *dot;
	size_t		 plen, flen, rlen;

	plen = name_len(pattern);
	flen = name_len(fqdn);
	if (plen == 0 || flen == 0)
		return 0;
	if (!cert_pattern_is_wildcard(pattern))
		return memchr(pattern, '*', plen) == NULL && plen == flen &&
		    strncasecmp(pattern, fqdn, flen) == 0;
	/* "*.contoso.com": the rest has two labels or more, no '*'. */
	rest = pattern + 2;
	rlen = plen - 2;
	if (rlen == 0 || memchr(rest, '*', rlen) != NULL ||
	    memchr(rest, '.', rlen) == NULL)
		return 0;
	dot = memchr(fqdn, '.', flen);
	if (dot == NULL || dot == fqdn || memchr(fqdn, '*', flen) != NULL)
		return 0;
	return flen - (size_t)(dot + 1 - fqdn) == rlen &&
	    strncasecmp(dot + 1, rest, rlen) == 0;
}

int
cert_name_matches(const struct cert *c, const char *fqdn)
{
	size_t	 i;

	if (c->nsans > 0) {
		for (i = 0; i < c->nsans; i++)
			if (cert_pattern_matches(c->sans[i], fqdn))
				return 1;
		return 0;
	}
	return c->cn != NULL && cert_pattern_matches(c->cn, fqdn);
}

const char *
cert_cn(const struct cert *c)
{
	return c->cn;
}

const char *
cert_subject(const struct cert *c)
{
	return c->subject;
}

const char *
cert_issuer(const struct cert *c)
{
	return c->issuer;
}

const char *
cert_serial(const struct cert *c)
{
	return c->serial;
}

size_t
cert_nsans(const struct cert *c)
{
	return c->nsans;
}

const char *
cert_san(const struct cert *c, size_t i)
{
	return i < c->nsans ? c->sans[i] : NULL;
}

time_t
cert_not_before(const struct cert *c)
{
	return c->not_before;
}

time_t
cert_not_after(const struct cert *c)
{
	return c->not_after;
}

const char *
cert_key_type(const struct cert *c)
{
	return c->key_type;
}

int
cert_key_bits(const struct cert *c)
{
	return c->key_bits;
}

int
cert_is_self_signed(const struct cert *c)
{
	return c->self_signed;
}

int
cert_has_key(const struct cert *c)
{
	return c->key != NULL;
}

int
cert_key_matches(const struct cert *c)
{
	return c->key_matches;
}

size_t
cert_nchain(const struct cert *c)
{
	return c->chain != NULL ? (size_t)sk_X509_num(c->chain) : 0;
}

int
cert_has_eku(const struct cert *c, const char *oid)
{
	char	 needle[96];
	int	 n;

	n = snprintf(needle, sizeof(needle), " %s ", oid);
	if (n < 0 || (size_t)n >= sizeof(needle))
		return 0;
	return strstr(c->eku_oids.data, needle) != NULL;
}

const char *
cert_ekus(const struct cert *c)
{
	return c->ekus.data;
}

const char *
cert_pfx_cert_cipher(const struct cert *c)
{
	return c->is_pfx ? c->pfx_cert_cipher : NULL;
}

const char *
cert_pfx_key_cipher(const struct cert *c)
{
	return c->is_pfx ? c->pfx_key_cipher : NULL;
}

const char *
cert_pfx_mac(const struct cert *c)
{
	return c->is_pfx ? c->pfx_mac : NULL;
}

int
cert_pfx_is_pbes2(const struct cert *c)
{
	return c->pbes2;
}

static void
finding(struct cert_finding *f, const char *check, enum clouddp_status st,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finding(struct cert_finding *f, const char *check, enum clouddp_status st,
    const char *fmt, ...)
{
	va_list	 ap;

	f->check = check;
	f->status = st;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

static void
date_text(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "?");
}

void
cert_check_validity(const struct cert *c, time_t now, long warn_days,
    struct cert_finding *f)
{
	cert_check_validity_days(c, now, warn_days, 0, f);
}

void
cert_check_validity_days(const struct cert *c, time_t now, long warn_days,
    long crit_days, struct cert_finding *f)
{
	char	 from[32], to[32];
	long	 days;

	date_text(c->not_before, from, sizeof(from));
	date_text(c->not_after, to, sizeof(to));
	if (now < c->not_before) {
		finding(f, "validity", CLOUDDP_STATUS_CRITICAL,
		    "not valid before %s (in %ld days): use a certificate "
		    "that is valid now, or check this machine's clock", from,
		    (long)((c->not_before - now + 86399) / 86400));
		return;
	}
	if (now > c->not_after) {
		finding(f, "validity", CLOUDDP_STATUS_CRITICAL,
		    "expired on %s (%ld days ago): renew the certificate", to,
		    (long)((now - c->not_after) / 86400));
		return;
	}
	days = (long)((c->not_after - now) / 86400);
	if (c->not_after - now < (time_t)crit_days * 86400) {
		finding(f, "validity", CLOUDDP_STATUS_CRITICAL,
		    "expires on %s, in %ld days: renew it now", to, days);
		return;
	}
	if (c->not_after - now < (time_t)warn_days * 86400) {
		finding(f, "validity", CLOUDDP_STATUS_WARNING,
		    "expires on %s, in %ld days: renew it before then "
		    "(ConfigMgr does not warn)", to, days);
		return;
	}
	finding(f, "validity", CLOUDDP_STATUS_OK,
	    "valid from %s to %s (%ld days left)", from, to, days);
}

void
cert_check_key_size(const struct cert *c, int min_bits,
    struct cert_finding *f)
{
	if (strcmp(c->key_type, "RSA") != 0)
		finding(f, "key_size", CLOUDDP_STATUS_CRITICAL,
		    "%s %d-bit key: Azure's classic API needs RSA; issue the "
		    "certificate with an RSA key of %d bits or more",
		    c->key_type, c->key_bits, min_bits);
	else if (c->key_bits < min_bits)
		finding(f, "key_size", CLOUDDP_STATUS_CRITICAL,
		    "RSA %d bits, below %d: issue a new certificate with "
		    "an RSA key of %d bits or more", c->key_bits, min_bits,
		    min_bits);
	else
		finding(f, "key_size", CLOUDDP_STATUS_OK, "RSA %d bits",
		    c->key_bits);
}

/* A key bag that did not decrypt: why, as far as can be told. */
static void
key_unreadable(const struct cert *c, struct cert_finding *f)
{
	if (c->key_how == PFX_NO_CIPHER)
		finding(f, "private_key", CLOUDDP_STATUS_CRITICAL,
		    "the private key is encrypted with an algorithm this "
		    "OpenSSL cannot decrypt: export the .pfx again with "
		    "AES-256 or 3DES");
	else if (c->key_how == PFX_BAD_DECRYPT && c->key_no_mac)
		finding(f, "private_key", CLOUDDP_STATUS_CRITICAL,
		    "the private key does not decrypt: a wrong password "
		    "(the .pfx has no MAC to check it) or a damaged key");
	else
		finding(f, "private_key", CLOUDDP_STATUS_CRITICAL,
		    "the private key does not decrypt with the password "
		    "that opens the file: export the .pfx again");
}

void
cert_check_private_key(const struct cert *c, struct cert_finding *f)
{
	if (c->key == NULL && c->key_how != 0)
		key_unreadable(c, f);
	else if (c->key == NULL)
		finding(f, "private_key", CLOUDDP_STATUS_CRITICAL,
		    "the file holds no private key: export the certificate "
		    "with its private key (\"Yes, export the private key\")");
	else if (!c->key_matches)
		finding(f, "private_key", CLOUDDP_STATUS_CRITICAL,
		    "the private key does not match the certificate: export "
		    "the .pfx again from the machine that made the request");
	else
		finding(f, "private_key", CLOUDDP_STATUS_OK,
		    "present and matches the certificate");
}

void
cert_check_server_auth(const struct cert *c, struct cert_finding *f)
{
	if (cert_has_eku(c, SERVER_AUTH_OID))
		finding(f, "server_auth", CLOUDDP_STATUS_OK,
		    "extended key usage includes Server Authentication "
		    "(%s)", SERVER_AUTH_OID);
	else if (c->ekus.len == 0)
		finding(f, "server_auth", CLOUDDP_STATUS_CRITICAL,
		    "no extended key usage: issue the certificate from the "
		    "Web Server template (Server Authentication, %s)",
		    SERVER_AUTH_OID);
	else
		finding(f, "server_auth", CLOUDDP_STATUS_CRITICAL,
		    "extended key usage is %s, without Server Authentication "
		    "(%s): issue the certificate from the Web Server "
		    "template", c->ekus.data, SERVER_AUTH_OID);
}

/* A host name: letters, digits, '-' and '.', with at least one dot. */
static int
is_host_name(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.')
			return 0;
	return i > 0 && strchr(s, '.') != NULL;
}

/* name without its trailing dot, in lower case, as every tool shows it. */
static void
fqdn_copy(char *out, size_t outlen, const char *name)
{
	size_t	 i;

	snprintf(out, outlen, "%.*s", (int)name_len(name), name);
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

/* " (SANs a, b)" or "" without SANs. */
static void
sans_text(const struct cert *c, char *buf, size_t len)
{
	size_t	 i, used;

	buf[0] = '\0';
	for (i = 0; i < c->nsans; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i == 0 ?
		    ", SANs " : ", ", c->sans[i]);
	}
}

static void
wildcard_name(const struct cert *c, const char *fqdn, char *out,
    size_t outlen, struct cert_finding *f)
{
	char	 sans[256];

	sans_text(c, sans, sizeof(sans));
	if (fqdn == NULL)
		finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
		    "wildcard CN %s: name the service host inside it with "
		    "--fqdn, e.g. --fqdn clouddp1.%s", c->cn, c->cn + 2);
	else if (cert_pattern_is_wildcard(fqdn) ||
	    !cert_name_matches(c, fqdn))
		finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
		    "%s is not covered by the certificate (CN %s%s): give "
		    "one host label in front of %s", fqdn, c->cn, sans,
		    c->cn + 2);
	else {
		fqdn_copy(out, outlen, fqdn);
		finding(f, "service_fqdn", CLOUDDP_STATUS_WARNING,
		    "Service FQDN %s from the wildcard certificate %s: "
		    "wildcard certificates are for testing only; use one "
		    "issued for %s in production", out, c->cn, out);
	}
}

/*
 * No CN (a subject with none, or an empty one, as some CAs issue
 * SAN-only certificates): the one SAN DNS name can stand for the
 * Service FQDN, with a warning, since the ConfigMgr console reads the
 * CN; with several, only --fqdn can say which.
 */
static void
no_cn_name(const struct cert *c, const char *fqdn, char *out, size_t outlen,
    struct cert_finding *f)
{
	char	 subject[160], sans[256];

	snprintf(subject, sizeof(subject), c->subject[0] == '\0' ?
	    "the subject is empty" : "the subject (%s) has no CN",
	    c->subject);
	sans_text(c, sans, sizeof(sans));
	if (fqdn == NULL && c->nsans == 1 &&
	    !cert_pattern_is_wildcard(c->sans[0]) && is_host_name(c->sans[0]))
		fqdn = c->sans[0];
	if (c->nsans == 0)
		finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
		    "%s and there is no SAN: issue the certificate with "
		    "CN=<service FQDN>, e.g. CN=clouddp1.contoso.com",
		    subject);
	else if (fqdn == NULL)
		finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
		    "%s, and the SANs name several hosts (%s): ConfigMgr "
		    "takes the Service FQDN from the CN; reissue with "
		    "CN=<service FQDN>, or name it with --fqdn", subject,
		    sans + 7);
	else if (!cert_name_matches(c, fqdn) ||
	    cert_pattern_is_wildcard(fqdn))
		finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
		    "%s is not covered by the certificate (%s%s): drop "
		    "--fqdn or use the certificate issued for it", fqdn,
		    subject, sans);
	else {
		fqdn_copy(out, outlen, fqdn);
		finding(f, "service_fqdn", CLOUDDP_STATUS_WARNING,
		    "Service FQDN %s from the SAN DNS names; %s, and the "
		    "ConfigMgr console takes the Service FQDN from the CN: "
		    "reissue with CN=%s", out, subject, out);
	}
}

void
cert_check_service_name(const struct cert *c, const char *fqdn, char *out,
    size_t outlen, struct cert_finding *f)
{
	char	 sans[256];

	out[0] = '\0';
	sans_text(c, sans, sizeof(sans));
	if (c->cn == NULL) {
		no_cn_name(c, fqdn, out, outlen, f);
		return;
	}
	if (cert_pattern_is_wildcard(c->cn)) {
		wildcard_name(c, fqdn, out, outlen, f);
		return;
	}
	if (!is_host_name(c->cn)) {
		finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
		    "CN \"%s\" is not a host name: issue the certificate "
		    "with CN=<service FQDN>, e.g. CN=clouddp1.contoso.com",
		    c->cn);
		return;
	}
	if (fqdn != NULL && !cert_pattern_matches(c->cn, fqdn)) {
		if (!cert_name_matches(c, fqdn)) {
			finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
			    "%s is not covered by the certificate (CN %s%s): "
			    "drop --fqdn or use the certificate issued for it",
			    fqdn, c->cn, sans);
			return;
		}
		fqdn_copy(out, outlen, fqdn);
		finding(f, "service_fqdn", CLOUDDP_STATUS_WARNING,
		    "%s is covered by a SAN, but ConfigMgr takes the "
		    "Service FQDN from the CN (%s): publish the CNAME for "
		    "the CN", out, c->cn);
		return;
	}
	fqdn_copy(out, outlen, c->cn);
	if (c->nsans > 0 && !cert_name_matches(c, c->cn))
		finding(f, "service_fqdn", CLOUDDP_STATUS_CRITICAL,
		    "CN %s is not among the SAN DNS names (%s): clients "
		    "ignore the CN when SANs are present; reissue with %s "
		    "as a SAN too", c->cn, sans + 7, c->cn);
	else
		finding(f, "service_fqdn", CLOUDDP_STATUS_OK,
		    "Service FQDN %s (subject CN%s)", out,
		    c->nsans > 0 ? ", also a SAN" : "");
}

void
cert_check_pfx_encoding(const struct cert *c, struct cert_finding *f)
{
	if (!c->is_pfx)
		finding(f, "pfx_encoding", CLOUDDP_STATUS_OK, "not a .pfx");
	else if (c->pbes2)
		finding(f, "pfx_encoding", CLOUDDP_STATUS_WARNING,
		    "certificates %s, key %s, MAC %s: Azure's classic API "
		    "refuses AES (PBES2) .pfx files; re-export with "
		    "\"openssl pkcs12 -export -legacy\" or as TripleDES-SHA1 "
		    "from Windows", c->pfx_cert_cipher, c->pfx_key_cipher,
		    c->pfx_mac);
	else
		finding(f, "pfx_encoding", CLOUDDP_STATUS_OK,
		    "certificates %s, key %s, MAC %s", c->pfx_cert_cipher,
		    c->pfx_key_cipher, c->pfx_mac);
}

void
cert_check_same(const struct cert *a, const char *aname,
    const struct cert *b, const char *bname, struct cert_finding *f)
{
	if (cert_equal(a, b))
		finding(f, "cer_matches", CLOUDDP_STATUS_OK,
		    "%s and %s hold the same certificate (SHA-1 %s)", aname,
		    bname, a->sha1);
	else
		finding(f, "cer_matches", CLOUDDP_STATUS_CRITICAL,
		    "%s holds %s but %s holds %s (SHA-1): upload the .cer "
		    "exported from this .pfx", aname, a->sha1, bname,
		    b->sha1);
}

static void
date_iso(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

static int
describe_pfx(const struct cert *c, struct report_obj *obj)
{
	int	 rc = 0;

	if (!c->is_pfx)
		return 0;
	rc |= report_obj_set_str(obj, "pfx_cert_encryption",
	    c->pfx_cert_cipher);
	rc |= report_obj_set_str(obj, "pfx_key_encryption",
	    c->pfx_key_cipher);
	rc |= report_obj_set_str(obj, "pfx_mac", c->pfx_mac);
	rc |= report_obj_set_int(obj, "chain_certificates",
	    (long long)cert_nchain(c));
	return rc;
}

int
cert_describe(const struct cert *c, time_t now, struct report_obj *obj)
{
	struct report_obj	*sans;
	char			 buf[32];
	size_t			 i;
	int			 rc = 0;

	rc |= report_obj_set_str(obj, "subject", c->subject);
	sans = report_arr_new();
	for (i = 0; sans != NULL && i < c->nsans; i++)
		rc |= report_arr_append_str(sans, c->sans[i]);
	rc |= report_obj_set(obj, "sans", sans);
	rc |= report_obj_set_str(obj, "issuer", c->issuer);
	rc |= report_obj_set_bool(obj, "self_signed", c->self_signed);
	rc |= report_obj_set_str(obj, "serial", c->serial);
	date_iso(c->not_before, buf, sizeof(buf));
	rc |= report_obj_set_str(obj, "not_before", buf);
	date_iso(c->not_after, buf, sizeof(buf));
	rc |= report_obj_set_str(obj, "not_after", buf);
	rc |= report_obj_set_int(obj, "days_left",
	    (long long)((c->not_after - now) / 86400));
	rc |= report_obj_set_str(obj, "key_type", c->key_type);
	rc |= report_obj_set_int(obj, "key_bits", c->key_bits);
	rc |= report_obj_set_str(obj, "ekus", c->ekus.len > 0 ?
	    c->ekus.data : NULL);
	rc |= report_obj_set_str(obj, "thumbprint_sha1", c->sha1);
	rc |= report_obj_set_str(obj, "thumbprint_sha256", c->sha256);
	rc |= describe_pfx(c, obj);
	return sans == NULL || rc != 0 ? -1 : 0;
}

static void
add(struct report *r, const struct cert_policy *p,
    const struct cert_finding *f)
{
	report_check(r, f->check, f->status, "%s%s",
	    p->prefix != NULL ? p->prefix : "", f->message);
}

void
cert_perf_days_left(const struct cert *c, const struct cert_policy *p,
    struct report *r)
{
	char	 thresholds[64];
	time_t	 left;

	left = c->not_after - p->now;
	snprintf(thresholds, sizeof(thresholds), ";%ld:;%ld:", p->warn_days,
	    p->crit_days);
	report_perf(r, "days_left", (double)(left >= 0 ? left / 86400 :
	    -((-left + 86399) / 86400)), thresholds);
}

void
cert_check_all(const struct cert *c, const struct cert_policy *p,
    struct report *r, char *fqdn, size_t fqdnlen)
{
	struct cert_finding	 f;

	if (fqdnlen > 0)
		fqdn[0] = '\0';
	if (p->service) {
		cert_check_service_name(c, p->fqdn, fqdn, fqdnlen, &f);
		add(r, p, &f);
		cert_check_server_auth(c, &f);
		add(r, p, &f);
	}
	cert_check_private_key(c, &f);
	add(r, p, &f);
	cert_check_key_size(c, 2048, &f);
	add(r, p, &f);
	cert_check_validity_days(c, p->now, p->warn_days, p->crit_days, &f);
	add(r, p, &f);
	if (!p->service)
		return;
	if (c->self_signed)
		report_check(r, "issuer", CLOUDDP_STATUS_WARNING,
		    "%sself-signed: every client must trust this certificate "
		    "itself; use one issued by a CA the clients trust",
		    p->prefix != NULL ? p->prefix : "");
	else
		report_check(r, "issuer", CLOUDDP_STATUS_OK, "%sissued by %s",
		    p->prefix != NULL ? p->prefix : "", c->issuer);
	cert_check_pfx_encoding(c, &f);
	add(r, p, &f);
}

/* The trust anchors: cafile, or the system's store. */
static X509_STORE *
store_load(const char *cafile, struct clouddp_err *err)
{
	X509_STORE	*store;
	int		 ok;

	store = X509_STORE_new();
	if (store == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	if (cafile != NULL)
		ok = X509_STORE_load_file(store, cafile);
	else
		ok = X509_STORE_set_default_paths(store);
	ERR_clear_error();
	if (ok != 1) {
		X509_STORE_free(store);
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "give a file of PEM CA certificates",
		    "%s: cannot load CA certificates", cafile != NULL ?
		    cafile : "the system certificate store");
		return NULL;
	}
	return store;
}

int
cert_chain_verify(const struct cert *const *chain, size_t n,
    const char *cafile, char *why, size_t whylen, struct clouddp_err *err)
{
	X509_STORE	*store = NULL;
	X509_STORE_CTX	*ctx = NULL;
	STACK_OF(X509)	*untrusted = NULL;
	size_t		 i;
	int		 rc = -1;

	if (n == 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "no certificate to verify");
	store = store_load(cafile, err);
	if (store == NULL)
		goto out;
	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_new_null();
	if (ctx == NULL || untrusted == NULL)
		goto nomem;
	for (i = 1; i < n; i++)
		if (sk_X509_push(untrusted, chain[i]->x509) == 0)
			goto nomem;
	if (X509_STORE_CTX_init(ctx, store, chain[0]->x509, untrusted) != 1)
		goto nomem;
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx),
	    X509_V_FLAG_NO_CHECK_TIME);
	rc = X509_verify_cert(ctx) == 1 ? 1 : 0;
	snprintf(why, whylen, "%s", rc == 1 ? "" :
	    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	goto out;
nomem:
	clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
out:
	sk_X509_free(untrusted);	/* the certificates stay the caller's */
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

int
cert_tls_client_use(void *ssl_ctx, const void *arg, struct clouddp_err *err)
{
	SSL_CTX			*ctx = ssl_ctx;
	const struct cert	*c = arg;
	char			 why[256];
	int			 i;

	if (c->key == NULL)
		return clouddp_errf(err, CLOUDDP_ECERT,
		    "give a .pfx or a .pem that holds the private key",
		    "%s: no private key for the client certificate",
		    c->subject);
	if (SSL_CTX_use_certificate(ctx, c->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, c->key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	for (i = 0; c->chain != NULL && i < sk_X509_num(c->chain); i++)
		if (X509_cmp(sk_X509_value(c->chain, i), c->x509) != 0 &&
		    SSL_CTX_add1_chain_cert(ctx,
		    sk_X509_value(c->chain, i)) != 1)
			goto fail;
	ERR_clear_error();
	return 0;
fail:
	ERR_error_string_n(ERR_peek_last_error(), why, sizeof(why));
	ERR_clear_error();
	return clouddp_errf(err, CLOUDDP_ECERT, NULL,
	    "%s: cannot be used as the client certificate: %s", c->subject,
	    why);
}

/* Append what bio holds to out; the bio's memory is the caller's. */
static int
bio_take(BIO *bio, struct clouddp_buf *out, struct clouddp_err *err)
{
	char	*p;
	long	 n;

	n = BIO_get_mem_data(bio, &p);
	if (n < 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "PEM buffer unreadable");
	return clouddp_buf_append(out, p, (size_t)n, err);
}

int
cert_pem_export(const struct cert *c, struct clouddp_buf *cert_pem,
    struct clouddp_buf *key_pem, struct clouddp_err *err)
{
	BIO	*cb = NULL, *kb = NULL;
	int	 i, rc = -1;

	if (c->key == NULL)
		return clouddp_errf(err, CLOUDDP_ECERT, "give a .pfx that "
		    "holds the private key", "%s: no private key to serve "
		    "with", c->subject);
	cb = BIO_new(BIO_s_mem());
	kb = BIO_new(BIO_s_secmem());	/* cleansed when freed */
	if (cb == NULL || kb == NULL || PEM_write_bio_X509(cb, c->x509) != 1)
		goto fail;
	for (i = 0; c->chain != NULL && i < sk_X509_num(c->chain); i++)
		if (X509_cmp(sk_X509_value(c->chain, i), c->x509) != 0 &&
		    PEM_write_bio_X509(cb, sk_X509_value(c->chain, i)) != 1)
			goto fail;
	if (PEM_write_bio_PrivateKey(kb, c->key, NULL, NULL, 0, NULL,
	    NULL) != 1)
		goto fail;
	clouddp_buf_reset(cert_pem);
	clouddp_buf_reset(key_pem);
	if (bio_take(cb, cert_pem, err) == -1 ||
	    bio_take(kb, key_pem, err) == -1)
		goto out;
	rc = 0;
	goto out;
fail:
	clouddp_errf(err, CLOUDDP_ECERT, NULL, "%s: cannot be written as "
	    "PEM", c->subject);
out:
	ERR_clear_error();
	BIO_free(cb);
	BIO_free(kb);
	return rc;
}

int
cert_pfx_reencrypt(const struct cert *c, const char *password,
    struct clouddp_buf *out, struct clouddp_err *err)
{
	const char	*pass = password != NULL ? password : "";
	PKCS12		*p12 = NULL;
	unsigned char	*der = NULL;
	char		 why[256];
	int		 len = 0, rc = -1;

	if (c->key == NULL)
		return clouddp_errf(err, CLOUDDP_ECERT, "give a .pfx that "
		    "holds the private key", "%s: no private key to export",
		    c->subject);
	/*
	 * 3DES with SHA-1 for the certificates and the key, and a SHA-1
	 * MAC: what Windows calls TripleDES-SHA1 and "openssl pkcs12
	 * -legacy" writes for keys.  The default provider has both; the
	 * MAC is set apart because PKCS12_create's default is SHA-256.
	 */
	p12 = PKCS12_create(pass, NULL, c->key, c->x509, c->chain,
	    NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
	    NID_pbe_WithSHA1And3_Key_TripleDES_CBC, PKCS12_DEFAULT_ITER, -1,
	    0);
	if (p12 == NULL || PKCS12_set_mac(p12, pass, -1, NULL, 0,
	    PKCS12_DEFAULT_ITER, EVP_sha1()) != 1 ||
	    (len = i2d_PKCS12(p12, &der)) <= 0) {
		ERR_error_string_n(ERR_peek_last_error(), why, sizeof(why));
		clouddp_errf(err, CLOUDDP_ECERT, "export the certificate "
		    "again with TripleDES-SHA1", "%s: cannot re-encrypt the "
		    ".pfx: %s", c->subject, why);
		goto out;
	}
	clouddp_buf_reset(out);
	if (clouddp_buf_append(out, der, (size_t)len, err) == -1)
		goto out;
	rc = 0;
out:
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)len);
	PKCS12_free(p12);
	ERR_clear_error();
	return rc;
}
