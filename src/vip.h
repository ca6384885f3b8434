/*
 * Probing a VIP: TCP, proxy CONNECT, TLS, the served certificate and
 * HTTP, each a separate verdict with its own timing, composed from
 * http.h (the connections) and cert.h (judging the certificate).  A
 * probe is asynchronous: many run at once in one event loop.
 */
#ifndef CLOUDDP_VIP_H
#define CLOUDDP_VIP_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "clouddp.h"
#include "http.h"
#include "report.h"

struct cert;
struct secret_shield;

/* The verdicts, in the order a connection meets them. */
enum vip_phase {
	VIP_TCP = 0,		/* "tcp_https": VIP:port, or the proxy */
	VIP_PROXY,		/* "proxy_connect" */
	VIP_TLS,		/* "tls" */
	VIP_CERT_NAME,	/* "cert_name" */
	VIP_CERT_VALIDITY,	/* "cert_validity" */
	VIP_CERT_CHAIN,	/* "cert_chain" */
	VIP_CERT_EXPECT,	/* "cert_expect" */
	VIP_CERT_NO_SNI,	/* "cert_no_sni" */
	VIP_HTTPS,		/* "https" */
	VIP_TCP_HTTP,		/* "tcp_http" */
	VIP_HTTP,		/* "http" */
	VIP__MAX
};

/*
 * What to probe and how.  Strings are borrowed for the probe's life,
 * except vip and fqdn, which vip_probe_new() copies.  trace gets every line
 * curl says, prefixed with the VIP and the connection ("https",
 * "no-sni", "http").
 */
struct vip_cfg {
	const char		*vip;		/* IPv4 or IPv6 address */
	const char		*fqdn;		/* SNI and Host; NULL: none */
	long			 port;		/* HTTPS port */
	long			 http_port;	/* 0: no HTTP probe */
	const char		*path;		/* starts with '/' */
	const char		*proxy;		/* NULL: from environment */
	const struct secret_shield *proxy_password; /* the proxy's user's,
						 * shielded */
	const char		*cacert;	/* NULL: the system store */
	double			 timeout;	/* seconds per network step */
	long			 count;		/* repetitions, >= 1 */
	const struct cert	*expect;	/* what must be served */
	const char		*expect_sha1;	/* or its SHA-1, hex */
	time_t			 now;
	long			 warn_days;	/* expiring within: WARNING */
	http_trace_cb		 trace;		/* curl's words, or NULL */
	void			*trace_arg;
};

/* What a probe reads of a body at most; the rest is not fetched. */
#define VIP_BODY_MAX	(1024 * 1024)

struct vip_probe;

/*
 * Called once when every repetition of the probe has ended.  err is
 * NULL unless the probe could not be carried out (out of memory).
 */
typedef void	(*vip_probe_done_cb)(void *, const struct clouddp_err *,
		    struct vip_probe *);

/*
 * Check cfg and make a probe.  Returns NULL with err filled: a vip that
 * is not an address, a bad name or path (CLOUDDP_EUSAGE).
 */
struct vip_probe *vip_probe_new(const struct vip_cfg *,
		    struct clouddp_err *);
void		 vip_probe_free(struct vip_probe *);

/* Start the probe on m's loop.  Returns 0, or -1 with err filled. */
int		 vip_probe_start(struct vip_probe *, struct http_multi *,
		    vip_probe_done_cb, void *, struct clouddp_err *);

/* The worst verdict so far. */
enum clouddp_status vip_probe_status(const struct vip_probe *);
/* The certificate served with SNI (borrowed), or NULL before TLS. */
const struct cert *vip_probe_leaf(const struct vip_probe *);

/*
 * Put the probe's fields, one check per phase and a "phases" object
 * ({status, ms, detail} each, with min/median/max over repetitions) and
 * perfdata into r.  Returns 0, or -1 on ENOMEM.
 */
int		 vip_probe_report(const struct vip_probe *, struct report *);

/* The JSON key of a phase ("tcp_https", ...). */
const char	*vip_phase_name(enum vip_phase);

/*
 * Canonical text of an IPv4 or IPv6 address in out (at least 46
 * bytes).  Returns 0, or -1 with err filled (CLOUDDP_EUSAGE).
 */
int		 vip_addr_parse(const char *, char *, size_t,
		    struct clouddp_err *);

/* Defaults: ports 443 and 80, path /, one sample, 30 days, 10 s. */
void		 vip_cfg_init(struct vip_cfg *);

/*
 * What a run loads from files and secrets for its cfg: the certificate
 * --expect-cert names (its .pfx password from expect_src, or the empty
 * one then a prompt on a terminal) and the proxy user's password
 * (--proxy-password-file/-env/-fd), which must never sit on argv.
 */
struct vip_secrets {
	const char			*expect_path;
	struct clouddp_secret_src	 expect_src;
	struct clouddp_secret_src	 proxy_src;
	struct cert			*expect;
	struct secret_shield		*proxy_pw;
};

/*
 * Take a proxy password source (option opt, for messages).  Returns 0,
 * or -1 with err filled (CLOUDDP_EUSAGE: a second source, a bad fd).
 */
int		 vip_secrets_set(struct vip_secrets *, const char *,
		    enum clouddp_secret_kind, const char *,
		    struct clouddp_err *);
/*
 * Check that cfg's --cacert is readable, load what sec names and point
 * cfg at it (cfg->expect, cfg->proxy_password).  A proxy password needs
 * a proxy that names its user (cfg's, or the environment's).  Returns 0,
 * or -1 with err filled (CLOUDDP_EIO, CLOUDDP_EPASSWORD, CLOUDDP_ECERT,
 * CLOUDDP_EUSAGE).
 */
int		 vip_secrets_load(struct vip_secrets *, struct vip_cfg *,
		    struct clouddp_err *);
/* Free and wipe what vip_secrets_load() loaded. */
void		 vip_secrets_clear(struct vip_secrets *);

/* The median of n values (sorted in place); NAN when n is 0. */
double		 vip_median(double *, size_t);

/*
 * Many probes at once (vip_batch.c): targets come from the one input
 * reader (input.h: the vip column, and fqdn when given; the older
 * "VIP [FQDN]" order too), or one target from the configuration alone;
 * at most concurrency run at a time, and the input is read only as the
 * window frees up, so memory stays O(concurrency).
 */
struct vip_batch;
struct input;

/*
 * Called once per target as it ends: r is its report (borrowed for the
 * call), or NULL with err saying why the target could not be probed (a
 * bad input line, named "FILE:LINE", which also ends the input).
 */
typedef void	(*vip_emit_cb)(void *, struct report *,
		    const struct clouddp_err *);

/*
 * cfg gives every target's settings; a line's FQDN replaces cfg->fqdn.
 * in (borrowed) is NULL for the one target cfg->vip names, else read
 * up to its end.  Returns NULL with err filled on ENOMEM.
 */
struct vip_batch *vip_batch_new(const struct vip_cfg *, struct input *,
		    long, struct clouddp_err *);
void		 vip_batch_free(struct vip_batch *);

/*
 * Start the first window of probes on m's loop; the rest start as
 * earlier ones end, while the loop runs.  Returns 0, or -1 with err
 * filled when the single target or the input could not be used at all.
 */
int		 vip_batch_start(struct vip_batch *, struct http_multi *,
		    vip_emit_cb, void *, struct clouddp_err *);

/*
 * After the loop: the number of targets per status, and a summary
 * report (targets, ok, warning, critical, unknown, wall_ms) raised to
 * the worst status.  Returns the worst status seen.
 */
enum clouddp_status vip_batch_status(const struct vip_batch *);
/* Probes started and not ended: after the loop, 0 unless it broke. */
size_t		 vip_batch_unfinished(const struct vip_batch *);
int		 vip_batch_summary(const struct vip_batch *, double,
		    struct report *);

/* Under -v, send what curl says of each connection to ctx's log. */
void		 vip_cfg_trace(struct vip_cfg *, struct clouddp_ctx *);

/*
 * Printing a batch as it runs, through the report: vip_print_emit (a
 * vip_emit_cb) writes each target's report to stdout as it ends, a
 * blank line after each text report of an --input run; an --input
 * --nagios run prints only its summary, which names the worst target.
 * A target that could not be probed is said on stderr.  A failed write
 * to stdout sets stopped and stops loop.  Zero it, then set ctx, loop
 * and batch.
 */
struct loop;

struct vip_print {
	const struct clouddp_ctx *ctx;
	struct loop		*loop;
	int			 batch;		/* an --input run */
	int			 stopped;	/* a write failed */
	struct report_worst	 worst;
};

void		 vip_print_emit(void *, struct report *,
		    const struct clouddp_err *);
/*
 * After the loop: print an --input run's summary (vip_batch_summary,
 * the signal that interrupted it, the worst target), wall in seconds.
 * Returns the exit status (UNKNOWN when stopped or interrupted), or -1
 * with err filled when probes were left unfinished.
 */
int		 vip_print_end(struct vip_print *, const struct vip_batch *,
		    double, struct clouddp_err *);

#endif /* CLOUDDP_VIP_H */
