/*
 * Per-process handle tables. A handle holds one reference on its object and
 * counts in the object's `handles`; closing the last handle of an endpoint
 * tells the endpoint that no one can receive on it any more.
 */
#include "handle.h"
#include "proc.h"
#include "ipc.h"
#include "abi/errno.h"

int handle_install(struct proc *p, struct object *o)
{
	for (int i = 0; i < HANDLES_MAX; i++) {
		if (p->handles[i])
			continue;
		p->handles[i] = o;
		object_get(o);
		o->handles++;
		return i;
	}
	return -ERR_MFILE;
}

struct object *handle_any(struct proc *p, uint64_t h)
{
	if (h >= HANDLES_MAX)
		return NULL;
	return p->handles[h];
}

struct object *handle_get(struct proc *p, uint64_t h, enum obj_type type)
{
	struct object *o = handle_any(p, h);

	return o && o->type == type ? o : NULL;
}

int handle_close(struct proc *p, uint64_t h)
{
	struct object *o = handle_any(p, h);

	if (!o)
		return -ERR_BADF;
	p->handles[h] = NULL;
	if (--o->handles == 0 && o->type == OBJ_ENDPOINT)
		endpoint_orphaned((struct endpoint *)o);
	object_put(o);
	return 0;
}

void handle_close_all(struct proc *p)
{
	for (int i = 0; i < HANDLES_MAX; i++)
		if (p->handles[i])
			handle_close(p, (uint64_t)i);
}
