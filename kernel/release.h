/*
 * reply_recv's release word (abi/msg.h): a server's lock that the kernel
 * lets go after the reply and before the receive, so that no thread of the
 * server can take it, and change what it guards, before the reply is in
 * place (the pager's fault replies carry mappings of pages it guards).
 */
#ifndef KERNEL_RELEASE_H
#define KERNEL_RELEASE_H

#include <stdint.h>
#include "thread.h"
#include "proc.h"
#include "abi/msg.h"

/* Check t's release word at va (0: none) and remember where it lies:
 * 0 with *word its kernel address (NULL for none) when it holds
 * RELEASE_HELD; -ERR_AGAIN when it holds anything else; -ERR_FAULT when
 * va is not an aligned 8-byte word t may write. Changes nothing. */
int release_check(struct thread *t, uint64_t va, uint64_t **word);

/* release_check's answer for the fast path, by a look: 1 with *word set
 * (NULL for none) when the word was checked at va under the process's
 * present page table and still holds RELEASE_HELD; else 0 (the slow path
 * checks it, and reports or remembers). */
static inline int release_ready(const struct thread *t, uint64_t va, uint64_t **word)
{
	const struct release_window *w = &t->release;

	*word = NULL;
	if (!va)
		return 1;
	if (w->va != va || w->gen != t->proc->pt_gen || *w->kva != RELEASE_HELD)
		return 0;
	*word = w->kva;
	return 1;
}

/* Let the word go (word as checked; NULL: none). The kernel runs on one
 * hart and is not preempted, so no user instruction runs between the
 * check, the reply and this store. */
static inline void release_let_go(uint64_t *word)
{
	if (word)
		*word = 0;
}

#endif
