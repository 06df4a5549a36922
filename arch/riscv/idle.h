/*
 * The idle wait (idle.c), for the trap dispatcher (trap.c), which takes
 * what woke it; the idle time it counts is arch.h's arch_idle_ticks.
 */
#ifndef ARCH_IDLE_H
#define ARCH_IDLE_H

#include <stdint.h>

/* Sleep until an interrupt is pending; the pending bits (sip). Interrupts
 * stay masked in the kernel, so none traps: the caller takes them. */
uint64_t idle_wait(void);

#endif
