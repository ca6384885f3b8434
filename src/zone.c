/*
 * Zone files on ldns: a master file loaded for the conflict checks a new
 * CNAME must pass.  Nothing here prints or touches the network.
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

char *
zone_rdf_name(const ldns_rdf *rdf)
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
	e->owner = zone_rdf_name(ldns_rr_owner(rr));
	if ((e->type == LDNS_RR_TYPE_CNAME || e->type == LDNS_RR_TYPE_DNAME) &&
	    ldns_rr_rd_count(rr) > 0)
		e->target = zone_rdf_name(ldns_rr_rdf(rr, 0));
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
int
zone_type_is_dnssec(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3;
}

const char *
zone_type_name(ldns_rr_type t, char *buf, size_t len)
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
		if (!name_is_within(p + 1, db->origin))
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
		if (zone_type_is_dnssec(e->type))
			continue;
		if (e->type == LDNS_RR_TYPE_A || e->type == LDNS_RR_TYPE_AAAA) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "the service FQDN must not match a device: pick "
			    "another name, or retire the host first",
			    "%s already has an %s record (line %d): a host "
			    "uses this name", fqdn, zone_type_name(e->type, tn,
			    sizeof(tn)), e->line);
			return ZONE_CNAME_CONFLICT;
		}
		if (e->type != LDNS_RR_TYPE_CNAME) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "a CNAME cannot coexist with other data "
			    "(RFC 1034 3.6.2, RFC 2181 10.1): pick another "
			    "name or remove that data",
			    "%s already owns %s data (line %d)", fqdn,
			    zone_type_name(e->type, tn, sizeof(tn)), e->line);
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
