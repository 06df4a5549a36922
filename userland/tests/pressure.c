/*
 * Telling applications: pressure events arrive in level order and a
 * subscriber that ignores them is not waited on for ever, while one that
 * gives memory back in time spares everyone; an exit
 * unsubscribes; unlocked (discardable) memory goes before anything is
 * swapped, and reads back either intact or as zeros, never stale.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "children.h"
#include "pager_client.h"
#include "sleep.h"
#include "tests.h"

#define WORDS (4096 / sizeof(uint64_t))
#define SECOND (1000 * MS)
#define MAX_EVENTS 64

static uint64_t pattern(uint64_t page, uint64_t word)
{
	return (page << 32) ^ (word * 0x9e3779b97f4a7c15ULL) ^ 0x7e55;
}

/* The levels in the order the events gave them: each word's bits taken
 * lowest first. 0, or -1 if a level came out of order: critical with no
 * low since the last normal. */
static int in_level_order(const uint64_t *words, int n, int *saw_critical)
{
	int low = 0;

	for (int k = 0; k < n; k++)
		for (int l = PAGER_PRESSURE_NORMAL; l <= PAGER_PRESSURE_CRITICAL; l++) {
			if (!(words[k] & PAGER_PRESSURE_BIT(l)))
				continue;
			if (l == PAGER_PRESSURE_NORMAL)
				low = 0;
			else if (l == PAGER_PRESSURE_LOW)
				low = 1;
			else if (!low)
				return -1;
			else
				*saw_critical = 1;
		}
	return 0;
}

/* Swap off: this process subscribes and then ignores every event while a
 * grower runs memory out. It is told low, then critical (the pager waits
 * for it, a bounded time), the grower is killed all the same, and normal
 * comes back once the grower's memory is free. */
int test_pressure_levels(void)
{
	struct pager_stats before, after;
	struct exit_info info;
	uint64_t words[MAX_EVENTS];
	int note = sys_notify_create(), n = 0, critical = 0, reaped = 0;
	int64_t start;
	pid_t grower;

	CHECK(note >= 0);
	CHECK_RUN(stats_get(&before));
	CHECK_EQ(before.swap_slots_total, 0);
	CHECK_EQ(pager_pressure_level(NULL, NULL), PAGER_PRESSURE_NORMAL);
	CHECK_EQ(pager_pressure_subscribe(note), 0);
	CHECK((grower = fork_run(grow_forever, NULL)) > 0);
	for (start = sys_clock(); sys_clock() - start < 120 * SECOND; sys_yield()) {
		long bits = sys_notify_poll(note);
		if (bits > 0 && n < MAX_EVENTS)
			words[n++] = (uint64_t)bits;
		if (!reaped && waitpid_info(grower, &info, WNOHANG) == grower)
			reaped = 1;
		if (reaped && n > 0 && (words[n - 1] & PAGER_PRESSURE_BIT(PAGER_PRESSURE_NORMAL)))
			break;
	}
	for (int k = 0; k < n; k++)
		diag("event %d: bits 0x%lx", k, (unsigned long)words[k]);
	CHECK(reaped);
	CHECK_EQ(info.how, EXIT_KILLED);
	CHECK_EQ(info.status, PAGER_KILLED_OOM);
	CHECK(n >= 2);
	CHECK_EQ(in_level_order(words, n, &critical), 0);
	CHECK(critical);
	CHECK(words[n - 1] & PAGER_PRESSURE_BIT(PAGER_PRESSURE_NORMAL));
	CHECK_EQ(pager_pressure_level(NULL, NULL), PAGER_PRESSURE_NORMAL);
	CHECK_RUN(stats_get(&after));
	CHECK_EQ(after.pressure_waits - before.pressure_waits, 1);
	CHECK_EQ(after.oom_kill - before.oom_kill, 1);
	CHECK_EQ(pager_pressure_subscribe(-1), 0);
	sys_handle_close(note);
	return 0;
}

/* More growers than the pager has service threads (4), so that every
 * thread meets a fault with no frame at once. */
#define NGROWERS 6

/* Shared with the subscriber and the growers. */
struct give_board {
	uint64_t cache, grow;		/* pages: the subscriber's, each grower's */
	int cow;			/* the give-back faults first (left_copy_on_write) */
	volatile int ready, go, release;
	volatile int critical, gave, grown;
	volatile int reused;		/* cow: the subscriber's write was a reuse */
};

/* A private page a forked child shared copy-on-write and has left: its
 * next write needs no frame (the page is this process's alone again, and
 * the pager gives it back writable), but it is a fault all the same, which
 * a fault thread must serve. NULL if it cannot be made. */
static volatile uint64_t *left_copy_on_write(void)
{
	volatile uint64_t *page = anon_pages(1, MAP_PRIVATE);
	struct exit_info info;
	pid_t child;

	if (!page)
		return NULL;
	page[0] = 1;
	child = fork();
	if (child == 0)
		_exit(0);
	if (child < 0 || waitpid_info(child, &info, 0) != child)
		return NULL;
	return page;
}

/* A cooperating subscriber: it holds a cache, and gives it all back when
 * told the level is critical, after a moment (while the growers' faults
 * all come to wait for it); with b->cow, it first writes a page left
 * copy-on-write, as a program's give-back may touch its own memory. */
static int give_back_on_critical(void *arg)
{
	struct give_board *b = arg;
	uint64_t *cache = anon_pages(b->cache, MAP_PRIVATE);
	volatile uint64_t *touched = b->cow ? left_copy_on_write() : NULL;
	int note = sys_notify_create();

	if (!cache || (b->cow && !touched) || note < 0 || pager_pressure_subscribe(note) < 0)
		return 2;
	for (uint64_t p = 0; p < b->cache; p++)
		cache[p * WORDS] = p;
	b->ready = 1;
	while (!b->release) {
		long bits = sys_notify_poll(note);
		if (bits > 0 && (bits & PAGER_PRESSURE_BIT(PAGER_PRESSURE_CRITICAL)))
			break;
		sys_yield();
	}
	if (b->release)
		return 3;	/* never told: the growers fitted */
	b->critical = 1;
	if (sleep_ns(50 * MS) < 0)
		return 4;
	if (touched) {
		struct pager_stats s0, s1;

		/* The fault this case is for, seen to happen: a copy-on-write
		 * page it alone maps, reused, no frame taken. */
		if (stats_get(&s0) < 0)
			return 6;
		touched[0] = 2;
		if (stats_get(&s1) < 0)
			return 6;
		b->reused = s1.cow_reuse > s0.cow_reuse;
	}
	if (munmap(cache, b->cache * 4096) < 0)
		return 4;
	b->gave = 1;
	return poll_flag(&b->release, 120 * SECOND) < 0 ? 5 : 0;
}

static int grow_then_hold(void *arg)
{
	struct give_board *b = arg;
	uint64_t *p;

	if (poll_flag(&b->go, 120 * SECOND) < 0 || !(p = anon_pages(b->grow, MAP_PRIVATE)))
		return 2;
	for (uint64_t i = 0; i < b->grow; i++)
		p[i * WORDS] = i;
	__atomic_add_fetch(&b->grown, 1, __ATOMIC_SEQ_CST);
	return poll_flag(&b->release, 120 * SECOND) < 0 ? 3 : 0;
}

/* Swap off: a subscriber holds two thirds of free memory, and more growers
 * than the pager has service threads, started together, take what is free
 * and half the subscriber's cache. Memory runs out with every grower
 * faulting; the subscriber, told critical, gives its cache back, and
 * that request is served while the growers' faults wait (the thread for
 * requests takes no fault), so everyone fits and no one is killed. With
 * cow, the subscriber's way to its munmap has a fault, which needs no
 * frame: one fault thread never waits for memory, so that it is served
 * while the others wait for the give-back it leads to. */
static int gives_back(int cow)
{
	struct give_board *b = anon_pages(1, MAP_SHARED);
	struct pager_stats before, mid, after;
	struct exit_info info;
	pid_t sub, growers[NGROWERS];
	int64_t start;

	CHECK(b != NULL);
	CHECK_RUN(stats_get(&before));
	CHECK_EQ(before.swap_slots_total, 0);
	b->cache = before.frames_free * 2 / 3;
	b->cow = cow;
	CHECK((sub = fork_run(give_back_on_critical, b)) > 0);
	CHECK_RUN(poll_flag(&b->ready, 120 * SECOND));
	CHECK_RUN(stats_get(&mid));
	b->grow = (mid.frames_free + b->cache / 2) / NGROWERS;
	diag("cache %lu pages, %d growers of %lu, %lu free", (unsigned long)b->cache, NGROWERS,
	     (unsigned long)b->grow, (unsigned long)mid.frames_free);
	for (int k = 0; k < NGROWERS; k++)
		CHECK((growers[k] = fork_run(grow_then_hold, b)) > 0);
	b->go = 1;
	for (start = sys_clock(); b->grown < NGROWERS && sys_clock() - start < 120 * SECOND;)
		sys_yield();
	b->release = 1;
	for (int k = 0; k < NGROWERS; k++) {
		CHECK_RUN(reap(growers[k], &info, 120 * SECOND));
		CHECK_RUN(expect_clean_exit(&info, "a grower"));
	}
	CHECK_RUN(reap(sub, &info, 120 * SECOND));
	CHECK_RUN(expect_clean_exit(&info, "the subscriber"));
	CHECK(b->critical && b->gave);
	CHECK(!cow || b->reused);	/* the fault needing no frame did happen */
	CHECK_RUN(stats_get(&after));
	CHECK_EQ(after.oom_kill - before.oom_kill, 0);
	CHECK_EQ(after.pressure_waits - before.pressure_waits, 1);
	return 0;
}

int test_pressure_gives_back(void)
{
	return gives_back(0);
}

int test_pressure_gives_back_cow(void)
{
	return gives_back(1);
}

/* Processes subscribed now (PAGER_PRESSURE_LEVEL's w[3]), or -1. */
static int64_t subscribers(void)
{
	struct msg m = { .label = PAGER_PRESSURE_LEVEL, .handle = -1 };

	return pager_call(&m) < 0 ? -1 : (int64_t)m.w[3];
}

static int subscribe_and_exit(void *arg)
{
	volatile int64_t *count = arg;
	int note = sys_notify_create();

	if (note < 0 || pager_pressure_subscribe(note) < 0)
		return 1;
	*count = subscribers();
	return 0;
}

/* A subscriber's exit takes its subscription with it. */
int test_pressure_exit_unsubscribes(void)
{
	volatile int64_t *seen = anon_pages(1, MAP_SHARED);
	struct exit_info info;
	int64_t before = subscribers();
	pid_t child;

	int ep = sys_endpoint_create();

	CHECK(seen != NULL && before >= 0 && ep >= 0);
	CHECK_EQ(pager_pressure_subscribe(ep), -EINVAL);	/* not a notification */
	CHECK_EQ(subscribers(), before);
	sys_handle_close(ep);
	CHECK((child = fork_run(subscribe_and_exit, (void *)seen)) > 0);
	CHECK_RUN(reap(child, &info, 10 * SECOND));
	CHECK_RUN(expect_clean_exit(&info, "the subscriber"));
	CHECK_EQ(*seen, before + 1);
	CHECK_EQ(subscribers(), before);
	return 0;
}

/* Whether page p holds its pattern (1), zeros (0) or anything else (-1). */
static int page_state(const uint64_t *buf, uint64_t p)
{
	int ours = 1, zero = 1;

	for (uint64_t w = 0; w < WORDS; w++) {
		ours &= buf[p * WORDS + w] == pattern(p, w);
		zero &= buf[p * WORDS + w] == 0;
	}
	return ours ? 1 : zero ? 0 : -1;
}

/* Shared with the holder: its progress and what it found. */
struct holder_board {
	uint64_t pages;
	volatile int ready, check, done;
	volatile int lost, bad;
	volatile uint64_t zeros, intact;
};

/* The owner of the unlocked memory: a process of its own, since a fork
 * would share its pages copy-on-write, and a shared page is never dropped. */
static int hold_unlocked(void *arg)
{
	struct holder_board *b = arg;
	uint64_t *buf = anon_pages(b->pages, MAP_PRIVATE);

	if (!buf)
		return 2;
	for (uint64_t p = 0; p < b->pages; p++)
		for (uint64_t w = 0; w < WORDS; w++)
			buf[p * WORDS + w] = pattern(p, w);
	if (pager_discard_unlock(buf, b->pages * 4096) != 0)
		return 3;
	b->ready = 1;
	if (poll_flag(&b->check, 120 * SECOND) < 0)
		return 4;
	b->lost = pager_discard_lock(buf, b->pages * 4096);
	for (uint64_t p = 0; p < b->pages; p++) {
		int st = page_state(buf, p);
		b->bad += st < 0;
		b->zeros += st == 0;
		b->intact += st == 1;
	}
	return pager_discard_lock(buf, b->pages * 4096) == 0 ? 0 : 5;	/* nothing lost since */
}

struct taker {
	uint64_t pages;
};

static int take(void *arg)
{
	const struct taker *t = arg;
	uint64_t *p = anon_pages(t->pages, MAP_PRIVATE);
	volatile uint64_t sum = 0;

	if (!p)
		return 2;
	for (uint64_t i = 0; i < t->pages; i++)
		p[i * WORDS] = i;
	for (uint64_t i = 0; i < t->pages; i++)
		sum += p[i * WORDS];
	return 0;
}

/* With swap: half of memory unlocked, then a process takes more than is
 * free. Reclaim drops unlocked pages and swaps nothing; locked again, the
 * range says it lost pages, and every page reads either intact or zeros. */
int test_discard_first(void)
{
	struct pager_stats before, after;
	struct holder_board *b = anon_pages(1, MAP_SHARED);
	uint64_t *priv, *shared;
	struct exit_info info;
	struct taker t;
	pid_t holder, taker;

	CHECK(b != NULL);
	CHECK_RUN(stats_get(&before));
	CHECK(before.swap_slots_total > 0);
	CHECK((priv = anon_pages(8, MAP_PRIVATE)) != NULL && (shared = anon_pages(4, MAP_SHARED)) != NULL);
	CHECK_EQ(pager_discard_unlock(priv, 4096), -EINVAL);		/* part of a mapping */
	CHECK_EQ(pager_discard_unlock((char *)priv + 1, 8 * 4096), -EINVAL);
	CHECK_EQ(pager_discard_unlock(shared, 4 * 4096), -EINVAL);	/* shared */
	CHECK_EQ(pager_discard_lock(shared, 4 * 4096), -EINVAL);
	b->pages = before.frames_total / 2;
	CHECK((holder = fork_run(hold_unlocked, b)) > 0);
	CHECK_RUN(poll_flag(&b->ready, 120 * SECOND));
	CHECK_RUN(stats_get(&before));
	t.pages = before.frames_free + b->pages / 4;
	CHECK((taker = fork_run(take, &t)) > 0);
	CHECK_RUN(reap(taker, &info, 120 * SECOND));
	CHECK_RUN(expect_clean_exit(&info, "the taker"));
	CHECK_RUN(stats_get(&after));
	b->check = 1;
	CHECK_RUN(reap(holder, &info, 120 * SECOND));
	diag("pages dropped unlocked %lu, written to swap %lu; after the lock %lu pages "
	     "intact, %lu zeros, %d neither", (unsigned long)(after.pglazyfreed - before.pglazyfreed),
	     (unsigned long)(after.pswpout - before.pswpout), (unsigned long)b->intact,
	     (unsigned long)b->zeros, b->bad);
	CHECK_RUN(expect_clean_exit(&info, "the holder"));
	CHECK(after.pglazyfreed - before.pglazyfreed >= b->pages / 4);
	CHECK_EQ(after.pswpout - before.pswpout, 0);
	CHECK_EQ(b->lost, 1);
	CHECK_EQ(b->bad, 0);
	CHECK(b->zeros >= b->pages / 4);
	CHECK_EQ(munmap(priv, 8 * 4096), 0);
	CHECK_EQ(munmap(shared, 4 * 4096), 0);
	return 0;
}
