/*
 * A frame's program-file mark (frame.file_copy, owned here): a page of a
 * writable program segment filled from the file holds what the file holds
 * until a write is seen (internal.h). Set and cleared only here; it calls
 * nothing above the swap cache, so the harvest, the fault path and the
 * eviction code may all ask it.
 */
#include "vm/internal.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

void vm_frame_filled_from_file(uint64_t pa)
{
	frame_desc(pa)->file_copy = 1;
}

int vm_frame_file_copy(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f && f->file_copy;
}

void vm_frame_forget_copies(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	if (!f)
		return;
	f->file_copy = 0;
	if (swapcache_frame_flags(f))
		swapcache_forget_copy(pa);
}
