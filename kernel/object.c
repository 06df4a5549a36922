/*
 * Reference counting for kernel objects. Each type's own file says how to
 * destroy one (object_on_free), so the count lives below every type.
 */
#include "object.h"
#include "console.h"

static object_fn *on_free[OBJ_TYPES];
static object_fn *on_orphaned[OBJ_TYPES];

void object_on_free(enum obj_type type, object_fn *free)
{
	on_free[type] = free;
}

void object_on_orphaned(enum obj_type type, object_fn *orphaned)
{
	on_orphaned[type] = orphaned;
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
	if (o->type >= OBJ_TYPES || !on_free[o->type])
		panic("object %p has unknown type %u", (void *)o, o->type);
	on_free[o->type](o);
}

void object_orphaned(struct object *o)
{
	if (o->type < OBJ_TYPES && on_orphaned[o->type])
		on_orphaned[o->type](o);
}
