/*
 * The pid -> handle table behind waitpid, wait and kill. Threads of one
 * process may fork, wait and kill at once, so every change and lookup takes
 * the table's mutex, and a handle in use is counted: it is closed only
 * after the last thread that looked it up has given it back, so no thread
 * ever waits on or kills through a handle number the program has since
 * reused.
 */
#include "children.h"
#include "mutex.h"
#include "sys.h"

#define RESERVED (-1)	/* pid of a slot kept for a fork under way */

enum slot_end {
	LIVE = 0,	/* found by pid */
	ENDED,		/* reaped: the handle is closed when no one uses it */
	GONE		/* the handle was not ours any more: forget it only */
};

static struct {
	struct mutex lock;
	struct child_slot {
		pid_t pid;	/* 0: free; RESERVED */
		int handle;
		int users;	/* threads between child_get and child_put */
		enum slot_end end;
	} slot[CHILDREN_MAX];
	int top;	/* slots at or past it were never taken */
} table;

/* The live slot of pid (RESERVED or 0 for a free one), or -1; the caller
 * holds the lock. */
static int slot_of(pid_t pid)
{
	for (int i = 0; i < CHILDREN_MAX; i++)
		if (table.slot[i].pid == pid && table.slot[i].end == LIVE)
			return i;
	return -1;
}

/* Take a free slot for pid and handle: its index, or -ERR_MFILE. */
static int slot_take(pid_t pid, int handle)
{
	int i = slot_of(0);

	if (i < 0)
		return -ERR_MFILE;
	table.slot[i] = (struct child_slot){ .pid = pid, .handle = handle };
	if (i >= table.top)
		table.top = i + 1;
	return i;
}

int child_register(pid_t pid, int handle)
{
	int r;

	if (pid <= 0 || handle < 0)
		return -ERR_INVAL;
	mutex_lock(&table.lock);
	r = slot_of(pid) >= 0 ? -ERR_BUSY : slot_take(pid, handle);
	mutex_unlock(&table.lock);
	return r < 0 ? r : 0;
}

int child_reserve(void)
{
	mutex_lock(&table.lock);
	int i = slot_take(RESERVED, -1);
	mutex_unlock(&table.lock);
	return i;
}

void child_fill(int i, pid_t pid, int handle)
{
	mutex_lock(&table.lock);
	table.slot[i].pid = pid;
	table.slot[i].handle = handle;
	mutex_unlock(&table.lock);
}

void child_unreserve(int i)
{
	mutex_lock(&table.lock);
	table.slot[i].pid = 0;
	mutex_unlock(&table.lock);
}

int child_get(pid_t pid, int *slot)
{
	int h = -1;

	if (pid <= 0)
		return -1;
	mutex_lock(&table.lock);
	int i = slot_of(pid);
	if (i >= 0) {
		table.slot[i].users++;
		h = table.slot[i].handle;
		*slot = i;
	}
	mutex_unlock(&table.lock);
	return h;
}

int child_put(int i, enum child_seen seen)
{
	struct child_slot *c = &table.slot[i];
	int mine = 0, close_h = -1;

	mutex_lock(&table.lock);
	c->users--;
	if (seen != CHILD_SEEN_RUNNING && c->end == LIVE) {
		c->end = seen == CHILD_SEEN_ENDED ? ENDED : GONE;
		mine = 1;
	}
	if (c->end != LIVE && c->users == 0) {
		if (c->end == ENDED)
			close_h = c->handle;
		*c = (struct child_slot){ 0 };
	}
	mutex_unlock(&table.lock);
	if (close_h >= 0)
		sys_handle_close(close_h);
	return mine;
}

pid_t child_at(size_t i)
{
	pid_t pid = 0;

	if (i >= CHILDREN_MAX)
		return 0;
	mutex_lock(&table.lock);
	if (table.slot[i].pid > 0 && table.slot[i].end == LIVE)
		pid = table.slot[i].pid;
	mutex_unlock(&table.lock);
	return pid;
}

void children_hold(void)
{
	mutex_lock(&table.lock);
}

void children_release(void)
{
	mutex_unlock(&table.lock);
}

void children_fork_child(void)
{
	/* The forked child's one thread: the handles recorded are its
	 * parent's, and so are the threads that held or waited for the lock.
	 * Only the slots ever taken are looked at, and those in use cleared:
	 * a byte-wise wipe of the whole table cost a fork ~1,600
	 * instructions. */
	table.lock = (struct mutex)MUTEX_INIT;
	for (int i = 0; i < table.top; i++)
		if (table.slot[i].pid != 0)
			table.slot[i] = (struct child_slot){ 0 };
	table.top = 0;
}
