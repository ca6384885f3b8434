/*
 * DNS wire messages parsed with ldns into plain records.  Answers come
 * from the network, so every field is checked before use and a record
 * that ldns cannot print is skipped rather than trusted.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

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
 * A wire-format name as lower-case text without the final dot; the
 * root is "".  Written by hand: ldns_rdf2str formats label by label
 * through printf and dominated the profile at 100,000 names.  Bytes
 * other than letters, digits, '-', '_' and '*' are escaped as \DDD.
 */
static int
name_text(const ldns_rdf *rdf, char *out, size_t outlen)
{
	const uint8_t	*d;
	size_t		 len, i = 0, o = 0, n, end;
	int		 c;

	if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return -1;
	d = ldns_rdf_data(rdf);
	len = ldns_rdf_size(rdf);
	while (i < len && d[i] != 0) {
		n = d[i++];
		if (n > 63 || i + n > len)
			return -1;
		if (o > 0 && o + 1 < outlen)
			out[o++] = '.';
		for (end = i + n; i < end; i++) {
			c = tolower(d[i]);
			if (isalnum(c) || c == '-' || c == '_' || c == '*') {
				if (o + 1 >= outlen)
					return -1;
				out[o++] = (char)c;
			} else {
				if (o + 5 >= outlen)
					return -1;
				snprintf(out + o, 5, "\\%03d", c);
				o += 4;
			}
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* An A or AAAA rdf as text. */
static int
addr_text(const ldns_rdf *rdf, int family, char *out, size_t outlen)
{
	size_t	 want = family == AF_INET ? 4 : 16;

	if (rdf == NULL || ldns_rdf_size(rdf) != want)
		return -1;
	return inet_ntop(family, ldns_rdf_data(rdf), out,
	    (socklen_t)outlen) == NULL ? -1 : 0;
}

static enum dnsmsg_type
rr_type(const ldns_rr *rr)
{
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return DNSMSG_T_OTHER;
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_A:
		return DNSMSG_T_A;
	case LDNS_RR_TYPE_AAAA:
		return DNSMSG_T_AAAA;
	case LDNS_RR_TYPE_CNAME:
		return DNSMSG_T_CNAME;
	case LDNS_RR_TYPE_NS:
		return DNSMSG_T_NS;
	case LDNS_RR_TYPE_SOA:
		return DNSMSG_T_SOA;
	default:
		return DNSMSG_T_OTHER;
	}
}

/* Fill one record; returns -1 for a record we skip. */
static int
rr_fill(struct dnsmsg_rr *out, const ldns_rr *rr)
{
	const ldns_rdf	*rdf;

	out->type = DNSMSG_T_OTHER;
	out->data[0] = '\0';
	out->serial = out->minimum = 0;
	if (name_text(ldns_rr_owner(rr), out->owner, sizeof(out->owner)) == -1)
		return -1;
	out->type = rr_type(rr);
	out->ttl = ldns_rr_ttl(rr);
	if (out->type == DNSMSG_T_OTHER)
		return 0;
	if (ldns_rr_rd_count(rr) < (out->type == DNSMSG_T_SOA ? 7 : 1))
		return -1;
	rdf = ldns_rr_rdf(rr, 0);
	if (out->type == DNSMSG_T_A || out->type == DNSMSG_T_AAAA) {
		if (addr_text(rdf, out->type == DNSMSG_T_A ? AF_INET :
		    AF_INET6, out->data, sizeof(out->data)) == -1)
			return -1;
	} else if (name_text(rdf, out->data, sizeof(out->data)) == -1)
		return -1;
	if (out->type != DNSMSG_T_SOA)
		return 0;
	rdf = ldns_rr_rdf(rr, 2);
	if (rdf == NULL || ldns_rdf_size(rdf) != 4)
		return -1;
	out->serial = ldns_rdf2native_int32(rdf);
	rdf = ldns_rr_rdf(rr, 6);
	if (rdf == NULL || ldns_rdf_size(rdf) != 4)
		return -1;
	out->minimum = ldns_rdf2native_int32(rdf);
	return 0;
}

static int
section_fill(const ldns_rr_list *list, struct dnsmsg_rr **out, size_t *n)
{
	size_t	 i, count;

	*out = NULL;
	*n = 0;
	count = list != NULL ? ldns_rr_list_rr_count(list) : 0;
	if (count == 0)
		return 0;
	*out = reallocarray(NULL, count, sizeof(**out));
	if (*out == NULL)
		return -1;
	for (i = 0; i < count; i++)
		if (rr_fill(&(*out)[*n], ldns_rr_list_rr(list, i)) == 0)
			(*n)++;
	return 0;
}

int
dnsmsg_parse(struct dnsmsg *msg, const unsigned char *buf, size_t len,
    struct clouddp_err *err)
{
	ldns_pkt	*pkt = NULL;
	ldns_status	 st;
	int		 rc = -1;

	memset(msg, 0, sizeof(*msg));
	st = ldns_wire2pkt(&pkt, buf, len);
	if (st != LDNS_STATUS_OK) {
		clouddp_errf(err, CLOUDDP_EDNS,
		    "check the server: it sent a malformed answer",
		    "malformed DNS answer: %s", ldns_get_errorstr_by_id(st));
		goto out;
	}
	msg->rcode = (int)ldns_pkt_get_rcode(pkt);
	msg->aa = ldns_pkt_aa(pkt);
	msg->tc = ldns_pkt_tc(pkt);
	if (section_fill(ldns_pkt_answer(pkt), &msg->answer,
	    &msg->nanswer) == -1 || section_fill(ldns_pkt_authority(pkt),
	    &msg->authority, &msg->nauthority) == -1) {
		dnsmsg_clear(msg);
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	ldns_pkt_free(pkt);
	return rc;
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
