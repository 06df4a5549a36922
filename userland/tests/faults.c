/*
 * Bad accesses kill only the process that made them (cause page fault, the
 * address of the access) while the test goes on; system calls fault in
 * untouched buffers for the caller, and still refuse bad ones with
 * -ERR_FAULT without killing anyone.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "syscall.h"	/* userland/lib: sys_ecall */
#include "tests.h"
#include "thread.h"

#define OUTSIDE_ADDRESS 0x3000000123UL	/* no region is ever placed there */
#define OUTSIDE_CODE 0x3000000100UL	/* a jump target: jalr clears bit 0 */
#define BELOW_USER (USER_BASE - 16)	/* pages below USER_BASE are never mapped */
#define TEXT_VALUE 0x7e57

static void *map_anon(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		check_failed(__FILE__, __LINE__, "mmap: errno %d", errno);
	return p;
}

/* Each returns 1 if the access did not kill the child (a failure). */
static int store_word(void *p)
{
	*(volatile uint64_t *)p = 0xdead;
	return 1;
}

static int store_byte(void *p)
{
	*(volatile uint8_t *)p = 0x13;	/* a byte: text may be 2-byte aligned */
	return 1;
}

static int load_byte(void *p)
{
	return *(volatile uint8_t *)p == 0x55 ? 2 : 1;
}

static int jump_to(void *p)
{
	((void (*)(void))p)();
	return 1;
}

/* A function whose code a child tries to overwrite. */
static __attribute__((noinline)) int text_target(void)
{
	return TEXT_VALUE;
}

static int kills_with(volatile uint64_t *ro)
{
	struct pager_stats before, after;
	uint8_t *text = (uint8_t *)(uintptr_t)text_target;
	int self = getpid();

	CHECK_RUN(stats_get(&before));
	CHECK_EQ(ro[1], 0);			/* readable, and zero */
	CHECK_RUN(expect_fault_kill(store_word, (void *)(ro + 1), (uintptr_t)(ro + 1)));
	CHECK_RUN(expect_fault_kill(store_byte, text, (uintptr_t)text));
	CHECK_RUN(stats_get(&after));
	CHECK_EQ(after.kills, before.kills + 2);	/* those two, nothing else */
	/* We go on, our own code and the region untouched. */
	CHECK_EQ(text_target(), TEXT_VALUE);
	CHECK_EQ(ro[1], 0);
	CHECK_EQ(getpid(), self);
	return 0;
}

int test_readonly_write_kills(void)
{
	volatile uint64_t *ro = map_anon(PAGE_SIZE, PROT_READ, MAP_PRIVATE);

	CHECK(ro != MAP_FAILED);
	int r = kills_with(ro);
	munmap((void *)ro, PAGE_SIZE);
	return r;
}

int test_outside_kills(void)
{
	int self = getpid();

	CHECK_RUN(expect_fault_kill(load_byte, (void *)OUTSIDE_ADDRESS, OUTSIDE_ADDRESS));
	CHECK_RUN(expect_fault_kill(store_byte, (void *)BELOW_USER, BELOW_USER));
	CHECK_RUN(expect_fault_kill(jump_to, (void *)OUTSIDE_CODE, OUTSIDE_CODE));
	CHECK_EQ(getpid(), self);	/* still us */
	return 0;
}

/* syscall_untouched_buffer -------------------------------------------- */

/* A thread that receives one message into a buffer it never touched. */
struct untouched_receiver {
	int ep;
	struct msg *m;
	long result;
	volatile int done;
};

static void untouched_receiver_thread(void *arg)
{
	struct untouched_receiver *rc = arg;

	/* sys_ecall, not the wrapper: nothing of ours may touch m first. */
	rc->result = sys_ecall(SYS_RECV, rc->ep, (long)rc->m, 0, 0, 0, 0);
	rc->done = 1;
}

/* proc_info's output straddles two pages no one has touched. */
static int proc_info_untouched(uint8_t *region)
{
	struct proc_info *info = (struct proc_info *)(region + PAGE_SIZE - 16);

	CHECK_EQ(sys_ecall(SYS_PROC_INFO, HANDLE_SELF, (long)info, 0, 0, 0, 0), 0);
	CHECK_EQ(info->pid, getpid());
	CHECK(strncmp(info->name, "tests", PROC_NAME_MAX) == 0);
	return 0;
}

/* A receive into untouched pages: the kernel must fault them in before
 * it blocks, and copy the whole message in when it comes. */
static int recv_untouched(uint8_t *region)
{
	static struct untouched_receiver rc;
	static struct msg m;
	int r = -1;

	rc = (struct untouched_receiver){ .ep = sys_endpoint_create(),
					  .m = (struct msg *)(region + 3 * PAGE_SIZE - 100) };
	CHECK(rc.ep >= 0);
	m = (struct msg){ .label = 0x4e55, .handle = -1, .len = MSG_DATA_MAX };
	for (int i = 0; i < MSG_DATA_MAX; i++)
		m.data[i] = (uint8_t)(i * 13 + 1);
	if (thread_spawn(untouched_receiver_thread, &rc, TEST_STACK, PRIO_NORMAL) < 0)
		check_failed(__FILE__, __LINE__, "thread_spawn failed");
	else if (sys_send(rc.ep, &m) != 0)
		check_failed(__FILE__, __LINE__, "send failed");
	else if (wait_flag(&rc.done, TEST_TIMEOUT) == 0)
		r = 0;
	sys_handle_close(rc.ep);
	CHECK_RUN(r);
	CHECK_EQ(rc.result, 0);
	CHECK_EQ(rc.m->label, 0x4e55);
	CHECK_EQ(rc.m->len, MSG_DATA_MAX);
	CHECK(memcmp(rc.m->data, m.data, MSG_DATA_MAX) == 0);
	return 0;
}

/* In a child, in case a refusal kills after all: output into a read-only
 * region is -ERR_FAULT. 0 if so, 1 if the call answered otherwise. */
static int readonly_output(void *ro)
{
	long r = sys_ecall(SYS_PROC_INFO, HANDLE_SELF, (long)ro, 0, 0, 0, 0);

	return r == -ERR_FAULT ? 0 : 1;
}

static int refused_not_killed(void *ro)
{
	struct exit_info info;
	int self = getpid();

	CHECK_EQ(sys_ecall(SYS_PROC_INFO, HANDLE_SELF, (long)OUTSIDE_ADDRESS, 0, 0, 0, 0),
		 -ERR_FAULT);
	CHECK_EQ(getpid(), self);	/* still here */
	pid_t pid = fork_run(readonly_output, ro);
	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(expect_clean_exit(&info, "proc_info into a read-only page: the child"));
	return 0;
}

static int untouched_with(uint8_t *region, void *ro)
{
	CHECK_RUN(proc_info_untouched(region));
	CHECK_RUN(recv_untouched(region));
	return refused_not_killed(ro);
}

int test_syscall_untouched_buffer(void)
{
	uint8_t *region = map_anon(4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	void *ro = map_anon(PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	int r = -1;

	if (region != MAP_FAILED && ro != MAP_FAILED)
		r = untouched_with(region, ro);
	if (region != MAP_FAILED)
		munmap(region, 4 * PAGE_SIZE);
	if (ro != MAP_FAILED)
		munmap(ro, PAGE_SIZE);
	return r;
}
