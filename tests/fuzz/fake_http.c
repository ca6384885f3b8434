/*
 * http.h implemented by a script of answers, and the driver of one
 * operation through it (fake_http.h), linked into the asm and blob fuzz
 * targets instead of http.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clouddp.h"
#include "http.h"
#include "loop.h"
#include "fake_http.h"
#include "fuzz.h"

/* More answers than any operation asks for: a loop is cut there. */
#define STEPS_MAX	200

struct http_multi {
	struct loop	*loop;
};

struct pending {
	struct http_multi	*m;
	http_done_cb		 cb;
	void			*arg;
	int			 keep_body;
	int			 body_strict;
	size_t			 body_max;
	struct pending		*next;
};

static char		*script;
static size_t		 script_len, script_off;
static struct pending	*queue;
static size_t		 started;

int
http_global_init(struct clouddp_err *err)
{
	(void)err;
	return 0;
}

void
http_global_cleanup(void)
{
}

const char *
http_env_proxy(const char *scheme, const char **var)
{
	(void)scheme;
	*var = NULL;
	return NULL;
}

struct http_multi *
http_multi_new(struct loop *loop, struct clouddp_err *err)
{
	struct http_multi	*m;

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	m->loop = loop;
	return m;
}

void
http_multi_free(struct http_multi *m)
{
	struct pending	**pp, *p;

	if (m == NULL)
		return;
	for (pp = &queue; *pp != NULL;) {
		p = *pp;
		if (p->m == m) {
			*pp = p->next;
			free(p);
		} else
			pp = &p->next;
	}
	free(m);
}

int
http_req_start(struct http_multi *m, const struct http_req_opts *o,
    http_done_cb cb, void *arg, struct clouddp_err *err)
{
	struct pending	*p, **pp;

	if (o->url == NULL || strncmp(o->url, "http", 4) != 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "fake http: bad url");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	p->m = m;
	p->cb = cb;
	p->arg = arg;
	p->keep_body = o->keep_body;
	p->body_strict = o->body_strict;
	p->body_max = o->body_max != 0 ? o->body_max : HTTP_BODY_MAX;
	for (pp = &queue; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	started++;
	return 0;
}

const char *
http_result_header(const struct http_result *res, const char *name)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			v = res->headers[i].value;
	return v;
}

void
fake_http_script(const char *data, size_t len)
{
	free(script);
	script = malloc(len + 1);
	if (script != NULL) {
		memcpy(script, data, len);
		script[len] = '\0';
	}
	script_len = script != NULL ? len : 0;
	script_off = 0;
	started = 0;
}

size_t
fake_http_started(void)
{
	return started;
}

size_t
fake_http_waiting(void)
{
	struct pending	*p;
	size_t		 n = 0;

	for (p = queue; p != NULL; p = p->next)
		n++;
	return n;
}

void
fake_http_reset(void)
{
	struct pending	*p;

	while (queue != NULL) {
		p = queue;
		queue = p->next;
		free(p);
	}
	free(script);
	script = NULL;
	script_len = script_off = 0;
}

/* The next section, NUL-terminated in place; NULL when none is left. */
static char *
next_section(size_t *len)
{
	char	*s, *end;

	if (script == NULL || script_off >= script_len)
		return NULL;
	s = script + script_off;
	end = strstr(s, "\n%%\n");
	if (end == NULL || (size_t)(end - script) >= script_len) {
		*len = script_len - script_off;
		script_off = script_len;
	} else {
		*end = '\0';
		*len = (size_t)(end - s);
		script_off = (size_t)(end - script) + 4;
	}
	return s;
}

/* A transport failure named by the status line, or 0 when a status. */
static int
failure(const char *line, struct http_result *res)
{
	static const struct {
		const char	*name;
		enum http_stage	 stage;
		enum http_fail	 fail;
		enum http_verify verify;
	} kinds[] = {
		{ "reset", HTTP_STAGE_RESPONSE, HTTP_FAIL_ERROR, 0 },
		{ "timeout", HTTP_STAGE_RESPONSE, HTTP_FAIL_TIMEOUT, 0 },
		{ "stall", HTTP_STAGE_RESPONSE, HTTP_FAIL_STALL, 0 },
		{ "headers", HTTP_STAGE_RESPONSE, HTTP_FAIL_HEADERS_MAX, 0 },
		{ "refused", HTTP_STAGE_TCP, HTTP_FAIL_REFUSED, 0 },
		{ "resolve", HTTP_STAGE_TCP, HTTP_FAIL_RESOLVE, 0 },
		{ "verify", HTTP_STAGE_TLS, HTTP_FAIL_VERIFY, 0 },
		{ "verify-name", HTTP_STAGE_TLS, HTTP_FAIL_VERIFY,
		    HTTP_VERIFY_NAME },
		{ "verify-expired", HTTP_STAGE_TLS, HTTP_FAIL_VERIFY,
		    HTTP_VERIFY_EXPIRED },
		{ "verify-untrusted", HTTP_STAGE_TLS, HTTP_FAIL_VERIFY,
		    HTTP_VERIFY_UNTRUSTED },
		{ "proxy407", HTTP_STAGE_PROXY, HTTP_FAIL_STATUS, 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(line, kinds[i].name) == 0) {
			res->stage = kinds[i].stage;
			res->fail = kinds[i].fail;
			res->verify = kinds[i].verify;
			snprintf(res->error, sizeof(res->error), "%s", line);
			if (res->stage == HTTP_STAGE_PROXY) {
				res->proxy = "http://proxy.contoso.com:3128";
				res->proxy_status = 407;
			}
			return 1;
		}
	return 0;
}

/* Where a response's headers go. */
struct heads {
	struct http_result	*res;
	struct http_header	*h;
};

/* One header into the result, and those http.c reads into fields. */
static void
header(void *arg, char *name, char *v)
{
	struct heads		*hs = arg;
	struct http_result	*res = hs->res;

	if (res->nheaders == HTTP_HEADERS_MAX)
		return;
	hs->h[res->nheaders].name = name;
	hs->h[res->nheaders++].value = v;
	if (strcasecmp(name, "Content-Type") == 0)
		res->content_type = v;
	else if (strcasecmp(name, "x-ms-request-id") == 0)
		res->request_id = v;
	else if (strcasecmp(name, "Location") == 0)
		res->location = v;
	else if (strcasecmp(name, "Retry-After") == 0)
		res->retry_after = strtol(v, NULL, 10);
}

static void
answer(struct pending *p, char *s, size_t len)
{
	struct http_header	 h[HTTP_HEADERS_MAX];
	struct http_result	 res;
	struct heads		 hs = { &res, h };
	char			*eol, *body;

	memset(&res, 0, sizeof(res));
	res.retry_after = -1;
	res.headers = h;
	eol = strchr(s, '\n');
	if (eol != NULL)
		*eol = '\0';
	if (!failure(s, &res)) {
		res.stage = HTTP_STAGE_DONE;
		res.status = strtol(s, NULL, 10);
		body = eol != NULL ? fuzz_headers(eol + 1, header, &hs) :
		    s + strlen(s);
		res.body_len = len - (size_t)(body - s);
		if (res.body_len > p->body_max && p->body_strict) {
			/* Refused from its Content-Length, unread. */
			res.body_len = 0;
			body[0] = '\0';
			res.stage = HTTP_STAGE_RESPONSE;
			res.fail = HTTP_FAIL_BODY_MAX;
		} else if (res.body_len > p->body_max) {
			res.body_len = p->body_max;
			body[res.body_len] = '\0';
			res.stage = HTTP_STAGE_RESPONSE;
			res.fail = HTTP_FAIL_BODY_MAX;
		}
		res.body = p->keep_body ? body : NULL;
	}
	p->cb(p->arg, NULL, &res);
}

int
fake_http_step(void)
{
	struct pending	*p;
	char		*s;
	size_t		 len;

	if (queue == NULL)
		return 0;
	s = next_section(&len);
	if (s == NULL)
		return 0;
	p = queue;
	queue = p->next;
	answer(p, s, len);
	free(p);
	return 1;
}

int
fake_http_begin(struct fake_op *o, const uint8_t *data, size_t len)
{
	size_t	 n;
	int	 i;

	for (n = 0; n < len && data[n] != '\n'; n++)
		;
	for (i = 0; i < o->nnames; i++)
		if (strlen(o->names[i]) == n &&
		    memcmp(data, o->names[i], n) == 0)
			break;
	if (i == o->nnames)
		return -1;
	o->op = i;
	o->calls = 0;
	if (n < len)
		n++;
	fake_http_script((const char *)data + n, len - n);
	return 0;
}

void
fake_http_drive(struct fake_op *o, struct loop *loop,
    int (*start)(void *, struct fake_op *, struct clouddp_err *),
    void *client)
{
	struct clouddp_err	 err;
	size_t			 steps, before;

	if (start(client, o, &err) == -1) {
		FUZZ_ASSERT(err.what[0] != '\0' && o->calls == 0);
		return;
	}
	/*
	 * Answer each request; when none waits, let the timers (polls,
	 * backoff) run, and stop when that starts nothing (a long wait).
	 */
	for (steps = 0; steps < STEPS_MAX && o->calls == 0; steps++) {
		if (fake_http_step() == 1)
			continue;
		if (loop == NULL || fake_http_waiting() > 0)
			break;
		before = fake_http_started();
		loop_run(loop, loop_now() + 0.002, &err);
		if (fake_http_started() == before)
			break;
	}
}

int
fake_http_done(struct fake_op *o, const struct clouddp_err *err)
{
	const char	*p;

	o->calls++;
	FUZZ_ASSERT(o->calls == 1);
	if (getenv("CLOUDDP_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s: %s\n", o->names[o->op], err != NULL ?
		    err->what : "done");
	if (err == NULL)
		return 0;
	FUZZ_ASSERT(err->what[0] != '\0');
	/* One line, whatever the service put in it. */
	for (p = err->what; *p != '\0'; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
	return 1;
}
