/*
 * User exceptions: page faults go to the process's pager as IPC calls;
 * anything else ends the process with a report (entry.h's fault_page and
 * fault_exception, the way in). The pager's reply is fault_reply.h's.
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdint.h>

struct thread;

/* At boot: a delivery that meets a missing page of its receiver's buffer,
 * and a queued sender's message met missing, ask the pager through here
 * (delivery_on_fault, ipc_on_sender_fault). */
void fault_init(void);
/* A system call of t met an absent or read-only page of its own at va:
 * ask the pager for it and run the call again afterwards. Returns 0 (and
 * does nothing) if t has no pager to ask. */
int fault_for_syscall(struct thread *t, uint64_t va, int write);

#endif
