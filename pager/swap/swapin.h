/*
 * The swap-in thread (seed 000's swapin service): it reads the slots queued
 * in the swapper's swap-in queue into the swap cache, ahead of any fault,
 * letting the pager lock go while the disk works.
 */
#ifndef PAGER_SWAPIN_H
#define PAGER_SWAPIN_H

/* Start the thread (it sleeps until the swapper queues work). 0, or a
 * negative error. */
int swapin_init(void);
/* Its notification (the driver signals its reads there). */
int swapin_note(void);

#endif
