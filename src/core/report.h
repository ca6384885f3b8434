/*
 * Results and how they are printed: one report per subject, holding data
 * fields and a list of checks {check, status, message}.  The same report
 * prints as text, as one JSON object (--json) or as one monitoring-plugin
 * line (--nagios).  report.c is the only user of jansson.
 */
#ifndef CLOUDDP_REPORT_H
#define CLOUDDP_REPORT_H

#include <stdio.h>

#include "clouddp.h"

struct report;
/* A JSON object or array under construction (opaque). */
struct report_obj;

/* Returns NULL on ENOMEM.  tool names the check in --nagios ("CNAME"). */
struct report	*report_new(const char *);
void		 report_free(struct report *);

/* The report's top-level object; borrowed, valid while the report lives. */
struct report_obj *report_root(struct report *);

/*
 * Add a check.  Its status raises the report's status to the worst seen.
 * Returns 0, or -1 on ENOMEM (err filled when not NULL).
 */
int	 report_check(struct report *, const char *, enum clouddp_status,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
enum clouddp_status report_status(const struct report *);
/* Raise the report's status without adding a check. */
void	 report_raise(struct report *, enum clouddp_status);
/* Number of checks with the given status. */
size_t	 report_count(const struct report *, enum clouddp_status);

/*
 * Stages: a report may hold named stages ("certificate", "dns_stage_1",
 * "vip_tcp", "tls", "http", "provisioning"...), each with its own checks
 * {check, status, message, data} and status.  report_check() adds to the
 * default stage, printed as the report's "checks".  report_stage() finds
 * or adds a stage by name (NULL on ENOMEM or past 16 stages);
 * report_stage_check() takes data (may be NULL), also on failure.  Every
 * check raises the report's status too.
 */
struct report_stage;

struct report_stage *report_stage(struct report *, const char *);
int	 report_stage_check(struct report_stage *, const char *,
	    enum clouddp_status, struct report_obj *, const char *, ...)
	    __attribute__((format(printf, 5, 6)));
enum clouddp_status report_stage_status(const struct report_stage *);
/*
 * Compose reports: move the default checks of from into stage sg (of
 * another report), raising its statuses, and append from's perfdata
 * to sg's report with prefix before each label ("vip_" makes 'tls'
 * 'vip_tls').  from keeps its fields; its checks are gone.  Returns 0,
 * or -1 on ENOMEM.
 */
int	 report_stage_adopt(struct report_stage *, struct report *,
	    const char *);
/* Every check: cb(arg, stage or NULL, check, status, message), the
 * default stage first, then each stage in the order it was added. */
typedef void	(*report_check_cb)(void *, const char *, const char *,
		    enum clouddp_status, const char *);
void	 report_check_each(const struct report *, report_check_cb, void *);

/*
 * Text for the --nagios line; default: the messages of the non-ok
 * checks, the worst first.
 */
void	 report_summary(struct report *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append to the --nagios text set by report_summary. */
void	 report_summary_append(struct report *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * What the --nagios line would say after "CLOUDDP-TOOL STATUS: " (the
 * summary, or the worst checks), into buf: a batch names its worst
 * subject with it.
 */
void	 report_headline(struct report *, char *, size_t);
/*
 * The worst subject of a batch, for its one --nagios line: the first
 * report of the worst status that is not OK, as "SUBJECT: headline".
 * Zero it before the first subject.
 */
struct report_worst {
	enum clouddp_status	 status;
	char			 text[600];
};

/* Keep r (its subject named by the string) if it is the worst yet. */
void	 report_worst_keep(struct report_worst *, struct report *,
	    const char *);
/* A subject that could not be checked: UNKNOWN, said by the string. */
void	 report_worst_unknown(struct report_worst *, const char *);
/* Append "; worst: SUBJECT: headline" to r's summary, when one is kept. */
void	 report_worst_append(const struct report_worst *, struct report *);
/*
 * log_err for one subject of a batch: under --nagios said as text on
 * stderr only, since the batch's one --nagios line is its summary's.
 */
void	 report_subject_err(const struct clouddp_ctx *,
	    const struct clouddp_err *);
/* A string field of the report's root, or NULL. */
const char *report_field(const struct report *, const char *);
/*
 * Add monitoring perfdata "'label'=value[uom]", the value rounded to 3
 * decimals; report_perf_thr adds ";warn;crit" thresholds (NAN: none),
 * e.g. report_perf_thr(r, "days_left", 799, NULL, 30, 7) gives
 * 'days_left'=799;30;7.
 */
int	 report_perf(struct report *, const char *, double, const char *);
int	 report_perf_thr(struct report *, const char *, double, const char *,
	    double, double);

/*
 * Print the report in ctx's output mode to fp: text (fields, then one
 * line per check, wrapped within 80 columns), JSON (one line: root
 * fields, "status", "checks", and "stages" when there are any) or the
 * --nagios line.  Prints nothing under --quiet.  Returns 0 or -1.
 *
 * The --nagios line for stdout (and log_err's) is held, so that a run
 * prints exactly one: the worst offered, the first of equals.
 * report_nagios_flush() prints it; tool_main() calls it at exit.
 */
int	 report_write(const struct clouddp_ctx *, struct report *, FILE *);
int	 report_nagios_flush(FILE *);

/* Objects and arrays.  *_set and *_append take ownership of the child,
 * also on failure.  A NULL string value is written as JSON null. */
struct report_obj *report_obj_new(void);
struct report_obj *report_arr_new(void);
void	 report_obj_free(struct report_obj *);
int	 report_obj_set_str(struct report_obj *, const char *, const char *);
int	 report_obj_set_int(struct report_obj *, const char *, long long);
int	 report_obj_set_real(struct report_obj *, const char *, double);
int	 report_obj_set_bool(struct report_obj *, const char *, int);
int	 report_obj_set(struct report_obj *, const char *,
	    struct report_obj *);
int	 report_arr_append(struct report_obj *, struct report_obj *);
int	 report_arr_append_str(struct report_obj *, const char *);
/* Write obj as one compact JSON line to fp.  Returns 0 or -1. */
int	 report_obj_write(const struct report_obj *, FILE *);

/*
 * Streaming output for batches: one subject's line (a JSON object or
 * text) is built in a buffer, with no tree and no allocation once the
 * buffer has grown, and written in one piece, so a line on stdout is
 * always whole.  Strings are escaped as JSON requires; bytes that are not
 * UTF-8 become '?', as in report_obj_set_str.  key is NULL for array
 * elements.  A failed allocation is remembered and reported by
 * report_line_write.
 */
struct report_line {
	struct clouddp_buf	 buf;
	int			 nomem;
};

void	 report_line_reset(struct report_line *);
void	 report_line_free(struct report_line *);
void	 report_jw_open(struct report_line *, const char *);	/* { */
void	 report_jw_close(struct report_line *);			/* } */
void	 report_jw_arr_open(struct report_line *, const char *);	/* [ */
void	 report_jw_arr_close(struct report_line *);		/* ] */
/* A NULL string is written as null. */
void	 report_jw_str(struct report_line *, const char *, const char *);
void	 report_jw_int(struct report_line *, const char *, long long);
void	 report_jw_bool(struct report_line *, const char *, int);
/* A measurement, rounded to decimals places; not finite: null. */
void	 report_jw_real(struct report_line *, const char *, double, int);
/* Text output: append formatted text (no escaping). */
void	 report_line_printf(struct report_line *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Append a newline, write the line to fp and reset it.  Returns 0, or
 * -1 when memory ran out or the write failed (see tool_out_check).
 */
int	 report_line_write(struct report_line *, FILE *);
/*
 * The same for a block of text that already ends its lines (a zone-file
 * snippet, a script): written as built, no newline added.
 */
int	 report_text_write(struct report_line *, FILE *);

#endif /* CLOUDDP_REPORT_H */
