/*
 * Host tests for pager/server/procs.c's lines: a process the pager's own
 * processes started, and everything descended from it, hold at most
 * PAGER_LINE_PROCS_MAX records at once, however its members die; the
 * pager's own processes and other lines still find room; a new member
 * finds its line's page-array budget through a live member.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/procs.h"

_Static_assert(PAGER_LINE_PROCS_MAX == PAGER_PROCS_MAX / 2, "half the table");

/* Every record released, so each test starts with an empty table. */
static int empty_table(void **state)
{
	(void)state;
	for (int i = 0; i < PROCS_MAX; i++)
		if (procs_slot(i))
			procs_release(procs_slot(i));
	return 0;
}

/* n more records for parent; all must be had. */
static void take(const struct pproc *parent, int n, struct pproc **out)
{
	for (int i = 0; i < n; i++) {
		out[i] = procs_new(parent);
		assert_non_null(out[i]);
	}
}

/* A line fills at its bound; init starts another line beside it, which
 * fills as well; the pager's own processes take what is left. */
static void test_line_bound(void **state)
{
	struct pproc *init = procs_new(NULL), *a[PROCS_MAX], *b[PROCS_MAX];

	(void)state;
	assert_non_null(init);
	assert_int_equal(init->line, 0);
	take(init, 1, a);			/* a line's head */
	assert_int_not_equal(a[0]->line, 0);
	take(a[0], PAGER_LINE_PROCS_MAX - 1, a + 1);
	assert_null(procs_new(a[0]));
	assert_null(procs_new(a[PAGER_LINE_PROCS_MAX - 1]));	/* any member */
	take(init, 1, b);			/* another line */
	assert_int_not_equal(b[0]->line, a[0]->line);
	take(b[0], PAGER_LINE_PROCS_MAX - 1, b + 1);
	assert_null(procs_new(b[0]));
	/* The pager's own take the rest: the table itself is full now. */
	take(NULL, PROCS_MAX - 1 - 2 * PAGER_LINE_PROCS_MAX, a + PAGER_LINE_PROCS_MAX);
	assert_null(procs_new(init));
	assert_null(procs_new(NULL));
	procs_release(b[3]);
	assert_non_null(procs_new(NULL));	/* the pager's own: in no line */
}

/* A member's death frees its record for the line; its children stay in
 * the line, whoever died: the middle of a chain or the line's head. */
static void test_deaths_stay_in_line(void **state)
{
	struct pproc *init = procs_new(NULL), *head, *mid, *kids[PROCS_MAX];

	(void)state;
	take(init, 1, &head);
	take(head, 1, &mid);
	take(mid, PAGER_LINE_PROCS_MAX - 2, kids);
	assert_null(procs_new(kids[0]));
	procs_release(mid);			/* the middle dies */
	take(kids[0], 1, &mid);			/* its record, and no more */
	assert_null(procs_new(kids[1]));
	procs_release(head);			/* the head dies */
	take(kids[2], 1, &head);
	assert_null(procs_new(kids[2]));
	assert_null(procs_new(mid));
	/* init's next child heads a line of its own, which the full one does
	 * not charge. */
	take(init, 1, &head);
	take(head, 10, kids);
}

/* A new member's page arrays join its line's budget through a live
 * member with a space (procs_line_member): the head's while it lives, a
 * child's once the head has died; none for a line's head, or for the
 * pager's own processes, which are in no line. */
static void test_line_member(void **state)
{
	static int spaces[3];	/* stand-ins: only whether vm is set is read */
	struct pproc *init = procs_new(NULL), *head, *kid, *unmade, *other;

	(void)state;
	take(init, 1, &head);
	assert_null(procs_line_member(head));
	assert_null(procs_line_member(init));
	head->vm = (struct vm_space *)&spaces[0];
	take(head, 1, &kid);
	assert_ptr_equal(procs_line_member(kid), head);
	kid->vm = (struct vm_space *)&spaces[1];
	take(kid, 1, &unmade);		/* its space not made yet: no member for others */
	take(init, 1, &other);		/* another line's head */
	other->vm = (struct vm_space *)&spaces[2];
	assert_null(procs_line_member(other));
	procs_release(head);
	assert_ptr_equal(procs_line_member(unmade), kid);
	assert_null(procs_line_member(kid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_line_bound, empty_table),
		cmocka_unit_test_setup(test_deaths_stay_in_line, empty_table),
		cmocka_unit_test_setup(test_line_member, empty_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
