/*
 * Fault rules: parsing OP:KIND[=ARG][:WHEN] and deciding, request by
 * request, which rule fires.  Deterministic under the seed, so a test
 * that uses prob= sees the same requests fail on every run.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clouddp.h"
#include "emu/fault.h"

#define RULES_MAX	64

struct fault_set {
	struct fault_rule	 rules[RULES_MAX];
	size_t			 nrules;
	uint64_t		 rng;
};

static const char *const kind_names[FAULT__MAX] = {
	"busy", "throttle", "internal", "redirect", "fail-op", "drop",
	"stall", "storage-stuck", "instance-stuck"
};

const char *
fault_kind_name(enum fault_kind k)
{
	return (unsigned)k < FAULT__MAX ? kind_names[k] : NULL;
}

struct fault_set *
fault_set_new(unsigned long seed, struct clouddp_err *err)
{
	struct fault_set	*s;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	s->rng = seed != 0 ? seed : 1;
	return s;
}

void
fault_set_free(struct fault_set *s)
{
	free(s);
}

static int
bad_rule(struct clouddp_err *err, const char *rule, const char *why)
{
	return clouddp_errf(err, CLOUDDP_EUSAGE, "write OP:KIND[=SECONDS]"
	    "[:times=N|every=N|prob=P], e.g. create-storage:busy:times=2; "
	    "see clouddp-emulator(1)", "--fault %s: %s", rule, why);
}

static int
op_known(const char *op, const char *const *ops)
{
	if (strcmp(op, "any") == 0)
		return 1;
	for (; *ops != NULL; ops++)
		if (strcmp(*ops, op) == 0)
			return 1;
	return 0;
}

static int
parse_kind(struct fault_rule *r, char *kind)
{
	char	*eq, *end;
	int	 i;

	eq = strchr(kind, '=');
	if (eq != NULL)
		*eq++ = '\0';
	for (i = 0; i < FAULT__MAX; i++)
		if (strcmp(kind, kind_names[i]) == 0)
			break;
	if (i == FAULT__MAX)
		return -1;
	r->kind = (enum fault_kind)i;
	r->arg = r->kind == FAULT_STALL ? 30 : 1;
	if (eq == NULL)
		return 0;
	if (r->kind != FAULT_THROTTLE && r->kind != FAULT_STALL)
		return -1;
	r->arg = strtod(eq, &end);
	if (*end != '\0' || end == eq || !(r->arg >= 0 && r->arg <= 86400))
		return -1;
	return 0;
}

static int
parse_when(struct fault_rule *r, const char *when)
{
	char	*end;
	double	 v;

	if (strncmp(when, "prob=", 5) == 0) {
		r->prob = strtod(when + 5, &end);
		return *end == '\0' && end != when + 5 && r->prob >= 0 &&
		    r->prob <= 1 ? 0 : -1;
	}
	if (strncmp(when, "times=", 6) == 0 || strncmp(when, "every=",
	    6) == 0) {
		v = strtod(when + 6, &end);
		if (*end != '\0' || end == when + 6 || v < 1 || v > 1e9 ||
		    v != (double)(unsigned long)v)
			return -1;
		if (when[0] == 't')
			r->times = (unsigned long)v;
		else
			r->every = (unsigned long)v;
		return 0;
	}
	return -1;
}

int
fault_set_add(struct fault_set *s, const char *rule,
    const char *const *ops, struct clouddp_err *err)
{
	struct fault_rule	 r;
	char			 copy[128], *op, *kind, *when;

	memset(&r, 0, sizeof(r));
	if (s->nrules == RULES_MAX)
		return bad_rule(err, rule, "too many rules");
	if (strlen(rule) >= sizeof(copy))
		return bad_rule(err, rule, "too long");
	memcpy(copy, rule, strlen(rule) + 1);
	op = copy;
	kind = strchr(op, ':');
	if (kind == NULL)
		return bad_rule(err, rule, "no KIND");
	*kind++ = '\0';
	when = strchr(kind, ':');
	if (when != NULL)
		*when++ = '\0';
	if (!op_known(op, ops))
		return bad_rule(err, rule, "unknown operation");
	snprintf(r.op, sizeof(r.op), "%s", op);
	if (parse_kind(&r, kind) == -1)
		return bad_rule(err, rule, "unknown KIND or bad argument");
	if (when == NULL)
		r.times = 1;
	else if (parse_when(&r, when) == -1)
		return bad_rule(err, rule, "bad WHEN");
	s->rules[s->nrules++] = r;
	return 0;
}

static double
draw(struct fault_set *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ULL) >> 11) /
	    (double)(1ULL << 53);
}

static int
fires(struct fault_set *s, struct fault_rule *r)
{
	if (r->times > 0)
		return r->seen <= r->times;
	if (r->every > 0)
		return r->seen % r->every == 0;
	return draw(s) < r->prob;
}

const struct fault_rule *
fault_set_match(struct fault_set *s, const char *op)
{
	struct fault_rule	*r, *hit = NULL;
	size_t			 i;

	for (i = 0; i < s->nrules; i++) {
		r = &s->rules[i];
		if (strcmp(r->op, "any") != 0 && strcmp(r->op, op) != 0)
			continue;
		r->seen++;
		if (fires(s, r) && hit == NULL) {
			r->fired++;
			hit = r;
		}
	}
	return hit;
}
