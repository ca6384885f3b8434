/*
 * The credentials clouddp-provision needs, loaded from what its options
 * name: the management certificate (a .pfx or a .publishsettings file),
 * the service certificate and its .pfx bytes, and the proxy's password.
 * Secrets come from files, the environment or descriptors (secret.h),
 * never argv; nothing is printed, errors go to err.
 */
#ifndef CLOUDDP_PROVISION_CRED_H
#define CLOUDDP_PROVISION_CRED_H

#include "clouddp.h"

struct cert;
struct prov_cfg;
struct publishsettings;
struct secret_shield;

struct prov_cred {
	/* What the options name. */
	const char			*mgmt_pfx, *service_pfx;
	const char			*publishsettings;
	struct clouddp_secret_src	 mgmt_pw, service_pw, proxy_pw;
	/* What was loaded; released by prov_cred_cleanup(). */
	struct publishsettings		*ps;
	struct cert			*mgmt, *service;
	char				*service_password;
	struct secret_shield		*proxy_password;
	struct clouddp_buf		 pfx;
};

/* Name the password options in cr, for the hints of pfx_load(). */
void	 prov_cred_init(struct prov_cred *);
/*
 * Take the option name (long, without "--"): management-pfx,
 * service-pfx, publishsettings, or a source of the management, service
 * or proxy password (-env, -fd, -file; one source for each).  Returns 0,
 * or -1 with err filled (also when name is none of these).
 */
int	 prov_cred_opt(struct prov_cred *, const char *, const char *,
	    struct clouddp_err *);
/*
 * The management credential: --management-pfx with its password, or
 * --publishsettings (whose subscription and endpoint fill cfg->be when
 * not given); never both.  cmd names the subcommand in errors.  Sets
 * cr->mgmt; returns 0, or -1 with err filled.
 */
int	 prov_cred_load_mgmt(struct prov_cred *, struct prov_cfg *,
	    const char *, struct clouddp_err *);
/*
 * The service certificate, its password kept for the upload and its
 * .pfx bytes in cr->pfx.  Returns 0, or -1 with err filled.
 */
int	 prov_cred_load_service(struct prov_cred *, struct clouddp_err *);
/*
 * The proxy's password, when a source was given, once the proxy
 * (cfg->be.proxy or the environment's) is known to name its user; sets
 * cfg->be.proxy_password.  Returns 0, or -1 with err filled.
 */
int	 prov_cred_load_proxy_password(struct prov_cred *, struct prov_cfg *,
	    struct clouddp_err *);
/* Free and wipe what was loaded. */
void	 prov_cred_cleanup(struct prov_cred *);

#endif /* CLOUDDP_PROVISION_CRED_H */
