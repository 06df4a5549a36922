/*
 * For host tests that include pager/server/service.c: its register-form
 * system call is RISC-V assembly, so ipc_regs.h is kept out and what
 * receive() uses of it stands in, never called on the host; and the
 * thread starts of service_adopt and service_start, never run there
 * (service_threads_fake.h).
 */
#ifndef TESTS_HOST_SERVICE_REGS_FAKE_H
#define TESTS_HOST_SERVICE_REGS_FAKE_H

#define USER_IPC_REGS_H
#include "kernel/abi/msg.h"
#include "service_threads_fake.h"

struct msg_regs {
	uint64_t label;
	uint64_t w[MSG_WORDS];
	uint64_t ids;
	uint64_t origin;
};
static inline int msg_header_only(const struct msg *m)
{
	return m->len == 0 && m->handle == -1;
}
static inline long ecall_regs(long n, int ep, struct msg *buf, const struct msg *out,
			      uint64_t kept, struct msg_regs *got)
{
	(void)n, (void)ep, (void)buf, (void)out, (void)kept, (void)got;
	return -1;
}
static inline void msg_store_regs(struct msg *m, const struct msg_regs *r)
{
	(void)m, (void)r;
}

#endif
