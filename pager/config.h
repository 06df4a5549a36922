/*
 * The pager's boot arguments: every key but "kernel.*". The values in force
 * are printed at boot. See docs/boot-args.md.
 */
#ifndef PAGER_CONFIG_H
#define PAGER_CONFIG_H

#include <stdint.h>
#include "oom.h"

struct policy_ops;

struct pager_config {
	unsigned faultaround;	/* pager.faultaround: extra pages per fault */
	unsigned readahead;	/* pager.readahead: extra pages per swap-in read */
	const struct policy_ops *policy;	/* pager.policy */
	uint64_t seed;		/* pager.seed: for the random policy */
	/* Watermarks, in percent of the frames the pager manages (checked:
	 * reclaim_to < reclaim_at < 100 - free_min). */
	unsigned reclaim_at;	/* in use: background reclaim starts */
	unsigned reclaim_to;	/* in use: background reclaim stops */
	unsigned free_min;	/* free below this: a fault reclaims directly */
	unsigned reserve;	/* pager.reserve: frames kept from ordinary allocations */
	enum oom_policy oom_policy;	/* oom.policy */
	const char *init_run;	/* init.run: program for init to run, never empty */
	const char *init_args;	/* init.args: its arguments, comma-separated */
};

extern struct pager_config config;

void config_parse(const char *cmdline);
void config_print(void);

#endif
