/*
 * The options every tool shares, so that one concept has one name and
 * one meaning everywhere, and the number parser that names the option in
 * its error.
 */
#ifndef CLOUDDP_OPTS_H
#define CLOUDDP_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "clouddp.h"

/* Long-only option ids; a tool numbers its own from CLOUDDP_OPT__TOOL. */
enum clouddp_opt_id {
	CLOUDDP_OPT_DB = 0x100,
	CLOUDDP_OPT_DP,
	CLOUDDP_OPT_JSON,
	CLOUDDP_OPT_NAGIOS,
	CLOUDDP_OPT_PASSWORD_ENV,
	CLOUDDP_OPT_PASSWORD_FD,
	CLOUDDP_OPT_PASSWORD_FILE,
	CLOUDDP_OPT_PROXY_PASSWORD_ENV,
	CLOUDDP_OPT_PROXY_PASSWORD_FD,
	CLOUDDP_OPT_PROXY_PASSWORD_FILE,
	CLOUDDP_OPT_RESOLVER,
	CLOUDDP_OPT__TOOL = 0x200
};

/* Entries for a tool's getopt_long table, each group sorted. */
#define CLOUDDP_LONGOPTS_COMMON						\
	{ "help", no_argument, NULL, 'h' },				\
	{ "json", no_argument, NULL, CLOUDDP_OPT_JSON },		\
	{ "nagios", no_argument, NULL, CLOUDDP_OPT_NAGIOS },		\
	{ "quiet", no_argument, NULL, 'q' },				\
	{ "timeout", required_argument, NULL, 't' },			\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "version", no_argument, NULL, 'V' }
#define CLOUDDP_SHORTOPTS_COMMON	"hqt:vV"

#define CLOUDDP_LONGOPTS_PASSWORD					\
	{ "password-env", required_argument, NULL,			\
	    CLOUDDP_OPT_PASSWORD_ENV },					\
	{ "password-fd", required_argument, NULL,			\
	    CLOUDDP_OPT_PASSWORD_FD },					\
	{ "password-file", required_argument, NULL,			\
	    CLOUDDP_OPT_PASSWORD_FILE }

/* The proxy user's password; the tool keeps it (opt_proxy_password). */
#define CLOUDDP_LONGOPTS_PROXY_PASSWORD					\
	{ "proxy-password-env", required_argument, NULL,		\
	    CLOUDDP_OPT_PROXY_PASSWORD_ENV },				\
	{ "proxy-password-fd", required_argument, NULL,			\
	    CLOUDDP_OPT_PROXY_PASSWORD_FD },				\
	{ "proxy-password-file", required_argument, NULL,		\
	    CLOUDDP_OPT_PROXY_PASSWORD_FILE }

#define CLOUDDP_LONGOPTS_RESOLVER					\
	{ "resolver", required_argument, NULL, CLOUDDP_OPT_RESOLVER }

#define CLOUDDP_LONGOPTS_INVENTORY					\
	{ "db", required_argument, NULL, CLOUDDP_OPT_DB },		\
	{ "dp", required_argument, NULL, CLOUDDP_OPT_DP }

/*
 * Handle option c (a getopt_long result) if it is a common one.
 * Returns 1 when handled, 0 when c is the tool's own, -1 on a bad
 * argument (err filled, CLOUDDP_EUSAGE).
 */
int	 clouddp_opt_common(struct clouddp_ctx *, int, const char *,
	    struct clouddp_err *);

/*
 * If c is one of the --proxy-password-* options, set *kind to where its
 * secret comes from and return the option's name; otherwise NULL.
 */
const char *clouddp_opt_proxy_password(int, enum clouddp_secret_kind *);

/* Set up ctx with defaults: prog from argv[0], tool for --nagios. */
void	 clouddp_ctx_init(struct clouddp_ctx *, const char *, const char *);
/* Free what clouddp_opt_common allocated in ctx. */
void	 clouddp_ctx_cleanup(struct clouddp_ctx *);

/*
 * Parse a whole decimal number in [min, max] for option opt.  Returns
 * 0 and sets *out, or -1 with an error naming the option.
 */
int	 clouddp_parse_long(const char *, const char *, long, long, long *,
	    struct clouddp_err *);
/*
 * A port for option opt, 1 to 65535; with none_ok, "none" too, which
 * sets *out to 0 ("--http-port none": do not probe it).
 */
int	 clouddp_parse_port(const char *, const char *, int, long *,
	    struct clouddp_err *);
/* The same for seconds, fractions allowed ("0.5"). */
int	 clouddp_parse_seconds(const char *, const char *, double, double,
	    double *, struct clouddp_err *);

/* Print the help lines of the common options, in the words every tool
 * uses; password and resolver lines only where the tool takes them. */
void	 clouddp_help_common(FILE *);
void	 clouddp_help_password(FILE *);
void	 clouddp_help_resolver(FILE *);
/* The --proxy-password-* lines, in a tool's own sorted list. */
void	 clouddp_help_proxy_password(FILE *);
/* Print "prog (clouddp) VERSION". */
void	 clouddp_print_version(const struct clouddp_ctx *);
/* Report a getopt error: "Try 'prog --help'", returns exit status 3. */
int	 clouddp_usage_error(const struct clouddp_ctx *);

#endif /* CLOUDDP_OPTS_H */
