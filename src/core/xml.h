/*
 * XML through libxml2, parsed strictly: no DTD, no entities, no network.
 * xml.c is the only file that includes libxml2 headers.
 */
#ifndef CLOUDDP_XML_H
#define CLOUDDP_XML_H

#include <stddef.h>

#include "clouddp.h"

void	 xml_global_init(void);
void	 xml_global_cleanup(void);

/* Documents larger than this are refused before parsing. */
#define XML_DOC_MAX	(4 * 1024 * 1024)

/* A parsed document and its element nodes (opaque). */
struct xml_doc;
struct xml_node;

/*
 * Parse len bytes of untrusted XML.  A document with a DOCTYPE is
 * refused before its internal subset is read, so entity bombs and
 * external entities never run; no DTD is loaded, no entity expanded, no
 * network used, and libxml2's default size limits stay on.  name is for
 * messages.  Returns a new document, or NULL with err filled
 * (CLOUDDP_EINPUT: too large, DOCTYPE, not well-formed with libxml2's
 * message and line; CLOUDDP_ENOMEM).  Nothing is printed.
 */
struct xml_doc	*xml_parse(const char *, size_t, const char *,
		    struct clouddp_err *);
void		 xml_doc_free(struct xml_doc *);

/* The root element; borrowed, valid while the document lives. */
const struct xml_node *xml_doc_root(const struct xml_doc *);
/* An element's local name (namespace prefix dropped); borrowed. */
const char	*xml_node_name(const struct xml_node *);
/* The first child element named name (any namespace; NULL: any
 * name), or NULL; NULL too for a NULL node, so lookups chain over an
 * answer that had no document. */
const struct xml_node *xml_node_child(const struct xml_node *,
		    const char *);
/* The next sibling element named name (NULL: any) after node, or
 * NULL. */
const struct xml_node *xml_node_next(const struct xml_node *, const char *);
/* The line the element starts on. */
long		 xml_node_line(const struct xml_node *);
/*
 * Copy the value of attribute name (without namespace) into out,
 * replacing its contents.  Returns 1 when present, 0 when absent, -1 on
 * ENOMEM (err filled).
 */
int		 xml_node_attr(const struct xml_node *, const char *,
		    struct clouddp_buf *, struct clouddp_err *);

/* The element's namespace URI, or NULL when it has none; borrowed. */
const char	*xml_node_ns(const struct xml_node *);
/*
 * Copy the element's text (its text children, concatenated) into out,
 * replacing its contents.  Returns 1, 0 when the element has child
 * elements (not a leaf: out is then incomplete), -1 on ENOMEM.
 */
int		 xml_node_text(const struct xml_node *, struct clouddp_buf *,
		    struct clouddp_err *);

/*
 * Writing XML (libxml2's xmlTextWriter, which escapes every text and
 * attribute value), into memory: start elements, set attributes, add
 * text, end elements; xml_writer_done() closes what is open and hands
 * the UTF-8 document over.  Characters XML 1.0 cannot hold (control
 * characters, U+FFFE and U+FFFF) become '?'.  Each call returns 0, or
 * -1 with err filled (out of memory, or CLOUDDP_EINPUT for a value that
 * is not UTF-8, overlong forms and surrogates included); after a
 * failure the writer only fails.
 */
struct xml_writer;

struct xml_writer *xml_writer_new(struct clouddp_err *);
void		 xml_writer_free(struct xml_writer *);
int		 xml_writer_start(struct xml_writer *, const char *,
		    struct clouddp_err *);
int		 xml_writer_attr(struct xml_writer *, const char *,
		    const char *, struct clouddp_err *);
int		 xml_writer_text(struct xml_writer *, const char *,
		    struct clouddp_err *);
int		 xml_writer_end(struct xml_writer *, struct clouddp_err *);
/* End the document and copy it into out, replacing its contents. */
int		 xml_writer_done(struct xml_writer *, struct clouddp_buf *,
		    struct clouddp_err *);

#endif /* CLOUDDP_XML_H */
