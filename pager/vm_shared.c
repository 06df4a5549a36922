/*
 * Shared anonymous memory (mmap MAP_SHARED): the frames belong to a
 * reference-counted object that every sharer's region points at, so a
 * write in one is seen by all; the frames go with the object's last region.
 */
#include <stdlib.h>
#include <string.h>
#include "vm_impl.h"

static struct vm_object **objects;	/* by id; slot 0 unused (frame.obj 0 = none) */
static uint32_t nslots;

void vm_objects_reset(void)
{
	for (uint32_t i = 1; i < nslots; i++)
		if (objects[i]) {
			free(objects[i]->pages);
			free(objects[i]);
		}
	free(objects);
	objects = NULL;
	nslots = 0;
}

/* A free id, growing the table if needed; 0 if memory is short. */
static uint32_t free_id(void)
{
	uint32_t old = nslots, n = nslots ? nslots * 2 : 16;
	struct vm_object **t;

	for (uint32_t i = 1; i < nslots; i++)
		if (!objects[i])
			return i;
	if (nslots >= UINT32_MAX / 2 || !(t = realloc(objects, n * sizeof(*t))))
		return 0;
	memset(t + nslots, 0, (n - nslots) * sizeof(*t));
	objects = t;
	nslots = n;
	return old ? old : 1;
}

struct vm_object *vm_object_new(uint64_t npages)
{
	uint32_t id = free_id();
	struct vm_object *o = id ? calloc(1, sizeof(*o)) : NULL;

	if (!o)
		return NULL;
	*o = (struct vm_object){ .id = id, .refs = 1, .npages = npages };
	objects[id] = o;
	return o;
}

struct vm_object *vm_object_by_id(uint32_t id)
{
	return id < nslots ? objects[id] : NULL;
}

uint32_t vm_object_count(void)
{
	return nslots;
}

/* Drop one reference; the last frees the object's frames (none is mapped:
 * every region that could map them is gone). */
static void object_put(struct vm_object *o)
{
	if (--o->refs > 0)
		return;
	for (uint64_t j = 0; o->pages && j < o->npages; j++) {
		struct frame *f = o->pages[j] ? frame_desc(pfn_pa(o->pages[j])) : NULL;
		if (!f)
			continue;
		if (f->mapcount)
			vm_note_bug("shared object freed while its frame is mapped");
		f->obj = f->obj_page = 0;
		frame_free(pfn_pa(o->pages[j]));
	}
	objects[o->id] = NULL;
	free(o->pages);
	free(o);
}

/* The object's frame for page i, made (zeroed) on first touch. */
static uint64_t shared_page_in(struct vm_region *r, uint64_t i)
{
	struct vm_object *o = r->obj;
	uint64_t j = r->pgoff + i, pa;
	struct frame *f;

	if (!o->pages && !(o->pages = calloc(o->npages, sizeof(*o->pages))))
		return 0;
	if (o->pages[j])
		return pfn_pa(o->pages[j]);
	if (!(pa = frame_alloc()))
		return 0;
	vm.cnt.faults_zero++;
	f = frame_desc(pa);
	f->obj = o->id;
	f->obj_page = (uint32_t)j;
	o->pages[j] = pa_pfn(pa);
	return pa;
}

static void shared_page_gone(struct vm_region *r, uint64_t i, uint64_t pa)
{
	(void)r, (void)i, (void)pa;	/* the object still holds the frame */
}

/* The child refers to the same object and maps every page it has. */
static int shared_fork(struct vm_space *ps, struct vm_region *p, struct vm_space *cs,
		       struct vm_region *c)
{
	struct vm_object *o = p->obj;

	(void)ps;
	o->refs++;	/* first: c already points at o */
	for (uint64_t i = 0; o->pages && i < region_pages(c); i++) {
		uint64_t j = c->pgoff + i;
		if (j < o->npages && o->pages[j] &&
		    vm_page_map(cs, c, i, pfn_pa(o->pages[j]), c->perm) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}

static void shared_split(struct vm_region *r, struct vm_region *t, uint64_t at)
{
	t->pgoff = r->pgoff + at;
	r->obj->refs++;
}

/* Grow the object if the region now reaches past it. Pages a shrink left
 * behind stay in the object for the other sharers, until its last reference. */
static int shared_resize(struct vm_region *r, uint64_t npages)
{
	struct vm_object *o = r->obj;
	uint64_t need = r->pgoff + npages;
	uint32_t *p;

	if (need <= o->npages)
		return 0;
	if (o->pages) {
		if (!(p = realloc(o->pages, need * sizeof(*p))))
			return VM_FAULT_NOMEM;
		memset(p + o->npages, 0, (need - o->npages) * sizeof(*p));
		o->pages = p;
	}
	o->npages = need;
	return 0;
}

static void shared_release(struct vm_region *r)
{
	object_put(r->obj);
}

const struct region_ops vm_shared_ops = {
	.name = "shared", .priv = 0, .faultaround = 0, .guard = 0,
	.fill = NULL, .page_in = shared_page_in, .page_gone = shared_page_gone,
	.fork = shared_fork, .split = shared_split, .resize = shared_resize,
	.release = shared_release,
};
