/*
 * The register form of IPC messages (kernel/abi/msg.h) against the memory
 * form, the reference: each pairing of a caller and a server in either form
 * gives the same answer, the kernel's stamps are its own, and a message
 * with data or a handle never travels in registers. kernel_info's
 * msgs_in_regs tells which form each message took. And the one register
 * the system-call ABI keeps beyond a function call's: t2.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "echo_server.h"
#include "tests.h"

#define CALLS 10

/* Messages received in registers during one call_checked(). */
static int regs_during(struct server *s, uint32_t len, int pass, int raw, uint64_t *n)
{
	uint64_t before = kinfo().msgs_in_regs;

	CHECK_RUN(call_checked(s, len, pass, raw));
	*n = kinfo().msgs_in_regs - before;
	return 0;
}

/* Both sides in the register form: register to register both ways on the
 * fast path; then every pairing with a server in memory only, and a caller
 * in memory only (raw SYS_CALL), gives the same answer (call_checked
 * compares every field, the caller's lies about pid, tid and origin
 * included), a message in registers exactly where the receiver takes them. */
int test_fastpath_regs(void)
{
	static struct server regs, mem;
	struct kernel_info a, b;
	uint64_t n;

	CHECK_RUN(server_start(&regs, PRIO_NORMAL, 0));
	CHECK_RUN(server_waits(&regs));
	a = kinfo();
	for (int i = 0; i < CALLS; i++)
		CHECK_RUN(call_checked(&regs, 0, -1, 0));
	b = kinfo();
	/* At least: a pager thread's fault message may come in registers too. */
	CHECK(b.msgs_in_regs - a.msgs_in_regs >= 2 * CALLS);
	/* Every one, but for a pager thread woken meanwhile. */
	CHECK(b.fast_calls - a.fast_calls >= CALLS - 2);
	CHECK(b.fast_replies - a.fast_replies >= CALLS - 2);
	CHECK_RUN(regs_during(&regs, 0, -1, 1, &n));	/* caller in memory */
	CHECK_EQ(n, 1);					/* the call only */

	CHECK_RUN(server_start(&mem, PRIO_NORMAL, 1));
	CHECK_RUN(server_waits(&mem));
	/* A first call, not counted: a new server's first answer may touch a
	 * fresh page of its stack, whose fault message would count too. */
	CHECK_RUN(call_checked(&mem, 0, -1, 0));
	CHECK_RUN(server_waits(&mem));
	CHECK_RUN(regs_during(&mem, 0, -1, 0, &n));	/* the reply only */
	CHECK_EQ(n, 1);
	CHECK_RUN(regs_during(&mem, 0, -1, 1, &n));	/* neither */
	CHECK_EQ(n, 0);
	sys_handle_close(mem.ep);
	sys_handle_close(regs.ep);
	return 0;
}

/* Data, or a passed handle, sends the call in memory (and its caller then
 * takes the reply in memory): nothing in registers, nothing lost. */
int test_fastpath_regs_long(void)
{
	static struct server s;
	uint64_t n;
	int note = sys_notify_create();

	CHECK(note >= 0);
	CHECK_RUN(server_start(&s, PRIO_NORMAL, 0));
	CHECK_RUN(server_waits(&s));
	CHECK_RUN(call_checked(&s, 0, -1, 0));	/* not counted: see test_fastpath_regs */
	CHECK_RUN(server_waits(&s));
	CHECK_RUN(regs_during(&s, 24, -1, 0, &n));
	CHECK_EQ(n, 0);
	CHECK_RUN(regs_during(&s, MSG_DATA_MAX, -1, 0, &n));
	CHECK_EQ(n, 0);
	CHECK_RUN(regs_during(&s, 0, note, 0, &n));
	CHECK_EQ(n, 0);
	CHECK_EQ(s.handles, 1);
	CHECK_RUN(regs_during(&s, 0, -1, 0, &n));	/* and back to registers */
	CHECK_EQ(n, 2);
	sys_handle_close(note);
	sys_handle_close(s.ep);
	return 0;
}

/* One fault on a fresh one-page mapping: the page is there, zero, and
 * keeps what is written; *fast set if the fast path delivered the fault
 * and applied the reply. */
static int one_page_fault(int *fast)
{
	volatile uint64_t *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kernel_info a, b;

	CHECK(p != MAP_FAILED);
	a = kinfo();
	CHECK_EQ(p[5], 0);
	b = kinfo();
	p[5] = 0x5eed;
	CHECK_EQ(p[5], 0x5eed);
	diag("one-page fault: %lu delivered fast, %lu resumed fast, %lu in registers",
	     (unsigned long)(b.fast_faults - a.fast_faults),
	     (unsigned long)(b.fast_resumes - a.fast_resumes),
	     (unsigned long)(b.msgs_in_regs - a.msgs_in_regs));
	*fast = b.fast_faults - a.fast_faults >= 1 && b.fast_resumes - a.fast_resumes >= 1;
	munmap((void *)p, PAGE_SIZE);
	return 0;
}

/* A fault on a one-page mapping: the pager's reply maps one page, so it is
 * a FAULT_RESUME_ONE in registers, applied by the kernel's fast path. (The
 * fault message goes in registers only if the pager thread's last reply
 * did.) A fault meeting a pending notification, a queued request or a
 * ready thread takes the slow path by design, and whether one does depends
 * on what else runs (a full suite's load once made it so): up to four
 * tries, at least one wholly fast. */
int test_fastpath_regs_fault(void)
{
	int fast = 0;

	for (int i = 0; i < 4 && !fast; i++)
		CHECK_RUN(one_page_fault(&fast));
	CHECK(fast);
	return 0;
}

/* System call n (a0, a1; label 1, words 0 for a message) made with t2 =
 * v; returns t2 as the call left it. */
static uint64_t t2_across(long n, long a0, long a1, uint64_t v, long *result)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = 1;
	register long r7 __asm__("a7") = n;
	register uint64_t t2 __asm__("t2") = v;

	__asm__ volatile("li a3, 0\n\tli a4, 0\n\tli a5, 0\n\tli a6, 0\n\t"
			 "li t0, 0\n\tli t1, 0\n\tecall"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r7), "+r"(t2)
			 :
			 : "a3", "a4", "a5", "a6", "t0", "t1", "t3", "t4", "t5", "t6", "memory");
	*result = r0;
	return t2;
}

/* The ABI keeps t2 across every system call (userland/lib/syscall.h; the
 * register-form wrappers keep their buffer there): across one the table
 * serves, and across a call on the fast path, where the server runs
 * between (its own wrapper uses t2) and the kernel switches back. */
int test_syscall_keeps_t2(void)
{
	static struct server s;
	static struct msg reply;
	const uint64_t v = 0x7e2a5c3b19d04f68;
	struct kernel_info a, b;
	int fast = 0;
	long r;

	CHECK_EQ(t2_across(SYS_GETPID, 0, 0, v, &r), v);
	CHECK_EQ(r, getpid());
	CHECK_RUN(server_start(&s, PRIO_NORMAL, 0));
	/* The call must cross the fast path once at least; a ready thread of
	 * higher priority sends a call the slow way by design (see
	 * test_fastpath_regs_fault): up to four tries. t2 must hold on both. */
	for (int i = 0; i < 4 && !fast; i++) {
		CHECK_RUN(server_waits(&s));
		a = kinfo();
		CHECK_EQ(t2_across(SYS_CALL_REGS, s.ep, (long)&reply, v, &r), v);
		b = kinfo();
		CHECK(r >= 0);
		fast = b.own_slow_calls == a.own_slow_calls;	/* this thread's */
	}
	CHECK(fast);
	sys_handle_close(s.ep);
	return 0;
}
