/*
 * The inventory: every cloud DP this host provisioned and the journal of
 * the steps taken for it, in one SQLite file.  The only module that
 * includes sqlite3.h.  It never talks to a cloud: the provisioner tells
 * it what happened, and it keeps that durably (WAL, one transaction per
 * change), so that a run killed at any point can be resumed from here.
 * It stores thumbprints, never keys or passwords.
 */
#ifndef CLOUDDP_INVENTORY_H
#define CLOUDDP_INVENTORY_H

#include "clouddp.h"

/* The schema this code writes; PRAGMA user_version holds it. */
#define INVENTORY_SCHEMA	1

/* Where a DP is in its life; stored as the key string. */
enum inv_state {
	INV_STATE_NEW = 0,	/* recorded, nothing created yet */
	INV_STATE_PROVISIONING,
	INV_STATE_READY,
	INV_STATE_STOPPING,
	INV_STATE_STOPPED,
	INV_STATE_STARTING,
	INV_STATE_FAILED,
	INV_STATE_DELETING,
	INV_STATE_DELETED,	/* kept for history */
	INV_STATE__MAX
};

/* "new", "provisioning", ... ; NULL out of range. */
const char	*inventory_state_name(enum inv_state);
/* The state a name stands for; -1 if none. */
int		 inventory_state_parse(const char *);

/*
 * One DP, modelled on ConfigMgr's SMS_AzureService.  azure_fqdn is what
 * the back end reported (never derived here); service_fqdn is the
 * service certificate's name, the one clients use.
 */
struct inv_dp {
	char		 name[64];
	char		 backend[16];		/* "asm" */
	char		 subscription[64];
	char		 region[64];
	char		 service_name[64];	/* cloud service */
	char		 storage_account[64];
	char		 service_fqdn[256];
	char		 azure_fqdn[256];
	char		 vip[64];
	char		 service_thumbprint[64];	/* SHA-1, hex */
	int		 instances;
	int		 storage_quota_gb;
	int		 storage_warning;	/* percent */
	int		 storage_critical;
	int		 transfer_quota_gb;
	int		 transfer_warning;
	int		 transfer_critical;
	enum inv_state	 state;
	long long	 created;		/* Unix time */
	long long	 updated;
};

/* One journal entry.  ended 0: the step was in flight when last seen. */
struct inv_step {
	long long	 id;
	char		 step[32];
	char		 state_before[32];
	char		 state_after[32];	/* "" while in flight */
	char		 request_id[64];	/* operation, "" none yet */
	char		 outcome[16];		/* "ok", "failed", "" */
	long long	 started;
	long long	 ended;			/* 0 while in flight */
};

struct inventory;

/*
 * The default path: $XDG_STATE_HOME/clouddp/inventory.db, else
 * $HOME/.local/state/clouddp/inventory.db.  Creates the directory (mode
 * 0700) as needed.  Writes the path into buf; -1 with err filled.
 */
int	 inventory_default_path(char *, size_t, struct clouddp_err *);

/*
 * Open (creating it mode 0600 if absent) the inventory at path, migrate
 * it to INVENTORY_SCHEMA, turn WAL and foreign keys on.  A file or
 * directory that cannot be written, a full disk or a newer schema is an
 * error here, before the caller does anything else.  NULL with err
 * filled.
 */
struct inventory *inventory_open(const char *, struct clouddp_err *);
/*
 * For the subcommands that work on DPs already recorded (list, status,
 * start, stop, delete, resume): inventory_open, but a path with no
 * inventory is CLOUDDP_ECONFIG with a hint and no file is created.
 * inventory_exists says the same without opening: 0, or -1 with err
 * filled.
 */
struct inventory *inventory_open_existing(const char *,
	    struct clouddp_err *);
int	 inventory_exists(const char *, struct clouddp_err *);
void	 inventory_free(struct inventory *);

/*
 * For tests: cap the database at npages pages, so that "disk full" can
 * be provoked.  Returns 0 or -1.
 */
int	 inventory_limit_pages(struct inventory *, long,
	    struct clouddp_err *);

/*
 * Is there room to journal a whole create (INVENTORY_ROOM bytes): on the
 * file system, under the process's file size limit and under a page cap?
 * 0, or -1 with a CLOUDDP_EIO "full" error.  Asked before anything is
 * made in the cloud, so that a full disk stops a run that would
 * otherwise make resources it cannot record.
 */
#define INVENTORY_ROOM	(1024 * 1024)
int	 inventory_room(struct inventory *, struct clouddp_err *);

/* Add a new DP; CLOUDDP_ECONFLICT if the name is taken. */
int	 inventory_dp_add(struct inventory *, const struct inv_dp *,
	    struct clouddp_err *);
/* Replace every field of the DP of that name but created. */
int	 inventory_dp_update(struct inventory *, const struct inv_dp *,
	    struct clouddp_err *);
/* Fill *dp: returns 0, 1 when there is no such DP, -1 on error. */
int	 inventory_dp_get(struct inventory *, const char *, struct inv_dp *,
	    struct clouddp_err *);
/*
 * Every DP, by name.  *dps is allocated (free() it), *ndps its length;
 * written only on success.
 */
int	 inventory_dp_list(struct inventory *, struct inv_dp **, size_t *,
	    struct clouddp_err *);

/*
 * Take the DP's lease for owner until now + ttl seconds, or renew it.
 * Another owner's lease that has not expired: CLOUDDP_ECONFLICT naming
 * the holder.  inventory_lease_drop releases it if owner holds it.
 */
int	 inventory_lease_take(struct inventory *, const char *, const char *,
	    long long, long long, struct clouddp_err *);
int	 inventory_lease_drop(struct inventory *, const char *, const char *,
	    struct clouddp_err *);
/*
 * The lease holder of the DP into buf ("" none): 0, or -1 on error.  A
 * caller that knows the holder is dead (its process is gone) may drop
 * the lease in its name with inventory_lease_drop.
 */
int	 inventory_lease_owner(struct inventory *, const char *, char *,
	    size_t, struct clouddp_err *);

/*
 * What inventory_lease_claim takes: the DP, the would-be holder as
 * "host:pid", the time and the lease's length; was is filled with the
 * holder taken over ("" if none).
 */
struct inv_lease {
	const char	*dp;
	const char	*owner;
	long long	 now;
	long long	 ttl;
	char		 was[300];
};

/*
 * Take the DP's lease as inventory_lease_take, or take it over from a
 * holder on this host whose process is gone (a run killed with SIGKILL
 * never drops its lease), naming it in l->was.  A holder that may be
 * alive (here, or on another host) keeps it: CLOUDDP_ECONFLICT naming
 * it.  The one place that decides who may work on a DP.
 */
int	 inventory_lease_claim(struct inventory *, struct inv_lease *,
	    struct clouddp_err *);

/*
 * Journal a step before it runs, with the DP's current state; *id is its
 * journal id.  Written and committed before the caller sends anything.
 */
int	 inventory_step_begin(struct inventory *, const char *, const char *,
	    long long, long long *, struct clouddp_err *);
/* Record the operation (request id) the step's request started. */
int	 inventory_step_request(struct inventory *, long long, const char *,
	    struct clouddp_err *);
/*
 * End a step: outcome "ok" or "failed", and the DP as it now is, written
 * in one transaction with the journal entry (both or neither).
 */
int	 inventory_step_end(struct inventory *, long long, const char *,
	    const struct inv_dp *, long long, struct clouddp_err *);
/*
 * The DP's latest step still in flight (begun, never ended): 0 with
 * *step filled, 1 if none, -1 on error.
 */
int	 inventory_step_pending(struct inventory *, const char *,
	    struct inv_step *, struct clouddp_err *);
/* Every step of the DP, oldest first; as inventory_dp_list. */
int	 inventory_step_list(struct inventory *, const char *,
	    struct inv_step **, size_t *, struct clouddp_err *);

#endif /* CLOUDDP_INVENTORY_H */
