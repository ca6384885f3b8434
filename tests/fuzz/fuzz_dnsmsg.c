/*
 * DNS answers as the resolution engine sees them (dnsmsg_parse, on
 * what c-ares hands over): a malformed message is refused whole, and
 * every record kept has printable, canonical, bounded names.  Also the
 * checks before ldns (dnsmsg_question, dnsmsg_shape): an answer the
 * RFC 2136 client would pass to ldns_wire2pkt is handed to it here, so
 * a leak in ldns on a message our checks let through is a finding.
 */
#include "config.h"

#include <string.h>

#include <ldns/ldns.h>

#include "clouddp.h"
#include "dnsmsg.h"
#include "fuzz.h"

const struct fuzz_target	 fuzz_target = { 0, NULL };

/* Printable, lower case, no final dot (the root is ""). */
static void
name_ok(const char *s)
{
	size_t	 n = strnlen(s, DNSMSG_NAME_MAX);
	size_t	 i;

	FUZZ_ASSERT(n < DNSMSG_NAME_MAX);
	FUZZ_ASSERT(n == 0 || s[n - 1] != '.');
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(s[i] > 0x20 && s[i] < 0x7f &&
		    !(s[i] >= 'A' && s[i] <= 'Z'));
}

static void
rrs_ok(const struct dnsmsg_rr *rr, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		name_ok(rr[i].owner);
		FUZZ_ASSERT(strnlen(rr[i].data, DNSMSG_NAME_MAX) <
		    DNSMSG_NAME_MAX);
		if (rr[i].type == DNSMSG_T_CNAME || rr[i].type == DNSMSG_T_NS ||
		    rr[i].type == DNSMSG_T_SOA)
			name_ok(rr[i].data);
	}
}

/* The question and the shape, as update.c's answer_sound() uses them. */
static void
shape_ok(const uint8_t *data, size_t len)
{
	struct dnsmsg_shape	 sh;
	struct clouddp_err	 err;
	char			 name[DNSMSG_NAME_MAX];
	unsigned		 type, class;
	ldns_pkt		*pkt = NULL;

	if (dnsmsg_question(data, len, name, sizeof(name), &type,
	    &class) == 0) {
		name_ok(name);
		FUZZ_ASSERT(type <= 0xffff && class <= 0xffff);
	}
	if (dnsmsg_shape(&sh, data, len, &err) == -1) {
		FUZZ_ASSERT(err.what[0] != '\0');
		return;
	}
	FUZZ_ASSERT(sh.trailing <= len - 12);
	FUZZ_ASSERT(sh.nopt <= sh.count[3]);
	if (sh.ntsig > 1 || (sh.ntsig == 1 && !sh.tsig_last) || sh.nopt > 1)
		return;
	if (ldns_wire2pkt(&pkt, data, len) == LDNS_STATUS_OK)
		ldns_pkt_free(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct dnsmsg		 msg;
	struct clouddp_err	 err;
	char			 rc[16];

	shape_ok(data, len);
	memset(&msg, 0, sizeof(msg));
	if (dnsmsg_parse(&msg, data, len, &err) == -1) {
		FUZZ_ASSERT(err.what[0] != '\0');
		FUZZ_ASSERT(msg.answer == NULL && msg.nanswer == 0 &&
		    msg.authority == NULL && msg.nauthority == 0);
		dnsmsg_clear(&msg);
		return 0;
	}
	FUZZ_ASSERT(msg.rcode >= 0 && msg.rcode < 16);
	FUZZ_ASSERT(msg.nanswer == 0 || msg.answer != NULL);
	FUZZ_ASSERT(msg.nauthority == 0 || msg.authority != NULL);
	rrs_ok(msg.answer, msg.nanswer);
	rrs_ok(msg.authority, msg.nauthority);
	FUZZ_ASSERT(dnsmsg_rcode_name(msg.rcode, rc, sizeof(rc)) != NULL);
	dnsmsg_clear(&msg);
	return 0;
}
