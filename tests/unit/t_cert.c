/*
 * Unit tests: certificate loading (.pfx both encodings, empty password,
 * chain in any order, .cer DER/PEM/base64), wrong password and damaged
 * files, thumbprints against openssl's own, RFC 6125 name matching and
 * the checks, a PBES2 .pfx re-encrypted for the classic API, and what
 * clouddp-cert runs on one file (cert_check_run), --dp included.  The
 * certificates come from tests/data/gen-certs.sh; the bags openssl(1)
 * will not write (chain first, foreign key) are built here with OpenSSL
 * itself.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "clouddp.h"
#include "cert.h"
#include "cert_check.h"
#include "inventory.h"
#include "report.h"
#include "../tap.h"

static char	 dir[] = "/tmp/t_certXXXXXX";
static char	 path[512];

static const char *
p(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void *
pem_load(const char *name, int key)
{
	FILE	*fp;
	void	*v;

	fp = fopen(p(name), "r");
	if (fp == NULL)
		return NULL;
	v = key ? (void *)PEM_read_PrivateKey(fp, NULL, NULL, NULL) :
	    (void *)PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	return v;
}

/* A .pfx holding ca, then leaf, then keyname's key, all 3DES. */
static int
pfx_build(const char *out, const char *leafname, const char *keyname)
{
	STACK_OF(PKCS12_SAFEBAG)	*bags = NULL;
	STACK_OF(PKCS7)			*safes = NULL;
	PKCS12				*p12;
	X509				*ca, *leaf;
	EVP_PKEY			*key;
	FILE				*fp;
	int				 nid;

	nid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
	ca = pem_load("ca.pem", 0);
	leaf = pem_load(leafname, 0);
	key = pem_load(keyname, 1);
	PKCS12_add_cert(&bags, ca);
	PKCS12_add_cert(&bags, leaf);
	PKCS12_add_key(&bags, key, 0, 2048, nid, "s3cret");
	PKCS12_add_safe(&safes, bags, nid, 2048, "s3cret");
	p12 = PKCS12_add_safes(safes, 0);
	PKCS12_set_mac(p12, "s3cret", -1, NULL, 0, 2048, NULL);
	fp = fopen(p(out), "wb");
	i2d_PKCS12_fp(fp, p12);
	fclose(fp);
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(key);
	return 0;
}

/* openssl's own SHA-1 fingerprint of a PEM file, colons removed. */
static void
openssl_sha1(const char *name, char *out, size_t len)
{
	char	 cmd[700], line[200];
	FILE	*fp;
	size_t	 i, j = 0;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -fingerprint "
	    "-sha1", p(name));
	out[0] = '\0';
	fp = popen(cmd, "r");
	if (fp == NULL || fgets(line, sizeof(line), fp) == NULL) {
		if (fp != NULL)
			pclose(fp);
		return;
	}
	pclose(fp);
	for (i = strcspn(line, "=") + 1; line[i] != '\0' && j + 1 < len; i++)
		if (line[i] != ':' && line[i] != '\n')
			out[j++] = line[i];
	out[j] = '\0';
}

static void
test_patterns(void)
{
	ok(cert_pattern_matches("clouddp1.contoso.com",
	    "CloudDP1.Contoso.COM"), "exact names match case-insensitively");
	ok(cert_pattern_matches("clouddp1.contoso.com",
	    "clouddp1.contoso.com."), "a trailing dot is ignored");
	ok(!cert_pattern_matches("clouddp1.contoso.com",
	    "clouddp2.contoso.com"),
	    "different names do not match");
	ok(cert_pattern_matches("*.contoso.com", "clouddp1.contoso.com"),
	    "a wildcard matches one label");
	ok(!cert_pattern_matches("*.contoso.com", "a.b.contoso.com"),
	    "a wildcard never matches across dots");
	ok(!cert_pattern_matches("*.contoso.com", "contoso.com"),
	    "a wildcard does not match the bare parent");
	ok(!cert_pattern_matches("*.com", "contoso.com"),
	    "a wildcard needs two labels after it");
	ok(!cert_pattern_matches("cdp*.contoso.com", "cdp1.contoso.com"),
	    "a partial-label wildcard matches nothing");
	ok(!cert_pattern_matches("*.*.com", "a.b.com"),
	    "only the left-most label may be a wildcard");
	ok(!cert_pattern_matches("*.contoso.com", "*.contoso.com"),
	    "a wildcard name is not a host inside the wildcard");
	ok(!cert_pattern_matches("", "a.b"),
	    "an empty pattern matches nothing");
}

static void
test_pfx(void)
{
	struct clouddp_err	 err;
	struct cert		*c, *d;
	char			 t1[41], t2[41], want[64], t256[65];

	c = cert_load_file(p("good.pfx"), "s3cret", &err);
	ok(c != NULL, "an AES-256 .pfx loads");
	if (c == NULL) {
		diag("%s", err.what);
		return;
	}
	is(cert_cn(c), "clouddp1.contoso.test", "CN of the leaf");
	ok(cert_has_key(c) && cert_key_matches(c), "key present, matching");
	is_int(cert_nchain(c), 1, "the CA stays in the chain");
	ok(cert_pfx_is_pbes2(c), "AES-256 is PBES2");
	is(cert_pfx_cert_cipher(c), "PBES2/AES-256-CBC", "its cipher");
	is(cert_pfx_mac(c), "sha256", "its MAC");
	cert_thumbprint_sha1(c, t1);
	openssl_sha1("good.pem", want, sizeof(want));
	is(t1, want, "SHA-1 thumbprint equals openssl's fingerprint");
	cert_thumbprint_sha256(c, t256);
	is_int(strlen(t256), 64, "SHA-256 thumbprint is 64 hex digits");
	ok(cert_has_eku(c, "1.3.6.1.5.5.7.3.1"), "serverAuth EKU");
	is(cert_ekus(c), "serverAuth", "EKU names");
	ok(!cert_is_self_signed(c), "issued by the CA");
	is(cert_key_type(c), "RSA", "key type");
	is_int(cert_key_bits(c), 2048, "key size");

	d = cert_load_file(p("good-legacy.pfx"), "s3cret", &err);
	ok(d != NULL, "a -legacy (RC2-40/3DES) .pfx loads");
	if (d != NULL) {
		cert_thumbprint_sha1(d, t2);
		is(t2, t1, "same certificate");
		ok(!cert_pfx_is_pbes2(d), "legacy is not PBES2");
		is(cert_pfx_cert_cipher(d), "pbeWithSHA1And40BitRC2-CBC",
		    "legacy certificate cipher");
		is(cert_pfx_key_cipher(d),
		    "pbeWithSHA1And3-KeyTripleDES-CBC", "legacy key cipher");
		ok(cert_equal(c, d), "cert_equal");
	}
	cert_free(d);
	cert_free(c);
}

static void
test_passwords(void)
{
	struct clouddp_err	 err;
	struct cert		*c;

	c = cert_load_file(p("good-empty.pfx"), NULL, &err);
	ok(c != NULL, "an empty-password .pfx loads with no password");
	cert_free(c);
	c = cert_load_file(p("mgmt-empty-legacy.pfx"), "", &err);
	ok(c != NULL, "and a legacy one with \"\"");
	cert_free(c);
	c = cert_load_file(p("good.pfx"), "wrong", &err);
	ok(c == NULL && err.code == CLOUDDP_EPASSWORD,
	    "a wrong password is CLOUDDP_EPASSWORD");
	ok(strstr(err.what, "wrong password for") != NULL &&
	    strstr(err.what, "good.pfx") != NULL, "and says so");
	ok(strstr(err.hint, "--password-file") != NULL,
	    "hint names the option");
	c = cert_load_file(p("good.pfx"), NULL, &err);
	ok(c == NULL && err.code == CLOUDDP_EPASSWORD &&
	    strstr(err.what, "password required") != NULL,
	    "no password for a protected .pfx: password required");
	c = cert_load_file(p("good-enc.pem"), "s3cret", &err);
	ok(c != NULL && cert_key_matches(c), "PEM with an encrypted key");
	cert_free(c);
	c = cert_load_file(p("good-enc.pem"), "wrong", &err);
	ok(c == NULL && err.code == CLOUDDP_EPASSWORD &&
	    strstr(err.what, "wrong password for") != NULL,
	    "PEM, wrong password");
	c = cert_load_file(p("truncated.pfx"), "s3cret", &err);
	ok(c == NULL && err.code == CLOUDDP_ECERT &&
	    strstr(err.what, "truncated") != NULL, "a truncated .pfx");
	c = cert_load_file(p("notapfx.pfx"), "s3cret", &err);
	ok(c == NULL && err.code == CLOUDDP_ECERT &&
	    strstr(err.what, "not a certificate file") != NULL, "not a .pfx");
	c = cert_load_file(p("no-such-file.pfx"), "s3cret", &err);
	ok(c == NULL && err.code == CLOUDDP_EIO, "a missing file is EIO");
	ok(ERR_peek_error() == 0, "the OpenSSL error queue is empty");
}

/* The bytes of file name in dir; NULL when unreadable. */
static unsigned char *
file_bytes(const char *name, size_t *len)
{
	unsigned char	*b;
	FILE		*fp;
	long		 n;

	fp = fopen(p(name), "rb");
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	b = malloc((size_t)n + 4);
	if (b != NULL && fread(b, 1, (size_t)n, fp) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return b;
}

static void
file_write(const char *name, const unsigned char *b, size_t len)
{
	FILE	*fp;

	fp = fopen(p(name), "wb");
	if (fp == NULL)
		return;
	fwrite(b, 1, len, fp);
	fclose(fp);
}

/*
 * good.pfx with its outer SEQUENCE in BER indefinite form (30 80 ...
 * 00 00), as NSS writes it, and with its MAC's digest (SHA-256, the
 * last such OID in the file) turned into PBMAC1, which OpenSSL 3.0
 * cannot verify; both OIDs are nine bytes long.
 */
static void
pfx_mangle(void)
{
	static const unsigned char sha256[] = { 0x06, 0x09, 0x60, 0x86,
	    0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
	static const unsigned char pbmac1[] = { 0x06, 0x09, 0x2a, 0x86,
	    0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0e };
	unsigned char	*b, *ber;
	size_t		 len, hdr, i, last = 0;

	b = file_bytes("good.pfx", &len);
	if (b == NULL || len < 8 || b[1] < 0x81 || b[1] > 0x84)
		goto out;
	hdr = 2 + (b[1] & 0x7f);
	ber = malloc(len + 4);
	if (ber == NULL)
		goto out;
	ber[0] = 0x30;
	ber[1] = 0x80;
	memcpy(ber + 2, b + hdr, len - hdr);
	ber[2 + len - hdr] = ber[3 + len - hdr] = 0;
	file_write("good-ber.pfx", ber, len - hdr + 4);
	free(ber);
	for (i = 0; i + sizeof(sha256) <= len; i++)
		if (memcmp(b + i, sha256, sizeof(sha256)) == 0)
			last = i;
	if (last > 0)
		memcpy(b + last, pbmac1, sizeof(pbmac1));
	file_write("good-pbmac1.pfx", b, len);
out:
	free(b);
}

/*
 * A .pfx whose password was "\xc5\x81\xc3\xb3" ("\u0141\u00f3",
 * UTF-8) as OpenSSL 1.0 encoded it: each byte as a Latin-1 character,
 * which is what OpenSSL 3 makes of the double-encoded UTF-8 below.
 */
static void
pfx_latin1(void)
{
	PKCS12		*p12;
	X509		*leaf;
	EVP_PKEY	*key;
	FILE		*fp;

	leaf = pem_load("good.pem", 0);
	key = pem_load("good.key", 1);
	p12 = PKCS12_create("\xc3\x85\xc2\x81\xc3\x83\xc2\xb3", NULL,
	    key, leaf, NULL, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
	    NID_pbe_WithSHA1And3_Key_TripleDES_CBC, 2048, 2048, 0);
	fp = fopen(p("good-latin1.pfx"), "wb");
	if (fp != NULL && p12 != NULL)
		i2d_PKCS12_fp(fp, p12);
	if (fp != NULL)
		fclose(fp);
	PKCS12_free(p12);
	X509_free(leaf);
	EVP_PKEY_free(key);
}

/* Files real tools write that OpenSSL 3.0's PKCS12_parse refuses. */
static void
test_real_world(void)
{
	struct clouddp_err	 err;
	struct cert		*c;
	struct cert_finding	 f;

	pfx_mangle();
	pfx_latin1();
	c = cert_load_file(p("good-ber.pfx"), "s3cret", &err);
	ok(c != NULL && cert_key_matches(c),
	    "a BER (indefinite length) .pfx, as NSS writes it, loads");
	cert_free(c);
	c = cert_load_file(p("good-pbmac1.pfx"), "s3cret", &err);
	ok(c == NULL && err.code == CLOUDDP_ECERT &&
	    strstr(err.what, "MAC algorithm unsupported") != NULL,
	    "a MAC OpenSSL cannot verify is unsupported, not a wrong password");
	c = cert_load_file(p("good-nomac.pfx"), "s3cret", &err);
	ok(c != NULL && cert_key_matches(c) &&
	    strcmp(cert_pfx_mac(c), "none") == 0,
	    "a MAC-less .pfx opens with the right password");
	cert_free(c);
	c = cert_load_file(p("good-nomac.pfx"), "wrong", &err);
	ok(c == NULL && err.code == CLOUDDP_EPASSWORD,
	    "and with a wrong one says password");
	c = cert_load_file(p("good-nomac-plain.pfx"), "anything", &err);
	ok(c != NULL && cert_key_matches(c),
	    "an unencrypted MAC-less .pfx opens with any password");
	if (c != NULL) {
		cert_check_private_key(c, &f);
		ok(f.status == CLOUDDP_STATUS_OK, "its key is fine");
	} else
		ok(0, "its key is fine");
	cert_free(c);
	c = cert_load_file(p("good-latin1.pfx"), "\xc5\x81\xc3\xb3", &err);
	ok(c != NULL && cert_key_matches(c),
	    "a non-ASCII password OpenSSL 1.0 encoded as Latin-1 opens");
	cert_free(c);
	ok(ERR_peek_error() == 0, "the OpenSSL error queue is empty");
}

static void
test_bags(void)
{
	struct clouddp_err	 err;
	struct cert		*c;

	pfx_build("chainfirst.pfx", "good.pem", "good.key");
	c = cert_load_file(p("chainfirst.pfx"), "s3cret", &err);
	ok(c != NULL && strcmp(cert_cn(c), "clouddp1.contoso.test") == 0 &&
	    cert_key_matches(c), "chain before the leaf: the leaf is found");
	cert_free(c);
	pfx_build("foreignkey.pfx", "good.pem", "san.key");
	c = cert_load_file(p("foreignkey.pfx"), "s3cret", &err);
	ok(c != NULL && cert_has_key(c) && !cert_key_matches(c) &&
	    strcmp(cert_cn(c), "clouddp1.contoso.test") == 0,
	    "a foreign key: the leaf is found, the key does not match");
	cert_free(c);
	c = cert_load_file(p("mgmt.cer"), NULL, &err);
	ok(c != NULL && !cert_has_key(c) && cert_is_self_signed(c),
	    "a DER .cer");
	cert_free(c);
	c = cert_load_file(p("mgmt-pem.cer"), NULL, &err);
	ok(c != NULL && strcmp(cert_cn(c), "clouddp management") == 0,
	    "a PEM .cer");
	cert_free(c);
	c = cert_load_file(p("mgmt.b64"), NULL, &err);
	ok(c != NULL, "a bare base64 .cer");
	cert_free(c);
}

static void
test_names(void)
{
	struct clouddp_err	 err;
	struct cert		*c;

	c = cert_load_file(p("san.pfx"), "s3cret", &err);
	ok(c != NULL && cert_nsans(c) == 2, "two SANs");
	if (c == NULL)
		return;
	is(cert_san(c, 1), "cdp.contoso.test", "second SAN");
	ok(cert_name_matches(c, "CDP.contoso.test"), "a SAN matches");
	cert_free(c);
	c = cert_load_file(p("sanmismatch.pfx"), "s3cret", &err);
	ok(c != NULL && !cert_name_matches(c, "clouddp1.contoso.test"),
	    "with SANs, a CN-only match fails");
	cert_free(c);
	c = cert_load_file(p("wild.pfx"), "s3cret", &err);
	ok(c != NULL && cert_name_matches(c, "clouddp1.contoso.test") &&
	    !cert_name_matches(c, "a.clouddp1.contoso.test"),
	    "a wildcard CN without SANs");
	cert_free(c);
}

static void
test_checks(void)
{
	struct clouddp_err	 err;
	struct cert_finding	 f;
	struct cert		*c;
	char			 fqdn[256];

	c = cert_load_file(p("good.pfx"), "s3cret", &err);
	if (c == NULL)
		return;
	cert_check_validity(c, cert_not_before(c) - 1, 30, &f);
	ok(f.status == CLOUDDP_STATUS_CRITICAL &&
	    strstr(f.message, "not valid before") != NULL, "not yet valid");
	cert_check_validity(c, cert_not_after(c) + 1, 30, &f);
	ok(f.status == CLOUDDP_STATUS_CRITICAL &&
	    strstr(f.message, "expired") != NULL, "expired");
	cert_check_validity(c, cert_not_after(c) - 10 * 86400, 30, &f);
	ok(f.status == CLOUDDP_STATUS_WARNING, "expires within 30 days");
	cert_check_validity(c, cert_not_after(c) - 40 * 86400, 30, &f);
	ok(f.status == CLOUDDP_STATUS_OK, "40 days left is fine");
	cert_check_service_name(c, NULL, fqdn, sizeof(fqdn), &f);
	ok(f.status == CLOUDDP_STATUS_OK &&
	    strcmp(fqdn, "clouddp1.contoso.test") == 0, "FQDN from the CN");
	cert_check_service_name(c, "x.contoso.test", fqdn, sizeof(fqdn), &f);
	ok(f.status == CLOUDDP_STATUS_CRITICAL, "--fqdn not covered");
	cert_check_pfx_encoding(c, &f);
	ok(f.status == CLOUDDP_STATUS_WARNING, "AES .pfx: warning");
	cert_free(c);
	c = cert_load_file(p("weak.pfx"), "s3cret", &err);
	if (c == NULL)
		return;
	cert_check_key_size(c, 2048, &f);
	ok(f.status == CLOUDDP_STATUS_CRITICAL, "1024 bits fail");
	cert_free(c);
	c = cert_load_file(p("noeku.pfx"), "s3cret", &err);
	if (c == NULL)
		return;
	cert_check_server_auth(c, &f);
	ok(f.status == CLOUDDP_STATUS_CRITICAL &&
	    strstr(f.message, "no extended key usage") != NULL, "no EKU");
	cert_free(c);
}

/* A PBES2 .pfx re-encrypted for the classic API loads the same. */
static void
test_reencrypt(void)
{
	struct clouddp_err	 err;
	struct clouddp_buf	 out = { NULL, 0, 0 };
	struct cert		*c, *d = NULL, *e;
	char			 t1[41], t2[41];

	c = cert_load_file(p("good.pfx"), "s3cret", &err);
	ok(c != NULL && cert_pfx_is_pbes2(c), "good.pfx is PBES2");
	if (c == NULL)
		return;
	ok(cert_pfx_reencrypt(c, "s3cret", &out, &err) == 0,
	    "re-encrypted");
	if (out.data != NULL)
		d = cert_from_pkcs12((unsigned char *)out.data, out.len,
		    "s3cret", "re-encrypted", &err);
	ok(d != NULL, "the new bytes load with the same password");
	if (d != NULL) {
		cert_thumbprint_sha1(c, t1);
		cert_thumbprint_sha1(d, t2);
		is(t2, t1, "same thumbprint");
		ok(!cert_pfx_is_pbes2(d), "no longer PBES2");
		is(cert_pfx_cert_cipher(d),
		    "pbeWithSHA1And3-KeyTripleDES-CBC", "certificates: 3DES");
		is(cert_pfx_key_cipher(d),
		    "pbeWithSHA1And3-KeyTripleDES-CBC", "key: 3DES");
		is(cert_pfx_mac(d), "sha1", "MAC: SHA-1");
		ok(cert_has_key(d) && cert_key_matches(d),
		    "the key came along");
		is_int(cert_nchain(d), 1, "and the chain");
	}
	cert_free(d);
	d = cert_from_pkcs12((unsigned char *)out.data, out.len, "wrong",
	    "re-encrypted", &err);
	ok(d == NULL && err.code == CLOUDDP_EPASSWORD,
	    "another password does not open it");
	cert_free(d);
	e = cert_load_file(p("good.pem"), NULL, &err);
	ok(e != NULL && cert_pfx_reencrypt(e, "s3cret", &out, &err) == -1 &&
	    err.code == CLOUDDP_ECERT, "no private key: CLOUDDP_ECERT");
	cert_free(e);
	clouddp_buf_free(&out);
	cert_free(c);
}

/* An inventory at db with DP1, Ready, deployed with thumbprint. */
static int
inventory_make(const char *db, const char *thumbprint)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	struct inv_dp		 dp;
	int			 rc;

	inv = inventory_open(db, &err);
	if (inv == NULL)
		return -1;
	memset(&dp, 0, sizeof(dp));
	snprintf(dp.name, sizeof(dp.name), "DP1");
	snprintf(dp.backend, sizeof(dp.backend), "asm");
	snprintf(dp.service_fqdn, sizeof(dp.service_fqdn),
	    "CloudDP1.contoso.test.");
	snprintf(dp.azure_fqdn, sizeof(dp.azure_fqdn),
	    "0123456789abcdef01234567.cloudapp.net");
	snprintf(dp.vip, sizeof(dp.vip), "192.0.2.10");
	snprintf(dp.service_thumbprint, sizeof(dp.service_thumbprint), "%s",
	    thumbprint);
	dp.state = INV_STATE_READY;
	dp.created = dp.updated = 1000;
	rc = inventory_dp_add(inv, &dp, &err);
	inventory_free(inv);
	return rc;
}

/* The status of one check of a report, -1 when it has none. */
struct want {
	const char	*check;
	int		 status;
};

static void
status_of(void *arg, const char *stage, const char *check,
    enum clouddp_status status, const char *message)
{
	struct want	*want = arg;

	(void)stage;
	(void)message;
	if (strcmp(check, want->check) == 0)
		want->status = (int)status;
}

static int
check_status(const struct report *r, const char *check)
{
	struct want	 want = { check, -1 };

	report_check_each(r, status_of, &want);
	return want.status;
}

/* One run of cert_check_run into a new report; *rc gets its result. */
static struct report *
check_run(const struct cert_check_cfg *cfg, struct clouddp_ctx *ctx,
    int *rc, struct clouddp_err *err)
{
	struct report	*r;

	r = report_new("CERT");
	if (r == NULL) {
		*rc = -2;
		return NULL;
	}
	clouddp_err_clear(err);
	*rc = cert_check_run(cfg, ctx, r, err);
	return r;
}

static void
test_check_run_files(struct clouddp_ctx *ctx)
{
	struct cert_check_cfg	 cfg;
	struct clouddp_err	 err;
	struct report		*r;
	int			 rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.warn_days = 30;
	cfg.now = time(NULL);
	cfg.service = p("good-legacy.pfx");
	r = check_run(&cfg, ctx, &rc, &err);
	ok(rc == 0 && report_status(r) == CLOUDDP_STATUS_OK,
	    "cert_check_run: a legacy service .pfx, all OK");
	is(report_field(r, "fqdn"), "clouddp1.contoso.test",
	    "the Service FQDN from its CN");
	ok(report_field(r, "thumbprint_sha1") != NULL, "and its facts");
	report_free(r);
	memset(&cfg, 0, sizeof(cfg));
	cfg.warn_days = 30;
	cfg.now = time(NULL);
	cfg.management = p("mgmt.pfx");
	cfg.cer = p("other.cer");
	r = check_run(&cfg, ctx, &rc, &err);
	ok(rc == 0 && report_status(r) == CLOUDDP_STATUS_CRITICAL &&
	    report_count(r, CLOUDDP_STATUS_CRITICAL) == 1,
	    "a management .pfx with another's .cer: one critical");
	report_free(r);
	cfg.cer = p("missing.cer");
	r = check_run(&cfg, ctx, &rc, &err);
	ok(rc == -1 && err.code == CLOUDDP_EIO, "a missing .cer: EIO");
	report_free(r);
	memset(&cfg, 0, sizeof(cfg));
	cfg.publishsettings = p("v2.publishsettings");
	cfg.subscription = "no-such-subscription";
	r = check_run(&cfg, ctx, &rc, &err);
	ok(rc == -1 && strstr(err.what, "v2.publishsettings") != NULL,
	    "an unknown subscription: the file named");
	report_free(r);
}

static void
test_check_run_dp(struct clouddp_ctx *ctx)
{
	struct cert_check_cfg	 cfg;
	struct clouddp_err	 err;
	struct report		*r;
	struct cert		*c;
	char			 db[600], sha1[41];
	int			 rc;

	c = cert_load_file(p("good-legacy.pfx"), "s3cret", &err);
	if (c == NULL)
		return;
	cert_thumbprint_sha1(c, sha1);
	cert_free(c);
	snprintf(db, sizeof(db), "%s", p("dp.db"));
	ok(inventory_make(db, sha1) == 0, "an inventory with DP1");
	ctx->db = db;
	ctx->dp = "DP1";
	memset(&cfg, 0, sizeof(cfg));
	cfg.warn_days = 30;
	cfg.now = time(NULL);
	cfg.service = p("good-legacy.pfx");
	r = check_run(&cfg, ctx, &rc, &err);
	if (rc != 0)
		diag("%s", err.what);
	ok(rc == 0 && report_status(r) == CLOUDDP_STATUS_OK &&
	    check_status(r, "dp_certificate") == CLOUDDP_STATUS_OK &&
	    strcmp(report_field(r, "dp"), "DP1") == 0,
	    "--dp: the DP's own certificate");
	is(report_field(r, "fqdn"), "clouddp1.contoso.test",
	    "its Service FQDN, normalised");
	report_free(r);
	cfg.service = p("san.pfx");
	r = check_run(&cfg, ctx, &rc, &err);
	ok(rc == 0 && check_status(r, "dp_certificate") ==
	    CLOUDDP_STATUS_CRITICAL, "--dp: another certificate is critical");
	report_free(r);
	ctx->dp = "DP9";
	r = check_run(&cfg, ctx, &rc, &err);
	ok(rc == -1 && err.code == CLOUDDP_ECONFIG, "--dp: an unknown DP");
	report_free(r);
	ctx->db = NULL;
	ctx->dp = NULL;
}

int
main(void)
{
	const char		*top;
	char			 cmd[1024], pwfile[600];
	struct clouddp_ctx	 ctx;
	struct clouddp_err	 err;
	struct cert		*c;

	plan(97);
	top = getenv("top_srcdir");
	if (top == NULL)
		top = ".";
	if (mkdtemp(dir) == NULL || clouddp_global_init(&err) == -1)
		return 1;
	snprintf(cmd, sizeof(cmd), "sh %s/tests/data/gen-certs.sh %s "
	    ">/dev/null && openssl base64 -in %s/mgmt.cer -out %s/mgmt.b64",
	    top, dir, dir, dir);
	ok(system(cmd) == 0, "gen-certs.sh made the certificates");
	test_patterns();
	test_pfx();
	test_passwords();
	test_reencrypt();
	test_bags();
	test_real_world();
	test_names();
	test_checks();
	memset(&ctx, 0, sizeof(ctx));
	snprintf(pwfile, sizeof(pwfile), "%s", p("password"));
	snprintf(cmd, sizeof(cmd), "echo s3cret >%s && chmod 600 %s",
	    pwfile, pwfile);
	ok(system(cmd) == 0, "a password file");
	ctx.secret.kind = CLOUDDP_SECRET_FILE;
	ctx.secret.arg = pwfile;
	test_check_run_files(&ctx);
	test_check_run_dp(&ctx);
	c = cert_from_der((const unsigned char *)"\x30\x03\x02\x01\x01", 5,
	    &err);
	ok(c == NULL && err.code == CLOUDDP_ECERT, "cert_from_der: garbage");
	c = cert_from_pem("x", 1, &err);
	ok(c == NULL && err.code == CLOUDDP_ECERT, "cert_from_pem: garbage");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
	clouddp_global_cleanup();
	return done_testing();
}
