/*
 * The classic management API client (asm.c) as the provisioner drives
 * it, answered by the fuzz input through fake_http.c: the first line
 * names one back-end operation, the sections after it answer its
 * requests in turn (Get Operation Status polls, retries, redirects,
 * error bodies and the XML of subscriptions, locations, storage
 * accounts, keys, services, certificates and deployments).  The
 * operation's callback runs at most once, with an error in words or a
 * well-formed result; what is still running when the answers run out
 * is abandoned by destroying the back end.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "asm.h"
#include "backend.h"
#include "cert.h"
#include "loop.h"
#include "fake_http.h"
#include "fuzz.h"

#define SUB	"8a4a0a51-728e-482e-8daa-c477f03c541d"
#define NAME	"d1594d4527614a09b934d470"
#define THUMB	"3C7C1B5D1E2F4A6B8C9D0E1F2A3B4C5D6E7F8091"

/* A management certificate: only handed to the (fake) transport. */
static const char	 mgmt_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBgzCCASmgAwIBAgIUcltTNBfEAZXOERbAFoq14SUfAnUwCgYIKoZIzj0EAwIw\n"
    "FzEVMBMGA1UEAwwMY2xvdWRkcC1mdXp6MB4XDTI2MTEzMDA4MTU1MFoXDTM2MTEy\n"
    "NzA4MTU1MFowFzEVMBMGA1UEAwwMY2xvdWRkcC1mdXp6MFkwEwYHKoZIzj0CAQYI\n"
    "KoZIzj0DAQcDQgAEiLwmIdwRg/sUNjAzEdINp06UN/558Z4QdE/lBdCB9QPxf4UV\n"
    "B7FKTlB/1+WbzNfgyLhZAYrDHMqNmOqQQL7dxKNTMFEwHQYDVR0OBBYEFMMZco+E\n"
    "503qDKGM/Xtxh3j/1XvmMB8GA1UdIwQYMBaAFMMZco+E503qDKGM/Xtxh3j/1Xvm\n"
    "MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAOjiFVQWeh9U8yKx\n"
    "Gz/M32pYQwkI7Jb6lbtrGqhVPmL2AiB2Wu+Y+aHwH+fEDHcQefw4hRR2MQNQXBYP\n"
    "NO68bs9b6g==\n"
    "-----END CERTIFICATE-----\n";

static struct cert	*mgmt;
static int		 answers_say_empty_id;

static void
setup(void)
{
	struct clouddp_err	 err;

	mgmt = cert_from_pem(mgmt_pem, sizeof(mgmt_pem) - 1, &err);
}

const struct fuzz_target	 fuzz_target = {
	FUZZ_NEED_CERT | FUZZ_NEED_XML, setup
};

enum op {
	OP_VALIDATE, OP_REGIONS, OP_USAGE, OP_NAME_FREE, OP_STORAGE_CREATE,
	OP_STORAGE_KEYS, OP_SERVICE_CREATE, OP_CERT_ADD, OP_DEPLOY,
	OP_EXISTS_STORAGE, OP_EXISTS_SERVICE, OP_EXISTS_CERTIFICATE,
	OP_EXISTS_DEPLOYMENT, OP_WAIT, OP_POLL, OP_START, OP_STOP, OP_REMOVE,
	OP__MAX
};

static const char *const op_names[OP__MAX] = {
	"validate", "regions", "usage", "name-free", "storage-create",
	"storage-keys", "service-create", "cert-add", "deploy",
	"exists-storage", "exists-service", "exists-certificate",
	"exists-deployment", "wait", "poll", "start", "stop", "remove"
};

static void
created_ok(const struct backend_created *c)
{
	FUZZ_ASSERT(c != NULL && c->name != NULL);
	FUZZ_ASSERT(c->existed == 0 || c->existed == 1);
}

static void
deployment_ok(const struct backend_deployment *d)
{
	size_t	 i;

	FUZZ_ASSERT(d != NULL && d->status != NULL);
	FUZZ_ASSERT(d->ninstances <= BACKEND_INSTANCES_MAX);
	for (i = 0; i < d->ninstances; i++)
		FUZZ_ASSERT(d->instance[i] != NULL &&
		    d->instance_status[i] != NULL);
}

static void
result_ok(int op, const void *result)
{
	const struct backend_region_list	*l = result;
	const struct backend_storage		*st = result;
	size_t					 i;

	switch (op) {
	case OP_REGIONS:
		FUZZ_ASSERT(l != NULL && (l->nregions == 0 ||
		    l->regions != NULL));
		for (i = 0; i < l->nregions; i++)
			FUZZ_ASSERT(l->regions[i].name != NULL);
		break;
	case OP_USAGE:
		FUZZ_ASSERT(result != NULL);
		break;
	case OP_NAME_FREE:
		FUZZ_ASSERT(result != NULL && (*(const int *)result == 0 ||
		    *(const int *)result == 1));
		break;
	case OP_STORAGE_KEYS:
		FUZZ_ASSERT(st != NULL && st->endpoint != NULL &&
		    st->key != NULL);
		break;
	case OP_STORAGE_CREATE:
	case OP_SERVICE_CREATE:
	case OP_CERT_ADD:
	case OP_EXISTS_STORAGE:
	case OP_EXISTS_SERVICE:
	case OP_EXISTS_CERTIFICATE:
	case OP_EXISTS_DEPLOYMENT:
		created_ok(result);
		break;
	case OP_POLL:
		deployment_ok(result);
		break;
	default:
		break;
	}
}

/* The operation's callback: once, and an error comes without result. */
static void
done(void *arg, const struct clouddp_err *err, const void *result)
{
	struct fake_op	*o = arg;

	if (fake_http_done(o, err)) {
		FUZZ_ASSERT(result == NULL);
		/* Every field a message names is filled in (unless the
		 * answers said so themselves). */
		FUZZ_ASSERT(answers_say_empty_id ||
		    strstr(err->what, "(request id )") == NULL);
		return;
	}
	result_ok(o->op, result);
}

static int
exists(struct backend *be, enum backend_kind kind, struct fake_op *o,
    struct clouddp_err *err)
{
	struct backend_probe	 q = { kind, NAME, "West Europe", THUMB };

	return be->ops->exists(be, &q, done, o, err);
}

/* Start the operation; -1 when it refused to start (err filled). */
static int
start(void *arg, struct fake_op *o, struct clouddp_err *err)
{
	static char			 pfx[] = "not a pfx";
	struct backend			*be = arg;
	const struct backend_ops	*ops = be->ops;
	struct clouddp_buf		 b = { pfx, sizeof(pfx) - 1, 0 };
	struct backend_deploy_spec	 d = { NAME, "clouddp1", NULL,
	    THUMB, 2 };

	switch (o->op) {
	case OP_VALIDATE: return ops->validate(be, done, o, err);
	case OP_REGIONS: return ops->regions(be, done, o, err);
	case OP_USAGE: return ops->usage(be, done, o, err);
	case OP_NAME_FREE: return ops->name_free(be, NAME, done, o, err);
	case OP_STORAGE_CREATE:
		return ops->storage_create(be, NAME, "West Europe", done, o,
		    err);
	case OP_STORAGE_KEYS: return ops->storage_keys(be, NAME, done, o, err);
	case OP_SERVICE_CREATE:
		return ops->service_create(be, NAME, "West Europe", done, o,
		    err);
	case OP_CERT_ADD:
		return ops->cert_add(be, NAME, &b, "pw", done, o, err);
	case OP_DEPLOY: return ops->deploy(be, &d, done, o, err);
	case OP_EXISTS_STORAGE: return exists(be, BACKEND_STORAGE, o, err);
	case OP_EXISTS_SERVICE: return exists(be, BACKEND_SERVICE, o, err);
	case OP_EXISTS_CERTIFICATE:
		return exists(be, BACKEND_CERTIFICATE, o, err);
	case OP_EXISTS_DEPLOYMENT:
		return exists(be, BACKEND_DEPLOYMENT, o, err);
	case OP_WAIT:
		return ops->wait(be, "6ba9e2b4d3c94e7e8a1f0b2c3d4e5f60", done,
		    o, err);
	case OP_POLL: return ops->poll(be, NAME, done, o, err);
	case OP_START: return ops->run(be, NAME, 1, done, o, err);
	case OP_STOP: return ops->run(be, NAME, 0, done, o, err);
	default: return ops->remove(be, NAME, done, o, err);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct backend_cfg	 cfg;
	struct clouddp_err	 err;
	struct fake_op		 o = { op_names, OP__MAX, 0, 0 };
	struct backend		*be;
	struct loop		*loop;

	if (mgmt == NULL || fake_http_begin(&o, data, len) == -1)
		return 0;
	answers_say_empty_id = memmem(data, len, "id )", 4) != NULL;
	loop = loop_new(&err);
	FUZZ_ASSERT(loop != NULL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.subscription = SUB;
	cfg.credential = mgmt;
	cfg.endpoint = "https://management.core.windows.net/";
	cfg.poll_interval = 1e-4;
	cfg.retry_base = 1e-4;
	cfg.max_retries = 2;
	cfg.timeout = 60;
	be = asm_backend_new(loop, &cfg, &err);
	FUZZ_ASSERT(be != NULL);
	fake_http_drive(&o, loop, start, be);
	be->ops->destroy(be);
	fake_http_reset();
	loop_free(loop);
	return 0;
}
