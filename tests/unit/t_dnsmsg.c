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

/* A header (id 0x1234, a response) with the counts given, then a question
 * for dp.test A at offset 12; returns the length so far (25). */
static size_t
hostile_head(unsigned char *b, int an, int ar)
{
	static const unsigned char q[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
		2, 'd', 'p', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1
	};

	memcpy(b, q, sizeof(q));
	b[7] = (unsigned char)an;
	b[11] = (unsigned char)ar;
	return sizeof(q);
}

/* A CNAME record with owner bytes o (olen) and target "x" + pointer 12. */
static size_t
hostile_rr(unsigned char *b, const unsigned char *o, size_t olen)
{
	static const unsigned char rest[] = {
		0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'x', 0xc0, 12
	};

	memcpy(b, o, olen);
	memcpy(b + olen, rest, sizeof(rest));
	return olen + sizeof(rest);
}

static void
test_hostile(void)
{
	static const unsigned char self[] = { 0xc0, 25 };
	static const unsigned char fwd[] = { 0xc0, 41 };
	static const unsigned char back[] = { 0xc0, 12 };
	static const unsigned char tsig[] = {
		0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0
	};
	struct clouddp_err	 err;
	struct dnsmsg_shape	 sh;
	struct dnsmsg		 m;
	unsigned char		 b[256];
	size_t			 n;

	n = hostile_head(b, 1, 0);
	n += hostile_rr(b + n, self, sizeof(self));
	is_int(dnsmsg_parse(&m, b, n, &err), -1, "a pointer to itself");
	ok(strstr(err.what, "answer record 1 of 1: a compression pointer "
	    "points to itself (a loop)") != NULL, "is named as a loop: %s",
	    err.what);
	/* Two owners pointing at each other: 25 -> 41 and 41 -> 25. */
	n = hostile_head(b, 2, 0);
	n += hostile_rr(b + n, fwd, sizeof(fwd));
	n += hostile_rr(b + n, self, sizeof(self));
	is_int(dnsmsg_parse(&m, b, n, &err), -1, "mutual pointers");
	ok(strstr(err.what, "points forward (a loop") != NULL,
	    "are named as a loop: %s", err.what);
	n = hostile_head(b, 5, 0);
	n += hostile_rr(b + n, back, sizeof(back));
	is_int(dnsmsg_parse(&m, b, n, &err), -1, "records missing");
	ok(strstr(err.what, "the header claims 5 answer records, the "
	    "message ends after 1") != NULL, "are counted: %s", err.what);
	is_int(dnsmsg_parse(&m, b, 8, &err), -1, "a short header");
	ok(strstr(err.what, "8 bytes, too short for a header") != NULL,
	    "is said so: %s", err.what);
	/* Two TSIG records in the additional section (ldns leaks one). */
	n = hostile_head(b, 1, 2);
	n += hostile_rr(b + n, back, sizeof(back));
	memcpy(b + n, tsig, sizeof(tsig));
	memcpy(b + n + sizeof(tsig), tsig, sizeof(tsig));
	n += 2 * sizeof(tsig);
	is_int(dnsmsg_shape(&sh, b, n, &err), 0, "shape of two TSIGs");
	is_int(sh.ntsig, 2, "both TSIG records are counted");
	is_int(sh.tsig_last, 1, "the last is the last record");
	is_int(sh.id, 0x1234, "the ID");
	is_int(dnsmsg_parse(&m, b, n, &err), 0, "the answer itself parses");
	is_int(m.nanswer, 1, "with its one record");
	dnsmsg_clear(&m);
	is_int(dnsmsg_shape(&sh, b, n - 1, &err), -1, "cut short");
	ok(strstr(err.what, "additional record 2 of 2: its type, class, TTL "
	    "and RDLENGTH run past the end") != NULL, "where: %s", err.what);
}

int
main(void)
{
	plan(48);
	test_answer();
	test_negative();
	test_names();
	test_hostile();
	return done_testing();
}
