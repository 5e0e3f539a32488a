/* SPDX-License-Identifier: ISC */
/*
 * The wire cursor: big-endian reads of every width, and at every length
 * short of what a read needs, a failure that leaves the cursor where it
 * was. The buffer is a hand-written IPFIX message header (RFC 7011,
 * section 3.1) whose fields are known.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/cursor.h"

/* Version 10, length 16, export time 1700000000, sequence 7, domain 1. */
static const uint8_t msg[] = {
	0x00, 0x0a, 0x00, 0x10, 0x65, 0x53, 0xf1, 0x00,
	0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,
};

static void
test_header(void **state)
{
	struct cursor c;
	uint16_t version, len;
	uint32_t when, seq, domain;

	cur_init(&c, msg, sizeof(msg));
	assert_int_equal(cur_u16(&c, &version), 0);
	assert_int_equal(cur_u16(&c, &len), 0);
	assert_int_equal(cur_u32(&c, &when), 0);
	assert_int_equal(cur_u32(&c, &seq), 0);
	assert_int_equal(cur_u32(&c, &domain), 0);
	assert_int_equal(version, 10);
	assert_int_equal(len, 16);
	assert_int_equal(when, 1700000000);
	assert_int_equal(seq, 7);
	assert_int_equal(domain, 1);
	assert_int_equal(cur_left(&c), 0);
}

static void
test_u64_u8(void **state)
{
	struct cursor c;
	uint64_t v;
	uint8_t b;

	cur_init(&c, msg, sizeof(msg));
	assert_int_equal(cur_u64(&c, &v), 0);
	assert_true(v == 0x000a00106553f100ULL);
	assert_int_equal(cur_u8(&c, &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(cur_skip(&c, 2), 0);
	assert_int_equal(cur_u8(&c, &b), 0);
	assert_int_equal(b, 7);
	assert_ptr_equal(cur_ptr(&c), msg + 12);
}

enum op { OP_U8, OP_U16, OP_U32, OP_U64, OP_SKIP, OP_BYTES, OP_SUB };

static const struct {
	const char *name;
	enum op op;
	size_t need;
} reads[] = {
	{ "u8", OP_U8, 1 },       { "u16", OP_U16, 2 },
	{ "u32", OP_U32, 4 },     { "u64", OP_U64, 8 },
	{ "skip 5", OP_SKIP, 5 }, { "bytes 6", OP_BYTES, 6 },
	{ "sub 3", OP_SUB, 3 },
};

static int
do_read(struct cursor *c, enum op op, size_t n)
{
	struct cursor sub;
	uint8_t buf[16], b;
	uint16_t s;
	uint32_t w;
	uint64_t q;

	switch (op) {
	case OP_U8:
		return cur_u8(c, &b);
	case OP_U16:
		return cur_u16(c, &s);
	case OP_U32:
		return cur_u32(c, &w);
	case OP_U64:
		return cur_u64(c, &q);
	case OP_SKIP:
		return cur_skip(c, n);
	case OP_BYTES:
		return cur_bytes(c, buf, n);
	case OP_SUB:
		return cur_sub(c, n, &sub);
	}
	return -1;
}

/* At offset 3, every length from 0 to need-1 fails and changes nothing. */
static void
test_short(void **state)
{
	struct cursor c;
	size_t i, len;

	for (i = 0; i < G_N_ELEMENTS(reads); i++) {
		for (len = 3; len < 3 + reads[i].need; len++) {
			cur_init(&c, msg, len);
			assert_int_equal(cur_skip(&c, 3), 0);
			if (do_read(&c, reads[i].op, reads[i].need) != -1)
				fail_msg("%s with %zu left succeeded",
					 reads[i].name, len - 3);
			assert_int_equal(c.off, 3);
		}
		cur_init(&c, msg, 3 + reads[i].need);
		assert_int_equal(cur_skip(&c, 3), 0);
		assert_int_equal(do_read(&c, reads[i].op, reads[i].need), 0);
		assert_int_equal(cur_left(&c), 0);
	}
}

static void
test_sub_peek(void **state)
{
	struct cursor c, sub;
	uint16_t v;
	uint32_t w;

	cur_init(&c, msg, sizeof(msg));
	assert_int_equal(cur_peek_u16(&c, 2, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(c.off, 0);
	assert_int_equal(cur_peek_u16(&c, 14, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cur_peek_u16(&c, 15, &v), -1);
	assert_int_equal(cur_peek_u16(&c, SIZE_MAX, &v), -1);

	/* A sub-cursor ends where it was cut, not at the message's end. */
	assert_int_equal(cur_skip(&c, 4), 0);
	assert_int_equal(cur_sub(&c, 4, &sub), 0);
	assert_int_equal(cur_u32(&sub, &w), 0);
	assert_int_equal(w, 1700000000);
	assert_int_equal(cur_u8(&sub, (uint8_t *)&v), -1);
	assert_int_equal(cur_left(&c), 8);
	assert_int_equal(cur_skip(&c, SIZE_MAX), -1);
	assert_int_equal(cur_sub(&c, 9, &sub), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_u64_u8),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_sub_peek),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
