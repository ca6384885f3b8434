/*
 * TSIG (RFC 8945) keys and MACs.  The key file is read whole into one
 * buffer (no stdio buffer, no realloc), its secret decoded from base64
 * into a shielded secret (secret.h), and every copy on the way wiped.
 * The MACs are computed here with OpenSSL's EVP_MAC (HMAC), the key
 * opened only for EVP_MAC_init and wiped at once; OpenSSL wipes its own
 * copy when the context is freed.  ldns builds the TSIG record and
 * parses the packets but computes no MAC: ldns 1.8.3 takes the key only
 * as a base64 C string, which would have to stay in memory as long as
 * the key is used, and decodes it into a heap buffer it frees without
 * wiping, so a core dump showed the key both ways.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "clouddp.h"
#include "name.h"
#include "secret.h"
#include "tsig.h"
#include "update.h"

/* A name in canonical wire form (RFC 4034 6.2): lower case, no pointer. */
struct tsig_name {
	uint8_t		 wire[LDNS_MAX_DOMAINLEN + 1];
	size_t		 len;
};

struct tsig_algorithm {
	const char	*name;		/* in key files */
	const char	*wire;		/* in TSIG records */
	const char	*digest;	/* OpenSSL's name */
};

static const struct tsig_algorithm tsig_algorithms[] = {
	{ "hmac-md5", "hmac-md5.sig-alg.reg.int.", "MD5" },
	{ "hmac-sha1", "hmac-sha1.", "SHA1" },
	{ "hmac-sha224", "hmac-sha224.", "SHA224" },
	{ "hmac-sha256", "hmac-sha256.", "SHA256" },
	{ "hmac-sha384", "hmac-sha384.", "SHA384" },
	{ "hmac-sha512", "hmac-sha512.", "SHA512" },
};
/* tsig-keygen's default, and a key file's without an algorithm. */
#define TSIG_DEFAULT	3

struct zone_tsig {
	char				 name[ZONE_NAME_MAX];
	const struct tsig_algorithm	*alg;
	struct tsig_name		 name_wire, alg_wire;
	struct secret_shield		*key;	/* the decoded secret */
};

/* A key file is small; a larger one is not a key file. */
#define KEY_FILE_MAX	65536

/* A minimal reader for BIND's key statement: words, strings, { } ; */
struct key_lexer {
	const char	*p;
	char		 tok[512];
};

static int
lex_next(struct key_lexer *lx)
{
	size_t	 n = 0;

	for (;;) {
		while (isspace((unsigned char)*lx->p))
			lx->p++;
		if (*lx->p == '#' || (lx->p[0] == '/' && lx->p[1] == '/')) {
			lx->p += strcspn(lx->p, "\n");
			continue;
		}
		if (lx->p[0] == '/' && lx->p[1] == '*') {
			lx->p = strstr(lx->p + 2, "*/");
			if (lx->p == NULL)
				return -1;
			lx->p += 2;
			continue;
		}
		break;
	}
	if (*lx->p == '\0')
		return 0;
	if (strchr("{};", *lx->p) != NULL) {
		lx->tok[0] = *lx->p++;
		lx->tok[1] = '\0';
		return 1;
	}
	if (*lx->p == '"') {
		for (lx->p++; *lx->p != '"' && *lx->p != '\0'; lx->p++)
			if (n < sizeof(lx->tok) - 1)
				lx->tok[n++] = *lx->p;
		if (*lx->p != '"')
			return -1;
		lx->p++;
	} else
		while (*lx->p != '\0' && !isspace((unsigned char)*lx->p) &&
		    strchr("{};\"", *lx->p) == NULL)
			if (n < sizeof(lx->tok) - 1)
				lx->tok[n++] = *lx->p++;
			else
				lx->p++;
	lx->tok[n] = '\0';
	return 1;
}

static int
tsig_set_algorithm(struct zone_tsig *k, const char *alg, const char *path,
    struct clouddp_err *err)
{
	const struct tsig_algorithm	*a;
	size_t				 i, n = strlen(alg);

	/* Whole names only: "h" or "" must not pass for hmac-md5. */
	if (n > 0 && alg[n - 1] == '.')
		n--;
	for (i = 0; n > 0 && i < sizeof(tsig_algorithms) /
	    sizeof(*tsig_algorithms); i++) {
		a = &tsig_algorithms[i];
		if ((strlen(a->name) == n &&
		    strncasecmp(alg, a->name, n) == 0) ||
		    (strlen(a->wire) == n + 1 &&
		    strncasecmp(alg, a->wire, n) == 0)) {
			k->alg = a;
			return 0;
		}
	}
	if (n == 0)
		return clouddp_errf(err, CLOUDDP_ECONFIG,
		    "name the algorithm, e.g. algorithm hmac-sha256;",
		    "%s: the key's algorithm is empty", path);
	return clouddp_errf(err, CLOUDDP_ECONFIG,
	    "use hmac-sha256 (tsig-keygen's default) or another hmac-sha*",
	    "%s: unknown TSIG algorithm '%s'", path, alg);
}

/*
 * Base64 (RFC 4648 4, padded; white space skipped, as BIND's key files
 * may break a long secret) into out, of size bytes: the length, or -1
 * when it is not base64 or does not fit.  Neither ldns (whose
 * ldns_b64_pton no header declares) nor OpenSSL's EVP_Decode (which
 * keeps up to 80 characters in a context it frees without wiping) is
 * used for a secret.
 */
static int
b64_decode(const char *s, uint8_t *out, size_t size)
{
	static const char	 digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*d;
	unsigned long		 acc = 0;
	size_t			 n = 0, ndigits = 0, npad = 0, bits = 0;
	int			 ok;

	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (*s == '=') {
			npad++;
			continue;
		}
		d = strchr(digits, *s);
		if (d == NULL || npad > 0)
			return -1;
		acc = (acc << 6 | (unsigned long)(d - digits)) & 0xffff;
		ndigits++;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == size)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (ndigits == 0)
		return npad == 0 ? 0 : -1;
	/* Whole groups of four, and no bits set past the last byte. */
	ok = (ndigits + npad) % 4 == 0 && npad <= 2 &&
	    (acc & ((1UL << bits) - 1)) == 0;
	secret_wipe(&acc, sizeof(acc));
	return ok ? (int)n : -1;
}

/*
 * The secret, base64 in b64, decoded into k's shielded key.  The
 * decoded bytes live only in raw, wiped here; b64 is the caller's to
 * wipe.
 */
static int
tsig_set_secret(struct zone_tsig *k, const char *b64, const char *path,
    struct clouddp_err *err)
{
	uint8_t	 raw[512];
	int	 n;

	n = b64_decode(b64, raw, sizeof(raw));
	if (n <= 0) {
		secret_wipe(raw, sizeof(raw));
		return clouddp_errf(err, CLOUDDP_ECONFIG,
		    "copy the secret from the server's key file, or generate "
		    "a key with tsig-keygen",
		    n == 0 ? "%s: the key's secret is empty" :
		    "%s: the key's secret is not base64", path);
	}
	secret_shield_free(k->key);
	k->key = secret_shield_new(raw, (size_t)n, err);
	secret_wipe(raw, sizeof(raw));
	return k->key != NULL ? 0 : -1;
}

/* Parse the key statement's body after `key "name" {`. */
static int
tsig_parse_body(struct key_lexer *lx, struct zone_tsig *k, const char *path,
    struct clouddp_err *err)
{
	char	 field[32];

	for (;;) {
		if (lex_next(lx) != 1)
			break;
		if (strcmp(lx->tok, "}") == 0)
			return k->key != NULL ? 0 : clouddp_errf(err,
			    CLOUDDP_ECONFIG, "generate one with tsig-keygen",
			    "%s: the key has no secret", path);
		snprintf(field, sizeof(field), "%s", lx->tok);
		if (lex_next(lx) != 1)
			break;
		if (strcmp(field, "algorithm") == 0) {
			if (tsig_set_algorithm(k, lx->tok, path, err) == -1)
				return -1;
		} else if (strcmp(field, "secret") == 0) {
			if (tsig_set_secret(k, lx->tok, path, err) == -1)
				return -1;
			secret_wipe(lx->tok, sizeof(lx->tok));
		} else
			return clouddp_errf(err, CLOUDDP_ECONFIG, NULL,
			    "%s: unknown key field '%s'", path, field);
		if (lex_next(lx) != 1 || strcmp(lx->tok, ";") != 0)
			break;
	}
	return clouddp_errf(err, CLOUDDP_ECONFIG,
	    "the file must hold key \"name\" { algorithm hmac-sha256; "
	    "secret \"...\"; };",
	    "%s: malformed key statement", path);
}

/* name (presentation form) in canonical wire form; -1 if it is none. */
static int
name_wire(const char *name, struct tsig_name *out)
{
	ldns_rdf	*rdf;

	rdf = ldns_dname_new_frm_str(name);
	if (rdf == NULL)
		return -1;
	ldns_dname2canonical(rdf);
	out->len = ldns_rdf_size(rdf);
	if (out->len > sizeof(out->wire)) {
		ldns_rdf_deep_free(rdf);
		return -1;
	}
	memcpy(out->wire, ldns_rdf_data(rdf), out->len);
	ldns_rdf_deep_free(rdf);
	return 0;
}

/* A key name is a domain name, often a single label; keep its dot. */
static int
key_name(const char *tok, struct zone_tsig *k)
{
	size_t	 n = strlen(tok);

	if (n == 0 || n >= ZONE_NAME_MAX - 1)
		return -1;
	snprintf(k->name, sizeof(k->name), "%s%s", tok,
	    tok[n - 1] == '.' ? "" : ".");
	return name_wire(k->name, &k->name_wire);
}

static int
tsig_parse(const char *text, struct zone_tsig *k, const char *path,
    struct clouddp_err *err)
{
	struct key_lexer	 lx;
	int			 rc = -1;

	lx.p = text;
	if (lex_next(&lx) != 1 || strcmp(lx.tok, "key") != 0 ||
	    lex_next(&lx) != 1 || key_name(lx.tok, k) == -1 ||
	    lex_next(&lx) != 1 || strcmp(lx.tok, "{") != 0)
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "the file must hold key \"name\" { algorithm hmac-sha256; "
		    "secret \"...\"; }; as tsig-keygen writes it",
		    "%s: no key statement found", path);
	else
		rc = tsig_parse_body(&lx, k, path, err);
	secret_wipe(lx.tok, sizeof(lx.tok));
	if (rc == 0 && name_wire(k->alg->wire, &k->alg_wire) == -1)
		rc = clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "%s: bad algorithm name", k->alg->wire);
	return rc;
}

/*
 * The whole file, NUL-terminated, in one buffer of KEY_FILE_MAX + 1
 * bytes read with read(2): stdio's buffer and a growing buffer's
 * reallocations would leave copies of the secret in freed memory.  The
 * caller wipes and frees it.
 */
static char *
key_file_read(const char *path, const char **warning,
    struct clouddp_err *err)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 n = 0;
	int		 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "check the path given to --tsig-file", "%s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		*warning = "the TSIG key file is readable by others: "
		    "chmod 600 it";
	text = calloc(1, KEY_FILE_MAX + 1);
	if (text == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	while (len < KEY_FILE_MAX) {
		n = read(fd, text + len, KEY_FILE_MAX - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n == -1)
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "check the path given to --tsig-file", "%s: %s", path,
		    strerror(errno));
	else if (len == 0)
		clouddp_errf(err, CLOUDDP_ECONFIG, NULL, "%s: empty file",
		    path);
	else if (len == KEY_FILE_MAX)
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "give the key file tsig-keygen wrote",
		    "%s: %d bytes or more: not a key file", path,
		    KEY_FILE_MAX);
	else
		goto out;
	secret_wipe(text, KEY_FILE_MAX);
	free(text);
	text = NULL;
out:
	close(fd);
	return text;
}

struct zone_tsig *
zone_tsig_load(const char *path, const char **warning,
    struct clouddp_err *err)
{
	struct zone_tsig	*k;
	char			*text;

	*warning = NULL;
	text = key_file_read(path, warning, err);
	if (text == NULL)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	else {
		k->alg = &tsig_algorithms[TSIG_DEFAULT];
		if (tsig_parse(text, k, path, err) == -1) {
			zone_tsig_free(k);
			k = NULL;
		}
	}
	secret_wipe(text, KEY_FILE_MAX);
	free(text);
	return k;
}

void
zone_tsig_free(struct zone_tsig *k)
{
	if (k == NULL)
		return;
	secret_shield_free(k->key);
	free(k);
}

const char *
zone_tsig_name(const struct zone_tsig *k)
{
	return k->name;
}

/* The TSIG variables after the names (RFC 8945 4.3.3), in wire form. */
struct tsig_vars {
	uint8_t		 time[6];	/* seconds, 48 bits */
	uint8_t		 fudge[2];
	uint8_t		 error[2];
	const uint8_t	*other;		/* its two-byte length first */
	size_t		 otherlen;
};

static int
mac_error(const struct zone_tsig *k, struct clouddp_err *err)
{
	char	 why[256];

	ERR_error_string_n(ERR_peek_last_error(), why, sizeof(why));
	ERR_clear_error();
	return clouddp_errf(err, CLOUDDP_EINTERNAL,
	    "check that OpenSSL offers HMAC with this digest (not MD5 in "
	    "FIPS mode)", "cannot compute the TSIG MAC of key %s "
	    "(HMAC-%s): %s", k->name, k->alg->digest, why);
}

/*
 * A context for HMAC under k's key: the key is opened from its shield
 * for EVP_MAC_init alone and wiped at once.
 */
static EVP_MAC_CTX *
mac_start(const struct zone_tsig *k, struct clouddp_err *err)
{
	OSSL_PARAM	 params[2];
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;
	char		*key = NULL, digest[16];
	size_t		 keylen = 0;
	int		 ok = 0;

	if (secret_shield_open(k->key, &key, &keylen, err) == -1)
		return NULL;
	snprintf(digest, sizeof(digest), "%s", k->alg->digest);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac != NULL)
		ctx = EVP_MAC_CTX_new(mac);
	if (ctx != NULL)
		ok = EVP_MAC_init(ctx, (const unsigned char *)key, keylen,
		    params) == 1;
	secret_wipe(key, keylen);
	free(key);
	EVP_MAC_free(mac);
	if (ok)
		return ctx;
	EVP_MAC_CTX_free(ctx);
	mac_error(k, err);
	return NULL;
}

/*
 * The MAC of a message: the request's MAC first for an answer (req not
 * NULL: its length in two bytes, then itself), the message msg (len
 * bytes, without its TSIG record), then the TSIG variables: k's name,
 * class ANY, TTL 0, k's algorithm, and v (RFC 8945 4.3.1-4.3.3).
 */
static int
tsig_hmac(const struct zone_tsig *k, const struct tsig_mac *req,
    const uint8_t *msg, size_t len, const struct tsig_vars *v,
    struct tsig_mac *out, struct clouddp_err *err)
{
	static const uint8_t	 class_ttl[6] = { 0, LDNS_RR_CLASS_ANY };
	EVP_MAC_CTX		*ctx;
	uint8_t			 reqlen[2];
	int			 ok = 1;

	ctx = mac_start(k, err);
	if (ctx == NULL)
		return -1;
	if (req != NULL) {
		reqlen[0] = (uint8_t)(req->len >> 8);
		reqlen[1] = (uint8_t)req->len;
		ok = EVP_MAC_update(ctx, reqlen, 2) == 1 &&
		    EVP_MAC_update(ctx, req->data, req->len) == 1;
	}
	ok = ok && EVP_MAC_update(ctx, msg, len) == 1 &&
	    EVP_MAC_update(ctx, k->name_wire.wire, k->name_wire.len) == 1 &&
	    EVP_MAC_update(ctx, class_ttl, sizeof(class_ttl)) == 1 &&
	    EVP_MAC_update(ctx, k->alg_wire.wire, k->alg_wire.len) == 1 &&
	    EVP_MAC_update(ctx, v->time, sizeof(v->time)) == 1 &&
	    EVP_MAC_update(ctx, v->fudge, sizeof(v->fudge)) == 1 &&
	    EVP_MAC_update(ctx, v->error, sizeof(v->error)) == 1 &&
	    EVP_MAC_update(ctx, v->other, v->otherlen) == 1 &&
	    EVP_MAC_final(ctx, out->data, &out->len, sizeof(out->data)) == 1;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : mac_error(k, err);
}

/* The TSIG record of a request: rdata in RFC 8945 4.2's order. */
static ldns_rr *
tsig_rr(const struct zone_tsig *k, const struct tsig_vars *v,
    const struct tsig_mac *mac, uint16_t id)
{
	static const uint8_t	 no_other[2];
	uint8_t			 macfield[2 + TSIG_MAC_MAX];
	ldns_rdf		*rdf[7];
	ldns_rr			*rr;
	size_t			 i;

	rr = ldns_rr_new();
	if (rr == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_dname_new_frm_str(k->name));
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TSIG);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(rr, 0);
	rdf[0] = ldns_dname_new_frm_str(k->alg->wire);
	rdf[1] = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_TSIGTIME,
	    sizeof(v->time), v->time);
	rdf[2] = ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, TSIG_FUDGE);
	macfield[0] = (uint8_t)(mac->len >> 8);
	macfield[1] = (uint8_t)mac->len;
	memcpy(macfield + 2, mac->data, mac->len);
	rdf[3] = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, 2 + mac->len,
	    macfield);
	rdf[4] = ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, id);
	rdf[5] = ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, 0);
	rdf[6] = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA,
	    sizeof(no_other), no_other);
	for (i = 0; i < 7; i++)
		if (rdf[i] == NULL || !ldns_rr_push_rdf(rr, rdf[i]))
			break;
	if (i == 7 && ldns_rr_owner(rr) != NULL)
		return rr;
	for (; i < 7; i++)
		ldns_rdf_deep_free(rdf[i]);
	ldns_rr_free(rr);
	return NULL;
}

/* wire (len bytes) and the record rr after it, ARCOUNT one more. */
static int
append_record(const uint8_t *wire, size_t len, const ldns_rr *rr,
    uint8_t **out, size_t *outlen)
{
	uint8_t	*rw = NULL;
	size_t	 rlen = 0, ar;

	if (len < 12)
		return -1;
	ar = ((size_t)wire[10] << 8 | wire[11]) + 1;
	if (ar > 0xffff || ldns_rr2wire(&rw, rr, LDNS_SECTION_ADDITIONAL,
	    &rlen) != LDNS_STATUS_OK)
		return -1;
	*out = malloc(len + rlen);
	if (*out != NULL) {
		memcpy(*out, wire, len);
		memcpy(*out + len, rw, rlen);
		(*out)[10] = (uint8_t)(ar >> 8);
		(*out)[11] = (uint8_t)ar;
		*outlen = len + rlen;
	}
	free(rw);
	return *out != NULL ? 0 : -1;
}

int
tsig_sign(const struct zone_tsig *k, const ldns_pkt *q, uint64_t now,
    struct tsig_mac *mac, uint8_t **out, size_t *outlen,
    struct clouddp_err *err)
{
	static const uint8_t	 no_other[2];
	struct tsig_vars	 v;
	ldns_rr			*rr = NULL;
	uint8_t			*wire = NULL;
	size_t			 len, i;
	int			 rc = -1;

	for (i = 0; i < sizeof(v.time); i++)
		v.time[i] = (uint8_t)(now >> (8 * (sizeof(v.time) - 1 - i)));
	v.fudge[0] = TSIG_FUDGE >> 8;
	v.fudge[1] = TSIG_FUDGE & 0xff;
	memset(v.error, 0, sizeof(v.error));
	v.other = no_other;
	v.otherlen = sizeof(no_other);
	if (ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK || len < 12)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot encode the DNS message");
	if (tsig_hmac(k, NULL, wire, len, &v, mac, err) == -1)
		goto out;
	rr = tsig_rr(k, &v, mac, ldns_pkt_id(q));
	if (rr == NULL || append_record(wire, len, rr, out, outlen) == -1) {
		clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot add a TSIG record to the DNS message");
		goto out;
	}
	rc = 0;
out:
	ldns_rr_free(rr);
	free(wire);
	return rc;
}

/* Step over a name at *off in a message of len bytes. */
static int
skip_name(const uint8_t *w, size_t len, size_t *off)
{
	while (*off < len) {
		if (w[*off] == 0) {
			(*off)++;
			return 0;
		}
		if ((w[*off] & 0xc0) == 0xc0) {
			*off += 2;
			return *off <= len ? 0 : -1;
		}
		if ((w[*off] & 0xc0) != 0)
			return -1;
		*off += 1 + (size_t)w[*off];
	}
	return -1;
}

/* Where the last record of a message starts: its TSIG record. */
static int
last_record(const uint8_t *w, size_t len, size_t *out)
{
	size_t	 off = 12, i, nrr;

	if (len < 12 || (w[10] == 0 && w[11] == 0))
		return -1;
	for (i = 0; i < ((size_t)w[4] << 8 | w[5]); i++) {
		if (skip_name(w, len, &off) == -1)
			return -1;
		off += 4;	/* type, class */
		if (off > len)
			return -1;
	}
	nrr = ((size_t)w[6] << 8 | w[7]) + ((size_t)w[8] << 8 | w[9]) +
	    ((size_t)w[10] << 8 | w[11]) - 1;
	for (i = 0; i < nrr; i++) {
		if (skip_name(w, len, &off) == -1 || off + 10 > len)
			return -1;
		off += 10 + ((size_t)w[off + 8] << 8 | w[off + 9]);
		if (off > len)
			return -1;
	}
	*out = off;
	return 0;
}

/* The answer's TSIG rdata, each field of its size; NULL if it is not. */
static const ldns_rdf *
answer_field(const ldns_rr *rr, size_t i, size_t size)
{
	const ldns_rdf	*rdf = ldns_rr_rdf(rr, i);

	if (rdf == NULL)
		return NULL;
	if (size > 0 && ldns_rdf_size(rdf) != size)
		return NULL;
	if (size == 0 && (ldns_rdf_size(rdf) < 2 || ldns_rdf_size(rdf) !=
	    2 + ((size_t)ldns_rdf_data(rdf)[0] << 8 |
	    ldns_rdf_data(rdf)[1])))
		return NULL;
	return rdf;
}

/* Is the answer's algorithm k's (names compare without case)? */
static int
same_algorithm(const struct zone_tsig *k, const ldns_rdf *alg)
{
	ldns_rdf	*c;
	int		 same;

	if (alg == NULL || ldns_rdf_get_type(alg) != LDNS_RDF_TYPE_DNAME)
		return 0;
	c = ldns_rdf_clone(alg);
	if (c == NULL)
		return 0;
	ldns_dname2canonical(c);
	same = ldns_rdf_size(c) == k->alg_wire.len &&
	    memcmp(ldns_rdf_data(c), k->alg_wire.wire, k->alg_wire.len) == 0;
	ldns_rdf_deep_free(c);
	return same;
}

int
tsig_verify(const struct zone_tsig *k, const ldns_pkt *resp,
    const uint8_t *wire, size_t len, const struct tsig_mac *req,
    struct clouddp_err *err)
{
	const ldns_rdf		*f[7];
	const ldns_rr		*rr = ldns_pkt_tsig(resp);
	static const size_t	 size[7] = { 0, 6, 2, 0, 2, 2, 0 };
	struct tsig_vars	 v;
	struct tsig_mac		 mine;
	uint8_t			*msg;
	size_t			 off, i, ar;
	int			 rc;

	if (rr == NULL || ldns_rr_rd_count(rr) < 7 ||
	    !same_algorithm(k, ldns_rr_rdf(rr, 0)))
		return 0;
	for (i = 1; i < 7; i++) {
		f[i] = answer_field(rr, i, size[i]);
		if (f[i] == NULL)
			return 0;
	}
	if (last_record(wire, len, &off) == -1)
		return 0;
	msg = malloc(off);
	if (msg == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	/* As signed: the original ID, ARCOUNT less the TSIG record. */
	memcpy(msg, wire, off);
	memcpy(msg, ldns_rdf_data(f[4]), 2);
	ar = ((size_t)msg[10] << 8 | msg[11]) - 1;
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	memcpy(v.time, ldns_rdf_data(f[1]), sizeof(v.time));
	memcpy(v.fudge, ldns_rdf_data(f[2]), sizeof(v.fudge));
	memcpy(v.error, ldns_rdf_data(f[5]), sizeof(v.error));
	v.other = ldns_rdf_data(f[6]);
	v.otherlen = ldns_rdf_size(f[6]);
	rc = tsig_hmac(k, req, msg, off, &v, &mine, err);
	free(msg);
	if (rc == -1)
		return -1;
	return ldns_rdf_size(f[3]) == 2 + mine.len &&
	    CRYPTO_memcmp(ldns_rdf_data(f[3]) + 2, mine.data, mine.len) == 0;
}
