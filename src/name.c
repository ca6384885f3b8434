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
#include <strings.h>

#include <idn2.h>

#include "clouddp.h"
#include "input.h"
#include "name.h"

/* An escaped copy of the user's text, for messages. */
#define SHOWN_MAX	(4 * ZONE_NAME_MAX)


static int
label_check(const char *label, size_t len, int first, int allow_wildcard,
    const char *name, struct clouddp_err *err)
{
	char	 raw[64], shown[256];
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
	for (i = 0; i < len; i++) {
		if (isalnum((unsigned char)label[i]) || label[i] == '-')
			continue;
		snprintf(raw, sizeof(raw), "%.*s", (int)len, label);
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "use only letters, digits and hyphens (RFC 1123)",
		    "%s: invalid character '%c' in label '%s'", name,
		    isprint((unsigned char)label[i]) ? label[i] : '?',
		    input_escape(raw, shown, sizeof(shown)));
	}
	if (label[0] == '-' || label[len - 1] == '-')
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "a label may not begin or end with a hyphen (RFC 1123)",
		    "%s: label '%.*s' begins or ends with a hyphen", name,
		    (int)len, label);
	return 0;
}

/* Convert a UTF-8 name to A-labels; ASCII names are copied. */
static int
to_ascii(const char *in, const char *shown, char *out,
    struct clouddp_err *err)
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
		    "'%s': name contains a control character", shown);
	rc = idn2_to_ascii_8z(in, &ascii,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the name in UTF-8 or as its xn-- A-label form",
		    "'%s' is not a valid internationalised name: %s", shown,
		    idn2_strerror(rc));
	if (strlen(ascii) >= ZONE_NAME_MAX) {
		idn2_free(ascii);
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "'%s': name too long once converted to A-labels", shown);
	}
	memcpy(out, ascii, strlen(ascii) + 1);
	idn2_free(ascii);
	return 0;
}

/* 1 when some label of the name starts with "xn--". */
static int
has_alabel(const char *s)
{
	const char	*p;

	for (p = s; p != NULL; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		if (strncmp(p, "xn--", 4) == 0)
			return 1;
	}
	return 0;
}

/*
 * IDNA 2008: an xn-- label must be a label that some Unicode name turns
 * into, so convert it to Unicode and back and ask for the same bytes.
 */
static int
check_alabels(const char *buf, const char *shown, struct clouddp_err *err)
{
	char	*u = NULL, *a = NULL;
	int	 rc, bad;

	if (!has_alabel(buf))
		return 0;
	rc = idn2_to_unicode_8z8z(buf, &u, 0);
	if (rc == IDN2_OK)
		rc = idn2_to_ascii_8z(u, &a,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	bad = rc != IDN2_OK || strcmp(a, buf) != 0;
	idn2_free(u);
	idn2_free(a);
	if (!bad)
		return 0;
	return clouddp_errf(err, CLOUDDP_EINPUT,
	    "check the xn-- label, or give the name in UTF-8",
	    "%s: an xn-- label is not a valid A-label (IDNA 2008)%s%s",
	    shown, rc != IDN2_OK ? ": " : "",
	    rc != IDN2_OK ? idn2_strerror(rc) : "");
}

/*
 * The common case in one pass: ASCII letters, digits, hyphens and dots
 * that make a valid name without A-labels.  Returns 1 with out written,
 * 0 when the full checks below must judge (and word any error).
 */
static int
fast_ascii(const char *in, char *out)
{
	size_t	 i, label = 0, labels = 1;
	int	 digits = 1, last = 1;	/* this label, the one before */
	char	 c;

	for (i = 0; in[i] != '\0'; i++) {
		if (i >= ZONE_NAME_MAX - 3)
			return 0;
		c = in[i];
		if (c == '.') {
			if (label == 0 || out[i - 1] == '-')
				return 0;
			out[i] = '.';
			label = 0;
			last = digits;
			digits = 1;
			labels++;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c == '-' && label > 0)))
			return 0;
		if (c < '0' || c > '9')
			digits = 0;
		/* "xn--" and any "??--" label: IDNA's rules apply. */
		if (++label > 63 || (label == 4 && c == '-' && out[i - 1] == '-'))
			return 0;
		out[i] = c;
	}
	if (i > 0 && in[i - 1] == '.') {
		i--;
		labels--;
		digits = last;
	}
	/* A trailing hyphen, one label, a numeric top-level label. */
	if (i == 0 || out[i - 1] == '-' || out[i - 1] == '.' || labels < 2 ||
	    digits)
		return 0;
	out[i] = '.';
	out[i + 1] = '\0';
	return 1;
}

int
name_parse(const char *in, int allow_wildcard, char *out,
    struct clouddp_err *err)
{
	char		 buf[ZONE_NAME_MAX], esc[SHOWN_MAX];
	const char	*label, *dot, *shown = in, *p;
	size_t		 len, wire = 1, i;

	if (in[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL, "empty name");
	if (fast_ascii(in, buf)) {
		memcpy(out, buf, strlen(buf) + 1);
		return 0;
	}
	/* Echo the name as it came unless it holds bytes to escape. */
	for (p = in; *p > 0x20 && *p < 0x7f && *p != '\\'; p++)
		continue;
	if (*p != '\0')
		shown = input_escape(in, esc, sizeof(esc));
	if (to_ascii(in, shown, buf, err) == -1)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (len == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "'%s': the root is not a host name", shown);
	for (label = buf;; label = dot + 1) {
		dot = strchr(label, '.');
		len = dot != NULL ? (size_t)(dot - label) : strlen(label);
		if (label_check(label, len, label == buf, allow_wildcard, shown,
		    err) == -1)
			return -1;
		wire += len + 1;
		if (dot == NULL)
			break;
	}
	if (wire > 255)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "a DNS name has at most 255 octets",
		    "%s: name is %zu octets long", shown, wire);
	if (label == buf)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the fully qualified name, e.g. clouddp1.contoso.com",
		    "%s: a single label is not a fully qualified name", shown);
	for (i = 0; label[i] != '\0' && isdigit((unsigned char)label[i]); i++)
		continue;
	if (label[i] == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give a host name, not an address",
		    "%s: the top-level label is numeric", shown);
	if (check_alabels(buf, shown, err) == -1)
		return -1;
	/*
	 * Labels of letters, digits and hyphens within the lengths are a
	 * name ldns takes as it is (no escapes): no second parse needed.
	 */
	len = strlen(buf);
	memcpy(out, buf, len);
	out[len] = '.';
	out[len + 1] = '\0';
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

int
name_host(const char *in, char *out, struct clouddp_err *err)
{
	size_t	 len;

	if (name_parse(in, 0, out, err) == -1)
		return -1;
	len = strlen(out);
	out[len - 1] = '\0';
	return 0;
}

int
name_to_unicode(const char *name, char *out, size_t len)
{
	char	*u = NULL;
	int	 rc;

	if (!has_alabel(name)) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	if (idn2_to_unicode_8z8z(name, &u, 0) != IDN2_OK) {
		snprintf(out, len, "%s", name);
		return -1;
	}
	rc = (size_t)snprintf(out, len, "%s", u) < len ? 1 : -1;
	idn2_free(u);
	return rc;
}

/* Azure name shapes ----------------------------------------------------- */

static const char *const azure_names[NAME_AZURE__MAX] = {
	[NAME_AZURE_NONE] = "none",
	[NAME_AZURE_CLASSIC_DP] = "classic_cloud_dp",
	[NAME_AZURE_CLASSIC] = "classic_cloud_service",
	[NAME_AZURE_CMG] = "cmg",
	[NAME_AZURE_USGOV] = "usgov",
	[NAME_AZURE_CHINA] = "china",
};

static const char *const azure_labels[NAME_AZURE__MAX] = {
	[NAME_AZURE_NONE] = "not an Azure service name",
	[NAME_AZURE_CLASSIC_DP] = "classic cloud DP",
	[NAME_AZURE_CLASSIC] = "classic cloud service",
	[NAME_AZURE_CMG] = "cloud management gateway",
	[NAME_AZURE_USGOV] = "US Government cloud service",
	[NAME_AZURE_CHINA] = "Azure China cloud service",
};

/* How many labels stand before suffix in name (no dots); -1: not under. */
static int
labels_under(const char *name, size_t len, const char *suffix)
{
	size_t		 s = strlen(suffix), i;
	int		 n = 1;

	if (len <= s + 1 || strncasecmp(name + len - s, suffix, s) != 0 ||
	    name[len - s - 1] != '.')
		return -1;
	for (i = 0; i < len - s - 1; i++)
		if (name[i] == '.')
			n++;
	return n;
}

enum name_azure
name_azure_shape(const char *name)
{
	size_t	 len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (labels_under(name, len, "cloudapp.net") == 1) {
		if (len - strlen(".cloudapp.net") == 24 &&
		    strspn(name, "0123456789abcdef") == 24)
			return NAME_AZURE_CLASSIC_DP;
		return NAME_AZURE_CLASSIC;
	}
	if (labels_under(name, len, "cloudapp.azure.com") == 2)
		return NAME_AZURE_CMG;
	if (labels_under(name, len, "usgovcloudapp.net") == 1)
		return NAME_AZURE_USGOV;
	if (labels_under(name, len, "chinacloudapp.cn") == 1)
		return NAME_AZURE_CHINA;
	return NAME_AZURE_NONE;
}

const char *
name_azure_name(enum name_azure s)
{
	return s < NAME_AZURE__MAX ? azure_names[s] : "none";
}

const char *
name_azure_label(enum name_azure s)
{
	return s < NAME_AZURE__MAX ? azure_labels[s] : azure_labels[0];
}
