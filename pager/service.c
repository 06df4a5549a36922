/*
 * Request dispatch: faults, program requests and events (deaths) reach a
 * few service threads through one endpoint. Each holds the pager lock while
 * it serves a request, except while a fault's swap-in waits for the disk,
 * so other faults are served meanwhile.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "service.h"
#include "procs.h"
#include "mmu.h"
#include "requests.h"
#include "vm.h"
#include "blkdev.h"
#include "frames.h"
#include "swap.h"
#include "swapper.h"
#include "reclaim.h"
#include "pressure.h"
#include "threads.h"
#include "spawn.h"
#include "sys.h"
#include "pager/protocol.h"

static struct pproc *init_proc;

int service_reap(struct pproc *p)
{
	struct exit_info info;

	if (sys_proc_wait(p->handle, &info, WAIT_NOHANG) < 0 || info.how == EXIT_RUNNING)
		return 0;
	pressure_unsubscribe(p->pid);
	mmu_forget(p->handle);		/* its page tables went with it */
	vm_space_destroy(p->vm);
	mmu_forget(-1);
	sys_handle_close(p->handle);
	procs_release(p);
	if (p != init_proc)
		return 1;
	printf("pager: init ended (%s %d); powering off\n",
	       info.how == EXIT_NORMAL ? "status" : "killed, cause", info.how == EXIT_NORMAL ? info.status : (int)info.cause);
	sys_poweroff(info.how == EXIT_NORMAL && info.status ? info.status : 1);
	return 1;
}

/* Notification bits: one per process slot for deaths. */
static void handle_events(uint64_t bits)
{
	for (int slot = 0; slot < PROCS_MAX; slot++) {
		struct pproc *p = procs_slot(slot);
		if ((bits & (1UL << slot)) && p)
			service_reap(p);
	}
}

/* The requests that take a passed handle (pager/protocol.h); each closes
 * or keeps it on every path. */
static int takes_handle(uint64_t label)
{
	return label == PAGER_SPAWN || label == PAGER_PRESSURE_SUBSCRIBE;
}

/* An empty reply header, field by field: picolibc's memset goes a byte
 * at a time, ~320 instructions for these 80 bytes on every request. */
static void empty_reply(struct msg *out)
{
	out->label = 0;
	out->pid = out->tid = out->origin = out->len = 0;
	out->handle = -1;
	out->rights = 0;
	for (int i = 0; i < MSG_WORDS; i++)
		out->w[i] = 0;
}

/* Returns 1 if `out` is a reply to send. */
static int dispatch(const struct msg *in, struct msg *out)
{
	empty_reply(out);
	if (in->origin == ORIGIN_FAULT) {
		handle_fault(in, out);
		return 1;
	}
	if (in->origin == ORIGIN_NOTIFY) {
		handle_events(in->w[0]);
		return 0;
	}
	if (in->handle >= 0 && !takes_handle(in->label)) {
		sys_handle_close(in->handle);
		reply_result(out, -EINVAL);
		return in->origin == ORIGIN_CALL;
	}
	if (in->label == PAGER_POWEROFF && init_proc && in->pid == init_proc->pid)
		sys_poweroff((int)in->w[0]);
	switch (in->label) {
	case PAGER_SPAWN:
		handle_spawn(in, out);
		break;
	case PAGER_SBRK:
		handle_sbrk(in, out);
		break;
	case PAGER_MMAP:
		handle_mmap(in, out);
		break;
	case PAGER_MUNMAP:
		handle_munmap(in, out);
		break;
	case PAGER_FORK:
		handle_fork(in, out);
		break;
	case PAGER_STATS:
		handle_stats(in, out);
		break;
	case PAGER_PROC_STATS:
		handle_proc_stats(in, out);
		break;
	case PAGER_INFO:
		handle_info(in, out);
		break;
	case PAGER_PAGE_BITS:
		handle_page_bits(in, out);
		break;
	case PAGER_PRESSURE_SUBSCRIBE:
		handle_pressure_subscribe(in, out);
		break;
	case PAGER_PRESSURE_LEVEL:
		handle_pressure_level(in, out);
		break;
	case PAGER_DISCARD:
		handle_discard(in, out);
		break;
	default:
		reply_result(out, -EINVAL);
	}
	return in->origin == ORIGIN_CALL;
}

#define DEATH_BITS ((1UL << PROCS_MAX) - 1)
_Static_assert(PROCS_MAX <= 59, "death bits end below the pager threads' bits (threads.h)");

struct service_thread {
	struct pager_thread t;
	struct msg in, out;	/* its own: another thread may serve meanwhile */
};

static struct service_thread pool[BLKDEV_SERVICE_THREADS];
static const char *const names[BLKDEV_SERVICE_THREADS] = { "service", "service1", "service2",
							    "service3" };
static int endpoint = -1;

_Noreturn static void serve(struct service_thread *st)
{
	struct pager_thread *t = &st->t;
	int r = sys_recv(endpoint, &st->in);

	for (;;) {
		if (r < 0) {
			printf("pager: receive failed (%d)\n", r);
			r = sys_recv(endpoint, &st->in);
			continue;
		}
		pager_lock(t);
		/* Direct reclaim here, between requests, where no VM operation
		 * is half done, so a fault always finds the few frames it needs.
		 * Not for deaths: those free memory. */
		if (st->in.origin != ORIGIN_NOTIFY)
			reclaim_before_request(t);
		int reply = dispatch(&st->in, &st->out);
		/* Deaths that came while this thread waited for the disk (only
		 * the first thread has them bound). */
		uint64_t events = t->pending & DEATH_BITS;
		t->pending &= ~DEATH_BITS;
		if (events)
			handle_events(events);
		reclaim_after_request();
		mmu_flush();	/* nothing held back once the lock is let go */
		pager_unlock(t);
		r = reply ? sys_reply_recv(endpoint, &st->out, &st->in) : sys_recv(endpoint, &st->in);
	}
}

static void serve_started(struct pager_thread *t)
{
	serve((struct service_thread *)t);
}

struct pager_thread *service_adopt(int deaths)
{
	_Static_assert(sizeof(names) / sizeof(names[0]) == BLKDEV_SERVICE_THREADS, "a name each");
	if (pager_thread_adopt(&pool[0].t, names[0], deaths, BLKDEV_SERVICE) < 0)
		return NULL;
	pager_lock(&pool[0].t);
	return &pool[0].t;
}

int service_start(int ep, int notes[BLK_DONE_NOTES])
{
	endpoint = ep;
	notes[BLKDEV_SERVICE] = pool[0].t.disk;
	for (unsigned k = 1; k < BLKDEV_SERVICE_THREADS; k++) {
		int r = pager_thread_start(&pool[k].t, names[k], BLKDEV_SERVICE + k, serve_started);
		if (r < 0)
			return r;
		notes[BLKDEV_SERVICE + k] = pool[k].t.disk;
	}
	return 0;
}

_Noreturn void service_loop(struct pproc *init)
{
	init_proc = init;
	/* Deaths and this thread's disk completions arrive as notification bits; bound
	 * to this thread, they come through the same receive as requests. */
	if (sys_notify_bind(pool[0].t.disk) < 0)
		printf("pager: cannot bind its notification; exits will not free memory\n");
	pager_unlock(&pool[0].t);	/* held since start-up */
	serve(&pool[0]);
}
