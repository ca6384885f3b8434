/*
 * Choosing a back end by name: the one place that knows which back ends
 * exist, so that the provisioner needs none of their headers.
 */
#include "config.h"

#include <string.h>

#include "clouddp.h"
#include "asm.h"
#include "backend.h"

struct backend *
backend_new(const char *name, struct loop *loop,
    const struct backend_cfg *cfg, struct clouddp_err *err)
{
	if (name == NULL || strcmp(name, "asm") == 0)
		return asm_backend_new(loop, cfg, err);
	clouddp_errf(err, CLOUDDP_EUSAGE, "the back end is asm",
	    "%s: unknown back end", name);
	return NULL;
}

void
backend_free(struct backend *be)
{
	if (be != NULL)
		be->ops->destroy(be);
}
