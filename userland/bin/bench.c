/*
 * Micro-benchmarks of the kernel's fast paths and the pager's fault and
 * fork paths, in guest instructions (rdinstret). scripts/bench runs this
 * under QEMU's -icount so the counts repeat exactly; nothing here asserts a
 * time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sys.h"
#include "pager_client.h"
#include "pager/protocol.h"

#define ROUNDS 10000
#define WARMUP 100
#define TOUCH_PAGES 4096		/* 16 MiB of fresh anonymous memory */
#define FORK_BYTES (1024 * 1024)
#define FORK_ROUNDS 20
#define FORK_WARMUP 2

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
	printf("bench: %-62s %8lu\n", what, (unsigned long)n);
}

/* A benchmark that could not run says why; the run then fails. */
static int cannot(const char *what, int error)
{
	printf("bench: %s: cannot run (error %d)\n", what, error);
	return 1;
}

static void *map_anon(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* One store to each of TOUCH_PAGES never-touched pages: every page costs a
 * fault or rides on one (fault-around), so report per page and, from the
 * pager's own count, per fault. `how` names the boot's fault-around in the
 * rows ("" for the default). */
static int first_touch(const char *how)
{
	char name[3][80];
	const size_t len = TOUCH_PAGES * PAGE_SIZE;
	volatile uint8_t *p = map_anon(len);
	struct pager_stats a, b;
	int r;

	if (p == MAP_FAILED)
		return cannot("first touch", errno);
	if ((r = pager_stats(&a)) < 0)
		return cannot("first touch", -r);
	uint64_t start = instret();
	for (size_t i = 0; i < TOUCH_PAGES; i++)
		p[i * PAGE_SIZE] = 1;
	uint64_t spent = instret() - start;
	if ((r = pager_stats(&b)) < 0)
		return cannot("first touch", -r);
	munmap((void *)p, len);
	uint64_t faults = b.pgfault - a.pgfault;
	snprintf(name[0], sizeof(name[0]), "first touch of an anonymous page (4096 pages)%s", how);
	snprintf(name[1], sizeof(name[1]), "faults per 1000 first-touched pages%s", how);
	snprintf(name[2], sizeof(name[2]), "minor fault round trip (instructions per fault)%s", how);
	row(name[0], spent / TOUCH_PAGES);
	row(name[1], faults * 1000 / TOUCH_PAGES);
	row(name[2], faults ? spent / faults : 0);
	return 0;
}

/* fork + the child's _exit + waitpid, averaged: the child usually runs
 * before fork returns in the parent, so the whole cycle is what can be
 * measured honestly. */
static int fork_cycle(uint64_t *per_cycle)
{
	uint64_t total = 0;
	int status;

	for (int i = 0; i < FORK_WARMUP + FORK_ROUNDS; i++) {
		uint64_t start = instret();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return errno;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			return errno ? errno : ECHILD;
		if (i >= FORK_WARMUP)
			total += instret() - start;
	}
	*per_cycle = total / FORK_ROUNDS;
	return 0;
}

/* The cycle as the process is, then with 1 MiB more touched: the
 * difference is what copying-on-write that megabyte costs a fork. */
static int fork_costs(void)
{
	uint64_t small, big;
	volatile uint8_t *p;
	int r;

	if ((r = fork_cycle(&small)) != 0)
		return cannot("fork", r);
	if ((p = map_anon(FORK_BYTES)) == MAP_FAILED)
		return cannot("fork", errno);
	for (size_t off = 0; off < FORK_BYTES; off += PAGE_SIZE)
		p[off] = 1;
	r = fork_cycle(&big);
	munmap((void *)p, FORK_BYTES);
	if (r != 0)
		return cannot("fork", r);
	row("fork + exit + waitpid (20 rounds)", small);
	row("fork + exit + waitpid, 1 MiB more touched", big);
	return 0;
}

/* Swap throughput: stream twice the memory out, then read it back. Under
 * -icount the instruction counter also runs while the machine sleeps
 * waiting for the disk, so that time (SYS_IDLE_NS: 1 ns = 1 instruction at
 * shift=0) is reported apart from the work. */
static int swap_costs(void)
{
	struct pager_stats a, b, c;
	uint64_t pages, i0, i1, i2, d0, d1, d2, *buf;

	if (pager_stats(&a) < 0 || a.swap_slots_total == 0) {
		printf("bench: (no swap disk: swap rows skipped)\n");
		return 0;
	}
	pages = 2 * a.frames_total;
	buf = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || pages > a.swap_slots_free)
		return 1;
	i0 = instret(), d0 = (uint64_t)sys_idle_ns();
	for (uint64_t p = 0; p < pages; p++)
		buf[p * 512] = p;
	i1 = instret(), d1 = (uint64_t)sys_idle_ns();
	pager_stats(&b);
	for (uint64_t p = 0; p < pages; p++)
		if (buf[p * 512] != p)
			return 1;
	i2 = instret(), d2 = (uint64_t)sys_idle_ns();
	pager_stats(&c);
	/* Faults, and pages read: readahead reads several per fault. */
	uint64_t out = b.pswpout - a.pswpout, in = c.pgmajfault - b.pgmajfault;
	uint64_t read = c.pswpin - b.pswpin;
	if (!out || !in)
		return 1;
	row("swap-out stream: pages per million instructions of work",
	    out * 1000000 / (i1 - i0 - (d1 - d0) + 1));
	row("swap-out stream: idle (disk) instructions per page", (d1 - d0) / out);
	row("swap-out: KiB per write request",
	    (b.swap_pages_out - a.swap_pages_out) * 4 / (b.swap_requests_out - a.swap_requests_out));
	row("major fault round trip: instructions of work", (i2 - i1 - (d2 - d1)) / in);
	row("major fault round trip: idle (disk) instructions", (d2 - d1) / in);
	row("swap-in: instructions of work per page read back", (i2 - i1 - (d2 - d1)) / read);
	row("swap-in: pages per 100 read requests", read * 100 / (c.swap_requests_in - b.swap_requests_in));
	munmap(buf, pages * 4096);
	return 0;
}

int main(int argc, char **argv)
{
	int ep, server, pid;

	if (argc > 1 && strcmp(argv[1], "server") == 0)
		return serve(HANDLE_ARG);
	/* Only the swap rows: scripts/bench's boot with swap over NBD. */
	if (argc > 1 && strcmp(argv[1], "swap") == 0)
		return swap_costs();
	/* "touch WORD": first touch alone, its rows marked ", WORD" (scripts/bench
	 * boots again with pager.faultaround=0 for it). */
	if (argc > 2 && strcmp(argv[1], "touch") == 0) {
		char how[32];
		snprintf(how, sizeof(how), ", %s", argv[2]);
		return first_touch(how);
	}
	ep = sys_endpoint_create();
	server = spawn("bench", (const char *const[]){ "bench", "server", NULL }, ep, &pid);
	if (ep < 0 || server < 0) {
		printf("bench: cannot start the IPC server (%d, %d)\n", ep, server);
		return 1;
	}
	printf("bench: %-62s %8s\n", "operation (average of 10000 unless said)",
	       "guest instructions");
	row("null system call (getpid)", null_syscall());
	row("IPC round trip: call + reply_recv, header only", round_trip(ep, 0));
	row("IPC round trip: call + reply_recv, 256 bytes", round_trip(ep, 256));
	sys_proc_kill(server, 0);
	int failed = first_touch("");
	failed |= fork_costs();
	failed |= swap_costs();
	return failed;
}
