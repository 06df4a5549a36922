/*
 * Checking a reply_recv's release word (release.h): the slow path's check,
 * which also fills the thread's window on it for the fast path's look.
 */
#include "release.h"
#include "usercopy.h"
#include "abi/errno.h"

int release_check(struct thread *t, uint64_t va, uint64_t **word)
{
	struct release_window *w = &t->release;

	*word = NULL;
	if (!va)
		return 0;
	if (w->va != va || w->gen != t->proc->pt_gen) {
		w->va = va;
		w->kva = user_window(t->proc, va, sizeof(uint64_t), 1);
		w->gen = w->kva ? t->proc->pt_gen : 0;
	}
	if (!w->kva)
		return -ERR_FAULT;
	if (*w->kva != RELEASE_HELD)
		return -ERR_AGAIN;
	*word = w->kva;
	return 0;
}
