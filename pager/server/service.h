/*
 * The pager's request loop: page faults from the kernel, on one endpoint,
 * served by PAGER_FAULT_THREADS threads; requests from programs
 * (spawn, heap, power-off), on another, and process deaths, served by the
 * first thread. Each holds the pager lock for a request (but for a
 * swap-in's wait for the disk).
 */
#ifndef PAGER_SERVICE_H
#define PAGER_SERVICE_H

#include <stdint.h>

struct pproc;
struct pager_thread;

/* Make the calling thread the first service thread, holding the pager lock
 * from now until service_loop; deaths is its notification (process deaths,
 * and its disk completions). NULL if it cannot be set up. */
struct pager_thread *service_adopt(int deaths);
/* Start the other service threads, receiving faults on endpoint faults;
 * the first receives on requests. 0, or a negative error. */
int service_start(int requests, int faults);
/* Let the lock go and serve forever as the first thread. init is the
 * process allowed to power the machine off. */
_Noreturn void service_loop(struct pproc *init);
/* Release everything of p if it has ended (killed, exited): its address
 * space, its handle and its record. 1 if it had. */
int service_reap(struct pproc *p);

#endif
