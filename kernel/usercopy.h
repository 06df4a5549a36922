/*
 * The only way the kernel touches user memory: copies that translate each
 * user page through the process's page table and go through the direct map.
 * The kernel never dereferences a user pointer, so a bad pointer is an
 * error code (-ERR_FAULT), never a kernel fault.
 */
#ifndef KERNEL_USERCOPY_H
#define KERNEL_USERCOPY_H

#include <stddef.h>
#include <stdint.h>

struct proc;

/* Where the last failed check or copy stopped: a system call that fails
 * with -ERR_FAULT because of its own process's page turns it into a page
 * fault for the pager and runs again (kernel/syscall.c). */
struct user_miss {
	struct proc *proc;	/* NULL: no miss since the last reset */
	uint64_t va;
	int write;
};
extern struct user_miss user_miss;

/* p's page table changed (or p is new, or gone): forget its cached
 * translations. Every caller of arch_pt_map/unmap/protect/harvest/destroy
 * must call it for the process whose table it changed. */
void usercopy_forget(struct proc *p);

/*
 * The kernel address of [va, va + len) in p, if it is 8-byte aligned, lies
 * in one page and p may read it (write: and write); else NULL, and the
 * caller takes a path that copies and reports (the IPC fast path reads and
 * writes message headers through it).
 */
void *user_window(struct proc *p, uint64_t va, size_t len, int write);
/* 0 if [va, va + len) is user memory p may read (write: and write). */
int user_check(struct proc *p, uint64_t va, size_t len, int write);
int copyin(struct proc *p, void *dst, uint64_t va, size_t len);
int copyout(struct proc *p, uint64_t va, const void *src, size_t len);
#endif
