/*
 * The error struct, the status scale and the byte buffer.  Formatting an
 * error never allocates; nothing here prints (the log_* helpers are in
 * log.c).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"

static const char *const code_names[CLOUDDP_CODE__MAX] = {
	[CLOUDDP_OK] = "ok",
	[CLOUDDP_EUSAGE] = "usage",
	[CLOUDDP_ECONFIG] = "config",
	[CLOUDDP_EINPUT] = "input",
	[CLOUDDP_EIO] = "io",
	[CLOUDDP_ENOMEM] = "nomem",
	[CLOUDDP_EDNS] = "dns",
	[CLOUDDP_ETLS] = "tls",
	[CLOUDDP_EHTTP] = "http",
	[CLOUDDP_EAPI] = "api",
	[CLOUDDP_ECERT] = "cert",
	[CLOUDDP_EPASSWORD] = "password",
	[CLOUDDP_ETIMEOUT] = "timeout",
	[CLOUDDP_ECONFLICT] = "conflict",
	[CLOUDDP_EREFUSED] = "refused",
	[CLOUDDP_EINTERNAL] = "internal",
};

static const char *const status_names[CLOUDDP_STATUS__MAX] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

static const char *const status_keys[CLOUDDP_STATUS__MAX] = {
	"ok", "warning", "critical", "unknown"
};

/*
 * A message is one line of words: control characters a peer put in it
 * (an HTTP header, an error body) would move or recolour the terminal
 * it is printed on, so they become '?' (a tab a space).  So do C1
 * controls written in UTF-8 (U+0080-U+009F, "\xc2\x9b" is CSI to a
 * UTF-8 xterm): "??".
 */
static void
what_clean(char *s)
{
	unsigned char	*p = (unsigned char *)s;

	for (; *p != '\0'; p++)
		if (*p == '\t')
			*p = ' ';
		else if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p[0] = '?';
			p[1] = '?';
		}
}

int
clouddp_verrf(struct clouddp_err *err, enum clouddp_code code,
    const char *hint, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	err->code = code;
	vsnprintf(err->what, sizeof(err->what), fmt, ap);
	what_clean(err->what);
	snprintf(err->hint, sizeof(err->hint), "%s", hint != NULL ? hint : "");
	return -1;
}

int
clouddp_errf(struct clouddp_err *err, enum clouddp_code code,
    const char *hint, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	clouddp_verrf(err, code, hint, fmt, ap);
	va_end(ap);
	return -1;
}

void
clouddp_err_prefix(struct clouddp_err *err, const char *fmt, ...)
{
	char	 prefix[256];
	size_t	 n, old, room;
	va_list	 ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	n = strlen(prefix);
	room = sizeof(err->what) - 1 - n - 2;
	old = strlen(err->what);
	if (old > room)
		old = room;
	memmove(err->what + n + 2, err->what, old);
	memcpy(err->what, prefix, n);
	err->what[n] = ':';
	err->what[n + 1] = ' ';
	err->what[n + 2 + old] = '\0';
	what_clean(err->what);
}

void
clouddp_err_clear(struct clouddp_err *err)
{
	err->code = CLOUDDP_OK;
	err->what[0] = '\0';
	err->hint[0] = '\0';
}

const char *
clouddp_code_name(enum clouddp_code code)
{
	if ((unsigned)code >= CLOUDDP_CODE__MAX)
		return "internal";
	return code_names[code];
}

enum clouddp_status
clouddp_code_status(enum clouddp_code code)
{
	switch (code) {
	case CLOUDDP_OK:
		return CLOUDDP_STATUS_OK;
	case CLOUDDP_ECONFLICT:
	case CLOUDDP_EREFUSED:
		return CLOUDDP_STATUS_CRITICAL;
	default:
		return CLOUDDP_STATUS_UNKNOWN;
	}
}

enum clouddp_status
clouddp_status_worst(enum clouddp_status a, enum clouddp_status b)
{
	return a > b ? a : b;
}

const char *
clouddp_status_name(enum clouddp_status status)
{
	if ((unsigned)status >= CLOUDDP_STATUS__MAX)
		return "UNKNOWN";
	return status_names[status];
}

const char *
clouddp_status_key(enum clouddp_status status)
{
	if ((unsigned)status >= CLOUDDP_STATUS__MAX)
		return "unknown";
	return status_keys[status];
}

/* Zero len bytes at data in a way the compiler keeps, then free it. */
static void
wipe_free(char *data, size_t len)
{
	volatile char	*p = data;
	size_t		 i;

	if (data == NULL)
		return;
	for (i = 0; i < len; i++)
		p[i] = 0;
	free(data);
}

static int
buf_reserve(struct clouddp_buf *buf, size_t extra, struct clouddp_err *err)
{
	size_t	 need, cap;
	char	*p;

	if (extra > SIZE_MAX / 2 - buf->len)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "buffer would exceed the address space");
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap > 0 ? buf->cap : 64;
	while (cap < need)
		cap *= 2;
	/*
	 * Not realloc(): it would free the old block unwiped, and request
	 * bodies hold passwords.  Copy, then wipe and free the old one.
	 */
	p = malloc(cap);
	if (p == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory growing a buffer to %zu bytes", cap);
	if (buf->data != NULL)
		memcpy(p, buf->data, buf->len);
	p[buf->len] = '\0';
	wipe_free(buf->data, buf->cap);
	buf->data = p;
	buf->cap = cap;
	return 0;
}

int
clouddp_buf_append(struct clouddp_buf *buf, const void *data, size_t len,
    struct clouddp_err *err)
{
	if (buf_reserve(buf, len, err) == -1)
		return -1;
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return 0;
}

int
clouddp_buf_printf(struct clouddp_buf *buf, struct clouddp_err *err,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "cannot format text");
	if (buf_reserve(buf, (size_t)n, err) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
	return 0;
}

void
clouddp_buf_reset(struct clouddp_buf *buf)
{
	buf->len = 0;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}

void
clouddp_buf_free(struct clouddp_buf *buf)
{
	if (buf == NULL || buf->data == NULL)
		return;
	wipe_free(buf->data, buf->cap);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

int
clouddp_buf_getline(struct clouddp_buf *buf, FILE *fp, size_t max,
    struct clouddp_err *err)
{
	size_t	 room, n;

	clouddp_buf_reset(buf);
	for (;;) {
		if (buf_reserve(buf, 256, err) == -1)
			return -1;
		room = buf->cap - buf->len;
		if (room > INT_MAX)
			room = INT_MAX;
		if (fgets(buf->data + buf->len, (int)room, fp) == NULL)
			break;
		n = strlen(buf->data + buf->len);
		buf->len += n;
		if (n > 0 && buf->data[buf->len - 1] == '\n') {
			buf->data[--buf->len] = '\0';
			break;
		}
		if (buf->len > max)
			return clouddp_errf(err, CLOUDDP_EINPUT,
			    "split the input into shorter lines",
			    "line longer than %zu bytes", max);
	}
	if (ferror(fp))
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "read error: %s",
		    strerror(errno));
	if (buf->len > max)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "split the input into shorter lines",
		    "line longer than %zu bytes", max);
	return buf->len > 0 || !feof(fp) ? 1 : 0;
}
