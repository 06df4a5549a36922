/*
 * Request dispatch. Faults: nothing is mapped on demand yet, so a fault is
 * always an access outside what the program was given, and the reply kills
 * it with the reason. Deaths reach this loop from a small reaper thread,
 * because one thread cannot wait on an endpoint and a notification at once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "service.h"
#include "procs.h"
#include "frames.h"
#include "spawn.h"
#include "sys.h"
#include "thread.h"
#include "pager/protocol.h"

#define PAGER_REAP 0x1ff	/* reaper -> loop, w[0] = death bits; pager-internal */
#define HEAP_MAX (1UL << 30)

static struct pproc *init_proc;
static uint32_t self_pid;

static void reply_text(struct msg *out, uint64_t label, const char *text)
{
	size_t n = strlen(text);

	out->label = label;
	out->len = (uint32_t)(n < MSG_DATA_MAX ? n : MSG_DATA_MAX);
	memcpy(out->data, text, out->len);
}

static const char *fault_reason(const struct msg *in)
{
	if (!in->w[3])
		return "pager: no mapping at this address";
	if (in->w[1] == FAULT_WRITE)
		return "pager: write to a read-only page";
	return in->w[1] == FAULT_EXEC ? "pager: execute of a non-executable page"
				      : "pager: read of an unreadable page";
}

static void handle_fault(const struct msg *in, struct msg *out)
{
	reply_text(out, FAULT_KILL, fault_reason(in));
}

/* Split "name\0arg\0..." into argv; the count must match w[0]. */
static int unpack_argv(const struct msg *in, const char **argv)
{
	uint64_t argc = in->w[0];
	uint32_t pos = 0;

	if (argc < 1 || argc > SPAWN_ARGS_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < argc; i++) {
		const void *nul = memchr(in->data + pos, '\0', in->len - pos);
		if (pos >= in->len || !nul)
			return -EINVAL;
		argv[i] = (const char *)in->data + pos;
		pos = (uint32_t)((const uint8_t *)nul - in->data) + 1;
	}
	return (int)argc;
}

static void handle_spawn(const struct msg *in, struct msg *out)
{
	const char *argv[SPAWN_ARGS_MAX];
	struct pproc *caller = procs_by_pid(in->pid), *child;
	int argc = unpack_argv(in, argv), err, h;

	out->label = (uint64_t)(int64_t)-EINVAL;
	if (argc < 0 || !caller)
		goto done;
	child = spawn(argc, argv, in->handle, &err);
	if (!child) {
		out->label = (uint64_t)(int64_t)err;
		goto done;
	}
	h = sys_handle_grant(caller->handle, child->handle);
	out->label = (uint64_t)(int64_t)(h < 0 ? h : 0);
	out->w[0] = (uint64_t)h;
	out->w[1] = child->pid;
done:
	if (in->handle >= 0)
		sys_handle_close(in->handle);	/* the child has its own copy */
}

/* Grow the heap by mapping zeroed frames now (demand paging comes later).
 * Shrinking lowers the break; its pages stay until the process ends. */
static int64_t grow_heap(struct pproc *p, int64_t incr)
{
	uint64_t old = p->brk, want = p->brk + (uint64_t)incr;
	struct map_entry e;

	if (incr < 0 ? (uint64_t)-incr > p->brk - p->brk_base : want > p->brk_base + HEAP_MAX)
		return -ENOMEM;
	while (p->brk_mapped < want) {
		e.va = p->brk_mapped;
		e.pa = frame_alloc((uint32_t)procs_slot_of(p), &p->frames);
		e.perm = MAP_R | MAP_W;
		if (!e.pa || sys_map(p->handle, &e, 1) < 0)
			return -ENOMEM;
		p->brk_mapped += PAGE_SIZE;
	}
	p->brk = want;
	return (int64_t)old;
}

static void handle_sbrk(const struct msg *in, struct msg *out)
{
	struct pproc *p = procs_by_pid(in->pid);
	int64_t r = p ? grow_heap(p, (int64_t)in->w[0]) : -ESRCH;

	out->label = (uint64_t)(r < 0 ? r : 0);
	out->w[0] = (uint64_t)r;
}

static void reap(struct pproc *p)
{
	struct exit_info info;

	if (sys_proc_wait(p->handle, &info, WAIT_NOHANG) < 0 || info.how == EXIT_RUNNING)
		return;
	frames_free_list(&p->frames);
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
	if (in->label == PAGER_SPAWN)
		handle_spawn(in, out);
	else if (in->label == PAGER_SBRK)
		handle_sbrk(in, out);
	else
		out->label = (uint64_t)(int64_t)-EINVAL;
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
