/*
 * Unit tests: input lines and verdict messages of the resolution engine
 * (resolve_io.c, resolve_name_set): subjects in the one name form,
 * defaults, internationalised names, and bad names.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "input.h"
#include "resolve.h"
#include "resolve_io.h"
#include "../tap.h"

static int
subject(const char *fqdn, const char *target, const char *vip, size_t n,
    struct resolve_name *name, struct clouddp_err *err)
{
	struct input_rec	 rec;

	memset(&rec, 0, sizeof(rec));
	rec.col[INPUT_FQDN] = fqdn;
	rec.col[INPUT_TARGET] = target;
	rec.col[INPUT_VIP] = vip;
	rec.line = n;
	return resolve_io_subject(&rec, "names.txt", "Def.cloudapp.net",
	    "192.0.2.1", name, err);
}

static void
test_lines(void)
{
	struct resolve_name	 n;
	struct clouddp_err	 err;

	is_int(subject("Dp1.Contoso.COM.", NULL, NULL, 3, &n, &err), 0,
	    "a name alone");
	is(n.name, "dp1.contoso.com", "name in canonical form");
	is(n.target, "def.cloudapp.net", "default target, canonical too");
	is(n.vip, "192.0.2.1", "default VIP");
	is_int(n.line, 3, "line number kept");
	is_int(subject("dp2.contoso.com", "x.cloudapp.net", "2001:db8::7", 4,
	    &n, &err), 0, "all three columns");
	is(n.target, "x.cloudapp.net", "target from the line");
	is(n.vip, "2001:db8::7", "IPv6 VIP from the line");
	is_int(subject("b\xc3\xbc" "cher.contoso.test", NULL, NULL, 5, &n,
	    &err), 0, "an internationalised name");
	is(n.name, "xn--bcher-kva.contoso.test", "is asked as its A-label");
	is_int(subject("bad_name!!.contoso.com", NULL, NULL, 7, &n, &err), -1,
	    "bad_name!! refused, not queried");
	ok(strncmp(err.what, "names.txt:7: ", 13) == 0,
	    "the error names the file and line");
	is_int(subject("a..b", NULL, NULL, 7, &n, &err), -1, "a..b refused");
	is_int(subject("a.b", "c.d", "192.0.2.300", 8, &n, &err), -1,
	    "bad VIP refused");
	ok(strstr(err.hint, "IPv4 or IPv6") != NULL, "with a hint");
	is_int(subject("a\x1b.test", NULL, NULL, 0, &n, &err), -1,
	    "ESC in a command-line name refused");
	ok(strchr(err.what, '\x1b') == NULL, "and not echoed raw");
}

static void
test_messages(void)
{
	struct resolve_name	 n;
	struct resolve_result	 r;
	struct clouddp_err	 err;
	char			 msg[512];

	resolve_name_set(&n, "dp1.contoso.com", "g.cloudapp.net", NULL, &err);
	memset(&r, 0, sizeof(r));
	r.neg_ttl = -1;
	r.serial = -1;
	r.verdict = RESOLVE_DANGLING_CNAME;
	r.stage = 2;
	r.nhops = 1;
	snprintf(r.hops[0].target, sizeof(r.hops[0].target), "%s",
	    "g.cloudapp.net");
	resolve_io_message(&n, &r, msg, sizeof(msg));
	ok(strstr(msg, "dangling CNAME: g.cloudapp.net does not exist") !=
	    NULL, "dangling names the target");
	r.verdict = RESOLVE_WRONG_TARGET;
	snprintf(r.hops[0].target, sizeof(r.hops[0].target), "%s",
	    "x.cloudapp.net");
	r.hops[0].ttl = 300;
	resolve_io_message(&n, &r, msg, sizeof(msg));
	is(msg, "CNAME x.cloudapp.net (ttl 300); expected CNAME "
	    "g.cloudapp.net", "wrong target: actual and expected");
	resolve_io_message(&n, &r, msg, 12);
	is(msg, "CNAME x.clo", "a short buffer is cut, never overrun");
	is(resolve_verdict_name(RESOLVE_CHAIN_TOO_LONG), "chain_too_long",
	    "verdict names");
	is_int(resolve_verdict_status(RESOLVE_INDIRECT),
	    CLOUDDP_STATUS_WARNING, "indirect is a warning");
	is_int(resolve_verdict_status(RESOLVE_TIMEOUT),
	    CLOUDDP_STATUS_CRITICAL, "timeout fails");
}

int
main(void)
{
	plan(23);
	test_lines();
	test_messages();
	return done_testing();
}
