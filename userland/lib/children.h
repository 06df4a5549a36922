/*
 * The processes this process may wait for: a pid -> handle table filled by
 * fork() (and by programs that register what spawn() gave them), read by
 * waitpid, wait and kill. Our extensions beside the POSIX calls.
 */
#ifndef USER_CHILDREN_H
#define USER_CHILDREN_H

#include <stddef.h>
#include <sys/types.h>

#include "kernel/abi/proc.h"

#define CHILDREN_MAX 32

/* Let waitpid/wait/kill reach child pid through process handle h (spawn()
 * gives both); the table then owns h and closes it when the child is
 * reaped. 0, or -ERR_MFILE if the table is full, -ERR_INVAL for a bad pid or
 * handle, -ERR_BUSY if pid is already recorded. */
int child_register(pid_t pid, int handle);

/* How a user of a recorded handle found its child (child_put). */
enum child_seen {
	CHILD_SEEN_RUNNING,	/* still running, or not asked */
	CHILD_SEEN_ENDED,	/* ended: its end is reported once */
	CHILD_SEEN_GONE		/* the handle is no process's any more (the
				 * program closed it): forget it, close nothing */
};

/* Use the handle recorded for pid: it, with its table slot in *slot, or -1
 * if pid is not recorded. Give it back with child_put. */
int child_get(pid_t pid, int *slot);

/* Give back the handle of slot. If seen says the child ended (or is gone),
 * pid is forgotten; 1 if this caller is the first to say so (it reports
 * the end), else 0. The handle is closed once no thread uses it. */
int child_put(int slot, enum child_seen seen);

/* The pid in slot i (0 <= i < CHILDREN_MAX), or 0 if the slot holds no
 * child that waitpid could find. */
pid_t child_at(size_t i);

/* fork()'s side: keep a slot for the child about to be made, so that one
 * made is always recorded. The slot, or -ERR_MFILE if the table is full. */
int child_reserve(void);
/* The child made: record it in the slot kept for it. */
void child_fill(int slot, pid_t pid, int handle);
/* No child was made: the slot kept is free again. */
void child_unreserve(int slot);

/* fork()'s side: the table's lock held across the copy, so that the child
 * finds no slot half written (pthread_atfork's discipline). */
void children_hold(void);
void children_release(void);
/* fork's child: forget every child without closing a handle (the handles
 * in the table are its parent's), and the table's lock with them. */
void children_fork_child(void);

/* waitpid with the kernel's full record of the end (cause, address, pc)
 * instead of a status word: same pid and options rules, same returns. */
pid_t waitpid_info(pid_t pid, struct exit_info *info, int options);

/* The POSIX status word for an ended process: WIFEXITED/WEXITSTATUS for an
 * exit; WIFSIGNALED for a kill, with WTERMSIG SIGSEGV for a page fault (or
 * no pager), SIGILL, SIGBUS for a misaligned access, SIGTRAP for another
 * trap, and for proc_kill the reason if it is a signal number, else
 * SIGKILL. */
int wait_status(const struct exit_info *info);

#endif
