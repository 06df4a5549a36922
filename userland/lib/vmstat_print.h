/*
 * The pager's statistics as text, like Linux's /proc/vmstat: shared by the
 * vmstat tool and the test suite, which prints them after its summary.
 */
#ifndef USER_VMSTAT_PRINT_H
#define USER_VMSTAT_PRINT_H

/* Print one "name value" line per counter, then a table of processes (pid,
 * name, resident, shared, regions), every line starting with prefix ("" or
 * "# " for TAP comments). 0, or a negated error after saying so. */
int vmstat_print(const char *prefix);

#endif
