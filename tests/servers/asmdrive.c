/*
 * Test driver for the classic back end (asm.c): one back-end operation
 * per run, against the endpoint given, its result printed as key=value
 * lines, its error as "error CODE: what".  For tests/t/asm.sh only.
 *
 * asmdrive ENDPOINT SUBSCRIPTION MGMT.pfx PASSFILE CACERT OP [ARGS...]
 * OP: validate | usage | regions | name-free N | storage N REGION |
 *     service N REGION | cert N PFX PASSFILE | deploy N THUMB URL COUNT |
 *     wait OPID | poll N | start N | stop N | remove N |
 *     exists storage|service|certificate|deployment N [REGION|THUMB]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "backend.h"
#include "cert.h"
#include "loop.h"
#include "secret.h"

static int	 failed;

static void
done(void *arg, const struct clouddp_err *err, const void *result)
{
	const char			*op = arg;
	const struct backend_created	*c;
	const struct backend_usage	*u;
	const struct backend_region_list *r;
	const struct backend_deployment	*d;
	size_t				 i;

	if (err != NULL) {
		printf("error %s: %s\n", clouddp_code_name(err->code),
		    err->what);
		failed = 1;
		return;
	}
	if (strcmp(op, "storage") == 0 || strcmp(op, "service") == 0 ||
	    strcmp(op, "cert") == 0 || strcmp(op, "deploy") == 0 ||
	    strcmp(op, "exists") == 0) {
		c = result;
		printf("name=%s existed=%d request_id=%s\n", c->name,
		    c->existed, c->request_id != NULL ? c->request_id : "");
	} else if (strcmp(op, "usage") == 0) {
		u = result;
		printf("services=%ld/%ld storage=%ld/%ld cores=%ld/%ld\n",
		    u->services_used, u->services_max, u->storage_used,
		    u->storage_max, u->cores_used, u->cores_max);
	} else if (strcmp(op, "regions") == 0) {
		r = result;
		for (i = 0; i < r->nregions; i++)
			printf("region=%s compute=%d storage=%d\n",
			    r->regions[i].name, r->regions[i].compute,
			    r->regions[i].storage);
	} else if (strcmp(op, "name-free") == 0) {
		printf("free=%d\n", *(const int *)result);
	} else if (result != NULL && (strcmp(op, "poll") == 0 ||
	    strcmp(op, "start") == 0 || strcmp(op, "stop") == 0)) {
		d = result;
		printf("status=%s fqdn=%s vip=%s ready=%d\n", d->status,
		    d->fqdn != NULL ? d->fqdn : "", d->vip != NULL ? d->vip :
		    "", d->ready);
		for (i = 0; i < d->ninstances; i++)
			printf("instance=%s %s\n", d->instance[i],
			    d->instance_status[i]);
	} else
		printf("ok\n");
}

static void
accepted(void *arg, const char *id)
{
	(void)arg;
	printf("accepted=%s\n", id);
	fflush(stdout);
}

static char *
password(const char *file)
{
	struct clouddp_secret_src	 src = { CLOUDDP_SECRET_FILE, file, NULL };
	struct clouddp_err		 err;
	char				*pw = NULL;

	if (secret_read(&src, "password", &pw, &err) == -1) {
		fprintf(stderr, "asmdrive: %s\n", err.what);
		exit(3);
	}
	return pw;
}

/* exists KIND NAME [REGION|THUMBPRINT] */
static int
probe(struct backend *be, char **av, int ac, struct clouddp_err *err)
{
	static const char *const kinds[BACKEND__MAX] = {
		"storage", "service", "certificate", "deployment"
	};
	struct backend_probe	 q;
	int			 k;

	memset(&q, 0, sizeof(q));
	for (k = 0; k < BACKEND__MAX; k++)
		if (strcmp(av[1], kinds[k]) == 0)
			break;
	q.kind = (enum backend_kind)k;
	q.name = av[2];
	if (ac > 3 && k == BACKEND_CERTIFICATE)
		q.thumbprint = av[3];
	else if (ac > 3)
		q.region = av[3];
	return be->ops->exists(be, &q, done, av[0], err);
}

static int
start(struct backend *be, char **av, int ac, struct clouddp_err *err)
{
	const struct backend_ops	*o = be->ops;
	struct backend_deploy_spec	 d;
	struct clouddp_buf		 pfx = { NULL, 0, 0 };
	FILE				*fp;
	char				*pw, buf[4096];
	size_t				 n;
	int				 ret;

	if (strcmp(av[0], "validate") == 0)
		return o->validate(be, done, av[0], err);
	if (strcmp(av[0], "usage") == 0)
		return o->usage(be, done, av[0], err);
	if (strcmp(av[0], "regions") == 0)
		return o->regions(be, done, av[0], err);
	if (ac < 2)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "need a name");
	if (strcmp(av[0], "name-free") == 0)
		return o->name_free(be, av[1], done, av[0], err);
	if (strcmp(av[0], "wait") == 0)
		return o->wait(be, av[1], done, av[0], err);
	if (strcmp(av[0], "poll") == 0)
		return o->poll(be, av[1], done, av[0], err);
	if (strcmp(av[0], "start") == 0 || strcmp(av[0], "stop") == 0)
		return o->run(be, av[1], av[0][2] == 'a', done, av[0], err);
	if (strcmp(av[0], "remove") == 0)
		return o->remove(be, av[1], done, av[0], err);
	if (ac < 3)
		return clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "need more");
	if (strcmp(av[0], "exists") == 0)
		return probe(be, av, ac, err);
	if (strcmp(av[0], "storage") == 0)
		return o->storage_create(be, av[1], av[2], done, av[0], err);
	if (strcmp(av[0], "service") == 0)
		return o->service_create(be, av[1], av[2], done, av[0], err);
	if (strcmp(av[0], "cert") == 0 && ac == 4) {
		fp = fopen(av[2], "rb");
		if (fp == NULL)
			return clouddp_errf(err, CLOUDDP_EIO, NULL, "%s", av[2]);
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			clouddp_buf_append(&pfx, buf, n, err);
		fclose(fp);
		pw = password(av[3]);
		ret = o->cert_add(be, av[1], &pfx, pw, done, av[0], err);
		secret_free(pw);
		clouddp_buf_free(&pfx);
		return ret;
	}
	if (strcmp(av[0], "deploy") == 0 && ac == 5) {
		memset(&d, 0, sizeof(d));
		d.service = av[1];
		d.thumbprint = av[2];
		d.package_url = av[3];
		d.instances = atoi(av[4]);
		return o->deploy(be, &d, done, av[0], err);
	}
	return clouddp_errf(err, CLOUDDP_EUSAGE, NULL, "%s: unknown", av[0]);
}

int
main(int argc, char **argv)
{
	struct clouddp_err	 err;
	struct backend_cfg	 cfg;
	struct backend		*be = NULL;
	struct loop		*loop = NULL;
	struct cert		*mgmt = NULL;
	char			*pw;

	if (argc < 7) {
		fprintf(stderr, "usage: asmdrive ENDPOINT SUB PFX PASSFILE "
		    "CACERT OP [ARGS...]\n");
		return 3;
	}
	if (clouddp_global_init(&err) == -1)
		goto fail;
	pw = password(argv[4]);
	mgmt = cert_load_file(argv[3], pw, &err);
	secret_free(pw);
	if (mgmt == NULL)
		goto fail;
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = argv[1];
	cfg.subscription = argv[2];
	cfg.credential = mgmt;
	cfg.cacert = argv[5];
	cfg.proxy = getenv("ASMDRIVE_PROXY");
	cfg.poll_interval = 0.05;
	cfg.timeout = getenv("ASMDRIVE_TIMEOUT") != NULL ?
	    atof(getenv("ASMDRIVE_TIMEOUT")) : 20;
	cfg.retry_base = 0.05;
	cfg.on_accepted = accepted;
	loop = loop_new(&err);
	if (loop == NULL)
		goto fail;
	be = backend_new("asm", loop, &cfg, &err);
	if (be == NULL || start(be, argv + 6, argc - 6, &err) == -1 ||
	    loop_run(loop, 0, &err) == -1)
		goto fail;
	backend_free(be);
	loop_free(loop);
	cert_free(mgmt);
	clouddp_global_cleanup();
	return failed ? 2 : 0;
fail:
	printf("error %s: %s\n", clouddp_code_name(err.code), err.what);
	backend_free(be);
	loop_free(loop);
	cert_free(mgmt);
	return 3;
}
