/*
 * User exceptions: page faults go to the process's pager as IPC calls;
 * anything else ends the process with a report. The pager's reply to a
 * fault (map and resume, or kill) is applied here.
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdint.h>

struct thread;

/* Apply the reply at va (in replier's memory) to faulting thread c. */
int64_t fault_reply(struct thread *c, struct thread *replier, uint64_t va);
/* c faulted and no pager can ever answer: end its process. */
void fault_no_pager(struct thread *c);

#endif
