/*
 * An echo server thread for the IPC fast-path tests: it answers each call
 * label + 1, w[i] * 2 and the data reversed, in the form a test chooses
 * (registers where the message allows, or memory only: the slow path's
 * reference), and remembers what the kernel stamped on the last call.
 */
#ifndef TESTS_ECHO_SERVER_H
#define TESTS_ECHO_SERVER_H

#include "sys.h"

struct server {
	int ep;
	int mem;		/* receive and reply in memory only (SYS_RECV,
				 * SYS_REPLY_RECV), never in registers */
	int tid;		/* the server thread's */
	int handles;		/* handles received */
	int bad;		/* calls that did not arrive as a call */
	uint32_t last_pid, last_tid;	/* stamped on the last call */
	volatile int waiting;	/* about to receive: set just before each */
	struct msg in, out;
};

/* The server's thread body (arg: its struct server); ends when the
 * endpoint is gone. */
void server_thread(void *arg);
/* Start s's thread at prio (mem: in memory only). */
int server_start(struct server *s, int prio, int mem);
/* Let a server thread of our priority reach its receive. */
int server_waits(struct server *s);
/* The kernel's counters now. */
struct kernel_info kinfo(void);
/* One call through s with len bytes of data (and handle pass, or -1), by
 * the wrapper or (raw) by SYS_CALL in memory; every field of the answer
 * and of what the server saw checked. */
int call_checked(struct server *s, uint32_t len, int pass, int raw);

#endif
