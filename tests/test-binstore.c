/* SPDX-License-Identifier: ISC */
/*
 * The interval machinery of the sqlite3 and print plugins with a writer
 * that can be made to fail or to stall: nothing is written between
 * refreshes, a failed interval is kept and merged with the next, a busy
 * writer delays an interval without losing it, and flush writes what is
 * held. The counters fed are the test's own; every sum is stated here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "collector/binstore.h"
#include "common/error.h"

struct fake {
	GMutex lock;
	GCond cond;
	gboolean fail;  /* the next writes fail */
	gboolean stall; /* writes wait until cleared */
	int calls;
	guint64 bytes;     /* written, summed over successful writes */
	guint64 bin_bytes; /* of those, in the bin at 600 s */
};

static void
sum_entry(const uint8_t *key, struct aggctr *ctr, void *data)
{
	guint64 *sums = data;

	sums[0] += ctr->bytes;
	if (binstore_key_bin(key) == 600)
		sums[1] += ctr->bytes;
}

static gboolean
fake_write(struct memtab *t, int64_t now, void *data, guint64 *rows,
	   GError **err)
{
	struct fake *f = data;
	guint64 sums[2] = { 0, 0 };
	gboolean ok;

	g_mutex_lock(&f->lock);
	f->calls++;
	while (f->stall)
		g_cond_wait(&f->cond, &f->lock);
	ok = !f->fail;
	if (ok) {
		memtab_foreach(t, sum_entry, sums);
		f->bytes += sums[0];
		f->bin_bytes += sums[1];
	}
	g_mutex_unlock(&f->lock);
	if (!ok)
		g_set_error(err, FT_ERROR, FT_ERROR_FULL, "disk full");
	*rows = memtab_count(t);
	return ok;
}

static struct bins five_min;

static struct binstore *
make(struct fake *f)
{
	struct binstore_opts o = {
		.label = "test",
		.key_len = 1,
		.max_entries = 16,
		.bins = &five_min,
		.refresh_ms = 1000,
		.write = fake_write,
		.data = f,
	};

	memset(f, 0, sizeof(*f));
	g_mutex_init(&f->lock);
	g_cond_init(&f->cond);
	assert_true(bins_init(&five_min, "5m", NULL, NULL));
	return binstore_new(&o);
}

/* `bytes` under key `k` for a flow that ended at `end_s`. */
static void
add(struct binstore *bs, uint8_t k, guint64 bytes, uint64_t end_s)
{
	struct aggctr c = { 1, bytes, 1, 0 };

	assert_true(binstore_add(bs, &k, &c, end_s * 1000));
}

static int
calls(struct fake *f)
{
	int n;

	g_mutex_lock(&f->lock);
	n = f->calls;
	g_mutex_unlock(&f->lock);
	return n;
}

/* Wait, at most 5 s, for the writer to have been called `n` times. */
static void
wait_calls(struct fake *f, int n)
{
	int i;

	for (i = 0; i < 5000 && calls(f) < n; i++)
		g_usleep(1000);
	assert_true(calls(f) >= n);
}

static void
set(struct fake *f, gboolean *what, gboolean v)
{
	g_mutex_lock(&f->lock);
	*what = v;
	g_cond_broadcast(&f->cond);
	g_mutex_unlock(&f->lock);
}

static void
test_refresh_and_bins(void **state)
{
	struct fake f;
	struct binstore *bs = make(&f);

	add(bs, 1, 100, 610); /* bin 600 */
	add(bs, 1, 50, 899);  /* bin 600 */
	add(bs, 1, 7, 900);   /* bin 900 */
	binstore_tick(bs, 10000);
	binstore_tick(bs, 10500); /* before the refresh: nothing written */
	binstore_flush(bs);
	assert_int_equal(f.calls, 1);
	assert_int_equal(f.bytes, 157);
	assert_int_equal(f.bin_bytes, 150);
	binstore_free(bs);
}

static void
test_failure_kept_and_merged(void **state)
{
	struct fake f;
	struct binstore *bs = make(&f);
	struct binstore_stats st;

	f.fail = TRUE;
	add(bs, 1, 100, 610);
	binstore_tick(bs, 10000);
	binstore_tick(bs, 11000); /* the refresh: the write fails */
	binstore_flush(bs);       /* ... and fails again: counted as lost */
	binstore_stats(bs, &st);
	assert_int_equal(st.failures, 2);
	assert_int_equal(st.drops, 1);
	binstore_free(bs);

	bs = make(&f);
	f.fail = TRUE;
	add(bs, 1, 100, 610);
	binstore_tick(bs, 10000);
	binstore_tick(bs, 11000);
	/* Wait for the failed write, then let the next one through. */
	wait_calls(&f, 1);
	set(&f, &f.fail, FALSE);
	add(bs, 1, 20, 620);
	add(bs, 2, 5, 920);
	binstore_tick(bs, 12000);
	binstore_flush(bs);
	binstore_stats(bs, &st);
	assert_int_equal(f.bytes, 125);
	assert_int_equal(f.bin_bytes, 120);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.drops, 0);
	binstore_free(bs);
}

/* A kept interval is retried at a refresh even when nothing new came. */
static void
test_retry_without_new_data(void **state)
{
	struct fake f;
	struct binstore *bs = make(&f);

	f.fail = TRUE;
	add(bs, 3, 40, 610);
	binstore_tick(bs, 10000);
	binstore_tick(bs, 11000);
	wait_calls(&f, 1);
	set(&f, &f.fail, FALSE);
	binstore_tick(bs, 12000);
	wait_calls(&f, 2);
	binstore_flush(bs);
	assert_int_equal(f.bytes, 40);
	binstore_free(bs);
}

/* A stalled writer delays the next interval; nothing is lost. */
static void
test_busy_writer(void **state)
{
	struct fake f;
	struct binstore *bs = make(&f);
	struct binstore_stats st;

	f.stall = TRUE;
	add(bs, 1, 1, 610);
	binstore_tick(bs, 10000);
	binstore_tick(bs, 11000); /* job 1, stalled */
	add(bs, 1, 2, 610);
	binstore_tick(bs, 12000); /* job 2 queued: the last spare */
	add(bs, 1, 4, 610);
	binstore_tick(bs, 13000); /* no spare left: delayed */
	binstore_stats(bs, &st);
	assert_int_equal(st.delayed, 1);
	set(&f, &f.stall, FALSE);
	binstore_flush(bs);
	assert_int_equal(f.bytes, 7);
	binstore_free(bs);
}

/* A clock that goes back does not hold writes off until it catches up. */
static void
test_clock_back(void **state)
{
	struct fake f;
	struct binstore *bs = make(&f);

	binstore_tick(bs, 3600000);
	add(bs, 1, 9, 610);
	binstore_tick(bs, 1000); /* an hour back */
	binstore_tick(bs, 2000); /* the next refresh from there */
	wait_calls(&f, 1);
	binstore_flush(bs);
	assert_int_equal(f.bytes, 9);
	binstore_free(bs);
}

/* A full table refuses new keys, counts them and keeps the rest. */
static void
test_full(void **state)
{
	struct fake f;
	struct binstore *bs = make(&f);
	struct aggctr c = { 1, 10, 1, 0 };
	struct binstore_stats st;
	uint8_t k;

	for (k = 0; k < 16; k++)
		assert_true(binstore_add(bs, &k, &c, 610000));
	assert_false(binstore_add(bs, &k, &c, 610000));
	k = 0;
	assert_true(binstore_add(bs, &k, &c, 610000));
	binstore_tick(bs, 10000);
	binstore_flush(bs);
	binstore_stats(bs, &st);
	assert_int_equal(st.drops, 1);
	assert_int_equal(f.bytes, 170);
	binstore_free(bs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refresh_and_bins),
		cmocka_unit_test(test_failure_kept_and_merged),
		cmocka_unit_test(test_retry_without_new_data),
		cmocka_unit_test(test_busy_writer),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
