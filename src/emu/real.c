/*
 * The model's hooks made real: Blob, VIP listeners and DNS.  See real.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "clouddp.h"
#include "http.h"
#include "loop.h"
#include "dnsreg.h"
#include "model.h"
#include "real.h"
#include "vipserve.h"

/* One deployment that is, or was, Ready. */
struct served {
	struct served	*next;
	char		 service[64];	/* names are 24 characters */
	char		 vip[64];
	struct vipserve	*vs;
};

struct emu_real {
	struct loop		*loop;
	struct http_multi	*multi;
	struct blob_client	*blob;
	struct dnsreg		*dns;
	struct served		*served;
	long			 https_port;
	long			 http_port;
	void			 (*warn)(void *, const struct clouddp_err *);
	void			*warn_arg;
	void			 (*stopped)(void *);
	void			*stopped_arg;
	struct check		*checks;	/* in flight */
};

/* A package check in flight. */
struct check {
	struct check		*next;
	struct emu_real		*real;
	emu_package_done	 done;
	void			*token;
};

static void
warn(struct emu_real *r, const struct clouddp_err *err)
{
	if (r->warn != NULL)
		r->warn(r->warn_arg, err);
}

static int
blob_setup(struct emu_real *r, const struct emu_real_cfg *cfg,
    struct clouddp_err *err)
{
	struct blob_cfg	 bc;

	if (cfg->blob_endpoint == NULL)
		return 0;
	if (cfg->blob_account == NULL || cfg->blob_key == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give --blob-account "
		    "and --blob-key-file with --blob-endpoint (Azurite's are "
		    "devstoreaccount1 and its published key)",
		    "--blob-endpoint needs the account and its key");
	r->multi = http_multi_new(r->loop, err);
	if (r->multi == NULL)
		return -1;
	memset(&bc, 0, sizeof(bc));
	bc.endpoint = cfg->blob_endpoint;
	bc.account = cfg->blob_account;
	bc.key = cfg->blob_key;
	bc.timeout = 30;
	bc.proxy = "";		/* Azurite beside it, never a proxy */
	r->blob = blob_client_new(r->multi, &bc, err);
	return r->blob != NULL ? 0 : -1;
}

struct emu_real *
emu_real_new(struct loop *loop, const struct emu_real_cfg *cfg,
    struct clouddp_err *err)
{
	struct emu_real		*r;
	struct dnsreg_cfg	 dc;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	r->loop = loop;
	r->https_port = cfg->https_port > 0 ? cfg->https_port : 443;
	r->http_port = cfg->http_port != 0 ? cfg->http_port : 80;
	r->warn = cfg->warn;
	r->warn_arg = cfg->warn_arg;
	if (blob_setup(r, cfg, err) == -1)
		goto fail;
	if (cfg->dns_update != NULL) {
		memset(&dc, 0, sizeof(dc));
		dc.server = cfg->dns_update;
		dc.tsig_file = cfg->tsig_file;
		dc.zone = cfg->zone != NULL ? cfg->zone : "cloudapp.net";
		r->dns = dnsreg_new(loop, &dc, err);
		if (r->dns == NULL)
			goto fail;
	}
	return r;
fail:
	emu_real_free(r);
	return NULL;
}

/* Package checks --------------------------------------------------------- */

static void
on_head(void *arg, const struct clouddp_err *err,
    const struct blob_result *res)
{
	struct check	*c = arg, **pp;

	for (pp = &c->real->checks; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (err != NULL)
		c->done(c->token, EMU_PACKAGE_ERROR, err->what);
	else if (res->found)
		c->done(c->token, EMU_PACKAGE_EXISTS, NULL);
	else
		c->done(c->token, EMU_PACKAGE_MISSING, "The blob named by "
		    "PackageUrl does not exist.");
	free(c);
}

static void
package_check(void *arg, const char *url, emu_package_done done,
    void *token)
{
	struct emu_real		*r = arg;
	struct check		*c;
	struct clouddp_err	 err;

	if (r->blob == NULL) {
		done(token, EMU_PACKAGE_EXISTS, NULL);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		done(token, EMU_PACKAGE_ERROR, "out of memory");
		return;
	}
	c->real = r;
	c->done = done;
	c->token = token;
	if (blob_head_url(r->blob, url, on_head, c, &err) == -1) {
		free(c);
		done(token, err.code == CLOUDDP_EINPUT ? EMU_PACKAGE_MISSING :
		    EMU_PACKAGE_ERROR, err.what);
		return;
	}
	c->next = r->checks;
	r->checks = c;
}

/* Deployment events -------------------------------------------------------- */

static struct served *
served_find(struct emu_real *r, const char *service)
{
	struct served	*s;

	for (s = r->served; s != NULL; s = s->next)
		if (strcmp(s->service, service) == 0)
			return s;
	return NULL;
}

static void
served_drop(struct emu_real *r, struct served *s)
{
	struct served	**pp;

	for (pp = &r->served; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	vipserve_free(s->vs);
	free(s);
}

static void
on_dns(void *arg, const struct clouddp_err *err, const char *fqdn)
{
	struct emu_real	*r = arg;

	(void)fqdn;
	if (err != NULL)
		warn(r, err);
	if (r->stopped != NULL && dnsreg_pending(r->dns) == 0) {
		void	(*done)(void *) = r->stopped;

		r->stopped = NULL;
		done(r->stopped_arg);
	}
}

static void
on_ready(struct emu_real *r, const struct emu_deploy_event *ev)
{
	struct vipserve_cfg	 vc;
	struct clouddp_err	 err;
	struct served		*s;

	s = served_find(r, ev->service);
	if (s != NULL)
		served_drop(r, s);	/* a new deployment in its place */
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		clouddp_errf(&err, CLOUDDP_ENOMEM, NULL, "out of memory");
		warn(r, &err);
		return;
	}
	snprintf(s->service, sizeof(s->service), "%s", ev->service);
	snprintf(s->vip, sizeof(s->vip), "%s", ev->vip);
	s->next = r->served;
	r->served = s;
	memset(&vc, 0, sizeof(vc));
	vc.vip = ev->vip;
	vc.service = ev->service;
	vc.https_port = r->https_port;
	vc.http_port = r->http_port;
	vc.cert = ev->cert;
	if (ev->cert == NULL) {
		clouddp_errf(&err, CLOUDDP_ECERT, "reference a service "
		    "certificate in the .cscfg", "%s: no service certificate "
		    "to serve HTTPS with", ev->service);
		warn(r, &err);
	} else if ((s->vs = vipserve_new(r->loop, &vc, &err)) == NULL)
		warn(r, &err);
	if (r->dns != NULL &&
	    dnsreg_add(r->dns, ev->service, ev->vip, on_dns, r, &err) == -1)
		warn(r, &err);
}

static void
on_event(void *arg, const struct emu_deploy_event *ev)
{
	struct emu_real		*r = arg;
	struct served		*s = served_find(r, ev->service);
	struct clouddp_err	 err;

	switch (ev->event) {
	case EMU_EVENT_READY:
		on_ready(r, ev);
		break;
	case EMU_EVENT_SUSPENDED:
		if (s != NULL && s->vs != NULL)
			vipserve_stop(s->vs);
		break;
	case EMU_EVENT_RESUMED:
		if (s != NULL && s->vs != NULL &&
		    vipserve_start(s->vs, &err) == -1)
			warn(r, &err);
		break;
	case EMU_EVENT_DELETED:
		if (s != NULL)
			served_drop(r, s);
		if (r->dns != NULL && dnsreg_remove(r->dns, ev->service,
		    on_dns, r, &err) == -1 && err.code != CLOUDDP_EINPUT)
			warn(r, &err);
		break;
	default:
		break;
	}
}

void
emu_real_hooks(struct emu_real *r, struct emu_hooks *h)
{
	memset(h, 0, sizeof(*h));
	h->arg = r;
	h->deploy_event = on_event;
	h->package_check = package_check;
}

void
emu_real_stop(struct emu_real *r, void (*done)(void *), void *arg)
{
	while (r->served != NULL)
		served_drop(r, r->served);
	if (r->dns == NULL || dnsreg_remove_all(r->dns, on_dns, r) == 0) {
		done(arg);
		return;
	}
	r->stopped = done;
	r->stopped_arg = arg;
}

void
emu_real_free(struct emu_real *r)
{
	struct check	*c;

	if (r == NULL)
		return;
	while (r->served != NULL)
		served_drop(r, r->served);
	dnsreg_free(r->dns);
	/* The multi first: it abandons the checks the client still owns;
	 * their callers are not told (the model goes next). */
	http_multi_free(r->multi);
	blob_client_free(r->blob);
	while (r->checks != NULL) {
		c = r->checks;
		r->checks = c->next;
		free(c);
	}
	free(r);
}

static void
warn_log(void *arg, const struct clouddp_err *err)
{
	const struct clouddp_ctx	*ctx = arg;

	log_warn(ctx, "%s%s%s", err->what, err->hint[0] != '\0' ?
	    "; hint: " : "", err->hint);
}

struct emu_real *
emu_real_start(struct loop *loop, const struct emu_real_cfg *cfg,
    struct emu_model *model, struct clouddp_ctx *ctx,
    struct clouddp_err *err)
{
	struct emu_real_cfg	 c = *cfg;
	struct emu_real		*r;
	struct emu_hooks	 hooks;

	c.warn = warn_log;
	c.warn_arg = ctx;
	r = emu_real_new(loop, &c, err);
	if (r == NULL)
		return NULL;
	emu_real_hooks(r, &hooks);
	emu_model_set_hooks(model, &hooks);
	return r;
}

static void
stopped(void *arg)
{
	loop_stop(arg);
}

void
emu_real_finish(struct emu_real *r, struct emu_model *model,
    struct loop *loop)
{
	struct clouddp_err	 err;

	if (r == NULL)
		return;
	emu_model_set_hooks(model, NULL);
	/* When nothing is left to remove, done comes at once and the run
	 * below ends as soon as nothing is in flight. */
	emu_real_stop(r, stopped, loop);
	(void)loop_run(loop, loop_now() + 10, &err);
	emu_real_free(r);
}
