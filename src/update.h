/*
 * RFC 2136 dynamic updates signed with TSIG: the key file, and publishing
 * one CNAME atomically with prerequisites, confirmed by a query after.
 */
#ifndef CLOUDDP_UPDATE_H
#define CLOUDDP_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "clouddp.h"
#include "name.h"

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

#endif /* CLOUDDP_UPDATE_H */
