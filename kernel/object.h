/*
 * What every kernel object a handle can name starts with: its type and
 * three counts. refs keeps the memory alive; handles counts the
 * handle-table entries naming it, and receivers those holding RIGHT_RECV,
 * so an endpoint knows when no one can receive on it any more.
 */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H

#include <stdint.h>

enum obj_type {
	OBJ_PROC = 1,
	OBJ_ENDPOINT = 2,
	OBJ_NOTIFY = 3,
	OBJ_BUDGET = 4,
	OBJ_TYPES
};

struct object {
	uint32_t type;		/* enum obj_type */
	uint32_t refs;		/* handles + kernel references; freed at 0 */
	uint32_t handles;	/* handle-table entries naming it */
	uint32_t receivers;	/* of those, holding RIGHT_RECV */
};

typedef void object_fn(struct object *o);

/* What a type does at the ends of an object's life, set at boot by the
 * file above that owns it: this file calls no one up. free is called when
 * the last reference goes (every type has one); orphaned when the last
 * handle with RIGHT_RECV closes, so what waits on it is let go (an
 * endpoint's queues, a notification's interrupt bindings), if set. */
void object_on_free(enum obj_type type, object_fn *free);
void object_on_orphaned(enum obj_type type, object_fn *orphaned);

void object_get(struct object *o);
/* Drop a reference; the object is destroyed when the last one goes. */
void object_put(struct object *o);
/* The last handle with RIGHT_RECV on o has closed (object_on_orphaned). */
void object_orphaned(struct object *o);

#endif
