/*
 * lwIP's compiler and platform layer for the network server: picolibc's
 * headers, little-endian RISC-V, diagnostics on the console. A failed lwIP
 * assertion ends the server (the pager then sees its requests fail), never
 * anything else.
 */
#ifndef NETD_ARCH_CC_H
#define NETD_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_NO_CTYPE_H 0
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { \
		printf("netd: lwIP assertion failed: %s at %s:%d\n", x, __FILE__, __LINE__); \
		exit(3); \
	} while (0)

#endif
