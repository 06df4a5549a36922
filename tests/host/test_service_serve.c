/*
 * Host tests for a service thread serving one request (serve_one in
 * pager/server/service.c, included here) with the real idle.c: once its
 * request is served, a thread with a direct write left in flight has its
 * disk notification bound to it, so that its wait for the next request
 * ends when the device answers the write, and a thread whose write is
 * settled has it unbound. test_service_idle.c checks idle.c's choices;
 * this one that serve_one asks them, which nothing else shows: without
 * the call a left write waits for its thread's next request, however
 * long that is in coming. Also which messages serve_one reclaims before
 * (reclaim_before_request): faults and requests that take memory, not
 * those that give it back or take none. Everything else serve_one reaches
 * is faked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "service_regs_fake.h"
#include "server/service.c"
#include "service_inert_fake.h"
#include "swap/swap.h"

/* --- the swap engine's left writes, and the notification binds --- */
static int left;		/* the thread has a direct write left */
unsigned swap_out_left_count;
static int binds;		/* sys_notify_bind calls */
static int bound_to = -1;	/* the last call's notification (-1: unbound) */

int swap_out_left_of(const struct pager_thread *t)
{
	(void)t;
	return left;
}

int sys_notify_bind(int h)
{
	binds++;
	bound_to = h;
	return 0;
}

/* --- the rest of the pager, as serve_one reaches it: inert --- */
struct pager_config config;
static int locked;

void pager_lock(struct pager_thread *self) { (void)self; locked++; }
void pager_unlock(struct pager_thread *self) { (void)self; locked--; }
int pager_lock_contended(void) { return 0; }
void pager_lock_watch(void (*fn)(struct pager_thread *taker)) { (void)fn; }
static unsigned faults_in_service;	/* pager_fault_begin's, less _end's */
void pager_fault_begin(void) { faults_in_service++; }
void pager_fault_end(void) { faults_in_service--; }
uint64_t *pager_unlock_word(struct pager_thread *self) { (void)self; return NULL; }
static int reclaimed_before;	/* reclaim_before_request calls */
void reclaim_before_request(struct pager_thread *t) { (void)t; reclaimed_before++; }
struct pproc *procs_slot(int slot) { (void)slot; return NULL; }
int sys_handle_close(int h) { (void)h; return 0; }
int sys_recv(int ep, struct msg *m) { (void)ep, (void)m; return -1; }
int sys_reply(const struct msg *reply) { (void)reply; return 0; }
int sys_reply_recv_release(int ep, const struct msg *reply, struct msg *recv, uint64_t *release)
{
	(void)ep, (void)reply, (void)recv, (void)release;
	return -1;
}
_Noreturn void sys_poweroff(int status) { (void)status; abort(); }
static unsigned faults_seen_in_service;	/* at the last handle_fault */
void handle_fault(const struct fault *f, struct msg *out)
{
	(void)f, (void)out;
	faults_seen_in_service = faults_in_service;
}
#define FAKE_HANDLER(name) \
	void name(const struct msg *in, struct msg *out) { (void)in, (void)out; }
REQUEST_HANDLERS(FAKE_HANDLER)

/* A service thread other than the first (not the deaths' listener), its
 * disk notification 9, woken by its disk's completion bits. */
static struct service_thread *woken(void)
{
	struct service_thread *st = pool(1);

	st->t = (struct pager_thread){ .name = "service1", .id = 2, .disk = 9 };
	st->in = (struct msg){ .origin = ORIGIN_NOTIFY };
	return st;
}

/* Its write left in flight, the thread's request served: its disk is bound
 * to it for its wait; the write settled, the next request served unbinds
 * it; the lock let go each time. */
static void serve_one_hears_left(void **state)
{
	struct service_thread *st = woken();

	(void)state;
	left = 1;
	swap_out_left_count = 1;
	assert_int_equal(serve_one(st, NULL), 0);
	assert_int_equal(binds, 1);
	assert_int_equal(bound_to, 9);
	assert_int_equal(locked, 0);
	left = 0;
	swap_out_left_count = 0;
	assert_int_equal(serve_one(st, NULL), 0);
	assert_int_equal(binds, 2);
	assert_int_equal(bound_to, -1);
	assert_int_equal(locked, 0);
}

/* Whether serving one message (a program's call with label, or a fault)
 * reclaims first: reclaim_before_request's calls, 0 or 1. */
static int reclaims_before(uint64_t label, const struct fault *f)
{
	struct service_thread *st = woken();

	st->in = (struct msg){ .origin = ORIGIN_CALL, .label = label, .handle = -1 };
	reclaimed_before = 0;
	locked = 0;
	(void)serve_one(st, f);
	return reclaimed_before;
}

/* Requests that take memory, and faults, reclaim first (and wait for the
 * writer's pages in flight below the minimum); requests that give memory
 * back or take none do not wait so: a subscriber's munmap that would end
 * a shortage is served at once, the level read at once. */
static void serve_one_reclaims_for_takers(void **state)
{
	const uint64_t takers[] = { PAGER_SPAWN, PAGER_SBRK, PAGER_MMAP, PAGER_FORK };
	const uint64_t others[] = { PAGER_MUNMAP, PAGER_DISCARD, PAGER_STATS, PAGER_PROC_STATS,
				    PAGER_PAGE_BITS, PAGER_INFO, PAGER_PRESSURE_SUBSCRIBE,
				    PAGER_PRESSURE_LEVEL, PAGER_NET };
	struct fault f = { .pid = 5 };

	(void)state;
	for (size_t k = 0; k < sizeof(takers) / sizeof(takers[0]); k++)
		assert_int_equal(reclaims_before(takers[k], NULL), 1);
	for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++)
		assert_int_equal(reclaims_before(others[k], NULL), 0);
	assert_int_equal(reclaims_before(0, &f), 1);
	/* The fault counted as in service while handled (oom_wait.c reads the
	 * count), and no more once served; no request counted. */
	assert_int_equal(faults_seen_in_service, 1);
	assert_int_equal(faults_in_service, 0);
	assert_int_equal(locked, 1);	/* a reply to send: receive lets it go */
	locked = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serve_one_hears_left),
		cmocka_unit_test(serve_one_reclaims_for_takers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
