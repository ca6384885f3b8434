/*
 * What every fuzz target shares: libFuzzer's two entry points (the
 * targets are also linked with replay.c, which calls them for each file
 * of the seed corpus and the regression inputs), and an assertion that
 * aborts, so that a broken property is a finding like a crash.  A
 * target defines LLVMFuzzerTestOneInput and fuzz_target;
 * LLVMFuzzerInitialize (fuzz_util.c) sets up what fuzz_target asks for.
 */
#ifndef CLOUDDP_FUZZ_H
#define CLOUDDP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What a target needs set up once, before its first input. */
#define FUZZ_NEED_CERT	0x1		/* cert_global_init() */
#define FUZZ_NEED_XML	0x2		/* xml_global_init() */

struct fuzz_target {
	unsigned	 needs;		/* FUZZ_NEED_* */
	void		(*setup)(void);	/* then its own, or NULL */
};

extern const struct fuzz_target	fuzz_target;

#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: fuzz property broken: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/*
 * Write len bytes to a new file in a private temporary directory and
 * put its path in path (size len).  Returns 0, or -1 (then the input is
 * skipped).  The directory is made once per process; the file is
 * replaced on each call.
 */
int	fuzz_file(const uint8_t *, size_t, const char *, char *, size_t);
/*
 * Split the lines at p ("Name: value", up to an empty line) in place,
 * handing each name and value to fn; returns what follows the empty
 * line (a body), or the end of p.
 */
char	*fuzz_headers(char *, void (*)(void *, char *, char *), void *);

#endif /* CLOUDDP_FUZZ_H */
