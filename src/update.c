/*
 * RFC 2136 dynamic updates signed with TSIG (RFC 8945) on ldns: the key
 * file, the exchange with the server, and publishing one CNAME atomically.
 * Nothing here prints.
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

#include <ldns/ldns.h>

#include "clouddp.h"
#include "name.h"
#include "secret.h"
#include "update.h"
#include "zone.h"

struct zone_tsig {
	char	 name[ZONE_NAME_MAX];
	char	 algorithm[64];
	char	*secret;	/* base64 */
};

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
		owner = zone_rdf_name(ldns_rr_owner(ldns_rr_list_rr(soa, 0)));
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
		    zone_type_is_dnssec(ldns_rr_get_type(rr)))
			continue;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    *state != NAME_OTHER) {
			*state = NAME_CNAME;
			t = zone_rdf_name(ldns_rr_rdf(rr, 0));
			snprintf(old, ZONE_NAME_MAX, "%s", t != NULL ? t : "?");
			free(t);
			continue;
		}
		*state = NAME_OTHER;
		zone_type_name(ldns_rr_get_type(rr), tn, sizeof(tn));
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
