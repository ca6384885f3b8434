/*
 * dnsslow: a DNS server that answers late.  "dnsslow ADDR PORT DELAY"
 * listens on UDP and TCP.  Over UDP it answers every query at once with
 * the TC bit set and no records, so resolvers retry over TCP; over TCP
 * it waits DELAY seconds before each answer, an empty NOERROR with AA
 * set (to an update: "done", though nothing is stored).  Each TCP
 * connection is served by its own child, so one slow exchange never
 * delays another.  "dnsslow ADDR PORT DELAY close" closes each TCP
 * connection after the delay instead of answering, as a server does
 * when its own time limit for the connection passes.  Prints "ready"
 * when listening; runs until killed.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

/*
 * Turn the query in buf (len bytes) into its empty answer, in place:
 * the header and the question only.  Returns its length, 0 if the query
 * is malformed.
 */
static size_t
answer(unsigned char *buf, size_t len, int tc)
{
	size_t	 qlen = 12;

	while (qlen < len && buf[qlen] != 0)
		qlen += (size_t)buf[qlen] + 1;
	qlen += 5;
	if (len < 12 || qlen > len)
		return 0;
	buf[2] = (unsigned char)(0x80 | (buf[2] & 0x78) | 0x04 |
	    (tc ? 0x02 : 0));
	buf[3] = 0;				/* NOERROR */
	buf[4] = 0;
	buf[5] = 1;
	memset(buf + 6, 0, 6);			/* no records */
	return qlen;
}

struct slow {
	double	 delay;			/* seconds before each answer */
	int	 hangup;		/* close instead of answering */
};

static void
serve_udp(int fd, void *arg)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	unsigned char		 buf[4096];
	ssize_t			 n;
	size_t			 alen;

	(void)arg;
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sslen);
	if (n < 12)
		return;
	alen = answer(buf, (size_t)n, 1);
	if (alen > 0)
		sendto(fd, buf, alen, 0, (struct sockaddr *)&ss, sslen);
}

/* A child's life: read each query, sleep, answer; end at EOF. */
static void
serve_tcp(int fd, void *arg)
{
	const struct slow	*sl = arg;
	struct timespec		 ts;
	unsigned char		 buf[SRV_DNS_MAX];
	size_t			 len, alen;

	alarm(60);
	for (;;) {
		len = srv_dns_read(fd, buf);
		if (len == 0)
			break;
		ts.tv_sec = (time_t)sl->delay;
		ts.tv_nsec = (long)((sl->delay - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			continue;
		if (sl->hangup)
			break;
		alen = answer(buf + 2, len, 0);
		if (alen == 0 || srv_dns_write(fd, buf, alen) == -1)
			break;
	}
}

int
main(int argc, char *argv[])
{
	struct slow	 sl;
	struct srv_dns	 s = { -1, -1, serve_udp, serve_tcp, &sl };

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: dnsslow ADDR PORT DELAY [close]\n");
		return 2;
	}
	sl.delay = atof(argv[3]);
	sl.hangup = argc == 5 && strcmp(argv[4], "close") == 0;
	s.udp = srv_bind(argv[1], atoi(argv[2]), SOCK_DGRAM, 0, NULL);
	s.tcp = srv_bind(argv[1], atoi(argv[2]), SOCK_STREAM, 64, NULL);
	if (s.udp == -1 || s.tcp == -1) {
		perror("dnsslow");
		return 1;
	}
	srv_dns_serve(&s);
}
