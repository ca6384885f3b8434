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

#include "clouddp.h"
#include "emu/model.h"
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

int
main(void)
{
	struct clouddp_err	 err;

	plan(49);
	if (clouddp_global_init(&err) == -1)
		return 1;
	test_storage();
	test_deploy();
	test_checks();
	clouddp_global_cleanup();
	return done_testing();
}
