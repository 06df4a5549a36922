/*
 * Processes: crashes reported to the waiter with cause, address and pc
 * while other processes carry on; exit statuses; kills; unknown programs.
 */
#include <errno.h>
#include <stdio.h>

#include "check.h"
#include "pager_client.h"
#include "sleep.h"
#include "tests.h"

#define WILD_ADDRESS 0x3000000000UL
#define KILL_REASON 9

static const struct crash {
	const char *mode;	/* crasher's argument */
	unsigned cause;		/* enum kill_cause */
	int addr_known;		/* 1: addr must equal addr below */
	uint64_t addr;
} crashes[] = {
	{ "null", CAUSE_PAGE_FAULT, 1, 0 },
	{ "illegal", CAUSE_ILLEGAL, 0, 0 },
	{ "misaligned", CAUSE_MISALIGNED, 0, 0 },
	{ "wild", CAUSE_PAGE_FAULT, 1, WILD_ADDRESS },
	/* Illegal on a hart without V whatever the kernel does: the row
	 * shows the kernel keeping the unit off only in guest-vector. */
	{ "vector", CAUSE_ILLEGAL, 0, 0 },
};

/* The address of the instruction that faults in crasher's mode: crasher
 * where MODE exits with it. */
static int fault_pc(const char *mode, uint64_t *pc)
{
	const char *argv[] = { "crasher", "where", mode, NULL };
	struct exit_info info;
	int pid, h = spawn("crasher", argv, -1, &pid);

	CHECK(h >= 0);
	CHECK_EQ(sys_proc_wait(h, &info, 0), 0);
	sys_handle_close(h);
	CHECK_EQ(info.how, EXIT_NORMAL);
	CHECK(info.status >= (int32_t)USER_BASE);
	*pc = (uint64_t)info.status;
	return 0;
}

/* Run crasher in mode c->mode and check the report of its death: the
 * cause, the address and the pc of the very instruction that faulted. */
static int crash_one(const struct crash *c)
{
	struct child child;
	struct exit_info info;
	uint64_t pc;

	CHECK_RUN(fault_pc(c->mode, &pc));
	CHECK_RUN(child_start(&child, "crasher", c->mode, -1));
	int r = child_wait(&child, &info);
	child_cleanup(&child);
	CHECK_RUN(r);
	diag("crasher %s: how %u cause %u addr 0x%lx pc 0x%lx", c->mode,
	     (unsigned)info.how, (unsigned)info.cause, (unsigned long)info.addr,
	     (unsigned long)info.pc);
	CHECK_EQ(info.pid, child.pid);
	CHECK_EQ(info.how, EXIT_KILLED);
	CHECK_EQ(info.cause, c->cause);
	if (c->addr_known)
		CHECK(info.addr == c->addr);
	CHECK_EQ(info.pc, pc);
	return 0;
}

static int crashes_beside(const struct echo *e)
{
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
		CHECK_RUN(crash_one(&crashes[i]));
		CHECK_RUN(echo_call(e, i, "still answering after a crash"));
	}
	return 0;
}

int test_crash_reported(void)
{
	struct echo e;

	CHECK_RUN(echo_start(&e));
	if (crashes_beside(&e) < 0) {
		echo_cleanup(&e);
		return -1;
	}
	return echo_stop(&e);
}

/* exiter status: ends normally with that status; a second wait on the same
 * handle reports the same. */
static int exit_with(int status)
{
	struct child c;
	struct exit_info first, second;
	char arg[16];

	snprintf(arg, sizeof(arg), "%d", status);
	CHECK_RUN(child_start(&c, "exiter", arg, -1));
	int r = child_wait(&c, &first);
	if (r == 0)
		r = child_wait(&c, &second);
	child_cleanup(&c);
	CHECK_RUN(r);
	CHECK_EQ(first.pid, c.pid);
	CHECK_EQ(first.how, EXIT_NORMAL);
	CHECK_EQ(first.status, status);
	CHECK_EQ(first.cause, CAUSE_NONE);
	CHECK_EQ(second.pid, first.pid);
	CHECK_EQ(second.how, first.how);
	CHECK_EQ(second.status, first.status);
	CHECK_EQ(second.cause, first.cause);
	return 0;
}

/* WAIT_NOHANG on a process that runs: 0 with how == EXIT_RUNNING. */
static int nohang_running(void)
{
	struct child c;
	struct exit_info info;

	CHECK_RUN(child_start(&c, "spinner", NULL, -1));
	info.how = 0xbad;
	int r = sys_proc_wait(c.handle, &info, WAIT_NOHANG);
	child_cleanup(&c);
	CHECK_EQ(r, 0);
	CHECK_EQ(info.how, EXIT_RUNNING);
	return 0;
}

int test_exit_wait(void)
{
	static const int statuses[] = { 0, 42, 255 };

	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		CHECK_RUN(exit_with(statuses[i]));
	return nohang_running();
}

int test_kill(void)
{
	struct child c;
	struct exit_info info;

	CHECK_RUN(child_start(&c, "spinner", NULL, -1));
	int killed = sys_proc_kill(c.handle, KILL_REASON);
	int waited = child_wait(&c, &info);
	int again = sys_proc_kill(c.handle, KILL_REASON);
	child_cleanup(&c);
	CHECK_EQ(killed, 0);
	CHECK_RUN(waited);
	CHECK_EQ(info.pid, c.pid);
	CHECK_EQ(info.how, EXIT_KILLED);
	CHECK_EQ(info.cause, CAUSE_KILLED);
	CHECK_EQ(info.status, KILL_REASON);
	CHECK_EQ(again, -ERR_SRCH);
	return 0;
}

/* A file that is no program, spawned again and again: each refused with
 * ENOEXEC, and the console not written once a time (tests/boot/
 * requests.sh counts the pager's lines naming it). */
int test_spawn_refused_many(void)
{
	int pid = -1;

	for (int k = 0; k < SPAWN_REFUSED_TIMES; k++)
		CHECK_EQ(spawn("notelf", NULL, -1, &pid), -ENOEXEC);
	CHECK_EQ(pid, -1);
	return 0;
}

/* Booted with net.end_at_start=1 (tests/boot/requests.sh): netd has
 * ended, so the network is no device any more, -ENODEV, not a handle to
 * an endpoint no one receives on. Its end is reaped by the pager's service
 * loop, which may come after this program starts: asked until the answer
 * is not a handle, a bounded number of times. */
int test_net_gone(void)
{
	struct msg m;
	int r = 0;

	for (int k = 0; k < 1000; k++) {
		m = (struct msg){ .label = PAGER_NET, .handle = -1 };
		r = pager_call(&m);
		if (r < 0)
			break;
		sys_handle_close((int)m.w[0]);
		sleep_ns(10 * MS);
	}
	CHECK_EQ(r, -ENODEV);
	return 0;
}

int test_spawn_unknown(void)
{
	int pid = -1;

	CHECK_EQ(spawn("nosuchprogram", NULL, -1, &pid), -PAGER_ENOENT);
	CHECK_EQ(pid, -1);		/* untouched on failure */
	/* A file that is in the initrd but is no program (tests/data/notelf). */
	CHECK_EQ(spawn("notelf", NULL, -1, &pid), -ENOEXEC);
	CHECK_EQ(pid, -1);
	/* An ELF whose segment is the guard page below the stack
	 * (tests/data/guardpage.py): no program either, refused before any
	 * region is made (once it was taken, then the stack found no room). */
	CHECK_EQ(spawn("guardpage", NULL, -1, &pid), -ENOEXEC);
	CHECK_EQ(pid, -1);
	/* The pager still serves after refusing both. */
	int h = spawn("exiter", (const char *const[]){ "exiter", "7", NULL }, -1, &pid);
	CHECK(h >= 0);
	struct exit_info info;
	CHECK_EQ(sys_proc_wait(h, &info, 0), 0);
	CHECK_EQ(info.status, 7);
	sys_handle_close(h);
	return 0;
}
