/*
 * The fake swap engine of swap_fake.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "swap_fake.h"
#include "vm/swapcache.h"

#define PG VM_PAGE

struct fake_swap sw;

/* No entry names slot: the slot is free, and a frame the VM core handed
 * over to it (kept after write-out) goes with it; one still being read is
 * the read's, whose end frees it (swapcache_read_end). */
static void slot_free(uint32_t slot)
{
	uint64_t pa = swapcache_lookup(slot);

	if (pa && swapcache_detached(pa) && !swapcache_reading(pa) && !vm_mapcount(pa)) {
		swapcache_untie(slot);
		frame_free(pa);
	}
	free(sw.disk[slot]);
	sw.disk[slot] = NULL;
}

uint32_t swap_fake_slot_alloc(void)
{
	for (uint32_t s = 1; s < SWAP_FAKE_WRITE_SLOT; s++)	/* the rest: the write-out tests' */
		if (!sw.disk[s]) {
			sw.disk[s] = malloc(PG);
			assert_non_null(sw.disk[s]);
			sw.refs[s] = 1;
			return s;
		}
	return 0;
}

/* Whether reading slot fails: all do (fail_read), or those fail_slots
 * names. */
static int read_fails(uint32_t slot)
{
	return sw.fail_read || (sw.fail_slots >> slot & 1);
}

/* As the pager's reads end after letting the lock go: the frames are the
 * swap code's, tied to their slots, the first fresh and the rest read
 * ahead, or freed where the read failed. */
static int read_unlocked(const uint32_t *slots, const uint64_t *pa, unsigned n)
{
	void (*meanwhile)(void) = sw.while_unlocked;

	sw.while_unlocked = NULL;
	if (meanwhile)
		meanwhile();
	if (sw.unsent) {
		for (unsigned k = 0; k < n; k++)
			frame_free(pa[k]);
		return VM_SWAP_UNLOCKED_NOMEM;
	}
	for (unsigned k = 0; k < n; k++) {
		if (read_fails(slots[k])) {
			frame_free(pa[k]);
			continue;
		}
		swapcache_read_begin(slots[k], pa[k]);
		memcpy(frame_ptr(pa[k]), sw.disk[slots[k]], PG);
		swapcache_read_end(slots[k], pa[k], 1, k == 0);
	}
	return read_fails(slots[0]) ? VM_SWAP_UNLOCKED_IO : VM_SWAP_UNLOCKED;
}

static int sw_read(void *ctx, uint32_t slot, uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	(void)ctx;
	sw.reads++;
	assert_true(slot > 0 && slot < NSLOT && sw.disk[slot] && sw.refs[slot] > 0);
	assert_true(f && f->state == FRAME_ANON && !f->mapcount && !f->obj);
	if (sw.unlock)
		return read_unlocked(&slot, &pa, 1);
	if (sw.fail_read)
		return -5;
	memcpy(frame_ptr(pa), sw.disk[slot], PG);
	if (!sw.no_tie)
		swapcache_tie(slot, pa);	/* others naming the slot find this frame */
	return 0;
}

static void sw_dup(void *ctx, uint32_t slot)
{
	(void)ctx;
	assert_true(slot > 0 && slot < NSLOT && sw.disk[slot] && sw.refs[slot] > 0);
	sw.refs[slot]++;
	sw.dups++;
}

static int sw_put(void *ctx, uint32_t slot)
{
	(void)ctx;
	assert_true(slot > 0 && slot < NSLOT && sw.refs[slot] > 0);
	sw.puts++;
	if (--sw.refs[slot] == 0)
		slot_free(slot);
	return sw.refs[slot];
}

static size_t sw_reclaim(size_t want)
{
	size_t n = 0;

	assert_true(want >= 1);
	sw.reclaims++;
	if (sw.victim) {
		uint64_t pa = sw.victim;
		sw.victim = 0;
		swap_out(pa, 0);
		n++;
	}
	for (size_t k = 0; k < sw.give && sw.nhog > 0; k++, n++)
		frame_free(sw.hog[--sw.nhog]);
	return n;
}

/* Slots slots[0..n) into pa[0..n), as one transfer: the VM core asks for
 * it only with a readahead window, for distinct slots still named and
 * frames fresh. sw.many_runs: the runs of consecutive slots among them
 * (a device's requests). */
static int sw_read_many(void *ctx, const uint32_t *slots, const uint64_t *pa, unsigned n)
{
	(void)ctx;
	sw.ahead = 0;
	sw.read_manys++;
	sw.many_pages = n;
	sw.many_runs = 0;
	assert_true(n >= 2 && n <= 1 + VM_READAHEAD_MAX);
	for (unsigned k = 0; k < n; k++) {
		const struct frame *f = frame_desc(pa[k]);
		assert_true(slots[k] > 0 && slots[k] < NSLOT && sw.disk[slots[k]] &&
			    sw.refs[slots[k]] > 0);
		assert_true(f && f->state == FRAME_ANON && !f->mapcount && !f->obj);
		for (unsigned j = 0; j < k; j++)
			assert_true(slots[j] != slots[k]);
		sw.many_runs += k == 0 || slots[k] != slots[k - 1] + 1;
	}
	if (sw.unlock)
		return read_unlocked(slots, pa, n);
	if (sw.fail_many)
		return -5;
	for (unsigned k = 0; k < n; k++) {
		memcpy(frame_ptr(pa[k]), sw.disk[slots[k]], PG);
		if (!sw.no_tie)
			swapcache_tie(slots[k], pa[k]);
	}
	return 0;
}

/* Slots offered to be read ahead: all are taken but those sw.refuse
 * names (bit k: slots[k]), and read at once into the cache as read ahead
 * if sw.thread_reads (else none is: no swap-in thread here). The first
 * is kept in sw.ahead_first. */
static uint32_t sw_read_further(void *ctx, const uint32_t *slots, unsigned n)
{
	uint32_t took;

	(void)ctx;
	assert_true(n >= 1 && n <= 1 + VM_READAHEAD_MAX);
	sw.ahead = n;
	sw.ahead_first = slots[0];
	took = ((1u << n) - 1) & ~sw.refuse;
	for (unsigned k = 0; k < n; k++) {
		uint64_t pa;

		assert_true(slots[k] > 0 && slots[k] < NSLOT);
		assert_int_equal(swapcache_lookup(slots[k]), 0);	/* on the disk alone (vm.h) */
		if (!sw.thread_reads || !(took >> k & 1) || !sw.disk[slots[k]] ||
		    !(pa = frame_alloc_unzeroed()))
			continue;
		swapcache_read_begin(slots[k], pa);
		memcpy(frame_ptr(pa), sw.disk[slots[k]], PG);
		swapcache_read_end(slots[k], pa, 1, 0);
	}
	return took;
}

static void sw_wait(void *ctx, uint32_t slot)
{
	(void)ctx;
	assert_true(swapcache_reading(swapcache_lookup(slot)));
	sw.waits++;
}

static int sw_keep(void *ctx)
{
	(void)ctx;
	return 1;
}

static uint32_t sw_refs(void *ctx, uint32_t slot)
{
	(void)ctx;
	assert_true(slot > 0 && slot < NSLOT);
	return (uint32_t)sw.refs[slot];
}

const struct vm_swap_ops sw_ops = { sw_read, sw_dup, sw_put, NULL, NULL, sw_wait, NULL,
				    sw_refs, NULL };
const struct vm_swap_ops sw_ra_ops = { sw_read, sw_dup, sw_put, NULL, sw_read_many, sw_wait,
				       NULL, sw_refs, sw_read_further };
const struct vm_swap_ops sw_keep_ops = { sw_read, sw_dup, sw_put, NULL, NULL, sw_wait, sw_keep,
					 sw_refs, NULL };

void swap_fake_unmap_for_write(const uint64_t *pa, size_t n)
{
	assert_true(n <= NSLOT - SWAP_FAKE_WRITE_SLOT);
	for (size_t k = 0; k < n; k++) {
		assert_null(sw.disk[SWAP_FAKE_WRITE_SLOT + k]);	/* never handed out */
		swapcache_tie((uint32_t)(SWAP_FAKE_WRITE_SLOT + k), pa[k]);
	}
	vm_frames_unmap(pa, n);
}

int swap_fake_write_over(uint64_t pa)
{
	int res;

	swapcache_untie(swapcache_slot(pa));
	res = vm_frame_write_end(pa);
	if (vm_frame_parked(pa))	/* let go during the write: nobody's now */
		frame_free(pa);
	return res;
}

uint32_t swap_out(uint64_t pa, int keep)
{
	uint32_t slot = swap_fake_slot_alloc();
	/* A shared object's page: only the object's entry names the slot. */
	int n, entries = frame_desc(pa)->obj ? 1 : (int)vm_mapcount(pa);

	if (!slot)
		fail_msg("the fake swap device is full");
	assert_int_equal(vm_frame_evictable(pa), 1);
	assert_false(swapcache_tied(pa));	/* the engine drops a held copy, never writes it */
	/* As the engine's write: tied to its slot (the write in flight), then
	 * out of the page tables. */
	swapcache_tie(slot, pa);
	vm_frames_unmap(&pa, 1);
	assert_true(swapcache_writing(pa));
	memcpy(sw.disk[slot], frame_ptr(pa), PG);
	swapcache_untie(slot);	/* the write is over */
	n = vm_evict(pa, slot);
	assert_int_equal(n, entries);
	assert_int_equal(sw.refs[slot], n + 1);
	assert_int_equal(vm_mapcount(pa), 0);
	assert_int_equal(vm_frame_evictable(pa), 0);	/* it is the caller's now */
	assert_true(swapcache_detached(pa));
	assert_int_equal(frame_desc(pa)->obj, 0);
	sw.refs[slot]--;	/* the allocation's own reference */
	if (keep)
		swapcache_tie(slot, pa);
	else
		frame_free(pa);
	return slot;
}

uint64_t swap_fake_read_back(struct vm_space *s, uint64_t va, uint8_t v, uint32_t *slot)
{
	assert_int_equal(vm_region_add(s, va, va + PG, VM_R | VM_W, VM_ANON, NULL), 0);
	swap_fake_fill(s, va, v);
	*slot = swap_out(vm_lookup(s, va), 0);
	fake_fault(s, va, VM_R, VM_FAULT_MAPPED);
	swap_fake_check();
	return vm_lookup(s, va);
}

static int total_refs(void)
{
	int n = 0;

	for (uint32_t s = 1; s < NSLOT; s++) {
		assert_int_equal(sw.refs[s] > 0, sw.disk[s] != NULL);
		n += sw.refs[s];
	}
	return n;
}

/* Frames holding their slot's reference (a clean copy). */
static uint64_t held_frames(void)
{
	uint64_t n = 0;

	for (uint32_t s = 1; s < NSLOT; s++)
		n += swapcache_held(swapcache_lookup(s)) != 0;
	return n;
}

void swap_fake_check(void)
{
	fake_check();
	assert_int_equal(held_frames(), vmstat_get(VMSTAT_SWAP_COPIES));
	assert_int_equal(total_refs(), vmstat_get(VMSTAT_SWAP_ENTRIES) + held_frames());
}

void swap_fake_restart(unsigned faultaround)
{
	fake_teardown();
	fake_setup(faultaround);
	assert_int_equal(swapcache_init(NSLOT - 1), 0);
	vm_set_swap(&sw_ops);
	vm_set_reclaim(sw_reclaim);
}

void swap_fake_setup(void)
{
	memset(&sw, 0, sizeof(sw));
	fake_setup(0);
	assert_int_equal(swapcache_init(NSLOT - 1), 0);
	vm_set_swap(&sw_ops);
	vm_set_reclaim(sw_reclaim);
}

void swap_fake_teardown(void)
{
	for (uint32_t s = 1; s < NSLOT; s++) {
		assert_int_equal(sw.refs[s], 0);
		free(sw.disk[s]);
	}
	fake_teardown();
}

void swap_fake_fill(struct vm_space *s, uint64_t va, uint8_t v)
{
	for (uint64_t k = 0; k < VM_PAGE; k += 512)
		fake_poke(s, va + k, (uint8_t)(v + k / 512));
}

void swap_fake_expect_fill(struct vm_space *s, uint64_t va, uint8_t v)
{
	for (uint64_t k = 0; k < VM_PAGE; k += 512)
		assert_int_equal(fake_peek(s, va + k), (uint8_t)(v + k / 512));
}

int swap_fake_keep_setup(void **state)
{
	(void)state;
	swap_fake_setup();
	vm_set_swap(&sw_keep_ops);
	return 0;
}

int swap_fake_group_teardown(void **state)
{
	(void)state;
	swap_fake_teardown();
	return 0;
}
