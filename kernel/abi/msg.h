/*
 * IPC messages. Every IPC call passes a pointer to one struct msg; the kernel
 * copies the header and `len` bytes of data straight from the sender's memory
 * to the receiver's, and fills in the fields marked "kernel" so that a
 * receiver can trust who sent a message and how.
 */
#ifndef ABI_MSG_H
#define ABI_MSG_H

#include <stdint.h>

#define MSG_DATA_MAX 512
#define MSG_WORDS 6

enum msg_origin {
	ORIGIN_SEND = 1,	/* a one-way send: no reply expected */
	ORIGIN_CALL = 2,	/* a call: the receiver owes a reply */
	ORIGIN_FAULT = 3,	/* a page fault the kernel turned into a call */
	ORIGIN_NOTIFY = 4	/* no message: the receiver's bound notification
				 * was signalled; w[0] = the bits (now cleared) */
};

struct msg {
	uint64_t label;		/* sender: what the message means */
	uint32_t pid;		/* kernel: sender's process id */
	uint32_t tid;		/* kernel: sender's thread id */
	uint32_t origin;	/* kernel: enum msg_origin */
	uint32_t len;		/* sender: bytes used in data[], <= MSG_DATA_MAX */
	int32_t handle;		/* sender: a handle to pass along (copied, the
				 * sender keeps it), or -1; anything else that is
				 * not a handle fails the send with -ERR_BADF, a
				 * handle without RIGHT_GRANT with -ERR_ACCES.
				 * Receiver: its number in the receiver's table,
				 * -1 (none passed), or MSG_HANDLE_LOST (one was
				 * passed, but the receiver's table is full: it
				 * never has it, the sender keeps its own). */
	uint32_t rights;	/* sender: the rights the receiver's copy keeps
				 * (abi/handle.h), a subset of the sender's (a
				 * right it lacks fails the send with
				 * -ERR_ACCES, an unknown bit with -ERR_INVAL);
				 * 0 = all of the sender's. Receiver: the rights
				 * it got, never 0 with a handle (0 when handle
				 * is -1). */
	uint64_t w[MSG_WORDS];	/* sender: small arguments */
	uint8_t data[MSG_DATA_MAX];
};

/* A received message's handle when the sender passed one that the
 * receiver's table had no room for: told apart from none passed, so that
 * a request that needs one (a subscription, a child's HANDLE_ARG) is
 * refused rather than served as if none had been meant. Such a message
 * never comes in registers (they say handle -1). */
#define MSG_HANDLE_LOST (-2)

/* Bytes of struct msg before data[]: what every IPC copies. */
#define MSG_HEADER_SIZE (8 + 4 * 6 + 8 * MSG_WORDS)

/*
 * The register form (SYS_CALL_REGS, SYS_RECV_REGS, SYS_REPLY_RECV_REGS): a
 * header-only message (len 0, handle -1) travels in registers, so the kernel
 * touches no user memory for it. Sent: a0 = endpoint, a1 = the struct msg
 * buffer for a message that cannot come in registers, a2 = label, a3..a6 =
 * w[0..3], t0 = w[4], t1 = w[5] (the struct's label and w[] are not read);
 * reply_recv_release, the register form of reply_recv with a release word,
 * takes the word's address in t2, which every system call keeps.
 * Received, a0 = MSG_IN_REGS: label and w[] in the same registers, a1 =
 * pid | tid << 32, a7 = origin (stamped by the kernel; len 0, handle -1,
 * rights 0), so the fast path passes them on without a copy; a0 = 0: the
 * message is in the buffer; a0 < 0: the error.
 * Both forms give the same message: the wrappers store one into the buffer.
 */
#define MSG_IN_REGS 1

/* What reply_recv_release's word (syscalls.list) must hold for the kernel
 * to let it go, storing 0: a lock held with no one waiting. */
#define RELEASE_HELD 1

/* Fault messages (origin ORIGIN_FAULT), from the kernel to a pager. */
#define FAULT_LABEL 0xFA017
enum fault_access {
	FAULT_READ = 1,
	FAULT_WRITE = 2,
	FAULT_EXEC = 4
};
/* w[0] = faulting address, w[1] = enum fault_access, w[2] = pc,
 * w[3] = 0 (reserved: it said whether a page was present, which no pager
 * read; a pager knows its own page entries),
 * w[4] = 1 if a system call met the page (the kernel touched it for the
 * thread): a FAULT_KILL reply then fails the call with -ERR_FAULT instead
 * of killing the process. */

/* A pager's reply to a fault message. */
enum fault_reply {
	FAULT_RESUME = 1,	/* data[] holds len / sizeof(struct map_entry) mappings
				 * to install before the thread resumes */
	FAULT_KILL = 2,		/* data[] holds the reason, a string of len bytes */
	FAULT_RESUME_ONE = 3	/* w[0..2] hold one struct map_entry (va, pa,
				 * perm) to install before the thread resumes;
				 * len must be 0 (a reply the register form
				 * carries), else the faulting process is ended */
};

#endif
