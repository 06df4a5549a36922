/*
 * The boot-time map of physical memory, kept as a short list of free
 * ranges from which whole ranges are cut out.
 */
#include "memmap.h"
#include "klib.h"
#include "console.h"
#include "abi/vm.h"

struct memmap memmap;

/* Remove [base, end) from the free list, splitting a range if needed;
 * returns how many bytes were still free. */
static uint64_t cut(uint64_t base, uint64_t end)
{
	uint64_t removed = 0;

	base = ALIGN_DOWN(base, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	for (uint64_t i = 0; i < memmap.nfree; i++) {
		struct phys_range *r = &memmap.free[i];
		if (end <= r->base || base >= r->end)
			continue;
		removed += MIN(end, r->end) - (base > r->base ? base : r->base);
		if (base > r->base && end < r->end) {
			if (memmap.nfree == BOOTINFO_MAX_RANGES)
				panic("memory map: too many free ranges");
			memmap.free[memmap.nfree++] = (struct phys_range){ end, r->end };
			r->end = base;
			continue;
		}
		if (base <= r->base)
			r->base = MIN(end, r->end);
		else
			r->end = base;
	}
	return removed;
}

/* Drop empty ranges so the list handed on is tidy. */
static void compact(void)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < memmap.nfree; i++)
		if (memmap.free[i].end > memmap.free[i].base)
			memmap.free[n++] = memmap.free[i];
	memmap.nfree = n;
}

/* Whether [a, a_end) and [b, b_end), each widened to whole pages, share a page. */
static int pages_meet(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return ALIGN_DOWN(a, PAGE_SIZE) < ALIGN_UP(b_end, PAGE_SIZE) &&
	       ALIGN_DOWN(b, PAGE_SIZE) < ALIGN_UP(a_end, PAGE_SIZE);
}

/* A memory range's whole pages. */
static struct phys_range whole_pages(const struct dt_range *m)
{
	return (struct phys_range){ ALIGN_UP(m->base, PAGE_SIZE),
				    ALIGN_DOWN(m->base + m->size, PAGE_SIZE) };
}

/* Whether [base, end) lies in one memory range's whole pages. */
static int in_one_memory_range(const struct devtree_info *dt, uint64_t base, uint64_t end)
{
	for (size_t i = 0; i < dt->nmem && i < BOOTINFO_MAX_RANGES; i++) {
		struct phys_range r = whole_pages(&dt->mem[i]);
		if (base >= r.base && end <= r.end)
			return 1;
	}
	return 0;
}

/*
 * The initrd's pages are mapped writable into the root task and are frames
 * it may map into any process (memmap_user_range), and the kernel reads the
 * root task's program from them: so they must be RAM, and hold nothing of
 * the firmware's, the kernel's, a reserved range's or the device tree's.
 * Where it lies is the loader's word alone; a wrong word stops the boot.
 */
static void check_initrd(const struct devtree_info *dt, uint64_t dtb_pa, uint64_t dtb_size,
			 uint64_t kernel_end_pa)
{
	uint64_t base = ALIGN_DOWN(dt->initrd_start, PAGE_SIZE);
	uint64_t end = ALIGN_UP(dt->initrd_end, PAGE_SIZE);
	const char *why = NULL;

	if (end < base || !in_one_memory_range(dt, base, end))	/* end < base: wrapped */
		why = "is not inside one memory range";
	else if (pages_meet(base, end, memmap.ram_base, kernel_end_pa))
		why = "overlaps the firmware or the kernel image";
	else if (pages_meet(base, end, dtb_pa, dtb_pa + dtb_size))
		why = "overlaps the device tree";
	for (size_t i = 0; !why && i < dt->nreserved; i++)
		if (pages_meet(base, end, dt->reserved[i].base,
			       dt->reserved[i].base + dt->reserved[i].size))
			why = "overlaps a reserved memory range";
	if (why)
		panic("initrd at 0x%lx-0x%lx (from the device tree's /chosen) %s",
		      dt->initrd_start, dt->initrd_end, why);
}

int memmap_init(const struct devtree_info *dt, uint64_t dtb_pa, uint64_t dtb_size,
		uint64_t kernel_end_pa)
{
	if (dt->nmem == 0)
		return -1;
	for (size_t i = 0; i < dt->nmem && i < BOOTINFO_MAX_RANGES; i++)
		memmap.free[memmap.nfree++] = whole_pages(&dt->mem[i]);
	memmap.ram_base = dt->mem[0].base;
	memmap.ram_end = dt->mem[0].base + dt->mem[0].size;
	if (dt->initrd_end > dt->initrd_start)
		check_initrd(dt, dtb_pa, dtb_size, kernel_end_pa);
	/* The firmware below the kernel and the kernel image itself. */
	cut(memmap.ram_base, kernel_end_pa);
	for (size_t i = 0; i < dt->nreserved; i++)
		memmap.reserved_bytes += cut(dt->reserved[i].base,
					     dt->reserved[i].base + dt->reserved[i].size);
	memmap.reserved_bytes += cut(dtb_pa, dtb_pa + dtb_size);
	if (dt->initrd_end > dt->initrd_start) {
		memmap.initrd.base = ALIGN_DOWN(dt->initrd_start, PAGE_SIZE);
		memmap.initrd.end = ALIGN_UP(dt->initrd_end, PAGE_SIZE);
		cut(memmap.initrd.base, memmap.initrd.end);
	}
	compact();
	return 0;
}

uint64_t memmap_take(uint64_t bytes)
{
	for (uint64_t i = 0; i < memmap.nfree; i++) {
		struct phys_range *r = &memmap.free[i];
		if (r->end - r->base < bytes)
			continue;
		uint64_t base = r->base;
		r->base += bytes;
		compact();
		return base;
	}
	return 0;
}

static int in_range(const struct phys_range *r, uint64_t pa)
{
	return pa >= r->base && pa < r->end;
}

/* Inline in its callers (LTO): vm_map_one asks it on every fault without
 * fault-around, where a call cost ~14 instructions a fault (the kernel's
 * share of scripts/bench's faultaround=0 faults, profiled with this out
 * of line and inline). */
__attribute__((always_inline)) inline int memmap_user_range(uint64_t pa, struct phys_range *r)
{
	const struct phys_range *hit = NULL;

	/* The free ranges first: they hold the frames a fault maps. */
	for (uint64_t i = 0; i < memmap.nfree && !hit; i++)
		if (in_range(&memmap.free[i], pa))
			hit = &memmap.free[i];
	if (!hit && in_range(&memmap.initrd, pa))
		hit = &memmap.initrd;
	if (!hit && in_range(&memmap.root_image, pa))
		hit = &memmap.root_image;
	if (!hit)
		return 0;
	*r = *hit;
	return 1;
}

uint64_t memmap_free_bytes(void)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < memmap.nfree; i++)
		sum += memmap.free[i].end - memmap.free[i].base;
	return sum;
}
