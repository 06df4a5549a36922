/*
 * Pager threads: each waits on its own notification, so a wake-up reaches
 * exactly the thread meant. The lock is one word, a flag plus a mask of
 * waiters; the one letting it go wakes the lowest-numbered waiter.
 */
#include <errno.h>
#include <stddef.h>
#include "base/threads.h"
#include "base/mmu.h"
#include "sys.h"
#include "thread.h"

#define STACK_BYTES (32 * 1024)

static struct pager_thread *all[PAGER_THREADS_MAX];
static unsigned count;
/* The lock: LOCK_HELD while some thread holds it, and bit 1 + id while
 * thread id waits for it; one word, so that held with no waiter is exactly
 * RELEASE_HELD, which the kernel can let go in a reply_recv. */
#define LOCK_HELD ((uint64_t)RELEASE_HELD)
static uint64_t lock_word;
_Static_assert(PAGER_THREADS_MAX < 63, "each thread's waiting bit fits above LOCK_HELD");
static struct pager_thread *holder;	/* set and read only with the lock held */
static uint64_t takes;		/* times the lock was taken; read with it held */
static void (*watch)(struct pager_thread *taker);	/* pager_lock_watch's */

static int join(struct pager_thread *t, const char *name, unsigned io_client)
{
	if (count >= PAGER_THREADS_MAX)
		return -ENOMEM;
	t->name = name;
	t->id = count;
	t->io_client = io_client;
	t->pending = 0;
	t->memalloc = 0;
	t->wake = sys_notify_create();
	if (t->wake < 0)
		return t->wake;
	all[count++] = t;
	return 0;
}

int pager_thread_adopt(struct pager_thread *t, const char *name, int disk, unsigned io_client)
{
	int r = join(t, name, io_client);

	t->disk = disk;
	return r;
}

static void trampoline(void *arg)
{
	struct pager_thread *t = arg;

	t->run(t);
}

int pager_thread_start(struct pager_thread *t, const char *name, unsigned io_client,
		       void (*fn)(struct pager_thread *t))
{
	int r = join(t, name, io_client);

	if (r < 0)
		return r;
	t->disk = t->wake;
	t->run = fn;
	r = thread_spawn(trampoline, t, STACK_BYTES, PRIO_SERVER);
	return r < 0 ? r : 0;
}

uint64_t pager_thread_wait(struct pager_thread *t, int note, uint64_t want)
{
	for (;;) {
		uint64_t got = t->pending & want;
		if (got) {
			t->pending &= ~got;
			return got;
		}
		long bits = sys_notify_wait(note);
		if (bits > 0)
			t->pending |= (uint64_t)bits;
	}
}

void pager_thread_signal(struct pager_thread *t, uint64_t bits)
{
	sys_notify_signal(t->wake, bits);
}

void pager_thread_forget(struct pager_thread *t, uint64_t bits)
{
	long got = sys_notify_poll(t->wake);

	if (got > 0)
		t->pending |= (uint64_t)got;
	t->pending &= ~bits;
}

int pager_thread_wait_until(struct pager_thread *t, int64_t deadline)
{
	if (sys_notify_timer(t->wake, deadline, TB_TIMER) < 0)
		return -1;
	pager_unlock(t);
	pager_thread_wait(t, t->wake, TB_WORK | TB_TIMER);
	pager_lock(t);
	sys_notify_timer(t->wake, 0, TB_TIMER);
	/* Woken by one, the other may still come or be on its way: left, it
	 * would end the next such wait at once. */
	pager_thread_forget(t, TB_WORK | TB_TIMER);
	return 0;
}

/* Take the lock if it is free; whether it was. */
static int lock_try(struct pager_thread *self)
{
	if (__atomic_fetch_or(&lock_word, LOCK_HELD, __ATOMIC_ACQUIRE) & LOCK_HELD)
		return 0;
	holder = self;
	takes++;
	return 1;
}

/* Wait until the lock is ours. Out of line: its saved registers stay off
 * pager_lock's usual path, a free lock, taken on every request. */
__attribute__((noinline)) static void lock_wait(struct pager_thread *self)
{
	uint64_t me = LOCK_HELD << (self->id + 1);

	for (;;) {
		if (lock_try(self))
			return;
		__atomic_or_fetch(&lock_word, me, __ATOMIC_SEQ_CST);
		/* Let go since we looked? Then no one will wake us: try again.
		 * Otherwise the holder sees our bit when it lets go (and the
		 * kernel will not let it go for the holder: the word is no
		 * longer RELEASE_HELD), and the notification keeps its wake-up
		 * even if it comes first. */
		if (__atomic_load_n(&lock_word, __ATOMIC_SEQ_CST) & LOCK_HELD)
			pager_thread_wait(self, self->wake, TB_LOCK);
		__atomic_and_fetch(&lock_word, ~me, __ATOMIC_SEQ_CST);
	}
}

void pager_lock(struct pager_thread *self)
{
	if (!lock_try(self))
		lock_wait(self);
	if (watch)
		watch(self);
}

void pager_lock_watch(void (*fn)(struct pager_thread *taker))
{
	watch = fn;
}

void pager_unlock(struct pager_thread *self)
{
	uint64_t w;

	(void)self;
	mmu_flush();	/* the batch is pager data: no mapping outlives the hold */
	holder = NULL;
	w = __atomic_fetch_and(&lock_word, ~LOCK_HELD, __ATOMIC_SEQ_CST) >> 1;
	if (w)
		sys_notify_signal(all[__builtin_ctzll(w)]->wake, TB_LOCK);
}

int pager_lock_contended(void)
{
	return (__atomic_load_n(&lock_word, __ATOMIC_SEQ_CST) & ~LOCK_HELD) != 0;
}

uint64_t *pager_unlock_word(struct pager_thread *self)
{
	(void)self;
	mmu_flush();
	holder = NULL;
	return &lock_word;
}

static unsigned faults_in_service;	/* lock held */

void pager_fault_begin(void)
{
	faults_in_service++;
}

void pager_fault_end(void)
{
	faults_in_service--;
}

unsigned pager_faults_in_service(void)
{
	return faults_in_service;
}

uint64_t pager_lock_takes(void)
{
	return takes;
}

struct pager_thread *pager_holder(void)
{
	return holder;
}

void pager_threads_wake(uint32_t *mask)
{
	uint32_t w = *mask;

	*mask = 0;
	for (unsigned id = 0; w; id++, w >>= 1)
		if ((w & 1) && id < count)
			pager_thread_signal(all[id], TB_WORK);
}

struct pager_thread *pager_thread_by_id(unsigned id)
{
	return id < count ? all[id] : NULL;
}

void pager_thread_io_notes(int notes[PAGER_IO_CLIENTS])
{
	for (unsigned c = 0; c < PAGER_IO_CLIENTS; c++)
		notes[c] = -1;
	for (unsigned k = 0; k < count; k++)
		if (all[k]->io_client < PAGER_IO_CLIENTS)
			notes[all[k]->io_client] = all[k]->disk;
}
