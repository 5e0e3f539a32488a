/* SPDX-License-Identifier: ISC */
/*
 * What every decoder is handed: where its flow records go, and the
 * receive options that change a record before it leaves the decoder
 * (sampling renormalisation, arrival-time stamping).
 */
#ifndef FT_SINK_H
#define FT_SINK_H

#include <stdint.h>
#include <glib.h>

#include "common/flowrec.h"

/* Called once per decoded record; must not keep `rec`. */
typedef void (*flow_sink_fn)(void *data, const struct flowrec *rec);

struct flow_sink {
	flow_sink_fn fn;
	void *data;
};

struct recv_opts {
	gboolean renormalize;       /* scale counters by the sampling rate */
	uint32_t ext_sampling_rate; /* forced rate for every exporter, or 0 */
	gboolean time_new;          /* stamp flows with the arrival time */
};

#endif
