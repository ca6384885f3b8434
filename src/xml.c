/*
 * XML through libxml2.  The only file that includes libxml2 headers.
 * Documents come from files and servers we do not trust, so parsing
 * never loads a DTD, never expands an entity and never uses the network.
 */
#include "config.h"

#include <libxml/parser.h>

#include "xml.h"

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
