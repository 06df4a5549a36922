/*
 * The pager's request loop: page faults from the kernel, requests from
 * programs (spawn, heap, power-off) and process deaths, all on one endpoint
 * and handled by one thread, so pager data needs no locks.
 */
#ifndef PAGER_SERVICE_H
#define PAGER_SERVICE_H

#include <stdint.h>

struct pproc;

/* Serve forever. init is the process allowed to power the machine off. */
_Noreturn void service_loop(int endpoint, int deaths, struct pproc *init);

#endif
