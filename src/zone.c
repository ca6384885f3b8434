/*
 * Names, zone files and RFC 2136 updates on ldns (and libidn2 for
 * internationalised names).  Nothing else in the tree parses a name or a
 * master file; nothing here prints.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <ldns/ldns.h>

#include "clouddp.h"
#include "secret.h"
#include "zone.h"

/* One record of a loaded zone, as much as the conflict checks need. */
struct zone_entry {
	char		*owner;		/* normalised */
	ldns_rr_type	 type;
	char		*target;	/* CNAME and DNAME only */
	int		 line;
};

struct zone_db {
	char			 origin[ZONE_NAME_MAX];
	struct zone_entry	*entries;	/* sorted by owner */
	size_t			 nentries;
	size_t			 cap;
};

struct zone_tsig {
	char	 name[ZONE_NAME_MAX];
	char	 algorithm[64];
	char	*secret;	/* base64 */
};

static int
label_check(const char *label, size_t len, int first, int allow_wildcard,
    const char *name, struct clouddp_err *err)
{
	size_t	 i;

	if (len == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "remove the doubled or leading dot",
		    "%s: empty label", name);
	if (len > 63)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "shorten the label to 63 characters or fewer",
		    "%s: label '%.*s' is %zu octets long (at most 63)", name,
		    (int)(len > 20 ? 20 : len), label, len);
	if (len == 1 && label[0] == '*') {
		if (first && allow_wildcard)
			return 0;
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "name one host, e.g. clouddp1.contoso.com",
		    "%s: a wildcard is not allowed here", name);
	}
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)label[i]) && label[i] != '-')
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "use only letters, digits and hyphens (RFC 1123)",
			    "%s: invalid character '%c' in label '%.*s'",
			    name, isprint((unsigned char)label[i]) ?
			    label[i] : '?', (int)len, label);
	if (label[0] == '-' || label[len - 1] == '-')
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "a label may not begin or end with a hyphen (RFC 1123)",
		    "%s: label '%.*s' begins or ends with a hyphen", name,
		    (int)len, label);
	return 0;
}

/* Convert a UTF-8 name to A-labels; ASCII names are copied. */
static int
to_ascii(const char *in, char *out, struct clouddp_err *err)
{
	const unsigned char	*p;
	char			*ascii = NULL;
	int			 rc;

	for (p = (const unsigned char *)in; *p != '\0'; p++)
		if (*p >= 0x80 || *p < 0x20)
			break;
	if (*p == '\0') {
		if (strlen(in) >= ZONE_NAME_MAX)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "a DNS name has at most 255 octets",
			    "name too long (%zu characters)", strlen(in));
		memcpy(out, in, strlen(in) + 1);
		return 0;
	}
	if (*p < 0x20)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "name contains a control character");
	rc = idn2_to_ascii_8z(in, &ascii,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the name in UTF-8 or as its xn-- A-label form",
		    "'%s' is not a valid internationalised name: %s", in,
		    idn2_strerror(rc));
	if (strlen(ascii) >= ZONE_NAME_MAX) {
		idn2_free(ascii);
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "'%s': name too long once converted to A-labels", in);
	}
	memcpy(out, ascii, strlen(ascii) + 1);
	idn2_free(ascii);
	return 0;
}

int
zone_name_parse(const char *in, int allow_wildcard, char *out,
    struct clouddp_err *err)
{
	char		 buf[ZONE_NAME_MAX];
	const char	*label, *dot;
	size_t		 len, wire = 1, i;
	ldns_rdf	*rdf;

	if (in[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL, "empty name");
	if (to_ascii(in, buf, err) == -1)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (len == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "'%s': the root is not a host name", in);
	for (label = buf;; label = dot + 1) {
		dot = strchr(label, '.');
		len = dot != NULL ? (size_t)(dot - label) : strlen(label);
		if (label_check(label, len, label == buf, allow_wildcard, in,
		    err) == -1)
			return -1;
		wire += len + 1;
		if (dot == NULL)
			break;
	}
	if (wire > 255)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "a DNS name has at most 255 octets",
		    "%s: name is %zu octets long", in, wire);
	if (label == buf)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the fully qualified name, e.g. clouddp1.contoso.com",
		    "%s: a single label is not a fully qualified name", in);
	for (i = 0; label[i] != '\0' && isdigit((unsigned char)label[i]); i++)
		continue;
	if (label[i] == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give a host name, not an address",
		    "%s: the top-level label is numeric", in);
	snprintf(out, ZONE_NAME_MAX, "%s.", buf);
	/* ldns is the final judge of what a name is. */
	rdf = ldns_dname_new_frm_str(out);
	if (rdf == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: not a valid domain name", in);
	ldns_rdf_deep_free(rdf);
	return 0;
}

int
zone_name_is_within(const char *name, const char *ancestor)
{
	size_t	 n = strlen(name), a = strlen(ancestor);

	if (strcmp(ancestor, ".") == 0)
		return 1;
	if (n < a || strcasecmp(name + n - a, ancestor) != 0)
		return 0;
	return n == a || name[n - a - 1] == '.';
}

int
zone_name_is_wildcard(const char *name)
{
	return name[0] == '*' && (name[1] == '.' || name[1] == '\0');
}

const char *
zone_name_relative(const char *name, const char *origin, char *out)
{
	size_t	 n = strlen(name), a = strlen(origin);

	if (n > a + 1 && zone_name_is_within(name, origin))
		snprintf(out, ZONE_NAME_MAX, "%.*s", (int)(n - a - 1), name);
	else
		snprintf(out, ZONE_NAME_MAX, "%s", name);
	return out;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct zone_entry	*x = a, *y = b;
	int			 c;

	c = strcmp(x->owner, y->owner);
	if (c != 0)
		return c;
	return x->line - y->line;
}

/* Index of the first entry owned by name, or db->nentries. */
static size_t
entry_find(const struct zone_db *db, const char *name)
{
	size_t	 lo = 0, hi = db->nentries, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(db->entries[mid].owner, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static char *
rdf_name(const ldns_rdf *rdf)
{
	char	*s, *p;

	s = ldns_rdf2str(rdf);
	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static int
db_add(struct zone_db *db, const ldns_rr *rr, int line,
    struct clouddp_err *err)
{
	struct zone_entry	*e;
	size_t			 cap;

	if (db->nentries == db->cap) {
		cap = db->cap > 0 ? db->cap * 2 : 256;
		e = reallocarray(db->entries, cap, sizeof(*e));
		if (e == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory loading the zone");
		db->entries = e;
		db->cap = cap;
	}
	e = &db->entries[db->nentries];
	memset(e, 0, sizeof(*e));
	e->type = ldns_rr_get_type(rr);
	e->line = line;
	e->owner = rdf_name(ldns_rr_owner(rr));
	if ((e->type == LDNS_RR_TYPE_CNAME || e->type == LDNS_RR_TYPE_DNAME) &&
	    ldns_rr_rd_count(rr) > 0)
		e->target = rdf_name(ldns_rr_rdf(rr, 0));
	if (e->owner == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory loading the zone");
	db->nentries++;
	return 0;
}

/* Read every record of fp into db, keeping line numbers. */
static int
db_read(struct zone_db *db, FILE *fp, const char *path,
    struct clouddp_err *err)
{
	ldns_rdf	*origin, *prev = NULL;
	ldns_rr		*rr;
	ldns_status	 st;
	uint32_t	 ttl = 3600;
	int		 line = 0, rc = -1;

	origin = ldns_dname_new_frm_str(db->origin);
	if (origin == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: bad origin", db->origin);
	while (!feof(fp)) {
		rr = NULL;
		st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
			clouddp_errf(err, CLOUDDP_EINPUT,
			    "give the included file's records in one file",
			    "%s:%d: $INCLUDE is not supported", path, line);
			goto out;
		}
		if (st != LDNS_STATUS_OK) {
			clouddp_errf(err, CLOUDDP_EINPUT,
			    "check the zone with named-checkzone",
			    "%s:%d: %s", path, line,
			    ldns_get_errorstr_by_id(st));
			goto out;
		}
		/* ldns reads an unknown word as type 0; a zone has none. */
		if (ldns_rr_get_type(rr) == 0) {
			ldns_rr_free(rr);
			clouddp_errf(err, CLOUDDP_EINPUT,
			    "check the zone with named-checkzone",
			    "%s:%d: not a resource record (unknown type)",
			    path, line);
			goto out;
		}
		if (db_add(db, rr, line, err) == -1) {
			ldns_rr_free(rr);
			goto out;
		}
		ldns_rr_free(rr);
	}
	rc = 0;
out:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

static int
has_soa(const struct zone_db *db)
{
	size_t	 i;

	for (i = entry_find(db, db->origin); i < db->nentries &&
	    strcmp(db->entries[i].owner, db->origin) == 0; i++)
		if (db->entries[i].type == LDNS_RR_TYPE_SOA)
			return 1;
	return 0;
}

struct zone_db *
zone_db_load(const char *path, const char *origin, struct clouddp_err *err)
{
	struct zone_db	*db;
	FILE		*fp;

	fp = fopen(path, "r");
	if (fp == NULL) {
		clouddp_errf(err, CLOUDDP_EIO, "check the path given to --zone",
		    "%s: %s", path, strerror(errno));
		return NULL;
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		fclose(fp);
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	snprintf(db->origin, sizeof(db->origin), "%s", origin);
	if (db_read(db, fp, path, err) == -1) {
		fclose(fp);
		zone_db_free(db);
		return NULL;
	}
	fclose(fp);
	qsort(db->entries, db->nentries, sizeof(*db->entries), entry_cmp);
	if (!has_soa(db)) {
		clouddp_errf(err, CLOUDDP_EINPUT,
		    "check that --origin names the zone this file holds",
		    "%s: no SOA record for %s", path, db->origin);
		zone_db_free(db);
		return NULL;
	}
	return db;
}

void
zone_db_free(struct zone_db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nentries; i++) {
		free(db->entries[i].owner);
		free(db->entries[i].target);
	}
	free(db->entries);
	free(db);
}

const char *
zone_db_origin(const struct zone_db *db)
{
	return db->origin;
}

/* DNSSEC records may stand beside a CNAME (RFC 4035 section 2.5). */
static int
is_dnssec_type(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3;
}

static const char *
type_name(ldns_rr_type t, char *buf, size_t len)
{
	const ldns_rr_descriptor	*d = ldns_rr_descript(t);

	if (d != NULL && d->_name != NULL)
		snprintf(buf, len, "%s", d->_name);
	else
		snprintf(buf, len, "TYPE%u", (unsigned)t);
	return buf;
}

/* Delegations and DNAMEs above fqdn hide it from clients. */
static int
check_ancestors(const struct zone_db *db, const char *fqdn,
    struct clouddp_err *err)
{
	const struct zone_entry	*e;
	const char		*p;
	size_t			 i;

	for (p = strchr(fqdn, '.'); p != NULL && p[1] != '\0';
	    p = strchr(p + 1, '.')) {
		if (!zone_name_is_within(p + 1, db->origin))
			break;
		for (i = entry_find(db, p + 1); i < db->nentries &&
		    strcmp(db->entries[i].owner, p + 1) == 0; i++) {
			e = &db->entries[i];
			if (e->type == LDNS_RR_TYPE_DNAME)
				return clouddp_errf(err, CLOUDDP_ECONFLICT,
				    "publish the name in the zone the DNAME "
				    "points to, or pick a name outside it",
				    "%s lies below the DNAME at %s (line %d)",
				    fqdn, e->owner, e->line);
			if (e->type == LDNS_RR_TYPE_NS &&
			    strcmp(e->owner, db->origin) != 0)
				return clouddp_errf(err, CLOUDDP_ECONFLICT,
				    "add the record to the delegated zone "
				    "instead",
				    "%s lies below the delegation of %s "
				    "(line %d)", fqdn, e->owner, e->line);
		}
	}
	return 0;
}

enum zone_cname_state
zone_db_check_cname(const struct zone_db *db, const char *fqdn,
    const char *target, struct clouddp_err *err)
{
	const struct zone_entry	*e;
	enum zone_cname_state	 st = ZONE_CNAME_FREE;
	char			 tn[32];
	size_t			 i;

	if (check_ancestors(db, fqdn, err) == -1)
		return ZONE_CNAME_CONFLICT;
	for (i = entry_find(db, fqdn); i < db->nentries &&
	    strcmp(db->entries[i].owner, fqdn) == 0; i++) {
		e = &db->entries[i];
		if (is_dnssec_type(e->type))
			continue;
		if (e->type == LDNS_RR_TYPE_A || e->type == LDNS_RR_TYPE_AAAA) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "the service FQDN must not match a device: pick "
			    "another name, or retire the host first",
			    "%s already has an %s record (line %d): a host "
			    "uses this name", fqdn, type_name(e->type, tn,
			    sizeof(tn)), e->line);
			return ZONE_CNAME_CONFLICT;
		}
		if (e->type != LDNS_RR_TYPE_CNAME) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "a CNAME cannot coexist with other data "
			    "(RFC 1034 3.6.2, RFC 2181 10.1): pick another "
			    "name or remove that data",
			    "%s already owns %s data (line %d)", fqdn,
			    type_name(e->type, tn, sizeof(tn)), e->line);
			return ZONE_CNAME_CONFLICT;
		}
		if (e->target == NULL || strcmp(e->target, target) != 0) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "remove the old CNAME first if this DP replaces it",
			    "%s is already a CNAME to %s (line %d)", fqdn,
			    e->target != NULL ? e->target : "?", e->line);
			return ZONE_CNAME_CONFLICT;
		}
		st = ZONE_CNAME_PRESENT;
	}
	return st;
}

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

static const char *const tsig_algorithms[][2] = {
	{ "hmac-md5", "hmac-md5.sig-alg.reg.int." },
	{ "hmac-sha1", "hmac-sha1." },
	{ "hmac-sha224", "hmac-sha224." },
	{ "hmac-sha256", "hmac-sha256." },
	{ "hmac-sha384", "hmac-sha384." },
	{ "hmac-sha512", "hmac-sha512." },
};

static int
tsig_set_algorithm(struct zone_tsig *k, const char *alg, const char *path,
    struct clouddp_err *err)
{
	size_t	 i, n = strlen(alg);

	if (n > 0 && alg[n - 1] == '.')
		n--;
	for (i = 0; i < sizeof(tsig_algorithms) / sizeof(*tsig_algorithms);
	    i++)
		if (strncasecmp(alg, tsig_algorithms[i][0], n) == 0 &&
		    tsig_algorithms[i][0][n] == '\0') {
			snprintf(k->algorithm, sizeof(k->algorithm), "%s",
			    tsig_algorithms[i][1]);
			return 0;
		}
	if (strncasecmp(alg, "hmac-md5.sig-alg.reg.int", n) == 0) {
		snprintf(k->algorithm, sizeof(k->algorithm), "%s",
		    tsig_algorithms[0][1]);
		return 0;
	}
	return clouddp_errf(err, CLOUDDP_ECONFIG,
	    "use hmac-sha256 (tsig-keygen's default) or another hmac-sha*",
	    "%s: unsupported TSIG algorithm '%s'", path, alg);
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
			return k->secret != NULL ? 0 : clouddp_errf(err,
			    CLOUDDP_ECONFIG, "generate one with tsig-keygen",
			    "%s: the key has no secret", path);
		snprintf(field, sizeof(field), "%s", lx->tok);
		if (lex_next(lx) != 1)
			break;
		if (strcmp(field, "algorithm") == 0) {
			if (tsig_set_algorithm(k, lx->tok, path, err) == -1)
				return -1;
		} else if (strcmp(field, "secret") == 0) {
			secret_free(k->secret);
			k->secret = strdup(lx->tok);
			secret_wipe(lx->tok, sizeof(lx->tok));
			if (k->secret == NULL)
				return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
				    "out of memory");
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

/* A key name is a domain name, often a single label; keep its dot. */
static int
key_name(const char *tok, char *out)
{
	ldns_rdf	*rdf;
	size_t		 n = strlen(tok);

	if (n == 0 || n >= ZONE_NAME_MAX - 1)
		return -1;
	snprintf(out, ZONE_NAME_MAX, "%s%s", tok, tok[n - 1] == '.' ? "" : ".");
	rdf = ldns_dname_new_frm_str(out);
	if (rdf == NULL)
		return -1;
	ldns_rdf_deep_free(rdf);
	return 0;
}

static int
tsig_parse(const char *text, struct zone_tsig *k, const char *path,
    struct clouddp_err *err)
{
	struct key_lexer	 lx;
	int			 rc = -1;

	lx.p = text;
	if (lex_next(&lx) != 1 || strcmp(lx.tok, "key") != 0 ||
	    lex_next(&lx) != 1 || key_name(lx.tok, k->name) == -1 ||
	    lex_next(&lx) != 1 || strcmp(lx.tok, "{") != 0)
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "the file must hold key \"name\" { algorithm hmac-sha256; "
		    "secret \"...\"; }; as tsig-keygen writes it",
		    "%s: no key statement found", path);
	else
		rc = tsig_parse_body(&lx, k, path, err);
	secret_wipe(lx.tok, sizeof(lx.tok));
	return rc;
}

struct zone_tsig *
zone_tsig_load(const char *path, const char **warning,
    struct clouddp_err *err)
{
	struct zone_tsig	*k = NULL;
	struct clouddp_buf	 text = { 0 };
	struct stat		 st;
	char			 chunk[1024];
	size_t			 n;
	FILE			*fp;

	*warning = NULL;
	fp = fopen(path, "r");
	if (fp == NULL) {
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "check the path given to --tsig-file", "%s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 077) != 0)
		*warning = "the TSIG key file is readable by others: "
		    "chmod 600 it";
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 &&
	    text.len < 65536)
		if (clouddp_buf_append(&text, chunk, n, err) == -1)
			goto fail;
	secret_wipe(chunk, sizeof(chunk));
	k = calloc(1, sizeof(*k));
	if (k == NULL || text.data == NULL) {
		clouddp_errf(err, CLOUDDP_ECONFIG, NULL, "%s: empty file",
		    path);
		goto fail;
	}
	snprintf(k->algorithm, sizeof(k->algorithm), "hmac-sha256.");
	if (tsig_parse(text.data, k, path, err) == -1)
		goto fail;
	fclose(fp);
	clouddp_buf_free(&text);
	return k;
fail:
	fclose(fp);
	clouddp_buf_free(&text);
	zone_tsig_free(k);
	return NULL;
}

void
zone_tsig_free(struct zone_tsig *k)
{
	if (k == NULL)
		return;
	secret_free(k->secret);
	free(k);
}

const char *
zone_tsig_name(const struct zone_tsig *k)
{
	return k->name;
}

static int
server_addr(const struct zone_server *s, struct sockaddr_storage *ss,
    socklen_t *sslen, struct clouddp_err *err)
{
	struct addrinfo	 hints, *res = NULL;
	char		 port[8];
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", s->port != 0 ? s->port : 53);
	rc = getaddrinfo(s->host, port, &hints, &res);
	if (rc != 0)
		return clouddp_errf(err, CLOUDDP_EDNS,
		    "give the server as an address or a resolvable name",
		    "%s: %s", s->host, gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static const char *
tsig_error_text(unsigned code, const char **hint)
{
	switch (code) {
	case 16:
		*hint = "the secret in --tsig-file differs from the "
		    "server's: copy the server's key file";
		return "BADSIG: the server rejected the TSIG signature";
	case 17:
		*hint = "check that the key name and algorithm match a key "
		    "statement on the server";
		return "BADKEY: the server does not know this TSIG key";
	case 18:
		*hint = "synchronise the clocks (NTP); TSIG allows 300 s";
		return "BADTIME: the clocks of this host and the server differ";
	default:
		*hint = "check the key against the server's configuration";
		return "the server returned a TSIG error";
	}
}

/* Check the TSIG of an answer to a signed message. */
static int
check_tsig(const struct zone_server *s, ldns_pkt *resp, const uint8_t *wire,
    size_t len, const ldns_rdf *mac, struct clouddp_err *err)
{
	const char	*hint, *what;
	ldns_rr		*tsig;
	unsigned	 code = 0;

	tsig = ldns_pkt_tsig(resp);
	if (tsig != NULL && ldns_rr_rd_count(tsig) > 5)
		code = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
	if (code != 0) {
		what = tsig_error_text(code, &hint);
		return clouddp_errf(err, CLOUDDP_EREFUSED, hint,
		    "%s (key %s): %s", s->host, s->tsig->name, what);
	}
	if (tsig == NULL) {
		if (ldns_pkt_get_rcode(resp) != LDNS_RCODE_NOERROR)
			return 0;	/* the rcode says more */
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "check that the server has the key configured",
		    "%s: the answer to a signed update is not signed",
		    s->host);
	}
	if (!ldns_pkt_tsig_verify(resp, wire, len, s->tsig->name,
	    s->tsig->secret, mac))
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "the answer may have been forged or altered: check the "
		    "path to the server",
		    "%s: the TSIG signature of the answer does not verify",
		    s->host);
	return 0;
}

/*
 * Send q to the server over TCP (signed when the server has a key) and
 * return the parsed answer.
 * XXX blocking, one exchange at a time: fine for a handful of updates,
 * but a batch --apply should go through loop.c; resolve.c's channels
 * could carry these raw messages (ares_send) once that lands.
 */
static int
exchange(const struct zone_server *s, ldns_pkt *q, ldns_pkt **resp,
    struct clouddp_err *err)
{
	struct sockaddr_storage	 ss;
	struct timeval		 tv;
	socklen_t		 sslen = 0;
	ldns_buffer		*qbin = NULL;
	ldns_rdf		*mac = NULL;
	ldns_status		 st;
	uint8_t			*wire = NULL;
	size_t			 len = 0;
	int			 rc = -1;

	*resp = NULL;
	if (server_addr(s, &ss, &sslen, err) == -1)
		return -1;
	if (s->tsig != NULL) {
		st = ldns_pkt_tsig_sign(q, s->tsig->name, s->tsig->secret, 300,
		    s->tsig->algorithm, NULL);
		if (st != LDNS_STATUS_OK)
			return clouddp_errf(err, CLOUDDP_ECONFIG,
			    "check the secret in --tsig-file (base64)",
			    "cannot sign with key %s: %s", s->tsig->name,
			    ldns_get_errorstr_by_id(st));
		mac = ldns_rr_rdf(ldns_pkt_tsig(q), 3);
	}
	qbin = ldns_buffer_new(LDNS_MAX_PACKETLEN);
	if (qbin == NULL || ldns_pkt2buffer_wire(qbin, q) != LDNS_STATUS_OK) {
		clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot encode the DNS message");
		goto out;
	}
	tv.tv_sec = (time_t)s->timeout;
	tv.tv_usec = (suseconds_t)((s->timeout - floor(s->timeout)) * 1e6);
	st = ldns_tcp_send(&wire, qbin, &ss, sslen, tv, &len);
	if (st != LDNS_STATUS_OK) {
		clouddp_errf(err, st == LDNS_STATUS_NETWORK_ERR ?
		    CLOUDDP_EDNS : CLOUDDP_ETIMEOUT,
		    "check the server address and port, and that it "
		    "accepts TCP", "%s port %u: no answer over TCP within "
		    "%gs (%s)", s->host, s->port != 0 ? s->port : 53,
		    s->timeout, ldns_get_errorstr_by_id(st));
		goto out;
	}
	if (ldns_wire2pkt(resp, wire, len) != LDNS_STATUS_OK) {
		clouddp_errf(err, CLOUDDP_EDNS, NULL,
		    "%s: malformed answer (%zu bytes)", s->host, len);
		goto out;
	}
	if (ldns_pkt_id(*resp) != ldns_pkt_id(q)) {
		clouddp_errf(err, CLOUDDP_EDNS, NULL,
		    "%s: the answer's ID does not match the query", s->host);
		goto out;
	}
	if (s->tsig != NULL && check_tsig(s, *resp, wire, len, mac, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1) {
		ldns_pkt_free(*resp);
		*resp = NULL;
	}
	ldns_buffer_free(qbin);
	free(wire);
	return rc;
}

/* An unsigned, non-recursive query to the server. */
static int
query(const struct zone_server *s, const char *name, ldns_rr_type type,
    ldns_pkt **resp, struct clouddp_err *err)
{
	struct zone_server	 plain = *s;
	ldns_rdf		*rdf;
	ldns_pkt		*q;
	int			 rc;

	rdf = ldns_dname_new_frm_str(name);
	if (rdf == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: bad name", name);
	q = ldns_pkt_query_new(rdf, type, LDNS_RR_CLASS_IN, 0);
	if (q == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	ldns_pkt_set_random_id(q);
	plain.tsig = NULL;
	rc = exchange(&plain, q, resp, err);
	ldns_pkt_free(q);
	return rc;
}

static const char *
rcode_name(ldns_pkt_rcode rc, char *buf, size_t len)
{
	ldns_lookup_table	*lt;

	lt = ldns_lookup_by_id(ldns_rcodes, (int)rc);
	snprintf(buf, len, "%s", lt != NULL ? lt->name : "RCODE?");
	return buf;
}

/* 1 when the server answers for name's SOA with authority. */
static int
is_apex(const struct zone_server *s, const char *name, ldns_pkt_rcode *rc,
    struct clouddp_err *err)
{
	ldns_rr_list	*soa;
	ldns_pkt	*resp;
	char		*owner;
	int		 apex = 0;

	if (query(s, name, LDNS_RR_TYPE_SOA, &resp, err) == -1)
		return -1;
	*rc = ldns_pkt_get_rcode(resp);
	soa = ldns_pkt_rr_list_by_type(resp, LDNS_RR_TYPE_SOA,
	    LDNS_SECTION_ANSWER);
	if (soa != NULL && ldns_pkt_aa(resp)) {
		owner = rdf_name(ldns_rr_owner(ldns_rr_list_rr(soa, 0)));
		apex = owner != NULL && strcmp(owner, name) == 0;
		free(owner);
	}
	ldns_rr_list_deep_free(soa);
	ldns_pkt_free(resp);
	return apex;
}

/*
 * The zone holding fqdn: the nearest ancestor whose SOA the server
 * serves with authority.  (The SOA in the authority section of a
 * negative answer is not enough: a CNAME answer has none.)
 */
static int
discover_zone(const struct zone_server *s, const char *fqdn, char *zone,
    struct clouddp_err *err)
{
	const char	*p;
	ldns_pkt_rcode	 rc = LDNS_RCODE_NOERROR;
	char		 rn[16];
	int		 apex;

	for (p = strchr(fqdn, '.'); p != NULL && p[1] != '\0';
	    p = strchr(p + 1, '.')) {
		apex = is_apex(s, p + 1, &rc, err);
		if (apex == -1)
			return -1;
		if (apex) {
			snprintf(zone, ZONE_NAME_MAX, "%s", p + 1);
			return 0;
		}
	}
	return clouddp_errf(err, CLOUDDP_EREFUSED,
	    "send the update to the zone's primary server, or give the zone "
	    "with --origin",
	    "%s is not authoritative for any zone above %s (last answer %s)",
	    s->host, fqdn, rcode_name(rc, rn, sizeof(rn)));
}

enum name_state {
	NAME_FREE = 0,
	NAME_CNAME,
	NAME_OTHER
};

/* What the server holds at fqdn: nothing, a CNAME, or other data. */
static int
name_state(const struct zone_server *s, const char *fqdn,
    enum name_state *state, char *old, char *types, struct clouddp_err *err)
{
	ldns_rr_list	*ans;
	ldns_pkt	*resp;
	ldns_rr		*rr;
	char		*t, tn[32];
	size_t		 i, used = 0;

	if (query(s, fqdn, LDNS_RR_TYPE_ANY, &resp, err) == -1)
		return -1;
	*state = NAME_FREE;
	types[0] = '\0';
	ans = ldns_pkt_answer(resp);
	for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		rr = ldns_rr_list_rr(ans, i);
		if (ldns_dname_compare(ldns_rr_owner(rr),
		    ldns_pkt_question(resp) != NULL ? ldns_rr_owner(
		    ldns_rr_list_rr(ldns_pkt_question(resp), 0)) :
		    ldns_rr_owner(rr)) != 0 ||
		    is_dnssec_type(ldns_rr_get_type(rr)))
			continue;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    *state != NAME_OTHER) {
			*state = NAME_CNAME;
			t = rdf_name(ldns_rr_rdf(rr, 0));
			snprintf(old, ZONE_NAME_MAX, "%s", t != NULL ? t : "?");
			free(t);
			continue;
		}
		*state = NAME_OTHER;
		type_name(ldns_rr_get_type(rr), tn, sizeof(tn));
		if (strstr(types, tn) == NULL && used + strlen(tn) + 2 < 128)
			used += (size_t)snprintf(types + used, 128 - used,
			    "%s%s", used > 0 ? " " : "", tn);
	}
	ldns_pkt_free(resp);
	return 0;
}

static ldns_rr *
make_rr(const char *owner, ldns_rr_type type, ldns_rr_class class,
    uint32_t ttl, const char *target)
{
	ldns_rr		*rr;
	ldns_rdf	*rdf;

	rr = ldns_rr_new();
	if (rr == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_dname_new_frm_str(owner));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, class);
	ldns_rr_set_ttl(rr, ttl);
	if (target != NULL) {
		rdf = ldns_dname_new_frm_str(target);
		if (rdf == NULL || !ldns_rr_push_rdf(rr, rdf)) {
			ldns_rdf_deep_free(rdf);
			ldns_rr_free(rr);
			return NULL;
		}
	}
	if (ldns_rr_owner(rr) == NULL) {
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

static int
update_refused(const struct zone_server *s, ldns_pkt_rcode rc,
    const char *zone, const char *fqdn, struct clouddp_err *err)
{
	char	 rn[16];

	rcode_name(rc, rn, sizeof(rn));
	switch (rc) {
	case LDNS_RCODE_NOTAUTH:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "send the update to the primary server of the zone and "
		    "check its allow-update or update-policy",
		    "%s answered NOTAUTH: it is not authoritative for %s, or "
		    "the key may not update it", s->host, zone);
	case LDNS_RCODE_REFUSED:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "allow the key in the zone's allow-update or "
		    "update-policy, or check --origin",
		    "%s answered REFUSED: updates to %s are not allowed "
		    "for this key", s->host, zone);
	case LDNS_RCODE_NOTZONE:
		return clouddp_errf(err, CLOUDDP_EREFUSED, "check --origin",
		    "%s answered NOTZONE: %s is not in zone %s", s->host,
		    fqdn, zone);
	case LDNS_RCODE_YXDOMAIN:
	case LDNS_RCODE_YXRRSET:
	case LDNS_RCODE_NXRRSET:
		return clouddp_errf(err, CLOUDDP_ECONFLICT,
		    "look at the name with dig and run again",
		    "%s answered %s: the records at %s changed while this "
		    "update was prepared; nothing was changed", s->host, rn,
		    fqdn);
	case LDNS_RCODE_NOTIMPL:
	case LDNS_RCODE_FORMERR:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "use a server that accepts dynamic updates (RFC 2136)",
		    "%s answered %s: it does not take this update", s->host,
		    rn);
	default:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "look at the server's log (zone loaded? journal "
		    "writable?)", "%s answered %s to the update of %s",
		    s->host, rn, fqdn);
	}
}

/*
 * One atomic update: when the name is free, require that it stays
 * free (RFC 2136 2.4.5); when replacing, require the old CNAME to be
 * there (2.4.2), delete it and add the new one.
 */
static int
send_update(const struct zone_server *s, const struct zone_apply_req *req,
    const char *zone, const char *old, struct clouddp_err *err)
{
	ldns_rr_list	*pre = NULL, *up = NULL;
	ldns_pkt	*pkt = NULL, *resp = NULL;
	int		 rc = -1, ok;

	pre = ldns_rr_list_new();
	up = ldns_rr_list_new();
	if (pre == NULL || up == NULL)
		goto nomem;
	if (old == NULL)
		ok = ldns_rr_list_push_rr(pre, make_rr(req->fqdn,
		    LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_NONE, 0, NULL));
	else
		ok = ldns_rr_list_push_rr(pre, make_rr(req->fqdn,
		    LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_IN, 0, old)) &&
		    ldns_rr_list_push_rr(up, make_rr(req->fqdn,
		    LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_ANY, 0, NULL));
	if (!ok || !ldns_rr_list_push_rr(up, make_rr(req->fqdn,
	    LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_IN, req->ttl, req->target)))
		goto nomem;
	pkt = ldns_update_pkt_new(ldns_dname_new_frm_str(zone),
	    LDNS_RR_CLASS_IN, pre, up, NULL);
	if (pkt == NULL)
		goto nomem;
	ldns_pkt_set_rd(pkt, false);
	ldns_pkt_set_random_id(pkt);
	if (exchange(s, pkt, &resp, err) == -1)
		goto out;
	if (ldns_pkt_get_rcode(resp) != LDNS_RCODE_NOERROR) {
		update_refused(s, ldns_pkt_get_rcode(resp), zone, req->fqdn,
		    err);
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
out:
	ldns_rr_list_deep_free(pre);
	ldns_rr_list_deep_free(up);
	ldns_pkt_free(pkt);
	ldns_pkt_free(resp);
	return rc;
}

/* A NOERROR is not proof: ask again and look for the record. */
static int
verify(const struct zone_server *s, const struct zone_apply_req *req,
    struct clouddp_err *err)
{
	enum name_state	 state;
	char		 now[ZONE_NAME_MAX], types[128];

	if (name_state(s, req->fqdn, &state, now, types, err) == -1)
		return -1;
	if (state == NAME_CNAME && strcmp(now, req->target) == 0)
		return 0;
	return clouddp_errf(err, CLOUDDP_EREFUSED,
	    "look at the server's log: it may have ignored the update "
	    "(e.g. a CNAME beside other data)",
	    "%s answered NOERROR but %s is not a CNAME to %s afterwards",
	    s->host, req->fqdn, req->target);
}

int
zone_cname_apply(const struct zone_server *s,
    const struct zone_apply_req *req, struct zone_apply_result *res,
    struct clouddp_err *err)
{
	enum name_state	 state;
	char		 old[ZONE_NAME_MAX] = "", types[128];

	memset(res, 0, sizeof(*res));
	if (req->zone != NULL)
		snprintf(res->zone, sizeof(res->zone), "%s", req->zone);
	else if (discover_zone(s, req->fqdn, res->zone, err) == -1)
		return -1;
	if (name_state(s, req->fqdn, &state, old, types, err) == -1)
		return -1;
	if (state == NAME_OTHER)
		return clouddp_errf(err, CLOUDDP_ECONFLICT,
		    "a CNAME cannot coexist with other data: pick another "
		    "name or remove that data first",
		    "%s already holds %s data on %s", req->fqdn, types,
		    s->host);
	if (state == NAME_CNAME && strcmp(old, req->target) == 0) {
		res->action = ZONE_APPLY_PRESENT;
		return 0;
	}
	if (state == NAME_CNAME && !req->replace)
		return clouddp_errf(err, CLOUDDP_ECONFLICT,
		    "pass --replace to point the name at the new target",
		    "%s is already a CNAME to %s on %s", req->fqdn, old,
		    s->host);
	if (send_update(s, req, res->zone, state == NAME_CNAME ? old : NULL,
	    err) == -1)
		return -1;
	if (verify(s, req, err) == -1)
		return -1;
	res->action = state == NAME_CNAME ? ZONE_APPLY_REPLACED :
	    ZONE_APPLY_ADDED;
	snprintf(res->old_target, sizeof(res->old_target), "%s", old);
	return 0;
}
