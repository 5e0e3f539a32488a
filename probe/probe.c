/* SPDX-License-Identifier: ISC */
/*
 * The probe's data path and main loop. Each captured frame is decoded on
 * the stack and folded into the flow cache; finished flows go straight to
 * the exporter from the cache's callback. Live, a poll loop waits on the
 * capture descriptors and runs the timers (expiry, export flush, interface
 * retry, statistics) at least once a second; offline, the file is read in
 * fixed batches and the clock is the packets' own, so a run reproduces.
 */
#include "config.h"

#include "probe/probe.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <glib.h>

#include "common/log.h"
#include "probe/decode.h"

#define PROBE_BATCH   4096 /* frames per offline dispatch */
#define PROBE_TICK_MS 1000 /* longest wait of the live loop */
#define PROBE_MAX_FDS 64

struct probe {
	struct probe_conf conf;
	struct source *src;
	struct fcache *fc;
	struct exporter *ex;
	struct decode_stats ds;
	gboolean offline;
	uint64_t clock_ms; /* latest packet time offline, wall clock live */
	uint64_t first_ms; /* metering start */
	uint64_t next_stats_ms;
};

static uint64_t
wall_ms(void)
{
	return (uint64_t)g_get_real_time() / 1000;
}

static void
on_flow(const struct flowrec *rec, void *ctx)
{
	struct probe *p = ctx;
	struct flowrec r = *rec;

	if (r.direction == FLOW_DIR_UNKNOWN)
		r.direction = p->conf.direction;
	export_flow(p->ex, &r);
}

/* The hot path: no allocation, no logging, no system call. */
static void
on_frame(void *ctx, int dlt, uint32_t ifindex, const struct pcap_pkthdr *h,
	 const uint8_t *frame)
{
	struct probe *p = ctx;
	struct pkt pk;
	int rc;

	rc = decode_frame(dlt, frame, h->caplen, h->len, &pk);
	decode_stats_add(&p->ds, rc, &pk);
	if (rc != DECODE_OK)
		return;
	pk.ts_ms = (uint64_t)h->ts.tv_sec * 1000 + h->ts.tv_usec / 1000;
	pk.in_iface = ifindex;
	if (p->offline && pk.ts_ms > p->clock_ms)
		p->clock_ms = pk.ts_ms;
	if (p->first_ms == 0)
		p->first_ms = pk.ts_ms;
	fcache_add(p->fc, &pk);
}

struct probe *
probe_new(const struct probe_conf *conf)
{
	struct probe *p = g_new0(struct probe, 1);

	p->conf = *conf;
	p->fc = fcache_new(&conf->fc, on_flow, p);
	if (p->fc == NULL) {
		log_err("flow cache of %u flows: cannot allocate",
			conf->fc.max_flows);
		goto fail;
	}
	p->ex = export_new(&conf->exp);
	if (p->ex == NULL)
		goto fail;
	p->src = source_new(&conf->src, on_frame, p);
	if (p->src == NULL)
		goto fail;
	p->offline = source_is_offline(p->src);
	if (!p->offline)
		p->first_ms = wall_ms();
	return p;
fail:
	probe_free(p);
	return NULL;
}

static void
send_meter(struct probe *p)
{
	struct export_meter m = { 0 };
	struct source_stats ss;

	source_stats(p->src, &ss);
	m.init_ms = p->first_ms;
	m.packets = p->ds.frames;
	m.dropped = ss.dropped;
	m.ignored = p->ds.frames - p->ds.decoded;
	export_meter(p->ex, &m);
}

/* The periodic info line: every counter that can go wrong, in one. */
static void
log_summary(struct probe *p)
{
	struct export_counters ec;
	struct source_stats ss;
	struct fcache_stats fs;

	source_stats(p->src, &ss);
	fcache_stats(p->fc, &fs);
	export_counters(p->ex, &ec);
	log_info("stats: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
		 " not decoded, %" G_GUINT64_FORMAT
		 " kernel drops; %" G_GUINT64_FORMAT
		 " flows active, %" G_GUINT64_FORMAT
		 " evicted; %" G_GUINT64_FORMAT " exported, %" G_GUINT64_FORMAT
		 " lost, %" G_GUINT64_FORMAT " failed sends",
		 p->ds.frames, p->ds.frames - p->ds.decoded, ss.dropped,
		 fs.active, fs.ended[FLOW_END_LACK], ec.flows, ec.lost,
		 ec.send_err);
}

/* Timers shared by both modes, at clock `now`. */
static void
run_timers(struct probe *p, uint64_t now, const struct probe_signals *sig)
{
	fcache_expire(p->fc, now);
	if (p->conf.stats_ms > 0 && now >= p->next_stats_ms) {
		if (p->next_stats_ms != 0) {
			send_meter(p);
			if (!p->offline)
				log_summary(p);
		}
		p->next_stats_ms = now + p->conf.stats_ms;
	}
	export_tick(p->ex, now);
	if (*sig->report) {
		*sig->report = 0;
		probe_log_stats(p);
	}
	if (*sig->reopen) {
		*sig->reopen = 0;
		(void)log_reopen();
	}
}

static int
run_offline(struct probe *p, const struct probe_signals *sig)
{
	int n;

	while (!*sig->stop) {
		n = source_dispatch(p->src, PROBE_BATCH);
		if (n == SOURCE_EOF)
			return 0;
		if (n == SOURCE_ERROR)
			return -1;
		run_timers(p, p->clock_ms, sig);
	}
	return 0;
}

/*
 * Signals stay blocked except inside ppoll(), so a stop request can never
 * slip in between the flag check and the wait.
 */
static int
run_live(struct probe *p, const struct probe_signals *sig)
{
	struct pollfd fds[PROBE_MAX_FDS];
	struct timespec ts = { .tv_sec = PROBE_TICK_MS / 1000 };
	sigset_t block, old;
	int n;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!*sig->stop) {
		n = source_pollfds(p->src, fds, PROBE_MAX_FDS);
		if (ppoll(fds, (nfds_t)n, &ts, &old) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			break;
		}
		(void)source_dispatch(p->src, -1);
		source_tick(p->src);
		p->clock_ms = wall_ms();
		run_timers(p, p->clock_ms, sig);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

/* Offline, a run is complete only if every flow reached every sink. */
static int
check_complete(struct probe *p)
{
	struct export_counters c;

	export_counters(p->ex, &c);
	if (c.lost == 0)
		return 0;
	log_err("%" G_GUINT64_FORMAT " flow records were not delivered",
		c.lost);
	return -1;
}

int
probe_run(struct probe *p, const struct probe_signals *sig)
{
	int rc;

	if (p->offline)
		rc = run_offline(p, sig);
	else
		rc = run_live(p, sig);

	/* Shutdown or end of file: every flow goes out. */
	fcache_flush(p->fc, FLOW_END_FORCED);
	send_meter(p);
	export_tick(p->ex, p->offline ? p->clock_ms : wall_ms());
	if (export_close(p->ex) != 0)
		rc = -1;
	return rc == 0 && p->offline ? check_complete(p) : rc;
}

static void
log_decode(const struct decode_stats *ds)
{
	GString *drops = g_string_new(NULL);
	int r;

	for (r = 1; r < DECODE_DROP_MAX; r++)
		if (ds->drops[r] > 0)
			g_string_append_printf(drops, " %s=%" G_GUINT64_FORMAT,
					       decode_drop_name(r),
					       ds->drops[r]);
	log_info("decode: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
		 " decoded, %" G_GUINT64_FORMAT " fragments; dropped:%s",
		 ds->frames, ds->decoded, ds->frags,
		 drops->len > 0 ? drops->str : " none");
	g_string_free(drops, TRUE);
}

void
probe_log_stats(struct probe *p)
{
	struct source_stats ss;
	struct fcache_stats fs;

	source_stats(p->src, &ss);
	if (!p->offline)
		log_info("capture: %u interfaces open, %" G_GUINT64_FORMAT
			 " received, %" G_GUINT64_FORMAT
			 " dropped by the kernel, %" G_GUINT64_FORMAT
			 " by the interface, %u reopened",
			 ss.open, ss.received, ss.dropped, ss.ifdropped,
			 ss.reopened);
	log_decode(&p->ds);
	fcache_stats(p->fc, &fs);
	log_info("flows: %" G_GUINT64_FORMAT " active, %" G_GUINT64_FORMAT
		 " created; ended idle %" G_GUINT64_FORMAT
		 ", active %" G_GUINT64_FORMAT ", fin/rst %" G_GUINT64_FORMAT
		 ", forced %" G_GUINT64_FORMAT ", evicted %" G_GUINT64_FORMAT,
		 fs.active, fs.created, fs.ended[FLOW_END_IDLE],
		 fs.ended[FLOW_END_ACTIVE], fs.ended[FLOW_END_EOF],
		 fs.ended[FLOW_END_FORCED], fs.ended[FLOW_END_LACK]);
	export_log_stats(p->ex);
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	source_free(p->src);
	export_free(p->ex);
	fcache_free(p->fc);
	g_free(p);
}
