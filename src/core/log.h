/*
 * The one log sink.  log_err, log_warn, log_debug (declared in clouddp.h)
 * and log_info write to stderr and, when a tool opened one, to a log file
 * in CMTrace's format, the one Configuration Manager's log viewer reads
 * (CloudMgr.log).  Every message is redacted before it goes anywhere:
 * Authorization headers, bearer tokens, SAS signatures and the password
 * of any URL or "user:password@host" never reach a log.
 */
#ifndef CLOUDDP_LOG_H
#define CLOUDDP_LOG_H

#include <stddef.h>
#include <time.h>

#include "clouddp.h"

/* CMTrace's entry types: CMTrace colours 2 yellow and 3 red. */
enum log_type {
	LOG_TYPE_INFO = 1,
	LOG_TYPE_WARNING = 2,
	LOG_TYPE_ERROR = 3
};

/* Longest message kept; longer ones are cut. */
#define LOG_LINE_MAX	4096

struct log_sink;

/*
 * Open path for appending CMTrace entries tagged with component (the
 * tool's name, "CloudMgr").  The file is created mode 0600 and must be a
 * regular file owned by us: a symbolic link, a FIFO, or a file another
 * user owns is refused, and an existing file readable by others is made
 * 0600 before anything is written.  Each entry is one write(2) on an
 * O_APPEND descriptor, so concurrent writers never interleave within a
 * line.  Returns the sink, or NULL with err filled (CLOUDDP_EIO,
 * CLOUDDP_EUSAGE for a bad component name).
 */
struct log_sink	*log_sink_open(const char *, const char *,
		    struct clouddp_err *);
/* Close the file; NULL does nothing. */
void		 log_sink_close(struct log_sink *);

/*
 * Append one entry (redacted, control characters made spaces).  The
 * time is the current local time.  Returns 0, or -1 when the write
 * failed; the sink then stays quiet rather than fill stderr, and
 * log_sink_failed() says so.
 */
int		 log_sink_write(struct log_sink *, enum log_type,
		    const char *);
/*
 * Nonzero once a write failed (a full disk): the errno of the failure,
 * so that a main can say so once.  A write that fit only in part is cut
 * off again: the file holds whole entries only.
 */
int		 log_sink_failed(const struct log_sink *);

/*
 * Format one CMTrace line (with its newline) into buf for the wall-clock
 * time ts in the local time zone (TZ):
 *   <![LOG[msg]LOG]!><time="HH:MM:SS.mmm+BIAS" date="MM-DD-YYYY"
 *   component="NAME" context="" type="T" thread="N" file="">
 * BIAS is in minutes with its sign, UTC = local + BIAS (CET is -60, US
 * Pacific daylight time +420).  msg is redacted here.  Returns the
 * length, or -1 when buf is too small.
 */
int		 log_cmtrace_format(char *, size_t, const struct timespec *,
		    enum log_type, const char *, long, const char *);

/*
 * Copy in to out (len bytes at most, always NUL-terminated) with secrets
 * replaced by "[redacted]": the value of any Authorization or
 * Proxy-Authorization header, "Bearer TOKEN", "sig=" in a SAS URL, and
 * the password of "scheme://user:pw@host" or "user:pw@host" (cut, so the
 * user still shows).
 */
void		 log_redact(char *, size_t, const char *);

/*
 * Informational: to the log file always, to stderr at -v.  (log_warn is
 * type 2, log_err type 3, log_debug goes to the file only when shown.)
 */
void		 log_info(const struct clouddp_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/*
 * A notice the user should see (nothing went wrong, but nothing was
 * done, say): to stderr as "prog: text" unless --quiet, and to the file.
 */
void		 log_notice(const struct clouddp_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* The file half of log_err: what and hint as one error entry. */
void		 log_file_err(const struct clouddp_ctx *,
		    const struct clouddp_err *);

#endif /* CLOUDDP_LOG_H */
