/* Unit tests: name rules, relative names, the duplicate check. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "cname.h"
#include "zone.h"
#include "../tap.h"

int
main(void)
{
	struct clouddp_err	 err;
	struct cname_rules	 rules = { "contoso.com.", 0, 3600 };
	struct cname_rec	 rec;
	struct cname_seen	*seen;
	char			 out[ZONE_NAME_MAX];
	size_t			 first = 0;
	int			 i, dups = 0;

	plan(16);
	ok(name_parse("Host.Example.COM", 0, out, &err) == 0 &&
	    strcmp(out, "host.example.com.") == 0, "lower-cased, dot added");
	ok(name_parse("host.example.com.", 0, out, &err) == 0,
	    "trailing dot accepted");
	ok(name_parse("münchen.example", 0, out, &err) == 0 &&
	    strcmp(out, "xn--mnchen-3ya.example.") == 0, "UTF-8 to A-label");
	ok(name_parse("host", 0, out, &err) == -1,
	    "a single label is not an FQDN");
	ok(name_parse("192.0.2.1", 0, out, &err) == -1,
	    "an address is not a host name");
	ok(name_parse("*.example.com", 0, out, &err) == -1,
	    "wildcard refused unless allowed");
	ok(name_parse("*.example.com", 1, out, &err) == 0 &&
	    name_is_wildcard(out), "wildcard allowed when asked");
	ok(name_parse("a.*.example.com", 1, out, &err) == -1,
	    "a wildcard only as the left-most label");
	ok(name_parse("ex\xff" "ample.com", 0, out, &err) == -1,
	    "invalid UTF-8 refused");
	ok(name_is_within("a.b.contoso.com.", "contoso.com.") &&
	    !name_is_within("acontoso.com.", "contoso.com."),
	    "is_within compares whole labels");
	is(name_relative("a.b.contoso.com.", "contoso.com.", out), "a.b",
	    "relative name");
	ok(cname_rec_make(&rules, "dp.contoso.com", "abc.cloudapp.net", "60",
	    &rec, &err) == 0 && rec.ttl == 60, "a good record");
	ok(cname_rec_make(&rules, "dp.contoso.com", "dp.contoso.com", NULL,
	    &rec, &err) == -1, "a CNAME to itself refused");
	ok(cname_rec_make(&rules, "dp.contoso.com", "abc.cloudapp.net",
	    "2147483648", &rec, &err) == -1, "a TTL over 2^31-1 refused");

	seen = cname_seen_new();
	for (i = 0; i <= 5000; i++) {
		snprintf(rec.fqdn, sizeof(rec.fqdn), "dp%d.contoso.com.",
		    i < 5000 ? i : 4321);
		rec.line = (size_t)i + 1;
		cname_seen_note(seen, &rec);
	}
	ok(cname_seen_suspects(seen) >= 1 && cname_seen_suspects(seen) < 5,
	    "one repeat among 5001 names is a suspect, few others are");
	for (i = 0; i <= 5000; i++) {
		snprintf(rec.fqdn, sizeof(rec.fqdn), "dp%d.contoso.com.",
		    i < 5000 ? i : 4321);
		rec.line = (size_t)i + 1;
		if (cname_seen_recheck(seen, &rec, &first) == 1)
			dups++;
	}
	ok(dups == 1 && first == 4322,
	    "the recheck finds exactly the repeat and its first line");
	cname_seen_free(seen);
	return done_testing();
}
