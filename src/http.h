/*
 * HTTP through libcurl: the only module that includes curl/curl.h.
 */
#ifndef CLOUDDP_HTTP_H
#define CLOUDDP_HTTP_H

#include "clouddp.h"

int	 http_global_init(struct clouddp_err *);
void	 http_global_cleanup(void);

#endif /* CLOUDDP_HTTP_H */
