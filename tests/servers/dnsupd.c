/*
 * A hostile RFC 2136 server for tests: "dnsupd ADDR PORT MODE" listens
 * on TCP, answers every query NXDOMAIN (the name holds nothing, so an
 * update adds it) and every UPDATE the one way MODE says:
 *   noerror   NOERROR, as a server that applied it (nothing is stored)
 *   wrongid   NOERROR under another ID
 *   echo      the update sent back, QR bit clear
 *   opcode    NOERROR with opcode QUERY instead of UPDATE
 *   tsig2     NOERROR with two TSIG-typed records and an A record in
 *             the additional section (ldns 1.8.3 leaks the first TSIG)
 *   tsigmid   NOERROR with a TSIG-typed record that is not the last
 *   overcount NOERROR whose header claims 3 additional records, none sent
 *   ptrloop   NOERROR whose zone name is a pointer to itself
 *   short     6 bytes, less than a header
 *   cut       a length of 100 bytes, 20 of them, then the connection
 *             closed
 * Connections are served one after another.  Prints "ready" when
 * listening; runs until killed.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv.h"

static const char *const modes[] = {
	"noerror", "wrongid", "echo", "opcode", "tsig2", "tsigmid",
	"overcount", "ptrloop", "short", "cut", NULL
};

static int
is_mode(const char *mode, const char *m)
{
	return strcmp(mode, m) == 0;
}

/* Past the first question (the zone of an update) at 12, 0 if none. */
static size_t
question_end(const unsigned char *q, size_t len)
{
	size_t	 p = 12;

	while (p < len && q[p] != 0 && (q[p] & 0xc0) == 0)
		p += (size_t)q[p] + 1;
	p += 5;
	return p <= len ? p : 0;
}

/* The records a mode adds after the zone section; returns the length. */
static size_t
update_tail(const char *mode, unsigned char *a, size_t n)
{
	static const unsigned char tsig[] = {
		0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0
	};
	static const unsigned char rr_a[] = {
		0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1
	};

	if (is_mode(mode, "tsig2")) {
		memcpy(a + n, tsig, sizeof(tsig));
		memcpy(a + n + sizeof(tsig), tsig, sizeof(tsig));
		memcpy(a + n + 2 * sizeof(tsig), rr_a, sizeof(rr_a));
		a[11] = 3;
		return n + 2 * sizeof(tsig) + sizeof(rr_a);
	}
	if (is_mode(mode, "tsigmid")) {
		memcpy(a + n, tsig, sizeof(tsig));
		memcpy(a + n + sizeof(tsig), rr_a, sizeof(rr_a));
		a[11] = 2;
		return n + sizeof(tsig) + sizeof(rr_a);
	}
	if (is_mode(mode, "overcount"))
		a[11] = 3;
	if (is_mode(mode, "ptrloop")) {
		/* The zone name becomes a pointer to itself. */
		a[12] = 0xc0;
		a[13] = 12;
		memmove(a + 14, a + n - 4, 4);
		return 18;
	}
	return n;
}

/* The answer to message q (len bytes) in a; returns its length. */
static size_t
answer(const char *mode, const unsigned char *q, size_t len,
    unsigned char *a)
{
	size_t	 n;
	int	 update = ((q[2] >> 3) & 0x0f) == 5;

	n = question_end(q, len);
	if (n == 0)
		return 0;
	memcpy(a, q, n);
	a[2] = (unsigned char)(0x80 | (q[2] & 0x78) | (update ? 0 : 0x04));
	a[3] = update ? 0 : 3;			/* NOERROR, NXDOMAIN */
	a[4] = 0;
	a[5] = 1;
	memset(a + 6, 0, 6);
	if (!update)
		return n;
	if (is_mode(mode, "wrongid"))
		a[1] ^= 0x5a;
	else if (is_mode(mode, "echo"))
		a[2] &= 0x7f;
	else if (is_mode(mode, "opcode"))
		a[2] &= 0x87;
	return update_tail(mode, a, n);
}

/* One connection: each message answered, until EOF or a hang-up. */
static void
serve(int fd, const char *mode)
{
	static unsigned char	 q[SRV_DNS_MAX], a[SRV_DNS_MAX + 64];
	struct timeval		 tv = { 2, 0 };
	size_t			 len, n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		len = srv_dns_read(fd, q);
		if (len == 0)
			return;
		if (((q[4] >> 3) & 0x0f) == 5 && is_mode(mode, "short")) {
			memcpy(a + 2, q + 2, 6);
			n = 6;
		} else
			n = answer(mode, q + 2, len, a + 2);
		if (n == 0)
			return;
		if (((q[4] >> 3) & 0x0f) == 5 && is_mode(mode, "cut")) {
			a[0] = 0;
			a[1] = 100;
			(void)write(fd, a, 22);
			return;
		}
		if (srv_dns_write(fd, a, n) == -1)
			return;
	}
}

int
main(int argc, char *argv[])
{
	int	 fd, c, i;

	if (argc != 4)
		goto usage;
	for (i = 0; modes[i] != NULL && !is_mode(modes[i], argv[3]); i++)
		continue;
	if (modes[i] == NULL)
		goto usage;
	signal(SIGPIPE, SIG_IGN);
	fd = srv_bind(argv[1], atoi(argv[2]), SOCK_STREAM, 128, NULL);
	if (fd == -1) {
		perror("dnsupd: bind");
		return 1;
	}
	srv_ready(0);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c == -1)
			continue;
		serve(c, argv[3]);
		close(c);
	}
usage:
	fprintf(stderr, "usage: dnsupd ADDR PORT MODE\n");
	return 2;
}
