/*
 * blob.c's SharedKey signing against the test vector that Azurite
 * accepted (and refused with one byte changed), and the canonical forms
 * the signature is computed over.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "../tap.h"

#define DEV_KEY "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErC" \
		"z4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

static const char *
sign(const char *method, const char *url, const char *const *h, size_t n,
    struct clouddp_buf *out)
{
	struct blob_sign_req	 s;
	struct clouddp_err	 err;

	memset(&s, 0, sizeof(s));
	s.account = "devstoreaccount1";
	s.key = DEV_KEY;
	s.method = method;
	s.url = url;
	s.headers = h;
	s.nheaders = n;
	if (blob_sign(&s, out, &err) == -1) {
		diag("%s", err.what);
		return NULL;
	}
	return out->data;
}

static void
test_vector(void)
{
	const char *const	 h[] = {
		"x-ms-date: Mon, 01 Jan 2024 00:00:00 GMT",
		"x-ms-version: 2020-04-08"
	};
	const char *const	 h2[] = {
		"x-ms-version:   2020-04-08",
		"X-MS-DATE: Mon, 01   Jan 2024 00:00:00 GMT"
	};
	struct clouddp_buf	 out = { NULL, 0, 0 };
	const char		*want = "SharedKey devstoreaccount1:"
				    "eIKK5qPEuvJTu9HCMbvOX9RM4iTg0whAXBvDk5/QcsE=";

	is(sign("HEAD", "http://127.0.0.1:10000/devstoreaccount1/vectortest"
	    "?restype=container", h, 2, &out), want,
	    "the vector Azurite accepted");
	is(sign("HEAD", "http://127.0.0.1:10000/devstoreaccount1/vectortest"
	    "?restype=container", h2, 2, &out), want,
	    "x-ms- names any case and order, values' spaces folded");
	ok(strcmp(sign("HEAD", "http://127.0.0.1:10000/devstoreaccount1/"
	    "vectortesu?restype=container", h, 2, &out), want) != 0,
	    "one byte of the path changed: another signature");
	ok(strcmp(sign("GET", "http://127.0.0.1:10000/devstoreaccount1/"
	    "vectortest?restype=container", h, 2, &out), want) != 0,
	    "another method: another signature");
	clouddp_buf_free(&out);
}

static void
test_query(void)
{
	const char *const	 h[] = { "x-ms-version: 2020-04-08" };
	const char *const	 hz[] = {
		"x-ms-version: 2020-04-08", "Content-Length: 0"
	};
	struct clouddp_buf	 a = { NULL, 0, 0 }, b = { NULL, 0, 0 };

	sign("GET", "http://h/devstoreaccount1/c?restype=container&comp=list",
	    h, 1, &a);
	sign("GET", "http://h/devstoreaccount1/c?COMP=list&restype=container",
	    h, 1, &b);
	is(a.data, b.data, "query names sorted and lower-cased");
	sign("GET", "http://h/devstoreaccount1/c?comp=list&marker=a%2Fb",
	    h, 1, &a);
	sign("GET", "http://h/devstoreaccount1/c?comp=list&marker=a/b",
	    h, 1, &b);
	is(a.data, b.data, "query values signed decoded");
	sign("PUT", "http://h/devstoreaccount1/c?restype=container", h, 1, &a);
	sign("PUT", "http://h/devstoreaccount1/c?restype=container", hz, 2,
	    &b);
	is(a.data, b.data, "Content-Length 0 signed as empty");
	clouddp_buf_free(&a);
	clouddp_buf_free(&b);
}

static void
test_bad(void)
{
	struct blob_sign_req	 s;
	struct clouddp_buf	 out = { NULL, 0, 0 };
	struct clouddp_err	 err;

	memset(&s, 0, sizeof(s));
	s.account = "a";
	s.key = "not base64!";
	s.method = "GET";
	s.url = "http://h/a/c";
	ok(blob_sign(&s, &out, &err) == -1 && err.code == CLOUDDP_ECONFIG &&
	    strstr(err.what, "not base64") != NULL, "a bad key is refused");
	ok(strstr(err.what, "base64!") == NULL, "and not echoed");
	ok(blob_container_name_check("content", &err) == 0,
	    "container name: content");
	ok(blob_container_name_check("ab", &err) == -1, "too short");
	ok(blob_container_name_check("a--b", &err) == -1,
	    "consecutive hyphens");
	ok(blob_container_name_check("Abc", &err) == -1, "upper case");
	ok(blob_container_name_check("-ab", &err) == -1,
	    "starts with a hyphen");
	clouddp_buf_free(&out);
}

static void
test_account(void)
{
	char	buf[64];

	blob_endpoint_account("http://127.0.0.1:10000/devstoreaccount1/", buf,
	    sizeof(buf));
	ok(strcmp(buf, "devstoreaccount1") == 0, "path-style: the segment");
	blob_endpoint_account("https://abc123.blob.core.windows.net/", buf,
	    sizeof(buf));
	ok(strcmp(buf, "abc123") == 0, "Azure: the host's first label");
}

int
main(void)
{
	plan(16);
	test_vector();
	test_query();
	test_bad();
	test_account();
	return done_testing();
}
