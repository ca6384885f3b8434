/*
 * The provisioning state machine: create a cloud DP step by step
 * through a back end (backend.h), journaling each step in the inventory
 * before and after it runs, so that a run killed anywhere can be
 * resumed without a second resource.  It knows no cloud API; results
 * go to the report, diagnostics to the log sink.
 */
#ifndef CLOUDDP_PROVISION_H
#define CLOUDDP_PROVISION_H

#include "clouddp.h"
#include "backend.h"

struct cert;
struct report;

/* Defaults, as Configuration Manager's wizard has them. */
#define PROV_INSTANCES		2
#define PROV_STORAGE_GB		2000
#define PROV_TRANSFER_GB	10000
#define PROV_WARNING		50
#define PROV_CRITICAL		90

/*
 * Where a create or resume is, for a progress display: the step (index
 * from 1 of nsteps), what it is doing in words, and the instances'
 * states once the deployment has them.  Borrowed for the call.
 */
struct prov_progress {
	const char		*step;		/* "storage" */
	int			 index, nsteps;
	const char		*state;		/* "creating the storage ..." */
	size_t			 ninstances;
	const char *const	*instances;	/* "ReadyRole", ... */
};

/*
 * Called when the step or its state changes, and at each poll of the
 * deployment; the library never prints, so the tool draws it.
 */
typedef void	(*prov_progress_cb)(void *, const struct prov_progress *);

/* What create, resume and the other subcommands need.  Borrowed. */
struct prov_cfg {
	const char		*name;		/* the DP, our name for it */
	const char		*backend;	/* NULL: "asm" */
	const char		*region;
	const char		*fqdn;		/* --fqdn, or NULL */
	const struct cert	*service;	/* the service certificate */
	const struct clouddp_buf *service_pfx;	/* its .pfx bytes */
	char			*service_password; /* wiped once uploaded */
	const char		*package;	/* .cspkg; NULL: built in */
	int			 instances;
	int			 storage_quota_gb, storage_warning;
	int			 storage_critical;
	int			 transfer_quota_gb, transfer_warning;
	int			 transfer_critical;
	struct backend_cfg	 be;		/* subscription, credential */
	const char		*db;		/* inventory path */
	const char		*owner;		/* lease holder, "host:pid" */
	long long		 now;		/* Unix time, from the main */
	prov_progress_cb	 progress;	/* NULL: none */
	void			*progress_arg;
};

/*
 * Create the DP cfg->name, or carry on with it when the inventory has it
 * unfinished (that is resume too).  Adds the DP's record and its checks
 * to r.  Returns 0 when it is Ready, or -1 with err filled; what was
 * done stays in the inventory either way.
 */
int	 provision_create(const struct prov_cfg *, struct report *,
	    struct clouddp_err *);
/* Resume: as create, but the DP must be in the inventory already. */
int	 provision_resume(const struct prov_cfg *, struct report *,
	    struct clouddp_err *);
/* The inventory's DPs (all, or cfg->name) into r.  No network. */
int	 provision_list(const struct prov_cfg *, struct report *,
	    struct clouddp_err *);

/*
 * status: each DP of the inventory (or cfg->name), its deployment asked
 * of the back end when it has one, into r with a check per DP.
 */
int	 provision_status(const struct prov_cfg *, struct report *,
	    struct clouddp_err *);
/* start, stop, delete cfg->name through the back end, journaled. */
int	 provision_start(const struct prov_cfg *, struct report *,
	    struct clouddp_err *);
int	 provision_stop(const struct prov_cfg *, struct report *,
	    struct clouddp_err *);
/* Delete: every resource gone, then the record marked deleted (kept). */
int	 provision_delete(const struct prov_cfg *, struct report *,
	    struct clouddp_err *);
/* used of quota in *pct, against the warning and critical percents. */
enum clouddp_status provision_usage_status(double, int, int, int, double *);

#endif /* CLOUDDP_PROVISION_H */
