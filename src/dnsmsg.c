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
	const char		*why;	/* what was wrong, when it was */
};

#define WIRE_NAME_MAX	255	/* RFC 1035 3.1 */
#define WIRE_HOPS_MAX	64	/* compression pointers followed */
#define WIRE_RR_MIN	11	/* root owner and a fixed header */

static const char *const section_names[4] = {
	"question", "answer", "authority", "additional"
};

/* A failure of w, said once: the first reason found stays. */
static int
wire_bad(struct wire *w, const char *why)
{
	if (w->why == NULL)
		w->why = why;
	return -1;
}

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
 * A compression pointer at p: where it leads.  It must lead back, to a
 * name written before it (every encoder does so), which also makes a
 * loop (a pointer to itself, two pointing at each other) impossible.
 */
static int
wire_jump(struct wire *w, size_t *p, int *hops)
{
	size_t	 to;

	if (*p + 1 >= w->len)
		return wire_bad(w, "a compression pointer is cut short");
	to = ((size_t)(w->b[*p] & 0x3f) << 8) | w->b[*p + 1];
	if (to >= *p)
		return wire_bad(w, to == *p ? "a compression pointer points "
		    "to itself (a loop)" : "a compression pointer points "
		    "forward (a loop, or past the end)");
	if (++*hops > WIRE_HOPS_MAX)
		return wire_bad(w, "a name follows too many compression "
		    "pointers");
	*p = to;
	return 0;
}

/*
 * The name at *off, following compression pointers; *off moves past its
 * bytes in place.  out (may be NULL) gets the text without the final
 * dot, "" for the root.  Returns 0; 1 when the text does not fit out (a
 * record to skip); -1 when the message is malformed.
 */
static int
wire_name(struct wire *w, size_t *off, char *out, size_t outlen)
{
	size_t	 p = *off, end = 0, o = 0, total = 1;
	int	 hops = 0, fits = 1;
	unsigned n;

	for (;;) {
		if (p >= w->len)
			return wire_bad(w, "a name runs past the end");
		n = w->b[p];
		if ((n & 0xc0) == 0xc0) {
			if (hops == 0)
				end = p + 2;
			if (wire_jump(w, &p, &hops) == -1)
				return -1;
			continue;
		}
		if (n > 63)
			return wire_bad(w, "a label has a reserved type "
			    "(0x40 or 0x80)");
		p++;
		if (n == 0)
			break;
		total += n + 1;
		if (p + n > w->len)
			return wire_bad(w, "a name runs past the end");
		if (total > WIRE_NAME_MAX)
			return wire_bad(w, "a name is over 255 bytes");
		if (out != NULL && fits) {
			if (o > 0 && o + 1 < outlen)
				out[o++] = '.';
			fits = label_text(w->b + p, n, out, outlen, &o) == 0;
		}
		p += n;
	}
	*off = hops > 0 ? end : p;
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
rdata_fill(struct wire *w, size_t off, size_t end, struct dnsmsg_rr *out)
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
		if (rc != -1 && off > end)
			return wire_bad(w, "the name in the rdata runs past "
			    "its RDLENGTH");
		return rc;
	default:	/* SOA */
		rc = wire_name(w, &off, out->data, sizeof(out->data));
		if (rc == -1 || wire_name(w, &off, NULL, 0) == -1)
			return -1;
		if (off + 20 > end)
			return wire_bad(w, "the SOA rdata is shorter than "
			    "its fields");
		out->serial = get32(w->b + off);
		out->minimum = get32(w->b + off + 16);
		return rc;
	}
}

/*
 * One record at *off into out (NULL: skip it).  Returns 0 for a record
 * kept, 1 for one left out, -1 when the message is malformed.  *type
 * (may be NULL) gets the record's type number.
 */
static int
rr_read(struct wire *w, size_t *off, struct dnsmsg_rr *out, unsigned *type)
{
	char		 scratch[DNSMSG_NAME_MAX];
	size_t		 p = *off, rdlen;
	int		 rc;

	rc = wire_name(w, &p, out != NULL ? out->owner : scratch,
	    DNSMSG_NAME_MAX);
	if (rc == -1)
		return -1;
	if (p + 10 > w->len)
		return wire_bad(w, "its type, class, TTL and RDLENGTH run "
		    "past the end");
	rdlen = get16(w->b + p + 8);
	if (p + 10 + rdlen > w->len)
		return wire_bad(w, "its RDLENGTH runs past the end");
	*off = p + 10 + rdlen;
	if (type != NULL)
		*type = get16(w->b + p);
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

/* Record i (from 0) of section s is malformed: say which and why. */
static int
rr_bad(struct wire *w, int s, size_t i, size_t count,
    struct clouddp_err *err)
{
	return clouddp_errf(err, CLOUDDP_EDNS, NULL, "%s%s %zu of %zu: %s",
	    section_names[s], s == 0 ? "" : " record", i + 1, count,
	    w->why != NULL ? w->why : "unreadable");
}

/* A record of type number type, record i of count in section s. */
static void
shape_note(struct dnsmsg_shape *sh, int s, size_t i, size_t count,
    unsigned type)
{
	if (type == 250) {		/* TSIG, RFC 8945 */
		sh->ntsig++;
		sh->tsig_last = s == 3 && i + 1 == count;
	} else if (type == 41 && s == 3)	/* OPT, RFC 6891 */
		sh->nopt++;
}

/*
 * Walk the count records of section s at *off, each one whole; at the
 * end *off is past them.  sh (may be NULL) counts TSIG and OPT records.
 * A header that claims more records than the message holds is said as
 * such.
 */
static int
section_walk(struct wire *w, size_t *off, int s, size_t count,
    struct dnsmsg_shape *sh, struct clouddp_err *err)
{
	size_t		 i;
	unsigned	 type;

	for (i = 0; i < count; i++) {
		if (*off >= w->len)
			return clouddp_errf(err, CLOUDDP_EDNS, NULL, "the "
			    "header claims %zu %s record%s, the message ends "
			    "after %zu", count, section_names[s], count == 1 ?
			    "" : "s", i);
		if (s == 0) {
			if (wire_name(w, off, NULL, 0) == -1)
				return rr_bad(w, s, i, count, err);
			if ((*off += 4) > w->len)
				return clouddp_errf(err, CLOUDDP_EDNS, NULL,
				    "question %zu of %zu: its type and class "
				    "run past the end", i + 1, count);
		} else if (rr_read(w, off, NULL, &type) == -1)
			return rr_bad(w, s, i, count, err);
		else if (sh != NULL)
			shape_note(sh, s, i, count, type);
	}
	return 0;
}

/* count records at *off into *out (allocated), after a walk over them. */
static int
section_read(struct wire *w, size_t *off, int s, struct dnsmsg_rr **out,
    size_t *n, struct clouddp_err *err)
{
	size_t	 i, count, p = *off;

	count = get16(w->b + 4 + 2 * s);
	/* Walked first: a count the bytes do not hold allocates nothing. */
	if (section_walk(w, &p, s, count, NULL, err) == -1)
		return -1;
	if (out == NULL || count == 0) {
		*off = p;
		return 0;
	}
	*out = reallocarray(NULL, count, sizeof(**out));
	if (*out == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	for (i = 0; i < count; i++) {
		switch (rr_read(w, off, &(*out)[*n], NULL)) {
		case -1:
			return rr_bad(w, s, i, count, err);
		case 0:
			(*n)++;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int
sections_read(struct dnsmsg *msg, struct wire *w, struct clouddp_err *err)
{
	size_t	 off = 12;

	if (section_read(w, &off, 0, NULL, NULL, err) == -1 ||
	    section_read(w, &off, 1, &msg->answer, &msg->nanswer, err) ==
	    -1 || section_read(w, &off, 2, &msg->authority,
	    &msg->nauthority, err) == -1 ||
	    section_read(w, &off, 3, NULL, NULL, err) == -1)
		return -1;
	return 0;
}

/* The header's fields; the caller has checked there are 12 bytes. */
static void
header_read(struct dnsmsg *msg, const unsigned char *buf)
{
	msg->id = get16(buf);
	msg->qr = (buf[2] & 0x80) != 0;
	msg->opcode = (buf[2] >> 3) & 0x0f;
	msg->aa = (buf[2] & 0x04) != 0;
	msg->tc = (buf[2] & 0x02) != 0;
	msg->rcode = buf[3] & 0x0f;
}

/* A parse failed: the message is emptied and the error said as one. */
static int
parse_bad(struct dnsmsg *msg, struct clouddp_err *err)
{
	dnsmsg_clear(msg);
	if (err->code == CLOUDDP_EDNS) {
		clouddp_err_prefix(err, "malformed DNS answer");
		snprintf(err->hint, sizeof(err->hint), "%s",
		    "check the server: it sent a malformed answer");
	}
	return -1;
}

int
dnsmsg_parse(struct dnsmsg *msg, const unsigned char *buf, size_t len,
    struct clouddp_err *err)
{
	struct wire	 w = { buf, len, NULL };

	memset(msg, 0, sizeof(*msg));
	if (len < 12) {
		clouddp_errf(err, CLOUDDP_EDNS, NULL, "%zu bytes, too short "
		    "for a header (12)", len);
		return parse_bad(msg, err);
	}
	header_read(msg, buf);
	if (sections_read(msg, &w, err) == -1)
		return parse_bad(msg, err);
	return 0;
}

int
dnsmsg_question(const unsigned char *buf, size_t len, char *name,
    size_t namelen, unsigned *type, unsigned *class)
{
	struct wire	 w = { buf, len, NULL };
	size_t		 off = 12;

	if (len < 12 || get16(buf + 4) != 1 ||
	    wire_name(&w, &off, name, namelen) != 0 || off + 4 > len)
		return -1;
	*type = get16(buf + off);
	*class = get16(buf + off + 2);
	return 0;
}

int
dnsmsg_shape(struct dnsmsg_shape *sh, const unsigned char *buf,
    size_t len, struct clouddp_err *err)
{
	struct dnsmsg	 hdr;
	struct wire	 w = { buf, len, NULL };
	size_t		 off = 12;
	int		 s;

	memset(sh, 0, sizeof(*sh));
	if (len < 12)
		return clouddp_errf(err, CLOUDDP_EDNS, NULL, "%zu bytes, too "
		    "short for a header (12)", len);
	memset(&hdr, 0, sizeof(hdr));
	header_read(&hdr, buf);
	sh->id = hdr.id;
	sh->qr = hdr.qr;
	sh->opcode = hdr.opcode;
	sh->rcode = hdr.rcode;
	for (s = 0; s < 4; s++) {
		sh->count[s] = get16(buf + 4 + 2 * s);
		if (section_walk(&w, &off, s, sh->count[s], sh, err) == -1)
			return -1;
	}
	sh->trailing = len - off;
	return 0;
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
