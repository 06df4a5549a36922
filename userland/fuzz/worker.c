/*
 * A worker: a forked process that sets up some state of its own (scratch
 * memory between unmapped pages, a partly touched area, a shared page, an
 * endpoint with a partner thread receiving on it), then makes its share of
 * the calls, reporting each in memory it shares with the supervisor.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "pager_client.h"
#include "thread.h"

#define PAGE 4096UL
#define SCRATCH_PAGES 4
#define AREA_PAGES 64
#define SHARED_PAGES 4
#define CHILD_CALLS_MAX 8

static struct slot_state *state;	/* NULL in a worker's child */
static int tracing;			/* print each call (fuzz_config.trace_from) */
static unsigned my_slot;

void fuzz_trace(const char *fmt, ...)
{
	va_list ap;

	if (!tracing || !state)
		return;
	printf("# fuzz trace: worker %u call %lu: ", my_slot,
	       (unsigned long)CURSOR_CALL(state->cursor));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void fuzz_may_block(void)
{
	if (state)
		state->cursor = CURSOR(CURSOR_CALL(state->cursor), CURSOR_MAY_BLOCK);
}

void fuzz_progress(void)
{
	if (state)
		state->since = sys_clock();
}

void fuzz_note(unsigned op, uint64_t detail)
{
	if (!state)
		return;
	state->op = op;
	state->detail = detail;
	fuzz_trace("%s 0x%lx", fuzz_op_name(op), (unsigned long)detail);
}

void fuzz_pages_checked(uint64_t n, uint64_t wrong)
{
	if (!state)
		return;
	state->pages_checked += n;
	state->pages_wrong += wrong;
}

void fuzz_fork_failed(int err)
{
	int live = 0;

	if (!state)
		return;
	state->fork_failures++;
	if (err != EMFILE)
		return;
	for (int h = 0; h < HANDLES_MAX; h++)
		live += sys_handle_info(h) >= 0;
	/* fork needs one free entry here for the child's handle; with one
	 * free, the table that was full is someone else's. */
	if (live < HANDLES_MAX)
		state->emfile_unexplained++;
}

/* The partner: receives on the worker's endpoint, keeps or closes what it
 * is passed, answers calls (sometimes passing a handle back); the bits of
 * each message's label make its choices. Ends when its endpoint fails. */
static void partner(void *arg)
{
	static struct msg m, reply;
	int ep = (int)(intptr_t)arg;

	for (;;) {
		if (sys_recv(ep, &m) < 0)
			return;
		if (m.handle >= 0 && (m.label & 1))
			sys_handle_close(m.handle);
		if (m.origin != ORIGIN_CALL)
			continue;
		memset(&reply, 0, MSG_HEADER_SIZE);
		reply.label = m.label >> 8;
		reply.handle = (m.label & 2) ? (int32_t)((m.label >> 4) % (HANDLES_MAX + 2)) : -1;
		reply.rights = (uint32_t)(m.label >> 12) & 15;
		if (sys_reply(&reply) < 0 && reply.handle >= 0) {
			reply.handle = -1;	/* not a handle we may pass: answer without */
			sys_reply(&reply);
		}
	}
}

/* Scratch with unmapped pages on both sides; 0, or -1. */
static int map_scratch(void)
{
	uint8_t *p = mmap(NULL, (SCRATCH_PAGES + 2) * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, PAGE);
	munmap(p + (SCRATCH_PAGES + 1) * PAGE, PAGE);
	fuzz_env.hole = (uintptr_t)p;
	fuzz_env.scratch = p + PAGE;
	fuzz_env.scratch_len = SCRATCH_PAGES * PAGE;
	return 0;
}

/* Everything a worker starts with; 0, or -1 (it cannot work). */
static int setup(const struct fuzz_config *cfg)
{
	if (map_scratch() < 0)
		return -1;
	fuzz_env.area = mmap(NULL, AREA_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fuzz_env.shared = mmap(NULL, SHARED_PAGES * PAGE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fuzz_env.area == MAP_FAILED || fuzz_env.shared == MAP_FAILED)
		return -1;
	fuzz_env.area_pages = AREA_PAGES;
	struct pager_stats st;
	if (pager_stats(&st) < 0)
		return -1;
	/* A sixteenth of memory each by default: workers keeping theirs
	 * push the pager towards reclaim; more (hog=4) into swap. */
	fuzz_env.hog_pages = st.frames_total / cfg->hog_divisor + 1;
	fuzz_env.shared_pages = SHARED_PAGES;
	for (uint64_t i = 0; i < AREA_PAGES; i += 2)
		fuzz_env.area[i * PAGE] = (uint8_t)i;	/* half present, half never touched */
	fuzz_env.shared[0] = 1;
	fuzz_env.note = sys_notify_create();
	fuzz_env.ep = sys_endpoint_create();
	if (fuzz_env.note < 0 || fuzz_env.ep < 0)
		return -1;
	return thread_spawn(partner, (void *)(intptr_t)fuzz_env.ep, 8192, PRIO_NORMAL) < 0 ? -1 : 0;
}

_Noreturn void worker_main(const struct fuzz_config *cfg, unsigned slot,
			   struct slot_state *st, uint64_t first, uint64_t end)
{
	struct rng r;

	state = st;
	my_slot = slot;
	supervise_keep(&fuzz_env.keep_lo, &fuzz_env.keep_hi);
	if (setup(cfg) < 0)
		_exit(2);
	st->ready = 1;
	for (uint64_t i = first; i < end; i++) {
		rng_for_call(&r, cfg->seed, slot, i);
		tracing = i >= cfg->trace_from;
		st->since = sys_clock();
		st->cursor = CURSOR(i, CURSOR_IN_CALL);
		fuzz_op(&r);
		st->cursor = CURSOR(i + 1, CURSOR_BETWEEN);
	}
	_exit(0);
}

_Noreturn void fuzz_child(uint64_t seed)
{
	struct rng r = { seed };
	uint64_t calls = 1 + rng_below(&r, CHILD_CALLS_MAX);

	state = NULL;
	tracing = 0;
	fuzz_env.is_child = 1;
	fuzz_env.pager_closed = 0;	/* fork gave it the pager's endpoint again */
	fuzz_env.ep = -1;	/* no partner thread here */
	for (uint64_t i = 0; i < calls; i++)
		fuzz_op(&r);
	_exit((int)rng_below(&r, 256));
}
