/* Unit tests: the CMTrace log sink, its line shape, types, time zone
 * bias, file mode, and that no secret handed to it reaches the file. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clouddp.h"
#include "log.h"
#include "opts.h"
#include "../tap.h"

#define SECRET	"Sup3rS3cretPW"

/* The CMTrace line shape, as CMTrace's own parser expects it. */
static const char shape[] =
    "^<!\\[LOG\\[.*\\]LOG\\]!><time=\"[0-2][0-9]:[0-5][0-9]:[0-6][0-9]"
    "\\.[0-9]{3}[-+][0-9]+\" date=\"[01][0-9]-[0-3][0-9]-[0-9]{4}\" "
    "component=\"[A-Za-z0-9_.-]+\" context=\"\" type=\"[123]\" "
    "thread=\"[0-9]+\" file=\"\">$";

static char *
slurp(const char *path)
{
	static char	 buf[65536];
	FILE		*fp;
	size_t		 n;

	fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
test_format(void)
{
	struct timespec	 ts;
	struct tm	 tm = { 0 };
	char		 line[512];

	/* 2026-01-02 03:04:05.678 UTC */
	tm.tm_year = 126;
	tm.tm_mon = 0;
	tm.tm_mday = 2;
	tm.tm_hour = 3;
	tm.tm_min = 4;
	tm.tm_sec = 5;
	ts.tv_sec = timegm(&tm);
	ts.tv_nsec = 678000000;
	setenv("TZ", "UTC+7", 1);	/* POSIX: 7 hours west of UTC */
	tzset();
	log_cmtrace_format(line, sizeof(line), &ts, LOG_TYPE_INFO, "CloudMgr",
	    42, "hello");
	is(line, "<![LOG[hello]LOG]!><time=\"20:04:05.678+420\" "
	    "date=\"01-01-2026\" component=\"CloudMgr\" context=\"\" "
	    "type=\"1\" thread=\"42\" file=\"\">\n",
	    "west of UTC: local time and date, bias +420 (UTC = local + bias)");
	setenv("TZ", "UTC-1", 1);	/* CET */
	tzset();
	log_cmtrace_format(line, sizeof(line), &ts, LOG_TYPE_ERROR, "CloudMgr",
	    42, "x");
	ok(strstr(line, "time=\"04:04:05.678-60\" date=\"01-02-2026\"") !=
	    NULL, "east of UTC: bias -60, never +-60");
	ok(strstr(line, "type=\"3\"") != NULL, "error is type 3");
	setenv("TZ", "UTC0", 1);
	tzset();
	log_cmtrace_format(line, sizeof(line), &ts, LOG_TYPE_WARNING, "c", 1,
	    "a]LOG]!>b\nc");
	ok(strstr(line, "time=\"03:04:05.678+0\"") != NULL, "UTC: bias +0");
	ok(strstr(line, "[a)LOG]!>b c]LOG]!>") != NULL,
	    "the entry terminator and newlines cannot appear in a message");
}

static void
test_redact(void)
{
	static const char *const in[] = {
		"proxy http://clouddp:" SECRET "@127.0.0.1:3128 used",
		"Uses proxy env variable https_proxy == 'clouddp:" SECRET
		    "@127.0.0.1:3128'",
		"> Proxy-Authorization: Basic " SECRET,
		"> Authorization: Bearer " SECRET,
		"token Bearer " SECRET " sent",
		"GET https://a.blob.core.windows.net/c/b?sv=2019&sig=" SECRET
		    "&se=1",
		"--proxy clouddp:" SECRET "@[::1]:3128",
	};
	char	 out[512];
	size_t	 i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		log_redact(out, sizeof(out), in[i]);
		if (!ok(strstr(out, SECRET) == NULL, "a secret is redacted"))
			diag("%s", out);
	}
	log_redact(out, sizeof(out), in[0]);
	is(out, "proxy http://clouddp@127.0.0.1:3128 used",
	    "the user stays, the password goes");
	log_redact(out, sizeof(out), "user@example.com at 10:30 Connected");
	is(out, "user@example.com at 10:30 Connected",
	    "text without credentials is left alone");
}

static void
test_sink(const char *dir)
{
	struct clouddp_ctx	 ctx;
	struct clouddp_err	 err;
	struct stat		 st;
	regex_t			 re;
	char			 path[512], link[512], *text, *line, *save;
	int			 n = 0, good = 0;

	snprintf(path, sizeof(path), "%s/CloudMgr.log", dir);
	clouddp_ctx_init(&ctx, "t_log", "LOG");
	ctx.quiet = 2;		/* keep the warnings off stderr */
	ctx.log = log_sink_open(path, "CloudMgr", &err);
	if (!ok(ctx.log != NULL, "the log file opens"))
		diag("%s", err.what);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "created mode 0600");
	log_info(&ctx, "starting with proxy http://clouddp:%s@127.0.0.1:3128",
	    SECRET);
	log_warn(&ctx, "proxy clouddp:%s@127.0.0.1:3128 answered 407", SECRET);
	log_debug(&ctx, 0, "> Proxy-Authorization: Basic %s", SECRET);
	clouddp_errf(&err, CLOUDDP_EHTTP, "check Authorization: Bearer "
	    SECRET, "PUT failed");
	log_file_err(&ctx, &err);
	log_sink_close(ctx.log);
	ctx.log = NULL;
	text = slurp(path);
	ok(text != NULL && strstr(text, SECRET) == NULL,
	    "the secret appears nowhere in the file");
	ok(text != NULL && strstr(text, "clouddp@127.0.0.1:3128") != NULL,
	    "the proxy's user and address do");
	regcomp(&re, shape, REG_EXTENDED | REG_NOSUB);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (regexec(&re, line, 0, NULL, 0) == 0)
			good++;
		else
			diag("bad line: %s", line);
		if (n == 1)
			ok(strstr(line, "type=\"1\"") != NULL, "info: type 1");
		if (n == 2)
			ok(strstr(line, "type=\"2\"") != NULL,
			    "warning: type 2");
		if (n == 4)
			ok(strstr(line, "type=\"3\"") != NULL, "error: type 3");
	}
	regfree(&re);
	is_int(n, 4, "one line per entry");
	is_int(good, n, "every line has CMTrace's shape");
	snprintf(link, sizeof(link), "%s/link.log", dir);
	symlink(path, link);
	ok(log_sink_open(link, "CloudMgr", &err) == NULL &&
	    strstr(err.what, "link.log") != NULL,
	    "a symbolic link is refused");
	ok(log_sink_open(path, "bad name", &err) == NULL,
	    "a component name with a space is refused");
	unlink(link);
	unlink(path);
}

int
main(void)
{
	char	 dir[] = "/tmp/t_logXXXXXX";

	plan(25);
	if (mkdtemp(dir) == NULL)
		return 1;
	test_format();
	test_redact();
	test_sink(dir);
	rmdir(dir);
	return done_testing();
}
