/*
 * Unit tests: input lines and verdict messages of the resolution engine
 * (resolve_io.c, resolve_name_set): blanks, comments, CSV with a header,
 * quotes, empty and extra fields, defaults, and bad names.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "resolve.h"
#include "resolve_io.h"
#include "../tap.h"

static int
line(const char *text, unsigned long n, struct resolve_name *name)
{
	struct clouddp_err	 err;

	return resolve_io_line(text, n, "def.cloudapp.net", "192.0.2.1", name,
	    &err);
}

static void
test_lines(void)
{
	struct resolve_name	 n;
	struct clouddp_err	 err;

	is_int(line("", 1, &n), 0, "blank line skipped");
	is_int(line("   # a comment", 2, &n), 0, "comment skipped");
	is_int(line("fqdn,target,vip", 1, &n), 0, "CSV header skipped");
	is_int(line("Dp1.Contoso.COM.", 3, &n), 1, "a name alone");
	is(n.name, "dp1.contoso.com", "name in canonical form");
	is(n.target, "def.cloudapp.net", "default target");
	is(n.vip, "192.0.2.1", "default VIP");
	is_int(n.line, 3, "line number kept");
	is_int(line("dp2.contoso.com\tx.cloudapp.net  2001:db8::7 # c", 4,
	    &n), 1, "blank-separated fields and a comment");
	is(n.target, "x.cloudapp.net", "target from the line");
	is(n.vip, "2001:db8::7", "IPv6 VIP from the line");
	is_int(line("\"dp3.contoso.com\",,\"192.0.2.9\"\r", 5, &n), 1,
	    "CSV with quotes, an empty field and CRLF");
	is(n.target, "def.cloudapp.net", "empty CSV target takes the default");
	is(n.vip, "192.0.2.9", "CSV VIP in the third column");
	is_int(resolve_io_line("a.b c.d 192.0.2.1 extra", 6, NULL, NULL, &n,
	    &err), -1, "four fields refused");
	ok(strstr(err.what, "line 6") != NULL, "the error names the line");
	is_int(resolve_io_line("a..b", 7, NULL, NULL, &n, &err), -1,
	    "bad name refused");
	is_int(resolve_io_line("a.b c.d 192.0.2.300", 8, NULL, NULL, &n,
	    &err), -1, "bad VIP refused");
	ok(strstr(err.hint, "IPv4 or IPv6") != NULL, "with a hint");
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
	plan(25);
	test_lines();
	test_messages();
	return done_testing();
}
