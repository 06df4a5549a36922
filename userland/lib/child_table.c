/*
 * The pid -> handle table behind waitpid, wait and kill. Threads of one
 * process may fork at once, so changes take a small lock; lookups of a
 * slot's two words are done under it too so pid and handle always match.
 */
#include "children.h"
#include "sys.h"

static struct {
	int lock;		/* 0 free, 1 held */
	pid_t pid[CHILDREN_MAX];	/* 0: slot free */
	int handle[CHILDREN_MAX];
} table;

static void table_lock(void)
{
	while (__atomic_exchange_n(&table.lock, 1, __ATOMIC_ACQUIRE) != 0)
		sys_yield();
}

static void table_unlock(void)
{
	__atomic_store_n(&table.lock, 0, __ATOMIC_RELEASE);
}

/* The slot of pid, or -1; the caller holds the lock. */
static int slot_of(pid_t pid)
{
	for (int i = 0; i < CHILDREN_MAX; i++)
		if (table.pid[i] == pid)
			return i;
	return -1;
}

int child_register(pid_t pid, int handle)
{
	int r = -ERR_MFILE;

	if (pid <= 0 || handle < 0)
		return -ERR_INVAL;
	table_lock();
	if (slot_of(pid) >= 0) {
		r = -ERR_BUSY;
	} else {
		int i = slot_of(0);
		if (i >= 0) {
			table.pid[i] = pid;
			table.handle[i] = handle;
			r = 0;
		}
	}
	table_unlock();
	return r;
}

int child_handle(pid_t pid)
{
	int h = -1;

	if (pid <= 0)
		return -1;
	table_lock();
	int i = slot_of(pid);
	if (i >= 0)
		h = table.handle[i];
	table_unlock();
	return h;
}

pid_t child_at(size_t i)
{
	return i < CHILDREN_MAX ? __atomic_load_n(&table.pid[i], __ATOMIC_RELAXED) : 0;
}

void child_forget(pid_t pid)
{
	if (pid <= 0)
		return;
	table_lock();
	int i = slot_of(pid);
	if (i >= 0)
		table.pid[i] = 0;
	table_unlock();
}

void children_forget_all(void)
{
	/* No lock: the forked child has one thread, and a lock some other
	 * thread of the parent held at the fork would never be released. */
	for (int i = 0; i < CHILDREN_MAX; i++)
		table.pid[i] = 0;
	table.lock = 0;
}
