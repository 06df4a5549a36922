/*
 * The kernel checks every argument: bad pointers get -ERR_FAULT, bad
 * handles -ERR_BADF, unknown calls -ERR_NOSYS, oversized messages
 * -ERR_INVAL, root-only calls -ERR_PERM, and the caller lives on. Calls go
 * through sys_ecall directly: the typed wrappers would touch a bad pointer
 * themselves, and die of it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "syscall.h"	/* userland/lib: sys_ecall */
#include "tests.h"
#include "thread.h"

#define KERNEL_ADDRESS 0xffffffc080200000UL
#define UNMAPPED_ADDRESS 0x3000000000UL
#define NBAD 4
#define WRITE_LEN 64

static struct {
	const char *what;
	uintptr_t addr;
} bad[NBAD];

/* An address 16 bytes before the end of the heap's last page: a buffer
 * there runs from mapped memory into memory past the break. */
static uintptr_t heap_edge(void)
{
	static void *keep;

	if (keep == NULL)
		keep = malloc(64);	/* so there is a heap */
	uintptr_t brk = (uintptr_t)sbrk(0);
	uintptr_t last_page = (brk - 1) & ~(PAGE_SIZE - 1);
	volatile uint8_t *b = (volatile uint8_t *)last_page;
	*b = *b;			/* make it present */
	return last_page + PAGE_SIZE - 16;
}

/* Fill bad[]. Called before every use: the heap's edge moves whenever
 * anything is malloc'd (a thread's stack, say). */
static void init_bad(void)
{
	bad[0].what = "NULL";
	bad[0].addr = 0;
	bad[1].what = "kernel";
	bad[1].addr = KERNEL_ADDRESS;
	bad[2].what = "unmapped";
	bad[2].addr = UNMAPPED_ADDRESS;
	bad[3].what = "straddling";
	bad[3].addr = heap_edge();
}

/* Make call n with each bad address in turn as argument `which` (the other
 * arguments from a[]); each must return want. */
static int expect_each(const char *call, long n, const long a[6], int which,
		       long want)
{
	init_bad();
	for (int i = 0; i < NBAD; i++) {
		long v[6];
		memcpy(v, a, sizeof(v));
		v[which] = (long)bad[i].addr;
		long r = sys_ecall(n, v[0], v[1], v[2], v[3], v[4], v[5]);
		if (r != want) {
			check_failed(__FILE__, __LINE__, "%s with a %s pointer: %ld, want %ld",
				     call, bad[i].what, r, want);
			return -1;
		}
	}
	return 0;
}

/* A thread that makes one call to ep and keeps the answer, so that the
 * main thread owes a reply while it tries bad reply pointers. */
struct pending_caller {
	int ep;
	int result;
	uint64_t answer;
	volatile int done;
};

static void pending_caller_thread(void *arg)
{
	struct pending_caller *pc = arg;
	struct msg m = { .label = 1, .handle = -1 };

	pc->result = sys_call(pc->ep, &m);
	pc->answer = m.label;
	pc->done = 1;
}

/* The calls that need no reply owed. */
static int check_plain_pointers(int echo_ep, int quiet_ep, int ended_proc)
{
	const long wr[6] = { 0, WRITE_LEN };
	const long to_echo[6] = { echo_ep, 0 };
	const long from_quiet[6] = { quiet_ep, 0 };
	const long wait_ended[6] = { ended_proc, 0, 0 };
	const long self_ptr[6] = { HANDLE_SELF, 0, 1 };
	const long ptr_only[6] = { 0 };

	CHECK_RUN(expect_each("debug_write", SYS_DEBUG_WRITE, wr, 0, -ERR_FAULT));
	CHECK_RUN(expect_each("send", SYS_SEND, to_echo, 1, -ERR_FAULT));
	CHECK_RUN(expect_each("call", SYS_CALL, to_echo, 1, -ERR_FAULT));
	CHECK_RUN(expect_each("recv", SYS_RECV, from_quiet, 1, -ERR_FAULT));
	/* The register form still checks the buffer a long message would need. */
	CHECK_RUN(expect_each("call_regs", SYS_CALL_REGS, to_echo, 1, -ERR_FAULT));
	CHECK_RUN(expect_each("recv_regs", SYS_RECV_REGS, from_quiet, 1, -ERR_FAULT));
	CHECK_RUN(expect_each("proc_wait", SYS_PROC_WAIT, wait_ended, 1, -ERR_FAULT));
	CHECK_RUN(expect_each("proc_info", SYS_PROC_INFO, self_ptr, 1, -ERR_FAULT));
	/* Root-only: refused before the pointer is even looked at. */
	CHECK_RUN(expect_each("proc_create", SYS_PROC_CREATE, ptr_only, 0, -ERR_PERM));
	CHECK_RUN(expect_each("map", SYS_MAP, self_ptr, 1, -ERR_PERM));
	return 0;
}

/* Calls that write to memory, given a page the program may read but not
 * write (its read-only data): each refuses it, with the kernel's
 * translation of that page cached read-only by a read first (the case of
 * user_check's one-page test; the copy's own walk would refuse the write
 * too, so this cannot tell which of the two refused), the first call one
 * that cannot block if both let it through. */
static int check_read_only_pointers(int quiet_ep, int ended_proc)
{
	static const char read_only[] = "\n";
	const long ro = (long)(uintptr_t)read_only;

	CHECK_EQ(sys_ecall(SYS_DEBUG_WRITE, ro, 1, 0, 0, 0, 0), 1);	/* read: cached */
	CHECK_EQ(sys_ecall(SYS_PROC_INFO, HANDLE_SELF, ro, 1, 0, 0, 0), -ERR_FAULT);
	CHECK_EQ(sys_ecall(SYS_PROC_WAIT, ended_proc, ro, 0, 0, 0, 0), -ERR_FAULT);
	CHECK_EQ(sys_ecall(SYS_RECV, quiet_ep, ro, 0, 0, 0, 0), -ERR_FAULT);
	return 0;
}

/* reply and reply_recv, with a call owed a reply: every bad pointer is
 * refused and changes nothing, so a good reply still reaches the caller. */
static int check_reply_pointers(int own_ep, int quiet_ep, struct pending_caller *pc)
{
	static struct msg good_reply, good_recv;
	const long reply_ptr[6] = { 0 };
	const long rr_reply[6] = { quiet_ep, 0, (long)&good_recv };
	const long rr_recv[6] = { quiet_ep, (long)&good_reply, 0 };
	const long rrr_recv[6] = { quiet_ep, 0, 0x600d };	/* label 0x600d in a2 */

	memset(&good_recv, 0, sizeof(good_recv));
	good_reply = (struct msg){ .label = 0x600d, .handle = -1 };
	CHECK_EQ(sys_recv(own_ep, &good_recv), 0);	/* now we owe a reply */
	CHECK_EQ(good_recv.origin, ORIGIN_CALL);
	CHECK_RUN(expect_each("reply", SYS_REPLY, reply_ptr, 0, -ERR_FAULT));
	CHECK_RUN(expect_each("reply_recv (reply)", SYS_REPLY_RECV, rr_reply, 1, -ERR_FAULT));
	CHECK_RUN(expect_each("reply_recv (recv)", SYS_REPLY_RECV, rr_recv, 2, -ERR_FAULT));
	CHECK_RUN(expect_each("reply_recv_regs (recv)", SYS_REPLY_RECV_REGS, rrr_recv, 1,
			      -ERR_FAULT));
	CHECK_EQ(sys_reply(&good_reply), 0);
	CHECK_RUN(wait_flag(&pc->done, TEST_TIMEOUT));
	CHECK_EQ(pc->result, 0);
	CHECK_EQ(pc->answer, 0x600d);
	return 0;
}

static int bad_pointers_with(struct echo *e, struct child *ended)
{
	static struct pending_caller pc;
	struct exit_info info;
	int quiet_ep = sys_endpoint_create();
	int own_ep = sys_endpoint_create();

	CHECK(quiet_ep >= 0 && own_ep >= 0);
	CHECK_RUN(child_wait(ended, &info));
	CHECK_RUN(check_plain_pointers(e->ep, quiet_ep, ended->handle));
	CHECK_RUN(check_read_only_pointers(quiet_ep, ended->handle));
	pc = (struct pending_caller){ .ep = own_ep };
	CHECK(thread_spawn(pending_caller_thread, &pc, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_RUN(check_reply_pointers(own_ep, quiet_ep, &pc));
	sys_handle_close(quiet_ep);
	sys_handle_close(own_ep);
	return 0;
}

int test_bad_pointers(void)
{
	struct echo e;
	struct child ended;

	CHECK_RUN(echo_start(&e));
	if (child_start(&ended, "exiter", "0", -1) < 0) {
		echo_cleanup(&e);
		return -1;
	}
	int r = bad_pointers_with(&e, &ended);
	child_cleanup(&ended);
	if (r == 0)
		r = echo_stop(&e);	/* the server took no harm */
	else
		echo_cleanup(&e);
	CHECK(sys_getpid() > 0);	/* and neither did we */
	return r;
}

/* send, recv, call and the notification and process calls on handle h,
 * which names no object of the kind they need. */
static int expect_badf_everywhere(int h)
{
	struct msg m = { .label = 1, .handle = -1 };
	struct exit_info info;

	CHECK_EQ(sys_send(h, &m), -ERR_BADF);
	CHECK_EQ(sys_call(h, &m), -ERR_BADF);
	CHECK_EQ(sys_recv(h, &m), -ERR_BADF);
	CHECK_EQ(sys_proc_wait(h, &info, WAIT_NOHANG), -ERR_BADF);
	CHECK_EQ(sys_proc_kill(h, 9), -ERR_BADF);
	return 0;
}

static int bad_handles_with(int ep, int note)
{
	int closed = sys_endpoint_create();

	CHECK(closed >= 0);
	CHECK_EQ(sys_handle_close(closed), 0);
	CHECK_RUN(expect_badf_everywhere(999));
	CHECK_RUN(expect_badf_everywhere(-1));
	CHECK_RUN(expect_badf_everywhere(closed));
	CHECK_RUN(expect_badf_everywhere(note));	/* not an endpoint */
	CHECK_EQ(sys_notify_signal(ep, 1), -ERR_BADF);	/* not a notification */
	CHECK_EQ(sys_notify_wait(ep), -ERR_BADF);
	CHECK_EQ(sys_notify_poll(999), -ERR_BADF);
	CHECK_EQ(sys_handle_close(999), -ERR_BADF);
	CHECK_EQ(sys_handle_close(-1), -ERR_BADF);
	CHECK_EQ(sys_handle_close(closed), -ERR_BADF);
	return 0;
}

int test_bad_handles(void)
{
	int ep = sys_endpoint_create();
	int note = sys_notify_create();
	int r = -1;

	if (ep < 0 || note < 0)
		check_failed(__FILE__, __LINE__, "create: %d %d", ep, note);
	else
		r = bad_handles_with(ep, note);
	sys_handle_close(ep);
	sys_handle_close(note);
	CHECK(sys_getpid() > 0);
	return r;
}

/* Numbers no call has, including gaps inside the table. */
static int check_nosys(void)
{
	static const long numbers[] = { SYS_COUNT, 28, 29, 34, 35, 39, 1000, -1 };

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		long r = sys_ecall(numbers[i], 0, 0, 0, 0, 0, 0);
		if (r != -ERR_NOSYS) {
			check_failed(__FILE__, __LINE__, "system call %ld: %ld, want %d",
				     numbers[i], r, -ERR_NOSYS);
			return -1;
		}
	}
	return 0;
}

/* irq_ack_recv with an acknowledgement the kernel refuses fails at once,
 * receiving nothing: ep has no sender, so a receive would block. */
static int check_irq_ack_recv(int ep)
{
	static struct msg m;
	int note = sys_notify_create();

	CHECK(note >= 0);
	CHECK_EQ(sys_irq_ack_recv(ep, &m, note, 1), -ERR_PERM);	/* not bound */
	CHECK_EQ(sys_irq_ack_recv(ep, &m, note, 128), -ERR_PERM);	/* no such irq */
	CHECK_EQ(sys_irq_ack_recv(ep, &m, 999, 1), -ERR_BADF);
	CHECK_EQ(sys_irq_ack_recv(ep, &m, ep, 1), -ERR_BADF);	/* not a notification */
	CHECK_EQ(sys_irq_ack(note, 1), -ERR_PERM);
	CHECK_EQ(sys_handle_close(note), 0);
	return 0;
}

static int check_irq_ack_recv_on_new(void)
{
	int ep = sys_endpoint_create();
	int r;

	CHECK(ep >= 0);
	r = check_irq_ack_recv(ep);
	sys_handle_close(ep);
	return r;
}

/* Messages too long to send, or passing a non-handle (ep has a server, so even a kernel that checked
 * only when the message is delivered would not block us). */
static int check_bad_messages(int ep)
{
	static struct msg m;

	m = (struct msg){ .label = 1, .handle = -1, .len = MSG_DATA_MAX + 1 };
	CHECK_EQ(sys_send(ep, &m), -ERR_INVAL);
	CHECK_EQ(sys_call(ep, &m), -ERR_INVAL);
	m.len = UINT32_MAX;
	CHECK_EQ(sys_call(ep, &m), -ERR_INVAL);
	/* A handle to pass along that is not a handle. */
	m = (struct msg){ .label = 1, .handle = 999 };
	CHECK_EQ(sys_send(ep, &m), -ERR_BADF);
	m.handle = -5;
	CHECK_EQ(sys_call(ep, &m), -ERR_BADF);
	return 0;
}

/* Root-only calls with arguments that would otherwise be fine. The last
 * one would stop the machine if the kernel let us. */
static int check_root_only(void)
{
	struct proc_spec spec = { .name = "intruder", .death_notify = ~0ULL };
	struct map_entry map = { .va = UNMAPPED_ADDRESS, .pa = 0x80000000UL,
				 .perm = MAP_R };
	struct harvest_entry h = { .proc = HANDLE_SELF, .va = UNMAPPED_ADDRESS };

	CHECK_EQ(sys_proc_create(&spec), -ERR_PERM);
	CHECK_EQ(sys_map(HANDLE_SELF, &map, 1), -ERR_PERM);
	CHECK_EQ(sys_unmap(HANDLE_SELF, UNMAPPED_ADDRESS, 1), -ERR_PERM);
	CHECK_EQ(sys_protect(HANDLE_SELF, UNMAPPED_ADDRESS, 1, MAP_R), -ERR_PERM);
	CHECK_EQ(sys_handle_grant(HANDLE_SELF, HANDLE_SELF, RIGHT_SEND), -ERR_PERM);
	CHECK_EQ(sys_harvest(&h, 1), -ERR_PERM);
	CHECK_EQ(h.bits, 0u);	/* nothing was written back */
	CHECK_EQ(sys_ecall(SYS_POWEROFF, 99, 0, 0, 0, 0, 0), -ERR_PERM);
	return 0;
}

/* proc_info is for anyone holding a process handle (unlike its neighbours
 * in kernel/abi/syscall.h): check what it says about us. */
static int check_proc_info(void)
{
	struct proc_info info;

	memset(&info, 0xa5, sizeof(info));
	CHECK_EQ(sys_proc_info(HANDLE_SELF, &info), 0);
	CHECK_EQ(info.pid, getpid());
	CHECK(info.threads >= 1);
	CHECK(strncmp(info.name, "tests", PROC_NAME_MAX) == 0);
	return 0;
}

int test_bad_calls(void)
{
	struct echo e;

	CHECK_RUN(check_nosys());
	CHECK_RUN(check_root_only());
	CHECK_RUN(check_proc_info());
	CHECK_RUN(check_irq_ack_recv_on_new());
	CHECK_RUN(echo_start(&e));
	if (check_bad_messages(e.ep) < 0) {
		echo_cleanup(&e);
		return -1;
	}
	CHECK_RUN(echo_stop(&e));
	CHECK(sys_getpid() > 0);
	return 0;
}
