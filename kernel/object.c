/*
 * Reference counting for kernel objects, and the one place that knows how
 * to destroy each type when its last reference goes.
 */
#include "object.h"
#include "proc.h"
#include "ipc.h"
#include "notify.h"
#include "console.h"
#include "device.h"

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
	switch (o->type) {
	case OBJ_PROC:
		proc_free((struct proc *)o);
		break;
	case OBJ_ENDPOINT:
		endpoint_free((struct endpoint *)o);
		break;
	case OBJ_NOTIFY:
		notify_free((struct notify *)o);
		break;
	default:
		panic("object %p has unknown type %u", (void *)o, o->type);
	}
}

void object_orphaned(struct object *o)
{
	if (o->type == OBJ_ENDPOINT)
		endpoint_orphaned((struct endpoint *)o);
	else if (o->type == OBJ_NOTIFY)
		device_notify_orphaned((struct notify *)o);
}
