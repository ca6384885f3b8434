/*
 * .publishsettings files: which subscriptions they hold, where their
 * management API is and which certificate signs in.  The XML is parsed
 * by xml.c (no DTD, no entities); the certificate stays base64 here and
 * is decoded by cert.c.  Nothing here reads a key.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clouddp.h"
#include "cert.h"
#include "publishsettings.h"
#include "report.h"
#include "xml.h"

struct ps_entry {
	struct publishsettings_sub	 pub;
	struct clouddp_buf		 id;
	struct clouddp_buf		 name;
	struct clouddp_buf		 url;
	struct clouddp_buf		 certificate;
};

struct publishsettings {
	int		 version;
	struct ps_entry	*subs;
	size_t		 nsubs;
};

void
publishsettings_free(struct publishsettings *ps)
{
	size_t	 i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->nsubs; i++) {
		clouddp_buf_free(&ps->subs[i].id);
		clouddp_buf_free(&ps->subs[i].name);
		clouddp_buf_free(&ps->subs[i].url);
		clouddp_buf_free(&ps->subs[i].certificate);
	}
	free(ps->subs);
	free(ps);
}

/* Copy attribute attr of node into out; "" when absent. */
static int
attr(const struct xml_node *node, const char *name, struct clouddp_buf *out,
    struct clouddp_err *err)
{
	int	 rc;

	rc = xml_node_attr(node, name, out, err);
	if (rc == -1)
		return -1;
	if (rc == 0) {
		clouddp_buf_reset(out);
		return clouddp_buf_append(out, "", 0, err);
	}
	return 0;
}

/* v1 writes "https://management.core.windows.net/", v2 no slash. */
static void
url_normalise(struct clouddp_buf *url)
{
	while (url->len > 0 && url->data[url->len - 1] == '/')
		url->data[--url->len] = '\0';
}

static struct ps_entry *
entry_add(struct publishsettings *ps, struct clouddp_err *err)
{
	struct ps_entry	*p;

	p = reallocarray(ps->subs, ps->nsubs + 1, sizeof(*p));
	if (p == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	ps->subs = p;
	p = &ps->subs[ps->nsubs++];
	memset(p, 0, sizeof(*p));
	return p;
}

/*
 * One Subscription element.  In version 1 the URL and certificate come
 * from the profile (purl, pcert); in version 2 from the element.
 */
static int
sub_parse(struct publishsettings *ps, const struct xml_node *node,
    const struct clouddp_buf *purl, const struct clouddp_buf *pcert,
    const char *file, struct clouddp_err *err)
{
	struct ps_entry	*e;

	e = entry_add(ps, err);
	if (e == NULL)
		return -1;
	if (attr(node, "Id", &e->id, err) == -1 ||
	    attr(node, "Name", &e->name, err) == -1)
		return -1;
	if (ps->version == 2) {
		if (attr(node, "ServiceManagementUrl", &e->url, err) == -1 ||
		    attr(node, "ManagementCertificate", &e->certificate,
		    err) == -1)
			return -1;
	} else if (clouddp_buf_append(&e->url, purl->data, purl->len,
	    err) == -1 || clouddp_buf_append(&e->certificate, pcert->data,
	    pcert->len, err) == -1)
		return -1;
	url_normalise(&e->url);
	if (e->id.len == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "download the .publishsettings file again",
		    "%s: line %ld: Subscription without an Id", file,
		    xml_node_line(node));
	if (e->certificate.len == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "download the .publishsettings file again",
		    "%s: subscription %s: no ManagementCertificate", file,
		    e->id.data);
	return 0;
}

/* One PublishProfile: its version, then its subscriptions. */
static int
profile_parse(struct publishsettings *ps, const struct xml_node *profile,
    const char *file, struct clouddp_err *err)
{
	struct clouddp_buf	 version = { NULL, 0, 0 };
	struct clouddp_buf	 url = { NULL, 0, 0 };
	struct clouddp_buf	 cert = { NULL, 0, 0 };
	const struct xml_node	*node;
	int			 rc = -1;

	if (attr(profile, "SchemaVersion", &version, err) == -1 ||
	    attr(profile, "Url", &url, err) == -1 ||
	    attr(profile, "ManagementCertificate", &cert, err) == -1)
		goto out;
	/* Microsoft's own loader: "2.0" means version 2, else 1. */
	ps->version = strcmp(version.data, "2.0") == 0 ? 2 : 1;
	node = xml_node_child(profile, "Subscription");
	for (; node != NULL; node = xml_node_next(node, "Subscription"))
		if (sub_parse(ps, node, &url, &cert, file, err) == -1)
			goto out;
	rc = 0;
out:
	clouddp_buf_free(&version);
	clouddp_buf_free(&url);
	clouddp_buf_free(&cert);
	return rc;
}

static int
doc_parse(struct publishsettings *ps, const struct xml_doc *doc,
    const char *file, struct clouddp_err *err)
{
	const struct xml_node	*root, *profile;

	root = xml_doc_root(doc);
	if (strcmp(xml_node_name(root), "PublishData") != 0)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "give a .publishsettings file downloaded from Azure",
		    "%s: not a .publishsettings file (root element <%s>, "
		    "not <PublishData>)", file, xml_node_name(root));
	profile = xml_node_child(root, "PublishProfile");
	for (; profile != NULL;
	    profile = xml_node_next(profile, "PublishProfile"))
		if (profile_parse(ps, profile, file, err) == -1)
			return -1;
	if (ps->nsubs == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "download the .publishsettings file again",
		    "%s: no <PublishProfile><Subscription> in the file", file);
	return 0;
}

struct publishsettings *
publishsettings_parse(const char *buf, size_t len, const char *file,
    struct clouddp_err *err)
{
	struct publishsettings	*ps;
	struct xml_doc		*doc;
	size_t			 i;

	doc = xml_parse(buf, len, file, err);
	if (doc == NULL)
		return NULL;
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (doc_parse(ps, doc, file, err) == -1) {
		publishsettings_free(ps);
		ps = NULL;
		goto out;
	}
	for (i = 0; i < ps->nsubs; i++) {
		ps->subs[i].pub.id = ps->subs[i].id.data;
		ps->subs[i].pub.name = ps->subs[i].name.data;
		ps->subs[i].pub.url = ps->subs[i].url.data;
		ps->subs[i].pub.certificate = ps->subs[i].certificate.data;
	}
out:
	xml_doc_free(doc);
	return ps;
}

struct publishsettings *
publishsettings_load(const char *path, struct clouddp_err *err)
{
	struct clouddp_buf	 buf = { NULL, 0, 0 };
	struct publishsettings	*ps = NULL;
	FILE			*fp;
	char			 chunk[8192];
	size_t			 n;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		clouddp_errf(err, CLOUDDP_EIO, "check the path",
		    "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		n = fread(chunk, 1, sizeof(chunk), fp);
		if (n == 0)
			break;
		if (buf.len + n > XML_DOC_MAX) {
			clouddp_errf(err, CLOUDDP_EINPUT,
			    "give a .publishsettings file downloaded from "
			    "Azure", "%s: larger than %d bytes", path,
			    XML_DOC_MAX);
			goto out;
		}
		if (clouddp_buf_append(&buf, chunk, n, err) == -1)
			goto out;
	}
	if (ferror(fp)) {
		clouddp_errf(err, CLOUDDP_EIO, NULL, "%s: read error: %s",
		    path, strerror(errno));
		goto out;
	}
	ps = publishsettings_parse(buf.len > 0 ? buf.data : "", buf.len,
	    path, err);
out:
	fclose(fp);
	clouddp_buf_free(&buf);		/* wipes the embedded key */
	return ps;
}

int
publishsettings_version(const struct publishsettings *ps)
{
	return ps->version;
}

size_t
publishsettings_count(const struct publishsettings *ps)
{
	return ps->nsubs;
}

const struct publishsettings_sub *
publishsettings_get(const struct publishsettings *ps, size_t i)
{
	return i < ps->nsubs ? &ps->subs[i].pub : NULL;
}

const struct publishsettings_sub *
publishsettings_find(const struct publishsettings *ps, const char *id)
{
	size_t	 i;

	for (i = 0; i < ps->nsubs; i++)
		if (strcasecmp(ps->subs[i].id.data, id) == 0)
			return &ps->subs[i].pub;
	return NULL;
}

const struct publishsettings_sub *
publishsettings_select(const struct publishsettings *ps, const char *id,
    struct clouddp_err *err)
{
	const struct publishsettings_sub	*s;
	char					 ids[400];
	size_t					 i, used;

	s = publishsettings_find(ps, id);
	if (s != NULL)
		return s;
	ids[0] = '\0';
	for (i = 0; i < ps->nsubs; i++) {
		used = strlen(ids);
		snprintf(ids + used, sizeof(ids) - used, "%s%s (%s)",
		    i > 0 ? ", " : "", ps->subs[i].id.data,
		    ps->subs[i].name.data);
	}
	clouddp_errf(err, CLOUDDP_EUSAGE,
	    "give one of these ids to --subscription, or leave it out to "
	    "check them all", "no subscription %s; the file holds %s", id,
	    ids);
	return NULL;
}

/* The state of one publishsettings_check. */
struct ps_check {
	struct cert_policy	 policy;
	struct report		*report;
	struct report_obj	*subs;	/* borrowed from the root */
	struct cert		**certs;	/* each one checked */
	const char		**owners;	/* the subscription of each */
	size_t			 ncerts;
	char			 prefix[128];
};

/* The index of a certificate already checked, or ncerts. */
static size_t
seen(const struct ps_check *pc, const struct cert *c)
{
	size_t	 i;

	for (i = 0; i < pc->ncerts; i++)
		if (cert_equal(pc->certs[i], c))
			break;
	return i;
}

/* Keep c (owned from now on) as checked, for subscription id. */
static int
keep(struct ps_check *pc, struct cert *c, const char *id,
    struct clouddp_err *err)
{
	struct cert	**certs;
	const char	**owners;

	certs = reallocarray(pc->certs, pc->ncerts + 1, sizeof(*certs));
	if (certs != NULL)
		pc->certs = certs;
	owners = reallocarray(pc->owners, pc->ncerts + 1, sizeof(*owners));
	if (owners != NULL)
		pc->owners = owners;
	if (certs == NULL || owners == NULL) {
		cert_free(c);
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	}
	pc->certs[pc->ncerts] = c;
	pc->owners[pc->ncerts++] = id;
	return 0;
}

/* The subscription's line: its certificate by subject and thumbprint. */
static void
sub_line(struct ps_check *pc, const struct publishsettings_sub *s,
    const struct cert *c, size_t i)
{
	char	 sha1[41];

	cert_thumbprint_sha1(c, sha1);
	report_check(pc->report, "subscription", CLOUDDP_STATUS_OK,
	    "%s \"%s\", management API %s, certificate %s (SHA-1 %s)%s%s",
	    s->id, s->name, s->url, cert_subject(c), sha1,
	    i < pc->ncerts ? "; checked once, with subscription " : "",
	    i < pc->ncerts ? pc->owners[i] : "");
}

/* One subscription: list it, and check its certificate if new. */
static int
check_sub(struct ps_check *pc, const struct publishsettings_sub *s,
    struct clouddp_err *err)
{
	struct report_obj	*obj;
	struct cert		*c;
	char			 name[300];
	size_t			 i;

	snprintf(name, sizeof(name), "subscription %s", s->id);
	c = cert_from_base64(s->certificate, strlen(s->certificate), "",
	    name, err);
	if (c == NULL && err->code == CLOUDDP_EPASSWORD)
		return clouddp_errf(err, CLOUDDP_ECERT,
		    "download the .publishsettings file again",
		    "%s: the certificate has a password, which Azure never "
		    "sets", name);
	if (c == NULL)
		return -1;
	i = seen(pc, c);
	sub_line(pc, s, c, i);
	obj = report_obj_new();
	report_obj_set_str(obj, "id", s->id);
	report_obj_set_str(obj, "name", s->name);
	report_obj_set_str(obj, "management_url", s->url);
	cert_describe(c, pc->policy.now, obj);
	report_arr_append(pc->subs, obj);
	if (i < pc->ncerts) {
		cert_free(c);
		return 0;
	}
	cert_check_all(c, &pc->policy, pc->report, NULL, 0);
	return keep(pc, c, s->id, err);
}

/* The certificate checked that expires first. */
static const struct cert *
soonest(const struct ps_check *pc)
{
	size_t	 i, j = 0;

	for (i = 1; i < pc->ncerts; i++)
		if (cert_not_after(pc->certs[i]) <
		    cert_not_after(pc->certs[j]))
			j = i;
	return pc->certs[j];
}

int
publishsettings_check(const struct publishsettings *ps, const char *id,
    const struct cert_policy *policy, struct report *r,
    struct clouddp_err *err)
{
	const struct publishsettings_sub	*sel = NULL;
	struct ps_check				 pc;
	size_t					 i;
	int					 rc = 0;

	if (id != NULL) {
		sel = publishsettings_select(ps, id, err);
		if (sel == NULL)
			return -1;
	}
	memset(&pc, 0, sizeof(pc));
	pc.policy = *policy;
	pc.report = r;
	if (report_obj_set_int(report_root(r), "schema_version",
	    ps->version) == -1)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	pc.subs = report_arr_new();
	if (pc.subs == NULL ||
	    report_obj_set(report_root(r), "subscriptions", pc.subs) == -1)
		return clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	for (i = 0; i < ps->nsubs && rc == 0; i++) {
		if (sel != NULL && sel != &ps->subs[i].pub)
			continue;
		/* Version 2: a certificate each; say whose finding it is. */
		if (ps->version == 2 && sel == NULL && ps->nsubs > 1) {
			snprintf(pc.prefix, sizeof(pc.prefix),
			    "%ssubscription %s: ", policy->prefix != NULL ?
			    policy->prefix : "", ps->subs[i].id.data);
			pc.policy.prefix = pc.prefix;
		}
		rc = check_sub(&pc, &ps->subs[i].pub, err);
	}
	if (rc == 0 && pc.ncerts == 1)
		cert_describe(pc.certs[0], pc.policy.now, report_root(r));
	if (rc == 0 && pc.ncerts > 0)
		cert_perf_days_left(soonest(&pc), &pc.policy, r);
	for (i = 0; i < pc.ncerts; i++)
		cert_free(pc.certs[i]);
	free(pc.certs);
	free(pc.owners);
	return rc;
}
