/*
 * The one reader of --input FILE|- for every tool.  A file holds one
 * subject per line, in columns named the same everywhere:
 *
 *	fqdn	the service FQDN (a host name)
 *	target	the CNAME target (a cloud service name)
 *	vip	the address the target resolves to
 *	ttl	the CNAME's TTL in seconds
 *
 * Either blank-separated columns, "fqdn [target [vip [ttl]]]" (a third
 * column of digits alone is the TTL), or CSV (RFC 4180 quoting) whose
 * first line is a header naming the columns in any order; a header of
 * blank-separated names is accepted too, and columns a tool does not use
 * are ignored.  "#" starts a comment; CRLF and a UTF-8 BOM are fine.
 * With INPUT_VIP_FIRST, a headerless line whose first column is an
 * address is the older "VIP [FQDN]" order.
 *
 * Text only: NUL and other control characters, lines over
 * INPUT_LINE_MAX bytes and UTF-16 files are refused by line number.
 * Memory does not grow with the input.  Input that cannot be rewound (a
 * pipe, a FIFO, a terminal) is copied as it is read into an unlinked
 * 0600 temporary file when INPUT_REWIND is asked, so input_rewind() can
 * read it again.  Nothing here prints.
 */
#ifndef CLOUDDP_INPUT_H
#define CLOUDDP_INPUT_H

#include <stddef.h>

#include "clouddp.h"

/* Longest line, without its newline. */
#define INPUT_LINE_MAX	4096

enum input_col {
	INPUT_FQDN = 0,
	INPUT_TARGET,
	INPUT_VIP,
	INPUT_TTL,
	INPUT__MAX
};

#define INPUT_BIT(c)	(1U << (c))

/* Flags of struct input_cfg. */
#define INPUT_REWIND	0x01	/* input_rewind() will be called */
#define INPUT_VIP_FIRST	0x02	/* accept headerless "VIP [FQDN]" lines */

struct input_cfg {
	unsigned	 need;		/* INPUT_BIT()s every line must have */
	unsigned	 flags;
	/* Longest wait for more input, in seconds; 0: no limit. */
	double		 timeout;
	/*
	 * Asked when a signal interrupts a wait for input (a pipe whose
	 * writer is silent): non-zero ends the input there, as if it had
	 * ended, so the run winds down.  NULL: keep waiting.
	 */
	int		(*stopped)(void);
};

/* One line's columns; pointers valid until the next input_next(). */
struct input_rec {
	const char	*col[INPUT__MAX];	/* NULL: absent or empty */
	size_t		 line;
};

struct input;

/*
 * Open path ("-": standard input; the name in messages is then "stdin").
 * Returns NULL with err filled (CLOUDDP_EIO: cannot open, a directory).
 */
struct input	*input_open(const char *, const struct input_cfg *,
		    struct clouddp_err *);
/* Read from fd, named name in messages; the input closes fd. */
struct input	*input_new_fd(int, const char *, const struct input_cfg *,
		    struct clouddp_err *);
void		 input_free(struct input *);

/*
 * Next subject: 1, 0 at the end, -1 with err saying "FILE:LINE: what"
 * (CLOUDDP_EINPUT: a bad line; CLOUDDP_EIO or CLOUDDP_ETIMEOUT: reading
 * failed).  After a bad line the next call goes on with the line after
 * it, unless input_failed() says the input cannot be read further (not
 * text, a line too long, a read error or the timeout).
 */
int		 input_next(struct input *, struct input_rec *,
		    struct clouddp_err *);
/* 1 when no more can be read after an error. */
int		 input_failed(const struct input *);
/* Read again from the first line (needs INPUT_REWIND). */
int		 input_rewind(struct input *, struct clouddp_err *);
/* The name used in messages, e.g. "names.csv" or "stdin". */
const char	*input_name(const struct input *);
/* The number of the line read last (0 before the first). */
size_t		 input_line(const struct input *);

/*
 * Copy s into out (size len) with control characters, backslashes and
 * bytes that are not UTF-8 written as \xNN, so any text can be echoed
 * in a message.  Truncates with "..." when out is short.  Returns out.
 */
const char	*input_escape(const char *, char *, size_t);

#endif /* CLOUDDP_INPUT_H */
