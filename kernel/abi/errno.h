/*
 * Error codes returned (negated) by system calls. The values are picolibc's
 * (newlib's) errno values, so user space can store -result in errno as is.
 */
#ifndef ABI_ERRNO_H
#define ABI_ERRNO_H

enum abi_error {
	ERR_PERM = 1,		/* caller may not do this (not the root task) */
	ERR_SRCH = 3,		/* no such process, or it is dead */
	ERR_AGAIN = 11,		/* would block, and the caller asked not to */
	ERR_NOMEM = 12,		/* kernel memory exhausted */
	ERR_ACCES = 13,		/* the handle lacks the right this needs
				 * (abi/handle.h) */
	ERR_FAULT = 14,		/* a user pointer does not name mapped user memory */
	ERR_BUSY = 16,		/* already in use (second waiter, address mapped) */
	ERR_BADF = 9,		/* not a handle, or a handle of the wrong type */
	ERR_INVAL = 22,		/* an argument is out of range */
	ERR_MFILE = 24,		/* handle table full */
	ERR_PIPE = 32,		/* the peer is gone (endpoint closed, caller dead) */
	ERR_NOSYS = 88		/* no such system call */
};

#endif
