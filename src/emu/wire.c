/*
 * The classic API's wire forms the front end writes: XML elements in
 * the windowsazure namespace with self-closed empty elements, ISO 8601
 * UTC times, base64.  No state; no dependency.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clouddp.h"
#include "emu/api_int.h"

static const char	 b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
put(struct xw *w, const char *s, size_t len)
{
	struct clouddp_err	 err;

	if (!w->bad && clouddp_buf_append(w->b, s, len, &err) == -1)
		w->bad = 1;
}

static void
puts_(struct xw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void
escaped(struct xw *w, const char *s)
{
	size_t	 run;

	while (*s != '\0') {
		run = strcspn(s, "<>&\"");
		put(w, s, run);
		s += run;
		switch (*s) {
		case '<':
			puts_(w, "&lt;");
			break;
		case '>':
			puts_(w, "&gt;");
			break;
		case '&':
			puts_(w, "&amp;");
			break;
		case '"':
			puts_(w, "&quot;");
			break;
		default:
			return;
		}
		s++;
	}
}

void
xw_root(struct xw *w, const char *name)
{
	puts_(w, "<");
	puts_(w, name);
	puts_(w, " xmlns=\"http://schemas.microsoft.com/windowsazure\" "
	    "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">");
}

void
xw_start(struct xw *w, const char *name)
{
	puts_(w, "<");
	puts_(w, name);
	puts_(w, ">");
}

void
xw_end(struct xw *w, const char *name)
{
	puts_(w, "</");
	puts_(w, name);
	puts_(w, ">");
}

void
xw_text(struct xw *w, const char *name, const char *text)
{
	if (text == NULL || text[0] == '\0') {
		puts_(w, "<");
		puts_(w, name);
		puts_(w, "/>");
		return;
	}
	xw_start(w, name);
	escaped(w, text);
	xw_end(w, name);
}

void
xw_textf(struct xw *w, const char *name, const char *fmt, ...)
{
	char	 text[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	xw_text(w, name, text);
}

void
xw_int(struct xw *w, const char *name, long v)
{
	char	 num[32];

	snprintf(num, sizeof(num), "%ld", v);
	xw_text(w, name, num);
}

void
xw_bool(struct xw *w, const char *name, int v)
{
	xw_text(w, name, v ? "true" : "false");
}

void
xw_time(struct xw *w, const char *name, double t)
{
	struct tm	 tm;
	time_t		 sec = (time_t)t;
	char		 s[32];

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		s[0] = '\0';
	xw_text(w, name, s);
}

void
xw_b64(struct xw *w, const char *name, const void *data, size_t len)
{
	struct clouddp_buf	 b = { 0 };

	if (b64_encode(data, len, &b) == -1)
		w->bad = 1;
	else
		xw_text(w, name, b.data);
	clouddp_buf_free(&b);
}

int
b64_encode(const void *data, size_t len, struct clouddp_buf *out)
{
	const unsigned char	*p = data;
	struct clouddp_err	 err;
	char			 q[4];
	size_t			 i;
	uint32_t		 v;

	clouddp_buf_reset(out);
	if (clouddp_buf_append(out, "", 0, &err) == -1)
		return -1;
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64_alphabet[v >> 18 & 63];
		q[1] = b64_alphabet[v >> 12 & 63];
		q[2] = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? b64_alphabet[v & 63] : '=';
		if (clouddp_buf_append(out, q, 4, &err) == -1)
			return -1;
	}
	return 0;
}

static int
b64_value(int c)
{
	const char	*p;

	if (c == '\0')
		return -1;
	p = strchr(b64_alphabet, c);
	return p != NULL ? (int)(p - b64_alphabet) : -1;
}

/* Append the bytes of one quantum q (4 chars); -1 if malformed. */
static int
quantum(const char q[4], int last, struct clouddp_buf *out)
{
	struct clouddp_err	 err;
	unsigned char		 bytes[3];
	uint32_t		 v = 0;
	int			 i, n = 3, d;

	for (i = 0; i < 4; i++) {
		if (q[i] == '=') {
			if (!last || i < 2 || (i == 2 && q[3] != '='))
				return -1;
			n = i - 1;
			break;
		}
		d = b64_value(q[i]);
		if (d < 0)
			return -1;
		v |= (uint32_t)d << (18 - 6 * i);
	}
	bytes[0] = (unsigned char)(v >> 16);
	bytes[1] = (unsigned char)(v >> 8);
	bytes[2] = (unsigned char)v;
	return clouddp_buf_append(out, bytes, (size_t)n, &err);
}

int
b64_decode(const char *s, size_t len, struct clouddp_buf *out)
{
	struct clouddp_err	 err;
	char			 q[4];
	size_t			 i, nq = 0, total = 0;

	clouddp_buf_reset(out);
	if (clouddp_buf_append(out, "", 0, &err) == -1)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			return -1;
		if (strchr(" \t\r\n", s[i]) == NULL)
			total++;
	}
	if (total % 4 != 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (strchr(" \t\r\n", s[i]) != NULL)
			continue;
		q[nq++] = s[i];
		total -= 1;
		if (nq < 4)
			continue;
		if (quantum(q, total == 0, out) == -1)
			return -1;
		nq = 0;
	}
	return 0;
}
