/*
 * A hostile DNS server for tests: on a loopback port it answers every
 * query the one way a real server never would.  Usage: dnscanned ADDR
 * PORT MODE; it prints "ready" when listening and runs until killed.
 * Queries are read with ldns so that only well-formed ones are answered.
 *
 * Over UDP:
 *   silent      no answer
 *   servfail    SERVFAIL          formerr     FORMERR
 *   dropfirst   drops the first copy of each query, SERVFAIL to the retry
 *   wrongid     the answer under another ID
 *   othername   an answer for another name (a letter changed)
 *   othertype   an answer for another type (TXT)
 *   otherclass  an answer for another class (CH)
 *   otherport   the right answer, sent from another port
 *   otheraddr   the right answer, sent from another address (the last
 *               byte of ADDR changed)
 *   echo        the query sent back, QR bit clear
 *   garbage     the ID, then 40 bytes of 0xff
 *   random      the ID, then random bytes
 *   shorthdr    6 bytes, less than a header
 *   truncrr     one CNAME whose RDLENGTH runs past the end
 *   overcount   a header that claims 50 answer records for 1
 *   ptrself     a record whose owner is a pointer to itself
 *   ptrmutual   two records whose owners point at each other
 *   strayrr     NOERROR with one A record for another name
 *   plain       NAME CNAME t.NAME, t.NAME A 192.0.2.1: a sound answer
 *   tsigadd     plain, with two TSIG-typed records and an A record in
 *               the additional section (ldns 1.8.3 leaks the first TSIG)
 * Over UDP with TC set, the whole answer over TCP on the same port:
 *   chain1000   NAME CNAME c1.NAME, c1.NAME CNAME c2.NAME ... c1000.NAME
 *   a1000       NAME CNAME t.NAME and 1,000 A records for t.NAME, the
 *               last 10.0.3.232
 *   tcdrip      plain, dripped over TCP one byte a second
 *   tcwrongid   plain over TCP, under another ID
 * Other modes answer over TCP as over UDP.  TCP connections are served
 * by a child each.
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

#include "srv.h"

static const char *const modes[] = {
	"silent", "servfail", "formerr", "wrongid", "garbage", "truncrr",
	"dropfirst", "othername", "othertype", "otherclass", "otherport",
	"otheraddr",
	"echo", "random", "shorthdr", "overcount", "ptrself", "ptrmutual",
	"strayrr", "plain", "tsigadd", "chain1000", "a1000", "tcdrip",
	"tcwrongid", NULL
};

#define BUF_MAX		65535

struct msg {
	unsigned char	*b;
	size_t		 len;	/* so far */
	size_t		 qend;	/* past the question */
};

static int
is_mode(const char *mode, const char *m)
{
	return strcmp(mode, m) == 0;
}

static void
put(struct msg *m, const void *p, size_t n)
{
	if (m->len + n <= BUF_MAX) {
		memcpy(m->b + m->len, p, n);
		m->len += n;
	}
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char	 b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(m, b, 2);
}

/* Type, class IN, TTL 60 and RDLENGTH. */
static void
put_fixed(struct msg *m, unsigned type, unsigned rdlen)
{
	static const unsigned char ttl[] = { 0, 0, 0, 60 };

	put16(m, type);
	put16(m, 1);
	put(m, ttl, sizeof(ttl));
	put16(m, rdlen);
}

/* A one-label name "label" + a pointer to off; returns where it went. */
static size_t
put_name(struct msg *m, const char *label, size_t off)
{
	size_t	 at = m->len;
	size_t	 n = strlen(label);

	put(m, (unsigned char[]){ (unsigned char)n }, 1);
	put(m, label, n);
	put16(m, 0xc000 | (unsigned)off);
	return at;
}

static void
count_set(struct msg *m, int section, unsigned n)
{
	m->b[4 + 2 * section] = (unsigned char)(n >> 8);
	m->b[5 + 2 * section] = (unsigned char)n;
}

/* NAME CNAME t.NAME and n A records for t.NAME (10.0.x.y, from 1). */
static void
answer_addrs(struct msg *m, unsigned n)
{
	unsigned char	 a[4] = { 10, 0, 0, 0 };
	size_t		 t;
	unsigned	 i;

	put16(m, 0xc00c);
	put_fixed(m, 5, 4);
	t = put_name(m, "t", 12);
	for (i = 1; i <= n; i++) {
		put16(m, 0xc000 | (unsigned)t);
		put_fixed(m, 1, 4);
		a[2] = (unsigned char)(i >> 8);
		a[3] = (unsigned char)i;
		if (n == 1)
			memcpy(a, (unsigned char[]){ 192, 0, 2, 1 }, 4);
		put(m, a, 4);
	}
	count_set(m, 1, n + 1);
}

/* Owners are written out (a label and a pointer to the question):
 * compression pointers reach only the first 16 KiB. */
static void
answer_chain(struct msg *m, unsigned n)
{
	char		 label[16];
	unsigned	 i;

	for (i = 1; i <= n; i++) {
		if (i == 1)
			put16(m, 0xc00c);
		else
			put_name(m, label, 12);
		snprintf(label, sizeof(label), "c%u", i);
		put_fixed(m, 5, (unsigned)strlen(label) + 3);
		put_name(m, label, 12);
	}
	count_set(m, 1, n);
}

/* Two TSIG-typed records (root owner, class ANY, empty rdata), then an
 * A record for the name. */
static void
answer_tsig(struct msg *m)
{
	static const unsigned char tsig[] = {
		0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0
	};
	static const unsigned char a[] = { 192, 0, 2, 1 };

	put(m, tsig, sizeof(tsig));
	put(m, tsig, sizeof(tsig));
	put16(m, 0xc00c);
	put_fixed(m, 1, 4);
	put(m, a, sizeof(a));
	count_set(m, 3, 3);
}

/* Records that make an answer malformed or odd, after the question. */
static void
answer_odd(const char *mode, struct msg *m)
{
	static const unsigned char a[] = { 192, 0, 2, 66 };
	size_t	 at;

	if (is_mode(mode, "truncrr")) {
		put16(m, 0xc00c);
		put_fixed(m, 5, 64);
		put(m, "\3ab", 3);
		count_set(m, 1, 1);
	} else if (is_mode(mode, "overcount")) {
		answer_addrs(m, 1);
		count_set(m, 1, 50);
	} else if (is_mode(mode, "ptrself") || is_mode(mode, "ptrmutual")) {
		at = m->len;
		/* ptrmutual: the first owner points at the second's. */
		put16(m, 0xc000 | (unsigned)(is_mode(mode, "ptrself") ? at :
		    at + 2 + 10 + 4));
		put_fixed(m, 1, 4);
		put(m, a, 4);
		if (is_mode(mode, "ptrmutual")) {
			put16(m, 0xc000 | (unsigned)at);
			put_fixed(m, 1, 4);
			put(m, a, 4);
		}
		count_set(m, 1, is_mode(mode, "ptrself") ? 1 : 2);
	} else if (is_mode(mode, "strayrr")) {
		put_name(m, "evil", 12 + m->b[12] + 1);
		put_fixed(m, 1, 4);
		put(m, a, 4);
		count_set(m, 1, 1);
	}
}

/* The question changed: another name, type or class. */
static void
question_other(const char *mode, struct msg *m)
{
	if (is_mode(mode, "othername"))
		m->b[13] = m->b[13] == 'x' ? 'y' : 'x';
	else if (is_mode(mode, "othertype"))
		m->b[m->qend - 3] = 16;
	else if (is_mode(mode, "otherclass"))
		m->b[m->qend - 1] = 3;
}

static void
answer_records(const char *mode, struct msg *m)
{
	if (is_mode(mode, "plain") || is_mode(mode, "tsigadd") ||
	    is_mode(mode, "tcdrip") || is_mode(mode, "otherport") ||
	    is_mode(mode, "tcwrongid") ||
	    is_mode(mode, "wrongid") || strncmp(mode, "other", 5) == 0)
		answer_addrs(m, 1);
	else if (is_mode(mode, "a1000"))
		answer_addrs(m, 1000);
	else if (is_mode(mode, "chain1000"))
		answer_chain(m, 1000);
	else
		answer_odd(mode, m);
	if (is_mode(mode, "tsigadd"))
		answer_tsig(m);
	question_other(mode, m);
}

/* Bytes that are not a DNS message, under the query's ID. */
static size_t
answer_garbage(const char *mode, struct msg *m)
{
	size_t	 i, n;

	if (is_mode(mode, "shorthdr"))
		return 6;
	n = is_mode(mode, "garbage") ? 42 : 40 + (size_t)(random() % 60);
	for (i = 2; i < n; i++)
		m->b[i] = is_mode(mode, "garbage") ? 0xff :
		    (unsigned char)random();
	return n;
}

/*
 * The answer to query q (len bytes) in m->b; returns its length, 0 for
 * none.  tcp: over TCP, where a big answer is sent whole.
 */
static size_t
answer(const char *mode, const unsigned char *q, size_t len,
    struct msg *m, int tcp)
{
	size_t	 qend = 12;

	while (qend < len && q[qend] != 0)
		qend += (size_t)q[qend] + 1;
	qend += 5;
	if (is_mode(mode, "silent") || len < 12 || qend > len)
		return 0;
	memcpy(m->b, q, qend);
	m->len = m->qend = qend;
	memset(m->b + 6, 0, 6);
	if (is_mode(mode, "garbage") || is_mode(mode, "random") ||
	    is_mode(mode, "shorthdr"))
		return answer_garbage(mode, m);
	if (!is_mode(mode, "echo"))
		m->b[2] |= 0x80;		/* QR */
	m->b[3] = (unsigned char)(m->b[3] & 0xf0);
	if (is_mode(mode, "servfail") || is_mode(mode, "dropfirst"))
		m->b[3] |= 2;
	else if (is_mode(mode, "formerr"))
		m->b[3] |= 1;
	else if (is_mode(mode, "wrongid") || (tcp && is_mode(mode,
	    "tcwrongid")))
		m->b[1] ^= 0x5a;
	if (!tcp && (is_mode(mode, "chain1000") || is_mode(mode, "a1000") ||
	    is_mode(mode, "tcdrip") || is_mode(mode, "tcwrongid"))) {
		m->b[2] |= 0x02;		/* TC */
		return m->len;
	}
	answer_records(mode, m);
	return m->len;
}

static int
query_ok(const unsigned char *q, size_t len)
{
	ldns_pkt	*pkt = NULL;

	if (ldns_wire2pkt(&pkt, q, len) != LDNS_STATUS_OK)
		return 0;
	ldns_pkt_free(pkt);
	return 1;
}

/* A socket to answer from: another port, or another address. */
static int
other_socket(const char *mode, const char *addr)
{
	struct in_addr	 in;
	char		 text[INET_ADDRSTRLEN];

	if (is_mode(mode, "otherport"))
		return srv_bind(addr, 0, SOCK_DGRAM, 0, NULL);
	if (inet_pton(AF_INET, addr, &in) != 1)
		return -1;
	((unsigned char *)&in)[3] ^= 1;
	if (inet_ntop(AF_INET, &in, text, sizeof(text)) == NULL)
		return -1;
	return srv_bind(text, 0, SOCK_DGRAM, 0, NULL);
}

/* What the server was told, and the queries it has seen (dropfirst). */
struct canned {
	const char	*addr;
	const char	*mode;
	unsigned char	 seen[65536 / 8];
};

static void
serve_udp(int fd, void *arg)
{
	struct canned		*cn = arg;
	const char		*mode = cn->mode;
	unsigned char		*seen = cn->seen;
	struct sockaddr_in	 peer;
	socklen_t		 plen = sizeof(peer);
	unsigned char		 q[512], a[BUF_MAX];
	struct msg		 m = { a, 0, 0 };
	ssize_t			 len;
	size_t			 n;
	int			 out = fd;

	len = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&peer, &plen);
	if (len <= 0 || !query_ok(q, (size_t)len))
		return;
	if (is_mode(mode, "dropfirst") &&
	    !(seen[(q[0] << 5) | (q[1] >> 3)] & (1 << (q[1] & 7)))) {
		seen[(q[0] << 5) | (q[1] >> 3)] |= 1 << (q[1] & 7);
		return;
	}
	n = answer(mode, q, (size_t)len, &m, 0);
	if (n == 0)
		return;
	if (is_mode(mode, "otherport") || is_mode(mode, "otheraddr"))
		out = other_socket(mode, cn->addr);
	if (out != -1)
		sendto(out, a, n, 0, (struct sockaddr *)&peer, plen);
	if (out != fd && out != -1)
		close(out);
}

/* A child's life: read each query and answer it, until EOF. */
static void
serve_tcp(int fd, void *arg)
{
	static unsigned char	 q[SRV_DNS_MAX], a[SRV_DNS_MAX];
	const char		*mode = ((struct canned *)arg)->mode;
	struct msg		 m = { a + 2, 0, 0 };
	size_t			 len, n, i;

	alarm(60);
	for (;;) {
		len = srv_dns_read(fd, q);
		if (len == 0 || !query_ok(q + 2, len))
			break;
		n = answer(mode, q + 2, len, &m, 1);
		if (n == 0)
			continue;
		if (!is_mode(mode, "tcdrip")) {
			if (srv_dns_write(fd, a, n) == -1)
				break;
			continue;
		}
		a[0] = (unsigned char)(n >> 8);
		a[1] = (unsigned char)n;
		for (i = 0; i < n + 2; i++) {
			if (write(fd, a + i, 1) != 1)
				return;
			sleep(1);
		}
	}
}

int
main(int argc, char *argv[])
{
	static struct canned	 cn;
	struct srv_dns		 s = { -1, -1, serve_udp, serve_tcp, &cn };
	int			 i;

	if (argc != 4)
		goto usage;
	for (i = 0; modes[i] != NULL && strcmp(modes[i], argv[3]) != 0; i++)
		continue;
	if (modes[i] == NULL)
		goto usage;
	cn.addr = argv[1];
	cn.mode = argv[3];
	s.udp = srv_bind(argv[1], atoi(argv[2]), SOCK_DGRAM, 0, NULL);
	/* A UDP mode does without TCP where the port is taken for TCP. */
	s.tcp = srv_bind(argv[1], atoi(argv[2]), SOCK_STREAM, 64, NULL);
	if (s.udp == -1 || (s.tcp == -1 && (is_mode(argv[3],
	    "chain1000") || is_mode(argv[3], "a1000") ||
	    is_mode(argv[3], "tcdrip") || is_mode(argv[3], "tcwrongid")))) {
		perror("dnscanned: bind");
		return 1;
	}
	srv_dns_serve(&s);
usage:
	fprintf(stderr, "usage: dnscanned ADDR PORT MODE\n");
	return 2;
}
