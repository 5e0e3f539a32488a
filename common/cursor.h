/* SPDX-License-Identifier: ISC */
/*
 * The bounds-checked cursor that all wire parsing goes through. Every read
 * checks the remaining length first, copies with memcpy() and converts from
 * network byte order; a short read fails and leaves the cursor unchanged.
 * The functions are inline because decoders call them per packet.
 */
#ifndef FT_CURSOR_H
#define FT_CURSOR_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

struct cursor {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

static inline void
cur_init(struct cursor *c, const void *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->off = 0;
}

static inline size_t
cur_left(const struct cursor *c)
{
	return c->len - c->off;
}

static inline const uint8_t *
cur_ptr(const struct cursor *c)
{
	return c->buf + c->off;
}

/* Each returns 0, or -1 (cursor unchanged) when fewer bytes are left. */
static inline int
cur_skip(struct cursor *c, size_t n)
{
	if (cur_left(c) < n)
		return -1;
	c->off += n;
	return 0;
}

static inline int
cur_bytes(struct cursor *c, void *dst, size_t n)
{
	if (cur_left(c) < n)
		return -1;
	memcpy(dst, c->buf + c->off, n);
	c->off += n;
	return 0;
}

static inline int
cur_u8(struct cursor *c, uint8_t *v)
{
	return cur_bytes(c, v, 1);
}

static inline int
cur_u16(struct cursor *c, uint16_t *v)
{
	uint16_t n;

	if (cur_bytes(c, &n, sizeof(n)) == -1)
		return -1;
	*v = ntohs(n);
	return 0;
}

static inline int
cur_u32(struct cursor *c, uint32_t *v)
{
	uint32_t n;

	if (cur_bytes(c, &n, sizeof(n)) == -1)
		return -1;
	*v = ntohl(n);
	return 0;
}

static inline int
cur_u64(struct cursor *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (cur_left(c) < 8)
		return -1;
	cur_u32(c, &hi);
	cur_u32(c, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Peek without moving: 0 or -1. */
static inline int
cur_peek_u16(const struct cursor *c, size_t at, uint16_t *v)
{
	uint16_t n;

	if (at > cur_left(c) || cur_left(c) - at < 2)
		return -1;
	memcpy(&n, c->buf + c->off + at, 2);
	*v = ntohs(n);
	return 0;
}

/* Carve the next `n` bytes into `sub` and skip them here: 0 or -1. */
static inline int
cur_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	if (cur_left(c) < n)
		return -1;
	cur_init(sub, c->buf + c->off, n);
	c->off += n;
	return 0;
}

#endif
