/* SPDX-License-Identifier: ISC */
/*
 * Three tables circulate between the main loop and the writer thread:
 * the one being filled, one spare, and one the writer may keep after a
 * failed write. The main loop swaps only when a spare is free, so it
 * never waits on the disk; if the writer is still busy the interval just
 * grows until the next refresh. Two queues carry the tables: jobs to the
 * writer, emptied tables back.
 */
#include "binstore.h"

#include <string.h>

#include "common/log.h"

#define BINSTORE_TABLES 3
/* Time between two "table full" warnings. */
#define BINSTORE_WARN_MS 60000

struct bs_job {
	struct memtab *t; /* NULL: stop the thread */
	gboolean flush;   /* give back every table when done */
};

struct binstore {
	struct binstore_opts o;
	gchar *label;
	struct memtab *cur;
	GAsyncQueue *jobs;
	GAsyncQueue *spare;
	GThread *thread;
	struct memtab *pending; /* writer thread only */
	gint has_pending;       /* atomic: pending is set, retry it */
	gint kept;              /* atomic: entries in pending */
	uint64_t next_ms;
	uint64_t now_ms;   /* last tick, for records without an end */
	guint64 add_drops; /* main loop only */
	guint64 warned;    /* add_drops at the last warning */
	uint64_t warned_ms;
	GMutex lock; /* guards st */
	struct binstore_stats st;
};

int64_t
binstore_key_bin(const uint8_t *key)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < BINSTORE_BIN_LEN; i++)
		v = v << 8 | key[i];
	return (int64_t)v;
}

static void
put_bin(uint8_t *key, int64_t bin)
{
	uint64_t v = (uint64_t)bin;
	int i;

	for (i = BINSTORE_BIN_LEN - 1; i >= 0; i--) {
		key[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void
merge_one(const uint8_t *key, struct aggctr *ctr, void *data)
{
	struct memtab *into = data;

	memtab_add(into, key, ctr);
}

/* Fold `from` into the kept table; what does not fit is counted. */
static void
bs_merge(struct binstore *bs, struct memtab *from)
{
	uint64_t before = memtab_drops(bs->pending);

	memtab_foreach(from, merge_one, bs->pending);
	g_mutex_lock(&bs->lock);
	bs->st.drops += memtab_drops(bs->pending) - before;
	g_mutex_unlock(&bs->lock);
}

static void
bs_give_back(struct binstore *bs, struct memtab *t)
{
	memtab_clear(t);
	g_async_queue_push(bs->spare, t);
}

static void
sum_one(const uint8_t *key, struct aggctr *ctr, void *data)
{
	struct aggctr *sum = data;

	sum->packets += ctr->packets;
	sum->bytes += ctr->bytes;
}

/*
 * A write is done and durable: the log line acknowledges what it holds,
 * so that what was said to be written can be checked against the store.
 */
static void
bs_done(struct binstore *bs, struct memtab *t, guint64 rows, gint64 t0)
{
	struct aggctr sum = { 0, 0, 0, 0 };

	memtab_foreach(t, sum_one, &sum);
	g_mutex_lock(&bs->lock);
	bs->st.writes++;
	bs->st.rows += rows;
	g_mutex_unlock(&bs->lock);
	log_info("%s: wrote %" G_GUINT64_FORMAT " rows: %" G_GUINT64_FORMAT
		 " packets, %" G_GUINT64_FORMAT " bytes in %" G_GINT64_FORMAT
		 " ms",
		 bs->label, rows, sum.packets, sum.bytes,
		 (g_get_monotonic_time() - t0) / 1000);
	bs_give_back(bs, t);
}

/* A failed write: keep the data for the next refresh, unless flushing. */
static void
bs_failed(struct binstore *bs, struct memtab *t, gboolean flush, GError *e)
{
	size_t n = memtab_count(t);

	g_mutex_lock(&bs->lock);
	bs->st.failures++;
	if (flush)
		bs->st.drops += n;
	g_mutex_unlock(&bs->lock);
	if (flush) {
		log_err("%s: %s; %zu entries lost at shutdown", bs->label,
			e->message, n);
		bs_give_back(bs, t);
		return;
	}
	log_err("%s: %s; %zu entries kept, retried at the next refresh",
		bs->label, e->message, n);
	bs->pending = t;
	g_atomic_int_set(&bs->kept, (gint)MIN(n, G_MAXINT));
	g_atomic_int_set(&bs->has_pending, 1);
}

static void
bs_write(struct binstore *bs, struct bs_job *job)
{
	struct memtab *t = job->t;
	GError *e = NULL;
	guint64 rows = 0;
	gint64 t0 = g_get_monotonic_time();

	if (bs->pending != NULL) {
		bs_merge(bs, t);
		bs_give_back(bs, t);
		t = bs->pending;
		bs->pending = NULL;
		g_atomic_int_set(&bs->has_pending, 0);
		g_atomic_int_set(&bs->kept, 0);
	}
	if (memtab_count(t) == 0) {
		bs_give_back(bs, t);
		return;
	}
	if (bs->o.write(t, g_get_real_time() / G_USEC_PER_SEC, bs->o.data,
			&rows, &e))
		bs_done(bs, t, rows, t0);
	else
		bs_failed(bs, t, job->flush, e);
	g_clear_error(&e);
}

static gpointer
bs_thread(gpointer data)
{
	struct binstore *bs = data;
	struct bs_job *job;

	for (;;) {
		job = g_async_queue_pop(bs->jobs);
		if (job->t == NULL) {
			g_free(job);
			return NULL;
		}
		bs_write(bs, job);
		g_free(job);
	}
}

struct binstore *
binstore_new(const struct binstore_opts *o)
{
	struct binstore *bs = g_new0(struct binstore, 1);
	size_t klen = BINSTORE_BIN_LEN + o->key_len;
	int i;

	bs->o = *o;
	bs->label = g_strdup(o->label);
	bs->o.label = bs->label;
	g_mutex_init(&bs->lock);
	bs->jobs = g_async_queue_new();
	bs->spare = g_async_queue_new();
	bs->cur = memtab_new(klen, o->max_entries);
	for (i = 1; i < BINSTORE_TABLES; i++)
		g_async_queue_push(bs->spare, memtab_new(klen, o->max_entries));
	bs->now_ms = (uint64_t)(g_get_real_time() / 1000);
	bs->thread = g_thread_new("binstore", bs_thread, bs);
	return bs;
}

static void
bs_send(struct binstore *bs, struct memtab *t, gboolean flush)
{
	struct bs_job *job = g_new0(struct bs_job, 1);

	job->t = t;
	job->flush = flush;
	g_async_queue_push(bs->jobs, job);
}

gboolean
binstore_add(struct binstore *bs, const uint8_t *key, const struct aggctr *ctr,
	     uint64_t end_ms)
{
	uint8_t k[BINSTORE_BIN_LEN + AGGKEY_MAX_LEN];
	uint64_t t = end_ms != 0 ? end_ms : bs->now_ms;

	put_bin(k, bins_start(bs->o.bins, (int64_t)(t / 1000)));
	memcpy(k + BINSTORE_BIN_LEN, key, bs->o.key_len);
	if (memtab_add(bs->cur, k, ctr))
		return TRUE;
	bs->add_drops++;
	return FALSE;
}

/* At most once a minute while entries are being dropped. */
static void
bs_warn_full(struct binstore *bs, uint64_t now_ms)
{
	if (bs->add_drops == bs->warned ||
	    (bs->warned_ms != 0 && now_ms < bs->warned_ms + BINSTORE_WARN_MS))
		return;
	log_warn("%s: table full (%zu entries): %" G_GUINT64_FORMAT
		 " records dropped since the last warning; raise the "
		 "plugin's *_max_entries or refresh more often",
		 bs->label, bs->o.max_entries, bs->add_drops - bs->warned);
	bs->warned = bs->add_drops;
	bs->warned_ms = now_ms;
}

void
binstore_tick(struct binstore *bs, uint64_t now_ms)
{
	struct memtab *fresh;
	uint64_t r = bs->o.refresh_ms;

	bs->now_ms = now_ms;
	bs_warn_full(bs, now_ms);

	/* First tick, or the clock went back: the next boundary from now. */
	if (bs->next_ms == 0 || now_ms + r < bs->next_ms)
		bs->next_ms = (now_ms / r + 1) * r;
	if (now_ms < bs->next_ms)
		return;
	bs->next_ms = (now_ms / r + 1) * r;

	/* An empty interval is written only to retry a failed one. */
	if (memtab_count(bs->cur) == 0 && !g_atomic_int_get(&bs->has_pending))
		return;

	/* No spare: the writer is still busy; this interval grows. */
	fresh = g_async_queue_try_pop(bs->spare);
	if (fresh == NULL) {
		g_mutex_lock(&bs->lock);
		bs->st.delayed++;
		g_mutex_unlock(&bs->lock);
		return;
	}
	bs_send(bs, bs->cur, FALSE);
	bs->cur = fresh;
}

void
binstore_flush(struct binstore *bs)
{
	struct memtab *t[BINSTORE_TABLES];
	int i;

	/* Own every table again: then the writer has finished. */
	t[0] = g_async_queue_pop(bs->spare);
	bs_send(bs, bs->cur, TRUE);
	for (i = 1; i < BINSTORE_TABLES; i++)
		t[i] = g_async_queue_pop(bs->spare);
	bs->cur = t[0];
	for (i = 1; i < BINSTORE_TABLES; i++)
		g_async_queue_push(bs->spare, t[i]);
}

void
binstore_free(struct binstore *bs)
{
	struct memtab *t;

	if (bs == NULL)
		return;
	binstore_flush(bs);
	bs_send(bs, NULL, FALSE);
	g_thread_join(bs->thread);
	while ((t = g_async_queue_try_pop(bs->spare)) != NULL)
		memtab_free(t);
	memtab_free(bs->cur);
	g_async_queue_unref(bs->jobs);
	g_async_queue_unref(bs->spare);
	g_mutex_clear(&bs->lock);
	g_free(bs->label);
	if (bs->o.free_data != NULL)
		bs->o.free_data(bs->o.data);
	g_free(bs);
}

gboolean
binstore_op_add(void *bs, const uint8_t *key, const struct aggctr *ctr)
{
	return binstore_add(bs, key, ctr, 0);
}

gboolean
binstore_op_add_at(void *bs, const uint8_t *key, const struct aggctr *ctr,
		   uint64_t end_ms)
{
	return binstore_add(bs, key, ctr, end_ms);
}

void
binstore_op_tick(void *bs, uint64_t now_ms)
{
	binstore_tick(bs, now_ms);
}

void
binstore_op_flush(void *bs)
{
	binstore_flush(bs);
}

void
binstore_op_status(void *bs, GString *out)
{
	binstore_status(bs, out);
}

void
binstore_op_free(void *bs)
{
	binstore_free(bs);
}

void
binstore_stats(struct binstore *bs, struct binstore_stats *st)
{
	g_mutex_lock(&bs->lock);
	*st = bs->st;
	g_mutex_unlock(&bs->lock);
	st->drops += bs->add_drops;
}

void
binstore_status(struct binstore *bs, GString *out)
{
	struct binstore_stats st;

	binstore_stats(bs, &st);
	g_string_append_printf(
		out, "%s: %zu entries held, %d kept for a retry, ", bs->label,
		memtab_count(bs->cur), g_atomic_int_get(&bs->kept));
	g_string_append_printf(out,
			       "%" G_GUINT64_FORMAT
			       " writes, %" G_GUINT64_FORMAT
			       " failed writes, %" G_GUINT64_FORMAT " rows, ",
			       st.writes, st.failures, st.rows);
	g_string_append_printf(out,
			       "%" G_GUINT64_FORMAT " entries dropped, "
			       "%" G_GUINT64_FORMAT " delayed refreshes\n",
			       st.drops, st.delayed);
}
