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
	EMU_STEP_STORAGE_CREATING,	/* "storage-creating": Creating */
	EMU_STEP_STORAGE_DNS,	/* "storage-dns": ResolvingDns */
	EMU_STEP_DEPLOYING,	/* "deploying": Deploying, then Running */
	EMU_STEP_ROLE_UNKNOWN,	/* "role-unknown": RoleStateUnknown */
	EMU_STEP_CREATING_VM,	/* "creating-vm": CreatingVM */
	EMU_STEP_STARTING_VM,	/* "starting-vm": StartingVM */
	EMU_STEP_BUSY_ROLE,	/* "busy-role": BusyRole, then ReadyRole */
	EMU_STEP_INSTANCE_SKEW,	/* "instance-skew": instance i starts
				 * i times this later */
	EMU_STEP_SUSPEND,	/* "suspend": Suspending or Starting */
	EMU_STEP_DELETE,	/* "delete": Deleting, then gone */
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
	unsigned long	 seed;		/* keys, private ids */
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
/*
 * 1 while a package check has not been answered: its answer may come
 * from outside the front end's view (the loop), so a front end should
 * tick again soon rather than wait for the next request.
 */
int		 emu_model_is_waiting(const struct emu_model *);

/* ------------------------------------------------------------------ */
/*
 * Records.  The model owns them; front ends read them through the
 * const pointers the getters return, valid until the next call that
 * advances or changes the model.  Times are seconds (now's scale).
 */

#define EMU_NAME_MAX	64
#define EMU_PROPS_MAX	50

struct emu_prop {
	char	*name;
	char	*value;
};

struct emu_subscription {
	const char	*id;
	const char	*name;
	const char	*status;	/* "Active" */
	int		 max_cores, max_storage_accounts, max_hosted_services;
	int		 cur_cores, cur_storage_accounts, cur_hosted_services;
	double		 created;
};

struct emu_service {
	char		 name[EMU_NAME_MAX];
	char		*label;		/* decoded text */
	char		*description;	/* "" when none */
	char		*location;	/* NULL with an affinity group */
	char		*affinity_group;
	struct emu_prop	 props[EMU_PROPS_MAX];
	size_t		 nprops;
	double		 created, modified;
};

struct emu_storage {
	char			 name[EMU_NAME_MAX];
	char			*label;
	char			*description;
	char			*location;
	char			*affinity_group;
	char			*account_type;	/* "Standard_GRS" */
	struct emu_prop		 props[EMU_PROPS_MAX];
	size_t			 nprops;
	char			*primary_key, *secondary_key;	/* base64 */
	char			*blob_endpoint;	/* with a final '/' */
	enum emu_storage_state	 state;		/* at the last advance */
	double			 created;
	double			 ready_at;	/* Created from then */
	int			 stuck;		/* fault: stays Creating */
	int			 deleted;
};

struct emu_certificate {
	char			 service[EMU_NAME_MAX];
	char			 thumbprint[41];	/* upper-case hex */
	unsigned char		*der;
	size_t			 der_len;
	unsigned char		*pfx;		/* NULL for a .cer */
	size_t			 pfx_len;
	char			*password;
	struct cert		*cert;
	double			 visible_at;	/* listed from then */
};

struct emu_instance {
	char			 role[EMU_NAME_MAX];
	char			 name[EMU_NAME_MAX + 16]; /* WebRole_IN_0 */
	enum emu_instance_state	 state;
	int			 index;
	char			 ip[16];	/* internal address */
};

enum emu_slot { EMU_SLOT_PRODUCTION = 0, EMU_SLOT_STAGING, EMU_SLOT__MAX };
/* "Production", "Staging". */
const char	*emu_slot_name(enum emu_slot);
/* The slot for "production"/"staging" (any case), or -1. */
int		 emu_slot_find(const char *);

struct emu_deployment {
	char			 service[EMU_NAME_MAX];
	enum emu_slot		 slot;
	char			 name[EMU_NAME_MAX];
	char			 private_id[33];
	char			*label;
	char			*configuration;	/* the .cscfg text */
	char			*package_url;
	struct emu_prop		 props[EMU_PROPS_MAX];
	size_t			 nprops;
	enum emu_deploy_state	 state;		/* at the last advance */
	struct emu_instance	*instances;
	size_t			 ninstances;
	char			 role[EMU_NAME_MAX];	/* first role */
	char			 vip[16];	/* "" until allocated */
	char			 thumbprint[41];	/* "" none */
	double			 created, modified;
	/* Internal clocks. */
	double			 t_start;	/* instances start from */
	double			 t_state;	/* the last state change */
	int			 package;	/* 0 pending, 1 ok, -1 fail */
	int			 ready;		/* READY hook fired */
	int			 stuck;		/* fault: BusyRole forever */
	int			 start;		/* StartDeployment */
	int			 gone;
};

struct emu_operation {
	char			 id[33];	/* the request id */
	enum emu_op_state	 state;		/* at the last advance */
	int			 http;		/* 200 on success */
	char			 code[48];	/* error code when Failed */
	char			 message[256];
	double			 done_at;	/* < 0: waits on something */
	enum emu_op_state	 final;
};

/* ------------------------------------------------------------------ */
/* Calls.  Each advances the model to now first.  On failure they return
 * -1 and fill st; nothing changes.  reqid is the request's 32-hex id,
 * which becomes the asynchronous operation's id. */

/* The subscription with its current counters. */
const struct emu_subscription *emu_subscription_get(struct emu_model *,
		    double);
/* The regions List Locations answers. */
const char	*const *emu_model_regions(const struct emu_model *, size_t *);

/*
 * Name availability: 1 available, 0 taken or invalid (reason filled with
 * the sentence Azure gives).
 */
int		 emu_service_available(struct emu_model *, double,
		    const char *, char *, size_t);
int		 emu_storage_available(struct emu_model *, double,
		    const char *, char *, size_t);

/* What Create Cloud Service and Create Storage Account ask for. */
struct emu_create_input {
	const char	*name;
	const char	*label;		/* decoded */
	const char	*description;	/* NULL: none */
	const char	*location;	/* exactly one of location */
	const char	*affinity_group;	/* and affinity_group */
	const char	*account_type;	/* storage; NULL: Standard_GRS */
	const struct emu_prop *props;
	size_t		 nprops;
};

/* Synchronous: the operation is registered already Succeeded. */
int		 emu_service_create(struct emu_model *, double, const char *,
		    const struct emu_create_input *, struct emu_status *);
const struct emu_service *emu_service_get(struct emu_model *, double,
		    const char *);
/* ECONFLICT while a deployment exists; synchronous. */
int		 emu_service_delete(struct emu_model *, double, const char *,
		    const char *, struct emu_status *);

/* Asynchronous (operation); the account goes Creating, ResolvingDns,
 * Created.  stuck (a fault) keeps it Creating. */
int		 emu_storage_create(struct emu_model *, double, const char *,
		    const struct emu_create_input *, int, struct emu_status *);
const struct emu_storage *emu_storage_get(struct emu_model *, double,
		    const char *);
int		 emu_storage_delete(struct emu_model *, double, const char *,
		    const char *, struct emu_status *);

/*
 * Add Service Certificate: data is the .pfx (format "pfx", opened with
 * password) or a DER/base64 .cer ("cer").  Synchronous checks: service
 * exists, format known.  The opening happens in the operation: a wrong
 * password or a PBES2 (AES) .pfx, which the classic API refused, makes
 * it Failed with 400 BadRequest; a duplicate is Failed with 409.
 */
struct emu_cert_input {
	const char		*service;
	const char		*format;	/* "pfx" or "cer" */
	const unsigned char	*data;
	size_t			 data_len;
	const char		*password;	/* NULL: empty */
};
int		 emu_cert_add(struct emu_model *, double, const char *,
		    const struct emu_cert_input *, struct emu_status *);
/* The service's certificates, i-th (borrowed), or NULL past the end. */
const struct emu_certificate *emu_cert_at(struct emu_model *, double,
		    const char *, size_t);
/* By "sha1-THUMBPRINT" (any case). */
const struct emu_certificate *emu_cert_get(struct emu_model *, double,
		    const char *, const char *);
int		 emu_cert_delete(struct emu_model *, double, const char *,
		    const char *, const char *, struct emu_status *);

/* What Create Deployment asks for. */
struct emu_deploy_input {
	enum emu_slot	 slot;
	const char	*name;
	const char	*package_url;
	const char	*label;		/* decoded */
	const char	*configuration;	/* decoded .cscfg XML */
	size_t		 configuration_len;
	int		 start;		/* StartDeployment */
	const struct emu_prop *props;
	size_t		 nprops;
	int		 stuck;		/* fault: one instance stays BusyRole */
};

/*
 * Create Deployment.  Synchronous checks: the service exists (404), the
 * slot is free and the name unused (409), the cores quota (409).  The
 * rest fails the operation with 400 BadRequest: a .cscfg that is not
 * XML, gives no instance count, or references a certificate not added;
 * a missing package (the package_check hook).
 */
int		 emu_deploy_create(struct emu_model *, double, const char *,
		    const char *, const struct emu_deploy_input *,
		    struct emu_status *);
/* A deployment by slot (name NULL) or by name. */
struct emu_deploy_ref {
	const char	*service;
	enum emu_slot	 slot;
	const char	*name;
};
const struct emu_deployment *emu_deploy_get(struct emu_model *, double,
		    const struct emu_deploy_ref *);
/* Update Deployment Status: running 1 (Running) or 0 (Suspended). */
int		 emu_deploy_set_status(struct emu_model *, double,
		    const char *, const struct emu_deploy_ref *, int,
		    struct emu_status *);
int		 emu_deploy_delete(struct emu_model *, double, const char *,
		    const struct emu_deploy_ref *, struct emu_status *);

/*
 * Register an operation that fails (a fault): after the operation delay
 * it is Failed with http, code and message.
 */
int		 emu_op_add_failed(struct emu_model *, double, const char *,
		    int, const char *, const char *, struct emu_status *);
const struct emu_operation *emu_op_get(struct emu_model *, double,
		    const char *);

#endif /* CLOUDDP_EMU_MODEL_H */
