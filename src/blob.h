/*
 * Azure Blob storage with SharedKey signing, on the loop through http.h:
 * what a cloud DP needs of its storage account.  The content container
 * (exists, create), a package blob (put from a file, properties,
 * delete) and a container's listing.  The endpoint is a base URL, either
 * Azure's https://ACCOUNT.blob.core.windows.net or a path-style one as
 * Azurite serves it, http://127.0.0.1:10000/devstoreaccount1; its path
 * is signed as sent, so the account appears twice in the signed
 * resource of a path-style request, as the service expects.
 */
#ifndef CLOUDDP_BLOB_H
#define CLOUDDP_BLOB_H

#include <stddef.h>
#include <time.h>

#include "clouddp.h"
#include "http.h"

/* The x-ms-version every request sends. */
#define BLOB_VERSION	"2020-04-08"

/* The account and how to reach it; strings are copied by _new. */
struct blob_cfg {
	const char	*endpoint;	/* base URL, no query */
	const char	*account;
	const char	*key;		/* base64, as Get Storage Keys says */
	const char	*cacert;	/* https: CA file, NULL the system's */
	const char	*proxy;		/* NULL: the environment's, as curl
					 * takes it; "": none */
	const struct secret_shield *proxy_password; /* the proxy URL's
					 * user's, shielded; borrowed while
					 * the client lives */
	double		 timeout;	/* per request, seconds; 0: 60 */
	time_t		 (*clock)(void);	/* x-ms-date; NULL: time() */
	int		 list_max;	/* blobs per listing page, 1-5000;
					 * 0: the service's (5000) */
};

/* One blob of a listing; borrowed, valid during the callback. */
struct blob_item {
	const char	*name;
	long long	 size;		/* Content-Length */
};

/*
 * What a request found.  Pointers are borrowed and valid only during the
 * completion callback.
 */
struct blob_result {
	long		 status;	/* HTTP status, 0 none */
	int		 found;		/* exists: 1; 404: 0 */
	const char	*error_code;	/* the service's, NULL none */
	const char	*request_id;	/* x-ms-request-id, NULL none */
	const char	*etag;		/* NULL none */
	long long	 size;		/* the blob's Content-Length, -1 */
	size_t		 nitems;	/* list: every page */
	const struct blob_item *items;
	long long	 total_size;	/* list: sum of the sizes */
	const char	*content_md5;	/* head, put: base64 or NULL */
};

/*
 * Called once when a request ends.  err is NULL on success (a missing
 * container or blob is a success with found 0); otherwise it says what
 * failed in words (the service's error code and message, the request
 * id) and res, when not NULL, has what the service answered.
 */
typedef void	(*blob_done_cb)(void *, const struct clouddp_err *,
		    const struct blob_result *);

struct blob_client;

/*
 * A client for one account; requests run on multi.  Returns NULL with
 * err filled: a key that is not base64, an endpoint that is not an
 * http or https URL.  The key is wiped by _free.
 */
struct blob_client *blob_client_new(struct http_multi *,
		    const struct blob_cfg *, struct clouddp_err *);
void		 blob_client_free(struct blob_client *);

/*
 * Each starts one request and returns 0, or -1 with err filled (and the
 * callback never called).  Container and blob names are checked and
 * percent-encoded.  Requests still running when the client is freed are
 * abandoned without their callbacks.
 */
int	 blob_container_exists(struct blob_client *, const char *,
	    blob_done_cb, void *, struct clouddp_err *);
/* Create; an existing container is an error (409 ContainerAlreadyExists). */
int	 blob_container_create(struct blob_client *, const char *,
	    blob_done_cb, void *, struct clouddp_err *);
/* A block blob from a file, streamed, in one Put Blob. */
int	 blob_put_file(struct blob_client *, const char *, const char *,
	    const char *, blob_done_cb, void *, struct clouddp_err *);
/*
 * What blob_put uploads as one block blob: the file path (streamed), or
 * else len bytes at data (copied).  content_md5, the base64 MD5 of the
 * body, is sent so that the service refuses a body damaged on the way
 * (400 Md5Mismatch); NULL sends none.
 */
struct blob_put {
	const char	*container;
	const char	*blob;
	const char	*path;
	const void	*data;
	size_t		 len;
	const char	*content_md5;
};
int	 blob_put(struct blob_client *, const struct blob_put *,
	    blob_done_cb, void *, struct clouddp_err *);
/*
 * The base64 MD5 of the file path, or of len bytes at data when path is
 * NULL, as Content-MD5 carries it, into out; the file's size into *size
 * (len for bytes).  Returns 0, or -1 with err filled (CLOUDDP_EIO).
 */
int	 blob_content_md5(const char *, const void *, size_t, char[25],
	    long long *, struct clouddp_err *);
/* Get Blob Properties (HEAD): found, size, ETag and Content-MD5. */
int	 blob_head(struct blob_client *, const char *, const char *,
	    blob_done_cb, void *, struct clouddp_err *);
/* The same for a full blob URL under the client's endpoint. */
int	 blob_head_url(struct blob_client *, const char *, blob_done_cb,
	    void *, struct clouddp_err *);
int	 blob_delete(struct blob_client *, const char *, const char *,
	    blob_done_cb, void *, struct clouddp_err *);
/* Every blob of a container, following NextMarker page by page. */
int	 blob_list(struct blob_client *, const char *, blob_done_cb, void *,
	    struct clouddp_err *);
/*
 * The same, keeping no names: nitems counts the blobs, items is NULL and
 * total_size sums their sizes, in memory bounded whatever the count.
 */
int	 blob_sum(struct blob_client *, const char *, blob_done_cb, void *,
	    struct clouddp_err *);

/*
 * The Authorization value ("SharedKey ACCOUNT:SIGNATURE") of a request:
 * method, URL as sent, and its "Name: value" header lines, each signed
 * as the Blob service's SharedKey scheme says.  key is base64.  Fills
 * out; returns 0, or -1 with err filled.
 */
struct blob_sign_req {
	const char		*account;
	const char		*key;
	const char		*method;
	const char		*url;
	const char *const	*headers;
	size_t			 nheaders;
};
int	 blob_sign(const struct blob_sign_req *, struct clouddp_buf *,
	    struct clouddp_err *);

/*
 * The storage account a blob endpoint URL names, into buf: the first
 * path segment of a path-style endpoint (Azurite's
 * http://host:port/account), else the host's first label (Azure's
 * https://account.blob.core.windows.net/).
 */
void	 blob_endpoint_account(const char *, char *, size_t);

/* 0 when name is a valid container name, else -1 with err filled. */
int	 blob_container_name_check(const char *, struct clouddp_err *);

#endif /* CLOUDDP_BLOB_H */
