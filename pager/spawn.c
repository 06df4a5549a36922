/*
 * Program loading. Until demand paging arrives, every page a program has
 * (image, stack, heap) is mapped before it runs, so a fault is always an
 * error; frames are tracked per process so its exit frees them all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "spawn.h"
#include "procs.h"
#include "frames.h"
#include "cpio.h"
#include "elf.h"
#include "sys.h"
#include "pager/protocol.h"

#define BATCH 32

static struct spawn_env env;

void spawn_init(const struct spawn_env *e)
{
	env = *e;
}

/* Mappings collected and handed to the kernel BATCH at a time. */
struct mapper {
	int proc;
	size_t n;
	int err;
	struct map_entry e[BATCH];
};

static void mapper_flush(struct mapper *m)
{
	int r;

	if (m->n == 0 || m->err)
		return;
	r = sys_map(m->proc, m->e, m->n);
	if (r < 0)
		m->err = r;
	m->n = 0;
}

/* A fresh zeroed frame for p mapped at va; its contents, or NULL. */
static uint8_t *map_new(struct mapper *m, struct pproc *p, uint64_t va, unsigned perm)
{
	uint64_t pa = frame_alloc((uint32_t)procs_slot_of(p), &p->frames);

	if (!pa) {
		m->err = -ENOMEM;
		return NULL;
	}
	m->e[m->n++] = (struct map_entry){ va, pa, perm };
	if (m->n == BATCH)
		mapper_flush(m);
	return frame_ptr(pa);
}

static unsigned seg_perm(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? MAP_R : 0) | ((flags & ELF_SEG_W) ? MAP_R | MAP_W : 0) |
	       ((flags & ELF_SEG_X) ? MAP_X : 0);
}

static void load_segment(struct mapper *m, struct pproc *p, const uint8_t *file,
			 const struct elf_segment *s)
{
	uint64_t file_end = s->vaddr + s->filesz;

	for (uint64_t va = s->vaddr & ~(PAGE_SIZE - 1); va < s->vaddr + s->memsz && !m->err;
	     va += PAGE_SIZE) {
		uint8_t *page = map_new(m, p, va, seg_perm(s->flags));
		uint64_t from = va > s->vaddr ? va : s->vaddr;
		uint64_t to = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
		if (page && from < to)
			memcpy(page + (from - va), file + s->offset + (from - s->vaddr), to - from);
	}
}

/* Stack with argc, argv[] and the strings in its top page; returns sp. */
static uint64_t build_stack(struct mapper *m, struct pproc *p, int argc, const char *const *argv)
{
	uint8_t *top = NULL;
	uint64_t ptrs[SPAWN_ARGS_MAX + 1];
	uint64_t off = PAGE_SIZE, page_va = STACK_TOP - PAGE_SIZE;

	for (int i = STACK_PAGES; i >= 1 && !m->err; i--) {
		uint8_t *page = map_new(m, p, STACK_TOP - (uint64_t)i * PAGE_SIZE, MAP_R | MAP_W);
		if (i == 1)
			top = page;
	}
	if (!top)
		return 0;
	for (int i = argc - 1; i >= 0; i--) {
		size_t len = strlen(argv[i]) + 1;
		off -= len;
		memcpy(top + off, argv[i], len);
		ptrs[i] = page_va + off;
	}
	ptrs[argc] = 0;
	off = (off - (uint64_t)(argc + 2) * 8) & ~15UL;
	memcpy(top + off, &(uint64_t){ (uint64_t)argc }, 8);
	memcpy(top + off + 8, ptrs, (size_t)(argc + 1) * 8);
	return page_va + off;
}

static int create(struct pproc *p, const char *name)
{
	struct proc_spec spec = { .fault_ep = (uint64_t)env.pager_ep,
				  .death_notify = (uint64_t)env.deaths,
				  .death_bits = 1UL << procs_slot_of(p) };
	struct proc_info info;
	int h;

	strncpy(spec.name, name, PROC_NAME_MAX - 1);
	h = sys_proc_create(&spec);
	if (h < 0)
		return h;
	p->handle = h;
	if (sys_proc_info(h, &info) < 0)
		return -EINVAL;
	p->pid = info.pid;
	memcpy(p->name, info.name, PROC_NAME);
	return 0;
}

/* Handles 1 and 2 of the child: the pager endpoint and the passed handle. */
static int give_handles(struct pproc *p, int pass_handle)
{
	if (sys_handle_grant(p->handle, env.pager_ep) != HANDLE_PAGER)
		return -EINVAL;
	if (pass_handle >= 0 && sys_handle_grant(p->handle, pass_handle) != HANDLE_ARG)
		return -EINVAL;
	return 0;
}

static int load(struct pproc *p, const struct elf_image *img, const uint8_t *file, int argc,
		const char *const *argv, int pass_handle)
{
	struct mapper m = { .proc = p->handle };
	uint64_t sp, heap = 0;
	int r;

	for (size_t i = 0; i < img->nsegs && !m.err; i++) {
		const struct elf_segment *s = &img->segs[i];
		load_segment(&m, p, file, s);
		if (s->vaddr + s->memsz > heap)
			heap = s->vaddr + s->memsz;
	}
	sp = build_stack(&m, p, argc, argv);
	mapper_flush(&m);
	if (m.err)
		return m.err;
	p->brk_base = p->brk = p->brk_mapped = (heap + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if ((r = give_handles(p, pass_handle)) < 0)
		return r;
	r = sys_thread_create(p->handle, img->entry, sp, 0, PRIO_NORMAL);
	return r < 0 ? r : 0;
}

/* Undo a half-made process: kill it (if created) and free what it had. */
static void abandon(struct pproc *p)
{
	if (p->handle >= 0) {
		sys_proc_kill(p->handle, 0);
		sys_handle_close(p->handle);
	}
	frames_free_list(&p->frames);
	procs_release(p);
}

struct pproc *spawn(int argc, const char *const *argv, int pass_handle, int *err)
{
	struct cpio_file f;
	struct elf_image img;
	struct pproc *p;
	int r;

	if (argc < 1 || argc > SPAWN_ARGS_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	if (cpio_find(env.initrd, env.initrd_size, argv[0], &f) != CPIO_OK) {
		*err = -PAGER_ENOENT;
		return NULL;
	}
	if ((r = elf_parse(f.data, f.size, USER_BASE, STACK_TOP - STACK_PAGES * PAGE_SIZE, &img)) < 0) {
		printf("pager: %s: %s\n", argv[0], elf_strerror(r));
		*err = -ENOEXEC;
		return NULL;
	}
	if (!(p = procs_new())) {
		*err = -EAGAIN;
		return NULL;
	}
	if ((r = create(p, argv[0])) < 0 || (r = load(p, &img, f.data, argc, argv, pass_handle)) < 0) {
		abandon(p);
		*err = r;
		return NULL;
	}
	return p;
}
