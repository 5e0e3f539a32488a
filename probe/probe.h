/* SPDX-License-Identifier: ISC */
/*
 * The running probe: one packet source, the decoder, the flow cache and
 * the exporter wired together, and the loop that drives them. main()
 * builds the configuration; this module owns everything after that.
 */
#ifndef FT_PROBE_H
#define FT_PROBE_H

#include <signal.h>
#include <stdint.h>

#include "probe/export.h"
#include "probe/fcache.h"
#include "probe/source.h"

struct probe_conf {
	struct source_conf src;
	struct export_conf exp;
	struct fcache_params fc;
	uint8_t direction; /* flowDirection for records that carry none */
	uint64_t stats_ms; /* interval of the statistics options record */
};

/* Flags the daemon's signal handlers set; the loop reads and clears. */
struct probe_signals {
	volatile sig_atomic_t *stop;   /* SIGTERM, SIGINT */
	volatile sig_atomic_t *report; /* SIGUSR1 */
	volatile sig_atomic_t *reopen; /* SIGHUP: log file */
};

struct probe;

/* Open the capture and the sinks, size the cache. NULL on error, logged. */
struct probe *probe_new(const struct probe_conf *conf);

/*
 * Run until the file ends (offline) or a stop signal (live); then every
 * flow is expired with FLOW_END_FORCED and exported, and the sinks are
 * closed. 0, or -1 if the capture could not be read to its end or the
 * export could not be completed (logged).
 */
int probe_run(struct probe *p, const struct probe_signals *sig);

/* One info line per stage: capture, decoder drops, cache, export. */
void probe_log_stats(struct probe *p);

void probe_free(struct probe *p);

#endif
