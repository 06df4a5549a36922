/*
 * A random model test of the swap engine (host, deterministic: fixed
 * seeds), as test_vm_rand.c is of the VM core: three spaces of private
 * pages are written, read (faults that read a page with its readahead
 * window, letting the lock go; runs read in order, which the swap-in
 * thread reads ahead of), unmapped, mapped again, forked and ended, while
 * reclaim (pager/reclaim/free.c, over a policy choosing at random, or
 * the real 2Q told of victims kept by a fault during their write) sends
 * victims out through the engine's entry points: direct batches
 * (swap_out_now); the swap-out queue and that thread's step
 * (swap_write_queued); the swap-in thread's step; faults that reclaim
 * when frames are held away. While a write or a read lets the lock go,
 * another thread acts: program steps, often on the pages being moved,
 * and direct reclaim.
 * The in-memory device of backend_fake.c changes its weather as the run
 * goes: a bad slot (its page, or its whole request), writes that fail
 * whole, come back late (and land later) or are never sent, pages moved
 * before or after the other thread acts, a device that fails
 * everything (the writer's pause, the clock moved on), failed and unsent
 * reads, flushes failed (-EIO) and lost with the link (SWAP_ERR_UNSENT),
 * each spoiling what its thread wrote since its last flush, direct writes
 * left in flight by an outage, an
 * area smaller than the pages (the device full), and in some seeds the
 * device gone for good part way (its driver ended).
 * After every step: vm_check and the mmu; every page against the model
 * (in its frame, or on its slot's page of the disk); each slot's
 * references those of the page entries, clean copies and writes in
 * flight naming it, one page at most without a fork; free + used ==
 * usable, usable + retired == the area, the swap counters agreeing, a
 * refault's shadow its own page's; a slot once retired stays so, cached
 * nowhere, and no free slot cached;
 * every victim put back or freed once its batch (or the queue) is over.
 * At the end nothing is left: every slot free or retired, every frame
 * free, no write left or queued. A failure names its seed and step.
 * Over the fixed seeds, each kind of failure the weather draws took
 * effect at least once (the fake device's count of them).
 */
#define _POSIX_C_SOURCE 200809L	/* fileno, dup: the console caught (said.h) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>
#include <stdio.h>

#include "backend_fake.h"
#include "kernel/abi/clock.h"
#include "said.h"
#include "base/threads.h"
#include "reclaim/free.h"
#include "reclaim/policy/policy.h"
#include "reclaim/victims.h"
#include "swap/internal.h"
#include "swap/slots.h"
#include "swap/swap.h"
#include "vm/swapcache.h"
#include "vm/internal.h"
#include "vm_fake.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL
#define NSP 3
#define NPG 64			/* 3 * 64 pages: more than the disk's 159 slots */
#define NSLOTS DISK_PAGES	/* slots 1 .. area_last at most */

/* SEEDS runs of STEPS steps. */
#define SEEDS 30
#define STEPS 2000

/* Two service threads (me, and other: the program acting while the
 * device works), and the swap-out and swap-in threads' steps, each with
 * its own channel to the device, as the pager's. */
static struct pager_thread me, other, swapout, swapin;
static int64_t clock_now;

int64_t pager_clock(void)
{
	return clock_now;
}

static unsigned long seed_no;
static unsigned step_no;

static int catching;	/* the console is caught (said_begin) */

/* A failure said on stderr, the console given back first for cmocka's. */
#define FAIL(...)                                                                        \
	do {                                                                             \
		if (catching)                                                            \
			catching = 0, (void)said_end("");                                \
		fprintf(stderr, "seed %lu step %u: ", seed_no, step_no);                 \
		fprintf(stderr, __VA_ARGS__);                                            \
		fprintf(stderr, "\n");                                                   \
		fail_msg("seed %lu step %u", seed_no, step_no);                          \
	} while (0)
#define CHECK(c, ...)                  \
	do {                           \
		if (!(c))              \
			FAIL(__VA_ARGS__); \
	} while (0)

static unsigned paused_steps;	/* steps the writer's pause held (stats) */

/* SWAP_RAND_TRACE set: every step said on stderr (a failure's story). */
static int tracing;

static void trace(const char *fmt, ...)
{
	va_list ap;

	if (!tracing)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* What a seed's run may meet (each chosen per seed). */
static struct {
	int device_fails, read_fails, outages, may_wait, forks, tight, twoq;
	unsigned gone_at;	/* the step the device is gone for good at (its
				 * driver ended), or past the last */
} opt;

/* ---- the fake policy: frames followed as reclaim follows them ---- */
static uint8_t in_policy[FAKE_FRAMES];
/* Victims reclaim chose and the engine has not settled yet (put back,
 * or the frame freed): OWED_DIRECT by direct reclaim, OWED_QUEUED by
 * background reclaim; owed_by: which the next choice is. */
enum { OWED_DIRECT = 1, OWED_QUEUED = 2 };
static uint8_t owed[FAKE_FRAMES];
static uint8_t owed_by;

/* In some seeds (opt.twoq) the victims are 2Q's (policy_2q.c), told
 * what the engine tells reclaim: kept victims go to its Am. */
static const struct policy_ops *q_ops;
static struct policy *q;

static uint8_t *policy_has(uint64_t pa)
{
	return &in_policy[(pa - FAKE_RAM_BASE) / PG];
}

static uint32_t frame_of(uint64_t pa)
{
	return (uint32_t)((pa - FAKE_RAM_BASE) / PG);
}

static void observe(void *ctx, uint64_t pa, int allocated)
{
	(void)ctx;
	*policy_has(pa) = allocated != 0;
	owed[frame_of(pa)] = 0;
	if (q && allocated)
		q_ops->insert(q, frame_of(pa), 0);
	else if (q)
		q_ops->remove(q, frame_of(pa));
}

static void choose(uint64_t pa)
{
	CHECK(*policy_has(pa), "victim 0x%lx not the policy's", (unsigned long)pa);
	*policy_has(pa) = 0;
}

/* A victim comes back once, in use, its own write over. */
static void put_back(uint64_t pa)
{
	CHECK(swapcache_anon(pa) != NULL, "put back 0x%lx not in use", (unsigned long)pa);
	CHECK(!*policy_has(pa), "put back 0x%lx twice", (unsigned long)pa);
	CHECK(!swapcache_write_own_tie(pa), "put back 0x%lx with its write out", (unsigned long)pa);
	*policy_has(pa) = 1;
	owed[(pa - FAKE_RAM_BASE) / PG] = 0;
	trace("    put back %lx\n", (unsigned long)(pa - FAKE_RAM_BASE) / PG);
}

static void back_to_policy(uint64_t pa)
{
	put_back(pa);
	if (q)
		q_ops->put_back(q, frame_of(pa));
}

/* The policy's shadow word for a page evicted: marked, and carrying the
 * page's value (its first byte), so that its refault shows whose it is. */
static uint32_t evicted(uint64_t pa)
{
	static uint32_t seq;

	CHECK(!*policy_has(pa), "evicted 0x%lx still the policy's", (unsigned long)pa);
	trace("    evicted %lx\n", (unsigned long)(pa - FAKE_RAM_BASE) / PG);
	if (q)
		(void)q_ops->evicted(q, frame_of(pa));	/* its shadow: not this test's */
	return 0x80000000u | (++seq & 0x7fffff) << 8 | ((const uint8_t *)frame_ptr(pa))[0];
}

/* The shadow word heard at a refault is the one given at the eviction of
 * the page read back, not another's kept with its slot before. */
static void refaulted(uint64_t pa, uint32_t shadow)
{
	uint8_t v = ((const uint8_t *)frame_ptr(pa))[0];

	CHECK((shadow & 0x80000000u) && (shadow & 0xff) == v,
	      "refault of 0x%lx (holding %02x) with shadow %x, not its eviction's",
	      (unsigned long)pa, v, shadow);
}

static void written(void)
{
}

/* A request waits for the writes (a fault made again: kswapd_throttle). */
static int request_waits;

/* As kswapd_writes_may_wait: while frames are plentiful (a write's worth
 * free) and no request waits. */
static int writes_may_wait(void)
{
	return opt.may_wait && !request_waits && frames_free() >= SWAP_WRITE_BATCH;
}

/* A victim used during its write-out comes back as used (2Q's twoq_kept
 * sends it to Am): checked as any put back, and counted. */
static unsigned kept_met;

static void kept(uint64_t pa)
{
	put_back(pa);
	kept_met++;
	if (q)
		q_ops->kept(q, frame_of(pa));
}

static const struct swap_reclaim_hooks hooks = { .put_back = back_to_policy, .kept = kept,
						 .evicted = evicted,
						 .refaulted = refaulted, .written = written,
						 .writes_may_wait = writes_may_wait };

/* ---- the model ---- */
struct sp {
	struct vm_space *s;
	uint8_t v[NPG];		/* what each page holds (0: never written) */
	uint8_t there[NPG];	/* the page is mapped (not unmapped since) */
};
static struct sp m[NSP];
static int next_as = 1;
static uint8_t retired[NSLOTS];	/* slots seen retired */
static uint32_t area_last;	/* the swap area's last slot (a seed's) */
static uint8_t next_value = 1;

static uint64_t va_of(unsigned j)
{
	return VA + j * PG;
}

static void new_space(int k)
{
	m[k].s = fake_space(next_as++);
	assert_int_equal(vm_region_add(m[k].s, VA, VA + NPG * PG, RW, VM_ANON, NULL), 0);
	memset(m[k].v, 0, sizeof(m[k].v));
	memset(m[k].there, 1, sizeof(m[k].there));
}

/* The page-array entry of page j of space k (0: none). */
static uint32_t entry_of(int k, unsigned j)
{
	const struct vm_region *r = vm_region_find(m[k].s, va_of(j));

	return r ? region_entry(r, (va_of(j) - r->start) / PG) : 0;
}

/* ---- the program's steps ---- */

static void others_run(void);

/* fault_in: the fault is over with nothing to map (the page or its
 * space gone meanwhile, or a thread that waits for another). */
#define FAULT_GONE 1

/* Make page j of space k mapped for access as a program's touch does:
 * a fault only when its mapping lacks the access (the kernel sends no
 * other), by thread t, a read that let the lock go tried again
 * (vm_fault_again), a fault resolved but not mapped (reclaim took the
 * frame it was copying) made again. The result: mapped, or a failure the
 * weather allows (the caller's check). */
static int fault_in(struct pager_thread *t, int k, unsigned j, unsigned access)
{
	struct vm_space *s = m[k].s;
	int r = VM_FAULT_MAPPED;

	for (unsigned tries = 0;; tries++) {
		unsigned perm;
		uint64_t pa;

		/* Unmapped or ended by another thread while the lock was let
		 * go: the fault is over (the pager finds the process or the
		 * page gone). */
		if (m[k].s != s || !m[k].there[j])
			return FAULT_GONE;
		pa = fake_pa(s->as, va_of(j), &perm);
		if (r == VM_FAULT_MAPPED && pa && (perm & access) == access)
			return VM_FAULT_MAPPED;
		if (r != VM_FAULT_MAPPED && r != VM_FAULT_RETRY)
			return r;
		/* Made again and again: memory is short, its frames queued
		 * for the swap-out thread, which runs between two faults of
		 * the service thread (me); the program acting during that
		 * thread's write (other) waits for it (gives up here). */
		if (tries > 0 && tries % 4 == 0) {
			if (t == &other)
				return FAULT_GONE;
			request_waits = 1;
			others_run();
			request_waits = 0;
			continue;
		}
		CHECK(tries < 40,
		      "fault at page %u of space %d made for ever (%lu frames free; writes fail %d "
		      "as %d, writes failing %d)",
		      j, k, (unsigned long)frames_free(), disk.writes_fail, disk.bad_err,
		      swap_out_failing());
		trace("    fault %u (%d): entry %x flags %x\n", access, r, entry_of(k, j),
		      entry_frame(entry_of(k, j)) ? swapcache_flags(entry_frame(entry_of(k, j))) : 0);
		if (r == VM_FAULT_RETRY)
			r = vm_fault_again(s, va_of(j), access);
		else
			r = vm_fault(s, va_of(j), access);
		pager_lock(t);
		trace("    -> %d entry %x\n", r, entry_of(k, j));
		fake_check();
	}
}

/* A fault's failure the weather explains: the page's own slot unreadable
 * (its error one of a request never sent: short of memory, not
 * unreadable), or reads never sent. */
static void fault_failed(int k, unsigned j, uint32_t slot, unsigned unsent, int r)
{
	int bad = slot && slot == disk.bad_read;

	if (r == FAULT_GONE)
		return;
	if (r == VM_FAULT_IO && disk.gone)
		return;	/* a page only on a device gone */
	if (r == VM_FAULT_IO && bad && disk.bad_err != SWAP_ERR_UNSENT)
		return;
	if (r == VM_FAULT_NOMEM && (unsent || (bad && disk.bad_err == SWAP_ERR_UNSENT)))
		return;
	if (r == VM_FAULT_NOMEM && opt.tight)
		return;	/* reclaim freed nothing: the device full, failing, in an outage */
	FAIL("fault at page %u of space %d (slot %u): %d (%s); %lu frames free, reads unsent %u, "
	     "bad %u", j, k, slot, r, vm_fault_reason(r), (unsigned long)frames_free(),
	     disk.unsent_reads, disk.bad_read);
}

static void do_write(struct pager_thread *t, int k, unsigned j)
{
	uint32_t slot = entry_slot(entry_of(k, j));
	unsigned unsent = disk.unsent_reads;
	uint8_t v = next_value++;
	int r;

	if (!next_value)
		next_value = 1;
	trace("    write %02x (slot %u)\n", v, slot);
	r = fault_in(t, k, j, VM_W);
	if (r != VM_FAULT_MAPPED) {
		fault_failed(k, j, slot, unsent, r);
		return;
	}
	fake_poke(m[k].s, va_of(j), v);	/* the dirty bit */
	memset(frame_ptr(vm_lookup(m[k].s, va_of(j))), v, PG);
	m[k].v[j] = v;
}

static void expect_frame(int k, unsigned j, uint64_t pa, const char *what)
{
	const uint8_t *p = frame_ptr(pa);
	uint8_t v = m[k].v[j];

	if (p[0] != v || p[PG / 2] != v || p[PG - 1] != v)
		FAIL("space %d page %u %s frame 0x%lx holds %02x, expected %02x", k, j, what,
		     (unsigned long)pa, p[0], v);
}

static void do_read(struct pager_thread *t, int k, unsigned j)
{
	uint32_t slot = entry_slot(entry_of(k, j));
	unsigned unsent = disk.unsent_reads;
	int r = fault_in(t, k, j, VM_R);

	if (r != VM_FAULT_MAPPED) {
		fault_failed(k, j, slot, unsent, r);
		return;
	}
	(void)fake_peek(m[k].s, va_of(j));	/* the accessed bit */
	expect_frame(k, j, vm_lookup(m[k].s, va_of(j)), "read");
}

static void do_unmap(int k, unsigned j)
{
	assert_int_equal(vm_unmap_range(m[k].s, va_of(j), va_of(j) + PG), 0);
	m[k].there[j] = 0;
	m[k].v[j] = 0;
}

static void do_remap(int k, unsigned j)
{
	assert_int_equal(vm_region_add(m[k].s, va_of(j), va_of(j) + PG, RW, VM_ANON, NULL), 0);
	m[k].there[j] = 1;
	m[k].v[j] = 0;
}

static void do_exit(int k)
{
	vm_space_destroy(m[k].s);
	new_space(k);
}

/* Space k ends and space from forks in its place: their pages share
 * frames and slots until written. */
static void do_fork(int from, int k)
{
	if (from == k)
		return;
	vm_space_destroy(m[k].s);
	m[k].s = fake_space(next_as++);
	assert_int_equal(vm_fork(m[from].s, m[k].s), 0);
	memcpy(m[k].v, m[from].v, sizeof(m[k].v));
	memcpy(m[k].there, m[from].there, sizeof(m[k].there));
}

/* A run of pages read in order (a stream: the swap-in thread's
 * readahead follows it). */
static void do_scan(struct pager_thread *t, int k, unsigned j)
{
	unsigned n = 4 + (unsigned)rand() % 13;

	for (; j < NPG && n > 0; j++, n--)
		if (m[k].there[j])
			do_read(t, k, j);
}

/* One thing the program does to page j of space k, by thread t. */
static void program_act(struct pager_thread *t, int k, unsigned j)
{
	unsigned what = (unsigned)rand() % 100;

	trace("  %s: space %d page %u: %u\n", t == &me ? "me" : "other", k, j,
	      m[k].there[j] ? what : 1000);
	if (!m[k].there[j]) {
		do_remap(k, j);
		return;
	}
	if (what < 45)
		do_write(t, k, j);
	else if (what < 85)
		do_read(t, k, j);
	else if (what < 90)
		do_scan(t, k, j);
	else if (what < 98)
		do_unmap(k, j);
	else if (what < 99 && opt.forks)
		do_fork(rand() % NSP, k);
	else
		do_exit(k);
}

static void program_step(struct pager_thread *t)
{
	program_act(t, rand() % NSP, (unsigned)rand() % NPG);
}

/* A page whose write-out is in flight, if any: *k, *j. */
static int page_being_written(int *k, unsigned *j)
{
	unsigned n = 0, pick;

	for (int x = 0; x < NSP; x++)
		for (unsigned y = 0; y < NPG; y++)
			n += swapcache_write_in_flight(entry_frame(entry_of(x, y))) != 0;
	if (!n)
		return 0;
	pick = (unsigned)rand() % n;
	for (int x = 0; x < NSP; x++)
		for (unsigned y = 0; y < NPG; y++)
			if (swapcache_write_in_flight(entry_frame(entry_of(x, y))) && !pick--) {
				*k = x, *j = y;
				return 1;
			}
	return 0;
}

/* ---- reclaim's steps ---- */


static int q_referenced(void *ctx, uint32_t f)
{
	(void)ctx, (void)f;
	return rand() % 4 == 0;	/* the bits as a coin: the engine's are its own */
}

static int q_evictable(void *ctx, uint32_t f)
{
	(void)ctx;
	return in_policy[f] && swapcache_reclaimable(FAKE_RAM_BASE + (uint64_t)f * PG);
}

/* Up to want of 2Q's victims. */
static size_t q_victims(uint64_t *all, size_t want)
{
	const struct policy_env env = { .referenced = q_referenced, .evictable = q_evictable };
	uint32_t f[FAKE_FRAMES];
	uint32_t n = q_ops->isolate(q, &env, f, (uint32_t)want);

	for (uint32_t i = 0; i < n; i++)
		all[i] = FAKE_RAM_BASE + (uint64_t)f[i] * PG;
	return n;
}

/* Up to want victims as the policy would choose them: its frames reclaim
 * may take, any of them (or 2Q's); their accessed bits cleared. */
static size_t pick_victims(uint64_t *v, size_t want)
{
	uint64_t all[FAKE_FRAMES];
	size_t n = 0;

	if (q)
		want = n = q_victims(all, want);
	for (unsigned f = FAKE_RESERVED; f < FAKE_FRAMES && !q; f++) {
		uint64_t pa = FAKE_RAM_BASE + (uint64_t)f * PG;

		if (in_policy[f] && swapcache_reclaimable(pa))
			all[n++] = pa;
	}
	for (size_t i = 0; i < want && i < n && !q; i++) {
		size_t r = i + (size_t)rand() % (n - i);
		uint64_t x = all[i];

		all[i] = all[r];
		all[r] = x;
	}
	if (want > n)
		want = n;
	memcpy(v, all, want * sizeof(*v));
	vm_frames_clear_accessed(v, want);
	for (size_t i = 0; i < want; i++)
		choose(v[i]);
	for (size_t i = 0; i < want; i++)
		owed[(v[i] - FAKE_RAM_BASE) / PG] = owed_by;
	trace("  chose %zu of %zu (%lu free, %u slots free):", want, n,
	      (unsigned long)frames_free(), swap_slots_free(swap_engine_slots()));
	for (size_t i = 0; i < want; i++)
		trace(" %lx", (unsigned long)(v[i] - FAKE_RAM_BASE) / PG);
	trace("\n");
	return want;
}

/* The policy's choice for reclaim (pager/reclaim/free.c): up to max of
 * its frames, as many as it finds. */
size_t victims_choose(uint64_t *pa, size_t max, uint32_t looks)
{
	(void)looks;
	return max ? pick_victims(pa, 1 + (size_t)rand() % max) : 0;
}

void victims_put_back(uint64_t pa)
{
	back_to_policy(pa);
}

/* No victim reclaim chose by `how` is left with the engine: each was put
 * back or freed. */
static void expect_settled(uint8_t how)
{
	for (unsigned f = 0; f < FAKE_FRAMES; f++)
		CHECK(!(owed[f] & how), "victim 0x%lx (%s) neither put back nor freed (flags %x)",
		      (unsigned long)(FAKE_RAM_BASE + (uint64_t)f * PG),
		      how == OWED_DIRECT ? "direct" : "queued",
		      swapcache_flags(FAKE_RAM_BASE + (uint64_t)f * PG));
}

/* An outage begins as the next direct write is made (outage_next): the
 * write is left in flight, its pages answered later with left_err. */
static int outage_next;

static void outage_begins(void)
{
	static const int errs[] = { 0, -EIO, SWAP_ERR_UNSENT };

	trace("  outage begins\n");
	outage_next = 0;
	disk.leaves = disk.stalled = 1;
	disk.flush_leaves = rand() % 3 == 0;
	disk.left_answered = 0;
	disk.left_err = errs[rand() % 3];
	disk.left_late = 0;
}

/* Direct reclaim by thread t (a fault's, made here at random), through
 * reclaim's own step; an outage may begin as it writes. */
static void direct_out(struct pager_thread *t)
{
	outage_next = opt.outages && !disk.left_n && rand() % 10 == 0;
	owed_by = OWED_DIRECT;
	trace("  direct by %s\n", t == &me ? "me" : "other");
	(void)reclaim_pages(1 + (size_t)rand() % SWAP_OUT_BATCH, RECLAIM_DIRECT);
	outage_next = 0;
	disk.leaves = disk.flush_leaves = 0;
	trace("  direct over, left %d\n", swap_out_left_of(t));
	if (!swap_out_left_of(&me) && !swap_out_left_of(&other))
		expect_settled(OWED_DIRECT);
}

/* Background reclaim: victims into the swap-out queue. */
static void queue_out(void)
{
	owed_by = OWED_QUEUED;
	trace("  background\n");
	(void)reclaim_pages(1 + (size_t)rand() % 24,
			    rand() % 2 ? RECLAIM_BACKGROUND : RECLAIM_PATIENT);
	swap_out_kick();
}

/* What the program does while the swap-out thread's write is in flight,
 * the lock let go: a few steps by another thread. */
static unsigned during_budget;
static int acting;	/* the other thread is acting (it acts once at a time) */

/* A page whose read is in flight, if any: *k, *j. */
static int page_being_read(int *k, unsigned *j)
{
	unsigned n = 0, pick;

	for (int x = 0; x < NSP; x++)
		for (unsigned y = 0; y < NPG; y++) {
			uint64_t pa = swapcache_lookup(entry_slot(entry_of(x, y)));

			n += pa && swapcache_reading(pa);
		}
	if (!n)
		return 0;
	pick = (unsigned)rand() % n;
	for (int x = 0; x < NSP; x++)
		for (unsigned y = 0; y < NPG; y++) {
			uint64_t pa = swapcache_lookup(entry_slot(entry_of(x, y)));

			if (pa && swapcache_reading(pa) && !pick--) {
				*k = x, *j = y;
				return 1;
			}
		}
	return 0;
}

/* Another thread acts while the device works, the lock let go: a few
 * program steps, often on the pages the device is moving (found by
 * busy), or a fault's direct reclaim. */
static void other_acts(int (*busy)(int *k, unsigned *j))
{
	acting = 1;
	pager_lock(&other);
	for (unsigned i = (unsigned)rand() % 4; i > 0; i--) {
		int k;
		unsigned j;

		if (rand() % 8 == 0)
			direct_out(&other);	/* a fault's reclaim */
		else if (rand() % 2 && busy(&k, &j))
			program_act(&other, k, j);
		else
			program_step(&other);
	}
	pager_unlock(&other);
	acting = 0;
}

static void during_write(void)
{
	/* A write made holding the lock (direct reclaim's) leaves no one
	 * else to act; its device may begin an outage meanwhile. */
	if (pager_holder()) {
		if (outage_next)
			outage_begins();
		return;
	}
	if (!during_budget || acting)
		return;
	during_budget--;
	other_acts(page_being_written);
}

/* A read with the lock let go (a fault's, or the swap-in thread's): now
 * and then the other thread acts meanwhile, unless it is the reader. */
static void during_read(void)
{
	if (pager_holder() || acting || rand() % 3)
		return;
	other_acts(page_being_read);
}

static void writer_step(void)
{
	during_budget = (unsigned)rand() % 3;
	pager_lock(&swapout);
	(void)swap_write_queued(&swapout);
	during_budget = 0;
	pager_lock(&me);
	fake_check();
	if (swap_out_pending() == 0) {
		expect_settled(OWED_QUEUED);
	}
}

static void reader_step(void)
{
	pager_lock(&swapin);
	(void)swap_read_queued(&swapin);
	pager_lock(&me);
	fake_check();
}

/* The engine's threads each take a step, as they would between two
 * requests of the service thread. */
static void others_run(void)
{
	trace("  others run\n");
	writer_step();
	reader_step();
}

/* Each thread's write left in flight, settled if answered (after the
 * thread's request, as the server does). */
static void left_finish(void)
{
	if (swap_out_left_of(&me))
		swap_out_left_finish(&me);
	if (swap_out_left_of(&other))
		swap_out_left_finish(&other);
}

/* The outage ends: the device answers what was left. */
static void outage_ends(void)
{
	disk.stalled = 0;
	disk.left_answered = 1;
	if (disk.left_n && rand() % 3 == 0)
		disk.left_late = disk.left_slot[(unsigned)rand() % disk.left_n];
	if (rand() % 2)
		left_finish();
}

/* ---- the device's weather ---- */

static uint32_t any_slot(void)
{
	return 1 + (uint32_t)rand() % area_last;
}

static void weather(void)
{
	static const int errs[] = { 0, 0, SWAP_ERR_LATE, SWAP_ERR_UNSENT };
	unsigned what = (unsigned)rand() % 10;

	if (rand() % 8)
		return;	/* the weather holds */
	if (!opt.device_fails && what < 6)
		return;
	if (!opt.read_fails && what >= 6)
		return;
	trace("  weather %u\n", what);
	switch (what) {
	case 0:
		disk.bad_write = rand() % 2 ? any_slot() : 0;
		disk.request_fails = rand() % 2;
		break;
	case 1:
		disk.writes_fail = rand() % 4 == 0;
		break;
	case 2:
		disk.bad_err = errs[rand() % 4];
		break;
	case 3:
		disk.unsent_writes = (unsigned)rand() % 2;
		break;
	case 4:
		/* Flushes failing for real, or the link lost before the next
		 * few (never the device's answer): the two mixed in a run. */
		if (rand() % 2)
			disk.flush_err = rand() % 4 == 0 ? -EIO : 0;
		else
			disk.lost_flushes += 1 + (unsigned)rand() % 3;
		break;
	case 5:
		clock_now += (int64_t)(rand() % 2 ? 60 * CLOCK_NS_PER_S : CLOCK_NS_PER_MS);
		break;
	case 6:
	case 7:
		disk.bad_read = rand() % 2 ? any_slot() : 0;
		break;
	case 8:
		disk.unsent_reads = (unsigned)rand() % 3;
		break;
	default:
		disk.window_fails = rand() % 3 == 0;
		break;
	}
}

static void calm(void)
{
	disk.bad_write = disk.bad_read = 0;
	disk.writes_fail = disk.request_fails = disk.window_fails = 0;
	disk.bad_err = disk.flush_err = 0;
	disk.lost_flushes = 0;
	disk.unsent_reads = disk.unsent_writes = 0;
}

/* ---- the checks ---- */

/* Who holds each slot: page entries naming it, frames holding it as a
 * clean copy, frames whose own write to it is in flight. */
static void count_holders(unsigned *holders)
{
	uint64_t entries = 0, copies = 0;

	memset(holders, 0, NSLOTS * sizeof(*holders));
	for (int k = 0; k < NSP; k++)
		for (unsigned j = 0; j < NPG; j++) {
			uint32_t slot = entry_slot(entry_of(k, j));

			CHECK(slot <= area_last, "space %d page %u names slot %u", k, j, slot);
			holders[slot] += slot != 0;
			entries += slot != 0;
		}
	for (unsigned f = FAKE_RESERVED; f < FAKE_FRAMES; f++) {
		uint64_t pa = FAKE_RAM_BASE + (uint64_t)f * PG;
		uint32_t slot;

		if (!swapcache_anon(pa) || !(slot = swapcache_slot(pa)))
			continue;
		holders[slot] += swapcache_held(pa) || swapcache_write_own_tie(pa);
		copies += swapcache_held(pa) != 0;
	}
	CHECK(entries == vmstat_get(VMSTAT_SWAP_ENTRIES) && copies == vmstat_get(VMSTAT_SWAP_COPIES),
	      "%lu entries and %lu copies name slots; vmstat says %lu and %lu",
	      (unsigned long)entries, (unsigned long)copies,
	      (unsigned long)vmstat_get(VMSTAT_SWAP_ENTRIES),
	      (unsigned long)vmstat_get(VMSTAT_SWAP_COPIES));
}

static void check_slots(void)
{
	const struct swap_slots *s = swap_engine_slots();
	unsigned holders[NSLOTS], nfree = 0, used = 0, bad = 0;

	CHECK(swap_slots_check(s) == 0, "slot map and counters disagree");
	count_holders(holders);
	for (uint32_t slot = 1; slot <= area_last; slot++) {
		int refs = swap_slot_refs(s, slot);

		if (refs < 0) {
			retired[slot] = 1;
			bad++;
			CHECK(!holders[slot], "retired slot %u held %u times", slot, holders[slot]);
			CHECK(!swapcache_lookup(slot), "retired slot %u cached in frame 0x%lx", slot,
			      (unsigned long)swapcache_lookup(slot));
			continue;
		}
		CHECK(!retired[slot], "slot %u retired, then in the pool again (%d refs)", slot,
		      refs);
		CHECK(refs > 0 || !swapcache_lookup(slot), "free slot %u cached in frame 0x%lx",
		      slot, (unsigned long)swapcache_lookup(slot));
		CHECK((unsigned)refs == holders[slot], "slot %u has %d refs, %u holders", slot, refs,
		      holders[slot]);
		CHECK(holders[slot] <= 1 || opt.forks, "slot %u held by %u pages", slot,
		      holders[slot]);
		nfree += refs == 0;
		used += refs > 0;
	}
	CHECK(nfree == vmstat_get(VMSTAT_SWAP_SLOTS_FREE) && bad == vmstat_get(VMSTAT_SWAP_SLOTS_BAD),
	      "free %u bad %u, vmstat says %lu and %lu", nfree, bad,
	      (unsigned long)vmstat_get(VMSTAT_SWAP_SLOTS_FREE),
	      (unsigned long)vmstat_get(VMSTAT_SWAP_SLOTS_BAD));
	CHECK(nfree == swap_slots_free(s) && bad == swap_slots_bad(s),
	      "free %u bad %u, the allocator says %u and %u", nfree, bad, swap_slots_free(s),
	      swap_slots_bad(s));
	CHECK(nfree + used == swap_slots_total(s) && swap_slots_total(s) + bad == area_last,
	      "free %u + used %u + bad %u against %u usable", nfree, used, bad,
	      swap_slots_total(s));
}

/* Page j of space k holds its value wherever it is: its frame, or its
 * slot's page on the disk (and the frame that slot is cached in). */
static void check_page(int k, unsigned j)
{
	uint32_t e = entry_of(k, j), slot = entry_slot(e);
	uint64_t pa = entry_frame(e);
	const uint8_t *d;

	if (!m[k].there[j] || (!e && !m[k].v[j]))
		return;
	if (pa) {
		expect_frame(k, j, pa, "its");
		/* A copy held: the slot's is the page's, unless a write since
		 * is in the mapping's dirty bit, not yet harvested. */
		if (swapcache_held(pa) && fake_dirty(m[k].s->as, va_of(j)) != 1) {
			d = disk.page[swapcache_slot(pa)];
			CHECK(d[0] == m[k].v[j] && d[PG - 1] == m[k].v[j],
			      "space %d page %u clean copy in slot %u holds %02x, expected %02x", k,
			      j, swapcache_slot(pa), d[0], m[k].v[j]);
		}
		return;
	}
	CHECK(slot, "space %d page %u holds %02x but is nowhere", k, j, m[k].v[j]);
	d = disk.page[slot];
	CHECK(d[0] == m[k].v[j] && d[PG / 2] == m[k].v[j] && d[PG - 1] == m[k].v[j],
	      "space %d page %u on slot %u holds %02x, expected %02x", k, j, slot, d[0],
	      m[k].v[j]);
	pa = swapcache_lookup(slot);
	if (pa && !swapcache_reading(pa))
		expect_frame(k, j, pa, "cached");
}

static void check_all(void)
{
	fake_check();
	check_slots();
	/* Failing once a flush failed for real, until one works; a lost one
	 * (SWAP_ERR_UNSENT) says nothing either way. */
	CHECK((swap_flush_failing() != 0) == (disk.flush_last < 0),
	      "flush failing %d, the last flush answered %d (lost since: %d)",
	      swap_flush_failing(), disk.flush_last, disk.flush_lost_last);
	for (int k = 0; k < NSP; k++)
		for (unsigned j = 0; j < NPG; j++)
			check_page(k, j);
}

/* ---- a run ---- */

static void one_step(void)
{
	unsigned what = (unsigned)rand() % 100;

	trace("step %u: %u\n", step_no, what);
	if (step_no == opt.gone_at) {
		trace("  the device is gone\n");
		disk.gone = 1;
		swap_device_ended();
	}
	paused_steps += swap_out_failing() != 0;
	weather();
	if (disk.late_n && rand() % 8 == 0) {
		for (unsigned i = 0; i < disk.late_n; i++)
			trace("  late lands on slot %u\n", disk.late[i].slot);
		fake_disk_land_late();
	}	/* on slots retired: nothing must change */
	if (disk.stalled && rand() % 6 == 0)
		outage_ends();
	if (what < 50)
		program_step(&me);
	else if (what < 65)
		direct_out(&me);
	else if (what < 80)
		queue_out();
	else if (what < 90)
		writer_step();
	else if (what < 95)
		reader_step();
	else
		left_finish();
}

static void threads_once(void)
{
	static int done;

	if (done++)
		return;
	assert_int_equal(pager_thread_adopt(&me, "test", -1, IO_SERVICE), 0);
	assert_int_equal(pager_thread_adopt(&other, "other", -1, IO_SERVICE + 1), 0);
	assert_int_equal(pager_thread_adopt(&swapout, "swapout", -1, IO_SWAPOUT), 0);
	assert_int_equal(pager_thread_adopt(&swapin, "swapin", -1, IO_SWAPIN), 0);
	assert_int_equal(swap_out_thread_start(), 0);
	assert_int_equal(swap_in_thread_start(), 0);
}

static void start(void)
{
	fake_setup(0);
	memset(in_policy, 0, sizeof(in_policy));
	q_ops = policy_find("2q");
	q = opt.twoq ? q_ops->create(FAKE_FRAMES, seed_no) : NULL;
	assert_true(q || !opt.twoq);
	frames_set_observer(observe, NULL, NULL);
	swap_reset();
	fake_disk_init(1);
	fake_disk_set_last(area_last);
	disk.unflushed_spoil = 1;
	disk.during_write = during_write;
	disk.during_read = during_read;
	disk.moves_first = rand() % 2;
	swap_set_reclaim_hooks(&hooks);
	threads_once();
	pager_lock(&me);
	swap_start(&fake_backend, &me, NULL);
	assert_true(swap_on());
	swap_in_keep_free(rand() % 2 ? 0 : 48);	/* the swap-in thread's floor */
	vm_set_readahead(rand() % 3 ? 8 : 0);
}

/* Frames held away from the run (opt.tight): faults then reclaim. */
static uint64_t hog[FAKE_FRAMES];
static unsigned nhog;

static void tighten(void)
{
	uint64_t keep = 40 + (uint64_t)(rand() % 120);

	while (frames_free() > keep)
		hog[nhog++] = frame_alloc_pinned();
	vm_set_reclaim(reclaim_for_fault);
}

static void loosen(void)
{
	vm_set_reclaim(NULL);
	while (nhog)
		frame_free(hog[--nhog]);
}

/* The end: the weather calm, the outage over, every queue drained, the
 * spaces gone; nothing is left. */
static void finish(uint64_t free0)
{
	const struct swap_slots *s = swap_engine_slots();

	calm();
	disk.during_write = disk.during_read = NULL;	/* the program is over */
	opt.may_wait = 0;	/* nothing waits to fill a write */
	disk.stalled = 0;
	disk.left_answered = 1;
	left_finish();
	while (pager_lock(&swapout), swap_write_queued(&swapout) >= 0)
		;
	pager_lock(&me);
	for (int k = 0; k < NSP; k++)
		vm_space_destroy(m[k].s);
	while (pager_lock(&swapin), swap_read_queued(&swapin) >= 0)
		;
	pager_lock(&me);
	fake_check();
	loosen();
	CHECK(!swap_out_left_of(&me) && !swap_out_left_of(&other), "a write left at the end");
	CHECK(swap_out_pending() == 0, "%u writes pending at the end", swap_out_pending());
	CHECK(swap_slots_free(s) == swap_slots_total(s), "%u of %u slots free at the end",
	      swap_slots_free(s), swap_slots_total(s));
	CHECK(frames_free() == free0, "%lu frames free at the end, expected %lu",
	      (unsigned long)frames_free(), (unsigned long)free0);
}

/* What a run met (SWAP_RAND_STATS: to see that its paths are reached;
 * the device's failures are fake_met's, said over all the seeds). */
static void said_stats(void)
{
	static const struct {
		const char *name;
		enum vmstat_item item;
	} c[] = { { "out", VMSTAT_PSWPOUT }, { "in", VMSTAT_PSWPIN },
		  { "clean", VMSTAT_PGDROP_CLEAN }, { "bad", VMSTAT_SWAP_SLOTS_BAD },
		  { "full", VMSTAT_SWAP_FULL },
		  { "left", VMSTAT_SWAP_WRITES_LEFT }, { "werr", VMSTAT_SWAP_WRITE_ERRORS },
		  { "rerr", VMSTAT_SWAP_READ_ERRORS }, { "ra", VMSTAT_SWAP_RA },
		  { "async", VMSTAT_SWAPIN_ASYNC }, { "kept", VMSTAT_SWAPOUT_FAULT_KEPT },
		  { "queued", VMSTAT_SWAPOUT_QUEUED }, { "refused", VMSTAT_SWAPOUT_REFUSED } };

	fprintf(stderr, "seed %lu: paused %u", seed_no, paused_steps);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		fprintf(stderr, " %s %lu", c[i].name, (unsigned long)vmstat_get(c[i].item));
	fprintf(stderr, "\n");
}

/* Over the run's seeds: the failures the device's weather made (the
 * fake's own count, fake_met) and the area found full. */
static unsigned long full_met;
static unsigned twoq_met, twoq_kept_met;	/* seeds run with 2Q; its victims kept */

static const struct met_kind {
	const char *name;
	const unsigned *n;
} met_kinds[] = {
	{ "write -EIO", &fake_met.write_eio }, { "write late, kept", &fake_met.write_late },
	{ "late write landed", &fake_met.late_landed },
	{ "write page unsent", &fake_met.write_unsent },
	{ "write failed by its request", &fake_met.write_by_request },
	{ "every write failing", &fake_met.write_all_fail },
	{ "write unsent whole", &fake_met.unsent_writes },
	{ "read unsent whole", &fake_met.unsent_reads }, { "read bad slot", &fake_met.read_bad },
	{ "read window failed", &fake_met.window_failed },
	{ "read of a device gone", &fake_met.gone_reads },
	{ "flush failed", &fake_met.flush_failed }, { "flush lost", &fake_met.flush_lost },
	{ "flush lost after one failed", &fake_met.lost_after_failed },
	{ "flush failed after one lost", &fake_met.failed_after_lost },
	{ "slot spoilt by an unvouched flush", &fake_met.spoilt },
	{ "victim kept (used during its write)", &kept_met },
	{ "seed with 2Q", &twoq_met }, { "2Q victim kept", &twoq_kept_met },
	{ "write left in flight", &fake_met.left },
	{ "left write answered late", &fake_met.left_late },
	{ "left write answered an error", &fake_met.left_err },
};

/* Each kind of failure the weather draws took effect at least once over
 * the fixed seeds: else the test says it covers what it never reaches. */
static void expect_weather_met(void)
{
	for (size_t i = 0; i < sizeof(met_kinds) / sizeof(met_kinds[0]); i++)
		if (*met_kinds[i].n == 0)
			fail_msg("no seed met: %s", met_kinds[i].name);
	if (full_met == 0)
		fail_msg("no seed met: swap area full");
}

static void said_met(void)
{
	fprintf(stderr, "over the seeds:");
	for (size_t i = 0; i < sizeof(met_kinds) / sizeof(met_kinds[0]); i++)
		fprintf(stderr, " %s %u,", met_kinds[i].name, *met_kinds[i].n);
	fprintf(stderr, " full %lu\n", full_met);
}

static void run_seed(unsigned long seed)
{
	uint64_t free0;
	unsigned kept_before = kept_met;

	seed_no = seed;
	step_no = 0;
	srand((unsigned)seed);
	opt.device_fails = rand() % 3 != 0;
	opt.read_fails = rand() % 2;
	opt.outages = rand() % 2;
	opt.may_wait = rand() % 4 == 0;
	opt.forks = rand() % 2;
	opt.tight = rand() % 2;
	opt.twoq = rand() % 2;
	opt.gone_at = rand() % 4 == 0 ? (unsigned)rand() % STEPS : STEPS;
	area_last = rand() % 2 ? DISK_PAGES - 1 : 64 + (uint32_t)(rand() % (DISK_PAGES - 64));
	memset(retired, 0, sizeof(retired));
	memset(owed, 0, sizeof(owed));
	paused_steps = 0;
	clock_now = 0;
	start();
	free0 = frames_free();
	if (opt.tight)
		tighten();
	for (int k = 0; k < NSP; k++)
		new_space(k);
	for (step_no = 0; step_no < STEPS; step_no++) {
		one_step();
		check_all();
	}
	if (getenv("SWAP_RAND_STATS"))
		said_stats();
	twoq_met += opt.twoq;
	twoq_kept_met += opt.twoq ? kept_met - kept_before : 0;
	full_met += vmstat_get(VMSTAT_SWAP_FULL);
	finish(free0);
	swap_reset();
	frames_set_observer(NULL, NULL, NULL);
	if (q)
		q_ops->destroy(q);
	q = NULL;
	fake_teardown();
}

static void test_random(void **state)
{
	unsigned long first = 1, n = SEEDS;
	const char *e = getenv("SWAP_RAND_SEEDS");	/* "first:count", for longer runs by hand */

	(void)state;
	tracing = getenv("SWAP_RAND_TRACE") != NULL;
	if (e && sscanf(e, "%lu:%lu", &first, &n) != 2)
		first = 1, n = SEEDS;
	said_begin();	/* the engine's console lines: not TAP */
	catching = 1;
	fake_met = (struct fake_met){ 0 };
	full_met = 0;
	kept_met = twoq_met = twoq_kept_met = 0;
	for (unsigned long s = first; s < first + n; s++)
		run_seed(s);
	catching = 0;
	(void)said_end("");
	if (getenv("SWAP_RAND_STATS"))
		said_met();
	if (!e)
		expect_weather_met();	/* the fixed seeds' promise */
}

/* A failure inside a helper (fake_check's) names no seed: said here. */
static int said_where(void **state)
{
	(void)state;
	if (catching) {
		catching = 0;
		(void)said_end("");
		fprintf(stderr, "stopped in seed %lu at step %u\n", seed_no, step_no);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test_teardown(test_random, said_where) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
