/*
 * Host test for the timer tick (kernel/notify_timer.c): a timer's signal
 * runs other code, which may end a process and so disarm its timers and
 * free its record (proc_end, notify_timers_release); the tick must go on
 * from what is armed then, never from a timer it kept from before. A
 * disarm says whether the timer was armed (0) or had fired (1), so that
 * a waiter looks for a stray bit only when one can be there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_csr.h"

#include "../../kernel/notify_timer.c"

/* What the tick calls: references counted in the object; a signal noted,
 * and for the notification `ender` the end of process `victim` (its
 * timers disarmed, its record freed, as proc_end does). */
void object_get(struct object *o) { o->refs++; }
void object_put(struct object *o) { assert_true(o->refs > 0); o->refs--; }
static struct notify notes[3];
static uint64_t signalled[3];	/* bits each got */
static struct notify *ender;
static struct proc *victim;
void notify_signal(struct notify *n, uint64_t bits)
{
	signalled[n - notes] |= bits;
	if (n != ender || !victim)
		return;
	notify_timers_release(victim);
	free(victim);
	victim = NULL;
}

/* Arm timer i of p on notes[n] for bits at deadline (as sys_notify_timer). */
static void arm(struct proc *p, int i, int n, uint64_t bits, uint64_t deadline)
{
	struct notify_timer *tm = &p->timers[i];

	object_get(&notes[n].obj);
	*tm = (struct notify_timer){ .n = &notes[n], .bits = bits, .deadline = deadline };
	link(tm);
}

/* The list holds (head first) a due timer of `survivor`'s that ends the
 * victim, then the victim's two, due and not, then a due one of the
 * survivor's: the survivor's both fire, the victim's never, and nothing is
 * left armed but the survivor's not yet due. */
static void test_signal_ends_a_process(void **state)
{
	struct proc *survivor = calloc(1, sizeof(*survivor));

	(void)state;
	victim = calloc(1, sizeof(*victim));
	assert_non_null(survivor);
	assert_non_null(victim);
	ender = &notes[0];
	arm(survivor, 0, 2, 4, 10);
	arm(survivor, 1, 2, 8, 99);
	arm(victim, 0, 1, 2, 50);
	arm(victim, 1, 1, 1, 10);
	arm(survivor, 2, 0, 1, 10);
	assert_int_equal(notify_timers_armed(), 5);

	notify_timer_tick(20);
	assert_null(victim);
	assert_int_equal(signalled[0], 1);
	assert_int_equal(signalled[1], 0);
	assert_int_equal(signalled[2], 4);
	assert_int_equal(notify_timers_armed(), 1);
	assert_ptr_equal(armed, &survivor->timers[1]);
	assert_int_equal(notes[0].obj.refs + notes[1].obj.refs, 0);
	notify_timers_release(survivor);
	free(survivor);
}

/* sys_notify_timer(h, deadline, bits) as p's thread calls it. */
static int64_t timer_call(struct proc *p, uint64_t h, uint64_t deadline, uint64_t bits)
{
	struct thread t = { .proc = p };
	const uint64_t a[3] = { h, deadline, bits };

	return sys_notify_timer(&t, a);
}

/* A disarm that finds the timer armed says 0 (no bits will come); one that
 * finds it fired, or never armed, says 1; arming and moving say 0. */
static void test_disarm_says_whether_armed(void **state)
{
	struct proc *p = calloc(1, sizeof(*p));
	struct handle table[1] = { { .obj = &notes[0].obj, .rights = RIGHT_RECV } };

	(void)state;
	assert_non_null(p);
	notes[0].obj.type = OBJ_NOTIFY;
	p->handles = table;
	p->nhandles = 1;
	signalled[0] = 0;
	assert_int_equal(timer_call(p, 0, 0, 2), 1);		/* never armed */
	assert_int_equal(timer_call(p, 0, 100, 2), 0);
	assert_int_equal(timer_call(p, 0, 50, 2), 0);		/* moved */
	assert_int_equal(timer_call(p, 0, 0, 2), 0);		/* was armed */
	assert_int_equal(timer_call(p, 0, 0, 2), 1);		/* is no longer */
	notify_timer_tick(1000);
	assert_int_equal(signalled[0], 0);
	assert_int_equal(timer_call(p, 0, 100, 2), 0);
	notify_timer_tick(100);					/* fires */
	assert_int_equal(signalled[0], 2);
	assert_int_equal(timer_call(p, 0, 0, 2), 1);		/* had fired */
	assert_int_equal(notify_timers_armed(), 0);
	assert_int_equal(notes[0].obj.refs, 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_ends_a_process),
		cmocka_unit_test(test_disarm_says_whether_armed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
