/*
 * The swap engine's shared state: the device in use, its slots, whether
 * swap is on (set last, with the VM core plugged in: swap_on is the one
 * answer) and whether its device is gone, the hooks reclaim lent, and the
 * swap levels vmstat reports. Moving pages through the device is
 * transfer.c's; the slot operations the VM core calls, slot_ops.c's.
 */
#include "base/vmstat.h"
#include "swap/internal.h"
#include "swap/slots.h"
#include "swap/swap.h"

static struct swap_backend dev;		/* the device in use */
static struct swap_slots *slots;	/* its slots, once swap is on */
static int on;
static int starting;	/* swap_start is reading the header: dev is set */
static int ended;	/* the device's driver ended (swap_device_ended) */
static const struct swap_reclaim_hooks *hooks;

int swap_on(void)
{
	return on;
}

static uint64_t slots_total(void)
{
	return swap_slots_total(slots);
}

static uint64_t slots_free(void)
{
	return swap_slots_free(slots);
}

static uint64_t slots_bad(void)
{
	return swap_slots_bad(slots);
}

static uint64_t gone(void)
{
	return (uint64_t)swap_device_gone();
}

void swap_engine_begin(const struct swap_backend *backend)
{
	dev = *backend;
	__atomic_store_n(&ended, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&starting, 1, __ATOMIC_RELEASE);
}

int swap_engine_start_ended(void)
{
	return __atomic_load_n(&ended, __ATOMIC_ACQUIRE);
}

void swap_engine_set(struct swap_slots *s)
{
	slots = s;
	vmstat_gauge(VMSTAT_SWAP_SLOTS_TOTAL, slots_total);
	vmstat_gauge(VMSTAT_SWAP_SLOTS_FREE, slots_free);
	vmstat_gauge(VMSTAT_SWAP_SLOTS_BAD, slots_bad);
	vmstat_gauge(VMSTAT_SWAP_GONE, gone);
	__atomic_store_n(&on, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&starting, 0, __ATOMIC_RELEASE);
}

int swap_congested(void)
{
	/* A device gone for good frees nothing by being waited for. */
	return on && dev.ops->congested && !swap_device_gone() && dev.ops->congested(dev.ctx);
}

int swap_out_stalled(void)
{
	return on && dev.ops->stalled && !swap_device_gone() && dev.ops->stalled(dev.ctx);
}

int swap_copies_usable(void)
{
	return swap_on() && !swap_device_gone();
}

int swap_device_gone(void)
{
	return on && (__atomic_load_n(&ended, __ATOMIC_ACQUIRE) ||
		      (dev.ops->gone && dev.ops->gone(dev.ctx)));
}

void swap_device_ended(void)
{
	/* While the header is read, the read must be woken as any other:
	 * swap_start then sees the end and leaves swap off. starting is
	 * read before on, the reverse of swap_engine_set's stores (on, then
	 * starting cleared): a start that completes between the two reads
	 * is seen as on, never as neither. */
	if (!__atomic_load_n(&starting, __ATOMIC_ACQUIRE) && !__atomic_load_n(&on, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&ended, 1, __ATOMIC_RELEASE);
	if (dev.ops->ended)
		dev.ops->ended(dev.ctx);
}

uint32_t swap_request_pages(void)
{
	if (!on)
		return 0;
	return dev.request_pages && dev.request_pages < SWAP_IO_MAX ? dev.request_pages : SWAP_IO_MAX;
}

int64_t swap_write_bound_ns(void)
{
	return on ? dev.write_bound_ns : 0;	/* a device refused keeps no bound */
}

int64_t swap_write_life_ns(void)
{
	int64_t bound = swap_write_bound_ns();

	return bound > 0 ? bound + dev.give_up_ns : 0;
}

int64_t swap_outage_ended(void)
{
	return on && dev.ops->outage_ended ? dev.ops->outage_ended(dev.ctx) : 0;
}

const char *swap_engine_where(void)
{
	return dev.where;
}

const struct swap_backend *swap_engine_device(void)
{
	return &dev;
}

void swap_engine_off(void)
{
	on = 0;
	__atomic_store_n(&starting, 0, __ATOMIC_RELEASE);
	ended = 0;
	swap_slots_destroy(slots);
	slots = NULL;
}

struct swap_slots *swap_engine_slots(void)
{
	return slots;
}

void swap_set_reclaim_hooks(const struct swap_reclaim_hooks *h)
{
	hooks = h;
}

const struct swap_reclaim_hooks *swap_engine_hooks(void)
{
	return hooks;
}
