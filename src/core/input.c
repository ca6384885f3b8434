/*
 * The one --input reader: lines from a file descriptor through a fixed
 * buffer (read(2), with poll(2) when a timeout is set), checked to be
 * text, split into blank-separated or CSV columns and mapped to the
 * shared column names.  Input that cannot be rewound is copied into an
 * unlinked temporary file as it is read, when the caller will read it
 * twice.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "input.h"

#define READ_SIZE	65536
#define FIELDS_MAX	32

enum format {
	FORMAT_UNKNOWN = 0,	/* no data line yet */
	FORMAT_BLANK,
	FORMAT_CSV
};

struct input {
	int			 fd;
	int			 own_fd;
	int			 spool;		/* -1: none */
	int			 seekable;
	off_t			 start;
	char			 name[256];
	struct input_cfg	 cfg;
	unsigned char		 buf[READ_SIZE];
	size_t			 pos, end;
	size_t			 nread;		/* bytes read so far */
	int			 eof;
	int			 begun;		/* first bytes checked */
	char			 line[INPUT_LINE_MAX + 1];
	size_t			 len;
	char			 work[INPUT_LINE_MAX + 1];
	size_t			 lineno;
	enum format		 format;
	int			 header;	/* a header line was read */
	int			 data;		/* a data line was read */
	int			 map[INPUT__MAX];	/* header column, -1 */
	size_t			 ncols;		/* header's columns */
	int			 failed;
	struct clouddp_err	 ferr;		/* why, when failed */
};

static const char *const col_names[INPUT__MAX] = {
	[INPUT_FQDN] = "fqdn",
	[INPUT_TARGET] = "target",
	[INPUT_VIP] = "vip",
	[INPUT_TTL] = "ttl",
};

/* Header words and the column each names. */
static const struct {
	const char	*word;
	enum input_col	 col;
} col_words[] = {
	{ "fqdn", INPUT_FQDN }, { "name", INPUT_FQDN },
	{ "service_fqdn", INPUT_FQDN }, { "target", INPUT_TARGET },
	{ "cname", INPUT_TARGET }, { "vip", INPUT_VIP },
	{ "address", INPUT_VIP }, { "ttl", INPUT_TTL },
};

/*
 * The length of the well-formed UTF-8 character at p (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 1 when p
 * does not start one.  C1 controls (U+0080-U+009F, which terminals
 * obey like ESC sequences) count as not text either.
 */
static size_t
utf8_len(const unsigned char *p)
{
	size_t	 n, i;

	if (*p < 0xc2 || *p > 0xf4)
		return 1;
	n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	if ((*p == 0xc2 && p[1] < 0xa0) ||	/* C1 controls */
	    (*p == 0xe0 && p[1] < 0xa0) ||	/* overlong */
	    (*p == 0xed && p[1] >= 0xa0) ||	/* surrogates */
	    (*p == 0xf0 && p[1] < 0x90) ||	/* overlong */
	    (*p == 0xf4 && p[1] >= 0x90))	/* past U+10FFFF */
		return 1;
	return n;
}

const char *
input_escape(const char *s, char *out, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, n;

	if (len == 0)
		return out;
	for (; *p != '\0'; p += n) {
		n = utf8_len(p);
		if (n == 1 && (*p < 0x20 || *p == 0x7f || *p == '\\' ||
		    *p >= 0x80)) {
			if (o + 4 + 4 >= len)
				break;
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", *p);
			continue;
		}
		if (o + n + 4 >= len)
			break;
		memcpy(out + o, p, n);
		o += n;
	}
	/* Every step above left room for "..." and the NUL. */
	if (*p != '\0' && o + 4 <= len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o < len ? o : len - 1] = '\0';
	return out;
}

/* A fatal error: remembered, so every later call says it again. */
static int
fail(struct input *in, struct clouddp_err *err)
{
	in->failed = 1;
	in->ferr = *err;
	return -1;
}

static struct input *
input_init(int fd, int own_fd, const char *name, const struct input_cfg *cfg,
    struct clouddp_err *err)
{
	struct input	*in;
	struct stat	 st;

	if (fstat(fd, &st) == -1) {
		clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s", name,
		    strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		clouddp_errf(err, CLOUDDP_EIO, "give a file of names",
		    "%s: is a directory", name);
		return NULL;
	}
	in = calloc(1, sizeof(*in));
	if (in == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	in->fd = fd;
	in->own_fd = own_fd;
	in->spool = -1;
	in->cfg = *cfg;
	snprintf(in->name, sizeof(in->name), "%s", name);
	in->seekable = S_ISREG(st.st_mode);
	if (in->seekable)
		in->start = lseek(fd, 0, SEEK_CUR);
	if (in->seekable && in->start == (off_t)-1)
		in->seekable = 0;
	for (size_t i = 0; i < INPUT__MAX; i++)
		in->map[i] = -1;
	return in;
}

/* An unlinked 0600 file in TMPDIR, for input read twice. */
static int
spool_open(struct input *in, struct clouddp_err *err)
{
	const char	*dir = getenv("TMPDIR");
	char		 path[4096];
	int		 fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/clouddp-input.XXXXXX",
	    dir) >= sizeof(path))
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "TMPDIR too long");
	fd = mkstemp(path);
	if (fd == -1)
		return clouddp_errf(err, CLOUDDP_EIO,
		    "set TMPDIR to a writable directory",
		    "%s: cannot copy it to %s: %s", in->name, dir,
		    strerror(errno));
	(void)unlink(path);
	in->spool = fd;
	return 0;
}

struct input *
input_new_fd(int fd, const char *name, const struct input_cfg *cfg,
    struct clouddp_err *err)
{
	struct input	*in;

	in = input_init(fd, 1, name, cfg, err);
	if (in == NULL)
		return NULL;
	if ((cfg->flags & INPUT_REWIND) && !in->seekable &&
	    spool_open(in, err) == -1) {
		input_free(in);
		return NULL;
	}
	return in;
}

struct input *
input_open(const char *path, const struct input_cfg *cfg,
    struct clouddp_err *err)
{
	struct input	*in;
	int		 fd;

	if (strcmp(path, "-") == 0) {
		in = input_new_fd(STDIN_FILENO, "stdin", cfg, err);
		if (in != NULL)
			in->own_fd = 0;
		return in;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		clouddp_errf(err, CLOUDDP_EIO, "check the path given to --input",
		    "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* O_NONBLOCK only so that opening a FIFO never waits. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	in = input_new_fd(fd, path, cfg, err);
	if (in == NULL)
		close(fd);
	return in;
}

void
input_free(struct input *in)
{
	if (in == NULL)
		return;
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	if (in->spool >= 0)
		close(in->spool);
	free(in);
}

const char *
input_name(const struct input *in)
{
	return in->name;
}

size_t
input_line(const struct input *in)
{
	return in->lineno;
}

int
input_failed(const struct input *in)
{
	return in->failed;
}

static double
now_seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Wait until fd is readable, at most cfg.timeout seconds (0: for ever).
 * Returns 0 when it is, 1 when a signal stopped the run (cfg.stopped),
 * -1 with err filled.
 * Pipes and FIFOs always go through poll(2): a FIFO whose writer has not
 * opened it yet reads as its end, but polls as not ready.
 */
static int
wait_readable(struct input *in, struct clouddp_err *err)
{
	struct pollfd	 p;
	double		 deadline, left = 86400;
	int		 rc;

	if (in->seekable)
		return 0;
	deadline = now_seconds() + in->cfg.timeout;
	for (;;) {
		if (in->cfg.timeout > 0)
			left = deadline - now_seconds();
		p.fd = in->fd;
		p.events = POLLIN;
		p.revents = 0;
		rc = poll(&p, 1, left <= 0 ? 0 : left > 86400 ? -1 :
		    (int)(left * 1000) + 1);
		if (rc > 0)
			return 0;
		if (rc == -1 && errno == EINTR && in->cfg.stopped != NULL &&
		    in->cfg.stopped() != 0)
			return 1;
		if (rc == -1 && errno != EINTR)
			return clouddp_errf(err, CLOUDDP_EIO, NULL,
			    "%s: %s", in->name, strerror(errno));
		if (rc == 0 && left <= 0)
			return clouddp_errf(err, CLOUDDP_ETIMEOUT,
			    "close the writing end, or raise --timeout",
			    "%s:%zu: no input for %gs", in->name,
			    in->lineno + 1, in->cfg.timeout);
	}
}

/* Copy what was just read into the spool file. */
static int
spool_write(struct input *in, const unsigned char *p, size_t n,
    struct clouddp_err *err)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(in->spool, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return clouddp_errf(err, CLOUDDP_EIO,
			    "set TMPDIR to a directory with room",
			    "%s: cannot copy it to a temporary file: %s",
			    in->name, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Refill the buffer: 1 bytes read, 0 end of input, -1 error. */
static int
fill(struct input *in, struct clouddp_err *err)
{
	ssize_t	 n;

	in->pos = in->end = 0;
	if (in->eof)
		return 0;
	do {
		/* A descriptor left non-blocking may still say EAGAIN. */
		switch (wait_readable(in, err)) {
		case -1:
			return -1;
		case 1:
			in->eof = 1;	/* stopped: read no more */
			return 0;
		}
		n = read(in->fd, in->buf, sizeof(in->buf));
	} while (n == -1 && (errno == EINTR || (errno == EAGAIN &&
	    !in->seekable)));
	if (n == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s",
		    in->name, strerror(errno));
	if (n == 0) {
		in->eof = 1;
		return 0;
	}
	if (in->spool >= 0 && spool_write(in, in->buf, (size_t)n, err) == -1)
		return -1;
	in->end = (size_t)n;
	in->nread += (size_t)n;
	return 1;
}

/* The first bytes: UTF-16 is refused by name, a UTF-8 BOM skipped. */
static int
check_start(struct input *in, struct clouddp_err *err)
{
	const unsigned char	*b = in->buf + in->pos;
	size_t			 n = in->end - in->pos;
	const char		*kind = NULL;

	in->begun = 1;
	/* With its BOM, or two ASCII characters each beside a zero. */
	if ((n >= 2 && b[0] == 0xff && b[1] == 0xfe) || (n >= 4 &&
	    b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0))
		kind = "UTF-16LE";
	else if ((n >= 2 && b[0] == 0xfe && b[1] == 0xff) || (n >= 4 &&
	    b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0))
		kind = "UTF-16BE";
	if (kind != NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 FILE), "
		    "or as \"CSV UTF-8\" in a spreadsheet",
		    "%s: the file is %s text (a Windows \"Unicode\" file), "
		    "not UTF-8", in->name, kind);
	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		in->pos += 3;
	return 0;
}

/*
 * Check n bytes about to join the line: a NUL is fatal, and *bad
 * keeps the first other control character's column (0: none).  A
 * final CR is CRLF; parse() forgives it.
 */
static int
check_bytes(struct input *in, const unsigned char *p, size_t n, size_t *bad,
    struct clouddp_err *err)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] != 0x7f)
			continue;
		if (p[i] == '\0')
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "give a text file, one subject per line",
			    "%s:%zu: a NUL byte at column %zu: not a text "
			    "file", in->name, in->lineno + 1, in->len + i + 1);
		if (p[i] != '\t' && *bad == 0)
			*bad = in->len + i + 1;
	}
	return 0;
}

/*
 * Take bytes up to the next newline into in->line.  Returns 1 a line,
 * 0 the end, -1 a fatal error.  *bad is set to the first control
 * character's offset + 1 (0: none).
 */
static int
read_line(struct input *in, size_t *bad, struct clouddp_err *err)
{
	const unsigned char	*p, *nl;
	size_t			 n, room;
	int			 rc, any = 0;

	in->len = 0;
	*bad = 0;
	for (;;) {
		if (in->pos == in->end) {
			rc = fill(in, err);
			if (rc == -1)
				return -1;
			if (rc == 0)
				return any;
		}
		if (!in->begun && check_start(in, err) == -1)
			return -1;
		p = in->buf + in->pos;
		nl = memchr(p, '\n', in->end - in->pos);
		n = nl != NULL ? (size_t)(nl - p) : in->end - in->pos;
		room = INPUT_LINE_MAX - in->len;
		/* A NUL within reach is named before the length. */
		if (check_bytes(in, p, n < room + 1 ? n : room + 1, bad,
		    err) == -1)
			return -1;
		if (n > room)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "give one subject per line",
			    "%s:%zu: line longer than %d bytes", in->name,
			    in->lineno + 1, INPUT_LINE_MAX);
		memcpy(in->line + in->len, p, n);
		in->len += n;
		in->pos += n + (nl != NULL);
		any = 1;
		if (nl != NULL)
			return 1;
	}
}

/* Next field of a CSV line at *pp, unquoted in place; NULL at its end. */
static char *
csv_field(char **pp, int *stop, int *bad)
{
	char	*p = *pp, *f, *w;

	p += strspn(p, " \t");
	f = w = p;
	if (*p == '"') {
		for (p++;; p++) {
			if (*p == '\0') {
				*bad = 1;	/* unterminated */
				return NULL;
			}
			if (*p == '"' && p[1] != '"')
				break;
			if (*p == '"')
				p++;
			*w++ = *p;
		}
		p++;
		p += strspn(p, " \t");
		if (*p != ',' && *p != '#' && *p != '\0') {
			*bad = 2;	/* text after the closing quote */
			return NULL;
		}
	} else {
		p += strcspn(p, ",#\"");
		if (*p == '"') {
			*bad = 3;	/* quote inside */
			return NULL;
		}
		w = p;
		while (w > f && (w[-1] == ' ' || w[-1] == '\t'))
			w--;
	}
	*stop = *p != ',';
	*pp = *p == '\0' ? p : p + 1;
	*w = '\0';
	return f;
}

/* Split in->work; returns the number of fields or -1 (err filled). */
static int
split(struct input *in, char **f, struct clouddp_err *err)
{
	static const char *const why[] = { "", "a quote is not closed (a "
	    "field cannot span lines)", "text after a closing quote",
	    "a quote inside an unquoted field" };
	char	*p = in->work, *save = NULL;
	int	 n = 0, stop = 0, bad = 0;

	if (in->format == FORMAT_BLANK) {
		p[strcspn(p, "#")] = '\0';
		for (p = strtok_r(p, " \t", &save); p != NULL;
		    p = strtok_r(NULL, " \t", &save))
			if (n < FIELDS_MAX)
				f[n++] = p;
			else
				n++;
		return n;
	}
	while (!stop) {
		if (n == FIELDS_MAX)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "give at most the fqdn, target, vip and ttl columns",
			    "%s:%zu: more than %d columns", in->name,
			    in->lineno, FIELDS_MAX);
		f[n] = csv_field(&p, &stop, &bad);
		if (bad != 0)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "quote a field as \"...\" and write a quote "
			    "inside it as \"\" (RFC 4180)", "%s:%zu: %s",
			    in->name, in->lineno, why[bad]);
		n++;
	}
	if (n == 1 && f[0][0] == '\0')
		return 0;
	return n;
}

/* 1 when the line has a comma outside quotes, before any comment. */
static int
has_comma(const char *s)
{
	int	 quoted = 0;

	for (; *s != '\0'; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '#')
			return 0;
		else if (!quoted && *s == ',')
			return 1;
	}
	return 0;
}

static int
is_address(const char *s)
{
	unsigned char	 b[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static int
is_digits(const char *s)
{
	return s[0] != '\0' && s[strspn(s, "0123456789")] == '\0';
}

/* The column a header word names, or -1. */
static int
col_word(const char *w)
{
	size_t	 i;

	for (i = 0; i < sizeof(col_words) / sizeof(col_words[0]); i++)
		if (strcasecmp(w, col_words[i].word) == 0)
			return (int)col_words[i].col;
	return -1;
}

/* A header names at least one column and holds no name or address. */
static int
is_header(char **f, int n)
{
	int	 i, known = 0;

	for (i = 0; i < n; i++) {
		if (strpbrk(f[i], ".:") != NULL)
			return 0;
		if (col_word(f[i]) >= 0)
			known = 1;
	}
	return known;
}

static int
read_header(struct input *in, char **f, int n, struct clouddp_err *err)
{
	int	 i, c;

	for (i = 0; i < n; i++) {
		c = col_word(f[i]);
		if (c < 0)
			continue;
		if (in->map[c] >= 0) {
			clouddp_errf(err, CLOUDDP_EINPUT,
			    "name each column once", "%s:%zu: two %s "
			    "columns in the header", in->name, in->lineno,
			    col_names[c]);
			return fail(in, err);
		}
		in->map[c] = i;
	}
	for (c = 0; c < INPUT__MAX; c++)
		if ((in->cfg.need & INPUT_BIT(c)) && in->map[c] < 0) {
			clouddp_errf(err, CLOUDDP_EINPUT,
			    "name the columns in the first line, e.g. "
			    "fqdn,target,vip", "%s:%zu: the header has no %s "
			    "column", in->name, in->lineno, col_names[c]);
			return fail(in, err);
		}
	in->header = 1;
	in->ncols = (size_t)n;
	return 0;
}

/* Columns of a line under a header. */
static int
by_header(struct input *in, char **f, int n, struct input_rec *rec,
    struct clouddp_err *err)
{
	int	 c;

	if ((size_t)n > in->ncols)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "quote a field holding a comma",
		    "%s:%zu: %d columns, but the header names %zu", in->name,
		    in->lineno, n, in->ncols);
	for (c = 0; c < INPUT__MAX; c++)
		if (in->map[c] >= 0 && in->map[c] < n)
			rec->col[c] = f[in->map[c]];
	return 0;
}

/* Columns of a headerless line: fqdn [target [vip [ttl]]], or VIP [FQDN]. */
static int
by_position(struct input *in, char **f, int n, struct input_rec *rec,
    struct clouddp_err *err)
{
	if ((in->cfg.flags & INPUT_VIP_FIRST) && is_address(f[0])) {
		if (n > 2 || (n == 2 && is_address(f[1])))
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "write fqdn [target [vip]], or the older VIP "
			    "[FQDN]", "%s:%zu: after the address %s only an "
			    "FQDN may follow", in->name, in->lineno, f[0]);
		rec->col[INPUT_VIP] = f[0];
		rec->col[INPUT_FQDN] = n == 2 ? f[1] : NULL;
		return 0;
	}
	if (n > INPUT__MAX)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "write fqdn [target [vip [ttl]]], or CSV with a header",
		    "%s:%zu: more than %d columns", in->name, in->lineno,
		    INPUT__MAX);
	rec->col[INPUT_FQDN] = f[0];
	rec->col[INPUT_TARGET] = n > 1 ? f[1] : NULL;
	if (n == 3 && is_digits(f[2]))
		rec->col[INPUT_TTL] = f[2];
	else
		rec->col[INPUT_VIP] = n > 2 ? f[2] : NULL;
	rec->col[INPUT_TTL] = n > 3 ? f[3] : rec->col[INPUT_TTL];
	return 0;
}

/* Every needed column is there and not empty. */
static int
check_need(struct input *in, struct input_rec *rec, struct clouddp_err *err)
{
	int	 c;

	for (c = 0; c < INPUT__MAX; c++) {
		if (rec->col[c] != NULL && rec->col[c][0] == '\0')
			rec->col[c] = NULL;
		if ((in->cfg.need & INPUT_BIT(c)) && rec->col[c] == NULL)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    in->header ? "fill the column on every line" :
			    "write fqdn [target [vip [ttl]]] on each line",
			    "%s:%zu: no %s", in->name, in->lineno,
			    col_names[c]);
	}
	return 0;
}

/* Parse in->line: 1 a subject, 0 nothing on it, -1 bad. */
static int
parse(struct input *in, size_t bad, struct input_rec *rec,
    struct clouddp_err *err)
{
	char	*f[FIELDS_MAX];
	int	 n;

	if (in->len > 0 && in->line[in->len - 1] == '\r')
		in->len--;
	in->line[in->len] = '\0';
	if (bad > 0 && bad <= in->len)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "save the file as plain text, one subject per line",
		    "%s:%zu: control character \\x%02x at column %zu",
		    in->name, in->lineno,
		    (unsigned char)in->line[bad - 1], bad);
	memcpy(in->work, in->line, in->len + 1);
	if (in->format == FORMAT_UNKNOWN)
		in->format = has_comma(in->line) ? FORMAT_CSV : FORMAT_BLANK;
	n = split(in, f, err);
	if (n <= 0)
		return n;
	if (!in->header && is_header(f, n)) {
		if (in->data)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "put the header on the first line",
			    "%s:%zu: a header after data lines", in->name,
			    in->lineno);
		return read_header(in, f, n, err);
	}
	in->data = 1;
	if ((in->header ? by_header(in, f, n, rec, err) :
	    by_position(in, f, n, rec, err)) == -1)
		return -1;
	if (check_need(in, rec, err) == -1)
		return -1;
	rec->line = in->lineno;
	return 1;
}

int
input_next(struct input *in, struct input_rec *rec, struct clouddp_err *err)
{
	size_t	 bad;
	int	 rc;

	if (in->failed) {
		*err = in->ferr;
		return -1;
	}
	for (;;) {
		memset(rec, 0, sizeof(*rec));
		rc = read_line(in, &bad, err);
		if (rc == -1)
			return fail(in, err);
		if (rc == 0)
			return 0;
		in->lineno++;
		rc = parse(in, bad, rec, err);
		if (rc != 0)
			return rc;
	}
}

int
input_rewind(struct input *in, struct clouddp_err *err)
{
	if (in->failed) {
		*err = in->ferr;
		return -1;
	}
	if (in->nread == 0 && !in->eof)
		return 0;	/* nothing read yet */
	if (!in->seekable && in->spool < 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "%s: cannot read the input twice", in->name);
	if (in->spool >= 0) {
		/* The rest of the input goes to the copy, then read it. */
		while (fill(in, err) == 1)
			continue;
		if (!in->eof)
			return fail(in, err);
		if (in->own_fd)
			close(in->fd);
		in->fd = in->spool;
		in->own_fd = 1;
		in->spool = -1;
		in->seekable = 1;
		in->start = 0;
	}
	if (lseek(in->fd, in->start, SEEK_SET) == (off_t)-1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s",
		    in->name, strerror(errno));
	in->pos = in->end = in->nread = 0;
	in->eof = in->begun = in->header = in->data = 0;
	in->lineno = in->ncols = 0;
	in->format = FORMAT_UNKNOWN;
	for (size_t i = 0; i < INPUT__MAX; i++)
		in->map[i] = -1;
	return 0;
}
