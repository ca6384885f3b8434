/*
 * Zone files on ldns: a master file, as administrators keep them, loaded
 * for the conflict checks a new CNAME must pass.  The conflict checks need
 * only each record's owner and type (and a CNAME's or DNAME's target), so
 * the reader is forgiving where BIND is: $GENERATE is expanded, $INCLUDE
 * followed within the zone file's directory, the class may come before
 * the TTL, and a record whose data ldns cannot read keeps its owner and
 * type with a warning.  Nothing here prints or touches the network.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "clouddp.h"
#include "name.h"
#include "zone.h"

#define ZONE_RECORD_MAX		(1024 * 1024)	/* one logical record */
#define ZONE_INCLUDE_DEPTH	16
#define ZONE_GENERATE_MAX	1000000		/* records per $GENERATE */
#define ZONE_WARNINGS_KEPT	20
#define ZONE_TOKEN_MAX		1100		/* a name with \DDD escapes */

/* One record of a loaded zone, as much as the conflict checks need. */
struct zone_entry {
	char		*owner;		/* normalised */
	uint16_t	 type;
	char		*target;	/* CNAME and DNAME only; NULL unread */
	const char	*file;		/* NULL: the zone file itself */
	unsigned long	 line;
};

struct zone_db {
	char			 origin[ZONE_NAME_MAX];
	struct zone_entry	*entries;	/* sorted by owner */
	size_t			 nentries;
	size_t			 cap;
	char			**files;	/* included files' names */
	size_t			 nfiles;
	char			*warnings[ZONE_WARNINGS_KEPT];
	size_t			 nwarnings;	/* all, also those not kept */
};

/* Types newer than ldns 1.8 (or left out of its build), by IANA number. */
static const struct {
	const char	*name;
	uint16_t	 type;
} extra_types[] = {
	{ "NINFO", 56 }, { "RKEY", 57 }, { "DSYNC", 66 }, { "HHIT", 67 },
	{ "BRID", 68 }, { "NXNAME", 128 }, { "AVC", 258 }, { "DOA", 259 },
	{ "AMTRELAY", 260 }, { "RESINFO", 261 }, { "WALLET", 262 },
	{ "CLA", 263 }, { "IPN", 264 }, { "TA", 32768 },
};

/* Reading state for one file: its logical records (parentheses joined). */
struct zone_reader {
	FILE			*fp;
	const char		*name;		/* as shown in messages */
	const char		*file;		/* entry file, NULL at top */
	unsigned long		 line;		/* physical, 1-based */
	unsigned long		 rec_line;	/* where the record began */
	int			 rec_blank;	/* began with a blank */
	struct clouddp_buf	 rec;
};

/* The whole load: the current origin, owner and TTL, the include stack. */
struct zone_loader {
	struct zone_db	*db;
	ldns_rdf	*origin;	/* current $ORIGIN */
	ldns_rdf	*prev;		/* current owner, NULL before any */
	uint32_t	 ttl;
	char		 top_dir[PATH_MAX];	/* as given, for messages */
	char		 base[PATH_MAX];	/* its real path: the tree */
	char		*open_files[ZONE_INCLUDE_DEPTH];	/* real paths */
	int		 depth;
};

static int	load_file(struct zone_loader *, const char *, const char *,
		    const char *, struct clouddp_err *);

static int
entry_cmp(const void *a, const void *b)
{
	const struct zone_entry	*x = a, *y = b;
	int			 c;

	c = strcmp(x->owner, y->owner);
	if (c != 0)
		return c;
	if (x->file != y->file)
		return x->file == NULL ? -1 : y->file == NULL ? 1 :
		    strcmp(x->file, y->file);
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Index of the first entry owned by name, or db->nentries. */
static size_t
entry_find(const struct zone_db *db, const char *name)
{
	size_t	 lo = 0, hi = db->nentries, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(db->entries[mid].owner, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* "line 12", or "line 12 of sub.zone" for an included file. */
static const char *
entry_where(const struct zone_entry *e, char *buf, size_t len)
{
	if (e->file == NULL)
		snprintf(buf, len, "line %lu", e->line);
	else
		snprintf(buf, len, "line %lu of %s", e->line, e->file);
	return buf;
}

char *
zone_rdf_name(const ldns_rdf *rdf)
{
	char	*s, *p;

	s = ldns_rdf2str(rdf);
	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static int
nomem(struct clouddp_err *err)
{
	return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
	    "out of memory loading the zone");
}

/* Note one record: owner and type, and the target rdf if known. */
static int
db_add(struct zone_db *db, const struct zone_reader *zr, const ldns_rdf *owner,
    uint16_t type, const ldns_rdf *target, struct clouddp_err *err)
{
	struct zone_entry	*e;
	size_t			 cap;

	if (db->nentries == db->cap) {
		cap = db->cap > 0 ? db->cap * 2 : 256;
		e = reallocarray(db->entries, cap, sizeof(*e));
		if (e == NULL)
			return nomem(err);
		db->entries = e;
		db->cap = cap;
	}
	e = &db->entries[db->nentries];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->file = zr->file;
	e->line = zr->rec_line;
	e->owner = zone_rdf_name(owner);
	if (e->owner == NULL)
		return nomem(err);
	if (target != NULL) {
		e->target = zone_rdf_name(target);
		if (e->target == NULL) {
			free(e->owner);
			return nomem(err);
		}
	}
	db->nentries++;
	return 0;
}

/* Keep a warning for the caller: the first few, and a count of all. */
static void
db_warn(struct zone_db *db, const struct zone_reader *zr, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
db_warn(struct zone_db *db, const struct zone_reader *zr, const char *fmt,
    ...)
{
	char	 msg[512];
	va_list	 ap;
	int	 n;

	if (db->nwarnings < ZONE_WARNINGS_KEPT) {
		n = snprintf(msg, sizeof(msg), "%s:%lu: ", zr->name,
		    zr->rec_line);
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(msg))
			vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
		va_end(ap);
		db->warnings[db->nwarnings] = strdup(msg);
		if (db->warnings[db->nwarnings] == NULL)
			return;
	}
	db->nwarnings++;
}

size_t
zone_db_nwarnings(const struct zone_db *db)
{
	return db->nwarnings;
}

const char *
zone_db_warning(const struct zone_db *db, size_t i)
{
	if (i >= db->nwarnings || i >= ZONE_WARNINGS_KEPT)
		return NULL;
	return db->warnings[i];
}

/* What a --zone that cannot be a zone file is, or NULL. */
static const char *
not_a_file(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return NULL;
}

/*
 * Open a zone file for reading once, front to back.  A directory or a
 * device is named for what it is; a FIFO or a pipe is read as it comes.
 */
static FILE *
reader_open(const char *path, const char *name, struct clouddp_err *err)
{
	struct stat	 st;
	const char	*what;
	FILE		*fp;
	int		 fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		clouddp_errf(err, CLOUDDP_EIO, "check the path given to --zone",
		    "%s: %s", name, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s", name,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	what = not_a_file(st.st_mode);
	if (what != NULL) {
		clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the zone's master file, e.g. db.contoso.com",
		    "%s is %s, not a zone file", name, what);
		close(fd);
		return NULL;
	}
	/*
	 * Opened without blocking to see what it is; a FIFO is opened
	 * again, now waiting for its writer, which it must not miss.
	 */
	if (S_ISFIFO(st.st_mode)) {
		close(fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd == -1) {
			clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s", name,
			    strerror(errno));
			return NULL;
		}
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s", name,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	return fp;
}

static int
rec_push(struct zone_reader *zr, char c, struct clouddp_err *err)
{
	struct clouddp_buf	*b = &zr->rec;

	if (b->len >= ZONE_RECORD_MAX)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "check for an unbalanced parenthesis or quote",
		    "%s:%lu: a record longer than %d bytes", zr->name,
		    zr->rec_line, ZONE_RECORD_MAX);
	if (b->len + 1 < b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return clouddp_buf_append(b, &c, 1, err);
}

/* Lexical state of one logical record while it is read. */
struct lex {
	int	 depth;		/* open parentheses */
	int	 quoted;
	int	 escaped;
	int	 comment;
	int	 content;	/* a non-blank seen */
	int	 bol;		/* at the beginning of a line */
};

static int
lex_fail(struct zone_reader *zr, const char *what, struct clouddp_err *err)
{
	return clouddp_errf(err, CLOUDDP_EINPUT,
	    "check the zone with named-checkzone", "%s:%lu: %s", zr->name,
	    zr->line, what);
}

/* One character; 1 when it ends the record, 0 to go on, -1 bad. */
static int
lex_char(struct zone_reader *zr, struct lex *lx, int c,
    struct clouddp_err *err)
{
	if (c == '\0')
		return clouddp_errf(err, CLOUDDP_EINPUT, "if it is UTF-16 (a "
		    "Windows \"Unicode\" file), convert it: iconv -f UTF-16 "
		    "-t UTF-8", "%s:%lu: a NUL byte: this is not a text zone "
		    "file", zr->name, zr->line);
	if (lx->bol && lx->depth == 0 && !lx->content) {
		zr->rec_line = zr->line;
		zr->rec_blank = c == ' ' || c == '\t';
	}
	lx->bol = c == '\n';
	if (c == '\n') {
		if (lx->quoted)
			return lex_fail(zr, "a quoted string runs past the "
			    "end of the line", err);
		lx->comment = lx->escaped = 0;
		zr->line++;
		if (lx->depth > 0)
			return rec_push(zr, ' ', err);
		if (lx->content)
			return 1;
		clouddp_buf_reset(&zr->rec);
		return 0;
	}
	if (lx->comment)
		return 0;
	if (lx->escaped || lx->quoted || c == '\\' || c == '"') {
		if (lx->escaped)
			lx->escaped = 0;
		else if (c == '\\')
			lx->escaped = 1;
		else if (c == '"')
			lx->quoted = !lx->quoted;
		lx->content = 1;
		return rec_push(zr, (char)c, err);
	}
	if (c == ';') {
		lx->comment = 1;
		return 0;
	}
	if (c == '(' || c == ')') {
		if (c == ')' && lx->depth == 0)
			return lex_fail(zr, "a ')' without its '('", err);
		lx->depth += c == '(' ? 1 : -1;
		c = ' ';
	}
	if (c == '\r' || c == '\t' || c == '\f' || c == '\v')
		c = ' ';
	if (c != ' ')
		lx->content = 1;
	return rec_push(zr, (char)c, err);
}

/* The next logical record into zr->rec: 1, 0 at the end, -1 bad. */
static int
reader_next(struct zone_reader *zr, struct clouddp_err *err)
{
	struct lex	 lx;
	int		 c, rc;

	memset(&lx, 0, sizeof(lx));
	lx.bol = 1;
	clouddp_buf_reset(&zr->rec);
	if (clouddp_buf_append(&zr->rec, "", 0, err) == -1)
		return -1;
	while ((c = getc(zr->fp)) != EOF) {
		rc = lex_char(zr, &lx, c, err);
		if (rc != 0)
			return rc;
	}
	if (ferror(zr->fp))
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s",
		    zr->name, strerror(errno));
	if (lx.quoted)
		return lex_fail(zr, "a quoted string is not closed", err);
	if (lx.depth > 0)
		return lex_fail(zr, "a '(' is not closed", err);
	return lx.content ? 1 : 0;
}

/*
 * The next blank-separated token of s (quotes and backslash escapes
 * kept); NULL at the end.  *len is its length.
 */
static const char *
token(const char **s, size_t *len)
{
	const char	*p = *s, *start;
	int		 quoted = 0;

	while (*p == ' ')
		p++;
	if (*p == '\0') {
		*s = p;
		return NULL;
	}
	for (start = p; *p != '\0' && (quoted || *p != ' '); p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
	}
	*len = (size_t)(p - start);
	*s = p;
	return start;
}

/* A token as a C string in buf (ZONE_TOKEN_MAX); -1 when too long. */
static int
token_copy(const char *tok, size_t len, char *buf)
{
	if (len >= ZONE_TOKEN_MAX)
		return -1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	return 0;
}

static int
rec_fail(const struct zone_reader *zr, const char *hint,
    struct clouddp_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An error about the current record: "FILE:LINE: what". */
static int
rec_fail(const struct zone_reader *zr, const char *hint,
    struct clouddp_err *err, const char *fmt, ...)
{
	char	 what[400];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return clouddp_errf(err, CLOUDDP_EINPUT, hint != NULL ? hint :
	    "check the zone with named-checkzone", "%s:%lu: %s", zr->name,
	    zr->rec_line, what);
}

/* A name token, "@" or relative to origin, as an absolute dname. */
static ldns_rdf *
name_from_token(const char *tok, size_t len, const ldns_rdf *origin)
{
	char		 buf[ZONE_TOKEN_MAX];
	ldns_rdf	*rdf;

	if (token_copy(tok, len, buf) == -1)
		return NULL;
	if (strcmp(buf, "@") == 0)
		return ldns_rdf_clone(origin);
	rdf = ldns_dname_new_frm_str(buf);
	if (rdf == NULL || ldns_dname_str_absolute(buf))
		return rdf;
	if (ldns_dname_cat(rdf, origin) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(rdf);
		return NULL;
	}
	return rdf;
}

static int
directive_origin(struct zone_loader *zl, const struct zone_reader *zr,
    const char *args, struct clouddp_err *err)
{
	const char	*tok;
	ldns_rdf	*rdf;
	size_t		 len;

	tok = token(&args, &len);
	if (tok == NULL)
		return rec_fail(zr, NULL, err, "$ORIGIN without a name");
	rdf = name_from_token(tok, len, zl->origin);
	if (rdf == NULL)
		return rec_fail(zr, NULL, err, "$ORIGIN %.*s: not a domain "
		    "name", (int)len, tok);
	ldns_rdf_deep_free(zl->origin);
	zl->origin = rdf;
	return 0;
}

/* A TTL ("3600", "1h30m"); -1 when tok is not one. */
static int
ttl_parse(const char *tok, size_t len, uint32_t *ttl)
{
	char		 buf[32];
	const char	*end = NULL;

	if (len == 0 || len >= sizeof(buf) || !isdigit((unsigned char)*tok))
		return -1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	*ttl = ldns_str2period(buf, &end);
	return end != NULL && *end == '\0' ? 0 : -1;
}

static int
directive_ttl(struct zone_loader *zl, const struct zone_reader *zr,
    const char *args, struct clouddp_err *err)
{
	const char	*tok;
	size_t		 len;

	tok = token(&args, &len);
	if (tok == NULL || ttl_parse(tok, len, &zl->ttl) == -1)
		return rec_fail(zr, NULL, err, "$TTL needs a TTL, e.g. "
		    "$TTL 3600");
	return 0;
}

/*
 * Where an included file lies: relative names under the top zone file's
 * directory.  The real path must stay inside that directory's tree and
 * must not be open already (a loop).
 */
static int
include_path(struct zone_loader *zl, const struct zone_reader *zr,
    const char *file, char *shown, char *real, struct clouddp_err *err)
{
	size_t	 n = strlen(zl->base);
	int	 i;

	if (file[0] == '/' || strcmp(zl->top_dir, ".") == 0)
		snprintf(shown, PATH_MAX, "%s", file);
	else
		snprintf(shown, PATH_MAX, "%s%s%s", zl->top_dir,
		    strcmp(zl->top_dir, "/") == 0 ? "" : "/", file);
	if (realpath(shown, real) == NULL)
		return rec_fail(zr, "give the included file beside the zone "
		    "file or below its directory", err, "$INCLUDE %s: %s",
		    shown, strerror(errno));
	if (n == 0 || strncmp(real, zl->base, n) != 0 ||
	    (real[n] != '/' && strcmp(zl->base, "/") != 0))
		return rec_fail(zr, "keep included files beside the zone file "
		    "or below its directory", err, "$INCLUDE %s: outside the "
		    "zone file's directory", shown);
	for (i = 0; i < zl->depth; i++)
		if (strcmp(zl->open_files[i], real) == 0)
			return rec_fail(zr, "remove the $INCLUDE that leads "
			    "back", err, "$INCLUDE %s: a loop (the file is "
			    "being read already)", shown);
	if (zl->depth >= ZONE_INCLUDE_DEPTH)
		return rec_fail(zr, NULL, err, "$INCLUDE %s: more than %d "
		    "levels of $INCLUDE", shown, ZONE_INCLUDE_DEPTH);
	return 0;
}

/* The name an entry's file goes by, kept as long as the db. */
static const char *
db_file_name(struct zone_db *db, const char *shown, struct clouddp_err *err)
{
	char	**files;

	files = reallocarray(db->files, db->nfiles + 1, sizeof(*files));
	if (files != NULL) {
		db->files = files;
		files[db->nfiles] = strdup(shown);
	}
	if (files == NULL || files[db->nfiles] == NULL) {
		nomem(err);
		return NULL;
	}
	return files[db->nfiles++];
}

/*
 * $INCLUDE FILE [ORIGIN]: read FILE with ORIGIN (or the current origin);
 * the origin and the current owner come back afterwards (RFC 1035 5.1).
 */
static int
directive_include(struct zone_loader *zl, const struct zone_reader *zr,
    const char *args, struct clouddp_err *err)
{
	char		 file[ZONE_TOKEN_MAX], shown[PATH_MAX], real[PATH_MAX];
	const char	*tok, *entry_name;
	ldns_rdf	*saved_origin, *saved_prev, *origin = NULL;
	size_t		 len;
	int		 rc;

	tok = token(&args, &len);
	if (tok != NULL && len >= 2 && tok[0] == '"' && tok[len - 1] == '"') {
		tok++;
		len -= 2;
	}
	if (tok == NULL || len == 0 || token_copy(tok, len, file) == -1)
		return rec_fail(zr, NULL, err, "$INCLUDE without a file name");
	tok = token(&args, &len);
	if (tok != NULL) {
		origin = name_from_token(tok, len, zl->origin);
		if (origin == NULL)
			return rec_fail(zr, NULL, err, "$INCLUDE %s %.*s: not "
			    "a domain name", file, (int)len, tok);
	}
	if (include_path(zl, zr, file, shown, real, err) == -1 ||
	    (entry_name = db_file_name(zl->db, shown, err)) == NULL) {
		ldns_rdf_deep_free(origin);
		return -1;
	}
	saved_origin = zl->origin;
	saved_prev = zl->prev != NULL ? ldns_rdf_clone(zl->prev) : NULL;
	if (origin != NULL)
		zl->origin = origin;
	else
		zl->origin = ldns_rdf_clone(saved_origin);
	rc = load_file(zl, real, shown, entry_name, err);
	ldns_rdf_deep_free(zl->origin);
	zl->origin = saved_origin;
	ldns_rdf_deep_free(zl->prev);
	zl->prev = saved_prev;
	return rc;
}

/*
 * BIND's nibble form of ${offset,width,n}: hex digits, least significant
 * first, dot-separated; width counts digits and dots.
 */
static int
gen_nibbles(struct clouddp_buf *out, unsigned width, int upper, long value,
    struct clouddp_err *err)
{
	const char	*hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned long	 v = (unsigned long)value;
	char		 c;

	do {
		c = hex[v & 0x0f];
		v >>= 4;
		if (clouddp_buf_append(out, &c, 1, err) == -1)
			return -1;
		if (width > 0)
			width--;
		if (width > 0 || v != 0) {
			if (clouddp_buf_append(out, ".", 1, err) == -1)
				return -1;
			if (width > 0)
				width--;
		}
	} while (v != 0 || width > 0);
	return 0;
}

/* One "$" or "${offset[,width[,base]]}" at *p (past the "$"). */
static int
gen_number(struct clouddp_buf *out, const char **p, long it,
    struct clouddp_err *err)
{
	const char	*s = *p;
	char		 mode[2] = "d";
	long		 offset = 0;
	unsigned	 width = 0;
	int		 n = 1, used = 0;

	if (*s == '{') {
		n = sscanf(s, "{%ld%n,%u%n,%1[doxXnN]%n", &offset, &used,
		    &width, &used, mode, &used);
		if (n < 1 || s[used] != '}' || width > 64)
			return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
			    "a $GENERATE modifier is not ${offset[,width"
			    "[,base]]}");
		s += used + 1;
	}
	*p = s;
	if (mode[0] == 'n' || mode[0] == 'N')
		return gen_nibbles(out, width, mode[0] == 'N', it + offset,
		    err);
	switch (mode[0]) {
	case 'o':
		return clouddp_buf_printf(out, err, "%0*lo", (int)width,
		    (unsigned long)(it + offset));
	case 'x':
		return clouddp_buf_printf(out, err, "%0*lx", (int)width,
		    (unsigned long)(it + offset));
	case 'X':
		return clouddp_buf_printf(out, err, "%0*lX", (int)width,
		    (unsigned long)(it + offset));
	default:
		return clouddp_buf_printf(out, err, "%0*ld", (int)width,
		    it + offset);
	}
}

/* Substitute the iterator into a $GENERATE template, as BIND does. */
static int
gen_text(struct clouddp_buf *out, const char *tmpl, long it,
    struct clouddp_err *err)
{
	const char	*p = tmpl;

	clouddp_buf_reset(out);
	if (clouddp_buf_append(out, "", 0, err) == -1)
		return -1;
	while (*p != '\0') {
		if (*p == '$' && p[1] == '$') {
			if (clouddp_buf_append(out, "$", 1, err) == -1)
				return -1;
			p += 2;
		} else if (*p == '$') {
			p++;
			if (gen_number(out, &p, it, err) == -1)
				return -1;
		} else {
			/* A backslash keeps the next character, "\$" too. */
			if (clouddp_buf_append(out, p, *p == '\\' &&
			    p[1] != '\0' ? 2 : 1, err) == -1)
				return -1;
			p += *p == '\\' && p[1] != '\0' ? 2 : 1;
		}
	}
	return 0;
}

/* "START-STOP[/STEP]", START <= STOP, STEP >= 1. */
static int
gen_range(const char *tok, size_t len, long *start, long *stop, long *step)
{
	char	 buf[64], *end;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	*step = 1;
	if (!isdigit((unsigned char)buf[0]))
		return -1;
	*start = strtol(buf, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]))
		return -1;
	*stop = strtol(end + 1, &end, 10);
	if (*end == '/') {
		if (!isdigit((unsigned char)end[1]))
			return -1;
		*step = strtol(end + 1, &end, 10);
	}
	if (*end != '\0' || *start > *stop || *step < 1 ||
	    *stop > 4294967295L)
		return -1;
	return 0;
}

static int	record(struct zone_loader *, struct zone_reader *,
		    const char *, int, struct clouddp_err *);

/*
 * $GENERATE RANGE LHS [TTL] [CLASS] TYPE RHS: one record per value of the
 * iterator, "$" in LHS and RHS replaced by it.  The current owner stays.
 */
static int
directive_generate(struct zone_loader *zl, struct zone_reader *zr,
    const char *args, struct clouddp_err *err)
{
	struct clouddp_buf	 line;
	const char		*tok;
	ldns_rdf		*saved_prev;
	size_t			 len;
	long			 start, stop, step, it;
	int			 rc = 0;

	tok = token(&args, &len);
	if (tok == NULL || gen_range(tok, len, &start, &stop, &step) == -1)
		return rec_fail(zr, "write the range as START-STOP or "
		    "START-STOP/STEP", err, "$GENERATE: bad range '%.*s'",
		    tok != NULL ? (int)len : 0, tok != NULL ? tok : "");
	if ((stop - start) / step >= ZONE_GENERATE_MAX)
		return rec_fail(zr, NULL, err, "$GENERATE %.*s: more than %d "
		    "records", (int)len, tok, ZONE_GENERATE_MAX);
	memset(&line, 0, sizeof(line));
	saved_prev = zl->prev != NULL ? ldns_rdf_clone(zl->prev) : NULL;
	for (it = start; it <= stop && rc == 0; it += step) {
		rc = gen_text(&line, args, it, err);
		if (rc == -1)
			rec_fail(zr, NULL, err, "$GENERATE: %s", err->what);
		else
			rc = record(zl, zr, line.data, 0, err);
	}
	clouddp_buf_free(&line);
	ldns_rdf_deep_free(zl->prev);
	zl->prev = saved_prev;
	return rc;
}

/* A type mnemonic (or TYPEnnn); 0 when neither ldns nor we know it. */
static uint16_t
type_from_token(const char *tok, size_t len)
{
	char	 buf[32];
	size_t	 i;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	for (i = 0; i < sizeof(extra_types) / sizeof(*extra_types); i++)
		if (strcasecmp(buf, extra_types[i].name) == 0)
			return extra_types[i].type;
	return (uint16_t)ldns_get_rr_type_by_name(buf);
}

static int
class_from_token(const char *tok, size_t len)
{
	char	 buf[32];

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	return ldns_get_rr_class_by_name(buf) != 0;
}

/* What a record line says before its data. */
struct rr_head {
	ldns_rdf	*owner;
	uint32_t	 ttl;
	const char	*class;		/* NULL: IN */
	size_t		 class_len;
	const char	*type_tok;
	size_t		 type_len;
	uint16_t	 type;
	const char	*rdata;
};

/* Owner (or the current one), TTL and class in either order, type. */
static int
rr_head_parse(struct zone_loader *zl, const struct zone_reader *zr,
    const char *s, int blank, struct rr_head *h, struct clouddp_err *err)
{
	const char	*tok;
	size_t		 len;
	int		 ttl_seen = 0;

	memset(h, 0, sizeof(*h));
	h->ttl = zl->ttl;
	if (!blank) {
		/* Nothing at all: a $GENERATE with no record after it. */
		tok = token(&s, &len);
		if (tok == NULL)
			return rec_fail(zr, NULL, err, "a record without an "
			    "owner name or type");
		h->owner = name_from_token(tok, len, zl->origin);
		if (h->owner == NULL)
			return rec_fail(zr, NULL, err, "%.*s: not a domain "
			    "name", (int)(len > 80 ? 80 : len), tok);
		ldns_rdf_deep_free(zl->prev);
		zl->prev = ldns_rdf_clone(h->owner);
	} else if (zl->prev != NULL)
		h->owner = ldns_rdf_clone(zl->prev);
	else
		return rec_fail(zr, NULL, err, "a record without an owner "
		    "name, and none before it");
	if (h->owner == NULL)
		return nomem(err);
	while ((tok = token(&s, &len)) != NULL) {
		if (!ttl_seen && ttl_parse(tok, len, &h->ttl) == 0)
			ttl_seen = 1;
		else if (h->class == NULL && class_from_token(tok, len)) {
			h->class = tok;
			h->class_len = len;
		} else
			break;
	}
	if (tok == NULL)
		return rec_fail(zr, NULL, err, "a record without a type");
	h->type_tok = tok;
	h->type_len = len;
	h->type = type_from_token(tok, len);
	if (h->type == 0)
		return rec_fail(zr, NULL, err, "not a resource record "
		    "(unknown type '%.*s')", (int)(len > 40 ? 40 : len), tok);
	h->rdata = s + strspn(s, " ");
	return 0;
}

/* Let ldns read the whole record; NULL when it cannot. */
static ldns_rr *
rr_read(struct zone_loader *zl, const struct rr_head *h,
    ldns_status *st, struct clouddp_err *err)
{
	struct clouddp_buf	 text;
	ldns_rr			*rr = NULL;
	char			*owner;

	memset(&text, 0, sizeof(text));
	owner = ldns_rdf2str(h->owner);
	if (owner == NULL || clouddp_buf_printf(&text, err, "%s %u %.*s "
	    "%.*s %s", owner, (unsigned)h->ttl, h->class != NULL ?
	    (int)h->class_len : 2, h->class != NULL ? h->class : "IN",
	    (int)h->type_len, h->type_tok, h->rdata) == -1) {
		*st = LDNS_STATUS_MEM_ERR;
		free(owner);
		return NULL;
	}
	free(owner);
	*st = ldns_rr_new_frm_str(&rr, text.data, zl->ttl, zl->origin, NULL);
	clouddp_buf_free(&text);
	if (*st != LDNS_STATUS_OK) {
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

/*
 * One record line: noted with its owner and type, and the target of a
 * CNAME or DNAME.  Data ldns cannot read is a warning, not an error:
 * the conflict checks need only the name and the type.
 */
static int
record(struct zone_loader *zl, struct zone_reader *zr, const char *s,
    int blank, struct clouddp_err *err)
{
	struct rr_head	 h;
	ldns_rr		*rr;
	ldns_status	 st;
	const ldns_rdf	*target = NULL;
	char		 tn[32];
	int		 rc;

	if (rr_head_parse(zl, zr, s, blank, &h, err) == -1) {
		ldns_rdf_deep_free(h.owner);
		return -1;
	}
	rr = rr_read(zl, &h, &st, err);
	if (rr != NULL && ldns_rr_get_type(rr) != h.type) {
		ldns_rr_free(rr);
		rr = NULL;
		st = LDNS_STATUS_SYNTAX_TYPE_ERR;
	}
	if (rr == NULL && st == LDNS_STATUS_MEM_ERR) {
		ldns_rdf_deep_free(h.owner);
		return nomem(err);
	}
	if (rr == NULL)
		db_warn(zl->db, zr, "%s record kept without its data (%s)",
		    zone_type_name(h.type, tn, sizeof(tn)),
		    ldns_get_errorstr_by_id(st));
	else if ((h.type == LDNS_RR_TYPE_CNAME ||
	    h.type == LDNS_RR_TYPE_DNAME) && ldns_rr_rd_count(rr) > 0)
		target = ldns_rr_rdf(rr, 0);
	rc = db_add(zl->db, zr, h.owner, h.type, target, err);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(h.owner);
	return rc;
}

static int
directive(struct zone_loader *zl, struct zone_reader *zr, const char *s,
    struct clouddp_err *err)
{
	const char	*tok, *args = s;
	size_t		 len;

	tok = token(&args, &len);
	if (len == 7 && strncasecmp(tok, "$ORIGIN", len) == 0)
		return directive_origin(zl, zr, args, err);
	if (len == 4 && strncasecmp(tok, "$TTL", len) == 0)
		return directive_ttl(zl, zr, args, err);
	if (len == 8 && strncasecmp(tok, "$INCLUDE", len) == 0)
		return directive_include(zl, zr, args, err);
	if (len == 9 && strncasecmp(tok, "$GENERATE", len) == 0)
		return directive_generate(zl, zr, args, err);
	return rec_fail(zr, "use $ORIGIN, $TTL, $INCLUDE or $GENERATE", err,
	    "unknown directive %.*s", (int)(len > 40 ? 40 : len), tok);
}

/* Read one file (the zone file or an included one) into the db. */
static int
load_file(struct zone_loader *zl, const char *path, const char *name,
    const char *entry_name, struct clouddp_err *err)
{
	struct zone_reader	 zr;
	char			*real;
	int			 rc;

	memset(&zr, 0, sizeof(zr));
	zr.name = name;
	zr.file = entry_name;
	zr.line = 1;
	zr.fp = reader_open(path, name, err);
	if (zr.fp == NULL)
		return -1;
	/* A pipe has no real path; it cannot be included, so no loop. */
	real = realpath(path, NULL);
	if (real == NULL)
		real = strdup(path);
	if (real == NULL) {
		fclose(zr.fp);
		return nomem(err);
	}
	zl->open_files[zl->depth++] = real;
	while ((rc = reader_next(&zr, err)) == 1) {
		if (zr.rec.data[0] == '$' && !zr.rec_blank)
			rc = directive(zl, &zr, zr.rec.data, err);
		else
			rc = record(zl, &zr, zr.rec.data, zr.rec_blank, err);
		if (rc == -1)
			break;
	}
	free(zl->open_files[--zl->depth]);
	clouddp_buf_free(&zr.rec);
	fclose(zr.fp);
	return rc;
}

static int
has_soa(const struct zone_db *db)
{
	size_t	 i;

	for (i = entry_find(db, db->origin); i < db->nentries &&
	    strcmp(db->entries[i].owner, db->origin) == 0; i++)
		if (db->entries[i].type == LDNS_RR_TYPE_SOA)
			return 1;
	return 0;
}

/* The directory included files are looked up in and must stay under. */
static void
loader_dirs(struct zone_loader *zl, const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(zl->top_dir, sizeof(zl->top_dir), ".");
	else if (slash == path)
		snprintf(zl->top_dir, sizeof(zl->top_dir), "/");
	else
		snprintf(zl->top_dir, sizeof(zl->top_dir), "%.*s",
		    (int)(slash - path), path);
	if (realpath(zl->top_dir, zl->base) == NULL)
		zl->base[0] = '\0';	/* nothing can be included */
}

static int
db_load(struct zone_db *db, const char *path, struct clouddp_err *err)
{
	struct zone_loader	 zl;
	int			 rc;

	memset(&zl, 0, sizeof(zl));
	zl.db = db;
	zl.ttl = 3600;
	loader_dirs(&zl, path);
	zl.origin = ldns_dname_new_frm_str(db->origin);
	if (zl.origin == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: bad origin", db->origin);
	rc = load_file(&zl, path, path, NULL, err);
	ldns_rdf_deep_free(zl.origin);
	ldns_rdf_deep_free(zl.prev);
	return rc;
}

struct zone_db *
zone_db_load(const char *path, const char *origin, struct clouddp_err *err)
{
	struct zone_db	*db;

	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		nomem(err);
		return NULL;
	}
	snprintf(db->origin, sizeof(db->origin), "%s", origin);
	if (db_load(db, path, err) == -1) {
		zone_db_free(db);
		return NULL;
	}
	/* qsort() must not be given NULL, even for no entries. */
	if (db->nentries > 1)
		qsort(db->entries, db->nentries, sizeof(*db->entries),
		    entry_cmp);
	if (!has_soa(db)) {
		clouddp_errf(err, CLOUDDP_EINPUT,
		    "check that --origin names the zone this file holds",
		    "%s: no SOA record for %s", path, db->origin);
		zone_db_free(db);
		return NULL;
	}
	return db;
}

void
zone_db_free(struct zone_db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nentries; i++) {
		free(db->entries[i].owner);
		free(db->entries[i].target);
	}
	free(db->entries);
	for (i = 0; i < db->nfiles; i++)
		free(db->files[i]);
	free(db->files);
	for (i = 0; i < db->nwarnings && i < ZONE_WARNINGS_KEPT; i++)
		free(db->warnings[i]);
	free(db);
}

const char *
zone_db_origin(const struct zone_db *db)
{
	return db->origin;
}

/*
 * DNSSEC records may stand beside a CNAME (RFC 4035 section 2.5), and so
 * could their predecessors SIG and NXT (RFC 2535 section 2.3.5).
 */
int
zone_type_is_dnssec(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3 || t == LDNS_RR_TYPE_SIG ||
	    t == LDNS_RR_TYPE_NXT;
}

const char *
zone_type_name(ldns_rr_type t, char *buf, size_t len)
{
	const ldns_rr_descriptor	*d = ldns_rr_descript(t);
	size_t				 i;

	for (i = 0; i < sizeof(extra_types) / sizeof(*extra_types); i++)
		if (extra_types[i].type == t) {
			snprintf(buf, len, "%s", extra_types[i].name);
			return buf;
		}
	if (d != NULL && d->_name != NULL)
		snprintf(buf, len, "%s", d->_name);
	else
		snprintf(buf, len, "TYPE%u", (unsigned)t);
	return buf;
}

/* Delegations and DNAMEs above fqdn hide it from clients. */
static int
check_ancestors(const struct zone_db *db, const char *fqdn,
    struct clouddp_err *err)
{
	const struct zone_entry	*e;
	const char		*p;
	char			 w[ZONE_NAME_MAX + 40];
	size_t			 i;

	for (p = strchr(fqdn, '.'); p != NULL && p[1] != '\0';
	    p = strchr(p + 1, '.')) {
		if (!name_is_within(p + 1, db->origin))
			break;
		for (i = entry_find(db, p + 1); i < db->nentries &&
		    strcmp(db->entries[i].owner, p + 1) == 0; i++) {
			e = &db->entries[i];
			if (e->type == LDNS_RR_TYPE_DNAME)
				return clouddp_errf(err, CLOUDDP_ECONFLICT,
				    "publish the name in the zone the DNAME "
				    "points to, or pick a name outside it",
				    "%s lies below the DNAME at %s (%s)",
				    fqdn, e->owner, entry_where(e, w,
				    sizeof(w)));
			if (e->type == LDNS_RR_TYPE_NS &&
			    strcmp(e->owner, db->origin) != 0)
				return clouddp_errf(err, CLOUDDP_ECONFLICT,
				    "add the record to the delegated zone "
				    "instead",
				    "%s lies below the delegation of %s "
				    "(%s)", fqdn, e->owner, entry_where(e, w,
				    sizeof(w)));
		}
	}
	return 0;
}

enum zone_cname_state
zone_db_check_cname(const struct zone_db *db, const char *fqdn,
    const char *target, struct clouddp_err *err)
{
	const struct zone_entry	*e;
	enum zone_cname_state	 st = ZONE_CNAME_FREE;
	char			 tn[32], w[ZONE_NAME_MAX + 40];
	size_t			 i;

	if (check_ancestors(db, fqdn, err) == -1)
		return ZONE_CNAME_CONFLICT;
	for (i = entry_find(db, fqdn); i < db->nentries &&
	    strcmp(db->entries[i].owner, fqdn) == 0; i++) {
		e = &db->entries[i];
		if (zone_type_is_dnssec(e->type))
			continue;
		if (e->type == LDNS_RR_TYPE_A || e->type == LDNS_RR_TYPE_AAAA) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "the service FQDN must not match a device: pick "
			    "another name, or retire the host first",
			    "%s already has an %s record (%s): a host "
			    "uses this name", fqdn, zone_type_name(e->type, tn,
			    sizeof(tn)), entry_where(e, w, sizeof(w)));
			return ZONE_CNAME_CONFLICT;
		}
		if (e->type != LDNS_RR_TYPE_CNAME) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "a CNAME cannot coexist with other data "
			    "(RFC 1034 3.6.2, RFC 2181 10.1): pick another "
			    "name or remove that data",
			    "%s already owns %s data (%s)", fqdn,
			    zone_type_name(e->type, tn, sizeof(tn)),
			    entry_where(e, w, sizeof(w)));
			return ZONE_CNAME_CONFLICT;
		}
		if (e->target == NULL || strcmp(e->target, target) != 0) {
			clouddp_errf(err, CLOUDDP_ECONFLICT,
			    "remove the old CNAME first if this DP replaces it",
			    "%s is already a CNAME to %s (%s)", fqdn,
			    e->target != NULL ? e->target : "another name",
			    entry_where(e, w, sizeof(w)));
			return ZONE_CNAME_CONFLICT;
		}
		st = ZONE_CNAME_PRESENT;
	}
	return st;
}

const char *
zone_db_cname_elsewhere(const struct zone_db *db, const char *fqdn,
    const char *target)
{
	const struct zone_entry	*e;
	struct clouddp_err	 err;
	const char		*old = NULL;
	size_t			 i;

	if (check_ancestors(db, fqdn, &err) == -1)
		return NULL;
	for (i = entry_find(db, fqdn); i < db->nentries &&
	    strcmp(db->entries[i].owner, fqdn) == 0; i++) {
		e = &db->entries[i];
		if (zone_type_is_dnssec(e->type))
			continue;
		if (e->type != LDNS_RR_TYPE_CNAME || e->target == NULL ||
		    old != NULL)
			return NULL;
		old = e->target;
	}
	if (old != NULL && strcmp(old, target) == 0)
		return NULL;
	return old;
}
