/*
 * The resolution engine on c-ares.  The only file that includes ares.h.
 * One channel per server and one server per channel, so that c-ares's
 * own retry across servers never blurs which server said what; sockets
 * are watched by loop.c through the socket-state callback, never with
 * select(); timeouts run on a tick timer.  It never prints.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ares.h>

#include "clouddp.h"
#include "dnsmsg.h"
#include "loop.h"
#include "resolve.h"

#define RCVBUF_SIZE	(4 * 1024 * 1024)	/* see dns-engine notes */
#define QCLASS_IN	1
#define QTYPE_A		1
#define QTYPE_NS	2
#define QTYPE_SOA	6
#define QTYPE_AAAA	28
#define WINDOW_START	32	/* names in flight before any answer */
#define WINDOW_DEFAULT	150	/* under a server's socket buffer */
#define MAX_NS		13
#define NS_ADDRS	4

struct zone;

/*
 * Answers c-ares reads and drops without a word: too short for a
 * header, unreadable, under a wrong ID (the question is one asked), or
 * for a question not asked.  A timeout says what came instead.
 */
enum stray {
	STRAY_SHORT,
	STRAY_UNREADABLE,
	STRAY_WRONG_ID,
	STRAY_OTHER_QUESTION,
	STRAY__MAX
};

#define STRAY_KEEP	512	/* bytes of a datagram kept until matched */

struct chan {
	struct resolve		*r;
	ares_channel		 channel;
	char			 label[RESOLVE_LABEL_MAX];
	size_t			 inflight;
	long long		 serial;	/* authoritative servers */
	/* When it last answered (loop_now()): a dead server is not busy. */
	double			 last_answer;
	int			 tcp;		/* fell back to TCP once */
	struct zone		*zone;
	struct chan		*next;		/* every channel */
	/* The last answer read, until an answer callback claims it. */
	unsigned char		 dgram[STRAY_KEEP];
	size_t			 dgram_len;
	int			 dgram_pending;
	int			 dgram_tcp;
	/* The TCP stream, read as c-ares reads it: length, then message. */
	int			 tcp_fd;
	unsigned char		 tcp_lenbuf[2];
	size_t			 tcp_lenpos, tcp_len, tcp_pos;
	unsigned long		 strays[STRAY__MAX];
	char			 stray_question[DNSMSG_NAME_MAX + 24];
};

enum check_state {
	CHECK_FIRST,	/* the subject itself */
	CHECK_CHAIN,	/* the end of the CNAME chain, A or AAAA */
	CHECK_DONE
};

struct job;

struct check {
	struct job		*job;
	struct chan		*chan;
	struct resolve_result	*res;
	enum check_state	 state;
	char			 qname[DNSMSG_NAME_MAX];
	int			 qtype;
	int			 aaaa_asked;
	int			 vip_hit;	/* among all addresses */
	unsigned long		 strays0[STRAY__MAX]; /* when sent */
};

enum job_state {
	JOB_ZONE,	/* authoritative: finding the zone */
	JOB_WAIT,	/* authoritative: waiting for the zone's servers */
	JOB_CHECK
};

struct job {
	struct resolve		*r;
	enum job_state		 state;
	struct resolve_name	 in;
	int			 vip_family;
	unsigned char		 vip[16];
	size_t			 npending;
	size_t			 nchecks;
	struct check		*checks;
	struct resolve_result	*results;
	struct job		*prev, *next;	/* live jobs */
	struct job		*wait_next;	/* a zone's waiting list */
};

enum zone_state {
	ZONE_NS,
	ZONE_ADDR,
	ZONE_SERIAL,
	ZONE_READY,
	ZONE_FAILED
};

struct zone_ns {
	struct zone		*zone;
	char			 name[DNSMSG_NAME_MAX];
	char			 addrs[NS_ADDRS][RESOLVE_ADDR_MAX];
	size_t			 naddrs;
};

struct zone {
	struct resolve		*r;
	char			 name[DNSMSG_NAME_MAX];
	enum zone_state		 state;
	struct zone_ns		 ns[MAX_NS];
	size_t			 nns;
	struct chan		**chans;
	size_t			 nchans;
	size_t			 npending;
	struct job		*waiting;
	struct resolve_result	 failure;
	struct zone		*next;
};

struct resolve {
	struct loop		*loop;
	struct resolve_cfg	 cfg;
	struct chan		*chans;		/* all, newest first */
	struct chan		**base;		/* the resolvers */
	size_t			 nbase;
	struct zone		*zones;
	struct job		*jobs;
	size_t			 inflight;	/* names */
	double			 cwnd;		/* names let in flight */
	double			 ssthresh;
	double			 last_cut;
	unsigned long long	 nqueries;
	unsigned long long	 ntimeouts;
	struct loop_timer	*tick;
	double			 tick_s;
	resolve_next_cb		 next_cb;
	resolve_done_cb		 done_cb;
	void			*cb_arg;
	int			 eof;
	int			 running;	/* inside resolve_run */
	int			 pumping;
	int			 failed;
	struct clouddp_err	 err;
};

static const char *const verdict_names[RESOLVE__MAX] = {
	"ok", "indirect", "not_authoritative", "wrong_target", "no_cname",
	"nxdomain", "nodata", "servfail", "refused", "timeout", "loop",
	"chain_too_long", "dangling_cname", "wrong_vip", "bad_answer"
};

static int
name_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static void	 pump(struct resolve *);
static void	 check_send(struct check *, const char *, int);
static void	 job_dispatch(struct job *, struct zone *);

/* Copy src into dst of size len, cut short if it must be. */
static void
text_copy(char *dst, size_t len, const char *src)
{
	size_t	 n;

	n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
dns_global_init(struct clouddp_err *err)
{
	int	 rc;

	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot initialise c-ares: %s", ares_strerror(rc));
	return 0;
}

void
dns_global_cleanup(void)
{
	ares_library_cleanup();
}

const char *
resolve_verdict_name(enum resolve_verdict v)
{
	return v < RESOLVE__MAX ? verdict_names[v] : "unknown";
}

enum clouddp_status
resolve_verdict_status(enum resolve_verdict v)
{
	switch (v) {
	case RESOLVE_OK:
		return CLOUDDP_STATUS_OK;
	case RESOLVE_INDIRECT:
	case RESOLVE_NOT_AUTHORITATIVE:
		return CLOUDDP_STATUS_WARNING;
	default:
		return CLOUDDP_STATUS_CRITICAL;
	}
}

int
resolve_name_set(struct resolve_name *n, const char *name,
    const char *target, const char *vip, struct clouddp_err *err)
{
	unsigned char	 buf[16];

	memset(n, 0, sizeof(*n));
	if (dnsmsg_name_canon(name, n->name, sizeof(n->name)) == -1)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give a fully qualified name such as dp1.contoso.com",
		    "%s: not a valid DNS name", name);
	if (target != NULL && target[0] != '\0' &&
	    dnsmsg_name_canon(target, n->target, sizeof(n->target)) == -1)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the target such as 0123abcd.cloudapp.net",
		    "%s: not a valid CNAME target", target);
	if (vip != NULL && vip[0] != '\0') {
		if (inet_pton(AF_INET, vip, buf) != 1 &&
		    inet_pton(AF_INET6, vip, buf) != 1)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "give the VIP as an IPv4 or IPv6 address",
			    "%s: not an IP address", vip);
		snprintf(n->vip, sizeof(n->vip), "%s", vip);
	}
	return 0;
}

/* Answers c-ares drops ----------------------------------------------------- */

static int
zone_asked(const struct zone *z, const struct chan *c, const char *name,
    unsigned type)
{
	size_t	 i;

	switch (z->state) {
	case ZONE_NS:
		return c == z->r->base[0] && type == QTYPE_NS &&
		    name_eq(z->name, name);
	case ZONE_ADDR:
		for (i = 0; c == z->r->base[0] && type == QTYPE_A &&
		    i < z->nns; i++)
			if (name_eq(z->ns[i].name, name))
				return 1;
		return 0;
	case ZONE_SERIAL:
		return c->zone == z && type == QTYPE_SOA &&
		    name_eq(z->name, name);
	default:
		return 0;
	}
}

/* Is name/type (class IN) a question in flight on c? */
static int
asked(const struct chan *c, const char *name, unsigned type)
{
	const struct resolve	*r = c->r;
	const struct check	*ck;
	const struct job	*j;
	const struct zone	*z;
	const char		*parent;
	size_t			 i;

	for (j = r->jobs; j != NULL; j = j->next) {
		for (i = 0; j->state == JOB_CHECK && i < j->nchecks; i++) {
			ck = &j->checks[i];
			if (ck->chan == c && ck->state != CHECK_DONE &&
			    (unsigned)ck->qtype == type &&
			    name_eq(ck->qname, name))
				return 1;
		}
		parent = strchr(j->in.name, '.');
		if (j->state == JOB_ZONE && c == r->base[0] &&
		    type == QTYPE_SOA && name_eq(parent != NULL ? parent + 1 :
		    j->in.name, name))
			return 1;
	}
	for (z = r->zones; z != NULL; z = z->next)
		if (zone_asked(z, c, name, type))
			return 1;
	return 0;
}

static const char *
type_text(unsigned type, char *buf, size_t len)
{
	static const struct {
		unsigned	 n;
		const char	*name;
	} types[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" },
		{ 16, "TXT" }, { 28, "AAAA" }, { 255, "ANY" }
	};
	size_t	 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].n == type)
			return types[i].name;
	snprintf(buf, len, "TYPE%u", type);
	return buf;
}

/* The datagram c-ares read last went to no query: count it, by kind. */
static void
stray_count(struct chan *c)
{
	char		 name[DNSMSG_NAME_MAX], tb[16];
	unsigned	 type, class;
	int		 tc;

	c->dgram_pending = 0;
	if (c->dgram_len < 12) {
		c->strays[STRAY_SHORT]++;
		return;
	}
	if (dnsmsg_question(c->dgram, c->dgram_len < STRAY_KEEP ?
	    c->dgram_len : STRAY_KEEP, name, sizeof(name), &type,
	    &class) == -1) {
		c->strays[STRAY_UNREADABLE]++;
		return;
	}
	/* Truncated, or over 512 bytes: c-ares may be asking again over
	 * TCP, with no callback to claim the datagram. */
	tc = !c->dgram_tcp && ((c->dgram[2] & 0x02) != 0 ||
	    c->dgram_len > STRAY_KEEP);
	if (class == QCLASS_IN && asked(c, name, type)) {
		if (!tc)
			c->strays[STRAY_WRONG_ID]++;
		return;
	}
	c->strays[STRAY_OTHER_QUESTION]++;
	if (c->stray_question[0] == '\0')
		snprintf(c->stray_question, sizeof(c->stray_question),
		    "%s %s%s", name, type_text(type, tb, sizeof(tb)),
		    class == QCLASS_IN ? "" : class == 3 ? " CH" : " class?");
}

/*
 * The socket functions of every channel: c-ares's own, but each
 * datagram read is kept until an answer callback claims it (see
 * answer_get); one that none claims is a stray.  Sockets are set up as
 * c-ares would: non-blocking, close-on-exec, a large receive buffer.
 */
static ares_socket_t
sock_open(int family, int type, int protocol, void *arg)
{
	struct chan	*c = arg;
	int		 fd, size = RCVBUF_SIZE, one = 1;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd == -1)
		return ARES_SOCKET_BAD;
	if (type == SOCK_STREAM) {
		c->tcp_fd = fd;
		c->tcp_lenpos = 0;
	}
	/* Best effort, as with c-ares: the kernel may cap the size. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	return fd;
}

static int
sock_close(ares_socket_t fd, void *arg)
{
	struct chan	*c = arg;

	if (fd == c->tcp_fd)
		c->tcp_fd = -1;
	return close(fd);
}

/* n bytes c-ares read from its TCP stream: a whole message is kept. */
static void
tcp_track(struct chan *c, const unsigned char *buf, size_t n)
{
	size_t	 keep;

	if (c->tcp_lenpos < 2 && n > 2 - c->tcp_lenpos) {
		c->tcp_fd = -1;		/* not read as expected: let it be */
		return;
	}
	if (c->tcp_lenpos < 2) {
		memcpy(c->tcp_lenbuf + c->tcp_lenpos, buf, n);
		c->tcp_lenpos += n;
		c->tcp_len = (size_t)c->tcp_lenbuf[0] << 8 | c->tcp_lenbuf[1];
		c->tcp_pos = 0;
		return;
	}
	keep = c->tcp_pos < sizeof(c->dgram) ? sizeof(c->dgram) -
	    c->tcp_pos : 0;
	memcpy(c->dgram + c->tcp_pos, buf, n < keep ? n : keep);
	c->tcp_pos += n;
	if (c->tcp_pos < c->tcp_len)
		return;
	c->dgram_len = c->tcp_len;
	c->dgram_tcp = 1;
	c->dgram_pending = 1;
	c->tcp_lenpos = 0;
}

static int
sock_connect(ares_socket_t fd, const struct sockaddr *sa,
    ares_socklen_t len, void *arg)
{
	(void)arg;
	return connect(fd, sa, len);
}

static ares_ssize_t
sock_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
    struct sockaddr *from, ares_socklen_t *fromlen, void *arg)
{
	struct chan	*c = arg;
	ssize_t		 n;

	if (c->dgram_pending)
		stray_count(c);
	n = recvfrom(fd, buf, len, flags, from, fromlen);
	/* c-ares reads UDP with a source address, TCP without, asking
	 * for the length, then for the rest of the message. */
	if (n > 0 && from == NULL && fd == c->tcp_fd &&
	    (c->tcp_lenpos < 2 || c->tcp_pos + (size_t)n <= c->tcp_len))
		tcp_track(c, buf, (size_t)n);
	else if (n > 0 && from != NULL) {
		c->dgram_len = (size_t)n;
		c->dgram_tcp = 0;
		memcpy(c->dgram, buf, (size_t)n < sizeof(c->dgram) ?
		    (size_t)n : sizeof(c->dgram));
		c->dgram_pending = 1;
	}
	return n;
}

static ares_ssize_t
sock_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *arg)
{
	struct msghdr	 mh;

	(void)arg;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = (struct iovec *)(uintptr_t)iov;
	mh.msg_iovlen = (size_t)n;
	/* A server that hangs up must not kill us with SIGPIPE. */
	return sendmsg(fd, &mh, MSG_NOSIGNAL);
}

static const struct ares_socket_functions sock_funcs = {
	sock_open, sock_close, sock_connect, sock_recvfrom, sock_sendv
};

/*
 * What came instead of an answer, since since[] (NULL: ever), as a
 * clause for a timeout's note; "" when nothing came.
 */
static void
stray_text(const struct chan *c, const unsigned long *since, char *buf,
    size_t len)
{
	static const char *const what[STRAY__MAX] = {
		"too short for a header", "unreadable", "under a wrong ID",
		"for another question"
	};
	unsigned long	 n[STRAY__MAX], total = 0;
	size_t		 used;
	int		 k;

	buf[0] = '\0';
	for (k = 0; k < STRAY__MAX; k++) {
		n[k] = c->strays[k] - (since != NULL ? since[k] : 0);
		total += n[k];
	}
	if (total == 0)
		return;
	used = (size_t)snprintf(buf, len, "; the server sent %lu answer%s "
	    "that matched no query:", total, total == 1 ? "" : "s");
	for (k = 0; k < STRAY__MAX && used < len; k++)
		if (n[k] > 0)
			used += (size_t)snprintf(buf + used, len - used,
			    " %lu %s%s%s%s,", n[k], what[k],
			    k == STRAY_OTHER_QUESTION ? " (" : "",
			    k == STRAY_OTHER_QUESTION ? c->stray_question :
			    "", k == STRAY_OTHER_QUESTION ? ")" : "");
	if (used < len)
		buf[used - 1] = '\0';		/* the last comma */
}

/* Channels and sockets ------------------------------------------------ */

static void
on_fd(void *arg, int fd, int ready)
{
	struct chan	*c = arg;

	ares_process_fd(c->channel,
	    (ready & (LOOP_READ | LOOP_ERROR)) ? fd : ARES_SOCKET_BAD,
	    (ready & LOOP_WRITE) ? fd : ARES_SOCKET_BAD);
	if (c->dgram_pending)
		stray_count(c);
}

static void
on_sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct chan	*c = arg;
	int		 events;

	events = (readable ? LOOP_READ : 0) | (writable ? LOOP_WRITE : 0);
	/* c-ares 1.18 waits to write on TCP sockets only. */
	if (writable)
		c->tcp = 1;
	/* Only ENOMEM can fail; c-ares then times the query out. */
	loop_fd_set(c->r->loop, fd, events, on_fd, c, NULL);
}

/* Timeouts: c-ares checks them in ares_process_fd with no descriptor. */
static void
on_tick(void *arg)
{
	struct resolve	*r = arg;
	struct chan	*c;

	r->tick = NULL;
	for (c = r->chans; c != NULL; c = c->next)
		if (c->inflight > 0)
			ares_process_fd(c->channel, ARES_SOCKET_BAD,
			    ARES_SOCKET_BAD);
	if (r->inflight > 0 && r->tick == NULL)
		r->tick = loop_timer_add(r->loop, r->tick_s, on_tick, r, NULL);
}

static struct chan *
chan_new(struct resolve *r, const char *csv, const char *label, int norec,
    struct clouddp_err *err)
{
	struct ares_options	 o;
	struct chan		*c;
	int			 rc;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	c->r = r;
	c->serial = -1;
	c->tcp_fd = -1;
	snprintf(c->label, sizeof(c->label), "%s", label);
	memset(&o, 0, sizeof(o));
	/* NOCHECKRESP: SERVFAIL and REFUSED are findings, not retries. */
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH |
	    (norec ? ARES_FLAG_NORECURSE : 0);
	o.timeout = (int)(r->cfg.timeout * 1000);
	o.tries = r->cfg.tries;
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = c;
	rc = ares_init_options(&c->channel, &o, ARES_OPT_FLAGS |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
	if (rc == ARES_SUCCESS) {
		ares_set_socket_functions(c->channel, &sock_funcs, c);
		rc = ares_set_servers_ports_csv(c->channel, csv);
	}
	if (rc != ARES_SUCCESS) {
		clouddp_errf(err, CLOUDDP_EDNS, NULL, "%s: c-ares: %s",
		    label, ares_strerror(rc));
		if (c->channel != NULL)
			ares_destroy(c->channel);
		free(c);
		return NULL;
	}
	c->next = r->chans;
	r->chans = c;
	return c;
}

/* "ADDR:PORT" for c-ares and as a label; IPv6 in brackets. */
static int
server_csv(const char *addr, unsigned port, char *out, size_t len)
{
	unsigned char	 buf[16];
	int		 n;

	if (inet_pton(AF_INET, addr, buf) == 1)
		n = snprintf(out, len, "%s:%u", addr, port);
	else if (inet_pton(AF_INET6, addr, buf) == 1)
		n = snprintf(out, len, "[%s]:%u", addr, port);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Split "ADDR[:PORT]", "[V6]:PORT" or a bare IPv6 address. */
static int
server_parse(const char *arg, unsigned defport, unsigned forceport,
    char *out, size_t len)
{
	char		 addr[RESOLVE_ADDR_MAX + 2];
	const char	*colon, *end;
	char		*ep;
	unsigned long	 port = defport;

	colon = strrchr(arg, ':');
	if (arg[0] == '[') {
		end = strchr(arg, ']');
		if (end == NULL || (size_t)(end - arg - 1) >= sizeof(addr))
			return -1;
		memcpy(addr, arg + 1, (size_t)(end - arg - 1));
		addr[end - arg - 1] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else if (colon != NULL && strchr(arg, ':') == colon) {
		if ((size_t)(colon - arg) >= sizeof(addr))
			return -1;
		memcpy(addr, arg, (size_t)(colon - arg));
		addr[colon - arg] = '\0';
	} else {
		colon = NULL;
		snprintf(addr, sizeof(addr), "%s", arg);
	}
	if (colon != NULL) {
		port = strtoul(colon + 1, &ep, 10);
		if (colon[1] == '\0' || *ep != '\0' || port == 0 ||
		    port > 65535)
			return -1;
	}
	if (forceport != 0)
		port = forceport;
	return server_csv(addr, (unsigned)port, out, len);
}

static int
base_add(struct resolve *r, const char *csv, struct clouddp_err *err)
{
	struct chan	**p, *c;

	p = reallocarray(r->base, r->nbase + 1, sizeof(*p));
	if (p == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	r->base = p;
	c = chan_new(r, csv, csv, 0, err);
	if (c == NULL)
		return -1;
	r->base[r->nbase++] = c;
	return 0;
}

/* The system's resolvers, as c-ares reads them from resolv.conf. */
static int
base_system(struct resolve *r, struct clouddp_err *err)
{
	struct ares_addr_port_node	*list = NULL, *s;
	ares_channel			 ch = NULL;
	char				 addr[RESOLVE_ADDR_MAX], csv[64];
	int				 rc = -1;

	if (ares_init(&ch) != ARES_SUCCESS ||
	    ares_get_servers_ports(ch, &list) != ARES_SUCCESS) {
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "check /etc/resolv.conf or pass --resolver",
		    "cannot read the system's resolvers");
		goto out;
	}
	for (s = list; s != NULL; s = s->next) {
		if (inet_ntop(s->family, &s->addr, addr, sizeof(addr)) ==
		    NULL || server_csv(addr, r->cfg.port != 0 ? r->cfg.port :
		    (s->udp_port != 0 ? (unsigned)s->udp_port : 53), csv,
		    sizeof(csv)) == -1)
			continue;
		if (base_add(r, csv, err) == -1)
			goto out;
	}
	if (r->nbase == 0) {
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "add a nameserver line to /etc/resolv.conf or pass "
		    "--resolver", "no resolver configured");
		goto out;
	}
	rc = 0;
out:
	ares_free_data(list);
	if (ch != NULL)
		ares_destroy(ch);
	return rc;
}

struct resolve *
resolve_new(struct loop *loop, const struct resolve_cfg *cfg,
    struct clouddp_err *err)
{
	struct resolve	*r;
	char		 csv[64];
	size_t		 i;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	r->loop = loop;
	r->cfg = *cfg;
	if (r->cfg.timeout <= 0)
		r->cfg.timeout = 1;
	if (r->cfg.tries <= 0)
		r->cfg.tries = 3;
	if (r->cfg.window == 0)
		r->cfg.window = WINDOW_DEFAULT;
	r->cwnd = r->cfg.window < WINDOW_START ? r->cfg.window : WINDOW_START;
	r->ssthresh = r->cfg.window;
	/* Timeouts are seen within a tick: a twentieth of the timeout. */
	r->tick_s = r->cfg.timeout / 20 < 0.05 ? r->cfg.timeout / 20 : 0.05;
	for (i = 0; i < cfg->nservers; i++) {
		/* --port wins over a port given with the address. */
		if (server_parse(cfg->servers[i], 53, cfg->port, csv,
		    sizeof(csv)) == -1) {
			clouddp_errf(err, CLOUDDP_EUSAGE,
			    "give an IP address with an optional port, e.g. "
			    "192.0.2.53:5300 or [2001:db8::53]:53",
			    "--resolver %s: not an address", cfg->servers[i]);
			goto fail;
		}
		if (base_add(r, csv, err) == -1)
			goto fail;
	}
	if (cfg->nservers == 0 && base_system(r, err) == -1)
		goto fail;
	return r;
fail:
	resolve_free(r);
	return NULL;
}

void
resolve_free(struct resolve *r)
{
	struct chan	*c, *cnext;
	struct zone	*z, *znext;
	struct job	*j, *jnext;

	if (r == NULL)
		return;
	/* Callbacks see ARES_EDESTRUCTION and touch nothing. */
	for (c = r->chans; c != NULL; c = c->next)
		ares_destroy(c->channel);
	for (c = r->chans; c != NULL; c = cnext) {
		cnext = c->next;
		free(c);
	}
	for (j = r->jobs; j != NULL; j = jnext) {
		jnext = j->next;
		free(j->checks);
		free(j->results);
		free(j);
	}
	for (z = r->zones; z != NULL; z = znext) {
		znext = z->next;
		free(z->chans);
		free(z);
	}
	if (r->tick != NULL)
		loop_timer_cancel(r->loop, r->tick);
	free(r->base);
	free(r);
}

size_t
resolve_nservers(const struct resolve *r)
{
	return r->nbase;
}

const char *
resolve_server(const struct resolve *r, size_t i)
{
	return i < r->nbase ? r->base[i]->label : NULL;
}

void
resolve_stats_get(const struct resolve *r, struct resolve_stats *st)
{
	st->queries = r->nqueries;
	st->timeouts = r->ntimeouts;
}

/* Queries ----------------------------------------------------------------- */

static void
query(struct chan *c, const char *name, int type, ares_callback cb,
    void *arg)
{
	struct resolve	*r = c->r;

	c->inflight++;
	r->nqueries++;
	if (r->tick == NULL)
		r->tick = loop_timer_add(r->loop, r->tick_s, on_tick, r, NULL);
	/* May call cb at once (no memory, say): callers send last. */
	ares_query(c->channel, name, QCLASS_IN, type, cb, arg);
}

/*
 * What a timeout waited for.  c-ares 1.18 doubles the wait each round
 * (timeout << try, one server per channel), so -t 2 --tries 2 is 2 s
 * then 4 s.  After a truncated answer it asks over TCP and does not ask
 * again on the same connection.
 */
static void
timeout_text(const struct chan *c, char *buf, size_t len)
{
	double	 t = c->r->cfg.timeout, total = 0;
	size_t	 used;
	int	 i, n = c->r->cfg.tries;

	if (c->tcp) {
		snprintf(buf, len, "the UDP answer was truncated, and no "
		    "answer came over TCP in time");
		return;
	}
	for (i = 0; i < n; i++)
		total += t * (1 << i);
	if (n == 1) {
		snprintf(buf, len, "no answer within %gs (1 try)", t);
		return;
	}
	used = (size_t)snprintf(buf, len, "no answer within %gs (%d tries: ",
	    total, n);
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%gs",
		    i == 0 ? "" : i == n - 1 ? " then " : ", ", t * (1 << i));
	if (used < len)
		snprintf(buf + used, len - used, ")");
}

/* A response, to a standard query: else not an answer to use. */
static int
answer_kind_ok(const struct dnsmsg *msg, struct resolve_result *res)
{
	if (!msg->qr)
		snprintf(res->note, sizeof(res->note), "the server sent back "
		    "a query (QR bit clear), not an answer");
	else if (msg->opcode != 0)
		snprintf(res->note, sizeof(res->note), "the answer has opcode "
		    "%d, not QUERY (0)", msg->opcode);
	else
		return 1;
	res->rcode = msg->rcode;
	res->verdict = RESOLVE_BAD_ANSWER;
	return 0;
}

/*
 * An answer or its absence as a message.  Returns 1 with msg parsed, 0
 * when there is none (res says why), -1 on ARES_EDESTRUCTION.  A
 * timeout says what the server sent instead, since since[] (the stray
 * counts when the query was sent; NULL: ever).
 */
static int
answer_get(struct chan *c, int status, const unsigned char *abuf,
    int alen, struct dnsmsg *msg, struct resolve_result *res,
    const unsigned long *since)
{
	struct clouddp_err	 err;
	char			 strays[sizeof(res->note)];
	size_t			 used;

	if (status == ARES_EDESTRUCTION)
		return -1;
	c->inflight--;
	if (abuf != NULL && alen > 0) {
		c->dgram_pending = 0;		/* not a stray */
		if (dnsmsg_parse(msg, abuf, (size_t)alen, &err) == 0) {
			if (answer_kind_ok(msg, res))
				return 1;
			dnsmsg_clear(msg);
			return 0;
		}
		/* The server did answer: keep the header's rcode. */
		if (alen >= 4)
			res->rcode = abuf[3] & 0x0f;
		res->verdict = RESOLVE_BAD_ANSWER;
		text_copy(res->note, sizeof(res->note), err.what);
		return 0;
	}
	if (status == ARES_ETIMEOUT) {
		res->verdict = RESOLVE_TIMEOUT;
		timeout_text(c, res->note, sizeof(res->note));
		stray_text(c, since, strays, sizeof(strays));
		used = strlen(res->note);
		snprintf(res->note + used, sizeof(res->note) - used, "%s",
		    strays);
		return 0;
	}
	res->verdict = RESOLVE_BAD_ANSWER;
	/* c-ares says ECONNREFUSED for a TCP connection closed unanswered. */
	snprintf(res->note, sizeof(res->note), "%s",
	    status != ARES_ECONNREFUSED ? ares_strerror(status) : c->tcp ?
	    "the UDP answer was truncated, and the server closed the TCP "
	    "connection without answering" :
	    "connection refused: nothing listens on that port");
	return 0;
}

/* Map a failing rcode to a verdict; RESOLVE__MAX for NOERROR. */
static enum resolve_verdict
rcode_verdict(int rcode, int chained, struct resolve_result *res)
{
	char	 name[16];

	switch (rcode) {
	case DNSMSG_RCODE_NOERROR:
		return RESOLVE__MAX;
	case DNSMSG_RCODE_NXDOMAIN:
		return chained ? RESOLVE_DANGLING_CNAME : RESOLVE_NXDOMAIN;
	case DNSMSG_RCODE_SERVFAIL:
		return RESOLVE_SERVFAIL;
	case DNSMSG_RCODE_REFUSED:
		return RESOLVE_REFUSED;
	default:
		snprintf(res->note, sizeof(res->note), "the server answered "
		    "%s", dnsmsg_rcode_name(rcode, name, sizeof(name)));
		return RESOLVE_BAD_ANSWER;
	}
}

/* The negative-caching time of RFC 2308 section 5, from the SOA. */
static void
neg_ttl_set(const struct dnsmsg *msg, struct resolve_result *res)
{
	size_t	 i;

	for (i = 0; i < msg->nauthority; i++)
		if (msg->authority[i].type == DNSMSG_T_SOA) {
			res->neg_ttl = msg->authority[i].ttl <
			    msg->authority[i].minimum ? msg->authority[i].ttl :
			    msg->authority[i].minimum;
			return;
		}
}

/* Jobs -------------------------------------------------------------------- */

static void
job_finish(struct job *j)
{
	struct resolve	*r = j->r;

	r->done_cb(r->cb_arg, &j->in, j->results, j->nchecks);
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		r->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	free(j->checks);
	free(j->results);
	free(j);
	r->inflight--;
	pump(r);
}

static int
job_alloc(struct job *j, size_t n)
{
	size_t	 i;

	j->checks = calloc(n, sizeof(*j->checks));
	j->results = calloc(n, sizeof(*j->results));
	if (j->checks == NULL || j->results == NULL)
		return -1;
	j->nchecks = n;
	for (i = 0; i < n; i++) {
		j->checks[i].job = j;
		j->checks[i].res = &j->results[i];
		j->results[i].rcode = -1;
		j->results[i].neg_ttl = -1;
		j->results[i].serial = -1;
		j->results[i].aa = -1;
	}
	return 0;
}

/* A subject that could not be checked on any server: one result. */
static void
job_fail(struct job *j, const struct resolve_result *why)
{
	free(j->checks);
	free(j->results);
	j->checks = NULL;
	j->results = NULL;
	j->nchecks = 0;
	if (job_alloc(j, 1) == 0)
		j->results[0] = *why;
	job_finish(j);
}

/* Checks: one subject on one server -------------------------------------- */

static void
check_finish(struct check *ck, enum resolve_verdict v, int stage)
{
	struct job	*j = ck->job;

	ck->res->verdict = v;
	ck->res->stage = stage;
	ck->state = CHECK_DONE;
	if (--j->npending == 0)
		job_finish(j);
}

static const char *
chain_end(const struct check *ck)
{
	const struct resolve_result	*res = ck->res;

	return res->nhops > 0 ? res->hops[res->nhops - 1].target :
	    ck->job->in.name;
}

/*
 * Follow the CNAMEs of the answer from the end of the chain so far.
 * Returns RESOLVE__MAX, or RESOLVE_LOOP or RESOLVE_CHAIN_TOO_LONG.
 */
static enum resolve_verdict
chain_follow(struct check *ck, const struct dnsmsg *msg)
{
	struct resolve_result	*res = ck->res;
	const struct dnsmsg_rr	*rr;
	size_t			 i, k;
	int			 seen;

	for (;;) {
		rr = NULL;
		for (i = 0; i < msg->nanswer && rr == NULL; i++)
			if (msg->answer[i].type == DNSMSG_T_CNAME &&
			    name_eq(msg->answer[i].owner, chain_end(ck)))
				rr = &msg->answer[i];
		if (rr == NULL)
			return RESOLVE__MAX;
		seen = name_eq(rr->data, ck->job->in.name);
		for (k = 0; k < res->nhops && !seen; k++)
			seen = name_eq(rr->data, res->hops[k].target);
		if (!seen && res->nhops == RESOLVE_MAX_HOPS)
			return RESOLVE_CHAIN_TOO_LONG;
		/* hops has one spare slot to show where a loop closes. */
		snprintf(res->hops[res->nhops].target,
		    sizeof(res->hops[0].target), "%s", rr->data);
		res->hops[res->nhops++].ttl = rr->ttl;
		if (seen)
			return RESOLVE_LOOP;
	}
}

/* Is text the expected VIP?  Compared as addresses, not as text. */
static int
vip_is(const struct job *j, const char *text)
{
	unsigned char	 buf[16];

	if (j->vip_family == 0 || inet_pton(j->vip_family, text, buf) != 1)
		return 0;
	return memcmp(buf, j->vip, j->vip_family == AF_INET ? 4 : 16) == 0;
}

static void
addrs_collect(struct check *ck, const struct dnsmsg *msg)
{
	struct resolve_result	*res = ck->res;
	enum dnsmsg_type	 want;
	size_t			 i, k;
	int			 dup;

	want = ck->qtype == QTYPE_AAAA ? DNSMSG_T_AAAA : DNSMSG_T_A;
	for (i = 0; i < msg->nanswer; i++) {
		if (msg->answer[i].type != want ||
		    !name_eq(msg->answer[i].owner, chain_end(ck)))
			continue;
		if (vip_is(ck->job, msg->answer[i].data))
			ck->vip_hit = 1;
		for (dup = 0, k = 0; k < res->naddrs && !dup; k++)
			dup = name_eq(res->addrs[k], msg->answer[i].data);
		if (dup)
			continue;
		if (res->naddrs == RESOLVE_MAX_ADDRS) {
			res->nmore++;
			continue;
		}
		if (res->naddrs == 0 || msg->answer[i].ttl < res->addr_ttl)
			res->addr_ttl = msg->answer[i].ttl;
		text_copy(res->addrs[res->naddrs++], RESOLVE_ADDR_MAX,
		    msg->answer[i].data);
	}
}

/*
 * Answer records owned by none of the names asked about are ignored (a
 * server may not speak for other names); when nothing else came, the
 * note says so rather than leave a bare nodata.
 */
static void
others_note(struct check *ck, const struct dnsmsg *msg)
{
	struct resolve_result	*res = ck->res;
	const char		*first = NULL;
	size_t			 i, k, n = 0;
	int			 ours;

	if (res->note[0] != '\0' || res->naddrs > 0)
		return;
	for (i = 0; i < msg->nanswer; i++) {
		ours = name_eq(msg->answer[i].owner, ck->job->in.name);
		for (k = 0; k < res->nhops && !ours; k++)
			ours = name_eq(msg->answer[i].owner,
			    res->hops[k].target);
		if (ours)
			continue;
		if (first == NULL)
			first = msg->answer[i].owner;
		n++;
	}
	if (n > 0)
		snprintf(res->note, sizeof(res->note), "ignored %zu answer "
		    "record%s owned by %s%s, not by the name asked", n,
		    n == 1 ? "" : "s", first, n == 1 ? "" : " and others");
}

/* Index of the hop that reaches the expected target, -1 if none. */
static int
target_hop(const struct check *ck)
{
	const struct resolve_result	*res = ck->res;
	size_t				 i;

	for (i = 0; i < res->nhops; i++)
		if (name_eq(res->hops[i].target, ck->job->in.target))
			return (int)i;
	return -1;
}

/* Both stages are in: the verdict of a resolver. */
static void
check_judge(struct check *ck)
{
	int	 hop = 0;

	if (ck->job->in.target[0] != '\0') {
		hop = target_hop(ck);
		if (hop == -1) {
			check_finish(ck, RESOLVE_WRONG_TARGET, 1);
			return;
		}
	}
	if (ck->res->naddrs == 0)
		check_finish(ck, RESOLVE_NODATA, 2);
	else if (ck->job->in.vip[0] != '\0' && !ck->vip_hit)
		check_finish(ck, RESOLVE_WRONG_VIP, 2);
	else
		check_finish(ck, hop > 0 ? RESOLVE_INDIRECT : RESOLVE_OK, 2);
}

/* An authoritative server answers for its zone only: stage 1. */
static void
check_judge_auth(struct check *ck, const struct dnsmsg *msg)
{
	int	 hop = 0;

	if (ck->res->nhops == 0) {
		if (ck->res->naddrs == 0)
			neg_ttl_set(msg, ck->res);
		check_finish(ck, ck->res->naddrs > 0 ? RESOLVE_NO_CNAME :
		    RESOLVE_NODATA, 1);
		return;
	}
	if (ck->job->in.target[0] != '\0')
		hop = target_hop(ck);
	if (hop == -1)
		check_finish(ck, RESOLVE_WRONG_TARGET, 1);
	else if (!msg->aa)
		check_finish(ck, RESOLVE_NOT_AUTHORITATIVE, 1);
	else
		check_finish(ck, hop > 0 ? RESOLVE_INDIRECT : RESOLVE_OK, 1);
}

static void
check_step(struct check *ck, const struct dnsmsg *msg)
{
	struct resolve_result	*res = ck->res;
	enum resolve_verdict	 v;
	const char		*end;

	res->rcode = msg->rcode;
	if (ck->state == CHECK_FIRST)
		res->aa = msg->aa;
	v = chain_follow(ck, msg);
	if (v != RESOLVE__MAX) {
		check_finish(ck, v, 1);
		return;
	}
	addrs_collect(ck, msg);
	others_note(ck, msg);
	v = rcode_verdict(msg->rcode, res->nhops > 0, res);
	if (v != RESOLVE__MAX) {
		if (v == RESOLVE_NXDOMAIN || v == RESOLVE_DANGLING_CNAME)
			neg_ttl_set(msg, res);
		check_finish(ck, v, res->nhops > 0 ? 2 : 1);
		return;
	}
	if (ck->job->r->cfg.authoritative) {
		check_judge_auth(ck, msg);
		return;
	}
	if (ck->state == CHECK_FIRST && res->nhops == 0) {
		if (res->naddrs == 0)
			neg_ttl_set(msg, res);
		check_finish(ck, res->naddrs > 0 ? RESOLVE_NO_CNAME :
		    RESOLVE_NODATA, 1);
		return;
	}
	ck->state = CHECK_CHAIN;
	end = chain_end(ck);
	/* A CNAME-only answer (BIND without the target's zone): ask on. */
	if (res->naddrs == 0 && !name_eq(end, ck->qname))
		check_send(ck, end, ck->qtype);
	else if (!ck->aaaa_asked && (res->naddrs == 0 ||
	    ck->job->r->cfg.aaaa)) {
		ck->aaaa_asked = 1;
		check_send(ck, end, QTYPE_AAAA);
	} else
		check_judge(ck);
}

/*
 * Congestion control of the window, after TCP's (RFC 5681): start small,
 * grow by one name per answer (doubling each round trip) up to ssthresh
 * and by 1/cwnd past it; halve it (to no less than a quarter of the
 * configured window), once per timeout period, when a
 * query needed a retry on a server that still answers.  Without it the
 * first burst of a batch overflows the server's socket buffer, and the
 * lost queries, retried all at once, overflow it again.  A server that
 * answers nothing is dead, not congested, and shrinks nothing.
 */
static void
window_update(struct chan *c, int status, int timeouts)
{
	struct resolve	*r = c->r;
	double		 now, quiet, low;

	if (status == ARES_EDESTRUCTION)
		return;
	r->ntimeouts += (unsigned)timeouts;
	now = loop_now();
	if (timeouts == 0) {
		c->last_answer = now;
		r->cwnd += r->cwnd < r->ssthresh ? 1 : 1 / r->cwnd;
		if (r->cwnd > r->cfg.window)
			r->cwnd = r->cfg.window;
		return;
	}
	if (status != ARES_ETIMEOUT)
		c->last_answer = now;
	quiet = r->cfg.timeout * (1 << r->cfg.tries);
	if (now - c->last_answer > quiet || now - r->last_cut <
	    r->cfg.timeout)
		return;
	/* A floor keeps one slow name from starving a whole batch. */
	low = r->cfg.window / 4.0;
	if (low < WINDOW_START)
		low = WINDOW_START;
	if (low > r->cfg.window)
		low = r->cfg.window;
	r->ssthresh = r->cwnd / 2 > low ? r->cwnd / 2 : low;
	r->cwnd = r->ssthresh;
	r->last_cut = now;
}

static void
on_check_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct check	*ck = arg;
	struct dnsmsg	 msg;
	int		 rc;

	window_update(ck->chan, status, timeouts);
	rc = answer_get(ck->chan, status, abuf, alen, &msg, ck->res,
	    ck->strays0);
	if (rc == -1)
		return;
	if (rc == 0) {
		check_finish(ck, ck->res->verdict, ck->res->nhops > 0 ? 2 : 1);
		return;
	}
	check_step(ck, &msg);
	dnsmsg_clear(&msg);
}

static void
check_send(struct check *ck, const char *name, int qtype)
{
	snprintf(ck->qname, sizeof(ck->qname), "%s", name);
	ck->qtype = qtype;
	memcpy(ck->strays0, ck->chan->strays, sizeof(ck->strays0));
	query(ck->chan, ck->qname, qtype, on_check_answer, ck);
}

/* Start one check per channel; the guard keeps j alive meanwhile. */
static void
job_checks_start(struct job *j, struct chan *const *chans, size_t n)
{
	size_t	 i;
	int	 v6;

	if (job_alloc(j, n) == -1) {
		j->nchecks = 0;
		job_finish(j);
		return;
	}
	v6 = j->vip_family == AF_INET6;
	j->state = JOB_CHECK;
	j->npending = n + 1;
	for (i = 0; i < n; i++) {
		j->checks[i].chan = chans[i];
		j->checks[i].aaaa_asked = v6;
		j->results[i].server = chans[i]->label;
		j->results[i].serial = chans[i]->serial;
		if (chans[i]->zone != NULL)
			j->results[i].zone = chans[i]->zone->name;
		check_send(&j->checks[i], j->in.name, v6 ? QTYPE_AAAA :
		    QTYPE_A);
	}
	if (--j->npending == 0)
		job_finish(j);
}

/* Authoritative mode: the zone, its servers and their serials ------------ */

static void
zone_release(struct zone *z)
{
	struct job	*j;

	while (z->waiting != NULL) {
		j = z->waiting;
		z->waiting = j->wait_next;
		if (z->state == ZONE_READY)
			job_dispatch(j, z);
		else
			job_fail(j, &z->failure);
	}
}

static void
zone_fail(struct zone *z, const struct resolve_result *why,
    const char *step)
{
	char	 note[sizeof(z->failure.note)];

	z->failure = *why;
	z->failure.server = z->r->base[0]->label;
	z->failure.zone = z->name;
	z->failure.stage = 1;
	snprintf(note, sizeof(note), "%s", why->note);
	/* A cut note still says what failed first. */
	if (snprintf(z->failure.note, sizeof(z->failure.note), "%s %s%s%s",
	    step, z->name, note[0] != '\0' ? ": " : "", note) < 0)
		z->failure.note[0] = '\0';
	z->state = ZONE_FAILED;
	zone_release(z);
}

static void
on_zone_serial(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct chan		*c = arg;
	struct zone		*z = c->zone;
	struct resolve_result	 res;
	struct dnsmsg		 msg;
	size_t			 i;
	int			 rc;

	(void)timeouts;
	memset(&res, 0, sizeof(res));
	rc = answer_get(c, status, abuf, alen, &msg, &res,
	    NULL);
	if (rc == -1)
		return;
	for (i = 0; rc == 1 && i < msg.nanswer; i++)
		if (msg.answer[i].type == DNSMSG_T_SOA &&
		    name_eq(msg.answer[i].owner, z->name))
			c->serial = msg.answer[i].serial;
	if (rc == 1)
		dnsmsg_clear(&msg);
	if (--z->npending > 0)
		return;
	z->state = ZONE_READY;
	zone_release(z);
}

static int
zone_chan_add(struct zone *z, const struct zone_ns *ns, const char *addr,
    struct clouddp_err *err)
{
	struct chan	**p, *c;
	char		 csv[64], label[RESOLVE_LABEL_MAX];

	if (server_csv(addr, z->r->cfg.port != 0 ? z->r->cfg.port : 53, csv,
	    sizeof(csv)) == -1)
		return 0;
	snprintf(label, sizeof(label), "%s/%s", ns->name, csv);
	p = reallocarray(z->chans, z->nchans + 1, sizeof(*p));
	if (p == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	z->chans = p;
	c = chan_new(z->r, csv, label, 1, err);
	if (c == NULL)
		return -1;
	c->zone = z;
	z->chans[z->nchans++] = c;
	return 0;
}

/* Every NS host is resolved: one channel per address, then serials. */
static void
zone_servers(struct zone *z)
{
	struct resolve_result	 why;
	struct clouddp_err	 err;
	size_t			 i, k;

	memset(&why, 0, sizeof(why));
	why.rcode = -1;
	why.neg_ttl = -1;
	why.serial = -1;
	for (i = 0; i < z->nns; i++)
		for (k = 0; k < z->ns[i].naddrs; k++)
			if (zone_chan_add(z, &z->ns[i], z->ns[i].addrs[k],
			    &err) == -1) {
				why.verdict = RESOLVE_BAD_ANSWER;
				text_copy(why.note, sizeof(why.note),
				    err.what);
				zone_fail(z, &why, "setting up the servers of");
				return;
			}
	if (z->nchans == 0) {
		why.verdict = RESOLVE_NODATA;
		zone_fail(z, &why, "no address for any NS host of");
		return;
	}
	z->state = ZONE_SERIAL;
	z->npending = z->nchans;
	for (i = 0; i < z->nchans; i++)
		query(z->chans[i], z->name, QTYPE_SOA, on_zone_serial,
		    z->chans[i]);
}

static void
on_zone_addr(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct zone_ns		*ns = arg;
	struct zone		*z = ns->zone;
	struct resolve_result	 res;
	struct dnsmsg		 msg;
	size_t			 i;
	int			 rc;

	(void)timeouts;
	memset(&res, 0, sizeof(res));
	rc = answer_get(z->r->base[0], status, abuf, alen, &msg, &res,
	    NULL);
	if (rc == -1)
		return;
	for (i = 0; rc == 1 && i < msg.nanswer; i++)
		if (msg.answer[i].type == DNSMSG_T_A &&
		    ns->naddrs < NS_ADDRS)
			text_copy(ns->addrs[ns->naddrs++], RESOLVE_ADDR_MAX,
			    msg.answer[i].data);
	if (rc == 1)
		dnsmsg_clear(&msg);
	if (--z->npending == 0)
		zone_servers(z);
}

static void
on_zone_ns(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct zone		*z = arg;
	struct resolve_result	 res;
	struct dnsmsg		 msg;
	size_t			 i;
	int			 rc;

	(void)timeouts;
	memset(&res, 0, sizeof(res));
	res.rcode = -1;
	res.neg_ttl = -1;
	res.serial = -1;
	rc = answer_get(z->r->base[0], status, abuf, alen, &msg, &res,
	    NULL);
	if (rc == -1)
		return;
	for (i = 0; rc == 1 && i < msg.nanswer; i++)
		if (msg.answer[i].type == DNSMSG_T_NS &&
		    name_eq(msg.answer[i].owner, z->name) && z->nns < MAX_NS) {
			z->ns[z->nns].zone = z;
			snprintf(z->ns[z->nns++].name, DNSMSG_NAME_MAX, "%s",
			    msg.answer[i].data);
		}
	if (rc == 1) {
		res.rcode = msg.rcode;
		res.verdict = rcode_verdict(msg.rcode, 0, &res);
		if (res.verdict == RESOLVE__MAX)
			res.verdict = RESOLVE_NODATA;
		dnsmsg_clear(&msg);
	}
	if (z->nns == 0) {
		zone_fail(z, &res, "finding the NS records of");
		return;
	}
	z->state = ZONE_ADDR;
	z->npending = z->nns;
	for (i = 0; i < z->nns; i++)
		query(z->r->base[0], z->ns[i].name, QTYPE_A, on_zone_addr,
		    &z->ns[i]);
}

static void
zone_join(struct job *j, const char *name)
{
	struct resolve	*r = j->r;
	struct zone	*z;

	for (z = r->zones; z != NULL; z = z->next)
		if (name_eq(z->name, name))
			break;
	if (z == NULL) {
		z = calloc(1, sizeof(*z));
		if (z == NULL) {
			j->nchecks = 0;
			job_finish(j);
			return;
		}
		z->r = r;
		snprintf(z->name, sizeof(z->name), "%s", name);
		z->next = r->zones;
		r->zones = z;
		z->state = ZONE_NS;
		j->wait_next = NULL;
		z->waiting = j;
		j->state = JOB_WAIT;
		query(r->base[0], z->name, QTYPE_NS, on_zone_ns, z);
		return;
	}
	if (z->state == ZONE_READY)
		job_dispatch(j, z);
	else if (z->state == ZONE_FAILED)
		job_fail(j, &z->failure);
	else {
		j->state = JOB_WAIT;
		j->wait_next = z->waiting;
		z->waiting = j;
	}
}

/* The SOA of the name's parent names the zone, in the answer when the
 * parent is the apex, in the authority section otherwise. */
static void
on_job_soa(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct job		*j = arg;
	struct resolve_result	 res;
	struct dnsmsg		 msg;
	const char		*zone = NULL;
	size_t			 i, len;
	int			 rc;

	(void)timeouts;
	memset(&res, 0, sizeof(res));
	res.rcode = -1;
	res.neg_ttl = -1;
	res.serial = -1;
	res.server = j->r->base[0]->label;
	res.stage = 1;
	rc = answer_get(j->r->base[0], status, abuf, alen, &msg, &res,
	    NULL);
	if (rc == -1)
		return;
	if (rc == 1) {
		res.rcode = msg.rcode;
		for (i = 0; i < msg.nanswer && zone == NULL; i++)
			if (msg.answer[i].type == DNSMSG_T_SOA)
				zone = msg.answer[i].owner;
		for (i = 0; i < msg.nauthority && zone == NULL; i++)
			if (msg.authority[i].type == DNSMSG_T_SOA)
				zone = msg.authority[i].owner;
		if (zone != NULL)
			zone_join(j, zone);
		else {
			res.verdict = rcode_verdict(msg.rcode, 0, &res);
			if (res.verdict == RESOLVE__MAX)
				res.verdict = RESOLVE_NODATA;
		}
		dnsmsg_clear(&msg);
		if (zone != NULL)
			return;
	}
	len = strlen(res.note);
	if (snprintf(res.note + len, sizeof(res.note) - len,
	    "%sno SOA found for the zone of %s", len > 0 ? "; " : "",
	    j->in.name) < 0)
		res.note[len] = '\0';
	job_fail(j, &res);
}

static void
job_dispatch(struct job *j, struct zone *z)
{
	job_checks_start(j, z->chans, z->nchans);
}

static void
job_start(struct resolve *r, const struct resolve_name *in)
{
	struct job	*j;
	const char	*parent;

	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		r->failed = 1;
		clouddp_errf(&r->err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return;
	}
	j->r = r;
	j->in = *in;
	if (in->vip[0] != '\0')
		j->vip_family = inet_pton(AF_INET, in->vip, j->vip) == 1 ?
		    AF_INET : AF_INET6;
	if (j->vip_family == AF_INET6)
		inet_pton(AF_INET6, in->vip, j->vip);
	j->next = r->jobs;
	if (r->jobs != NULL)
		r->jobs->prev = j;
	r->jobs = j;
	r->inflight++;
	if (!r->cfg.authoritative) {
		job_checks_start(j, r->base, r->nbase);
		return;
	}
	j->state = JOB_ZONE;
	parent = strchr(j->in.name, '.');
	query(r->base[0], parent != NULL ? parent + 1 : j->in.name,
	    QTYPE_SOA, on_job_soa, j);
}

/* Running ----------------------------------------------------------------- */

static void
pump(struct resolve *r)
{
	struct resolve_name	 in;
	int			 rc;

	if (r->pumping)
		return;
	r->pumping = 1;
	while (!r->eof && !r->failed && (double)r->inflight < r->cwnd) {
		rc = r->next_cb(r->cb_arg, &in, &r->err);
		if (rc == -1)
			r->failed = 1;
		else if (rc == 0)
			r->eof = 1;
		else
			job_start(r, &in);
	}
	r->pumping = 0;
	/* Only resolve_run owns the loop; other drivers poll. */
	if (r->running && (r->failed || (r->eof && r->inflight == 0)))
		loop_stop(r->loop);
}

void
resolve_start(struct resolve *r, resolve_next_cb next, resolve_done_cb done,
    void *arg)
{
	r->next_cb = next;
	r->done_cb = done;
	r->cb_arg = arg;
	r->eof = 0;
	r->failed = 0;
	pump(r);
}

int
resolve_finished(const struct resolve *r, struct clouddp_err *err)
{
	if (r->failed) {
		*err = r->err;
		return -1;
	}
	return r->eof && r->inflight == 0;
}

int
resolve_run(struct resolve *r, resolve_next_cb next, resolve_done_cb done,
    void *arg, struct clouddp_err *err)
{
	int	 rc;

	r->running = 1;
	resolve_start(r, next, done, arg);
	rc = resolve_finished(r, err);
	if (rc == 0 && loop_run(r->loop, 0, err) == -1)
		rc = -1;
	else if (rc == 0)
		rc = resolve_finished(r, err);
	r->running = 0;
	if (rc == 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "resolution engine: %zu names still in flight",
		    r->inflight);
	return rc == -1 ? -1 : 0;
}
