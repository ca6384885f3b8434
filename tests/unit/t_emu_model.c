/*
 * Unit tests: the emulator's resource model, with time stepped by hand:
 * storage Creating -> ResolvingDns -> Created, a deployment's instances
 * through RoleStateUnknown .. ReadyRole at their own times, the hooks in
 * order (ready, suspended, resumed, deleted), a package check answered
 * later and one answered "missing", quotas, names taken, faults.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "emu/model.h"
#include "emu/settings.h"
#include "../tap.h"

#define SUB	"8a4a0a51-728e-482e-8daa-c477f03c541d"
#define THUMB	"0123456789ABCDEF0123456789ABCDEF01234567"

static char	 events[256];
static void	*pending_token;
static emu_package_done pending_done;

static void
on_event(void *arg, const struct emu_deploy_event *e)
{
	static const char *const names[] = { "R", "S", "U", "D" };
	size_t	 len = strlen(events);

	(void)arg;
	snprintf(events + len, sizeof(events) - len, "%s:%s ",
	    names[e->event], e->vip);
}

static void
on_package(void *arg, const char *url, emu_package_done done, void *token)
{
	(void)arg;
	(void)url;
	pending_done = done;
	pending_token = token;
}

static const char cscfg[] =
    "<ServiceConfiguration serviceName=\"x\" xmlns=\"http://schemas."
    "microsoft.com/ServiceHosting/2008/10/ServiceConfiguration\">"
    "<Role name=\"WebRole\"><Instances count=\"2\"/></Role>"
    "</ServiceConfiguration>";

static struct emu_model *
model(int delays)
{
	struct emu_config	 cfg;
	struct clouddp_err	 err;
	struct emu_model	*m;
	int			 i;

	emu_config_defaults(&cfg);
	for (i = 0; i < EMU_STEP__MAX; i++)
		cfg.delay[i] = delays ? 1 : 0;
	cfg.subscription = SUB;
	cfg.max_cores = 3;
	m = emu_model_new(&cfg, &err);
	if (m == NULL || emu_model_add_management(m, THUMB, &err) == -1)
		diag("%s", err.what);
	return m;
}

static void
test_storage(void)
{
	struct emu_model		*m = model(1);
	struct emu_create_input		 in = { 0 };
	struct emu_status		 st;
	const struct emu_storage	*s;
	char				 why[256];

	in.name = "d1594d4527614a09b934d470";
	in.label = "cdp";
	in.location = "West US";
	ok(emu_storage_create(m, 100, "a1", &in, 0, &st) == 0,
	    "storage: created");
	is(emu_op_state_name(emu_op_get(m, 100.5, "a1")->state), "InProgress",
	    "storage: operation in progress");
	s = emu_storage_get(m, 100.5, in.name);
	is(emu_storage_state_name(s->state), "Creating", "storage: Creating");
	s = emu_storage_get(m, 101.5, in.name);
	is(emu_storage_state_name(s->state), "ResolvingDns",
	    "storage: ResolvingDns");
	s = emu_storage_get(m, 102, in.name);
	is(emu_storage_state_name(s->state), "Created", "storage: Created");
	ok(emu_storage_create(m, 103, "a2", &in, 0, &st) == -1 &&
	    st.error == EMU_ECONFLICT, "storage: name taken is a conflict");
	ok(!emu_storage_available(m, 103, in.name, why, sizeof(why)),
	    "storage: not available once taken");
	ok(!emu_storage_available(m, 103, "Upper", why, sizeof(why)),
	    "storage: upper case is invalid");
	is(emu_op_state_name(emu_op_get(m, 102, "a1")->state), "Succeeded",
	    "storage: operation succeeded after its delay");
	in.name = "stuckone";
	emu_storage_create(m, 110, "a3", &in, 1, &st);
	s = emu_storage_get(m, 1000, in.name);
	is(emu_storage_state_name(s->state), "Creating",
	    "storage: the stuck fault keeps it Creating");
	is_int(emu_subscription_get(m, 1000)->cur_storage_accounts, 2,
	    "subscription: counts storage accounts");
	emu_model_free(m);
}

static void
deploy_input(struct emu_deploy_input *d)
{
	memset(d, 0, sizeof(*d));
	d->slot = EMU_SLOT_PRODUCTION;
	d->name = "dep1";
	d->package_url = "http://127.0.0.1:10000/acct/pkg/cdp.cspkg";
	d->label = "dep";
	d->configuration = cscfg;
	d->configuration_len = strlen(cscfg);
	d->start = 1;
}

static void
test_deploy(void)
{
	struct emu_model		*m = model(1);
	struct emu_create_input		 in = { 0 };
	struct emu_deploy_input		 d;
	struct emu_deploy_ref		 ref = { "svc", EMU_SLOT_PRODUCTION,
					    NULL };
	struct emu_hooks		 h = { NULL, on_event, on_package };
	struct emu_status		 st;
	const struct emu_deployment	*dep;

	in.name = "svc";
	in.label = "svc";
	in.location = "West US";
	ok(emu_service_create(m, 0, "c1", &in, &st) == 0, "service created");
	is(emu_op_state_name(emu_op_get(m, 0, "c1")->state), "Succeeded",
	    "service: its operation is Succeeded at once");
	emu_model_set_hooks(m, &h);
	deploy_input(&d);
	ok(emu_deploy_create(m, 10, "d1", "svc", &d, &st) == 0,
	    "deployment accepted");
	dep = emu_deploy_get(m, 50, &ref);
	is(emu_instance_state_name(dep->instances[0].state),
	    "RoleStateUnknown", "instances wait for the package check");
	is(emu_op_state_name(emu_op_get(m, 50, "d1")->state), "InProgress",
	    "operation waits for the package check");
	ok(emu_model_is_waiting(m), "the model says it waits on the check");
	pending_done(pending_token, EMU_PACKAGE_EXISTS, NULL);
	ok(!emu_model_is_waiting(m), "and no longer once answered");
	dep = emu_deploy_get(m, 100, &ref);	/* starts now */
	is(emu_deploy_state_name(dep->state), "Deploying", "Deploying");
	dep = emu_deploy_get(m, 101.5, &ref);
	is(emu_instance_state_name(dep->instances[0].state), "CreatingVM",
	    "instance 0 CreatingVM");
	is(emu_instance_state_name(dep->instances[1].state),
	    "RoleStateUnknown", "instance 1 a step behind");
	is(emu_op_state_name(emu_op_get(m, 101.5, "d1")->state),
	    "Succeeded", "operation succeeded before Running");
	dep = emu_deploy_get(m, 103.5, &ref);
	is(emu_instance_state_name(dep->instances[0].state), "BusyRole",
	    "instance 0 BusyRole");
	ok(events[0] == '\0', "no event before Ready");
	dep = emu_deploy_get(m, 104.5, &ref);
	is(emu_deploy_state_name(dep->state), "Running", "Running");
	is(emu_instance_state_name(dep->instances[1].state), "BusyRole",
	    "instance 1 still BusyRole");
	dep = emu_deploy_get(m, 105, &ref);
	is(events, "R:127.0.0.17 ", "ready hook once all are ReadyRole");
	ok(emu_deploy_create(m, 106, "d2", "svc", &d, &st) == -1 &&
	    st.error == EMU_ECONFLICT, "slot occupied is a conflict");
	ok(emu_deploy_set_status(m, 110, "s1", &ref, 0, &st) == 0,
	    "suspend accepted");
	emu_model_tick(m, 111);
	is(events, "R:127.0.0.17 S:127.0.0.17 ", "suspended hook");
	emu_deploy_set_status(m, 112, "s2", &ref, 1, &st);
	emu_model_tick(m, 113);
	is(events, "R:127.0.0.17 S:127.0.0.17 U:127.0.0.17 ",
	    "resumed hook");
	ok(emu_service_delete(m, 114, "x", "svc", &st) == -1 &&
	    st.error == EMU_ECONFLICT, "service with a deployment: 409");
	emu_deploy_delete(m, 115, "x1", &ref, &st);
	ok(emu_deploy_get(m, 115.5, &ref) != NULL, "Deleting for a while");
	ok(emu_deploy_get(m, 116, &ref) == NULL, "then gone");
	is(events, "R:127.0.0.17 S:127.0.0.17 U:127.0.0.17 D:127.0.0.17 ",
	    "deleted hook");
	ok(emu_deploy_create(m, 120, "d3", "svc", &d, &st) == 0,
	    "redeploy accepted");
	pending_done(pending_token, EMU_PACKAGE_MISSING, "no blob");
	is(emu_op_state_name(emu_op_get(m, 121, "d3")->state), "Failed",
	    "missing package fails the operation");
	is(emu_op_get(m, 121, "d3")->message, "no blob", "with the message");
	ok(emu_deploy_get(m, 121, &ref) == NULL, "and leaves no deployment");
	emu_model_free(m);
}

static void
test_checks(void)
{
	struct emu_model	*m = model(0);
	struct emu_create_input	 in = { 0 };
	struct emu_deploy_input	 d;
	struct emu_status	 st;
	const char		*bad = "<ServiceConfiguration><Role name=\"W\">"
				    "<Instances count=\"4\"/></Role>"
				    "</ServiceConfiguration>";
	const char		*cert = "<ServiceConfiguration><Role "
				    "name=\"W\"><Instances count=\"1\"/>"
				    "<Certificates><Certificate name=\"s\" "
				    "thumbprint=\"" THUMB "\"/></Certificates>"
				    "</Role></ServiceConfiguration>";

	ok(emu_model_is_authorised(m, SUB, THUMB), "registered thumbprint");
	ok(!emu_model_is_authorised(m, SUB,
	    "1111111111111111111111111111111111111111"),
	    "other thumbprint refused");
	ok(!emu_model_has_subscription(m, "11111111-2222-3333-4444-"
	    "555555555555"), "other subscription unknown");
	in.name = "svc";
	in.label = "svc";
	in.location = "Mars";
	ok(emu_service_create(m, 0, "c1", &in, &st) == -1 &&
	    st.error == EMU_EBADREQUEST, "unknown location: bad request");
	in.location = "West US";
	emu_service_create(m, 0, "c1", &in, &st);
	deploy_input(&d);
	d.configuration = bad;
	d.configuration_len = strlen(bad);
	ok(emu_deploy_create(m, 0, "d1", "svc", &d, &st) == -1 &&
	    st.error == EMU_EQUOTA, "4 cores over a quota of 3: refused");
	d.configuration = cert;
	d.configuration_len = strlen(cert);
	ok(emu_deploy_create(m, 0, "d2", "svc", &d, &st) == 0,
	    "unknown certificate: accepted, then");
	is(emu_op_state_name(emu_op_get(m, 0, "d2")->state), "Failed",
	    "the operation fails");
	d.configuration = "not xml";
	d.configuration_len = 7;
	emu_deploy_create(m, 0, "d3", "svc", &d, &st);
	is_int(emu_op_get(m, 0, "d3")->http, 400,
	    "a .cscfg that is not XML fails with 400");
	ok(emu_op_add_failed(m, 0, "f1", 500, "InternalError", "boom",
	    &st) == 0 && emu_op_get(m, 0, "f1")->state == EMU_OP_FAILED,
	    "a failed-operation fault");
	ok(emu_op_get(m, 0, "nosuch") == NULL, "unknown operation");
	emu_model_free(m);
}

/* One option into s; the error's code, or 0 (-2: not an option). */
static int
set(struct emu_settings *s, const char *name, const char *arg,
    struct clouddp_err *err)
{
	int	 rc;

	memset(err, 0, sizeof(*err));
	rc = emu_settings_set(s, name, arg, err);
	return rc == -1 ? (int)err->code : rc;
}

static void
test_settings_values(void)
{
	struct emu_settings	 s;
	struct clouddp_err	 err;

	emu_settings_init(&s);
	ok(set(&s, "delay", "deploying=2.5", &err) == 0 &&
	    s.model.delay[EMU_STEP_DEPLOYING] == 2.5, "--delay STEP=SECONDS");
	ok(set(&s, "delay", "all=0", &err) == 0 &&
	    s.model.delay[EMU_STEP_DELETE] == 0 &&
	    s.model.delay[EMU_STEP_OPERATION] == 0, "--delay all=");
	ok(set(&s, "delay", "deploying", &err) == CLOUDDP_EUSAGE &&
	    strcmp(err.what, "--delay deploying: no '='") == 0 &&
	    strcmp(err.hint, "write STEP=SECONDS") == 0,
	    "--delay without '=': what and hint");
	ok(set(&s, "delay", "nap=1", &err) == CLOUDDP_EUSAGE &&
	    strstr(err.what, "unknown step") != NULL, "--delay: unknown step");
	ok(set(&s, "delay", "suspend=-1", &err) == CLOUDDP_EUSAGE &&
	    s.model.delay[EMU_STEP_SUSPEND] == 0, "--delay: bad seconds, "
	    "nothing changed");
	ok(set(&s, "quota", "cores=40", &err) == 0 &&
	    s.model.max_cores == 40, "--quota cores=");
	ok(set(&s, "quota", "storage-accounts=3", &err) == 0 &&
	    s.model.max_storage_accounts == 3 &&
	    set(&s, "quota", "hosted-services=7", &err) == 0 &&
	    s.model.max_hosted_services == 7, "--quota: the other two");
	ok(set(&s, "quota", "disks=1", &err) == CLOUDDP_EUSAGE &&
	    strstr(err.hint, "cores=N") != NULL, "--quota: unknown quota");
	ok(set(&s, "quota", "cores=0", &err) == CLOUDDP_EUSAGE &&
	    s.model.max_cores == 40, "--quota: out of range, unchanged");
	ok(set(&s, "vip-http-port", "none", &err) == 0 &&
	    s.real.http_port == -1 &&
	    set(&s, "vip-https-port", "8443", &err) == 0 &&
	    s.real.https_port == 8443, "--vip-http-port none, a port");
	ok(set(&s, "vip-https-port", "65536", &err) == CLOUDDP_EUSAGE &&
	    s.real.https_port == 8443, "a port out of range");
	ok(set(&s, "seed", "7", &err) == 0 && s.model.seed == 7 &&
	    set(&s, "seed", "-1", &err) == CLOUDDP_EUSAGE, "--seed");
	ok(set(&s, "listen", "127.0.0.1:0", &err) == 0 &&
	    strcmp(s.api.listen, "127.0.0.1:0") == 0 &&
	    set(&s, "cloudapp-zone", "z.test", &err) == 0 &&
	    strcmp(s.real.zone, "z.test") == 0, "plain values kept");
	is_int(set(&s, "nosuch", "x", &err), -2, "not an emulator option");
	emu_settings_clear(&s);
}

static void
test_settings_lists(void)
{
	struct emu_settings	 s;
	struct clouddp_err	 err;
	int			 i, rc = 0;

	emu_settings_init(&s);
	ok(set(&s, "regions", "West US,North Europe", &err) == 0 &&
	    s.model.nregions == 2 &&
	    strcmp(s.model.regions[1], "North Europe") == 0, "--regions");
	ok(set(&s, "regions", "East US", &err) == 0 &&
	    s.model.nregions == 1, "--regions again: replaces");
	ok(set(&s, "regions", "A,,B", &err) == CLOUDDP_EUSAGE &&
	    strstr(err.what, "an empty name") != NULL, "--regions: empty");
	is_int(emu_settings_check(&s, &err), -1, "required options missing");
	set(&s, "listen", "127.0.0.1:0", &err);
	set(&s, "tls-cert", "c.pem", &err);
	set(&s, "tls-key", "k.pem", &err);
	set(&s, "subscription", SUB, &err);
	is_int(emu_settings_check(&s, &err), -1, "no --management-cer");
	for (i = 0; i < EMU_ARGS_MAX && rc == 0; i++)
		rc = set(&s, "management-cer", "m.cer", &err);
	ok(rc == 0 && s.api.nmanagement == EMU_ARGS_MAX &&
	    s.api.management[0] != NULL, "--management-cer: 64 of them");
	ok(emu_settings_check(&s, &err) == 0, "every required option");
	ok(set(&s, "management-cer", "m.cer", &err) == CLOUDDP_EUSAGE &&
	    strcmp(err.what, "--management-cer: at most 64 times") == 0,
	    "and no more");
	emu_settings_clear(&s);
}

static void
test_settings_prepare(void)
{
	struct emu_settings	 s;
	struct clouddp_err	 err;
	char			 dir[] = "/tmp/t_emu_model.XXXXXX";
	char			 path[256], buf[128];
	FILE			*fp;
	int			 port = 0;
	long			 pid = 0;

	emu_settings_init(&s);
	set(&s, "blob-endpoint", "http://127.0.0.1:1/acct", &err);
	ok(emu_settings_prepare(&s, &err) == 0 && s.model.blob_key == NULL &&
	    s.real.blob_endpoint == NULL, "no key, no account: no package "
	    "checks");
	setenv("CLOUDDP_T_BLOB_KEY", "a2V5", 1);
	set(&s, "blob-key-env", "CLOUDDP_T_BLOB_KEY", &err);
	set(&s, "blob-account", "acct", &err);
	ok(emu_settings_prepare(&s, &err) == 0 && s.real.blob_key != NULL &&
	    strcmp(s.model.blob_key, "a2V5") == 0 &&
	    strcmp(s.real.blob_key, "a2V5") == 0 &&
	    strcmp(s.real.blob_endpoint, "http://127.0.0.1:1/acct") == 0,
	    "the key from its source; --blob-account: the real side gets "
	    "the endpoint and key");
	ok(emu_settings_write_ready(&s, 1, &err) == 0,
	    "no --ready-file: nothing written");
	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/ready", dir);
	set(&s, "ready-file", path, &err);
	buf[0] = '\0';
	ok(emu_settings_write_ready(&s, 8443, &err) == 0, "--ready-file");
	fp = fopen(path, "r");
	if (fp != NULL) {
		if (fgets(buf, sizeof(buf), fp) == NULL)
			buf[0] = '\0';
		fclose(fp);
	}
	ok(sscanf(buf, "{\"port\":%d,\"pid\":%ld}", &port, &pid) == 2 &&
	    port == 8443 && pid == (long)getpid(),
	    "--ready-file: {\"port\":N,\"pid\":N}");
	unlink(path);
	rmdir(dir);
	snprintf(path, sizeof(path), "%s/ready", dir);
	ok(emu_settings_write_ready(&s, 1, &err) == -1 &&
	    err.code == CLOUDDP_EIO && strstr(err.what, ".tmp") != NULL &&
	    strcmp(err.hint, "check the directory") == 0,
	    "--ready-file in no directory: what and hint");
	emu_settings_clear(&s);
	unsetenv("CLOUDDP_T_BLOB_KEY");
}

int
main(void)
{
	struct clouddp_err	 err;

	plan(77);
	if (clouddp_global_init(&err) == -1)
		return 1;
	test_storage();
	test_deploy();
	test_checks();
	test_settings_values();
	test_settings_lists();
	test_settings_prepare();
	clouddp_global_cleanup();
	return done_testing();
}
