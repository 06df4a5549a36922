/*
 * A fake NBD server's answer to the client's NBD_OPT_GO (the tests that
 * play a server: test_swap_link.c, test_netd_rand.c): the export's size
 * and transmission flags in NBD_INFO_EXPORT, then the ACK.
 */
#ifndef TESTS_HOST_NBD_GO_REPLY_H
#define TESTS_HOST_NBD_GO_REPLY_H

#include <stdint.h>

#include "nbd_proto.h"

#define NBD_GO_REPLY_BYTES 52

static inline void nbd_go_reply(uint8_t b[NBD_GO_REPLY_BYTES], uint64_t size, uint16_t flags)
{
	nbd_put64(b, NBD_REP_MAGIC);
	nbd_put32(b + 8, NBD_OPT_GO);
	nbd_put32(b + 12, NBD_REP_INFO);
	nbd_put32(b + 16, 12);
	nbd_put16(b + 20, NBD_INFO_EXPORT);
	nbd_put64(b + 22, size);
	nbd_put16(b + 30, flags);
	nbd_put64(b + 32, NBD_REP_MAGIC);
	nbd_put32(b + 40, NBD_OPT_GO);
	nbd_put32(b + 44, NBD_REP_ACK);
	nbd_put32(b + 48, 0);
}

#endif
