/*
 * Inside the VM core: spaces, regions, shared objects, the table of
 * operations per kind of memory, and the helpers the vm_*.c files share.
 * Not for the rest of the pager, which uses vm.h.
 */
#ifndef PAGER_VM_IMPL_H
#define PAGER_VM_IMPL_H

#include "vm.h"
#include "frames.h"

/* Frame numbers (pa / VM_PAGE) fit 31 bits (FRAMES_RAM_LIMIT) and 0 is
 * never a frame, so a page array entry is a frame number plus one flag. */
#define VM_MAX_VA (1ULL << 44)	/* rmap entries keep va / VM_PAGE in 32 bits */
#define PAGE_COW 0x80000000u	/* mapped without W in a W region: shared after fork */

static inline uint64_t pfn_pa(uint32_t pfn)
{
	return (uint64_t)pfn * VM_PAGE;
}

static inline uint32_t pa_pfn(uint64_t pa)
{
	return (uint32_t)(pa / VM_PAGE);
}

/* Anonymous memory several spaces map at once (VM_SHARED): it owns its
 * frames, which go when the last region referring to it does. */
struct vm_object {
	uint32_t id;		/* frame.obj of its frames; its slot in vm_shared.c's table */
	uint32_t refs;		/* regions pointing at it, in any space */
	uint64_t npages;	/* length of pages[] */
	uint32_t *pages;	/* frame numbers, 0 = never touched; frame.obj_page = index */
};

struct vm_region;
struct vm_space;

/* What differs between kinds of memory (STYLE.md item 4). */
struct region_ops {
	const char *name;
	int priv;		/* private: copy-on-write after fork; else shared */
	int faultaround;	/* a not-present fault may fill the pages after it */
	uint64_t guard;		/* pages below start kept free of regions (the stack's guard) */
	/* Fill a fresh zeroed page for va; returns the bytes taken from a file. */
	uint64_t (*fill)(const struct vm_region *r, uint64_t va, uint8_t *page);
	/* The frame for absent page i on a fault: a new filled one, or the
	 * shared object's; 0 if no frame is free. */
	uint64_t (*page_in)(struct vm_region *r, uint64_t i);
	/* Page i's mapping here is gone: free frame pa if nothing holds it. */
	void (*page_gone)(struct vm_region *r, uint64_t i, uint64_t pa);
	/* Child region c (a copy of p's fields, no pages yet) gets its pages. */
	int (*fork)(struct vm_space *ps, struct vm_region *p, struct vm_space *cs,
		    struct vm_region *c);
	/* Region tail t was cut from r at page `at` (t's fields copied from r). */
	void (*split)(struct vm_region *r, struct vm_region *t, uint64_t at);
	/* r now has npages pages (its pages beyond were already dropped). */
	int (*resize)(struct vm_region *r, uint64_t npages);
	/* r goes away; its pages are already unmapped. */
	void (*release)(struct vm_region *r);
};

/* A range of one space with one kind of memory. Owned by its space. */
struct vm_region {
	struct vm_region *next;	/* the space's list, sorted by start, not overlapping */
	uint64_t start, end;	/* page aligned, start < end */
	unsigned perm;		/* VM_R/W/X; W implies R */
	enum vm_region_kind kind;
	const struct region_ops *ops;	/* chosen by kind, never changes */
	/* Frame number mapped at each page in this space, 0 = none, with
	 * PAGE_COW if mapped read-only until a write: a present page always has
	 * its rmap entry (space, va). NULL until the first page. */
	uint32_t *pages;
	struct vm_object *obj;	/* VM_SHARED: holds one reference */
	uint64_t pgoff;		/* VM_SHARED: obj's page at start */
	struct vm_image img;	/* VM_IMAGE: what pages are filled from */
};

/* One process's memory. */
struct vm_space {
	struct vm_space *next, *prev;	/* every live space, for vm_check */
	struct vm_region *regions;	/* sorted by start */
	int as;				/* mmu_ops handle */
	uint32_t pid;
};

/* The VM core's state (vm.c). */
struct vm_state {
	struct mmu_ops mmu;
	unsigned faultaround;
	struct vm_counters cnt;		/* frames_mapped/shared and rmap_entries kept by rmap.c */
	struct vm_space *spaces;	/* every live space */
	const char *bug;		/* first internal inconsistency met, reported by vm_check */
};
extern struct vm_state vm;

static inline uint64_t region_pages(const struct vm_region *r)
{
	return (r->end - r->start) / VM_PAGE;
}

static inline uint64_t region_frame(const struct vm_region *r, uint64_t i)
{
	return r->pages ? pfn_pa(r->pages[i] & ~PAGE_COW) : 0;
}

static inline int region_page_cow(const struct vm_region *r, uint64_t i)
{
	return r->pages && (r->pages[i] & PAGE_COW);
}

/* vm.c: page-level changes shared by fault, fork and unmap. */
void vm_note_bug(const char *why);
int vm_region_ensure_pages(struct vm_region *r);
unsigned vm_page_perm(const struct vm_region *r, uint64_t pa);
int vm_page_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa, unsigned perm);
void vm_page_drop(struct vm_space *s, struct vm_region *r, uint64_t i);
void vm_pages_drop(struct vm_space *s, struct vm_region *r, uint64_t from, uint64_t to);
const struct region_ops *vm_ops_of(enum vm_region_kind kind);

/* region.c */
struct vm_region *vm_region_find(const struct vm_space *s, uint64_t va);
void vm_region_remove(struct vm_space *s, struct vm_region *r);

/* vm_private.c and vm_shared.c: the tables of operations. */
extern const struct region_ops vm_anon_ops, vm_stack_ops, vm_image_ops, vm_shared_ops;
struct vm_object *vm_object_new(uint64_t npages);
struct vm_object *vm_object_by_id(uint32_t id);
uint32_t vm_object_count(void);	/* one past the highest id */
void vm_objects_reset(void);

/* rmap.c. rmap_reserve(n) makes the next n rmap_add calls succeed. */
int rmap_reserve(uint64_t n);
void rmap_add(uint64_t pa, struct vm_space *s, uint64_t va);
int rmap_remove(uint64_t pa, struct vm_space *s, uint64_t va);
int rmap_has(uint64_t pa, const struct vm_space *s, uint64_t va);
void rmap_reset(void);
uint64_t rmap_pool_used(void);
uint64_t rmap_pool_free(void);
uint64_t rmap_pool_size(void);

#endif
