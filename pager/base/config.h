/*
 * The pager's boot arguments: every key but "kernel.*". The values in force
 * are printed at boot. See docs/boot-args.md. Only values live here: what a
 * name such as a policy's stands for is the layer's above that owns it,
 * which hands in the names to choose from.
 */
#ifndef PAGER_CONFIG_H
#define PAGER_CONFIG_H

#include <stdint.h>

/* swap.device: which device swap goes to. */
enum swap_device { SWAP_DEVICE_BLK = 0, SWAP_DEVICE_NBD = 1, SWAP_DEVICE_AUTO = 2 };
#define SWAP_DEVICE_CHOICES "blk|nbd|auto"

enum config_watermarks { WATERMARKS_LINUX, WATERMARKS_SEED };

struct pager_config {
	unsigned faultaround;	/* pager.faultaround: extra pages per fault */
	unsigned readahead;	/* pager.readahead: extra pages per swap-in read */
	unsigned policy;	/* pager.policy: its index among the policy names given */
	const char *policy_name;
	uint64_t seed;		/* pager.seed: for the random policy */
	/* pager.watermarks: Linux's rule (the default), or seed 000's
	 * percentages, chosen too by giving any of them. */
	enum config_watermarks watermarks;
	unsigned watermark_scale;	/* linux: marks apart, in 1/10000 of memory */
	/* Seed watermarks, in percent of the frames the pager manages
	 * (checked: reclaim_to < reclaim_at < 100 - free_min). */
	unsigned reclaim_at;	/* in use: background reclaim starts */
	unsigned reclaim_to;	/* in use: background reclaim stops */
	unsigned free_min;	/* free below this: a fault reclaims directly */
	unsigned reserve;	/* pager.reserve: frames kept from ordinary allocations */
	unsigned oom_policy;	/* oom.policy: its index among the names given */
	const char *oom_policy_name;
	unsigned swap_device;	/* swap.device: enum swap_device */
	/* swap.end_driver_at (tests): the pager ends the virtio-blk swap
	 * driver as its Nth batch of requests (1: the swap header's read)
	 * is in the driver's hands; 0: never. */
	unsigned swap_end_driver_at;
	/* swap.nbd_outage: seconds the NBD server may answer nothing before
	 * swap over it is gone for good. */
	unsigned swap_nbd_outage;
	/* net.end_at_start (tests): 1, the pager ends netd as soon as it is
	 * set up; 0: never. */
	unsigned net_end_at_start;
	uint32_t net_addr;	/* net.addr: static IPv4 address, 0 = DHCP */
	unsigned net_prefix;	/* its prefix length */
	const char *init_run;	/* init.run: program for init to run, never empty */
	const char *init_args;	/* init.args: its arguments, comma-separated */
	unsigned check;		/* pager.check: 0 none, 1 after requests, 2 before too */
};

extern struct pager_config config;

/* What the layers that own them allow: the names pager.policy and
 * oom.policy choose from, "|"-separated, the first the default; the most
 * pages pager.faultaround and pager.readahead may name (the VM core's). */
struct config_choices {
	const char *policies;
	const char *oom_policies;
	unsigned faultaround_max;
	unsigned readahead_max;
};

void config_parse(const char *cmdline, const struct config_choices *choices);
void config_print(void);
/* Key, one of the pager's, was given on the command line but can have no
 * effect on this boot: say so on the console, with why (nothing if it was
 * not given). Not silently ignored, and not refused either: as with a bad
 * value, the boot goes on (docs/boot-args.md). */
void config_no_effect(const char *key, const char *why);

#endif
