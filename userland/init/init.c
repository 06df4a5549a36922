/*
 * init: the first program. argv is ["init"] (run the demonstration) or
 * ["init", NAME, args...] (boot arguments init.run and init.args): run that
 * program, say how it ended, and power off with its exit status.
 */
#include <errno.h>
#include <stdio.h>

#include "exit_report.h"
#include "pager_client.h"
#include "sys.h"

#define DEFAULT_PROGRAM "demo"
#define STATUS_NOT_FOUND 127	/* as a shell says "command not found" */

/* The status to power off with: the program's own, or 1 if it was killed. */
static int final_status(const struct exit_info *info)
{
	return info->how == EXIT_NORMAL ? info->status : 1;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : DEFAULT_PROGRAM;
	const char *const *args = argc > 1 ? (const char *const *)&argv[1] : NULL;
	struct exit_info info;
	char text[96];
	int pid = 0;

	int h = spawn(name, args, -1, &pid);
	if (h == -PAGER_ENOENT) {
		printf("init: cannot run '%s': no such program in the initrd\n", name);
		poweroff(STATUS_NOT_FOUND);
	}
	if (h == -PAGER_EDAMAGED) {	/* the pager has said where */
		printf("init: cannot run '%s': the initrd is damaged\n", name);
		poweroff(STATUS_NOT_FOUND);
	}
	if (h == -ENOEXEC) {	/* the pager says why only for its own spawns */
		printf("init: cannot run '%s': not a program the pager can load (no RISC-V ELF "
		       "executable)\n", name);
		poweroff(STATUS_NOT_FOUND);
	}
	if (h < 0) {
		printf("init: cannot run '%s': error %d\n", name, -h);
		poweroff(STATUS_NOT_FOUND);
	}
	int r = sys_proc_wait(h, &info, 0);
	if (r < 0) {
		printf("init: cannot wait for '%s': error %d\n", name, -r);
		poweroff(1);
	}
	printf("init: %s (pid %d) %s\n", name, pid, exit_describe(&info, text, sizeof(text)));
	poweroff(final_status(&info));
}
