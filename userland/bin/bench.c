/*
 * Micro-benchmarks of the kernel's fast paths, in guest instructions
 * (rdinstret). scripts/bench runs this under QEMU's -icount so the counts
 * repeat exactly; nothing here asserts a time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys.h"
#include "pager_client.h"
#include "pager/protocol.h"

#define ROUNDS 10000
#define WARMUP 100

static uint64_t instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* Answer every call with an empty reply, for ever. */
static int serve(int ep)
{
	static struct msg in, out;

	out.handle = -1;
	if (sys_recv(ep, &in) < 0)
		return 1;
	for (;;)
		if (sys_reply_recv(ep, &out, &in) < 0)
			return 1;
}

static uint64_t null_syscall(void)
{
	uint64_t start;

	for (int i = 0; i < WARMUP; i++)
		sys_getpid();
	start = instret();
	for (int i = 0; i < ROUNDS; i++)
		sys_getpid();
	return (instret() - start) / ROUNDS;
}

static uint64_t round_trip(int ep, uint32_t len)
{
	static struct msg m;
	uint64_t start = 0;

	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		if (i == WARMUP)
			start = instret();
		m.label = 1;
		m.handle = -1;
		m.len = len;
		if (sys_call(ep, &m) < 0)
			return 0;
	}
	return (instret() - start) / ROUNDS;
}

static void row(const char *what, uint64_t n)
{
	printf("bench: %-48s %8lu\n", what, (unsigned long)n);
}

int main(int argc, char **argv)
{
	int ep, server, pid;

	if (argc > 1 && strcmp(argv[1], "server") == 0)
		return serve(HANDLE_ARG);
	ep = sys_endpoint_create();
	server = spawn("bench", (const char *const[]){ "bench", "server", NULL }, ep, &pid);
	if (ep < 0 || server < 0) {
		printf("bench: cannot start the IPC server (%d, %d)\n", ep, server);
		return 1;
	}
	printf("bench: %-48s %8s\n", "operation (average of 10000)", "guest instructions");
	row("null system call (getpid)", null_syscall());
	row("IPC round trip: call + reply_recv, header only", round_trip(ep, 0));
	row("IPC round trip: call + reply_recv, 256 bytes", round_trip(ep, 256));
	sys_proc_kill(server, 0);
	return 0;
}
