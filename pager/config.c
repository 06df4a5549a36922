/*
 * The table of the pager's boot arguments. Parsing and reporting are
 * lib/bootargs.c's; keys starting with "kernel." are the kernel's.
 */
#include <stdio.h>
#include "config.h"
#include "bootargs.h"

enum { C_FAULTAROUND, C_READAHEAD, C_INIT_RUN, C_INIT_ARGS, C_COUNT };

static const struct bootarg_spec specs[C_COUNT] = {
	[C_FAULTAROUND] = { "pager.faultaround", BOOTARG_UINT, "8", NULL, 0, 16,
			    "pages mapped ahead of a faulting page in the same region" },
	[C_READAHEAD] = { "pager.readahead", BOOTARG_UINT, "8", NULL, 0, 16,
			  "pages read after a swapped-in page when they follow it on disk" },
	[C_INIT_RUN] = { "init.run", BOOTARG_STRING, "", NULL, 0, 0,
			 "program init runs instead of the demonstration" },
	[C_INIT_ARGS] = { "init.args", BOOTARG_STRING, "", NULL, 0, 0,
			  "its arguments, comma-separated" },
};

static struct bootarg_value values[C_COUNT];

struct pager_config config;

static void report(void *ctx, const char *line)
{
	(void)ctx;
	printf("pager: %s\n", line);
}

void config_parse(const char *cmdline)
{
	bootargs_parse(cmdline, specs, C_COUNT, values, NULL, "kernel.", report, NULL);
	config.faultaround = (unsigned)values[C_FAULTAROUND].num;
	config.readahead = (unsigned)values[C_READAHEAD].num;
	config.init_run = values[C_INIT_RUN].str;
	config.init_args = values[C_INIT_ARGS].str;
}

void config_print(void)
{
	printf("pager: pager.faultaround=%u pager.readahead=%u init.run=%s init.args=%s\n",
	       config.faultaround, config.readahead, config.init_run[0] ? config.init_run : "(demo)",
	       config.init_args);
}
