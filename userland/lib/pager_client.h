/*
 * Requests to the pager's service endpoint (HANDLE_PAGER) other than sbrk,
 * mmap and fork (which have their POSIX names): starting programs from the
 * initrd, stopping the machine, and the pager's statistics.
 */
#ifndef USER_PAGER_CLIENT_H
#define USER_PAGER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/msg.h"
#include "pager/protocol.h"

/* Call the pager with *m (its reply overwrites *m). 0, or a negated error:
 * the kernel's if the call failed, else the pager's from the reply label. */
int pager_call(struct msg *m);
/* After a PAGER_SPAWN or PAGER_FORK reply m that failed with r: close
 * the handle w[0] names to a child ended unstarted, if any (protocol.h). */
void close_unstarted(const struct msg *m, int r);

/* Start program name from the initrd. argv is as for execv: NULL, or a
 * NULL-terminated vector whose argv[0] is the program's name (name is sent
 * as argv[0] in any case). pass_handle, unless -1, becomes the child's
 * HANDLE_ARG. Returns a handle to the new process and stores its pid in
 * *pid_out (if not NULL); or -PAGER_ENOENT for an unknown program,
 * -PAGER_EDAMAGED if the initrd is damaged before it, -ERR_INVAL if the
 * arguments do not fit in one message, or another negated error. */
int spawn(const char *name, const char *const argv[], int pass_handle,
	  int *pid_out);
/* The same with an OOM adjustment for the child (pager/reclaim/oom.h: -1000
 * never chosen .. 1000 chosen first; 0 none). Below the caller's own
 * only if the caller is init: -EPERM; out of range: -EINVAL. */
int spawn_adj(const char *name, const char *const argv[], int pass_handle,
	      int oom_adj, int *pid_out);

/* Stop the machine with status as QEMU's exit code. Only init may; anyone
 * else, or init if the pager refuses, just exits with status. */
_Noreturn void poweroff(int status);

/* The accessed/dirty bits of the page holding addr since the last ask
 * (abi/vm.h enum harvest_bits), cleared by asking; or a negated error. */
int pager_page_bits(const void *addr);

/* The pager's counters (PAGER_STATS, in as many calls as they take: a
 * field read in a later call was read a little later). 0, or a negated
 * error. */
int pager_stats(struct pager_stats *out);

/* The policy and watermarks in force (PAGER_INFO). 0, or a negated error. */
int pager_info(struct pager_info *out);

/* Up to max processes' statistics, from process index first on
 * (PAGER_PROC_STATS); *next (if not NULL) gets the index to ask for next,
 * 0 after the last. Returns how many entries were stored, or a negated
 * error. */
int pager_proc_stats(uint32_t first, struct pager_proc_stats *out, size_t max,
		     uint32_t *next);

/* Memory pressure (PAGER_PRESSURE_SUBSCRIBE): signal notification note
 * with PAGER_PRESSURE_BIT(level) on every change of level (going up, every
 * level passed, in order); -1 unsubscribes. A process's exit unsubscribes
 * it. 0, or a negated error (-ENOSPC: the pager's table is full, or the
 * caller's line of processes holds half of it; -EMFILE: the pager's
 * handle table had no room for note, the subscription as it was). */
int pager_pressure_subscribe(int note);

/* The level now (enum pager_pressure), and in *target (if not NULL) the
 * pages the pager would like back, in *events the notifications it has
 * signalled so far. The level, or a negated error. */
int pager_pressure_level(uint64_t *target, uint64_t *events);

/* Discardable memory (PAGER_DISCARD). [addr, addr + len) must be exactly
 * one private anonymous mapping (mmap MAP_PRIVATE|MAP_ANONYMOUS). Unlock:
 * the pager may drop its pages at any time, without writing them; pages in
 * swap go at once. 0, or -EINVAL. */
int pager_discard_unlock(void *addr, size_t len);
/* Lock again: 1 if any page was dropped since the unlock (every dropped
 * page reads as zeros: rebuild them), 0 if the contents are all there, or
 * -EINVAL. */
int pager_discard_lock(void *addr, size_t len);

#endif
