/*
 * Unit tests: the one --input reader (src/core/input.c): blank and CSV
 * columns, headers, the older VIP-first order, comments, CRLF, the
 * UTF-8 BOM, RFC 4180 quotes, bytes that are not text, UTF-16, long
 * lines, lines across read buffers, pipes read twice and the timeout.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "input.h"
#include "../tap.h"

static char	 dir[] = "/tmp/t_input.XXXXXX";

/* Write len bytes of data to a scratch file; returns its path. */
static const char *
file_of(const char *data, size_t len)
{
	static char	 path[256];
	static int	 n;
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/f%d", dir, n++);
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		abort();
	return path;
}

static struct input *
open_text(const char *text, unsigned need, unsigned flags)
{
	struct input_cfg	 cfg = { need, flags, 0, NULL };
	struct clouddp_err	 err;

	return input_open(file_of(text, strlen(text)), &cfg, &err);
}

/* Read every subject; the columns of each joined as "f|t|v|l;". */
static int
read_all(struct input *in, char *out, size_t len, struct clouddp_err *err)
{
	struct input_rec	 r;
	size_t			 o = 0;
	int			 rc, c;

	out[0] = '\0';
	while ((rc = input_next(in, &r, err)) == 1) {
		for (c = 0; c < INPUT__MAX; c++)
			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    r.col[c] != NULL ? r.col[c] : "-",
			    c + 1 < INPUT__MAX ? "|" : ";");
	}
	return rc;
}

/* One text read whole: the joined columns, or "ERR what". */
static const char *
parse(const char *text, unsigned need, unsigned flags)
{
	static char		 out[4096];
	struct clouddp_err	 err;
	struct input		*in;

	in = open_text(text, need, flags);
	if (in == NULL)
		return "OPEN";
	if (read_all(in, out, sizeof(out), &err) == -1) {
		snprintf(out, sizeof(out), "ERR %s", err.what);
		/* Strip the scratch directory from the message. */
		if (strncmp(out + 4, dir, strlen(dir)) == 0)
			memmove(out + 4, strchr(out + 4, ':'),
			    strlen(strchr(out + 4, ':')) + 1);
	}
	input_free(in);
	return out;
}

#define FQ	INPUT_BIT(INPUT_FQDN)
#define TG	INPUT_BIT(INPUT_TARGET)
#define VP	INPUT_BIT(INPUT_VIP)

static void
test_columns(void)
{
	is(parse("a.test x.cloudapp.net 192.0.2.1 300\n", FQ, 0),
	    "a.test|x.cloudapp.net|192.0.2.1|300;", "four blank columns");
	is(parse("a.test x.cloudapp.net 300\n", FQ, 0),
	    "a.test|x.cloudapp.net|-|300;", "a third column of digits is the "
	    "TTL");
	is(parse("a.test\tx.cloudapp.net  2001:db8::1 # note\n\n# c\n", FQ,
	    0), "a.test|x.cloudapp.net|2001:db8::1|-;",
	    "tabs, a comment and blank lines");
	is(parse("fqdn target vip\na.test b.test 192.0.2.1\n", FQ, 0),
	    "a.test|b.test|192.0.2.1|-;", "a blank-separated header");
	is(parse("vip,notes,FQDN,target\n192.0.2.1,\"x, y\",a.test,b.test\n",
	    FQ | TG, 0), "a.test|b.test|192.0.2.1|-;",
	    "CSV header in any order, unknown columns ignored");
	is(parse("fqdn,target,vip\r\na.test,b.test,192.0.2.1\r\n", FQ, 0),
	    "a.test|b.test|192.0.2.1|-;", "CRLF");
	is(parse("\xef\xbb\xbf" "fqdn,target\na.test,b.test\n", FQ, 0),
	    "a.test|b.test|-|-;", "a UTF-8 BOM before the header");
	is(parse("fqdn,target\n\"a.test\" , \"b.\"\"test\"\n", FQ, 0),
	    "a.test|b.\"test|-|-;", "RFC 4180 quotes, a doubled quote");
	is(parse("a.test,,192.0.2.9\n", FQ, 0), "a.test|-|192.0.2.9|-;",
	    "headerless CSV, an empty column");
	is(parse("fqdn,target\na.test\n", FQ | TG, 0),
	    "ERR :2: no target", "a needed column missing on a line");
	is(parse("fqdn,vip\na.test,192.0.2.1\n", FQ | TG, 0),
	    "ERR :1: the header has no target column",
	    "a needed column missing in the header");
	is(parse("a.test b c d e\n", FQ, 0), "ERR :1: more than 4 columns",
	    "five blank columns");
	is(parse("fqdn,target\na.test,b.test,c\n", FQ, 0),
	    "ERR :2: 3 columns, but the header names 2",
	    "more columns than the header");
	is(parse("fqdn,target\n\"a.test,b.test\n", FQ, 0),
	    "ERR :2: a quote is not closed (a field cannot span lines)",
	    "an unterminated quote");
	is(parse("a.test b.test\nfqdn target\n", FQ, 0),
	    "ERR :2: a header after data lines", "a header after data");
}

static void
test_vip_first(void)
{
	is(parse("192.0.2.1 a.test\n2001:db8::1\n", VP, INPUT_VIP_FIRST),
	    "a.test|-|192.0.2.1|-;-|-|2001:db8::1|-;",
	    "the older VIP [FQDN] order");
	is(parse("a.test b.test 192.0.2.1\n", VP, INPUT_VIP_FIRST),
	    "a.test|b.test|192.0.2.1|-;", "the shared order beside it");
	is(parse("192.0.2.1 192.0.2.2\n", VP, INPUT_VIP_FIRST),
	    "ERR :1: after the address 192.0.2.1 only an FQDN may follow",
	    "two addresses are ambiguous");
	is(parse("192.0.2.1 a.test\n", FQ, 0), "192.0.2.1|a.test|-|-;",
	    "without the flag the first column is the fqdn");
	is(parse("192.0.2.1 a.test\n", VP, 0), "ERR :1: no vip",
	    "so a vip-needing tool says what is missing");
}

static void
test_not_text(void)
{
	static const char	 nul[] = "a\0zzz\nb.contoso.com\n";
	static const char	 le[] = "\xff\xfe" "a\0.\0t\0\n\0";
	static const char	 le0[] = "a\0.\0t\0\n\0";
	static const char	 be[] = "\0a\0.\0t\0\n";
	struct input_cfg	 cfg = { FQ, 0, 0, NULL };
	struct clouddp_err	 err;
	struct input_rec	 r;
	struct input		*in;

	in = input_open(file_of(nul, sizeof(nul) - 1), &cfg, &err);
	is_int(input_next(in, &r, &err), -1, "a NUL byte is refused");
	ok(strstr(err.what, ":1: a NUL byte at column 2") != NULL,
	    "by line and column");
	ok(input_failed(in), "and reading stops there");
	is_int(input_next(in, &r, &err), -1, "no record for a name on "
	    "neither line");
	input_free(in);
	is(parse("a.te\x1bst\x07\n", FQ, 0),
	    "ERR :1: control character \\x1b at column 5",
	    "ESC is refused and not echoed raw");
	is(parse("a.te\rst\r\n", FQ, 0),
	    "ERR :1: control character \\x0d at column 5",
	    "a CR inside a line is refused");
	ok(strstr(parse(le, FQ, 0), "UTF-16LE") != NULL,
	    "UTF-16LE with its BOM is named");
	in = input_open(file_of(le0, sizeof(le0) - 1), &cfg, &err);
	is_int(input_next(in, &r, &err), -1, "UTF-16LE without a BOM");
	ok(strstr(err.what, "UTF-16LE") != NULL &&
	    strstr(err.hint, "iconv") != NULL, "is named, with a hint");
	input_free(in);
	in = input_open(file_of(be, sizeof(be) - 1), &cfg, &err);
	is_int(input_next(in, &r, &err), -1, "UTF-16BE without a BOM");
	ok(strstr(err.what, "UTF-16BE") != NULL, "is named");
	input_free(in);
}

static void
test_long_lines(void)
{
	struct input_cfg	 cfg = { FQ, 0, 0, NULL };
	struct clouddp_err	 err;
	struct input_rec	 r;
	struct input		*in;
	char			*big;
	size_t			 n = 10 * 1024 * 1024, k = 0;
	int			 rc;

	big = malloc(n + 32);
	memset(big, 'a', n);
	memcpy(big + n, "\nb.test\n", 8);
	in = input_open(file_of(big, n + 8), &cfg, &err);
	while ((rc = input_next(in, &r, &err)) == -1 && k < 2000 &&
	    !input_failed(in))
		k++;
	is_int(rc, -1, "a 10 MB line is refused");
	is_int(k, 0, "as one error");
	ok(strstr(err.what, ":1: line longer than 4096 bytes") != NULL,
	    "naming line 1");
	input_free(in);
	/* A line across the 64 KiB read buffer. */
	/* 655 comment lines of 100 bytes, then one across 65536. */
	memset(big, '.', 65500);
	for (k = 0; k < 655; k++) {
		big[k * 100] = '#';
		big[k * 100 + 99] = '\n';
	}
	memcpy(big + 65500, "split.across.test tgt.test\n", 27);
	in = input_open(file_of(big, 65500 + 27), &cfg, &err);
	is_int(input_next(in, &r, &err), 1, "a line across two reads");
	is(r.col[INPUT_FQDN], "split.across.test", "is read whole");
	is(r.col[INPUT_TARGET], "tgt.test", "to its end");
	is_int(r.line, 656, "on line 656");
	input_free(in);
	free(big);
}

/* A pipe holding text, its writing end closed unless keep is set. */
static int
pipe_of(const char *text, int *wfd)
{
	int	 p[2];

	if (pipe(p) == -1 || write(p[1], text, strlen(text)) !=
	    (ssize_t)strlen(text))
		abort();
	if (wfd != NULL)
		*wfd = p[1];
	else
		close(p[1]);
	return p[0];
}

static void
test_pipes(void)
{
	struct input_cfg	 cfg = { FQ, INPUT_REWIND, 0, NULL };
	struct clouddp_err	 err;
	struct input_rec	 r;
	struct input		*in;
	char			 a[256], b[256];
	struct timespec		 t0, t1;
	double			 took;
	int			 wfd;

	in = input_new_fd(pipe_of("a.test\nb.test\nc.test\n", NULL), "pipe",
	    &cfg, &err);
	ok(in != NULL, "a pipe to be read twice");
	is_int(read_all(in, a, sizeof(a), &err), 0, "first pass");
	is_int(input_rewind(in, &err), 0, "rewound through the spool");
	is_int(read_all(in, b, sizeof(b), &err), 0, "second pass");
	is(b, a, "reads the same records");
	is(a, "a.test|-|-|-;b.test|-|-|-;c.test|-|-|-;", "all three");
	input_free(in);
	in = input_new_fd(pipe_of("a.test\nb.test\n", NULL), "pipe", &cfg,
	    &err);
	input_next(in, &r, &err);
	is_int(input_rewind(in, &err), 0, "rewound after one record");
	is_int(read_all(in, b, sizeof(b), &err), 0, "reads to the end");
	is(b, "a.test|-|-|-;b.test|-|-|-;", "from the first record");
	input_free(in);
	cfg.flags = 0;
	cfg.timeout = 0.3;
	in = input_new_fd(pipe_of("a.test\n", &wfd), "fifo", &cfg, &err);
	is_int(input_next(in, &r, &err), 1, "a pipe never closed: line 1");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(input_next(in, &r, &err), -1, "then the timeout");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	is_int(err.code, CLOUDDP_ETIMEOUT, "CLOUDDP_ETIMEOUT");
	is(err.what, "fifo:2: no input for 0.3s", "said with the line");
	ok(took > 0.25 && took < 2, "after the timeout");
	input_free(in);
	close(wfd);
}

static void
test_open(void)
{
	struct input_cfg	 cfg = { FQ, 0, 0, NULL };
	struct clouddp_err	 err;

	ok(input_open(dir, &cfg, &err) == NULL, "a directory is refused");
	ok(strstr(err.what, "is a directory") != NULL, "said so");
	ok(input_open("/nonexistent/x", &cfg, &err) == NULL &&
	    err.code == CLOUDDP_EIO, "a missing file");
}

static void
test_escape(void)
{
	char	 out[64];

	is(input_escape("b\xc3\xbc" "cher\x1b\x07\\", out, sizeof(out)),
	    "b\xc3\xbc" "cher\\x1b\\x07\\x5c", "UTF-8 kept, controls escaped");
	is(input_escape("a\xff\xc3", out, sizeof(out)), "a\\xff\\xc3",
	    "bytes that are not UTF-8 escaped");
	is(input_escape("\xe0\x80\xaf" "\xed\xa0\x80" "\xf4\x90\x80\x80", out,
	    sizeof(out)), "\\xe0\\x80\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80",
	    "overlong forms, surrogates and past U+10FFFF escaped");
	is(input_escape("\xc2\x9b" "2J\xc2\xa0\xf0\x9f\x98\x80", out, sizeof(out)),
	    "\\xc2\\x9b" "2J\xc2\xa0\xf0\x9f\x98\x80",
	    "a C1 control (CSI) escaped, U+00A0 and an emoji kept");
	is(input_escape("abcdefghijklmnopqrstuvwxyz", out, 12), "abcdefg...",
	    "truncated with dots");
}

int
main(void)
{
	char	 cmd[128];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_columns();
	test_vip_first();
	test_not_text();
	test_long_lines();
	test_pipes();
	test_open();
	test_escape();
	printf("1..%d\n", tap_n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
