/*
 * The emulator's request handling (src/emu/api.c and api_ops.c): the
 * route, x-ms-version and authentication decisions and the strict
 * reading of XML bodies, over the resource model, for a sequence of
 * requests separated by lines "%%", each
 *
 *	METHOD /SUBSCRIPTION/PATH[?QUERY]
 *	Name: value		request headers (x-ms-version, Host)
 *	(empty line)
 *	body
 *
 * with the model's clock five seconds on after each.  libmicrohttpd is
 * not involved: api.c is compiled in here with its two lookups of the
 * connection (query arguments, headers) served from the input.  Every
 * answer must have an HTTP status and, when it has a body, one that
 * parses as XML (what the client echoes must come back escaped).
 */
#include "config.h"

#include <microhttpd.h>

#include "fuzz.h"

struct fuzz_conn;
static const char *fuzz_lookup(struct fuzz_conn *, enum MHD_ValueKind,
    const char *);
#define MHD_lookup_connection_value(c, k, n) \
	fuzz_lookup((struct fuzz_conn *)(c), (k), (n))
#include "emu/api.c"
#undef MHD_lookup_connection_value

#define SUB	"8a4a0a51-728e-482e-8daa-c477f03c541d"
#define THUMB	"3C7C1B5D1E2F4A6B8C9D0E1F2A3B4C5D6E7F8091"
#define PAIRS_MAX	16

/* The request's query arguments and headers, as MHD would give them. */
struct fuzz_conn {
	const char	*query[PAIRS_MAX][2];
	size_t		 nquery;
	const char	*header[PAIRS_MAX][2];
	size_t		 nheader;
};

static double	 fuzz_clock;

static const char *
fuzz_lookup(struct fuzz_conn *c, enum MHD_ValueKind kind, const char *name)
{
	size_t	 i;

	if (c == NULL)
		return NULL;
	if (kind == MHD_GET_ARGUMENT_KIND) {
		for (i = 0; i < c->nquery; i++)
			if (strcmp(c->query[i][0], name) == 0)
				return c->query[i][1];
		return NULL;
	}
	for (i = 0; i < c->nheader; i++)
		if (strcasecmp(c->header[i][0], name) == 0)
			return c->header[i][1];
	return NULL;
}

static double
fuzz_now(void)
{
	return fuzz_clock;
}

const struct fuzz_target	 fuzz_target = {
	FUZZ_NEED_CERT | FUZZ_NEED_XML, NULL
};

/* Split "a=b&c=d" in place into c's query (no percent-decoding). */
static void
query_split(char *q, struct fuzz_conn *c)
{
	char	*amp, *eq;

	while (q != NULL && *q != '\0' && c->nquery < PAIRS_MAX) {
		amp = strchr(q, '&');
		if (amp != NULL)
			*amp++ = '\0';
		eq = strchr(q, '=');
		if (eq != NULL)
			*eq++ = '\0';
		c->query[c->nquery][0] = q;
		c->query[c->nquery++][1] = eq != NULL ? eq : "";
		q = amp;
	}
}

/* One request header into c. */
static void
header(void *arg, char *name, char *v)
{
	struct fuzz_conn	*c = arg;

	if (c->nheader == PAIRS_MAX)
		return;
	c->header[c->nheader][0] = name;
	c->header[c->nheader++][1] = v;
}

/* What the client gets must be well-formed. */
static void
answer_ok(const struct req *r)
{
	struct clouddp_err	 err;
	struct xml_doc		*doc;

	FUZZ_ASSERT(r->status >= 200 && r->status < 600);
	if (r->out.len == 0)
		return;
	doc = xml_parse(r->out.data, r->out.len, "answer", &err);
	if (doc == NULL) {
		fprintf(stderr, "%s\n%s\n", err.what, r->out.data);
		FUZZ_ASSERT(!"the emulator answered XML that does not parse");
	}
	xml_doc_free(doc);
}

/* One request: section s (len bytes, NUL-terminated), answered. */
static void
one(struct emu_api *api, char *s, size_t len)
{
	struct fuzz_conn	 c;
	struct req		*r;
	char			*eol, *sp, *q, *body;

	memset(&c, 0, sizeof(c));
	eol = strchr(s, '\n');
	if (eol != NULL)
		*eol = '\0';
	sp = strchr(s, ' ');
	if (sp == NULL || sp - s >= 12)
		return;
	*sp++ = '\0';
	q = strchr(sp, '?');
	if (q != NULL)
		*q++ = '\0';
	query_split(q, &c);
	body = eol != NULL ? fuzz_headers(eol + 1, header, &c) : s + len;
	r = calloc(1, sizeof(*r));
	FUZZ_ASSERT(r != NULL);
	r->api = api;
	r->model = api->model;
	r->conn = &c;
	r->url = strdup(sp);
	FUZZ_ASSERT(r->url != NULL);
	snprintf(r->method, sizeof(r->method), "%s", s);
	request_id(r->id);
	snprintf(r->version, sizeof(r->version), "%s",
	    fuzz_lookup(&c, MHD_HEADER_KIND, "x-ms-version") != NULL ?
	    fuzz_lookup(&c, MHD_HEADER_KIND, "x-ms-version") : "");
	snprintf(r->thumb, sizeof(r->thumb), "%s", THUMB);
	if (s + len > body && clouddp_buf_append(&r->body, body,
	    (size_t)(s + len - body), NULL) == -1)
		abort();
	decide(r);
	execute(r);
	if (getenv("CLOUDDP_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s %s: %d %.*s\n", r->method, r->url,
		    r->status, (int)(r->out.len < 160 ? r->out.len : 160),
		    r->out.data != NULL ? r->out.data : "");
	answer_ok(r);
	req_free(r);
}

static struct emu_model *
model_new(void)
{
	struct emu_config	 cfg;
	struct clouddp_err	 err;
	struct emu_model	*m;
	int			 i;

	emu_config_defaults(&cfg);
	cfg.subscription = SUB;
	cfg.subscription_name = "fuzz";
	for (i = 0; i < EMU_STEP__MAX; i++)
		cfg.delay[i] = 1;
	m = emu_model_new(&cfg, &err);
	FUZZ_ASSERT(m != NULL);
	FUZZ_ASSERT(emu_model_add_management(m, THUMB, &err) == 0);
	return m;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct emu_api	 api;
	char		*script, *s, *end;

	script = malloc(len + 1);
	if (script == NULL)
		return 0;
	memcpy(script, data, len);
	script[len] = '\0';
	memset(&api, 0, sizeof(api));
	api.model = model_new();
	api.now = fuzz_now;
	api.listen_fd = -1;
	fuzz_clock = 1000;
	for (s = script; s < script + len; s = end + 4) {
		end = strstr(s, "\n%%\n");
		if (end == NULL)
			end = s + strlen(s);
		*end = '\0';
		emu_model_tick(api.model, fuzz_clock);
		one(&api, s, (size_t)(end - s));
		fuzz_clock += 5;
		if (end + 4 > script + len)
			break;
	}
	emu_model_free(api.model);
	free(script);
	return 0;
}
