/*
 * Probing a VIP: TCP, proxy CONNECT, TLS, the served certificate and
 * HTTP, each a separate verdict with its own timing, composed from
 * http.h (the connections) and cert.h (judging the certificate).  A
 * probe is asynchronous: many run at once in one event loop.
 */
#ifndef CLOUDDP_PROBE_H
#define CLOUDDP_PROBE_H

#include <stddef.h>
#include <time.h>

#include "clouddp.h"
#include "http.h"
#include "report.h"

struct cert;

/* The verdicts, in the order a connection meets them. */
enum probe_phase {
	PROBE_TCP = 0,		/* "tcp_https": VIP:port, or the proxy */
	PROBE_PROXY,		/* "proxy_connect" */
	PROBE_TLS,		/* "tls" */
	PROBE_CERT_NAME,	/* "cert_name" */
	PROBE_CERT_VALIDITY,	/* "cert_validity" */
	PROBE_CERT_CHAIN,	/* "cert_chain" */
	PROBE_CERT_EXPECT,	/* "cert_expect" */
	PROBE_CERT_NO_SNI,	/* "cert_no_sni" */
	PROBE_HTTPS,		/* "https" */
	PROBE_TCP_HTTP,		/* "tcp_http" */
	PROBE_HTTP,		/* "http" */
	PROBE__MAX
};

/*
 * What to probe and how.  Strings are borrowed for the probe's life,
 * except vip and fqdn, which probe_new() copies.
 */
struct probe_cfg {
	const char		*vip;		/* IPv4 or IPv6 address */
	const char		*fqdn;		/* SNI and Host; NULL: none */
	long			 port;		/* HTTPS port */
	long			 http_port;	/* 0: no HTTP probe */
	const char		*path;		/* starts with '/' */
	const char		*proxy;		/* NULL: environment; "": none */
	const char		*cacert;	/* NULL: the system store */
	double			 timeout;	/* seconds per network step */
	long			 count;		/* repetitions, >= 1 */
	const struct cert	*expect;	/* the certificate to expect */
	time_t			 now;
	long			 warn_days;	/* expiring within: WARNING */
};

struct probe;

/*
 * Called once when every repetition of the probe has ended.  err is
 * NULL unless the probe could not be carried out (out of memory).
 */
typedef void	(*probe_done_cb)(void *, const struct clouddp_err *,
		    struct probe *);

/*
 * Check cfg and make a probe.  Returns NULL with err filled: a vip that
 * is not an address, a bad name or path (CLOUDDP_EUSAGE).
 */
struct probe	*probe_new(const struct probe_cfg *, struct clouddp_err *);
void		 probe_free(struct probe *);

/* Start the probe on m's loop.  Returns 0, or -1 with err filled. */
int		 probe_start(struct probe *, struct http_multi *,
		    probe_done_cb, void *, struct clouddp_err *);

/* The worst verdict so far. */
enum clouddp_status probe_status(const struct probe *);

/*
 * Put the probe's fields, one check per phase and a "phases" object
 * ({status, ms, detail} each, with min/median/max over repetitions) and
 * perfdata into r.  Returns 0, or -1 on ENOMEM.
 */
int		 probe_report(const struct probe *, struct report *);

/* The JSON key of a phase ("tcp_https", ...). */
const char	*probe_phase_name(enum probe_phase);

/*
 * Canonical text of an IPv4 or IPv6 address in out (at least 46
 * bytes).  Returns 0, or -1 with err filled (CLOUDDP_EUSAGE).
 */
int		 probe_addr_parse(const char *, char *, size_t,
		    struct clouddp_err *);

/* The median of n values (sorted in place); NAN when n is 0. */
double		 probe_median(double *, size_t);

#endif /* CLOUDDP_PROBE_H */
