/*
 * What the provisioner asks of a cloud, and nothing of how: the state
 * machine (provision.c), the inventory and status speak only this
 * interface.  The classic Service Management back end (asm.c) is one
 * implementation; an Azure Resource Manager one (a public IP named
 * <prefix>.<region>.cloudapp.azure.com, a scale set, a service principal
 * with a certificate) must fit without changing them.  So nothing here
 * names an ASM object, a URL or a host suffix: the back end reports the
 * Azure FQDN and the VIP, and callers store them as reported.
 *
 * Every operation is asynchronous on the one event loop (loop.h): it
 * returns 0 once started, or -1 with err filled and the callback never
 * called; later the callback gets (arg, err, result), err NULL on
 * success.  Results and errors are borrowed for the callback's duration.
 * Retries, backoff, redirects and polling of long operations are the
 * back end's business: a callback sees the final outcome only.
 */
#ifndef CLOUDDP_BACKEND_H
#define CLOUDDP_BACKEND_H

#include "clouddp.h"
#include "loop.h"

struct cert;
struct log_sink;
struct secret_shield;

/*
 * Told the moment the cloud accepted a long operation, with its id,
 * before waiting for it: the provisioner journals the id, so that a run
 * killed while waiting re-polls it instead of asking again.
 */
typedef void	(*backend_accepted_cb)(void *, const char *);

/* How to reach and authenticate to one subscription.  Borrowed. */
struct backend_cfg {
	const char		*subscription;
	const struct cert	*credential;	/* management certificate */
	const char		*endpoint;	/* NULL: the cloud's default */
	const char		*cacert;	/* NULL: the system's CAs */
	const char		*proxy;		/* NULL: environment */
	const struct secret_shield *proxy_password; /* shielded */
	double			 poll_interval;	/* seconds; 0: 10 */
	double			 timeout;	/* per operation; 0: 1800 */
	double			 retry_base;	/* first backoff; 0: 1 */
	int			 max_retries;	/* 0: 6 */
	struct log_sink		*log;		/* NULL: none */
	backend_accepted_cb	 on_accepted;	/* NULL: none */
	void			*accepted_arg;
};

/* Limits and use, for "is there room" before creating anything. */
struct backend_usage {
	long	 services_max, services_used;
	long	 storage_max, storage_used;
	long	 cores_max, cores_used;
};

struct backend_region {
	const char	*name;		/* as the cloud spells it */
	int		 compute;	/* offers compute (roles) */
	int		 storage;
};

/* A deployment's state as the cloud reports it, plus what we record. */
#define BACKEND_INSTANCES_MAX	16
struct backend_deployment {
	const char	*status;	/* "Running", "Suspended", ... */
	const char	*fqdn;		/* the Azure FQDN, NULL none yet */
	const char	*vip;		/* NULL none yet */
	size_t		 ninstances;
	const char	*instance[BACKEND_INSTANCES_MAX];	/* names */
	const char	*instance_status[BACKEND_INSTANCES_MAX];
	int		 ready;		/* running, every instance ready */
};

/* What a create call made or found (the resource's identity). */
struct backend_created {
	const char	*name;
	const char	*request_id;	/* the operation, NULL none */
	int		 existed;	/* already there, and matching */
};

/* A storage account's blob endpoint and primary key (base64). */
struct backend_storage {
	const char	*endpoint;	/* as the cloud reports it */
	const char	*key;		/* wiped when the callback returns */
};

/* The certificate and package a deployment runs with.  Borrowed. */
struct backend_deploy_spec {
	const char		*service;	/* reserved name */
	const char		*label;
	const char		*package_url;	/* the uploaded package */
	const char		*thumbprint;	/* service cert, SHA-1 */
	int			 instances;
};

typedef void	(*backend_done_cb)(void *, const struct clouddp_err *,
		    const void *);

/* The resources a DP is made of, one per create step. */
enum backend_kind {
	BACKEND_STORAGE = 0,
	BACKEND_SERVICE,
	BACKEND_CERTIFICATE,
	BACKEND_DEPLOYMENT,
	BACKEND__MAX
};

/* Which resource exists looks for.  Borrowed. */
struct backend_probe {
	enum backend_kind	 kind;
	const char		*name;		/* reserved name */
	const char		*region;	/* storage, service: where */
	const char		*thumbprint;	/* certificate: SHA-1, hex */
};

struct backend;

/*
 * The operations, one per provisioning step.  result points to the type
 * named in each comment (NULL where none).  name is the reserved name
 * that identifies the DP's resources in the cloud.
 */
struct backend_ops {
	const char	*name;		/* "asm" */
	/* Free the back end; calls still running are abandoned. */
	void	(*destroy)(struct backend *);
	/* Credentials good for the subscription: result NULL. */
	int	(*validate)(struct backend *, backend_done_cb, void *,
		    struct clouddp_err *);
	/* Regions: result const struct backend_region_list *. */
	int	(*regions)(struct backend *, backend_done_cb, void *,
		    struct clouddp_err *);
	/* Quotas: const struct backend_usage *. */
	int	(*usage)(struct backend *, backend_done_cb, void *,
		    struct clouddp_err *);
	/* Is name free everywhere it must be: const int * (1 free). */
	int	(*name_free)(struct backend *, const char *, backend_done_cb,
		    void *, struct clouddp_err *);
	/* Each create waits until done: const struct backend_created *. */
	int	(*storage_create)(struct backend *, const char *, const char *,
		    backend_done_cb, void *, struct clouddp_err *);
	/* Keys and endpoint: const struct backend_storage *. */
	int	(*storage_keys)(struct backend *, const char *,
		    backend_done_cb, void *, struct clouddp_err *);
	int	(*service_create)(struct backend *, const char *, const char *,
		    backend_done_cb, void *, struct clouddp_err *);
	/* The service certificate: pfx bytes and password, then wiped. */
	int	(*cert_add)(struct backend *, const char *,
		    const struct clouddp_buf *, const char *, backend_done_cb,
		    void *, struct clouddp_err *);
	int	(*deploy)(struct backend *, const struct backend_deploy_spec *,
		    backend_done_cb, void *, struct clouddp_err *);
	/*
	 * Is the resource there already, made by a create whose answer
	 * was lost (a run killed after sending it)?  Only reads, never
	 * creates: const struct backend_created *, existed 1 when it is
	 * there and ours (a storage account is waited for until it is
	 * usable, as its create would have), 0 when it is not.  One of
	 * that name that is not ours (another region): CLOUDDP_ECONFLICT.
	 */
	int	(*exists)(struct backend *, const struct backend_probe *,
		    backend_done_cb, void *, struct clouddp_err *);
	/* Re-poll an operation started earlier (resume): result NULL. */
	int	(*wait)(struct backend *, const char *, backend_done_cb, void *,
		    struct clouddp_err *);
	/* Deployment state now: const struct backend_deployment *. */
	int	(*poll)(struct backend *, const char *, backend_done_cb, void *,
		    struct clouddp_err *);
	/* Start (1) or stop (0) the deployment, waited for. */
	int	(*run)(struct backend *, const char *, int, backend_done_cb,
		    void *, struct clouddp_err *);
	/* Delete everything of name, each confirmed gone. */
	int	(*remove)(struct backend *, const char *, backend_done_cb,
		    void *, struct clouddp_err *);
	/*
	 * The package deployed when the caller has none, into the buffer
	 * (replacing its contents); the same bytes every time.  Not
	 * asynchronous: 0, or -1 with err filled.
	 */
	int	(*package)(struct backend *, struct clouddp_buf *,
		    struct clouddp_err *);
};

struct backend_region_list {
	size_t				 nregions;
	const struct backend_region	*regions;
};

/* A back end bound to a loop and a subscription. */
struct backend {
	const struct backend_ops	*ops;
	void				*impl;
};

/*
 * The back end called name ("asm"), or NULL with err filled
 * (CLOUDDP_EUSAGE for an unknown name).  Free with backend_free().
 */
struct backend	*backend_new(const char *, struct loop *,
		    const struct backend_cfg *, struct clouddp_err *);
void		 backend_free(struct backend *);

#endif /* CLOUDDP_BACKEND_H */
