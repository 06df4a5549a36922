/*
 * fork: private memory is copy-on-write (each side sees only its own
 * writes, the pager counts the sharing and the breaks), across a chain of
 * three generations, and shared mappings are one memory for parent and
 * child, whose pages go back once neither side's mapping reaches them;
 * and a child runs at the priority of the thread that forked it.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "tests.h"
#include "thread.h"

#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))
#define SYNC_TIMEOUT (5000 * MS)

static void *map_anon(size_t pages, int flags)
{
	void *p = mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		check_failed(__FILE__, __LINE__, "mmap: errno %d", errno);
	return p;
}

static uint64_t seeded(unsigned seed, size_t word)
{
	return ((uint64_t)seed << 56) ^ (word * 0x9e3779b97f4a7c15ULL);
}

static void fill(volatile uint64_t *p, size_t pages, unsigned seed)
{
	for (size_t w = 0; w < pages * WORDS_PER_PAGE; w++)
		p[w] = seeded(seed, w);
}

/* 1 if every word holds seed's pattern. */
static int holds(const volatile uint64_t *p, size_t pages, unsigned seed)
{
	for (size_t w = 0; w < pages * WORDS_PER_PAGE; w++)
		if (p[w] != seeded(seed, w))
			return 0;
	return 1;
}

/* fork_cow ------------------------------------------------------------ */

#define COW_PAGES 16
#define SEED_BEFORE 1
#define SEED_PARENT 2
#define SEED_CHILD 3

static uint64_t cow_global = 0x1111;	/* .data: a page of the image */

struct cow {
	volatile uint64_t *buf;		/* COW_PAGES private pages */
	struct cow_sync {
		volatile int ready;	/* child: waiting for go */
		volatile int go;	/* parent: has written; child may look */
	} *sync;			/* in a shared page */
};

/* The child's exit status bits. */
enum {
	COW_SAW_PARENT = 1,		/* buffer was not as before the fork */
	COW_GLOBAL_WRONG = 2,		/* cow_global was not as before */
	COW_OWN_LOST = 4,		/* its own writes did not read back */
	COW_NO_GO = 8			/* the parent never said go */
};

static int cow_child(void *arg)
{
	struct cow *c = arg;
	int bits = 0;

	sys_yield();		/* settle into the wait loop's code first */
	__atomic_store_n(&c->sync->ready, 1, __ATOMIC_RELEASE);
	if (poll_flag(&c->sync->go, SYNC_TIMEOUT) < 0)
		return COW_NO_GO;
	if (!holds(c->buf, COW_PAGES, SEED_BEFORE))
		bits |= COW_SAW_PARENT;
	if (cow_global != 0x1111)
		bits |= COW_GLOBAL_WRONG;
	fill(c->buf, COW_PAGES, SEED_CHILD);
	cow_global = 0x3333;
	if (!holds(c->buf, COW_PAGES, SEED_CHILD) || cow_global != 0x3333)
		bits |= COW_OWN_LOST;
	return bits;
}

/* Both processes at one moment, taken while the child waits for go: the
 * global read twice around the per-process one, until they agree. */
struct cow_snapshot {
	struct pager_stats st;
	struct pager_proc_stats parent, child;
};

static int snapshot(pid_t child, struct cow_snapshot *s)
{
	pid_t pids[2] = { getpid(), child };
	struct pager_proc_stats ps[2];
	struct pager_stats again;

	for (int tries = 0; tries < 5; tries++) {
		CHECK_RUN(stats_get(&s->st));
		CHECK_RUN(proc_stats_get(pids, ps, 2));
		CHECK_RUN(stats_get(&again));
		if (again.frames_mapped == s->st.frames_mapped &&
		    again.frames_free == s->st.frames_free)
			break;
	}
	s->parent = ps[0];
	s->child = ps[1];
	return 0;
}

/* Right after the fork the buffer is shared, and shared frames are counted
 * once: the frames the fork added are the child's pages less those it
 * shares, plus whatever the parent gained since. */
static int check_sharing(const struct pager_stats *before,
			 const struct pager_proc_stats *parent_before,
			 const struct cow_snapshot *s)
{
	int64_t added = (int64_t)(s->st.frames_mapped - before->frames_mapped);
	int64_t expect = (int64_t)s->parent.resident + s->child.resident -
			 s->child.shared - parent_before->resident;

	diag("after fork: parent %u resident %u shared, child %u resident %u shared, "
	     "frames_shared %lu -> %lu, frames_mapped %lu -> %lu",
	     s->parent.resident, s->parent.shared, s->child.resident, s->child.shared,
	     (unsigned long)before->frames_shared, (unsigned long)s->st.frames_shared,
	     (unsigned long)before->frames_mapped, (unsigned long)s->st.frames_mapped);
	CHECK(s->st.frames_shared >= before->frames_shared + COW_PAGES);
	CHECK(s->parent.shared >= COW_PAGES);
	CHECK(s->child.shared >= COW_PAGES);
	CHECK_EQ(added, expect);
	return 0;
}

/* The pager's view before the fork; read twice so the reads' own first
 * touches are done before the numbers that count. */
static int cow_before(struct pager_stats *st, struct pager_proc_stats *self)
{
	pid_t me = getpid();

	for (int i = 0; i < 2; i++) {
		CHECK_RUN(stats_settled(st));
		CHECK_RUN(proc_stats_get(&me, self, 1));
	}
	return 0;
}

static int cow_with(struct cow *c)
{
	struct pager_stats before, after;
	struct pager_proc_stats self;
	struct cow_snapshot snap;
	struct exit_info info;

	fill(c->buf, COW_PAGES, SEED_BEFORE);
	cow_global = 0x1111;
	CHECK_RUN(cow_before(&before, &self));
	pid_t pid = fork_run(cow_child, c);
	CHECK(pid > 0);
	int r = poll_flag(&c->sync->ready, SYNC_TIMEOUT);
	if (r < 0)
		check_failed(__FILE__, __LINE__, "the child never said it was ready");
	else if ((r = snapshot(pid, &snap)) == 0)
		r = check_sharing(&before, &self, &snap);
	/* Write before go: the child must still see the old contents. */
	fill(c->buf, COW_PAGES, SEED_PARENT);
	cow_global = 0x2222;
	__atomic_store_n(&c->sync->go, 1, __ATOMIC_RELEASE);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(r);
	CHECK_RUN(expect_clean_exit(&info, "the child (bits: 1 saw the parent's "
				    "writes, 2 global, 4 own writes, 8 no go)"));
	CHECK(holds(c->buf, COW_PAGES, SEED_PARENT));
	CHECK_EQ(cow_global, 0x2222);
	CHECK_RUN(stats_get(&after));
	diag("cow_breaks +%lu, cow_reuse +%lu",
	     (unsigned long)(after.cow_breaks - snap.st.cow_breaks),
	     (unsigned long)(after.cow_reuse - snap.st.cow_reuse));
	CHECK(after.cow_breaks >= snap.st.cow_breaks + COW_PAGES);
	CHECK(after.cow_breaks + after.cow_reuse >=
	      snap.st.cow_breaks + snap.st.cow_reuse + 2 * COW_PAGES);
	return 0;
}

int test_fork_cow(void)
{
	struct cow c;

	c.buf = map_anon(COW_PAGES, MAP_PRIVATE);
	c.sync = map_anon(1, MAP_SHARED);
	int r = -1;
	if (c.buf != MAP_FAILED && c.sync != MAP_FAILED) {
		memset((void *)c.sync, 0, sizeof(*c.sync));
		r = cow_with(&c);
	}
	if (c.buf != MAP_FAILED)
		munmap((void *)c.buf, COW_PAGES * PAGE_SIZE);
	if (c.sync != MAP_FAILED)
		munmap(c.sync, PAGE_SIZE);
	return r;
}

/* fork_chain ---------------------------------------------------------- */

/* One word at the start of each of three private pages. */
static volatile uint64_t *chain;

static volatile uint64_t *slot(int k)
{
	return chain + (size_t)k * WORDS_PER_PAGE;
}

enum { P0 = 0x50, P1 = 0x51, C0 = 0xc0, C1 = 0xc1, G0 = 0x90, G2 = 0x92 };

/* The grandchild sees the parent's pre-fork page 0 and the child's page 1,
 * never the child's later write to page 0; its own writes read back. */
static int chain_grandchild(void *arg)
{
	int bits = 0;
	(void)arg;

	if (*slot(0) != P0)
		bits |= 1;
	if (*slot(1) != C1)
		bits |= 2;
	if (*slot(2) != 0)
		bits |= 4;
	*slot(2) = G2;
	*slot(0) = G0;
	if (*slot(2) != G2 || *slot(0) != G0)
		bits |= 8;
	return bits;
}

/* The child: bits 0-3 its own findings, 4-7 the grandchild's status. */
static int chain_child(void *arg)
{
	struct exit_info info;
	int bits = 0;
	(void)arg;

	if (*slot(0) != P0 || *slot(1) != 0)
		bits |= 1;		/* the parent's post-fork write leaked */
	*slot(1) = C1;
	pid_t pid = fork_run(chain_grandchild, NULL);
	*slot(0) = C0;			/* after the fork: invisible below */
	if (pid < 0 || reap(pid, &info, CHILD_TIMEOUT) < 0 || info.how != EXIT_NORMAL)
		return bits | 2;
	bits |= (info.status & 0xf) << 4;
	if (*slot(0) != C0 || *slot(1) != C1 || *slot(2) != 0)
		bits |= 4;		/* the grandchild's writes leaked */
	return bits;
}

static int chain_run(void)
{
	struct exit_info info;

	*slot(0) = P0;
	pid_t pid = fork_run(chain_child, NULL);
	CHECK(pid > 0);
	*slot(1) = P1;
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(expect_clean_exit(&info, "the child (bits 0-3 its own, 4-7 the "
				    "grandchild's)"));
	CHECK_EQ(*slot(0), P0);
	CHECK_EQ(*slot(1), P1);
	CHECK_EQ(*slot(2), 0);
	return 0;
}

int test_fork_chain(void)
{
	chain = map_anon(3, MAP_PRIVATE);
	CHECK(chain != MAP_FAILED);
	int r = chain_run();
	munmap((void *)chain, 3 * PAGE_SIZE);
	return r;
}

/* shared_memory ------------------------------------------------------- */

/* Page 0 (touched before the fork): the flags. Page 1 (first touched
 * after it, by the child): the data both sides write. */
struct shm_flags {
	volatile int child_wrote;
	volatile int parent_wrote;
};

enum { SEED_SHM_CHILD = 7, SEED_SHM_PARENT = 8, SHM_FINAL = 0xf1 };

static int shm_child(void *arg)
{
	struct shm_flags *f = arg;
	volatile uint64_t *data = (volatile uint64_t *)((uint8_t *)arg + PAGE_SIZE);

	fill(data, 1, SEED_SHM_CHILD);
	__atomic_store_n(&f->child_wrote, 1, __ATOMIC_RELEASE);
	if (poll_flag(&f->parent_wrote, SYNC_TIMEOUT) < 0)
		return 1;
	if (!holds(data, 1, SEED_SHM_PARENT))
		return 2;
	data[0] = SHM_FINAL;	/* after the child has gone, still there */
	return 0;
}

static int shm_with(uint8_t *region)
{
	struct shm_flags *f = (struct shm_flags *)region;
	volatile uint64_t *data = (volatile uint64_t *)(region + PAGE_SIZE);
	struct exit_info info;

	memset(f, 0, sizeof(*f));
	pid_t pid = fork_run(shm_child, region);
	CHECK(pid > 0);
	if (poll_flag(&f->child_wrote, SYNC_TIMEOUT) < 0) {
		check_failed(__FILE__, __LINE__, "the child's flag never reached us");
		reap(pid, &info, 0);	/* kills it */
		return -1;
	}
	int saw = holds(data, 1, SEED_SHM_CHILD);
	fill(data, 1, SEED_SHM_PARENT);
	__atomic_store_n(&f->parent_wrote, 1, __ATOMIC_RELEASE);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK(saw);
	CHECK_RUN(expect_clean_exit(&info, "the child (1 no flag, 2 wrong data)"));
	CHECK_EQ(data[0], SHM_FINAL);
	return 0;
}

int test_shared_memory(void)
{
	uint8_t *region = map_anon(2, MAP_SHARED);

	CHECK(region != MAP_FAILED);
	int r = shm_with(region);
	munmap(region, 2 * PAGE_SIZE);
	return r;
}

/* A shared mapping cut down on both sides: page 0 the flags, which both
 * keep; pages 1 .. CUT_PAGES the data, page i holding i. The child keeps
 * only the last data page, the parent only the first. */
#define CUT_PAGES 1024

struct cut_flags {
	volatile int child_cut;
	volatile int parent_cut;
};

static int cut_child(void *arg)
{
	uint8_t *m = arg;
	struct cut_flags *f = arg;

	if (munmap(m + PAGE_SIZE, (CUT_PAGES - 1) * PAGE_SIZE) != 0)
		return 1;
	__atomic_store_n(&f->child_cut, 1, __ATOMIC_RELEASE);
	if (poll_flag(&f->parent_cut, SYNC_TIMEOUT) < 0)
		return 2;
	return m[CUT_PAGES * PAGE_SIZE] == (uint8_t)CUT_PAGES ? 0 : 3;
}

/* The parent's cut, the child's made: frames free before and after. */
static int cut_parent(uint8_t *m, struct pager_stats *before, struct pager_stats *after)
{
	CHECK_RUN(stats_settled(before));
	CHECK_EQ(munmap(m + 2 * PAGE_SIZE, (CUT_PAGES - 1) * PAGE_SIZE), 0);
	CHECK_RUN(stats_settled(after));
	return 0;
}

/* Data pages 2 .. CUT_PAGES - 1, which neither side reaches after both
 * cuts, go back at the second: the shared object keeps only what some
 * mapping reaches. (It kept them all until both sides had gone: memory
 * nobody could use, which the OOM killer did not count.) The two pages
 * kept still hold what was written. */
int test_shared_cut_frees(void)
{
	uint8_t *m = map_anon(CUT_PAGES + 1, MAP_SHARED);
	struct cut_flags *f = (struct cut_flags *)m;
	struct pager_stats before, after;
	struct exit_info info;
	int r;

	CHECK(m != MAP_FAILED);
	memset(f, 0, sizeof(*f));
	for (size_t i = 1; i <= CUT_PAGES; i++)
		m[i * PAGE_SIZE] = (uint8_t)i;
	pid_t pid = fork_run(cut_child, m);
	CHECK(pid > 0);
	r = poll_flag(&f->child_cut, SYNC_TIMEOUT);
	if (r < 0)
		check_failed(__FILE__, __LINE__, "the child's flag never reached us");
	else
		r = cut_parent(m, &before, &after);
	__atomic_store_n(&f->parent_cut, 1, __ATOMIC_RELEASE);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_EQ(r, 0);
	CHECK_RUN(expect_clean_exit(&info, "the child (1 munmap, 2 no flag, 3 wrong data)"));
	diag("frames free %lu before the parent's cut, %lu after (%d pages left no mapping)",
	     (unsigned long)before.frames_free, (unsigned long)after.frames_free, CUT_PAGES - 2);
	CHECK(after.frames_free >= before.frames_free + CUT_PAGES / 2);
	CHECK_EQ(m[PAGE_SIZE], 1);
	munmap(m, 2 * PAGE_SIZE);
	return 0;
}

/* fork_keeps_priority ------------------------------------------------- */

/* The calling thread's own priority, as the kernel holds it. */
static int own_prio(void)
{
	return sys_thread_prio(HANDLE_SELF, sys_gettid());
}

/* A child's answer: 0 if it runs at the priority arg names, else 1. */
static int prio_child(void *arg)
{
	return own_prio() == (int)(intptr_t)arg ? 0 : 1;
}

static struct {
	pid_t pid;
	int reaped;		/* reap's result */
	struct exit_info info;
} idle_fork;

/* A thread at idle priority forks and reaps its child (the runner's thread
 * sleeps meanwhile, so that this one runs). */
static void idle_forker(void *arg)
{
	(void)arg;
	idle_fork.pid = fork_run(prio_child, (void *)(intptr_t)PRIO_IDLE);
	if (idle_fork.pid > 0)
		idle_fork.reaped = reap(idle_fork.pid, &idle_fork.info, CHILD_TIMEOUT);
}

/* A child forked at normal priority runs at normal, and one forked by a
 * thread at idle priority runs at idle: not at the usual priority, above
 * the only one its parent could give a thread. */
int test_fork_keeps_priority(void)
{
	int threads = own_threads();

	CHECK_EQ(own_prio(), PRIO_NORMAL);
	CHECK_EQ(sys_thread_prio(HANDLE_SELF, 0x7fffffff), -ERR_SRCH);
	CHECK_RUN(run_child(prio_child, (void *)(intptr_t)PRIO_NORMAL,
			    "a child forked at normal priority (1: another)"));

	idle_fork.pid = -1;
	idle_fork.reaped = -1;
	CHECK(threads > 0);
	CHECK(thread_spawn(idle_forker, NULL, TEST_STACK, PRIO_IDLE) >= 0);
	CHECK_RUN(threads_back_to(threads, 2 * CHILD_TIMEOUT));
	CHECK(idle_fork.pid > 0);
	CHECK_EQ(idle_fork.reaped, 0);
	CHECK_RUN(expect_clean_exit(&idle_fork.info, "a child forked at idle priority (1: another)"));
	return 0;
}
