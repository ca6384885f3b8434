/*
 * The shared --input reader (input.c), as every batch tool opens it: a
 * file read line by line under two configurations (one column needed,
 * rewound and read again; two columns needed, "VIP [FQDN]" lines
 * allowed).  No column may carry a control character (a tab inside a
 * CSV field is text), line numbers only grow, a rewind reads the same
 * lines again, and input_escape() always makes bounded text without
 * control characters.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "input.h"
#include "fuzz.h"

/* Far more lines than any input here holds: a loop is a finding. */
#define CALLS_MAX	100000

const struct fuzz_target	 fuzz_target = { 0, NULL };

static void
rec_ok(const struct input_rec *rec)
{
	char	 esc[40];
	size_t	 i, k;

	for (i = 0; i < INPUT__MAX; i++) {
		if (rec->col[i] == NULL)
			continue;
		FUZZ_ASSERT(rec->col[i][0] != '\0');
		FUZZ_ASSERT(strlen(rec->col[i]) <= INPUT_LINE_MAX);
		/* A tab is text inside a CSV field (RFC 4180). */
		for (k = 0; rec->col[i][k] != '\0'; k++)
			FUZZ_ASSERT(((unsigned char)rec->col[i][k] >= 0x20 &&
			    rec->col[i][k] != 0x7f) || rec->col[i][k] == '\t');
		input_escape(rec->col[i], esc, sizeof(esc));
		FUZZ_ASSERT(strlen(esc) < sizeof(esc));
		/* UTF-8 stays as it is; control bytes become \xNN. */
		for (k = 0; esc[k] != '\0'; k++)
			FUZZ_ASSERT((unsigned char)esc[k] >= 0x20 &&
			    esc[k] != 0x7f);
	}
}

/* Read to the end: the number of good lines. */
static size_t
read_all(struct input *in)
{
	struct clouddp_err	 err;
	struct input_rec	 rec;
	size_t			 good = 0, last = 0, calls;
	int			 rc;

	for (calls = 0; calls < CALLS_MAX; calls++) {
		rc = input_next(in, &rec, &err);
		if (rc == 0)
			return good;
		FUZZ_ASSERT(input_line(in) >= last);
		last = input_line(in);
		if (rc == -1) {
			FUZZ_ASSERT(err.what[0] != '\0');
			if (input_failed(in))
				return good;
			continue;
		}
		FUZZ_ASSERT(rc == 1 && rec.line == last);
		rec_ok(&rec);
		good++;
	}
	FUZZ_ASSERT(!"input_next never ends");
	return good;
}

static void
run(const char *path, unsigned need, unsigned flags)
{
	struct input_cfg	 cfg = { need, flags, 0, NULL };
	struct clouddp_err	 err;
	struct input		*in;
	size_t			 n;

	in = input_open(path, &cfg, &err);
	FUZZ_ASSERT(in != NULL);
	n = read_all(in);
	if ((flags & INPUT_REWIND) != 0 && input_rewind(in, &err) == 0)
		FUZZ_ASSERT(read_all(in) == n);
	input_free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	 path[128];

	if (fuzz_file(data, len, "input", path, sizeof(path)) == -1)
		return 0;
	run(path, INPUT_BIT(INPUT_FQDN), INPUT_REWIND);
	run(path, INPUT_BIT(INPUT_FQDN) | INPUT_BIT(INPUT_TARGET),
	    INPUT_VIP_FIRST);
	return 0;
}
