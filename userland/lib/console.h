/*
 * The console streams' own entry point, for code that must not leave a
 * partial line behind (process exit, power-off, fork).
 */
#ifndef USER_CONSOLE_H
#define USER_CONSOLE_H

/* Write out any partial line buffered for stdout or stderr. */
void console_flush(void);

/* fork's hold on both lines: write out what they hold and keep them, so
 * no other thread is half-way through a line when the address space is
 * copied (the child would print it too, or find the line held for ever). */
void console_hold(void);
/* Give both lines back (the parent, after the copy). */
void console_release(void);
/* fork's child: the lines fork held are free, with no parent thread
 * waiting for them. */
void console_fork_child(void);

#endif
