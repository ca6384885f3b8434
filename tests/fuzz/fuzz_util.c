/*
 * What the fuzz targets share (fuzz.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "cert.h"
#include "xml.h"
#include "fuzz.h"

#define NAMES_MAX	8

static char	 dir[64];
static char	 names[NAMES_MAX][32];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct clouddp_err	 err;

	(void)argc;
	(void)argv;
	if ((fuzz_target.needs & FUZZ_NEED_CERT) != 0 &&
	    cert_global_init(&err) == -1)
		abort();
	if ((fuzz_target.needs & FUZZ_NEED_XML) != 0)
		xml_global_init();
	if (fuzz_target.setup != NULL)
		fuzz_target.setup();
	return 0;
}

/* Remove what was made, at exit: libFuzzer ends with exit(). */
static void
dir_remove(void)
{
	char	 path[128];
	size_t	 i;

	for (i = 0; i < NAMES_MAX && names[i][0] != '\0'; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Note name for dir_remove(); -1 when it is too long or too many. */
static int
name_keep(const char *name)
{
	size_t	 i;

	if (strlen(name) >= sizeof(names[0]) || strchr(name, '/') != NULL)
		return -1;
	for (i = 0; i < NAMES_MAX && names[i][0] != '\0'; i++)
		if (strcmp(names[i], name) == 0)
			return 0;
	if (i == NAMES_MAX)
		return -1;
	snprintf(names[i], sizeof(names[i]), "%s", name);
	return 0;
}

int
fuzz_file(const uint8_t *data, size_t len, const char *name, char *path,
    size_t pathlen)
{
	const char	*tmp;
	int		 fd, n;
	ssize_t		 w;

	if (dir[0] == '\0') {
		tmp = getenv("TMPDIR");
		n = snprintf(dir, sizeof(dir), "%s/clouddp-fuzz.XXXXXX",
		    tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 32 ? tmp :
		    "/tmp");
		if (n < 0 || (size_t)n >= sizeof(dir) || mkdtemp(dir) == NULL) {
			dir[0] = '\0';
			return -1;
		}
		atexit(dir_remove);
	}
	if (name_keep(name) == -1)
		return -1;
	n = snprintf(path, pathlen, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= pathlen)
		return -1;
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd == -1)
		return -1;
	while (len > 0) {
		w = write(fd, data, len);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return close(fd);
}

char *
fuzz_headers(char *p, void (*fn)(void *, char *, char *), void *arg)
{
	char	*eol, *colon, *v, *end;

	while (*p != '\0') {
		end = p + strlen(p);
		eol = strchr(p, '\n');
		if (eol != NULL)
			*eol = '\0';
		if (*p == '\0')
			return eol != NULL ? eol + 1 : end;
		colon = strchr(p, ':');
		if (colon != NULL) {
			*colon = '\0';
			for (v = colon + 1; *v == ' '; v++)
				;
			fn(arg, p, v);
		}
		if (eol == NULL)
			return end;
		p = eol + 1;
	}
	return p;
}
