/*
 * What the test servers share: a socket bound on a loopback address
 * (port 0: one the kernel picks), the "ready" line the tests wait for,
 * DNS messages over TCP (RFC 1035 4.2.2, a two-byte length first) and
 * the loop of a DNS server on UDP and TCP.
 */
#ifndef CLOUDDP_SRV_H
#define CLOUDDP_SRV_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>

/* A DNS message over TCP: its length, then at most 65535 bytes. */
#define SRV_DNS_MAX	(2 + 65535)

/*
 * A socket of type (SOCK_STREAM or SOCK_DGRAM) bound to addr:port with
 * SO_REUSEADDR, listening with backlog if a stream, or -1 (errno set;
 * EINVAL for an address that is not IPv4).  A backlog below 0 makes a
 * probe instead: bound without SO_REUSEADDR, not listening.  The
 * address it got goes to *sin unless sin is NULL.
 */
int	srv_bind(const char *, int, int, int, struct sockaddr_in *);
/* "ready", or "ready PORT" when port is not 0, flushed. */
void	srv_ready(int);
/* Read len bytes; -1 at EOF or on an error before that. */
int	srv_read_all(int, void *, size_t);
/*
 * One DNS message over TCP into buf (SRV_DNS_MAX bytes), at buf + 2;
 * returns its length, 0 at EOF, on an error or when it is shorter than
 * a header.
 */
size_t	srv_dns_read(int, unsigned char *);
/* The len bytes at buf + 2 sent after their length; -1 when cut. */
int	srv_dns_write(int, unsigned char *, size_t);

/* A DNS server's two sockets and what to do with them. */
struct srv_dns {
	int	 udp;			/* -1: none */
	int	 tcp;			/* -1: none */
	/* A datagram waits on fd. */
	void	(*on_udp)(int fd, void *arg);
	/* In a child of its own: serve connection fd until it ends. */
	void	(*on_tcp)(int fd, void *arg);
	void	*arg;
};

/*
 * Say "ready", then serve s until killed: each datagram in turn, each
 * connection in a child, which exits when on_tcp returns (children reap
 * themselves).
 */
_Noreturn void	srv_dns_serve(const struct srv_dns *);

#endif /* CLOUDDP_SRV_H */
