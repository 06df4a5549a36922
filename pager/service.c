/*
 * Request dispatch: faults, program requests and deaths. Deaths reach this
 * loop from a small reaper thread, because one thread cannot wait on an
 * endpoint and a notification at once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "service.h"
#include "procs.h"
#include "mmu.h"
#include "requests.h"
#include "vm.h"
#include "spawn.h"
#include "sys.h"
#include "thread.h"
#include "pager/protocol.h"

#define PAGER_REAP 0x1ff	/* reaper -> loop, w[0] = death bits; pager-internal */

static struct pproc *init_proc;
static uint32_t self_pid;

static void reap(struct pproc *p)
{
	struct exit_info info;

	if (sys_proc_wait(p->handle, &info, WAIT_NOHANG) < 0 || info.how == EXIT_RUNNING)
		return;
	mmu_forget(p->handle);		/* its page tables went with it */
	vm_space_destroy(p->vm);
	mmu_forget(-1);
	sys_handle_close(p->handle);
	procs_release(p);
	if (p != init_proc)
		return;
	printf("pager: init ended (%s %d); powering off\n",
	       info.how == EXIT_NORMAL ? "status" : "killed, cause", info.how == EXIT_NORMAL ? info.status : (int)info.cause);
	sys_poweroff(info.how == EXIT_NORMAL && info.status ? info.status : 1);
}

static void handle_deaths(uint64_t bits)
{
	for (int slot = 0; slot < PROCS_MAX; slot++) {
		struct pproc *p = procs_slot(slot);
		if ((bits & (1UL << slot)) && p)
			reap(p);
	}
}

/* Returns 1 if `out` is a reply to send. */
static int dispatch(const struct msg *in, struct msg *out)
{
	memset(out, 0, MSG_HEADER_SIZE);
	out->handle = -1;
	if (in->origin == ORIGIN_FAULT) {
		handle_fault(in, out);
		return 1;
	}
	if (in->label == PAGER_REAP && in->pid == self_pid) {
		handle_deaths(in->w[0]);
		return 0;
	}
	if (in->label == PAGER_POWEROFF && init_proc && in->pid == init_proc->pid)
		sys_poweroff((int)in->w[0]);
	switch (in->label) {
	case PAGER_SPAWN:
		handle_spawn(in, out);
		break;
	case PAGER_SBRK:
		handle_sbrk(in, out);
		break;
	case PAGER_MMAP:
		handle_mmap(in, out);
		break;
	case PAGER_MUNMAP:
		handle_munmap(in, out);
		break;
	case PAGER_FORK:
		handle_fork(in, out);
		break;
	case PAGER_STATS:
		handle_stats(in, out);
		break;
	case PAGER_PROC_STATS:
		handle_proc_stats(in, out);
		break;
	case PAGER_PAGE_BITS:
		handle_page_bits(in, out);
		break;
	default:
		reply_result(out, -EINVAL);
	}
	return in->origin == ORIGIN_CALL;
}

struct reaper_args {
	int endpoint, deaths;
};

/* Turn death notifications into messages for the loop. */
static void reaper(void *arg)
{
	const struct reaper_args *a = arg;
	struct msg m;

	for (;;) {
		long bits = sys_notify_wait(a->deaths);
		if (bits <= 0)
			continue;
		memset(&m, 0, MSG_HEADER_SIZE);
		m.label = PAGER_REAP;
		m.handle = -1;
		m.w[0] = (uint64_t)bits;
		sys_send(a->endpoint, &m);
	}
}

_Noreturn void service_loop(int endpoint, int deaths, struct pproc *init)
{
	static struct reaper_args args;
	static struct msg in, out;
	int r;

	init_proc = init;
	self_pid = (uint32_t)sys_getpid();
	args = (struct reaper_args){ endpoint, deaths };
	if (thread_spawn(reaper, &args, 8192, PRIO_SERVER) < 0)
		printf("pager: cannot start the reaper thread; exits will not free memory\n");
	r = sys_recv(endpoint, &in);
	for (;;) {
		if (r < 0) {
			printf("pager: receive failed (%d)\n", r);
			r = sys_recv(endpoint, &in);
			continue;
		}
		r = dispatch(&in, &out) ? sys_reply_recv(endpoint, &out, &in) : sys_recv(endpoint, &in);
	}
}
