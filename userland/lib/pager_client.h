/*
 * Requests to the pager's service endpoint (HANDLE_PAGER) other than sbrk:
 * starting programs from the initrd, and stopping the machine.
 */
#ifndef USER_PAGER_CLIENT_H
#define USER_PAGER_CLIENT_H

#include "pager/protocol.h"

/* Start program name from the initrd. argv is as for execv: NULL, or a
 * NULL-terminated vector whose argv[0] is the program's name (name is sent
 * as argv[0] in any case). pass_handle, unless -1, becomes the child's
 * HANDLE_ARG. Returns a handle to the new process and stores its pid in
 * *pid_out (if not NULL); or -PAGER_ENOENT for an unknown program, -ERR_INVAL
 * if the arguments do not fit in one message, or another negated error. */
int spawn(const char *name, const char *const argv[], int pass_handle,
	  int *pid_out);

/* Stop the machine with status as QEMU's exit code. Only init may; anyone
 * else, or init if the pager refuses, just exits with status. */
_Noreturn void poweroff(int status);

#endif
