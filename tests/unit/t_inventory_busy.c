/*
 * Unit test: many processes opening one new inventory at the same
 * moment, as twenty creates started together do.  Turning a new file to
 * WAL takes a lock SQLite will not wait for, so each open must retry
 * rather than fail with "database is locked".
 */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "inventory.h"
#include "../tap.h"

#define ROUNDS	25
#define PROCS	16

static char	 dir[] = "/tmp/t_inventory_busy.XXXXXX";

/* A child: wait for the start, open, exit 0 or 1 (2: not started). */
static void
child(const char *path, int go)
{
	struct inventory	*inv;
	struct clouddp_err	 err;
	char			 c;

	if (read(go, &c, 1) == -1)
		_exit(2);
	inv = inventory_open(path, &err);
	if (inv == NULL) {
		fprintf(stderr, "%s\n", err.what);
		_exit(1);
	}
	inventory_free(inv);
	_exit(0);
}

/* One round on a new file: the number of opens that failed. */
static int
round_of(const char *path)
{
	int	 fds[2], i, st, failed = 0;
	pid_t	 pid;

	unlink(path);
	if (pipe(fds) == -1)
		return PROCS;
	fflush(stdout);		/* the children must not print our buffer */
	for (i = 0; i < PROCS; i++) {
		pid = fork();
		if (pid == 0) {
			close(fds[1]);
			child(path, fds[0]);
		}
		if (pid == -1)
			failed++;
	}
	close(fds[0]);
	/* Closing the pipe's write end starts them all at once. */
	close(fds[1]);
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) == 1)
			failed++;
	return failed;
}

int
main(void)
{
	char	 path[256], wal[300], shm[300];
	int	 r, failed = 0;

	plan(1);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/inventory.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	for (r = 0; r < ROUNDS; r++) {
		unlink(wal);
		unlink(shm);
		failed += round_of(path);
	}
	is_int(failed, 0, "16 processes opening a new inventory at once, "
	    "25 times: none fails");
	unlink(wal);
	unlink(shm);
	unlink(path);
	rmdir(dir);
	return done_testing();
}
