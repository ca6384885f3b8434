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
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
bound(const char *addr, int port, int type)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, type, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 64) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

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

static void
serve_udp(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	unsigned char		 buf[4096];
	ssize_t			 n;
	size_t			 alen;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sslen);
	if (n < 12)
		return;
	alen = answer(buf, (size_t)n, 1);
	if (alen > 0)
		sendto(fd, buf, alen, 0, (struct sockaddr *)&ss, sslen);
}

static int
read_all(int fd, unsigned char *buf, size_t len)
{
	ssize_t	 n;
	size_t	 off = 0;

	while (off < len) {
		n = read(fd, buf + off, len - off);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* A child's life: read each query, sleep, answer; end at EOF. */
static void
serve_tcp(int fd, double delay, int hangup)
{
	struct timespec	 ts;
	unsigned char	 buf[2 + 65535];
	size_t		 len, alen;

	alarm(60);
	ts.tv_sec = (time_t)delay;
	ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
	while (read_all(fd, buf, 2) == 0) {
		len = (size_t)buf[0] << 8 | buf[1];
		if (len < 12 || read_all(fd, buf + 2, len) == -1)
			break;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			continue;
		if (hangup)
			break;
		alen = answer(buf + 2, len, 0);
		if (alen == 0)
			break;
		buf[0] = (unsigned char)(alen >> 8);
		buf[1] = (unsigned char)alen;
		if (write(fd, buf, alen + 2) != (ssize_t)(alen + 2))
			break;
		ts.tv_sec = (time_t)delay;
		ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
	}
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd[2];
	double		 delay;
	int		 c, hangup;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: dnsslow ADDR PORT DELAY [close]\n");
		return 2;
	}
	delay = atof(argv[3]);
	hangup = argc == 5 && strcmp(argv[4], "close") == 0;
	signal(SIGCHLD, SIG_IGN);	/* children reap themselves */
	pfd[0].fd = bound(argv[1], atoi(argv[2]), SOCK_DGRAM);
	pfd[1].fd = bound(argv[1], atoi(argv[2]), SOCK_STREAM);
	if (pfd[0].fd == -1 || pfd[1].fd == -1) {
		perror("dnsslow");
		return 1;
	}
	pfd[0].events = pfd[1].events = POLLIN;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, 2, -1) == -1)
			continue;
		if (pfd[0].revents & POLLIN)
			serve_udp(pfd[0].fd);
		if ((pfd[1].revents & POLLIN) == 0)
			continue;
		c = accept(pfd[1].fd, NULL, NULL);
		if (c == -1)
			continue;
		if (fork() == 0) {
			close(pfd[0].fd);
			close(pfd[1].fd);
			serve_tcp(c, delay, hangup);
		}
		close(c);
	}
}
