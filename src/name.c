/*
 * Host names: validation and the one canonical form (IDNA 2008 A-labels
 * through libidn2, lower case, one trailing dot).  Every tool turns a
 * user's name into this form here and nowhere else; nothing here prints.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <ldns/ldns.h>

#include "clouddp.h"
#include "name.h"


static int
label_check(const char *label, size_t len, int first, int allow_wildcard,
    const char *name, struct clouddp_err *err)
{
	size_t	 i;

	if (len == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "remove the doubled or leading dot",
		    "%s: empty label", name);
	if (len > 63)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "shorten the label to 63 characters or fewer",
		    "%s: label '%.*s' is %zu octets long (at most 63)", name,
		    (int)(len > 20 ? 20 : len), label, len);
	if (len == 1 && label[0] == '*') {
		if (first && allow_wildcard)
			return 0;
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "name one host, e.g. clouddp1.contoso.com",
		    "%s: a wildcard is not allowed here", name);
	}
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)label[i]) && label[i] != '-')
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "use only letters, digits and hyphens (RFC 1123)",
			    "%s: invalid character '%c' in label '%.*s'",
			    name, isprint((unsigned char)label[i]) ?
			    label[i] : '?', (int)len, label);
	if (label[0] == '-' || label[len - 1] == '-')
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "a label may not begin or end with a hyphen (RFC 1123)",
		    "%s: label '%.*s' begins or ends with a hyphen", name,
		    (int)len, label);
	return 0;
}

/* Convert a UTF-8 name to A-labels; ASCII names are copied. */
static int
to_ascii(const char *in, char *out, struct clouddp_err *err)
{
	const unsigned char	*p;
	char			*ascii = NULL;
	int			 rc;

	for (p = (const unsigned char *)in; *p != '\0'; p++)
		if (*p >= 0x80 || *p < 0x20)
			break;
	if (*p == '\0') {
		if (strlen(in) >= ZONE_NAME_MAX)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "a DNS name has at most 255 octets",
			    "name too long (%zu characters)", strlen(in));
		memcpy(out, in, strlen(in) + 1);
		return 0;
	}
	if (*p < 0x20)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "name contains a control character");
	rc = idn2_to_ascii_8z(in, &ascii,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the name in UTF-8 or as its xn-- A-label form",
		    "'%s' is not a valid internationalised name: %s", in,
		    idn2_strerror(rc));
	if (strlen(ascii) >= ZONE_NAME_MAX) {
		idn2_free(ascii);
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "'%s': name too long once converted to A-labels", in);
	}
	memcpy(out, ascii, strlen(ascii) + 1);
	idn2_free(ascii);
	return 0;
}

int
name_parse(const char *in, int allow_wildcard, char *out,
    struct clouddp_err *err)
{
	char		 buf[ZONE_NAME_MAX];
	const char	*label, *dot;
	size_t		 len, wire = 1, i;
	ldns_rdf	*rdf;

	if (in[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL, "empty name");
	if (to_ascii(in, buf, err) == -1)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (len == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "'%s': the root is not a host name", in);
	for (label = buf;; label = dot + 1) {
		dot = strchr(label, '.');
		len = dot != NULL ? (size_t)(dot - label) : strlen(label);
		if (label_check(label, len, label == buf, allow_wildcard, in,
		    err) == -1)
			return -1;
		wire += len + 1;
		if (dot == NULL)
			break;
	}
	if (wire > 255)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "a DNS name has at most 255 octets",
		    "%s: name is %zu octets long", in, wire);
	if (label == buf)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the fully qualified name, e.g. clouddp1.contoso.com",
		    "%s: a single label is not a fully qualified name", in);
	for (i = 0; label[i] != '\0' && isdigit((unsigned char)label[i]); i++)
		continue;
	if (label[i] == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give a host name, not an address",
		    "%s: the top-level label is numeric", in);
	snprintf(out, ZONE_NAME_MAX, "%s.", buf);
	/* ldns is the final judge of what a name is. */
	rdf = ldns_dname_new_frm_str(out);
	if (rdf == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: not a valid domain name", in);
	ldns_rdf_deep_free(rdf);
	return 0;
}

int
name_is_within(const char *name, const char *ancestor)
{
	size_t	 n = strlen(name), a = strlen(ancestor);

	if (strcmp(ancestor, ".") == 0)
		return 1;
	if (n < a || strcasecmp(name + n - a, ancestor) != 0)
		return 0;
	return n == a || name[n - a - 1] == '.';
}

int
name_is_wildcard(const char *name)
{
	return name[0] == '*' && (name[1] == '.' || name[1] == '\0');
}

const char *
name_relative(const char *name, const char *origin, char *out)
{
	size_t	 n = strlen(name), a = strlen(origin);

	if (n > a + 1 && name_is_within(name, origin))
		snprintf(out, ZONE_NAME_MAX, "%.*s", (int)(n - a - 1), name);
	else
		snprintf(out, ZONE_NAME_MAX, "%s", name);
	return out;
}
