/*
 * The credentials of clouddp-provision, from what its options name.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "cert.h"
#include "http.h"
#include "pfx.h"
#include "provision.h"
#include "provision_cred.h"
#include "publishsettings.h"
#include "secret.h"

void
prov_cred_init(struct prov_cred *cr)
{
	cr->mgmt_pw.opt = "--management-password";
	cr->service_pw.opt = "--service-password";
	cr->proxy_pw.opt = "--proxy-password";
}

/* The password source name sets, its kind in *kind; NULL: none. */
static struct clouddp_secret_src *
password_opt(struct prov_cred *cr, const char *name,
    enum clouddp_secret_kind *kind)
{
	static const struct {
		const char			*name;
		enum clouddp_secret_kind	 kind;
	} kinds[] = {
		{ "env", CLOUDDP_SECRET_ENV },
		{ "fd", CLOUDDP_SECRET_FD },
		{ "file", CLOUDDP_SECRET_FILE },
	};
	struct clouddp_secret_src	*srcs[] = {
		&cr->mgmt_pw, &cr->service_pw, &cr->proxy_pw
	};
	size_t				 i, j, len;

	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		len = strlen(srcs[i]->opt + 2);
		if (strncmp(name, srcs[i]->opt + 2, len) != 0 ||
		    name[len] != '-')
			continue;
		for (j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++)
			if (strcmp(name + len + 1, kinds[j].name) == 0) {
				*kind = kinds[j].kind;
				return srcs[i];
			}
	}
	return NULL;
}

int
prov_cred_opt(struct prov_cred *cr, const char *name, const char *arg,
    struct clouddp_err *err)
{
	struct clouddp_secret_src	*s;
	enum clouddp_secret_kind	 kind;

	if (strcmp(name, "management-pfx") == 0)
		cr->mgmt_pfx = arg;
	else if (strcmp(name, "service-pfx") == 0)
		cr->service_pfx = arg;
	else if (strcmp(name, "publishsettings") == 0)
		cr->publishsettings = arg;
	else {
		s = password_opt(cr, name, &kind);
		if (s == NULL)
			return clouddp_errf(err, CLOUDDP_EUSAGE, NULL,
			    "--%s: not a credential's option", name);
		if (s->kind != CLOUDDP_SECRET_NONE)
			return clouddp_errf(err, CLOUDDP_EUSAGE, "give one "
			    "source for each password", "two sources given "
			    "for one password");
		s->kind = kind;
		s->arg = arg;
	}
	return 0;
}

/*
 * The management certificate of a .publishsettings file (spec 4): the
 * subscription --subscription names, or its only one; its endpoint
 * unless --endpoint is given.
 */
static int
load_publishsettings(struct prov_cred *cr, struct prov_cfg *cfg,
    struct clouddp_err *err)
{
	const struct publishsettings_sub	*s;
	char					 name[300];

	cr->ps = publishsettings_load(cr->publishsettings, err);
	if (cr->ps == NULL)
		return -1;
	if (cfg->be.subscription == NULL && publishsettings_count(cr->ps) > 1)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "pass --subscription "
		    "with one of the ids it holds (clouddp-cert "
		    "--publishsettings lists them)", "%s holds %zu "
		    "subscriptions", cr->publishsettings,
		    publishsettings_count(cr->ps));
	if (cfg->be.subscription == NULL)
		s = publishsettings_get(cr->ps, 0);
	else
		s = publishsettings_select(cr->ps, cfg->be.subscription, err);
	if (s == NULL) {
		snprintf(err->hint, sizeof(err->hint), "pass one of these ids "
		    "to --subscription, or the file of that subscription");
		return -1;
	}
	cfg->be.subscription = s->id;
	if (cfg->be.endpoint == NULL && s->url[0] != '\0')
		cfg->be.endpoint = s->url;
	snprintf(name, sizeof(name), "%s, subscription %s",
	    cr->publishsettings, s->id);
	cr->mgmt = cert_from_base64(s->certificate, strlen(s->certificate),
	    "", name, err);
	return cr->mgmt != NULL ? 0 : -1;
}

int
prov_cred_load_mgmt(struct prov_cred *cr, struct prov_cfg *cfg,
    const char *cmd, struct clouddp_err *err)
{
	if (cr->publishsettings != NULL && (cr->mgmt_pfx != NULL ||
	    cr->mgmt_pw.kind != CLOUDDP_SECRET_NONE))
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give either "
		    "--publishsettings or --management-pfx with its password "
		    "option: the .publishsettings file holds the management "
		    "certificate, without a password", "--publishsettings "
		    "and --management-pfx%s cannot be used together",
		    cr->mgmt_pfx == NULL ? "'s password options" : "");
	if (cr->publishsettings != NULL)
		return load_publishsettings(cr, cfg, err);
	if (cfg->be.subscription == NULL || cr->mgmt_pfx == NULL)
		return clouddp_errf(err, CLOUDDP_EUSAGE, "see clouddp-"
		    "provision --help", "%s needs --subscription and "
		    "--management-pfx, or --publishsettings", cmd);
	cr->mgmt = pfx_load(cr->mgmt_pfx, &cr->mgmt_pw, NULL, err);
	return cr->mgmt != NULL ? 0 : -1;
}

int
prov_cred_load_service(struct prov_cred *cr, struct clouddp_err *err)
{
	cr->service = pfx_load(cr->service_pfx, &cr->service_pw,
	    &cr->service_password, err);
	if (cr->service == NULL)
		return -1;
	return pfx_read(cr->service_pfx, &cr->pfx, err);
}

/*
 * curl sends the user and this password to the proxy, for the
 * management and the Blob requests alike.
 */
int
prov_cred_load_proxy_password(struct prov_cred *cr, struct prov_cfg *cfg,
    struct clouddp_err *err)
{
	const char	*proxy = cfg->be.proxy, *var, *p, *at, *slash;

	if (cr->proxy_pw.kind == CLOUDDP_SECRET_NONE)
		return 0;
	if (proxy == NULL)
		proxy = http_env_proxy("https", &var);
	if (proxy == NULL || proxy[0] == '\0')
		return clouddp_errf(err, CLOUDDP_EUSAGE, "give the proxy with "
		    "--proxy http://USER@HOST:PORT", "a proxy password was "
		    "given, but no proxy");
	p = strstr(proxy, "://");
	p = p != NULL ? p + 3 : proxy;
	at = strchr(p, '@');
	slash = strchr(p, '/');
	if (at == NULL || at == p || (slash != NULL && slash < at))
		return clouddp_errf(err, CLOUDDP_EUSAGE, "put the user in the "
		    "proxy URL: http://USER@HOST:PORT", "a proxy password was "
		    "given, but the proxy names no user");
	cr->proxy_password = http_proxy_password_read(&cr->proxy_pw, err);
	if (cr->proxy_password == NULL)
		return -1;
	cfg->be.proxy_password = cr->proxy_password;
	return 0;
}

void
prov_cred_cleanup(struct prov_cred *cr)
{
	cert_free(cr->mgmt);
	publishsettings_free(cr->ps);
	cert_free(cr->service);
	secret_free(cr->service_password);
	secret_shield_free(cr->proxy_password);
	clouddp_buf_free(&cr->pfx);
}
