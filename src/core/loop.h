/*
 * The one event loop: poll(2) over every descriptor c-ares and curl
 * open, plus timers.  It knows no library: resolve.c and http.c register
 * their sockets and deadlines here, so one loop drives both and a batch
 * costs the slowest check, not the sum.  Single-threaded; no callback may
 * block.
 */
#ifndef CLOUDDP_LOOP_H
#define CLOUDDP_LOOP_H

#include "clouddp.h"

#define LOOP_READ	0x1
#define LOOP_WRITE	0x2
/* Reported only: POLLERR, POLLHUP or POLLNVAL. */
#define LOOP_ERROR	0x4
/* With LOOP_READ: watch, but do not keep loop_run() going for it. */
#define LOOP_PASSIVE	0x8

struct loop;
struct loop_timer;

/* Called with the ready events (LOOP_READ|LOOP_WRITE|LOOP_ERROR). */
typedef void	(*loop_fd_cb)(void *, int, int);
typedef void	(*loop_timer_cb)(void *);

/* Returns NULL with err filled on ENOMEM. */
struct loop	*loop_new(struct clouddp_err *);
/* Frees the loop and any timers left; registered fds are not closed. */
void		 loop_free(struct loop *);

/*
 * Watch fd for events (LOOP_READ|LOOP_WRITE) and call cb(arg, fd, ready).
 * Calling again replaces the registration; events 0 removes it.  Safe to
 * call from any callback.  Returns 0, or -1 on ENOMEM or a negative fd.
 */
int		 loop_fd_set(struct loop *, int, int, loop_fd_cb, void *,
		    struct clouddp_err *);

/*
 * Call cb(arg) once, delay seconds from now.  The handle stays valid
 * until the timer fires or is cancelled.  Returns NULL on ENOMEM.
 */
struct loop_timer *loop_timer_add(struct loop *, double, loop_timer_cb,
		    void *, struct clouddp_err *);
/* Cancel a pending timer; NULL does nothing.  Not for fired timers. */
void		 loop_timer_cancel(struct loop *, struct loop_timer *);

/* Monotonic clock in seconds. */
double		 loop_now(void);

/*
 * Run until nothing is registered, loop_stop() is called, or the
 * absolute deadline (loop_now() based; 0: none) passes.  Returns 0, or
 * -1 with CLOUDDP_ETIMEOUT when the deadline passed, or CLOUDDP_EIO if
 * poll fails.
 */
int		 loop_run(struct loop *, double, struct clouddp_err *);
void		 loop_stop(struct loop *);

#endif /* CLOUDDP_LOOP_H */
