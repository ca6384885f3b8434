/*
 * Unit tests: the inventory's records and journal, its file mode, a run
 * killed in the middle of a step, a read-only directory, a full disk and
 * a newer schema.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "inventory.h"
#include "../tap.h"

static char	 dir[] = "/tmp/t_inventory.XXXXXX";
static char	 path[256];

static void
fill(struct inv_dp *dp, const char *name)
{
	memset(dp, 0, sizeof(*dp));
	snprintf(dp->name, sizeof(dp->name), "%s", name);
	snprintf(dp->backend, sizeof(dp->backend), "asm");
	snprintf(dp->subscription, sizeof(dp->subscription),
	    "11111111-2222-3333-4444-555555555555");
	snprintf(dp->region, sizeof(dp->region), "West Europe");
	snprintf(dp->service_fqdn, sizeof(dp->service_fqdn),
	    "dp1.contoso.com");
	dp->instances = 2;
	dp->storage_quota_gb = 2000;
	dp->storage_warning = 50;
	dp->storage_critical = 90;
	dp->transfer_quota_gb = 10000;
	dp->transfer_warning = 50;
	dp->transfer_critical = 90;
	dp->state = INV_STATE_NEW;
	dp->created = dp->updated = 1000;
}

static void
test_records(void)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	struct inv_dp		 dp, got, *dps = NULL;
	struct stat		 sb;
	size_t			 n = 0;

	inv = inventory_open(path, &err);
	ok(inv != NULL, "open creates the inventory");
	if (inv == NULL) {
		diag("%s", err.what);
		exit(1);
	}
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "the file is mode 0600");
	fill(&dp, "DP1");
	ok(inventory_dp_add(inv, &dp, &err) == 0, "add a DP");
	ok(inventory_dp_add(inv, &dp, &err) == -1 &&
	    err.code == CLOUDDP_ECONFLICT, "a second DP1 is a conflict");
	snprintf(dp.azure_fqdn, sizeof(dp.azure_fqdn),
	    "0123456789abcdef01234567.cloudapp.net");
	snprintf(dp.vip, sizeof(dp.vip), "192.0.2.10");
	dp.state = INV_STATE_READY;
	dp.updated = 2000;
	dp.created = 5;
	ok(inventory_dp_update(inv, &dp, &err) == 0, "update it");
	ok(inventory_dp_get(inv, "DP1", &got, &err) == 0, "read it back");
	is(got.azure_fqdn, "0123456789abcdef01234567.cloudapp.net",
	    "the Azure FQDN as reported");
	is(got.vip, "192.0.2.10", "the VIP");
	is_int(got.state, INV_STATE_READY, "the state");
	is_int(got.created, 1000, "update keeps created");
	is_int(got.transfer_critical, 90, "the thresholds");
	ok(inventory_dp_get(inv, "nope", &got, &err) == 1, "unknown DP: 1");
	fill(&dp, "DP0");
	inventory_dp_add(inv, &dp, &err);
	ok(inventory_dp_list(inv, &dps, &n, &err) == 0 && n == 2 &&
	    strcmp(dps[0].name, "DP0") == 0, "list, by name");
	free(dps);
	ok(inventory_lease_take(inv, "DP1", "a", 100, 60, &err) == 0,
	    "take the lease");
	ok(inventory_lease_take(inv, "DP1", "b", 120, 60, &err) == -1 &&
	    err.code == CLOUDDP_ECONFLICT, "a second owner is refused");
	ok(inventory_lease_take(inv, "DP1", "b", 200, 60, &err) == 0,
	    "an expired lease can be taken");
	ok(inventory_lease_drop(inv, "DP1", "b", &err) == 0 &&
	    inventory_lease_take(inv, "DP1", "a", 201, 60, &err) == 0,
	    "a dropped lease is free");
	inventory_free(inv);
}

/* The lease of a process gone on this host is taken over; others not. */
static void
test_claim(void)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	struct inv_lease	 l;
	char			 dead[64], live[64], mine[64];
	pid_t			 pid;

	inv = inventory_open(path, &err);
	if (inv == NULL)
		exit(1);
	fflush(stdout);	/* the child must not print our buffer again */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(dead, sizeof(dead), "here:%ld", (long)pid);
	snprintf(live, sizeof(live), "here:%ld", (long)getppid());
	snprintf(mine, sizeof(mine), "here:%ld", (long)getpid());
	memset(&l, 0, sizeof(l));
	l.dp = "DP0";
	l.now = 1000;
	l.ttl = 60;
	l.owner = dead;
	ok(inventory_lease_claim(inv, &l, &err) == 0 && l.was[0] == '\0',
	    "claim a free lease");
	l.owner = mine;
	ok(inventory_lease_claim(inv, &l, &err) == 0 &&
	    strcmp(l.was, dead) == 0, "a gone holder's lease is taken over");
	l.owner = live;
	ok(inventory_lease_claim(inv, &l, &err) == -1 &&
	    err.code == CLOUDDP_ECONFLICT && strstr(err.what, mine) != NULL,
	    "a live holder keeps it, and is named");
	inventory_lease_drop(inv, "DP0", mine, &err);
	inventory_lease_take(inv, "DP0", "elsewhere:1", 1000, 60, &err);
	l.owner = mine;
	ok(inventory_lease_claim(inv, &l, &err) == -1 &&
	    err.code == CLOUDDP_ECONFLICT &&
	    strstr(err.what, "elsewhere:1") != NULL,
	    "another host's holder keeps it");
	inventory_lease_drop(inv, "DP0", "elsewhere:1", &err);
	inventory_free(inv);
}

/* A child journals a step and its request, then dies by SIGKILL. */
static void
test_killed(void)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	struct inv_step		 step, *steps = NULL;
	struct inv_dp		 dp;
	long long		 id;
	size_t			 n = 0;
	pid_t			 pid;
	int			 status;

	fflush(stdout);	/* the child must not print our buffer again */
	pid = fork();
	if (pid == 0) {
		inv = inventory_open(path, &err);
		if (inv == NULL ||
		    inventory_step_begin(inv, "DP1", "storage", 3000, &id,
		    &err) == -1 ||
		    inventory_step_request(inv, id, "op-42", &err) == -1)
			_exit(1);
		raise(SIGKILL);
		_exit(1);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the child was killed mid-step");
	inv = inventory_open(path, &err);
	ok(inv != NULL, "reopen after the kill");
	if (inv == NULL)
		exit(1);
	ok(inventory_step_pending(inv, "DP1", &step, &err) == 0,
	    "the step is still in flight");
	is(step.step, "storage", "its name");
	is(step.request_id, "op-42", "the operation to re-poll");
	is(step.state_before, "ready", "the state before it");
	inventory_dp_get(inv, "DP1", &dp, &err);
	snprintf(dp.name, sizeof(dp.name), "ghost");
	ok(inventory_step_end(inv, step.id, "ok", &dp, 3050, &err) == -1 &&
	    inventory_step_pending(inv, "DP1", &step, &err) == 0 &&
	    step.ended == 0, "a failed end leaves the step in flight");
	snprintf(dp.name, sizeof(dp.name), "DP1");
	dp.state = INV_STATE_PROVISIONING;
	snprintf(dp.storage_account, sizeof(dp.storage_account), "acct");
	ok(inventory_step_end(inv, step.id, "ok", &dp, 3100, &err) == 0,
	    "resume ends it");
	ok(inventory_step_pending(inv, "DP1", &step, &err) == 1,
	    "nothing in flight now");
	ok(inventory_step_list(inv, "DP1", &steps, &n, &err) == 0 && n == 1 &&
	    strcmp(steps[0].state_after, "provisioning") == 0 &&
	    strcmp(steps[0].outcome, "ok") == 0 && steps[0].ended == 3100,
	    "the journal records the outcome and the state after");
	free(steps);
	inventory_free(inv);
}

/* Steps until the capped file is full: the failing one changes nothing. */
static void
test_full(void)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	struct inv_dp		 dp, got;
	long long		 id;
	int			 i, failed = 0;

	inv = inventory_open(path, &err);
	if (inv == NULL)
		exit(1);
	ok(inventory_room(inv, &err) == 0, "room to journal a create");
	ok(inventory_limit_pages(inv, 8, &err) == 0, "cap the file");
	ok(inventory_room(inv, &err) == -1 && err.code == CLOUDDP_EIO &&
	    strstr(err.what, "disk is full") != NULL && err.hint[0] != '\0',
	    "under a cap, no room: said before any write");
	inventory_dp_get(inv, "DP0", &dp, &err);
	for (i = 0; i < 100000 && !failed; i++) {
		if (inventory_step_begin(inv, "DP0", "certificate", i, &id,
		    &err) == -1) {
			failed = 1;
			break;
		}
		snprintf(dp.vip, sizeof(dp.vip), "198.51.100.%d", i % 250);
		if (inventory_step_end(inv, id, "ok", &dp, i, &err) == -1)
			failed = 2;
	}
	ok(failed != 0, "the disk fills up");
	ok(err.code == CLOUDDP_EIO && strstr(err.what, "disk is full") != NULL,
	    "a clear error");
	diag("%s", err.what);
	ok(inventory_dp_get(inv, "DP0", &got, &err) == 0,
	    "the inventory is still readable");
	ok(failed == 1 || strcmp(got.vip, dp.vip) != 0,
	    "a failed end left the DP as it was");
	inventory_free(inv);
}

/* As root, a child drops to nobody so that permissions apply. */
static void
test_readonly(void)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	char			 ro[300], db[320];
	pid_t			 pid;
	int			 status;

	snprintf(ro, sizeof(ro), "%s/ro", dir);
	snprintf(db, sizeof(db), "%s/inventory.db", ro);
	chmod(dir, 0755);
	mkdir(ro, 0555);
	fflush(stdout);	/* the child must not print our buffer again */
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) == -1 ||
		    setuid(65534) == -1))
			_exit(3);
		inv = inventory_open(db, &err);
		if (inv != NULL)
			_exit(1);
		if (err.code != CLOUDDP_EIO || strstr(err.what,
		    "cannot open the inventory for writing") == NULL ||
		    err.hint[0] == '\0')
			_exit(2);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a read-only directory: a clear error");
	ok(access(db, F_OK) == -1, "and nothing was created");
	rmdir(ro);
}

static void
test_newer(void)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	char			 cmd[512];
	unsigned char		 v[4] = { 0, 0, 0, 9 };
	int			 fd;

	snprintf(cmd, sizeof(cmd), "%s/new.db", dir);
	inv = inventory_open(cmd, &err);
	inventory_free(inv);
	/* Bump user_version in the file header itself (offset 60). */
	fd = open(cmd, O_WRONLY);
	ok(fd != -1 && pwrite(fd, v, 4, 60) == 4, "set user_version 9");
	if (fd != -1)
		close(fd);
	inv = inventory_open(cmd, &err);
	ok(inv == NULL && err.code == CLOUDDP_ECONFIG &&
	    strstr(err.what, "newer") != NULL, "a newer schema is refused");
	inventory_free(inv);
}

int
main(void)
{
	char	 cmd[128];

	plan(42);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/inventory.db", dir);
	test_records();
	test_claim();
	test_killed();
	test_full();
	test_readonly();
	test_newer();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
