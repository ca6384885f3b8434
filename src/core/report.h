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

/* Text for the --nagios line; default: the messages of failed checks. */
void	 report_summary(struct report *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Add monitoring perfdata "label=value[uom]". */
int	 report_perf(struct report *, const char *, double, const char *);

/*
 * Print the report in ctx's output mode to fp: text (fields, then one
 * line per check), JSON (one line: root fields, "status", "checks") or
 * the --nagios line.  Prints nothing under --quiet.  Returns 0 or -1.
 */
int	 report_write(const struct clouddp_ctx *, struct report *, FILE *);

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

#endif /* CLOUDDP_REPORT_H */
