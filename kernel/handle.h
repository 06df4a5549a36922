/*
 * Handle tables: small integers naming kernel objects, per process, each
 * with the rights its holder has on the object (abi/handle.h). Every handle
 * from user space is looked up here, checked for range, type and rights.
 */
#ifndef KERNEL_HANDLE_H
#define KERNEL_HANDLE_H

#include <stdint.h>
#include "object.h"
#include "abi/limits.h"
#include "abi/errno.h"
#include "abi/handle.h"
#include "proc.h"

struct proc;

/* Entries in the root task's table (HANDLES_MAX for the others): it holds
 * one handle per process besides its own. */
#define ROOT_HANDLES_MAX 256

struct handle {
	struct object *obj;	/* NULL: a free entry */
	uint32_t rights;	/* enum handle_rights, never empty */
	uint32_t gen;		/* moved by every install here, kept by a close:
				 * what a pending copy that installed this entry
				 * checks before undoing it (delivery.c) */
};

/* Give p its table (a root table if root). 0, or -ERR_NOMEM (its
 * budget's members' tables left empty given back first: budget_members.h). */
int handle_table_create(struct proc *p, int root);
/* Close every handle of p and free its table; later installs fail. */
void handle_table_destroy(struct proc *p);

/* Install o in p's table with rights (taking a reference); the index, or
 * -ERR_MFILE when the table is full. */
int handle_install(struct proc *p, struct object *o, uint32_t rights);
/* The entry h names in p, or NULL. Inline, like handle_lookup: every
 * IPC looks its endpoint up. */
static inline const struct handle *handle_entry(struct proc *p, uint64_t h)
{
	if (h >= p->nhandles || !p->handles[h].obj)
		return NULL;
	return &p->handles[h];
}

/*
 * The object h names, if it has the type (0: any) and the handle holds
 * every right in need: 0 and *out, else -ERR_BADF (no such handle, or
 * another type) or -ERR_ACCES (a right is missing).
 */
static inline int handle_lookup(struct proc *p, uint64_t h, enum obj_type type, uint32_t need,
				struct object **out)
{
	const struct handle *e = handle_entry(p, h);

	*out = NULL;
	if (!e || (type && e->obj->type != type))
		return -ERR_BADF;
	if ((e->rights & need) != need)
		return -ERR_ACCES;
	*out = e->obj;
	return 0;
}
/* The live process h names in caller's table with the send right (what
 * every call acting on another process needs): 0 and *out, else
 * handle_lookup's -ERR_BADF or -ERR_ACCES, or -ERR_SRCH for a process that
 * has ended but is not reaped yet (the pager tells that apart from a
 * failure). */
static inline int handle_target(struct proc *caller, uint64_t h, struct proc **out)
{
	struct object *o;
	int r;

	if ((r = handle_lookup(caller, h, OBJ_PROC, RIGHT_SEND, &o)) < 0)
		return r;
	if (!((struct proc *)o)->alive)
		return -ERR_SRCH;
	*out = (struct proc *)o;
	return 0;
}
int handle_close(struct proc *p, uint64_t h);
/* Entries in use over every table (SYS_KERNEL_INFO). */
uint64_t handle_count(void);

#endif
