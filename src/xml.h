/*
 * XML through libxml2, parsed strictly: no DTD, no entities, no network.
 * xml.c is the only file that includes libxml2 headers.
 */
#ifndef CLOUDDP_XML_H
#define CLOUDDP_XML_H

void	 xml_global_init(void);
void	 xml_global_cleanup(void);

#endif /* CLOUDDP_XML_H */
