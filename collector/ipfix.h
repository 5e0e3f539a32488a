/* SPDX-License-Identifier: ISC */
/*
 * The IPFIX decoder (RFC 7011). Each exporter gets a libfixbuf session,
 * so templates are scoped by exporter address and observation domain;
 * each message is checked with our own cursor first, then decoded by
 * libfixbuf into one fixed internal record and turned into flow records.
 */
#ifndef FT_IPFIX_H
#define FT_IPFIX_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "collector/exporter.h"
#include "collector/sink.h"

#define IPFIX_VERSION    10
#define IPFIX_HEADER_LEN 16

struct ipfix_decoder;

/*
 * A decoder that keeps its per-exporter state in `exporters` and hands
 * records to `sink`. It routes libfixbuf's warnings into counters for as
 * long as it lives; only one should exist at a time.
 */
struct ipfix_decoder *ipfix_decoder_new(struct exporter_table *exporters,
					const struct flow_sink *sink,
					const struct recv_opts *opts,
					GError **err);
void ipfix_decoder_free(struct ipfix_decoder *d);

/*
 * Decode one IPFIX message of `len` bytes from `exp`, received at
 * `now_ms`. Whatever is wrong with it is counted on `exp`; nothing is
 * logged. `msg` is not modified.
 */
void ipfix_decode(struct ipfix_decoder *d, struct exporter *exp, uint8_t *msg,
		  size_t len, uint64_t now_ms);

#endif
