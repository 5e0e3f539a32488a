/* SPDX-License-Identifier: ISC */
/*
 * The bounded aggregation table: sums and OR-ed flags, the entry limit
 * and its drop count, clearing, both iteration orders, resets, a large
 * table where every key must be found again, and the memory it reserves
 * per entry (the bound: under 200 bytes for a 5-tuple key).
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "collector/memtab.h"

#define KLEN 39 /* src_host, dst_host, src_port, dst_port, proto */

static void
key_of(uint8_t *key, uint32_t n)
{
	memset(key, 0, KLEN);
	key[0] = 4;
	key[1] = 10;
	key[2] = (uint8_t)(n >> 16);
	key[3] = (uint8_t)(n >> 8);
	key[4] = (uint8_t)n;
	key[38] = 6;
}

static const struct aggctr one = { 1, 100, 1, 0x02 };

static void
test_add(void **state)
{
	struct memtab *t = memtab_new(KLEN, 10);
	struct aggctr c2 = { 3, 300, 1, 0x10 };
	uint8_t k[KLEN];
	struct aggctr *c;

	key_of(k, 1);
	assert_null(memtab_lookup(t, k));
	assert_true(memtab_add(t, k, &one));
	assert_true(memtab_add(t, k, &c2));
	c = memtab_lookup(t, k);
	assert_non_null(c);
	assert_int_equal(c->packets, 4);
	assert_int_equal(c->bytes, 400);
	assert_int_equal(c->flows, 2);
	assert_int_equal(c->tcp_flags, 0x12);
	assert_int_equal(memtab_count(t), 1);
	assert_int_equal(memtab_key_len(t), KLEN);
	key_of(k, 2);
	assert_null(memtab_lookup(t, k));
	memtab_free(t);
}

static void
test_full(void **state)
{
	struct memtab *t = memtab_new(KLEN, 3);
	uint8_t k[KLEN];
	uint32_t i;

	for (i = 0; i < 5; i++) {
		key_of(k, i);
		assert_int_equal(memtab_add(t, k, &one), i < 3);
	}
	assert_int_equal(memtab_count(t), 3);
	assert_int_equal(memtab_limit(t), 3);
	assert_int_equal(memtab_drops(t), 2);
	/* a known key still counts in a full table */
	key_of(k, 1);
	assert_true(memtab_add(t, k, &one));
	assert_int_equal(memtab_lookup(t, k)->packets, 2);
	memtab_clear(t);
	assert_int_equal(memtab_count(t), 0);
	assert_int_equal(memtab_drops(t), 0);
	assert_null(memtab_lookup(t, k));
	for (i = 10; i < 13; i++) {
		key_of(k, i);
		assert_true(memtab_add(t, k, &one));
	}
	assert_int_equal(memtab_count(t), 3);
	memtab_free(t);
}

struct order {
	uint32_t seen[8];
	unsigned n;
};

static void
collect(const uint8_t *key, struct aggctr *ctr, void *data)
{
	struct order *o = data;

	o->seen[o->n++] = (uint32_t)key[2] << 16 | key[3] << 8 | key[4];
}

static void
test_orders(void **state)
{
	static const uint32_t ins[] = { 70000, 5, 300, 1, 65536 };
	static const uint32_t sorted[] = { 1, 5, 300, 65536, 70000 };
	struct memtab *t = memtab_new(KLEN, 8);
	struct order o = { { 0 }, 0 };
	uint8_t k[KLEN];
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(ins); i++) {
		key_of(k, ins[i]);
		memtab_add(t, k, &one);
	}
	memtab_foreach(t, collect, &o);
	assert_int_equal(o.n, 5);
	assert_memory_equal(o.seen, ins, sizeof(ins));
	o.n = 0;
	memtab_foreach_sorted(t, collect, &o);
	assert_memory_equal(o.seen, sorted, sizeof(sorted));
	memtab_free(t);
}

static void
test_reset(void **state)
{
	struct memtab *t = memtab_new(KLEN, 4);
	uint8_t k[KLEN];
	struct aggctr *c;

	key_of(k, 7);
	memtab_add(t, k, &one);
	c = memtab_lookup(t, k);
	assert_false(memtab_is_reset(c));
	memtab_reset(c);
	assert_true(memtab_is_reset(c));
	assert_int_equal(memtab_count(t), 1);
	memtab_add(t, k, &one);
	assert_false(memtab_is_reset(c));
	assert_int_equal(c->packets, 1);
	memtab_free(t);
}

static void
test_empty_key(void **state)
{
	struct memtab *t = memtab_new(0, 1);
	uint8_t k[1] = { 0 };
	int i;

	for (i = 0; i < 14; i++)
		assert_true(memtab_add(t, k, &one));
	assert_int_equal(memtab_count(t), 1);
	assert_int_equal(memtab_lookup(t, k)->packets, 14);
	memtab_free(t);
}

/* 200 000 keys in a table of exactly that size: all found, none lost. */
static void
test_many(void **state)
{
	const uint32_t n = 200000;
	struct memtab *t = memtab_new(KLEN, n);
	uint8_t k[KLEN];
	uint32_t i;

	for (i = 0; i < n; i++) {
		key_of(k, i * 2654435761u);
		assert_true(memtab_add(t, k, &one));
	}
	assert_int_equal(memtab_count(t), n);
	for (i = 0; i < n; i++) {
		key_of(k, i * 2654435761u);
		if (memtab_lookup(t, k) == NULL)
			fail_msg("key %u lost", i);
	}
	key_of(k, 1);
	k[5] = 1; /* not among them */
	assert_false(memtab_add(t, k, &one));
	assert_int_equal(memtab_drops(t), 1);
	memtab_free(t);
}

/* Reserved bytes per entry, from the allocator's own count. */
static void
test_size(void **state)
{
	const size_t n = 1000000;
	struct mallinfo2 before = mallinfo2(), after;
	struct memtab *t = memtab_new(KLEN, n);
	size_t bytes;

	after = mallinfo2();
	bytes = (after.hblkhd + after.uordblks) -
		(before.hblkhd + before.uordblks);
	memtab_free(t);
	assert_true(bytes >= n * (KLEN + 24)); /* the measure is real */
	if (bytes / n >= 200)
		fail_msg("%zu bytes per entry", bytes / n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),       cmocka_unit_test(test_full),
		cmocka_unit_test(test_orders),    cmocka_unit_test(test_reset),
		cmocka_unit_test(test_empty_key), cmocka_unit_test(test_many),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
