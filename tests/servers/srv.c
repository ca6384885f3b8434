/*
 * The test servers' shared set-up (srv.h).
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "srv.h"

int
srv_bind(const char *addr, int port, int type, int backlog,
    struct sockaddr_in *sin)
{
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof(a);
	int			 fd, one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, type, 0);
	if (fd == -1)
		return -1;
	if (backlog >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    (type == SOCK_STREAM && backlog >= 0 &&
	    listen(fd, backlog) == -1) ||
	    (sin != NULL &&
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

void
srv_ready(int port)
{
	if (port != 0)
		printf("ready %d\n", port);
	else
		printf("ready\n");
	fflush(stdout);
}

int
srv_read_all(int fd, void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;
	size_t		 off = 0;

	while (off < len) {
		n = read(fd, p + off, len - off);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

size_t
srv_dns_read(int fd, unsigned char *buf)
{
	size_t	 len;

	if (srv_read_all(fd, buf, 2) == -1)
		return 0;
	len = (size_t)buf[0] << 8 | buf[1];
	if (len < 12 || srv_read_all(fd, buf + 2, len) == -1)
		return 0;
	return len;
}

int
srv_dns_write(int fd, unsigned char *buf, size_t len)
{
	buf[0] = (unsigned char)(len >> 8);
	buf[1] = (unsigned char)len;
	return write(fd, buf, len + 2) == (ssize_t)(len + 2) ? 0 : -1;
}

void
srv_dns_serve(const struct srv_dns *s)
{
	struct pollfd	 pfd[2];
	int		 c;

	signal(SIGCHLD, SIG_IGN);	/* children reap themselves */
	pfd[0].fd = s->udp;
	pfd[1].fd = s->tcp;
	pfd[0].events = pfd[1].events = POLLIN;
	srv_ready(0);
	for (;;) {
		if (poll(pfd, 2, -1) == -1)
			continue;
		if (pfd[0].revents & POLLIN)
			s->on_udp(s->udp, s->arg);
		if ((pfd[1].revents & POLLIN) == 0)
			continue;
		c = accept(s->tcp, NULL, NULL);
		if (c == -1)
			continue;
		if (fork() == 0) {
			close(s->udp);
			close(s->tcp);
			s->on_tcp(c, s->arg);
			_exit(0);
		}
		close(c);
	}
}
