/*
 * Frame table and free list. The table lives in the first free frames it
 * describes; everything else is found by index = (pa - ram_base) / 4096.
 */
#include <string.h>
#include "frames.h"

#define PAGE 4096UL

static struct frame *table;
static uint64_t base, nframes, nfree, managed;
static uint32_t free_head = FRAME_NONE;
static uint8_t *physmap;

static uint32_t index_of(uint64_t pa)
{
	return (uint32_t)((pa - base) / PAGE);
}

static uint64_t pa_of(uint32_t i)
{
	return base + (uint64_t)i * PAGE;
}

void *frame_ptr(uint64_t pa)
{
	return physmap + pa;
}

/* Take `bytes` from the start of the first free range that holds them. */
static uint64_t take_table_space(const struct frame_range *free, int nfree_ranges, uint64_t bytes)
{
	for (int i = 0; i < nfree_ranges; i++)
		if (free[i].end - free[i].base >= bytes)
			return free[i].base;
	return 0;
}

int frames_init(uint64_t ram_base, uint64_t ram_end, const struct frame_range *free,
		int nfree_ranges, uint8_t *window)
{
	uint64_t bytes, table_pa;

	base = ram_base;
	nframes = (ram_end - ram_base) / PAGE;
	physmap = window;
	bytes = (nframes * sizeof(struct frame) + PAGE - 1) & ~(PAGE - 1);
	table_pa = take_table_space(free, nfree_ranges, bytes);
	if (!table_pa)
		return -1;
	table = frame_ptr(table_pa);
	memset(table, 0, bytes);	/* every frame FRAME_RESERVED */
	/* Push in descending order so allocation runs upwards through memory. */
	for (int r = nfree_ranges - 1; r >= 0; r--) {
		for (uint64_t pa = free[r].end; pa > free[r].base; pa -= PAGE) {
			uint32_t i = index_of(pa - PAGE);
			managed++;
			if (pa - PAGE >= table_pa && pa - PAGE < table_pa + bytes) {
				table[i].state = FRAME_PINNED;
				continue;
			}
			table[i].state = FRAME_FREE;
			table[i].next = free_head;
			free_head = i;
			nfree++;
		}
	}
	return 0;
}

uint64_t frame_alloc(uint32_t owner, uint32_t *list)
{
	uint32_t i = free_head;

	if (i == FRAME_NONE)
		return 0;
	free_head = table[i].next;
	nfree--;
	table[i].state = FRAME_ANON;
	table[i].owner = owner;
	table[i].next = *list;
	*list = i;
	memset(frame_ptr(pa_of(i)), 0, PAGE);
	return pa_of(i);
}

static void release(uint32_t i)
{
	table[i].state = FRAME_FREE;
	table[i].next = free_head;
	free_head = i;
	nfree++;
}

void frame_free(uint64_t pa, uint32_t *list)
{
	uint32_t i = index_of(pa);

	for (uint32_t *p = list; *p != FRAME_NONE; p = &table[*p].next) {
		if (*p != i)
			continue;
		*p = table[i].next;
		release(i);
		return;
	}
}

uint64_t frames_free_list(uint32_t *list)
{
	uint64_t n = 0;

	while (*list != FRAME_NONE) {
		uint32_t i = *list;
		*list = table[i].next;
		release(i);
		n++;
	}
	return n;
}

uint64_t frames_total(void)
{
	return managed;
}

uint64_t frames_free(void)
{
	return nfree;
}

unsigned frames_descriptor_size(void)
{
	return sizeof(struct frame);
}
