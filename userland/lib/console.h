/*
 * The console streams' own entry point, for code that must not leave a
 * partial line behind (process exit, power-off).
 */
#ifndef USER_CONSOLE_H
#define USER_CONSOLE_H

/* Write out any partial line buffered for stdout or stderr. */
void console_flush(void);

#endif
