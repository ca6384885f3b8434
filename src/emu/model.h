/*
 * The emulator's resource model: one subscription with its management
 * certificate thumbprints and quotas, cloud services, storage accounts,
 * service certificates, deployments with instances, and operations.
 * It knows nothing of HTTP or XML (the front ends in api.c, and later an
 * ARM one, translate), and it never reads the clock: every call takes
 * now (seconds, any monotonic origin) and states are computed from it
 * and the configured delays, so tests run at delay 0 and unit tests
 * step time by hand.  Single-threaded.
 */
#ifndef CLOUDDP_EMU_MODEL_H
#define CLOUDDP_EMU_MODEL_H

#include <stddef.h>

#include "clouddp.h"

struct cert;

/* The steps whose durations --delay STEP=SECONDS sets. */
enum emu_step {
	EMU_STEP_OPERATION = 0,	/* "operation": an async op completes */
	EMU_STEP_STORAGE_CREATING,	/* "storage-creating" */
	EMU_STEP_STORAGE_DNS,	/* "storage-dns": ResolvingDns */
	EMU_STEP_CREATING_VM,	/* "creating-vm": RoleStateUnknown */
	EMU_STEP_STARTING_VM,	/* "starting-vm": CreatingVM */
	EMU_STEP_BUSY_ROLE,	/* "busy-role": StartingVM */
	EMU_STEP_READY_ROLE,	/* "ready-role": BusyRole */
	EMU_STEP_INSTANCE_SKEW,	/* "instance-skew": per instance */
	EMU_STEP_RUNNING,	/* "running": Deploying -> Running */
	EMU_STEP_SUSPEND,	/* "suspend": Running <-> Suspended */
	EMU_STEP_DELETE,	/* "delete": deployment deletion */
	EMU_STEP__MAX
};

/* "operation", ... ; NULL past the end. */
const char	*emu_step_name(enum emu_step);
/* The step called name, or -1. */
int		 emu_step_find(const char *);

/* What a model call can fail with; a front end maps these to its wire. */
enum emu_error {
	EMU_OK = 0,
	EMU_EBADREQUEST,	/* a parameter was incorrect */
	EMU_ENOTFOUND,		/* no such resource */
	EMU_ECONFLICT,		/* name taken, slot occupied, in use */
	EMU_EQUOTA,		/* a subscription quota would be exceeded */
	EMU_EINTERNAL,		/* out of memory, pool exhausted */
	EMU_ERROR__MAX
};

/* A model failure: the kind and a sentence for the wire's Message. */
struct emu_status {
	enum emu_error	 error;
	int		 http;		/* for failed operations: 400, 404... */
	char		 message[256];
};

/* Objects' states, named as the classic API names them. */
enum emu_storage_state {
	EMU_STORAGE_CREATING = 0, EMU_STORAGE_RESOLVING_DNS,
	EMU_STORAGE_CREATED, EMU_STORAGE__MAX
};
enum emu_deploy_state {
	EMU_DEPLOY_DEPLOYING = 0, EMU_DEPLOY_RUNNING, EMU_DEPLOY_SUSPENDED,
	EMU_DEPLOY_SUSPENDING, EMU_DEPLOY_STARTING, EMU_DEPLOY_DELETING,
	EMU_DEPLOY__MAX
};
enum emu_instance_state {
	EMU_INSTANCE_UNKNOWN = 0, EMU_INSTANCE_CREATING_VM,
	EMU_INSTANCE_STARTING_VM, EMU_INSTANCE_BUSY_ROLE,
	EMU_INSTANCE_READY_ROLE, EMU_INSTANCE_STOPPED_VM, EMU_INSTANCE__MAX
};
enum emu_op_state {
	EMU_OP_IN_PROGRESS = 0, EMU_OP_SUCCEEDED, EMU_OP_FAILED, EMU_OP__MAX
};
/* "Creating", "Running", "ReadyRole", "InProgress"... */
const char	*emu_storage_state_name(enum emu_storage_state);
const char	*emu_deploy_state_name(enum emu_deploy_state);
const char	*emu_instance_state_name(enum emu_instance_state);
const char	*emu_op_state_name(enum emu_op_state);

/* ------------------------------------------------------------------ */
/* Hooks: how the real-world parts (VIP listeners, DNS, Blob) follow. */

enum emu_event {
	EMU_EVENT_READY = 0,	/* Running and every instance ReadyRole */
	EMU_EVENT_SUSPENDED,	/* Update Deployment Status: Suspended */
	EMU_EVENT_RESUMED,	/* Running again after Suspended */
	EMU_EVENT_DELETED,	/* the deployment is gone (or shut down) */
	EMU_EVENT__MAX
};

/*
 * What a hook is told about one deployment.  Everything is borrowed
 * and valid only during the call: copy what you keep.  pfx/pfx_len and
 * password are the first service certificate the .cscfg references as
 * it was added (NULL when none); cert is the same opened (leaf and key);
 * vip is the dotted address the model allocated from --vip-pool.
 */
struct emu_deploy_event {
	enum emu_event		 event;
	const char		*service;	/* "d1594d4527614a09b934d470" */
	const char		*deployment;	/* its Name */
	const char		*vip;		/* "127.0.0.16" */
	const unsigned char	*pfx;
	size_t			 pfx_len;
	const char		*password;
	const struct cert	*cert;
};

enum emu_package {
	EMU_PACKAGE_EXISTS = 0,
	EMU_PACKAGE_MISSING,	/* the operation fails: 400 BadRequest */
	EMU_PACKAGE_ERROR	/* could not tell: 500 InternalError */
};

/*
 * Completion of a package check: call once, now or later (from the
 * loop), with the result and a sentence for the operation's Message
 * (may be NULL).  token is the one the check was given.
 */
typedef void	(*emu_package_done)(void *, enum emu_package, const char *);

struct emu_hooks {
	void	*arg;
	/* Every deployment event; may be NULL.  Must not call the model. */
	void	 (*deploy_event)(void *, const struct emu_deploy_event *);
	/*
	 * Check that url (Create Deployment's PackageUrl) names an
	 * existing blob; answer through done(token, ...).  NULL: every
	 * package exists.  The model keeps the operation InProgress (and
	 * the deployment Deploying) until done is called.
	 */
	void	 (*package_check)(void *, const char *, emu_package_done,
		    void *);
};

/* ------------------------------------------------------------------ */
/* Configuration. */

struct emu_config {
	const char	*subscription;	/* lower-case GUID */
	const char	*subscription_name;
	const char	**regions;	/* "West US"...; NULL: a default set */
	size_t		 nregions;
	const char	*vip_pool;	/* "127.0.0.16/28"; NULL: that one */
	const char	*blob_endpoint;	/* NULL: https://ACCT.blob.core... */
	const char	*blob_key;	/* base64; NULL: random per account */
	double		 delay[EMU_STEP__MAX];	/* seconds, from --delay */
	int		 max_hosted_services;	/* quotas; 0: defaults */
	int		 max_storage_accounts;
	int		 max_cores;
};

/* Default delays ("a few seconds", so a rehearsal looks like Azure). */
void	 emu_config_defaults(struct emu_config *);

struct emu_model;

/*
 * A new model for cfg (strings are copied).  Returns NULL with err
 * filled (CLOUDDP_EUSAGE for a bad vip pool, CLOUDDP_ENOMEM).
 */
struct emu_model *emu_model_new(const struct emu_config *,
		    struct clouddp_err *);
void		 emu_model_free(struct emu_model *);
/* Replace the hooks (copied).  NULL clears them. */
void		 emu_model_set_hooks(struct emu_model *,
		    const struct emu_hooks *);

/*
 * Register a management certificate's SHA-1 thumbprint (40 hex, any
 * case) for the subscription.  Returns 0, or -1 with err filled.
 */
int		 emu_model_add_management(struct emu_model *, const char *,
		    struct clouddp_err *);
/* 1 when sub is the model's subscription (case-insensitive). */
int		 emu_model_has_subscription(const struct emu_model *,
		    const char *);
/* 1 when thumbprint is registered for sub. */
int		 emu_model_is_authorised(const struct emu_model *,
		    const char *, const char *);

/*
 * Advance the model to now: storage and deployment states, operations
 * completing, hooks fired.  Every call below advances first; a front
 * end calls this from a timer so hooks fire without a request.  Returns
 * the seconds until the next scheduled change, or -1 when none.
 */
double		 emu_model_tick(struct emu_model *, double);

#endif /* CLOUDDP_EMU_MODEL_H */
