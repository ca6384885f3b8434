/* Unit tests: the error struct, the status scale, the buffer. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "../tap.h"

int
main(void)
{
	struct clouddp_err	 err;
	struct clouddp_buf	 buf = { 0 };
	FILE			*fp;
	char			 big[700];

	plan(19);
	is_int(clouddp_errf(&err, CLOUDDP_EDNS, "check the server",
	    "%s: query timed out after %ds", "example.org/CAA", 5), -1,
	    "clouddp_errf returns -1");
	is(err.what, "example.org/CAA: query timed out after 5s",
	    "what is formatted");
	is(err.hint, "check the server", "hint is kept");
	clouddp_err_prefix(&err, "line %d", 7);
	is(err.what, "line 7: example.org/CAA: query timed out after 5s",
	    "prefix keeps the root cause");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	clouddp_errf(&err, CLOUDDP_EIO, NULL, "%s", big);
	is_int(strlen(err.what), sizeof(err.what) - 1,
	    "a long message is truncated, not overflowed");
	is(err.hint, "", "a NULL hint is empty");
	clouddp_errf(&err, CLOUDDP_EHTTP, NULL, "a\x1b[2Jb\tc\xc2\x9b" "2Jd");
	is(err.what, "a?[2Jb c??2Jd", "controls, C0 and C1, become '?'");
	clouddp_errf(&err, CLOUDDP_EHTTP, NULL, "\xc3\xbc\xc2\xa0\xc2");
	is(err.what, "\xc3\xbc\xc2\xa0\xc2", "other UTF-8 is kept");
	is_int(clouddp_code_status(CLOUDDP_ECONFLICT), CLOUDDP_STATUS_CRITICAL,
	    "a conflict is critical");
	is_int(clouddp_code_status(CLOUDDP_EUSAGE), CLOUDDP_STATUS_UNKNOWN,
	    "a usage error is unknown");
	is_int(clouddp_status_worst(CLOUDDP_STATUS_WARNING,
	    CLOUDDP_STATUS_CRITICAL), CLOUDDP_STATUS_CRITICAL, "worst of two");
	is(clouddp_status_name(CLOUDDP_STATUS_WARNING), "WARNING",
	    "status name");
	is(clouddp_code_name(CLOUDDP_CODE__MAX), "internal",
	    "out-of-range code has a name");

	ok(clouddp_buf_printf(&buf, &err, "%s=%d", "a", 1) == 0 &&
	    strcmp(buf.data, "a=1") == 0, "buf_printf");
	ok(clouddp_buf_append(&buf, "bcdefghijklmnopqrstuvwxyz0123456789"
	    "abcdefghijklmnopqrstuvwxyz0123456789", 70, &err) == 0 &&
	    buf.len == 73, "buf_append grows");
	clouddp_buf_free(&buf);

	fp = tmpfile();
	fputs("one\ntwo\n\nlast", fp);
	rewind(fp);
	clouddp_buf_getline(&buf, fp, 100, &err);
	is(buf.data, "one", "getline: first line");
	clouddp_buf_getline(&buf, fp, 100, &err);
	clouddp_buf_getline(&buf, fp, 100, &err);
	is(buf.data, "", "getline: empty line");
	ok(clouddp_buf_getline(&buf, fp, 100, &err) == 1 &&
	    strcmp(buf.data, "last") == 0, "getline: last line, no newline");
	is_int(clouddp_buf_getline(&buf, fp, 100, &err), 0, "getline: EOF");
	fclose(fp);
	clouddp_buf_free(&buf);
	return done_testing();
}
