/*
 * Azure Blob storage: SharedKey signing and the requests a cloud DP
 * needs, on the loop through http.c.  See blob.h.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "blob.h"
#include "http.h"
#include "xml.h"

#define KEY_MAX		128	/* decoded key bytes; Azure's are 64 */
#define HEADERS_MAX	8
/* A listing page is parsed whole: no more than xml.c parses. */
#define LIST_PAGE_MAX	XML_DOC_MAX
/* Azure Storage never redirects, and sends nothing past the caps. */
#define NOT_STORAGE_HINT "check that the Blob endpoint is Azure " \
	"Storage's (no storage service answers this way)"

struct blob_client {
	struct http_multi	*multi;
	char			*endpoint;
	char			*account;
	char			*cacert;
	char			*proxy;		/* NULL: environment */
	const struct secret_shield *proxy_password;	/* borrowed */
	unsigned char		 key[KEY_MAX];
	size_t			 key_len;
	char			*key_b64;
	double			 timeout;
	time_t			 (*clock)(void);
	int			 list_max;
	struct blob_req		*reqs;		/* running, for _free */
};

enum blob_kind {
	BLOB_CONTAINER_EXISTS = 0,
	BLOB_CONTAINER_CREATE,
	BLOB_PUT,
	BLOB_HEAD,
	BLOB_DELETE,
	BLOB_LIST,
	BLOB_KIND__MAX
};

static const char *const kind_names[BLOB_KIND__MAX] = {
	"container properties", "create container", "put blob",
	"blob properties", "delete blob", "list blobs"
};

struct blob_req {
	struct blob_client	*client;
	struct blob_req		*next;
	enum blob_kind		 kind;
	char			*url;
	char			*what;		/* for messages */
	char			*container;	/* list: for the next page */
	char			*file;		/* put: the body */
	void			*body;		/* ... or this copy */
	size_t			 body_len;
	char			*headers[HEADERS_MAX];
	size_t			 nheaders;
	struct blob_item	*items;
	size_t			 nitems;
	size_t			 items_cap;
	long long		 total;
	int			 sum_only;	/* list: count, keep none */
	blob_done_cb		 cb;
	void			*arg;
};

/* Signing ------------------------------------------------------------- */

/* The standard headers signed, in the order StringToSign has them. */
static const char *const std_headers[] = {
	"Content-Encoding", "Content-Language", "Content-Length",
	"Content-MD5", "Content-Type", "Date", "If-Modified-Since",
	"If-Match", "If-None-Match", "If-Unmodified-Since", "Range"
};

/* The value of header name among lines "Name: value", or NULL. */
static const char *
header_value(const struct blob_sign_req *s, const char *name)
{
	size_t		 i, n = strlen(name);
	const char	*h;

	for (i = 0; i < s->nheaders; i++) {
		h = s->headers[i];
		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			h += n + 1;
			while (*h == ' ' || *h == '\t')
				h++;
			return h;
		}
	}
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append "name:value\n" for one x-ms- line, name lower-cased, value's
 * leading space trimmed and inner runs of space folded to one. */
static int
canon_header(struct clouddp_buf *b, const char *line, struct clouddp_err *err)
{
	const char	*p, *colon = strchr(line, ':');
	char		 c;
	int		 space = 0;

	for (p = line; p < colon; p++) {
		c = (char)tolower((unsigned char)*p);
		if (clouddp_buf_append(b, &c, 1, err) == -1)
			return -1;
	}
	if (clouddp_buf_append(b, ":", 1, err) == -1)
		return -1;
	for (p = colon + 1; *p == ' ' || *p == '\t'; p++)
		;
	for (; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			space = 1;
			continue;
		}
		if (space && clouddp_buf_append(b, " ", 1, err) == -1)
			return -1;
		space = 0;
		if (clouddp_buf_append(b, p, 1, err) == -1)
			return -1;
	}
	return clouddp_buf_append(b, "\n", 1, err);
}

/* CanonicalizedHeaders: every x-ms- header, sorted by name. */
static int
canon_headers(struct clouddp_buf *b, const struct blob_sign_req *s,
    struct clouddp_err *err)
{
	const char	*ms[HEADERS_MAX * 2];
	size_t		 i, n = 0;

	for (i = 0; i < s->nheaders; i++) {
		if (strncasecmp(s->headers[i], "x-ms-", 5) != 0 ||
		    strchr(s->headers[i], ':') == NULL)
			continue;
		if (n == sizeof(ms) / sizeof(ms[0]))
			return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
			    "too many x-ms- headers to sign");
		ms[n++] = s->headers[i];
	}
	/* Names are what sort: lower-case copies would sort the same for
	 * the names we send (all lower case already). */
	qsort(ms, n, sizeof(ms[0]), cmp_str);
	for (i = 0; i < n; i++)
		if (canon_header(b, ms[i], err) == -1)
			return -1;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Append the URL-decoded bytes [p, end); lower-case them when asked. */
static int
append_decoded(struct clouddp_buf *b, const char *p, const char *end,
    int lower, struct clouddp_err *err)
{
	char	c;

	for (; p < end; p++) {
		c = *p;
		if (c == '%' && end - p >= 3 && hexval(p[1]) >= 0 &&
		    hexval(p[2]) >= 0) {
			c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else if (c == '+')
			c = ' ';
		if (lower)
			c = (char)tolower((unsigned char)c);
		if (clouddp_buf_append(b, &c, 1, err) == -1)
			return -1;
	}
	return 0;
}

struct query_param {
	const char	*name;		/* into the query, up to '=' */
	size_t		 name_len;
	const char	*value;
	size_t		 value_len;
};

static int
cmp_param(const void *a, const void *b)
{
	const struct query_param *x = a, *y = b;
	size_t		 n = x->name_len < y->name_len ? x->name_len :
			    y->name_len;
	int		 c = strncasecmp(x->name, y->name, n);

	if (c != 0)
		return c;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return strncmp(x->value, y->value, x->value_len < y->value_len ?
	    x->value_len : y->value_len);
}

/* "\nname:value" per query parameter, names lower-cased and sorted,
 * values decoded; a repeated name once, its values comma-joined. */
static int
canon_query(struct clouddp_buf *b, const char *q, struct clouddp_err *err)
{
	struct query_param	 p[16];
	size_t			 n = 0, i;
	const char		*amp, *eq;

	while (q != NULL && *q != '\0') {
		amp = strchr(q, '&');
		if (amp == NULL)
			amp = q + strlen(q);
		if (n == sizeof(p) / sizeof(p[0]))
			return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
			    "too many query parameters to sign");
		eq = memchr(q, '=', (size_t)(amp - q));
		p[n].name = q;
		p[n].name_len = (size_t)((eq != NULL ? eq : amp) - q);
		p[n].value = eq != NULL ? eq + 1 : amp;
		p[n].value_len = (size_t)(amp - p[n].value);
		n++;
		q = *amp == '&' ? amp + 1 : NULL;
	}
	qsort(p, n, sizeof(p[0]), cmp_param);
	for (i = 0; i < n; i++) {
		if (i > 0 && p[i].name_len == p[i - 1].name_len &&
		    strncasecmp(p[i].name, p[i - 1].name, p[i].name_len) == 0) {
			if (clouddp_buf_append(b, ",", 1, err) == -1)
				return -1;
		} else if (clouddp_buf_append(b, "\n", 1, err) == -1 ||
		    append_decoded(b, p[i].name, p[i].name + p[i].name_len,
		    1, err) == -1 || clouddp_buf_append(b, ":", 1, err) == -1)
			return -1;
		if (append_decoded(b, p[i].value, p[i].value + p[i].value_len,
		    0, err) == -1)
			return -1;
	}
	return 0;
}

/* CanonicalizedResource: "/account" + the path as sent + the query. */
static int
canon_resource(struct clouddp_buf *b, const struct blob_sign_req *s,
    struct clouddp_err *err)
{
	const char	*path, *q;

	path = strstr(s->url, "://");
	if (path == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: not a URL", s->url);
	path += strcspn(path + 3, "/?") + 3;
	q = strchr(path, '?');
	if (clouddp_buf_printf(b, err, "/%s", s->account) == -1)
		return -1;
	if (*path != '/' && clouddp_buf_append(b, "/", 1, err) == -1)
		return -1;
	if (clouddp_buf_append(b, path, q != NULL ? (size_t)(q - path) :
	    strlen(path), err) == -1)
		return -1;
	return canon_query(b, q != NULL ? q + 1 : NULL, err);
}

/* The decoded key into out (at most KEY_MAX bytes); -1 if not base64. */
static int
key_decode(const char *b64, unsigned char *out, size_t *len)
{
	unsigned char	 tmp[KEY_MAX + 3];
	size_t		 n = strlen(b64), pad = 0;
	int		 got;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof(tmp))
		return -1;
	got = EVP_DecodeBlock(tmp, (const unsigned char *)b64, (int)n);
	if (got < 0)
		return -1;
	while (pad < 2 && b64[n - 1 - pad] == '=')
		pad++;
	if ((size_t)got < pad || (size_t)got - pad > KEY_MAX) {
		OPENSSL_cleanse(tmp, sizeof(tmp));
		return -1;
	}
	*len = (size_t)got - pad;
	memcpy(out, tmp, *len);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return 0;
}

static int
string_to_sign(struct clouddp_buf *b, const struct blob_sign_req *s,
    struct clouddp_err *err)
{
	const char	*v;
	size_t		 i;

	if (clouddp_buf_printf(b, err, "%s\n", s->method) == -1)
		return -1;
	for (i = 0; i < sizeof(std_headers) / sizeof(std_headers[0]); i++) {
		v = header_value(s, std_headers[i]);
		/* Versions since 2015-02-21 sign a zero length as empty. */
		if (v != NULL && i == 2 && strcmp(v, "0") == 0)
			v = "";
		if (clouddp_buf_printf(b, err, "%s\n", v != NULL ? v : "") ==
		    -1)
			return -1;
	}
	if (canon_headers(b, s, err) == -1)
		return -1;
	return canon_resource(b, s, err);
}

static int
sign_with(const struct blob_sign_req *s, const unsigned char *key,
    size_t key_len, struct clouddp_buf *out, struct clouddp_err *err)
{
	struct clouddp_buf	 sts = { NULL, 0, 0 };
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 md_len = 0;
	char			 sig[EVP_MAX_MD_SIZE * 2];
	int			 rc = -1;

	if (string_to_sign(&sts, s, err) == -1)
		goto out;
	if (HMAC(EVP_sha256(), key, (int)key_len,
	    (const unsigned char *)sts.data, sts.len, md, &md_len) == NULL) {
		clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "HMAC-SHA256 failed");
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)sig, md, (int)md_len);
	clouddp_buf_reset(out);
	rc = clouddp_buf_printf(out, err, "SharedKey %s:%s", s->account,
	    sig);
out:
	clouddp_buf_free(&sts);
	return rc;
}

int
blob_sign(const struct blob_sign_req *s, struct clouddp_buf *out,
    struct clouddp_err *err)
{
	unsigned char	 key[KEY_MAX];
	size_t		 key_len;
	int		 rc;

	if (key_decode(s->key, key, &key_len) == -1)
		return clouddp_errf(err, CLOUDDP_ECONFIG,
		    "give the key as Get Storage Keys shows it",
		    "storage key of %s: not base64", s->account);
	rc = sign_with(s, key, key_len, out, err);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/*
 * The account of a blob endpoint: the first path segment of a
 * path-style one (Azurite), else the host's first label (Azure).
 */
void
blob_endpoint_account(const char *url, char *buf, size_t len)
{
	const char	*h, *s;
	size_t		 n;

	h = strstr(url, "://");
	h = h != NULL ? h + 3 : url;
	s = strchr(h, '/');
	if (s != NULL && s[1] != '\0' && s[1] != '/') {
		n = strcspn(s + 1, "/");
		snprintf(buf, len, "%.*s", (int)n, s + 1);
		return;
	}
	n = strcspn(h, ".:/");
	snprintf(buf, len, "%.*s", (int)n, h);
}

int
blob_container_name_check(const char *name, struct clouddp_err *err)
{
	size_t		 i, n = strlen(name);
	const char	*hint = "use 3 to 63 lower-case letters, digits and "
			    "single hyphens, starting with a letter or digit";

	if (n < 3 || n > 63)
		return clouddp_errf(err, CLOUDDP_EINPUT, hint,
		    "container name '%.64s': %zu characters", name, n);
	for (i = 0; i < n; i++) {
		if (islower((unsigned char)name[i]) ||
		    isdigit((unsigned char)name[i]))
			continue;
		if (name[i] == '-' && i > 0 && i < n - 1 && name[i - 1] != '-')
			continue;
		return clouddp_errf(err, CLOUDDP_EINPUT, hint,
		    "container name '%s': character %zu not allowed",
		    name, i + 1);
	}
	return 0;
}

/* The client ----------------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct blob_client *
blob_client_new(struct http_multi *multi, const struct blob_cfg *cfg,
    struct clouddp_err *err)
{
	struct blob_client	*c;
	size_t			 n;

	if (strncmp(cfg->endpoint, "http://", 7) != 0 &&
	    strncmp(cfg->endpoint, "https://", 8) != 0) {
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "give the Blob endpoint as http(s)://HOST[:PORT][/ACCOUNT]",
		    "Blob endpoint '%s': not an http or https URL",
		    cfg->endpoint);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto nomem;
	if (key_decode(cfg->key, c->key, &c->key_len) == -1) {
		clouddp_errf(err, CLOUDDP_ECONFIG,
		    "give the key as Get Storage Keys shows it",
		    "storage key of %s: not base64", cfg->account);
		blob_client_free(c);
		return NULL;
	}
	c->multi = multi;
	c->endpoint = strdup(cfg->endpoint);
	c->account = strdup(cfg->account);
	c->key_b64 = strdup(cfg->key);
	c->cacert = dup_or_null(cfg->cacert);
	c->proxy = dup_or_null(cfg->proxy);
	c->proxy_password = cfg->proxy_password;
	if (c->endpoint == NULL || c->account == NULL || c->key_b64 == NULL ||
	    (cfg->cacert != NULL && c->cacert == NULL) ||
	    (cfg->proxy != NULL && c->proxy == NULL))
		goto nomem;
	n = strlen(c->endpoint);
	while (n > 0 && c->endpoint[n - 1] == '/')
		c->endpoint[--n] = '\0';
	c->timeout = cfg->timeout > 0 ? cfg->timeout : 60;
	c->clock = cfg->clock != NULL ? cfg->clock : NULL;
	c->list_max = cfg->list_max > 0 && cfg->list_max <= 5000 ?
	    cfg->list_max : 0;
	return c;
nomem:
	blob_client_free(c);
	clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	return NULL;
}

static void
req_free(struct blob_req *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nheaders; i++) {
		/* The Authorization line is a credential of sorts. */
		OPENSSL_cleanse(r->headers[i], strlen(r->headers[i]));
		free(r->headers[i]);
	}
	for (i = 0; r->items != NULL && i < r->nitems; i++)
		free((void *)(uintptr_t)r->items[i].name);
	free(r->items);
	free(r->url);
	free(r->what);
	free(r->container);
	free(r->file);
	free(r->body);
	free(r);
}

static void
req_unlink(struct blob_req *r)
{
	struct blob_req	**pp;

	for (pp = &r->client->reqs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
}

void
blob_client_free(struct blob_client *c)
{
	struct blob_req	*r;

	if (c == NULL)
		return;
	/* http_multi_free() abandons the transfers; their reqs go here. */
	while (c->reqs != NULL) {
		r = c->reqs;
		c->reqs = r->next;
		req_free(r);
	}
	OPENSSL_cleanse(c->key, sizeof(c->key));
	if (c->key_b64 != NULL)
		OPENSSL_cleanse(c->key_b64, strlen(c->key_b64));
	free(c->key_b64);
	free(c->endpoint);
	free(c->account);
	free(c->cacert);
	free(c->proxy);
	free(c);
}

static const char *const wdays[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
	"Oct", "Nov", "Dec"
};

/* "x-ms-date: Mon, 01 Jan 2024 00:00:00 GMT", whatever the locale. */
static int
date_header(const struct blob_client *c, char *buf, size_t len)
{
	time_t		 now = c->clock != NULL ? c->clock() : time(NULL);
	struct tm	 tm;
	int		 n;

	if (gmtime_r(&now, &tm) == NULL)
		return -1;
	n = snprintf(buf, len, "x-ms-date: %s, %02d %s %04d %02d:%02d:%02d GMT",
	    wdays[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
add_header(struct blob_req *r, const char *line, struct clouddp_err *err)
{
	if (r->nheaders == HEADERS_MAX)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "too many request headers");
	r->headers[r->nheaders] = strdup(line);
	if (r->headers[r->nheaders] == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	r->nheaders++;
	return 0;
}

/* x-ms-date, x-ms-version, then the Authorization over all of them. */
static int
sign_req(struct blob_req *r, const char *method, struct clouddp_err *err)
{
	struct blob_client	*c = r->client;
	struct blob_sign_req	 s;
	struct clouddp_buf	 auth = { NULL, 0, 0 };
	struct clouddp_buf	 line = { NULL, 0, 0 };
	char			 date[64];
	int			 rc = -1;

	if (date_header(c, date, sizeof(date)) == -1)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "the clock cannot be read");
	if (add_header(r, date, err) == -1 ||
	    add_header(r, "x-ms-version: " BLOB_VERSION, err) == -1)
		return -1;
	memset(&s, 0, sizeof(s));
	s.account = c->account;
	s.method = method;
	s.url = r->url;
	s.headers = (const char *const *)r->headers;
	s.nheaders = r->nheaders;
	if (sign_with(&s, c->key, c->key_len, &auth, err) == -1 ||
	    clouddp_buf_printf(&line, err, "Authorization: %s",
	    auth.data) == -1 || add_header(r, line.data, err) == -1)
		goto out;
	rc = 0;
out:
	clouddp_buf_free(&line);
	clouddp_buf_free(&auth);
	return rc;
}

/* Append s percent-encoded; '/' is kept where slash is set. */
static int
append_encoded(struct clouddp_buf *b, const char *s, int slash,
    struct clouddp_err *err)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 e[3];
	int			 rc;

	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s) != NULL ||
		    (slash && *s == '/'))
			rc = clouddp_buf_append(b, s, 1, err);
		else {
			e[0] = '%';
			e[1] = hex[(unsigned char)*s >> 4];
			e[2] = hex[(unsigned char)*s & 15];
			rc = clouddp_buf_append(b, e, 3, err);
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* A new request for container[/blob]?query, not yet started. */
static struct blob_req *
req_new(struct blob_client *c, enum blob_kind kind, const char *container,
    const char *blob, const char *query, struct clouddp_err *err)
{
	struct blob_req		*r;
	struct clouddp_buf	 url = { NULL, 0, 0 };

	if (blob_container_name_check(container, err) == -1)
		return NULL;
	if (blob != NULL && (*blob == '\0' || strlen(blob) > 1024)) {
		clouddp_errf(err, CLOUDDP_EINPUT,
		    "use 1 to 1024 characters", "blob name: %zu characters",
		    strlen(blob));
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL ||
	    clouddp_buf_printf(&url, err, "%s/%s", c->endpoint,
	    container) == -1 ||
	    (blob != NULL && (clouddp_buf_append(&url, "/", 1, err) == -1 ||
	    append_encoded(&url, blob, 1, err) == -1)) ||
	    (query != NULL && clouddp_buf_printf(&url, err, "?%s",
	    query) == -1))
		goto fail;
	r->client = c;
	r->kind = kind;
	r->url = url.data;
	return r;
fail:
	if (r == NULL)
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	clouddp_buf_free(&url);
	free(r);
	return NULL;
}

static void	on_done(void *, const struct clouddp_err *,
		    const struct http_result *);

static const char *const kind_methods[BLOB_KIND__MAX] = {
	"HEAD", "PUT", "PUT", "HEAD", "DELETE", "GET"
};

/* Sign and start r; on failure r is freed and err filled. */
static int
req_start(struct blob_req *r, struct clouddp_err *err)
{
	struct blob_client	*c = r->client;
	struct http_req_opts	 o;
	const char		*method = kind_methods[r->kind];

	if (sign_req(r, method, err) == -1)
		goto fail;
	memset(&o, 0, sizeof(o));
	o.url = r->url;
	o.method = method;
	o.headers = (const char *const *)r->headers;
	o.nheaders = r->nheaders;
	o.keep_body = 1;
	o.body_max = r->kind == BLOB_LIST ? LIST_PAGE_MAX : 0;
	o.body_strict = 1;
	o.cacert = c->cacert;
	o.timeout = c->timeout;
	o.connect_timeout = c->timeout;
	o.proxy = c->proxy;
	o.proxy_password = c->proxy_password;
	if (r->kind == BLOB_PUT && r->file == NULL) {
		o.body = r->body != NULL ? r->body : "";
		o.body_len = r->body_len;
	} else if (r->kind == BLOB_PUT)
		o.body_file = r->file;
	else if (r->kind == BLOB_CONTAINER_CREATE)
		o.body = "";	/* an empty PUT: Content-Length: 0 */
	if (http_req_start(c->multi, &o, on_done, r, err) == -1)
		goto fail;
	r->next = c->reqs;
	c->reqs = r;
	return 0;
fail:
	clouddp_err_prefix(err, "%s %s", kind_names[r->kind], r->url);
	req_free(r);
	return -1;
}

static int
start(struct blob_client *c, enum blob_kind kind, const char *container,
    const char *blob, const char *query, blob_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct blob_req	*r;

	r = req_new(c, kind, container, blob, query, err);
	if (r == NULL)
		return -1;
	r->cb = cb;
	r->arg = arg;
	if (kind == BLOB_LIST && (r->container = strdup(container)) == NULL) {
		req_free(r);
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	}
	return req_start(r, err);
}

int
blob_container_exists(struct blob_client *c, const char *container,
    blob_done_cb cb, void *arg, struct clouddp_err *err)
{
	return start(c, BLOB_CONTAINER_EXISTS, container, NULL,
	    "restype=container", cb, arg, err);
}

int
blob_container_create(struct blob_client *c, const char *container,
    blob_done_cb cb, void *arg, struct clouddp_err *err)
{
	return start(c, BLOB_CONTAINER_CREATE, container, NULL,
	    "restype=container", cb, arg, err);
}

int
blob_head(struct blob_client *c, const char *container, const char *blob,
    blob_done_cb cb, void *arg, struct clouddp_err *err)
{
	return start(c, BLOB_HEAD, container, blob, NULL, cb, arg, err);
}

int
blob_delete(struct blob_client *c, const char *container, const char *blob,
    blob_done_cb cb, void *arg, struct clouddp_err *err)
{
	return start(c, BLOB_DELETE, container, blob, NULL, cb, arg, err);
}

/* The listing's request with its query, not yet started. */
static struct blob_req *
list_req(struct blob_client *c, const char *container, blob_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct blob_req	*r;
	char		 q[96];

	if (c->list_max > 0)
		snprintf(q, sizeof(q), "restype=container&comp=list"
		    "&maxresults=%d", c->list_max);
	else
		snprintf(q, sizeof(q), "restype=container&comp=list");
	r = req_new(c, BLOB_LIST, container, NULL, q, err);
	if (r == NULL)
		return NULL;
	r->cb = cb;
	r->arg = arg;
	r->container = strdup(container);
	if (r->container == NULL) {
		req_free(r);
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	return r;
}

int
blob_list(struct blob_client *c, const char *container, blob_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct blob_req	*r;

	r = list_req(c, container, cb, arg, err);
	return r != NULL ? req_start(r, err) : -1;
}

int
blob_sum(struct blob_client *c, const char *container, blob_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct blob_req	*r;

	r = list_req(c, container, cb, arg, err);
	if (r == NULL)
		return -1;
	r->sum_only = 1;
	return req_start(r, err);
}

int
blob_put_file(struct blob_client *c, const char *container,
    const char *blob, const char *path, blob_done_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct blob_req	*r;
	struct stat	 st;
	char		 len[64];

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return clouddp_errf(err, CLOUDDP_EIO,
		    "give a regular file to upload", "%s: %s", path,
		    errno != 0 && !S_ISREG(st.st_mode) ? strerror(errno) :
		    "not a regular file");
	r = req_new(c, BLOB_PUT, container, blob, NULL, err);
	if (r == NULL)
		return -1;
	r->cb = cb;
	r->arg = arg;
	snprintf(len, sizeof(len), "Content-Length: %lld",
	    (long long)st.st_size);
	r->file = strdup(path);
	if (r->file == NULL) {
		req_free(r);
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	}
	if (add_header(r, len, err) == -1 ||
	    add_header(r, "Content-Type: application/octet-stream",
	    err) == -1 ||
	    add_header(r, "x-ms-blob-type: BlockBlob", err) == -1) {
		req_free(r);
		return -1;
	}
	return req_start(r, err);
}

/* The body of a put: the file's name, or a copy of the bytes. */
static int
put_body(struct blob_req *r, const struct blob_put *put, long long *len,
    struct clouddp_err *err)
{
	struct stat	 st;

	if (put->path == NULL) {
		*len = (long long)put->len;
		r->body = malloc(put->len > 0 ? put->len : 1);
		if (r->body == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		if (put->len > 0)
			memcpy(r->body, put->data, put->len);
		r->body_len = put->len;
		return 0;
	}
	if (stat(put->path, &st) == -1)
		return clouddp_errf(err, CLOUDDP_EIO, "check the path and its "
		    "permissions", "%s: %s", put->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return clouddp_errf(err, CLOUDDP_EIO, "give a regular file to "
		    "upload", "%s: not a regular file", put->path);
	*len = (long long)st.st_size;
	r->file = strdup(put->path);
	if (r->file == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	return 0;
}

int
blob_put(struct blob_client *c, const struct blob_put *put, blob_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	struct blob_req	*r;
	char		 line[96];
	long long	 len = 0;

	r = req_new(c, BLOB_PUT, put->container, put->blob, NULL, err);
	if (r == NULL)
		return -1;
	r->cb = cb;
	r->arg = arg;
	if (put_body(r, put, &len, err) == -1)
		goto fail;
	snprintf(line, sizeof(line), "Content-Length: %lld", len);
	if (add_header(r, line, err) == -1 ||
	    add_header(r, "Content-Type: application/octet-stream",
	    err) == -1 ||
	    add_header(r, "x-ms-blob-type: BlockBlob", err) == -1)
		goto fail;
	if (put->content_md5 != NULL) {
		snprintf(line, sizeof(line), "Content-MD5: %s",
		    put->content_md5);
		if (add_header(r, line, err) == -1)
			goto fail;
	}
	return req_start(r, err);
fail:
	req_free(r);
	return -1;
}

/* Feed the file's bytes to the digest; -1 with err filled. */
static int
md5_file(EVP_MD_CTX *md, const char *path, long long *size,
    struct clouddp_err *err)
{
	FILE		*fp;
	char		 buf[65536];
	size_t		 n;
	int		 rc = 0;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return clouddp_errf(err, CLOUDDP_EIO, "check the path and "
		    "its permissions", "%s: %s", path, strerror(errno));
	*size = 0;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		*size += (long long)n;
		if (EVP_DigestUpdate(md, buf, n) != 1)
			rc = -1;
	}
	if (ferror(fp))
		rc = clouddp_errf(err, CLOUDDP_EIO, "check the file",
		    "%s: read error", path);
	else if (rc == -1)
		clouddp_errf(err, CLOUDDP_EINTERNAL, NULL, "MD5 failed");
	fclose(fp);
	return rc;
}

int
blob_content_md5(const char *path, const void *data, size_t len,
    char out[25], long long *size, struct clouddp_err *err)
{
	EVP_MD_CTX	*md;
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 dlen = 0;
	int		 rc = -1;

	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1) {
		clouddp_errf(err, CLOUDDP_EINTERNAL, "check the OpenSSL "
		    "installation", "MD5 is not available");
		goto out;
	}
	if (path != NULL) {
		if (md5_file(md, path, size, err) == -1)
			goto out;
	} else {
		*size = (long long)len;
		if (len > 0 && EVP_DigestUpdate(md, data, len) != 1)
			goto bad;
	}
	if (EVP_DigestFinal_ex(md, d, &dlen) != 1 || dlen != 16)
		goto bad;
	EVP_EncodeBlock((unsigned char *)out, d, 16);
	rc = 0;
	goto out;
bad:
	clouddp_errf(err, CLOUDDP_EINTERNAL, NULL, "MD5 failed");
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int
blob_head_url(struct blob_client *c, const char *url, blob_done_cb cb,
    void *arg, struct clouddp_err *err)
{
	size_t		 n = strlen(c->endpoint);
	const char	*rest, *slash;
	char		*container = NULL, *blob = NULL;
	int		 rc = -1;

	if (strncmp(url, c->endpoint, n) != 0 || url[n] != '/')
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give a blob URL under the storage account's endpoint",
		    "%s: not under %s", url, c->endpoint);
	rest = url + n + 1;
	slash = strchr(rest, '/');
	if (slash == NULL || slash[1] == '\0' || strpbrk(rest, "?#%") != NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give the URL as ENDPOINT/CONTAINER/BLOB",
		    "%s: not a blob URL", url);
	container = strndup(rest, (size_t)(slash - rest));
	blob = strdup(slash + 1);
	if (container == NULL || blob == NULL)
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	else
		rc = blob_head(c, container, blob, cb, arg, err);
	free(container);
	free(blob);
	return rc;
}

/* Completion ----------------------------------------------------------- */

/* The text of child name of node into out; 0 when absent. */
static int
child_text(const struct xml_node *node, const char *name,
    struct clouddp_buf *out, struct clouddp_err *err)
{
	const struct xml_node	*n;

	n = node != NULL ? xml_node_child(node, name) : NULL;
	clouddp_buf_reset(out);
	if (n == NULL)
		return 0;
	return xml_node_text(n, out, err);
}

/* Code and the first line of Message from a storage error body. */
static void
error_body(const struct http_result *res, struct clouddp_buf *code,
    struct clouddp_buf *msg)
{
	struct clouddp_err	 e;
	struct xml_doc		*doc;
	const struct xml_node	*root;
	char			*nl;

	if (res->body == NULL || res->body_len == 0)
		return;
	doc = xml_parse(res->body, res->body_len, "error body", &e);
	if (doc == NULL)
		return;
	root = xml_doc_root(doc);
	if (strcmp(xml_node_name(root), "Error") == 0) {
		(void)child_text(root, "Code", code, &e);
		(void)child_text(root, "Message", msg, &e);
		nl = msg->data != NULL ? strchr(msg->data, '\n') : NULL;
		if (nl != NULL) {
			*nl = '\0';
			msg->len = (size_t)(nl - msg->data);
		}
	}
	xml_doc_free(doc);
}

static const char *
status_hint(long status)
{
	switch (status) {
	case 400:
		return "the service refused the request's form: report it";
	case 403:
		return "check the storage account name and key, and the "
		    "clock (the service refuses a date far from its own)";
	case 404:
		return "create the container first, or check its name";
	case 409:
		return "the name is taken or busy: pick another or wait";
	default:
		/* Not an error, nor what the request expects. */
		if (status < 400)
			return NOT_STORAGE_HINT;
		return status >= 500 ? "the service failed: retry later" :
		    NULL;
	}
}

/* Words for a code when the answer had no body (HEAD has none). */
static const char *
code_words(const char *code, long status)
{
	static const struct {
		const char	*code;
		const char	*words;
	} t[] = {
		{ "AuthenticationFailed", "the service could not "
		    "authenticate the request's SharedKey signature" },
		{ "AuthorizationFailure", "the service could not "
		    "authenticate or authorize the request's signature" },
		{ "ContainerNotFound", "the container does not exist" },
		{ "BlobNotFound", "the blob does not exist" },
		{ "ServerBusy", "the service is busy" },
	};
	size_t	 i;

	for (i = 0; code != NULL && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(code, t[i].code) == 0)
			return t[i].words;
	return status == 403 ? "the service refused the request" : "";
}

/* Fill err with what the service said, in words. */
static void
status_error(const struct blob_req *r, const struct http_result *res,
    struct blob_result *br, struct clouddp_buf *code, struct clouddp_buf *msg,
    struct clouddp_err *err)
{
	const char	*hdr = http_result_header(res, "x-ms-error-code");
	const char	*words;

	error_body(res, code, msg);
	if (code->len == 0 && hdr != NULL)
		(void)clouddp_buf_printf(code, err, "%s", hdr);
	br->error_code = code->len > 0 ? code->data : NULL;
	words = msg->len > 0 ? msg->data : code_words(br->error_code,
	    res->status);
	clouddp_errf(err, CLOUDDP_EAPI, status_hint(res->status),
	    "%s %s: %ld %s%s%s (request id %s)", kind_names[r->kind],
	    r->url, res->status, code->len > 0 ? code->data : "(no code)",
	    *words != '\0' ? ": " : "", words,
	    res->request_id != NULL ? res->request_id : "none");
}

static int
list_add(struct blob_req *r, const char *name, long long size,
    struct clouddp_err *err)
{
	struct blob_item	*n;

	if (r->sum_only) {
		r->nitems++;
		r->total += size;
		return 0;
	}
	if (r->nitems == r->items_cap) {
		r->items_cap = r->items_cap ? r->items_cap * 2 : 16;
		n = reallocarray(r->items, r->items_cap, sizeof(*n));
		if (n == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		r->items = n;
	}
	r->items[r->nitems].name = strdup(name);
	if (r->items[r->nitems].name == NULL)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
		    "out of memory");
	r->items[r->nitems++].size = size;
	r->total += size;
	return 0;
}

/* One page of a listing into r; the NextMarker into marker. */
static int
list_page(struct blob_req *r, const struct http_result *res,
    struct clouddp_buf *marker, struct clouddp_err *err)
{
	struct xml_doc		*doc;
	const struct xml_node	*root, *b, *props;
	struct clouddp_buf	 name = { NULL, 0, 0 }, len = { NULL, 0, 0 };
	int			 rc = -1;

	doc = xml_parse(res->body != NULL ? res->body : "", res->body_len,
	    r->url, err);
	if (doc == NULL) {
		/* xml.c's hint speaks of files; this came from a server. */
		clouddp_err_prefix(err, "list blobs");
		snprintf(err->hint, sizeof(err->hint), "%s", NOT_STORAGE_HINT);
		return -1;
	}
	root = xml_doc_root(doc);
	if (strcmp(xml_node_name(root), "EnumerationResults") != 0) {
		clouddp_errf(err, CLOUDDP_EAPI, NOT_STORAGE_HINT, "list blobs "
		    "%s: no EnumerationResults in the listing", r->url);
		goto out;
	}
	b = xml_node_child(root, "Blobs");
	for (b = b != NULL ? xml_node_child(b, "Blob") : NULL; b != NULL;
	    b = xml_node_next(b, "Blob")) {
		props = xml_node_child(b, "Properties");
		if (child_text(b, "Name", &name, err) != 1 ||
		    child_text(props, "Content-Length", &len, err) != 1) {
			clouddp_errf(err, CLOUDDP_EAPI, NULL, "%s: a Blob "
			    "without Name or Content-Length", r->url);
			goto out;
		}
		if (list_add(r, name.data, strtoll(len.data, NULL, 10),
		    err) == -1)
			goto out;
	}
	if (child_text(root, "NextMarker", marker, err) == -1)
		goto out;
	rc = 0;
out:
	clouddp_buf_free(&name);
	clouddp_buf_free(&len);
	xml_doc_free(doc);
	return rc;
}

/* Start the next page of r at marker; r moves to a new request. */
static int
list_next(struct blob_req *r, const char *marker, struct clouddp_err *err)
{
	struct clouddp_buf	 q = { NULL, 0, 0 };
	struct blob_req		*n;

	if (clouddp_buf_printf(&q, err, "restype=container&comp=list") ==
	    -1 || (r->client->list_max > 0 && clouddp_buf_printf(&q, err,
	    "&maxresults=%d", r->client->list_max) == -1) ||
	    clouddp_buf_printf(&q, err, "&marker=") == -1 ||
	    append_encoded(&q, marker, 0, err) == -1) {
		clouddp_buf_free(&q);
		return -1;
	}
	n = req_new(r->client, BLOB_LIST, r->container, NULL, q.data, err);
	clouddp_buf_free(&q);
	if (n == NULL)
		return -1;
	/* The items so far, the callback and the container go along. */
	n->cb = r->cb;
	n->arg = r->arg;
	n->container = r->container;
	n->items = r->items;
	n->nitems = r->nitems;
	n->items_cap = r->items_cap;
	n->total = r->total;
	n->sum_only = r->sum_only;
	r->container = NULL;
	r->items = NULL;
	r->nitems = 0;
	return req_start(n, err);
}

/* The statuses each kind expects: ok, and the one meaning "not there". */
static const long kind_ok[BLOB_KIND__MAX] = { 200, 201, 201, 200, 202, 200 };

static int
judge(struct blob_req *r, const struct http_result *res,
    struct blob_result *br, int *more, struct clouddp_err *err)
{
	struct clouddp_buf	 code = { NULL, 0, 0 }, msg = { NULL, 0, 0 };
	struct clouddp_buf	 marker = { NULL, 0, 0 };
	const char		*len;
	int			 rc = -1;

	if (res->status == 404 && r->kind != BLOB_CONTAINER_CREATE &&
	    r->kind != BLOB_PUT && r->kind != BLOB_LIST) {
		br->error_code = http_result_header(res, "x-ms-error-code");
		return 0;
	}
	if (res->status != kind_ok[r->kind]) {
		status_error(r, res, br, &code, &msg, err);
		goto out;
	}
	br->found = 1;
	br->etag = http_result_header(res, "ETag");
	len = http_result_header(res, "Content-Length");
	if (r->kind == BLOB_HEAD && len != NULL)
		br->size = strtoll(len, NULL, 10);
	if (r->kind == BLOB_HEAD || r->kind == BLOB_PUT)
		br->content_md5 = http_result_header(res, "Content-MD5");
	if (r->kind == BLOB_LIST) {
		if (list_page(r, res, &marker, err) == -1)
			goto out;
		if (marker.len > 0) {
			*more = 1;
			if (list_next(r, marker.data, err) == -1)
				*more = 0;
			else
				rc = 0;
			goto out;
		}
	}
	rc = 0;
out:
	/* The error text is in err; the code's buffer must outlive the
	 * callback only through err, so br loses it here. */
	br->error_code = rc == -1 ? http_result_header(res,
	    "x-ms-error-code") : br->error_code;
	clouddp_buf_free(&code);
	clouddp_buf_free(&msg);
	clouddp_buf_free(&marker);
	return rc;
}

/* What to do about a request that did not end with a whole answer. */
static const char *
failed_hint(const struct http_result *res)
{
	switch (res->fail) {
	case HTTP_FAIL_BODY_MAX:
	case HTTP_FAIL_HEADERS_MAX:
		return NOT_STORAGE_HINT;
	case HTTP_FAIL_STALL:
		return "the Blob endpoint stalls: check it and any proxy, "
		    "then run again";
	default:
		return "check the Blob endpoint and that the service runs";
	}
}

static void
on_done(void *arg, const struct clouddp_err *herr,
    const struct http_result *res)
{
	struct blob_req		*r = arg;
	struct blob_result	 br;
	struct clouddp_err	 err;
	int			 more = 0, rc;

	req_unlink(r);
	memset(&br, 0, sizeof(br));
	br.size = -1;
	if (herr != NULL) {
		r->cb(r->arg, herr, NULL);
		goto out;
	}
	br.status = res->status;
	br.request_id = res->request_id;
	if (res->stage != HTTP_STAGE_DONE) {
		clouddp_errf(&err, res->fail == HTTP_FAIL_TIMEOUT ?
		    CLOUDDP_ETIMEOUT : res->fail == HTTP_FAIL_RESOLVE ?
		    CLOUDDP_EDNS : CLOUDDP_EHTTP, failed_hint(res),
		    "%s %s: %s", kind_names[r->kind], r->url, res->error);
		r->cb(r->arg, &err, &br);
		goto out;
	}
	rc = judge(r, res, &br, &more, &err);
	if (more)
		goto out;	/* the next page carries on */
	br.nitems = r->nitems;
	br.items = r->items;
	br.total_size = r->total;
	r->cb(r->arg, rc == -1 ? &err : NULL, &br);
out:
	req_free(r);
}
