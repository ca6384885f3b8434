/*
 * .publishsettings files (spec section 4): the subscriptions they list
 * and the base64 PKCS#12 management certificate of each.  Parsing goes
 * through xml.c's strict parser; certificates are left to cert.c.
 */
#ifndef CLOUDDP_PUBLISHSETTINGS_H
#define CLOUDDP_PUBLISHSETTINGS_H

#include <stddef.h>

#include "clouddp.h"
#include "cert.h"

/* One subscription; strings borrowed from its publishsettings. */
struct publishsettings_sub {
	const char	*id;
	const char	*name;		/* "" when absent */
	const char	*url;		/* API base, no final slash */
	const char	*certificate;	/* base64 PKCS#12, no password */
};

struct publishsettings;

/*
 * Parse a .publishsettings document: version 1 (Url and
 * ManagementCertificate on PublishProfile, shared by its Subscriptions)
 * or version 2 (SchemaVersion="2.0", ServiceManagementUrl and
 * ManagementCertificate on each Subscription).  name is for messages.
 * Returns NULL with err filled: CLOUDDP_EINPUT for hostile or malformed
 * XML (see xml_parse), a wrong root element, a subscription without Id
 * or certificate, or no subscription at all.
 */
struct publishsettings *publishsettings_parse(const char *, size_t,
	    const char *, struct clouddp_err *);
/* Read and parse a file (at most XML_DOC_MAX bytes); CLOUDDP_EIO when
 * unreadable. */
struct publishsettings *publishsettings_load(const char *,
	    struct clouddp_err *);
void	 publishsettings_free(struct publishsettings *);

/* 1 or 2. */
int	 publishsettings_version(const struct publishsettings *);
size_t	 publishsettings_count(const struct publishsettings *);
/* Subscription i (< count); borrowed. */
const struct publishsettings_sub *publishsettings_get(
	    const struct publishsettings *, size_t);
/* The subscription with this Id (case-insensitive), or NULL. */
const struct publishsettings_sub *publishsettings_find(
	    const struct publishsettings *, const char *);
/* The same, but an unknown Id is an error (CLOUDDP_EUSAGE) naming the
 * subscriptions the file holds. */
const struct publishsettings_sub *publishsettings_select(
	    const struct publishsettings *, const char *,
	    struct clouddp_err *);

/*
 * List the subscriptions (all, or only the one with Id id when id is
 * not NULL) in report r, as "subscription" checks and a "subscriptions"
 * array of the root with each one's certificate facts, and check each
 * embedded certificate (empty password) as a management certificate
 * with cert_check_all(p).  Each "subscription" check names the
 * certificate by subject and SHA-1 thumbprint; a certificate shared by
 * several subscriptions (in either version, in any order) is checked
 * once, and the others say with which.  With several, version 2
 * findings name their subscription.  When one certificate was checked
 * its facts also go to the root; the perfdata days_left is that of the
 * certificate that expires first.  Returns 0, or -1 with err filled: an
 * unknown id (as publishsettings_select), a certificate that cannot be
 * read (as cert_from_base64).
 */
int	 publishsettings_check(const struct publishsettings *, const char *,
	    const struct cert_policy *, struct report *,
	    struct clouddp_err *);

#endif /* CLOUDDP_PUBLISHSETTINGS_H */
