/*
 * httpreq: one request through http.c, for tests/t/http.sh, printing
 * what the result holds, one "key=value" per line, then the body after
 * a "body:" line.  Exits 0 when the request ran (whatever its outcome),
 * 3 when it could not be set up.
 *
 * usage: httpreq [-k] [-X METHOD] [-H HEADER]... [-d DATA | -T FILE]
 *            [-m MAX] [-C CAFILE] [-E CERT -p PWFILE] [-x PROXY
 *            [-P PWFILE]] [-c CONNECT_TO] [-t SECONDS] URL
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "cert.h"
#include "http.h"
#include "loop.h"
#include "secret.h"

static const char *const stages[] = {
	"tcp", "proxy", "tls", "response", "done"
};
static const char *const fails[] = {
	"none", "refused", "unreachable", "timeout", "status", "verify",
	"client_cert", "body_max", "resolve", "stall", "headers_max", "error"
};

static void
done(void *arg, const struct clouddp_err *err, const struct http_result *r)
{
	size_t	 i;

	(void)arg;
	if (err != NULL) {
		printf("error=%s\n", err->what);
		return;
	}
	printf("stage=%s\nfail=%s\n", stages[r->stage], fails[r->fail]);
	if (r->error[0] != '\0')
		printf("error=%s\n", r->error);
	printf("status=%ld\n", r->status);
	printf("proxy=%s\n", r->proxy != NULL ? r->proxy : "none");
	printf("request_id=%s\n", r->request_id != NULL ? r->request_id : "");
	printf("retry_after=%ld\nretry_at=%lld\n", r->retry_after,
	    r->retry_at);
	printf("location=%s\n", r->location != NULL ? r->location : "");
	printf("content_type=%s\n", r->content_type != NULL ?
	    r->content_type : "");
	for (i = 0; i < r->nheaders; i++)
		printf("header %s: %s\n", r->headers[i].name,
		    r->headers[i].value);
	printf("body_len=%zu\nbody:\n", r->body_len);
	if (r->body != NULL)
		fwrite(r->body, 1, r->body_len, stdout);
}

static char *
password(const char *path, struct clouddp_err *err)
{
	struct clouddp_secret_src	 src = { CLOUDDP_SECRET_FILE, path, NULL };
	char				*pw = NULL;

	if (secret_read(&src, "", &pw, err) == -1)
		return NULL;
	return pw;
}

static int
run(struct http_req_opts *o, struct clouddp_err *err)
{
	struct loop		*loop = NULL;
	struct http_multi	*m = NULL;
	int			 rc = -1;

	loop = loop_new(err);
	if (loop == NULL)
		goto out;
	m = http_multi_new(loop, err);
	if (m == NULL || http_req_start(m, o, done, NULL, err) == -1 ||
	    loop_run(loop, 0, err) == -1)
		goto out;
	rc = 0;
out:
	http_multi_free(m);
	loop_free(loop);
	return rc;
}

struct args {
	struct http_req_opts	 o;
	const char		*hdrs[16];
	const char		*cert_path;
	const char		*pw_path;
	struct secret_shield	*proxy_pw;
};

static int
opt(struct args *a, int c, struct clouddp_err *err)
{
	struct clouddp_secret_src src = { CLOUDDP_SECRET_FILE, NULL, NULL };

	switch (c) {
	case 'C':
		a->o.cacert = optarg;
		break;
	case 'E':
		a->cert_path = optarg;
		break;
	case 'H':
		if (a->o.nheaders < 16)
			a->hdrs[a->o.nheaders++] = optarg;
		break;
	case 'P':
		src.arg = optarg;
		a->proxy_pw = http_proxy_password_read(&src, err);
		if (a->proxy_pw == NULL)
			return -1;
		a->o.proxy_password = a->proxy_pw;
		break;
	case 'T':
		a->o.body_file = optarg;
		break;
	case 'X':
		a->o.method = optarg;
		break;
	case 'c':
		a->o.connect_to = optarg;
		break;
	case 'd':
		a->o.body = optarg;
		a->o.body_len = strlen(optarg);
		break;
	case 'k':
		a->o.insecure = 1;
		break;
	case 'm':
		a->o.body_max = strtoul(optarg, NULL, 10);
		break;
	case 'p':
		a->pw_path = optarg;
		break;
	case 't':
		a->o.timeout = a->o.connect_timeout = atof(optarg);
		break;
	case 'x':
		a->o.proxy = optarg;
		break;
	default:
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "bad option");
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct args		 a;
	struct clouddp_err	 err;
	char			*pw = NULL;
	struct cert		*cert = NULL;
	int			 c, status = 3;

	memset(&a, 0, sizeof(a));
	a.o.headers = a.hdrs;
	a.o.keep_body = 1;
	a.o.connect_timeout = a.o.timeout = 5;
	while ((c = getopt(argc, argv, "C:E:H:P:T:X:c:d:km:p:t:x:")) != -1)
		if (opt(&a, c, &err) == -1)
			goto fail;
	if (optind != argc - 1)
		return 3;
	a.o.url = argv[optind];
	if (clouddp_global_init(&err) == -1)
		goto fail;
	if (a.cert_path != NULL) {
		if (a.pw_path != NULL &&
		    (pw = password(a.pw_path, &err)) == NULL)
			goto fail;
		cert = cert_load_file(a.cert_path, pw, &err);
		if (cert == NULL)
			goto fail;
		a.o.tls_setup = cert_tls_client_use;
		a.o.tls_arg = cert;
	}
	if (run(&a.o, &err) == -1)
		goto fail;
	status = 0;
	goto out;
fail:
	fprintf(stderr, "httpreq: %s\n", err.what);
out:
	secret_free(pw);
	secret_shield_free(a.proxy_pw);
	cert_free(cert);
	clouddp_global_cleanup();
	return status;
}
