/*
 * Creating a process from a program in the initrd: check its ELF, give it
 * regions for its image and stack, lay out argv, hand it the pager
 * endpoint (and the spawner's handle), and start its first thread.
 */
#ifndef PAGER_SPAWN_H
#define PAGER_SPAWN_H

#include <stddef.h>
#include <stdint.h>

struct pproc;

#define SPAWN_ARGS_MAX 32
#define STACK_PAGES 16			/* 64 KiB */
#define STACK_TOP 0x3FFFFFF000UL	/* a guard page above, unmapped */
/* The bottom of the stack's guard page (the stack region keeps it free):
 * a program's segments (spawn.c) and its mappings (memory.c) end at or
 * below it. */
#define STACK_FLOOR (STACK_TOP - (STACK_PAGES + 1) * PAGE_SIZE)

/* What every new process is given. */
struct spawn_env {
	const void *initrd;
	size_t initrd_size;
	int pager_ep;		/* handle of the endpoint for requests */
	int fault_ep;		/* handle of the endpoint for faults (service.c) */
	int deaths;		/* handle of the death notification */
	/* Where a pinned program's (a driver's) death goes instead: the
	 * driver watch (driver_watch.h), -1: with everyone's. */
	int driver_deaths;
	uint64_t kernel_pool_pages;	/* the kernel's pool (0: unknown, no limit) */
};

void spawn_init(const struct spawn_env *env);
/* Kernel pages a new process's page tables may use (0: no limit). */
uint64_t spawn_pt_limit(void);
/* Kernel pool pages one line's processes may use together (a kernel
 * budget each line holds; 0: none). */
uint64_t spawn_pool_limit(void);
/* p goes: its handle to its line's pool budget is closed if no other
 * record of the line holds it. */
void spawn_pool_budget_release(struct pproc *p);
/* Bytes of the pager's heap the page arrays of one line's processes may
 * hold together (vm_space_budget_new). */
uint64_t spawn_arrays_limit(void);

/* A new empty process (and address space) in p, whose faults and death
 * come to the pager; then its handles 1 (the pager's endpoint, send-only)
 * and 2 (pass_handle with pass_rights, if pass_handle >= 0). Used by spawn
 * and fork. */
int spawn_create(struct pproc *p, const char *name);
int spawn_give_handles(struct pproc *p, int pass_handle, unsigned pass_rights);
/* Kill a half-made process and release everything it had. */
void spawn_abandon(struct pproc *p);
/* The last step of spawn and fork: `to` (NULL: none) is granted a handle
 * to p first, in *granted if asked, and only then p's first thread starts
 * (pc, sp, a0, prio), so that a grant refused (EMFILE) leaves p never
 * run. 0 or -errno; a thread refused after the grant leaves *granted
 * naming p, which the caller abandons. */
int spawn_grant_then_start(struct pproc *p, const struct pproc *to, uint64_t pc, uint64_t sp,
			   uint64_t a0, int prio, int *granted);

/* Start argv[0] with argc arguments for parent (NULL: the pager itself),
 * in parent's line (procs_new); pass_handle (a pager handle, or -1)
 * becomes the child's HANDLE_ARG with pass_rights (kernel/abi/handle.h, a
 * subset of the pager's). The new record, or NULL with *err set to a
 * negated errno (-PAGER_ENOENT: no such program; -PAGER_EDAMAGED: the
 * initrd is damaged before it, which is also said on the console; -EAGAIN:
 * the table or parent's line is full; -E2BIG: the arguments need more than
 * the stack's first page; -ENOEXEC: no program the pager can load).
 * With granted, parent (not NULL) is given a handle to the child, in
 * *granted, before the child runs (spawn_grant_then_start: its -EMFILE
 * then, the child ended unstarted). */
struct pproc *spawn(const struct pproc *parent, int argc, const char *const *argv,
		    int pass_handle, unsigned pass_rights, int *granted, int *err);
/* The same for the pager itself, pinned if asked: every page present
 * before it runs (a driver must never fault while the pager waits for it). */
struct pproc *spawn_mode(int argc, const char *const *argv, int pass_handle, unsigned pass_rights,
			 int pinned, int *err);

#endif
