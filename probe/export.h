/* SPDX-License-Identifier: ISC */
/*
 * IPFIX export of finished flows (RFC 7011). libfixbuf encodes each
 * message once; the exporter then hands the same bytes to every sink: UDP
 * collectors, TCP collectors (reconnected with back-off, with a bounded
 * queue for what ends while they are away) and an IPFIX file (RFC 5655).
 */
#ifndef FT_EXPORT_H
#define FT_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "common/flowrec.h"

/* Template IDs on the wire, in the exporter's observation domain. */
#define EXPORT_TID_IPV4  256
#define EXPORT_TID_IPV6  257
#define EXPORT_TID_STATS 258

enum export_transport {
	EXPORT_UDP,
	EXPORT_TCP,
};

/* One collector, as given by -n or nfprobe_receiver. */
struct export_target {
	const char *host; /* name or address; NULL = 127.0.0.1 */
	uint16_t port;
};

struct export_conf {
	uint32_t domain;  /* observation domain (nfprobe_engine) */
	const char *file; /* IPFIX file to write, or NULL */
	enum export_transport transport;
	const struct export_target *targets;
	size_t ntargets;
	uint64_t refresh_ms;   /* UDP: templates again after this long */
	uint32_t refresh_msgs; /* ... or after this many messages */
	uint64_t flush_ms;     /* emit a part-filled message after this long */
	size_t queue_bytes; /* TCP: messages held per unreachable collector */
	gboolean pace;      /* UDP: pace datagrams (reading a file) */
};

/*
 * What the metering side counts; carried by the statistics options record
 * (RFC 7011 section 4 style, standard elements only).
 */
struct export_meter {
	uint64_t init_ms; /* when metering started (first packet offline) */
	uint64_t packets; /* packets seen: packetTotalCount */
	uint64_t dropped; /* dropped by the kernel: droppedPacketTotalCount */
	uint64_t ignored; /* not decoded: ignoredPacketTotalCount */
};

struct export_counters {
	uint64_t messages;   /* messages encoded */
	uint64_t flows;      /* flow records encoded */
	uint64_t lost;       /* flow records that reached no sink */
	uint64_t queue_drop; /* flow records a full TCP queue dropped */
	uint64_t send_err;   /* failed sends and writes */
	uint64_t reconnects; /* TCP connections established */
};

struct exporter;

/*
 * Build the templates, resolve and open every sink (the file under a
 * temporary name, UDP sockets, TCP connections started). Called before
 * privileges are dropped. NULL on error, logged.
 */
struct exporter *export_new(const struct export_conf *conf);

/*
 * Add one finished flow. Encodes into the current message and sends the
 * message when it is full. No allocation and no system call unless a
 * message is complete.
 */
void export_flow(struct exporter *ex, const struct flowrec *rec);

/* Add the statistics options record. */
void export_meter(struct exporter *ex, const struct export_meter *m);

/*
 * Timers: emit a part-filled message after flush_ms, refresh UDP
 * templates, reconnect TCP collectors. `now_ms` stamps the messages (the
 * packet clock offline, so that runs are reproducible).
 */
void export_tick(struct exporter *ex, uint64_t now_ms);

/* Emit what is buffered now. */
void export_flush(struct exporter *ex);

/*
 * Flush, give unreachable TCP collectors one last chance, then close the
 * file and rename it into place. 0, or -1 if the file could not be
 * completed (logged).
 */
int export_close(struct exporter *ex);

void export_counters(const struct exporter *ex, struct export_counters *c);

/* Log one line per sink with its state and counters. */
void export_log_stats(const struct exporter *ex);

void export_free(struct exporter *ex);

#endif
