/*
 * Zone files: a master file, as administrators keep them, loaded with
 * ldns for the conflict checks a new CNAME must pass.
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
 * Load the master file at path for the zone origin (normalised), as
 * BIND reads it: $ORIGIN (relative, or "@"), $TTL, the class before or
 * after the TTL, $GENERATE with ${offset,width,base} modifiers, and
 * $INCLUDE FILE [ORIGIN] with FILE relative to the zone file's directory
 * and inside that directory's tree (a loop or a file outside is an
 * error).  The file is read once, front to back, so a FIFO or a pipe
 * will do; a directory or a device is refused for what it is.  A record
 * whose data ldns cannot read (an obsolete or new type, an odd date)
 * keeps its owner and type and adds a warning.  Returns NULL with err
 * (CLOUDDP_EINPUT or CLOUDDP_EIO) naming the file and the line.
 */
struct zone_db	*zone_db_load(const char *, const char *,
		    struct clouddp_err *);
void		 zone_db_free(struct zone_db *);
/* The zone's apex, normalised; borrowed. */
const char	*zone_db_origin(const struct zone_db *);
/*
 * What the load passed over, "FILE:LINE: what" each: the number of
 * warnings, and the i-th (borrowed; NULL past the first 20 kept).
 */
size_t		 zone_db_nwarnings(const struct zone_db *);
const char	*zone_db_warning(const struct zone_db *, size_t);

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

/*
 * The target of the CNAME fqdn holds when that CNAME, pointing elsewhere
 * than target, is all that stands in the way (borrowed), else NULL: what
 * --replace may swap.
 */
const char	*zone_db_cname_elsewhere(const struct zone_db *, const char *,
		    const char *);

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
