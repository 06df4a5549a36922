/*
 * For host tests that include pager/server/service.c to see one part of
 * it at work (test_service_serve.c, test_service_recv.c): what else it
 * reaches, inert. pager.check walks nothing and never stops; a reap
 * frees nothing; reclaim after a request does nothing; the threads are
 * never started (service_threads_fake.h). After cmocka.h.
 */
#ifndef TESTS_HOST_SERVICE_INERT_FAKE_H
#define TESTS_HOST_SERVICE_INERT_FAKE_H

#include "service_threads_fake.h"

void reclaim_after_request(void) {}
const char *vm_bug(void) { return NULL; }
void check_walk(enum check_when when, const struct fault *f, const struct msg *in)
{
	(void)when, (void)f, (void)in;
}
_Noreturn void check_stop(enum check_when when, const struct fault *f, const struct msg *in,
			  const char *why)
{
	(void)when, (void)f, (void)in, (void)why;
	fail();
	abort();
}
void check_reply_applied(const struct msg *out, uint32_t pid, const char *taker)
{
	(void)out, (void)pid, (void)taker;
}
void procs_release(struct pproc *p) { (void)p; }
void spawn_pool_budget_release(struct pproc *p) { (void)p; }
void mmu_forget(int as) { (void)as; }
void netdev_forget(const struct pproc *p) { (void)p; }
void pressure_unsubscribe(uint32_t pid) { (void)pid; }
void vm_space_destroy(struct vm_space *s) { (void)s; }
/* Every request handler service.c's table names (server/requests.h),
 * each given to fake as the test would. */
#define REQUEST_HANDLERS(fake)                                                            \
	fake(handle_discard) fake(handle_fork) fake(handle_info) fake(handle_mmap)        \
	fake(handle_munmap) fake(handle_net) fake(handle_page_bits)                       \
	fake(handle_pressure_level) fake(handle_pressure_subscribe)                      \
	fake(handle_proc_stats) fake(handle_sbrk) fake(handle_spawn) fake(handle_stats)

int sys_proc_wait(int proc, struct exit_info *info, int flags)
{
	(void)proc, (void)info, (void)flags;
	return -1;
}

#endif
