/*
 * CNAME records for cloud DPs: the rules, batch input, duplicates and
 * output formats.  Names are judged by zone.c; this file only decides
 * what a cloud DP's record may look like and how each DNS server's
 * tooling wants to be told.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clouddp.h"
#include "cname.h"
#include "input.h"
#include "opts.h"
#include "report.h"
#include "zone.h"


static const char *const format_names[CNAME_FORMAT__MAX] = {
	[CNAME_FORMAT_BIND] = "bind",
	[CNAME_FORMAT_NSUPDATE] = "nsupdate",
	[CNAME_FORMAT_POWERSHELL] = "powershell",
	[CNAME_FORMAT_DNSCMD] = "dnscmd",
	[CNAME_FORMAT_JSON] = "json",
};

struct cname_input {
	struct input		*in;
};

struct seen_slot {
	uint64_t	 hash;		/* 0: empty */
	uint64_t	 line;
};

/*
 * Duplicates in constant memory: a Bloom filter remembers every name;
 * the names it may have seen before (true repeats and rare false
 * positives) go to a small table, and a second look at the input finds
 * which are real and where they first stood.
 */
#define SEEN_BLOOM_BYTES	(4U * 1024 * 1024)
#define SEEN_BLOOM_K		5

struct cname_seen {
	unsigned char		*bloom;
	struct seen_slot	*slots;	/* suspects */
	size_t			 cap;	/* power of two */
	size_t			 n;
};

int
cname_format_parse(const char *s, enum cname_format *out,
    struct clouddp_err *err)
{
	size_t	 i;

	for (i = 0; i < CNAME_FORMAT__MAX; i++)
		if (strcasecmp(s, format_names[i]) == 0) {
			*out = (enum cname_format)i;
			return 0;
		}
	return clouddp_errf(err, CLOUDDP_EUSAGE,
	    "choose bind, nsupdate, powershell, dnscmd or json",
	    "--format: unknown format '%s'", s);
}

int
cname_ttl_parse(const char *s, uint32_t *out, struct clouddp_err *err)
{
	long	 v;

	if (clouddp_parse_long("TTL", s, 0, 2147483647L, &v, err) == -1) {
		snprintf(err->hint, sizeof(err->hint), "give the TTL in "
		    "seconds, 0 to 2147483647 (RFC 2181 section 8)");
		err->code = CLOUDDP_EINPUT;
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
check_target(const struct cname_rules *r, const char *raw,
    struct cname_rec *rec, struct clouddp_err *err)
{
	char	 shown[4 * ZONE_NAME_MAX];

	rec->shape = name_azure_shape(rec->target);
	if (r->allow_any_target || rec->shape != NAME_AZURE_NONE)
		return 0;
	return clouddp_errf(err, CLOUDDP_EINPUT,
	    "give the Azure name, e.g. d1594d4527614a09b934d470.cloudapp.net "
	    "or cmg1.westeurope.cloudapp.azure.com, or pass "
	    "--allow-any-target",
	    "target %s is not an Azure service name: one label under "
	    "cloudapp.net, usgovcloudapp.net or chinacloudapp.cn, or a "
	    "prefix and a region under cloudapp.azure.com",
	    input_escape(raw, shown, sizeof(shown)));
}

int
cname_rec_make(const struct cname_rules *r, const char *fqdn,
    const char *target, const char *ttl, struct cname_rec *rec,
    struct clouddp_err *err)
{
	if (name_parse(fqdn, 1, rec->fqdn, err) == -1 ||
	    name_parse(target, 0, rec->target, err) == -1)
		return -1;
	if (name_is_wildcard(rec->fqdn))
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "name one host, e.g. clouddp1.contoso.com",
		    "%s: the service FQDN may not be a wildcard", fqdn);
	if (r->origin != NULL && strcmp(rec->fqdn, r->origin) == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "a CNAME cannot stand at a zone apex beside its SOA and "
		    "NS records: pick a host name inside the zone",
		    "%s is the apex of zone %s", fqdn, r->origin);
	if (r->origin != NULL && !name_is_within(rec->fqdn, r->origin))
		return clouddp_errf(err, CLOUDDP_EINPUT,
		    "check --origin, or the name",
		    "%s lies outside zone %s", fqdn, r->origin);
	if (strcmp(rec->fqdn, rec->target) == 0)
		return clouddp_errf(err, CLOUDDP_EINPUT, NULL,
		    "%s: a CNAME to itself is a loop", fqdn);
	if (check_target(r, target, rec, err) == -1)
		return -1;
	rec->ttl = r->ttl;
	if (ttl != NULL && cname_ttl_parse(ttl, &rec->ttl, err) == -1)
		return -1;
	return 0;
}

struct cname_input *
cname_input_open(const char *path, double timeout, struct clouddp_err *err)
{
	struct input_cfg	 cfg;
	struct cname_input	*in;

	memset(&cfg, 0, sizeof(cfg));
	cfg.need = INPUT_BIT(INPUT_FQDN) | INPUT_BIT(INPUT_TARGET);
	cfg.flags = INPUT_REWIND;
	cfg.timeout = timeout;
	in = calloc(1, sizeof(*in));
	if (in == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	in->in = input_open(path, &cfg, err);
	if (in->in == NULL) {
		free(in);
		return NULL;
	}
	return in;
}

void
cname_input_free(struct cname_input *in)
{
	if (in == NULL)
		return;
	input_free(in->in);
	free(in);
}

int
cname_input_rewind(struct cname_input *in, struct clouddp_err *err)
{
	return input_rewind(in->in, err);
}

int
cname_input_failed(const struct cname_input *in)
{
	return input_failed(in->in);
}

const char *
cname_input_name(const struct cname_input *in)
{
	return input_name(in->in);
}

int
cname_input_next(struct cname_input *in, const struct cname_rules *r,
    struct cname_rec *rec, struct clouddp_err *err)
{
	struct input_rec	 ir;
	int			 rc;

	rc = input_next(in->in, &ir, err);
	if (rc != 1)
		return rc;
	memset(rec, 0, sizeof(*rec));
	if (cname_rec_make(r, ir.col[INPUT_FQDN], ir.col[INPUT_TARGET],
	    ir.col[INPUT_TTL], rec, err) == -1) {
		clouddp_err_prefix(err, "%s:%zu", input_name(in->in), ir.line);
		return -1;
	}
	rec->line = ir.line;
	return 1;
}

struct cname_seen *
cname_seen_new(void)
{
	struct cname_seen	*s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->bloom = calloc(1, SEEN_BLOOM_BYTES);
	if (s->bloom == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
cname_seen_free(struct cname_seen *s)
{
	if (s == NULL)
		return;
	free(s->bloom);
	free(s->slots);
	free(s);
}

/* FNV-1a, 64 bits, from a seed; 0 is reserved for empty slots. */
static uint64_t
name_hash(const char *name, uint64_t h)
{
	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 0x100000001b3ULL;
	}
	return h != 0 ? h : 1;
}

static struct seen_slot *
seen_find(struct seen_slot *slots, size_t cap, uint64_t h)
{
	size_t	 i = (size_t)h & (cap - 1);

	while (slots[i].hash != 0 && slots[i].hash != h)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int
seen_grow(struct cname_seen *s)
{
	struct seen_slot	*slots, *to;
	size_t			 cap, i;

	cap = s->cap > 0 ? s->cap * 2 : 64;
	slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (i = 0; i < s->cap; i++)
		if (s->slots[i].hash != 0) {
			to = seen_find(slots, cap, s->slots[i].hash);
			*to = s->slots[i];
		}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int
cname_seen_note(struct cname_seen *s, const struct cname_rec *rec)
{
	struct seen_slot	*slot;
	uint64_t		 h1, h2, bit;
	int			 i, hits = 0;

	h1 = name_hash(rec->fqdn, 0xcbf29ce484222325ULL);
	h2 = name_hash(rec->fqdn, 0x84222325cbf29ce4ULL) | 1;
	for (i = 0; i < SEEN_BLOOM_K; i++) {
		bit = (h1 + (uint64_t)i * h2) % (SEEN_BLOOM_BYTES * 8ULL);
		if (s->bloom[bit / 8] & (1U << (bit % 8)))
			hits++;
		s->bloom[bit / 8] |= (unsigned char)(1U << (bit % 8));
	}
	if (hits < SEEN_BLOOM_K)
		return 0;
	/* Seen before, or a false positive: the recheck tells. */
	if ((s->n + 1) * 2 > s->cap && seen_grow(s) == -1)
		return -1;
	slot = seen_find(s->slots, s->cap, h1);
	if (slot->hash == 0) {
		slot->hash = h1;
		s->n++;
	}
	return 0;
}

size_t
cname_seen_suspects(const struct cname_seen *s)
{
	return s->n;
}

int
cname_seen_recheck(struct cname_seen *s, const struct cname_rec *rec,
    size_t *first)
{
	struct seen_slot	*slot;

	if (s->n == 0)
		return 0;
	slot = seen_find(s->slots, s->cap,
	    name_hash(rec->fqdn, 0xcbf29ce484222325ULL));
	if (slot->hash == 0)
		return 0;
	if (slot->line == 0) {
		slot->line = rec->line;
		return 0;
	}
	*first = (size_t)slot->line;
	return 1;
}

const char *
cname_rec_zone(const struct cname_out *o, const struct cname_rec *rec)
{
	const char	*dot;

	if (o->zone != NULL)
		return o->zone;
	dot = strchr(rec->fqdn, '.');
	return dot != NULL ? dot + 1 : rec->fqdn;
}

/* A TTL as a TimeSpan, "[d.]hh:mm:ss": PowerShell reads a bare number
 * given to -TimeToLive as ticks (100 ns). */
static void
timespan(uint32_t ttl, char *buf, size_t len)
{
	unsigned	 d = ttl / 86400, h = ttl / 3600 % 24;
	unsigned	 m = ttl / 60 % 60, s = ttl % 60;

	if (d > 0)
		snprintf(buf, len, "%u.%02u:%02u:%02u", d, h, m, s);
	else
		snprintf(buf, len, "%02u:%02u:%02u", h, m, s);
}

/* The name without its trailing dot, for Windows tooling. */
static const char *
nodot(const char *name, char *buf)
{
	size_t	 n = strlen(name);

	snprintf(buf, ZONE_NAME_MAX, "%.*s", (int)(n > 1 ? n - 1 : n), name);
	return buf;
}

/* The FQDN's U-label form when it differs, else "". */
static int
unicode(const struct cname_rec *rec, char *u, size_t len)
{
	if (name_to_unicode(rec->fqdn, u, len) == 1)
		return 1;
	u[0] = '\0';
	return 0;
}

int
cname_write_begin(const struct cname_out *o, const struct cname_rec *one)
{
	char		 u[4 * ZONE_NAME_MAX];
	const char	*what = "CNAME records for Configuration Manager "
			    "cloud distribution points";
	int		 uni;

	switch (o->format) {
	case CNAME_FORMAT_BIND:
		report_line_printf(o->line, "; clouddp-cname: %s\n", what);
		/* u is filled before it is read: not in the same call. */
		uni = one != NULL && unicode(one, u, sizeof(u));
		if (one != NULL)
			report_line_printf(o->line, "; service FQDN %s%s%s%s -> %s %s\n",
			    one->fqdn, uni ? " (" : "", uni ? u : "",
			    uni ? ")" : "",
			    one->shape != NAME_AZURE_NONE ?
			    name_azure_label(one->shape) : "target",
			    one->target);
		if (o->zone != NULL)
			report_line_printf(o->line, "; owner names are relative to %s\n",
			    o->zone);
		break;
	case CNAME_FORMAT_NSUPDATE:
		report_line_printf(o->line, "; clouddp-cname: nsupdate script: %s\n"
		    "; run: nsupdate -k KEYFILE SCRIPT\n"
		    "; Active Directory-integrated zones need GSS-TSIG: "
		    "nsupdate -g SCRIPT\n"
		    "; Each record is added only while its name holds "
		    "nothing (RFC 2136 \"name is\n; not in use\"): a "
		    "name that is already a CNAME, to anywhere, or holds "
		    "other\n; data is refused with YXDOMAIN and left as it "
		    "is; a second run is refused\n; the same way and "
		    "changes nothing.\n", what);
		if (o->replace)
			report_line_printf(o->line, "; A record marked \"replacing\" "
			    "swaps the CNAME the zone file showed, only\n"
			    "; while the name still points there (else "
			    "NXRRSET).\n");
		if (o->server != NULL)
			report_line_printf(o->line, "server %s %u\n", o->server,
			    o->port != 0 ? o->port : 53);
		if (o->zone != NULL)
			report_line_printf(o->line, "zone %s\n", o->zone);
		break;
	case CNAME_FORMAT_POWERSHELL:
		report_line_printf(o->line, "# clouddp-cname: %s (Windows DNS Server)\n"
		    "# Each record is added only when its name holds no "
		    "records yet.\n", what);
		break;
	case CNAME_FORMAT_DNSCMD:
		report_line_printf(o->line, "REM clouddp-cname: %s (Windows DNS Server)\n",
		    what);
		break;
	default:
		break;
	}
	return report_text_write(o->line, o->fp);
}

/*
 * One update per record, its prerequisite making it safe: the name holds
 * nothing, or (replacing) still holds the CNAME the zone file showed.
 * RFC 2136 prerequisites only combine with "and", so a name that is
 * already this CNAME is refused too rather than repointing another.
 */
static void
write_nsupdate(const struct cname_out *o, const struct cname_rec *r)
{
	if (o->old_target != NULL)
		report_line_printf(o->line, "; %s -> %s\n; replacing the CNAME to %s\n"
		    "prereq yxrrset %s IN CNAME %s\n"
		    "update delete %s IN CNAME\n", r->fqdn, r->target,
		    o->old_target, r->fqdn, o->old_target, r->fqdn);
	else
		report_line_printf(o->line, "; %s -> %s\nprereq nxdomain %s\n", r->fqdn,
		    r->target, r->fqdn);
	report_line_printf(o->line, "update add %s %u IN CNAME %s\nsend\n", r->fqdn,
	    (unsigned)r->ttl, r->target);
}

static void
write_powershell(const struct cname_out *o, const struct cname_rec *r)
{
	char		 rel[ZONE_NAME_MAX], zone[ZONE_NAME_MAX],
			 fqdn[ZONE_NAME_MAX], target[ZONE_NAME_MAX], ts[32],
			 cn[ZONE_NAME_MAX + 20] = "";
	const char	*z = cname_rec_zone(o, r);

	name_relative(r->fqdn, z, rel);
	nodot(z, zone);
	timespan(r->ttl, ts, sizeof(ts));
	if (o->server != NULL)
		snprintf(cn, sizeof(cn), " -ComputerName '%s'", o->server);
	report_line_printf(o->line, "if (Get-DnsServerResourceRecord%s -ZoneName '%s' "
	    "-Name '%s' -ErrorAction SilentlyContinue) {\n"
	    "    Write-Error '%s already holds records: remove them or "
	    "choose another name'\n} else {\n"
	    "    Add-DnsServerResourceRecordCName%s -ZoneName '%s' "
	    "-Name '%s' -HostNameAlias '%s' -TimeToLive '%s'\n}\n",
	    cn, zone, rel, nodot(r->fqdn, fqdn), cn, zone, rel,
	    nodot(r->target, target), ts);
}

static int
write_json(const struct cname_out *o, const struct cname_rec *r)
{
	struct report_obj	*obj;
	char			 rel[ZONE_NAME_MAX], u[4 * ZONE_NAME_MAX];
	const char		*z = cname_rec_zone(o, r);
	int			 rc;

	obj = report_obj_new();
	if (obj == NULL)
		return -1;
	report_obj_set_str(obj, "fqdn", r->fqdn);
	if (name_to_unicode(r->fqdn, u, sizeof(u)) == 1)
		report_obj_set_str(obj, "fqdn_unicode", u);
	report_obj_set_str(obj, "type", "CNAME");
	report_obj_set_str(obj, "class", "IN");
	report_obj_set_int(obj, "ttl", r->ttl);
	report_obj_set_str(obj, "target", r->target);
	report_obj_set_str(obj, "target_shape", name_azure_name(r->shape));
	report_obj_set_str(obj, "zone", z);
	report_obj_set_str(obj, "name", name_relative(r->fqdn, z, rel));
	if (r->line > 0)
		report_obj_set_int(obj, "line", (long long)r->line);
	rc = report_obj_write(obj, o->fp);
	report_obj_free(obj);
	return rc;
}

int
cname_write_rec(const struct cname_out *o, const struct cname_rec *r)
{
	char	 rel[ZONE_NAME_MAX], zone[ZONE_NAME_MAX];

	switch (o->format) {
	case CNAME_FORMAT_BIND:
		report_line_printf(o->line, "%s\t%u\tIN\tCNAME\t%s\n", o->zone != NULL ?
		    name_relative(r->fqdn, o->zone, rel) : r->fqdn,
		    (unsigned)r->ttl, r->target);
		break;
	case CNAME_FORMAT_NSUPDATE:
		write_nsupdate(o, r);
		break;
	case CNAME_FORMAT_POWERSHELL:
		write_powershell(o, r);
		break;
	case CNAME_FORMAT_DNSCMD:
		report_line_printf(o->line, "dnscmd%s%s /recordadd %s %s %u CNAME %s\n",
		    o->server != NULL ? " " : "",
		    o->server != NULL ? o->server : "",
		    nodot(cname_rec_zone(o, r), zone),
		    name_relative(r->fqdn, cname_rec_zone(o, r), rel),
		    (unsigned)r->ttl, r->target);
		break;
	case CNAME_FORMAT_JSON:
		return write_json(o, r);
	default:
		return -1;
	}
	return report_text_write(o->line, o->fp);
}
