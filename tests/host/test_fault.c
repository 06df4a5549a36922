/*
 * Host tests for the pager's fault handler (pager/server/fault.c) over the
 * real process table (server/procs.c) and VM core, the fake mmu and swap
 * engine (vm_fake.c, swap_fake.c), whose reads let the lock go and call a
 * test's hook meanwhile, as another pager thread would act: the process
 * ends, and its record goes to another; the page is discarded. The reply
 * and the OOM killer (reclaim_out_of_memory, faked: what it was asked)
 * show what the handler did with the answer it got. And munmap's handler
 * (server/memory.c), whose cut short of heap reclaims once, which may let
 * the lock go while its process ends, and sbrk's growth after a munmap
 * cut the heap's end, with the address space full of mappings too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "swap_fake.h"
#include "base/mmu.h"
#include "base/slab.h"
#include "base/threads.h"
#include "reclaim/reclaim.h"
#include "server/procs.h"
#include "server/requests.h"
#include "swap/swap.h"
#include "pager/protocol.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL

static struct pager_thread me;

/* What the handler asked of the OOM killer, and its answer. */
static struct {
	unsigned calls;
	uint32_t pid;
	enum reclaim_oom answer;
} oom;

static unsigned takes;	/* mmu_take calls: resumes */
static int taken_as;

struct pager_thread *pager_holder(void)
{
	return &me;
}

uint32_t swap_reads_waiting(void)
{
	return 0;
}

/* The VM core maps through the fake mmu (vm_fake.c), which holds nothing
 * back: a resume carries no entry. */
size_t mmu_take(int as, struct map_entry *out, size_t max)
{
	(void)out, (void)max;
	takes++;
	taken_as = as;
	return 0;
}

void mmu_flush(void)
{
}

/* The heap, as munmap's retry asks of it: frames its last growth wanted
 * (a failed record sets it when heap_fails_for_frames; heap_growth_forget
 * clears it); the reclaim before its retry, which may let the lock go
 * (meanwhile, if not NULL, runs then). */
static uint64_t heap_wanted;
static int heap_fails_for_frames;
static unsigned reclaims;
static void (*reclaim_meanwhile)(void);
/* Region records to fail from now (slab_alloc's, linked --wrap), once
 * records_to_pass more have been had. */
static unsigned records_to_fail, records_to_pass;

void *__real_slab_alloc(struct slab_cache *c);
void *__wrap_slab_alloc(struct slab_cache *c);
void *__wrap_slab_alloc(struct slab_cache *c)
{
	if (records_to_fail && slab_object_bytes(c) == vm_region_record_bytes()) {
		if (records_to_pass) {
			records_to_pass--;
			return __real_slab_alloc(c);
		}
		records_to_fail--;
		if (heap_fails_for_frames)
			heap_wanted = 1;
		return NULL;
	}
	return __real_slab_alloc(c);
}

uint64_t heap_growth_wanted(void)
{
	return heap_wanted;
}

void heap_growth_forget(void)
{
	heap_wanted = 0;
}

void reclaim_before_heap_retry(struct pager_thread *t)
{
	(void)t;
	reclaims++;
	if (reclaim_meanwhile)
		reclaim_meanwhile();
	reclaim_meanwhile = NULL;
}

enum reclaim_oom reclaim_out_of_memory(struct pager_thread *t, uint32_t pid, unsigned *waits)
{
	(void)t, (void)waits;
	oom.calls++;
	oom.pid = pid;
	return oom.answer;
}

static struct pproc *procs[4];

/* A process record for pid with a space of its own (address space as,
 * the record's handle too). */
static struct pproc *proc(uint32_t pid, int as)
{
	struct pproc *p = procs_new(NULL);

	assert_non_null(p);
	p->pid = pid;
	p->handle = as;
	p->vm = fake_space(as);
	procs[as] = p;
	return p;
}

/* p ends and is reaped: its space and record go. */
static void reap(struct pproc *p)
{
	procs[p->handle] = NULL;
	vm_space_destroy(p->vm);
	p->vm = NULL;
	procs_release(p);
}

static int setup(void **state)
{
	(void)state;
	swap_fake_setup();
	memset(&oom, 0, sizeof(oom));
	oom.answer = RECLAIM_GONE;
	takes = 0;
	heap_wanted = 0;
	heap_fails_for_frames = 0;
	reclaims = 0;
	reclaim_meanwhile = NULL;
	records_to_fail = 0;
	records_to_pass = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int k = 0; k < 4; k++)
		if (procs[k])
			reap(procs[k]);
	swap_fake_teardown();
	return 0;
}

/* A read fault of pid at va, handled; its reply in *out. */
static void fault(uint32_t pid, uint64_t va, struct msg *out)
{
	struct fault f = { va, VM_R, 0, pid };

	memset(out, 0, sizeof(*out));
	handle_fault(&f, out);
}

/* pid 5's one page at VA, filled with v and sent out, faulted: the read
 * lets the lock go, and meanwhile (if not NULL) runs then; one read in
 * all. The reply in *out. */
static void fault_reading(uint8_t v, void (*meanwhile)(void), struct msg *out)
{
	struct pproc *p = proc(5, 1);

	assert_int_equal(vm_region_add(p->vm, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p->vm, VA, v);
	swap_out(vm_lookup(p->vm, VA), 0);
	sw.unlock = 1;
	sw.while_unlocked = meanwhile;
	fault(5, VA, out);
	assert_null(sw.while_unlocked);
	assert_int_equal(sw.reads, 1);
}

static int resumed(const struct msg *out)
{
	return out->label == FAULT_RESUME || out->label == FAULT_RESUME_ONE;
}

/* The fault's read succeeds: it is tried again and the process resumed
 * with its page. */
static void test_read_retried(void **state)
{
	struct msg out;

	(void)state;
	fault_reading(30, NULL, &out);
	assert_true(resumed(&out));
	assert_int_equal(takes, 1);
	assert_int_equal(taken_as, 1);
	swap_fake_expect_fill(procs[1]->vm, VA, 30);
	assert_int_equal(oom.calls, 0);
	fake_check();
}

/* Meanwhile process 5 ends, reaped (an OOM kill's way), and its record
 * goes to a new process, 6; the read was never sent for want of memory.
 * The fault's answer, out of memory, is no demand of 6's: no one is
 * killed for it, nothing of 6's record is used. */
static struct pproc *reaped, *successor;

static void reap_and_reuse(void)
{
	reap(reaped = procs[1]);
	successor = proc(6, 2);
}

static void test_nomem_process_ended(void **state)
{
	uint64_t kills = vmstat_get(VMSTAT_KILLS);
	struct msg out;

	(void)state;
	sw.unsent = 1;
	fault_reading(31, reap_and_reuse, &out);
	assert_ptr_equal(successor, reaped);	/* the same record, another process's */
	assert_int_equal(oom.calls, 0);
	assert_int_equal(out.label, FAULT_KILL);	/* to no one */
	assert_int_equal(takes, 0);
	assert_int_equal(vmstat_get(VMSTAT_KILLS), kills);
	fake_check();
}

/* Meanwhile process 5 ends, and its read fails: no kill is counted for a
 * process that is gone. */
static void reap_only(void)
{
	reap(procs[1]);
}

static void test_read_fails_process_ended(void **state)
{
	uint64_t kills = vmstat_get(VMSTAT_KILLS);
	struct msg out;

	(void)state;
	sw.fail_read = 1;
	fault_reading(32, reap_only, &out);
	assert_int_equal(out.label, FAULT_KILL);
	assert_int_equal(vmstat_get(VMSTAT_KILLS), kills);
	fake_check();
}

/* Meanwhile the process discards the range (another of its threads), and
 * the read fails: the page no longer names the slot, and the fault tried
 * again gives it a zero page rather than killing it. */
static void discard(void)
{
	assert_int_equal(vm_discard_unlock(procs[1]->vm, VA, VA + PG), 0);
}

static void test_read_fails_page_discarded(void **state)
{
	uint64_t kills = vmstat_get(VMSTAT_KILLS);
	struct msg out;

	(void)state;
	sw.fail_read = 1;
	fault_reading(33, discard, &out);
	assert_true(resumed(&out));
	assert_int_equal(fake_peek(procs[1]->vm, VA), 0);
	assert_int_equal(vmstat_get(VMSTAT_KILLS), kills);
	fake_check();
}

/* The read fails and nothing changed meanwhile: the page still names the
 * slot, and the process is killed for it, the slot not read twice
 * (fault_reading counts the reads). */
static void test_read_fails_page_still_swapped(void **state)
{
	uint64_t kills = vmstat_get(VMSTAT_KILLS);
	const char *why = vm_fault_reason(VM_FAULT_IO);
	struct msg out;

	(void)state;
	sw.fail_read = 1;
	fault_reading(34, NULL, &out);
	assert_int_equal(out.label, FAULT_KILL);
	assert_int_equal(out.len, strlen("pager: ") + strlen(why));
	assert_memory_equal(out.data + strlen("pager: "), why, strlen(why));
	assert_int_equal(vmstat_get(VMSTAT_KILLS), kills + 1);
	fake_check();
}

/* munmap of pid's middle page of three at VA; its answer's label. */
static int64_t munmap_middle(uint32_t pid)
{
	struct msg in = { .pid = pid, .w = { VA + PG, PG } }, out;

	memset(&out, 0, sizeof(out));
	handle_munmap(&in, &out);
	return (int64_t)out.label;
}

/* The hole's cut finds the heap short; the reclaim then run lets the lock
 * go, and meanwhile the process is killed and reaped (the OOM killer, on a
 * fault thread): the munmap answers -ESRCH and touches nothing of the
 * space that went (ASan would see it). */
static void test_munmap_owner_reaped(void **state)
{
	struct pproc *p = proc(5, 1);

	(void)state;
	assert_int_equal(vm_region_add(p->vm, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	records_to_fail = 1;	/* the first cut's region */
	heap_fails_for_frames = 1;
	reclaim_meanwhile = reap_only;
	assert_int_equal(munmap_middle(5), -ESRCH);
	assert_int_equal(reclaims, 1);
}

/* Short of heap, the munmap reclaims once and cuts again: the hole is
 * made. */
static void test_munmap_heap_short_retried(void **state)
{
	struct pproc *p = proc(5, 1);

	(void)state;
	assert_int_equal(vm_region_add(p->vm, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	records_to_fail = 1;
	heap_fails_for_frames = 1;
	assert_int_equal(munmap_middle(5), 0);
	assert_int_equal(reclaims, 1);
	assert_null(vm_region_find(p->vm, VA + PG));
	assert_non_null(vm_region_find(p->vm, VA));
	assert_non_null(vm_region_find(p->vm, VA + 2 * PG));
}

/* A cut refused with the heap not short of frames (the region bound)
 * runs no reclaim, which could not mend it: -ENOMEM at once, though an
 * earlier growth's failure was left unforgotten (a fault thread's, say,
 * that let the lock go mid-fault). */
static void test_munmap_not_heap_no_reclaim(void **state)
{
	struct pproc *p = proc(5, 1);

	(void)state;
	assert_int_equal(vm_region_add(p->vm, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	records_to_fail = 1;
	heap_wanted = 1;	/* stale */
	assert_int_equal(munmap_middle(5), -ENOMEM);
	assert_int_equal(reclaims, 0);
	assert_non_null(vm_region_find(p->vm, VA + PG));
}

/* sbrk(incr) by pid: its answer's label; *old: the break before. */
static int64_t sbrk_by(uint32_t pid, int64_t incr, uint64_t *old)
{
	struct msg in = { .pid = pid, .w = { (uint64_t)incr } }, out;

	memset(&out, 0, sizeof(out));
	handle_sbrk(&in, &out);
	*old = out.w[0];
	return (int64_t)out.label;
}

/* munmap of [addr, addr + len) by pid: its answer's label. */
static int64_t munmap_by(uint32_t pid, uint64_t addr, uint64_t len)
{
	struct msg in = { .pid = pid, .w = { addr, len } }, out;

	memset(&out, 0, sizeof(out));
	handle_munmap(&in, &out);
	return (int64_t)out.label;
}

/* A munmap of the heap's tail, then of all of it: the break grows again
 * each time, from where the heap is left, over the range cut. */
static void test_sbrk_grows_after_heap_end_cut(void **state)
{
	struct pproc *p = proc(5, 1);
	const uint64_t base = 0x100000;
	uint64_t old;

	(void)state;
	p->brk_base = p->brk = p->heap_end = base;
	assert_int_equal(sbrk_by(5, 3 * PG, &old), 0);
	assert_int_equal(old, base);
	assert_int_equal(munmap_by(5, base + PG, 2 * PG), 0);	/* the tail */
	assert_null(vm_region_find(p->vm, base + PG));
	assert_int_equal(sbrk_by(5, PG, &old), 0);
	assert_int_equal(old, base + 3 * PG);
	assert_non_null(vm_region_find(p->vm, base + 3 * PG));
	assert_non_null(vm_region_find(p->vm, base + PG));	/* back, zero-filled */
	assert_int_equal(munmap_by(5, base, 4 * PG), 0);	/* all of it */
	assert_null(vm_region_find(p->vm, base));
	assert_int_equal(sbrk_by(5, PG, &old), 0);
	assert_int_equal(old, base + 4 * PG);
	assert_non_null(vm_region_find(p->vm, base + 4 * PG));
	assert_int_equal(sbrk_by(5, -2 * (int64_t)PG, &old), 0);	/* and shrinks */
	assert_null(vm_region_find(p->vm, base + 3 * PG));
	fake_check();
}

/* A hole punched in the heap, then the break lowered to the hole's end
 * (the piece above it goes) and below the hole's start (into a piece
 * under it): each shrink succeeds, the heap ends where what is left of it
 * does, and the break grows again from there, over the hole. Before, the
 * first left the heap's end in the hole, naming no region, so that every
 * later growth or shrink but to the base failed with ENOMEM; the second
 * failed at once. */
static void test_sbrk_shrinks_past_heap_hole(void **state)
{
	struct pproc *p = proc(5, 1);
	const uint64_t base = 0x100000;
	uint64_t old;

	(void)state;
	p->brk_base = p->brk = p->heap_end = base;
	assert_int_equal(sbrk_by(5, 4 * PG, &old), 0);
	assert_int_equal(munmap_by(5, base + PG, PG), 0);	/* [base + PG, base + 2 PG) */
	assert_int_equal(sbrk_by(5, -2 * (int64_t)PG, &old), 0);	/* to the hole's end */
	assert_int_equal(p->heap_end, base + PG);
	assert_null(vm_region_find(p->vm, base + 2 * PG));
	assert_int_equal(sbrk_by(5, PG, &old), 0);	/* grows over the hole */
	assert_int_equal(old, base + 2 * PG);
	assert_int_equal(vm_region_find(p->vm, base + PG)->end, base + 3 * PG);
	assert_int_equal(munmap_by(5, base + PG, PG), 0);	/* the hole again */
	assert_int_equal(sbrk_by(5, -(int64_t)(5 * PG / 2), &old), 0);	/* below it */
	assert_int_equal(old, base + 3 * PG);
	assert_int_equal(p->heap_end, base + PG);
	assert_null(vm_region_find(p->vm, base + 2 * PG));
	assert_int_equal(vm_region_find(p->vm, base)->end, base + PG);
	assert_int_equal(sbrk_by(5, 3 * PG, &old), 0);
	assert_int_equal(vm_region_find(p->vm, base)->end, base + 4 * PG);
	fake_check();
}

/* Lowering the break allocates nothing, so it succeeds with no region
 * record to be had (the pager's heap short, or the process at
 * VM_REGIONS_MAX): within the heap's last piece, and across a piece above
 * a hole. Cut as a munmap, the shrink split the piece at the new end and
 * failed with ENOMEM, where a resize could not fail (session 26's read). */
static void test_sbrk_shrink_allocates_nothing(void **state)
{
	struct pproc *p = proc(5, 1);
	const uint64_t base = 0x100000;
	uint64_t old;

	(void)state;
	p->brk_base = p->brk = p->heap_end = base;
	assert_int_equal(sbrk_by(5, 8 * PG, &old), 0);
	assert_int_equal(vm_fault(p->vm, base + 7 * PG, VM_W), VM_FAULT_MAPPED);
	assert_int_equal(munmap_by(5, base + PG, PG), 0);	/* [base, +PG) [+2PG, +8PG) */
	records_to_fail = 100;
	assert_int_equal(sbrk_by(5, -2 * (int64_t)PG, &old), 0);	/* within the last piece */
	assert_int_equal(p->heap_end, base + 6 * PG);
	assert_int_equal(vm_region_find(p->vm, base + 2 * PG)->end, base + 6 * PG);
	assert_int_equal(sbrk_by(5, -(int64_t)(3 * PG / 2), &old), 0);	/* to mid-page */
	assert_int_equal(p->heap_end, base + 5 * PG);
	assert_int_equal(vm_region_find(p->vm, base + 2 * PG)->end, base + 5 * PG);
	records_to_fail = 0;
	for (uint64_t va = base + (1UL << 30); vm_region_add(p->vm, va, va + PG, RW, VM_ANON, NULL) == 0;
	     va += 2 * PG)
		;	/* the process at VM_REGIONS_MAX */
	assert_int_equal(p->vm->nregions, VM_REGIONS_MAX);
	assert_int_equal(sbrk_by(5, -(int64_t)PG, &old), 0);	/* no room for a split */
	assert_int_equal(p->heap_end, base + 4 * PG);
	assert_int_equal(vm_region_find(p->vm, base + 2 * PG)->end, base + 4 * PG);
	assert_int_equal(sbrk_by(5, -2 * (int64_t)PG, &old), 0);	/* into the hole */
	assert_int_equal(p->heap_end, base + PG);
	assert_null(vm_region_find(p->vm, base + 2 * PG));
	assert_int_equal(vm_region_find(p->vm, base)->end, base + PG);
	fake_check();
}

/* A page punched out of the middle of a stack, its second cut refused
 * (no region record): the munmap fails with ENOMEM, every page still
 * there, the first cut left (two pieces of the stack, the upper's guard
 * page in the lower: pager.check took that for a broken VM core and
 * stopped the machine; found by host-server-rand); then the punch
 * succeeds, the hole the upper piece's guard. */
static void test_munmap_stack_cut_refused(void **state)
{
	struct pproc *p = proc(5, 1);
	const uint64_t top = 0x3ffffff000UL, base = top - 16 * PG;

	(void)state;
	assert_int_equal(vm_region_add(p->vm, base, top, RW, VM_STACK, NULL), 0);
	assert_int_equal(vm_fault(p->vm, base + 4 * PG, VM_W), VM_FAULT_MAPPED);
	records_to_pass = 1;
	records_to_fail = 1;
	assert_int_equal(munmap_by(5, base + 3 * PG, PG), -ENOMEM);
	assert_non_null(vm_region_find(p->vm, base + 3 * PG));
	assert_non_null(vm_lookup(p->vm, base + 4 * PG));
	fake_check();
	assert_int_equal(munmap_by(5, base + 3 * PG, PG), 0);
	assert_null(vm_region_find(p->vm, base + 3 * PG));
	assert_non_null(vm_lookup(p->vm, base + 4 * PG));
	fake_check();
}

/* mmap of len bytes (private) by pid: the address, or 0 if refused. */
static uint64_t mmap_by(uint32_t pid, uint64_t len)
{
	struct msg in = { .pid = pid, .w = { len, RW, PAGER_MAP_PRIVATE } }, out;

	memset(&out, 0, sizeof(out));
	handle_mmap(&in, &out);
	return out.label == 0 ? out.w[0] : 0;
}

#define FILL_MAX 512	/* mappings that fill 256 GiB: ~255 of 1 GiB, a few smaller */

/* The address space full: a hole punched in the heap, pid maps all it
 * can (1 GiB at a time, then halves) and cuts the heap's end. The break,
 * lowered into the range cut, grows the heap back from what is left of
 * it, not a mapping placed in its hole; and its return to its base
 * unmaps no mapping. Every mapping keeps its place and its size. */
static void test_heap_hole_not_mapped(void **state)
{
	static uint64_t at[FILL_MAX], len[FILL_MAX];
	struct pproc *p = proc(5, 1);
	const uint64_t base = 0x100000;
	uint64_t old, l = 1UL << 30;
	unsigned n = 0;

	(void)state;
	assert_int_equal(vm_region_add(p->vm, VA, base, RW, VM_ANON, NULL), 0);	/* the image */
	p->brk_base = p->brk = p->heap_end = base;
	assert_int_equal(sbrk_by(5, 4 * PG, &old), 0);
	assert_int_equal(munmap_by(5, base + PG, PG), 0);	/* a hole in the heap */
	while (l >= PG) {
		assert_true(n < FILL_MAX);
		if ((at[n] = mmap_by(5, l)))
			len[n++] = l;
		else
			l /= 2;
	}
	assert_int_equal(munmap_by(5, base + 2 * PG, 2 * PG), 0);	/* the heap's end */
	assert_int_equal(sbrk_by(5, -(int64_t)PG, &old), 0);
	assert_int_equal(old, base + 4 * PG);
	assert_int_equal(vm_region_find(p->vm, base + 2 * PG)->start, base);
	assert_int_equal(sbrk_by(5, -3 * (int64_t)PG, &old), 0);
	assert_null(vm_region_find(p->vm, base));
	for (unsigned k = 0; k < n; k++) {
		const struct vm_region *r = vm_region_find(p->vm, at[k]);

		assert_non_null(r);
		assert_int_equal(r->start, at[k]);
		assert_int_equal(r->end, at[k] + len[k]);
	}
	fake_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_process_ended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fails_process_ended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fails_page_discarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fails_page_still_swapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_munmap_owner_reaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_munmap_heap_short_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_munmap_not_heap_no_reclaim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sbrk_grows_after_heap_end_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heap_hole_not_mapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sbrk_shrinks_past_heap_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sbrk_shrink_allocates_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_munmap_stack_cut_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
