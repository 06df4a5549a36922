/*
 * User exceptions: page faults go to the process's pager as IPC calls;
 * anything else ends the process with a report. The pager's reply to a
 * fault (map and resume, or kill) is applied here.
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdint.h>
#include "abi/msg.h"

struct thread;

/* Apply reply m (already read from replier's memory) to faulting thread c. */
int64_t fault_reply(struct thread *c, struct thread *replier, const struct msg *m);
/* Install the mappings of FAULT_RESUME(_ONE) reply m for faulting thread c (its
 * in_fault already cleared): 0, and c may retry its access; or an error,
 * c's process having been ended with the reason. */
int fault_map_reply(struct thread *c, struct thread *replier, const struct msg *m);
/* The same for the reply replier sent in registers (abi/msg.h's register
 * form), read there: FAULT_RESUME_ONE's entry in w[0..2], or none. */
int fault_map_reply_regs(struct thread *c, struct thread *replier);
/* Whether label asks the kernel to map and resume. */
static inline int fault_resumes(uint64_t label)
{
	return label == FAULT_RESUME || label == FAULT_RESUME_ONE;
}
/* A FAULT_RESUME reply of t's at va the kernel can apply (no handle, whole
 * map entries), or NULL: read in place when it all lies in the header's
 * page, else copied in. */
const struct msg *fault_resume_msg(struct thread *t, uint64_t va);
/* A system call of t met an absent or read-only page of its own at va:
 * ask the pager for it and run the call again afterwards. Returns 0 (and
 * does nothing) if t has no pager to ask. */
int fault_for_syscall(struct thread *t, uint64_t va, int write);
/* A message for blocked thread t (kept in t->stash) met a missing page of
 * t's buffer at va: ask t's pager for it. 0 if t has no pager to ask. */
int fault_for_delivery(struct thread *t, uint64_t va);
/* c faulted and no pager can ever answer: end its process. */
void fault_no_pager(struct thread *c);

#endif
