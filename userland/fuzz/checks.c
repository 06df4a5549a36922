/*
 * What must hold once the workers are stopped and reaped: every
 * descendant has ended, a fresh process can allocate and verify 8 MiB, the
 * pager and netd (if there is a network) still answer, and free frames,
 * swap slots, netd's connections and pool buffers and kernel objects are
 * back where they started (within the bounds below, each with
 * its reason). Printed as TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "net.h"
#include "pager_client.h"
#include "vmstat_print.h"

#define SETTLE_NS (10000 * MS)	/* for every descendant to end */
/* For netd to let go of an ended program's connections (at its next timer
 * tick, sockets_reap) and lwIP of the buffers a closed connection still
 * holds: a hang bound past lwIP's longest wait for a closing peer
 * (TCP_FIN_WAIT_TIMEOUT, 20 s). Runs measured take 3 s or less. */
#define NET_SETTLE_NS (30000 * MS)
#define FRESH_BYTES (8UL << 20)
/* The kernel's object caches give a page back once its objects are all
 * free (kmem.c), but keep one empty page each, and a page still holding
 * one object of a process that lives on (the pager's, a driver's, init's)
 * stays: objects made at the run's peak lie scattered over such pages. */
#define POOL_GROWTH_MAX 64
/* The pager's heap keeps malloc's high-water mark (picolibc's malloc
 * never gives memory back), and that mark follows the memory in use at
 * the run's peak: 16 bytes of reverse map per mapping, in a pool that
 * doubles by realloc (the old block stays behind as free heap: up to 64
 * bytes a frame mapped once, 1/64 of memory), and the page arrays' chunk
 * pointers. Page-array chunks and region records go back once their pages
 * are empty, but for a page kept per size, and a page holding one object
 * of a process that lives on. A thirty-second of memory covers that with
 * room; anything that grew with what was mapped rather than touched would
 * not fit (1 MiB per 1 GiB mapping with one page touched, before page
 * arrays were sparse). */
#define HEAP_GROWTH_MAX(frames_total) ((int64_t)(frames_total) / 32)
/* Frames the swap cache may hold for the long-lived processes' swapped
 * pages, read ahead and not mapped yet: one swap-in batch and a window. */
#define PARKED_MAX 64

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
	       a->irq_bindings == b->irq_bindings && a->budgets == b->budgets;
}

/* Two reads in a row agree: the pager has finished with what ended. */
int snapshot_take(struct fuzz_snapshot *s)
{
	struct fuzz_snapshot prev;

	for (int i = 0; i < 100; i++) {
		if (pager_stats(&s->pager) < 0 || sys_kernel_info(&s->kernel) < 0)
			return -1;
		s->net = net_stats(&s->netd) == 0;
		if (i > 0 && prev.pager.frames_free == s->pager.frames_free &&
		    prev.pager.processes == s->pager.processes &&
		    kernel_objects_equal(&prev.kernel, &s->kernel) &&
		    prev.netd.sockets == s->netd.sockets)
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
	    "their share, %lu ended by a bad access, %lu by their own exit or kill, %lu by the "
	    "OOM killer, %lu killed blocked%s%s",
	    (unsigned long)t->calls, cfg->workers, (unsigned long)cfg->seed,
	    (unsigned long)t->started, (unsigned long)t->finished,
	    (unsigned long)t->killed_fault, (unsigned long)t->killed_self,
	    (unsigned long)t->killed_oom, (unsigned long)t->killed_stuck, status ? " # " : "",
	    status ? t->hang_text : "");
	printf("# fuzz reached: %lu connections netd took, %lu it refused, %lu sends and "
	       "receives that moved data, %lu of the pager's labels it refused; %lu spawns passing a "
	       "handle started; %lu spawns refused with a line held full; %lu children killed while "
	       "faulting their pages back from swap, %lu with none there or done reading\n",
	       (unsigned long)t->events[EV_NET_CONNECTED], (unsigned long)t->events[EV_NET_REFUSED],
	       (unsigned long)t->events[EV_NET_DATA], (unsigned long)t->events[EV_NET_NOT_OURS],
	       (unsigned long)t->events[EV_HANDLE_PASSED], (unsigned long)t->events[EV_LINE_FULL],
	       (unsigned long)t->events[EV_SWAP_KILL], (unsigned long)t->events[EV_SWAP_MISSED]);
	tap(t->pages_wrong == 0, "every page a worker wrote read back as written (%lu pages, %lu "
	    "wrong)", (unsigned long)t->pages_checked, (unsigned long)t->pages_wrong);
	tap(t->emfile_unexplained == 0,
	    "no fork failed for want of a handle entry the worker had (%lu of the workers' forks "
	    "failed, %lu with EMFILE while the worker's table had room)",
	    (unsigned long)t->worker_fork_failures, (unsigned long)t->emfile_unexplained);
}

/* netd refuses a worker every label of the pager's. With netd answering
 * (net) and the label sent on fresh handles asked for, some must have been
 * answered: none means the pager's grant (or the call on it) always
 * failed, and "every label refused" would hold of no label at all. */
static int report_pager_labels(const struct fuzz_tally *t, int net)
{
	uint64_t asked = t->events[EV_NET_LABEL_ASKED], refused = t->events[EV_NET_NOT_OURS];
	uint64_t answered = refused + t->netd_let_in;
	const char *skip = !net ? " # SKIP no network" : asked == 0 ? " # SKIP none asked" : "";

	return tap(t->netd_let_in == 0 && (answered > 0 || *skip),
		   "netd refused the workers every label of the pager's, on fresh handles (%lu "
		   "asked, %lu refused, %lu answered otherwise)%s",
		   (unsigned long)asked, (unsigned long)refused, (unsigned long)t->netd_let_in, skip);
}

/* Frames that are free, mapped, or the pager's heap: with no process but
 * the long-lived ones (init, the driver, this one), every other frame is
 * the pager's own fixed memory, so this sum only moves if frames leak. */
static int64_t frames_accounted(const struct fuzz_snapshot *s)
{
	return (int64_t)(s->pager.frames_free + s->pager.frames_mapped + s->pager.heap_pages);
}

/* Slots in use that no page entry names and no frame keeps as its copy:
 * with only the long-lived processes left (nothing shared by fork), 0
 * unless slots leak. */
static int64_t slots_orphaned(const struct fuzz_snapshot *s)
{
	const struct pager_stats *p = &s->pager;

	return (int64_t)(p->swap_slots_total - p->swap_slots_free) - (int64_t)p->swap_entries -
	       (int64_t)p->swap_copies;
}

static int report_frames(const struct fuzz_snapshot *b, const struct fuzz_snapshot *a)
{
	int64_t heap = (int64_t)a->pager.heap_pages - (int64_t)b->pager.heap_pages;
	int64_t heap_max = HEAP_GROWTH_MAX(b->pager.frames_total);
	int64_t off = frames_accounted(a) - frames_accounted(b);
	/* Pages read ahead for the long-lived processes' slots wait in the swap
	 * cache, unmapped: theirs, not leaked. Only a run that swapped in has
	 * them. */
	int64_t parked_max = a->pager.pswpin > b->pager.pswpin ? PARKED_MAX : 0;
	int fails = 0;

	fails += tap(off <= 0 && -off <= parked_max,
		     "every frame free, mapped or the pager's heap as before: %lu free before, "
		     "%lu after (%+ld mapped, %+ld heap, %ld elsewhere, at most %ld parked in the "
		     "swap cache)",
		     (unsigned long)b->pager.frames_free, (unsigned long)a->pager.frames_free,
		     (long)(a->pager.frames_mapped - b->pager.frames_mapped), (long)heap, (long)-off,
		     (long)parked_max);
	fails += tap(heap <= heap_max, "the pager's heap grew by %ld pages (at most %ld)",
		     (long)heap, (long)heap_max);
	return fails;
}

/* The OOM killer may only act when memory and swap are both gone: with
 * slots free and none ever refused, a kill means a fault failed as "out
 * of memory" for some other reason, and an innocent process paid. */
static int report_oom(const struct fuzz_snapshot *b, const struct fuzz_snapshot *a)
{
	uint64_t kills = a->pager.oom_kill - b->pager.oom_kill;
	int swap_room = a->pager.swap_slots_total > 0 && a->pager.swap_full == b->pager.swap_full;

	return tap(!(kills > 0 && swap_room),
		   "no OOM kill while swap had room: %lu kills, the swap device %s", (unsigned long)kills,
		   a->pager.swap_slots_total == 0 ? "absent"
		   : swap_room ? "never full" : "full at times");
}

static int report_resources(const struct fuzz_snapshot *b, const struct fuzz_snapshot *a)
{
	int64_t pool = (int64_t)b->kernel.pool_free - (int64_t)a->kernel.pool_free;
	int fails = report_frames(b, a);

	fails += tap(slots_orphaned(a) == slots_orphaned(b),
		     "every swap slot in use named by a page: %lu free before, %lu after, %ld "
		     "named by no page before, %ld after",
		     (unsigned long)b->pager.swap_slots_free, (unsigned long)a->pager.swap_slots_free,
		     (long)slots_orphaned(b), (long)slots_orphaned(a));
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
	fails += report_oom(b, a);
	fails += tap(pool <= POOL_GROWTH_MAX,
		     "kernel pool back within its caches' growth: %lu free pages before, %lu after "
		     "(at most %d kept by the object caches)",
		     (unsigned long)b->kernel.pool_free, (unsigned long)a->kernel.pool_free,
		     POOL_GROWTH_MAX);
	return fails;
}

/* Whether netd is back as it was: as many programs' connections, and at
 * least as many pool buffers free. */
static int net_back(const struct fuzz_snapshot *b, const struct fuzz_snapshot *a)
{
	return a->net && a->netd.sockets == b->netd.sockets &&
	       a->netd.pool_free >= b->netd.pool_free;
}

/* netd frees an ended program's connections at its next look, and the
 * buffers they hold once lwIP is done with them: within a hang bound. */
static int report_net(const struct fuzz_snapshot *b, struct fuzz_snapshot *a)
{
	int64_t start = sys_clock();

	if (!b->net)
		return tap(1, "netd's connections and buffers # SKIP no network");
	while (!net_back(b, a) && sys_clock() - start < NET_SETTLE_NS) {
		watchdog_progress("waiting for netd to free connections and buffers");
		fuzz_sleep(100 * MS);
		a->net = net_stats(&a->netd) == 0;
	}
	return tap(net_back(b, a),
		   "netd answers and holds its connections and buffers as before: %u programs' "
		   "connections before, %u after; %u of %u pool buffers free before, %u after",
		   (unsigned)b->netd.sockets, a->net ? (unsigned)a->netd.sockets : 0,
		   (unsigned)b->netd.pool_free, (unsigned)b->netd.pool_bufs,
		   a->net ? (unsigned)a->netd.pool_free : 0);
}

int checks_report(const struct fuzz_config *cfg, const struct fuzz_tally *t,
		  const struct fuzz_snapshot *before, int supervise_status)
{
	struct fuzz_snapshot after;
	int fails = supervise_status != 0 || t->emfile_unexplained != 0 || t->pages_wrong != 0;

	printf("1..14\n");
	report_run(cfg, t, supervise_status);
	fails += report_pager_labels(t, before->net);
	fails += tap(descendants_end(before, &after) == 0,
		     "every worker and descendant ended: %lu processes before, %lu after",
		     (unsigned long)before->pager.processes, (unsigned long)after.pager.processes);
	fails += tap(fresh_process_works(), "a fresh process allocates and verifies 8 MiB");
	/* netd's copies of ended programs' notifications go with their
	 * connections: the kernel's counts are read after. */
	fails += report_net(before, &after);
	watchdog_progress("reading the pager's counters");
	fails += tap(snapshot_take(&after) == 0, "the pager answers vmstat");
	vmstat_print("# ");
	fails += report_resources(before, &after);
	/* One line for scripts/fuzz to read. */
	printf("# fuzz figures: calls %lu workers %lu frames_free %lu %lu heap_pages %lu %lu "
	       "frames_mapped %lu %lu swap_free %lu %lu pool_free %lu %lu handles %lu %lu procs %lu %lu\n",
	       (unsigned long)t->calls, (unsigned long)t->started,
	       (unsigned long)before->pager.frames_free, (unsigned long)after.pager.frames_free,
	       (unsigned long)before->pager.heap_pages, (unsigned long)after.pager.heap_pages,
	       (unsigned long)before->pager.frames_mapped, (unsigned long)after.pager.frames_mapped,
	       (unsigned long)before->pager.swap_slots_free, (unsigned long)after.pager.swap_slots_free,
	       (unsigned long)before->kernel.pool_free, (unsigned long)after.kernel.pool_free,
	       (unsigned long)before->kernel.handles, (unsigned long)after.kernel.handles,
	       (unsigned long)before->kernel.procs, (unsigned long)after.kernel.procs);
	return fails;
}
