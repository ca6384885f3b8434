/*
 * XML through libxml2.  The only file that includes libxml2 headers.
 * Documents come from files and servers we do not trust, so parsing
 * never loads a DTD, never expands an entity and never uses the network;
 * a DOCTYPE stops the parser before its declarations are read.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "clouddp.h"
#include "xml.h"

/* Set in the parser context's _private when a DOCTYPE was seen. */
#define DOCTYPE_SEEN	((void *)1)

struct xml_doc {
	xmlDocPtr	 doc;
};

#define N(n)	((xmlNodePtr)(uintptr_t)(n))
#define X(n)	((const struct xml_node *)(n))

void
xml_global_init(void)
{
	xmlInitParser();
}

void
xml_global_cleanup(void)
{
	xmlCleanupParser();
}

/*
 * SAX internalSubset: called at "<!DOCTYPE name", before any entity
 * declaration is parsed.  Stopping here keeps billion-laughs expansion
 * and external entities (file:// or http:// SYSTEM ids) from running at
 * all, rather than trusting libxml2's amplification limits.
 */
static void
on_doctype(void *arg, const xmlChar *name, const xmlChar *external,
    const xmlChar *system)
{
	xmlParserCtxtPtr	 ctxt = arg;

	(void)name;
	(void)external;
	(void)system;
	ctxt->_private = DOCTYPE_SEEN;
	xmlStopParser(ctxt);
}

/* Errors stay in the context (lastError); never printed. */
static void
on_error(void *arg, xmlErrorPtr error)
{
	(void)arg;
	(void)error;
}

/*
 * Errors libxml2 raises outside the parser context, such as the
 * encoding converter's "input conversion failed" (a document declaring
 * UCS-4 that is not), would go to its generic handler, which prints on
 * stderr.  While xml_parse runs they come here instead: the first
 * encoding error is kept for the message.
 */
static void
on_global_error(void *arg, xmlErrorPtr error)
{
	char	*first = arg;

	if (first[0] == '\0' && error != NULL && error->message != NULL &&
	    error->domain == XML_FROM_I18N)
		snprintf(first, 200, "%s", error->message);
}

/* Keeps libxml2 from printing anything, whatever its entry point. */
static void
on_generic_error(void *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
}

static void
parse_error(xmlParserCtxtPtr ctxt, const char *name, const char *global,
    struct clouddp_err *err)
{
	const xmlError	*e;
	char		 msg[256];
	size_t		 len;

	e = xmlCtxtGetLastError(ctxt);
	if (global[0] != '\0')
		snprintf(msg, sizeof(msg), "%s", global);
	else
		snprintf(msg, sizeof(msg), "%s", e != NULL &&
		    e->message != NULL ? e->message : "not well-formed");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	clouddp_errf(err, CLOUDDP_EINPUT, global[0] != '\0' ?
	    "save the file as UTF-8, as Azure writes it" :
	    "check that the file is complete, unedited XML",
	    "%s: line %d: not well-formed XML: %s", name,
	    e != NULL ? e->line : 0, msg);
}

/*
 * Parse with every libxml2 error handler pointed at us, then put the
 * caller's back: libxml2's handlers are per-thread globals.
 */
static xmlDocPtr
read_quietly(xmlParserCtxtPtr ctxt, const char *buf, size_t len,
    char *global)
{
	xmlStructuredErrorFunc	 old_serror = xmlStructuredError;
	void			*old_sdata = xmlStructuredErrorContext;
	xmlGenericErrorFunc	 old_generic = xmlGenericError;
	void			*old_gdata = xmlGenericErrorContext;
	xmlDocPtr		 doc;

	xmlSetStructuredErrorFunc(global, on_global_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA);
	xmlSetStructuredErrorFunc(old_sdata, old_serror);
	xmlSetGenericErrorFunc(old_gdata, old_generic);
	return doc;
}

struct xml_doc *
xml_parse(const char *buf, size_t len, const char *name,
    struct clouddp_err *err)
{
	xmlParserCtxtPtr	 ctxt = NULL;
	xmlDocPtr		 doc = NULL;
	struct xml_doc		*d = NULL;
	char			 global[200] = "";

	if (len > XML_DOC_MAX) {
		clouddp_errf(err, CLOUDDP_EINPUT, "give the right file",
		    "%s: %zu bytes, more than the %d an XML document may "
		    "have here", name, len, XML_DOC_MAX);
		goto out;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->externalSubset = NULL;
	ctxt->sax->serror = on_error;
	doc = read_quietly(ctxt, buf, len, global);
	if (ctxt->_private == DOCTYPE_SEEN ||
	    (doc != NULL && doc->intSubset != NULL)) {
		clouddp_errf(err, CLOUDDP_EINPUT,
		    "remove the DOCTYPE; the file is not what Azure wrote",
		    "%s: refused: a DOCTYPE (entity declarations could expand "
		    "without bound or read other files)", name);
		goto out;
	}
	if (doc == NULL || !ctxt->wellFormed ||
	    xmlDocGetRootElement(doc) == NULL) {
		parse_error(ctxt, name, global, err);
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	d->doc = doc;
	doc = NULL;
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return d;
}

void
xml_doc_free(struct xml_doc *d)
{
	if (d == NULL)
		return;
	xmlFreeDoc(d->doc);
	free(d);
}

const struct xml_node *
xml_doc_root(const struct xml_doc *d)
{
	return X(xmlDocGetRootElement(d->doc));
}

const char *
xml_node_name(const struct xml_node *node)
{
	return (const char *)N(node)->name;
}

static const struct xml_node *
element_from(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && (name == NULL ||
		    strcmp((const char *)n->name, name) == 0))
			return X(n);
	return NULL;
}

const struct xml_node *
xml_node_child(const struct xml_node *node, const char *name)
{
	return node != NULL ? element_from(N(node)->children, name) : NULL;
}

const struct xml_node *
xml_node_next(const struct xml_node *node, const char *name)
{
	return element_from(N(node)->next, name);
}

long
xml_node_line(const struct xml_node *node)
{
	return xmlGetLineNo(N(node));
}

int
xml_node_attr(const struct xml_node *node, const char *name,
    struct clouddp_buf *out, struct clouddp_err *err)
{
	xmlChar	*v;
	int	 rc;

	if (xmlHasNsProp(N(node), (const xmlChar *)name, NULL) == NULL)
		return 0;
	v = xmlGetNoNsProp(N(node), (const xmlChar *)name);
	if (v == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	clouddp_buf_reset(out);
	rc = clouddp_buf_append(out, v, strlen((char *)v), err);
	xmlFree(v);
	return rc == -1 ? -1 : 1;
}

const char *
xml_node_ns(const struct xml_node *node)
{
	if (N(node)->ns == NULL)
		return NULL;
	return (const char *)N(node)->ns->href;
}

int
xml_node_text(const struct xml_node *node, struct clouddp_buf *out,
    struct clouddp_err *err)
{
	xmlNodePtr	 n;

	clouddp_buf_reset(out);
	if (clouddp_buf_append(out, "", 0, err) == -1)
		return -1;
	for (n = N(node)->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return 0;
		if (n->type != XML_TEXT_NODE || n->content == NULL)
			continue;
		if (clouddp_buf_append(out, n->content,
		    strlen((const char *)n->content), err) == -1)
			return -1;
	}
	return 1;
}

/* Writing ------------------------------------------------------------------ */

/* libxml2's string type, for our text (BAD_CAST drops the const). */
static const xmlChar *
xc(const char *s)
{
	return (const xmlChar *)s;
}

struct xml_writer {
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 failed;
};

struct xml_writer *
xml_writer_new(struct clouddp_err *err)
{
	struct xml_writer	*xw;

	xw = calloc(1, sizeof(*xw));
	if (xw == NULL)
		goto nomem;
	xw->buf = xmlBufferCreate();
	if (xw->buf != NULL)
		xw->w = xmlNewTextWriterMemory(xw->buf, 0);
	if (xw->w == NULL)
		goto nomem;
	if (xmlTextWriterSetIndent(xw->w, 1) < 0 ||
	    xmlTextWriterSetIndentString(xw->w, xc("  ")) < 0 ||
	    xmlTextWriterStartDocument(xw->w, NULL, "UTF-8", NULL) < 0)
		goto nomem;
	return xw;
nomem:
	xml_writer_free(xw);
	clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	return NULL;
}

void
xml_writer_free(struct xml_writer *xw)
{
	if (xw == NULL)
		return;
	if (xw->w != NULL)
		xmlFreeTextWriter(xw->w);
	if (xw->buf != NULL)
		xmlBufferFree(xw->buf);
	free(xw);
}

/* One writer call's result: libxml2 says < 0 for a bad byte or ENOMEM. */
static int
writer_rc(struct xml_writer *xw, int rc, const char *what,
    struct clouddp_err *err)
{
	if (rc >= 0 && !xw->failed)
		return 0;
	xw->failed = 1;
	return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
	    "cannot write XML %s: out of memory or not UTF-8", what);
}

int
xml_writer_start(struct xml_writer *xw, const char *name,
    struct clouddp_err *err)
{
	return writer_rc(xw, xmlTextWriterStartElement(xw->w, xc(name)),
	    name, err);
}

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629 section
 * 4: no overlong form, no surrogate, nothing past U+10FFFF), or 0.
 * xmlCheckUTF8() lets overlong forms and surrogates through, and
 * libxml2 then writes a document that no parser reads back.
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 i, n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * A value as XML 1.0 can hold it: UTF-8 only (else NULL), and the
 * characters no escape makes legal (section 2.2: C0 controls other than
 * tab, newline and return; U+FFFE and U+FFFF) as '?'.  Free the copy.
 */
static char *
xml_value(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*copy, *p;
	size_t			 i, n;

	copy = malloc(strlen(s) + 1);
	if (copy == NULL)
		return NULL;
	for (p = copy, i = 0; u[i] != '\0'; i += n) {
		n = utf8_len(u + i);
		if (n == 0) {
			free(copy);
			return NULL;
		}
		if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' &&
		    u[i] != '\r') || (u[i] == 0xef && u[i + 1] == 0xbf &&
		    u[i + 2] >= 0xbe))
			*p++ = '?';
		else {
			memcpy(p, u + i, n);
			p += n;
		}
	}
	*p = '\0';
	return copy;
}

int
xml_writer_attr(struct xml_writer *xw, const char *name, const char *val,
    struct clouddp_err *err)
{
	char	*v;
	int	 rc;

	v = xml_value(val);
	rc = v != NULL ? xmlTextWriterWriteAttribute(xw->w, xc(name),
	    xc(v)) : -1;
	free(v);
	return writer_rc(xw, rc, name, err);
}

int
xml_writer_text(struct xml_writer *xw, const char *text,
    struct clouddp_err *err)
{
	char	*v;
	int	 rc;

	v = xml_value(text);
	rc = v != NULL ? xmlTextWriterWriteString(xw->w, xc(v)) : -1;
	free(v);
	return writer_rc(xw, rc, "text", err);
}

int
xml_writer_end(struct xml_writer *xw, struct clouddp_err *err)
{
	return writer_rc(xw, xmlTextWriterEndElement(xw->w), "element", err);
}

int
xml_writer_done(struct xml_writer *xw, struct clouddp_buf *out,
    struct clouddp_err *err)
{
	if (writer_rc(xw, xmlTextWriterEndDocument(xw->w), "document",
	    err) == -1 || writer_rc(xw, xmlTextWriterFlush(xw->w),
	    "document", err) == -1)
		return -1;
	clouddp_buf_reset(out);
	return clouddp_buf_append(out, xmlBufferContent(xw->buf),
	    (size_t)xmlBufferLength(xw->buf), err);
}
