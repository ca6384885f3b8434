/*
 * blobreq: one Blob request through blob.c, for tests/t/blob.sh,
 * printing what the result holds, one "key=value" per line (a listing:
 * one "blob NAME SIZE" line per blob).  The key comes from the
 * environment variable CLOUDDP_BLOB_KEY, never argv.  Exits 0 when the
 * request succeeded, 1 when it ran and failed (error= and hint= say
 * why), 3 when it could not be set up.  CLOUDDP_BLOB_LIST_MAX sets the
 * blobs per listing page, CLOUDDP_BLOB_TIMEOUT the seconds per request.
 *
 * usage: blobreq ENDPOINT ACCOUNT exists|create|list|sum CONTAINER
 *        blobreq ENDPOINT ACCOUNT head|delete CONTAINER BLOB
 *        blobreq ENDPOINT ACCOUNT put CONTAINER BLOB FILE
 *        blobreq ENDPOINT ACCOUNT headurl URL
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "blob.h"
#include "http.h"
#include "loop.h"

static int	 status = 3;

static void
done(void *arg, const struct clouddp_err *err, const struct blob_result *r)
{
	size_t	 i;

	(void)arg;
	if (r != NULL) {
		printf("status=%ld\nfound=%d\n", r->status, r->found);
		printf("error_code=%s\n", r->error_code != NULL ?
		    r->error_code : "");
		printf("request_id=%s\n", r->request_id != NULL ?
		    r->request_id : "");
		printf("etag=%s\nsize=%lld\n", r->etag != NULL ? r->etag :
		    "", r->size);
		printf("nitems=%zu\ntotal_size=%lld\n", r->nitems,
		    r->total_size);
		printf("content_md5=%s\n", r->content_md5 != NULL ?
		    r->content_md5 : "");
		for (i = 0; r->items != NULL && i < r->nitems; i++)
			printf("blob %s %lld\n", r->items[i].name,
			    r->items[i].size);
	}
	if (err != NULL)
		printf("error=%s\nhint=%s\n", err->what, err->hint);
	status = err != NULL ? 1 : 0;
}

static int
start(struct blob_client *c, int argc, char **argv, struct clouddp_err *err)
{
	const char	*op = argv[3];

	if (strcmp(op, "exists") == 0)
		return blob_container_exists(c, argv[4], done, NULL, err);
	if (strcmp(op, "create") == 0)
		return blob_container_create(c, argv[4], done, NULL, err);
	if (strcmp(op, "list") == 0)
		return blob_list(c, argv[4], done, NULL, err);
	if (strcmp(op, "sum") == 0)
		return blob_sum(c, argv[4], done, NULL, err);
	if (strcmp(op, "headurl") == 0)
		return blob_head_url(c, argv[4], done, NULL, err);
	if (strcmp(op, "head") == 0 && argc == 6)
		return blob_head(c, argv[4], argv[5], done, NULL, err);
	if (strcmp(op, "delete") == 0 && argc == 6)
		return blob_delete(c, argv[4], argv[5], done, NULL, err);
	if (strcmp(op, "put") == 0 && argc == 7)
		return blob_put_file(c, argv[4], argv[5], argv[6], done, NULL,
		    err);
	return clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "%s: unknown", op);
}

int
main(int argc, char **argv)
{
	struct clouddp_err	 err;
	struct loop		*loop = NULL;
	struct http_multi	*m = NULL;
	struct blob_client	*c = NULL;
	struct blob_cfg		 cfg;
	const char		*key = getenv("CLOUDDP_BLOB_KEY");

	if (argc < 5 || key == NULL) {
		fprintf(stderr, "usage: CLOUDDP_BLOB_KEY=KEY blobreq ENDPOINT "
		    "ACCOUNT OP ARGS...\n");
		return 3;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = argv[1];
	cfg.account = argv[2];
	cfg.key = key;
	cfg.timeout = 20;
	cfg.proxy = "";
	if (getenv("CLOUDDP_BLOB_TIMEOUT") != NULL)
		cfg.timeout = atof(getenv("CLOUDDP_BLOB_TIMEOUT"));
	if (getenv("CLOUDDP_BLOB_LIST_MAX") != NULL)
		cfg.list_max = atoi(getenv("CLOUDDP_BLOB_LIST_MAX"));
	if (clouddp_global_init(&err) == -1 ||
	    (loop = loop_new(&err)) == NULL ||
	    (m = http_multi_new(loop, &err)) == NULL ||
	    (c = blob_client_new(m, &cfg, &err)) == NULL ||
	    start(c, argc, argv, &err) == -1 ||
	    loop_run(loop, 0, &err) == -1) {
		printf("error=%s\nhint=%s\n", err.what, err.hint);
		status = 3;
	}
	http_multi_free(m);
	blob_client_free(c);
	loop_free(loop);
	clouddp_global_cleanup();
	return status;
}
