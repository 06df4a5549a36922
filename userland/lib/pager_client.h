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

/* Start program name from the initrd. argv is as for execv: NULL, or a
 * NULL-terminated vector whose argv[0] is the program's name (name is sent
 * as argv[0] in any case). pass_handle, unless -1, becomes the child's
 * HANDLE_ARG. Returns a handle to the new process and stores its pid in
 * *pid_out (if not NULL); or -PAGER_ENOENT for an unknown program, -ERR_INVAL
 * if the arguments do not fit in one message, or another negated error. */
int spawn(const char *name, const char *const argv[], int pass_handle,
	  int *pid_out);
/* The same with an OOM adjustment for the child (pager/oom.h: -1000
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

/* The pager's counters (PAGER_STATS). 0, or a negated error. */
int pager_stats(struct pager_stats *out);

/* The policy and watermarks in force (PAGER_INFO). 0, or a negated error. */
int pager_info(struct pager_info *out);

/* Up to max processes' statistics, from process index first on
 * (PAGER_PROC_STATS); *next (if not NULL) gets the index to ask for next,
 * 0 after the last. Returns how many entries were stored, or a negated
 * error. */
int pager_proc_stats(uint32_t first, struct pager_proc_stats *out, size_t max,
		     uint32_t *next);

#endif
