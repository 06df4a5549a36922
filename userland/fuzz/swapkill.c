/*
 * A kill while a fault waits on a swap read: a worker's child writes pages
 * of its own and pages shared with the worker, the worker writes memory
 * until the pager has put some of the child's pages in swap, then lets the
 * child fault them back (one thread through its private pages, another
 * through the shared ones) and kills it as soon as its first fault is
 * under way: with one hart, the worker runs again only while the child's
 * thread is blocked, which is while its page is read. The shared pages
 * must then read back as the child wrote them.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "pager_client.h"
#include "thread.h"

#define PAGE 4096UL
#define VICTIM_PAGES_MAX 32	/* a few readahead windows (PAGER_READAHEAD_MAX 16) */
/* Each run writes about all of memory: 32 times what op_pressure writes
 * on average (a 1/32 of memory, half its upper bound), so it goes ahead one
 * time in 32 and costs the run what op_pressure does. */
#define GO_AHEAD_ONE_IN 32
/* The child's and worker's waits for each other, as hang bounds only: a
 * side that is gone (killed by a made-up call, the OOM killer, the
 * supervisor's stop) leaves the other to give up after this long without
 * a sign of life; below the checks' 10 s for every descendant to end. */
#define WAIT_NS (5000 * MS)

struct control {
	volatile uint32_t written;	/* the child has written its pages */
	volatile uint32_t go;		/* the worker: fault them back now */
	volatile uint32_t faults;	/* the child's threads: a fault begins */
	volatile uint32_t done;		/* the child read every page back */
	volatile int64_t beat;		/* the worker, pushing pages out, lives */
};

struct victim {
	struct control *ctl;
	uint64_t *shared;	/* pages the child writes, the worker checks */
	uint64_t *own;		/* the child's private pages */
	uint64_t pages, salt;
};

static uint64_t word(const struct victim *v, uint64_t i)
{
	return v->salt ^ i;
}

/* Until *flag is set, or the other side has shown no sign of life (*beat,
 * its last) for WAIT_NS: 1 if it was set. */
static int wait_flag(volatile uint32_t *flag, volatile int64_t *beat)
{
	while (!*flag) {
		if (sys_clock() - *beat > WAIT_NS)
			return 0;
		fuzz_progress();
		sys_yield();
	}
	return 1;
}

static void read_back(const struct victim *v, const uint64_t *p)
{
	volatile uint64_t sink = 0;

	for (uint64_t i = 0; i < v->pages; i++) {
		__atomic_fetch_add(&v->ctl->faults, 1, __ATOMIC_RELAXED);
		sink += p[i * (PAGE / 8)];
	}
	(void)sink;
}

static void own_reader(void *arg)
{
	const struct victim *v = arg;

	read_back(v, v->own);
}

static _Noreturn void victim_main(struct victim *v)
{
	progress_stop();
	fuzz_env.is_child = 1;
	v->own = mmap(NULL, v->pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (v->own == MAP_FAILED)
		_exit(1);
	for (uint64_t i = 0; i < v->pages; i++)
		v->own[i * (PAGE / 8)] = v->shared[i * (PAGE / 8)] = word(v, i);
	v->ctl->written = 1;
	if (!wait_flag(&v->ctl->go, &v->ctl->beat))
		_exit(2);
	thread_spawn(own_reader, v, 4096, PRIO_NORMAL);	/* or not: one reader then */
	read_back(v, v->shared);
	v->ctl->done = 1;	/* the other reader may still be at it */
	_exit(0);
}

/* The child's pages now in swap, or -1 if it is not in the pager's list. */
static int64_t swapped_of(pid_t pid)
{
	struct pager_proc_stats s[8];
	uint32_t next = 0;

	do {
		int n = pager_proc_stats(next, s, 8, &next);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (s[i].pid == (uint32_t)pid)
				return s[i].swapped;
	} while (next);
	return -1;
}

/* Write memory until some of the child's pages are in swap (or memory's
 * worth and a quarter more has not done it): the mapping, which the
 * caller unmaps, or MAP_FAILED. */
static uint64_t *push_out(pid_t pid, volatile int64_t *beat, uint64_t limit, uint64_t *len)
{
	uint64_t *hog = mmap(NULL, limit * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	*len = limit * PAGE;
	if (hog == MAP_FAILED)
		return hog;
	for (uint64_t i = 0; i < limit; i++) {
		hog[i * (PAGE / 8)] = i;
		if (i % 128 == 0) {	/* each look is one pager request */
			fuzz_progress();
			*beat = sys_clock();
			if (swapped_of(pid) != 0)
				break;
		}
	}
	return hog;
}

static void check_shared(const struct victim *v)
{
	uint64_t wrong = 0;

	for (uint64_t i = 0; i < v->pages; i++)
		wrong += v->shared[i * (PAGE / 8)] != word(v, i);
	fuzz_pages_checked(v->pages, wrong);
}

void op_swap_kill(struct rng *r)
{
	struct victim v = { .pages = 1 + rng_below(r, VICTIM_PAGES_MAX), .salt = rng_next(r) };
	uint64_t hog_len = 0, *hog = MAP_FAILED;
	int status;

	if (fuzz_env.is_child || !fuzz_env.swap_frames || !rng_one_in(r, GO_AHEAD_ONE_IN))
		return;
	v.ctl = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	v.shared = mmap(NULL, v.pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	if (v.ctl == MAP_FAILED || v.shared == MAP_FAILED)
		goto out;
	v.ctl->beat = sys_clock();	/* before the child can look */
	pid_t pid = fork();
	if (pid == 0)
		victim_main(&v);
	if (pid < 0)
		goto out;
	fuzz_note_detail((uint64_t)pid);
	int64_t begun = sys_clock();
	if (wait_flag(&v.ctl->written, &begun))
		hog = push_out(pid, &v.ctl->beat, fuzz_env.swap_frames + fuzz_env.swap_frames / 4,
			       &hog_len);
	int64_t swapped = swapped_of(pid);
	v.ctl->go = 1;
	begun = sys_clock();
	wait_flag(&v.ctl->faults, &begun);	/* if it never starts, it ends all the same */
	kill(pid, SIGKILL);
	fuzz_event(swapped > 0 && !v.ctl->done ? EV_SWAP_KILL : EV_SWAP_MISSED);
	int64_t end = sys_clock() + WAIT_NS;
	while (waitpid(pid, &status, WNOHANG) == 0 && sys_clock() < end) {
		fuzz_progress();
		sys_yield();
	}
	if (v.ctl->written)
		check_shared(&v);
out:
	if (hog != MAP_FAILED)
		munmap(hog, hog_len);
	if (v.shared != MAP_FAILED)
		munmap(v.shared, v.pages * PAGE);
	if (v.ctl != MAP_FAILED)
		munmap(v.ctl, PAGE);
}
