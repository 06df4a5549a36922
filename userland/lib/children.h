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

/* The handle recorded for pid, or -1. */
int child_handle(pid_t pid);

/* The pid in slot i (0 <= i < CHILDREN_MAX), or 0 if the slot is empty. */
pid_t child_at(size_t i);

/* Forget pid without closing its handle. */
void child_forget(pid_t pid);

/* Forget every child without closing a handle: a forked child inherits the
 * table, but the handles in it are its parent's. */
void children_forget_all(void);

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
