/*
 * The root task's address space: its ELF image in frames cut from the
 * memory map, a stack, the boot info page, and the "physmap" window through
 * which it reaches every frame it owns (PHYSMAP_BASE + physical address).
 */
#include "root.h"
#include "proc.h"
#include "thread.h"
#include "memmap.h"
#include "device.h"
#include "kmem.h"
#include "klib.h"
#include "console.h"
#include "cpio.h"
#include "elfimage.h"
#include "abi/vm.h"
#include "abi/bootinfo.h"

#define STACK_PAGES 16
#define STACK_TOP (BOOTINFO_VA - PAGE_SIZE)	/* a guard page above it */
#define IMAGE_LIMIT (STACK_TOP - STACK_PAGES * PAGE_SIZE - PAGE_SIZE)
#define MEGA (2UL << 20)

static uint64_t next_frame, frames_end;

static uint64_t take_frame(void)
{
	uint64_t pa = next_frame;

	if (pa >= frames_end)
		panic("root task: image larger than counted");
	next_frame += PAGE_SIZE;
	memset(pa_to_kva(pa), 0, PAGE_SIZE);
	return pa;
}

static void map_or_panic(struct proc *p, uint64_t va, uint64_t pa, unsigned perm)
{
	if (arch_pt_map(&p->pt, va, pa, perm) < 0)
		panic("root task: kernel pool too small for its page tables");
}

static unsigned seg_perm(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? MAP_R : 0) | ((flags & ELF_SEG_W) ? MAP_W | MAP_R : 0) |
	       ((flags & ELF_SEG_X) ? MAP_X : 0);
}

static uint64_t seg_pages(const struct elf_segment *s)
{
	return (ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) - ALIGN_DOWN(s->vaddr, PAGE_SIZE)) / PAGE_SIZE;
}

/* Copy one segment page by page into fresh frames and map them. */
static void load_segment(struct proc *p, const uint8_t *file, const struct elf_segment *s)
{
	uint64_t file_end = s->vaddr + s->filesz;

	for (uint64_t va = ALIGN_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
		uint64_t pa = take_frame();
		uint64_t from = va > s->vaddr ? va : s->vaddr;
		uint64_t to = MIN(va + PAGE_SIZE, file_end);
		if (from < to)
			memcpy((uint8_t *)pa_to_kva(pa) + (from - va), file + s->offset + (from - s->vaddr),
			       to - from);
		map_or_panic(p, va, pa, seg_perm(s->flags));
	}
}

/* Map [r.base, r.end) at PHYSMAP_BASE + pa, with 2 MiB pages where aligned. */
static void map_physmap(struct proc *p, struct phys_range r)
{
	uint64_t pa = r.base;

	while (pa < r.end) {
		int r2;
		if ((pa & (MEGA - 1)) == 0 && pa + MEGA <= r.end) {
			r2 = arch_pt_map_2m(&p->pt, PHYSMAP_BASE + pa, pa, MAP_R | MAP_W);
			pa += MEGA;
		} else {
			r2 = arch_pt_map(&p->pt, PHYSMAP_BASE + pa, pa, MAP_R | MAP_W);
			pa += PAGE_SIZE;
		}
		if (r2 < 0)
			panic("root task: kernel pool too small for the physmap");
	}
}

static void fill_bootinfo(struct bootinfo *bi, const struct devtree_info *dt, const char *cmdline)
{
	bi->magic = BOOTINFO_MAGIC;
	bi->ram_base = memmap.ram_base;
	bi->ram_end = memmap.ram_end;
	bi->nfree = memmap.nfree;
	for (uint64_t i = 0; i < memmap.nfree; i++)
		bi->free[i] = memmap.free[i];
	bi->root_image = memmap.root_image;
	bi->initrd.base = dt->initrd_start;
	bi->initrd.end = dt->initrd_end;
	bi->timebase_hz = dt->timebase_hz;
	for (size_t i = 0; i < device_count(); i++) {
		const struct device *d = device_get(i);
		bi->devices[i].base = d->base;
		bi->devices[i].size = d->size;
		bi->devices[i].irq = d->irq;
		bi->devices[i].kind = 1;
		bi->devices[i].device_id = d->device_id;
		bi->devices[i].version = d->version;
		bi->ndevices++;
	}
	memcpy(bi->cmdline, cmdline, strnlen(cmdline, BOOTINFO_CMDLINE_MAX - 1));
}

/* Find the root task in the initrd, or stop saying whether the archive is
 * damaged or intact without it; a damaged archive that still holds it is
 * reported too, since the programs stored after the damage are lost. */
static void find_program(const struct devtree_info *dt, struct cpio_file *f, struct elf_image *img)
{
	const void *initrd = pa_to_kva(dt->initrd_start);
	size_t size = dt->initrd_end - dt->initrd_start, at;
	int r, damage;

	if (dt->initrd_end <= dt->initrd_start)
		panic("no initrd: boot with -initrd initrd.cpio (scripts/run does)");
	damage = cpio_check(initrd, size, &at);
	r = cpio_find(initrd, size, ROOT_PROGRAM, f);
	if (cpio_damaged(r))
		panic("initrd damaged at byte %lu of %lu, before '%s' was found: %s", at, size,
		      ROOT_PROGRAM, cpio_strerror(r));
	if (r < 0)
		panic("initrd has no '%s' (the archive is intact)", ROOT_PROGRAM);
	if (damage < 0)
		kprintf("initrd   damaged at byte %lu of %lu: %s; the programs stored from there on "
			"cannot be loaded\n", at, size, cpio_strerror(damage));
	r = elf_parse(f->data, f->size, USER_BASE, IMAGE_LIMIT, img);
	if (r < 0)
		panic("initrd: '%s' is not a usable program: %s", ROOT_PROGRAM, elf_strerror(r));
}

void root_start(const struct devtree_info *dt, const char *cmdline)
{
	struct cpio_file f;
	struct elf_image img;
	uint64_t pages = STACK_PAGES + 1, bi_pa;
	struct proc *p;

	find_program(dt, &f, &img);
	for (size_t i = 0; i < img.nsegs; i++)
		pages += seg_pages(&img.segs[i]);
	next_frame = memmap_take(pages * PAGE_SIZE);
	if (!next_frame)
		panic("no room for the root task (%lu pages)", pages);
	frames_end = next_frame + pages * PAGE_SIZE;
	memmap.root_image = (struct phys_range){ next_frame, frames_end };
	p = proc_create(ROOT_PROGRAM, 1, NULL);
	if (!p)
		panic("kernel pool too small for the root task");
	for (size_t i = 0; i < img.nsegs; i++)
		load_segment(p, f.data, &img.segs[i]);
	/* Clean: the first store to its stack tells whether the hart sets
	 * dirty bits itself or faults (arch_ad_by_fault), before any program
	 * the pager maps clean runs. */
	for (uint64_t i = 1; i <= STACK_PAGES; i++)
		map_or_panic(p, STACK_TOP - i * PAGE_SIZE, take_frame(), MAP_R | MAP_W | MAP_CLEAN);
	bi_pa = take_frame();
	fill_bootinfo(pa_to_kva(bi_pa), dt, cmdline);
	map_or_panic(p, BOOTINFO_VA, bi_pa, MAP_R);
	for (uint64_t i = 0; i < memmap.nfree; i++)
		map_physmap(p, memmap.free[i]);
	map_physmap(p, memmap.root_image);
	if (memmap.initrd.end > memmap.initrd.base)
		map_physmap(p, memmap.initrd);
	/* Like every program, it finds argc and argv at sp: here argc = 0 and
	 * argv = { NULL } (the stack frames are zeroed). */
	if (!thread_create(p, img.entry, STACK_TOP - 16, BOOTINFO_VA, PRIO_SERVER))
		panic("kernel pool too small for the root task's thread");
	kprintf("root     %s: entry 0x%lx, %lu KiB image and stack\n", ROOT_PROGRAM, img.entry,
		pages * PAGE_SIZE / 1024);
}
