/*
 * Request dispatch: faults, program requests and events (deaths) reach a
 * few service threads through two endpoints: faults come on one, served by
 * every service thread but the first; requests on the other, served by the
 * first, which deaths come to too (serves_faults). Each holds the pager
 * lock while it serves a request, except while a fault's swap-in waits for
 * the disk, so other faults are served meanwhile. A fault's words are
 * taken where the receive left them; other messages are stored in the
 * thread's msg. A thread's receive also ends with its disk's completions
 * while it has a direct write left in flight (idle.h), which it then
 * settles.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include "base/placed.h"
#include "server/check.h"
#include "server/idle.h"
#include "server/service.h"
#include "server/procs.h"
#include "base/mmu.h"
#include "server/requests.h"
#include "vm/vm.h"
#include "vm/frames.h"
#include "reclaim/reclaim.h"
#include "reclaim/pressure.h"
#include "base/threads.h"
#include "drivers/blk_protocol.h"
#include "server/spawn.h"
#include "server/netdev.h"
#include "sys.h"
#include "pager/protocol.h"
#include "ipc_regs.h"

static struct pproc *init_proc;

/* "pager: WHO ended (status N)THEN", or "(killed, cause N)". */
static void say_ended(const char *who, const struct exit_info *info, const char *then)
{
	printf("pager: %s ended (%s %d)%s\n", who, info->how == EXIT_NORMAL ? "status" : "killed, cause",
	       info->how == EXIT_NORMAL ? info->status : (int)info->cause, then);
}

/* A driver ended: said, as what it served ends with it (the driver
 * watch has already ended the swap device if it was this one's). */
static void driver_ended(const struct pproc *p, const struct exit_info *info)
{
	char who[48];

	snprintf(who, sizeof(who), "the driver %s (pid %u)", p->name, p->pid);
	say_ended(who, info, p->serves_swap ? "; its swap device is gone" : "");
}

int service_reap(struct pproc *p)
{
	struct exit_info info;

	if (sys_proc_wait(p->handle, &info, WAIT_NOHANG) < 0 || info.how == EXIT_RUNNING)
		return 0;
	if (p->pinned)
		driver_ended(p, &info);
	pressure_unsubscribe(p->pid);
	netdev_forget(p);		/* netd frees its connections */
	mmu_forget(p->handle);		/* its page tables went with it */
	vm_space_destroy(p->vm);
	mmu_forget(-1);
	/* The swap engine may still name a swap driver's process (netd's
	 * window, unmapped as each request's result is read): its handle
	 * stays, so that number is never another process's. */
	if (!p->serves_swap)
		sys_handle_close(p->handle);
	spawn_pool_budget_release(p);
	procs_release(p);
	if (p != init_proc)
		return 1;
	say_ended("init", &info, "; powering off");
	sys_poweroff(info.how == EXIT_NORMAL && info.status ? info.status : 1);
	return 1;
}

/* Notification bits: one per process slot for deaths. The others (a
 * thread's disk completions while it has a write left: idle.h) only woke
 * it, for reclaim_after_request to settle the write. */
static void handle_events(uint64_t bits)
{
	for (int slot = 0; slot < PROCS_MAX; slot++) {
		struct pproc *p = procs_slot(slot);
		if ((bits & (1UL << slot)) && p)
			service_reap(p);
	}
}

/* What the pager does with each request (pager/protocol.h), by label. */
struct handler {
	void (*fn)(const struct msg *in, struct msg *out);
	int changes;		/* may change an address space (pager.check) */
	int takes_handle;	/* takes a passed handle: closes or keeps it on every path */
	int allocates;		/* may take memory (a program's image, a fork's page
				 * arrays, regions that grow): direct reclaim first */
};

#define HANDLER(label) [(label) - PAGER_SPAWN]
static const struct handler handlers[] = {
	HANDLER(PAGER_SPAWN) = { handle_spawn, 1, 1, 1 },
	HANDLER(PAGER_SBRK) = { handle_sbrk, 1, 0, 1 },
	HANDLER(PAGER_MMAP) = { handle_mmap, 1, 0, 1 },
	HANDLER(PAGER_MUNMAP) = { handle_munmap, 1, 0, 0 },
	HANDLER(PAGER_FORK) = { handle_fork, 1, 0, 1 },
	HANDLER(PAGER_STATS) = { handle_stats, 0, 0, 0 },
	HANDLER(PAGER_PROC_STATS) = { handle_proc_stats, 0, 0, 0 },
	HANDLER(PAGER_PAGE_BITS) = { handle_page_bits, 0, 0, 0 },
	HANDLER(PAGER_INFO) = { handle_info, 0, 0, 0 },
	HANDLER(PAGER_PRESSURE_SUBSCRIBE) = { handle_pressure_subscribe, 0, 1, 0 },
	HANDLER(PAGER_PRESSURE_LEVEL) = { handle_pressure_level, 0, 0, 0 },
	HANDLER(PAGER_DISCARD) = { handle_discard, 1, 0, 0 },
	HANDLER(PAGER_NET) = { handle_net, 0, 0, 0 },
};

/* The handler for a request's label; NULL if none (PAGER_POWEROFF's slot
 * too: it is init's, and answered before). */
static const struct handler *handler_of(uint64_t label)
{
	uint64_t i = label - PAGER_SPAWN;

	return i < sizeof(handlers) / sizeof(handlers[0]) && handlers[i].fn ? &handlers[i] : NULL;
}

/* Whether serving in may change an address space: a death, or a request
 * whose handler says so. */
static int may_change(const struct msg *in)
{
	const struct handler *h = handler_of(in->label);

	return in->origin == ORIGIN_NOTIFY || (h && h->changes);
}

/* Whether serving in may take memory, so that direct reclaim (or a wait
 * for the writer's pages in flight) comes first: a request whose handler
 * says so. Not a death, nor a request that frees memory or takes none (a
 * subscriber's munmap giving memory back, the stats, the pressure level):
 * a wait before it would hold it up for nothing, with deaths unheard
 * meanwhile (this thread hears them). A request's small takes from the
 * pager's heap (a region split, a subscription) reclaim for themselves
 * when short (reclaim_for_heap). */
static int allocates(const struct msg *in)
{
	const struct handler *h = handler_of(in->label);

	return in->origin != ORIGIN_NOTIFY && h && h->allocates;
}

/* An empty reply header, field by field: a dozen stores, fewer than even
 * base/libc_mem.c's loop for these 80 bytes, on every request. */
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
	const struct handler *h;

	empty_reply(out);
	if (in->origin == ORIGIN_NOTIFY) {
		handle_events(in->w[0]);
		return 0;
	}
	h = handler_of(in->label);
	/* A handle passed, even one lost to a full table (MSG_HANDLE_LOST):
	 * refused as protocol.h says, served as if none was meant never. */
	if (in->handle != -1 && (!h || !h->takes_handle)) {
		if (in->handle >= 0)
			sys_handle_close(in->handle);	/* no program can fill the pager's table */
		reply_result(out, -EINVAL);
		return in->origin == ORIGIN_CALL;
	}
	if (in->label == PAGER_POWEROFF && init_proc && in->pid == init_proc->pid)
		sys_poweroff((int)in->w[0]);
	if (h)
		h->fn(in, out);
	else
		reply_result(out, -EINVAL);
	return in->origin == ORIGIN_CALL;
}

#define DEATH_BITS ((1UL << PROCS_MAX) - 1)
_Static_assert((DEATH_BITS & (TB_WORK | TB_LOCK | TB_READ | TB_TIMER | BLK_DONE_BIT)) == 0,
	       "death bits share no bit with the pager threads' (threads.h) or the disk's");

/* A thread's messages: its own, as another thread may serve meanwhile.
 * The kernel reads and writes a message where it lies only when it lies
 * in one page (kernel/msgwin.h, fault_resume_msg); else it copies it,
 * about 93 instructions a fault. So each service thread is placed at a
 * boundary of the least power of two that holds it (base/placed.h): each
 * then lies in one page, wherever link layout puts the pool. */
struct service_thread {
	struct pager_thread t;
	struct msg in, out;
	int ep;			/* the endpoint it receives on (serves_faults) */
	uint32_t replied_pid;	/* out is a fault's reply to this process, sent
				 * (0: not a fault's, or not yet complete) */
};
#define SERVICE_ALIGN PLACED_ALIGN(sizeof(struct service_thread))

PLACED_SPACE(pool_space, struct service_thread, SERVICE_ALIGN, PAGER_SERVICE_THREADS);

/* Service thread k of PAGER_SERVICE_THREADS, in pool_space. */
static struct service_thread *pool(unsigned k)
{
	return placed_nth(pool_space, SERVICE_ALIGN, k);
}
static const char *const names[PAGER_SERVICE_THREADS] = { "service", "service1", "service2",
							   "service3" };

/* Whether service thread t takes faults (on the faults' endpoint) rather
 * than programs' requests (on the requests'). The one deaths come to never
 * does: a fault may wait on a swap read, which during an outage of the
 * swap device lasts as long as the outage (swap.nbd_outage and more), and
 * must hold no thread a death or a request needs. A thread cannot put a
 * fault aside to receive another message (the kernel holds it to its
 * reply), and a fault sent back comes again at once. So the
 * PAGER_FAULT_THREADS others take faults (pager/protocol.h), at most that many
 * ever wait on reads, and a fault that finds them all waiting waits in the
 * kernel, in its endpoint's queue, until one is free: nothing is sent back
 * to come again, nothing lost. In the critical wait for memory at most
 * PAGER_FAULT_THREADS - 1 wait (reclaim/oom_wait.c), so a fault that
 * needs no frame is served while subscribers give memory back. */
_Static_assert(PAGER_FAULT_THREADS >= 2, "a fault thread serves while another waits for memory");
static int serves_faults(const struct pager_thread *t)
{
	return !t->hears_deaths;
}

/* pager.check=2: the service threads' fault replies are in the kernel's
 * page tables as any other thread takes the lock (check.h). */
static void check_replies(struct pager_thread *taker)
{
	for (unsigned k = 0; k < PAGER_SERVICE_THREADS; k++)
		if (&pool(k)->t != taker)
			check_reply_applied(&pool(k)->out, pool(k)->replied_pid, taker->name);
}

/* A fault (f) or else the message in st->in, the lock held throughout (but
 * for a swap-in's wait); 1 if st->out is a reply to send, the lock still
 * held (receive lets it go), else 0, the lock let go. */
static int serve_one(struct service_thread *st, const struct fault *f)
{
	struct pager_thread *t = &st->t;
	int changes = f || may_change(&st->in), reply = 1;
	uint64_t events;

	pager_lock(t);
	if (f)
		pager_fault_begin();	/* till its answer (reclaim/oom_wait.c counts) */
	check_request(CHECK_BEFORE, f, &st->in, changes);
	st->replied_pid = 0;
	/* Direct reclaim here, between requests, where no VM operation is half
	 * done, so a fault always finds the few frames it needs; and before
	 * requests that take memory (allocates). */
	if (f || allocates(&st->in))
		reclaim_before_request(t);
	/* A fault's reply is not emptied first: handle_fault sets the label,
	 * len and the words or data it sends, and the kernel reads nothing
	 * else of it (it stamps its own fields; w[] is read only as
	 * FAULT_RESUME_ONE's entry), so only the handle needs saying. */
	if (f) {
		st->out.handle = -1;
		handle_fault(f, &st->out);
		pager_fault_end();
		st->replied_pid = f->pid;
	} else {
		reply = dispatch(&st->in, &st->out);
	}
	/* Deaths that came while this thread waited for the disk (only the
	 * first thread has them bound). */
	events = t->pending & DEATH_BITS;
	t->pending &= ~DEATH_BITS;
	if (events)
		handle_events(events);
	check_request(CHECK_AFTER, f, &st->in, changes || events);
	reclaim_after_request();
	idle_hear_left(t);	/* what it left unsettled, heard as it waits */
	/* A reply's mappings (a fault's) must reach the kernel before another
	 * thread can unmap and free those pages, or the kernel would map
	 * frames already freed: the lock is let go after the reply, by the
	 * kernel in the next receive (receive), or here when a thread waits. */
	if (reply && !pager_lock_contended())
		return 1;
	if (reply)
		sys_reply(&st->out);	/* a caller gone meanwhile: nothing to answer */
	pager_unlock(t);	/* sends what is held back (mmu_flush) */
	return 0;
}

/* The kernel did not let the lock go for receive (err; any error of
 * reply_recv_release's means nothing was done): -ERR_AGAIN, a thread came
 * to wait for it since serve_one looked; else the call was refused, which
 * is said. The reply goes now, the lock held, as serve_one sends it when
 * it sees a waiter; then the lock, then the receive, into st->in. Out of
 * line: rare. */
__attribute__((noinline)) static int receive_contended(struct service_thread *st, long err)
{
	int r;

	if (err != -ERR_AGAIN)
		printf("pager: reply_recv_release refused (%ld); replying apart\n", err);
	sys_reply(&st->out);	/* a caller gone meanwhile: nothing to answer */
	pager_unlock(&st->t);
	r = sys_recv(st->ep, &st->in);
	return r < 0 ? r : 0;
}

/* Send st->out if reply (the lock held: the kernel lets it go after the
 * reply), and wait for the next message: a fault in registers leaves its
 * words in f (1), anything else is stored in st->in (0); < 0 a failed
 * receive. Inline, so a fault's words go from the registers to f, not
 * through a whole struct msg (issue 18). */
__attribute__((always_inline)) static inline int receive(struct service_thread *st, int reply,
							  struct fault *f)
{
	uint64_t *word = reply ? pager_unlock_word(&st->t) : NULL;
	struct msg_regs got;
	long r;

	if (reply && !msg_header_only(&st->out)) {
		r = sys_reply_recv_release(st->ep, &st->out, &st->in, word);	/* a reply in memory */
		if (r < 0)
			return receive_contended(st, r);
		return r < 0 ? (int)r : 0;
	}
	r = ecall_regs(reply ? SYS_REPLY_RECV_RELEASE : SYS_RECV_REGS, st->ep, &st->in,
		       reply ? &st->out : NULL, reply ? (uint64_t)word : (uint64_t)&st->in, &got);
	if (r < 0 && reply)
		return receive_contended(st, r);
	if (r != MSG_IN_REGS)
		return r < 0 ? (int)r : 0;
	if (got.origin != ORIGIN_FAULT) {
		msg_store_regs(&st->in, &got);
		return 0;
	}
	*f = fault_of(got.w, (uint32_t)got.ids);
	return 1;
}

/* A fault that came in memory (after a reply that had to go there): its
 * words, as receive() gives them from registers. */
static const struct fault *fault_in(const struct msg *in, struct fault *f)
{
	if (in->origin != ORIGIN_FAULT)
		return NULL;
	*f = fault_of(in->w, in->pid);
	return f;
}

_Noreturn static void serve(struct service_thread *st)
{
	struct fault f;
	int reply = 0;

	for (;;) {
		int r = receive(st, reply, &f);

		if (r < 0) {
			printf("pager: receive failed (%d)\n", r);
			reply = 0;
			continue;
		}
		reply = serve_one(st, r ? &f : fault_in(&st->in, &f));
	}
}

static void serve_started(struct pager_thread *t)
{
	serve((struct service_thread *)t);
}

struct pager_thread *service_adopt(int deaths)
{
	_Static_assert(sizeof(names) / sizeof(names[0]) == PAGER_SERVICE_THREADS, "a name each");
	if (pager_thread_adopt(&pool(0)->t, names[0], deaths, IO_SERVICE) < 0)
		return NULL;
	pool(0)->t.hears_deaths = 1;	/* bound in service_loop */
	if (config.check >= CHECK_BEFORE)
		pager_lock_watch(check_replies);
	pager_lock(&pool(0)->t);
	return &pool(0)->t;
}

int service_start(int requests, int faults)
{
	for (unsigned k = 0; k < PAGER_SERVICE_THREADS; k++)
		pool(k)->ep = serves_faults(&pool(k)->t) ? faults : requests;
	for (unsigned k = 1; k < PAGER_SERVICE_THREADS; k++) {
		int r = pager_thread_start(&pool(k)->t, names[k], IO_SERVICE + k, serve_started);
		if (r < 0)
			return r;
	}
	return 0;
}

_Noreturn void service_loop(struct pproc *init)
{
	init_proc = init;
	/* Deaths and this thread's disk completions arrive as notification bits; bound
	 * to this thread, they come through the same receive as requests. */
	if (sys_notify_bind(pool(0)->t.disk) < 0)
		printf("pager: cannot bind its notification; exits will not free memory\n");
	pager_unlock(&pool(0)->t);	/* held since start-up */
	serve(pool(0));
}
