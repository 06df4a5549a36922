/*
 * The history of pages in swap: the replacement policy's shadow word for
 * each evicted page, kept by its slot in a table bounded by the RAM, not the
 * swap (swap/shadow.h: 16 bytes per frame). Kept when a page leaves memory,
 * taken out when its contents come back into a frame, forgotten when its
 * slot is freed: a page freed (exit, munmap, written over) leaves none.
 */
#include "base/vmstat.h"
#include "swap/history.h"
#include "swap/shadow.h"
#include "vm/frames.h"

static struct shadow_table *table;
static uint32_t table_frames;	/* the frames of RAM it was sized for */
static uint32_t per_frame = SHADOW_PER_FRAME;	/* entries per frame */

void swap_history_size(uint32_t entries_per_frame)
{
	per_frame = entries_per_frame;
}

static uint64_t kept_now(void)
{
	return table ? shadow_count(table) : 0;
}

int swap_history_init(void)
{
	swap_history_reset();
	table_frames = (uint32_t)((frames_ram_end() - frames_ram_base()) / FRAME_SIZE);
	table = shadow_create(table_frames, per_frame);
	if (!table)
		return -1;
	vmstat_gauge(VMSTAT_SHADOWS, kept_now);
	return 0;
}

void swap_history_reset(void)
{
	shadow_destroy(table);
	table = NULL;
}

size_t swap_history_bytes(uint32_t *nframes)
{
	*nframes = table_frames;
	return table ? shadow_table_bytes(table_frames, per_frame) : 0;
}

void swap_history_keep(uint32_t slot, uint32_t shadow)
{
	if (table && slot)
		shadow_store(table, slot, shadow);
}

uint32_t swap_history_take(uint32_t slot)
{
	uint32_t shadow = table ? shadow_take(table, slot) : 0;

	vmstat_count_n(VMSTAT_WORKINGSET_REFAULT, shadow != 0);
	return shadow;
}

void swap_history_forget(uint32_t slot)
{
	if (table)
		shadow_forget(table, slot);
}
