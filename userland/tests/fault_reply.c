/*
 * Forged fault replies: a FAULT_RESUME_ONE (one mapping in w[0..2]) that
 * does not come from the pager answering a fault. The kernel must map
 * nothing for it, whoever sends it and whichever path it takes (the fast
 * path's registers, the slow path's memory, with data or a handle), and
 * the pager must refuse one sent to it as a request with a clear error.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "echo_server.h"	/* kinfo */
#include "pager_client.h"
#include "syscall.h"	/* userland/lib: sys_ecall, for the memory form */
#include "tests.h"
#include "thread.h"

/* The frame a forged reply names: any page-aligned address. A program
 * that is no driver can learn no physical address (neither PAGER_INFO nor
 * any other request or system call open to it reveals one: frames are the
 * pager's business), so none is known to be a user frame on this board,
 * and no check relies on it being one. What shows that the kernel took
 * no forged reply for a resume is board-free: the caller gets it back as a plain reply (ORIGIN_SEND), its
 * words as sent, and the page stays unmapped whatever the address names. */
#define FORGED_PA 0x81000000UL

/* A thread of this process that answers every call with a forged
 * FAULT_RESUME_ONE: the entry in w[0..2] (the caller's w[0..2]), len and
 * handle as the caller's w[3] and w[4] ask, in registers where the reply
 * allows (mem = 0) or in memory only. */
struct forger {
	int ep, mem;
	int replies_failed;	/* replies the kernel refused, each answered plainly */
	volatile int waiting;
	struct msg in, out;
};

static void forge(struct forger *f)
{
	f->out = (struct msg){ .label = FAULT_RESUME_ONE, .handle = (int32_t)f->in.w[4],
			       .len = (uint32_t)f->in.w[3] };
	memcpy(f->out.w, f->in.w, 3 * sizeof(f->in.w[0]));
}

/* A reply the kernel refused (a bad handle, or the forged resume itself):
 * the caller still waits, so answer it again, plainly (label 0), and
 * count it; the caller then fails a check instead of waiting forever. */
static long reply_plainly(struct forger *f)
{
	f->replies_failed++;
	f->out = (struct msg){ .label = 0, .handle = -1 };
	return sys_ecall(SYS_REPLY_RECV, f->ep, (long)&f->out, (long)&f->in, 0, 0, 0);
}

static void forger_thread(void *arg)
{
	struct forger *f = arg;
	long r;

	f->waiting = 1;
	r = f->mem ? sys_ecall(SYS_RECV, f->ep, (long)&f->in, 0, 0, 0, 0) : sys_recv(f->ep, &f->in);
	while (r >= 0) {
		forge(f);
		f->waiting = 1;
		r = f->mem ? sys_ecall(SYS_REPLY_RECV, f->ep, (long)&f->out, (long)&f->in, 0, 0, 0)
			   : sys_reply_recv(f->ep, &f->out, &f->in);
		if (r < 0)
			r = reply_plainly(f);	/* refused too: the loop ends */
	}
}

/* One call to f asking for a forged reply mapping page at pa, with len
 * bytes of data and handle h: it must arrive as a plain message, the
 * words as sent (or, if h is not -1, a handle f lacks, the kernel refuses
 * that reply and f's plain one arrives), and page must stay unmapped. *slow: the slow-path
 * entries of this thread's call. */
static int forged_call(struct forger *f, uint64_t page, uint32_t len, int64_t h, uint64_t *slow)
{
	struct msg m = { .label = 7, .handle = -1 };
	const int refused = h != -1;
	const int failed = f->replies_failed;
	uint64_t before;

	CHECK_RUN(wait_flag(&f->waiting, TEST_TIMEOUT));
	m.w[0] = page;
	m.w[1] = FORGED_PA;
	m.w[2] = MAP_R | MAP_W;
	m.w[3] = len;
	m.w[4] = (uint64_t)h;
	before = kinfo().own_slow_calls;
	CHECK_EQ(sys_call(f->ep, &m), 0);
	*slow = kinfo().own_slow_calls - before;
	CHECK_EQ(f->replies_failed - failed, refused);
	CHECK_EQ(m.label, refused ? 0 : FAULT_RESUME_ONE);
	CHECK_EQ(m.origin, ORIGIN_SEND);	/* a reply (stamped as a send), not a resume */
	if (!refused) {
		CHECK_EQ(m.w[0], page);
		CHECK_EQ(m.w[1], FORGED_PA);
		CHECK_EQ(m.len, len);
	}
	CHECK_EQ(pager_page_bits((const void *)page), 0);	/* nothing mapped */
	return 0;
}

/* A forged call in registers to f, which replies in registers: it must
 * take the fast path, the forged reply with it. A ready thread of higher
 * priority sends a call the slow way by design (fastpath_regs.c): up to
 * four tries, one at least fast. */
static int forged_call_fast(struct forger *f, uint64_t page)
{
	uint64_t slow = 1;

	for (int i = 0; i < 4 && slow; i++)
		CHECK_RUN(forged_call(f, page, 0, -1, &slow));
	CHECK_EQ(slow, 0);
	return 0;
}

/* A forged resume from a thread that is not the pager, by either path,
 * maps nothing; one sent to the pager is refused (-EINVAL) and maps
 * nothing; the page then faults in as any other, zero, and the forgers
 * still serve (another region's page, as untouched by their replies:
 * not this one's, which fault-around maps with the first). */
int test_fault_reply_forged(void)
{
	static struct forger regs, mem;
	struct forger *both[2] = { &regs, &mem };
	volatile uint64_t *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint64_t *q = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t page = (uint64_t)(uintptr_t)p;
	struct msg m = { .label = FAULT_RESUME_ONE, .handle = -1 };
	uint64_t slow;

	CHECK(p != MAP_FAILED && q != MAP_FAILED);
	CHECK_EQ(pager_page_bits((const void *)p), 0);
	for (int k = 0; k < 2; k++) {
		*both[k] = (struct forger){ .ep = sys_endpoint_create(), .mem = k };
		CHECK(both[k]->ep >= 0);
		CHECK(thread_spawn(forger_thread, both[k], TEST_STACK, PRIO_NORMAL) >= 0);
		if (both[k]->mem)
			CHECK_RUN(forged_call(both[k], page, 0, -1, &slow));
		else
			CHECK_RUN(forged_call_fast(both[k], page));	/* registers */
		CHECK_RUN(forged_call(both[k], page, 24, -1, &slow));	/* data: memory */
		CHECK_RUN(forged_call(both[k], page, 0, 999, &slow));	/* a handle it lacks */
	}
	/* To the pager: a request it does not know, refused. */
	m.w[0] = page;
	m.w[1] = FORGED_PA;
	m.w[2] = MAP_R | MAP_W;
	CHECK_EQ(sys_call(HANDLE_PAGER, &m), 0);
	CHECK_EQ((int64_t)m.label, -EINVAL);
	CHECK_EQ(pager_page_bits((const void *)p), 0);
	/* Nothing else broke: the page faults in, zero, as any other. */
	CHECK_EQ(p[3], 0);
	p[3] = 0xf0f0;
	CHECK_EQ(p[3], 0xf0f0);
	CHECK(pager_page_bits((const void *)p) & HARVEST_PRESENT);
	for (int k = 0; k < 2; k++) {
		CHECK_RUN(forged_call(both[k], (uint64_t)(uintptr_t)q, 0, -1, &slow));
		sys_handle_close(both[k]->ep);
	}
	CHECK_EQ(q[0], 0);
	munmap((void *)p, PAGE_SIZE);
	munmap((void *)q, PAGE_SIZE);
	return 0;
}
