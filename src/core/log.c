/*
 * The log sink: stderr, and optionally a CMTrace file.  Only mains (and
 * the log_* helpers they call) write here; the library returns errors.
 * Every message passes log_redact() first, so no credential reaches
 * stderr or the file whatever a caller hands in.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "log.h"
#include "secret.h"

#define COMPONENT_MAX	64

struct log_sink {
	int	 fd;
	int	 failed;
	char	 component[COMPONENT_MAX];
};

/* Output with a bound: append n bytes of s, keep room for the NUL. */
struct out {
	char	*p;
	size_t	 len, used;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->used + 1 >= o->len)
		return;
	if (n > o->len - 1 - o->used)
		n = o->len - 1 - o->used;
	memcpy(o->p + o->used, s, n);
	o->used += n;
	o->p[o->used] = '\0';
}

static int
is_delim(char c)
{
	return c == '\0' || strchr(" \t\r\n'\"<>(),;", c) != NULL;
}

static const char *
ci_prefix(const char *s, const char *prefix)
{
	size_t	 n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0 ? s + n : NULL;
}

/*
 * One token (no delimiter inside): cut the password of a userinfo, and
 * the value of a SAS "sig=" parameter.  Returns the bytes consumed.
 */
static void
redact_token(struct out *o, const char *t)
{
	const char	*e, *p, *aend, *at = NULL, *colon = NULL, *q;

	for (e = t; !is_delim(*e); e++)
		;
	p = t;
	q = strstr(t, "://");
	if (q != NULL && q < e)
		p = q + 3;
	for (aend = p; aend < e && *aend != '/' && *aend != '?' &&
	    *aend != '#'; aend++)
		if (*aend == '@')
			at = aend;
	if (at != NULL)
		colon = memchr(p, ':', (size_t)(at - p));
	if (colon != NULL) {
		put(o, t, (size_t)(colon - t));
		t = at;
	}
	/* A SAS token's signature: "...&sig=BASE64&..." */
	for (q = t; q < e; q++) {
		if ((q == t || q[-1] == '?' || q[-1] == '&') &&
		    strncasecmp(q, "sig=", 4) == 0) {
			put(o, t, (size_t)(q + 4 - t));
			put(o, "[redacted]", 10);
			for (t = q + 4; t < e && *t != '&'; t++)
				;
			q = t;
		}
	}
	put(o, t, (size_t)(e - t));
}

void
log_redact(char *buf, size_t len, const char *in)
{
	struct out	 o = { buf, len, 0 };
	const char	*s = in, *v;

	if (len == 0)
		return;
	buf[0] = '\0';
	while (*s != '\0') {
		/* "Authorization: X" and "Proxy-Authorization: X": the
		 * whole value, to the end of the line. */
		v = ci_prefix(s, "authorization:");
		if (v == NULL)
			v = ci_prefix(s, "proxy-authorization:");
		if (v != NULL && (s == in || is_delim(s[-1]))) {
			put(&o, s, (size_t)(v - s));
			put(&o, " [redacted]", 11);
			s = v + strcspn(v, "\r\n");
			continue;
		}
		v = ci_prefix(s, "bearer ");
		if (v != NULL && (s == in || is_delim(s[-1]))) {
			put(&o, s, (size_t)(v - s));
			put(&o, "[redacted]", 10);
			s = v + strcspn(v, " \t\r\n'\"");
			continue;
		}
		if (is_delim(*s)) {
			put(&o, s, 1);
			s++;
			continue;
		}
		redact_token(&o, s);
		while (!is_delim(*s))
			s++;
	}
}

static void
clean(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	/* The entry's own terminator must not appear in the text. */
	while ((p = strstr(s, "]LOG]!>")) != NULL)
		p[0] = ')';
}

int
log_cmtrace_format(char *buf, size_t len, const struct timespec *ts,
    enum log_type type, const char *component, long thread, const char *msg)
{
	char		 text[LOG_LINE_MAX];
	struct tm	 tm;
	time_t		 t = ts->tv_sec;
	long		 bias;
	int		 n;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	/* UTC = local + bias: east of Greenwich the bias is negative. */
	bias = -tm.tm_gmtoff / 60;
	log_redact(text, sizeof(text), msg);
	clean(text);
	n = snprintf(buf, len, "<![LOG[%s]LOG]!><time=\"%02d:%02d:%02d.%03ld"
	    "%c%ld\" date=\"%02d-%02d-%04d\" component=\"%s\" context=\"\" "
	    "type=\"%d\" thread=\"%ld\" file=\"\">\n", text, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000, bias < 0 ? '-' : '+',
	    bias < 0 ? -bias : bias, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_year + 1900, component, (int)type, thread);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

static int
check_component(const char *s, struct clouddp_err *err)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			break;
	if (i == 0 || s[i] != '\0' || i >= COMPONENT_MAX)
		return clouddp_errf(err, CLOUDDP_EUSAGE,
		    "name the component with letters, digits, '_', '-', '.'",
		    "'%.64s' is not a log component name", s);
	return 0;
}

/* The file must be ours, regular, and readable by nobody else. */
static int
check_file(int fd, const char *path, struct clouddp_err *err)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return clouddp_errf(err, CLOUDDP_EIO,
		    "give the path of a regular file for the log",
		    "%s: not a regular file", path);
	if (st.st_uid != geteuid())
		return clouddp_errf(err, CLOUDDP_EIO,
		    "give a log file you own",
		    "%s: owned by another user", path);
	if ((st.st_mode & 077) != 0 && fchmod(fd, 0600) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, NULL,
		    "%s: cannot make it private: %s", path, strerror(errno));
	return 0;
}

struct log_sink *
log_sink_open(const char *path, const char *component,
    struct clouddp_err *err)
{
	struct log_sink	*s = NULL;
	int		 fd = -1;

	if (check_component(component, err) == -1)
		return NULL;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd == -1) {
		clouddp_errf(err, CLOUDDP_EIO, errno == ELOOP ?
		    "give the log file's real path, not a symbolic link" :
		    "check the log file's directory and permissions",
		    "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (check_file(fd, path, err) == -1)
		goto fail;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	s->fd = fd;
	snprintf(s->component, sizeof(s->component), "%s", component);
	return s;
fail:
	close(fd);
	return NULL;
}

void
log_sink_close(struct log_sink *s)
{
	if (s == NULL)
		return;
	if (close(s->fd) == -1)
		s->failed = 1;
	free(s);
}

int
log_sink_failed(const struct log_sink *s)
{
	return s != NULL ? s->failed : 0;
}

int
log_sink_write(struct log_sink *s, enum log_type type, const char *msg)
{
	char		 line[LOG_LINE_MAX + 256];
	struct timespec	 ts;
	ssize_t		 w = 0;
	size_t		 off;
	off_t		 end;
	int		 n;

	if (s == NULL || s->failed)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	n = log_cmtrace_format(line, sizeof(line), &ts, type, s->component,
	    (long)getpid(), msg);
	if (n < 0)
		return -1;
	/* A short write is tried again: the next one says why. */
	for (off = 0; off < (size_t)n; off += (size_t)w) {
		w = write(s->fd, line + off, (size_t)n - off);
		if (w == -1 && errno == EINTR)
			w = 0;
		else if (w <= 0)
			break;
	}
	if (off == (size_t)n)
		return 0;
	s->failed = w == -1 ? errno : ENOSPC;
	/* Leave no half entry: cut what part of it was written. */
	if (off > 0) {
		end = lseek(s->fd, 0, SEEK_END);
		if (end >= (off_t)off &&
		    ftruncate(s->fd, end - (off_t)off) == -1)
			return -1;
	}
	return -1;
}

/* Format, redact, then stderr (when shown) and the file. */
static void
vlog(const struct clouddp_ctx *ctx, enum log_type type, int show,
    const char *label, const char *fmt, va_list ap)
{
	char	 raw[LOG_LINE_MAX], text[LOG_LINE_MAX];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_redact(text, sizeof(text), raw);
	secret_wipe(raw, sizeof(raw));
	if (show)
		fprintf(stderr, "%s: %s%s\n", ctx->prog, label, text);
	log_sink_write(ctx->log, type, text);
}

void
log_warn(const struct clouddp_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(ctx, LOG_TYPE_WARNING, ctx->quiet <= 1, "warning: ", fmt, ap);
	va_end(ap);
}

void
log_info(const struct clouddp_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(ctx, LOG_TYPE_INFO, ctx->verbose >= 1, "", fmt, ap);
	va_end(ap);
}

void
log_notice(const struct clouddp_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(ctx, LOG_TYPE_INFO, !ctx->quiet, "", fmt, ap);
	va_end(ap);
}

void
log_debug(const struct clouddp_ctx *ctx, int level, const char *fmt, ...)
{
	va_list	 ap;

	if (ctx->verbose < level)
		return;
	va_start(ap, fmt);
	vlog(ctx, LOG_TYPE_INFO, 1, "", fmt, ap);
	va_end(ap);
}

void
log_file_err(const struct clouddp_ctx *ctx, const struct clouddp_err *err)
{
	char	 text[LOG_LINE_MAX];

	if (ctx->log == NULL)
		return;
	if (err->hint[0] != '\0')
		snprintf(text, sizeof(text), "%s (hint: %s)", err->what,
		    err->hint);
	else
		snprintf(text, sizeof(text), "%s", err->what);
	log_sink_write(ctx->log, LOG_TYPE_ERROR, text);
}
