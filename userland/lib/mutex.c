/*
 * Mutexes that sleep (mutex.h). Each thread that ever had to wait owns a
 * wait slot holding a notification only it waits on (a notification takes
 * one waiter at a time); a waiter sets its slot's bit in the mutex, tries
 * once more, and sleeps; an unlocker signals every slot whose bit it sees.
 * The bit is set before the last try and the word cleared before the mask
 * is read (both sequentially consistent), so either the waiter's try finds
 * the mutex free or the unlocker sees the bit: no wake-up is lost, and one
 * that comes too late only makes a later wait return early, which loops.
 */
#include "kernel/abi/limits.h"
#include "mutex.h"
#include "sys.h"

_Static_assert(THREADS_MAX <= 64, "one sleepers bit per thread that may wait");

static struct wait_slot {
	int tid1;	/* the owning thread's tid + 1, or 0 when free */
	int note1;	/* its notification's handle + 1, or 0 before the first
			 * wait; kept when the slot passes to another thread,
			 * so a wake that comes late never signals a handle
			 * the program has since reused */
} slots[THREADS_MAX];
static int slots_top;	/* slots at or past it were never claimed */

/* The slot of the thread whose tid + 1 is me, or -1. */
static int slot_of(int me)
{
	int top = __atomic_load_n(&slots_top, __ATOMIC_RELAXED);

	for (int i = 0; i < top; i++)
		if (__atomic_load_n(&slots[i].tid1, __ATOMIC_RELAXED) == me)
			return i;
	return -1;
}

/* The caller's slot, claimed (with a notification) on its first wait; -1
 * if every slot is taken or no notification can be made. */
static int my_slot(void)
{
	int me = sys_gettid() + 1;
	int i = slot_of(me);

	if (i >= 0)
		return i;
	for (i = 0; i < THREADS_MAX; i++) {
		int free_tid = 0;
		if (__atomic_load_n(&slots[i].tid1, __ATOMIC_RELAXED) != 0)
			continue;
		/* The mark first: a fork that copies the claim below also
		 * copies a mark past it, so the child forgets the slot. */
		for (int top = __atomic_load_n(&slots_top, __ATOMIC_SEQ_CST); top <= i;)
			if (__atomic_compare_exchange_n(&slots_top, &top, i + 1, 0, __ATOMIC_SEQ_CST,
							__ATOMIC_SEQ_CST))
				break;
		if (!__atomic_compare_exchange_n(&slots[i].tid1, &free_tid, me, 0,
						 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			continue;
		if (slots[i].note1 == 0) {
			int h = sys_notify_create();
			if (h < 0) {
				__atomic_store_n(&slots[i].tid1, 0, __ATOMIC_RELEASE);
				return -1;
			}
			__atomic_store_n(&slots[i].note1, h + 1, __ATOMIC_RELEASE);
		}
		return i;
	}
	return -1;
}

int mutex_trylock(struct mutex *m)
{
	int free_word = 0;

	return __atomic_compare_exchange_n(&m->held, &free_word, 1, 0,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *m)
{
	if (mutex_trylock(m))
		return;
	int s = my_slot();
	if (s < 0) {
		/* Nothing to sleep on: give the processor away and hope the
		 * holder is not of a lower priority. */
		while (!mutex_trylock(m))
			sys_yield();
		return;
	}
	uint64_t bit = 1ULL << s;
	int note = __atomic_load_n(&slots[s].note1, __ATOMIC_RELAXED) - 1;
	for (;;) {
		__atomic_fetch_or(&m->sleepers, bit, __ATOMIC_SEQ_CST);
		if (mutex_trylock(m))
			break;
		if (sys_notify_wait(note) < 0)
			sys_yield();	/* the program closed our handle */
	}
	__atomic_fetch_and(&m->sleepers, ~bit, __ATOMIC_RELAXED);
}

void mutex_unlock(struct mutex *m)
{
	__atomic_store_n(&m->held, 0, __ATOMIC_SEQ_CST);
	/* Wake every sleeper: each tries again, and the scheduler lets the
	 * highest priority try first. */
	for (uint64_t w = __atomic_load_n(&m->sleepers, __ATOMIC_SEQ_CST); w != 0; w &= w - 1) {
		int s = __builtin_ctzll(w);
		sys_notify_signal(__atomic_load_n(&slots[s].note1, __ATOMIC_ACQUIRE) - 1, 1);
	}
}

void mutex_forget_sleepers(struct mutex *m)
{
	__atomic_store_n(&m->sleepers, 0, __ATOMIC_RELAXED);
}

void mutex_forget_slots(void)
{
	/* Only what is there: a page the child never writes stays shared,
	 * and a program that never waited looks at nothing. */
	for (int i = 0; i < slots_top; i++)
		if (slots[i].tid1 != 0 || slots[i].note1 != 0)
			slots[i] = (struct wait_slot){ 0, 0 };
	if (slots_top)
		slots_top = 0;
}

void mutex_thread_exit(void)
{
	int i = slot_of(sys_gettid() + 1);

	if (i >= 0)
		__atomic_store_n(&slots[i].tid1, 0, __ATOMIC_RELEASE);
}
