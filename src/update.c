/*
 * RFC 2136 dynamic updates on ldns, signed with TSIG (RFC 8945, tsig.c):
 * one change to one name as an asynchronous operation on the event
 * loop, every exchange over non-blocking TCP.  Nothing here prints and
 * nothing here blocks, but the one getaddrinfo of a server name.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "clouddp.h"
#include "dnsmsg.h"
#include "loop.h"
#include "name.h"
#include "tsig.h"
#include "update.h"
#include "zone.h"

/* One server: where it is, what it is called in messages, its key. */
struct update_client {
	struct loop		*loop;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 label[ZONE_NAME_MAX + 16];
	unsigned		 port;
	double			 timeout;
	const struct zone_tsig	*tsig;
};

struct update_client *
update_client_new(struct loop *loop, const struct zone_server *s,
    struct clouddp_err *err)
{
	struct update_client	*c;
	struct addrinfo		 hints, *res = NULL;
	char			 port[8];
	int			 rc;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->port = s->port != 0 ? s->port : 53;
	c->timeout = s->timeout > 0 ? s->timeout : 5;
	c->tsig = s->tsig;
	if (c->port == 53)
		snprintf(c->label, sizeof(c->label), "%s", s->host);
	else
		snprintf(c->label, sizeof(c->label), strchr(s->host, ':') !=
		    NULL ? "[%s]:%u" : "%s:%u", s->host, c->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", c->port);
	rc = getaddrinfo(s->host, port, &hints, &res);
	if (rc != 0) {
		clouddp_errf(err, CLOUDDP_EDNS,
		    "give the server as an address or a resolvable name",
		    "%s: %s", s->host, gai_strerror(rc));
		free(c);
		return NULL;
	}
	memcpy(&c->addr, res->ai_addr, res->ai_addrlen);
	c->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return c;
}

void
update_client_free(struct update_client *c)
{
	free(c);
}

const char *
update_client_label(const struct update_client *c)
{
	return c->label;
}

const char *
update_action_name(enum update_action a)
{
	static const char *const names[UPDATE__MAX] = {
		"added", "replaced", "present", "deleted", "absent"
	};

	return a < UPDATE__MAX ? names[a] : "?";
}

static const char *
tsig_error_text(unsigned code, const char **hint)
{
	switch (code) {
	case 16:
		*hint = "the secret in --tsig-file differs from the "
		    "server's: copy the server's key file";
		return "BADSIG: the server rejected the TSIG signature";
	case 17:
		*hint = "check that the key name and algorithm match a key "
		    "statement on the server";
		return "BADKEY: the server does not know this TSIG key";
	case 18:
		*hint = "synchronise the clocks (NTP); TSIG allows 300 s";
		return "BADTIME: the clocks of this host and the server differ";
	default:
		*hint = "check the key against the server's configuration";
		return "the server returned a TSIG error";
	}
}

/* Check the TSIG of an answer to a signed message. */
static int
check_tsig(const struct update_client *c, ldns_pkt *resp,
    const uint8_t *wire, size_t len, const struct tsig_mac *mac,
    struct clouddp_err *err)
{
	const char	*hint, *what;
	ldns_rr		*tsig;
	unsigned	 code = 0;
	int		 rc;

	tsig = ldns_pkt_tsig(resp);
	if (tsig != NULL && ldns_rr_rd_count(tsig) > 5)
		code = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
	if (code != 0) {
		what = tsig_error_text(code, &hint);
		return clouddp_errf(err, CLOUDDP_EREFUSED, hint,
		    "%s (key %s): %s", c->label, zone_tsig_name(c->tsig), what);
	}
	if (tsig == NULL) {
		if (ldns_pkt_get_rcode(resp) != LDNS_RCODE_NOERROR)
			return 0;	/* the rcode says more */
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "check that the server has the key configured",
		    "%s: the answer to a signed message is not signed",
		    c->label);
	}
	rc = tsig_verify(c->tsig, resp, wire, len, mac, err);
	if (rc == -1)
		return -1;
	if (rc == 0)
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "the answer may have been forged or altered: check the "
		    "path to the server",
		    "%s: the TSIG signature of the answer does not verify",
		    c->label);
	return 0;
}

/*
 * One DNS message over TCP (RFC 1035 4.2.2: a two-byte length, then
 * the message), non-blocking on the loop: connect, write, read, each
 * bounded by the client's timeout from the start of the exchange.
 */
enum xfer_state {
	XFER_IDLE = 0,
	XFER_CONNECTING,
	XFER_SENDING,
	XFER_RECEIVING
};

struct xfer {
	enum xfer_state		 state;
	int			 fd;
	struct loop_timer	*timer;
	uint8_t			*out;		/* length and message */
	size_t			 outlen, outoff;
	uint8_t			*in;		/* length and message */
	size_t			 inlen, inoff;
	uint16_t		 id;
	int			 opcode;	/* the request's */
	struct tsig_mac		 mac;		/* the request's, if signed */
	int			 is_update;
};

enum update_state {
	UPDATE_ZONE = 0,	/* SOA of an ancestor: is it the apex? */
	UPDATE_LOOKUP,		/* what the name holds */
	UPDATE_SEND,		/* the update and its prerequisites */
	UPDATE_CONFIRM,		/* asked again: is the change there? */
	UPDATE_FAILED		/* waiting to report an early failure */
};

struct update_op {
	struct update_client	*c;
	enum update_state	 state;
	char			 fqdn[ZONE_NAME_MAX];
	char			 data[ZONE_NAME_MAX];
	enum update_type	 type;
	enum update_mode	 mode;
	uint32_t		 ttl;
	int			 check_only;
	const char		*probe;		/* ancestor under test */
	ldns_pkt_rcode		 last_rcode;
	ldns_rr_list		*old;		/* the name's RRs of type */
	char			 other[128];	/* other types there */
	struct update_result	 res;
	struct xfer		 x;
	struct clouddp_err	 err;		/* UPDATE_FAILED */
	update_done_cb		 done;
	void			*arg;
};

static void	step(struct update_op *, ldns_pkt *);
static void	finish(struct update_op *, const struct clouddp_err *);

static void
xfer_close(struct update_op *op)
{
	struct xfer	*x = &op->x;

	if (x->timer != NULL)
		loop_timer_cancel(op->c->loop, x->timer);
	if (x->fd != -1) {
		loop_fd_set(op->c->loop, x->fd, 0, NULL, NULL, NULL);
		close(x->fd);
	}
	free(x->out);
	free(x->in);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

static void
xfer_fail(struct update_op *op, struct clouddp_err *err)
{
	/* The update went out, and what came back is no answer. */
	if (op->state == UPDATE_SEND && op->x.state == XFER_RECEIVING &&
	    err->code == CLOUDDP_EDNS)
		snprintf(err->hint, sizeof(err->hint), "%s", "the update may "
		    "or may not have been applied: look at the name with dig "
		    "before trying again");
	xfer_close(op);
	finish(op, err);
}

static void
on_xfer_timeout(void *arg)
{
	struct update_op	*op = arg;
	struct clouddp_err	 err;
	const char		*label = op->c->label;

	op->x.timer = NULL;
	if (op->state == UPDATE_SEND)
		clouddp_errf(&err, CLOUDDP_ETIMEOUT,
		    "look at the name with dig before trying again",
		    "%s: no answer to the update of %s within %gs: it may or "
		    "may not have been applied", label, op->fqdn,
		    op->c->timeout);
	else if (op->x.state == XFER_CONNECTING)
		clouddp_errf(&err, CLOUDDP_ETIMEOUT,
		    "check the address and port, and that no firewall drops "
		    "TCP to it", "%s: no TCP connection within %gs", label,
		    op->c->timeout);
	else
		clouddp_errf(&err, CLOUDDP_ETIMEOUT,
		    "the server is overloaded or stuck: look at its log, or "
		    "give it longer with --timeout",
		    "%s: connected over TCP, but no answer within %gs", label,
		    op->c->timeout);
	xfer_fail(op, &err);
}

/*
 * The answer read by hand before ldns sees it: whole (every name,
 * pointer and length inside the message), a response to this message
 * (ID, QR bit, opcode), with at most one TSIG record, the last of the
 * additional section (RFC 8945 5.1), and at most one OPT (RFC 6891).
 * ldns 1.8.3's ldns_wire2pkt keeps only the last TSIG record it reads
 * and leaks the others, so a hostile server could otherwise grow the
 * client's memory with every answer.
 */
static int
answer_sound(const struct update_op *op, const uint8_t *wire, size_t len,
    struct clouddp_err *err)
{
	struct dnsmsg_shape	 sh;
	const char		*label = op->c->label;
	const char		*hint = "check the server at that address: "
	    "this is no answer a DNS server sends";

	if (dnsmsg_shape(&sh, wire, len, err) == -1) {
		clouddp_err_prefix(err, "%s: malformed answer", label);
		snprintf(err->hint, sizeof(err->hint), "%s", hint);
		return -1;
	}
	if (sh.id != op->x.id)
		return clouddp_errf(err, CLOUDDP_EDNS, hint, "%s: the answer's "
		    "ID (%u) does not match the query's (%u)", label,
		    (unsigned)sh.id, (unsigned)op->x.id);
	if (!sh.qr)
		return clouddp_errf(err, CLOUDDP_EDNS, hint, "%s: the server "
		    "sent back a message (QR bit clear), not an answer",
		    label);
	if (sh.opcode != op->x.opcode)
		return clouddp_errf(err, CLOUDDP_EDNS, hint, "%s: the answer's "
		    "opcode (%d) is not the message's (%d)", label, sh.opcode,
		    op->x.opcode);
	if (sh.ntsig > 1)
		return clouddp_errf(err, CLOUDDP_EDNS, hint, "%s: the answer "
		    "holds %zu TSIG records: one at most is allowed, as its "
		    "last record (RFC 8945)", label, sh.ntsig);
	if (sh.ntsig == 1 && !sh.tsig_last)
		return clouddp_errf(err, CLOUDDP_EDNS, hint, "%s: the answer's "
		    "TSIG record is not its last record (RFC 8945)", label);
	if (sh.nopt > 1)
		return clouddp_errf(err, CLOUDDP_EDNS, hint, "%s: the answer "
		    "holds %zu OPT records: at most one is allowed (RFC 6891)",
		    label, sh.nopt);
	return 0;
}

/* The answer is complete: check it, parse it, verify its signature. */
static void
xfer_answer(struct update_op *op)
{
	struct clouddp_err	 err;
	struct xfer		*x = &op->x;
	ldns_pkt		*resp = NULL;
	const uint8_t		*wire = x->in + 2;
	size_t			 len = x->inlen - 2;

	if (answer_sound(op, wire, len, &err) == -1)
		goto fail;
	if (ldns_wire2pkt(&resp, wire, len) != LDNS_STATUS_OK) {
		clouddp_errf(&err, CLOUDDP_EDNS, NULL,
		    "%s: malformed answer (%zu bytes)", op->c->label, len);
		goto fail;
	}
	if (op->c->tsig != NULL && check_tsig(op->c, resp, wire, len, &x->mac,
	    &err) == -1)
		goto fail;
	xfer_close(op);
	step(op, resp);
	ldns_pkt_free(resp);
	return;
fail:
	ldns_pkt_free(resp);
	xfer_fail(op, &err);
}

static void	on_xfer_io(void *, int, int);

static int
connect_error(struct update_op *op, int e, struct clouddp_err *err)
{
	if (e == ECONNREFUSED)
		return clouddp_errf(err, CLOUDDP_EDNS,
		    "check the address and port given to --server, and that "
		    "the server listens on TCP there",
		    "%s: connection refused: nothing listens on TCP port %u",
		    op->c->label, op->c->port);
	return clouddp_errf(err, CLOUDDP_EDNS,
	    "check the address and port given to --server",
	    "%s: cannot connect over TCP: %s", op->c->label, strerror(e));
}

static int
xfer_connected(struct update_op *op, struct clouddp_err *err)
{
	socklen_t	 len = sizeof(int);
	int		 e = 0;

	if (getsockopt(op->x.fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e != 0)
		return connect_error(op, e, err);
	op->x.state = XFER_SENDING;
	return 0;
}

static int
xfer_connect(struct update_op *op, struct clouddp_err *err)
{
	struct xfer	*x = &op->x;

	x->fd = socket(op->c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (x->fd == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL,
		    "cannot open a TCP socket: %s", strerror(errno));
	if (connect(x->fd, (const struct sockaddr *)&op->c->addr,
	    op->c->addrlen) == -1 && errno != EINPROGRESS)
		return connect_error(op, errno, err);
	x->state = XFER_CONNECTING;
	x->timer = loop_timer_add(op->c->loop, op->c->timeout,
	    on_xfer_timeout, op, err);
	if (x->timer == NULL)
		return -1;
	return loop_fd_set(op->c->loop, x->fd, LOOP_WRITE, on_xfer_io, op,
	    err);
}

static int
xfer_write(struct update_op *op, struct clouddp_err *err)
{
	struct xfer	*x = &op->x;
	ssize_t		 n;

	n = send(x->fd, x->out + x->outoff, x->outlen - x->outoff,
	    MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == -1)
		return clouddp_errf(err, CLOUDDP_EDNS, NULL,
		    "%s: cannot send over TCP: %s", op->c->label,
		    strerror(errno));
	x->outoff += (size_t)n;
	if (x->outoff == x->outlen) {
		x->state = XFER_RECEIVING;
		return loop_fd_set(op->c->loop, x->fd, LOOP_READ, on_xfer_io,
		    op, err) == -1 ? -1 : 0;
	}
	return 0;
}

/* Returns 1 when the whole answer is in. */
static int
xfer_read(struct update_op *op, struct clouddp_err *err)
{
	struct xfer	*x = &op->x;
	size_t		 want;
	ssize_t		 n;

	want = x->inoff < 2 ? 2 : x->inlen;
	n = recv(x->fd, x->in + x->inoff, want - x->inoff, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == -1)
		return clouddp_errf(err, CLOUDDP_EDNS, NULL,
		    "%s: reading the TCP answer: %s", op->c->label,
		    strerror(errno));
	if (n == 0 && x->inoff > 2)
		return clouddp_errf(err, CLOUDDP_EDNS,
		    "look at the server's log",
		    "%s: closed the TCP connection %zu bytes into a %zu-byte "
		    "answer", op->c->label, x->inoff - 2, x->inlen - 2);
	if (n == 0)
		return clouddp_errf(err, CLOUDDP_EDNS,
		    "look at the server's log",
		    "%s: closed the TCP connection without an answer",
		    op->c->label);
	x->inoff += (size_t)n;
	if (x->inoff == 2) {
		x->inlen = 2 + ((size_t)x->in[0] << 8 | x->in[1]);
		if (x->inlen < 2 + 12)
			return clouddp_errf(err, CLOUDDP_EDNS, NULL,
			    "%s: a %zu-byte TCP answer is too short for a "
			    "header (12)",
			    op->c->label, x->inlen - 2);
	}
	return x->inoff >= 2 && x->inoff == x->inlen;
}

static void
on_xfer_io(void *arg, int fd, int ready)
{
	struct update_op	*op = arg;
	struct clouddp_err	 err;
	int			 rc = 0;

	(void)fd;
	(void)ready;
	if (op->x.state == XFER_CONNECTING)
		rc = xfer_connected(op, &err);
	if (rc == 0 && op->x.state == XFER_SENDING)
		rc = xfer_write(op, &err);
	else if (rc == 0 && op->x.state == XFER_RECEIVING)
		rc = xfer_read(op, &err);
	if (rc == -1)
		xfer_fail(op, &err);
	else if (rc == 1)
		xfer_answer(op);
}

/* Encode q (signed, with a key) and start sending it; q stays the caller's. */
static int
xfer_start(struct update_op *op, ldns_pkt *q, struct clouddp_err *err)
{
	const struct zone_tsig	*k = op->c->tsig;
	struct xfer		*x = &op->x;
	uint8_t			*wire = NULL;
	size_t			 len = 0;

	ldns_pkt_set_random_id(q);
	x->id = ldns_pkt_id(q);
	x->opcode = (int)ldns_pkt_get_opcode(q);
	/* TSIG signs with the wall clock's time (RFC 8945 5.2.3). */
	if (k != NULL) {
		if (tsig_sign(k, q, (uint64_t)time(NULL), &x->mac, &wire,
		    &len, err) == -1)
			return -1;
	} else if (ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot encode the DNS message");
	if (len > 65535) {
		free(wire);
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot encode the DNS message: %zu bytes", len);
	}
	x->out = malloc(len + 2);
	x->in = malloc(2 + 65535);
	if (x->out == NULL || x->in == NULL) {
		free(wire);
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	}
	x->out[0] = (uint8_t)(len >> 8);
	x->out[1] = (uint8_t)len;
	memcpy(x->out + 2, wire, len);
	free(wire);
	x->outlen = len + 2;
	return xfer_connect(op, err);
}

/* An RR for the name; data NULL leaves the rdata empty (RFC 2136 2.4). */
static ldns_rr *
make_rr(const char *owner, ldns_rr_type type, ldns_rr_class class,
    uint32_t ttl, const char *data)
{
	ldns_rr		*rr;
	ldns_rdf	*rdf = NULL;

	rr = ldns_rr_new();
	if (rr == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_dname_new_frm_str(owner));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, class);
	ldns_rr_set_ttl(rr, ttl);
	if (data != NULL) {
		rdf = type == LDNS_RR_TYPE_A ?
		    ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, data) :
		    ldns_dname_new_frm_str(data);
		if (rdf == NULL || !ldns_rr_push_rdf(rr, rdf)) {
			ldns_rdf_deep_free(rdf);
			ldns_rr_free(rr);
			return NULL;
		}
	}
	if (ldns_rr_owner(rr) == NULL) {
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

static ldns_rr_type
op_rr_type(const struct update_op *op)
{
	return op->type == UPDATE_A ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_CNAME;
}

static const char *
rcode_name(ldns_pkt_rcode rc, char *buf, size_t len)
{
	ldns_lookup_table	*lt;

	lt = ldns_lookup_by_id(ldns_rcodes, (int)rc);
	snprintf(buf, len, "%s", lt != NULL ? lt->name : "RCODE?");
	return buf;
}

/* An unsigned-or-signed, non-recursive query for name. */
static int
send_query(struct update_op *op, const char *name, ldns_rr_type type,
    struct clouddp_err *err)
{
	ldns_rdf	*rdf;
	ldns_pkt	*q;
	int		 rc;

	rdf = ldns_dname_new_frm_str(name);
	if (rdf == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: bad name", name);
	q = ldns_pkt_query_new(rdf, type, LDNS_RR_CLASS_IN, 0);
	if (q == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	rc = xfer_start(op, q, err);
	ldns_pkt_free(q);
	return rc;
}

/* The rdata of rr as text: a name lower case with its dot. */
static void
rdata_text(const ldns_rr *rr, char *buf, size_t len)
{
	char	*t;

	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME)
		t = zone_rdf_name(ldns_rr_rdf(rr, 0));
	else
		t = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	snprintf(buf, len, "%s", t != NULL ? t : "?");
	free(t);
}

/* Is the record op changes among the name's RRs of its type? */
static int
old_has_new(const struct update_op *op)
{
	const ldns_rdf	*want, *have;
	ldns_rr		*rr;
	size_t		 i;

	rr = make_rr(op->fqdn, op_rr_type(op), LDNS_RR_CLASS_IN, 0, op->data);
	if (rr == NULL)
		return 0;
	want = ldns_rr_rdf(rr, 0);
	for (i = 0; i < ldns_rr_list_rr_count(op->old); i++) {
		have = ldns_rr_rdf(ldns_rr_list_rr(op->old, i), 0);
		if (have == NULL)
			continue;
		if (op->type == UPDATE_CNAME ? ldns_dname_compare(have,
		    want) == 0 : ldns_rdf_compare(have, want) == 0)
			break;
	}
	ldns_rr_free(rr);
	return i < ldns_rr_list_rr_count(op->old);
}

/*
 * What the server holds at the name, from an ANY answer: the RRs of
 * op's type into op->old, the other types' names into op->other.
 */
static int
read_name(struct update_op *op, ldns_pkt *resp, struct clouddp_err *err)
{
	ldns_rr_list	*ans = ldns_pkt_answer(resp);
	ldns_rdf	*owner;
	ldns_rr		*rr;
	char		 tn[32];
	size_t		 i, used = 0;
	ldns_pkt_rcode	 rc = ldns_pkt_get_rcode(resp);

	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN)
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "send the update to the zone's primary server, or check "
		    "--origin", "%s answered %s to a query for %s: it does "
		    "not serve zone %s", op->c->label, rcode_name(rc, tn,
		    sizeof(tn)), op->fqdn, op->res.zone);
	owner = ldns_dname_new_frm_str(op->fqdn);
	ldns_rr_list_deep_free(op->old);
	op->old = ldns_rr_list_new();
	op->other[0] = '\0';
	if (owner == NULL || op->old == NULL) {
		ldns_rdf_deep_free(owner);
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	}
	for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		rr = ldns_rr_list_rr(ans, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), owner) != 0 ||
		    zone_type_is_dnssec(ldns_rr_get_type(rr)))
			continue;
		if (ldns_rr_get_type(rr) == op_rr_type(op)) {
			ldns_rr_list_push_rr(op->old, ldns_rr_clone(rr));
			continue;
		}
		zone_type_name(ldns_rr_get_type(rr), tn, sizeof(tn));
		if (strstr(op->other, tn) == NULL &&
		    used + strlen(tn) + 2 < sizeof(op->other))
			used += (size_t)snprintf(op->other + used,
			    sizeof(op->other) - used, "%s%s",
			    used > 0 ? " " : "", tn);
	}
	ldns_rdf_deep_free(owner);
	return 0;
}

static const char *
type_text(const struct update_op *op)
{
	return op->type == UPDATE_A ? "A" : "CNAME";
}

/* Deleting: the record must be there, or the name hold nothing. */
static int
decide_delete(struct update_op *op, struct clouddp_err *err)
{
	size_t	 n = ldns_rr_list_rr_count(op->old);

	if (n > 0 && old_has_new(op)) {
		op->res.action = UPDATE_DELETED;
		return 0;
	}
	if (n > 0)
		return clouddp_errf(err, CLOUDDP_ECONFLICT,
		    "check the target: only a record still pointing where "
		    "you say is deleted",
		    "%s %s %s on %s, not %s%s: nothing was deleted",
		    op->fqdn, op->type == UPDATE_A ? "has the address" :
		    "is a CNAME to", op->res.old, op->c->label,
		    op->type == UPDATE_A ? "" : "to ", op->data);
	if (op->other[0] != '\0')
		return clouddp_errf(err, CLOUDDP_ECONFLICT,
		    "check the name: it is in use, but not by this record",
		    "%s holds %s data on %s and no %s: nothing was deleted",
		    op->fqdn, op->other, op->c->label, type_text(op));
	op->res.action = UPDATE_ABSENT;
	return 1;
}

/*
 * From what the name holds, what to send: 0 an update (res.action
 * says which), 1 nothing (present or absent), -1 a conflict.
 */
static int
decide(struct update_op *op, struct clouddp_err *err)
{
	size_t	 n = ldns_rr_list_rr_count(op->old);

	op->res.old[0] = '\0';
	if (n > 0)
		rdata_text(ldns_rr_list_rr(op->old, 0), op->res.old,
		    sizeof(op->res.old));
	if (op->mode == UPDATE_DELETE)
		return decide_delete(op, err);
	if (op->other[0] != '\0')
		return clouddp_errf(err, CLOUDDP_ECONFLICT, op->type ==
		    UPDATE_CNAME ? "a CNAME cannot coexist with other data: "
		    "pick another name or remove that data first" :
		    "remove that data first",
		    "%s already holds %s data on %s", op->fqdn, op->other,
		    op->c->label);
	if (n == 1 && old_has_new(op)) {
		op->res.action = UPDATE_PRESENT;
		return 1;
	}
	if (n > 0 && op->mode != UPDATE_REPLACE)
		return clouddp_errf(err, CLOUDDP_ECONFLICT,
		    "pass --replace to point the name at the new target",
		    "%s %s %s on %s", op->fqdn, op->type == UPDATE_A ?
		    "already has the address" : "is already a CNAME to",
		    op->res.old, op->c->label);
	op->res.action = n > 0 ? UPDATE_REPLACED : UPDATE_ADDED;
	return 0;
}

static int
push(ldns_rr_list *list, ldns_rr *rr)
{
	if (rr == NULL)
		return 0;
	if (!ldns_rr_list_push_rr(list, rr)) {
		ldns_rr_free(rr);
		return 0;
	}
	return 1;
}

/*
 * The prerequisites (RFC 2136 2.4) and updates (2.5) of the change:
 * adding, the name is not in use (2.4.5); replacing or deleting, the
 * RRset is exactly what was seen (2.4.2).
 */
static int
fill_update(const struct update_op *op, ldns_rr_list *pre, ldns_rr_list *up)
{
	ldns_rr_type	 t = op_rr_type(op);
	ldns_rr		*rr;
	size_t		 i;
	int		 ok = 1;

	if (op->res.action == UPDATE_ADDED)
		return push(pre, make_rr(op->fqdn, LDNS_RR_TYPE_ANY,
		    LDNS_RR_CLASS_NONE, 0, NULL)) && push(up, make_rr(op->fqdn,
		    t, LDNS_RR_CLASS_IN, op->ttl, op->data));
	for (i = 0; ok && i < ldns_rr_list_rr_count(op->old); i++) {
		rr = ldns_rr_clone(ldns_rr_list_rr(op->old, i));
		if (rr != NULL)
			ldns_rr_set_ttl(rr, 0);
		ok = push(pre, rr);
	}
	if (op->res.action == UPDATE_DELETED)
		return ok && push(up, make_rr(op->fqdn, t, LDNS_RR_CLASS_NONE,
		    0, op->data));
	return ok && push(up, make_rr(op->fqdn, t, LDNS_RR_CLASS_ANY, 0,
	    NULL)) && push(up, make_rr(op->fqdn, t, LDNS_RR_CLASS_IN, op->ttl,
	    op->data));
}

static int
send_update(struct update_op *op, struct clouddp_err *err)
{
	ldns_rr_list	*pre, *up;
	ldns_pkt	*pkt = NULL;
	ldns_rdf	*zone;
	int		 rc = -1;

	pre = ldns_rr_list_new();
	up = ldns_rr_list_new();
	if (pre == NULL || up == NULL || !fill_update(op, pre, up))
		goto nomem;
	zone = ldns_dname_new_frm_str(op->res.zone);
	if (zone == NULL)
		goto nomem;
	pkt = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, pre, up, NULL);
	if (pkt == NULL)
		goto nomem;
	ldns_pkt_set_rd(pkt, false);
	op->state = UPDATE_SEND;
	rc = xfer_start(op, pkt, err);
	goto out;
nomem:
	clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
out:
	ldns_rr_list_deep_free(pre);
	ldns_rr_list_deep_free(up);
	ldns_pkt_free(pkt);
	return rc;
}

static int
update_refused(const struct update_op *op, ldns_pkt_rcode rc,
    struct clouddp_err *err)
{
	const char	*label = op->c->label, *zone = op->res.zone;
	char		 rn[16];

	rcode_name(rc, rn, sizeof(rn));
	if (op->c->tsig == NULL && (rc == LDNS_RCODE_REFUSED ||
	    rc == LDNS_RCODE_NOTAUTH))
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "pass --tsig-file with a key the zone's allow-update or "
		    "update-policy names",
		    "%s answered %s to an unsigned update of %s: no TSIG key "
		    "was given", label, rn, zone);
	switch (rc) {
	case LDNS_RCODE_NOTAUTH:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "send the update to the primary server of the zone and "
		    "check its allow-update or update-policy",
		    "%s answered NOTAUTH: it is not authoritative for %s, or "
		    "key %s may not update it", label, zone,
		    zone_tsig_name(op->c->tsig));
	case LDNS_RCODE_REFUSED:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "allow the key in the zone's allow-update or "
		    "update-policy, or check --origin",
		    "%s answered REFUSED: key %s may not update %s", label,
		    zone_tsig_name(op->c->tsig), zone);
	case LDNS_RCODE_NOTZONE:
		return clouddp_errf(err, CLOUDDP_EREFUSED, "check --origin",
		    "%s answered NOTZONE: %s is not in zone %s", label,
		    op->fqdn, zone);
	case LDNS_RCODE_YXDOMAIN:
	case LDNS_RCODE_YXRRSET:
	case LDNS_RCODE_NXRRSET:
	case LDNS_RCODE_NXDOMAIN:
		return clouddp_errf(err, CLOUDDP_ECONFLICT,
		    "look at the name with dig and run again",
		    "%s answered %s: the records at %s changed after they "
		    "were checked; this one was not changed", label, rn,
		    op->fqdn);
	case LDNS_RCODE_NOTIMPL:
	case LDNS_RCODE_FORMERR:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "use a server that accepts dynamic updates (RFC 2136)",
		    "%s answered %s: it does not take this update", label, rn);
	default:
		return clouddp_errf(err, CLOUDDP_EREFUSED,
		    "look at the server's log (zone loaded? journal "
		    "writable?)", "%s answered %s to the update of %s",
		    label, rn, op->fqdn);
	}
}

/*
 * Zone discovery: the nearest ancestor whose SOA the server serves
 * with authority.  (The SOA in the authority section of a negative
 * answer is not enough: a CNAME answer has none.)
 */
static int
on_soa(struct update_op *op, ldns_pkt *resp, struct clouddp_err *err)
{
	ldns_rr_list	*soa;
	char		*owner = NULL, rn[16];
	int		 apex = 0;

	op->last_rcode = ldns_pkt_get_rcode(resp);
	soa = ldns_pkt_rr_list_by_type(resp, LDNS_RR_TYPE_SOA,
	    LDNS_SECTION_ANSWER);
	if (soa != NULL && ldns_pkt_aa(resp)) {
		owner = zone_rdf_name(ldns_rr_owner(ldns_rr_list_rr(soa, 0)));
		apex = owner != NULL && strcmp(owner, op->probe) == 0;
		free(owner);
	}
	ldns_rr_list_deep_free(soa);
	if (apex) {
		snprintf(op->res.zone, sizeof(op->res.zone), "%s", op->probe);
		op->state = UPDATE_LOOKUP;
		return send_query(op, op->fqdn, LDNS_RR_TYPE_ANY, err);
	}
	op->probe = strchr(op->probe, '.');
	if (op->probe != NULL && op->probe[1] != '\0') {
		op->probe++;
		return send_query(op, op->probe, LDNS_RR_TYPE_SOA, err);
	}
	return clouddp_errf(err, CLOUDDP_EREFUSED,
	    "send the update to the zone's primary server, or give the zone "
	    "with --origin",
	    "%s is not authoritative for any zone above %s (last answer %s)",
	    op->c->label, op->fqdn, rcode_name(op->last_rcode, rn,
	    sizeof(rn)));
}

static int
on_lookup(struct update_op *op, ldns_pkt *resp, struct clouddp_err *err)
{
	int	 rc;

	if (read_name(op, resp, err) == -1)
		return -1;
	rc = decide(op, err);
	if (rc != 0 || op->check_only)
		return rc == -1 ? -1 : 1;
	return send_update(op, err);
}

static int
on_update(struct update_op *op, ldns_pkt *resp, struct clouddp_err *err)
{
	if (ldns_pkt_get_rcode(resp) != LDNS_RCODE_NOERROR)
		return update_refused(op, ldns_pkt_get_rcode(resp), err);
	op->state = UPDATE_CONFIRM;
	return send_query(op, op->fqdn, LDNS_RR_TYPE_ANY, err);
}

/* A NOERROR is not proof: the record must be there (or gone). */
static int
on_confirm(struct update_op *op, ldns_pkt *resp, struct clouddp_err *err)
{
	int	 there;

	if (read_name(op, resp, err) == -1)
		return -1;
	there = old_has_new(op);
	if (op->res.action == UPDATE_DELETED && !there)
		return 1;
	if (op->res.action != UPDATE_DELETED && there &&
	    (op->type != UPDATE_CNAME || op->other[0] == '\0'))
		return 1;
	return clouddp_errf(err, CLOUDDP_EREFUSED,
	    "look at the server's log: it may have ignored the update "
	    "(e.g. a CNAME beside other data)",
	    "%s answered NOERROR but %s %s %s %s afterwards", op->c->label,
	    op->fqdn, there ? "still has" : "has no", type_text(op),
	    op->data);
}

/* An answer arrived: act on it in the current state. */
static void
step(struct update_op *op, ldns_pkt *resp)
{
	struct clouddp_err	 err;
	int			 rc;

	switch (op->state) {
	case UPDATE_ZONE:
		rc = on_soa(op, resp, &err);
		break;
	case UPDATE_LOOKUP:
		rc = on_lookup(op, resp, &err);
		break;
	case UPDATE_SEND:
		rc = on_update(op, resp, &err);
		break;
	case UPDATE_CONFIRM:
		rc = on_confirm(op, resp, &err);
		break;
	default:
		rc = clouddp_errf(&err, CLOUDDP_EINTERNAL, NULL,
		    "update: an answer in state %d", (int)op->state);
		break;
	}
	if (rc == -1)
		finish(op, &err);
	else if (rc == 1)
		finish(op, NULL);
}

static void
op_free(struct update_op *op)
{
	xfer_close(op);
	ldns_rr_list_deep_free(op->old);
	free(op);
}

static void
finish(struct update_op *op, const struct clouddp_err *err)
{
	xfer_close(op);
	op->done(op->arg, err, &op->res);
	op_free(op);
}

static void
on_early_failure(void *arg)
{
	struct update_op	*op = arg;

	op->x.timer = NULL;
	finish(op, &op->err);
}

static int
op_init(struct update_op *op, const struct update_req *req,
    struct clouddp_err *err)
{
	ldns_rr	*rr;

	op->x.fd = -1;
	op->type = req->type;
	op->mode = req->mode;
	op->ttl = req->ttl;
	op->check_only = req->check_only;
	if (snprintf(op->fqdn, sizeof(op->fqdn), "%s", req->fqdn) >=
	    (int)sizeof(op->fqdn) || snprintf(op->data, sizeof(op->data),
	    "%s", req->data) >= (int)sizeof(op->data))
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: name too long", req->fqdn);
	rr = make_rr(op->fqdn, op_rr_type(op), LDNS_RR_CLASS_IN, 0, op->data);
	if (rr == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s %s %s: not a valid record", op->fqdn, type_text(op),
		    op->data);
	ldns_rr_free(rr);
	if (req->zone != NULL) {
		snprintf(op->res.zone, sizeof(op->res.zone), "%s", req->zone);
		op->state = UPDATE_LOOKUP;
		return 0;
	}
	op->probe = strchr(op->fqdn, '.');
	if (op->probe == NULL || op->probe[1] == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT, "give the zone too",
		    "%s: a top-level name has no zone above it", op->fqdn);
	op->probe++;
	op->state = UPDATE_ZONE;
	return 0;
}

struct update_op *
update_start(struct update_client *c, const struct update_req *req,
    update_done_cb done, void *arg, struct clouddp_err *err)
{
	struct update_op	*op;
	int			 rc;

	op = calloc(1, sizeof(*op));
	if (op == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	op->c = c;
	op->done = done;
	op->arg = arg;
	if (op_init(op, req, err) == -1) {
		op_free(op);
		return NULL;
	}
	if (op->state == UPDATE_ZONE)
		rc = send_query(op, op->probe, LDNS_RR_TYPE_SOA, &op->err);
	else
		rc = send_query(op, op->fqdn, LDNS_RR_TYPE_ANY, &op->err);
	if (rc == 0)
		return op;
	/* Say it from the loop: done is never called from here. */
	xfer_close(op);
	op->state = UPDATE_FAILED;
	op->x.timer = loop_timer_add(c->loop, 0, on_early_failure, op, err);
	if (op->x.timer == NULL) {
		op_free(op);
		return NULL;
	}
	return op;
}

void
update_cancel(struct update_op *op)
{
	if (op != NULL)
		op_free(op);
}

int
update_is_sent(const struct update_op *op)
{
	return op->state == UPDATE_SEND || op->state == UPDATE_CONFIRM;
}
