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

/* 0 if [va, va + len) is user memory p may read (write: and write). */
int user_check(struct proc *p, uint64_t va, size_t len, int write);
int copyin(struct proc *p, void *dst, uint64_t va, size_t len);
int copyout(struct proc *p, uint64_t va, const void *src, size_t len);
/* Copy between two address spaces without a kernel buffer. */
int copy_user(struct proc *dp, uint64_t dva, struct proc *sp, uint64_t sva, size_t len);

#endif
