/*
 * Wording for process ends: the kill causes of kernel/abi/proc.h and a
 * one-line description of a struct exit_info.
 */
#include <stdio.h>

#include "exit_report.h"
#include "pager/protocol.h"

const char *kill_cause_name(unsigned cause)
{
	static const char *const names[] = {
		[CAUSE_NONE] = "no cause",
		[CAUSE_KILLED] = "killed by request",
		[CAUSE_PAGE_FAULT] = "page fault",
		[CAUSE_ILLEGAL] = "illegal instruction",
		[CAUSE_MISALIGNED] = "misaligned access",
		[CAUSE_BAD_TRAP] = "unexpected trap",
		[CAUSE_NO_PAGER] = "fault with no pager",
	};

	if (cause >= sizeof(names) / sizeof(names[0]) || names[cause] == NULL)
		return "unknown cause";
	return names[cause];
}

static void describe_kill(const struct exit_info *info, char *buf, size_t size)
{
	const char *what = kill_cause_name(info->cause);

	switch (info->cause) {
	case CAUSE_KILLED:
		if (info->status == PAGER_KILLED_OOM)
			snprintf(buf, size, "was killed by the OOM killer");
		else
			snprintf(buf, size, "was killed by request (reason %d)",
				 (int)info->status);
		break;
	case CAUSE_PAGE_FAULT:
	case CAUSE_MISALIGNED:
	case CAUSE_NO_PAGER:
		snprintf(buf, size, "was killed: %s at 0x%lx, pc 0x%lx", what,
			 (unsigned long)info->addr, (unsigned long)info->pc);
		break;
	default:
		snprintf(buf, size, "was killed: %s, pc 0x%lx", what,
			 (unsigned long)info->pc);
	}
}

char *exit_describe(const struct exit_info *info, char *buf, size_t size)
{
	switch (info->how) {
	case EXIT_NORMAL:
		snprintf(buf, size, "exited with status %d", (int)info->status);
		break;
	case EXIT_KILLED:
		describe_kill(info, buf, size);
		break;
	case EXIT_RUNNING:
		snprintf(buf, size, "is still running");
		break;
	default:
		snprintf(buf, size, "ended in an unknown way (%u)",
			 (unsigned)info->how);
	}
	return buf;
}
