/*
 * The pager's threads and lock (base/threads.h) for host tests of the swap
 * engine: one caller, no kernel. A wait returns at once, as if its wake-up
 * had come; letting the lock go and taking it back only moves the holder,
 * so what the engine does while the lock is let go happens in between.
 */
#include <stddef.h>
#include "base/threads.h"

static struct pager_thread *all[PAGER_THREADS_MAX];
static unsigned count;
static struct pager_thread *holder;

static int join(struct pager_thread *t, const char *name, unsigned io_client)
{
	if (count >= PAGER_THREADS_MAX)
		return -12;
	*t = (struct pager_thread){ .name = name, .id = count, .io_client = io_client };
	all[count++] = t;
	return 0;
}

int pager_thread_adopt(struct pager_thread *t, const char *name, int disk, unsigned io_client)
{
	int r = join(t, name, io_client);

	t->disk = disk;
	return r;
}

int pager_thread_start(struct pager_thread *t, const char *name, unsigned io_client,
		       void (*fn)(struct pager_thread *t))
{
	int r = join(t, name, io_client);

	t->run = fn;	/* never run: the tests call its steps */
	return r;
}

uint64_t pager_thread_wait(struct pager_thread *t, int note, uint64_t want)
{
	(void)t, (void)note;
	return want;
}

void pager_thread_signal(struct pager_thread *t, uint64_t bits)
{
	t->pending |= bits;
}

void pager_lock(struct pager_thread *self)
{
	holder = self;
}

void pager_unlock(struct pager_thread *self)
{
	(void)self;
	holder = NULL;
}

struct pager_thread *pager_holder(void)
{
	return holder;
}

void pager_threads_wake(uint32_t *mask)
{
	*mask = 0;
}

struct pager_thread *pager_thread_by_id(unsigned id)
{
	return id < count ? all[id] : NULL;
}

void pager_thread_io_notes(int notes[PAGER_IO_CLIENTS])
{
	for (unsigned c = 0; c < PAGER_IO_CLIENTS; c++)
		notes[c] = -1;
}
