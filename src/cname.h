/*
 * The CNAME records of cloud DPs (service FQDN -> Azure service name):
 * the rules a record must meet, batch input read as a stream, the
 * duplicate check, and the formats a DNS admin publishes them in.
 */
#ifndef CLOUDDP_CNAME_H
#define CLOUDDP_CNAME_H

#include <stdint.h>
#include <stdio.h>

#include "clouddp.h"
#include "report.h"
#include "zone.h"

enum cname_format {
	CNAME_FORMAT_BIND = 0,
	CNAME_FORMAT_NSUPDATE,
	CNAME_FORMAT_POWERSHELL,
	CNAME_FORMAT_DNSCMD,
	CNAME_FORMAT_JSON,
	CNAME_FORMAT__MAX
};

struct cname_rec {
	char		 fqdn[ZONE_NAME_MAX];	/* normalised */
	char		 target[ZONE_NAME_MAX];	/* normalised */
	uint32_t	 ttl;
	size_t		 line;		/* 0: not from a file */
	enum name_azure	 shape;		/* of the target */
};

struct cname_rules {
	const char	*origin;	/* normalised zone apex, or NULL */
	int		 allow_any_target;
	uint32_t	 ttl;		/* default TTL */
};

/* Parse a --format name; -1 with CLOUDDP_EUSAGE naming the choices. */
int	 cname_format_parse(const char *, enum cname_format *,
	    struct clouddp_err *);
/* Parse a TTL (0 to 2147483647 seconds, RFC 2181 8). */
int	 cname_ttl_parse(const char *, uint32_t *, struct clouddp_err *);

/*
 * Build a record from the raw FQDN, target and TTL (NULL: the default)
 * under the rules: names valid (name_parse), the FQDN no wildcard,
 * inside the origin and not its apex, the target one of the Azure name
 * shapes (name_azure_shape, kept in rec->shape) unless any target is
 * allowed.  Returns 0, or -1 with CLOUDDP_EINPUT.
 */
int	 cname_rec_make(const struct cname_rules *, const char *,
	    const char *, const char *, struct cname_rec *,
	    struct clouddp_err *);

/*
 * Batch input through the one reader (input.h): the fqdn and target
 * columns, ttl when given.  Memory does not grow with the input; a pipe
 * is copied aside as it is read, so every pass reads the same records.
 */
struct cname_input;

/* Open path ("-": standard input); timeout as input_cfg's (0: none). */
struct cname_input *cname_input_open(const char *, double,
	    struct clouddp_err *);
void	 cname_input_free(struct cname_input *);
/*
 * Next record: 1, 0 at the end, -1 for a bad line (err says
 * "FILE:LINE: ..."); reading may go on unless cname_input_failed().
 */
int	 cname_input_next(struct cname_input *, const struct cname_rules *,
	    struct cname_rec *, struct clouddp_err *);
int	 cname_input_failed(const struct cname_input *);
/* Read again from the first record. */
int	 cname_input_rewind(struct cname_input *, struct clouddp_err *);
/* The name in messages: the path, or "stdin". */
const char *cname_input_name(const struct cname_input *);

/*
 * The duplicate check, in memory that does not grow with the input: a
 * 4 MiB Bloom filter plus one small entry per suspected repeat.  Note
 * every record (pass 1); if there are suspects, recheck every record in
 * the same order (a second look), which finds the real repeats exactly.
 */
struct cname_seen;

struct cname_seen *cname_seen_new(void);
void	 cname_seen_free(struct cname_seen *);
/* Pass 1: remember rec's FQDN.  Returns 0, or -1 on ENOMEM. */
int	 cname_seen_note(struct cname_seen *, const struct cname_rec *);
/* How many names may repeat; 0 means none does and no recheck is due. */
size_t	 cname_seen_suspects(const struct cname_seen *);
/*
 * Second look: 1 when rec repeats an earlier record (*first is that
 * record's line), else 0.
 */
int	 cname_seen_recheck(struct cname_seen *, const struct cname_rec *,
	    size_t *);

/* Where the output formats send their commands. */
struct cname_out {
	FILE		*fp;
	struct report_line *line;	/* where a block is built first */
	enum cname_format format;
	const char	*zone;		/* normalised zone, or NULL */
	const char	*server;	/* for nsupdate/dnscmd, or NULL */
	unsigned	 port;		/* 0: default */
	int		 replace;	/* nsupdate: some records replace */
	const char	*old_target;	/* nsupdate: this record replaces
					   the CNAME to it; NULL: adds */
};

/* The header of the output: what it is for and how to use it. */
int	 cname_write_begin(const struct cname_out *,
	    const struct cname_rec *);
/* One record in the chosen format. */
int	 cname_write_rec(const struct cname_out *, const struct cname_rec *);
/* The zone a record belongs to: --origin, else the FQDN's parent. */
const char *cname_rec_zone(const struct cname_out *, const struct cname_rec *);


/* What clouddp-cname was asked to do; strings are borrowed from argv. */
struct cname_job_cfg {
	const char	*fqdn, *target, *ttl, *origin, *format;
	const char	*zone_file, *input, *server, *tsig_file;
	int		 allow_any_target, apply, delete, replace;
	struct loop	*loop;	/* --apply runs on it; NULL: its own */
};

/*
 * Run clouddp-cname's job: validate every record first (all bad lines
 * reported with their numbers; duplicates; conflicts with --zone), and
 * only when all pass, write them in the chosen format to stdout or
 * apply them to the server.  Results go to stdout, diagnostics through
 * log_err.  Input is streamed (a pipe or FIFO is copied to a temporary
 * file as it is read, for the later passes).  Returns the exit status:
 * 0 written or applied, 2 a conflict or a refused update, 3 bad input or
 * options.
 */
int	 cname_job_run(const struct clouddp_ctx *,
	    const struct cname_job_cfg *);

#endif /* CLOUDDP_CNAME_H */
