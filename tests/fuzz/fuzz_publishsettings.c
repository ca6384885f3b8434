/*
 * libFuzzer target for the .publishsettings parser (xml.c's strict
 * parser and publishsettings.c), and cert.c's decoding of the embedded
 * PKCS#12 with the empty password.  Not built by default:
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -I. -I$top/src \
 *       $top/tests/fuzz/fuzz_publishsettings.c \
 *       $top/src/publishsettings.c $top/src/xml.c $top/src/cert.c \
 *       $top/src/err.c $top/src/report.c \
 *       $(pkg-config --cflags --libs libxml-2.0 openssl jansson)
 *
 * run in a configured build directory (for config.h), $top the source
 * tree; then ./a.out CORPUS_DIR with the files of tests/data/.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clouddp.h"
#include "cert.h"
#include "publishsettings.h"
#include "xml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct publishsettings_sub	*s;
	struct publishsettings			*ps;
	struct clouddp_err			 err;
	struct cert				*c;
	size_t					 i;

	ps = publishsettings_parse((const char *)data, len, "fuzz", &err);
	if (ps == NULL)
		return 0;
	for (i = 0; i < publishsettings_count(ps); i++) {
		s = publishsettings_get(ps, i);
		if (publishsettings_find(ps, s->id) == NULL)
			__builtin_trap();
		c = cert_from_base64(s->certificate, strlen(s->certificate),
		    "", "fuzz", &err);
		cert_free(c);
	}
	publishsettings_free(ps);
	return 0;
}
