/*
 * Host tests for budgets of the kernel pool (kernel/budget.c, its calls
 * kernel/budgetcall.c) over the real system-call entry and handles:
 * budget_create refuses a limit
 * below what one process with one thread holds, or past the pool, and
 * is the root task's alone; budget_info wants a budget handle that may
 * receive; the page tables (arch/riscv/mmu.c) and handle tables
 * (kernel/handle.c) of processes sharing a budget are charged to it,
 * refused together past its limit while a process with another budget
 * maps on, and given back whole when they go; the budget's refusal (not
 * the pool's) gives back the empty tables its members keep
 * (budget_members.c), an ended member with no tables passed over, a
 * device window's map (kernel/device.c) too; the budget is freed with
 * its last reference. With real processes and threads (FAKE_REAL_PROCS)
 * and the real pool and object caches (FAKE_REAL_KMEM), charged by the
 * page (budget_caches.c): the endpoints and notifications a process
 * makes and the room for a message copy each of its threads is made
 * with are charged too; its exit gives back every page; an object
 * passed on is given back to its maker's budget, once, when its last
 * handle closes; a line that frees three of every four threads still
 * pays for every page they hold, and holds no more than its limit; each
 * charge of a new process and its thread, and an object's, that the
 * budget refuses is made from the tables a member keeps empty; the
 * least limit budget_create takes holds one process with one thread, to
 * the page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define FAKE_REAL_PROCS	/* processes made and ended for real */
#define FAKE_REAL_KMEM	/* and the kernel pool's pages and caches */
#include "test_kernel_ipc_fake.h"

#define VA 0x40000000UL		/* 1 GiB: the root table's second entry */
#define GIB (1UL << 30)
#define MIB2 (1UL << 21)
#define PAGE_PA 0x80400000UL	/* any frame: the tables only point at it */

static struct proc root_proc = { .is_root = 1, .alive = 1 };
static struct proc user_proc = { .alive = 1 };
static struct thread root_thread = { .proc = &root_proc, .tid = 1 };
static struct thread user_thread = { .proc = &user_proc, .tid = 2 };
static struct budget_info info;
/* Budgets alive before a test: one left by a test that failed before
 * closing it is that test's failure, not every later test's. */
static uint64_t budgets_before;

static int setup(void **state)
{
	(void)state;
	budgets_before = budget_count();
	assert_int_equal(handle_table_create(&root_proc, 1), 0);
	assert_int_equal(handle_table_create(&user_proc, 0), 0);
	return 0;
}

static int budget_teardown(void **state)
{
	(void)state;
	handle_table_destroy(&root_proc);
	handle_table_destroy(&user_proc);
	assert_int_equal(budget_count(), budgets_before);	/* each went with its last reference */
	return 0;
}

/* t calls budget_create(pages): its result. */
static int64_t create(struct thread *t, uint64_t pages)
{
	ecall_at(t, 0x10000, SYS_BUDGET_CREATE, (const uint64_t[]){ pages }, 1);
	return (int64_t)t->regs.x[10];
}

static int64_t info_of(uint64_t h)
{
	ecall_at(&root_thread, 0x10000, SYS_BUDGET_INFO, (const uint64_t[]){ h, (uintptr_t)&info },
		 2);
	return (int64_t)root_thread.regs.x[10];
}

/* The budget root's handle h names. */
static struct budget *budget_at(int64_t h)
{
	struct object *o;

	assert_int_equal(handle_lookup(&root_proc, (uint64_t)h, OBJ_BUDGET, 0, &o), 0);
	return (struct budget *)o;
}

/* Limits below what one process holds (test_least_budget) or past the
 * pool are refused; only the root task makes one; info needs a budget's
 * handle holding RIGHT_RECV. */
static void test_bad_arguments(void **state)
{
	int64_t h, notify;
	struct notify *n = notify_create(NULL);

	(void)state;
	assert_int_equal(create(&root_thread, 0), -ERR_INVAL);
	assert_int_equal(create(&root_thread, 1), -ERR_INVAL);
	assert_int_equal(create(&root_thread, kmem_pages_total() + 1), -ERR_INVAL);
	assert_int_equal(create(&root_thread, ~0UL), -ERR_INVAL);
	assert_int_equal(create(&user_thread, 4), -ERR_PERM);
	assert_true((h = create(&root_thread, kmem_pages_total())) >= 0);
	assert_int_equal(info_of((uint64_t)h), 0);
	assert_int_equal(info.limit, kmem_pages_total() * PAGE_SIZE);
	assert_int_equal(info.used, 0);
	ecall_at(&root_thread, 0x10000, SYS_HANDLE_INFO, (const uint64_t[]){ (uint64_t)h }, 1);
	assert_int_equal(HANDLE_INFO_TYPE(root_thread.regs.x[10]), HANDLE_TYPE_BUDGET);
	assert_non_null(n);
	notify = handle_install(&root_proc, &n->obj, RIGHTS_ALL);
	assert_int_equal(info_of((uint64_t)notify), -ERR_BADF);
	assert_int_equal(info_of(200), -ERR_BADF);
	assert_int_equal(handle_close(&root_proc, (uint64_t)h), 0);
	h = handle_install(&root_proc, &budget_at(create(&root_thread, budget_least_pages()))->obj,
			   RIGHT_SEND);
	assert_int_equal(info_of((uint64_t)h), -ERR_ACCES);
}

/* A process with budget b: its handle table and root table charged. */
static void proc_with(struct proc *p, struct budget *b)
{
	memset(p, 0, sizeof(*p));
	p->budget = b;
	p->pt.budget = b;
	budget_join(p);
	assert_int_equal(handle_table_create(p, 0), 0);
	assert_int_equal(arch_pt_create(&p->pt), 0);
}

/* p ended (its tables gone), its record still referenced: still among
 * its budget's members. */
static void proc_ended(struct proc *p)
{
	arch_pt_destroy(&p->pt);
	handle_table_destroy(p);
}

static void proc_gone(struct proc *p)
{
	proc_ended(p);
	budget_leave(p);
}

/* p maps one page in each 2 MiB from VA on until refused: the pages
 * mapped. Each costs a leaf table; each GiB a middle one. */
static uint64_t map_sparse(struct proc *p)
{
	uint64_t n = 0;
	int r;

	while ((r = arch_pt_map(&p->pt, VA + n * MIB2, PAGE_PA, MAP_R)) == 0)
		n++;
	assert_int_equal(r, -ERR_NOMEM);
	return n;
}

/* Two processes sharing a budget of 16 pages: the first maps sparse pages
 * until the budget refuses (its tables, not the pool: the pool has room);
 * the second is refused its first new table, while a third with a budget
 * of its own maps; as they go, every page comes back. */
static void test_line_shares_limit(void **state)
{
	int64_t line_h = create(&root_thread, 16), other_h = create(&root_thread, 16);
	struct budget *line = budget_at(line_h), *other = budget_at(other_h);
	struct proc a, b, c;

	(void)state;
	proc_with(&a, line);
	proc_with(&b, line);
	assert_int_equal(line->used, 3 * PAGE_SIZE);	/* two root tables, the handle tables' page */
	/* 16 pages less those three: 13 for a's middle table and 12 leaf
	 * tables. */
	assert_int_equal(map_sparse(&a), 12);
	assert_int_equal(a.pt.pages, 1 + 13);
	assert_true(line->limit - line->used < PAGE_SIZE);
	assert_int_equal(arch_pt_map(&b.pt, VA, PAGE_PA, MAP_R), -ERR_NOMEM);
	assert_int_equal(b.pt.pages, 1);
	proc_with(&c, other);
	assert_int_equal(arch_pt_map(&c.pt, VA, PAGE_PA, MAP_R), 0);
	proc_gone(&a);
	assert_int_equal(line->used, 2 * PAGE_SIZE);	/* b's root table and handle table's page */
	assert_int_equal(arch_pt_map(&b.pt, VA, PAGE_PA, MAP_R), 0);	/* room again */
	proc_gone(&b);
	proc_gone(&c);
	assert_int_equal(line->used, 0);
	assert_int_equal(other->used, 0);
	assert_int_equal(info_of((uint64_t)line_h), 0);
	assert_int_equal(info.used, 0);
}

/* p's page at va taken out for a while (HARVEST_UNMAP, as a write-out
 * does): its table kept, empty. */
static void harvest_out(struct proc *p, uint64_t va)
{
	struct arch_pt_cursor cur = { 0 };
	struct harvest_entry e = { .bits = HARVEST_UNMAP, .va = va };

	arch_pt_harvest_run(&p->pt, &cur, &e, 1);
	assert_true(e.bits & HARVEST_PRESENT);
}

/* The pool's pages held by the test (pool_drain), for the pool to be
 * empty. */
static void *drained[FAKE_POOL_PAGES];
static size_t ndrained;

static void pool_drain(void)
{
	while ((drained[ndrained] = kmem_page_alloc()))
		ndrained++;
}

static void pool_refill(void)
{
	while (ndrained)
		kmem_page_free(drained[--ndrained]);
}

/* The budget refuses b a table while a, sharing it, keeps empty tables
 * for pages taken out for a while (HARVEST_UNMAP): budget_prune gives
 * them back, passing over a member that has ended and has no tables, and
 * b's map is made (it failed before). The pool's refusal, not the
 * budget's, gives back none of a's. */
static void test_prune_line(void **state)
{
	int64_t line_h = create(&root_thread, 16);
	struct budget *line = budget_at(line_h);
	struct proc a, b, ended;
	uint64_t n;

	(void)state;
	proc_with(&ended, line);
	proc_ended(&ended);
	proc_with(&a, line);
	proc_with(&b, line);
	n = map_sparse(&a);
	for (uint64_t k = 0; k < n; k++)
		harvest_out(&a, VA + k * MIB2);
	assert_int_equal(arch_pt_map(&b.pt, VA, PAGE_PA, MAP_R), -ERR_NOMEM);
	assert_int_equal(budget_prune(&b), 1);
	assert_int_equal(a.pt.pages, 1);
	assert_int_equal(arch_pt_map(&b.pt, VA, PAGE_PA, MAP_R), 0);

	/* The pool's refusal is not the budget's: a's kept tables stay. */
	assert_int_equal(arch_pt_map(&a.pt, VA, PAGE_PA, MAP_R), 0);
	harvest_out(&a, VA);
	pool_drain();
	assert_int_equal(arch_pt_map(&b.pt, VA + GIB, PAGE_PA, MAP_R), -ERR_NOMEM);
	assert_int_equal(b.pt.refused, ARCH_PT_REFUSED_POOL);
	assert_int_equal(budget_prune(&b), 0);
	assert_int_equal(a.pt.pages, 1 + 2);
	pool_refill();
	proc_gone(&a);
	proc_gone(&b);
	budget_leave(&ended);
	assert_int_equal(line->used, 0);
}

#define DEV_PA 0x10001000UL	/* device 0's window, a page */

/* A device window's map for a process with a budget, refused by the
 * budget, is made from the empty tables a member keeps, as a map is (the
 * pager gives windows only to drivers, which have none, but the kernel
 * does not hold it to that). The refused prepare gave back the table it
 * had made under the root, so the budget has a page again by the time the
 * refusal is looked at: only the note the refusal left says it was the
 * budget's. */
static void test_device_map_prunes_line(void **state)
{
	int64_t line_h = create(&root_thread, 16), self;
	struct budget *line = budget_at(line_h);
	struct proc a, b;
	uint64_t filler;

	(void)state;
	proc_with(&a, line);
	proc_with(&b, line);
	assert_int_equal(arch_pt_map(&a.pt, VA, PAGE_PA, MAP_R), 0);
	harvest_out(&a, VA);	/* two tables kept empty */
	filler = line->limit - line->used - PAGE_SIZE;	/* room for one table */
	assert_int_equal(budget_charge(line, filler), 0);
	b.obj = (struct object){ .type = OBJ_PROC, .refs = 1 };
	b.alive = 1;
	assert_true((self = handle_install(&root_proc, &b.obj, RIGHTS_ALL)) >= 0);
	devices[0] = (struct device){ .base = DEV_PA, .size = PAGE_SIZE };
	ndevices = 1;
	/* At 2 GiB: a table under the root and a leaf table beneath it. */
	assert_int_equal(sys_device_map(&root_thread, (const uint64_t[]){ (uint64_t)self, 0, 2 * GIB }),
			 1);
	assert_int_equal(arch_pt_translate(&b.pt, 2 * GIB, 1), DEV_PA);
	assert_int_equal(a.pt.pages, 1);
	ndevices = 0;
	assert_int_equal(handle_close(&root_proc, (uint64_t)self), 0);
	proc_gone(&a);
	proc_gone(&b);
	budget_uncharge(line, filler);
	assert_int_equal(line->used, 0);
}

/* A budget with one page left: the first handle table takes it, so a
 * root table is refused (proc_create then fails with -ERR_NOMEM), nothing
 * charged; the tables the page has room for cost nothing more, and the
 * next, which needs a page, is refused. */
static void test_tables_refused(void **state)
{
	struct budget *b = budget_at(create(&root_thread, budget_least_pages()));
	uint64_t filler = b->limit - PAGE_SIZE;
	struct proc p[PAGE_SIZE / (sizeof(struct handle) * HANDLES_MAX) + 1];

	(void)state;
	assert_int_equal(budget_charge(b, filler), 0);
	memset(p, 0, sizeof(p));
	p[0].budget = p[0].pt.budget = b;
	assert_int_equal(handle_table_create(&p[0], 0), 0);
	assert_int_equal(arch_pt_create(&p[0].pt), -ERR_NOMEM);
	assert_null(p[0].pt.root);
	assert_int_equal(b->used, b->limit);
	for (size_t i = 1; i + 1 < sizeof(p) / sizeof(p[0]); i++) {
		p[i].budget = b;
		assert_int_equal(handle_table_create(&p[i], 0), 0);
	}
	assert_int_equal(b->used, b->limit);
	p[sizeof(p) / sizeof(p[0]) - 1].budget = b;
	assert_int_equal(handle_table_create(&p[sizeof(p) / sizeof(p[0]) - 1], 0), -ERR_NOMEM);
	assert_null(p[sizeof(p) / sizeof(p[0]) - 1].handles);
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		handle_table_destroy(&p[i]);
	budget_uncharge(b, filler);
	assert_int_equal(b->used, 0);
}

/* A process of budget b (proc_create) with one thread (thread_create). */
static struct proc *member(struct budget *b)
{
	struct proc *p = proc_create("member", 0, b);

	assert_non_null(p);
	assert_non_null(thread_create(p, 0x10000, 0, 0, 0));
	return p;
}

/* p exits, as sys_exit ends it. */
static void member_exits(struct proc *p)
{
	proc_end(p, &(struct exit_info){ .how = EXIT_NORMAL }, NULL);
	sched_running = NULL;	/* its thread is gone */
}

/* t makes an endpoint or a notification (call): the result. */
static int64_t make(struct thread *t, uint64_t call)
{
	ecall_at(t, 0x10000, call, (const uint64_t[]){ 0 }, 0);
	return (int64_t)t->regs.x[10];
}

/* The object p's handle h names (h must be one). */
static struct object *object_of(struct proc *p, int64_t h)
{
	assert_true(h >= 0);
	assert_true(handle_entry(p, (uint64_t)h) != NULL);
	return handle_entry(p, (uint64_t)h)->obj;
}

/* An endpoint and a notification a process makes are cut from pages of
 * its budget's own, charged a page each as the first of its kind takes
 * one, nothing for a second on the same page; a page is given back when
 * the last object on it goes. The root task's (no budget) are charged to
 * no one. */
static void test_objects_charged(void **state)
{
	struct budget *b = budget_at(create(&root_thread, 64));
	struct proc *p = member(b);
	uint64_t before = b->used;
	int64_t ep, ep2, n;

	(void)state;
	ep = make(p->threads, SYS_ENDPOINT_CREATE);
	assert_true(ep >= 0);
	assert_int_equal(b->used, before + PAGE_SIZE);
	ep2 = make(p->threads, SYS_ENDPOINT_CREATE);
	assert_true(ep2 >= 0);
	assert_int_equal(b->used, before + PAGE_SIZE);
	n = make(p->threads, SYS_NOTIFY_CREATE);
	assert_true(n >= 0);
	assert_int_equal(b->used, before + 2 * PAGE_SIZE);
	assert_int_equal(handle_close(&root_proc, (uint64_t)make(&root_thread, SYS_ENDPOINT_CREATE)), 0);
	assert_int_equal(b->used, before + 2 * PAGE_SIZE);
	assert_int_equal(handle_close(p, (uint64_t)ep), 0);
	assert_int_equal(b->used, before + 2 * PAGE_SIZE);	/* ep2 holds the page */
	assert_int_equal(handle_close(p, (uint64_t)ep2), 0);
	assert_int_equal(b->used, before + PAGE_SIZE);
	assert_int_equal(handle_close(p, (uint64_t)n), 0);
	assert_int_equal(b->used, before);
	member_exits(p);
	assert_int_equal(b->used, 0);
}

/* Past its budget's limit a process makes neither, and nothing is left
 * behind: no handle, no charge. */
static void test_objects_refused(void **state)
{
	struct budget *b = budget_at(create(&root_thread, 64));
	struct proc *p = member(b);
	uint64_t before = b->used, filler = b->limit - b->used, handles;

	(void)state;
	assert_int_equal(budget_charge(b, filler), 0);	/* no page left */
	handles = handle_count();
	assert_int_equal(make(p->threads, SYS_ENDPOINT_CREATE), -ERR_NOMEM);
	assert_int_equal(make(p->threads, SYS_NOTIFY_CREATE), -ERR_NOMEM);
	assert_int_equal(handle_count(), handles);
	assert_int_equal(b->used, before + filler);
	budget_uncharge(b, filler);
	member_exits(p);
	assert_int_equal(b->used, 0);
}

/* One made when its maker's handle table is full is freed at once, its
 * charge given back with it. */
static void test_objects_no_handle(void **state)
{
	struct budget *b = budget_at(create(&root_thread, 64));
	struct proc *p = member(b);
	uint64_t before;

	(void)state;
	while (handle_install(p, &p->obj, RIGHT_SEND) >= 0)
		;
	before = b->used;
	assert_int_equal(make(p->threads, SYS_ENDPOINT_CREATE), -ERR_MFILE);
	assert_int_equal(make(p->threads, SYS_NOTIFY_CREATE), -ERR_MFILE);
	assert_int_equal(b->used, before);
	member_exits(p);
	assert_int_equal(b->used, 0);
}

/* A thread is made with the room for the message copy it may come to
 * keep (t->copy, from its budget's pages), so a delivery never waits on
 * the budget: the first thread of a budget takes a page for its record
 * and one for its room, and with a page left for the record alone it is
 * refused, nothing left charged or taken from the pool. */
static void test_thread_charged_its_copy(void **state)
{
	struct budget *b = budget_at(create(&root_thread, 64));
	struct proc *p = proc_create("threadless", 0, b);
	struct thread *t;
	uint64_t filler, pool;

	(void)state;
	assert_non_null(p);
	filler = b->limit - b->used - PAGE_SIZE;
	assert_int_equal(budget_charge(b, filler), 0);
	pool = kmem_pages_free();
	assert_null(thread_create(p, 0x10000, 0, 0, 0));
	assert_int_equal(p->nthreads, 0);
	assert_int_equal(b->used, b->limit - PAGE_SIZE);
	assert_int_equal(kmem_pages_free(), pool);
	budget_uncharge(b, PAGE_SIZE);
	filler -= PAGE_SIZE;
	assert_non_null(t = thread_create(p, 0x10000, 0, 0, 0));
	assert_non_null(t->copy);
	assert_int_equal(b->used, b->limit);
	assert_int_equal(kmem_pages_free(), pool - 2);
	budget_uncharge(b, filler);
	member_exits(p);
	assert_int_equal(b->used, 0);
}

/* A process's exit gives back all it was charged (its root and page
 * tables, the pages only its objects held: the endpoint's, the
 * notifications'), and not the pages its record, handle table and threads
 * share with its sibling's: the line's use is what it was before the
 * process came, to the page, and so is the pool's. */
static void test_exit_gives_back(void **state)
{
	struct budget *b = budget_at(create(&root_thread, 64));
	struct proc *sibling = member(b), *p;
	uint64_t before = b->used, pool = kmem_pages_free();

	(void)state;
	p = member(b);
	assert_non_null(thread_create(p, 0x10000, 0, 0, 0));
	assert_int_equal(b->used, before + PAGE_SIZE);	/* its root table */
	assert_true(make(p->threads, SYS_ENDPOINT_CREATE) >= 0);
	assert_true(make(p->threads, SYS_NOTIFY_CREATE) >= 0);
	assert_true(make(p->threads, SYS_NOTIFY_CREATE) >= 0);
	assert_int_equal(arch_pt_map(&p->pt, VA, PAGE_PA, MAP_R), 0);	/* two tables */
	assert_int_equal(b->used, before + 5 * PAGE_SIZE);
	assert_int_equal(kmem_pages_free(), pool - 5);
	member_exits(p);
	assert_int_equal(b->used, before);
	assert_int_equal(kmem_pages_free(), pool);
	member_exits(sibling);
	assert_int_equal(b->used, 0);
}

/* What a process made and passed on outlives it, charged to its budget
 * until its last handle closes, and given back then once: the line's use
 * falls to its sibling's, not below (a second give-back would take it
 * there, or panic). A budget whose processes have all ended and whose
 * handle the root task closed lives on for such an object, and goes with
 * it (else LeakSanitizer tells, or budget_free panics for a charge left). */
static void test_object_outlives_maker(void **state)
{
	int64_t line_h = create(&root_thread, 64);
	struct budget *b = budget_at(line_h);
	struct proc *sibling = member(b), *p;
	uint64_t base = b->used, pool;	/* the sibling's */
	int64_t ep, n;

	(void)state;
	p = member(b);
	ep = handle_install(&root_proc, object_of(p, make(p->threads, SYS_ENDPOINT_CREATE)),
			    RIGHTS_ALL);
	n = handle_install(&root_proc, object_of(p, make(p->threads, SYS_NOTIFY_CREATE)),
			   RIGHTS_ALL);
	member_exits(p);
	assert_int_equal(b->used, base + 2 * PAGE_SIZE);	/* their pages */
	assert_int_equal(handle_close(&root_proc, (uint64_t)ep), 0);
	assert_int_equal(b->used, base + PAGE_SIZE);
	assert_int_equal(handle_close(&root_proc, (uint64_t)n), 0);
	assert_int_equal(b->used, base);

	n = handle_install(&root_proc,
			   object_of(sibling, make(sibling->threads, SYS_NOTIFY_CREATE)), RIGHTS_ALL);
	member_exits(sibling);
	assert_int_equal(handle_close(&root_proc, (uint64_t)line_h), 0);
	assert_int_equal(b->used, PAGE_SIZE);	/* the budget lives on, with its page */
	pool = kmem_pages_free();
	assert_int_equal(handle_close(&root_proc, (uint64_t)n), 0);
	assert_int_equal(kmem_pages_free(), pool + 1);
}

/* Pool pages taken since free_before (kmem_pages_free then), in bytes. */
static uint64_t pool_taken(uint64_t free_before)
{
	return (free_before - kmem_pages_free()) * PAGE_SIZE;
}

#define LINE_PROCS 4
#define LINE_THREADS 1024	/* more than 64 pages hold */

/* The audit's pattern: a line makes threads until its budget refuses
 * one, then ends three of every four in the order they were made, so each
 * page they were cut from keeps one. The budget counts the pool pages its
 * objects hold, whole, not their bytes: its use is what the pool lost,
 * exactly, and the tables the line then maps are refused when that
 * reaches the limit, never past it. Its processes' exits give back
 * every page to the pool. */
static void test_pages_held(void **state)
{
	struct budget *b = budget_at(create(&root_thread, 64));
	uint64_t free_before = kmem_pages_free();
	static struct thread *made[LINE_THREADS];
	struct proc *p[LINE_PROCS];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < LINE_PROCS; i++)
		p[i] = member(b);
	while (n < LINE_THREADS && (made[n] = thread_create(p[n % LINE_PROCS], 0x10000, 0, 0, 0)))
		n++;
	assert_true(n > 0 && n < LINE_THREADS);
	assert_true(b->limit - b->used < 2 * PAGE_SIZE);	/* a thread and its copy's room */
	for (size_t i = 0; i < n; i++)
		if (i % 4)
			thread_end(made[i]);
	assert_int_equal(b->used, pool_taken(free_before));
	map_sparse(p[0]);
	assert_int_equal(b->used, pool_taken(free_before));
	assert_true(pool_taken(free_before) <= b->limit);
	for (int i = 0; i < LINE_PROCS; i++)
		member_exits(p[i]);
	assert_int_equal(b->used, 0);
	assert_int_equal(kmem_pages_free(), free_before);
}

/* A budget of the least limit budget_create takes holds one process with
 * one thread, to the page (no page of it left over: the least is no more
 * than they need); a page less is refused (-ERR_INVAL), and would not
 * hold them (the least is no less). */
static void test_least_budget(void **state)
{
	uint64_t least = budget_least_pages();
	int64_t h;
	struct budget *b;
	struct proc *p;

	(void)state;
	assert_int_equal(create(&root_thread, least - 1), -ERR_INVAL);
	b = budget_at(h = create(&root_thread, least));
	p = member(b);
	assert_int_equal(b->used, b->limit);
	member_exits(p);
	b->limit -= PAGE_SIZE;
	assert_non_null(p = proc_create("short", 0, b));
	assert_null(thread_create(p, 0x10000, 0, 0, 0));
	member_exits(p);
	assert_int_equal(b->used, 0);
	assert_int_equal(handle_close(&root_proc, (uint64_t)h), 0);
}

/* k, a member of line b with no record, handle table or thread of its
 * own (none of b's caches holds anything of it), keeps five tables empty:
 * four pages mapped in four 2 MiB ranges of a new GiB, then taken out
 * for a while. */
#define KEPT 5

static void keep_tables(struct proc *k)
{
	for (uint64_t i = 0; i < KEPT - 1; i++) {
		assert_int_equal(arch_pt_map(&k->pt, VA + i * MIB2, PAGE_PA, MAP_R), 0);
		harvest_out(k, VA + i * MIB2);
	}
	assert_int_equal(k->pt.pages, 1 + KEPT);
}

static void keeper(struct proc *k, struct budget *b)
{
	memset(k, 0, sizeof(*k));
	k->budget = k->pt.budget = b;
	budget_join(k);
	assert_int_equal(arch_pt_create(&k->pt), 0);
	keep_tables(k);
}

/* The pages a process and its thread are made with: a page of each kind
 * (b's caches hold nothing yet) and the root table, in the order
 * proc_create and thread_create charge them. */
enum { RECORD, HANDLE_TABLE, ROOT_TABLE, THREAD, COPY_ROOM, MADE_WITH };

/* With room pages left in a line's budget, fewer than a new process and
 * its thread need (MADE_WITH), and a member keeping KEPT tables empty
 * (more than they need past room), the process and its thread are made:
 * the member's tables were given back at the charge the budget refused,
 * the room'th. */
static void made_from_kept_tables(uint64_t room)
{
	int64_t h = create(&root_thread, 64);
	struct budget *b = budget_at(h);
	struct proc k;
	uint64_t filler;

	keeper(&k, b);
	for (int i = 0; i < BUDGET_KINDS; i++)
		assert_int_equal(b->caches[i].in_use, 0);	/* each charge takes a page */
	filler = b->limit - b->used - room * PAGE_SIZE;
	assert_true(room < MADE_WITH && room + KEPT >= MADE_WITH);
	assert_int_equal(budget_charge(b, filler), 0);
	member_exits(member(b));
	assert_int_equal(k.pt.pages, 1);
	proc_gone(&k);
	budget_uncharge(b, filler);
	assert_int_equal(b->used, 0);
	assert_int_equal(handle_close(&root_proc, (uint64_t)h), 0);
}

/* Each charge of a new process refused in turn (the test's state: which),
 * the record, the handle table, the root page table (proc.c's prune), the
 * thread, its copy's room (the others: budget_kind_alloc's). */
static const uint64_t charges[MADE_WITH] = { RECORD, HANDLE_TABLE, ROOT_TABLE, THREAD, COPY_ROOM };

static void test_charge_refused(void **state)
{
	made_from_kept_tables(*(const uint64_t *)*state);
}

#define CHARGE_REFUSED(name, charge) \
	{ name, test_charge_refused, setup, budget_teardown, (void *)&charges[charge] }

/* An endpoint and a notification the budget refuses (the first of their
 * kind: each needs a page) are made from the tables a member keeps empty
 * too. */
static void test_objects_made_from_kept_tables(void **state)
{
	int64_t h = create(&root_thread, 64);
	struct budget *b = budget_at(h);
	struct proc k, *p = member(b);
	uint64_t filler;

	(void)state;
	keeper(&k, b);
	filler = b->limit - b->used;
	assert_int_equal(budget_charge(b, filler), 0);	/* no page left */
	assert_true(make(p->threads, SYS_ENDPOINT_CREATE) >= 0);
	assert_int_equal(k.pt.pages, 1);
	budget_uncharge(b, filler);
	keep_tables(&k);
	filler = b->limit - b->used;
	assert_int_equal(budget_charge(b, filler), 0);
	assert_true(make(p->threads, SYS_NOTIFY_CREATE) >= 0);
	assert_int_equal(k.pt.pages, 1);
	budget_uncharge(b, filler);
	member_exits(p);
	proc_gone(&k);
	assert_int_equal(b->used, 0);
	assert_int_equal(handle_close(&root_proc, (uint64_t)h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_line_shares_limit, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_tables_refused, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_prune_line, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_objects_charged, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_objects_refused, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_objects_no_handle, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_thread_charged_its_copy, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_exit_gives_back, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_object_outlives_maker, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_pages_held, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_device_map_prunes_line, setup, budget_teardown),
		cmocka_unit_test_setup_teardown(test_least_budget, setup, budget_teardown),
		CHARGE_REFUSED("test_record_refused", RECORD),
		CHARGE_REFUSED("test_handle_table_refused", HANDLE_TABLE),
		CHARGE_REFUSED("test_root_table_refused", ROOT_TABLE),
		CHARGE_REFUSED("test_thread_refused", THREAD),
		CHARGE_REFUSED("test_copy_room_refused", COPY_ROOM),
		cmocka_unit_test_setup_teardown(test_objects_made_from_kept_tables, setup, budget_teardown),
	};

	(void)twins_create;	/* the fake's twins: these tests make their own */
	(void)teardown;
	(void)pte_of;
	kernel_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
