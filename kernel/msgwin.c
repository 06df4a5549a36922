/*
 * Refilling a thread's window on a message buffer (msgwin.h): the check
 * the slow path makes of a buffer, done once and remembered until the
 * process's page table changes.
 */
#include "msgwin.h"
#include "usercopy.h"

struct msg *msgwin_refill(struct thread *t, struct msg_window *w, uint64_t va, int write)
{
	w->kva = NULL;
	if (user_check(t->proc, va, sizeof(struct msg), write) == 0)
		w->kva = user_window(t->proc, va, MSG_HEADER_SIZE, write);
	w->va = va;
	w->gen = w->kva ? t->proc->pt_gen : 0;
	return w->kva;
}
