/*
 * One phrase for how a process ended (struct exit_info from
 * sys_proc_wait), shared by init, the demonstration and the tests.
 */
#ifndef USER_EXIT_REPORT_H
#define USER_EXIT_REPORT_H

#include <stddef.h>

#include "kernel/abi/proc.h"

/* The name of a kill cause ("page fault", ...), or "unknown cause". */
const char *kill_cause_name(unsigned cause);

/* Write e.g. "exited with status 0" or "was killed: page fault at 0x0,
 * pc 0x10230" into buf; returns buf. */
char *exit_describe(const struct exit_info *info, char *buf, size_t size);

#endif
