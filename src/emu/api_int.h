/*
 * Inside the classic front end: one request as the handlers see it, and
 * the wire helpers (XML writer, base64, strict body reader) that
 * api.c and api_ops.c share.  Not for other modules.
 */
#ifndef CLOUDDP_EMU_API_INT_H
#define CLOUDDP_EMU_API_INT_H

#include <stddef.h>

#include "clouddp.h"

struct emu_api;
struct emu_model;
struct xml_node;

#define REQ_SEGS_MAX	12

/* One request, from its first header to its answer. */
struct req {
	struct emu_api		*api;
	struct emu_model	*model;
	void			*conn;		/* struct MHD_Connection */
	char			 id[33];	/* x-ms-request-id */
	char			 method[12];
	char			*url;
	char			 version[32];	/* x-ms-version, "" none */
	char			 thumb[41];	/* client cert, "" none */
	char			 sub[64];
	char			*segs[REQ_SEGS_MAX];	/* after /<sub> */
	size_t			 nsegs;
	char			*path_copy;
	const char		*op;		/* operation name */
	const void		*route;		/* api.c's route */
	const void		*fault;		/* the rule that fired */
	int			 answered;	/* an error is decided */
	struct clouddp_buf	 body;
	int			 too_big;
	double			 now;
	/* Faults that change what the model does. */
	int			 stuck;
	int			 fail_op;
	/* The answer. */
	int			 status;
	struct clouddp_buf	 out;		/* XML body, may be empty */
	char			 location[512];
	/* Stall state. */
	int			 stall;		/* 1 waiting, 2 done */
	void			*timer;
	struct req		*next_stalled;
};

/* A query argument, or NULL. */
const char	*req_query(struct req *, const char *);
/* https://HOST[:PORT] as the client called us, for Location headers. */
void		 req_base_url(struct req *, char *, size_t);

/* Answer with the classic error body: <Error><Code/><Message/></Error>. */
int		 req_error(struct req *, int, const char *, const char *);
/* Answer status with an empty body. */
int		 req_empty(struct req *, int);

/* XML writer: appends to a buffer; remembers ENOMEM. */
struct xw {
	struct clouddp_buf	*b;
	int			 bad;
};

/* <root xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i=...>. */
void	 xw_root(struct xw *, const char *);
void	 xw_start(struct xw *, const char *);
void	 xw_end(struct xw *, const char *);
/* <name>escaped</name>, or <name/> when text is NULL or empty. */
void	 xw_text(struct xw *, const char *, const char *);
/* The same with printf-formatted text (at most 1023 bytes). */
void	 xw_textf(struct xw *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 xw_int(struct xw *, const char *, long);
void	 xw_bool(struct xw *, const char *, int);
/* ISO 8601 UTC, seconds: 2015-07-02T02:02:28Z. */
void	 xw_time(struct xw *, const char *, double);
void	 xw_b64(struct xw *, const char *, const void *, size_t);

/* Base64 of len bytes into out (replaced); -1 on ENOMEM. */
int	 b64_encode(const void *, size_t, struct clouddp_buf *);
/*
 * Decode strict base64 (whitespace ignored, padding required) into out
 * (replaced, NUL-terminated).  Returns 0, or -1 when the text is not
 * base64 (or ENOMEM).
 */
int	 b64_decode(const char *, size_t, struct clouddp_buf *);

/* The operations (api_ops.c).  Each answers through req_*. */
int	 op_get_subscription(struct req *);
int	 op_list_locations(struct req *);
int	 op_check_service_name(struct req *);
int	 op_check_storage_name(struct req *);
int	 op_create_service(struct req *);
int	 op_get_service(struct req *);
int	 op_delete_service(struct req *);
int	 op_create_storage(struct req *);
int	 op_get_storage(struct req *);
int	 op_get_storage_keys(struct req *);
int	 op_delete_storage(struct req *);
int	 op_add_certificate(struct req *);
int	 op_list_certificates(struct req *);
int	 op_get_certificate(struct req *);
int	 op_delete_certificate(struct req *);
int	 op_create_deployment(struct req *);
int	 op_get_deployment(struct req *);
int	 op_update_deployment_status(struct req *);
int	 op_delete_deployment(struct req *);
int	 op_get_operation(struct req *);

#endif /* CLOUDDP_EMU_API_INT_H */
