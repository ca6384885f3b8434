/*
 * Reports and their three printed forms.  The only file that includes
 * jansson.h; everything printed as JSON by any tool is built here, so
 * strings are always escaped and keys always snake_case.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clouddp.h"
#include "log.h"
#include "report.h"

/* A stage of a report: its own checks and status. */
struct report_stage {
	struct report		*r;
	json_t			*obj;		/* {stage, status, checks} */
	json_t			*checks;
	enum clouddp_status	 status;
};

#define REPORT_STAGES_MAX	16

struct report {
	char			 tool[32];
	json_t			*root;
	json_t			*checks;	/* the default stage's */
	enum clouddp_status	 status;
	size_t			 counts[CLOUDDP_STATUS__MAX];
	struct clouddp_buf	 summary;
	struct clouddp_buf	 perf;
	struct report_stage	 stages[REPORT_STAGES_MAX];
	size_t			 nstages;
};

/*
 * Under --nagios the process prints one line on stdout, whatever its
 * parts offered: the worst one (the first of equals), held until
 * report_nagios_flush().  stdout is process-wide, so is this.
 */
static struct {
	char			 line[2048];
	enum clouddp_status	 status;
	int			 set;
} nagios_held;

#define J(o)	((json_t *)(o))
#define R(j)	((struct report_obj *)(j))

/*
 * Reals print with 15 significant digits: all a double holds exactly in
 * decimal, so 0.295 prints as 0.295, not 0.29499999999999998.
 */
#define REAL_DIGITS	15

/* Text lines wrap before this column, continued under the message. */
#define TEXT_COLUMNS	80
#define TEXT_INDENT	"         "

static int	 real_format(char *, size_t, double, int);

/* The status a JSON key names ("warning"); UNKNOWN for anything else. */
static enum clouddp_status
status_parse(const char *key)
{
	int	 st;

	for (st = CLOUDDP_STATUS_OK; st < CLOUDDP_STATUS__MAX; st++)
		if (key != NULL && strcmp(key, clouddp_status_key(st)) == 0)
			return (enum clouddp_status)st;
	return CLOUDDP_STATUS_UNKNOWN;
}

struct report *
report_new(const char *tool)
{
	struct report	*r;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	snprintf(r->tool, sizeof(r->tool), "%s", tool);
	r->root = json_object();
	r->checks = json_array();
	if (r->root == NULL || r->checks == NULL) {
		report_free(r);
		return NULL;
	}
	return r;
}

void
report_free(struct report *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	json_decref(r->root);
	json_decref(r->checks);
	for (i = 0; i < r->nstages; i++)
		json_decref(r->stages[i].obj);
	clouddp_buf_free(&r->summary);
	clouddp_buf_free(&r->perf);
	free(r);
}

struct report_obj *
report_root(struct report *r)
{
	return R(r->root);
}

/* Add {check, status, message[, data]} to checks; data is taken. */
static int
check_add(struct report *r, json_t *checks, const char *check,
    enum clouddp_status st, json_t *data, const char *msg)
{
	json_t	*c;

	c = json_pack("{s:s, s:s, s:s}", "check", check,
	    "status", clouddp_status_key(st), "message", msg);
	if (c == NULL || (data != NULL && json_object_set(c, "data",
	    data) == -1) || json_array_append_new(checks, c) == -1) {
		json_decref(data);
		return -1;
	}
	json_decref(data);
	r->counts[st]++;
	report_raise(r, st);
	return 0;
}

int
report_check(struct report *r, const char *check, enum clouddp_status st,
    const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return check_add(r, r->checks, check, st, NULL, msg);
}

struct report_stage *
report_stage(struct report *r, const char *name)
{
	struct report_stage	*sg;
	size_t			 i;

	for (i = 0; i < r->nstages; i++)
		if (strcmp(json_string_value(json_object_get(
		    r->stages[i].obj, "stage")), name) == 0)
			return &r->stages[i];
	if (r->nstages == REPORT_STAGES_MAX)
		return NULL;
	sg = &r->stages[r->nstages];
	sg->r = r;
	sg->status = CLOUDDP_STATUS_OK;
	sg->checks = json_array();
	sg->obj = json_pack("{s:s, s:s, s:O}", "stage", name, "status",
	    "ok", "checks", sg->checks);
	if (sg->obj == NULL) {
		json_decref(sg->checks);
		return NULL;
	}
	json_decref(sg->checks);	/* obj holds it */
	r->nstages++;
	return sg;
}

int
report_stage_check(struct report_stage *sg, const char *check,
    enum clouddp_status st, struct report_obj *data, const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	if (sg == NULL) {
		report_obj_free(data);
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sg->status = clouddp_status_worst(sg->status, st);
	json_object_set_new(sg->obj, "status",
	    json_string(clouddp_status_key(sg->status)));
	return check_add(sg->r, sg->checks, check, st, J(data), msg);
}

enum clouddp_status
report_stage_status(const struct report_stage *sg)
{
	return sg->status;
}

/* Append perf to r's perfdata, each 'label' given prefix. */
static int
perf_adopt(struct report *r, const char *perf, const char *prefix)
{
	int	 quoted = 0, rc = 0;

	for (; *perf != '\0' && rc == 0; perf++) {
		if (*perf == '\'' && !quoted && (r->perf.len == 0 ||
		    r->perf.data[r->perf.len - 1] == ' ')) {
			rc = clouddp_buf_printf(&r->perf, NULL, "'%s", prefix);
			quoted = 1;
			continue;
		}
		if (*perf == '\'')
			quoted = 0;
		rc = clouddp_buf_append(&r->perf, perf, 1, NULL);
	}
	return rc;
}

int
report_stage_adopt(struct report_stage *sg, struct report *from,
    const char *prefix)
{
	json_t	*c;
	size_t	 i;

	json_array_foreach(from->checks, i, c) {
		if (json_array_append(sg->checks, c) == -1)
			return -1;
		sg->status = clouddp_status_worst(sg->status,
		    status_parse(json_string_value(json_object_get(c,
		    "status"))));
		sg->r->counts[status_parse(json_string_value(
		    json_object_get(c, "status")))]++;
	}
	json_object_set_new(sg->obj, "status",
	    json_string(clouddp_status_key(sg->status)));
	report_raise(sg->r, sg->status);
	json_array_clear(from->checks);
	if (from->perf.len == 0)
		return 0;
	if (sg->r->perf.len > 0 && clouddp_buf_append(&sg->r->perf, " ", 1,
	    NULL) == -1)
		return -1;
	return perf_adopt(sg->r, from->perf.data, prefix);
}

void
report_check_each(const struct report *r, report_check_cb cb, void *arg)
{
	const char	*stage;
	json_t		*c;
	size_t		 i, k;

	for (k = 0; k <= r->nstages; k++) {
		stage = k == 0 ? NULL : json_string_value(json_object_get(
		    r->stages[k - 1].obj, "stage"));
		json_array_foreach(k == 0 ? r->checks :
		    r->stages[k - 1].checks, i, c)
			cb(arg, stage, json_string_value(json_object_get(c,
			    "check")), status_parse(json_string_value(
			    json_object_get(c, "status"))),
			    json_string_value(json_object_get(c, "message")));
	}
}

enum clouddp_status
report_status(const struct report *r)
{
	return r->status;
}

void
report_raise(struct report *r, enum clouddp_status st)
{
	r->status = clouddp_status_worst(r->status, st);
}

size_t
report_count(const struct report *r, enum clouddp_status st)
{
	return r->counts[st];
}

void
report_summary(struct report *r, const char *fmt, ...)
{
	char	 text[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	clouddp_buf_reset(&r->summary);
	clouddp_buf_append(&r->summary, text, strlen(text), NULL);
}

void
report_summary_append(struct report *r, const char *fmt, ...)
{
	char	 text[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	clouddp_buf_append(&r->summary, text, strlen(text), NULL);
}

const char *
report_field(const struct report *r, const char *key)
{
	return json_string_value(json_object_get(r->root, key));
}

static void	 nagios_text(struct report *, struct clouddp_buf *);

void
report_headline(struct report *r, char *buf, size_t len)
{
	struct clouddp_buf	 text = { NULL, 0, 0 };

	nagios_text(r, &text);
	snprintf(buf, len, "%s", text.data != NULL ? text.data : "");
	clouddp_buf_free(&text);
}

void
report_worst_keep(struct report_worst *w, struct report *r,
    const char *subject)
{
	char	 what[500];

	if (report_status(r) == CLOUDDP_STATUS_OK || (w->text[0] != '\0' &&
	    report_status(r) <= w->status))
		return;
	w->status = report_status(r);
	report_headline(r, what, sizeof(what));
	snprintf(w->text, sizeof(w->text), "%s: %s",
	    subject != NULL ? subject : "", what);
}

void
report_worst_unknown(struct report_worst *w, const char *what)
{
	if (w->text[0] != '\0' && w->status >= CLOUDDP_STATUS_UNKNOWN)
		return;
	w->status = CLOUDDP_STATUS_UNKNOWN;
	snprintf(w->text, sizeof(w->text), "%s", what);
}

void
report_worst_append(const struct report_worst *w, struct report *r)
{
	if (w->text[0] != '\0')
		report_summary_append(r, "; worst: %s", w->text);
}

/* A perfdata number: rounded to 3 decimals, no trailing zeros. */
static void
perf_num(char *num, size_t len, double v)
{
	if (isnan(v))
		num[0] = '\0';
	else
		real_format(num, len, v, 3);
}

int
report_perf_thr(struct report *r, const char *label, double value,
    const char *uom, double warn, double crit)
{
	char	 v[64], w[64], c[64];

	perf_num(v, sizeof(v), value);
	perf_num(w, sizeof(w), warn);
	perf_num(c, sizeof(c), crit);
	return clouddp_buf_printf(&r->perf, NULL, "%s'%s'=%s%s%s%s%s%s",
	    r->perf.len > 0 ? " " : "", label, v, uom != NULL ? uom : "",
	    w[0] != '\0' || c[0] != '\0' ? ";" : "", w,
	    c[0] != '\0' ? ";" : "", c);
}

int
report_perf(struct report *r, const char *label, double value,
    const char *uom)
{
	return report_perf_thr(r, label, value, uom, NAN, NAN);
}

/* Scalars as text: strings bare, numbers and booleans as JSON writes them. */
static void
scalar_text(struct clouddp_buf *b, json_t *v)
{
	char	*s;

	if (json_is_string(v)) {
		clouddp_buf_printf(b, NULL, "%s", json_string_value(v));
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
	    JSON_REAL_PRECISION(REAL_DIGITS));
	if (s != NULL)
		clouddp_buf_printf(b, NULL, "%s", s);
	free(s);
}

/*
 * Print head then text, wrapped at blanks before TEXT_COLUMNS; each
 * continuation line starts with TEXT_INDENT.  A word longer than a line
 * stays whole.
 */
static void
text_wrapped(FILE *fp, const char *head, const char *text)
{
	size_t	 col, room, n, cut;

	col = strlen(head);
	n = strcspn(text, " ");
	if (col + n >= TEXT_COLUMNS && strlen(TEXT_INDENT) + n <
	    TEXT_COLUMNS) {
		/* A long first word (a thumbprint) starts the next line. */
		while (col > 0 && head[col - 1] == ' ')
			col--;
		fprintf(fp, "%.*s\n%s", (int)col, head, TEXT_INDENT);
		col = strlen(TEXT_INDENT);
	} else
		fputs(head, fp);
	while (*text != '\0') {
		room = col < TEXT_COLUMNS - 1 ? TEXT_COLUMNS - 1 - col : 0;
		n = strlen(text);
		if (n <= room) {
			fputs(text, fp);
			break;
		}
		for (cut = room; cut > 0 && text[cut] != ' '; cut--)
			;
		if (cut == 0)
			cut = strcspn(text, " ");
		fwrite(text, 1, cut, fp);
		text += cut;
		while (*text == ' ')
			text++;
		if (*text == '\0')
			break;
		fprintf(fp, "\n%s", TEXT_INDENT);
		col = strlen(TEXT_INDENT);
	}
	fputc('\n', fp);
}

/* "STATUS   [stage/]check: message", one check per (wrapped) line. */
static void
checks_text(FILE *fp, const char *stage, json_t *checks)
{
	char	 head[256];
	json_t	*c;
	size_t	 i;

	json_array_foreach(checks, i, c) {
		snprintf(head, sizeof(head), "%-8s %s%s%s: ",
		    json_string_value(json_object_get(c, "status")),
		    stage != NULL ? stage : "", stage != NULL ? "/" : "",
		    json_string_value(json_object_get(c, "check")));
		text_wrapped(fp, head, json_string_value(json_object_get(c,
		    "message")));
	}
}

static void
write_text(struct report *r, FILE *fp)
{
	struct clouddp_buf	 val = { NULL, 0, 0 };
	const char		*key;
	char			 head[128];
	json_t			*v, *e;
	size_t			 i, j;

	json_object_foreach(r->root, key, v) {
		if (json_is_object(v) || json_is_null(v))
			continue;
		if (json_is_array(v) && (json_array_size(v) == 0 ||
		    !json_is_string(json_array_get(v, 0))))
			continue;
		clouddp_buf_reset(&val);
		if (json_is_array(v))
			json_array_foreach(v, j, e) {
				if (j > 0)
					clouddp_buf_printf(&val, NULL, ", ");
				scalar_text(&val, e);
			}
		else
			scalar_text(&val, v);
		snprintf(head, sizeof(head), "%s: ", key);
		text_wrapped(fp, head, val.data != NULL ? val.data : "");
	}
	clouddp_buf_free(&val);
	checks_text(fp, NULL, r->checks);
	for (i = 0; i < r->nstages; i++)
		checks_text(fp, json_string_value(json_object_get(
		    r->stages[i].obj, "stage")), r->stages[i].checks);
}

/* The non-ok checks of status st, "[stage/]check: message; ...". */
static void
nagios_checks(struct clouddp_buf *b, const char *stage, json_t *checks,
    const char *st)
{
	json_t	*c;
	size_t	 i;

	json_array_foreach(checks, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "status")),
		    st) != 0)
			continue;
		clouddp_buf_printf(b, NULL, "%s%s%s%s: %s",
		    b->len > 0 ? "; " : "", stage != NULL ? stage : "",
		    stage != NULL ? "/" : "",
		    json_string_value(json_object_get(c, "check")),
		    json_string_value(json_object_get(c, "message")));
	}
}

/* One line, whatever the texts hold: no newline, no '|' before perf. */
static void
nagios_offer(enum clouddp_status st, const char *text, const char *perf,
    FILE *fp)
{
	char	*p;

	if (fp == stdout && nagios_held.set && st <= nagios_held.status)
		return;
	snprintf(nagios_held.line, sizeof(nagios_held.line), "%s", text);
	for (p = nagios_held.line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '|')
			*p = *p == '|' ? '/' : ' ';
	if (perf != NULL && perf[0] != '\0') {
		p = nagios_held.line + strlen(nagios_held.line);
		snprintf(p, sizeof(nagios_held.line) -
		    (size_t)(p - nagios_held.line), " | %s", perf);
	}
	if (fp == stdout) {
		nagios_held.status = st;
		nagios_held.set = 1;
		return;
	}
	fprintf(fp, "%s\n", nagios_held.line);
	nagios_held.line[0] = '\0';
}

int
report_nagios_flush(FILE *fp)
{
	if (!nagios_held.set)
		return 0;
	nagios_held.set = 0;
	return fprintf(fp, "%s\n", nagios_held.line) < 0 ? -1 : 0;
}

/* The text of the --nagios line, after "CLOUDDP-TOOL STATUS: ". */
static void
nagios_text(struct report *r, struct clouddp_buf *text)
{
	struct clouddp_buf	 fails = { NULL, 0, 0 };
	int			 st;
	size_t			 i;

	if (r->summary.len == 0 && r->status != CLOUDDP_STATUS_OK)
		/* The worst checks first. */
		for (st = CLOUDDP_STATUS_UNKNOWN; st > CLOUDDP_STATUS_OK;
		    st--) {
			nagios_checks(&fails, NULL, r->checks,
			    clouddp_status_key(st));
			for (i = 0; i < r->nstages; i++)
				nagios_checks(&fails, json_string_value(
				    json_object_get(r->stages[i].obj,
				    "stage")), r->stages[i].checks,
				    clouddp_status_key(st));
		}
	if (r->summary.len > 0)
		clouddp_buf_printf(text, NULL, "%s", r->summary.data);
	else if (fails.len > 0)
		clouddp_buf_printf(text, NULL, "%s", fails.data);
	else
		clouddp_buf_printf(text, NULL, "%zu checks passed",
		    r->counts[CLOUDDP_STATUS_OK]);
	clouddp_buf_free(&fails);
}

static void
write_nagios(struct report *r, FILE *fp)
{
	struct clouddp_buf	 text = { NULL, 0, 0 };

	clouddp_buf_printf(&text, NULL, "CLOUDDP-%s %s: ", r->tool,
	    clouddp_status_name(r->status));
	nagios_text(r, &text);
	nagios_offer(r->status, text.data != NULL ? text.data : "",
	    r->perf.data, fp);
	clouddp_buf_free(&text);
}

static int
stages_set(struct report *r, json_t *out)
{
	json_t	*arr;
	size_t	 i;

	arr = json_array();
	if (arr == NULL)
		return -1;
	for (i = 0; i < r->nstages; i++)
		if (json_array_append(arr, r->stages[i].obj) == -1) {
			json_decref(arr);
			return -1;
		}
	return json_object_set_new(out, "stages", arr);
}

int
report_write(const struct clouddp_ctx *ctx, struct report *r, FILE *fp)
{
	json_t	*out;
	int	 rc;

	if (ctx->quiet)
		return 0;
	switch (ctx->output) {
	case CLOUDDP_OUTPUT_NAGIOS:
		write_nagios(r, fp);
		return 0;
	case CLOUDDP_OUTPUT_JSON:
		out = json_copy(r->root);
		if (out == NULL)
			return -1;
		json_object_set_new(out, "status",
		    json_string(clouddp_status_key(r->status)));
		json_object_set(out, "checks", r->checks);
		if (r->nstages > 0 && stages_set(r, out) == -1) {
			json_decref(out);
			return -1;
		}
		rc = report_obj_write(R(out), fp);
		json_decref(out);
		return rc;
	default:
		write_text(r, fp);
		return 0;
	}
}

struct report_obj *
report_obj_new(void)
{
	return R(json_object());
}

struct report_obj *
report_arr_new(void)
{
	return R(json_array());
}

void
report_obj_free(struct report_obj *o)
{
	json_decref(J(o));
}

int
report_obj_set_str(struct report_obj *o, const char *key, const char *val)
{
	json_t	*v;
	char	*copy, *p;

	v = val != NULL ? json_string(val) : json_null();
	if (v == NULL) {
		/* Not UTF-8 (hostile input): replace bytes above ASCII. */
		copy = strdup(val);
		if (copy == NULL)
			return -1;
		for (p = copy; *p != '\0'; p++)
			if ((unsigned char)*p > 0x7f)
				*p = '?';
		v = json_string(copy);
		free(copy);
	}
	return json_object_set_new(J(o), key, v);
}

int
report_obj_set_int(struct report_obj *o, const char *key, long long val)
{
	return json_object_set_new(J(o), key, json_integer(val));
}

int
report_obj_set_real(struct report_obj *o, const char *key, double val)
{
	if (!isfinite(val))
		return json_object_set_new(J(o), key, json_null());
	return json_object_set_new(J(o), key, json_real(val));
}

int
report_obj_set_bool(struct report_obj *o, const char *key, int val)
{
	return json_object_set_new(J(o), key, json_boolean(val));
}

int
report_obj_set(struct report_obj *o, const char *key,
    struct report_obj *child)
{
	return json_object_set_new(J(o), key, J(child));
}

int
report_arr_append(struct report_obj *a, struct report_obj *child)
{
	return json_array_append_new(J(a), J(child));
}

int
report_arr_append_str(struct report_obj *a, const char *s)
{
	return json_array_append_new(J(a), json_string(s));
}

int
report_obj_write(const struct report_obj *o, FILE *fp)
{
	const json_t	*j = (const json_t *)o;

	if (json_dumpf(j, fp, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(REAL_DIGITS)) == -1)
		return -1;
	fputc('\n', fp);
	return 0;
}

/* Streaming lines ------------------------------------------------------- */

void
report_line_reset(struct report_line *l)
{
	clouddp_buf_reset(&l->buf);
	l->nomem = 0;
}

void
report_line_free(struct report_line *l)
{
	free(l->buf.data);
	memset(l, 0, sizeof(*l));
}

/* The hot path of every batch line: a copy when the buffer has room. */
static inline void
line_put(struct report_line *l, const void *p, size_t n)
{
	if (l->buf.len + n < l->buf.cap) {
		memcpy(l->buf.data + l->buf.len, p, n);
		l->buf.len += n;
		return;
	}
	if (clouddp_buf_append(&l->buf, p, n, NULL) == -1)
		l->nomem = 1;
}

/* A decimal integer without printf. */
static void
line_int(struct report_line *l, long long val)
{
	char			 num[24], *p = num + sizeof(num);
	unsigned long long	 u;

	u = val < 0 ? 0ULL - (unsigned long long)val :
	    (unsigned long long)val;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (val < 0)
		*--p = '-';
	line_put(l, p, (size_t)(num + sizeof(num) - p));
}

/* The length of the UTF-8 sequence at p (RFC 3629), 0 if invalid. */
static size_t
utf8_len(const unsigned char *p)
{
	size_t	 n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

static void
line_escape(struct report_line *l, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *run;
	char			 esc[8];
	size_t			 n;

	line_put(l, "\"", 1);
	for (;;) {
		run = p;
		while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			p++;
		line_put(l, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p++;
			line_put(l, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p++);
			line_put(l, esc, 6);
		} else if ((n = utf8_len(p)) > 0) {
			line_put(l, p, n);
			p += n;
		} else {
			line_put(l, "?", 1);
			p++;
		}
	}
	line_put(l, "\"", 1);
}

/* The separator and "key": before a member or an element. */
static void
line_key(struct report_line *l, const char *key)
{
	char	 last;

	last = l->buf.len > 0 ? l->buf.data[l->buf.len - 1] : '{';
	if (last != '{' && last != '[')
		line_put(l, ",", 1);
	if (key == NULL)
		return;
	line_put(l, "\"", 1);
	line_put(l, key, strlen(key));
	line_put(l, "\":", 2);
}

void
report_jw_open(struct report_line *l, const char *key)
{
	if (l->buf.len > 0)
		line_key(l, key);
	line_put(l, "{", 1);
}

void
report_jw_close(struct report_line *l)
{
	line_put(l, "}", 1);
}

void
report_jw_arr_open(struct report_line *l, const char *key)
{
	line_key(l, key);
	line_put(l, "[", 1);
}

void
report_jw_arr_close(struct report_line *l)
{
	line_put(l, "]", 1);
}

void
report_jw_str(struct report_line *l, const char *key, const char *val)
{
	line_key(l, key);
	if (val == NULL)
		line_put(l, "null", 4);
	else
		line_escape(l, val);
}

void
report_jw_int(struct report_line *l, const char *key, long long val)
{
	line_key(l, key);
	line_int(l, val);
}

void
report_jw_bool(struct report_line *l, const char *key, int val)
{
	line_key(l, key);
	if (val)
		line_put(l, "true", 4);
	else
		line_put(l, "false", 5);
}

/* "%.*f" without trailing zeros: 2005.90 -> 2005.9, 3.000 -> 3. */
static int
real_format(char *num, size_t len, double val, int decimals)
{
	int	 n;

	n = snprintf(num, len, "%.*f", decimals, val);
	if (n <= 0 || (size_t)n >= len || strchr(num, '.') == NULL)
		return n;
	while (num[n - 1] == '0')
		num[--n] = '\0';
	if (num[n - 1] == '.')
		num[--n] = '\0';
	if (strcmp(num, "-0") == 0)
		return snprintf(num, len, "0");
	return n;
}

void
report_jw_real(struct report_line *l, const char *key, double val,
    int decimals)
{
	char	 num[64];
	int	 n;

	line_key(l, key);
	if (!isfinite(val) || fabs(val) > 1e15) {
		line_put(l, "null", 4);
		return;
	}
	n = real_format(num, sizeof(num), val, decimals);
	line_put(l, num, (size_t)n);
}

void
report_line_printf(struct report_line *l, const char *fmt, ...)
{
	char	 text[1024], *big;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(text)) {
		line_put(l, text, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (big == NULL) {
		l->nomem = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	line_put(l, big, (size_t)n);
	free(big);
}

int
report_line_write(struct report_line *l, FILE *fp)
{
	line_put(l, "\n", 1);
	return report_text_write(l, fp);
}

int
report_text_write(struct report_line *l, FILE *fp)
{
	int	 rc = 0;

	/* A format with no header writes nothing: no NULL to fwrite. */
	if (l->nomem)
		rc = -1;
	else if (l->buf.len > 0 &&
	    fwrite(l->buf.data, 1, l->buf.len, fp) != l->buf.len)
		rc = -1;
	report_line_reset(l);
	return rc;
}

int
log_err(const struct clouddp_ctx *ctx, const struct clouddp_err *err)
{
	enum clouddp_status	 st;
	json_t			*o;
	char			 line[700];

	st = clouddp_code_status(err->code);
	if (st == CLOUDDP_STATUS_OK)
		st = CLOUDDP_STATUS_UNKNOWN;
	fprintf(stderr, "%s: %s\n", ctx->prog, err->what);
	if (err->hint[0] != '\0')
		fprintf(stderr, "%s: hint: %s\n", ctx->prog, err->hint);
	log_file_err(ctx, err);
	if (ctx->output == CLOUDDP_OUTPUT_JSON) {
		o = json_pack("{s:s, s:{s:s, s:s, s:s}}",
		    "status", clouddp_status_key(st), "error",
		    "code", clouddp_code_name(err->code),
		    "message", err->what, "hint", err->hint);
		if (o != NULL)
			report_obj_write(R(o), stdout);
		json_decref(o);
	} else if (ctx->output == CLOUDDP_OUTPUT_NAGIOS) {
		snprintf(line, sizeof(line), "CLOUDDP-%s %s: %s",
		    ctx->tool != NULL ? ctx->tool : "CHECK",
		    clouddp_status_name(st), err->what);
		nagios_offer(st, line, NULL, stdout);
	}
	fflush(stdout);
	return (int)st;
}

void
report_subject_err(const struct clouddp_ctx *ctx,
    const struct clouddp_err *err)
{
	struct clouddp_ctx	 quiet;

	quiet = *ctx;
	if (quiet.output == CLOUDDP_OUTPUT_NAGIOS)
		quiet.output = CLOUDDP_OUTPUT_TEXT;
	log_err(&quiet, err);
}
