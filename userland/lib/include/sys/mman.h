/*
 * <sys/mman.h> for programs: anonymous memory from the pager (picolibc has
 * no such header). Private mappings are copy-on-write across fork, shared
 * ones are the same memory in parent and child. Files cannot be mapped.
 */
#ifndef USER_SYS_MMAN_H
#define USER_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

/* The values are Linux's, so code written for Linux means the same here;
 * PROT_* also equal the pager's enum pager_prot. */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10		/* refused: the pager chooses the address */
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS

#define MAP_FAILED ((void *)-1)

/* A new region of len bytes (rounded up to pages), placed by the pager;
 * pages arrive zero-filled on first touch. flags must be MAP_PRIVATE or
 * MAP_SHARED, with MAP_ANONYMOUS; fd must be -1 and off 0. addr is only a
 * hint and is ignored. On error MAP_FAILED with errno EINVAL (bad arguments,
 * a file mapping) or ENOMEM. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

/* Drop every page of [addr, addr + len) (addr page-aligned, len > 0;
 * parts of the range that are not mapped are fine). 0, or -1 with errno
 * EINVAL. */
int munmap(void *addr, size_t len);

#endif
