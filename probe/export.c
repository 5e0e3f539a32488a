/* SPDX-License-Identifier: ISC */
/*
 * The IPFIX exporter: finished flows from the cache are copied into the
 * record that backs a libfixbuf template and appended to one message
 * buffer. libfixbuf writes each complete message into our own buffer (its
 * buffer exporter); we hand those bytes to every sink, so a message is
 * encoded once however many collectors and files receive it.
 */
#include "config.h"

#include "probe/export.h"

#include <stddef.h>
#include <string.h>
#include <fixbuf/public.h>

#include "common/log.h"
#include "probe/sink.h"

/* Message sizes: one datagram within an Ethernet MTU, or larger streams. */
#define EXPORT_MTU_UDP    1400
#define EXPORT_MTU_STREAM 16384

/* Spec flag of the padding that only the internal templates carry. */
#define EXPORT_F_INTERNAL 1

#define IE(name, len)                                                          \
	{                                                                      \
		(char *)(name), (len), 0                                       \
	}
#define PAD(len)                                                               \
	{                                                                      \
		(char *)"paddingOctets", (len), EXPORT_F_INTERNAL              \
	}

/*
 * The IPv4 flow record: the template's elements in order, widest first,
 * so that the struct has no holes except the tail padding named in the
 * spec.
 */
struct export_rec4 {
	uint64_t start_ms;
	uint64_t end_ms;
	uint64_t octets;
	uint64_t packets;
	uint32_t src;
	uint32_t dst;
	uint32_t in_iface;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t icmp;
	uint16_t vlan;
	uint16_t tcp_flags;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t proto;
	uint8_t tos;
	uint8_t direction;
	uint8_t end_reason;
	uint8_t pad[2];
};

static fbInfoElementSpec_t spec4[] = {
	IE("flowStartMilliseconds", 8),
	IE("flowEndMilliseconds", 8),
	IE("octetDeltaCount", 8),
	IE("packetDeltaCount", 8),
	IE("sourceIPv4Address", 4),
	IE("destinationIPv4Address", 4),
	IE("ingressInterface", 4),
	IE("sourceTransportPort", 2),
	IE("destinationTransportPort", 2),
	IE("icmpTypeCodeIPv4", 2),
	IE("vlanId", 2),
	IE("tcpControlBits", 2),
	IE("sourceMacAddress", 6),
	IE("destinationMacAddress", 6),
	IE("protocolIdentifier", 1),
	IE("ipClassOfService", 1),
	IE("flowDirection", 1),
	IE("flowEndReason", 1),
	PAD(2),
	FB_IESPEC_NULL,
};

_Static_assert(offsetof(struct export_rec4, octets) == 16, "rec4 layout");
_Static_assert(offsetof(struct export_rec4, src) == 32, "rec4 layout");
_Static_assert(offsetof(struct export_rec4, src_port) == 44, "rec4 layout");
_Static_assert(offsetof(struct export_rec4, tcp_flags) == 52, "rec4 layout");
_Static_assert(offsetof(struct export_rec4, src_mac) == 54, "rec4 layout");
_Static_assert(offsetof(struct export_rec4, proto) == 66, "rec4 layout");
_Static_assert(offsetof(struct export_rec4, pad) == 70, "rec4 layout");
_Static_assert(sizeof(struct export_rec4) == 72, "rec4 size");

/* The IPv6 flow record, laid out the same way. */
struct export_rec6 {
	uint64_t start_ms;
	uint64_t end_ms;
	uint64_t octets;
	uint64_t packets;
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t in_iface;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t icmp;
	uint16_t vlan;
	uint16_t tcp_flags;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t proto;
	uint8_t tos;
	uint8_t direction;
	uint8_t end_reason;
	uint8_t pad[2];
};

static fbInfoElementSpec_t spec6[] = {
	IE("flowStartMilliseconds", 8),
	IE("flowEndMilliseconds", 8),
	IE("octetDeltaCount", 8),
	IE("packetDeltaCount", 8),
	IE("sourceIPv6Address", 16),
	IE("destinationIPv6Address", 16),
	IE("ingressInterface", 4),
	IE("sourceTransportPort", 2),
	IE("destinationTransportPort", 2),
	IE("icmpTypeCodeIPv6", 2),
	IE("vlanId", 2),
	IE("tcpControlBits", 2),
	IE("sourceMacAddress", 6),
	IE("destinationMacAddress", 6),
	IE("protocolIdentifier", 1),
	IE("ipClassOfService", 1),
	IE("flowDirection", 1),
	IE("flowEndReason", 1),
	PAD(2),
	FB_IESPEC_NULL,
};

_Static_assert(offsetof(struct export_rec6, src) == 32, "rec6 layout");
_Static_assert(offsetof(struct export_rec6, in_iface) == 64, "rec6 layout");
_Static_assert(offsetof(struct export_rec6, src_port) == 68, "rec6 layout");
_Static_assert(offsetof(struct export_rec6, src_mac) == 78, "rec6 layout");
_Static_assert(offsetof(struct export_rec6, proto) == 90, "rec6 layout");
_Static_assert(offsetof(struct export_rec6, pad) == 94, "rec6 layout");
_Static_assert(sizeof(struct export_rec6) == 96, "rec6 size");

/*
 * The statistics options record: scope observationDomainId (RFC 7011
 * section 4), then process totals in standard elements, as YAF uses them.
 */
struct export_rec_stats {
	uint32_t domain;
	uint8_t pad[4];
	uint64_t init_ms;
	uint64_t messages;
	uint64_t flows;
	uint64_t packets;
	uint64_t dropped;
	uint64_t ignored;
	uint64_t not_sent;
};

static fbInfoElementSpec_t spec_stats[] = {
	IE("observationDomainId", 4),
	PAD(4),
	IE("systemInitTimeMilliseconds", 8),
	IE("exportedMessageTotalCount", 8),
	IE("exportedFlowRecordTotalCount", 8),
	IE("packetTotalCount", 8),
	IE("droppedPacketTotalCount", 8),
	IE("ignoredPacketTotalCount", 8),
	IE("notSentFlowTotalCount", 8),
	FB_IESPEC_NULL,
};

_Static_assert(offsetof(struct export_rec_stats, init_ms) == 8, "stats");
_Static_assert(offsetof(struct export_rec_stats, not_sent) == 56, "stats");
_Static_assert(sizeof(struct export_rec_stats) == 64, "stats size");

struct exporter {
	fbInfoModel_t *model;
	fBuf_t *fbuf;
	uint8_t *msg; /* where libfixbuf's buffer exporter writes */
	size_t mtu;
	uint16_t cur_tid;
	uint32_t domain;

	/* The current message: records in it, and when it was begun. */
	uint32_t msg_records, msg_flows;
	uint64_t msg_start_ms;
	uint64_t flush_ms;
	uint64_t clock_ms; /* as export_tick() last gave it */

	/* The template message, its header kept in step (see sink.h). */
	uint8_t *tmpl_buf;
	struct sink_tmpl tmpl;

	GPtrArray *sinks;
	struct export_counters c;
};

static fbTemplate_t *
make_template(fbInfoModel_t *model, fbInfoElementSpec_t *spec, uint32_t flags,
	      int scope, GError **err)
{
	fbTemplate_t *t = fbTemplateAlloc(model);

	if (!fbTemplateAppendSpecArray(t, spec, flags, err)) {
		fbTemplateFreeUnused(t);
		return NULL;
	}
	if (scope > 0)
		fbTemplateSetOptionsScope(t, scope);
	return t;
}

/* Add one template pair (internal with padding, external without). */
static gboolean
add_template(fbSession_t *sess, fbInfoModel_t *model, fbInfoElementSpec_t *spec,
	     uint16_t tid, int scope, GError **err)
{
	fbTemplate_t *in, *ext;

	in = make_template(model, spec, EXPORT_F_INTERNAL, scope, err);
	if (in == NULL)
		return FALSE;
	if (fbSessionAddTemplate(sess, TRUE, tid, in, err) == 0) {
		fbTemplateFreeUnused(in);
		return FALSE;
	}
	ext = make_template(model, spec, 0, scope, err);
	if (ext == NULL)
		return FALSE;
	if (fbSessionAddTemplate(sess, FALSE, tid, ext, err) == 0) {
		fbTemplateFreeUnused(ext);
		return FALSE;
	}
	return TRUE;
}

static gboolean
setup_fixbuf(struct exporter *ex, GError **err)
{
	fbSession_t *sess;

	ex->model = fbInfoModelAlloc();
	sess = fbSessionAlloc(ex->model);
	fbSessionSetDomain(sess, ex->domain);
	if (!add_template(sess, ex->model, spec4, EXPORT_TID_IPV4, 0, err) ||
	    !add_template(sess, ex->model, spec6, EXPORT_TID_IPV6, 0, err) ||
	    !add_template(sess, ex->model, spec_stats, EXPORT_TID_STATS, 1,
			  err)) {
		fbSessionFree(sess);
		return FALSE;
	}
	ex->fbuf = fBufAllocForExport(sess,
				      fbExporterAllocBuffer(ex->msg, ex->mtu));

	/* The template message, kept for the sinks. */
	if (!fbSessionExportTemplates(sess, err) || !fBufEmit(ex->fbuf, err))
		return FALSE;
	ex->tmpl.len = fbExporterGetMsgLen(fBufGetExporter(ex->fbuf));
	ex->tmpl_buf = g_malloc(ex->tmpl.len);
	memcpy(ex->tmpl_buf, ex->msg, ex->tmpl.len);
	ex->tmpl.msg = ex->tmpl_buf;
	ex->msg[1] = 0;
	return TRUE;
}

static int
add_sinks(struct exporter *ex, const struct export_conf *conf)
{
	const struct export_target *t;
	struct sink *s;
	size_t i;

	if (conf->file != NULL) {
		s = sink_file_new(conf->file, &ex->tmpl);
		if (s == NULL)
			return -1;
		g_ptr_array_add(ex->sinks, s);
	}
	for (i = 0; i < conf->ntargets; i++) {
		t = &conf->targets[i];
		if (conf->transport == EXPORT_TCP)
			s = sink_tcp_new(t->host, t->port, &ex->tmpl,
					 conf->queue_bytes, ex->mtu);
		else
			s = sink_udp_new(t->host, t->port, &ex->tmpl,
					 conf->refresh_ms, conf->refresh_msgs);
		if (s == NULL)
			return -1;
		if (conf->transport == EXPORT_UDP && conf->pace)
			sink_udp_pace(s);
		g_ptr_array_add(ex->sinks, s);
	}
	return 0;
}

struct exporter *
export_new(const struct export_conf *conf)
{
	struct exporter *ex = g_new0(struct exporter, 1);
	GError *err = NULL;

	ex->domain = conf->domain;
	ex->flush_ms = conf->flush_ms;
	ex->mtu = conf->ntargets > 0 && conf->transport == EXPORT_UDP
			  ? EXPORT_MTU_UDP
			  : EXPORT_MTU_STREAM;
	ex->msg = g_malloc0(ex->mtu);
	ex->sinks = g_ptr_array_new_with_free_func((GDestroyNotify)sink_free);
	if (!setup_fixbuf(ex, &err)) {
		log_err("ipfix domain %u: cannot build templates: %s",
			ex->domain, err->message);
		g_error_free(err);
		goto fail;
	}
	if (add_sinks(ex, conf) != 0)
		goto fail;
	return ex;
fail:
	export_free(ex);
	return NULL;
}

/*
 * The message libfixbuf just wrote: give the template message the same
 * export time and sequence number (RFC 7011 section 3.1, octets 4 to 11),
 * then every sink gets both as it needs them.
 */
static void
deliver(struct exporter *ex, uint32_t flows)
{
	size_t len = fbExporterGetMsgLen(fBufGetExporter(ex->fbuf));
	guint i;

	memcpy(ex->tmpl_buf + 4, ex->msg + 4, 8);
	for (i = 0; i < ex->sinks->len; i++)
		sink_send(ex->sinks->pdata[i], ex->msg, len, flows);
	ex->c.messages++;
	ex->msg[1] = 0;
}

/*
 * libfixbuf runs in automatic mode: an append that does not fit emits the
 * message first, inside fBufAppend(). Every message starts with version
 * 10 (RFC 7011 section 3.1): the version's low octet in our buffer, which
 * deliver() clears, tells that one was written.
 */
static gboolean
emitted(const struct exporter *ex)
{
	return ex->msg[1] == 10;
}

static void
emit(struct exporter *ex)
{
	GError *err = NULL;

	if (ex->msg_records == 0)
		return;
	if (fBufEmit(ex->fbuf, &err) && emitted(ex)) {
		deliver(ex, ex->msg_flows);
	} else {
		log_err("ipfix domain %u: cannot emit message: %s", ex->domain,
			err != NULL ? err->message : "no data");
		g_clear_error(&err);
		ex->c.lost += ex->msg_flows;
	}
	ex->msg_records = 0;
	ex->msg_flows = 0;
}

static gboolean
set_templates(struct exporter *ex, uint16_t tid, GError **err)
{
	if (tid == ex->cur_tid)
		return TRUE;
	if (!fBufSetInternalTemplate(ex->fbuf, tid, err) ||
	    !fBufSetExportTemplate(ex->fbuf, tid, err))
		return FALSE;
	ex->cur_tid = tid;
	return TRUE;
}

/*
 * Append one record; when libfixbuf had to emit the message first, that
 * message (without this record) goes to the sinks. Returns 0, or -1 when
 * libfixbuf refuses the record (logged).
 */
static int
append(struct exporter *ex, uint16_t tid, void *rec, size_t len, int flow)
{
	GError *err = NULL;
	gboolean ok;

	ok = set_templates(ex, tid, &err) &&
	     fBufAppend(ex->fbuf, rec, len, &err);
	if (emitted(ex)) {
		deliver(ex, ex->msg_flows);
		ex->msg_records = 0;
		ex->msg_flows = 0;
	}
	if (!ok) {
		log_err("ipfix domain %u: template %u: cannot append: %s",
			ex->domain, tid, err->message);
		g_error_free(err);
		return -1;
	}
	if (ex->msg_records == 0)
		ex->msg_start_ms = ex->clock_ms;
	ex->msg_records++;
	ex->msg_flows += flow;
	return 0;
}

static void
fill4(struct export_rec4 *r, const struct flowrec *f)
{
	const uint8_t *s = f->src.bytes, *d = f->dst.bytes;

	r->start_ms = f->start_ms;
	r->end_ms = f->end_ms;
	r->octets = f->octets;
	r->packets = f->packets;
	r->src = (uint32_t)s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3];
	r->dst = (uint32_t)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
	r->in_iface = f->in_iface;
	r->src_port = f->src_port;
	r->dst_port = f->dst_port;
	r->icmp = f->proto == 1 ? f->dst_port : 0;
	r->vlan = f->vlan;
	r->tcp_flags = f->tcp_flags;
	memcpy(r->src_mac, f->src_mac, 6);
	memcpy(r->dst_mac, f->dst_mac, 6);
	r->proto = f->proto;
	r->tos = f->tos;
	r->direction = f->direction;
	r->end_reason = f->end_reason;
}

static void
fill6(struct export_rec6 *r, const struct flowrec *f)
{
	r->start_ms = f->start_ms;
	r->end_ms = f->end_ms;
	r->octets = f->octets;
	r->packets = f->packets;
	memcpy(r->src, f->src.bytes, 16);
	memcpy(r->dst, f->dst.bytes, 16);
	r->in_iface = f->in_iface;
	r->src_port = f->src_port;
	r->dst_port = f->dst_port;
	r->icmp = f->proto == 58 ? f->dst_port : 0;
	r->vlan = f->vlan;
	r->tcp_flags = f->tcp_flags;
	memcpy(r->src_mac, f->src_mac, 6);
	memcpy(r->dst_mac, f->dst_mac, 6);
	r->proto = f->proto;
	r->tos = f->tos;
	r->direction = f->direction;
	r->end_reason = f->end_reason;
}

void
export_flow(struct exporter *ex, const struct flowrec *f)
{
	struct export_rec4 r4 = { 0 };
	struct export_rec6 r6 = { 0 };
	int rc;

	if (f->src.family == 6) {
		fill6(&r6, f);
		rc = append(ex, EXPORT_TID_IPV6, &r6, sizeof(r6), 1);
	} else {
		fill4(&r4, f);
		rc = append(ex, EXPORT_TID_IPV4, &r4, sizeof(r4), 1);
	}
	if (rc != 0)
		ex->c.lost++;
	else
		ex->c.flows++;
}

static uint64_t
sinks_lost(const struct exporter *ex)
{
	struct sink_counters sc;
	uint64_t lost = 0;
	guint i;

	for (i = 0; i < ex->sinks->len; i++) {
		sink_counters(ex->sinks->pdata[i], &sc);
		lost += sc.lost;
	}
	return lost;
}

void
export_meter(struct exporter *ex, const struct export_meter *m)
{
	struct export_rec_stats r = { 0 };

	r.domain = ex->domain;
	r.init_ms = m->init_ms;
	r.messages = ex->c.messages;
	r.flows = ex->c.flows;
	r.packets = m->packets;
	r.dropped = m->dropped;
	r.ignored = m->ignored;
	r.not_sent = ex->c.lost + sinks_lost(ex);
	(void)append(ex, EXPORT_TID_STATS, &r, sizeof(r), 0);
}

void
export_tick(struct exporter *ex, uint64_t now_ms)
{
	guint i;

	ex->clock_ms = now_ms;
	fBufSetExportTime(ex->fbuf, (uint32_t)(now_ms / 1000));
	if (ex->msg_records > 0 && now_ms - ex->msg_start_ms >= ex->flush_ms)
		export_flush(ex);
	for (i = 0; i < ex->sinks->len; i++)
		sink_tick(ex->sinks->pdata[i]);
}

void
export_flush(struct exporter *ex)
{
	emit(ex);
}

int
export_close(struct exporter *ex)
{
	int rc = 0;
	guint i;

	emit(ex);
	for (i = 0; i < ex->sinks->len; i++)
		if (sink_close(ex->sinks->pdata[i]) != 0)
			rc = -1;
	return rc;
}

void
export_counters(const struct exporter *ex, struct export_counters *c)
{
	struct sink_counters sc;
	guint i;

	*c = ex->c;
	for (i = 0; i < ex->sinks->len; i++) {
		sink_counters(ex->sinks->pdata[i], &sc);
		c->lost += sc.lost;
		c->queue_drop += sc.queue_drop;
		c->send_err += sc.send_err;
		c->reconnects += sc.reconnects;
	}
}

void
export_log_stats(const struct exporter *ex)
{
	struct sink_counters sc;
	const struct sink *s;
	guint i;

	log_info("ipfix domain %u: %" G_GUINT64_FORMAT
		 " flows in %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT
		 " not encoded",
		 ex->domain, ex->c.flows, ex->c.messages, ex->c.lost);
	for (i = 0; i < ex->sinks->len; i++) {
		s = ex->sinks->pdata[i];
		sink_counters(s, &sc);
		log_info("%s: %s, %" G_GUINT64_FORMAT
			 " flows sent, %" G_GUINT64_FORMAT
			 " lost (%" G_GUINT64_FORMAT
			 " to a full queue), %" G_GUINT64_FORMAT
			 " failed sends, %" G_GUINT64_FORMAT " connections",
			 sink_name(s), sink_state(s), sc.flows, sc.lost,
			 sc.queue_drop, sc.send_err, sc.reconnects);
	}
}

void
export_free(struct exporter *ex)
{
	if (ex == NULL)
		return;
	if (ex->sinks != NULL)
		g_ptr_array_free(ex->sinks, TRUE);
	if (ex->fbuf != NULL)
		fBufFree(ex->fbuf);
	if (ex->model != NULL)
		fbInfoModelFree(ex->model);
	g_free(ex->tmpl_buf);
	g_free(ex->msg);
	g_free(ex);
}
