/*
 * Rights on handles, as in seL4's capabilities: each handle-table entry
 * carries the operations its holder may perform on the object. A copy
 * (passed in a message, granted by the root task) keeps at most the rights
 * of the handle it was made from, so rights only ever shrink.
 */
#ifndef ABI_HANDLE_H
#define ABI_HANDLE_H

enum handle_rights {
	/* Act on the object: send and call on an endpoint, signal a
	 * notification, kill a process or start a thread in it. */
	RIGHT_SEND = 1,
	/* Hear from it: receive on an endpoint, wait for, poll, bind, time or
	 * acknowledge a notification, wait for a process or read its info. */
	RIGHT_RECV = 2,
	/* Pass a copy of the handle on in a message. */
	RIGHT_GRANT = 4,
	RIGHTS_ALL = 7
};

/* What SYS_HANDLE_INFO returns for a handle: (type << 8) | rights. */
enum handle_type {
	HANDLE_TYPE_PROC = 1,
	HANDLE_TYPE_ENDPOINT = 2,
	HANDLE_TYPE_NOTIFY = 3,
	HANDLE_TYPE_BUDGET = 4	/* kernel/budget.h: a share of the kernel pool */
};
#define HANDLE_INFO_TYPE(x) ((x) >> 8)
#define HANDLE_INFO_RIGHTS(x) ((x) & 0xff)

#endif
