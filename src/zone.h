/*
 * Zone files: a master file loaded with ldns for the conflict checks a
 * new CNAME must pass.
 */
#ifndef CLOUDDP_ZONE_H
#define CLOUDDP_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "clouddp.h"
#include "name.h"

/* An existing zone file, loaded for conflict checks. */
struct zone_db;

/*
 * Load a master file with ldns.  origin (normalised, may be NULL: then
 * the SOA owner) is the zone's apex.  $INCLUDE is refused.  Returns NULL
 * with err naming the file, the line and ldns's reason.
 */
struct zone_db	*zone_db_load(const char *, const char *,
		    struct clouddp_err *);
void		 zone_db_free(struct zone_db *);
/* The zone's apex, normalised; borrowed. */
const char	*zone_db_origin(const struct zone_db *);

enum zone_cname_state {
	ZONE_CNAME_FREE = 0,	/* the name holds nothing: add it */
	ZONE_CNAME_PRESENT,	/* the same CNAME is there: nothing to do */
	ZONE_CNAME_CONFLICT	/* something stands in the way */
};

/*
 * May fqdn become a CNAME to target in this zone?  On a conflict err
 * says what is in the way and on which line (CLOUDDP_ECONFLICT): other
 * data at the name (an address record means a host uses it), a CNAME to
 * another target, or a delegation or DNAME above the name.
 */
enum zone_cname_state zone_db_check_cname(const struct zone_db *,
		    const char *, const char *, struct clouddp_err *);

#ifdef LDNS_RR_H
/*
 * For the other ldns user (update.c): a name rdf in presentation form,
 * lower case (malloc'd, NULL on ENOMEM); whether a type is DNSSEC
 * bookkeeping that may share a name with a CNAME; a type's mnemonic.
 */
char		*zone_rdf_name(const ldns_rdf *);
int		 zone_type_is_dnssec(ldns_rr_type);
const char	*zone_type_name(ldns_rr_type, char *, size_t);
#endif

#endif /* CLOUDDP_ZONE_H */
