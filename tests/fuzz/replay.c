/*
 * Replays a fuzz target's seed corpus (tests/fuzz/corpus/NAME) and its
 * regression inputs (tests/fuzz/regress/NAME) through its
 * LLVMFuzzerTestOneInput, without libFuzzer, so that `make check` runs
 * every input any campaign ever found, under gcc and under the
 * sanitizers.  NAME comes from the program's name, replay_NAME.  With
 * arguments, replays those files instead.  TAP: one test per
 * directory; a crash or a broken property aborts, which the harness
 * reports with the file named in the diagnostics before it.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* Read a whole file; NULL on error.  *len gets its size. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	uint8_t		*b;
	FILE		*fp;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return NULL;
	}
	/* One more byte, so that an empty file is not malloc(0). */
	b = malloc((size_t)st.st_size + 1);
	if (b != NULL && fread(b, 1, (size_t)st.st_size, fp) !=
	    (size_t)st.st_size) {
		free(b);
		b = NULL;
	}
	fclose(fp);
	*len = (size_t)st.st_size;
	return b;
}

static int
one(const char *path)
{
	uint8_t	*b;
	size_t	 len;

	printf("# %s\n", path);
	fflush(stdout);
	b = slurp(path, &len);
	if (b == NULL)
		return -1;
	LLVMFuzzerTestOneInput(b, len);
	free(b);
	return 0;
}

static int
skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every file of dir, in name order: the count, or -1. */
static int
replay_dir(const char *dir)
{
	struct dirent	**ents;
	char		  path[4096];
	int		  i, n, bad = 0;

	n = scandir(dir, &ents, skip_dot, alphasort);
	if (n == -1)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (one(path) == -1)
			bad = 1;
		free(ents[i]);
	}
	free(ents);
	return bad ? -1 : n;
}

int
main(int argc, char **argv)
{
	const char	*name, *top;
	char		 dir[4096];
	int		 i, n, bad = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (one(argv[i]) == -1)
				bad = 1;
		return bad;
	}
	name = strrchr(argv[0], '/');
	name = name != NULL ? name + 1 : argv[0];
	if (strncmp(name, "replay_", 7) == 0)
		name += 7;
	top = getenv("top_srcdir");
	if (top == NULL)
		top = ".";
	printf("1..2\n");
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top, name);
	n = replay_dir(dir);
	printf("%sok 1 - %s: %d seed inputs replayed\n", n > 0 ? "" : "not ",
	    name, n);
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", top, name);
	n = replay_dir(dir);
	/* A target with no finding yet has no regression directory. */
	printf("%sok 2 - %s: %d regression inputs replayed\n", n >= 0 ||
	    access(dir, F_OK) == -1 ? "" : "not ", name, n < 0 ? 0 : n);
	return 0;
}
