/*
 * Loading a .pfx whose password is a secret.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "cert.h"
#include "pfx.h"
#include "secret.h"

struct pfx_try {
	const char	*path;
	struct cert	*cert;
};

static int
pfx_try(void *arg, const char *pw, struct clouddp_err *err)
{
	struct pfx_try	*t = arg;

	t->cert = cert_load_file(t->path, pw, err);
	return t->cert != NULL ? 0 : -1;
}

struct cert *
pfx_load(const char *path, const struct clouddp_secret_src *src,
    char **keep, struct clouddp_err *err)
{
	struct secret_req	 req;
	struct pfx_try		 t = { path, NULL };
	char			 prompt[300];

	snprintf(prompt, sizeof(prompt), "Password for %s: ", path);
	memset(&req, 0, sizeof(req));
	req.src = src;
	req.prompt = prompt;
	req.empty_first = 1;
	req.check = pfx_try;
	req.arg = &t;
	if (secret_load(&req, keep, err) == -1)
		return NULL;
	return t.cert;
}

int
pfx_read(const char *path, struct clouddp_buf *b, struct clouddp_err *err)
{
	FILE	*fp;
	char	 buf[4096];
	size_t	 n;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: cannot read",
		    path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (clouddp_buf_append(b, buf, n, err) == -1)
			break;
	fclose(fp);
	secret_wipe(buf, sizeof(buf));
	return n == 0 ? 0 : -1;
}
