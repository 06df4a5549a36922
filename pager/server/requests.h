/*
 * Handlers for what the pager's endpoint receives. Each reads one message
 * and fills in the reply; the loop in service.c sends it.
 */
#ifndef PAGER_REQUESTS_H
#define PAGER_REQUESTS_H

#include <stdint.h>
#include "kernel/abi/msg.h"

/* spawn.c */
void handle_spawn(const struct msg *in, struct msg *out);

/* A page fault's words (kernel/abi/msg.h, FAULT_LABEL): the service loop
 * takes them where the receive left them, not from a struct msg. */
struct fault {
	uint64_t addr;		/* w[0] */
	uint64_t access;	/* w[1]: enum fault_access */
	uint64_t in_syscall;	/* w[4] */
	uint32_t pid;
};

/* The one place a fault's words are picked out of the message's w[], for
 * a fault received in registers and one received in memory alike. */
static inline struct fault fault_of(const uint64_t *w, uint32_t pid)
{
	return (struct fault){ w[0], w[1], w[4], pid };
}
/* fault.c: out arrives not emptied (service.c), its handle -1; it sets
 * the label, len and what the reply sends. */
void handle_fault(const struct fault *f, struct msg *out);
/* memory.c: sbrk, mmap, munmap */
void handle_sbrk(const struct msg *in, struct msg *out);
void handle_mmap(const struct msg *in, struct msg *out);
void handle_munmap(const struct msg *in, struct msg *out);
void handle_discard(const struct msg *in, struct msg *out);
/* subscribe.c */
void handle_pressure_subscribe(const struct msg *in, struct msg *out);
void handle_pressure_level(const struct msg *in, struct msg *out);
/* netdev.c */
void handle_net(const struct msg *in, struct msg *out);
/* fork.c */
void handle_fork(const struct msg *in, struct msg *out);
/* stats.c */
void handle_stats(const struct msg *in, struct msg *out);
void handle_info(const struct msg *in, struct msg *out);
void handle_proc_stats(const struct msg *in, struct msg *out);
void handle_page_bits(const struct msg *in, struct msg *out);

/* A reply whose label is a result code (>= 0 success, < 0 -errno). */
static inline void reply_result(struct msg *out, int64_t r)
{
	out->label = (uint64_t)r;
}

#endif
