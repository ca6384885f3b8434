/*
 * The classic front end's operations: request bodies read strictly
 * (namespace, element names, documented order, base64 Labels), the
 * model called, and answers written in the wire's element order
 * (spec section 2).  No libmicrohttpd here beyond what api_int.h gives.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clouddp.h"
#include "emu/api_int.h"
#include "emu/model.h"
#include "xml.h"

#define WA_NS	"http://schemas.microsoft.com/windowsazure"
#define MGMT	"https://management.core.windows.net/"

enum field_kind { F_TEXT, F_B64, F_BOOL, F_PROPS, F_ANY };

/* One element a request body may hold, in the documented order. */
struct field {
	const char	*name;
	int		 pos;	/* order; equal for alternatives */
	int		 required;
	enum field_kind	 kind;
	int		 present;
	struct clouddp_buf val;	/* text, or decoded base64 */
};

struct props_in {
	struct emu_prop		 p[EMU_PROPS_MAX];
	struct clouddp_buf	 name[EMU_PROPS_MAX], value[EMU_PROPS_MAX];
	size_t			 n;
};

static void
fields_free(struct field *f, size_t n, struct props_in *props)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		clouddp_buf_free(&f[i].val);
	if (props == NULL)
		return;
	for (i = 0; i < EMU_PROPS_MAX; i++) {
		clouddp_buf_free(&props->name[i]);
		clouddp_buf_free(&props->value[i]);
	}
}

static const char *
fval(const struct field *f)
{
	return f->present ? f->val.data : NULL;
}

static int
bad_xml(struct req *r, const char *msg)
{
	req_error(r, 400, "InvalidXmlRequest", msg);
	return -1;
}

static int
bad_request(struct req *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad_request(struct req *r, const char *fmt, ...)
{
	char	 msg[300];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	req_error(r, 400, "BadRequest", msg);
	return -1;
}

static int
name_ok(const char *s)
{
	size_t	 len = strlen(s);

	return len > 0 && len <= 64 && isalpha((unsigned char)s[0]) &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_") == len;
}

/* <ExtendedProperties><ExtendedProperty><Name/><Value/>... */
static int
read_props(struct req *r, const struct xml_node *list, struct props_in *pi)
{
	const struct xml_node	*p, *n, *v;
	struct clouddp_err	 err;

	for (p = xml_node_child(list, NULL); p != NULL;
	    p = xml_node_next(p, NULL)) {
		if (strcmp(xml_node_name(p), "ExtendedProperty") != 0)
			return bad_xml(r, "ExtendedProperties holds only "
			    "ExtendedProperty elements.");
		n = xml_node_child(p, NULL);
		v = n != NULL ? xml_node_next(n, NULL) : NULL;
		if (n == NULL || v == NULL || xml_node_next(v, NULL) !=
		    NULL || strcmp(xml_node_name(n), "Name") != 0 ||
		    strcmp(xml_node_name(v), "Value") != 0)
			return bad_xml(r, "An ExtendedProperty holds Name "
			    "then Value.");
		if (pi->n == EMU_PROPS_MAX)
			return bad_request(r, "At most %d extended "
			    "properties are allowed.", EMU_PROPS_MAX);
		if (xml_node_text(n, &pi->name[pi->n], &err) != 1 ||
		    xml_node_text(v, &pi->value[pi->n], &err) != 1)
			return bad_xml(r, "Name and Value are text.");
		if (!name_ok(pi->name[pi->n].data) ||
		    pi->value[pi->n].len > 255)
			return bad_request(r, "The extended property %.64s "
			    "is not valid.", pi->name[pi->n].data);
		pi->p[pi->n].name = pi->name[pi->n].data;
		pi->p[pi->n].value = pi->value[pi->n].data;
		pi->n++;
	}
	return 0;
}

static int
read_value(struct req *r, const struct xml_node *n, struct field *f,
    struct props_in *pi)
{
	struct clouddp_buf	 text = { 0 };
	struct clouddp_err	 err;
	int			 rc = -1;

	if (f->kind == F_PROPS)
		return pi != NULL ? read_props(r, n, pi) : 0;
	if (f->kind == F_ANY)
		return 0;
	if (xml_node_text(n, &text, &err) != 1) {
		bad_xml(r, "An element that holds text holds elements.");
		goto out;
	}
	if (f->kind == F_B64) {
		if (b64_decode(text.data, text.len, &f->val) == -1) {
			bad_request(r, "The value of %s is not a valid "
			    "base64 string.", f->name);
			goto out;
		}
	} else if (f->kind == F_BOOL && strcmp(text.data, "true") != 0 &&
	    strcmp(text.data, "false") != 0) {
		bad_request(r, "The value of %s must be true or false.",
		    f->name);
		goto out;
	} else if (clouddp_buf_append(&f->val, text.data, text.len + 1,
	    &err) == -1) {
		goto out;
	} else {
		f->val.len--;
	}
	rc = 0;
out:
	clouddp_buf_free(&text);
	return rc;
}

static int
read_children(struct req *r, const struct xml_node *root, struct field *f,
    size_t nf, struct props_in *pi)
{
	const struct xml_node	*n;
	const char		*ns;
	size_t			 i;
	int			 last = -1;

	for (n = xml_node_child(root, NULL); n != NULL;
	    n = xml_node_next(n, NULL)) {
		ns = xml_node_ns(n);
		if (ns == NULL || strcmp(ns, WA_NS) != 0)
			return bad_xml(r, "Every element must be in the "
			    WA_NS " namespace.");
		for (i = 0; i < nf; i++)
			if (strcmp(f[i].name, xml_node_name(n)) == 0)
				break;
		if (i == nf)
			return bad_xml(r, "The request body holds an "
			    "element that is not expected here.");
		if (f[i].present || f[i].pos < last)
			return bad_xml(r, "The elements of the request body "
			    "are not in the documented order.");
		last = f[i].pos;
		f[i].present = 1;
		if (read_value(r, n, &f[i], pi) == -1)
			return -1;
	}
	for (i = 0; i < nf; i++)
		if (f[i].required && !f[i].present)
			return bad_request(r, "The required element %s is "
			    "missing.", f[i].name);
	return 0;
}

/* Read the body: root element, namespace, fields in order.  -1 answered. */
static int
read_body(struct req *r, const char *root, struct field *f, size_t nf,
    struct props_in *pi)
{
	struct xml_doc		*doc;
	const struct xml_node	*top;
	const char		*ns;
	struct clouddp_err	 err;
	int			 rc = -1;

	if (r->body.len == 0)
		return bad_xml(r, "The request body is empty.");
	doc = xml_parse(r->body.data, r->body.len, "request body", &err);
	if (doc == NULL)
		return bad_xml(r, "The request body's XML was invalid or "
		    "not correctly specified.");
	top = xml_doc_root(doc);
	ns = xml_node_ns(top);
	if (strcmp(xml_node_name(top), root) != 0)
		bad_xml(r, "The root element of the request body is not "
		    "the one this operation takes.");
	else if (ns == NULL || strcmp(ns, WA_NS) != 0)
		bad_xml(r, "The root element must be in the " WA_NS
		    " namespace.");
	else
		rc = read_children(r, top, f, nf, pi);
	xml_doc_free(doc);
	return rc;
}

/* Answer an emu_status as the classic API would. */
static int
model_error(struct req *r, const struct emu_status *st)
{
	static const char *const codes[EMU_ERROR__MAX] = {
		"BadRequest", "BadRequest", "ResourceNotFound",
		"ConflictError", "ConflictError", "InternalError"
	};
	static const int status[EMU_ERROR__MAX] = {
		400, 400, 404, 409, 409, 500
	};

	return req_error(r, status[st->error], codes[st->error],
	    st->message);
}

/* 202 (or 201) for an accepted asynchronous request. */
static int
accepted(struct req *r, int status, const char *kind, const char *name)
{
	if (kind != NULL)
		snprintf(r->location, sizeof(r->location),
		    MGMT "subscriptions/%s/%s/%s", r->sub, kind, name);
	return req_empty(r, status);
}

/* A fault: the operation is registered Failed, the answer is normal. */
static int
failed_op(struct req *r, int status)
{
	struct emu_status	 st;

	if (emu_op_add_failed(r->model, r->now, r->id, 500, "InternalError",
	    "The server encountered an internal error. Please retry the "
	    "request.", &st) == -1)
		return model_error(r, &st);
	return req_empty(r, status);
}

static int
finish(struct req *r, struct xw *w)
{
	r->status = 200;
	return w->bad ? -1 : 0;
}

/* Subscription and locations ----------------------------------------- */

int
op_get_subscription(struct req *r)
{
	const struct emu_subscription	*s;
	struct xw			 w = { &r->out, 0 };

	s = emu_subscription_get(r->model, r->now);
	xw_root(&w, "Subscription");
	xw_text(&w, "SubscriptionID", s->id);
	xw_text(&w, "SubscriptionName", s->name);
	xw_text(&w, "SubscriptionStatus", s->status);
	xw_text(&w, "AccountAdminLiveEmailId", "admin@example.invalid");
	xw_text(&w, "ServiceAdminLiveEmailId", "admin@example.invalid");
	xw_int(&w, "MaxCoreCount", s->max_cores);
	xw_int(&w, "MaxStorageAccounts", s->max_storage_accounts);
	xw_int(&w, "MaxHostedServices", s->max_hosted_services);
	xw_int(&w, "CurrentCoreCount", s->cur_cores);
	xw_int(&w, "CurrentHostedServices", s->cur_hosted_services);
	xw_int(&w, "CurrentStorageAccounts", s->cur_storage_accounts);
	xw_int(&w, "MaxVirtualNetworkSites", 10);
	xw_int(&w, "MaxLocalNetworkSites", 10);
	xw_int(&w, "MaxDnsServers", 9);
	xw_text(&w, "OfferCategories", NULL);
	xw_text(&w, "AADTenantID", "00000000-0000-0000-0000-000000000000");
	xw_time(&w, "CreatedTime", s->created);
	xw_int(&w, "MaxReservedIPs", 20);
	xw_int(&w, "CurrentReservedIPs", 0);
	xw_int(&w, "MaxPublicIPCount", 5);
	xw_end(&w, "Subscription");
	return finish(r, &w);
}

int
op_list_locations(struct req *r)
{
	const char *const	*regions;
	struct xw		 w = { &r->out, 0 };
	size_t			 n, i;

	regions = emu_model_regions(r->model, &n);
	xw_root(&w, "Locations");
	for (i = 0; i < n; i++) {
		xw_start(&w, "Location");
		xw_text(&w, "Name", regions[i]);
		xw_text(&w, "DisplayName", regions[i]);
		xw_start(&w, "AvailableServices");
		xw_text(&w, "AvailableService", "Compute");
		xw_text(&w, "AvailableService", "Storage");
		xw_end(&w, "AvailableServices");
		xw_start(&w, "ComputeCapabilities");
		xw_start(&w, "WebWorkerRoleSizes");
		xw_text(&w, "RoleSize", "ExtraSmall");
		xw_text(&w, "RoleSize", "Small");
		xw_end(&w, "WebWorkerRoleSizes");
		xw_start(&w, "VirtualMachinesRoleSizes");
		xw_text(&w, "RoleSize", "Small");
		xw_end(&w, "VirtualMachinesRoleSizes");
		xw_end(&w, "ComputeCapabilities");
		xw_start(&w, "StorageCapabilities");
		xw_start(&w, "StorageAccountTypes");
		xw_text(&w, "StorageAccountType", "Standard_LRS");
		xw_text(&w, "StorageAccountType", "Standard_GRS");
		xw_end(&w, "StorageAccountTypes");
		xw_end(&w, "StorageCapabilities");
		xw_end(&w, "Location");
	}
	xw_end(&w, "Locations");
	return finish(r, &w);
}

static int
availability(struct req *r, int ok, const char *reason)
{
	struct xw	 w = { &r->out, 0 };

	xw_root(&w, "AvailabilityResponse");
	xw_bool(&w, "Result", ok);
	if (!ok)
		xw_text(&w, "Reason", reason);
	xw_end(&w, "AvailabilityResponse");
	return finish(r, &w);
}

int
op_check_service_name(struct req *r)
{
	char	 reason[256];
	int	 ok;

	ok = emu_service_available(r->model, r->now, r->segs[4], reason,
	    sizeof(reason));
	return availability(r, ok, reason);
}

int
op_check_storage_name(struct req *r)
{
	char	 reason[256];
	int	 ok;

	ok = emu_storage_available(r->model, r->now, r->segs[4], reason,
	    sizeof(reason));
	return availability(r, ok, reason);
}

/* Cloud services ----------------------------------------------------- */

static void
write_props(struct xw *w, const struct emu_prop *p, size_t n)
{
	size_t	 i;

	if (n == 0) {
		xw_text(w, "ExtendedProperties", NULL);
		return;
	}
	xw_start(w, "ExtendedProperties");
	for (i = 0; i < n; i++) {
		xw_start(w, "ExtendedProperty");
		xw_text(w, "Name", p[i].name);
		xw_text(w, "Value", p[i].value);
		xw_end(w, "ExtendedProperty");
	}
	xw_end(w, "ExtendedProperties");
}

/* Spec 2.4: ServiceName, Label, Description, Location | AffinityGroup,
 * ExtendedProperties, ReverseDnsFqdn. */
int
op_create_service(struct req *r)
{
	struct field		 f[] = {
		{ "ServiceName", 0, 1, F_TEXT, 0, { 0 } },
		{ "Label", 1, 1, F_B64, 0, { 0 } },
		{ "Description", 2, 0, F_TEXT, 0, { 0 } },
		{ "Location", 3, 0, F_TEXT, 0, { 0 } },
		{ "AffinityGroup", 3, 0, F_TEXT, 0, { 0 } },
		{ "ExtendedProperties", 4, 0, F_PROPS, 0, { 0 } },
		{ "ReverseDnsFqdn", 5, 0, F_TEXT, 0, { 0 } },
	};
	struct props_in		 pi;
	struct emu_create_input	 in;
	struct emu_status	 st;
	int			 rc = 0;

	memset(&pi, 0, sizeof(pi));
	if (read_body(r, "CreateHostedService", f, 7, &pi) == -1)
		goto out;
	if (r->fail_op) {
		rc = failed_op(r, 201);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.name = fval(&f[0]);
	in.label = fval(&f[1]);
	in.description = fval(&f[2]);
	in.location = fval(&f[3]);
	in.affinity_group = fval(&f[4]);
	in.props = pi.p;
	in.nprops = pi.n;
	if (emu_service_create(r->model, r->now, r->id, &in, &st) == -1)
		rc = model_error(r, &st);
	else
		rc = accepted(r, 201, "compute", in.name);
out:
	fields_free(f, 7, &pi);
	return rc;
}

static void write_deployment(struct xw *, struct req *,
    const struct emu_deployment *, int);

static void
write_service_deployments(struct xw *w, struct req *r, const char *svc)
{
	const struct emu_deployment	*d;
	struct emu_deploy_ref		 ref = { svc, EMU_SLOT_PRODUCTION,
					    NULL };

	xw_start(w, "Deployments");
	for (ref.slot = 0; ref.slot < EMU_SLOT__MAX; ref.slot++) {
		d = emu_deploy_get(r->model, r->now, &ref);
		if (d != NULL)
			write_deployment(w, r, d, 0);
	}
	xw_end(w, "Deployments");
}

int
op_get_service(struct req *r)
{
	const struct emu_service	*s;
	struct xw			 w = { &r->out, 0 };
	const char			*embed = req_query(r, "embed-detail");

	s = emu_service_get(r->model, r->now, r->segs[2]);
	if (s == NULL)
		return req_error(r, 404, "ResourceNotFound", "The hosted "
		    "service does not exist.");
	xw_root(&w, "HostedService");
	xw_textf(&w, "Url", MGMT "%s/services/hostedservices/%s", r->sub,
	    s->name);
	xw_text(&w, "ServiceName", s->name);
	xw_start(&w, "HostedServiceProperties");
	xw_text(&w, "Description", s->description);
	xw_text(&w, "Location", s->location);
	xw_b64(&w, "Label", s->label, strlen(s->label));
	xw_text(&w, "Status", "Created");
	xw_time(&w, "DateCreated", s->created);
	xw_time(&w, "DateLastModified", s->modified);
	write_props(&w, s->props, s->nprops);
	xw_end(&w, "HostedServiceProperties");
	if (embed != NULL && strcasecmp(embed, "true") == 0)
		write_service_deployments(&w, r, s->name);
	xw_end(&w, "HostedService");
	return finish(r, &w);
}

int
op_delete_service(struct req *r)
{
	const char		*comp = req_query(r, "comp");
	struct emu_status	 st;
	int			 media;

	media = comp != NULL && strcasecmp(comp, "media") == 0;
	if (r->fail_op)
		return failed_op(r, media ? 202 : 200);
	if (emu_service_delete(r->model, r->now, r->id, r->segs[2],
	    &st) == -1)
		return model_error(r, &st);
	return req_empty(r, media ? 202 : 200);
}

/* Storage accounts --------------------------------------------------- */

/* Spec 2.6, the SDK's order with the documented optional elements. */
int
op_create_storage(struct req *r)
{
	struct field		 f[] = {
		{ "ServiceName", 0, 1, F_TEXT, 0, { 0 } },
		{ "Description", 1, 0, F_TEXT, 0, { 0 } },
		{ "Label", 2, 1, F_B64, 0, { 0 } },
		{ "AffinityGroup", 3, 0, F_TEXT, 0, { 0 } },
		{ "Location", 3, 0, F_TEXT, 0, { 0 } },
		{ "GeoReplicationEnabled", 4, 0, F_BOOL, 0, { 0 } },
		{ "ExtendedProperties", 5, 0, F_PROPS, 0, { 0 } },
		{ "SecondaryReadEnabled", 6, 0, F_BOOL, 0, { 0 } },
		{ "AccountType", 7, 0, F_TEXT, 0, { 0 } },
	};
	struct props_in		 pi;
	struct emu_create_input	 in;
	struct emu_status	 st;
	int			 rc = 0;

	memset(&pi, 0, sizeof(pi));
	if (read_body(r, "CreateStorageServiceInput", f, 9, &pi) == -1)
		goto out;
	if (r->fail_op) {
		rc = failed_op(r, 202);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.name = fval(&f[0]);
	in.description = fval(&f[1]);
	in.label = fval(&f[2]);
	in.affinity_group = fval(&f[3]);
	in.location = fval(&f[4]);
	in.account_type = fval(&f[8]);
	in.props = pi.p;
	in.nprops = pi.n;
	if (emu_storage_create(r->model, r->now, r->id, &in, r->stuck,
	    &st) == -1)
		rc = model_error(r, &st);
	else
		rc = accepted(r, 202, "storage", in.name);
out:
	fields_free(f, 9, &pi);
	return rc;
}

static void
storage_url(struct xw *w, struct req *r, const char *name)
{
	xw_textf(w, "Url", MGMT "%s/services/storageservices/%s", r->sub,
	    name);
}

static void
storage_endpoints(struct xw *w, const struct emu_storage *s)
{
	static const char *const kinds[] = { "queue", "table", "file" };
	char			 ep[300];
	size_t			 i;

	xw_start(w, "Endpoints");
	xw_text(w, "Endpoint", s->blob_endpoint);
	if (strstr(s->blob_endpoint, ".blob.core.windows.net") != NULL)
		for (i = 0; i < 3; i++) {
			snprintf(ep, sizeof(ep), "https://%s.%s.core."
			    "windows.net/", s->name, kinds[i]);
			xw_text(w, "Endpoint", ep);
		}
	xw_end(w, "Endpoints");
}

int
op_get_storage(struct req *r)
{
	const struct emu_storage	*s;
	struct xw			 w = { &r->out, 0 };

	s = emu_storage_get(r->model, r->now, r->segs[2]);
	if (s == NULL)
		return req_error(r, 404, "ResourceNotFound", "The storage "
		    "account does not exist.");
	xw_root(&w, "StorageService");
	storage_url(&w, r, s->name);
	xw_text(&w, "ServiceName", s->name);
	xw_start(&w, "StorageServiceProperties");
	xw_text(&w, "Description", s->description);
	xw_text(&w, "Location", s->location);
	xw_b64(&w, "Label", s->label, strlen(s->label));
	xw_text(&w, "Status", emu_storage_state_name(s->state));
	storage_endpoints(&w, s);
	xw_text(&w, "GeoPrimaryRegion", s->location);
	xw_text(&w, "StatusOfPrimary", s->state == EMU_STORAGE_CREATED ?
	    "Available" : NULL);
	xw_text(&w, "GeoSecondaryRegion", NULL);
	xw_text(&w, "StatusOfSecondary", NULL);
	xw_time(&w, "CreationTime", s->created);
	xw_text(&w, "CustomDomains", NULL);
	xw_text(&w, "AccountType", s->account_type);
	xw_end(&w, "StorageServiceProperties");
	write_props(&w, s->props, s->nprops);
	xw_start(&w, "Capabilities");
	xw_text(&w, "Capability", "PersistentVMRole");
	xw_end(&w, "Capabilities");
	xw_end(&w, "StorageService");
	return finish(r, &w);
}

int
op_get_storage_keys(struct req *r)
{
	const struct emu_storage	*s;
	struct xw			 w = { &r->out, 0 };

	s = emu_storage_get(r->model, r->now, r->segs[2]);
	if (s == NULL)
		return req_error(r, 404, "ResourceNotFound", "The storage "
		    "account does not exist.");
	xw_root(&w, "StorageService");
	storage_url(&w, r, s->name);
	xw_start(&w, "StorageServiceKeys");
	xw_text(&w, "Primary", s->primary_key);
	xw_text(&w, "Secondary", s->secondary_key);
	xw_end(&w, "StorageServiceKeys");
	xw_end(&w, "StorageService");
	return finish(r, &w);
}

int
op_delete_storage(struct req *r)
{
	struct emu_status	 st;

	if (r->fail_op)
		return failed_op(r, 202);
	if (emu_storage_delete(r->model, r->now, r->id, r->segs[2],
	    &st) == -1)
		return model_error(r, &st);
	return req_empty(r, 202);
}

/* Service certificates ----------------------------------------------- */

int
op_add_certificate(struct req *r)
{
	struct field		 f[] = {
		{ "Data", 0, 1, F_B64, 0, { 0 } },
		{ "CertificateFormat", 1, 1, F_TEXT, 0, { 0 } },
		{ "Password", 2, 0, F_TEXT, 0, { 0 } },
	};
	struct emu_cert_input	 in;
	struct emu_status	 st;
	int			 rc = 0;

	if (read_body(r, "CertificateFile", f, 3, NULL) == -1)
		goto out;
	if (r->fail_op) {
		rc = failed_op(r, 202);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.service = r->segs[2];
	in.format = fval(&f[1]);
	in.data = (const unsigned char *)f[0].val.data;
	in.data_len = f[0].val.len;
	in.password = fval(&f[2]);
	if (emu_cert_add(r->model, r->now, r->id, &in, &st) == -1)
		rc = model_error(r, &st);
	else
		rc = req_empty(r, 202);
out:
	/* The password and the key are wiped with the buffers. */
	fields_free(f, 3, NULL);
	return rc;
}

int
op_list_certificates(struct req *r)
{
	const struct emu_certificate	*c;
	struct xw			 w = { &r->out, 0 };
	size_t				 i;

	if (emu_service_get(r->model, r->now, r->segs[2]) == NULL)
		return req_error(r, 404, "ResourceNotFound", "The hosted "
		    "service does not exist.");
	xw_root(&w, "Certificates");
	for (i = 0;; i++) {
		c = emu_cert_at(r->model, r->now, r->segs[2], i);
		if (c == NULL)
			break;
		xw_start(&w, "Certificate");
		xw_textf(&w, "CertificateUrl", MGMT "%s/services/"
		    "hostedservices/%s/certificates/sha1-%s", r->sub,
		    c->service, c->thumbprint);
		xw_text(&w, "Thumbprint", c->thumbprint);
		xw_text(&w, "ThumbprintAlgorithm", "sha1");
		xw_b64(&w, "Data", c->der, c->der_len);
		xw_end(&w, "Certificate");
	}
	xw_end(&w, "Certificates");
	return finish(r, &w);
}

int
op_get_certificate(struct req *r)
{
	const struct emu_certificate	*c;
	struct xw			 w = { &r->out, 0 };

	c = emu_cert_get(r->model, r->now, r->segs[2], r->segs[4]);
	if (c == NULL)
		return req_error(r, 404, "ResourceNotFound", "The specified "
		    "certificate does not exist.");
	xw_root(&w, "Certificate");
	xw_b64(&w, "Data", c->der, c->der_len);
	xw_end(&w, "Certificate");
	return finish(r, &w);
}

int
op_delete_certificate(struct req *r)
{
	struct emu_status	 st;

	if (r->fail_op)
		return failed_op(r, 202);
	if (emu_cert_delete(r->model, r->now, r->id, r->segs[2], r->segs[4],
	    &st) == -1)
		return model_error(r, &st);
	return req_empty(r, 202);
}

/* Deployments -------------------------------------------------------- */

/* The deployment the path names; -1 answered (bad slot). */
static int
deploy_ref(struct req *r, struct emu_deploy_ref *ref)
{
	int	 slot;

	ref->service = r->segs[2];
	ref->slot = EMU_SLOT_PRODUCTION;
	ref->name = NULL;
	if (strcasecmp(r->segs[3], "deployments") == 0) {
		ref->name = r->segs[4];
		return 0;
	}
	slot = emu_slot_find(r->segs[4]);
	if (slot < 0) {
		req_error(r, 400, "BadRequest", "The deployment slot must be "
		    "production or staging.");
		return -1;
	}
	ref->slot = (enum emu_slot)slot;
	return 0;
}

static void
write_instance(struct xw *w, const struct emu_deployment *d,
    const struct emu_instance *in)
{
	int	 stopped = in->state == EMU_INSTANCE_STOPPED_VM;

	xw_start(w, "RoleInstance");
	xw_text(w, "RoleName", in->role);
	xw_text(w, "InstanceName", in->name);
	xw_text(w, "InstanceStatus", emu_instance_state_name(in->state));
	xw_int(w, "InstanceUpgradeDomain", in->index % 5);
	xw_int(w, "InstanceFaultDomain", in->index % 2);
	xw_text(w, "InstanceSize", "ExtraSmall");
	xw_text(w, "InstanceStateDetails", NULL);
	xw_text(w, "IpAddress", in->ip);
	xw_start(w, "InstanceEndpoints");
	xw_start(w, "InstanceEndpoint");
	xw_text(w, "Name", "HttpsIn");
	xw_text(w, "Vip", d->vip);
	xw_int(w, "PublicPort", 443);
	xw_int(w, "LocalPort", 443);
	xw_text(w, "Protocol", "tcp");
	xw_end(w, "InstanceEndpoint");
	xw_end(w, "InstanceEndpoints");
	xw_text(w, "PowerState", stopped ? "Stopped" : "Started");
	xw_end(w, "RoleInstance");
}

/* Spec 2.11, in the wire's order. */
static void
write_deployment(struct xw *w, struct req *r, const struct emu_deployment *d,
    int root)
{
	size_t	 i;

	if (root)
		xw_root(w, "Deployment");
	else
		xw_start(w, "Deployment");
	xw_text(w, "Name", d->name);
	xw_text(w, "DeploymentSlot", emu_slot_name(d->slot));
	xw_text(w, "PrivateID", d->private_id);
	xw_text(w, "Status", emu_deploy_state_name(d->state));
	xw_b64(w, "Label", d->label, strlen(d->label));
	xw_textf(w, "Url", "http://%s.cloudapp.net/", d->service);
	xw_b64(w, "Configuration", d->configuration,
	    strlen(d->configuration));
	xw_start(w, "RoleInstanceList");
	for (i = 0; i < d->ninstances; i++)
		write_instance(w, d, &d->instances[i]);
	xw_end(w, "RoleInstanceList");
	xw_int(w, "UpgradeDomainCount", 1);
	xw_start(w, "RoleList");
	xw_start(w, "Role");
	xw_text(w, "RoleName", d->role);
	xw_text(w, "OsVersion", NULL);
	xw_end(w, "Role");
	xw_end(w, "RoleList");
	xw_text(w, "SdkVersion", "2.9.6496.1");
	xw_bool(w, "Locked", d->state == EMU_DEPLOY_DEPLOYING);
	xw_bool(w, "RollbackAllowed", 0);
	xw_time(w, "CreatedTime", d->created);
	xw_time(w, "LastModifiedTime", d->modified);
	write_props(w, d->props, d->nprops);
	xw_start(w, "VirtualIPs");
	xw_start(w, "VirtualIP");
	xw_text(w, "Address", d->vip);
	xw_bool(w, "IsDnsProgrammed", 1);
	xw_text(w, "Name", "__PseudoBackEndContractVip");
	xw_end(w, "VirtualIP");
	xw_end(w, "VirtualIPs");
	xw_end(w, "Deployment");
	(void)r;
}

static void
deploy_input_fill(struct emu_deploy_input *in, struct field *f,
    struct props_in *pi)
{
	in->name = fval(&f[0]);
	in->package_url = fval(&f[1]);
	in->label = fval(&f[2]);
	in->configuration = f[3].val.data;
	in->configuration_len = f[3].val.len;
	in->start = f[4].present && strcmp(f[4].val.data, "true") == 0;
	in->props = pi->p;
	in->nprops = pi->n;
}

/* Spec 2.10. */
int
op_create_deployment(struct req *r)
{
	struct field		 f[] = {
		{ "Name", 0, 1, F_TEXT, 0, { 0 } },
		{ "PackageUrl", 1, 1, F_TEXT, 0, { 0 } },
		{ "Label", 2, 1, F_B64, 0, { 0 } },
		{ "Configuration", 3, 1, F_B64, 0, { 0 } },
		{ "StartDeployment", 4, 0, F_BOOL, 0, { 0 } },
		{ "TreatWarningsAsError", 5, 0, F_BOOL, 0, { 0 } },
		{ "ExtendedProperties", 6, 0, F_PROPS, 0, { 0 } },
		{ "ExtensionConfiguration", 7, 0, F_ANY, 0, { 0 } },
	};
	struct props_in		 pi;
	struct emu_deploy_input	 in;
	struct emu_deploy_ref	 ref;
	struct emu_status	 st;
	int			 rc = 0;

	memset(&pi, 0, sizeof(pi));
	memset(&in, 0, sizeof(in));
	if (deploy_ref(r, &ref) == -1 || read_body(r, "CreateDeployment", f,
	    8, &pi) == -1)
		goto out;
	if (r->fail_op) {
		rc = failed_op(r, 202);
		goto out;
	}
	deploy_input_fill(&in, f, &pi);
	in.slot = ref.slot;
	in.stuck = r->stuck;
	if (emu_deploy_create(r->model, r->now, r->id, ref.service, &in,
	    &st) == -1)
		rc = model_error(r, &st);
	else
		rc = req_empty(r, 202);
out:
	fields_free(f, 8, &pi);
	return rc;
}

int
op_get_deployment(struct req *r)
{
	const struct emu_deployment	*d;
	struct emu_deploy_ref		 ref;
	struct xw			 w = { &r->out, 0 };

	if (deploy_ref(r, &ref) == -1)
		return 0;
	if (emu_service_get(r->model, r->now, ref.service) == NULL)
		return req_error(r, 404, "ResourceNotFound", "The hosted "
		    "service does not exist.");
	d = emu_deploy_get(r->model, r->now, &ref);
	if (d == NULL)
		return req_error(r, 404, "ResourceNotFound", "No "
		    "deployments were found.");
	write_deployment(&w, r, d, 1);
	return finish(r, &w);
}

int
op_update_deployment_status(struct req *r)
{
	struct field		 f[] = {
		{ "Status", 0, 1, F_TEXT, 0, { 0 } },
	};
	struct emu_deploy_ref	 ref;
	struct emu_status	 st;
	int			 rc = 0, running;

	if (deploy_ref(r, &ref) == -1 || read_body(r,
	    "UpdateDeploymentStatus", f, 1, NULL) == -1)
		goto out;
	running = strcmp(f[0].val.data, "Running") == 0;
	if (!running && strcmp(f[0].val.data, "Suspended") != 0) {
		bad_request(r, "The status must be Running or Suspended.");
		goto out;
	}
	if (r->fail_op)
		rc = failed_op(r, 202);
	else if (emu_deploy_set_status(r->model, r->now, r->id, &ref,
	    running, &st) == -1)
		rc = model_error(r, &st);
	else
		rc = req_empty(r, 202);
out:
	fields_free(f, 1, NULL);
	return rc;
}

int
op_delete_deployment(struct req *r)
{
	struct emu_deploy_ref	 ref;
	struct emu_status	 st;

	if (deploy_ref(r, &ref) == -1)
		return 0;
	if (r->fail_op)
		return failed_op(r, 202);
	if (emu_deploy_delete(r->model, r->now, r->id, &ref, &st) == -1)
		return model_error(r, &st);
	return req_empty(r, 202);
}

/* Operations --------------------------------------------------------- */

int
op_get_operation(struct req *r)
{
	const struct emu_operation	*o;
	struct xw			 w = { &r->out, 0 };
	const char			*id;

	o = emu_op_get(r->model, r->now, r->segs[1]);
	if (o == NULL)
		return req_error(r, 404, "ResourceNotFound", "The operation "
		    "request ID was not found.");
	id = o->id;
	xw_root(&w, "Operation");
	/* The body's ID is the request id as a dashed GUID (spec 1.4). */
	xw_textf(&w, "ID", "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12,
	    id + 16, id + 20);
	xw_text(&w, "Status", emu_op_state_name(o->state));
	if (o->state != EMU_OP_IN_PROGRESS)
		xw_int(&w, "HttpStatusCode", o->http);
	if (o->state == EMU_OP_FAILED) {
		xw_start(&w, "Error");
		xw_text(&w, "Code", o->code);
		xw_text(&w, "Message", o->message);
		xw_end(&w, "Error");
	}
	xw_end(&w, "Operation");
	return finish(r, &w);
}
