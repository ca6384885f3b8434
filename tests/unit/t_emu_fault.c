/*
 * Unit tests: the emulator's fault rules (parsing, times=, every=,
 * prob= under a seed, first rule wins while every rule counts) and the
 * front end's strict base64, which decides whether a Label is refused.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clouddp.h"
#include "emu/api_int.h"
#include "emu/fault.h"
#include "emu/settings.h"
#include "../tap.h"

static const char *const ops[] = { "get-subscription", "create-storage",
    NULL };

static int
add(struct fault_set *s, const char *rule)
{
	struct clouddp_err	 err;

	return fault_set_add(s, rule, ops, &err);
}

/* The kinds fired for n requests of op, as "b-b-" ('-' for none). */
static const char *
pattern(struct fault_set *s, const char *op, int n)
{
	static char		 out[64];
	const struct fault_rule	*r;
	int			 i;

	for (i = 0; i < n && i < 63; i++) {
		r = fault_set_match(s, op);
		out[i] = r == NULL ? '-' : fault_kind_name(r->kind)[0];
	}
	out[i] = '\0';
	return out;
}

static void
test_rules(void)
{
	struct fault_set	*s;
	struct clouddp_err	 err;
	char			 a[64], b[64];

	s = fault_set_new(1, &err);
	ok(add(s, "get-subscription:explode") == -1, "unknown kind refused");
	ok(add(s, "nosuch:busy") == -1, "unknown operation refused");
	ok(add(s, "get-subscription") == -1, "no kind refused");
	ok(add(s, "get-subscription:busy=3") == -1,
	    "an argument where none is taken refused");
	ok(add(s, "get-subscription:busy:every=0") == -1, "every=0 refused");
	ok(add(s, "get-subscription:busy:prob=2") == -1, "prob=2 refused");
	ok(add(s, "get-subscription:stall=x") == -1, "stall=x refused");
	ok(add(s, "get-subscription:busy:times=2") == 0, "times=2");
	ok(add(s, "get-subscription:internal:every=3") == 0, "every=3");
	is(pattern(s, "get-subscription", 7), "bbi--i-",
	    "first two busy; every third internal, counted from the first");
	is(pattern(s, "create-storage", 3), "---", "other operations untouched");
	fault_set_free(s);

	s = fault_set_new(1, &err);
	ok(add(s, "any:throttle=5") == 0, "any, default times=1");
	is(pattern(s, "create-storage", 2), "t-", "any: once in all");
	fault_set_free(s);

	s = fault_set_new(42, &err);
	add(s, "create-storage:drop:prob=0.5");
	snprintf(a, sizeof(a), "%s", pattern(s, "create-storage", 40));
	fault_set_free(s);
	s = fault_set_new(42, &err);
	add(s, "create-storage:drop:prob=0.5");
	snprintf(b, sizeof(b), "%s", pattern(s, "create-storage", 40));
	fault_set_free(s);
	is(a, b, "prob=: the same seed, the same requests");
	ok(strchr(a, 'd') != NULL && strchr(a, '-') != NULL,
	    "prob=0.5: some fire, some do not");
}

static void
test_base64(void)
{
	struct clouddp_buf	 b = { 0 };

	ok(b64_decode("Y2Rw", 4, &b) == 0 && strcmp(b.data, "cdp") == 0,
	    "base64: decodes");
	ok(b64_decode("Y2RwMQ==", 8, &b) == 0 && b.len == 4,
	    "base64: with padding");
	ok(b64_decode("Y2Rw\r\nMQ==", 10, &b) == 0 && b.len == 4,
	    "base64: line breaks ignored");
	ok(b64_decode("Y2RwMQ", 6, &b) == -1, "base64: missing padding");
	ok(b64_decode("Y2R=MQ==", 8, &b) == -1, "base64: padding inside");
	ok(b64_decode("not base64!", 11, &b) == -1, "base64: other bytes");
	ok(b64_decode("Y2\0w", 4, &b) == -1, "base64: a NUL byte");
	ok(b64_encode("cdp1", 4, &b) == 0 && strcmp(b.data, "Y2RwMQ==") == 0,
	    "base64: encodes with padding");
	clouddp_buf_free(&b);
}

/* --fault and --seed through the emulator's settings. */
static void
test_settings(void)
{
	struct emu_settings	 st;
	struct fault_set	*s;
	struct clouddp_err	 err;
	char			 a[64];
	int			 i, rc = 0;

	emu_settings_init(&st);
	s = emu_settings_faults(&st, &err);
	ok(s != NULL && fault_set_match(s, "get-subscription") == NULL,
	    "no --fault: an empty set");
	fault_set_free(s);
	emu_settings_set(&st, "seed", "42", &err);
	emu_settings_set(&st, "fault", "create-storage:drop:prob=0.5", &err);
	emu_settings_set(&st, "fault", "get-subscription:busy", &err);
	s = emu_settings_faults(&st, &err);
	ok(s != NULL, "two rules");
	snprintf(a, sizeof(a), "%s", pattern(s, "create-storage", 40));
	is(pattern(s, "get-subscription", 2), "b-", "the second rule");
	fault_set_free(s);
	s = fault_set_new(42, &err);
	add(s, "create-storage:drop:prob=0.5");
	is(pattern(s, "create-storage", 40), a, "seeded by --seed");
	fault_set_free(s);
	emu_settings_set(&st, "fault", "get-subscription:explode", &err);
	ok(emu_settings_faults(&st, &err) == NULL &&
	    err.code == CLOUDDP_EUSAGE, "a bad rule: no set, the rule's error");
	emu_settings_clear(&st);

	emu_settings_init(&st);
	for (i = 0; i < EMU_ARGS_MAX && rc == 0; i++)
		rc = emu_settings_set(&st, "fault", "any:busy", &err);
	ok(rc == 0 && st.nfaults == EMU_ARGS_MAX, "64 --fault rules");
	ok(emu_settings_set(&st, "fault", "any:busy", &err) == -1 &&
	    strcmp(err.what, "--fault: at most 64 times") == 0,
	    "and no more");
	emu_settings_clear(&st);
}

int
main(void)
{
	plan(30);
	test_rules();
	test_base64();
	test_settings();
	return done_testing();
}
