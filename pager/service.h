/*
 * The pager's request loop: page faults from the kernel, requests from
 * programs (spawn, heap, power-off) and process deaths, all on one endpoint
 * and handled by one thread (the fault path's thread), which holds the
 * pager lock for each one.
 */
#ifndef PAGER_SERVICE_H
#define PAGER_SERVICE_H

#include <stdint.h>

struct pproc;
struct pager_thread;

/* Serve forever as thread t. init is the process allowed to power the
 * machine off; deaths is t's bound notification. */
_Noreturn void service_loop(struct pager_thread *t, int endpoint, int deaths, struct pproc *init);

#endif
