/*
 * The caches a budget's objects are cut from, one of each kind per budget
 * (enum budget_kind_index, budget.h), charged to it by the page. Each file
 * that owns a kind of object declares it here and allocates through it.
 */
#ifndef KERNEL_BUDGET_CACHES_H
#define KERNEL_BUDGET_CACHES_H

#include <stdint.h>
#include "budget.h"
#include "kmem.h"

/* One kind, declared by the file that owns its objects. */
struct budget_kind {
	struct kcache global;	/* those of processes with no budget; its name
				 * and size are every budget's cache's of it */
	enum budget_kind_index index;	/* that cache in struct budget */
	uint64_t live;		/* objects of the kind now, in every cache */
};

/* An object of kind k, zeroed, from b's cache of k (NULL b: k's global
 * one); NULL, nothing charged, if that cache must take a page and b has
 * not one left even once its members' tables left empty are given back
 * (budget_charge_pruned), or the pool is empty. b is charged a page when
 * its cache takes one, and given it back when the cache gives the page
 * back (its objects all freed): what a budget is charged is what its
 * objects hold of the pool, however they were freed. The object holds a
 * reference on b until budget_kind_free, with the same b and k: an
 * endpoint or a notification may outlive the process that made it (its
 * handle passed on), and b's cache must live until then. */
void *budget_kind_alloc(struct budget *b, struct budget_kind *k);
void budget_kind_free(struct budget *b, struct budget_kind *k, void *obj);

#endif
