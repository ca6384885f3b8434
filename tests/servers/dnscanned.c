/*
 * A hostile DNS server for tests: on a loopback UDP port it answers
 * every query the one way a real server never would (silence, SERVFAIL,
 * FORMERR, a wrong ID, garbage, a record cut short), or drops the
 * first copy of each query and answers SERVFAIL to the retry.  Queries are read
 * with ldns so that only well-formed ones get the canned answer.
 * Usage: dnscanned ADDR PORT MODE; it runs until killed.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

static const char *const modes[] = {
	"silent", "servfail", "formerr", "wrongid", "garbage", "truncrr",
	"dropfirst", NULL
};

/* The answer for query q (len bytes) in buf; returns its length, 0 for
 * none. */
static size_t
answer(const char *mode, const unsigned char *q, size_t len,
    unsigned char *buf, size_t cap)
{
	static const unsigned char rr[] = {
		0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c,
		0x00, 0x40, 0x03, 'a', 'b'
	};
	size_t	 n = len;

	if (strcmp(mode, "silent") == 0 || len < 12 || len + sizeof(rr) > cap)
		return 0;
	if (strcmp(mode, "garbage") == 0) {
		memcpy(buf, q, 2);
		memset(buf + 2, 0xff, 40);
		return 42;
	}
	memcpy(buf, q, len);
	buf[2] |= 0x80;				/* QR */
	buf[3] = (unsigned char)(buf[3] & 0xf0);
	if (strcmp(mode, "servfail") == 0 || strcmp(mode, "dropfirst") == 0)
		buf[3] |= 2;
	else if (strcmp(mode, "formerr") == 0)
		buf[3] |= 1;
	else if (strcmp(mode, "wrongid") == 0)
		buf[1] ^= 0x5a;
	else if (strcmp(mode, "truncrr") == 0) {
		/* One CNAME whose RDLENGTH (64) runs past the end. */
		buf[7] = 1;
		memcpy(buf + len, rr, sizeof(rr));
		n += sizeof(rr);
	}
	return n;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin, peer;
	socklen_t		 plen;
	unsigned char		 q[512], a[1024], seen[65536 / 8];
	ldns_pkt		*pkt;
	ssize_t			 len;
	size_t			 n;
	int			 fd, i;

	if (argc != 4)
		goto usage;
	for (i = 0; modes[i] != NULL && strcmp(modes[i], argv[3]) != 0; i++)
		continue;
	if (modes[i] == NULL)
		goto usage;
	memset(seen, 0, sizeof(seen));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1)
		goto usage;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("dnscanned: bind");
		return 1;
	}
	for (;;) {
		plen = sizeof(peer);
		len = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&peer,
		    &plen);
		if (len <= 0)
			continue;
		pkt = NULL;
		if (ldns_wire2pkt(&pkt, q, (size_t)len) != LDNS_STATUS_OK)
			continue;
		ldns_pkt_free(pkt);
		if (strcmp(argv[3], "dropfirst") == 0 &&
		    !(seen[(q[0] << 5) | (q[1] >> 3)] & (1 << (q[1] & 7)))) {
			seen[(q[0] << 5) | (q[1] >> 3)] |= 1 << (q[1] & 7);
			continue;
		}
		n = answer(argv[3], q, (size_t)len, a, sizeof(a));
		if (n > 0)
			sendto(fd, a, n, 0, (struct sockaddr *)&peer, plen);
	}
usage:
	fprintf(stderr, "usage: dnscanned ADDR PORT "
	    "silent|servfail|formerr|wrongid|garbage|truncrr|dropfirst\n");
	return 2;
}
