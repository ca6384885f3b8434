/*
 * The emulator's DNS registration: `<service>.<zone> A <VIP>` in a real
 * DNS server by RFC 2136 with TSIG (update.h), added when a deployment
 * becomes Ready and removed when it is deleted or the emulator stops.
 * It remembers what it added, so that a stop removes exactly those.
 */
#ifndef CLOUDDP_EMU_DNSREG_H
#define CLOUDDP_EMU_DNSREG_H

#include <stdint.h>

#include "clouddp.h"
#include "loop.h"

struct dnsreg_cfg {
	const char	*server;	/* "HOST:PORT" or "HOST" (53) */
	const char	*tsig_file;	/* BIND key file; NULL: unsigned */
	const char	*zone;		/* "cloudapp.net" */
	uint32_t	 ttl;		/* 0: 60 */
	double		 timeout;	/* per exchange; 0: 5 s */
};

/* err NULL on success; name is the FQDN changed (borrowed). */
typedef void	(*dnsreg_done_cb)(void *, const struct clouddp_err *,
		    const char *);

struct dnsreg;

/* Returns NULL with err filled: a bad server, key file or zone. */
struct dnsreg	*dnsreg_new(struct loop *, const struct dnsreg_cfg *,
		    struct clouddp_err *);
/* Abandons changes in flight (their callbacks are not called). */
void		 dnsreg_free(struct dnsreg *);

/*
 * Add (replacing any other A record of the name) or remove
 * `<service>.<zone> A vip`.  Each returns 0 and later calls done once,
 * or returns -1 with err filled and never calls it.
 */
int		 dnsreg_add(struct dnsreg *, const char *, const char *,
		    dnsreg_done_cb, void *, struct clouddp_err *);
int		 dnsreg_remove(struct dnsreg *, const char *,
		    dnsreg_done_cb, void *, struct clouddp_err *);
/*
 * Remove every record this registry added and still holds; done is
 * called once per record.  Returns the number of removals started.
 */
int		 dnsreg_remove_all(struct dnsreg *, dnsreg_done_cb, void *);
/* Changes still in flight. */
int		 dnsreg_pending(const struct dnsreg *);
/* The FQDN of service ("<service>.<zone>."), into out (256 bytes). */
int		 dnsreg_fqdn(const struct dnsreg *, const char *, char *,
		    struct clouddp_err *);

#endif /* CLOUDDP_EMU_DNSREG_H */
