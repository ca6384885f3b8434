/*
 * Unit tests: .publishsettings parsing (versions 1 and 2, URL
 * normalisation, selection by id) and xml.c's refusals (DOCTYPE, entity
 * bombs, external entities, malformed and oversized documents).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clouddp.h"
#include "publishsettings.h"
#include "xml.h"
#include "../tap.h"

static const char v1[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<PublishData>\n"
    "  <PublishProfile PublishMethod=\"AzureServiceManagementAPI\"\n"
    "      Url=\"https://management.core.windows.net/\"\n"
    "      ManagementCertificate=\"MIIK\">\n"
    "    <Subscription Id=\"8a4a0a51-728e-482e-8daa-c477f03c541d\"\n"
    "        Name=\"hjereztest\" />\n"
    "    <!-- a comment -->\n"
    "    <Subscription Id=\"b\" Name=\"two &amp; more\" />\n"
    "  </PublishProfile>\n"
    "</PublishData>\n";

static const char v2[] =
    "<PublishData>\n"
    "  <PublishProfile SchemaVersion=\"2.0\"\n"
    "      PublishMethod=\"AzureServiceManagementAPI\">\n"
    "    <Subscription ServiceManagementUrl=\"https://m.example\"\n"
    "        Id=\"A1\" Name=\"Pay-As-You-Go\"\n"
    "        ManagementCertificate=\"MIIJ\" />\n"
    "  </PublishProfile>\n"
    "</PublishData>\n";

static struct publishsettings *
parse(const char *text, struct clouddp_err *err)
{
	return publishsettings_parse(text, strlen(text), "t", err);
}

static void
refused(const char *text, const char *want, const char *desc)
{
	struct clouddp_err	 err;
	struct publishsettings	*ps;

	memset(&err, 0, sizeof(err));
	ps = parse(text, &err);
	ok(ps == NULL && err.code == CLOUDDP_EINPUT &&
	    strstr(err.what, want) != NULL, desc);
	if (ps != NULL || strstr(err.what, want) == NULL)
		diag("got: %s", err.what);
	publishsettings_free(ps);
}

/*
 * A document that declares UCS-4 and is (UCS-4LE, which libxml2's
 * converter refuses): an error through err, nothing on stderr, which
 * libxml2's generic handler would otherwise print on.
 */
static void
test_ucs4(void)
{
	static const char	 text[] = "<?xml version=\"1.0\" "
	    "encoding=\"UCS-4\"?>\n<PublishData/>\n";
	struct clouddp_err	 err;
	struct publishsettings	*ps;
	struct stat		 st;
	char			 doc[4 * sizeof(text)];
	char			 path[] = "/tmp/t_psXXXXXX";
	size_t			 i;
	int			 fd, saved;

	memset(doc, 0, sizeof(doc));
	for (i = 0; i + 1 < sizeof(text); i++)
		doc[4 * i] = text[i];
	fd = mkstemp(path);
	saved = dup(STDERR_FILENO);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	memset(&err, 0, sizeof(err));
	ps = publishsettings_parse(doc, 4 * (sizeof(text) - 1), "t", &err);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fstat(fd, &st);
	close(fd);
	unlink(path);
	ok(ps == NULL && err.code == CLOUDDP_EINPUT, "UCS-4: refused");
	is_int(st.st_size, 0, "UCS-4: libxml2 printed nothing on stderr");
	ok(strstr(err.what, "conversion failed") != NULL &&
	    strstr(err.hint, "UTF-8") != NULL,
	    "UCS-4: the converter's words, and a hint to save as UTF-8");
	publishsettings_free(ps);
}

int
main(void)
{
	struct clouddp_err			 err;
	struct publishsettings			*ps;
	const struct publishsettings_sub	*s;
	char					*big;

	plan(22);
	xml_global_init();
	ps = parse(v1, &err);
	ok(ps != NULL, "version 1 parses");
	if (ps != NULL) {
		is_int(publishsettings_version(ps), 1, "version 1");
		is_int(publishsettings_count(ps), 2, "two subscriptions");
		s = publishsettings_get(ps, 0);
		is(s->url, "https://management.core.windows.net",
		    "v1 URL without its final slash");
		is(s->certificate, "MIIK", "the profile's certificate");
		s = publishsettings_find(ps, "B");
		ok(s != NULL && strcmp(s->name, "two & more") == 0,
		    "find is case-insensitive; &amp; decoded");
		ok(publishsettings_find(ps, "c") == NULL, "unknown id");
	}
	publishsettings_free(ps);
	ps = parse(v2, &err);
	ok(ps != NULL && publishsettings_version(ps) == 2, "version 2");
	if (ps != NULL) {
		s = publishsettings_get(ps, 0);
		is(s->url, "https://m.example", "ServiceManagementUrl");
		is(s->certificate, "MIIJ", "the subscription's certificate");
	}
	publishsettings_free(ps);

	refused("<!DOCTYPE PublishData><PublishData/>", "DOCTYPE",
	    "a DOCTYPE is refused");
	refused("<!DOCTYPE a [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">"
	    "]><PublishData Name=\"&b;\"/>", "DOCTYPE", "entity bomb refused");
	refused("<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	    "<PublishData>&e;</PublishData>", "DOCTYPE",
	    "external entity refused");
	refused("<PublishData><PublishProfile></PublishData>",
	    "not well-formed", "malformed XML");
	refused("", "not well-formed", "an empty document");
	refused("<Other/>", "root element <Other>", "wrong root");
	refused("<PublishData><PublishProfile ManagementCertificate=\"x\">"
	    "<Subscription Name=\"n\"/></PublishProfile></PublishData>",
	    "without an Id", "a subscription without an Id");
	refused("<PublishData/>", "no <PublishProfile>", "no subscription");
	big = calloc(1, XML_DOC_MAX + 2);
	if (big != NULL) {
		memset(big, ' ', XML_DOC_MAX + 1);
		refused(big, "more than", "an oversized document");
	}
	free(big);
	test_ucs4();
	xml_global_cleanup();
	return done_testing();
}
