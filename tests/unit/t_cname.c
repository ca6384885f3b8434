/*
 * Unit tests: name rules, relative names, the duplicate check, the TSIG
 * key file's algorithm.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "cname.h"
#include "update.h"
#include "zone.h"
#include "../tap.h"

/* Load a key file whose algorithm statement is alg; 0 when accepted. */
static int
tsig_alg(const char *alg, struct clouddp_err *err)
{
	char			 path[] = "/tmp/t_cname_key.XXXXXX";
	struct zone_tsig	*k;
	const char		*warning;
	FILE			*fp;
	int			 fd;

	fd = mkstemp(path);
	if (fd == -1)
		return -2;
	fp = fdopen(fd, "w");
	if (fp == NULL) {
		close(fd);
		unlink(path);
		return -2;
	}
	fprintf(fp, "key \"k\" {\n\talgorithm %s;\n\tsecret \"%s\";\n};\n",
	    alg, "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=");
	fclose(fp);
	k = zone_tsig_load(path, &warning, err);
	unlink(path);
	zone_tsig_free(k);
	return k != NULL ? 0 : -1;
}

/* The zone reader's warnings come back through the API. */
static void
zone_tests(void)
{
	struct clouddp_err	 err;
	struct zone_db		*db;
	const char		*top = getenv("top_srcdir");
	char			 path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/cname/oddities.zone",
	    top != NULL ? top : "../..");
	db = zone_db_load(path, "odd.test.", &err);
	ok(db != NULL, "zone: oddities.zone loads");
	if (db == NULL) {
		diag("%s", err.what);
		return;
	}
	ok(zone_db_nwarnings(db) == 4, "zone: four records kept without "
	    "their data");
	ok(zone_db_warning(db, 0) != NULL && strstr(zone_db_warning(db, 0),
	    "oddities.zone:9: NXT record kept") != NULL,
	    "zone: a warning names the file, the line and the type");
	ok(zone_db_warning(db, 4) == NULL, "zone: no fifth warning");
	ok(zone_db_check_cname(db, "resinfo.odd.test.",
	    "x.cloudapp.net.", &err) == ZONE_CNAME_CONFLICT,
	    "zone: a record kept without its data is a conflict");
	zone_db_free(db);
}

static void
tsig_tests(void)
{
	struct clouddp_err	 err;

	ok(tsig_alg("hmac-sha256", &err) == 0, "tsig: hmac-sha256");
	ok(tsig_alg("HMAC-SHA512.", &err) == 0,
	    "tsig: any case, a trailing dot");
	ok(tsig_alg("hmac-md5.sig-alg.reg.int", &err) == 0,
	    "tsig: hmac-md5's long name");
	ok(tsig_alg("h", &err) == -1 &&
	    strstr(err.what, "unknown TSIG algorithm 'h'") != NULL,
	    "tsig: 'h' is not taken for hmac-md5");
	ok(tsig_alg("hmac", &err) == -1 &&
	    strstr(err.what, "unknown TSIG algorithm 'hmac'") != NULL,
	    "tsig: 'hmac' is not taken for hmac-md5");
	ok(tsig_alg("\"\"", &err) == -1 &&
	    strstr(err.what, "algorithm is empty") != NULL,
	    "tsig: an empty algorithm is refused by name");
	ok(tsig_alg("hmac-md5.sig", &err) == -1,
	    "tsig: a prefix of the long name is refused");
	ok(tsig_alg("hmac-sha25", &err) == -1,
	    "tsig: a prefix of a short name is refused");
}

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

	plan(29);
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
	tsig_tests();
	zone_tests();
	return done_testing();
}
