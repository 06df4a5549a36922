/*
 * The root task: the first and only program the kernel starts. It takes
 * over every user frame, reads its boot arguments, starts init and then
 * serves programs' requests and process deaths for the rest of the system's
 * life; PAGER_FAULT_THREADS more take page faults (server/service.c).
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include "bootargs.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/mmu.h"
#include "base/threads.h"
#include "reclaim/oom.h"
#include "reclaim/policy/policy.h"
#include "reclaim/pressure.h"
#include "reclaim/reclaim.h"
#include "server/blk_driver.h"
#include "server/driver_watch.h"
#include "server/netdev.h"
#include "server/procs.h"
#include "server/service.h"
#include "server/spawn.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "vm/vm.h"
#include "sys.h"
#include "kernel/abi/bootinfo.h"

#define INIT_ARGS_MAX SPAWN_ARGS_MAX	/* "init", init.run and its words */

static int setup_frames(const struct bootinfo *bi)
{
	struct frame_range free[BOOTINFO_MAX_RANGES];
	int n = (int)bi->nfree;

	for (int i = 0; i < n; i++)
		free[i] = (struct frame_range){ bi->free[i].base, bi->free[i].end };
	return frames_init(bi->ram_base, bi->ram_end, free, n, (uint8_t *)PHYSMAP_BASE + bi->ram_base);
}

/* argv for init: ["init", run, args split on ','] (run is "demo" by
 * default). Words past what a program may be given are reported with the
 * first of them, not dropped unsaid. */
static int init_argv(char *buf, size_t size, const char **argv)
{
	int argc = 2;
	char *s = buf;

	argv[0] = "init";
	argv[1] = config.init_run;
	if (!config.init_args[0])
		return argc;
	strncpy(buf, config.init_args, size - 1);
	buf[size - 1] = '\0';
	for (;;) {
		if (argc == INIT_ARGS_MAX) {
			printf("pager: boot: init.args has more than %d words; init is given the "
			       "first %d, from '%s' on is left out\n", INIT_ARGS_MAX - 2,
			       INIT_ARGS_MAX - 2, s);
			break;
		}
		argv[argc++] = s;
		s = strchr(s, ',');
		if (!s)
			break;
		*s++ = '\0';
	}
	return argc;
}

/* The kernel's pool, in pages: what a process's page tables are limited by. */
static uint64_t kernel_pool_pages(void)
{
	struct kernel_info k;

	if (sys_kernel_info(&k) < 0) {
		printf("pager: cannot read the kernel's pool size; page tables are not limited\n");
		return 0;
	}
	return k.pool_pages;
}

/* This thread serves requests, with more started beside it for faults; its
 * disk completions come with deaths. It holds the pager lock until it
 * starts serving, so the others wait for the set-up to finish. The order
 * gives the threads their ids, and so their turn for the lock. NULL if a
 * thread could not be started. */
static struct pager_thread *start_threads(const struct spawn_env *env)
{
	struct pager_thread *service = service_adopt(env->deaths);

	if (!service || swap_out_thread_start() < 0 || reclaim_start() < 0 ||
	    swap_in_thread_start() < 0 || service_start(env->pager_ep, env->fault_ep) < 0)
		return NULL;
	return service;
}

/* Swap over the NBD export netd reaches (scripts/run's guestfwd rule). */
static void start_nbd_swap(struct pager_thread *service)
{
	static struct nbd_driver drv;
	struct swap_backend backend;

	if (netdev_endpoint() < 0) {
		printf("pager: swap: %s for an NBD export; running without swap\n",
		       netdev_refused() ? "the network device attached is not used" : "no network");
		return;
	}
	if (netdev_swap_driver(NBD_SERVER_ADDR, NBD_SERVER_PORT, &drv) < 0) {
		printf("pager: swap: no NBD export; running without swap\n");
		return;
	}
	nbd_backend_init(&backend, &drv);
	reclaim_start_swap(&backend, service);
	if (!swap_on()) {
		nbd_backend_fini();
		netdev_swap_release();
	}
}

/* Swap on the first virtio block device if it is a swap disk: 0 if swap
 * came on; -ENODEV if the machine has no block device, and only then;
 * another -errno if it has one that swap is not on (its driver refused it,
 * or swap refused the disk: said where). */
static int start_blk_swap(const struct bootinfo *bi, struct pager_thread *service)
{
	static struct blk_driver drv;
	struct swap_backend backend;
	int r = blk_driver_start(bi, &drv);

	if (r < 0)
		return r;
	blk_backend_init(&backend, &drv);
	reclaim_start_swap(&backend, service);
	if (swap_on())
		return 0;
	/* A disk swap refused keeps no driver, process or frames of ours. */
	blk_backend_fini();
	blk_driver_stop(&drv);
	return -EINVAL;
}

/* Swap on the device swap.device names: the first virtio block device if
 * it is a swap disk (blk), the NBD export (nbd), or the disk if there is
 * one, else the export (auto). A disk that is there but not used (refused
 * by its driver or by swap) is not passed over for the export: the swap
 * area would not be the one the machine was given. */
static void start_swap(const struct bootinfo *bi, struct pager_thread *service)
{
	int r = -ENODEV;

	if (config.swap_device != SWAP_DEVICE_NBD && (r = start_blk_swap(bi, service)) == 0) {
		config_no_effect("swap.nbd_outage", "swap is on a virtio-blk disk");
		return;
	}
	if (config.swap_device == SWAP_DEVICE_NBD ||
	    (r == -ENODEV && config.swap_device == SWAP_DEVICE_AUTO && netdev_endpoint() >= 0)) {
		start_nbd_swap(service);
		/* No export, or one swap refused: netd let it go (or never had
		 * it), so no outage of its server is ever ridden out. */
		if (!swap_on())
			config_no_effect("swap.nbd_outage", "swap is not on the NBD export");
	} else {
		if (r == -ENODEV)
			printf("pager: swap: no disk attached%s; running without swap\n",
			       config.swap_device == SWAP_DEVICE_AUTO && netdev_refused() ?
			       ", and the network device attached is not used" : "");
		else
			printf("pager: swap: the disk attached is not used; running without swap%s\n",
			       config.swap_device == SWAP_DEVICE_AUTO && netdev_endpoint() >= 0 ?
			       " (swap.device=auto takes the NBD export only when no disk is attached)" :
			       "");
		config_no_effect("swap.nbd_outage", "swap is not over NBD");
	}
	/* Only the virtio-blk driver's link has the hook (blk_backend_init),
	 * and with swap not on the disk, no batch follows the header's read. */
	if (!blk_backend_driver_ended())
		config_no_effect("swap.end_driver_at", "swap is on no virtio-blk disk");
}

/* Keys only swap gives effect to, said when swap did not come on (the
 * policy starts with swap, reclaim_start_swap, and only swap-ins read
 * ahead), and the seed under a policy that draws no random numbers. */
static void report_unused_keys(void)
{
	const struct policy_ops *ops = policy_all[config.policy];
	char why[64];

	if (!swap_on()) {
		config_no_effect("pager.policy", "swap is off, so no page is ever evicted");
		config_no_effect("pager.seed", "swap is off, so no page is ever evicted");
		config_no_effect("pager.readahead", "swap is off, so no page is ever read back");
		return;
	}
	if (!ops->seeded) {
		snprintf(why, sizeof(why), "the %s policy draws no random numbers", ops->name);
		config_no_effect("pager.seed", why);
	}
}

/* The boot arguments, the frame table and the VM core; -1 if the pager
 * cannot run (said why). */
static int setup_memory(const struct bootinfo *bi)
{
	const struct config_choices choices = { policy_names(), OOM_POLICY_CHOICES,
						VM_FAULTAROUND_MAX, VM_READAHEAD_MAX };

	if (bi->magic != BOOTINFO_MAGIC) {
		printf("pager: no boot info from the kernel\n");
		return -1;
	}
	config_parse(bi->cmdline, &choices);
	if (setup_frames(bi) < 0) {
		printf("pager: too little memory for the frame table\n");
		return -1;
	}
	printf("pager: %lu frames (%lu KiB) free of %lu, %u-byte frame descriptors\n",
	       (unsigned long)frames_free(), (unsigned long)frames_free() * 4,
	       (unsigned long)frames_total(), frames_descriptor_size());
	config_print();
	vm_init(mmu_ops(), config.faultaround);
	vm_set_readahead(config.readahead);
	procs_init();
	oom_procs_init();
	pressure_init();
	reclaim_init();
	return 0;
}

int main(void)
{
	const struct bootinfo *bi = (const struct bootinfo *)BOOTINFO_VA;
	const char *argv[INIT_ARGS_MAX + 1];
	static char argbuf[BOOTARG_STR_MAX];	/* init.args, split in place */
	struct spawn_env env;
	struct pager_thread *service;
	struct pproc *init;
	int argc, err;

	pager_clock_init(bi->timebase_hz);
	if (setup_memory(bi) < 0)
		return 1;
	env.initrd = (const void *)(PHYSMAP_BASE + bi->initrd.base);
	env.initrd_size = bi->initrd.end - bi->initrd.base;
	env.kernel_pool_pages = kernel_pool_pages();
	env.pager_ep = sys_endpoint_create();
	env.fault_ep = sys_endpoint_create();
	env.deaths = sys_notify_create();
	env.driver_deaths = env.deaths < 0 ? -1 : driver_watch_start(env.deaths);
	if (env.pager_ep < 0 || env.fault_ep < 0 || env.deaths < 0 || env.driver_deaths < 0) {
		printf("pager: cannot create its endpoints, notifications or driver watch\n");
		return 1;
	}
	spawn_init(&env);
	if (!(service = start_threads(&env))) {
		printf("pager: cannot start its threads\n");
		return 1;
	}
	netdev_start(bi);
	start_swap(bi, service);
	report_unused_keys();
	reclaim_print();
	printf("pager: a process's page tables may use %lu kernel pages of %lu\n",
	       (unsigned long)spawn_pt_limit(), (unsigned long)env.kernel_pool_pages);
	printf("pager: a line's processes may use %lu kernel pages of %lu together (half of "
	       "what a quarter kept for the pager, init and drivers leaves)\n",
	       (unsigned long)spawn_pool_limit(), (unsigned long)env.kernel_pool_pages);
	printf("pager: a line's page arrays may use %lu KiB of the pager's heap\n",
	       (unsigned long)(spawn_arrays_limit() >> 10));
	argc = init_argv(argbuf, sizeof(argbuf), argv);
	init = spawn(NULL, argc, argv, -1, 0, NULL, &err);
	if (!init) {
		printf("pager: cannot start init (%d)\n", err);
		sys_poweroff(1);
	}
	init->oom_exempt = 1;	/* everything else would end with it */
	service_loop(init);
}
