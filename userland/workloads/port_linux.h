/*
 * port.h on Linux, where the workload is init (pid 1) in an initramfs:
 * it mounts /proc and devtmpfs, turns swap on on /dev/vda if the disk is
 * there, reads /proc/meminfo, /proc/vmstat and /proc/stat for its
 * counters, and powers the machine off at the end. Run as an ordinary
 * process (pid not 1) it leaves the system as it is.
 */
#ifndef WORKLOAD_PORT_LINUX_H
#define WORKLOAD_PORT_LINUX_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#define PORT_SYSTEM "linux"
#define PORT_SWAP_DISK "/dev/vda"

/* Instructions retired. Linux's SBI PMU driver stops the hardware
 * counters, so rdinstret reads 0 in user mode; but under -icount
 * shift=0 QEMU's instret is its virtual clock in ns, and the time CSR is
 * that same clock at 10 MHz (the virt machine's timebase): time * 100 is
 * instret to within 100. */
static inline uint64_t port_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v));
	return v * 100;
}

/* Mount what the counters need and turn swap on. 0, or -1 (said why). */
static int port_start(void)
{
	if (getpid() != 1)
		return 0;
	mkdir("/proc", 0555);
	mkdir("/dev", 0755);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0 ||
	    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0) {
		printf("compare: error: cannot mount /proc or /dev: %s\n", strerror(errno));
		return -1;
	}
	if (access(PORT_SWAP_DISK, F_OK) == 0 && swapon(PORT_SWAP_DISK, 0) != 0) {
		printf("compare: error: swapon %s: %s\n", PORT_SWAP_DISK, strerror(errno));
		return -1;
	}
	return 0;
}

/* The number after `key` at the start of a line of file, or 0. */
static uint64_t port_proc_value(const char *file, const char *key)
{
	char line[256];
	size_t len = strlen(key);
	unsigned long long v = 0;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, len) == 0 && sscanf(line + len, " %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Available memory: MemAvailable, in pages. */
static uint64_t port_avail_pages(void)
{
	return port_proc_value("/proc/meminfo", "MemAvailable:") / 4;
}

static uint64_t port_swap_pages(void)
{
	return port_proc_value("/proc/meminfo", "SwapTotal:") / 4;
}

/* Idle time: the cpu line's idle + iowait, in clock ticks, as ns. */
static int port_idle_ns(uint64_t *ns)
{
	unsigned long long user, nice, sys, idle, iowait;
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait) : 0;

	if (f)
		fclose(f);
	if (n != 5)
		return -1;
	*ns = (uint64_t)(idle + iowait) * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
	return 0;
}

/* 0, or -1 if /proc could not be read. */
static int port_counters(struct port_counters *c)
{
	c->instret = port_instret();
	if (port_idle_ns(&c->idle_ns) != 0 || access("/proc/vmstat", R_OK) != 0)
		return -1;
	c->major = port_proc_value("/proc/vmstat", "pgmajfault ");
	c->pswpin = port_proc_value("/proc/vmstat", "pswpin ");
	c->pswpout = port_proc_value("/proc/vmstat", "pswpout ");
	c->faults = port_proc_value("/proc/vmstat", "pgfault ");
	/* Linux looks at a page's references on both of its lists: pgscan
	 * counts the inactive list's pages (victims), pgrefill the active
	 * list's (aging). The pager's pgscan counts both kinds. */
	c->pgscan = port_proc_value("/proc/vmstat", "pgscan_kswapd ") +
		    port_proc_value("/proc/vmstat", "pgscan_direct ") +
		    port_proc_value("/proc/vmstat", "pgrefill ");
	c->pgsteal = port_proc_value("/proc/vmstat", "pgsteal_kswapd ") +
		     port_proc_value("/proc/vmstat", "pgsteal_direct ");
	return 0;
}

static void port_pause_ms(unsigned ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* As init, power off (init must never exit); otherwise the exit status. */
static int port_finish(int status)
{
	if (getpid() != 1)
		return status;
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

#endif
