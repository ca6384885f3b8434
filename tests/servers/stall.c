/*
 * stall: a TCP listener for what no real server does on purpose.
 * "stall ADDR PORT" accepts connections and never sends a byte (a port
 * that is open but does not speak TLS); "stall ADDR PORT full" accepts
 * nothing and fills its backlog, so further SYNs go unanswered, as
 * behind a firewall that drops packets.  Prints "ready" when listening;
 * runs until killed.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv.h"

/* Fill the accept queue (backlog 0 holds one) so the kernel drops SYNs. */
static void
fill(const struct sockaddr_in *sin)
{
	int	 i, fd;

	for (i = 0; i < 2; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd != -1)
			connect(fd, (const struct sockaddr *)sin,
			    sizeof(*sin));
	}
	sleep(1);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	int			 fd, full;

	if (argc < 3) {
		fprintf(stderr, "usage: stall ADDR PORT [full]\n");
		return 2;
	}
	full = argc > 3 && strcmp(argv[3], "full") == 0;
	fd = srv_bind(argv[1], atoi(argv[2]), SOCK_STREAM, full ? 0 : 64,
	    &sin);
	if (fd == -1) {
		perror("stall");
		return 1;
	}
	if (full)
		fill(&sin);
	srv_ready(0);
	for (;;) {
		/* Accepted sockets stay open and silent until we exit. */
		if (!full && accept(fd, NULL, NULL) == -1)
			perror("accept");
		if (full)
			pause();
	}
}
