/*
 * What the trap dispatcher (trap.c) asks of the user context's FP state
 * (regs.c) on the way in; the way out is arch.h's.
 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

struct arch_regs;

/* Note whether the running FP owner wrote FP state: asked before anything
 * can switch threads (every trap but the IPC fast path's: a fast-path
 * return with no sstatus write need not ask, the thread ran with FP off;
 * one with a write asks in arch_enter_user_status). */
void fpu_note_dirty(void);
/* An illegal instruction in r's thread: perhaps its first FP instruction.
 * 1: FP turned on for it, the instruction is to be retried (a truly
 * illegal one traps again); 0: it had FP already. */
int fpu_first_use(struct arch_regs *r);

#endif
