/*
 * The table of kernel boot arguments and the values in force. Parsing and
 * reporting are lib/bootargs.c's; this file only says which keys exist.
 */
#include "params.h"
#include "bootargs.h"
#include "console.h"

enum { P_TIMESLICE, P_VERBOSE, P_COUNT };

static const struct bootarg_spec specs[P_COUNT] = {
	[P_TIMESLICE] = { "kernel.timeslice_ms", BOOTARG_UINT, "10", NULL, 1, 1000,
			  "scheduler time slice in milliseconds" },
	[P_VERBOSE] = { "kernel.verbose", BOOTARG_CHOICE, "0", "0|1", 0, 0,
			"1: log every page-fault message on the console" },
};

static struct bootarg_value values[P_COUNT];

struct kernel_params kparams;

static void report(void *ctx, const char *line)
{
	(void)ctx;
	kprintf("%s\n", line);
}

void params_parse(const char *cmdline)
{
	bootargs_parse(cmdline, specs, P_COUNT, values, "kernel.", NULL, report, NULL);
	kparams.timeslice_ms = values[P_TIMESLICE].num;
	kparams.verbose = (int)values[P_VERBOSE].num;
}

void params_print(void)
{
	for (int i = 0; i < P_COUNT; i++)
		kprintf("%s%s=%s", i ? " " : "", specs[i].key, values[i].str);
}
