/* SPDX-License-Identifier: ISC */
/*
 * Where encoded IPFIX messages go: an IPFIX file (RFC 5655), a UDP
 * collector, or a TCP collector. Each sink sends the exporter's template
 * message when its transport needs it (file start, UDP refresh, every new
 * TCP connection) and counts what it could not deliver.
 */
#ifndef FT_SINK_H
#define FT_SINK_H

#include <stddef.h>
#include <stdint.h>

/*
 * The exporter's current template message. The exporter keeps its header
 * (export time, sequence number) in step with the data it emits, so a
 * sink may send it as is before any data message.
 */
struct sink_tmpl {
	const uint8_t *msg;
	size_t len;
};

struct sink_counters {
	uint64_t messages;   /* data messages delivered */
	uint64_t flows;      /* flow records delivered */
	uint64_t lost;       /* flow records not delivered */
	uint64_t queue_drop; /* of those, dropped by a full TCP queue */
	uint64_t send_err;   /* failed sends and writes */
	uint64_t reconnects; /* TCP connections established */
};

struct sink;

/*
 * Sinks are made before privileges are dropped: the file is created under
 * `path`.tmp and renamed at sink_close(); network names are resolved now.
 * NULL on error, logged.
 */
struct sink *sink_file_new(const char *path, const struct sink_tmpl *t);
struct sink *sink_udp_new(const char *host, uint16_t port,
			  const struct sink_tmpl *t, uint64_t refresh_ms,
			  uint32_t refresh_msgs);

/*
 * Reading a file, the probe can emit messages far faster than a collector
 * reads them, and UDP has no flow control: a paced UDP sink pauses a
 * millisecond after every SINK_PACE_BURST datagrams.
 */
#define SINK_PACE_BURST 16
void sink_udp_pace(struct sink *s);
struct sink *sink_tcp_new(const char *host, uint16_t port,
			  const struct sink_tmpl *t, size_t queue_bytes,
			  size_t mtu);

/* Deliver (or, for a TCP collector that is away, queue) one message. */
void sink_send(struct sink *s, const uint8_t *msg, size_t len, uint32_t flows);

/* Timers: TCP connection attempts and loss detection. */
void sink_tick(struct sink *s);

/* Finish: last TCP attempt, file renamed into place. 0 or -1 (logged). */
int sink_close(struct sink *s);

const char *sink_name(const struct sink *s);
const char *sink_state(const struct sink *s);
void sink_counters(const struct sink *s, struct sink_counters *c);
void sink_free(struct sink *s);

#endif
