/*
 * What must hold once the workers are stopped and reaped: every
 * descendant has ended, a fresh process can allocate and verify 8 MiB, the
 * pager still answers vmstat, and free frames, swap slots and kernel
 * objects are back where they started (within the bounds below, each with
 * its reason). Printed as TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "pager_client.h"
#include "vmstat_print.h"

#define SETTLE_NS (10000 * MS)	/* for every descendant to end */
#define FRESH_BYTES (8UL << 20)
/* The kernel's object caches keep the pages they grew to (kmem.c): at the
 * run's peak a few dozen processes with full handle tables and threads. */
#define POOL_GROWTH_MAX 64

static int tap_n;

static int tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return !ok;
}

static int kernel_objects_equal(const struct kernel_info *a, const struct kernel_info *b)
{
	return a->procs == b->procs && a->threads == b->threads && a->endpoints == b->endpoints &&
	       a->notifies == b->notifies && a->pending_copies == b->pending_copies &&
	       a->handles == b->handles && a->timers == b->timers &&
	       a->irq_bindings == b->irq_bindings;
}

/* This process's pages, resident or in swap; 0 if the pager lists it not. */
static uint64_t self_pages(void)
{
	struct pager_proc_stats e[MSG_DATA_MAX / sizeof(struct pager_proc_stats)];
	uint32_t first = 0, next = 0;
	uint32_t pid = (uint32_t)sys_getpid();

	for (int call = 0; call < 64; call++) {
		int n = pager_proc_stats(first, e, sizeof(e) / sizeof(e[0]), &next);
		for (int i = 0; i < n; i++)
			if (e[i].pid == pid)
				return (uint64_t)e[i].resident + e[i].swapped;
		if (n < 0 || next <= first)
			break;
		first = next;
	}
	return 0;
}

/* Two reads in a row agree: the pager has finished with what ended. */
int snapshot_take(struct fuzz_snapshot *s)
{
	struct fuzz_snapshot prev;

	for (int i = 0; i < 100; i++) {
		if (pager_stats(&s->pager) < 0 || sys_kernel_info(&s->kernel) < 0)
			return -1;
		s->self_pages = self_pages();
		if (i > 0 && prev.pager.frames_free == s->pager.frames_free &&
		    prev.pager.processes == s->pager.processes &&
		    kernel_objects_equal(&prev.kernel, &s->kernel))
			return 0;
		prev = *s;
		fuzz_sleep(10 * MS);
	}
	return 0;
}

/* Wait until the pager holds no more processes than at the start. */
static int descendants_end(const struct fuzz_snapshot *before, struct fuzz_snapshot *now)
{
	int64_t start = sys_clock();

	for (;;) {
		watchdog_progress("waiting for descendants to end");
		if (snapshot_take(now) < 0)
			return -1;
		if (now->pager.processes <= before->pager.processes)
			return 0;
		if (sys_clock() - start > SETTLE_NS)
			return -1;
		fuzz_sleep(50 * MS);
	}
}

static int fresh_child(void)
{
	uint64_t *p = mmap(NULL, FRESH_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	uint64_t words = FRESH_BYTES / 8;

	if (p == MAP_FAILED)
		return 1;
	for (uint64_t i = 0; i < words; i++)
		p[i] = i * 0x9E3779B97F4A7C15ULL;
	for (uint64_t i = 0; i < words; i++)
		if (p[i] != i * 0x9E3779B97F4A7C15ULL)
			return 2;
	return 0;
}

/* A fresh process maps 8 MiB, writes every word and reads it back. */
static int fresh_process_works(void)
{
	int status = -1;
	pid_t pid;

	watchdog_progress("checking a fresh process");
	pid = fork();
	if (pid == 0)
		_exit(fresh_child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void report_run(const struct fuzz_config *cfg, const struct fuzz_tally *t, int status)
{
	tap(status == 0,
	    "%lu calls from %u workers at a time, seed 0x%lx: %lu workers started, %lu finished "
	    "their share, %lu ended by a bad access, %lu by their own exit or kill, %lu killed "
	    "blocked%s%s",
	    (unsigned long)t->calls, cfg->workers, (unsigned long)cfg->seed,
	    (unsigned long)t->started, (unsigned long)t->finished,
	    (unsigned long)t->killed_fault, (unsigned long)t->killed_self,
	    (unsigned long)t->killed_stuck, status ? " # " : "", status ? t->hang_text : "");
	tap(t->emfile_unexplained == 0,
	    "no fork failed for want of a handle entry the worker had (%lu of the workers' forks "
	    "failed, %lu with EMFILE while the worker's table had room)",
	    (unsigned long)t->worker_fork_failures, (unsigned long)t->emfile_unexplained);
}

static int report_resources(const struct fuzz_snapshot *b, const struct fuzz_snapshot *a)
{
	int64_t heap = (int64_t)a->pager.heap_pages - (int64_t)b->pager.heap_pages;
	int64_t self = (int64_t)a->self_pages - (int64_t)b->self_pages;
	int64_t lost = (int64_t)b->pager.frames_free - (int64_t)a->pager.frames_free;
	int64_t pool = (int64_t)b->kernel.pool_free - (int64_t)a->kernel.pool_free;
	int fails = 0;

	fails += tap(lost == heap + self,
		     "free frames back but for the pager's heap and this process: %lu before, %lu "
		     "after; the heap grew by %ld pages, this process by %ld",
		     (unsigned long)b->pager.frames_free, (unsigned long)a->pager.frames_free,
		     (long)heap, (long)self);
	fails += tap(a->pager.swap_slots_free == b->pager.swap_slots_free &&
			     a->pager.swap_entries == b->pager.swap_entries,
		     "swap slots back: %lu free before, %lu after",
		     (unsigned long)b->pager.swap_slots_free, (unsigned long)a->pager.swap_slots_free);
	fails += tap(kernel_objects_equal(&b->kernel, &a->kernel),
		     "kernel objects back: procs %lu/%lu threads %lu/%lu endpoints %lu/%lu "
		     "notifies %lu/%lu handles %lu/%lu timers %lu/%lu copies %lu/%lu",
		     (unsigned long)a->kernel.procs, (unsigned long)b->kernel.procs,
		     (unsigned long)a->kernel.threads, (unsigned long)b->kernel.threads,
		     (unsigned long)a->kernel.endpoints, (unsigned long)b->kernel.endpoints,
		     (unsigned long)a->kernel.notifies, (unsigned long)b->kernel.notifies,
		     (unsigned long)a->kernel.handles, (unsigned long)b->kernel.handles,
		     (unsigned long)a->kernel.timers, (unsigned long)b->kernel.timers,
		     (unsigned long)a->kernel.pending_copies, (unsigned long)b->kernel.pending_copies);
	fails += tap(pool <= POOL_GROWTH_MAX,
		     "kernel pool back within its caches' growth: %lu free pages before, %lu after "
		     "(at most %d kept by the object caches)",
		     (unsigned long)b->kernel.pool_free, (unsigned long)a->kernel.pool_free,
		     POOL_GROWTH_MAX);
	return fails;
}

int checks_report(const struct fuzz_config *cfg, const struct fuzz_tally *t,
		  const struct fuzz_snapshot *before, int supervise_status)
{
	struct fuzz_snapshot after;
	int fails = supervise_status != 0 || t->emfile_unexplained != 0;

	printf("1..9\n");
	report_run(cfg, t, supervise_status);
	fails += tap(descendants_end(before, &after) == 0,
		     "every worker and descendant ended: %lu processes before, %lu after",
		     (unsigned long)before->pager.processes, (unsigned long)after.pager.processes);
	fails += tap(fresh_process_works(), "a fresh process allocates and verifies 8 MiB");
	watchdog_progress("reading the pager's counters");
	fails += tap(snapshot_take(&after) == 0, "the pager answers vmstat");
	vmstat_print("# ");
	fails += report_resources(before, &after);
	/* One line for scripts/fuzz to read. */
	printf("# fuzz figures: calls %lu workers %lu frames_free %lu %lu heap_pages %lu %lu "
	       "self_pages %lu %lu swap_free %lu %lu pool_free %lu %lu handles %lu %lu procs %lu %lu\n",
	       (unsigned long)t->calls, (unsigned long)t->started,
	       (unsigned long)before->pager.frames_free, (unsigned long)after.pager.frames_free,
	       (unsigned long)before->pager.heap_pages, (unsigned long)after.pager.heap_pages,
	       (unsigned long)before->self_pages, (unsigned long)after.self_pages,
	       (unsigned long)before->pager.swap_slots_free, (unsigned long)after.pager.swap_slots_free,
	       (unsigned long)before->kernel.pool_free, (unsigned long)after.kernel.pool_free,
	       (unsigned long)before->kernel.handles, (unsigned long)after.kernel.handles,
	       (unsigned long)before->kernel.procs, (unsigned long)after.kernel.procs);
	return fails;
}
