/*
 * Unit tests: DNS answers off the wire (dnsmsg.c).  Messages are built
 * with ldns, then parsed whole, cut short at every length (which must
 * fail cleanly, never read past the end) and with odd names.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "clouddp.h"
#include "dnsmsg.h"
#include "../tap.h"

/* Wire form of a response with the given records; NULL ends a list. */
static uint8_t *
wire(int rcode, int aa, const char *const *answer,
    const char *const *authority, size_t *len)
{
	ldns_pkt	*p;
	ldns_rr		*rr;
	uint8_t		*w = NULL;
	size_t		 i;

	p = ldns_pkt_new();
	ldns_pkt_set_id(p, 4660);
	ldns_pkt_set_qr(p, 1);
	ldns_pkt_set_aa(p, aa);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	ldns_rr_new_question_frm_str(&rr, "dp1.contoso.test. IN A", NULL,
	    NULL);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, rr);
	for (i = 0; answer != NULL && answer[i] != NULL; i++)
		if (ldns_rr_new_frm_str(&rr, answer[i], 0, NULL, NULL) ==
		    LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	for (i = 0; authority != NULL && authority[i] != NULL; i++)
		if (ldns_rr_new_frm_str(&rr, authority[i], 0, NULL, NULL) ==
		    LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	if (ldns_pkt2wire(&w, p, len) != LDNS_STATUS_OK)
		w = NULL;
	ldns_pkt_free(p);
	return w;
}

static void
test_answer(void)
{
	static const char *const an[] = {
		"Dp1.Contoso.TEST. 300 IN CNAME G1.cloudapp.test.",
		"g1.cloudapp.test. 60 IN A 192.0.2.1",
		"g1.cloudapp.test. 60 IN AAAA 2001:db8::1",
		"g1.cloudapp.test. 60 IN TXT \"other\"",
		NULL
	};
	struct clouddp_err	 err;
	struct dnsmsg		 m;
	uint8_t			*w;
	size_t			 len, cut, bad = 0;

	w = wire(0, 1, an, NULL, &len);
	ok(w != NULL, "built an answer");
	if (w == NULL)
		return;
	is_int(dnsmsg_parse(&m, w, len, &err), 0, "answer parses");
	is_int(m.rcode, 0, "rcode NOERROR");
	is_int(m.aa, 1, "AA bit");
	is_int(m.nanswer, 4, "four answer records");
	is(m.answer[0].owner, "dp1.contoso.test", "owner in lower case");
	is_int(m.answer[0].type, DNSMSG_T_CNAME, "CNAME");
	is(m.answer[0].data, "g1.cloudapp.test", "CNAME target");
	is_int(m.answer[0].ttl, 300, "CNAME TTL");
	is(m.answer[1].data, "192.0.2.1", "A address");
	is(m.answer[2].data, "2001:db8::1", "AAAA address");
	is_int(m.answer[3].type, DNSMSG_T_OTHER, "TXT is other");
	dnsmsg_clear(&m);
	for (cut = 0; cut < len; cut++) {
		if (dnsmsg_parse(&m, w, cut, &err) == 0)
			bad++;
		dnsmsg_clear(&m);
	}
	is_int(bad, 0, "every cut-short message is refused");
	ok(strstr(err.what, "malformed DNS answer") != NULL,
	    "the error says the answer is malformed");
	free(w);
}

static void
test_negative(void)
{
	static const char *const ns[] = {
		"contoso.test. 300 IN SOA ns1.contoso.test. h.contoso.test. "
		    "7 3600 600 86400 30",
		NULL
	};
	struct clouddp_err	 err;
	struct dnsmsg		 m;
	uint8_t			*w;
	size_t			 len;
	char			 buf[16];

	w = wire(3, 0, NULL, ns, &len);
	is_int(dnsmsg_parse(&m, w, len, &err), 0, "NXDOMAIN parses");
	is_int(m.rcode, DNSMSG_RCODE_NXDOMAIN, "rcode NXDOMAIN");
	is_int(m.aa, 0, "no AA bit");
	is_int(m.nauthority, 1, "SOA in the authority section");
	is_int(m.authority[0].serial, 7, "SOA serial");
	is_int(m.authority[0].minimum, 30, "SOA minimum");
	is(m.authority[0].data, "ns1.contoso.test", "SOA primary");
	is(dnsmsg_rcode_name(m.rcode, buf, sizeof(buf)), "NXDOMAIN",
	    "rcode name");
	is(dnsmsg_rcode_name(11, buf, sizeof(buf)), "RCODE11",
	    "unknown rcode");
	dnsmsg_clear(&m);
	free(w);
}

static void
test_names(void)
{
	static const char *const an[] = {
		"a\\.b.test. 60 IN CNAME x\\032y.test.",
		NULL
	};
	struct clouddp_err	 err;
	struct dnsmsg		 m;
	uint8_t			*w;
	size_t			 len;
	char			 out[DNSMSG_NAME_MAX], label[70];

	w = wire(0, 1, an, NULL, &len);
	is_int(dnsmsg_parse(&m, w, len, &err), 0, "odd names parse");
	is(m.answer[0].owner, "a\\046b.test", "a dot in a label is escaped");
	is(m.answer[0].data, "x\\032y.test", "a space is escaped");
	dnsmsg_clear(&m);
	free(w);
	is_int(dnsmsg_name_canon("Foo.Example.", out, sizeof(out)), 0,
	    "canonical name");
	is(out, "foo.example", "lower case, no final dot");
	is_int(dnsmsg_name_canon("a..b", out, sizeof(out)), -1, "empty label");
	is_int(dnsmsg_name_canon("", out, sizeof(out)), -1, "empty name");
	is_int(dnsmsg_name_canon(".", out, sizeof(out)), -1, "root alone");
	memset(label, 'a', 64);
	label[64] = '\0';
	is_int(dnsmsg_name_canon(label, out, sizeof(out)), -1,
	    "label over 63 bytes");
}

int
main(void)
{
	plan(32);
	test_answer();
	test_negative();
	test_names();
	return done_testing();
}
