/*
 * RFC 2136 dynamic updates signed with TSIG: the key file, and one
 * change to one name (a CNAME or an A record added, replaced or
 * deleted) made atomic by its prerequisites, confirmed by a query after,
 * all on the event loop.
 */
#ifndef CLOUDDP_UPDATE_H
#define CLOUDDP_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "clouddp.h"
#include "loop.h"
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

/* The record types an update may carry. */
enum update_type {
	UPDATE_CNAME = 0,	/* data: the target name, normalised */
	UPDATE_A		/* data: an IPv4 address */
};

enum update_mode {
	UPDATE_ADD = 0,		/* the name must hold nothing, or this */
	UPDATE_REPLACE,		/* may replace the name's RRset of the type */
	UPDATE_DELETE		/* remove this exact record, if it is there */
};

enum update_action {
	UPDATE_ADDED = 0,
	UPDATE_REPLACED,
	UPDATE_PRESENT,		/* already so: nothing sent */
	UPDATE_DELETED,
	UPDATE_ABSENT,		/* nothing to delete: nothing sent */
	UPDATE__MAX
};

/* "added", "replaced", "present", "deleted", "absent". */
const char	*update_action_name(enum update_action);

struct update_req {
	const char		*fqdn;		/* normalised */
	enum update_type	 type;
	const char		*data;		/* see enum update_type */
	uint32_t		 ttl;
	const char		*zone;		/* NULL: ask the server */
	enum update_mode	 mode;
	int			 check_only;	/* look and decide; send none */
};

struct update_result {
	enum update_action	 action;	/* done, or planned */
	char			 zone[ZONE_NAME_MAX];
	char			 old[ZONE_NAME_MAX]; /* the data replaced */
};

/*
 * A client for one server: its address (resolved once, here, with
 * getaddrinfo: give an address to keep this from blocking), its key and
 * the loop every exchange runs on.  Borrows the loop and the key.
 * Returns NULL with CLOUDDP_EDNS when the host does not resolve.
 */
struct update_client;

struct update_client *update_client_new(struct loop *,
		    const struct zone_server *, struct clouddp_err *);
void		 update_client_free(struct update_client *);
/* "HOST" for port 53, else "HOST:PORT" ("[V6]:PORT"); borrowed. */
const char	*update_client_label(const struct update_client *);

/*
 * Called once when an operation ends: err NULL and res filled on
 * success, else err says why (res->zone may be set).  Both are
 * borrowed for the call.  The operation is freed after it returns.
 */
typedef void	(*update_done_cb)(void *, const struct clouddp_err *,
		    const struct update_result *);

struct update_op;

/*
 * Asynchronous, on the client's loop, over TCP: find the zone (the
 * nearest ancestor whose SOA the server serves with authority) unless
 * given, look at what the name holds, decide (a conflict is
 * CLOUDDP_ECONFLICT), and unless check_only, send one RFC 2136 update
 * whose prerequisites make it atomic (the name not in use; the RRset
 * being replaced; the record being deleted), signed with the client's
 * key, then ask again to confirm.  Queries are signed too, so a wrong
 * key is found before anything is sent.  Errors: CLOUDDP_EREFUSED (the
 * server said no, in words), CLOUDDP_ECONFLICT, CLOUDDP_EDNS (no
 * connection, a bad answer), CLOUDDP_ETIMEOUT (the client's timeout
 * per exchange).  Returns NULL with err on ENOMEM or a bad request;
 * done is never called from update_start itself.
 */
struct update_op *update_start(struct update_client *,
		    const struct update_req *, update_done_cb, void *,
		    struct clouddp_err *);
/* 1 once the update message went out: it may have been applied. */
int		 update_is_sent(const struct update_op *);
/* Stop an operation in flight without calling done; NULL: nothing. */
void		 update_cancel(struct update_op *);

#endif /* CLOUDDP_UPDATE_H */
