/*
 * `<service>.<zone> A <VIP>` registered by RFC 2136 through update.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "dnsreg.h"
#include "loop.h"
#include "name.h"
#include "update.h"

/* One name this registry added, or is adding or removing. */
struct record {
	struct record		*next;
	struct dnsreg		*reg;
	char			 fqdn[ZONE_NAME_MAX];
	char			 vip[64];
	struct update_op	*op;	/* in flight, or NULL */
	int			 removing;
	int			 added;
	dnsreg_done_cb		 done;
	void			*arg;
};

struct dnsreg {
	struct loop		*loop;
	struct zone_tsig	*tsig;
	struct update_client	*client;
	char			 host[256];
	char			 zone[ZONE_NAME_MAX];
	uint32_t		 ttl;
	struct record		*records;
};

static int
server_parse(struct dnsreg *r, const char *s, struct zone_server *zs,
    struct clouddp_err *err)
{
	const char	*colon = strrchr(s, ':');
	char		*end;
	long		 port = 53;

	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || end == colon + 1 || port < 1 ||
		    port > 65535)
			return clouddp_errf(err, CLOUDDP_EUSAGE, "give "
			    "HOST:PORT, e.g. 127.0.0.1:5353",
			    "--dns-update '%s': bad port", s);
	}
	if (snprintf(r->host, sizeof(r->host), "%.*s", colon != NULL ?
	    (int)(colon - s) : (int)strlen(s), s) >= (int)sizeof(r->host) ||
	    r->host[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give HOST:PORT",
		    "--dns-update '%s': bad host", s);
	zs->host = r->host;
	zs->port = (unsigned short)port;
	return 0;
}

struct dnsreg *
dnsreg_new(struct loop *loop, const struct dnsreg_cfg *cfg,
    struct clouddp_err *err)
{
	struct dnsreg		*r;
	struct zone_server	 zs;
	const char		*warning;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	r->loop = loop;
	r->ttl = cfg->ttl > 0 ? cfg->ttl : 60;
	memset(&zs, 0, sizeof(zs));
	zs.timeout = cfg->timeout > 0 ? cfg->timeout : 5;
	if (name_parse(cfg->zone, 0, r->zone, err) == -1) {
		clouddp_err_prefix(err, "--cloudapp-zone");
		goto fail;
	}
	if (server_parse(r, cfg->server, &zs, err) == -1)
		goto fail;
	if (cfg->tsig_file != NULL) {
		r->tsig = zone_tsig_load(cfg->tsig_file, &warning, err);
		if (r->tsig == NULL)
			goto fail;
		zs.tsig = r->tsig;
	}
	r->client = update_client_new(loop, &zs, err);
	if (r->client == NULL)
		goto fail;
	return r;
fail:
	dnsreg_free(r);
	return NULL;
}

void
dnsreg_free(struct dnsreg *r)
{
	struct record	*rec;

	if (r == NULL)
		return;
	while (r->records != NULL) {
		rec = r->records;
		r->records = rec->next;
		update_cancel(rec->op);
		free(rec);
	}
	update_client_free(r->client);
	zone_tsig_free(r->tsig);
	free(r);
}

int
dnsreg_fqdn(const struct dnsreg *r, const char *service, char *out,
    struct clouddp_err *err)
{
	char	 name[ZONE_NAME_MAX];

	if (snprintf(name, sizeof(name), "%s.%s", service, r->zone) >=
	    (int)sizeof(name))
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s.%s: name too long", service, r->zone);
	return name_parse(name, 0, out, err);
}

static struct record *
record_find(struct dnsreg *r, const char *fqdn)
{
	struct record	*rec;

	for (rec = r->records; rec != NULL; rec = rec->next)
		if (strcmp(rec->fqdn, fqdn) == 0)
			return rec;
	return NULL;
}

static void
record_drop(struct record *rec)
{
	struct record	**pp;

	for (pp = &rec->reg->records; *pp != NULL; pp = &(*pp)->next)
		if (*pp == rec) {
			*pp = rec->next;
			break;
		}
	free(rec);
}

static void
on_update(void *arg, const struct clouddp_err *err,
    const struct update_result *res)
{
	struct record	*rec = arg;
	dnsreg_done_cb	 done = rec->done;
	void		*darg = rec->arg;
	char		 fqdn[ZONE_NAME_MAX];

	(void)res;
	rec->op = NULL;
	memcpy(fqdn, rec->fqdn, sizeof(fqdn));
	if (rec->removing) {
		if (err == NULL || !rec->added)
			record_drop(rec);
	} else if (err == NULL)
		rec->added = 1;
	else if (!rec->added)
		record_drop(rec);
	if (done != NULL)
		done(darg, err, fqdn);
}

static int
record_send(struct record *rec, enum update_mode mode,
    struct clouddp_err *err)
{
	struct update_req	 u;

	memset(&u, 0, sizeof(u));
	u.fqdn = rec->fqdn;
	u.type = UPDATE_A;
	u.data = rec->vip;
	u.ttl = rec->reg->ttl;
	u.zone = rec->reg->zone;
	u.mode = mode;
	rec->removing = mode == UPDATE_DELETE;
	rec->op = update_start(rec->reg->client, &u, on_update, rec, err);
	return rec->op != NULL ? 0 : -1;
}

int
dnsreg_add(struct dnsreg *r, const char *service, const char *vip,
    dnsreg_done_cb done, void *arg, struct clouddp_err *err)
{
	struct record	*rec;
	char		 fqdn[ZONE_NAME_MAX];
	int		 fresh = 0;

	if (dnsreg_fqdn(r, service, fqdn, err) == -1)
		return -1;
	rec = record_find(r, fqdn);
	if (rec != NULL) {
		/* A removal still in flight (a deployment deleted, a new one
		 * Ready at once): the replace below settles the name. */
		update_cancel(rec->op);
		rec->op = NULL;
	} else {
		rec = calloc(1, sizeof(*rec));
		if (rec == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		fresh = 1;
		rec->reg = r;
		memcpy(rec->fqdn, fqdn, sizeof(fqdn));
		rec->next = r->records;
		r->records = rec;
	}
	snprintf(rec->vip, sizeof(rec->vip), "%s", vip);
	rec->done = done;
	rec->arg = arg;
	if (record_send(rec, UPDATE_REPLACE, err) == -1) {
		if (fresh)
			record_drop(rec);
		return -1;
	}
	return 0;
}

int
dnsreg_remove(struct dnsreg *r, const char *service, dnsreg_done_cb done,
    void *arg, struct clouddp_err *err)
{
	struct record	*rec;
	char		 fqdn[ZONE_NAME_MAX];

	if (dnsreg_fqdn(r, service, fqdn, err) == -1)
		return -1;
	rec = record_find(r, fqdn);
	if (rec == NULL)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: not registered here", fqdn);
	update_cancel(rec->op);
	rec->op = NULL;
	rec->done = done;
	rec->arg = arg;
	return record_send(rec, UPDATE_DELETE, err);
}

int
dnsreg_remove_all(struct dnsreg *r, dnsreg_done_cb done, void *arg)
{
	struct record		*rec, *next;
	struct clouddp_err	 err;
	int			 n = 0;

	for (rec = r->records; rec != NULL; rec = next) {
		next = rec->next;
		if (rec->removing && rec->op != NULL)
			continue;
		update_cancel(rec->op);
		rec->op = NULL;
		rec->done = done;
		rec->arg = arg;
		if (record_send(rec, UPDATE_DELETE, &err) == 0)
			n++;
	}
	return n;
}

int
dnsreg_pending(const struct dnsreg *r)
{
	const struct record	*rec;
	int			 n = 0;

	for (rec = r->records; rec != NULL; rec = rec->next)
		n += rec->op != NULL;
	return n;
}
