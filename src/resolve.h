/*
 * The resolution engine: two-stage checks (name -> CNAME target, target
 * -> VIP) on every resolver, or on every authoritative server of the
 * name's zone, for one name or millions.  resolve.c is the only module
 * that includes ares.h; answers are read with dnsmsg.  Input is pulled
 * as room frees up and results are pushed as they complete, so memory is
 * bounded by the window, never by the number of names.
 */
#ifndef CLOUDDP_RESOLVE_H
#define CLOUDDP_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "clouddp.h"
#include "dnsmsg.h"
#include "loop.h"

int	 dns_global_init(struct clouddp_err *);
void	 dns_global_cleanup(void);

/* Every distinct outcome of one name on one server; see verdict table. */
enum resolve_verdict {
	RESOLVE_OK = 0,
	RESOLVE_INDIRECT,	/* right target, through other CNAMEs */
	RESOLVE_NOT_AUTHORITATIVE, /* right answer without the AA bit */
	RESOLVE_WRONG_TARGET,
	RESOLVE_NO_CNAME,	/* the name has addresses of its own */
	RESOLVE_NXDOMAIN,
	RESOLVE_NODATA,
	RESOLVE_SERVFAIL,
	RESOLVE_REFUSED,
	RESOLVE_TIMEOUT,
	RESOLVE_LOOP,
	RESOLVE_CHAIN_TOO_LONG,
	RESOLVE_DANGLING_CNAME,	/* stage 2 NXDOMAIN: takeover risk */
	RESOLVE_WRONG_VIP,
	RESOLVE_BAD_ANSWER,	/* FORMERR, NOTIMP, malformed, port closed */
	RESOLVE__MAX
};

#define RESOLVE_MAX_HOPS	8	/* CNAMEs followed before giving up */
#define RESOLVE_MAX_ADDRS	16	/* addresses kept per result */
#define RESOLVE_ADDR_MAX	46	/* an IPv6 address as text, NUL */
#define RESOLVE_LABEL_MAX	320	/* "nsname/ADDR:PORT" */

/* One subject: the name and what it should resolve to ("" unchecked). */
struct resolve_name {
	char		 name[DNSMSG_NAME_MAX];
	char		 target[DNSMSG_NAME_MAX];
	char		 vip[RESOLVE_ADDR_MAX];
	unsigned long	 line;		/* input line, 0: command line */
};

/* One CNAME hop: the previous name (or the subject) -> target. */
struct resolve_hop {
	char		 target[DNSMSG_NAME_MAX];
	uint32_t	 ttl;
};

/*
 * What one server said about one name.  stage is where the verdict was
 * reached (1: the name, 2: the target's addresses).  ttl fields are as
 * the server gave them: remaining TTLs from a resolver's cache, full
 * ones from an authoritative server.
 */
struct resolve_result {
	const char		*server;	/* label, borrowed */
	enum resolve_verdict	 verdict;
	int			 stage;
	int			 rcode;		/* last rcode, -1 none */
	size_t			 nhops;
	struct resolve_hop	 hops[RESOLVE_MAX_HOPS + 1];
	size_t			 naddrs;
	char			 addrs[RESOLVE_MAX_ADDRS][RESOLVE_ADDR_MAX];
	size_t			 nmore;		/* addresses not kept */
	uint32_t		 addr_ttl;	/* the lowest */
	/* NXDOMAIN or NODATA cache time (RFC 2308), -1 unknown. */
	long			 neg_ttl;
	int			 aa;		/* of the first answer */
	/* Authoritative mode: SOA serial (-1 unknown), zone (borrowed). */
	long long		 serial;
	const char		*zone;
	char			 note[256];	/* more detail, may be "" */
};

struct resolve_cfg {
	/* "ADDR[:PORT]"; none: the system's resolv.conf. */
	const char *const	*servers;
	size_t			 nservers;
	unsigned		 port;		/* 0, or for every server */
	double			 timeout;	/* first try, seconds */
	int			 tries;
	size_t			 window;	/* names in flight */
	int			 aaaa;		/* AAAA as well as A */
	int			 authoritative;
};

/*
 * Pull the next subject into *name.  Return 1 for a name, 0 at the end
 * of input, -1 with err filled to stop the run.
 */
typedef int	(*resolve_next_cb)(void *, struct resolve_name *,
		    struct clouddp_err *);
/*
 * One subject is done: n results, one per server, valid during the
 * call only.  Called in completion order, not input order.
 */
typedef void	(*resolve_done_cb)(void *, const struct resolve_name *,
		    const struct resolve_result *, size_t);

struct resolve;

/*
 * An engine on loop (which must outlive it) with one c-ares channel per
 * resolver.  Fails with CLOUDDP_EUSAGE for a bad server address, with
 * CLOUDDP_ECONFIG when no resolver is configured.
 */
struct resolve	*resolve_new(struct loop *, const struct resolve_cfg *,
		    struct clouddp_err *);
void		 resolve_free(struct resolve *);

/* The labels of the resolvers ("ADDR:PORT"), borrowed. */
size_t		 resolve_nservers(const struct resolve *);
const char	*resolve_server(const struct resolve *, size_t);

/*
 * Check every subject next() gives, calling done() as each completes,
 * until the input ends and every check is done.  Runs the loop and
 * stops it at the end.  Returns 0, or -1 when next() failed or the loop
 * failed.
 */
int		 resolve_run(struct resolve *, resolve_next_cb,
		    resolve_done_cb, void *, struct clouddp_err *);

/*
 * The same for a caller that drives the loop itself alongside other
 * work: start pulling subjects and return at once.  The engine never
 * stops the loop then; resolve_finished() says 0 while names remain, 1
 * when all are done, -1 (err filled) when next() failed.
 */
void		 resolve_start(struct resolve *, resolve_next_cb,
		    resolve_done_cb, void *);
int		 resolve_finished(const struct resolve *,
		    struct clouddp_err *);

/* Counts so far: queries asked, and tries that got no answer in time. */
struct resolve_stats {
	unsigned long long	 queries;
	unsigned long long	 timeouts;
};
void		 resolve_stats_get(const struct resolve *,
		    struct resolve_stats *);

/* "ok", "wrong_target"...: the verdict's stable name. */
const char	*resolve_verdict_name(enum resolve_verdict);
/* OK for ok; WARNING for indirect and not_authoritative; else CRITICAL. */
enum clouddp_status resolve_verdict_status(enum resolve_verdict);

/*
 * Check and store a subject: name, optional target and VIP, all in
 * presentation form.  Returns 0, or -1 with CLOUDDP_EINPUT and a hint.
 */
int		 resolve_name_set(struct resolve_name *, const char *,
		    const char *, const char *, struct clouddp_err *);

#endif /* CLOUDDP_RESOLVE_H */
