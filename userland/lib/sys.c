/*
 * The system-call wrappers kernel/abi/syscalls.list marks as written by hand
 * ('!'): the calls that never return, whose wrappers must not return either
 * (the IPC calls that choose the register form are in ipc.c).
 * Every other wrapper is generated (sys_calls.c in the build directory).
 */
#include <stddef.h>

#include "sys.h"
#include "syscall.h"	/* this directory's: sys_ecall() */

_Static_assert(offsetof(struct msg, data) == MSG_HEADER_SIZE,
	       "struct msg header size disagrees with MSG_HEADER_SIZE");

_Noreturn void sys_exit(int status)
{
	sys_ecall(SYS_EXIT, status, 0, 0, 0, 0, 0);
	__builtin_trap();	/* exit never returns; if it did, die visibly */
}

_Noreturn void sys_thread_exit(void)
{
	sys_ecall(SYS_THREAD_EXIT, 0, 0, 0, 0, 0, 0);
	__builtin_trap();
}

_Noreturn void sys_poweroff(int status)
{
	sys_ecall(SYS_POWEROFF, status, 0, 0, 0, 0, 0);
	sys_exit(status);	/* refused: we are not the root task */
}
