/*
 * Hearing of a driver's end while pager threads wait for it. Every other
 * death reaches the first service thread, which may itself be waiting for
 * the swap device, or for the pager lock that a direct reclaimer holds
 * while it waits; so a driver's death goes first to a thread of its own
 * that never takes the lock, which ends the swap device if the driver
 * served it (waking every waiter) and then passes the death on to be
 * reaped as any other.
 */
#ifndef PAGER_SERVER_DRIVER_WATCH_H
#define PAGER_SERVER_DRIVER_WATCH_H

/* Start the watch; deaths is where it passes the deaths on (the service
 * thread's notification). The notification drivers' deaths are to signal
 * (spawn_env.driver_deaths), or -errno. */
int driver_watch_start(int deaths);

#endif
