/*
 * A new program's arguments at the top of its stack's first page, as crt0
 * reads them at sp: argc (8 bytes), argv[0..argc-1], NULL, the strings
 * above them, sp 16-byte aligned. Plain C, host-tested.
 */
#ifndef PAGER_STACK_ARGS_H
#define PAGER_STACK_ARGS_H

#include <stdint.h>

/* Bytes the arguments take before sp's alignment; more than a page does
 * not fit (stops counting past a page, so it never wraps). */
uint64_t stack_args_bytes(int argc, const char *const *argv);

/* Lay argc and argv out in page (a page mapped at page_va); 0 with the
 * program's sp in *sp, or -E2BIG (page untouched) if they need more than
 * the page. */
int stack_args_lay(uint8_t *page, uint64_t page_va, int argc, const char *const *argv,
		   uint64_t *sp);

#endif
