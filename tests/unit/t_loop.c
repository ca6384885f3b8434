/* Unit tests: the event loop's descriptors, timers and deadline. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "loop.h"
#include "../tap.h"

struct state {
	struct loop	*loop;
	int		 reads;
	char		 order[8];
	size_t		 norder;
};

static void
on_read(void *arg, int fd, int ready)
{
	struct state	*s = arg;
	char		 c;

	if ((ready & LOOP_READ) && read(fd, &c, 1) == 1)
		s->reads++;
	loop_fd_set(s->loop, fd, 0, NULL, NULL, NULL);
}

static struct state	*gs;

static void
mark(void *arg)
{
	gs->order[gs->norder++] = *(const char *)arg;
}

int
main(void)
{
	struct clouddp_err	 err;
	struct state		 s;
	struct loop_timer	*t;
	int			 p[2];
	double			 t0;
	static char		 a = 'a', b = 'b', c = 'c';

	plan(8);
	memset(&s, 0, sizeof(s));
	gs = &s;
	s.loop = loop_new(&err);
	ok(s.loop != NULL, "loop_new");
	pipe(p);
	write(p[1], "x", 1);
	loop_fd_set(s.loop, p[0], LOOP_READ, on_read, &s, &err);
	ok(loop_run(s.loop, 0, &err) == 0 && s.reads == 1,
	    "a readable pipe is dispatched and the loop ends when idle");

	/* 100 ms apart: each delay counts from its own call, and under
	 * valgrind the calls are milliseconds apart. */
	loop_timer_add(s.loop, 0.3, mark, &c, &err);
	loop_timer_add(s.loop, 0.1, mark, &a, &err);
	t = loop_timer_add(s.loop, 0.2, mark, &b, &err);
	loop_timer_add(s.loop, 0.2, mark, &b, &err);
	loop_timer_cancel(s.loop, t);
	ok(loop_run(s.loop, 0, &err) == 0, "timers run");
	s.order[s.norder] = '\0';
	is(s.order, "abc", "timers fire in deadline order, cancelled ones not");

	loop_fd_set(s.loop, p[0], LOOP_READ, on_read, &s, &err);
	t0 = loop_now();
	ok(loop_run(s.loop, t0 + 0.2, &err) == -1 &&
	    err.code == CLOUDDP_ETIMEOUT, "the deadline ends a stalled run");
	ok(loop_now() - t0 >= 0.19 && loop_now() - t0 < 0.5,
	    "the deadline is honoured within a small margin");
	ok(loop_fd_set(s.loop, 5000, LOOP_READ, on_read, &s, &err) == 0 &&
	    loop_fd_set(s.loop, 5000, 0, NULL, NULL, &err) == 0,
	    "descriptors past FD_SETSIZE are accepted");
	/* A timer already overdue when the loop polls fires at once. */
	s.norder = 0;
	loop_fd_set(s.loop, p[0], 0, NULL, NULL, &err);
	loop_timer_add(s.loop, 0, mark, &a, &err);
	t0 = loop_now();
	while (loop_now() - t0 < 0.005)
		continue;
	ok(loop_run(s.loop, t0 + 1, &err) == 0 && s.norder == 1 &&
	    loop_now() - t0 < 0.5, "an overdue timer does not stall the loop");
	loop_free(s.loop);
	close(p[0]);
	close(p[1]);
	return done_testing();
}
