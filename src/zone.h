/*
 * DNS names, zone files and dynamic updates: the only module that uses
 * ldns (with dnsmsg.c for wire messages) and libidn2.  Names leave here
 * validated, lower-case, as A-labels and with a trailing dot.
 */
#ifndef CLOUDDP_ZONE_H
#define CLOUDDP_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "clouddp.h"

/* Longest presentation name with its dot, plus NUL. */
#define ZONE_NAME_MAX	256

/*
 * Validate and normalise a host name: UTF-8 names become A-labels
 * (IDNA 2008), letters lower-case, labels 1-63 octets of letters, digits
 * and inner hyphens (RFC 1123), 255 octets in all, one trailing dot.  A
 * "*" left-most label is accepted only when allow_wildcard is set.  out
 * must hold ZONE_NAME_MAX bytes.  Returns 0, or -1 with CLOUDDP_EINPUT
 * and a message naming the rule broken.
 */
int	 zone_name_parse(const char *, int, char *, struct clouddp_err *);

/* 1 when name equals ancestor or lies below it; both normalised. */
int	 zone_name_is_within(const char *, const char *);
/* 1 when the left-most label is "*". */
int	 zone_name_is_wildcard(const char *);
/*
 * Write name relative to origin ("clouddp1" for clouddp1.contoso.com.
 * under contoso.com.) into out (ZONE_NAME_MAX); name must lie strictly
 * below origin.  Returns out.
 */
const char *zone_name_relative(const char *, const char *, char *);

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

/* A TSIG key from a BIND key file; the secret is wiped on free. */
struct zone_tsig;

/*
 * Read `key "name" { algorithm hmac-sha256; secret "base64"; };`.
 * Returns NULL with CLOUDDP_ECONFIG and the reason.  A key file that
 * others can read is reported through *warning (a static string), or
 * *warning is set to NULL.
 */
struct zone_tsig *zone_tsig_load(const char *, const char **,
		    struct clouddp_err *);
void		 zone_tsig_free(struct zone_tsig *);
const char	*zone_tsig_name(const struct zone_tsig *);

/* Where and how to send updates and queries. */
struct zone_server {
	const char		*host;		/* address or name */
	unsigned short		 port;		/* 0: 53 */
	double			 timeout;	/* s per exchange */
	const struct zone_tsig	*tsig;		/* NULL: unsigned */
};

enum zone_apply_action {
	ZONE_APPLY_ADDED = 0,
	ZONE_APPLY_REPLACED,
	ZONE_APPLY_PRESENT
};

struct zone_apply_req {
	const char	*fqdn;		/* normalised */
	const char	*target;	/* normalised */
	uint32_t	 ttl;
	const char	*zone;		/* NULL: ask the server */
	int		 replace;	/* may replace another CNAME */
};

struct zone_apply_result {
	enum zone_apply_action	 action;
	char			 zone[ZONE_NAME_MAX];
	char			 old_target[ZONE_NAME_MAX]; /* replaced */
};

/*
 * Publish fqdn CNAME target with one RFC 2136 update signed with the
 * server's TSIG key, its prerequisites making it atomic (the name free,
 * or holding the CNAME being replaced), then query the server again to
 * confirm the record is there.  The same CNAME already present sends no
 * update.  Blocking, bounded by the server's timeout per exchange.
 * Returns 0 with *res filled, or -1: CLOUDDP_EREFUSED (the server said
 * no: the rcode or TSIG error in words, and what to do), CLOUDDP_ECONFLICT
 * (the name holds other data), CLOUDDP_EDNS / CLOUDDP_ETIMEOUT.
 */
int	 zone_cname_apply(const struct zone_server *,
	    const struct zone_apply_req *, struct zone_apply_result *,
	    struct clouddp_err *);

#endif /* CLOUDDP_ZONE_H */
