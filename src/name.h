/*
 * Host names in their one canonical form: validated, lower case, A-labels
 * (IDNA 2008) and one trailing dot.  Every tool turns a user's name into
 * this form with name_parse() before using it.
 */
#ifndef CLOUDDP_NAME_H
#define CLOUDDP_NAME_H

#include <stddef.h>

#include "clouddp.h"

/* Longest presentation name with its dot, plus NUL. */
#define ZONE_NAME_MAX	256

/*
 * Validate and normalise a host name: UTF-8 names become A-labels
 * (IDNA 2008), letters lower-case, labels 1-63 octets of letters, digits
 * and inner hyphens (RFC 1123), 255 octets in all, one trailing dot.  A
 * "*" left-most label is accepted only when allow_wildcard is set.  out
 * must hold ZONE_NAME_MAX bytes.  Returns 0, or -1 with CLOUDDP_EINPUT
 * and a message naming the rule broken.
 */
int	 name_parse(const char *, int, char *, struct clouddp_err *);

/* 1 when name equals ancestor or lies below it; both normalised. */
int	 name_is_within(const char *, const char *);
/* 1 when the left-most label is "*". */
int	 name_is_wildcard(const char *);
/*
 * Write name relative to origin ("clouddp1" for clouddp1.contoso.com.
 * under contoso.com.) into out (ZONE_NAME_MAX); name must lie strictly
 * below origin.  Returns out.
 */
const char *name_relative(const char *, const char *, char *);

#endif /* CLOUDDP_NAME_H */
