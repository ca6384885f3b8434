/*
 * Subjects in, verdicts out, for the resolution engine: input lines
 * ("FQDN [TARGET [VIP]]", or CSV), one text line per name per server,
 * one JSON object per name, and the tally behind the summary and the
 * exit status.  It formats only; resolve.c does the DNS.
 */
#ifndef CLOUDDP_RESOLVE_IO_H
#define CLOUDDP_RESOLVE_IO_H

#include <stdio.h>

#include "clouddp.h"
#include "input.h"
#include "report.h"
#include "resolve.h"

/* How many failing names --nagios names. */
#define RESOLVE_IO_FAILED_KEPT	3

/* Counts over a run; zero it before the first name. */
struct resolve_tally {
	size_t		 names;
	size_t		 status[CLOUDDP_STATUS__MAX];	/* names */
	size_t		 verdicts[RESOLVE__MAX];	/* per result */
	size_t		 disagreements;
	size_t		 results;
	size_t		 answered;	/* results with a DNS answer */
	char		 failed[RESOLVE_IO_FAILED_KEPT][DNSMSG_NAME_MAX];
	size_t		 nfailed;
	/* The first name of the worst status, for the --nagios line. */
	enum clouddp_status worst_status;
	char		 worst_name[DNSMSG_NAME_MAX];
	char		 worst_verdict[32];
	char		 worst_what[256];
	int		 interrupted;	/* the signal that stopped the run */
	struct report_line line;	/* output buffer, reused */
};

/*
 * Turn one subject (an --input record, or a name from the command line
 * with line 0) into *name: the names in the one form of name.h (A-labels,
 * lower case), target and vip from the defaults (may be NULL) when the
 * record has none.  Returns 0, or -1 with err (CLOUDDP_EINPUT) saying
 * "SOURCE:LINE: what" for a record from a file.
 */
int	 resolve_io_subject(const struct input_rec *, const char *,
	    const char *, const char *, struct resolve_name *,
	    struct clouddp_err *);

/* The message of one result, e.g. "CNAME x.cloudapp.net (ttl 300)...". */
void	 resolve_io_message(const struct resolve_name *,
	    const struct resolve_result *, char *, size_t);

/*
 * Print one name's results in ctx's output mode (text lines, or one
 * JSON object; nothing for --nagios or --quiet) and count them in the
 * tally.  Returns the name's status: the worst result, at least WARNING
 * when servers disagree.
 */
enum clouddp_status resolve_io_name(const struct clouddp_ctx *,
	    struct resolve_tally *, const struct resolve_name *,
	    const struct resolve_result *, size_t);

/*
 * Print the summary: text lines, the JSON summary object, or the one
 * --nagios line with perfdata, naming the worst name and its verdict.
 * elapsed is in seconds.  Returns the exit status of the run: UNKNOWN
 * when t->interrupted is set.
 */
int	 resolve_io_summary(const struct clouddp_ctx *,
	    struct resolve_tally *, double, const struct resolve_stats *);
/* Free the tally's output buffer. */
void	 resolve_io_tally_free(struct resolve_tally *);

#endif /* CLOUDDP_RESOLVE_IO_H */
