/* SPDX-License-Identifier: ISC */
/*
 * Packet decoding (stub until the decoder lands): every frame is dropped
 * as an unknown link type.
 */
#include "probe/decode.h"

int
decode_frame(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
	     struct pkt *out)
{
	(void)dlt;
	(void)frame;
	(void)caplen;
	(void)wirelen;
	(void)out;
	return DECODE_DROP_LINK_TYPE;
}

void
decode_stats_add(struct decode_stats *s, int rc, const struct pkt *p)
{
	(void)p;
	s->frames++;
	if (rc == DECODE_OK)
		s->decoded++;
	else if (rc > 0 && rc < DECODE_DROP_MAX)
		s->drops[rc]++;
}

const char *
decode_drop_name(int reason)
{
	(void)reason;
	return "unknown";
}

int
decode_link_supported(int dlt)
{
	(void)dlt;
	return 0;
}
