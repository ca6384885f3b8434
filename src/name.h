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
 * "*" left-most label is accepted only when allow_wildcard is set;
 * xn-- labels must convert to Unicode and back unchanged.  Bytes that
 * are not text are escaped in messages (input_escape).  out
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

/*
 * A name for a host: name_parse() without the trailing dot, as SNI,
 * Host headers and DNS queries want it.  out holds ZONE_NAME_MAX bytes.
 */
int	 name_host(const char *, char *, struct clouddp_err *);

/*
 * The U-label form of a normalised name (xn-- labels back in Unicode,
 * UTF-8), for display beside the A-label form.  out holds len bytes.
 * Returns 1 when it differs from the name, 0 when the name has no
 * A-label (out is then a copy), -1 when it cannot be converted.
 */
int	 name_to_unicode(const char *, char *, size_t);

/*
 * The Azure name shapes a CNAME target can have.  The ConfigMgr cloud
 * DP lived under the classic cloudapp.net (a 24-hex label when the
 * console made it up), the cloud management gateway lives under
 * cloudapp.azure.com with a region label, and the sovereign clouds have
 * their own suffixes.
 */
enum name_azure {
	NAME_AZURE_NONE = 0,		/* not an Azure service name */
	NAME_AZURE_CLASSIC_DP,		/* <24-hex>.cloudapp.net */
	NAME_AZURE_CLASSIC,		/* <label>.cloudapp.net */
	NAME_AZURE_CMG,			/* <prefix>.<region>.cloudapp.azure.com */
	NAME_AZURE_USGOV,		/* <prefix>.usgovcloudapp.net */
	NAME_AZURE_CHINA,		/* <prefix>.chinacloudapp.cn */
	NAME_AZURE__MAX
};

/* The shape of a normalised name (with or without its trailing dot). */
enum name_azure name_azure_shape(const char *);
/* "classic_cloud_dp", "cmg", ...: the JSON and text word, "none". */
const char *name_azure_name(enum name_azure);
/* Words for people: "classic cloud DP", "cloud management gateway". */
const char *name_azure_label(enum name_azure);

#endif /* CLOUDDP_NAME_H */
