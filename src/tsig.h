/*
 * TSIG (RFC 8945): the key read from its file straight into a shielded
 * secret (secret.h), and the MACs of requests and answers computed here
 * with OpenSSL's HMAC, the key opened only for that.  ldns builds the
 * TSIG record and parses the packets, but computes no MAC: ldns 1.8.3
 * takes the key only as a base64 C string, which would have to stay in
 * memory as long as the key is used, and decodes it into a heap buffer
 * it frees without wiping.  The key file's API is in update.h.
 */
#ifndef CLOUDDP_TSIG_H
#define CLOUDDP_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "clouddp.h"

struct zone_tsig;

/* What a signed request asks of its answer's signature (RFC 8945 5.2). */
#define TSIG_FUDGE	300
/* The largest MAC: HMAC-SHA512's. */
#define TSIG_MAC_MAX	64

/* A request's MAC, which its answer's MAC covers (RFC 8945 4.3.1). */
struct tsig_mac {
	uint8_t		 data[TSIG_MAC_MAX];
	size_t		 len;
};

/*
 * Sign q with k at now (seconds since the epoch, 48 bits on the wire):
 * the MAC of q's wire form and of the TSIG variables (RFC 8945 4.3.1,
 * 4.3.3), with q's ID as the original ID and a fudge of TSIG_FUDGE.
 * *wire (to free, *len bytes) gets q's wire form with the TSIG record
 * after it, ARCOUNT one more; the record's names are not compressed,
 * as BIND writes them (ldns_pkt2wire would compress the key's name
 * against the question's).  *mac gets the MAC, to check the answer
 * with.  q is left as it was.  Returns 0, or -1 with err filled.
 */
int	 tsig_sign(const struct zone_tsig *, const ldns_pkt *, uint64_t,
	    struct tsig_mac *, uint8_t **, size_t *, struct clouddp_err *);

/*
 * Does the answer to a request signed by k verify?  wire (len bytes) is
 * the answer as received, resp what ldns parsed from it, whose TSIG
 * record is wire's last record (the caller checked so); req is the
 * request's MAC.  The MAC covers req, the message without its TSIG
 * record under the original ID and ARCOUNT less one, and the TSIG
 * variables (RFC 8945 4.3.2, 4.3.3), with k's name and algorithm.
 * Returns 1 when it verifies, 0 when it does not (an algorithm that is
 * not k's, a record too short, a MAC that differs), -1 with err filled
 * when it could not be computed.  The signing time is not checked
 * here: the request's MAC already ties the answer to this exchange.
 */
int	 tsig_verify(const struct zone_tsig *, const ldns_pkt *,
	    const uint8_t *, size_t, const struct tsig_mac *,
	    struct clouddp_err *);

#endif /* CLOUDDP_TSIG_H */
