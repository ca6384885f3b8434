/*
 * A stand-in for http.c for the targets that drive a client (asm.c,
 * blob.c) as a server would: requests are queued instead of sent, and
 * the fuzz input's sections answer them in turn.  Each section is
 *
 *	STATUS			200, 404... or reset, timeout, stall,
 *				headers, refused, resolve, verify,
 *				verify-name, verify-expired,
 *				verify-untrusted, proxy407 (failures as
 *				http.c reports them)
 *	Name: value		response headers, up to an empty line
 *	(empty line)
 *	body
 *
 * and sections are separated by a line "%%".  fake_http_begin() and
 * fake_http_drive() drive one operation of a client through it: the
 * input's first line names the operation, the sections after it answer
 * its requests.
 */
#ifndef CLOUDDP_FAKE_HTTP_H
#define CLOUDDP_FAKE_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct clouddp_err;
struct loop;

/* Answer with the sections of data (copied) from now on. */
void	fake_http_script(const char *, size_t);
/*
 * Answer the oldest request waiting with the next section.  Returns 1
 * when one was answered, 0 when no request waits or no section is
 * left.
 */
int	fake_http_step(void);
/* Requests started since the script was set, and still waiting. */
size_t	fake_http_started(void);
size_t	fake_http_waiting(void);
/* Forget the script and the waiting requests (without callbacks). */
void	fake_http_reset(void);

/* One operation of a client, driven through the fake transport. */
struct fake_op {
	const char *const	*names;		/* the operations, by number */
	int			 nnames;
	int			 op;		/* the one the input names */
	int			 calls;		/* of its callback so far */
};

/*
 * The operation the input's first line names into o->op, and the rest
 * as the script; -1 (and no script) when it names none of o->names.
 */
int	fake_http_begin(struct fake_op *, const uint8_t *, size_t);
/*
 * Start the operation with start(client, o, err), then answer its
 * requests in turn, running the timers of loop (polls, backoff; loop
 * may be NULL) when none waits, until the callback has run, the answers
 * run out or nothing more is asked.  A start that fails must say why
 * and not call back.
 */
void	fake_http_drive(struct fake_op *, struct loop *,
	    int (*)(void *, struct fake_op *, struct clouddp_err *), void *);
/*
 * What every operation's callback checks: that it runs once, and that
 * an error is one line of words.  Returns 1 when err is an error.
 */
int	fake_http_done(struct fake_op *, const struct clouddp_err *);

#endif /* CLOUDDP_FAKE_HTTP_H */
