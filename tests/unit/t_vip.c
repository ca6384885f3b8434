/* Unit tests: the probe's input checks and arithmetic, and how http.c
 * finds the proxy curl will take from the environment. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "http.h"
#include "opts.h"
#include "secret.h"
#include "vip.h"
#include "../tap.h"

static struct vip_probe *
make(const char *vip, const char *fqdn, const char *path,
    struct clouddp_err *err)
{
	struct vip_cfg	 cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.vip = vip;
	cfg.fqdn = fqdn;
	cfg.path = path;
	cfg.port = 443;
	cfg.http_port = 80;
	cfg.count = 1;
	cfg.timeout = 1;
	return vip_probe_new(&cfg, err);
}

/* -v: curl's words go to the log only when asked for. */
static void
traces(void)
{
	struct clouddp_ctx	 ctx;
	struct vip_cfg		 cfg;

	clouddp_ctx_init(&ctx, "clouddp-test", "TEST");
	vip_cfg_init(&cfg);
	vip_cfg_trace(&cfg, &ctx);
	ok(cfg.trace == NULL, "no -v: no trace");
	ctx.verbose = 1;
	vip_cfg_trace(&cfg, &ctx);
	ok(cfg.trace != NULL && cfg.trace_arg == &ctx, "-v: to the log");
}

/* The end of a run: its exit status, from the batch or the output. */
static void
ends(void)
{
	struct clouddp_ctx	 ctx;
	struct clouddp_err	 err;
	struct vip_cfg		 cfg;
	struct vip_batch	*b;
	struct vip_print	 pr;

	clouddp_ctx_init(&ctx, "clouddp-test", "TEST");
	vip_cfg_init(&cfg);
	b = vip_batch_new(&cfg, NULL, 4, &err);
	memset(&pr, 0, sizeof(pr));
	pr.ctx = &ctx;
	is_int(vip_print_end(&pr, b, 0, &err), CLOUDDP_STATUS_OK,
	    "nothing probed, nothing wrong: OK");
	pr.stopped = 1;
	is_int(vip_print_end(&pr, b, 0, &err), CLOUDDP_STATUS_UNKNOWN,
	    "a failed write: UNKNOWN");
	vip_batch_free(b);
}

int
main(void)
{
	struct clouddp_err	 err;
	struct vip_secrets	 sec;
	struct vip_cfg		 cfg;
	struct vip_probe		*p;
	char			 addr[64], *pw;
	const char		*var;
	double			 v[] = { 5, 1, 3, 2 };
	double			 w[] = { 7, 1, 3 };

	plan(23);
	ok(vip_addr_parse("203.0.113.10", addr, sizeof(addr), &err) == 0 &&
	    strcmp(addr, "203.0.113.10") == 0, "IPv4 address");
	ok(vip_addr_parse("2001:DB8:0::1", addr, sizeof(addr), &err) == 0 &&
	    strcmp(addr, "2001:db8::1") == 0, "IPv6 address, canonical form");
	ok(vip_addr_parse("clouddp1.contoso.com", addr, sizeof(addr),
	    &err) == -1 && err.code == CLOUDDP_EUSAGE &&
	    strstr(err.what, "not an IPv4 or IPv6") != NULL,
	    "a name is not an address");
	ok(vip_addr_parse("203.0.113.10 ", addr, sizeof(addr), &err) == -1,
	    "trailing space refused");

	is_int((long)(vip_median(v, 4) * 10), 25, "median of an even count");
	ok(v[0] == 1 && v[3] == 5, "median sorts");
	is_int((long)vip_median(w, 3), 3, "median of an odd count");
	ok(isnan(vip_median(w, 0)), "median of nothing is NaN");

	p = make("192.0.2.1", "clouddp1.contoso.com", "/", &err);
	ok(p != NULL, "a good probe is made");
	vip_probe_free(p);
	p = make("192.0.2.1", "bad name!", "/", &err);
	ok(p == NULL && err.code == CLOUDDP_EINPUT, "a bad FQDN is refused");
	p = make("192.0.2.1", "a..b", "/", &err);
	ok(p == NULL, "an empty label is refused");
	p = make("192.0.2.1", NULL, "no-slash", &err);
	ok(p == NULL && strstr(err.what, "--path") != NULL,
	    "a relative path is refused, naming --path");
	p = make("192.0.2.1", NULL, "/a b", &err);
	ok(p == NULL, "a path with a space is refused");


	setenv("https_proxy", "http://proxy.example:3128", 1);
	setenv("HTTPS_PROXY", "http://other.example:3128", 1);
	ok(http_env_proxy("https", &var) != NULL &&
	    strcmp(var, "https_proxy") == 0, "https_proxy wins, as in curl");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	setenv("HTTP_PROXY", "http://cgi.example", 1);
	ok(http_env_proxy("http", &var) == NULL,
	    "HTTP_PROXY is ignored, as curl does");

	memset(&sec, 0, sizeof(sec));
	vip_cfg_init(&cfg);
	ok(vip_secrets_set(&sec, "--proxy-password-fd", CLOUDDP_SECRET_FD,
	    "x", &err) == -1 && strstr(err.what, "--proxy-password-fd") !=
	    NULL, "a proxy password fd that is not a number is refused");
	ok(vip_secrets_set(&sec, "--proxy-password-env", CLOUDDP_SECRET_ENV,
	    "PW", &err) == 0 && vip_secrets_set(&sec, "--proxy-password-file",
	    CLOUDDP_SECRET_FILE, "f", &err) == -1,
	    "one proxy password source only");
	unsetenv("http_proxy");
	cfg.proxy = "http://proxy.example:3128";
	ok(vip_secrets_load(&sec, &cfg, &err) == -1 &&
	    strstr(err.what, "names no user") != NULL,
	    "a proxy password needs a user in the proxy URL");
	cfg.proxy = "svc:pw@proxy.example:3128";
	setenv("PW", "s3cret", 1);
	pw = NULL;
	ok(vip_secrets_load(&sec, &cfg, &err) == 0 &&
	    secret_shield_open(cfg.proxy_password, &pw, NULL, &err) == 0 &&
	    strcmp(pw, "s3cret") == 0 && getenv("PW") == NULL,
	    "the password is read (kept shielded), and the variable unset");
	secret_free(pw);
	vip_secrets_clear(&sec);
	traces();
	ends();
	return done_testing();
}
