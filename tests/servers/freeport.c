/*
 * Print a port free for both TCP and UDP on the given loopback address
 * (default 127.0.0.1), for tests that start real servers.  The kernel
 * picks it; a caller that loses a race just starts again.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <unistd.h>

#include "srv.h"

/* Bind a probe of type to addr:port; the port it got, or -1. */
static int
bind_port(int type, const char *addr, int port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	fd = srv_bind(addr, port, type, -1, &sin);
	if (fd == -1)
		return -1;
	close(fd);
	return ntohs(sin.sin_port);
}

int
main(int argc, char *argv[])
{
	const char	*addr = argc > 1 ? argv[1] : "127.0.0.1";
	int		 tries, port;

	for (tries = 0; tries < 100; tries++) {
		port = bind_port(SOCK_STREAM, addr, 0);
		if (port < 1024)
			continue;
		if (bind_port(SOCK_DGRAM, addr, port) == port) {
			printf("%d\n", port);
			return 0;
		}
	}
	fprintf(stderr, "freeport: no free port on %s\n", addr);
	return 1;
}
