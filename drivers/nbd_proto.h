/*
 * The NBD protocol's wire formats (the fixed-newstyle handshake with
 * NBD_OPT_GO, transmission requests and simple replies) and the handshake
 * as a state machine fed with the server's bytes as they come. Plain C with
 * no system calls: host-tested against a scripted server.
 */
#ifndef DRIVERS_NBD_PROTO_H
#define DRIVERS_NBD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBD_MAGIC 0x4e42444d41474943ULL		/* "NBDMAGIC" */
#define NBD_OPT_MAGIC 0x49484156454f5054ULL	/* "IHAVEOPT" */
#define NBD_REP_MAGIC 0x0003e889045565a9ULL	/* option replies */
#define NBD_REQUEST_MAGIC 0x25609513u
#define NBD_SIMPLE_REPLY_MAGIC 0x67446698u

#define NBD_FLAG_FIXED_NEWSTYLE 1u		/* handshake flags (server) */
#define NBD_FLAG_NO_ZEROES 2u
#define NBD_FLAG_C_FIXED_NEWSTYLE 1u		/* client flags */
#define NBD_FLAG_C_NO_ZEROES 2u

#define NBD_OPT_GO 7u
#define NBD_REP_ACK 1u
#define NBD_REP_INFO 3u
#define NBD_REP_ERR 0x80000000u			/* bit 31: an error reply */
#define NBD_INFO_EXPORT 0u

#define NBD_FLAG_HAS_FLAGS 1u			/* transmission flags */
#define NBD_FLAG_READ_ONLY 2u
#define NBD_FLAG_SEND_FLUSH 4u

enum nbd_cmd { NBD_CMD_READ = 0, NBD_CMD_WRITE = 1, NBD_CMD_DISC = 2, NBD_CMD_FLUSH = 3 };
/* The one error a reply may carry that is not the request's: the server is
 * shutting down (the protocol's ESHUTDOWN). */
#define NBD_ESHUTDOWN 108

#define NBD_REQUEST_BYTES 28
#define NBD_REPLY_BYTES 16
#define NBD_EXPORT_NAME_MAX 64

/* Big-endian fields. */
void nbd_put16(uint8_t *p, uint16_t v);
void nbd_put32(uint8_t *p, uint32_t v);
void nbd_put64(uint8_t *p, uint64_t v);
uint16_t nbd_get16(const uint8_t *p);
uint32_t nbd_get32(const uint8_t *p);
uint64_t nbd_get64(const uint8_t *p);

enum nbd_hs_state {
	NBD_HS_GREETING,	/* waiting for the server's 18 bytes */
	NBD_HS_REPLY,		/* waiting for an option reply's 20-byte header */
	NBD_HS_REPLY_DATA,	/* taking in (or skipping) its data */
	NBD_HS_DONE,		/* NBD_REP_ACK: transmission begins */
	NBD_HS_FAILED		/* error says why; the connection must go */
};

struct nbd_handshake {
	enum nbd_hs_state state;
	int error;			/* NBD_HS_FAILED: -EPROTO, -ENOTSUP, -ENOENT... */
	const char *why;		/* NBD_HS_FAILED: in words */
	uint8_t buf[20];		/* the header being gathered */
	uint32_t have;			/* bytes of it so far */
	uint32_t reply_type, reply_len, reply_seen;
	uint8_t info[12];		/* the first bytes of an NBD_REP_INFO's data */
	bool got_export;
	uint64_t size;			/* NBD_INFO_EXPORT: export size in bytes */
	uint16_t flags;			/* and its transmission flags */
	/* Bytes for the client to send, filled by nbd_hs_start / _input. */
	uint8_t out[4 + 16 + 4 + 4 + NBD_EXPORT_NAME_MAX + 2 + 2];
	uint32_t out_len;
	char name[NBD_EXPORT_NAME_MAX + 1];
};

/* Start a handshake for export name (may be "", the default export). */
void nbd_hs_start(struct nbd_handshake *h, const char *name);

/* Take in len bytes from the server; returns how many were used (all,
 * unless the handshake ends before them: what follows is the transmission
 * phase's). Check h->state after; send h->out[0..out_len) if not empty. */
size_t nbd_hs_input(struct nbd_handshake *h, const uint8_t *data, size_t len);

/* A transmission request's 28 bytes. */
void nbd_encode_request(uint8_t out[NBD_REQUEST_BYTES], uint16_t type, uint64_t cookie,
			uint64_t offset, uint32_t len);

struct nbd_reply {
	uint32_t error;		/* 0, or the server's errno (EIO = 5, ...) */
	uint64_t cookie;
};

/* Decode a simple reply's 16 bytes: 0, or -EPROTO for a bad magic. */
int nbd_decode_reply(const uint8_t in[NBD_REPLY_BYTES], struct nbd_reply *r);

#endif
