/*
 * updatepair: two RFC 2136 operations on one event loop, to show that a
 * slow server does not hold up another.
 * "updatepair SLOW:PORT FAST:PORT KEYFILE ZONE FQDN TARGET [replace]"
 * publishes FQDN CNAME TARGET (A TARGET for an IPv4 address) in ZONE on
 * FAST (signed with KEYFILE) while SLOW is asked, unsigned, about the
 * same record at slow.ZONE, and prints one line per operation as it
 * ends: "fast|slow SECONDS action|error: what".
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "loop.h"
#include "update.h"

struct side {
	const char	*name;
	double		 t0;
	int		 done;
};

static void
on_done(void *arg, const struct clouddp_err *err,
    const struct update_result *res)
{
	struct side	*s = arg;

	s->done = 1;
	printf("%s %.3f %s%s\n", s->name, loop_now() - s->t0,
	    err != NULL ? "error: " : update_action_name(res->action),
	    err != NULL ? err->what : "");
	fflush(stdout);
}

static int
server(const char *arg, struct zone_server *s, char *host, size_t len)
{
	const char	*colon = strrchr(arg, ':');

	if (colon == NULL)
		return -1;
	snprintf(host, len, "%.*s", (int)(colon - arg), arg);
	s->host = host;
	s->port = (unsigned short)atoi(colon + 1);
	s->timeout = 10;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct clouddp_err	 err;
	struct zone_server	 slow = { 0 }, fast = { 0 };
	struct update_client	*cs = NULL, *cf = NULL;
	struct update_req	 req;
	struct zone_tsig	*key = NULL;
	struct loop		*loop = NULL;
	struct side		 ss = { "slow", 0, 0 }, sf = { "fast", 0, 0 };
	const char		*warning;
	struct in_addr		 in;
	char			 hs[256], hf[256], name[300];
	int			 rc = 1;

	clouddp_err_clear(&err);
	if (argc < 7 || argc > 8 ||
	    server(argv[1], &slow, hs, sizeof(hs)) == -1 ||
	    server(argv[2], &fast, hf, sizeof(hf)) == -1) {
		fprintf(stderr, "usage: updatepair SLOW:PORT FAST:PORT "
		    "KEYFILE ZONE FQDN TARGET [replace]\n");
		return 2;
	}
	if (clouddp_global_init(&err) == -1 ||
	    (key = zone_tsig_load(argv[3], &warning, &err)) == NULL ||
	    (loop = loop_new(&err)) == NULL ||
	    (cs = update_client_new(loop, &slow, &err)) == NULL)
		goto out;
	fast.tsig = key;
	if ((cf = update_client_new(loop, &fast, &err)) == NULL)
		goto out;
	memset(&req, 0, sizeof(req));
	snprintf(name, sizeof(name), "slow.%s", argv[4]);
	req.fqdn = name;
	req.data = argv[6];
	req.ttl = 300;
	req.zone = argv[4];
	req.type = inet_pton(AF_INET, argv[6], &in) == 1 ? UPDATE_A :
	    UPDATE_CNAME;
	req.mode = argc == 8 && strcmp(argv[7], "replace") == 0 ?
	    UPDATE_REPLACE : UPDATE_ADD;
	req.check_only = 1;
	ss.t0 = loop_now();
	if (update_start(cs, &req, on_done, &ss, &err) == NULL)
		goto out;
	req.fqdn = argv[5];
	req.check_only = 0;
	sf.t0 = loop_now();
	if (update_start(cf, &req, on_done, &sf, &err) == NULL)
		goto out;
	if (loop_run(loop, 0, &err) == -1)
		goto out;
	rc = ss.done && sf.done ? 0 : 1;
out:
	if (rc != 0 && err.what[0] != '\0')
		fprintf(stderr, "updatepair: %s\n", err.what);
	update_client_free(cs);
	update_client_free(cf);
	loop_free(loop);
	zone_tsig_free(key);
	clouddp_global_cleanup();
	return rc;
}
