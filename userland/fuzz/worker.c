/*
 * A worker: a forked process that sets up some state of its own (scratch
 * memory between unmapped pages, a partly touched area, a shared page, an
 * endpoint with a partner thread receiving on it), then makes its share of
 * the calls, reporting each in memory it shares with the supervisor
 * (progress.c).
 */
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
	fuzz_env.swap_frames = st.swap_slots_total ? st.frames_total : 0;
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

	progress_start(st, slot);
	if (setup(cfg) < 0)
		_exit(2);
	progress_ready();
	for (uint64_t i = first; i < end; i++) {
		rng_for_call(&r, cfg->seed, slot, i);
		progress_call(i, i >= cfg->trace_from);
		fuzz_op(&r);
		progress_call_done(i);
	}
	_exit(0);
}
