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
};

/*
 * Parse one input line into *name; target and vip, when the line has
 * none, come from the defaults (may be NULL).  Returns 1 for a name, 0
 * for a line to skip (blank, "#" comment, CSV header), -1 with err
 * (CLOUDDP_EINPUT) naming the line.
 */
int	 resolve_io_line(const char *, unsigned long, const char *,
	    const char *, struct resolve_name *, struct clouddp_err *);

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
 * Print the summary: a text line, the JSON summary object, or the
 * --nagios line with perfdata.  elapsed is in seconds.  Returns the
 * exit status of the run.
 */
int	 resolve_io_summary(const struct clouddp_ctx *,
	    const struct resolve_tally *, double,
	    const struct resolve_stats *);

#endif /* CLOUDDP_RESOLVE_IO_H */
