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
#include "fake_http.h"
#include "fuzz.h"

/* Azurite's well-known development account. */
#define ACCOUNT	"devstoreaccount1"
#define KEY	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6" \
		"tq/K1SZFPTOtr/KBHBeksoGMGw=="

enum op {
	OP_EXISTS, OP_CREATE, OP_PUT, OP_HEAD, OP_DELETE, OP_LIST, OP_SUM,
	OP__MAX
};

static const char *const op_names[OP__MAX] = {
	"exists", "create", "put", "head", "delete", "list", "sum"
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
	struct fake_op	*o = arg;

	if (fake_http_done(o, err))
		return;
	FUZZ_ASSERT(r != NULL);
	if (o->op == OP_LIST || o->op == OP_SUM)
		list_ok(r, o->op);
	if (r->content_md5 != NULL)
		FUZZ_ASSERT(strlen(r->content_md5) < 4096);
}

static int
start(void *arg, struct fake_op *o, struct clouddp_err *err)
{
	static const char	 data[] = "package";
	struct blob_client	*c = arg;
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct blob_cfg		 cfg;
	struct clouddp_err	 err;
	struct fake_op		 o = { op_names, OP__MAX, 0, 0 };
	struct http_multi	*multi;
	struct blob_client	*c;

	if (fake_http_begin(&o, data, len) == -1)
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
	fake_http_drive(&o, NULL, start, c);
	blob_client_free(c);
	http_multi_free(multi);
	fake_http_reset();
	return 0;
}
