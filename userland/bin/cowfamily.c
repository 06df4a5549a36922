/*
 * cowfamily: the demonstration's second act. A parent fills 4 MiB, forks
 * three children that share it copy-on-write, shows the pager's view of
 * the family (resident and shared pages), lets each child write a quarter
 * of it, shows the copies that made, and checks every byte on both sides.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pager_client.h"
#include "sys.h"

#define PAGES 1024
#define PAGE 4096
#define CHILDREN 3

/* Words the family shares for real (MAP_SHARED): the go signal and how
 * many children have written. */
struct board {
	volatile int go;
	volatile int written;
};

static uint8_t *data;
static struct board *board;

static uint8_t pattern(int page, int owner)
{
	return (uint8_t)(page * 7 + owner * 61 + 1);
}

static void wait_until(volatile int *v, int want)
{
	while (*v < want)
		sys_yield();
}

/* One child: read everything (no copies), write its quarter (copies). */
static int child(int n)
{
	int first = (n + 1) * PAGES / 4, bad = 0;

	wait_until(&board->go, 1);
	for (int p = 0; p < PAGES; p++)
		bad += data[p * PAGE + 100] != pattern(p, 0);
	for (int p = first; p < first + PAGES / 4; p++)
		memset(data + p * PAGE, pattern(p, n + 1), PAGE);
	__atomic_add_fetch(&board->written, 1, __ATOMIC_SEQ_CST);
	wait_until(&board->go, 2);
	for (int p = 0; p < PAGES; p++) {
		int owner = p >= first && p < first + PAGES / 4 ? n + 1 : 0;
		bad += data[p * PAGE + PAGE - 1] != pattern(p, owner);
	}
	return bad ? 1 : 0;
}

static void show_family(const char *when)
{
	struct pager_proc_stats st[16];
	struct pager_stats vm;
	int n = pager_proc_stats(0, st, 16, NULL);

	printf("cowfamily: %s\n", when);
	for (int i = 0; i < n; i++)
		if (strcmp(st[i].name, "cowfamily") == 0)
			printf("cowfamily:   pid %3u  resident %5u pages, %5u of them shared\n",
			       st[i].pid, st[i].resident, st[i].shared);
	if (pager_stats(&vm) == 0)
		printf("cowfamily:   pager: %lu frames shared, %lu copy-on-write breaks, %lu reuses\n",
		       (unsigned long)vm.frames_shared, (unsigned long)vm.cow_breaks,
		       (unsigned long)vm.cow_reuse);
}

static int parent_checks(void)
{
	int bad = 0;

	for (int p = 0; p < PAGES; p++)
		bad += data[p * PAGE] != pattern(p, 0) || data[p * PAGE + PAGE - 1] != pattern(p, 0);
	return bad;
}

int main(void)
{
	pid_t kids[CHILDREN];
	int failed = 0, status;

	data = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	board = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (data == MAP_FAILED || board == MAP_FAILED) {
		printf("cowfamily: mmap failed\n");
		return 1;
	}
	for (int p = 0; p < PAGES; p++)
		memset(data + p * PAGE, pattern(p, 0), PAGE);
	for (int i = 0; i < CHILDREN; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(child(i));
		if (kids[i] < 0) {
			printf("cowfamily: fork failed\n");
			return 1;
		}
	}
	show_family("a parent and 3 children after fork: 4 MiB each, shared copy-on-write");
	board->go = 1;
	wait_until(&board->written, CHILDREN);
	show_family("each child has written its own quarter: only those pages were copied");
	board->go = 2;
	for (int i = 0; i < CHILDREN; i++)
		if (waitpid(kids[i], &status, 0) != kids[i] || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	failed += parent_checks() ? 1 : 0;
	printf("cowfamily: %s\n", failed ? "FAILED: a child or the parent saw the wrong data"
				       : "every process saw only its own writes");
	return failed ? 1 : 0;
}
