/*
 * Sv39 page tables. The kernel half (root entries 256..511) is the same
 * gigapage direct map in every address space; the user half belongs to one
 * process, and its table pages come from the kernel pool (kernel/kmem.c).
 */
#include "arch.h"
#include "csr.h"
#include "pte.h"
#include "kmem.h"
#include "budget.h"
#include "abi/vm.h"
#include "abi/errno.h"

extern uint64_t boot_pt[PT_ENTRIES];

static uint64_t perm_bits(unsigned perm)
{
	uint64_t bits = PTE_V | PTE_U | PTE_A;

	if (perm & MAP_R)
		bits |= PTE_R;
	if (perm & MAP_W)
		bits |= PTE_W | ((perm & MAP_CLEAN) ? 0 : PTE_D);
	if (perm & MAP_X)
		bits |= PTE_X;
	return bits;
}

static int user_va(uint64_t va)
{
	return va < USER_TOP;
}

/* A table page for pt, charged to its budget; NULL if the budget or the
 * pool refuses, pt->refused noting which. Noted here, as it happens,
 * rather than guessed by the caller from what is left: a refused prepare
 * gives back the tables it made, so a budget that refused may have room
 * by the time anyone looks (arch_pt_prepare). Inline, as it was before
 * it noted anything: a first touch's fault makes tables through here. */
__attribute__((always_inline)) static inline uint64_t *table_alloc(struct arch_pt *pt)
{
	uint64_t *table;

	if (budget_charge(pt->budget, PAGE_SIZE) < 0) {
		pt->refused = ARCH_PT_REFUSED_BUDGET;
		return NULL;
	}
	if (!(table = kmem_page_alloc())) {
		budget_uncharge(pt->budget, PAGE_SIZE);
		pt->refused = ARCH_PT_REFUSED_POOL;
	}
	return table;
}

/* table_alloc within pt->limit (0: none), a refusal of the limit's noted
 * as table_alloc notes its own. */
__attribute__((always_inline)) static inline uint64_t *table_alloc_limited(struct arch_pt *pt)
{
	if (pt->limit && pt->pages >= pt->limit) {
		pt->refused = ARCH_PT_REFUSED_LIMIT;
		return NULL;
	}
	return table_alloc(pt);
}

int arch_pt_create(struct arch_pt *pt)
{
	uint64_t *root = table_alloc(pt);

	if (!root)
		return -ERR_NOMEM;
	for (int i = KERNEL_ROOT_FIRST; i < PT_ENTRIES; i++)
		root[i] = boot_pt[i];
	pt->root = root;
	pt->satp = SATP_SV39 | (kva_to_pa(root) >> 12);
	pt->pages = 1;
	return 0;
}

static void free_table(uint64_t *table, int level)
{
	for (int i = 0; i < PT_ENTRIES; i++) {
		uint64_t pte = table[i];
		if ((pte & PTE_V) && !(pte & PTE_LEAF) && level > 0)
			free_table(pa_to_kva(PTE_TO_PA(pte)), level - 1);
	}
	kmem_page_free(table);
}

void arch_pt_destroy(struct arch_pt *pt)
{
	for (int i = 0; i < KERNEL_ROOT_FIRST; i++) {
		uint64_t pte = pt->root[i];
		if ((pte & PTE_V) && !(pte & PTE_LEAF))
			free_table(pa_to_kva(PTE_TO_PA(pte)), 1);
	}
	kmem_page_free(pt->root);
	budget_uncharge(pt->budget, pt->pages * PAGE_SIZE);
	pt->root = NULL;
	pt->satp = 0;
	pt->pages = 0;
}

/* Why walk_alloc last found no entry, for its caller to read straight
 * after: -ERR_INVAL for a larger leaf in the way (a 2 MiB page where a
 * 4 KiB page's table was asked for: the caller's error), -ERR_NOMEM for
 * a shortage (pt->limit, the budget or the pool: pt->refused says which).
 * Noted where it is found, rather than asked of the tables afterwards:
 * that kept va and pt alive across walk_alloc in every map, ~5
 * instructions on each fault's (bench, first touch with faultaround=0).
 * One hart, and nothing runs in between. */
static int walk_error;

/* walk for a va whose tables are not all there, or with a leaf in the
 * way: it makes them, or fails (walk_error says why). At the limit, with
 * the kernel's pool empty or its budget spent, the process's tables left
 * empty are given back first (once: may_prune), and the walk starts
 * again; those of the other processes sharing its budget are the
 * caller's to give back (kernel/budget_members.c). Out of line,
 * so that walk's usual case (the tables exist) saves no registers for
 * kmem_page_alloc. */
__attribute__((noinline)) static uint64_t *walk_alloc(struct arch_pt *pt, uint64_t va, int level,
						      int may_prune)
{
	uint64_t *table = pt->root, *next;

	for (int l = 2; l > level; l--) {
		uint64_t *e = &table[VPN(va, l)];
		if (*e & PTE_V) {
			if (*e & PTE_LEAF) {
				walk_error = -ERR_INVAL;
				return NULL;
			}
			table = pa_to_kva(PTE_TO_PA(*e));
			continue;
		}
		if (!(next = table_alloc_limited(pt))) {
			if (may_prune && arch_pt_prune(pt))
				return walk_alloc(pt, va, level, 0);
			walk_error = -ERR_NOMEM;
			return NULL;
		}
		pt->pages++;
		*e = PA_TO_PTE(kva_to_pa(next)) | PTE_V;
		table = next;
	}
	return &table[VPN(va, level)];
}

/* Return the entry for va at level `level`, creating tables on the way if
 * alloc is set; NULL if absent, out of memory, or a larger leaf is there
 * (with alloc, walk_error says which: walk_alloc decides). */
static uint64_t *walk(struct arch_pt *pt, uint64_t va, int level, int alloc)
{
	uint64_t *table = pt->root;

	for (int l = 2; l > level; l--) {
		uint64_t e = table[VPN(va, l)];
		if ((e & (PTE_V | PTE_LEAF)) != PTE_V)	/* absent, or a leaf */
			return alloc ? walk_alloc(pt, va, level, 1) : NULL;
		table = pa_to_kva(PTE_TO_PA(e));
	}
	return &table[VPN(va, level)];
}

/* Whether table holds no entry: a scan that stops at the first eight
 * entries with one among them (eight a test: an empty table costs ~1,200
 * instructions, not ~2,600 at one a test). */
static int table_empty(const uint64_t *table)
{
	for (int i = 0; i < PT_ENTRIES; i += 8) {
		uint64_t any = table[i] | table[i + 1] | table[i + 2] | table[i + 3] |
			       table[i + 4] | table[i + 5] | table[i + 6] | table[i + 7];

		if (any & PTE_V)
			return 0;
	}
	return 1;
}

/* Give the table entry e points to back to the pool. */
static void table_free(struct arch_pt *pt, uint64_t *e)
{
	kmem_page_free(pa_to_kva(PTE_TO_PA(*e)));
	budget_uncharge(pt->budget, PAGE_SIZE);
	*e = 0;
	pt->pages--;
}

/* The one place that decides whether a table goes: the table entry e
 * points to, if e holds one and the table holds no entry, goes back to the
 * pool. Whether e is left without a table (it had none, or its table
 * went): then the table holding e may be empty too. A leaf at e (a 2 MiB
 * page) is kept, and so is the table holding it. */
static int drop_if_empty(struct arch_pt *pt, uint64_t *e)
{
	if ((*e & (PTE_V | PTE_LEAF)) != PTE_V)
		return !(*e & PTE_V);
	if (!table_empty(pa_to_kva(PTE_TO_PA(*e))))
		return 0;
	table_free(pt, e);
	return 1;
}

/* An unmap walked the leaf table of va's 2 MiB range, or a walk that made
 * tables for va failed: the leaf table goes if no entry is left, and so
 * does the table above it if that is left empty too (the root stays),
 * whether va's entry in it lost its table here or never had one (a
 * failed walk made the table under the root and then none beneath).
 * Otherwise a process that maps and unmaps sparse pages would keep every
 * table it ever made, up to its limit (pt->limit), however little it has
 * mapped. The caller flushes the TLB before any user access (the hart may
 * hold entries that led through these tables), and nothing reads a user
 * address in between: the kernel reaches user memory through the direct
 * map. */
static void prune(struct arch_pt *pt, uint64_t va)
{
	uint64_t *top = &pt->root[VPN(va, 2)];

	if ((*top & (PTE_V | PTE_LEAF)) != PTE_V)
		return;
	if (drop_if_empty(pt, &((uint64_t *)pa_to_kva(PTE_TO_PA(*top)))[VPN(va, 1)]))
		(void)drop_if_empty(pt, top);
}

/* Give back every leaf table of pt left empty, and every table of 2 MiB
 * ranges that is then empty too (the root stays); how many went. An unmap
 * for a while (HARVEST_UNMAP: a page written out, a clean page dropped)
 * keeps its table, for the page's next fault; a process pays for the
 * tables so kept here, when it reaches its limit (walk_alloc) or when its
 * budget refuses a table to any process sharing it (kernel/budget_members.c,
 * budget_prune: the kernel, not the arch, knows who shares one), so that
 * the limit and the budget bound what mapped pages need, not what was
 * ever touched. The tables went under the hart's cached walks: flushed
 * here, as nothing else flushes before the process runs again. */
uint64_t arch_pt_prune(struct arch_pt *pt)
{
	uint64_t pages = pt->pages;

	if (!pt->root)	/* not made yet, or destroyed: a record still in its budget */
		return 0;
	for (int i = 0; i < KERNEL_ROOT_FIRST; i++) {
		uint64_t *top = &pt->root[i], *mids;

		if ((*top & (PTE_V | PTE_LEAF)) != PTE_V)
			continue;
		mids = pa_to_kva(PTE_TO_PA(*top));
		for (int j = 0; j < PT_ENTRIES; j++)
			(void)drop_if_empty(pt, &mids[j]);
		(void)drop_if_empty(pt, top);
	}
	if (pt->pages == pages)
		return 0;	/* nothing freed: no walk the hart cached went */
	sfence_vma_all();
	return pages - pt->pages;
}

/* The leaf entry that maps va and its level (0: 4 KiB, 1: 2 MiB), or NULL. */
static const uint64_t *find_leaf(const struct arch_pt *pt, uint64_t va, int *level)
{
	const uint64_t *table = pt->root;

	for (int l = 2; l >= 0; l--) {
		const uint64_t *e = &table[VPN(va, l)];
		if (!(*e & PTE_V))
			return NULL;
		if (*e & PTE_LEAF) {
			*level = l;
			return e;
		}
		table = pa_to_kva(PTE_TO_PA(*e));
	}
	return NULL;
}

/* Install a leaf at level (0: 4 KiB page, 1: 2 MiB page). */
static int map_leaf(struct arch_pt *pt, uint64_t va, uint64_t pa, unsigned perm, int level)
{
	uint64_t *e;

	if (!user_va(va))
		return -ERR_INVAL;
	e = walk(pt, va, level, 1);
	if (!e)
		return walk_error;
	/* A 2 MiB leaf over a leaf table would lose the table (its pages and
	 * the page count): the caller's error, as a larger leaf in a 4 KiB
	 * page's way is. */
	if (level > 0 && (*e & PTE_V) && !(*e & PTE_LEAF))
		return -ERR_INVAL;
	*e = PA_TO_PTE(pa) | perm_bits(perm);
	return 0;
}

int arch_pt_map(struct arch_pt *pt, uint64_t va, uint64_t pa, unsigned perm)
{
	return map_leaf(pt, va, pa, perm, 0);
}

/* The leaf table (level 0) that holds va's entry, kept in c while va
 * stays in one 2 MiB range of pt, so that a run walks the upper levels once
 * a range. NULL if a level above is absent or is itself a leaf (no 4 KiB
 * page in the range), or, with alloc, if a table could not be made. The
 * table c leaves stays: an unmap frees it itself (unmap_leave). */
static inline uint64_t *range_leaves(struct arch_pt *pt, struct arch_pt_cursor *c, uint64_t va,
				     int alloc)
{
	if (c->pt != pt || c->range != va >> ARCH_PT_RANGE_SHIFT) {
		uint64_t *e;

		e = walk(pt, va, 0, alloc);
		*c = (struct arch_pt_cursor){ pt, va >> ARCH_PT_RANGE_SHIFT, e ? e - VPN(va, 0) : NULL };
	}
	return c->leaves;
}

/* Inline in its one caller (vm_map_entries, LTO): a call and a second
 * frame on every fault-around fault otherwise. A run's pages share a pt
 * and mostly a perm: range_leaves keeps the leaf table while the 2 MiB
 * range stays, and the PTE bits are kept while the perm does (~28 -> ~17 instructions
 * an entry, the saving from the bits). */
__attribute__((always_inline)) inline int arch_pt_map_run(struct arch_pt *pt,
							  const struct map_entry *e, size_t n)
{
	/* Range ~0 is no va's: the first entry walks. */
	struct arch_pt_cursor c = { pt, ~0UL, NULL };
	uint64_t perm = ~0UL, bits = 0;	/* ~0: no perm's bits kept yet */

	for (size_t k = 0; k < n; k++) {
		uint64_t va = e[k].va;

		if (!user_va(va))
			return -ERR_INVAL;
		/* Only a new range's table can be missing: a failed walk ends
		 * the run, so a kept one is never NULL (a check less an entry). */
		if (va >> ARCH_PT_RANGE_SHIFT != c.range && !range_leaves(pt, &c, va, 1))
			return walk_error;
		if (e[k].perm != perm) {
			perm = e[k].perm;
			bits = perm_bits((unsigned)perm);
		}
		c.leaves[VPN(va, 0)] = PA_TO_PTE(e[k].pa) | bits;
	}
	return 0;
}

int arch_pt_map_2m(struct arch_pt *pt, uint64_t va, uint64_t pa, unsigned perm)
{
	return map_leaf(pt, va, pa, perm, 1);
}

static uint64_t next_range(uint64_t va)
{
	return ((va >> ARCH_PT_RANGE_SHIFT) + 1) << ARCH_PT_RANGE_SHIFT;
}

/* The leaf tables are made one 2 MiB range at a time; on a failure those
 * this call made go again (prune frees only a table left empty), so the
 * tables are as they were. */
/* arch_pt_prepare's one try, pruning nothing: at the limit, a prune in the
 * middle would give back the empty tables this try made for the range's
 * start. */
static int prepare_once(struct arch_pt *pt, uint64_t va, uint64_t n)
{
	uint64_t end = va + n * PAGE_SIZE, at;
	int r;

	for (at = va; at < end; at = next_range(at))
		if (!user_va(at) || !walk_alloc(pt, at, 0, 0))
			break;
	if (at >= end)
		return 0;
	r = user_va(at) ? walk_error : -ERR_INVAL;
	for (uint64_t v = va; v < at; v = next_range(v))
		prune(pt, v);
	if (user_va(at))
		prune(pt, at);	/* at's walk may have made the table under the root */
	return r;
}

/* At the limit, the empty tables kept for pages taken out for a while go
 * first (arch_pt_prune), and the range is tried once more; a caller's error
 * (-ERR_INVAL) is not tried again. */
int arch_pt_prepare(struct arch_pt *pt, uint64_t va, uint64_t n)
{
	int r = prepare_once(pt, va, n);

	if (r != -ERR_NOMEM)
		return r;
	return arch_pt_prune(pt) ? prepare_once(pt, va, n) : -ERR_NOMEM;
}

/* What a protect keeps of the accessed and dirty bits, and why: arch.h. */
int arch_pt_protect(struct arch_pt *pt, uint64_t va, unsigned perm)
{
	uint64_t *e;

	if (!user_va(va))
		return -ERR_INVAL;
	e = walk(pt, va, 0, 0);
	if (!e || !(*e & PTE_V))
		return -ERR_INVAL;
	*e = (*e & ~((1UL << PTE_PPN_SHIFT) - 1)) | (perm_bits(perm) & ~PTE_A) |
	     (*e & (PTE_A | PTE_D));
	return 0;
}

uint64_t arch_pt_translate(const struct arch_pt *pt, uint64_t va, int need_write)
{
	const uint64_t *e;
	uint64_t need = PTE_U | (need_write ? PTE_W : PTE_R);
	int level;

	if (!user_va(va))
		return 0;
	e = find_leaf(pt, va, &level);
	if (!e || (*e & need) != need)
		return 0;
	/* A store by the kernel for the process counts as its store: the pager
	 * must see the page dirty before it drops a clean copy. */
	*(uint64_t *)e |= PTE_A | (need_write ? PTE_D : 0);
	/* The leaf may be a 2 MiB megapage (the pager's physmap). */
	return PTE_TO_PA(*e) + (va & ((1UL << (12 + 9 * level)) - 1));
}

int arch_ad_by_fault;

/* The bits the fault of an access (enum fault_access) on a page whose PTE
 * is pte lacked, on a hart that faults rather than set them (Svade; the
 * privileged spec's translation: the permission checks come first, then
 * "if pte.a = 0, or the access is a store and pte.d = 0", the fault): A,
 * and for a store D. 0 if something else faulted: no user page there, an
 * access it does not allow (a copy-on-write page's store among them: the
 * pager's), or both bits already there. */
static uint64_t ad_missing(uint64_t pte, unsigned access)
{
	uint64_t need = access == FAULT_WRITE ? PTE_W : access == FAULT_EXEC ? PTE_X : PTE_R;
	uint64_t want = PTE_A | (access == FAULT_WRITE ? PTE_D : 0);

	if ((pte & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need) ||
	    (pte & (PTE_R | PTE_W)) == PTE_W)	/* reserved: faults whatever its bits */
		return 0;
	return want & ~pte;
}

/* Out of line: only a hart that faults on A and D (or the root task's
 * first faults, which find that out) comes here. */
__attribute__((noinline)) int arch_pt_ad_fault(struct arch_pt *pt, uint64_t va, unsigned access)
{
	uint64_t *e, bits;
	int level;

	if (!user_va(va) || !(e = (uint64_t *)find_leaf(pt, va, &level)) ||
	    !(bits = ad_missing(*e, access)))
		return 0;
	*e |= bits;	/* a plain update, as a harvest's: one hart (-smp 1) */
	/* The hart may keep the entry it faulted on: drop it. */
	sfence_vma_page(va);
	arch_ad_by_fault = 1;
	return 1;
}

/* The end of the span around va that has no leaf table: its 1 GiB if
 * the root has no table for it, else its 2 MiB. */
static uint64_t past_absent(const struct arch_pt *pt, uint64_t va)
{
	int shift = (pt->root[VPN(va, 2)] & PTE_V) ? ARCH_PT_RANGE_SHIFT : ARCH_PT_GIGA_SHIFT;

	return ((va >> shift) + 1) << shift;
}

/* A fork's copy-on-write pages: the parent's leaves read where they lie
 * and written into the child's, a leaf table of each kept while the 2 MiB
 * range stays (range_leaves), rather than an entry a page sent, copied in
 * and checked (the frames are the parent's pages, which the pager mapped
 * there itself).
 *
 * No frame is checked here, device windows' included, and none need be:
 * the frame checks (vmcall.c's memmap_user_range) keep the root task from
 * handing out memory that is not its to give, the kernel's above all, and
 * a leaf only comes into a user table by a call that made its own check.
 * Each is the root task's frame checked by map (or its own image, stack,
 * boot info and physmap, root.c: frames memmap_user_range counts as its),
 * or a page of a device window, which device_map maps where the root task
 * asks in any process, the window being the device tree's. A copy so
 * gives to nothing the root task could not give it by those calls, and
 * copy_maps is the root task's alone (the dispatcher's check). A window
 * the pager's fork copies is the pager's own doing, as a window it maps
 * into the wrong process would be; the pager copies only its regions'
 * pages, and maps windows outside them. */
int arch_pt_copy_range(struct arch_pt *from, struct arch_pt *to, uint64_t va, uint64_t n,
		       unsigned perm)
{
	struct arch_pt_cursor src = { 0 }, dst = { 0 };
	uint64_t end = va + n * PAGE_SIZE, bits = perm_bits(perm);	/* n bounded: no wrap */

	while (va < end && user_va(va)) {
		uint64_t *leaves = range_leaves(from, &src, va, 0), pte, *out;

		if (!leaves) {
			va = past_absent(from, va);
			continue;
		}
		pte = leaves[VPN(va, 0)];
		if ((pte & (PTE_V | PTE_U)) == (PTE_V | PTE_U) && (pte & PTE_LEAF)) {
			if (!(out = range_leaves(to, &dst, va, 1)))
				return walk_error;
			out[VPN(va, 0)] = (pte & ~((1UL << PTE_PPN_SHIFT) - 1)) | bits;
		}
		va += PAGE_SIZE;
	}
	return 0;
}

/* An unmap leaves the leaf table its cursor keeps: it goes, and the table
 * above it, if left empty (their pages counted out of pt->pages). Every
 * leaf table an unmap's cursor keeps is one it cleared an entry of (it
 * clears one in each it finds), so no flag in the cursor need say so.
 * The caller flushes the TLB, as after any unmap. */
static void unmap_leave(const struct arch_pt_cursor *c)
{
	if (c->leaves)
		prune(c->pt, c->range << ARCH_PT_RANGE_SHIFT);
}

/* An unmap is for a range going away (a munmap, a page dropped): every
 * leaf table it walks through and leaves empty goes as the walk leaves it
 * (prune), whether or not its last entries were this call's: a page
 * HARVEST_UNMAP took out for a while kept its table. The upper levels are
 * walked once per leaf table (2 MiB), not once a page. */
void arch_pt_unmap(struct arch_pt *pt, uint64_t va, uint64_t n)
{
	struct arch_pt_cursor c = { 0 };
	uint64_t end = va + n * PAGE_SIZE;	/* n is bounded by the caller: no wrap */

	while (va < end && user_va(va)) {
		uint64_t *leaves;

		if (va >> ARCH_PT_RANGE_SHIFT != c.range)	/* before the walk: it may free tables */
			unmap_leave(&c);
		leaves = range_leaves(pt, &c, va, 0);

		/* A range with no leaf table has nothing to clear: skip it whole,
		 * so that unmapping a large sparse span costs a step a 2 MiB, or
		 * a 1 GiB with no table at all. */
		if (!leaves) {
			va = past_absent(pt, va);
			continue;
		}
		leaves[VPN(va, 0)] = 0;
		va += PAGE_SIZE;
	}
	unmap_leave(&c);
}

/* The n leaves from e (one leaf table's): each present user page's bits
 * cleared as want asks (with HARVEST_UNMAP the whole leaf: no mapping);
 * the PTE bits any of them had (0: none present). */
static inline uint64_t harvest_leaves(uint64_t *e, uint32_t n, unsigned want)
{
	uint64_t clear = ((want & HARVEST_ACCESSED) ? PTE_A : 0) |
			 ((want & HARVEST_DIRTY) ? PTE_D : 0) | ((want & HARVEST_PROTECT) ? PTE_W : 0);
	uint64_t any = 0;

	if (want & HARVEST_UNMAP)
		clear = ~0UL;
	for (uint32_t k = 0; k < n; k++) {
		uint64_t pte = e[k];

		if ((pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
			continue;
		any |= pte;
		e[k] = pte & ~clear;
	}
	return any;
}

/* enum harvest_bits for what harvest_leaves found. */
static inline unsigned harvest_found(uint64_t any)
{
	if (!any)
		return 0;
	return HARVEST_PRESENT | ((any & PTE_A) ? HARVEST_ACCESSED : 0) |
	       ((any & PTE_D) ? HARVEST_DIRTY : 0);
}

/* An entry's pages from va (one, or a run's: HARVEST_RUN_SHIFT), inline in
 * the call's loop: the common entry (its leaf table kept in the cursor)
 * costs no call and no walk, a run a loop a leaf table. Each va is a user
 * page, not checked again here: the caller checked every entry first
 * (arch_pt_harvest_run). */
static inline unsigned harvest_entry(struct arch_pt *pt, struct arch_pt_cursor *c, uint64_t va,
				     unsigned want)
{
	uint64_t any = 0;

	_Static_assert(HARVEST_RUN_MAX <= PT_ENTRIES, "a run crosses one leaf table's end at most");
	/* One page (reclaim's looks: most entries), the run loop's steps
	 * without its length sums (with the kernel's check, harvest_act ~56 -> ~37 instructions an entry). */
	if (!(want >> HARVEST_RUN_SHIFT)) {
		uint64_t *leaves = range_leaves(pt, c, va, 0);

		if (!leaves)
			return 0;
		return harvest_found(harvest_leaves(&leaves[VPN(va, 0)], 1, want));
	}

	/* The pager's batches run through a few 2 MiB ranges of a process:
	 * the upper levels are walked only when the range or the table
	 * changes. A table HARVEST_UNMAP leaves empty stays (arch_pt_prune). */
	for (uint32_t left = harvest_run_pages(want), n; left > 0; left -= n, va += n * PAGE_SIZE) {
		uint64_t *leaves = range_leaves(pt, c, va, 0);

		n = PT_ENTRIES - (uint32_t)VPN(va, 0);	/* to the table's end */
		if (n > left)
			n = left;
		if (!leaves)
			continue;
		any |= harvest_leaves(&leaves[VPN(va, 0)], n, want);
	}
	return harvest_found(any);
}

void arch_pt_harvest_run(struct arch_pt *pt, struct arch_pt_cursor *c, struct harvest_entry *b,
			size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i].bits = harvest_entry(pt, c, b[i].va, b[i].bits);
}

void arch_pt_activate_kernel(void)
{
	satp_load(SATP_SV39 | (kva_to_pa(boot_pt) >> 12));
}

void arch_tlb_flush(void)
{
	sfence_vma_all();
}
