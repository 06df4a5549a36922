/*
 * The table of the pager's boot arguments. Parsing and reporting are
 * lib/bootargs.c's; keys starting with "kernel." are the kernel's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "base/config.h"
#include "bootargs.h"
#include "drivers/net_protocol.h"	/* NET_SWAP_OUTAGE_MAX */

enum {
	C_FAULTAROUND, C_READAHEAD, C_POLICY, C_SEED, C_WATERMARKS, C_WATERMARK_SCALE,
	C_RECLAIM_AT, C_RECLAIM_TO, C_FREE_MIN, C_RESERVE, C_OOM_POLICY, C_SWAP_DEVICE,
	C_SWAP_END_DRIVER_AT, C_SWAP_NBD_OUTAGE, C_NET_ADDR, C_NET_END_AT_START,
	C_INIT_RUN, C_INIT_ARGS, C_CHECK, C_COUNT
};

/* The watermarks' defaults, written once: the table's defaults are these
 * numbers as text, and inconsistent values fall back to them. */
#define DEFAULT_RECLAIM_AT 80
#define DEFAULT_RECLAIM_TO 70
#define DEFAULT_FREE_MIN 2
#define TEXT(x) #x
#define AS_TEXT(x) TEXT(x)

/* Not const: the choices and the faultaround and readahead bounds come from
 * the layers that own them (config_parse). */
static struct bootarg_spec specs[C_COUNT] = {
	[C_FAULTAROUND] = { "pager.faultaround", BOOTARG_UINT, "8", NULL, 0, 0,
			    "pages mapped ahead of a faulting page in the same region" },
	[C_READAHEAD] = { "pager.readahead", BOOTARG_UINT, "8", NULL, 0, 0,
			  "pages of its region read after a swapped-in page, wherever on disk" },
	[C_POLICY] = { "pager.policy", BOOTARG_CHOICE, NULL, NULL, 0, 0,
		       "page replacement policy (docs/policies.md)" },
	[C_SEED] = { "pager.seed", BOOTARG_UINT, "1", NULL, 0, UINT32_MAX,
		     "seed of the random policy, so runs repeat" },
	/* The order of the names is enum config_watermarks's. */
	[C_WATERMARKS] = { "pager.watermarks", BOOTARG_CHOICE, "linux", "linux|seed", 0, 0,
			   "how the watermarks are set: linux (a minimum growing with the square "
			   "root of memory) or seed (the percentages below)" },
	[C_WATERMARK_SCALE] = { "pager.watermark_scale", BOOTARG_UINT, "10", NULL, 1, 1000,
				"linux watermarks: the gap between marks, in 1/10000 of memory "
				"(Linux's watermark_scale_factor)" },
	[C_RECLAIM_AT] = { "pager.reclaim_at", BOOTARG_UINT, AS_TEXT(DEFAULT_RECLAIM_AT), NULL, 1, 99,
			   "percent of frames in use at which background reclaim starts" },
	[C_RECLAIM_TO] = { "pager.reclaim_to", BOOTARG_UINT, AS_TEXT(DEFAULT_RECLAIM_TO), NULL, 1, 99,
			   "percent of frames in use at which background reclaim stops" },
	[C_FREE_MIN] = { "pager.free_min", BOOTARG_UINT, AS_TEXT(DEFAULT_FREE_MIN), NULL, 0, 50,
			 "percent of frames below which a fault reclaims directly (0: only when "
			 "an allocation fails)" },
	[C_RESERVE] = { "pager.reserve", BOOTARG_UINT, "32", NULL, 8, 4096,
			"frames only the pager's own memory and the reclaim path may take" },
	[C_OOM_POLICY] = { "oom.policy", BOOTARG_CHOICE, NULL, NULL, 0, 0,
			   "how the OOM killer scores processes (docs/design.md)" },
	[C_SWAP_DEVICE] = { "swap.device", BOOTARG_CHOICE, "auto", SWAP_DEVICE_CHOICES, 0, 0,
			    "swap to the disk (blk), the NBD export over the network (nbd), or the "
			    "disk if there is one, else the export (auto)" },
	[C_SWAP_END_DRIVER_AT] = { "swap.end_driver_at", BOOTARG_UINT, "0", NULL, 0, UINT32_MAX,
				   "tests: end the virtio-blk swap driver as its Nth batch (read or write; "
				   "the first is the header's read) is in its hands (0: never)" },
	/* 120 s: longer than a service restart (systemd gives a unit 90 s to
	 * start, DefaultTimeoutStartSec, before it calls the start failed),
	 * so a server being restarted is back, or has failed, by then. */
	[C_SWAP_NBD_OUTAGE] = { "swap.nbd_outage", BOOTARG_UINT, "120", NULL, 1, NET_SWAP_OUTAGE_MAX,
				"seconds the NBD server may answer nothing (restarting, refusing "
				"connections) before swap over it is gone for good" },
	[C_NET_END_AT_START] = { "net.end_at_start", BOOTARG_UINT, "0", NULL, 0, 1,
				 "tests: end netd as soon as it is set up (1), so that what programs "
				 "ask of the network after its end can be seen (0: never)" },
	[C_NET_ADDR] = { "net.addr", BOOTARG_IPV4, "dhcp", "dhcp", 0, 0,
			 "the network server's address: dhcp, or a.b.c.d[/prefix] (docs/boot-args.md)" },
	/* At least one character: an empty init.run= is a mistake to report,
	 * not a quiet way of asking for the demonstration. */
	[C_INIT_RUN] = { "init.run", BOOTARG_STRING, "demo", NULL, 1, 0,
			 "program init runs (demo: the demonstration)" },
	[C_INIT_ARGS] = { "init.args", BOOTARG_STRING, "", NULL, 0, 0,
			  "its arguments, comma-separated" },
	[C_CHECK] = { "pager.check", BOOTARG_UINT, "0", NULL, 0, 2,
		      "walk the VM core's invariants after requests that change a space (1), "
		      "and before them too (2)" },
};

static struct bootarg_value values[C_COUNT];

struct pager_config config;

static void report(void *ctx, const char *line)
{
	(void)ctx;
	printf("pager: %s\n", line);
}

/* Background reclaim must start before free frames reach the direct
 * minimum, and stop with more free than when it started. */
static void check_watermarks(void)
{
	if (config.reclaim_to < config.reclaim_at && config.reclaim_at + config.free_min < 100)
		return;
	printf("pager: boot: inconsistent watermarks pager.reclaim_at=%u pager.reclaim_to=%u "
	       "pager.free_min=%u (need reclaim_to < reclaim_at < 100 - free_min); using %u %u %u\n",
	       config.reclaim_at, config.reclaim_to, config.free_min, DEFAULT_RECLAIM_AT,
	       DEFAULT_RECLAIM_TO, DEFAULT_FREE_MIN);
	config.reclaim_at = DEFAULT_RECLAIM_AT;
	config.reclaim_to = DEFAULT_RECLAIM_TO;
	config.free_min = DEFAULT_FREE_MIN;
}

void config_no_effect(const char *key, const char *why)
{
	for (int k = 0; k < C_COUNT; k++) {
		if (strcmp(specs[k].key, key) != 0)
			continue;
		if (values[k].given)
			printf("pager: boot: %s=%s has no effect: %s\n", key, values[k].str, why);
		return;
	}
	/* A caller's slip, not the user's: said, so that no test passes on a
	 * line that can never come. */
	printf("pager: config_no_effect: no boot argument %s\n", key);
}

/* The percentages are seed 000's rule: giving any of them chooses it,
 * unless pager.watermarks=linux was given too, which is reported. Either
 * way the seed rule's keys prevail, so pager.watermark_scale given with
 * them, which only the linux rule reads, is reported as having no effect. */
static void choose_watermarks(void)
{
	int pct = values[C_RECLAIM_AT].given || values[C_RECLAIM_TO].given ||
		  values[C_FREE_MIN].given;

	config.watermarks = (enum config_watermarks)values[C_WATERMARKS].num;
	if (pct && config.watermarks != WATERMARKS_SEED) {
		if (values[C_WATERMARKS].given)
			printf("pager: boot: pager.reclaim_at, reclaim_to and free_min are the seed "
			       "watermarks' keys; using pager.watermarks=seed\n");
		config.watermarks = WATERMARKS_SEED;
	}
	if (config.watermarks == WATERMARKS_SEED)
		config_no_effect("pager.watermark_scale",
				 "it spaces the linux watermarks, and the seed ones are in force");
}

/* The first of the "|"-separated names: the default. */
static const char *first_of(const char *names, char *buf, size_t size)
{
	size_t n = 0;

	while (names[n] && names[n] != '|' && n + 1 < size) {
		buf[n] = names[n];
		n++;
	}
	buf[n] = '\0';
	return buf;
}

static void set_choice(int key, const char *names, char *def, size_t size)
{
	specs[key].choices = names;
	specs[key].def = first_of(names, def, size);
}

void config_parse(const char *cmdline, const struct config_choices *choices)
{
	static char policy_def[BOOTARG_STR_MAX], oom_def[BOOTARG_STR_MAX];

	set_choice(C_POLICY, choices->policies, policy_def, sizeof(policy_def));
	set_choice(C_OOM_POLICY, choices->oom_policies, oom_def, sizeof(oom_def));
	specs[C_FAULTAROUND].max = choices->faultaround_max;
	specs[C_READAHEAD].max = choices->readahead_max;
	bootargs_parse(cmdline, specs, C_COUNT, values, NULL, "kernel.", report, NULL);
	config.faultaround = (unsigned)values[C_FAULTAROUND].num;
	config.readahead = (unsigned)values[C_READAHEAD].num;
	config.policy = (unsigned)values[C_POLICY].num;
	config.policy_name = values[C_POLICY].str;
	config.seed = values[C_SEED].num;
	config.watermark_scale = (unsigned)values[C_WATERMARK_SCALE].num;
	choose_watermarks();
	config.reclaim_at = (unsigned)values[C_RECLAIM_AT].num;
	config.reclaim_to = (unsigned)values[C_RECLAIM_TO].num;
	config.free_min = (unsigned)values[C_FREE_MIN].num;
	check_watermarks();
	config.reserve = (unsigned)values[C_RESERVE].num;
	config.oom_policy = (unsigned)values[C_OOM_POLICY].num;
	config.oom_policy_name = values[C_OOM_POLICY].str;
	config.swap_device = (unsigned)values[C_SWAP_DEVICE].num;
	config.swap_end_driver_at = (unsigned)values[C_SWAP_END_DRIVER_AT].num;
	config.swap_nbd_outage = (unsigned)values[C_SWAP_NBD_OUTAGE].num;
	config.net_end_at_start = (unsigned)values[C_NET_END_AT_START].num;
	config.net_addr = (uint32_t)(values[C_NET_ADDR].num >> 8);
	config.net_prefix = (unsigned)(values[C_NET_ADDR].num & 0xff);
	config.init_run = values[C_INIT_RUN].str;
	config.init_args = values[C_INIT_ARGS].str;
	config.check = (unsigned)values[C_CHECK].num;
}

void config_print(void)
{
	printf("pager: pager.faultaround=%u pager.readahead=%u init.run=%s init.args=%s\n",
	       config.faultaround, config.readahead, config.init_run, config.init_args);
	printf("pager: pager.policy=%s pager.seed=%lu pager.reclaim_at=%u pager.reclaim_to=%u "
	       "pager.free_min=%u\n", config.policy_name, (unsigned long)config.seed,
	       config.reclaim_at, config.reclaim_to, config.free_min);
	printf("pager: pager.reserve=%u oom.policy=%s swap.device=%s net.addr=%s pager.check=%u\n",
	       config.reserve, config.oom_policy_name, values[C_SWAP_DEVICE].str,
	       values[C_NET_ADDR].str, config.check);
	printf("pager: pager.watermarks=%s pager.watermark_scale=%u\n",
	       config.watermarks == WATERMARKS_SEED ? "seed" : "linux", config.watermark_scale);
}
