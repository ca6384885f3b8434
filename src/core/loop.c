/*
 * The event loop.  poll(2), not select(2): descriptor numbers past
 * FD_SETSIZE are normal in a batch of thousands of checks.  Watches are
 * indexed by fd, so registering, changing and dispatching cost O(1) each;
 * timers are few (one per library plus the tool's own) and kept in a
 * list.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clouddp.h"
#include "loop.h"

struct watch {
	int		 events;
	int		 passive;	/* LOOP_PASSIVE */
	loop_fd_cb	 cb;
	void		*arg;
};

struct loop_timer {
	double			 when;
	loop_timer_cb		 cb;
	void			*arg;
	struct loop_timer	*next;
};

struct loop {
	struct watch		*watches;	/* indexed by fd */
	size_t			 nwatches;	/* allocated slots */
	size_t			 nactive;
	size_t			 npassive;	/* of nactive */
	struct pollfd		*pfds;
	size_t			 npfds_cap;
	struct loop_timer	*timers;
	int			 stopped;
};

double
loop_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct loop *
loop_new(struct clouddp_err *err)
{
	struct loop	*l;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
	return l;
}

void
loop_free(struct loop *l)
{
	struct loop_timer	*t, *next;

	if (l == NULL)
		return;
	for (t = l->timers; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	free(l->watches);
	free(l->pfds);
	free(l);
}

int
loop_fd_set(struct loop *l, int fd, int events, loop_fd_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct watch	*w;
	size_t		 n;
	int		 passive;

	if (fd < 0)
		return clouddp_errf(err, CLOUDDP_EINTERNAL, NULL,
		    "event loop: negative descriptor %d", fd);
	if ((size_t)fd >= l->nwatches) {
		if (events == 0)
			return 0;
		n = l->nwatches > 0 ? l->nwatches : 64;
		while (n <= (size_t)fd)
			n *= 2;
		w = reallocarray(l->watches, n, sizeof(*w));
		if (w == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		memset(w + l->nwatches, 0, (n - l->nwatches) * sizeof(*w));
		l->watches = w;
		l->nwatches = n;
	}
	w = &l->watches[fd];
	passive = (events & LOOP_PASSIVE) != 0;
	events &= LOOP_READ | LOOP_WRITE;
	if (w->events != 0 && w->passive)
		l->npassive--;
	w->passive = events != 0 && passive;
	if (w->passive)
		l->npassive++;
	if (w->events != 0 && events == 0)
		l->nactive--;
	else if (w->events == 0 && events != 0)
		l->nactive++;
	w->events = events;
	w->cb = events != 0 ? cb : NULL;
	w->arg = events != 0 ? arg : NULL;
	return 0;
}

struct loop_timer *
loop_timer_add(struct loop *l, double delay, loop_timer_cb cb, void *arg,
    struct clouddp_err *err)
{
	struct loop_timer	*t, **pp;

	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		clouddp_errf(err, CLOUDDP_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	t->when = loop_now() + (delay > 0 ? delay : 0);
	t->cb = cb;
	t->arg = arg;
	/* Keep the list ordered by deadline; equal ones fire in order. */
	for (pp = &l->timers; *pp != NULL && (*pp)->when <= t->when;
	    pp = &(*pp)->next)
		continue;
	t->next = *pp;
	*pp = t;
	return t;
}

void
loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	struct loop_timer	**pp;

	for (pp = &l->timers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			free(t);
			return;
		}
}

void
loop_stop(struct loop *l)
{
	l->stopped = 1;
}

/* Fire every timer that is due; a callback may add or cancel timers. */
static void
run_timers(struct loop *l, double now)
{
	struct loop_timer	*t;

	while (!l->stopped && l->timers != NULL && l->timers->when <= now) {
		t = l->timers;
		l->timers = t->next;
		t->cb(t->arg);
		free(t);
	}
}

/* Snapshot the watches into the pollfd array; returns the count. */
static int
fill_pollfds(struct loop *l, size_t *n, struct clouddp_err *err)
{
	struct pollfd	*p;
	size_t		 fd;

	if (l->npfds_cap < l->nactive) {
		p = reallocarray(l->pfds, l->nactive, sizeof(*p));
		if (p == NULL)
			return clouddp_errf(err, CLOUDDP_ENOMEM, NULL,
			    "out of memory");
		l->pfds = p;
		l->npfds_cap = l->nactive;
	}
	*n = 0;
	for (fd = 0; fd < l->nwatches && *n < l->nactive; fd++) {
		if (l->watches[fd].events == 0)
			continue;
		l->pfds[*n].fd = (int)fd;
		l->pfds[*n].events =
		    ((l->watches[fd].events & LOOP_READ) ? POLLIN : 0) |
		    ((l->watches[fd].events & LOOP_WRITE) ? POLLOUT : 0);
		l->pfds[*n].revents = 0;
		(*n)++;
	}
	return 0;
}

static void
dispatch(struct loop *l, size_t n)
{
	struct watch	*w;
	size_t		 i;
	int		 ready, fd;

	for (i = 0; i < n && !l->stopped; i++) {
		if (l->pfds[i].revents == 0)
			continue;
		fd = l->pfds[i].fd;
		/* An earlier callback may have removed this watch. */
		if ((size_t)fd >= l->nwatches || l->watches[fd].events == 0)
			continue;
		w = &l->watches[fd];
		ready = ((l->pfds[i].revents & POLLIN) ? LOOP_READ : 0) |
		    ((l->pfds[i].revents & POLLOUT) ? LOOP_WRITE : 0) |
		    ((l->pfds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) ?
		    LOOP_ERROR : 0);
		w->cb(w->arg, fd, ready);
	}
}

int
loop_run(struct loop *l, double deadline, struct clouddp_err *err)
{
	double	 now, wait;
	size_t	 n = 0;
	int	 ms, rc;

	l->stopped = 0;
	while (!l->stopped && (l->nactive > l->npassive ||
	    l->timers != NULL)) {
		now = loop_now();
		if (deadline > 0 && now >= deadline)
			return clouddp_errf(err, CLOUDDP_ETIMEOUT, NULL,
			    "gave up: the overall time limit passed");
		/* -1: no timer.  An overdue timer is due now, not never. */
		wait = -1;
		if (l->timers != NULL)
			wait = l->timers->when > now ?
			    l->timers->when - now : 0;
		if (deadline > 0 && (wait < 0 || deadline - now < wait))
			wait = deadline - now;
		ms = wait < 0 ? -1 : (int)ceil(wait * 1000);
		if (fill_pollfds(l, &n, err) == -1)
			return -1;
		rc = poll(l->pfds, (nfds_t)n, ms);
		if (rc == -1 && errno != EINTR)
			return clouddp_errf(err, CLOUDDP_EIO, NULL,
			    "event loop: poll: %s", strerror(errno));
		if (rc > 0)
			dispatch(l, n);
		run_timers(l, loop_now());
	}
	return 0;
}
