/*
 * DNS messages off the wire: rcode, flags and the answer and authority
 * records a resolution check needs, with names in one canonical form.
 * The wire form is read by hand (only what a verdict needs); zone.c is
 * the user of ldns, for names and zone files.  Nothing here does I/O.
 */
#ifndef CLOUDDP_DNSMSG_H
#define CLOUDDP_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "clouddp.h"

#define DNSMSG_NAME_MAX	256	/* presentation form, NUL included */

/* The record types the checks look at; others parse as DNSMSG_T_OTHER. */
enum dnsmsg_type {
	DNSMSG_T_OTHER = 0,
	DNSMSG_T_A,
	DNSMSG_T_AAAA,
	DNSMSG_T_CNAME,
	DNSMSG_T_NS,
	DNSMSG_T_SOA
};

/* The RFC 1035 and RFC 2136 response codes we name. */
#define DNSMSG_RCODE_NOERROR	0
#define DNSMSG_RCODE_FORMERR	1
#define DNSMSG_RCODE_SERVFAIL	2
#define DNSMSG_RCODE_NXDOMAIN	3
#define DNSMSG_RCODE_NOTIMP	4
#define DNSMSG_RCODE_REFUSED	5

/*
 * One resource record.  Names are lower case without the final dot
 * ("" for the root).  data holds the CNAME or NS target, the A or AAAA
 * address as text, or the SOA primary server; serial and minimum are
 * set for SOA only.
 */
struct dnsmsg_rr {
	char		 owner[DNSMSG_NAME_MAX];
	enum dnsmsg_type type;
	uint32_t	 ttl;
	char		 data[DNSMSG_NAME_MAX];
	uint32_t	 serial;
	uint32_t	 minimum;
};

struct dnsmsg {
	uint16_t		 id;
	int			 qr;	/* a response, not a query */
	int			 opcode;
	int			 rcode;
	int			 aa;	/* authoritative answer bit */
	int			 tc;	/* truncated */
	struct dnsmsg_rr	*answer;
	size_t			 nanswer;
	struct dnsmsg_rr	*authority;
	size_t			 nauthority;
};

/*
 * Parse the wire message buf of len bytes into msg (owned by the caller,
 * released with dnsmsg_clear).  Records of other types and classes are
 * kept as DNSMSG_T_OTHER.  Returns 0, or -1 with err filled
 * (CLOUDDP_EDNS) when the message is malformed; msg is then empty.
 */
int	 dnsmsg_parse(struct dnsmsg *, const unsigned char *, size_t,
	    struct clouddp_err *);
/* Free what dnsmsg_parse allocated; msg may be zeroed or parsed. */
void	 dnsmsg_clear(struct dnsmsg *);

/*
 * The one question of a message: its name (as dnsmsg_rr owners are),
 * type and class.  Returns 0, or -1 when there is not exactly one or it
 * cannot be read.
 */
int	 dnsmsg_question(const unsigned char *, size_t, char *, size_t,
	    unsigned *, unsigned *);

/*
 * The shape of a whole message: its header and every record walked
 * (names, compression, lengths), nothing kept.  For a caller that hands
 * the message on to another parser, which must only ever see a sound
 * one.  count: question, answer, authority, additional.
 */
struct dnsmsg_shape {
	uint16_t	 id;
	int		 qr;
	int		 opcode;
	int		 rcode;
	size_t		 count[4];
	size_t		 ntsig;		/* TSIG records, in any section */
	int		 tsig_last;	/* the last is the last additional */
	size_t		 nopt;		/* OPT records (additional) */
	size_t		 trailing;	/* bytes after the last record */
};

/* Returns 0, or -1 with err filled (CLOUDDP_EDNS) saying what is wrong
 * and where. */
int	 dnsmsg_shape(struct dnsmsg_shape *, const unsigned char *, size_t,
	    struct clouddp_err *);

/* "NOERROR", "SERVFAIL"...: the rcode's mnemonic, "RCODE<n>" if unknown;
 * buf holds at least 16 bytes and is returned. */
const char *dnsmsg_rcode_name(int, char *, size_t);

/*
 * Canonical form of a presentation-format name into out (size outlen):
 * lower case, no final dot.  Returns 0, or -1 if it is empty, has an
 * empty label, a label over 63 bytes or is over 253 bytes.
 */
int	 dnsmsg_name_canon(const char *, char *, size_t);

#endif /* CLOUDDP_DNSMSG_H */
