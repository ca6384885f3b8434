/*
 * Unit tests: the one name form (src/name.c): IDNA 2008 both ways, case,
 * xn-- labels that are not A-labels, messages that echo no raw bytes,
 * and the Azure name shapes.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "name.h"
#include "../tap.h"

static const char *
canon(const char *in)
{
	static char		 out[ZONE_NAME_MAX];
	struct clouddp_err	 err;

	if (name_parse(in, 0, out, &err) == -1)
		return "ERR";
	return out;
}

static void
test_idn(void)
{
	char			 u[ZONE_NAME_MAX], h[ZONE_NAME_MAX];
	struct clouddp_err	 err;

	is(canon("b\xc3\xbc" "cher.contoso.test"), "xn--bcher-kva.contoso.test.",
	    "a U-label becomes its A-label");
	is(canon("B\xc3\x9c" "CHER.Contoso.TEST."),
	    "xn--bcher-kva.contoso.test.", "upper-case U-labels lower-cased");
	is(canon("XN--BCHER-KVA.contoso.test"), "xn--bcher-kva.contoso.test.",
	    "an A-label in upper case is lower-cased");
	is(canon("Dp1.Contoso.COM"), "dp1.contoso.com.", "ASCII lower-cased");
	is(canon("xn--bcher-kvb.contoso.test"), "ERR",
	    "an xn-- label that does not convert back is refused");
	is(canon("xn--a.contoso.test"), "ERR", "a broken xn-- label refused");
	is(canon("xn--.contoso.test"), "ERR", "an empty xn-- label refused");
	is_int(name_parse("xn--zz-99.test", 0, u, &err), -1, "bad punycode");
	ok(strstr(err.what, "not a valid A-label") != NULL,
	    "is called not a valid A-label");
	is_int(name_to_unicode("xn--bcher-kva.contoso.test.", u, sizeof(u)), 1,
	    "the U-label form differs");
	is(u, "b\xc3\xbc" "cher.contoso.test.", "and reads in Unicode");
	is_int(name_to_unicode("dp1.contoso.test.", u, sizeof(u)), 0,
	    "a name without A-labels has no other form");
	is(u, "dp1.contoso.test.", "and is copied");
	is_int(name_host("b\xc3\xbc" "cher.contoso.test.", h, &err), 0,
	    "name_host");
	is(h, "xn--bcher-kva.contoso.test", "without the trailing dot");
}

/* The one-pass path for plain names and the full checks agree. */
static void
test_plain(void)
{
	static const char *const t[][2] = {
		{ "a.b", "a.b." }, { "a.b.", "a.b." }, { "A-B.C", "a-b.c." },
		{ "ab--cd.test", "ab--cd.test." }, { "a.1", "ERR" },
		{ "a.1.", "ERR" }, { "1.a", "1.a." }, { "a.b-", "ERR" },
		{ "a.b-.", "ERR" }, { "-a.b", "ERR" }, { "a-.b", "ERR" },
		{ "a..b", "ERR" }, { "a", "ERR" }, { "a.", "ERR" },
		{ ".a.b", "ERR" }, { "a.b..", "ERR" }, { "*.a.b", "ERR" },
		{ "a_b.c", "ERR" }, { "xn--bcher-kva.test", "xn--bcher-kva.test." },
		{ "XN--BCHER-KVB.test", "ERR" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is(canon(t[i][0]), t[i][1], t[i][0]);
	is(canon("a.b23456789012345678901234567890123456789012345678901234567890"
	    "1234"), "ERR", "a 64-octet label");
}

static void
test_messages(void)
{
	struct clouddp_err	 err;
	char			 out[ZONE_NAME_MAX];

	is_int(name_parse("a\x1b[31m.test", 0, out, &err), -1, "ESC refused");
	ok(strchr(err.what, '\x1b') == NULL, "and not echoed raw");
	ok(strstr(err.what, "\\x1b") != NULL, "but escaped");
	is_int(name_parse("bad_name!!.test", 0, out, &err), -1,
	    "bad_name!! refused");
	is_int(name_parse("a\xff.test", 0, out, &err), -1, "not UTF-8 refused");
	ok(strstr(err.what, "\\xff") != NULL, "escaped in the message");
}

static void
test_azure(void)
{
	static const struct {
		const char	*name;
		enum name_azure	 shape;
		const char	*word;
	} t[] = {
		{ "d1594d4527614a09b934d470.cloudapp.net.",
		    NAME_AZURE_CLASSIC_DP, "classic_cloud_dp" },
		{ "wallacefalls.cloudapp.net", NAME_AZURE_CLASSIC,
		    "classic_cloud_service" },
		{ "cmg1.westeurope.cloudapp.azure.com.", NAME_AZURE_CMG,
		    "cmg" },
		{ "cmg1.usgovvirginia.usgovcloudapp.net", NAME_AZURE_NONE,
		    "none" },
		{ "cmg1.usgovcloudapp.net.", NAME_AZURE_USGOV, "usgov" },
		{ "cmg1.chinacloudapp.cn.", NAME_AZURE_CHINA, "china" },
		{ "cmg1.cloudapp.azure.com.", NAME_AZURE_NONE, "none" },
		{ "a.b.cloudapp.net.", NAME_AZURE_NONE, "none" },
		{ "cloudapp.net.", NAME_AZURE_NONE, "none" },
		{ "x.notcloudapp.net.", NAME_AZURE_NONE, "none" },
		{ "a.b.c.cloudapp.azure.com.", NAME_AZURE_NONE, "none" },
		{ "dp1.contoso.com.", NAME_AZURE_NONE, "none" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		is_int(name_azure_shape(t[i].name), t[i].shape, t[i].name);
		is(name_azure_name(name_azure_shape(t[i].name)), t[i].word,
		    t[i].word);
	}
	is(name_azure_label(NAME_AZURE_CMG), "cloud management gateway",
	    "words for people");
}

int
main(void)
{
	test_idn();
	test_plain();
	test_messages();
	test_azure();
	printf("1..%d\n", tap_n);
	return done_testing();
}
