/*
 * The emulator's settings, one option at a time: what clouddp-emulator's
 * command line says about the model (model.h), the front end (api.h),
 * the real side (real.h) and the fault rules (fault.h), checked as it
 * comes, so a bad value is refused with the option's name and a hint.
 * Strings are borrowed from the caller (argv) unless said otherwise.
 */
#ifndef CLOUDDP_EMU_SETTINGS_H
#define CLOUDDP_EMU_SETTINGS_H

#include <stddef.h>

#include "clouddp.h"
#include "api.h"
#include "model.h"
#include "real.h"

/* How many times a repeatable option may be given. */
#define EMU_ARGS_MAX	64

struct fault_set;

struct emu_settings {
	struct emu_config	 model;
	struct emu_api_config	 api;	/* .management points below */
	struct emu_real_cfg	 real;
	const char		*management[EMU_ARGS_MAX];
	const char		*faults[EMU_ARGS_MAX];
	size_t			 nfaults;
	const char		*regions[EMU_ARGS_MAX];
	char			*regions_copy;	/* owned */
	const char		*ready_file;
	struct clouddp_secret_src blob_key_src;	/* never argv */
	char			*blob_key;	/* owned, wiped */
};

/* The defaults (emu_config_defaults(), the wall clock); not copyable. */
void	 emu_settings_init(struct emu_settings *);
/* Free what it owns and wipe the Blob key; init again to reuse. */
void	 emu_settings_clear(struct emu_settings *);

/*
 * One option by its long name without the dashes ("delay", "quota",
 * "regions", "vip-http-port"...) and its value.  Returns 0, -1 with
 * err filled (CLOUDDP_EUSAGE: a bad value, too many of a repeatable
 * one; CLOUDDP_ENOMEM), or -2 when name is not an emulator option.
 */
int	 emu_settings_set(struct emu_settings *, const char *, const char *,
	    struct clouddp_err *);
/* --delay STEP=SECONDS (or all=SECONDS) into cfg; 0 or -1, err filled. */
int	 emu_config_set_delay(struct emu_config *, const char *,
	    struct clouddp_err *);
/* --quota cores=N, hosted-services=N or storage-accounts=N into cfg. */
int	 emu_config_set_quota(struct emu_config *, const char *,
	    struct clouddp_err *);
/* The options every run needs are there; 0, or -1 (CLOUDDP_EUSAGE). */
int	 emu_settings_check(const struct emu_settings *,
	    struct clouddp_err *);

/*
 * Before the run: read the Blob key from its source (if one was given)
 * and give the real side the Blob endpoint and key when it checks
 * packages (--blob-account).  0, or -1 with err filled.
 */
int	 emu_settings_prepare(struct emu_settings *, struct clouddp_err *);
/* A fault set seeded by --seed with every --fault rule; NULL, err. */
struct fault_set *emu_settings_faults(const struct emu_settings *,
	    struct clouddp_err *);
/*
 * --ready-file: {"port":N,"pid":N} written whole under PATH.tmp first,
 * then renamed.  Nothing without the option.  0, or -1 (CLOUDDP_EIO).
 */
int	 emu_settings_write_ready(const struct emu_settings *, int,
	    struct clouddp_err *);

#endif /* CLOUDDP_EMU_SETTINGS_H */
