/* SPDX-License-Identifier: ISC */
/*
 * Packet sources: live interfaces through libpcap (several at once, each
 * reopened when it vanishes and comes back, as ppp0 does on every PPPoE
 * reconnect), or one capture file (pcap or pcapng) read to its end.
 */
#ifndef FT_SOURCE_H
#define FT_SOURCE_H

#include <stdint.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <glib.h>

struct source_conf {
	const char *file;    /* offline: read this file; NULL = live */
	char *const *ifaces; /* live: NULL-terminated interface names */
	const char *filter;  /* BPF expression, or NULL */
	uint32_t snaplen;
	gboolean promisc;
	uint64_t buffer_bytes; /* kernel capture buffer */
	uint32_t timeout_ms;   /* read timeout (immediate mode is off) */
	uint64_t retry_ms;     /* wait before reopening a missing interface */
	gboolean wait;         /* a missing interface at start is waited for */
};

/*
 * Called for every captured frame: its link type (a DLT_ value, as
 * decode_frame() takes it), the interface index (0 offline) and the
 * libpcap header and bytes, valid only during the call.
 */
typedef void (*source_fn)(void *ctx, int dlt, uint32_t ifindex,
			  const struct pcap_pkthdr *h, const uint8_t *frame);

struct source_stats {
	uint64_t received;  /* frames handed to us */
	uint64_t dropped;   /* dropped by the kernel (ps_drop) */
	uint64_t ifdropped; /* dropped by the interface (ps_ifdrop) */
	uint32_t open;      /* interfaces capturing now */
	uint32_t reopened;  /* times an interface came back */
};

struct source;

/*
 * Open the file, or every interface (one that is missing is retried later
 * when conf->wait, else it is an error). NULL on error, logged.
 */
struct source *source_new(const struct source_conf *conf, source_fn fn,
			  void *ctx);

gboolean source_is_offline(const struct source *s);

/* Fill up to `max` pollfds for the open live handles; returns the count. */
int source_pollfds(struct source *s, struct pollfd *fds, int max);

/*
 * Hand pending frames to the callback: for a file, the next batch of at
 * most `batch` frames. Returns the frames handled, 0 when a live source has
 * none pending, SOURCE_EOF at the end of the file, or SOURCE_ERROR when
 * the file cannot be read on (logged; what came before counts).
 */
#define SOURCE_EOF   (-1)
#define SOURCE_ERROR (-2)

int source_dispatch(struct source *s, int batch);

/* Retry interfaces that are missing; cheap when all are open. */
void source_tick(struct source *s);

void source_stats(struct source *s, struct source_stats *st);

/* Check a BPF expression without capturing (config test). */
gboolean source_check_filter(const char *filter, GError **err);

void source_free(struct source *s);

#endif
