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
 * and sections are separated by a line "%%".
 */
#ifndef CLOUDDP_FAKE_HTTP_H
#define CLOUDDP_FAKE_HTTP_H

#include <stddef.h>

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

#endif /* CLOUDDP_FAKE_HTTP_H */
