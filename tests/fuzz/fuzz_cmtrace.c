/*
 * The CMTrace log writer (log.c): whatever a message holds, the entry is
 * one line that CMTrace can split (no control character but its final
 * newline, and the message cannot end the entry early), and secrets in
 * it never reach the line: a password planted in a URL and an
 * Authorization header after the fuzzed text must be redacted.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "clouddp.h"
#include "log.h"
#include "fuzz.h"

#define PLANTED1	"Pl4nted-Pw1"
#define PLANTED2	"Pl4nted-Key2"
#define PLANTED3	"Pl4nted-Tok3"

/* One time zone on every machine, east of Greenwich (a negative bias). */
static void
setup(void)
{
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
}

const struct fuzz_target	 fuzz_target = { 0, setup };

static void
line_ok(const char *line, int n)
{
	const char	*end;
	int		 i;

	FUZZ_ASSERT(n > 0 && (size_t)n == strlen(line));
	FUZZ_ASSERT(strncmp(line, "<![LOG[", 7) == 0);
	FUZZ_ASSERT(line[n - 1] == '\n');
	for (i = 0; i < n - 1; i++)
		FUZZ_ASSERT((unsigned char)line[i] >= 0x20 &&
		    line[i] != 0x7f);
	/* The first terminator is the entry's own. */
	end = strstr(line, "]LOG]!>");
	FUZZ_ASSERT(end != NULL && strncmp(end, "]LOG]!><time=\"", 14) == 0);
	FUZZ_ASSERT(strstr(end + 1, "]LOG]!>") == NULL);
}

static void
one(const char *msg, int secrets)
{
	static char	 line[LOG_LINE_MAX + 512];
	struct timespec	 ts = { 1767225600, 123456789 };
	int		 n;

	n = log_cmtrace_format(line, sizeof(line), &ts, LOG_TYPE_WARNING,
	    "CloudMgr", 4242, msg);
	line_ok(line, n);
	if (secrets) {
		FUZZ_ASSERT(strstr(line, PLANTED1) == NULL);
		FUZZ_ASSERT(strstr(line, PLANTED2) == NULL);
		FUZZ_ASSERT(strstr(line, PLANTED3) == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char	 tail[] = " https://dp:" PLANTED1
	    "@proxy.contoso.com:3128/ Bearer " PLANTED3
	    " Authorization: SharedKey acct:" PLANTED2;
	char			*msg;

	if (len > 2 * LOG_LINE_MAX)
		return 0;
	msg = malloc(len + sizeof(tail));
	if (msg == NULL)
		return 0;
	memcpy(msg, data, len);
	msg[len] = '\0';
	/* The text as given, up to its first NUL. */
	one(msg, 0);
	/* The secrets after it (the text itself holding none): whatever
	 * came before, they stay hidden. */
	if (strlen(msg) + sizeof(tail) < LOG_LINE_MAX - 64 &&
	    strstr(msg, "Pl4nted") == NULL) {
		memcpy(msg + strlen(msg), tail, sizeof(tail));
		one(msg, 1);
	}
	free(msg);
	return 0;
}
