/* Unit tests: common options and the number parsers. */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "opts.h"
#include "../tap.h"

int
main(void)
{
	struct clouddp_ctx	 ctx;
	struct clouddp_err	 err;
	long			 n;
	double			 s;

	plan(14);
	clouddp_ctx_init(&ctx, "/usr/bin/clouddp-x", "X");
	is(ctx.prog, "clouddp-x", "prog is argv[0]'s base name");
	is_int(clouddp_opt_common(&ctx, CLOUDDP_OPT_JSON, NULL, &err), 1,
	    "--json is common");
	is_int(ctx.output, CLOUDDP_OUTPUT_JSON, "--json sets JSON output");
	is_int(clouddp_opt_common(&ctx, 'x', NULL, &err), 0,
	    "a tool's own option is left alone");
	is_int(clouddp_opt_common(&ctx, 't', "0.5", &err), 1, "--timeout 0.5");
	ok(ctx.timeout == 0.5, "timeout set");
	is_int(clouddp_opt_common(&ctx, 't', "soon", &err), -1,
	    "--timeout soon fails");
	is(err.what, "--timeout: 'soon' is not a number of seconds",
	    "the error names the option");
	clouddp_opt_common(&ctx, CLOUDDP_OPT_RESOLVER, "127.0.0.1:53", &err);
	clouddp_opt_common(&ctx, CLOUDDP_OPT_RESOLVER, "127.0.0.2", &err);
	ok(ctx.nresolvers == 2 && strcmp(ctx.resolvers[1], "127.0.0.2") == 0,
	    "--resolver repeats");
	is_int(clouddp_opt_common(&ctx, CLOUDDP_OPT_PASSWORD_FILE, "f", &err),
	    1, "--password-file");
	is_int(clouddp_opt_common(&ctx, CLOUDDP_OPT_PASSWORD_ENV, "V", &err),
	    -1, "two password sources are refused");
	is_int(clouddp_parse_long("--ttl", "3600", 0, 2147483647, &n, &err),
	    0, "parse_long accepts 3600");
	is_int(clouddp_parse_long("--ttl", "-1", 0, 10, &n, &err), -1,
	    "parse_long refuses out of range");
	is_int(clouddp_parse_seconds("--timeout", "1e999", 0, 10, &s, &err),
	    -1, "parse_seconds refuses overflow");
	clouddp_ctx_cleanup(&ctx);
	return done_testing();
}
