/*
 * Device windows and interrupt bindings. An interrupt is claimed from the
 * controller, turned into notification bits for its driver and left
 * uncompleted, so the device cannot interrupt again until the driver has
 * dealt with it and said so (SYS_IRQ_ACK). Mapping windows and binding
 * interrupts are root-only calls, refused by the dispatcher to anyone else.
 */
#include "device.h"
#include "entry.h"
#include "proc.h"
#include "handle.h"
#include "budget_members.h"
#include "notify.h"
#include "ipc.h"
#include "usercopy.h"
#include "console.h"
#include "arch.h"
#include "abi/errno.h"
#include "abi/syscall.h"
#include "abi/vm.h"
#include "abi/bootinfo.h"
#include "abi/handle.h"

#define VIRTIO_MAGIC 0x74726976	/* "virt" */
#define IRQ_MAX 128

static struct device devices[BOOTINFO_MAX_DEVICES];
static size_t ndevices;

struct binding {
	struct notify *n;	/* holds a reference; NULL: unbound */
	uint64_t bits;
};
static struct binding irqs[IRQ_MAX];

/* Read a virtio-mmio slot's identity (magic, version, device id). */
static void probe(struct device *d)
{
	volatile uint32_t *regs = pa_to_kva(d->base);

	if (regs[0] != VIRTIO_MAGIC)
		return;
	d->version = regs[1];
	d->device_id = regs[2];
}

static void drop_bindings(struct object *o);

void device_init(const struct devtree_info *dt)
{
	arch_irq_init(dt->plic.base, dt->plic_ndev);
	notify_on_orphaned(drop_bindings);
	for (size_t i = 0; i < dt->nvirtio && ndevices < BOOTINFO_MAX_DEVICES; i++) {
		struct device *d = &devices[ndevices++];
		d->base = dt->virtio[i].base & ~(PAGE_SIZE - 1);
		d->size = (dt->virtio[i].size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		d->irq = dt->virtio[i].irq;
		probe(d);
	}
}

size_t device_count(void)
{
	return ndevices;
}

const struct device *device_get(size_t i)
{
	return i < ndevices ? &devices[i] : NULL;
}

void device_interrupt(uint32_t irq)
{
	if (irq < IRQ_MAX && irqs[irq].n) {
		notify_signal(irqs[irq].n, irqs[irq].bits);
		return;
	}
	kprintf("[kernel] interrupt %u has no driver; ignored\n", irq);
	arch_irq_complete(irq);
}

/* Drop irq's binding and mask it: with no driver, an interrupt it raises
 * would never be dealt with. Completing it ends one its driver left
 * unacknowledged, so a later binding starts clean; before the mask, as a
 * PLIC ignores the completion of a source not enabled for its context
 * (the source would stay claimed for good). */
static void unbind(uint32_t irq)
{
	arch_irq_complete(irq);
	arch_irq_disable(irq);
	object_put(&irqs[irq].n->obj);
	irqs[irq] = (struct binding){ NULL, 0 };
}

/* No handle can wait on notification o any more: its interrupts go
 * (notify_on_orphaned). */
static void drop_bindings(struct object *o)
{
	struct notify *n = (struct notify *)o;

	for (uint32_t irq = 0; irq < IRQ_MAX; irq++)
		if (irqs[irq].n == n)
			unbind(irq);
}

uint64_t device_irq_bindings(void)
{
	uint64_t count = 0;

	for (uint32_t irq = 0; irq < IRQ_MAX; irq++)
		count += irqs[irq].n != NULL;
	return count;
}

/* (proc, device index, va): map the device's window into proc at va. Its
 * page tables are made first, so a failure (-ERR_NOMEM; -ERR_INVAL for a
 * 2 MiB page of proc's in the way) replaces no page: one that stopped half
 * way would leave pages the pager mapped there pointing at the device, its
 * records saying otherwise. */
int64_t sys_device_map(struct thread *t, const uint64_t *a)
{
	const struct device *d = device_get(a[1]);
	struct proc *p;
	uint64_t va = a[2];
	int r;

	if ((r = handle_target(t->proc, a[0], &p)) < 0)
		return r;
	if (!d || (va & (PAGE_SIZE - 1)) || va < USER_BASE || va > USER_TOP - d->size)
		return -ERR_INVAL;
	/* The pager gives windows only to drivers, which have no budget, but
	 * the kernel does not hold it to that: a process with one is pruned
	 * for as a map is (vmcall.c), the refusal read from the note the
	 * prepare left, since it gave back the tables it made. */
	r = arch_pt_prepare(&p->pt, va, d->size / PAGE_SIZE);
	if (r == -ERR_NOMEM && budget_prune(p))
		r = arch_pt_prepare(&p->pt, va, d->size / PAGE_SIZE);
	if (r < 0) {
		arch_tlb_flush();	/* tables it made went again (arch.h) */
		return r;
	}
	for (uint64_t off = 0; off < d->size; off += PAGE_SIZE)
		(void)arch_pt_map(&p->pt, va + off, d->base + off, MAP_R | MAP_W);
	/* The leaves replaced: no translation of the frames they held may
	 * stay cached. */
	usercopy_forget(p);
	arch_tlb_flush();
	return (int64_t)(d->size / PAGE_SIZE);
}

/* (irq, notify handle, bits): deliver irq as those bits. */
int64_t sys_irq_bind(struct thread *t, const uint64_t *a)
{
	struct object *n;
	int r;

	if ((r = handle_lookup(t->proc, a[1], OBJ_NOTIFY, RIGHT_SEND, &n)) < 0)
		return r;
	if (a[0] >= IRQ_MAX || a[2] == 0 || (a[2] & ~NOTIFY_BITS_MASK))
		return -ERR_INVAL;
	/* No one could see or acknowledge it (as notify_signal refuses), and
	 * the binding would keep it for good: it goes only as the last handle
	 * that may wait closes, which has been. Before the interrupt is
	 * enabled: a refused bind leaves it as it was. */
	if (n->receivers == 0)
		return -ERR_PIPE;
	if (arch_irq_enable((uint32_t)a[0]) < 0)
		return -ERR_INVAL;
	if (irqs[a[0]].n)
		object_put(&irqs[a[0]].n->obj);
	object_get(n);
	irqs[a[0]] = (struct binding){ (struct notify *)n, a[2] };
	return 0;
}

/* Whether t may acknowledge irq through its notification handle nh. */
static int ack_check(struct thread *t, uint64_t nh, uint64_t irq)
{
	struct object *n;
	int r = handle_lookup(t->proc, nh, OBJ_NOTIFY, RIGHT_RECV, &n);

	if (r < 0)
		return r;
	return irq >= IRQ_MAX || irqs[irq].n != (struct notify *)n ? -ERR_PERM : 0;
}

/* (ep, msg, notify handle, irq): irq_ack, then recv_regs on ep, in the
 * registers the register form leaves free (a2, a3): a driver's trap less
 * an interrupt (~120 kernel instructions, ~100 net of the driver's wrapper;
 * docs/measured.md, session 12). Both calls' checks come before the ack: a failed
 * receive must not complete a claim the driver has not seen. Once they
 * passed, nothing a sender does fails the receive or makes it run again
 * (ipc.h), so the ack is made once. */
int64_t sys_irq_ack_recv(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	int64_t r = ack_check(t, a[2], a[3]);

	if (r == 0)
		r = ipc_recv_check(t, a[0], a[1], &ep);
	if (r < 0)
		return r;
	arch_irq_complete((uint32_t)a[3]);
	t->recv_regs = 1;
	return ipc_recv_on(t, ep, a[1]);
}

/* (notify handle, irq): the holder of irq's notification is done with it. */
int64_t sys_irq_ack(struct thread *t, const uint64_t *a)
{
	int r = ack_check(t, a[0], a[1]);

	if (r < 0)
		return r;
	arch_irq_complete((uint32_t)a[1]);
	return 0;
}
