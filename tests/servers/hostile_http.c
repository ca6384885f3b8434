/*
 * hostile_http: an HTTP(S) server that answers every request in one
 * hostile way, for tests/t/hostile-http.sh.  It plays what no real
 * server does on purpose: bodies without end, a body declared at 1 GB,
 * entity bombs and external entities in XML, a drip of one byte a
 * second, a reset in the middle of the TLS handshake, garbage or an
 * SSL 3.0 ServerHello instead of TLS.
 *
 * usage: hostile_http [-c CERT -k KEY] ADDR PORT CASE
 *
 * With -c and -k it speaks TLS with that certificate (so a wrong name,
 * an unknown CA or an expired certificate is a matter of which file is
 * given).  PORT 0 takes a free port.  Prints "ready PORT" once it
 * listens, then one "request METHOD PATH" line for each request read,
 * and runs until killed.  Each connection is served by a child process,
 * which ends when the client goes away (or after CHILD_LIFE seconds).
 *
 * CASE: ok endless huge laughs xxe-file xxe-net drip drip-body headers
 *       notxml html html404 redirect redirect-http rst-hello garbage-tls
 *       old-tls
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "srv.h"

#define CHILD_LIFE	120	/* seconds a connection is served at most */
#define CHILDREN_MAX	64
#define REQ_MAX		(64 * 1024)

struct conn {
	int	 fd;
	SSL	*ssl;
};

static volatile sig_atomic_t	 stop;
static char			 self[64];	/* "ADDR:PORT" */

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
put(struct conn *c, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if (c->ssl != NULL)
			n = SSL_write(c->ssl, p, (int)len);
		else
			n = write(c->fd, p, len);
		if (n <= 0 && c->ssl == NULL && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
puts_(struct conn *c, const char *s)
{
	return put(c, s, strlen(s));
}

/* Read the request head (and a body of Content-Length, if any). */
static int
read_request(struct conn *c, char *method, char *path)
{
	static char	 buf[REQ_MAX + 1];
	size_t		 len = 0;
	ssize_t		 n;
	char		*end, *cl;
	long		 body;

	for (;;) {
		if (len == REQ_MAX)
			return -1;
		if (c->ssl != NULL)
			n = SSL_read(c->ssl, buf + len, (int)(REQ_MAX - len));
		else
			n = read(c->fd, buf + len, REQ_MAX - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL)
			break;
	}
	if (sscanf(buf, "%15s %1023s", method, path) != 2)
		return -1;
	printf("request %s %s\n", method, path);
	fflush(stdout);
	cl = strcasestr(buf, "\r\nContent-Length:");
	body = cl != NULL && cl < end ? strtol(cl + 17, NULL, 10) : 0;
	body -= (long)(len - (size_t)(end + 4 - buf));
	while (body > 0) {
		n = c->ssl != NULL ? SSL_read(c->ssl, buf, REQ_MAX) :
		    read(c->fd, buf, REQ_MAX);
		if (n <= 0)
			return -1;
		body -= n;
	}
	return 0;
}

static int
answer_status(struct conn *c, const char *status, const char *type,
    const char *body)
{
	char	 head[256];

	snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    type, strlen(body));
	return puts_(c, head) == -1 ? -1 : puts_(c, body);
}

static int
answer(struct conn *c, const char *type, const char *body)
{
	return answer_status(c, "200 OK", type, body);
}

/* Chunks of well-formed-looking XML, forever. */
static void
endless(struct conn *c)
{
	char	 chunk[16 * 1024 + 16];
	int	 n;

	if (puts_(c, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n7\r\n<a><a>\n\r\n") == -1)
		return;
	n = snprintf(chunk, sizeof(chunk), "%x\r\n", 16 * 1024);
	memset(chunk + n, 'a', 16 * 1024);
	memcpy(chunk + n + 16 * 1024, "\r\n", 2);
	while (put(c, chunk, (size_t)n + 16 * 1024 + 2) == 0)
		;
}

/* A declared gigabyte, sent as fast as the client reads. */
static void
huge(struct conn *c)
{
	char		 block[64 * 1024];
	long long	 left = 1LL << 30;

	if (puts_(c, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
	    "Content-Length: 1073741824\r\n\r\n") == -1)
		return;
	memset(block, ' ', sizeof(block));
	while (left > 0 && put(c, block, sizeof(block)) == 0)
		left -= (long long)sizeof(block);
}

/* One byte a second, the head included (or, with body, after it). */
static void
drip(struct conn *c, int body)
{
	static const char	 resp[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/xml\r\nContent-Length: 100000\r\n\r\n"
	    "<Subscription xmlns=\"http://schemas.microsoft.com/"
	    "windowsazure\">";
	size_t			 i = 0;

	if (body) {
		i = (size_t)(strstr(resp, "\r\n\r\n") + 4 - resp);
		if (put(c, resp, i) == -1)
			return;
	}
	for (; ; i++) {
		if (put(c, i < sizeof(resp) - 1 ? resp + i : " ", 1) == -1)
			return;
		sleep(1);
	}
}

/* Headers without end. */
static void
headers(struct conn *c)
{
	char		 line[128];
	unsigned long	 i;

	if (puts_(c, "HTTP/1.1 200 OK\r\n") == -1)
		return;
	for (i = 0; ; i++) {
		snprintf(line, sizeof(line), "X-Pad-%lu: %064lu\r\n", i, i);
		if (puts_(c, line) == -1)
			return;
	}
}

static const char laughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE Subscription [\n"
    " <!ENTITY l0 \"lol\">\n"
    " <!ENTITY l1 \"&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;\">\n"
    " <!ENTITY l2 \"&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;\">\n"
    " <!ENTITY l3 \"&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;\">\n"
    " <!ENTITY l4 \"&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;\">\n"
    " <!ENTITY l5 \"&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;\">\n"
    " <!ENTITY l6 \"&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;\">\n"
    " <!ENTITY l7 \"&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;\">\n"
    " <!ENTITY l8 \"&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;\">\n"
    " <!ENTITY l9 \"&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;\">\n"
    "]>\n"
    "<Subscription xmlns=\"http://schemas.microsoft.com/windowsazure\">"
    "<SubscriptionID>&l9;</SubscriptionID><Name>&l9;</Name>"
    "<EnumerationResults>&l9;</EnumerationResults></Subscription>\n";

static void
external(struct conn *c, const char *system)
{
	char	 doc[1024];

	snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE Subscription [\n <!ENTITY e SYSTEM \"%s\">\n]>\n"
	    "<Subscription xmlns=\"http://schemas.microsoft.com/windowsazure\">"
	    "<SubscriptionID>&e;</SubscriptionID><SubscriptionName>&e;"
	    "</SubscriptionName></Subscription>\n", system);
	answer(c, "application/xml", doc);
}

/* A 307 to "to"; to the same path, a loop. */
static void
redirect(struct conn *c, const char *to)
{
	char	 head[1400];

	snprintf(head, sizeof(head), "HTTP/1.1 307 Temporary Redirect\r\n"
	    "Location: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    to);
	puts_(c, head);
}

static void
http_case(struct conn *c, const char *what)
{
	char	 method[16], path[1024], url[1200];

	if (read_request(c, method, path) == -1)
		return;
	if (strcmp(path, "/xxe") == 0) {
		/* A parser that fetched the external entity. */
		answer(c, "text/plain", "fetched\n");
		return;
	}
	if (strcmp(what, "endless") == 0)
		endless(c);
	else if (strcmp(what, "huge") == 0)
		huge(c);
	else if (strcmp(what, "drip") == 0)
		drip(c, 0);
	else if (strcmp(what, "drip-body") == 0)
		drip(c, 1);
	else if (strcmp(what, "headers") == 0)
		headers(c);
	else if (strcmp(what, "laughs") == 0)
		answer(c, "application/xml", laughs);
	else if (strcmp(what, "xxe-file") == 0)
		external(c, "file:///etc/passwd");
	else if (strcmp(what, "xxe-net") == 0) {
		snprintf(url, sizeof(url), "http://%s/xxe", self);
		external(c, url);
	} else if (strcmp(what, "notxml") == 0)
		answer(c, "application/xml", "this is not XML { \"a\": 1 }\n");
	else if (strcmp(what, "html") == 0)
		answer(c, "text/html", "<html><body>Welcome to nginx!"
		    "</body></html>\n");
	else if (strcmp(what, "html404") == 0)
		answer_status(c, "404 Not Found", "text/html", "<html><body>"
		    "404 Not Found</body></html>\n");
	else if (strcmp(what, "redirect") == 0)
		redirect(c, path);
	else if (strcmp(what, "redirect-http") == 0) {
		snprintf(url, sizeof(url), "http://%s%s", self, path);
		redirect(c, url);
	}
	else
		answer(c, "application/xml", "<Ok/>\n");
}

/* An SSL 3.0 ServerHello (RFC 6101 5.6.1.2), TLS_RSA_WITH_AES_128_CBC. */
static const unsigned char old_hello[] = {
	0x16, 0x03, 0x00, 0x00, 0x2a,
	0x02, 0x00, 0x00, 0x26, 0x03, 0x00,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	0x00, 0x00, 0x2f, 0x00
};

/* Cases below TLS: read the ClientHello, then misbehave. */
static void
raw_case(int fd, const char *what)
{
	char		 buf[4096];
	struct linger	 l = { 1, 0 };
	static const char garbage[] = "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Length: 0\r\n\r\n\x01\x02\x03garbage, not TLS";

	if (read(fd, buf, sizeof(buf)) <= 0)
		return;
	printf("request TLS %s\n", what);
	fflush(stdout);
	if (strcmp(what, "rst-hello") == 0) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		return;		/* close() now sends RST */
	}
	if (strcmp(what, "old-tls") == 0)
		(void)write(fd, old_hello, sizeof(old_hello));
	else
		(void)write(fd, garbage, sizeof(garbage) - 1);
	sleep(1);
}

static void
serve(int fd, SSL_CTX *tls, const char *what)
{
	struct conn	 c = { fd, NULL };

	signal(SIGTERM, SIG_DFL);
	alarm(CHILD_LIFE);
	if (strcmp(what, "rst-hello") == 0 ||
	    strcmp(what, "garbage-tls") == 0 || strcmp(what, "old-tls") == 0) {
		raw_case(fd, what);
		close(fd);
		return;
	}
	if (tls != NULL) {
		c.ssl = SSL_new(tls);
		if (c.ssl == NULL || SSL_set_fd(c.ssl, fd) != 1 ||
		    SSL_accept(c.ssl) != 1)
			goto out;
	}
	http_case(&c, what);
	if (c.ssl != NULL)
		SSL_shutdown(c.ssl);
out:
	SSL_free(c.ssl);
	close(fd);
}

static int
listener(const char *addr, int port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	fd = srv_bind(addr, port, SOCK_STREAM, 64, &sin);
	if (fd == -1)
		return -1;
	snprintf(self, sizeof(self), "%s:%d", addr, ntohs(sin.sin_port));
	srv_ready(ntohs(sin.sin_port));
	return fd;
}

static SSL_CTX *
tls_new(const char *cert, const char *key)
{
	SSL_CTX	*ctx;

	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Children still serving; killed when we are. */
static pid_t	 kids[CHILDREN_MAX];

static void
reap(void)
{
	pid_t	 pid;
	int	 i;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (i = 0; i < CHILDREN_MAX; i++)
			if (kids[i] == pid)
				kids[i] = 0;
}

static void
accept_one(int lfd, SSL_CTX *tls, const char *what)
{
	pid_t	 pid;
	int	 fd, i;

	fd = accept(lfd, NULL, NULL);
	if (fd == -1)
		return;
	for (i = 0; i < CHILDREN_MAX && kids[i] != 0; i++)
		;
	if (i == CHILDREN_MAX) {
		close(fd);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(lfd);
		serve(fd, tls, what);
		_exit(0);
	}
	if (pid > 0)
		kids[i] = pid;
	close(fd);
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	struct pollfd		 pfd;
	SSL_CTX			*tls = NULL;
	const char		*cert = NULL, *key = NULL;
	int			 ch, i;

	while ((ch = getopt(argc, argv, "c:k:")) != -1) {
		if (ch == 'c')
			cert = optarg;
		else if (ch == 'k')
			key = optarg;
		else
			goto usage;
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || (cert == NULL) != (key == NULL))
		goto usage;
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (cert != NULL && (tls = tls_new(cert, key)) == NULL)
		return 1;
	pfd.fd = listener(argv[0], atoi(argv[1]));
	if (pfd.fd == -1) {
		perror("hostile_http");
		return 1;
	}
	pfd.events = POLLIN;
	while (!stop) {
		reap();
		if (poll(&pfd, 1, 500) == 1)
			accept_one(pfd.fd, tls, argv[2]);
	}
	for (i = 0; i < CHILDREN_MAX; i++)
		if (kids[i] != 0)
			kill(kids[i], SIGKILL);
	reap();
	SSL_CTX_free(tls);
	return 0;
usage:
	fprintf(stderr, "usage: hostile_http [-c CERT -k KEY] ADDR PORT "
	    "CASE\n");
	return 2;
}
