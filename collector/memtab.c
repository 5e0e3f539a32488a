/* SPDX-License-Identifier: ISC */
/*
 * The aggregation table. Design: chained hashing with 32-bit entry
 * indices. A power-of-two bucket array (at least one bucket per entry)
 * holds the index + 1 of each chain's head; entries sit back to back in
 * one slab reserved at creation, each a small header (chain link, 32 bits
 * of the hash, counters) followed by the packed key, padded to 8 bytes.
 * New entries take the next free slab slot, so adding never allocates and
 * insertion order is slab order; clearing forgets them all at once. For a
 * 5-tuple key (39 bytes) an entry costs 80 bytes plus 4 to 8 of buckets.
 */
#include "config.h"

#include "collector/memtab.h"

#include <string.h>

struct mt_entry {
	uint32_t next; /* index + 1 of the next entry in the chain, or 0 */
	uint32_t hash;
	struct aggctr ctr;
	uint8_t key[];
};

struct memtab {
	size_t key_len;
	size_t stride; /* entry size in uint64_t words */
	size_t limit;
	size_t count;
	uint64_t drops;
	uint32_t *buckets;
	size_t nbuckets; /* a power of two */
	uint64_t *slab;  /* limit * stride words */
};

static struct mt_entry *
mt_at(const struct memtab *t, size_t i)
{
	return (struct mt_entry *)(t->slab + i * t->stride);
}

struct memtab *
memtab_new(size_t key_len, size_t max_entries)
{
	struct memtab *t = g_new0(struct memtab, 1);
	size_t bytes = sizeof(struct mt_entry) + key_len;

	g_assert(max_entries >= 1 && max_entries < G_MAXUINT32);
	t->key_len = key_len;
	t->stride = (bytes + 7) / 8;
	t->limit = max_entries;
	t->nbuckets = 1;
	while (t->nbuckets < max_entries)
		t->nbuckets <<= 1;
	/* Large blocks come from mmap: pages are touched only when used. */
	t->buckets = g_new0(uint32_t, t->nbuckets);
	t->slab = g_new(uint64_t, t->limit * t->stride);
	return t;
}

void
memtab_free(struct memtab *t)
{
	if (t == NULL)
		return;
	g_free(t->buckets);
	g_free(t->slab);
	g_free(t);
}

static struct mt_entry *
mt_find(const struct memtab *t, const uint8_t *key, uint32_t h, size_t bucket)
{
	uint32_t i = t->buckets[bucket];

	while (i != 0) {
		struct mt_entry *e = mt_at(t, i - 1);

		if (e->hash == h && memcmp(e->key, key, t->key_len) == 0)
			return e;
		i = e->next;
	}
	return NULL;
}

static void
ctr_add(struct aggctr *dst, const struct aggctr *src)
{
	dst->packets += src->packets;
	dst->bytes += src->bytes;
	dst->flows += src->flows;
	dst->tcp_flags |= src->tcp_flags;
}

gboolean
memtab_add(struct memtab *t, const uint8_t *key, const struct aggctr *ctr)
{
	uint64_t h64 = aggkey_hash(key, t->key_len);
	size_t b = (size_t)(h64 >> 32 ^ h64) & (t->nbuckets - 1);
	uint32_t h = (uint32_t)h64;
	struct mt_entry *e = mt_find(t, key, h, b);

	if (e == NULL) {
		if (t->count == t->limit) {
			t->drops++;
			return FALSE;
		}
		e = mt_at(t, t->count);
		memset(&e->ctr, 0, sizeof(e->ctr));
		memcpy(e->key, key, t->key_len);
		e->hash = h;
		e->next = t->buckets[b];
		t->buckets[b] = (uint32_t)++t->count;
	}
	ctr_add(&e->ctr, ctr);
	return TRUE;
}

struct aggctr *
memtab_lookup(struct memtab *t, const uint8_t *key)
{
	uint64_t h64 = aggkey_hash(key, t->key_len);
	size_t b = (size_t)(h64 >> 32 ^ h64) & (t->nbuckets - 1);
	struct mt_entry *e = mt_find(t, key, (uint32_t)h64, b);

	return e != NULL ? &e->ctr : NULL;
}

size_t
memtab_key_len(const struct memtab *t)
{
	return t->key_len;
}

size_t
memtab_count(const struct memtab *t)
{
	return t->count;
}

size_t
memtab_limit(const struct memtab *t)
{
	return t->limit;
}

uint64_t
memtab_drops(const struct memtab *t)
{
	return t->drops;
}

void
memtab_clear(struct memtab *t)
{
	memset(t->buckets, 0, t->nbuckets * sizeof(t->buckets[0]));
	t->count = 0;
	t->drops = 0;
}

void
memtab_foreach(struct memtab *t, memtab_fn fn, void *data)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		struct mt_entry *e = mt_at(t, i);

		fn(e->key, &e->ctr, data);
	}
}

static gint
mt_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct mt_entry *ea = *(struct mt_entry *const *)a;
	const struct mt_entry *eb = *(struct mt_entry *const *)b;

	return memcmp(ea->key, eb->key, *(const size_t *)data);
}

void
memtab_foreach_sorted(struct memtab *t, memtab_fn fn, void *data)
{
	struct mt_entry **idx = g_new(struct mt_entry *, t->count + 1);
	size_t i;

	for (i = 0; i < t->count; i++)
		idx[i] = mt_at(t, i);
	g_qsort_with_data(idx, (gint)t->count, sizeof(idx[0]), mt_cmp,
			  &t->key_len);
	for (i = 0; i < t->count; i++)
		fn(idx[i]->key, &idx[i]->ctr, data);
	g_free(idx);
}

size_t
memtab_match(struct memtab *t, const struct aggkey_spec *spec,
	     const struct aggkey_query *q, memtab_fn fn, void *data)
{
	struct aggctr *ctr;
	size_t i, n = 0;

	if (q->never)
		return 0;
	if (q->exact) {
		ctr = memtab_lookup(t, q->value);
		if (ctr == NULL)
			return 0;
		if (fn != NULL)
			fn(q->value, ctr, data);
		return 1;
	}
	for (i = 0; i < t->count; i++) {
		struct mt_entry *e = mt_at(t, i);

		if (!aggkey_query_match(spec, q, e->key))
			continue;
		if (fn != NULL)
			fn(e->key, &e->ctr, data);
		n++;
	}
	return n;
}

void
memtab_reset(struct aggctr *ctr)
{
	memset(ctr, 0, sizeof(*ctr));
}

gboolean
memtab_is_reset(const struct aggctr *ctr)
{
	return ctr->packets == 0 && ctr->bytes == 0 && ctr->flows == 0;
}
