/*
 * Host tests for reclaim's waits, the OOM killer's last resort, the
 * pressure subscriptions' bound per line and the moments the pager's
 * pages of objects go back (pager/reclaim/kswapd.c, direct.c, oom_wait.c,
 * oom_kill.c, pressure.c, with base/slab.c over the host's pages), over
 * fakes defined here: frames, the watermarks, the swap engine's writer,
 * the pager threads and their waits, the clock and timers, and the
 * server's processes. A wait runs, while the lock is let go, what the test says
 * happens meanwhile (another thread's fault, say); a wait with no bound
 * for something that never comes fails the test rather than hang it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/config.h"
#include "base/slab.h"
#include "host_pages.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/free.h"
#include "reclaim/kswapd.h"
#include "reclaim/oom.h"
#include "reclaim/oom_kill.h"
#include "reclaim/pressure.h"
#include "reclaim/reclaim.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "sys.h"

#define RESERVE 32
#define TOTAL 4096

struct pager_config config = { .oom_policy = OOM_UNSHARED, .oom_policy_name = "unshared" };
/* Each test's marks (setup). */
static const struct watermarks fixed_marks = { .start = 400, .stop = 600, .min = 200 };
struct watermarks marks;
/* The writer's waits a request makes under fixed_marks: the minimum's 200
 * frames in direct reclaim's batches of 32 (SWAP_OUT_BATCH), rounded up
 * (kswapd_throttle_rounds's rule, worked by hand: a test fails if the code
 * stops following it). */
#define ROUNDS 7

/* --- the world the code under test sees --- */

static uint64_t free_now;	/* frames free */
static uint32_t pending;	/* pages the writer has queued or in flight */
static int swap_is_on;
static int writer_stuck;	/* its batch never finishes: nothing wakes a throttled wait */
static int64_t now = 1000000;	/* the clock */
static int timers_fail;		/* sys_notify_timer refuses */
static int bounded_waits;	/* pager_thread_wait_until calls */
static int64_t last_deadline;
static void (*meanwhile)(struct pager_thread *t);	/* runs while a waiter waits */

uint64_t frames_free(void) { return free_now; }
uint64_t frames_reserve(void) { return RESERVE; }
uint64_t frames_total(void) { return TOTAL; }
uint64_t frames_lowest_free(void) { return RESERVE; }
uint64_t frame_alloc_pinned_unzeroed(void) { return 0; }
static uint64_t heap_wanted;	/* what the heap's last failed growth wanted */
static int heap_capped;		/* its last growth was refused at its most */
uint64_t heap_growth_wanted(void) { return heap_wanted; }
int heap_short(void) { return heap_wanted > 0 || heap_capped; }
void heap_growth_forget(void) { heap_wanted = 0; heap_capped = 0; }

uint64_t watermarks_shortfall(void) { return 0; }
int watermarks_patient(void) { return 0; }
size_t reclaim_pages(size_t want, enum reclaim_how how) { (void)want, (void)how; return 0; }

int swap_on(void) { return swap_is_on; }
static int congested_waits;	/* timer waits the device stays congested for */
static int timer_waits;		/* pager_thread_wait calls for a timer (wait_congested) */
int swap_congested(void) { return congested_waits > 0; }
uint32_t swap_out_pending(void) { return pending; }
/* The disk's bound for one write (blk_link.h's BLK_OVERDUE_NS). */
int64_t swap_write_bound_ns(void) { return 60000 * CLOCK_NS_PER_MS; }
static int stalled;		/* the swap device rides out an outage */
int swap_out_stalled(void) { return stalled; }
static enum swap_overdue overdue;	/* how the writer's write stands */
enum swap_overdue swap_out_overdue(void) { return overdue; }
static int swap_full;		/* no slot is free */
static int clean_copies;	/* pages back in memory keeping their slots */
int swap_out_could_free(void) { return swap_is_on && (!swap_full || clean_copies); }
void swap_out_kick(void) {}
void swap_out_left_finish(struct pager_thread *t) { (void)t; }
unsigned swap_out_left_count;

int64_t pager_clock(void) { return now; }
int sys_notify_timer(int h, int64_t deadline, uint64_t bits)
{
	(void)h, (void)deadline, (void)bits;
	return timers_fail ? -1 : 0;
}
int sys_notify_signal(int h, uint64_t bits) { (void)h, (void)bits; return 0; }
int sys_handle_close(int h) { (void)h; return 0; }

static jmp_buf powered_off;
static int poweroff_status;
_Noreturn void sys_poweroff(int status)
{
	poweroff_status = status;
	longjmp(powered_off, 1);
}

/* --- the pager threads: one caller, waits that end as the test says --- */

static struct pager_thread *holder;

int pager_thread_start(struct pager_thread *t, const char *name, unsigned io_client,
		       void (*fn)(struct pager_thread *t))
{
	(void)t, (void)name, (void)io_client, (void)fn;
	return 0;
}

/* A wait for bits alone: only a timer's (wait_congested) ever comes here;
 * waiting for the writer's batch with no bound, while it never finishes,
 * is the wait that lasts for ever. */
uint64_t pager_thread_wait(struct pager_thread *t, int note, uint64_t want)
{
	(void)t, (void)note;
	if (!(want & TB_TIMER) && writer_stuck)
		fail_msg("a wait with no bound for a writer that never finishes");
	if (want & TB_TIMER) {
		timer_waits++;
		if (congested_waits > 0)
			congested_waits--;
	}
	return want;
}

int pager_thread_wait_until(struct pager_thread *t, int64_t deadline)
{
	struct pager_thread *was = holder;

	if (timers_fail)
		return -1;
	bounded_waits++;
	last_deadline = deadline;
	holder = NULL;
	if (meanwhile)
		meanwhile(t);
	holder = was;
	return 0;
}

void pager_thread_signal(struct pager_thread *t, uint64_t bits) { t->pending |= bits; }
void pager_thread_forget(struct pager_thread *t, uint64_t bits) { t->pending &= ~bits; }
void pager_lock(struct pager_thread *self) { holder = self; }
void pager_unlock(struct pager_thread *self) { (void)self; holder = NULL; }
struct pager_thread *pager_holder(void) { return holder; }
void pager_threads_wake(uint32_t *mask) { *mask = 0; }

static struct pager_thread threads[PAGER_SERVICE_THREADS];

/* Faults being served (threads.h): one for each fault() in progress, and
 * those a test says are waiting for their swap reads. */
static unsigned in_service;
unsigned pager_faults_in_service(void) { return in_service; }

/* Fault thread k serves a fault of pid's that found no frame. */
static enum reclaim_oom fault(unsigned k, uint32_t pid, unsigned *waits)
{
	enum reclaim_oom r;

	holder = &threads[k];
	in_service++;
	r = reclaim_out_of_memory(&threads[k], pid, waits);
	in_service--;
	return r;
}

/* --- the server's processes, as the OOM killer sees them --- */

static struct oom_candidate procs[4];
static size_t nprocs;
static uint32_t killed[8];
static int nkilled;

static size_t list(struct oom_candidate *c, size_t max)
{
	size_t n = nprocs < max ? nprocs : max;

	memcpy(c, procs, n * sizeof(*c));
	return n;
}

/* A process that has ended, its death not reaped yet (0: none); and one
 * that ends by itself just as the OOM killer kills it (0: none). */
static uint32_t ended_pid, ends_at_kill;
static size_t reaped;

/* procs[] without pid. */
static void forget_proc(uint32_t pid)
{
	for (size_t k = 0; k < nprocs; k++)
		if (procs[k].pid == pid) {
			procs[k] = procs[--nprocs];
			return;
		}
}

/* --- pages of objects (base/slab.h): the host's memory, counted; and a
 * process's objects, which its death frees --- */

struct object {
	uint8_t b[1000];	/* four to a page */
};
static struct slab_cache objects = SLAB_CACHE(struct object);
#define VICTIM_OBJECTS 16
static void *victim_objects[VICTIM_OBJECTS];
static uint32_t objects_owner;	/* whose death frees victim_objects (0: none) */

/* VICTIM_OBJECTS objects for pid, on pages of their own: host_pages_out
 * once made. */
static void objects_for(uint32_t pid)
{
	slab_trim();
	for (int k = 0; k < VICTIM_OBJECTS; k++)
		assert_non_null(victim_objects[k] = slab_alloc(&objects));
	objects_owner = pid;
}

static void objects_free(uint32_t pid)
{
	if (pid != objects_owner)
		return;
	for (int k = 0; k < VICTIM_OBJECTS; k++)
		slab_free(&objects, victim_objects[k]);
	objects_owner = 0;
}

static int kill(uint32_t pid)
{
	objects_free(pid);
	if (pid == ends_at_kill) {
		forget_proc(pid);
		return OOM_HAD_ENDED;
	}
	if (nkilled < 8)
		killed[nkilled++] = pid;
	return 1;
}

static size_t reap_ended(void)
{
	if (!ended_pid)
		return 0;
	forget_proc(ended_pid);
	ended_pid = 0;
	reaped++;
	return 1;
}

/* The sets of processes sharing pages the fake lists (by index in procs). */
static struct oom_set shared_sets[2];
static size_t nshared_sets;

static size_t sets(struct oom_set *s, size_t max)
{
	size_t n = nshared_sets < max ? nshared_sets : max;

	memcpy(s, shared_sets, n * sizeof(*s));
	return n;
}

static const struct oom_procs fake_procs = { list, kill, reap_ended, sets };

static struct oom_candidate proc(uint32_t pid, int exempt, uint64_t alone, uint64_t shared)
{
	return (struct oom_candidate){ .pid = pid, .name = "p", .exempt = exempt, .alone = alone,
				       .shared = shared };
}

/* Each test starts with memory plentiful (any critical episode over), no
 * subscriber, swap off and nothing written, init and two processes. */
static int setup(void **state)
{
	(void)state;
	marks = fixed_marks;
	free_now = TOTAL;
	reclaim_after_request();
	pressure_unsubscribe(9);
	swap_is_on = 0;
	pending = 0;
	writer_stuck = 0;
	timers_fail = 0;
	bounded_waits = 0;
	in_service = 0;
	congested_waits = 0;
	stalled = 0;
	overdue = SWAP_WRITE_TIMELY;
	swap_full = 0;
	clean_copies = 0;
	timer_waits = 0;
	last_deadline = 0;
	meanwhile = NULL;
	heap_wanted = 0;
	heap_capped = 0;
	nkilled = 0;
	ended_pid = ends_at_kill = 0;
	reaped = 0;
	nshared_sets = 0;
	poweroff_status = -1;
	procs[0] = proc(1, 1, 2, 0);
	procs[1] = proc(5, 0, 10, 0);
	procs[2] = proc(7, 0, 300, 0);
	nprocs = 3;
	oom_kill_set_procs(&fake_procs);
	host_pages_source();
	objects_owner = 0;
	for (unsigned k = 0; k < PAGER_SERVICE_THREADS; k++)
		threads[k] = (struct pager_thread){ .name = "service", .id = k };
	/* Deaths come to the last here (the first in the pager: ids are
	 * only bits), which takes no fault; the others, numbered from 0,
	 * take faults (server/service.c). */
	threads[PAGER_SERVICE_THREADS - 1].hears_deaths = 1;
	holder = &threads[0];
	return 0;
}

/* A request below the minimum, swap on, its device congested for
 * `congested` waits and `in_flight` pages written by a writer that never
 * finishes. */
static void request_below_min(int congested, uint32_t in_flight)
{
	swap_is_on = 1;
	free_now = marks.min - 1;
	congested_waits = congested;
	pending = in_flight;
	writer_stuck = in_flight > 0;
	reclaim_before_request(&threads[0]);
}

/* Below the minimum with pages in flight, a request waits for the
 * writer's batches; a writer that never finishes holds it only ROUNDS
 * bounded waits, each RECLAIM_WAIT_NS, and then it goes on (reclaims
 * itself). */
static void test_throttle_is_bounded(void **state)
{
	(void)state;
	request_below_min(0, 64);
	assert_int_equal(bounded_waits, ROUNDS);
	assert_int_equal(last_deadline, now + RECLAIM_WAIT_NS);
	assert_ptr_equal(pager_holder(), &threads[0]);
}

/* A device congested for good: CONGESTED_ROUNDS short waits, counted
 * once, then the request reclaims itself. */
static void test_congested_is_bounded(void **state)
{
	uint64_t counted = vmstat_get(VMSTAT_NET_THROTTLED);

	(void)state;
	request_below_min(1000, 0);
	assert_int_equal(timer_waits, CONGESTED_ROUNDS);
	assert_int_equal(bounded_waits, 0);
	assert_int_equal(vmstat_get(VMSTAT_NET_THROTTLED), counted + 1);
}

/* The device's congestion passes, writes still in flight: its waits do
 * not use up the writer's, which the request still waits ROUNDS times,
 * counted as throttled too (one count for both kinds of wait took
 * them from it, and the count with them). */
static void test_congested_then_throttled(void **state)
{
	uint64_t counted = vmstat_get(VMSTAT_THROTTLED);

	(void)state;
	request_below_min(3, 64);
	assert_int_equal(timer_waits, 3);
	assert_int_equal(bounded_waits, ROUNDS);
	assert_int_equal(vmstat_get(VMSTAT_THROTTLED), counted + 1);
}

/* No timer: no wait at all, rather than one with no bound. */
static void test_throttle_without_timer(void **state)
{
	(void)state;
	swap_is_on = 1;
	free_now = marks.min - 1;
	pending = 64;
	writer_stuck = 1;
	timers_fail = 1;
	reclaim_before_request(&threads[0]);
	assert_int_equal(bounded_waits, 0);
}

/* The writer's batch finishes while the fault waits: its frames come back. */
static void batch_frees(struct pager_thread *t)
{
	(void)t;
	pending = 0;
	free_now = marks.stop + 1;
}

/* A fault with no frame while writes are in flight (swap full, say, so
 * reclaim found nothing) waits for them and tries again: no one is killed
 * for memory already on its way back. */
static void test_fault_waits_for_writes(void **state)
{
	unsigned waits = 0;

	(void)state;
	swap_is_on = 1;
	free_now = RESERVE;
	pending = 64;
	meanwhile = batch_frees;
	assert_int_equal(fault(0, 5, &waits), RECLAIM_RETRY);
	assert_int_equal(waits, 1);
	assert_int_equal(bounded_waits, 1);
	assert_int_equal(nkilled, 0);
}

/* A process has ended, its death not yet reaped (the thread that hears
 * deaths waits for the lock): the OOM killer reaps it and kills no one,
 * though a live process (7) would have been its choice; the request tries
 * again. Before, the ended one counted as live: 7 was killed for memory
 * on its way back. */
static void test_oom_reaps_ended_first(void **state)
{
	uint64_t kills = vmstat_get(VMSTAT_OOM_KILL);

	(void)state;
	procs[3] = proc(10, 0, 20, 0);
	nprocs = 4;
	ended_pid = 10;
	assert_int_equal(oom_kill(5), 0);
	assert_int_equal(reaped, 1);
	assert_int_equal(nkilled, 0);
	assert_int_equal(vmstat_get(VMSTAT_OOM_KILL), kills);
}

/* The victim ended by itself just as it was killed: reaped, but no kill
 * counted (its parent sees its own exit, not the OOM killer's). */
static void test_oom_victim_had_ended(void **state)
{
	uint64_t kills = vmstat_get(VMSTAT_OOM_KILL);

	(void)state;
	ends_at_kill = 7;
	assert_int_equal(oom_kill(5), 0);
	assert_int_equal(nkilled, 0);
	assert_int_equal(vmstat_get(VMSTAT_OOM_KILL), kills);
}

/* A group: 5 and 10 hold 500 pages only they reach, more than 7's 300
 * alone. Both are killed, each counted, and the request of 5, one of
 * them, is moot. */
static void test_oom_kills_group(void **state)
{
	uint64_t kills = vmstat_get(VMSTAT_OOM_KILL);

	(void)state;
	procs[3] = proc(10, 0, 1, 500);
	procs[1].shared = 500;
	nprocs = 4;
	shared_sets[0] = (struct oom_set){ 1u << 1 | 1u << 3, 500 };
	nshared_sets = 1;
	assert_int_equal(oom_kill(5), 1);
	assert_int_equal(nkilled, 2);
	assert_int_equal(killed[0], 5);
	assert_int_equal(killed[1], 10);
	assert_int_equal(vmstat_get(VMSTAT_OOM_KILL), kills + 2);
	nkilled = 0;
	assert_int_equal(oom_kill(7), 0);	/* not the requester's group */
	assert_int_equal(nkilled, 2);
}

/* Writes that stay in flight hold the fault ROUNDS waits; then
 * the OOM killer acts (no one subscribes), and the fault is tried again. */
static void test_fault_waits_for_writes_bounded(void **state)
{
	unsigned waits = 0;

	(void)state;
	swap_is_on = 1;
	free_now = RESERVE;
	pending = 64;
	writer_stuck = 1;
	for (int k = 0; k < ROUNDS; k++) {
		assert_int_equal(fault(0, 5, &waits), RECLAIM_RETRY);
		assert_int_equal(nkilled, 0);
	}
	assert_int_equal(bounded_waits, ROUNDS);
	assert_int_equal(fault(0, 5, &waits), RECLAIM_RETRY);
	assert_int_equal(nkilled, 1);
	assert_int_equal(killed[0], 7);
	assert_int_equal(fault(0, 7, &waits), RECLAIM_GONE);
}

/* A fault with no frame while the writer never finishes, under minimum
 * mark min: the bounded waits it makes before the OOM killer acts. */
static int fault_waits_before_kill(uint64_t min)
{
	unsigned waits = 0;

	setup(NULL);
	marks.min = min;
	swap_is_on = 1;
	free_now = RESERVE;
	pending = 64;
	writer_stuck = 1;
	while (nkilled == 0 && bounded_waits <= 1000)
		fault(0, 5, &waits);
	return bounded_waits;
}

/* The writer's waits follow the marks, one rule for a request below the
 * minimum and a fault with no frame: the minimum in direct reclaim's
 * batches of 32, rounded up (128 MiB's 379 frames: 12); with no minimum
 * (seed's pager.free_min=0) the reserve plus FREE_FLOOR (96 frames: 3);
 * never more than 200, the swap link's 60 s for one result in waits of
 * 300 ms. Worked by hand: a rule changed by mistake fails here. */
static void test_throttle_rounds_follow_marks(void **state)
{
	static const struct { uint64_t min; int rounds; } cases[] = {
		{ 379, 12 }, { 384, 12 }, { 385, 13 }, { 1056, 33 }, { 96, 3 }, { 97, 4 },
		{ 0, 3 }, { 6400, 200 }, { 6432, 200 }, { 131104, 200 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		assert_int_equal(fault_waits_before_kill(cases[k].min), cases[k].rounds);
		if (cases[k].min == 0)
			continue;	/* never below a minimum of none */
		setup(NULL);
		marks.min = cases[k].min;
		request_below_min(0, 64);
		assert_int_equal(bounded_waits, cases[k].rounds);
	}
}

/* Waits the device's outage lasts (stalled); then outage_ends. */
static unsigned outage_waits;
static void (*outage_ends)(struct pager_thread *t);

static void outage_wait(struct pager_thread *t)
{
	if (outage_waits > 0 && --outage_waits == 0) {
		stalled = 0;
		overdue = SWAP_WRITE_TIMELY;
		outage_ends(t);
	}
}

/* The device gives up: its writes fail (their pages stay in memory). */
static void writes_fail(struct pager_thread *t)
{
	(void)t;
	pending = 0;
}

/* The device gives up, its writes not failed yet (the writer is still in
 * its transfer). */
static void writes_still_held(struct pager_thread *t)
{
	(void)t;
}

/* The device's outage holds the writes for `waits` waits, then ends as
 * `then` says. */
static void outage(unsigned waits, void (*then)(struct pager_thread *t))
{
	swap_is_on = 1;
	stalled = 1;
	outage_waits = waits;
	outage_ends = then;
	meanwhile = outage_wait;
}

/* A fault with no frame, its writes held by such an outage, tried again
 * while reclaim says so (as fault.c does) until its memory is back or
 * the OOM killer has acted. */
static void fault_through_outage_with(uint32_t held, unsigned waits,
				      void (*then)(struct pager_thread *t))
{
	unsigned fault_waits_now = 0;

	outage(waits, then);
	free_now = RESERVE;
	pending = held;
	writer_stuck = 1;
	while (free_now <= marks.start && nkilled == 0 && bounded_waits <= 1000)
		assert_int_equal(fault(0, 5, &fault_waits_now),
				 RECLAIM_RETRY);
}

/* ... with a batch of 64 pages held. */
static void fault_through_outage(unsigned waits, void (*then)(struct pager_thread *t))
{
	fault_through_outage_with(64, waits, then);
}

/* A swap server restarting for longer than the writer's waits allow for
 * (four times ROUNDS): the fault waits it out, killing no one, and its
 * memory is back once the writes land; outage_waits counts the waits. */
static void test_fault_waits_out_outage(void **state)
{
	uint64_t counted = vmstat_get(VMSTAT_OUTAGE_WAITS);

	(void)state;
	fault_through_outage(4 * ROUNDS, batch_frees);
	assert_int_equal(nkilled, 0);
	assert_int_equal(bounded_waits, 4 * ROUNDS);
	assert_int_equal(vmstat_get(VMSTAT_OUTAGE_WAITS), counted + 4 * ROUNDS);
	assert_true(free_now > marks.start);
}

/* The device gives the server up after the same outage and its writes
 * fail: the OOM killer acts at once, as with no writes in flight. */
static void test_outage_given_up_kills(void **state)
{
	(void)state;
	fault_through_outage(4 * ROUNDS, writes_fail);
	assert_int_equal(bounded_waits, 4 * ROUNDS);
	assert_int_equal(nkilled, 1);
	assert_int_equal(killed[0], 7);
}

/* The outage met with nothing written yet (direct reclaim, which writes
 * nothing then, found no frame): the fault waits too, as every write out
 * waits for the outage's end, and no one is killed. */
static void test_outage_without_writes_waits(void **state)
{
	(void)state;
	fault_through_outage_with(0, 2 * ROUNDS, batch_frees);
	assert_int_equal(nkilled, 0);
	assert_int_equal(bounded_waits, 2 * ROUNDS);
}

/* The outage met with swap full and nothing in flight: its end would free
 * nothing, so the fault does not wait it out (up to swap.nbd_outage and
 * more, no subscriber told) but goes on to the OOM killer at once. */
static void test_outage_swap_full_kills(void **state)
{
	uint64_t counted = vmstat_get(VMSTAT_OUTAGE_WAITS);

	(void)state;
	swap_full = 1;
	fault_through_outage_with(0, 2 * ROUNDS, batch_frees);
	assert_int_equal(vmstat_get(VMSTAT_OUTAGE_WAITS), counted);
	assert_int_equal(bounded_waits, 0);
	assert_int_equal(nkilled, 1);
}

/* As test_outage_swap_full_kills, but pages back in memory keep clean
 * copies in swap: direct reclaim drops them without a write once the
 * outage is over, so the fault waits it out and no one is killed. */
static void test_outage_swap_full_copies_wait(void **state)
{
	(void)state;
	swap_full = 1;
	clean_copies = 1;
	fault_through_outage_with(0, 2 * ROUNDS, batch_frees);
	assert_int_equal(bounded_waits, 2 * ROUNDS);
	assert_int_equal(nkilled, 0);
}

/* Given up with the writes still held: the outage's waits did not count
 * against the writer's, which the fault then makes, ROUNDS of them, before
 * the OOM killer acts, as for any writer that does not finish. */
static void test_outage_then_writer_rounds(void **state)
{
	(void)state;
	fault_through_outage(2 * ROUNDS, writes_still_held);
	assert_int_equal(bounded_waits, 3 * ROUNDS);
	assert_int_equal(nkilled, 1);
}

/* The thread deaths come to waits no outage out before a request: it
 * goes on to serve it (reclaim, which writes nothing then, and what is
 * free above the reserve), so that deaths that free memory are heard. */
static void test_deaths_thread_waits_no_outage(void **state)
{
	struct pager_thread *deaths = &threads[PAGER_SERVICE_THREADS - 1];

	(void)state;
	outage(3 * ROUNDS, batch_frees);
	swap_is_on = 1;
	free_now = marks.min - 1;
	pending = 0;
	holder = deaths;
	uint64_t counted = vmstat_get(VMSTAT_OUTAGE_WAITS);

	reclaim_before_request(deaths);
	assert_int_equal(bounded_waits, 0);
	assert_int_equal(vmstat_get(VMSTAT_OUTAGE_WAITS), counted);	/* no wait made */
	assert_ptr_equal(pager_holder(), deaths);
}

/* A fault with no frame tries again while reclaim says so, the writer's
 * write standing as `how` says, until it is answered (after `waits`
 * waits) or the OOM killer has acted; *fault_waits: its counted waits. */
static void fault_through_overdue(enum swap_overdue how, unsigned waits, unsigned *fault_waits)
{
	outage(waits, batch_frees);
	stalled = 0;
	overdue = how;
	free_now = RESERVE;
	pending = 64;
	writer_stuck = 1;
	while (free_now <= marks.start && nkilled == 0 && bounded_waits <= 1000)
		assert_int_equal(fault(0, 5, fault_waits), RECLAIM_RETRY);
}

/* The writer's write overdue (a device that stopped answering, netd not
 * yet in an outage, the disk not yet ended) for four times ROUNDS waits,
 * then answered: a fault with no frame waits it out uncounted, the lock
 * let go, killing no one (before, it made ROUNDS counted waits and the
 * OOM killer acted for memory on its way back). */
static void test_fault_waits_out_overdue_write(void **state)
{
	uint64_t outages = vmstat_get(VMSTAT_OUTAGE_WAITS), counted = vmstat_get(VMSTAT_OVERDUE_WAITS);
	unsigned waits = 0;

	(void)state;
	fault_through_overdue(SWAP_WRITE_OVERDUE, 4 * ROUNDS, &waits);
	assert_int_equal(nkilled, 0);
	assert_int_equal(waits, 0);
	assert_int_equal(bounded_waits, 4 * ROUNDS);
	/* Apart from an outage's: no outage was declared. */
	assert_int_equal(vmstat_get(VMSTAT_OVERDUE_WAITS), counted + 4 * ROUNDS);
	assert_int_equal(vmstat_get(VMSTAT_OUTAGE_WAITS), outages);
}

/* The writer's write abandoned (out past every bound of its device's:
 * netd alive but stuck, which would end it in four times ROUNDS waits
 * here, or never): the fault's waits for it count again, ROUNDS of them,
 * and the OOM killer acts. Before, they were uncounted for as long as
 * the write was out, and with a device that never ends it, no one was
 * killed and nothing went on, for good. */
static void test_fault_gives_up_on_abandoned_write(void **state)
{
	uint64_t counted = vmstat_get(VMSTAT_OVERDUE_WAITS);
	unsigned waits = 0;

	(void)state;
	fault_through_overdue(SWAP_WRITE_ABANDONED, 4 * ROUNDS, &waits);
	assert_int_equal(nkilled, 1);
	assert_int_equal(killed[0], 7);
	assert_int_equal(waits, ROUNDS);
	assert_int_equal(bounded_waits, ROUNDS);
	assert_int_equal(vmstat_get(VMSTAT_OVERDUE_WAITS), counted);
}

/* An outage declared while the write is abandoned is waited out
 * uncounted all the same: its budget bounds it on the pager's own clock
 * (swap_out_stalled), whatever the write's age. */
static void test_outage_waited_out_with_abandoned_write(void **state)
{
	uint64_t counted = vmstat_get(VMSTAT_OUTAGE_WAITS);

	(void)state;
	overdue = SWAP_WRITE_ABANDONED;
	fault_through_outage(4 * ROUNDS, batch_frees);
	assert_int_equal(nkilled, 0);
	assert_int_equal(bounded_waits, 4 * ROUNDS);
	assert_int_equal(vmstat_get(VMSTAT_OUTAGE_WAITS), counted + 4 * ROUNDS);
}

/* The thread deaths come to makes no wait for an overdue write either (it
 * goes on to reclaim, which writes nothing then): before, it made ROUNDS
 * counted waits for it, the deaths it hears unreaped meanwhile. */
static void deaths_thread_before_request(enum swap_overdue how)
{
	struct pager_thread *deaths = &threads[PAGER_SERVICE_THREADS - 1];

	swap_is_on = 1;
	overdue = how;
	free_now = marks.min - 1;
	pending = 64;
	writer_stuck = 1;
	holder = deaths;
	reclaim_before_request(deaths);
	assert_int_equal(bounded_waits, 0);
	assert_ptr_equal(pager_holder(), deaths);
}

static void test_deaths_thread_waits_no_overdue_write(void **state)
{
	(void)state;
	deaths_thread_before_request(SWAP_WRITE_OVERDUE);
}

/* Nor once the write is abandoned and the waits for it count again: a
 * write that may never end is no more worth its waits, the deaths it
 * would leave unreaped meanwhile. */
static void test_deaths_thread_waits_no_abandoned_write(void **state)
{
	(void)state;
	deaths_thread_before_request(SWAP_WRITE_ABANDONED);
}

/* Another request below the minimum waits for the abandoned write as for
 * any writer that does not finish, ROUNDS counted waits, then goes on
 * (reclaim writes nothing: the lock is not held on a stuck device). */
static void test_request_waits_rounds_for_abandoned_write(void **state)
{
	(void)state;
	overdue = SWAP_WRITE_ABANDONED;
	request_below_min(0, 64);
	assert_int_equal(bounded_waits, ROUNDS);
	assert_ptr_equal(pager_holder(), &threads[0]);
}

/* A request below the minimum waits the outage out too, the lock let go,
 * rather than write its own victims with the lock held until the outage
 * ends. */
static void test_request_waits_out_outage(void **state)
{
	(void)state;
	outage(3 * ROUNDS, batch_frees);
	request_below_min(0, 64);
	assert_int_equal(bounded_waits, 3 * ROUNDS);
	assert_true(free_now >= marks.min);
	assert_ptr_equal(pager_holder(), &threads[0]);
}

static enum reclaim_oom results[PAGER_SERVICE_THREADS];
static unsigned fault_waits[PAGER_SERVICE_THREADS];
/* The last fault thread's id here (setup). */
#define LAST_FAULT_THREAD (PAGER_FAULT_THREADS - 1)

/* While fault thread t waits for memory, the next one serves a fault that
 * finds none too (its fault waiting so in turn); that thread. */
static unsigned next_thread_faults(struct pager_thread *t)
{
	unsigned k = t->id + 1;

	if (k == PAGER_FAULT_THREADS)
		fail_msg("every fault thread waits: a fault that needs no frame would wait too");
	results[k] = fault(k, 10 + k, &fault_waits[k]);
	return k;
}

/* The last fault thread, its fault sent back, is free to serve the
 * subscriber's fault on its way to giving memory back (one that needs no
 * frame); then the subscriber's munmap, served by the requests' thread,
 * gives memory back. */
static void then_give_back(struct pager_thread *t)
{
	if (results[next_thread_faults(t)] != RECLAIM_SEND_BACK)
		return;
	free_now = marks.stop + 1;	/* the munmap, served */
	reclaim_after_request();
}

/* Faults at once from as many processes as there are fault threads, with
 * a subscriber: all but the last wait for it to give memory back; the
 * last sends its fault back, so it is free for the subscriber's faults,
 * the give-back is made before the deadline and no one is killed. */
static void test_critical_leaves_a_thread(void **state)
{
	(void)state;
	assert_int_equal(pressure_subscribe(9, 1, 100), 0);
	free_now = RESERVE;
	meanwhile = then_give_back;
	results[0] = fault(0, 10, &fault_waits[0]);
	for (unsigned k = 0; k < LAST_FAULT_THREAD; k++)
		assert_int_equal(results[k], RECLAIM_RETRY);
	assert_int_equal(results[LAST_FAULT_THREAD], RECLAIM_SEND_BACK);
	assert_int_equal(bounded_waits, LAST_FAULT_THREAD);
	assert_int_equal(nkilled, 0);
}

static enum reclaim_oom came_again;

/* The fault threads but the last come to wait, the last's fault is sent
 * back; the second's wait ends (the fake's waits end once what happens
 * meanwhile is done) and the last's fault comes again: with a thread
 * free again, it waits. */
static void then_one_leaves(struct pager_thread *t)
{
	if (t->id == LAST_FAULT_THREAD)
		return;		/* its own wait: nothing more meanwhile */
	next_thread_faults(t);
	if (t->id != 0)
		return;
	came_again = fault(LAST_FAULT_THREAD, 10 + LAST_FAULT_THREAD,
			   &fault_waits[LAST_FAULT_THREAD]);
}

/* Which thread is spared is a matter of how many wait, not of which: a
 * fault sent back, coming again after one waiter has left, waits. */
static void test_critical_waiter_leaves(void **state)
{
	(void)state;
	assert_int_equal(pressure_subscribe(9, 1, 100), 0);
	free_now = RESERVE;
	meanwhile = then_one_leaves;
	came_again = RECLAIM_GONE;
	results[0] = fault(0, 10, &fault_waits[0]);
	assert_int_equal(results[LAST_FAULT_THREAD], RECLAIM_SEND_BACK);
	assert_int_equal(came_again, RECLAIM_RETRY);
	assert_int_equal(bounded_waits, PAGER_FAULT_THREADS);
	assert_int_equal(nkilled, 0);
}

/* The last fault thread sees its fault come back, sent back again and
 * again until the episode's deadline has passed: then the OOM killer
 * acts. */
static void then_deadline(struct pager_thread *t)
{
	unsigned k = next_thread_faults(t);
	unsigned waits = 0;

	if (results[k] != RECLAIM_SEND_BACK)
		return;
	assert_int_equal(fault(k, 10 + k, &waits), RECLAIM_SEND_BACK);
	assert_int_equal(nkilled, 0);
	now += RECLAIM_WAIT_NS;
	assert_int_equal(fault(k, 10 + k, &waits), RECLAIM_RETRY);
	now -= RECLAIM_WAIT_NS;
	assert_int_equal(nkilled, 1);
	free_now = marks.stop + 1;	/* the victim's memory */
	reclaim_after_request();
}

/* While one fault thread waits for the writer, the next one's fault finds
 * writes in flight too, and so on up to the last. */
static void then_next_throttles(struct pager_thread *t)
{
	if (t->id != LAST_FAULT_THREAD)
		next_thread_faults(t);
}

/* With writes in flight, every fault thread, the last too, waits for the
 * writer rather than send its fault back: a thread kept free would wait
 * for the same writes before its next fault (reclaim_before_request, below
 * the minimum) all the same. */
static void test_fault_threads_all_throttle(void **state)
{
	(void)state;
	swap_is_on = 1;
	free_now = RESERVE;
	pending = 64;
	writer_stuck = 1;
	meanwhile = then_next_throttles;
	results[0] = fault(0, 10, &fault_waits[0]);
	for (unsigned k = 0; k < PAGER_FAULT_THREADS; k++)
		assert_int_equal(results[k], RECLAIM_RETRY);
	assert_int_equal(bounded_waits, PAGER_FAULT_THREADS);
	assert_int_equal(nkilled, 0);
}

/* During fault thread 0's critical wait, thread 1 faults too, finding no
 * frame; then the subscriber gives memory back. */
static void then_second_faults(struct pager_thread *t)
{
	if (t->id != 0)
		return;
	results[1] = fault(1, 11, &fault_waits[1]);
	free_now = marks.stop + 1;	/* the munmap, served */
	reclaim_after_request();
}

/* A fault thread waiting for its swap read (an NBD outage can hold it for
 * minutes) is as far from its receive as one in the critical wait: with
 * it and one waiter there, the last fault thread sends its fault back,
 * and stays free for the subscriber's fault that needs no frame. Counting
 * only the critical wait's own waiters, it would wait too. */
static void test_reader_leaves_no_thread_free(void **state)
{
	(void)state;
	assert_int_equal(pressure_subscribe(9, 1, 100), 0);
	free_now = RESERVE;
	in_service = 1;		/* the last fault thread's, waiting for its read */
	meanwhile = then_second_faults;
	results[0] = fault(0, 10, &fault_waits[0]);
	assert_int_equal(results[0], RECLAIM_RETRY);
	assert_int_equal(results[1], RECLAIM_SEND_BACK);
	assert_int_equal(bounded_waits, 1);
	assert_int_equal(nkilled, 0);
}

/* NOMEM with frames free above the start mark (the pager's heap could not
 * grow: the kernel's pool, say) is not a shortage subscribers can mend:
 * the OOM killer acts at once, rather than the fault being sent back for
 * ever as each request ends the episode it began. */
static void test_nomem_with_frames_free_kills(void **state)
{
	unsigned waits = 0;

	(void)state;
	assert_int_equal(pressure_subscribe(9, 1, 100), 0);
	free_now = marks.start + 1;
	for (int k = 0; k < 3 && nkilled == 0; k++) {
		enum reclaim_oom r = fault(0, 10, &waits);
		assert_int_not_equal(r, RECLAIM_SEND_BACK);
		reclaim_after_request();
		now += 1000000;
	}
	assert_int_equal(nkilled, 1);
	assert_int_equal(bounded_waits, 0);
}

/* A fault sent back comes again while the others still wait: it is sent
 * back again, until the episode's deadline; only then does anyone die. */
static void test_sent_back_until_deadline(void **state)
{
	(void)state;
	assert_int_equal(pressure_subscribe(9, 1, 100), 0);
	free_now = RESERVE;
	meanwhile = then_deadline;
	results[0] = fault(0, 10, &fault_waits[0]);
	assert_int_equal(results[0], RECLAIM_RETRY);
	assert_int_equal(results[LAST_FAULT_THREAD], RECLAIM_SEND_BACK);
	assert_int_equal(nkilled, 1);
	assert_int_equal(killed[0], 7);
}

/* When no process's death would free anything, the requester goes (it
 * may be killed, and its demand ends with it) rather than the machine. */
static void test_requester_last_resort(void **state)
{
	(void)state;
	procs[1] = proc(5, 0, 0, 40);
	procs[2] = proc(7, 0, 0, 40);
	if (setjmp(powered_off))
		fail_msg("powered off with the requester there to kill");
	assert_int_equal(oom_kill(5), 1);
	assert_int_equal(nkilled, 1);
	assert_int_equal(killed[0], 5);
}

/* A member of a fork tree whose cost is page arrays (nothing alone,
 * 300 pages of arrays) goes rather than the requester or an innocent
 * process with 100 pages of its own when the heap is what is short: a
 * growth found no frames, or was refused at the heap's most
 * (PAGER_HEAP_MAX: no frame wanted, heap_short says it all the same);
 * when frames ran out, the innocent goes: the member's arrays give frames
 * back only as whole pages of chunks empty, which its death does not
 * promise. */
static void test_heap_short_kills_arrays(void **state)
{
	(void)state;
	for (int capped = 0; capped <= 1; capped++) {
		procs[1] = proc(5, 0, 100, 0);
		procs[2] = proc(7, 0, 0, 40);
		procs[2].meta = 300;
		heap_wanted = !capped;
		heap_capped = capped;
		assert_int_equal(oom_kill(9), 0);
		assert_int_equal(killed[nkilled - 1], 7);
	}
	heap_wanted = 0;
	heap_capped = 0;
	assert_int_equal(oom_kill(9), 0);
	assert_int_equal(nkilled, 3);
	assert_int_equal(killed[2], 5);
}

/* A growth that failed in one request says nothing of the next: once its
 * request is answered, a fault short of frames alone kills the process
 * with pages of its own, not one whose arrays' heap no kill gives back. */
static void test_heap_failure_forgotten(void **state)
{
	(void)state;
	procs[1] = proc(5, 0, 50, 0);
	procs[2] = proc(7, 0, 0, 40);
	procs[2].meta = 80;
	heap_wanted = 1;	/* an earlier request's growth failed */
	reclaim_after_request();
	assert_int_equal(oom_kill(9), 0);
	assert_int_equal(nkilled, 1);
	assert_int_equal(killed[0], 5);
}

/* A munmap whose cut found the heap short retries once, after waiting on
 * the deaths' thread, which serves it, for the writes in flight to free
 * what the heap wanted: with no minimum (pager.free_min=0) too, where a
 * wait to the minimum is none at all (before: no wait, and a spurious
 * ENOMEM). Writes that never finish hold it the rounds the marks allow
 * (3 with no minimum, as for a fault); a batch that frees them, one wait.
 * With room for the heap it waits for nothing, below the minimum too. */
static void test_heap_retry_waits_for_writes(void **state)
{
	struct pager_thread *deaths = &threads[PAGER_SERVICE_THREADS - 1];

	(void)state;
	holder = deaths;
	marks.min = 0;
	swap_is_on = 1;
	free_now = RESERVE;
	heap_wanted = 1;
	pending = 64;
	writer_stuck = 1;
	reclaim_before_heap_retry(deaths);
	assert_int_equal(bounded_waits, 3);
	assert_ptr_equal(pager_holder(), deaths);

	bounded_waits = 0;
	writer_stuck = 0;
	meanwhile = batch_frees;
	reclaim_before_heap_retry(deaths);
	assert_int_equal(bounded_waits, 1);

	marks = fixed_marks;
	free_now = RESERVE + 1;	/* the heap's one page */
	pending = 64;
	bounded_waits = 0;
	reclaim_before_heap_retry(deaths);
	assert_int_equal(bounded_waits, 0);
}

/* An exempt requester (or none, the pager's own request) is not killed:
 * the machine stops, with the panic status. */
static void test_requester_exempt_stops(void **state)
{
	(void)state;
	procs[1] = proc(5, 1, 0, 40);
	procs[2] = proc(7, 0, 0, 40);
	if (setjmp(powered_off) == 0) {
		oom_kill(5);
		fail_msg("the OOM killer returned with no one it may kill");
	}
	assert_int_equal(poweroff_status, OOM_PANIC_STATUS);
	assert_int_equal(nkilled, 0);
	if (setjmp(powered_off) == 0) {
		oom_kill(0);
		fail_msg("the OOM killer returned with no one it may kill");
	}
	assert_int_equal(nkilled, 0);
}

/* One line of processes may hold half the subscriptions, never the whole
 * table; other lines, and processes in none, get the rest. */
static void test_subscriptions_per_line(void **state)
{
	uint32_t pid = 100;

	(void)state;
	for (int k = 0; k < PRESSURE_LINE_SUBSCRIBERS; k++)
		assert_int_equal(pressure_subscribe(pid++, 3, 200 + k), 0);
	assert_int_equal(pressure_subscribe(pid++, 3, 300), -ENOSPC);
	assert_int_equal(pressure_subscribe(100, 3, 301), 0);	/* a replacement */
	assert_int_equal(pressure_subscribe(pid++, 4, 302), 0);
	assert_int_equal(pressure_subscribe(pid++, 0, 303), 0);
	assert_int_equal(pressure_subscribers(), PRESSURE_LINE_SUBSCRIBERS + 2);
	pressure_unsubscribe(101);
	assert_int_equal(pressure_subscribe(pid++, 3, 304), 0);
	for (uint32_t p = 100; p < pid; p++)
		pressure_unsubscribe(p);
	assert_int_equal(pressure_subscribers(), 0);
}

/* Two lines at their bound, each process of them subscribed, leave a
 * third line and the processes in none room: as many subscriptions as
 * the process table has processes succeed, spread over three lines and
 * none (the table was 16 with 8 a line, and two lines took it all). */
static void test_two_lines_leave_room(void **state)
{
	uint32_t pid = 100;

	(void)state;
	for (uint32_t line = 1; line <= 2; line++)
		for (int k = 0; k < PAGER_LINE_PROCS_MAX; k++, pid++)
			assert_int_equal(pressure_subscribe(pid, line, 200 + (int)pid), 0);
	assert_int_equal(pressure_subscribe(pid++, 3, 400), 0);
	for (; pid < 100 + PAGER_PROCS_MAX; pid++)
		assert_int_equal(pressure_subscribe(pid, 0, 500 + (int)pid), 0);
	assert_int_equal(pressure_subscribers(), PAGER_PROCS_MAX);
	for (uint32_t p = 100; p < pid; p++)
		pressure_unsubscribe(p);
	assert_int_equal(pressure_subscribers(), 0);
}

/* A request that freed objects (a process reaped, regions unmapped)
 * gives their pages back as it ends, all but one a cache: the frame pool's
 * again, not the pager's for good. */
static void test_request_end_gives_back_pages(void **state)
{
	long before;

	(void)state;
	objects_for(9);
	before = host_pages_out;
	objects_free(9);
	assert_int_equal(host_pages_out, before);	/* freed, not given back yet */
	reclaim_after_request();
	assert_int_equal(host_pages_out, 1);
}

/* An OOM kill gives back the pages of objects its victim's death emptied
 * before it returns: the request that tries again may need those frames
 * (a victim chosen for the heap's sake holds little else), and its
 * request has not ended. */
static void test_oom_kill_gives_back_pages(void **state)
{
	(void)state;
	objects_for(7);
	assert_true(host_pages_out >= VICTIM_OBJECTS / 4);
	assert_int_equal(oom_kill(9), 0);
	assert_int_equal(killed[0], 7);
	assert_int_equal(host_pages_out, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_throttle_is_bounded, setup),
		cmocka_unit_test_setup(test_congested_is_bounded, setup),
		cmocka_unit_test_setup(test_congested_then_throttled, setup),
		cmocka_unit_test_setup(test_throttle_without_timer, setup),
		cmocka_unit_test_setup(test_fault_waits_for_writes, setup),
		cmocka_unit_test_setup(test_fault_waits_for_writes_bounded, setup),
		cmocka_unit_test_setup(test_oom_reaps_ended_first, setup),
		cmocka_unit_test_setup(test_oom_victim_had_ended, setup),
		cmocka_unit_test_setup(test_oom_kills_group, setup),
		cmocka_unit_test_setup(test_throttle_rounds_follow_marks, setup),
		cmocka_unit_test_setup(test_fault_waits_out_outage, setup),
		cmocka_unit_test_setup(test_outage_given_up_kills, setup),
		cmocka_unit_test_setup(test_outage_then_writer_rounds, setup),
		cmocka_unit_test_setup(test_outage_without_writes_waits, setup),
cmocka_unit_test_setup(test_outage_swap_full_kills, setup),
cmocka_unit_test_setup(test_outage_swap_full_copies_wait, setup),
		cmocka_unit_test_setup(test_request_waits_out_outage, setup),
		cmocka_unit_test_setup(test_deaths_thread_waits_no_outage, setup),
		cmocka_unit_test_setup(test_fault_waits_out_overdue_write, setup),
		cmocka_unit_test_setup(test_deaths_thread_waits_no_overdue_write, setup),
		cmocka_unit_test_setup(test_fault_gives_up_on_abandoned_write, setup),
		cmocka_unit_test_setup(test_outage_waited_out_with_abandoned_write, setup),
		cmocka_unit_test_setup(test_deaths_thread_waits_no_abandoned_write, setup),
		cmocka_unit_test_setup(test_request_waits_rounds_for_abandoned_write, setup),
		cmocka_unit_test_setup(test_critical_leaves_a_thread, setup),
		cmocka_unit_test_setup(test_critical_waiter_leaves, setup),
		cmocka_unit_test_setup(test_sent_back_until_deadline, setup),
		cmocka_unit_test_setup(test_fault_threads_all_throttle, setup),
		cmocka_unit_test_setup(test_nomem_with_frames_free_kills, setup),
		cmocka_unit_test_setup(test_reader_leaves_no_thread_free, setup),
		cmocka_unit_test_setup(test_requester_last_resort, setup),
		cmocka_unit_test_setup(test_heap_short_kills_arrays, setup),
		cmocka_unit_test_setup(test_heap_failure_forgotten, setup),
		cmocka_unit_test_setup(test_heap_retry_waits_for_writes, setup),
		cmocka_unit_test_setup(test_requester_exempt_stops, setup),
		cmocka_unit_test_setup(test_subscriptions_per_line, setup),
		cmocka_unit_test_setup(test_two_lines_leave_room, setup),
		cmocka_unit_test_setup(test_request_end_gives_back_pages, setup),
		cmocka_unit_test_setup(test_oom_kill_gives_back_pages, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
