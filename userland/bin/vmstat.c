/*
 * vmstat: prints the pager's counters one per line, like Linux's
 * /proc/vmstat ("faults 123"), then one line per process: pid, name, pages
 * resident, of those shared with another process, and regions.
 */
#include "vmstat_print.h"

int main(void)
{
	return vmstat_print("") < 0 ? 1 : 0;
}
