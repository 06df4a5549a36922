/*
 * Process records: creation, the end of a process (exit or kill) and the
 * report a kill leaves on the console. Frames mapped into a process belong
 * to the pager; ending a process frees only the kernel's page tables.
 */
#include "proc.h"
#include "handle.h"
#include "ipc.h"
#include "delivery.h"
#include "notify.h"
#include "sched.h"
#include "thread_end.h"
#include "budget_caches.h"
#include "budget_members.h"
#include "klib.h"
#include "usercopy.h"
#include "console.h"
#include "abi/handle.h"

static struct budget_kind proc_kind = { .global = { .name = "proc", .size = sizeof(struct proc) },
					 .index = BUDGET_PROCS };
static uint32_t next_pid = 1;

/* A record charged to budget (a reference taken), or NULL. */
static struct proc *record_create(struct budget *budget)
{
	struct proc *p = budget_kind_alloc(budget, &proc_kind);

	if (!p)
		return NULL;
	p->budget = budget;
	budget_join(p);
	return p;
}

static void record_free(struct proc *p)
{
	budget_leave(p);
	budget_kind_free(p->budget, &proc_kind, p);
}

struct proc *proc_create(const char *name, int is_root, struct budget *budget)
{
	struct proc *p = record_create(budget);
	size_t n = strnlen(name, PROC_NAME_MAX - 1);

	if (!p)
		return NULL;
	if (handle_table_create(p, is_root) < 0) {
		record_free(p);
		return NULL;
	}
	usercopy_forget(p);	/* a generation no cached translation has */
	p->pt.budget = budget;
	/* Refused by the budget, the root table comes out of the tables its
	 * members keep empty, as a map's would (vmcall.c), once. One call
	 * site, so the link still inlines it (~6 instructions a fork). */
	for (int pruned = 0; arch_pt_create(&p->pt) < 0; pruned = 1) {
		if (pruned || !budget_prune(p)) {
			handle_table_destroy(p);
			record_free(p);
			return NULL;
		}
	}
	p->obj.type = OBJ_PROC;
	p->pid = next_pid++;
	memcpy(p->name, name, n);
	p->name[n] = '\0';
	p->alive = 1;
	p->is_root = is_root;
	p->fault_slow = is_root || arch_ad_by_fault;
	/* HANDLE_SELF; cannot fail on an empty table */
	handle_install(p, &p->obj, RIGHTS_ALL);
	return p;
}

static const char *cause_text(unsigned cause)
{
	switch (cause) {
	case CAUSE_KILLED:
		return "killed";
	case CAUSE_PAGE_FAULT:
		return "page fault";
	case CAUSE_ILLEGAL:
		return "illegal instruction";
	case CAUSE_MISALIGNED:
		return "misaligned access";
	case CAUSE_NO_PAGER:
		return "page fault with no pager";
	default:
		return "bad trap";
	}
}

static void report_kill(const struct proc *p, const struct exit_info *e, const char *why)
{
	if (e->cause == CAUSE_KILLED) {
		kprintf("[kernel] %s (pid %u) killed: reason %d%s%s\n", p->name, p->pid,
			e->status, why ? ": " : "", why ? why : "");
		return;
	}
	kprintf("[kernel] %s (pid %u) killed: %s at 0x%lx, pc 0x%lx%s%s\n", p->name, p->pid,
		cause_text(e->cause), e->addr, e->pc, why ? ": " : "", why ? why : "");
}

static void wake_waiters(struct proc *p)
{
	struct thread *w;

	while ((w = tq_pop(&p->waiters))) {
		w->awaited = NULL;
		delivery_copy(w, w->wait_va, &p->exit, sizeof(p->exit));
		object_put(&p->obj);	/* the waiter's reference */
	}
}

static void release_links(struct proc *p)
{
	if (p->death_notify) {
		notify_signal(p->death_notify, p->death_bits);
		object_put(&p->death_notify->obj);
		p->death_notify = NULL;
	}
	if (p->fault_ep) {
		object_put(&p->fault_ep->obj);
		p->fault_ep = NULL;
	}
}

void proc_end(struct proc *p, const struct exit_info *info, const char *why)
{
	if (!p->alive)
		return;
	object_get(&p->obj);	/* keep p while its own handles are closed */
	p->alive = 0;
	p->exit = *info;
	p->exit.pid = p->pid;
	if (info->how == EXIT_KILLED)
		report_kill(p, info, why);
	if (p->is_root)
		panic("the root task (pager) ended; nothing can handle faults any more");
	while (p->threads)
		thread_end(p->threads);
	sched_forget_proc(p);
	arch_pt_destroy(&p->pt);
	usercopy_forget(p);	/* the record may be reused for another process */
	wake_waiters(p);
	release_links(p);
	notify_timers_release(p);
	handle_table_destroy(p);
	object_put(&p->obj);
}

uint64_t proc_count(void)
{
	return proc_kind.live;
}

static void proc_free(struct object *o)
{
	struct proc *p = (struct proc *)o;

	if (p->alive)
		panic("freeing live process %u", p->pid);
	record_free(p);
}

void proc_init(void)
{
	object_on_free(OBJ_PROC, proc_free);
}
