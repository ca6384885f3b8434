/*
 * DNS wire messages parsed into plain records.  Answers come from the
 * network, so every offset is checked before use, a malformed message is
 * refused whole and a record that cannot be printed is skipped rather
 * than trusted.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "dnsmsg.h"

int
dnsmsg_name_canon(const char *in, char *out, size_t outlen)
{
	size_t	 len, i, label;

	len = strlen(in);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || len >= outlen)
		return -1;
	label = 0;
	for (i = 0; i < len; i++) {
		if (in[i] == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (++label > 63)
			return -1;
		out[i] = (char)tolower((unsigned char)in[i]);
	}
	if (label == 0)
		return -1;
	out[len] = '\0';
	return 0;
}

/*
 * The wire form read by hand: c-ares has already matched the answer to
 * its query, so only what the verdict needs is decoded, with every
 * offset checked against the end of the message.  (ldns_wire2pkt built
 * a full packet of allocated records for each answer, a tenth of the
 * client's time at 100,000 names.)
 */
struct wire {
	const unsigned char	*b;
	size_t			 len;
};

#define WIRE_NAME_MAX	255	/* RFC 1035 3.1 */
#define WIRE_HOPS_MAX	64	/* compression pointers followed */
#define WIRE_RR_MIN	11	/* root owner and a fixed header */

/* One label as text: lower case, unusual bytes as \DDD.  -1: too long. */
static int
label_text(const unsigned char *d, size_t n, char *out, size_t outlen,
    size_t *o)
{
	size_t	 i;
	int	 c;

	for (i = 0; i < n; i++) {
		c = tolower(d[i]);
		if (isalnum(c) || c == '-' || c == '_' || c == '*') {
			if (*o + 1 >= outlen)
				return -1;
			out[(*o)++] = (char)c;
		} else {
			if (*o + 5 >= outlen)
				return -1;
			snprintf(out + *o, 5, "\\%03d", c);
			*o += 4;
		}
	}
	return 0;
}

/*
 * The name at *off, following compression pointers; *off moves past its
 * bytes in place.  out (may be NULL) gets the text without the final
 * dot, "" for the root.  Returns 0; 1 when the text does not fit out (a
 * record to skip); -1 when the message is malformed.
 */
static int
wire_name(const struct wire *w, size_t *off, char *out, size_t outlen)
{
	size_t	 p = *off, end = 0, o = 0, total = 1;
	int	 hops = 0, jumped = 0, fits = 1;
	unsigned n;

	for (;;) {
		if (p >= w->len)
			return -1;
		n = w->b[p];
		if ((n & 0xc0) == 0xc0) {
			if (p + 1 >= w->len || ++hops > WIRE_HOPS_MAX)
				return -1;
			if (!jumped)
				end = p + 2;
			jumped = 1;
			p = ((size_t)(n & 0x3f) << 8) | w->b[p + 1];
			continue;
		}
		if (n > 63)
			return -1;
		p++;
		if (n == 0)
			break;
		total += n + 1;
		if (p + n > w->len || total > WIRE_NAME_MAX)
			return -1;
		if (out != NULL && fits) {
			if (o > 0 && o + 1 < outlen)
				out[o++] = '.';
			fits = label_text(w->b + p, n, out, outlen, &o) == 0;
		}
		p += n;
	}
	*off = jumped ? end : p;
	if (out == NULL)
		return 0;
	if (!fits || o >= outlen) {
		out[0] = '\0';
		return 1;
	}
	out[o] = '\0';
	return 0;
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

static enum dnsmsg_type
rr_type(unsigned type, unsigned class)
{
	if (class != 1)
		return DNSMSG_T_OTHER;
	switch (type) {
	case 1:
		return DNSMSG_T_A;
	case 28:
		return DNSMSG_T_AAAA;
	case 5:
		return DNSMSG_T_CNAME;
	case 2:
		return DNSMSG_T_NS;
	case 6:
		return DNSMSG_T_SOA;
	default:
		return DNSMSG_T_OTHER;
	}
}

/*
 * The rdata of one record of a type we read, from off to end.  Returns
 * 0, 1 for a record to skip, -1 when the message is malformed.
 */
static int
rdata_fill(const struct wire *w, size_t off, size_t end,
    struct dnsmsg_rr *out)
{
	size_t	 want;
	int	 rc;

	switch (out->type) {
	case DNSMSG_T_A:
	case DNSMSG_T_AAAA:
		want = out->type == DNSMSG_T_A ? 4 : 16;
		if (end - off != want)
			return 1;
		return inet_ntop(want == 4 ? AF_INET : AF_INET6, w->b + off,
		    out->data, sizeof(out->data)) == NULL ? 1 : 0;
	case DNSMSG_T_CNAME:
	case DNSMSG_T_NS:
		rc = wire_name(w, &off, out->data, sizeof(out->data));
		return rc == -1 || off > end ? -1 : rc;
	default:	/* SOA */
		rc = wire_name(w, &off, out->data, sizeof(out->data));
		if (rc == -1 || wire_name(w, &off, NULL, 0) == -1 ||
		    off + 20 > end)
			return -1;
		out->serial = get32(w->b + off);
		out->minimum = get32(w->b + off + 16);
		return rc;
	}
}

/*
 * One record at *off into out (NULL: skip it).  Returns 0 for a record
 * kept, 1 for one left out, -1 when the message is malformed.
 */
static int
rr_read(const struct wire *w, size_t *off, struct dnsmsg_rr *out)
{
	char		 scratch[DNSMSG_NAME_MAX];
	size_t		 p = *off, rdlen;
	int		 rc;

	rc = wire_name(w, &p, out != NULL ? out->owner : scratch,
	    DNSMSG_NAME_MAX);
	if (rc == -1 || p + 10 > w->len)
		return -1;
	rdlen = get16(w->b + p + 8);
	if (p + 10 + rdlen > w->len)
		return -1;
	*off = p + 10 + rdlen;
	if (out == NULL)
		return 1;
	out->type = rr_type(get16(w->b + p), get16(w->b + p + 2));
	out->ttl = get32(w->b + p + 4);
	out->data[0] = '\0';
	out->serial = out->minimum = 0;
	if (out->type == DNSMSG_T_OTHER)
		return rc;
	if (rc == 1)
		return 1;
	return rdata_fill(w, p + 10, p + 10 + rdlen, out);
}

/* count records at *off into *out (allocated; NULL: skipped). */
static int
section_read(const struct wire *w, size_t *off, size_t count,
    struct dnsmsg_rr **out, size_t *n, struct clouddp_err *err)
{
	size_t	 i;
	int	 rc;

	/* A count the bytes cannot hold is malformed, not an allocation. */
	if (count > (w->len - *off) / WIRE_RR_MIN + 1)
		return clouddp_errf(err, CLOUDDP_EDNS, NULL, "record count "
		    "past the end");
	if (out != NULL && count > 0) {
		*out = reallocarray(NULL, count, sizeof(**out));
		if (*out == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
	}
	for (i = 0; i < count; i++) {
		rc = rr_read(w, off, out != NULL ? &(*out)[*n] : NULL);
		if (rc == -1)
			return clouddp_errf(err, CLOUDDP_EDNS, NULL,
			    "record cut short or badly compressed");
		if (rc == 0 && out != NULL)
			(*n)++;
	}
	return 0;
}

static int
sections_read(struct dnsmsg *msg, const struct wire *w,
    struct clouddp_err *err)
{
	size_t	 off = 12, i, qd;

	qd = get16(w->b + 4);
	for (i = 0; i < qd; i++)
		if (wire_name(w, &off, NULL, 0) == -1 || (off += 4) > w->len)
			return clouddp_errf(err, CLOUDDP_EDNS, NULL,
			    "question cut short");
	if (section_read(w, &off, get16(w->b + 6), &msg->answer,
	    &msg->nanswer, err) == -1 || section_read(w, &off,
	    get16(w->b + 8), &msg->authority, &msg->nauthority, err) == -1 ||
	    section_read(w, &off, get16(w->b + 10), NULL, NULL, err) == -1)
		return -1;
	return 0;
}

int
dnsmsg_parse(struct dnsmsg *msg, const unsigned char *buf, size_t len,
    struct clouddp_err *err)
{
	struct wire	 w = { buf, len };

	memset(msg, 0, sizeof(*msg));
	if (len < 12) {
		clouddp_errf(err, CLOUDDP_EDNS, NULL, "header cut short");
		goto bad;
	}
	msg->rcode = buf[3] & 0x0f;
	msg->aa = (buf[2] & 0x04) != 0;
	msg->tc = (buf[2] & 0x02) != 0;
	if (sections_read(msg, &w, err) == -1)
		goto bad;
	return 0;
bad:
	dnsmsg_clear(msg);
	if (err->code == CLOUDDP_EDNS) {
		clouddp_err_prefix(err, "malformed DNS answer");
		snprintf(err->hint, sizeof(err->hint), "%s",
		    "check the server: it sent a malformed answer");
	}
	return -1;
}

void
dnsmsg_clear(struct dnsmsg *msg)
{
	free(msg->answer);
	free(msg->authority);
	memset(msg, 0, sizeof(*msg));
}

const char *
dnsmsg_rcode_name(int rcode, char *buf, size_t len)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED"
	};

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		snprintf(buf, len, "%s", names[rcode]);
	else
		snprintf(buf, len, "RCODE%d", rcode);
	return buf;
}
