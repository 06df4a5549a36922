/*
 * Messages a program sends to the pager's service endpoint. Every process
 * finds that endpoint in handle HANDLE_PAGER. Replies carry the result in
 * label: >= 0 success, < 0 a negated abi/errno.h code.
 */
#ifndef PAGER_PROTOCOL_H
#define PAGER_PROTOCOL_H

#define HANDLE_PAGER 1
#define HANDLE_ARG 2	/* the handle its spawner passed, if any */

enum pager_label {
	/* data = "name\0arg1\0...\0" (argv, argv[0] = program name), w[0] = argc.
	 * msg.handle, if not -1, is passed to the child as its handle
	 * HANDLE_ARG. Reply: w[0] = a handle to the new process in the caller's table,
	 * w[1] = its pid. Unknown program: -ERR_NOENT-like -2 (ENOENT). */
	PAGER_SPAWN = 0x100,
	/* w[0] = increment in bytes (signed). Reply: w[0] = the old break. */
	PAGER_SBRK = 0x101,
	/* w[0] = status. Only init may ask. Does not reply: the machine stops. */
	PAGER_POWEROFF = 0x102
};

#define PAGER_ENOENT 2	/* no such program in the initrd (picolibc's ENOENT) */

#endif
