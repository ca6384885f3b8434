/*
 * The JUnit writer's escaping (xml.c's writer, as clouddp-verify
 * --junit uses it): names, messages and text from the input, split at
 * NUL bytes, go into a testsuite and testcase as verify.c writes them.
 * Text that is not UTF-8 is refused; anything else must come out as
 * a document libxml2 parses back, holding the same values (C0 controls
 * other than tab, newline and return made '?').
 */
#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "clouddp.h"
#include "xml.h"
#include "fuzz.h"

#define NFIELDS	4	/* suite name, testcase name, classname, message */

const struct fuzz_target	 fuzz_target = { FUZZ_NEED_XML, NULL };

/*
 * The code point of the UTF-8 sequence at u into *c and its length, or
 * 0 when it is not well-formed (truncated, overlong, a surrogate, past
 * U+10FFFF): decoded, then judged by value.
 */
static size_t
decode(const unsigned char *u, unsigned long *c)
{
	static const unsigned long	 min[5] = {
	    0, 0, 0x80, 0x800, 0x10000
	};
	size_t				 k, n;

	if (u[0] < 0x80) {
		*c = u[0];
		return 1;
	}
	n = (u[0] & 0xe0) == 0xc0 ? 2 : (u[0] & 0xf0) == 0xe0 ? 3 :
	    (u[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0)
		return 0;
	*c = u[0] & (0x7f >> n);
	for (k = 1; k < n; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return 0;
		*c = *c << 6 | (u[k] & 0x3f);
	}
	if (*c < min[n] || (*c >= 0xd800 && *c <= 0xdfff) || *c > 0x10ffff)
		return 0;
	return n;
}

static int
is_utf8(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned long		 c;
	size_t			 i, n;

	for (i = 0; u[i] != '\0'; i += n) {
		n = decode(u + i, &c);
		if (n == 0)
			return 0;
	}
	return 1;
}

/*
 * What the value must read back as: each character XML 1.0 cannot hold
 * (section 2.2's Char production) as '?'.  s is UTF-8.
 */
static char *
expected(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned long		 c;
	char			*e, *p;
	size_t			 i, n;

	e = malloc(strlen(s) + 1);
	FUZZ_ASSERT(e != NULL);
	for (p = e, i = 0; u[i] != '\0'; i += n) {
		n = decode(u + i, &c);
		FUZZ_ASSERT(n > 0);
		if ((c < 0x20 && c != 0x9 && c != 0xa && c != 0xd) ||
		    c == 0xfffe || c == 0xffff)
			*p++ = '?';
		else {
			memcpy(p, u + i, n);
			p += n;
		}
	}
	*p = '\0';
	return e;
}

static void
same(const xmlChar *got, const char *want)
{
	char	*e = expected(want);

	FUZZ_ASSERT(got != NULL);
	if (strcmp((const char *)got, e) != 0) {
		fprintf(stderr, "wrote '%s', read back '%s'\n", e, got);
		FUZZ_ASSERT(!"value changed on the way");
	}
	free(e);
}

static void
attr_same(xmlNodePtr n, const char *name, const char *want)
{
	xmlChar	*v = xmlGetProp(n, (const xmlChar *)name);

	same(v, want);
	xmlFree(v);
}

/* Find the first element child named name. */
static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	FUZZ_ASSERT(!"element missing");
	return NULL;
}

static void
read_back(const struct clouddp_buf *doc, const char *const *f)
{
	xmlDocPtr	 d;
	xmlNodePtr	 s, c, e;
	xmlChar		*t;

	d = xmlReadMemory(doc->data, (int)doc->len, "junit.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (d == NULL) {
		fprintf(stderr, "%s\n", doc->data);
		FUZZ_ASSERT(!"the JUnit document does not parse");
	}
	s = child((xmlNodePtr)d, "testsuites");
	s = child(s, "testsuite");
	attr_same(s, "name", f[0]);
	c = child(s, "testcase");
	attr_same(c, "name", f[1]);
	attr_same(c, "classname", f[2]);
	e = child(c, "failure");
	attr_same(e, "message", f[3]);
	t = xmlNodeGetContent(e);
	same(t, f[3]);
	xmlFree(t);
	xmlFreeDoc(d);
}

/* The document verify.c writes for one DP with one failed check. */
static int
write_doc(const char *const *f, struct clouddp_buf *doc)
{
	struct clouddp_err	 err;
	struct xml_writer	*w;
	int			 bad = 0;

	w = xml_writer_new(&err);
	FUZZ_ASSERT(w != NULL);
	bad |= xml_writer_start(w, "testsuites", &err);
	bad |= xml_writer_attr(w, "name", "clouddp-verify", &err);
	bad |= xml_writer_start(w, "testsuite", &err);
	bad |= xml_writer_attr(w, "name", f[0], &err);
	bad |= xml_writer_start(w, "testcase", &err);
	bad |= xml_writer_attr(w, "name", f[1], &err);
	bad |= xml_writer_attr(w, "classname", f[2], &err);
	bad |= xml_writer_start(w, "failure", &err);
	bad |= xml_writer_attr(w, "message", f[3], &err);
	bad |= xml_writer_attr(w, "type", "critical", &err);
	bad |= xml_writer_text(w, f[3], &err);
	bad |= xml_writer_end(w, &err);
	bad |= xml_writer_end(w, &err);
	bad |= xml_writer_end(w, &err);
	if (!bad)
		bad = xml_writer_done(w, doc, &err);
	else
		FUZZ_ASSERT(err.what[0] != '\0');
	xml_writer_free(w);
	return bad ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct clouddp_buf	 doc = { NULL, 0, 0 };
	const char		*f[NFIELDS];
	char			*copy, *p;
	int			 i, utf8 = 1;

	copy = malloc(len + NFIELDS);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, len);
	/* Field i starts at most i bytes past the data. */
	memset(copy + len, 0, NFIELDS);
	for (i = 0, p = copy; i < NFIELDS; i++, p += strlen(p) + 1) {
		f[i] = p;
		if (!is_utf8(p))
			utf8 = 0;
	}
	/* Whatever is UTF-8 is written, and only that. */
	if (write_doc(f, &doc) == 0) {
		FUZZ_ASSERT(utf8);
		read_back(&doc, f);
	} else
		FUZZ_ASSERT(!utf8);
	clouddp_buf_free(&doc);
	free(copy);
	return 0;
}
