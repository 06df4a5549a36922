/*
 * Process and thread system calls. Anyone holding a process handle may wait
 * for it or kill it; creating processes, granting handles and powering off
 * are the root task's alone (the dispatcher checks: syscalls.list's "who").
 */
#include "proccall.h"
#include "proc.h"
#include "handle.h"
#include "budget.h"
#include "thread_end.h"
#include "usercopy.h"
#include "klib.h"
#include "console.h"
#include "abi/errno.h"
#include "abi/vm.h"
#include "abi/handle.h"

#define NO_HANDLE (~0UL)

/* The process h names, if t may use it for `need`. */
static int proc_of(struct thread *t, uint64_t h, uint32_t need, struct proc **p)
{
	struct object *o;
	int r = handle_lookup(t->proc, h, OBJ_PROC, need, &o);

	*p = r == 0 ? (struct proc *)o : NULL;
	return r;
}

int64_t sys_exit(struct thread *t, const uint64_t *a)
{
	struct exit_info info = { 0 };

	info.how = EXIT_NORMAL;
	info.status = (int32_t)a[0];
	proc_end(t->proc, &info, NULL);
	return SYSCALL_BLOCKED;
}

int64_t sys_thread_exit(struct thread *t, const uint64_t *a)
{
	uint64_t status0[1] = { 0 };

	(void)a;
	if (t->proc->nthreads == 1)
		return sys_exit(t, status0);
	thread_end(t);
	return SYSCALL_BLOCKED;
}

int64_t sys_thread_create(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	uint64_t pc = a[1], sp = a[2], prio = a[4];
	int root = t->proc->is_root;
	int r = proc_of(t, a[0], RIGHT_SEND, &p);

	if (r < 0)
		return r;
	if (p != t->proc && !root)
		return -ERR_PERM;
	if (!p->alive)
		return -ERR_SRCH;
	if (prio >= PRIO_LEVELS || pc < USER_BASE || pc >= USER_TOP || sp >= USER_TOP)
		return -ERR_INVAL;
	if (prio < t->prio && !root)
		return -ERR_PERM;	/* no climbing above one's own priority */
	if (p->nthreads >= THREADS_MAX)
		return -ERR_AGAIN;
	struct thread *n = thread_create(p, pc, sp, a[3], (int)prio);
	return n ? (int64_t)n->tid : -ERR_NOMEM;
}

int64_t sys_proc_wait(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	struct exit_info running = { 0 };
	int r = user_check(t->proc, a[1], sizeof(struct exit_info), 1);

	if (r < 0 || (r = proc_of(t, a[0], RIGHT_RECV, &p)) < 0)
		return r;
	if (p == t->proc || (a[2] & ~(uint64_t)WAIT_NOHANG))
		return -ERR_INVAL;
	if (!p->alive)
		return copyout(t->proc, a[1], &p->exit, sizeof(p->exit));
	if (a[2] & WAIT_NOHANG) {
		running.pid = p->pid;
		running.how = EXIT_RUNNING;
		return copyout(t->proc, a[1], &running, sizeof(running));
	}
	object_get(&p->obj);
	t->awaited = p;
	t->wait_va = a[1];
	t->state = T_WAIT;
	tq_push(&p->waiters, t);
	return SYSCALL_BLOCKED;
}

int64_t sys_proc_kill(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	struct exit_info info = { 0 };
	int r = proc_of(t, a[0], RIGHT_SEND, &p);

	if (r < 0)
		return r;
	if (!p->alive)
		return -ERR_SRCH;
	if (p->is_root)
		return -ERR_PERM;
	info.how = EXIT_KILLED;
	info.cause = CAUSE_KILLED;
	info.status = (int32_t)a[1];
	proc_end(p, &info, NULL);
	return 0;
}

/* The object behind an optional handle of the creator (NO_HANDLE: none),
 * which the creator must be able to use for `need`. */
static int optional(struct thread *t, uint64_t h, enum obj_type type, uint32_t need,
		    struct object **out)
{
	*out = NULL;
	if (h == NO_HANDLE)
		return 0;
	return handle_lookup(t->proc, h, type, need, out);
}

int64_t sys_proc_create(struct thread *t, const uint64_t *a)
{
	struct proc_spec spec;
	struct object *ep, *dn, *budget;
	struct proc *p;
	int h, r;

	if ((r = copyin(t->proc, &spec, a[0], sizeof(spec))) < 0)
		return r;
	if (strnlen(spec.name, PROC_NAME_MAX) == PROC_NAME_MAX || spec.name[0] == '\0')
		return -ERR_INVAL;
	/* Its faults will be received there, its death signalled there. */
	if ((r = optional(t, spec.fault_ep, OBJ_ENDPOINT, RIGHT_RECV, &ep)) < 0 ||
	    (r = optional(t, spec.death_notify, OBJ_NOTIFY, RIGHT_SEND, &dn)) < 0 ||
	    (r = optional(t, spec.budget, OBJ_BUDGET, RIGHT_SEND, &budget)) < 0)
		return r;
	if (!(p = proc_create(spec.name, 0, (struct budget *)budget)))
		return -ERR_NOMEM;
	if ((h = handle_install(t->proc, &p->obj, RIGHTS_ALL)) < 0) {
		struct exit_info never = { .how = EXIT_NORMAL };
		proc_end(p, &never, NULL);
		return h;
	}
	if (ep)
		object_get(ep);
	if (dn)
		object_get(dn);
	p->fault_ep = (struct endpoint *)ep;
	p->death_notify = (struct notify *)dn;
	p->death_bits = spec.death_bits;
	p->pt.limit = spec.pt_pages_max;
	return h;
}

int64_t sys_handle_grant(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	const struct handle *e = handle_entry(t->proc, a[1]);
	uint64_t rights = a[2];
	int r;

	if ((r = proc_of(t, a[0], RIGHT_SEND, &p)) < 0)
		return r;
	if (!e)
		return -ERR_BADF;
	if (rights == 0 || (rights & ~(uint64_t)RIGHTS_ALL))
		return -ERR_INVAL;
	if ((rights & e->rights) != rights)
		return -ERR_ACCES;	/* rights only shrink */
	if (!p->alive)
		return -ERR_SRCH;
	return handle_install(p, e->obj, (uint32_t)rights);
}

int64_t sys_poweroff(struct thread *t, const uint64_t *a)
{
	(void)t;
	kprintf("[kernel] power off, status %d\n", (int)a[0]);
	arch_poweroff((int)a[0]);
}

int64_t sys_proc_info(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	struct proc_info info = { 0 };
	int r = user_check(t->proc, a[1], sizeof(info), 1);

	if (r < 0 || (r = proc_of(t, a[0], RIGHT_RECV, &p)) < 0)
		return r;
	info.pid = p->pid;
	info.threads = p->nthreads;
	info.pt_pages = p->alive ? p->pt.pages : 0;
	memcpy(info.name, p->name, PROC_NAME_MAX);
	return copyout(t->proc, a[1], &info, sizeof(info));
}

/* The pager starts a forked child at its caller's priority: the one thing
 * about a thread it cannot know from the message (a thread may run below
 * its process's first). */
int64_t sys_thread_prio(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	int r = proc_of(t, a[0], RIGHT_RECV, &p);

	if (r < 0)
		return r;
	for (const struct thread *u = p->threads; u; u = u->proc_next)
		if (u->tid == a[1])
			return u->prio;
	return -ERR_SRCH;
}
