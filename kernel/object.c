/*
 * Reference counting for kernel objects. Each type's own file says how to
 * destroy one (object_on_free), so the count lives below every type.
 */
#include "object.h"
#include "console.h"

static object_fn *on_free[OBJ_TYPES];
static object_fn *on_orphaned[OBJ_TYPES];

/* One owner a type: a second would silently replace the first. */
static void set_once(object_fn **table, enum obj_type type, object_fn *fn, const char *what)
{
	if ((unsigned)type >= OBJ_TYPES || table[type])
		panic("object type %u: %s set twice or out of range", (unsigned)type, what);
	table[type] = fn;
}

void object_on_free(enum obj_type type, object_fn *free)
{
	set_once(on_free, type, free, "destructor");
}

void object_on_orphaned(enum obj_type type, object_fn *orphaned)
{
	set_once(on_orphaned, type, orphaned, "orphan handler");
}

void object_get(struct object *o)
{
	o->refs++;
}

void object_put(struct object *o)
{
	if (o->refs == 0)
		panic("object %p of type %u released too often", (void *)o, o->type);
	if (--o->refs > 0)
		return;
	if (o->type >= OBJ_TYPES)
		panic("object %p has unknown type %u", (void *)o, o->type);
	if (!on_free[o->type])
		panic("object %p: no destructor for type %u (its *_init not run?)", (void *)o, o->type);
	on_free[o->type](o);
}

void object_orphaned(struct object *o)
{
	if (o->type < OBJ_TYPES && on_orphaned[o->type])
		on_orphaned[o->type](o);
}
