/*
 * init: the first program. argv is ["init"] (run the demonstration) or
 * ["init", NAME, args...] (boot arguments init.run and init.args): run that
 * program, say how it ended, and power off with its exit status. NAME
 * may be FIRST+NAME: FIRST runs before, with no arguments, and must exit
 * with 0 (what it started may live on) before NAME starts; each is a line
 * of its own (pager/server/procs.c), as each is init's child, so a test
 * can see one line's bounds from another. FIRST+NAME is checked for two
 * names and one '+' before anything runs, but NAME is looked up in the
 * initrd only once FIRST has ended: the pager has no request that finds
 * a program without starting it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/* Start name with args; its handle, or power off saying why not. */
static int start(const char *name, const char *const *args, int *pid)
{
	int h = spawn(name, args, -1, pid);

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
	return h;
}

/* Run name with args to its end, and say how it ended; its status to
 * power off with. */
static int run(const char *name, const char *const *args)
{
	struct exit_info info;
	char text[96];
	int pid = 0;
	int h = start(name, args, &pid);
	int r = sys_proc_wait(h, &info, 0);

	if (r < 0) {
		printf("init: cannot wait for '%s': error %d\n", name, -r);
		poweroff(1);
	}
	sys_handle_close(h);
	printf("init: %s (pid %d) %s\n", name, pid, exit_describe(&info, text, sizeof(text)));
	return final_status(&info);
}

/* name's FIRST, if name is FIRST+NAME: name is cut at the '+' and the
 * FIRST returned (NAME follows its NUL); NULL for a plain name. An empty
 * half or a second '+' powers off saying so, before anything runs. */
static char *split_first(char *name)
{
	char *plus = strchr(name, '+');

	if (!plus)
		return NULL;
	if (plus == name || !plus[1] || strchr(plus + 1, '+')) {
		printf("init: init.run '%s': FIRST+NAME needs two names and one '+'\n", name);
		poweroff(STATUS_NOT_FOUND);
	}
	*plus = '\0';
	return name;
}

int main(int argc, char **argv)
{
	char *name = argc > 1 ? argv[1] : DEFAULT_PROGRAM;
	const char *const *args = argc > 1 ? (const char *const *)&argv[1] : NULL;
	char *first = split_first(name);
	int status;

	if (first) {
		argv[1] = name = first + strlen(first) + 1;
		if ((status = run(first, NULL)) != 0) {
			printf("init: %s not started: %s ended with %d\n", name, first, status);
			poweroff(status);
		}
	}
	poweroff(run(name, args));
}
