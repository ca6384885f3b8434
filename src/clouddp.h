/*
 * Core types shared by every module and tool: the error struct, the
 * status scale every check reports on, the growable buffer and the
 * per-run context.  Nothing here touches a dependency's headers.
 */
#ifndef CLOUDDP_H
#define CLOUDDP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * What went wrong, by kind.  clouddp_code_status() maps each to the
 * monitoring-plugins exit status.
 */
enum clouddp_code {
	CLOUDDP_OK = 0,
	CLOUDDP_EUSAGE,		/* bad options or arguments */
	CLOUDDP_ECONFIG,	/* unusable configuration or key file */
	CLOUDDP_EINPUT,		/* malformed input data (names, lines) */
	CLOUDDP_EIO,		/* a file could not be read or written */
	CLOUDDP_ENOMEM,
	CLOUDDP_EDNS,		/* DNS transport or protocol failure */
	CLOUDDP_ETLS,
	CLOUDDP_EHTTP,
	CLOUDDP_EAPI,		/* Azure API answered with an error */
	CLOUDDP_ECERT,		/* a certificate could not be used */
	CLOUDDP_EPASSWORD,	/* wrong or missing password */
	CLOUDDP_ETIMEOUT,
	CLOUDDP_ECONFLICT,	/* a check found a conflict: a finding */
	CLOUDDP_EREFUSED,	/* a server refused a change: a finding */
	CLOUDDP_EINTERNAL,
	CLOUDDP_CODE__MAX
};

/*
 * One error, said once.  Fixed buffers so that reporting never
 * allocates.  "what" names the object and the failure, lower case, no
 * final period; "hint" is an imperative fix, may be empty.
 */
struct clouddp_err {
	enum clouddp_code	 code;
	char			 what[512];
	char			 hint[512];
};

/* Exit statuses, the monitoring-plugins scale, ordered by severity. */
enum clouddp_status {
	CLOUDDP_STATUS_OK = 0,
	CLOUDDP_STATUS_WARNING = 1,
	CLOUDDP_STATUS_CRITICAL = 2,
	CLOUDDP_STATUS_UNKNOWN = 3,
	CLOUDDP_STATUS__MAX
};

enum clouddp_output {
	CLOUDDP_OUTPUT_TEXT = 0,
	CLOUDDP_OUTPUT_JSON,
	CLOUDDP_OUTPUT_NAGIOS
};

/* Where a secret comes from; see secret.h. */
enum clouddp_secret_kind {
	CLOUDDP_SECRET_NONE = 0,
	CLOUDDP_SECRET_FILE,
	CLOUDDP_SECRET_ENV,
	CLOUDDP_SECRET_FD
};

struct log_sink;

struct clouddp_secret_src {
	enum clouddp_secret_kind	 kind;
	const char			*arg;	/* path, var or fd */
	const char			*opt;	/* "--service-password", */
						/* for hints; NULL: --password */
};

/*
 * Per-run state, built by a main from its options and passed first to
 * every library call that needs it.  Strings are borrowed from argv.
 */
struct clouddp_ctx {
	const char			*prog;
	const char			*tool;	/* "CNAME" */
	int				 verbose;
	int				 quiet;
	int				 help;
	int				 version;
	enum clouddp_output		 output;
	double				 timeout;	/* 0: default */
	const char			**resolvers;
	size_t				 nresolvers;
	const char			*dp;
	const char			*db;
	struct clouddp_secret_src	 secret;
	int				 stderr_tty;
	struct log_sink			*log;	/* log file, NULL none */
};

/* Growable byte buffer; always NUL-terminated when data != NULL. */
struct clouddp_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/*
 * Fill err and return -1, so that a failure is one line.  hint may be
 * NULL.  The what text is formatted; a too long text is truncated, and
 * control characters in it (from a peer's words) become '?'.
 */
int	 clouddp_errf(struct clouddp_err *, enum clouddp_code, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
int	 clouddp_verrf(struct clouddp_err *, enum clouddp_code, const char *,
	    const char *, va_list) __attribute__((format(printf, 4, 0)));
/* Prefix what with "context: "; the root cause and hint stay. */
void	 clouddp_err_prefix(struct clouddp_err *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 clouddp_err_clear(struct clouddp_err *);
const char *clouddp_code_name(enum clouddp_code);

/* The exit status an error maps to: findings 2, everything else 3. */
enum clouddp_status clouddp_code_status(enum clouddp_code);
enum clouddp_status clouddp_status_worst(enum clouddp_status,
	    enum clouddp_status);
/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *clouddp_status_name(enum clouddp_status);
/* "ok", "warning", "critical", "unknown": the JSON form. */
const char *clouddp_status_key(enum clouddp_status);

/*
 * Process-wide set-up: curl, c-ares, libxml2, OpenSSL providers (the
 * legacy one too, for Windows-exported .pfx files), SIGPIPE ignored.
 * Call first in every main; returns -1 with err filled on failure.
 */
int	 clouddp_global_init(struct clouddp_err *);
void	 clouddp_global_cleanup(void);

/* Buffer helpers.  Append functions return -1 on ENOMEM. */
int	 clouddp_buf_append(struct clouddp_buf *, const void *, size_t,
	    struct clouddp_err *);
int	 clouddp_buf_printf(struct clouddp_buf *, struct clouddp_err *,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
void	 clouddp_buf_reset(struct clouddp_buf *);
/* Free the buffer, wiping it first (safe for secrets). */
void	 clouddp_buf_free(struct clouddp_buf *);

/*
 * Read one line (without its newline) from fp into buf, replacing its
 * contents.  Returns 1 for a line, 0 at end of file, -1 on error.  A
 * line longer than max bytes is an error naming the line number.
 */
int	 clouddp_buf_getline(struct clouddp_buf *, FILE *, size_t,
	    struct clouddp_err *);

/* Print an error as "prog: what" then "prog: hint: ..." on stderr, or
 * as one JSON object on stdout under --json, and to the log file (see
 * log.h for the sink and log_info).  Returns the exit status. */
int	 log_err(const struct clouddp_ctx *, const struct clouddp_err *);
/* Print "prog: warning: ..." on stderr unless quiet is above 1. */
void	 log_warn(const struct clouddp_ctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Print at -v level n and above, on stderr. */
void	 log_debug(const struct clouddp_ctx *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif /* CLOUDDP_H */
