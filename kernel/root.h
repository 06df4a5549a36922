/*
 * Starting the root task: the one program the kernel loads itself. It is the
 * pager, and it receives every user frame, the initrd and the boot info.
 */
#ifndef KERNEL_ROOT_H
#define KERNEL_ROOT_H

#include "devtree.h"

#define ROOT_PROGRAM "pager"

/* Load ROOT_PROGRAM from the initrd and make its first thread ready. Panics
 * with a clear message if the initrd or the program is unusable. */
void root_start(const struct devtree_info *dt, const char *cmdline);

#endif
