/*
 * The pager's threads and the one lock they share. Pager data (frames, the
 * VM core, swap state, queues) is touched only with the pager lock held; a
 * thread lets it go only while it waits for the disk or for work. Waiting
 * blocks in the kernel on a notification, so a waiter costs nothing and the
 * block driver (a lower-priority process) always gets to run.
 */
#ifndef PAGER_THREADS_H
#define PAGER_THREADS_H

#include <stdint.h>

#include "pager/protocol.h"	/* PAGER_SERVICE_THREADS, _FAULT_THREADS: tests see them too */

/* Bits in a thread's notifications. Bits 0 .. PROCS_MAX - 1 of the service
 * thread's are process deaths; BLK_DONE_BIT (62) is the disk's. A thread's
 * waits mix the bits of all its notifications in `pending` (the first
 * service thread's disk notification is the deaths'), so no two may share
 * a bit: service.c checks the death bits against these. */
#define TB_WORK (1UL << 60)	/* there is work for this thread */
#define TB_LOCK (1UL << 61)	/* the pager lock was let go: try again */
#define TB_READ (1UL << 59)	/* a swap-in this thread waited for is over */
#define TB_TIMER (1UL << 57)	/* a bounded wait's deadline (sys_notify_timer) */

#define PAGER_THREADS_MAX 8

/* The threads that wait for the swap device, each with its own channel
 * (io_client): the backend gives each its own completion notification and
 * request tags, so a completion wakes only its waiter. */
enum pager_io_client {
	IO_SWAPOUT = 0,		/* the swap-out thread's queued writes */
	IO_SWAPIN = 1,		/* the swap-in thread's reads ahead */
	IO_SERVICE = 2,		/* service thread k is IO_SERVICE + k: a fault's read,
				 * a direct reclaim's batch */
	IO_NONE = 100		/* a thread that does no I/O (kswapd) */
};
/* The service threads, PAGER_SERVICE_THREADS, and of them those that take
 * faults, PAGER_FAULT_THREADS: in pager/protocol.h (included above). */
#define PAGER_IO_CLIENTS (IO_SERVICE + PAGER_SERVICE_THREADS)

struct pager_thread {
	const char *name;
	unsigned id;		/* < PAGER_THREADS_MAX: its bit among the lock's waiters */
	int wake;		/* its notification: TB_LOCK, TB_WORK */
	int disk;		/* where its disk completions arrive (may be wake) */
	unsigned io_client;	/* enum pager_io_client: its channel to the swap device */
	uint64_t pending;	/* bits that came while it waited for others */
	/* Working to free memory (reclaim, an OOM kill), like Linux's
	 * PF_MEMALLOC: the pager's own allocations may then use the reserve.
	 * Read only of the lock's holder; set only through
	 * pager_memalloc_begin and _end. */
	int memalloc;
	/* Process deaths come to it alone (the first service thread's
	 * receive): it never waits on programs, one of which may give memory
	 * back by exiting, and it serves requests only, no fault
	 * (server/service.c), so it never waits on a swap read either. */
	int hears_deaths;
	void (*run)(struct pager_thread *t);	/* what a started thread runs */
};

/* Make the calling thread (the pager's first) thread number 0. disk: its
 * notification for disk completions. 0, or a negative error. */
int pager_thread_adopt(struct pager_thread *t, const char *name, int disk, unsigned io_client);
/* Start fn(t) on a new pager thread with its own notification, which also
 * takes its disk completions. 0, or a negative error. */
int pager_thread_start(struct pager_thread *t, const char *name, unsigned io_client,
		       void (*fn)(struct pager_thread *t));

/* Block on note until a bit of want arrives (or is pending already); those
 * bits, cleared. Other bits are kept in t->pending. */
uint64_t pager_thread_wait(struct pager_thread *t, int note, uint64_t want);
/* Give t the bits (TB_WORK) on its wake notification. */
void pager_thread_signal(struct pager_thread *t, uint64_t bits);
/* Drop bits that came for a wait of t's that is over (a timer that fired
 * as it was disarmed, a wake sent as t woke for another reason): kept in
 * t->pending or still on its wake notification, they would end the next
 * wait for them at once. */
void pager_thread_forget(struct pager_thread *t, uint64_t bits);
/* t waits, the lock let go, until TB_WORK comes or deadline (pager_clock's
 * time) passes, whichever first; what the other leaves behind is
 * forgotten. 0; -1, not having waited, if no timer could be armed (a wait
 * with no bound could last for ever). Lock held. */
int pager_thread_wait_until(struct pager_thread *t, int64_t deadline);

/* The pager lock: not recursive; the holder must not block except for the
 * disk (a direct request), which needs no other pager thread. Letting it go
 * first sends the mappings held back for replies (mmu_flush), so no batch
 * outlives the process it is for. */
void pager_lock(struct pager_thread *self);
void pager_unlock(struct pager_thread *self);
/* fn runs each time a thread takes the lock, after it has (NULL: none):
 * pager.check=2's look at the kernel's page tables (server/service.c). */
void pager_lock_watch(void (*fn)(struct pager_thread *taker));
/* Some thread waits for the lock: unlocking hands it over at once. */
int pager_lock_contended(void);
/* For a reply whose mappings must be in place before anyone else holds the
 * lock: the lock's word, for reply_recv to let go in the kernel after the
 * reply (kernel/abi/msg.h's RELEASE_HELD: the word is exactly that while it
 * is held and no thread waits), what pager_unlock sends first already sent.
 * If reply_recv refuses with -ERR_AGAIN (a thread came to wait), the caller
 * still holds the lock: it replies and lets go with pager_unlock. */
uint64_t *pager_unlock_word(struct pager_thread *self);
/* The thread holding the pager lock (the caller, for code that runs with it
 * held and needs its own thread: its disk client, its notifications). */
struct pager_thread *pager_holder(void);
/* The lock's holder works to free memory until pager_memalloc_end(was):
 * its allocations (the pager's own) may take the reserve meanwhile. was:
 * whether it did already, so that the two nest. No holder (start-up, a
 * host test), nothing marked. Inline, and not in threads.c: the host tests
 * that fake the threads give their own pager_holder and no more. */
static inline int pager_memalloc_begin(void)
{
	struct pager_thread *t = pager_holder();
	int was = t ? t->memalloc : 0;

	if (t)
		t->memalloc = 1;
	return was;
}

static inline void pager_memalloc_end(int was)
{
	struct pager_thread *t = pager_holder();

	if (t)
		t->memalloc = was;
}
/* How many times the lock has been taken (lock held): pager data can only
 * have changed since a moment when the count was n if it is now past n. */
uint64_t pager_lock_takes(void);
/* Give TB_WORK to every thread whose bit (1 << id) is in *mask, and empty
 * it: those waiting for one event go on together. */
void pager_threads_wake(uint32_t *mask);
/* A fault is served from its thread's taking of the lock to its answer
 * (server/service.c brackets it so): the faults being served now, the
 * caller's among them. Every other is its thread's, which has let the lock
 * go mid-fault (a swap read, a throttle, the critical wait) and takes no
 * fault until it is back. Lock held. */
void pager_fault_begin(void);
void pager_fault_end(void);
unsigned pager_faults_in_service(void);
/* The thread with that id (pager_thread.id), or NULL. */
struct pager_thread *pager_thread_by_id(unsigned id);
/* notes[c]: the notification where I/O client c's completions arrive (its
 * thread's disk), -1 for a client no thread has. */
void pager_thread_io_notes(int notes[PAGER_IO_CLIENTS]);

#endif
