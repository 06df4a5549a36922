/*
 * The pager's own heap for picolibc's malloc: a fixed arena in its image.
 * The pager cannot ask itself for memory, and it needs very little.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define ARENA_BYTES (256 * 1024)

static uint8_t arena[ARENA_BYTES] __attribute__((aligned(16)));
static size_t used;

void *sbrk(ptrdiff_t incr)
{
	size_t old = used;

	if ((incr > 0 && (size_t)incr > ARENA_BYTES - used) || (incr < 0 && (size_t)-incr > used)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	used += (size_t)incr;
	return arena + old;
}
