/*
 * The Blob client (blob.c) as the provisioner drives it, answered by
 * the fuzz input through fake_http.c: the first line names one request
 * (exists, create, put, head, delete, list, sum), the sections after it
 * answer it and the pages that follow (List Blobs' XML and NextMarker,
 * the service's error bodies and x-ms-error-code, ETag, Content-MD5 and
 * Content-Length headers).  The callback runs once, with an error in
 * words or a result whose listing adds up.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "blob.h"
#include "http.h"
#include "xml.h"
#include "fake_http.h"
#include "fuzz.h"

/* Azurite's well-known development account. */
#define ACCOUNT	"devstoreaccount1"
#define KEY	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6" \
		"tq/K1SZFPTOtr/KBHBeksoGMGw=="
#define STEPS_MAX	200

enum op {
	OP_EXISTS, OP_CREATE, OP_PUT, OP_HEAD, OP_DELETE, OP_LIST, OP_SUM,
	OP__MAX
};

static const char *const op_names[OP__MAX] = {
	"exists", "create", "put", "head", "delete", "list", "sum"
};

struct outcome {
	int	 calls;
	int	 op;
};

const struct fuzz_target	 fuzz_target = { FUZZ_NEED_XML, NULL };

static void
list_ok(const struct blob_result *r, int op)
{
	long long	 sum = 0;
	size_t		 i;

	if (op == OP_SUM) {
		FUZZ_ASSERT(r->items == NULL);
		return;
	}
	FUZZ_ASSERT(r->nitems == 0 || r->items != NULL);
	for (i = 0; i < r->nitems; i++) {
		FUZZ_ASSERT(r->items[i].name != NULL);
		sum += r->items[i].size;
	}
	FUZZ_ASSERT(sum == r->total_size);
}

static void
done(void *arg, const struct clouddp_err *err, const struct blob_result *r)
{
	struct outcome	*o = arg;
	const char	*p;

	o->calls++;
	FUZZ_ASSERT(o->calls == 1);
	if (getenv("CLOUDDP_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s: %s\n", op_names[o->op], err != NULL ?
		    err->what : "done");
	if (err != NULL) {
		FUZZ_ASSERT(err->what[0] != '\0');
		/* One line, whatever the service put in it. */
		for (p = err->what; *p != '\0'; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
		return;
	}
	FUZZ_ASSERT(r != NULL);
	if (o->op == OP_LIST || o->op == OP_SUM)
		list_ok(r, o->op);
	if (r->content_md5 != NULL)
		FUZZ_ASSERT(strlen(r->content_md5) < 4096);
}

static int
start(struct blob_client *c, struct outcome *o, struct clouddp_err *err)
{
	static const char	 data[] = "package";
	struct blob_put		 p = { "content", "p.cspkg", NULL, data,
	    sizeof(data) - 1, NULL };

	switch (o->op) {
	case OP_EXISTS:
		return blob_container_exists(c, "content", done, o, err);
	case OP_CREATE:
		return blob_container_create(c, "content", done, o, err);
	case OP_PUT:
		return blob_put(c, &p, done, o, err);
	case OP_HEAD:
		return blob_head(c, "content", "p.cspkg", done, o, err);
	case OP_DELETE:
		return blob_delete(c, "content", "p.cspkg", done, o, err);
	case OP_LIST:
		return blob_list(c, "content", done, o, err);
	default:
		return blob_sum(c, "content", done, o, err);
	}
}

/* The request the first line names, or -1. */
static int
op_of(const uint8_t *data, size_t len, size_t *skip)
{
	size_t	 i, n;

	for (n = 0; n < len && data[n] != '\n'; n++)
		;
	for (i = 0; i < OP__MAX; i++)
		if (strlen(op_names[i]) == n &&
		    memcmp(data, op_names[i], n) == 0) {
			*skip = n < len ? n + 1 : n;
			return (int)i;
		}
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct blob_cfg		 cfg;
	struct clouddp_err	 err;
	struct outcome		 o = { 0, 0 };
	struct http_multi	*multi;
	struct blob_client	*c;
	size_t			 skip, steps;

	o.op = op_of(data, len, &skip);
	if (o.op == -1)
		return 0;
	multi = http_multi_new(NULL, &err);
	FUZZ_ASSERT(multi != NULL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = "http://127.0.0.1:10000/" ACCOUNT;
	cfg.account = ACCOUNT;
	cfg.key = KEY;
	cfg.proxy = "";
	c = blob_client_new(multi, &cfg, &err);
	FUZZ_ASSERT(c != NULL);
	fake_http_script((const char *)data + skip, len - skip);
	if (start(c, &o, &err) == -1)
		FUZZ_ASSERT(err.what[0] != '\0' && o.calls == 0);
	else
		for (steps = 0; steps < STEPS_MAX && o.calls == 0; steps++)
			if (fake_http_step() == 0)
				break;
	blob_client_free(c);
	http_multi_free(multi);
	fake_http_reset();
	return 0;
}
