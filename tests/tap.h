/*
 * A minimal TAP producer for the C unit tests: plan, ok, is, diag.
 * Each macro reports the line of the failing assertion.
 */
#ifndef CLOUDDP_TAP_H
#define CLOUDDP_TAP_H

#include <stdio.h>
#include <string.h>

static int	tap_n __attribute__((unused)), tap_failed;

#define plan(n)		printf("1..%d\n", (n))
#define diag(...)	do { printf("# "); printf(__VA_ARGS__);		\
			    printf("\n"); } while (0)
#define ok(cond, ...)	tap_ok(!!(cond), __LINE__, __VA_ARGS__)
#define is(got, want, ...) tap_is((got), (want), __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long)(got), (long)(want),	\
			    __LINE__, __VA_ARGS__)
#define done_testing()	(tap_failed > 0 ? 1 : 0)

static int __attribute__((unused))
tap_ok(int pass, int line, const char *desc, ...)
{
	tap_n++;
	printf("%s %d - %s\n", pass ? "ok" : "not ok", tap_n, desc);
	if (!pass) {
		tap_failed++;
		printf("#   failed at line %d\n", line);
	}
	return pass;
}

static int __attribute__((unused))
tap_is(const char *got, const char *want, int line, const char *desc)
{
	int	 pass;

	pass = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;
	if (!tap_ok(pass, line, desc))
		printf("#   got '%s'\n#   expected '%s'\n",
		    got != NULL ? got : "(null)", want != NULL ? want : "(null)");
	return pass;
}

static int __attribute__((unused))
tap_is_int(long got, long want, int line, const char *desc)
{
	if (!tap_ok(got == want, line, desc))
		printf("#   got %ld\n#   expected %ld\n", got, want);
	return got == want;
}

#endif /* CLOUDDP_TAP_H */
