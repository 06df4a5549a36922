/*
 * NBD wire formats and the handshake (nbd_proto.h). The client speaks
 * fixed newstyle only and asks for one thing, NBD_OPT_GO for its export:
 * a server that cannot do that is refused with a reason, never half used.
 */
#include <errno.h>
#include <string.h>

#include "nbd_proto.h"

#define REPLY_DATA_MAX (4096 + 64)	/* a string and its framing, at most */

void nbd_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void nbd_put32(uint8_t *p, uint32_t v)
{
	nbd_put16(p, (uint16_t)(v >> 16));
	nbd_put16(p + 2, (uint16_t)v);
}

void nbd_put64(uint8_t *p, uint64_t v)
{
	nbd_put32(p, (uint32_t)(v >> 32));
	nbd_put32(p + 4, (uint32_t)v);
}

uint16_t nbd_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t nbd_get32(const uint8_t *p)
{
	return (uint32_t)nbd_get16(p) << 16 | nbd_get16(p + 2);
}

uint64_t nbd_get64(const uint8_t *p)
{
	return (uint64_t)nbd_get32(p) << 32 | nbd_get32(p + 4);
}

void nbd_hs_start(struct nbd_handshake *h, const char *name)
{
	size_t n = strlen(name);

	memset(h, 0, sizeof(*h));
	memcpy(h->name, name, n > NBD_EXPORT_NAME_MAX ? NBD_EXPORT_NAME_MAX : n);
	h->state = NBD_HS_GREETING;
}

static void fail(struct nbd_handshake *h, int error, const char *why)
{
	h->state = NBD_HS_FAILED;
	h->error = error;
	h->why = why;
}

/* Client flags, then NBD_OPT_GO for our export asking for nothing extra
 * (the server sends NBD_INFO_EXPORT regardless). */
static void send_go(struct nbd_handshake *h, uint16_t server_flags)
{
	uint32_t n = (uint32_t)strlen(h->name), cflags = NBD_FLAG_C_FIXED_NEWSTYLE;
	uint8_t *o = h->out;

	if (server_flags & NBD_FLAG_NO_ZEROES)
		cflags |= NBD_FLAG_C_NO_ZEROES;
	nbd_put32(o, cflags);
	nbd_put64(o + 4, NBD_OPT_MAGIC);
	nbd_put32(o + 12, NBD_OPT_GO);
	nbd_put32(o + 16, 4 + n + 2);
	nbd_put32(o + 20, n);
	memcpy(o + 24, h->name, n);
	nbd_put16(o + 24 + n, 0);
	h->out_len = 24 + n + 2;
}

static void on_greeting(struct nbd_handshake *h)
{
	uint16_t flags = nbd_get16(h->buf + 16);

	if (nbd_get64(h->buf) != NBD_MAGIC || nbd_get64(h->buf + 8) != NBD_OPT_MAGIC)
		return fail(h, -EPROTO, "not an NBD server speaking the newstyle handshake");
	if (!(flags & NBD_FLAG_FIXED_NEWSTYLE))
		return fail(h, -ENOTSUP, "the server does not speak fixed newstyle");
	send_go(h, flags);
	h->state = NBD_HS_REPLY;
}

static void on_reply_header(struct nbd_handshake *h)
{
	if (nbd_get64(h->buf) != NBD_REP_MAGIC || nbd_get32(h->buf + 8) != NBD_OPT_GO)
		return fail(h, -EPROTO, "a malformed option reply");
	h->reply_type = nbd_get32(h->buf + 12);
	h->reply_len = nbd_get32(h->buf + 16);
	h->reply_seen = 0;
	if (h->reply_len > REPLY_DATA_MAX)
		return fail(h, -EPROTO, "an option reply too long to be true");
	if (h->reply_type & NBD_REP_ERR)
		return fail(h, h->reply_type == (NBD_REP_ERR | 6) ? -ENOENT : -ENOTSUP,
			    h->reply_type == (NBD_REP_ERR | 6) ? "the server has no such export"
							       : "the server refused NBD_OPT_GO");
	if (h->reply_type == NBD_REP_ACK) {
		if (h->reply_len != 0 || !h->got_export)
			return fail(h, -EPROTO, "the server ended the handshake without the export's size");
		h->state = NBD_HS_DONE;
		return;
	}
	h->state = h->reply_len ? NBD_HS_REPLY_DATA : NBD_HS_REPLY;
}

/* A whole NBD_REP_INFO: only NBD_INFO_EXPORT matters to us. */
static void on_info(struct nbd_handshake *h)
{
	if (h->reply_type != NBD_REP_INFO || h->reply_len < 2 || nbd_get16(h->info) != NBD_INFO_EXPORT)
		return;
	if (h->reply_len != 12)
		return fail(h, -EPROTO, "a malformed NBD_INFO_EXPORT");
	h->size = nbd_get64(h->info + 2);
	h->flags = nbd_get16(h->info + 10);
	h->got_export = true;
}

/* Gather up to want bytes of a header into buf; whether it is complete. */
static bool gather(struct nbd_handshake *h, uint32_t want, const uint8_t *d, size_t len, size_t *used)
{
	uint32_t n = want - h->have;

	if (n > len - *used)
		n = (uint32_t)(len - *used);
	memcpy(h->buf + h->have, d + *used, n);
	h->have += n;
	*used += n;
	if (h->have < want)
		return false;
	h->have = 0;
	return true;
}

static void reply_data(struct nbd_handshake *h, const uint8_t *d, size_t len, size_t *used)
{
	uint32_t n = h->reply_len - h->reply_seen;

	if (n > len - *used)
		n = (uint32_t)(len - *used);
	for (uint32_t i = 0; i < n; i++, h->reply_seen++)
		if (h->reply_seen < sizeof(h->info))
			h->info[h->reply_seen] = d[*used + i];
	*used += n;
	if (h->reply_seen < h->reply_len)
		return;
	on_info(h);
	if (h->state != NBD_HS_FAILED)
		h->state = NBD_HS_REPLY;
}

size_t nbd_hs_input(struct nbd_handshake *h, const uint8_t *data, size_t len)
{
	size_t used = 0;

	while (used < len) {
		switch (h->state) {
		case NBD_HS_GREETING:
			if (gather(h, 18, data, len, &used))
				on_greeting(h);
			break;
		case NBD_HS_REPLY:
			if (gather(h, 20, data, len, &used))
				on_reply_header(h);
			break;
		case NBD_HS_REPLY_DATA:
			reply_data(h, data, len, &used);
			break;
		default:
			return used;
		}
	}
	return used;
}

void nbd_encode_request(uint8_t out[NBD_REQUEST_BYTES], uint16_t type, uint64_t cookie,
			uint64_t offset, uint32_t len)
{
	nbd_put32(out, NBD_REQUEST_MAGIC);
	nbd_put16(out + 4, 0);
	nbd_put16(out + 6, type);
	nbd_put64(out + 8, cookie);
	nbd_put64(out + 16, offset);
	nbd_put32(out + 24, len);
}

int nbd_decode_reply(const uint8_t in[NBD_REPLY_BYTES], struct nbd_reply *r)
{
	if (nbd_get32(in) != NBD_SIMPLE_REPLY_MAGIC)
		return -EPROTO;
	r->error = nbd_get32(in + 4);
	r->cookie = nbd_get64(in + 8);
	return 0;
}
