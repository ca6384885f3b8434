/*
 * DNS resolution through c-ares: the only module that includes ares.h.
 */
#ifndef CLOUDDP_RESOLVE_H
#define CLOUDDP_RESOLVE_H

#include "clouddp.h"

int	 dns_global_init(struct clouddp_err *);
void	 dns_global_cleanup(void);

#endif /* CLOUDDP_RESOLVE_H */
