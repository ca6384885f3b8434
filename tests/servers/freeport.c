/*
 * Print a port free for both TCP and UDP on the given loopback address
 * (default 127.0.0.1), for tests that start real servers.  The kernel
 * picks it; a caller that loses a race just starts again.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
bind_port(int type, const char *addr, int port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, got;

	fd = socket(AF_INET, type, 0);
	if (fd == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	got = ntohs(sin.sin_port);
	close(fd);
	return got;
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
