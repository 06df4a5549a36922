/*
 * The kernel's own boot arguments (keys starting with "kernel."); every
 * other key belongs to the pager. See docs/boot-args.md.
 */
#ifndef KERNEL_PARAMS_H
#define KERNEL_PARAMS_H

#include <stdint.h>

struct kernel_params {
	uint64_t timeslice_ms;	/* kernel.timeslice_ms */
	int verbose;		/* kernel.verbose: log every fault message */
};

extern struct kernel_params kparams;

/* Parse cmdline (may be NULL), report problems, fill kparams. */
void params_parse(const char *cmdline);
/* Print the values in force on one line ("kernel.timeslice_ms=10 ..."). */
void params_print(void);

#endif
