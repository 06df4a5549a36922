/*
 * Host tests for the pager's side of netd (pager/server/netdev.c and
 * net_admit.c, included whole, so that each test starts from its initial
 * state) over a fake
 * netd and a fake kernel defined here: the driver steps
 * (server/driver.h), the process table's lookup, netd's answers to the
 * pager's calls, and the pager's handles, each tracked so that a handle
 * left open or closed twice fails a test. netd's reaping is played as
 * service_reap does it: its process handle is closed unless netd serves
 * swap (the engine may still name it), and its record goes.
 *
 * What is checked: a start netd refuses leaves no handle; programs are
 * admitted before they are handed netd's endpoint, and told -ENODEV once
 * netd is reaped; an export swap refused is let go (NET_SWAP_STOP) while
 * netd lives, and whether netd is reaped before that release, after it,
 * or ended unreaped in between, every handle the pager held for it is
 * closed in the end; an export swap took keeps them for the engine.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../pager/server/netdev.c"
#include "../../pager/server/net_admit.c"

/* The console: the pager's last line (printf wrapped at link time; this
 * takes the place of tap_stdout.c's, and like it writes to stderr). */
static char said[256];
int __wrap_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(said, sizeof(said), fmt, ap);
	va_end(ap);
	fputs(said, stderr);
	return n;
}

#define PG 4096UL
#define RAM_BASE 0x80000000UL
#define RAM_PAGES (NET_DMA_PAGES + 1 + NET_POOL_PAGES)
#define MAX_HANDLES 64
#define NETD_PID 7
#define NETD_SLOT 3
#define PROG_PID 20
#define PROG_SLOT 5
#define SECTORS 4096

static _Alignas(4096) uint8_t ram[RAM_PAGES * PG];
struct frames_at frames_at = { .base = RAM_BASE, .span = sizeof(ram), .window = ram };
struct pager_config config;

/* The fake kernel and netd. */
struct fake {
	uint8_t open[MAX_HANDLES];	/* the pager's handles open, by number */
	int next;			/* the next handle number */
	int frames_given;		/* frames handed out (from RAM_BASE up) */
	int64_t setup_answer;		/* netd's to NET_SETUP */
	int64_t swap_setup_answer;	/* and to NET_SWAP_SETUP */
	int netd_ended;			/* its calls fail: -EPIPE */
	int netd_reaped;		/* its record is gone */
	unsigned pool_msgs, stops, kills;
	int granted_to;			/* the process a handle was granted to */
	uint64_t admitted_at_grant;	/* the program's admission entry then */
	char no_effect[4][32];		/* keys said to have no effect */
	int nno_effect;
};
static struct fake f;
static struct pproc netd_rec, prog;
static const struct bootinfo bi = { .ndevices = 1,
				    .devices = { { .kind = 1, .device_id = 1, .base = 0x10008000,
						   .irq = 8 } } };

static int open_handle(void)
{
	assert_true(f.next < MAX_HANDLES);
	f.open[f.next] = 1;
	return f.next++;
}

static int open_count(void)
{
	int n = 0;

	for (int h = 0; h < MAX_HANDLES; h++)
		n += f.open[h];
	return n;
}

int sys_handle_close(int h)
{
	if (h < 0 || h >= MAX_HANDLES || !f.open[h])
		fail_msg("handle %d closed but not open (closed twice, or never opened)", h);
	f.open[h] = 0;
	return 0;
}

int sys_handle_grant(int p, int h, unsigned rights)
{
	assert_true(h >= 0 && h < MAX_HANDLES && f.open[h]);
	assert_int_equal(rights, RIGHT_SEND);
	f.granted_to = p;
	f.admitted_at_grant = p == prog.handle && shared ? shared->admitted[PROG_SLOT] : 0;
	return 9;	/* a number in the program's table, not the pager's */
}

int sys_device_map(int proc, unsigned index, uintptr_t va)
{
	(void)proc, (void)index, (void)va;
	return 0;
}

int sys_proc_kill(int proc, int reason)
{
	(void)reason;
	assert_int_equal(proc, netd_rec.handle);
	f.kills++;
	return 0;
}

/* netd's answers. */
int sys_call(int ep, struct msg *m)
{
	assert_true(ep >= 0 && ep < MAX_HANDLES && f.open[ep]);
	if (f.netd_ended)
		return -ERR_PIPE;
	switch (m->label) {
	case NET_POOL:
		f.pool_msgs++;
		m->label = 0;
		return 0;
	case NET_SETUP:
		m->label = (uint64_t)f.setup_answer;
		return 0;
	case NET_SWAP_SETUP:
		m->label = (uint64_t)f.swap_setup_answer;
		m->w[0] = SECTORS;
		m->w[1] = 0;
		return 0;
	case NET_SWAP_STOP:
		f.stops++;
		m->label = 0;
		return 0;
	}
	fail_msg("netd was sent label 0x%lx", (unsigned long)m->label);
	return -ERR_INVAL;
}

int driver_find(const struct bootinfo *b, uint32_t device_id)
{
	return b->ndevices && b->devices[0].device_id == device_id ? 0 : -1;
}

int driver_spawn(struct driver *d, const char *name)
{
	assert_string_equal(name, "netd");
	netd_rec = (struct pproc){ .used = 1, .pid = NETD_PID, .pinned = 1 };
	netd_rec.handle = open_handle();
	d->proc = &netd_rec;
	d->ep = open_handle();
	d->nframes = 0;
	d->device_told = 0;
	return 0;
}

int driver_give_frames(struct driver *d, uint64_t va, int n, uint64_t *pa)
{
	(void)d, (void)va;
	assert_true(f.frames_given + n <= RAM_PAGES);
	for (int i = 0; i < n; i++)
		pa[i] = RAM_BASE + (uint64_t)f.frames_given++ * PG;
	return 0;
}

int driver_give_notifications(struct driver *d, uint32_t irq, uint64_t irq_bit, int irq_handle,
			      int done_handle)
{
	(void)d, (void)irq, (void)irq_bit, (void)irq_handle, (void)done_handle;
	return 0;
}

void driver_device_told(struct driver *d)
{
	d->device_told = 1;
}

/* As driver.c's: the process ended (its handle with it), the endpoint closed. */
void driver_abandon(struct driver *d)
{
	if (d->proc) {
		sys_handle_close(d->proc->handle);
		d->proc->used = 0;
	}
	if (d->ep >= 0)
		sys_handle_close(d->ep);
	d->proc = NULL;
	d->ep = -1;
}

struct pproc *procs_by_pid(uint32_t pid)
{
	if (pid == NETD_PID && !f.netd_reaped)
		return &netd_rec;
	return pid == PROG_PID ? &prog : NULL;
}

int procs_slot_of(const struct pproc *p)
{
	return p == &netd_rec ? NETD_SLOT : PROG_SLOT;
}

void config_no_effect(const char *key, const char *why)
{
	(void)why;
	assert_true(f.nno_effect < 4);
	snprintf(f.no_effect[f.nno_effect++], sizeof(f.no_effect[0]), "%s", key);
}

/* The status page: the frame after the rings (setup's order). */
static struct net_shared *status_page(void)
{
	return (struct net_shared *)(ram + NET_DMA_PAGES * PG);
}

/* netd's death reaped, as service_reap does: its process handle closed
 * unless it serves swap, its record released. */
static void reap_netd(void)
{
	f.netd_ended = 1;
	if (!netd_rec.serves_swap)
		sys_handle_close(netd_rec.handle);
	f.netd_reaped = 1;
	netd_rec.used = 0;
}

/* netdev.c's state as at boot, and the fakes'. */
static void reset(void)
{
	netd_ep = swap_ep = swap_proc = -1;
	netd = NULL;
	netd_pid = 0;
	netd_swaps = refused = 0;
	shared = NULL;
	f = (struct fake){ .next = 10, .granted_to = -1 };
	said[0] = '\0';
	memset(ram, 0, sizeof(ram));
	prog = (struct pproc){ .used = 1, .pid = PROG_PID, .handle = 40, .line = 2 };
}

/* netd started on the machine's device. */
static int start(void)
{
	reset();
	return netdev_start(&bi);
}

/* A program asks for netd (PAGER_NET): the answer's label. */
static int64_t ask(uint64_t *handle)
{
	struct msg in = { .label = PAGER_NET, .pid = PROG_PID, .handle = -1 }, out = { 0 };

	handle_net(&in, &out);
	*handle = out.w[0];
	return (int64_t)out.label;
}

/* Swap over NBD set up on netd: 0, with *drv filled. */
static int swap_driver(struct nbd_driver *drv)
{
	return netdev_swap_driver(NBD_SERVER_ADDR, NBD_SERVER_PORT, drv);
}

/* netd started and set up as swap's driver. */
static void swap_set_up(struct nbd_driver *drv)
{
	assert_int_equal(start(), 0);
	assert_int_equal(swap_driver(drv), 0);
}

/* netd reaped: programs told -ENODEV, no handle of the pager's left. */
static void reaped_leaving_nothing(void)
{
	reap_netd();
	assert_int_equal(netdev_endpoint(), -1);
	assert_int_equal(open_count(), 0);
}

/* netd started: the pool sent, the pager holding netd's endpoint and
 * process handle, the status page the frame after the rings. */
static void test_start(void **state)
{
	(void)state;
	assert_int_equal(start(), 0);
	assert_int_equal(f.pool_msgs, (NET_POOL_PAGES + NET_POOL_PER_MSG - 1) / NET_POOL_PER_MSG);
	assert_int_equal(netdev_refused(), 0);
	assert_true(netdev_endpoint() >= 0);
	assert_ptr_equal(shared, status_page());
	assert_int_equal(open_count(), 2);
	assert_int_equal(f.nno_effect, 0);
	assert_int_equal(f.kills, 0);
}

/* No virtio-net device: -ENODEV, nothing started, netd's keys said. */
static void test_no_device(void **state)
{
	static const struct bootinfo none = { .ndevices = 0 };

	(void)state;
	reset();
	assert_int_equal(netdev_start(&none), -ENODEV);
	assert_int_equal(netdev_refused(), 0);
	assert_int_equal(netdev_endpoint(), -1);
	assert_int_equal(open_count(), 0);
	assert_int_equal(f.nno_effect, 2);
	assert_string_equal(f.no_effect[0], "net.addr");
}

/* netd answers NET_SETUP with err: the start fails with it, saying line,
 * netd is abandoned (no handle left), programs are told -ENODEV and
 * netd's keys said to have no effect. */
static void start_fails(int err, const char *line)
{
	uint64_t h;

	reset();
	f.setup_answer = err;
	assert_int_equal(netdev_start(&bi), err);
	assert_string_equal(said, line);
	assert_int_equal(netdev_refused(), 1);
	assert_int_equal(netdev_endpoint(), -1);
	assert_int_equal(open_count(), 0);
	assert_int_equal(ask(&h), -ENODEV);
	assert_int_equal(f.nno_effect, 2);
}

/* netd refuses the device. */
static void test_setup_refused(void **state)
{
	(void)state;
	start_fails(-ENOTSUP, "pager: netd refused its virtio-net device at 0x10008000 "
			      "(-95: one it cannot drive, said above)\n");
}

/* netd could not start the device for want of packet buffers: the line
 * does not say the device was refused. */
static void test_setup_short(void **state)
{
	(void)state;
	start_fails(-ENOMEM, "pager: netd could not be set up for its virtio-net device at "
			     "0x10008000 (-12)\n");
}

/* net.end_at_start: netd is killed once set up. */
static void test_end_at_start(void **state)
{
	(void)state;
	config.net_end_at_start = 1;
	assert_int_equal(start(), 0);
	config.net_end_at_start = 0;
	assert_int_equal(f.kills, 1);
}

/* A program is admitted (its entry in the status page) before it is
 * granted netd's endpoint, and forgotten at its reaping; once netd is
 * reaped it is told -ENODEV, and the pager holds nothing of netd's. */
static void test_programs(void **state)
{
	uint64_t h = 0;

	(void)state;
	assert_int_equal(start(), 0);
	assert_int_equal(ask(&h), 0);
	assert_int_equal(h, 9);
	assert_int_equal(f.granted_to, prog.handle);
	assert_true(f.admitted_at_grant == net_admission(PROG_PID, prog.line));
	netdev_forget(&prog);
	assert_true(shared->admitted[PROG_SLOT] == 0);
	reap_netd();
	assert_int_equal(ask(&h), -ENODEV);
	assert_int_equal(netdev_endpoint(), -1);
	assert_int_equal(open_count(), 0);
}

/* Swap set up on netd: the engine is given its endpoint, its process
 * handle and the export's size, and netd's end is swap's from then on. */
static void test_swap_driver(void **state)
{
	struct nbd_driver drv;

	(void)state;
	swap_set_up(&drv);
	assert_int_equal(drv.ep, netdev_endpoint());
	assert_int_equal(drv.proc, netd_rec.handle);
	assert_ptr_equal(drv.shared, shared);
	assert_true(drv.sectors == SECTORS);
	assert_int_equal(netd_rec.serves_swap, 1);
}

/* netd refuses the export: no swap driver, netd's end not swap's. */
static void test_swap_driver_refused(void **state)
{
	struct nbd_driver drv;

	(void)state;
	assert_int_equal(start(), 0);
	f.swap_setup_answer = -EIO;
	assert_int_equal(swap_driver(&drv), -EIO);
	assert_int_equal(netd_rec.serves_swap, 0);
	netdev_swap_release();		/* nothing to let go */
	assert_int_equal(f.stops, 0);
	reap_netd();
	assert_int_equal(swap_driver(&drv), -ENODEV);
	assert_int_equal(open_count(), 0);
}

/* Swap refuses the export while netd lives: NET_SWAP_STOP once, netd's
 * end no longer swap's, and at its reaping every handle goes. */
static void test_release_alive(void **state)
{
	struct nbd_driver drv;

	(void)state;
	swap_set_up(&drv);
	netdev_swap_release();
	assert_int_equal(f.stops, 1);
	assert_int_equal(netd_rec.serves_swap, 0);
	netdev_swap_release();		/* a second release: nothing more */
	assert_int_equal(f.stops, 1);
	assert_true(netdev_endpoint() >= 0);	/* programs may still reach it */
	reaped_leaving_nothing();
}

/* netd ended but not yet reaped when swap lets it go: the stop fails
 * (-EPIPE), its end is no longer swap's, and its reaping closes all. */
static void test_release_ended(void **state)
{
	struct nbd_driver drv;

	(void)state;
	swap_set_up(&drv);
	f.netd_ended = 1;
	netdev_swap_release();
	assert_int_equal(netd_rec.serves_swap, 0);
	reaped_leaving_nothing();
}

/* netd reaped during swap's setup, before the release: its endpoint and
 * its process handle were kept for the engine; the release closes both. */
static void test_release_reaped(void **state)
{
	struct nbd_driver drv;

	(void)state;
	swap_set_up(&drv);
	reap_netd();
	assert_int_equal(netdev_endpoint(), -1);
	assert_int_equal(open_count(), 2);	/* the engine's, until released */
	netdev_swap_release();
	assert_int_equal(f.stops, 0);
	assert_int_equal(open_count(), 0);
}

/* Swap took the export and netd is reaped: the engine keeps both numbers
 * (it may still name netd's window), programs are told -ENODEV. */
static void test_swap_kept(void **state)
{
	struct nbd_driver drv;
	uint64_t h;

	(void)state;
	swap_set_up(&drv);
	reap_netd();
	assert_int_equal(ask(&h), -ENODEV);
	assert_true(f.open[drv.ep] && f.open[drv.proc]);
	assert_int_equal(open_count(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_no_device),
		cmocka_unit_test(test_setup_refused),
		cmocka_unit_test(test_setup_short),
		cmocka_unit_test(test_end_at_start),
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_swap_driver),
		cmocka_unit_test(test_swap_driver_refused),
		cmocka_unit_test(test_release_alive),
		cmocka_unit_test(test_release_ended),
		cmocka_unit_test(test_release_reaped),
		cmocka_unit_test(test_swap_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
