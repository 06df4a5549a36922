/*
 * Handle tables: small integers naming kernel objects, per process. Every
 * handle from user space is looked up here, checked for range and type.
 */
#ifndef KERNEL_HANDLE_H
#define KERNEL_HANDLE_H

#include <stdint.h>
#include "object.h"

struct proc;

/* Install o in p's table (taking a reference); the index or -ERR_MFILE. */
int handle_install(struct proc *p, struct object *o);
/* The object named by h if it has the given type, else NULL. */
struct object *handle_get(struct proc *p, uint64_t h, enum obj_type type);
/* The object named by h, any type, else NULL. */
struct object *handle_any(struct proc *p, uint64_t h);
int handle_close(struct proc *p, uint64_t h);
void handle_close_all(struct proc *p);

#endif
