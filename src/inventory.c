/*
 * The inventory on SQLite: the only module that includes sqlite3.h.
 * Each change is one transaction, so a run killed between two calls
 * leaves either the old state or the new one, never half of a change.
 * It never stores keys or passwords.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clouddp.h"
#include "inventory.h"

struct inventory {
	sqlite3		*db;
	char		 path[1024];
};

static const char *const state_names[INV_STATE__MAX] = {
	"new", "provisioning", "ready", "stopping", "stopped", "starting",
	"failed", "deleting", "deleted"
};

/* Schema 1.  Column names follow SMS_AzureService where one exists. */
static const char schema_v1[] =
	"CREATE TABLE dp ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" backend TEXT NOT NULL, subscription TEXT NOT NULL,"
	" region TEXT NOT NULL, service_name TEXT NOT NULL,"
	" storage_account TEXT NOT NULL, service_fqdn TEXT NOT NULL,"
	" azure_fqdn TEXT NOT NULL, vip TEXT NOT NULL,"
	" service_thumbprint TEXT NOT NULL, instances INTEGER NOT NULL,"
	" storage_quota_gb INTEGER NOT NULL,"
	" storage_warning INTEGER NOT NULL,"
	" storage_critical INTEGER NOT NULL,"
	" transfer_quota_gb INTEGER NOT NULL,"
	" transfer_warning INTEGER NOT NULL,"
	" transfer_critical INTEGER NOT NULL,"
	" state TEXT NOT NULL, created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" lease_owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE step ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" dp TEXT NOT NULL REFERENCES dp(name),"
	" step TEXT NOT NULL, state_before TEXT NOT NULL,"
	" state_after TEXT NOT NULL DEFAULT '',"
	" request_id TEXT NOT NULL DEFAULT '',"
	" outcome TEXT NOT NULL DEFAULT '',"
	" started INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX step_dp ON step(dp, id);"
	"PRAGMA user_version = 1;";

const char *
inventory_state_name(enum inv_state s)
{
	if ((int)s < 0 || s >= INV_STATE__MAX)
		return NULL;
	return state_names[s];
}

int
inventory_state_parse(const char *s)
{
	int	 i;

	for (i = 0; i < INV_STATE__MAX; i++)
		if (strcmp(state_names[i], s) == 0)
			return i;
	return -1;
}

/* One integer a PRAGMA returns; -1 on error. */
static long long
pragma_int(struct inventory *inv, const char *sql)
{
	sqlite3_stmt	*st = NULL;
	long long	 v = -1;

	if (sqlite3_prepare_v2(inv->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Less than INVENTORY_ROOM bytes to grow into: on the file system, under
 * the file size limit, under a page cap?  1 with buf saying which.
 */
static int
room_short(struct inventory *inv, char *buf, size_t len)
{
	struct statvfs	 vfs;
	struct rlimit	 rl;
	char		 dir[sizeof(inv->path)], *slash;
	long long	 room, size, max, pages;

	snprintf(dir, sizeof(dir), "%s", inv->path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir ? 1 : 0] = '\0';
	room = INVENTORY_ROOM;
	if (statvfs(dir, &vfs) == 0)
		room = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
	if (room < INVENTORY_ROOM) {
		snprintf(buf, len, "%lld KiB free on its file system",
		    room / 1024);
		return 1;
	}
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < INVENTORY_ROOM) {
		snprintf(buf, len, "%lld KiB under this process's file size "
		    "limit", (long long)rl.rlim_cur / 1024);
		return 1;
	}
	size = pragma_int(inv, "PRAGMA page_size");
	max = pragma_int(inv, "PRAGMA max_page_count");
	pages = pragma_int(inv, "PRAGMA page_count");
	if (size > 0 && max > 0 && pages >= 0 &&
	    (max - pages) * size < INVENTORY_ROOM) {
		snprintf(buf, len, "%lld KiB under its page limit",
		    (max - pages) * size / 1024);
		return 1;
	}
	return 0;
}

/* Turn SQLite's view of a failure into words with a fix. */
static int
dberr(struct inventory *inv, int rc, struct clouddp_err *err,
    const char *doing)
{
	const char	*msg;
	char		 room[160];

	msg = inv->db != NULL ? sqlite3_errmsg(inv->db) : sqlite3_errstr(rc);
	/* A write refused for want of room (a size limit too) is "full". */
	if ((rc & 0xff) == SQLITE_IOERR && inv->db != NULL &&
	    room_short(inv, room, sizeof(room)))
		return clouddp_errf(err, CLOUDDP_EIO, "free space on the "
		    "inventory's file system, then run again",
		    "%s: %s: the disk is full: %s", inv->path, doing, room);
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return clouddp_errf(err, CLOUDDP_EIO, "free space on the "
		    "inventory's file system, then run again",
		    "%s: %s: the disk is full (%s)", inv->path, doing, msg);
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return clouddp_errf(err, CLOUDDP_EIO, "make the file and its "
		    "directory writable, or choose another --db",
		    "%s: %s: cannot write the inventory (%s)", inv->path,
		    doing, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return clouddp_errf(err, CLOUDDP_EIO, "another clouddp "
		    "process holds the inventory; run again when it is done",
		    "%s: %s: the inventory is busy (%s)", inv->path, doing,
		    msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return clouddp_errf(err, CLOUDDP_EIO, "restore the inventory "
		    "from a backup or move it aside",
		    "%s: %s: not a usable inventory (%s)", inv->path, doing,
		    msg);
	default:
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s: %s",
		    inv->path, doing, msg);
	}
}

static int
exec(struct inventory *inv, const char *sql, const char *doing,
    struct clouddp_err *err)
{
	int	 rc;

	rc = sqlite3_exec(inv->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return dberr(inv, rc, err, doing);
	return 0;
}

static void
rollback(struct inventory *inv)
{
	if (!sqlite3_get_autocommit(inv->db))
		sqlite3_exec(inv->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
prepare(struct inventory *inv, const char *sql, sqlite3_stmt **st,
    struct clouddp_err *err)
{
	int	 rc;

	rc = sqlite3_prepare_v2(inv->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK)
		return dberr(inv, rc, err, "preparing a query");
	return 0;
}

static int
mkdirs(char *path, struct clouddp_err *err)
{
	char	*p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			clouddp_errf(err, CLOUDDP_EIO, "create it or pass --db",
			    "%s: cannot create directory: %s", path,
			    strerror(errno));
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int
inventory_default_path(char *buf, size_t len, struct clouddp_err *err)
{
	const char	*base, *home;
	int		 n;

	base = getenv("XDG_STATE_HOME");
	home = getenv("HOME");
	if (base != NULL && base[0] == '/')
		n = snprintf(buf, len, "%s/clouddp/inventory.db", base);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/clouddp/inventory.db",
		    home);
	else
		return clouddp_errf(err, CLOUDDP_ECONFIG, "set HOME or pass "
		    "--db", "no place for the inventory: neither "
		    "XDG_STATE_HOME nor HOME is an absolute path");
	if (n < 0 || (size_t)n >= len)
		return clouddp_errf(err, CLOUDDP_ECONFIG, "pass a shorter --db",
		    "inventory path too long");
	return mkdirs(buf, err);
}

/*
 * Create the file 0600 ourselves: SQLite would follow the umask.  With
 * create 0 the file must be there already.
 */
static int
create_file(const char *path, int create, struct clouddp_err *err)
{
	struct stat	 st;
	int		 fd;

	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd == -1)
		return clouddp_errf(err, CLOUDDP_EIO, "make the file and its "
		    "directory writable, or choose another --db",
		    "%s: cannot open the inventory for writing: %s", path,
		    strerror(errno));
	/* Made readable by others: made private (its WAL takes its mode). */
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0 &&
	    st.st_uid == geteuid() && fchmod(fd, 0600) == -1) {
		clouddp_errf(err, CLOUDDP_EIO, "chmod 600 it", "%s: cannot "
		    "make the inventory private: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
migrate(struct inventory *inv, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 version, rc;

	/* Take the write lock first: a read-only file fails here. */
	if (exec(inv, "BEGIN IMMEDIATE", "opening", err) == -1)
		return -1;
	if (prepare(inv, "PRAGMA user_version", &st, err) == -1)
		goto fail;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		dberr(inv, rc, err, "reading the schema version");
		goto fail;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version > INVENTORY_SCHEMA) {
		clouddp_errf(err, CLOUDDP_ECONFIG, "use a newer clouddp, or "
		    "another --db", "%s: inventory schema %d is newer than "
		    "this version knows (%d)", inv->path, version,
		    INVENTORY_SCHEMA);
		goto fail;
	}
	if (version < 1 && exec(inv, schema_v1, "creating the schema",
	    err) == -1)
		goto fail;
	return exec(inv, "COMMIT", "writing the schema", err);
fail:
	sqlite3_finalize(st);
	rollback(inv);
	return -1;
}

/*
 * WAL mode.  Turning a new file to WAL needs a lock that SQLite does not
 * wait for through the busy handler (waiting could deadlock two
 * openers), so processes opening a new inventory together retry here,
 * for as long as the busy timeout would have waited.
 */
static int
wal_on(struct inventory *inv, struct clouddp_err *err)
{
	int	 i, rc;

	for (i = 0; i < 1000; i++) {
		rc = sqlite3_exec(inv->db, "PRAGMA journal_mode = WAL", NULL,
		    NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY)
			break;
		sqlite3_sleep(10);
	}
	if (rc != SQLITE_OK)
		return dberr(inv, rc, err, "opening");
	return 0;
}

int
inventory_exists(const char *path, struct clouddp_err *err)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return clouddp_errf(err, errno == ENOENT ? CLOUDDP_ECONFIG :
		    CLOUDDP_EIO, "pass the inventory clouddp-provision create "
		    "wrote with --db PATH, or create a DP first",
		    "%s: no inventory: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return clouddp_errf(err, CLOUDDP_ECONFIG, "pass the "
		    "inventory file with --db PATH", "%s: not a file", path);
	return 0;
}

static struct inventory *
open_inv(const char *path, int create, struct clouddp_err *err)
{
	struct inventory	*inv;
	int			 rc, n;

	inv = calloc(1, sizeof(*inv));
	if (inv == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	n = snprintf(inv->path, sizeof(inv->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(inv->path)) {
		clouddp_errf(err, CLOUDDP_ECONFIG, "pass a shorter --db",
		    "inventory path too long");
		goto fail;
	}
	if (create_file(path, create, err) == -1)
		goto fail;
	rc = sqlite3_open_v2(path, &inv->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		dberr(inv, rc, err, "opening");
		goto fail;
	}
	sqlite3_busy_timeout(inv->db, 10000);
	sqlite3_extended_result_codes(inv->db, 1);
	if (wal_on(inv, err) == -1 ||
	    exec(inv, "PRAGMA foreign_keys = ON", "opening", err) == -1 ||
	    exec(inv, "PRAGMA synchronous = FULL", "opening", err) == -1 ||
	    migrate(inv, err) == -1)
		goto fail;
	return inv;
fail:
	inventory_free(inv);
	return NULL;
}

struct inventory *
inventory_open(const char *path, struct clouddp_err *err)
{
	return open_inv(path, 1, err);
}

struct inventory *
inventory_open_existing(const char *path, struct clouddp_err *err)
{
	if (inventory_exists(path, err) == -1)
		return NULL;
	return open_inv(path, 0, err);
}

void
inventory_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	sqlite3_close(inv->db);
	free(inv);
}

int
inventory_limit_pages(struct inventory *inv, long npages,
    struct clouddp_err *err)
{
	char	 sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %ld", npages);
	return exec(inv, sql, "limiting the size", err);
}

int
inventory_room(struct inventory *inv, struct clouddp_err *err)
{
	char	 room[160];

	if (!room_short(inv, room, sizeof(room)))
		return 0;
	return clouddp_errf(err, CLOUDDP_EIO, "free space on the "
	    "inventory's file system (or choose another --db), then run "
	    "again", "%s: the disk is full: %s, %d KiB needed to journal a "
	    "create", inv->path, room, INVENTORY_ROOM / 1024);
}

static void
copy_col(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const unsigned char	*s;

	s = sqlite3_column_text(st, col);
	snprintf(buf, len, "%s", s != NULL ? (const char *)s : "");
}

#define DP_COLS "name, backend, subscription, region, service_name, " \
	"storage_account, service_fqdn, azure_fqdn, vip, " \
	"service_thumbprint, instances, storage_quota_gb, storage_warning, " \
	"storage_critical, transfer_quota_gb, transfer_warning, " \
	"transfer_critical, state, created, updated"

static void
bind_dp(sqlite3_stmt *st, const struct inv_dp *dp)
{
	const char *const s[] = { dp->name, dp->backend, dp->subscription,
	    dp->region, dp->service_name, dp->storage_account,
	    dp->service_fqdn, dp->azure_fqdn, dp->vip,
	    dp->service_thumbprint };
	const int i[] = { dp->instances, dp->storage_quota_gb,
	    dp->storage_warning, dp->storage_critical, dp->transfer_quota_gb,
	    dp->transfer_warning, dp->transfer_critical };
	const char	*state;
	size_t		 k;

	for (k = 0; k < sizeof(s) / sizeof(s[0]); k++)
		sqlite3_bind_text(st, (int)k + 1, s[k], -1, SQLITE_TRANSIENT);
	for (k = 0; k < sizeof(i) / sizeof(i[0]); k++)
		sqlite3_bind_int(st, (int)k + 11, i[k]);
	state = inventory_state_name(dp->state);
	sqlite3_bind_text(st, 18, state != NULL ? state : "failed", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 19, dp->created);
	sqlite3_bind_int64(st, 20, dp->updated);
}

/* One dp row (DP_COLS) into arg, a struct inv_dp. */
static void
read_dp(sqlite3_stmt *st, void *arg)
{
	struct inv_dp	*dp = arg;
	char		 state[32];
	int		 s;

	memset(dp, 0, sizeof(*dp));
	copy_col(st, 0, dp->name, sizeof(dp->name));
	copy_col(st, 1, dp->backend, sizeof(dp->backend));
	copy_col(st, 2, dp->subscription, sizeof(dp->subscription));
	copy_col(st, 3, dp->region, sizeof(dp->region));
	copy_col(st, 4, dp->service_name, sizeof(dp->service_name));
	copy_col(st, 5, dp->storage_account, sizeof(dp->storage_account));
	copy_col(st, 6, dp->service_fqdn, sizeof(dp->service_fqdn));
	copy_col(st, 7, dp->azure_fqdn, sizeof(dp->azure_fqdn));
	copy_col(st, 8, dp->vip, sizeof(dp->vip));
	copy_col(st, 9, dp->service_thumbprint,
	    sizeof(dp->service_thumbprint));
	dp->instances = sqlite3_column_int(st, 10);
	dp->storage_quota_gb = sqlite3_column_int(st, 11);
	dp->storage_warning = sqlite3_column_int(st, 12);
	dp->storage_critical = sqlite3_column_int(st, 13);
	dp->transfer_quota_gb = sqlite3_column_int(st, 14);
	dp->transfer_warning = sqlite3_column_int(st, 15);
	dp->transfer_critical = sqlite3_column_int(st, 16);
	copy_col(st, 17, state, sizeof(state));
	s = inventory_state_parse(state);
	dp->state = s >= 0 ? (enum inv_state)s : INV_STATE_FAILED;
	dp->created = sqlite3_column_int64(st, 18);
	dp->updated = sqlite3_column_int64(st, 19);
}

/* Run one statement that returns no rows; *changes if not NULL. */
static int
run(struct inventory *inv, sqlite3_stmt *st, const char *doing,
    int *changes, struct clouddp_err *err)
{
	int	 rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return dberr(inv, rc, err, doing);
	if (changes != NULL)
		*changes = sqlite3_changes(inv->db);
	return 0;
}

int
inventory_dp_add(struct inventory *inv, const struct inv_dp *dp,
    struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc, ret = -1;

	if (prepare(inv, "INSERT INTO dp (" DP_COLS ") VALUES (?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, err) == -1)
		return -1;
	bind_dp(st, dp);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		clouddp_errf(err, CLOUDDP_ECONFLICT, "choose another name, or "
		    "resume that one", "%s: a DP of that name is already in "
		    "the inventory", dp->name);
	else if (rc != SQLITE_DONE)
		dberr(inv, rc, err, "adding a DP");
	else
		ret = 0;
	sqlite3_finalize(st);
	return ret;
}

static int
dp_update(struct inventory *inv, const struct inv_dp *dp,
    struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 n = 0, ret;

	if (prepare(inv, "UPDATE dp SET (" DP_COLS ") = (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
	    "created, ?20) WHERE name = ?1", &st, err) == -1)
		return -1;
	bind_dp(st, dp);
	ret = run(inv, st, "updating a DP", &n, err);
	sqlite3_finalize(st);
	if (ret == 0 && n == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT, "list the DPs with "
		    "clouddp-provision list", "%s: no such DP in the "
		    "inventory", dp->name);
	return ret;
}

int
inventory_dp_update(struct inventory *inv, const struct inv_dp *dp,
    struct clouddp_err *err)
{
	return dp_update(inv, dp, err);
}

int
inventory_dp_get(struct inventory *inv, const char *name, struct inv_dp *dp,
    struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc, ret = -1;

	if (prepare(inv, "SELECT " DP_COLS " FROM dp WHERE name = ?", &st,
	    err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_dp(st, dp);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	else
		dberr(inv, rc, err, "reading a DP");
	sqlite3_finalize(st);
	return ret;
}

typedef void	(*row_fn)(sqlite3_stmt *, void *);

/*
 * Every row of st (prepared and bound) through read into a new array of
 * size-byte elements: *out and *nout on success, 0; -1 with err filled
 * (what names the listing).  st is finalized either way.
 */
static int
collect(struct inventory *inv, sqlite3_stmt *st, size_t size, row_fn read,
    const char *what, void **out, size_t *nout, struct clouddp_err *err)
{
	unsigned char	*arr = NULL, *p;
	size_t		 n = 0;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = reallocarray(arr, n + 1, size);
		if (p == NULL) {
			clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
			goto fail;
		}
		arr = p;
		read(st, arr + n++ * size);
	}
	if (rc != SQLITE_DONE) {
		dberr(inv, rc, err, what);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = arr;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(arr);
	return -1;
}

int
inventory_dp_list(struct inventory *inv, struct inv_dp **dps, size_t *ndps,
    struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	void		*arr;

	if (prepare(inv, "SELECT " DP_COLS " FROM dp ORDER BY name", &st,
	    err) == -1)
		return -1;
	if (collect(inv, st, sizeof(**dps), read_dp, "listing DPs", &arr,
	    ndps, err) == -1)
		return -1;
	*dps = arr;
	return 0;
}

int
inventory_lease_take(struct inventory *inv, const char *name,
    const char *owner, long long now, long long ttl, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 n = 0;

	if (prepare(inv, "UPDATE dp SET lease_owner = ?2, lease_until = ?3 "
	    "WHERE name = ?1 AND (lease_owner IS NULL OR lease_owner = ?2 "
	    "OR lease_until < ?4)", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now + ttl);
	sqlite3_bind_int64(st, 4, now);
	if (run(inv, st, "taking the lease", &n, err) == -1) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (n == 0)
		return clouddp_errf(err, CLOUDDP_ECONFLICT, "wait for the "
		    "other run to finish, or for its lease to expire",
		    "%s: another provisioner is working on this DP", name);
	return 0;
}

int
inventory_lease_drop(struct inventory *inv, const char *name,
    const char *owner, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 ret;

	if (prepare(inv, "UPDATE dp SET lease_owner = NULL, lease_until = 0 "
	    "WHERE name = ? AND lease_owner = ?", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_TRANSIENT);
	ret = run(inv, st, "dropping the lease", NULL, err);
	sqlite3_finalize(st);
	return ret;
}

int
inventory_lease_owner(struct inventory *inv, const char *name, char *buf,
    size_t len, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	buf[0] = '\0';
	if (prepare(inv, "SELECT lease_owner FROM dp WHERE name = ?", &st,
	    err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_col(st, 0, buf, len);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(inv, rc, err, "reading the lease");
	return 0;
}

/* Hand the lease from a gone holder to owner, if was still holds it. */
static int
lease_take_over(struct inventory *inv, const struct inv_lease *l,
    struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 n = 0, ret;

	if (prepare(inv, "UPDATE dp SET lease_owner = ?2, lease_until = ?3 "
	    "WHERE name = ?1 AND lease_owner = ?4", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, l->dp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, l->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, l->now + l->ttl);
	sqlite3_bind_text(st, 4, l->was, -1, SQLITE_TRANSIENT);
	ret = run(inv, st, "taking over the lease", &n, err);
	sqlite3_finalize(st);
	if (ret == 0 && n == 0)
		return clouddp_errf(err, CLOUDDP_ECONFLICT, "run again",
		    "%s: another provisioner took the lease first", l->dp);
	return ret;
}

/* Is holder ("host:pid") a process of this host that is gone? */
static int
holder_is_gone(const char *holder, const char *owner)
{
	const char	*colon, *mine;
	char		*end;
	long		 pid;

	colon = strrchr(holder, ':');
	mine = strrchr(owner, ':');
	if (colon == NULL || mine == NULL || colon - holder != mine - owner ||
	    strncmp(holder, owner, (size_t)(colon - holder)) != 0)
		return 0;
	errno = 0;
	pid = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

int
inventory_lease_claim(struct inventory *inv, struct inv_lease *l,
    struct clouddp_err *err)
{
	char	 holder[sizeof(l->was)];

	l->was[0] = '\0';
	if (inventory_lease_take(inv, l->dp, l->owner, l->now, l->ttl,
	    err) == 0)
		return 0;
	if (err->code != CLOUDDP_ECONFLICT || inventory_lease_owner(inv,
	    l->dp, holder, sizeof(holder), err) == -1)
		return -1;
	if (holder[0] == '\0')		/* dropped meanwhile */
		return inventory_lease_take(inv, l->dp, l->owner, l->now,
		    l->ttl, err);
	if (!holder_is_gone(holder, l->owner))
		return clouddp_errf(err, CLOUDDP_ECONFLICT, "wait for it to "
		    "finish, or for its lease to expire", "%s: another "
		    "provisioner (%s) is working on this DP", l->dp, holder);
	snprintf(l->was, sizeof(l->was), "%s", holder);
	return lease_take_over(inv, l, err);
}

int
inventory_step_begin(struct inventory *inv, const char *name,
    const char *step, long long now, long long *id, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 ret;

	if (prepare(inv, "INSERT INTO step (dp, step, state_before, started) "
	    "SELECT name, ?2, state, ?3 FROM dp WHERE name = ?1", &st,
	    err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, step, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	ret = run(inv, st, "journaling a step", NULL, err);
	sqlite3_finalize(st);
	if (ret == 0 && sqlite3_changes(inv->db) == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: no such DP in the inventory", name);
	if (ret == 0)
		*id = sqlite3_last_insert_rowid(inv->db);
	return ret;
}

int
inventory_step_request(struct inventory *inv, long long id,
    const char *request_id, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 ret;

	if (prepare(inv, "UPDATE step SET request_id = ? WHERE id = ?", &st,
	    err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, request_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	ret = run(inv, st, "journaling a request", NULL, err);
	sqlite3_finalize(st);
	return ret;
}

int
inventory_step_end(struct inventory *inv, long long id, const char *outcome,
    const struct inv_dp *dp, long long now, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	const char	*state;

	if (exec(inv, "BEGIN IMMEDIATE", "ending a step", err) == -1)
		return -1;
	if (dp_update(inv, dp, err) == -1)
		goto fail;
	if (prepare(inv, "UPDATE step SET state_after = ?, outcome = ?, "
	    "ended = ? WHERE id = ?", &st, err) == -1)
		goto fail;
	state = inventory_state_name(dp->state);
	sqlite3_bind_text(st, 1, state != NULL ? state : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 2, outcome, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	if (run(inv, st, "ending a step", NULL, err) == -1)
		goto fail;
	sqlite3_finalize(st);
	return exec(inv, "COMMIT", "ending a step", err);
fail:
	sqlite3_finalize(st);
	rollback(inv);
	return -1;
}

#define STEP_COLS "id, step, state_before, state_after, request_id, " \
	"outcome, started, ended"

/* One step row (STEP_COLS) into arg, a struct inv_step. */
static void
read_step(sqlite3_stmt *st, void *arg)
{
	struct inv_step	*s = arg;

	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, s->step, sizeof(s->step));
	copy_col(st, 2, s->state_before, sizeof(s->state_before));
	copy_col(st, 3, s->state_after, sizeof(s->state_after));
	copy_col(st, 4, s->request_id, sizeof(s->request_id));
	copy_col(st, 5, s->outcome, sizeof(s->outcome));
	s->started = sqlite3_column_int64(st, 6);
	s->ended = sqlite3_column_int64(st, 7);
}

int
inventory_step_pending(struct inventory *inv, const char *name,
    struct inv_step *step, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc, ret = -1;

	if (prepare(inv, "SELECT " STEP_COLS " FROM step WHERE dp = ? AND "
	    "ended = 0 ORDER BY id DESC LIMIT 1", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_step(st, step);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	else
		dberr(inv, rc, err, "reading the journal");
	sqlite3_finalize(st);
	return ret;
}

int
inventory_step_list(struct inventory *inv, const char *name,
    struct inv_step **steps, size_t *nsteps, struct clouddp_err *err)
{
	sqlite3_stmt	*st = NULL;
	void		*arr;

	if (prepare(inv, "SELECT " STEP_COLS " FROM step WHERE dp = ? "
	    "ORDER BY id", &st, err) == -1)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (collect(inv, st, sizeof(**steps), read_step,
	    "reading the journal", &arr, nsteps, err) == -1)
		return -1;
	*steps = arr;
	return 0;
}
