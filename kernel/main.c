/*
 * Boot: read the device tree, size the kernel, start the root task and
 * schedule. The summary printed here is the first thing a user sees.
 */
#include <stdint.h>
#include "arch.h"
#include "console.h"
#include "devtree.h"
#include "memmap.h"
#include "device.h"
#include "kmem.h"
#include "params.h"
#include "root.h"
#include "proc.h"
#include "fault.h"
#include "ipc.h"
#include "notify.h"
#include "budget.h"
#include "sched.h"
#include "entry.h"
#include "klib.h"
#include "bootargs.h"
#include "abi/bootinfo.h"
#include "abi/clock.h"

#define DTB_MAX (1UL << 20)
#define KIB(x) ((x) / 1024)

extern char __kernel_start[], __kernel_end[];

static char cmdline[BOOTINFO_CMDLINE_MAX];
static struct devtree_info dt;

/* The whole blob is checked before anything is taken from it. */
static void read_devtree(uint64_t dtb_pa, uint32_t *size)
{
	int r = devtree_read(pa_to_kva(dtb_pa), DTB_MAX, &dt);

	if (r == DT_ERR_TOOBIG)
		panic("device tree at 0x%lx larger than %lu bytes", dtb_pa, DTB_MAX);
	if (r < 0)
		panic("device tree at 0x%lx unreadable: %s", dtb_pa, devtree_strerror(r));
	*size = dt.size;
}

static void report_line(void *ctx, const char *line)
{
	(void)ctx;
	kprintf("%s\n", line);
}

/* Keep the command line for the kernel and the pager: whole words only, and
 * each word past the limit named, so nothing is lost without a word. */
static void copy_cmdline(void)
{
	bootargs_keep(dt.bootargs, dt.bootargs_len, cmdline, sizeof(cmdline), report_line, NULL);
}

/* The kernel pool: 1/32 of RAM, between 2 and 32 MiB. */
static uint64_t pool_bytes(void)
{
	uint64_t ram = memmap.ram_end - memmap.ram_base;
	uint64_t b = ram / 32;

	b = b < (2UL << 20) ? (2UL << 20) : b > (32UL << 20) ? (32UL << 20) : b;
	return ALIGN_DOWN(b, 4096);
}

static void print_devices(void)
{
	kprintf("devices  uart 0x%lx, plic 0x%lx (%u sources), finisher 0x%lx, %lu virtio-mmio slots",
		dt.uart.base, dt.plic.base, dt.plic_ndev, dt.finisher.base, dt.nvirtio);
	if (dt.nvirtio)
		kprintf(" (first at 0x%lx, irq %u)", dt.virtio[0].base, dt.virtio[0].irq);
	kprintf("\n");
}

static void print_memory(uint64_t image, uint64_t pool)
{
	uint64_t ram = memmap.ram_end - memmap.ram_base;

	uint64_t firmware = kva_to_pa(__kernel_start) - memmap.ram_base;

	kprintf("memory   %lu KiB at 0x%lx: firmware %lu KiB, kernel %lu KiB (image %lu, pool %lu), "
		"device tree and reserved %lu KiB\n", KIB(ram), memmap.ram_base, KIB(firmware),
		KIB(image + pool), KIB(image), KIB(pool), KIB(memmap.reserved_bytes));
	kprintf("         user: %lu KiB free (%lu frames), root task %lu KiB, initrd %lu KiB\n",
		KIB(memmap_free_bytes()), memmap_free_bytes() / 4096,
		KIB(memmap.root_image.end - memmap.root_image.base),
		KIB(memmap.initrd.end - memmap.initrd.base));
}

void kmain(uint64_t hartid, uint64_t dtb_pa)
{
	uint32_t dtb_size;
	uint64_t image = (uint64_t)(__kernel_end - __kernel_start), pool, pool_pa;

	read_devtree(dtb_pa, &dtb_size);
	arch_console_init(dt.uart.base);
	arch_set_finisher(dt.finisher.base);
	arch_timer_init(dt.timebase_hz);
	arch_trap_init();
	device_init(&dt);
	kprintf("\npagerkernel: a RISC-V microkernel whose memory manager is a user-level pager "
		"(hart %lu)\n", hartid);
	copy_cmdline();
	params_parse(cmdline);
	if (memmap_init(&dt, dtb_pa, dtb_size, kva_to_pa(__kernel_end)) < 0)
		panic("device tree lists no memory");
	pool = pool_bytes();
	if (!(pool_pa = memmap_take(pool)))
		panic("no room for a %lu KiB kernel pool", KIB(pool));
	kmem_init(pool_pa, pool_pa + pool);
	kprintf("boot     \"%s\"\n         ", cmdline);
	params_print();
	kprintf("\n");
	print_devices();
	kprintf("timer    %lu Hz, time slice %lu ms\n", dt.timebase_hz, kparams.timeslice_ms);
	fault_init();
	proc_init();
	ipc_init();
	notify_init();
	budget_init();
	root_start(&dt, cmdline);
	print_memory(image, pool);
	sched_init(kparams.timeslice_ms * (uint64_t)CLOCK_NS_PER_MS);
	/* entry.S then leaves through arch_kernel_exit, as every trap does:
	 * the root task runs first. */
}
