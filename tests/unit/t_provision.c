/*
 * The usage thresholds of clouddp-provision status: percent of quota
 * against the warning and critical percentages, edges included; its
 * options as prov_setup takes them; its progress display's text.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "loop.h"
#include "provision.h"
#include "provision_setup.h"
#include "../tap.h"

static void
test_usage(void)
{
	double	 pct;

	is_int(provision_usage_status(0, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_OK, "no use: ok");
	ok(pct == 0, "0 %%");
	is_int(provision_usage_status(999, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_OK, "just under the warning: ok");
	is_int(provision_usage_status(1000, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_WARNING, "at the warning: warning");
	ok(pct == 50, "50 %%");
	is_int(provision_usage_status(1799, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_WARNING, "under critical: warning");
	is_int(provision_usage_status(1800, 2000, 50, 90, &pct),
	    CLOUDDP_STATUS_CRITICAL, "at critical: critical");
	is_int(provision_usage_status(3, 1, 50, 90, &pct),
	    CLOUDDP_STATUS_CRITICAL, "over the quota: critical");
	ok(pct == 300, "300 %%");
	is_int(provision_usage_status(0.6, 1, 50, 90, &pct),
	    CLOUDDP_STATUS_WARNING, "a fraction of a GB counts");
}

static void
test_opt(void)
{
	struct prov_setup	 s;
	struct clouddp_ctx	 ctx;
	struct clouddp_err	 err;

	prov_setup_init(&s);
	is_int(s.cfg.instances, PROV_INSTANCES, "default instances");
	is_int(s.cfg.storage_warning, PROV_WARNING, "default warning");
	is_int(prov_setup_opt(&s, "storage-quota", "7", &err), 0,
	    "--storage-quota taken");
	is_int(s.cfg.storage_quota_gb, 7, "into the configuration");
	is_int(prov_setup_opt(&s, "instances", "17", &err), -1,
	    "17 instances: refused");
	is_int(prov_setup_opt(&s, "instances", "3", &err), 0,
	    "3 instances taken");
	is_int(s.cfg.instances, 3, "into the configuration");
	is_int(prov_setup_opt(&s, "poll-interval", "0.5", &err), 0,
	    "--poll-interval taken");
	ok(s.cfg.be.poll_interval == 0.5, "half a second");
	is_int(prov_setup_opt(&s, "transfer-warning", "101", &err), -1,
	    "a percentage over 100: refused");
	ok(strstr(err.what, "--transfer-warning") != NULL,
	    "the error names the option");
	is_int(prov_setup_opt(&s, "service-password-fd", "5", &err), 0,
	    "--service-password-fd taken");
	ok(s.cr.service_pw.kind == CLOUDDP_SECRET_FD &&
	    strcmp(s.cr.service_pw.arg, "5") == 0, "an fd source");
	is_int(prov_setup_opt(&s, "service-password-env", "X", &err), -1,
	    "a second source of one password: refused");
	is(err.what, "two sources given for one password", "said so");
	is_int(prov_setup_opt(&s, "proxy-password-file", "f", &err), 0,
	    "--proxy-password-file taken");
	ok(s.cr.proxy_pw.kind == CLOUDDP_SECRET_FILE, "a file source");
	is_int(prov_setup_opt(&s, "management-password-env", "V", &err), 0,
	    "--management-password-env taken");
	ok(s.cr.mgmt_pw.kind == CLOUDDP_SECRET_ENV, "an env source");
	is(s.cr.mgmt_pw.opt, "--management-password",
	    "the hint's option name");
	is_int(prov_setup_opt(&s, "management-pfx", "m.pfx", &err), 0,
	    "--management-pfx taken");
	ok(strcmp(s.cr.mgmt_pfx, "m.pfx") == 0, "its file");
	is_int(prov_setup_opt(&s, "management-password", "x", &err), -1,
	    "a name without a kind: refused");
	is_int(prov_setup_opt(&s, "region", "x", &err), -1,
	    "a name of the tool's: refused");
	is_int(prov_setup_opt(&s, "storage-warning", "95", &err), 0,
	    "a warning above critical is one option");
	memset(&ctx, 0, sizeof(ctx));
	s.cmd = "create";
	is_int(prov_setup_prepare(&s, &ctx, 0, &err), -1,
	    "but not a configuration");
	is(err.what, "warning threshold not below critical", "said so");
	prov_setup_opt(&s, "storage-warning", "50", &err);
	s.cmd = "start";
	is_int(prov_setup_prepare(&s, &ctx, 1, &err), -1,
	    "start without --name: refused");
	is(err.what, "start needs --name", "said so");
	prov_setup_cleanup(&s);
}

static void
test_display(void)
{
	struct prov_display	 d;
	const char		*inst[] = { "ReadyRole", "BusyRole" };
	struct prov_progress	 pp = { "deploy", 5, 7, "deploying", 0, inst };
	char			 buf[1024];

	prov_display_start(&d, "clouddp-provision", 0);
	d.start = loop_now() - 65.5;
	prov_display_format(&d, &pp, buf, sizeof(buf));
	is(buf, "clouddp-provision: 01:05 [5/7] deploy: deploying\n",
	    "a plain line: program, elapsed time, step, state");
	prov_display_format(&d, &pp, buf, sizeof(buf));
	is(buf, "", "the same again: nothing");
	pp.ninstances = 2;
	prov_display_format(&d, &pp, buf, sizeof(buf));
	is(buf, "clouddp-provision: 01:05 [5/7] deploy: deploying; "
	    "instances ReadyRole, BusyRole\n", "the instances' states");
	prov_display_start(&d, "clouddp-provision", 1);
	d.width = 40;
	prov_display_format(&d, &pp, buf, sizeof(buf));
	is(buf, "\r\033[K00:00 [5/7] deploy: deploying; instance",
	    "a terminal: redrawn in place, cut to its width");
	prov_display_format(&d, &pp, buf, sizeof(buf));
	ok(buf[0] == '\r', "each time, changed or not");
	ok(strcmp(d.shown, "[5/7] deploy: deploying; instances ReadyRole, "
	    "BusyRole") == 0, "the whole line kept");
}

int
main(void)
{
	test_usage();
	test_opt();
	test_display();
	printf("1..%d\n", tap_n);
	return done_testing();
}
