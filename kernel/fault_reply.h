/*
 * The pager's answer to a fault, applied to the faulting thread: map and
 * resume, or end its process with the pager's reason (fault_no_pager: the
 * end when no pager can answer). Below IPC, which hands it the reply
 * (ipc.c's, or the fast path's).
 */
#ifndef KERNEL_FAULT_REPLY_H
#define KERNEL_FAULT_REPLY_H

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
/* c faulted and no pager can ever answer: end its process. */
void fault_no_pager(struct thread *c);

#endif
