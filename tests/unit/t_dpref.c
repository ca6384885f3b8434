/*
 * Unit tests: --dp NAME read from the inventory; a missing inventory is
 * not created, an unknown DP and one that is not Ready are said so; what
 * a tool needs of a DP that is not Ready yet.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "dpref.h"
#include "inventory.h"
#include "../tap.h"

static char	 dir[] = "/tmp/t_dpref.XXXXXX";
static char	 path[256];

static void
add(struct inventory *inv, const char *name, enum inv_state state,
    const char *vip)
{
	struct clouddp_err	 err;
	struct inv_dp		 dp;

	memset(&dp, 0, sizeof(dp));
	snprintf(dp.name, sizeof(dp.name), "%s", name);
	snprintf(dp.backend, sizeof(dp.backend), "asm");
	snprintf(dp.service_fqdn, sizeof(dp.service_fqdn),
	    "clouddp1.contoso.com");
	snprintf(dp.azure_fqdn, sizeof(dp.azure_fqdn),
	    "0123456789abcdef01234567.cloudapp.net");
	snprintf(dp.vip, sizeof(dp.vip), "%s", vip);
	snprintf(dp.service_thumbprint, sizeof(dp.service_thumbprint),
	    "00112233445566778899AABBCCDDEEFF00112233");
	dp.state = state;
	dp.created = dp.updated = 1000;
	if (inventory_dp_add(inv, &dp, &err) == -1)
		diag("add %s: %s", name, err.what);
}

static void
test_lookup(void)
{
	struct clouddp_err	 err;
	struct dpref		 ref;

	ok(dpref_get(path, "DP1", 0, &ref, &err) == 0, "a Ready DP");
	is(ref.fqdn, "clouddp1.contoso.com", "its Service FQDN");
	is(ref.target, "0123456789abcdef01234567.cloudapp.net",
	    "its Azure FQDN");
	is(ref.vip, "192.0.2.10", "its VIP");
	is(ref.thumbprint, "00112233445566778899AABBCCDDEEFF00112233",
	    "its thumbprint");
	is(ref.db, path, "the inventory it came from");
	ok(dpref_get(path, "nosuch", 0, &ref, &err) == -1 &&
	    err.code == CLOUDDP_ECONFIG && strstr(err.what, "nosuch") &&
	    strstr(err.hint, "clouddp-provision list") != NULL,
	    "an unknown DP is named, with a way to list them");
	ok(dpref_get(path, "DP2", 0, &ref, &err) == -1 &&
	    strstr(err.what, "DP2 is stopped, not ready") != NULL,
	    "a stopped DP is said to be not ready");
	ok(dpref_get(path, "DP2", DPREF_ANY_STATE, &ref, &err) == 0 &&
	    ref.state == INV_STATE_STOPPED && strcmp(ref.vip,
	    "192.0.2.11") == 0, "... and read when any state will do");
	ok(dpref_get(path, "DP3", 0, &ref, &err) == -1 &&
	    strstr(err.what, "no VIP") != NULL,
	    "a Ready DP without a VIP is an error");
}

static void
test_no_inventory(void)
{
	struct clouddp_err	 err;
	struct dpref		 ref;
	char			 other[300];
	struct stat		 sb;

	snprintf(other, sizeof(other), "%s/none.db", dir);
	ok(dpref_get(other, "DP1", 0, &ref, &err) == -1 &&
	    err.code == CLOUDDP_ECONFIG && strstr(err.what, "no inventory")
	    != NULL, "no inventory at the path is said so");
	ok(stat(other, &sb) == -1, "... and none is created");
	ok(dpref_get(dir, "DP1", 0, &ref, &err) == -1 &&
	    strstr(err.what, "not a file") != NULL,
	    "a directory is no inventory");
	/* The default path, under XDG_STATE_HOME. */
	setenv("XDG_STATE_HOME", dir, 1);
	ok(dpref_get(NULL, "DP1", 0, &ref, &err) == -1 &&
	    strstr(err.what, "/clouddp/inventory.db: no inventory") != NULL,
	    "without --db the default path is read");
}

/* dpref_need, its warning read back from stderr. */
static void
test_need(void)
{
	struct clouddp_ctx	 ctx;
	struct clouddp_err	 err;
	struct dpref		 ref;
	char			 errpath[300], text[512];
	FILE			*fp;
	size_t			 n;
	int			 fd, saved, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.prog = "t_dpref";
	if (dpref_get(path, "DP4", DPREF_ANY_STATE, &ref, &err) == -1)
		diag("DP4: %s", err.what);
	ok(dpref_need(&ref, DPREF_NEED_FQDN | DPREF_NEED_VIP, NULL, &ctx,
	    &err) == -1 && err.code == CLOUDDP_ECONFIG && strstr(err.what,
	    "DP DP4 is provisioning and has no VIP yet") != NULL &&
	    strstr(err.hint, "clouddp-provision") != NULL,
	    "a DP without the VIP a tool needs: said so, with a hint");

	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	fflush(stderr);
	saved = dup(2);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved == -1 || fd == -1 || dup2(fd, 2) == -1)
		diag("cannot redirect stderr");
	rc = dpref_need(&ref, DPREF_NEED_FQDN | DPREF_NEED_TARGET,
	    "checking its names all the same", &ctx, &err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	text[0] = '\0';
	if ((fp = fopen(errpath, "r")) != NULL) {
		n = fread(text, 1, sizeof(text) - 1, fp);
		text[n] = '\0';
		fclose(fp);
	}
	ok(rc == 0, "a DP not Ready with the names a tool needs: usable");
	ok(strstr(text, "t_dpref: warning: ") == text && strstr(text,
	    "DP DP4 is provisioning, not ready; checking its names all the "
	    "same\n") != NULL, "... with a warning saying what is done");
	if (dpref_get(path, "DP1", 0, &ref, &err) == -1)
		diag("DP1: %s", err.what);
	ok(dpref_need(&ref, DPREF_NEED_FQDN | DPREF_NEED_TARGET |
	    DPREF_NEED_VIP, NULL, &ctx, &err) == 0, "a Ready DP has them all");
}

int
main(void)
{
	struct clouddp_err	 err;
	struct inventory	*inv;
	char			 cmd[128];

	plan(18);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/inventory.db", dir);
	inv = inventory_open(path, &err);
	if (inv == NULL) {
		diag("%s", err.what);
		return 1;
	}
	add(inv, "DP1", INV_STATE_READY, "192.0.2.10");
	add(inv, "DP2", INV_STATE_STOPPED, "192.0.2.11");
	add(inv, "DP3", INV_STATE_READY, "");
	add(inv, "DP4", INV_STATE_PROVISIONING, "");
	inventory_free(inv);
	test_lookup();
	test_no_inventory();
	test_need();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
