/* SPDX-License-Identifier: ISC */
/*
 * The flow cache between the decoder and the exporter. Every packet finds
 * or creates its flow in a chained hash table and moves it to the tail of
 * its timeout class's activity list; expiry and eviction only ever look at
 * list heads, so both cost O(1) per flow they end.
 */
#include <string.h>
#include <netinet/in.h>

#include "common/error.h"
#include "common/value.h"
#include "probe/fcache.h"

/*
 * Design. All entries live in one array allocated by fcache_new(); links
 * are 32-bit indices, FC_NIL ends a list. Each used entry is on three
 * lists: its hash bucket's chain (singly linked), the activity list of
 * its timeout class (doubly linked, least recently seen first: a class
 * has one idle timeout, so its expired flows are a prefix of the list)
 * and the age list (creation order, oldest first, for the active
 * timeout). Free entries are chained through `lnext`. A full cache first
 * expires what has timed out, then evicts the least recently seen flow,
 * the oldest head of the activity lists. Lists keep arrival order, so
 * when capture timestamps run backwards a little, a flow may end that
 * much late, never early.
 *
 * FIN and RST: flows are unidirectional, so the FIN's peer packets (the
 * last ACK, retransmissions) of this direction still belong to the flow.
 * A flow that carried a FIN moves to class TCP_FIN (idle timeout
 * tcp_fin_ms), one that carried a RST to TCP_RST (tcp_rst_ms); when that
 * grace runs out the flow ends with FLOW_END_EOF. A SYN without ACK on
 * such a flow is a new connection reusing the ports: the old flow ends
 * with FLOW_END_EOF right away and the SYN starts a new one.
 */

#define FC_NIL UINT32_MAX

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

enum fc_class {
	FC_TCP,
	FC_TCP_FIN,
	FC_TCP_RST,
	FC_UDP,
	FC_ICMP,
	FC_GENERAL,
	FC_NCLASS
};

/* The flow key, compared with memcmp(): every byte, padding too, set. */
struct fkey {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t in_iface;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t vlan;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t ipver;
	uint8_t proto;
	uint8_t tos;
	uint8_t pad[3];
};
_Static_assert(sizeof(struct fkey) == 60, "fkey has no hidden padding");

struct fentry {
	struct fkey key;
	uint32_t hnext;        /* hash chain */
	uint32_t lprev, lnext; /* activity list of `cls` (or free list) */
	uint32_t aprev, anext; /* age list */
	uint32_t hash;
	uint64_t start_ms;
	uint64_t end_ms;
	uint64_t octets;
	uint64_t packets;
	uint8_t tcp_flags;
	uint8_t cls; /* enum fc_class */
};

struct flist {
	uint32_t head;
	uint32_t tail;
};

struct fcache {
	struct fentry *e;
	uint32_t *bucket;
	uint32_t mask; /* buckets - 1 */
	uint32_t free;
	uint64_t seed;
	uint64_t tout[FC_NCLASS];
	uint64_t maxlife_ms;
	struct flist act[FC_NCLASS];
	struct flist age;
	fcache_emit_fn emit;
	void *ctx;
	struct fcache_stats st;
};

void
fcache_params_default(struct fcache_params *p)
{
	p->max_flows = 8192;
	p->tcp_ms = 3600 * 1000;
	p->tcp_rst_ms = 120 * 1000;
	p->tcp_fin_ms = 300 * 1000;
	p->udp_ms = 300 * 1000;
	p->icmp_ms = 300 * 1000;
	p->general_ms = 3600 * 1000;
	p->maxlife_ms = (uint64_t)604800 * 1000;
	p->expint_ms = 60 * 1000;
}

/* Where the value of timeout `name` lives in `p`, or NULL. */
static uint64_t *
param_slot(struct fcache_params *p, const char *name, size_t len)
{
	static const char *const names[] = {
		"tcp",  "tcp.rst", "tcp.fin", "udp",
		"icmp", "general", "maxlife", "expint",
	};
	uint64_t *const slots[G_N_ELEMENTS(names)] = {
		&p->tcp_ms,  &p->tcp_rst_ms, &p->tcp_fin_ms, &p->udp_ms,
		&p->icmp_ms, &p->general_ms, &p->maxlife_ms, &p->expint_ms,
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return slots[i];
	return NULL;
}

/* One "name=secs" item into `p`. */
static gboolean
param_item(const char *item, struct fcache_params *p, GError **err)
{
	const char *eq = strchr(item, '=');
	uint64_t *slot, secs;

	if (eq == NULL || eq == item) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "nfprobe_timeouts: \"%s\" is not name=seconds",
			    item);
		return FALSE;
	}
	slot = param_slot(p, item, (size_t)(eq - item));
	if (slot == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "nfprobe_timeouts: unknown timeout \"%.*s\" (tcp, "
			    "tcp.rst, tcp.fin, udp, icmp, general, maxlife, "
			    "expint)",
			    (int)(eq - item), item);
		return FALSE;
	}
	if (!val_duration(eq + 1, &secs, err))
		return FALSE;
	if (secs > UINT64_MAX / 1000 / 2) {
		g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
			    "nfprobe_timeouts: \"%s\" is too long", item);
		return FALSE;
	}
	*slot = secs * 1000;
	return TRUE;
}

gboolean
fcache_params_parse(const char *s, struct fcache_params *p, GError **err)
{
	struct fcache_params tmp = *p;
	gchar **items;
	gboolean ok = TRUE;
	int i;

	if (s == NULL || *s == '\0') {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "nfprobe_timeouts: empty value");
		return FALSE;
	}
	items = g_strsplit(s, ":", -1);
	for (i = 0; ok && items[i] != NULL; i++)
		ok = param_item(g_strstrip(items[i]), &tmp, err);
	g_strfreev(items);
	if (ok)
		*p = tmp;
	return ok;
}

/* A multiply-xorshift hash over the key's 8-byte words, seeded per cache
 * so that crafted traffic cannot aim at one bucket. */
static uint32_t
key_hash(const struct fcache *fc, const struct fkey *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint64_t h = fc->seed, w;
	uint32_t tail;
	size_t i;

	for (i = 0; i + 8 <= sizeof(*k); i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	memcpy(&tail, b + i, 4);
	h = (h ^ tail) * 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ h >> 32);
}

static void
key_make(struct fkey *k, const struct pkt *p)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, p->src.bytes, 16);
	memcpy(k->dst, p->dst.bytes, 16);
	k->in_iface = p->in_iface;
	k->src_port = p->src_port;
	k->dst_port = p->dst_port;
	k->vlan = p->vlan;
	memcpy(k->src_mac, p->src_mac, 6);
	memcpy(k->dst_mac, p->dst_mac, 6);
	k->ipver = p->ipver;
	k->proto = p->proto;
	k->tos = p->tos;
}

/* The timeout class a flow of protocol `proto` with `flags` is in. */
static uint8_t
class_of(uint8_t proto, uint8_t flags)
{
	switch (proto) {
	case IPPROTO_TCP:
		if (flags & TH_RST)
			return FC_TCP_RST;
		return flags & TH_FIN ? FC_TCP_FIN : FC_TCP;
	case IPPROTO_UDP:
		return FC_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return FC_ICMP;
	default:
		return FC_GENERAL;
	}
}

static void
list_push(struct fentry *e, struct flist *l, uint32_t i, int age)
{
	uint32_t *prev = age ? &e[i].aprev : &e[i].lprev;
	uint32_t *next = age ? &e[i].anext : &e[i].lnext;

	*prev = l->tail;
	*next = FC_NIL;
	if (l->tail == FC_NIL)
		l->head = i;
	else if (age)
		e[l->tail].anext = i;
	else
		e[l->tail].lnext = i;
	l->tail = i;
}

static void
list_unlink(struct fentry *e, struct flist *l, uint32_t i, int age)
{
	uint32_t prev = age ? e[i].aprev : e[i].lprev;
	uint32_t next = age ? e[i].anext : e[i].lnext;

	if (prev == FC_NIL)
		l->head = next;
	else if (age)
		e[prev].anext = next;
	else
		e[prev].lnext = next;
	if (next == FC_NIL)
		l->tail = prev;
	else if (age)
		e[next].aprev = prev;
	else
		e[next].lprev = prev;
}

static void
hash_unlink(struct fcache *fc, uint32_t i)
{
	uint32_t *pp = &fc->bucket[fc->e[i].hash & fc->mask];

	while (*pp != i)
		pp = &fc->e[*pp].hnext;
	*pp = fc->e[i].hnext;
}

static void
flow_emit(struct fcache *fc, const struct fentry *f, uint8_t why)
{
	struct flowrec r;

	memset(&r, 0, sizeof(r));
	r.src.family = r.dst.family = f->key.ipver;
	memcpy(r.src.bytes, f->key.src, 16);
	memcpy(r.dst.bytes, f->key.dst, 16);
	r.octets = f->octets;
	r.packets = f->packets;
	r.flows = 1;
	r.start_ms = f->start_ms;
	r.end_ms = f->end_ms;
	r.in_iface = f->key.in_iface;
	r.src_port = f->key.src_port;
	r.dst_port = f->key.dst_port;
	r.vlan = f->key.vlan;
	memcpy(r.src_mac, f->key.src_mac, 6);
	memcpy(r.dst_mac, f->key.dst_mac, 6);
	r.proto = f->key.proto;
	r.tos = f->key.tos;
	r.tcp_flags = f->tcp_flags;
	r.direction = FLOW_DIR_UNKNOWN;
	r.end_reason = why;
	fc->emit(&r, fc->ctx);
}

/* Emit flow `i` with reason `why` and return its entry to the free list. */
static void
flow_end(struct fcache *fc, uint32_t i, uint8_t why)
{
	struct fentry *f = &fc->e[i];

	flow_emit(fc, f, why);
	fc->st.ended[why]++;
	fc->st.active--;
	fc->st.packets_out += f->packets;
	fc->st.octets_out += f->octets;
	hash_unlink(fc, i);
	list_unlink(fc->e, &fc->act[f->cls], i, 0);
	list_unlink(fc->e, &fc->age, i, 1);
	f->lnext = fc->free;
	fc->free = i;
}

/* The reason an idle flow of class `cls` ends with. */
static uint8_t
idle_reason(uint8_t cls)
{
	return cls == FC_TCP_FIN || cls == FC_TCP_RST ? FLOW_END_EOF
						      : FLOW_END_IDLE;
}

/* Why flow `f` is over at `now`, or FLOW_END_NONE. */
static uint8_t
flow_over(const struct fcache *fc, const struct fentry *f, uint64_t now)
{
	uint64_t t = fc->tout[f->cls];

	if (t != 0 && f->end_ms + t <= now)
		return idle_reason(f->cls);
	if (fc->maxlife_ms != 0 && f->start_ms + fc->maxlife_ms <= now)
		return FLOW_END_ACTIVE;
	return FLOW_END_NONE;
}

void
fcache_expire(struct fcache *fc, uint64_t now_ms)
{
	uint32_t i, c;
	uint64_t t;

	for (c = 0; c < FC_NCLASS; c++) {
		t = fc->tout[c];
		if (t == 0)
			continue;
		while ((i = fc->act[c].head) != FC_NIL &&
		       fc->e[i].end_ms + t <= now_ms)
			flow_end(fc, i, idle_reason((uint8_t)c));
	}
	if (fc->maxlife_ms == 0)
		return;
	while ((i = fc->age.head) != FC_NIL &&
	       fc->e[i].start_ms + fc->maxlife_ms <= now_ms)
		flow_end(fc, i, FLOW_END_ACTIVE);
}

/* The least recently seen flow: the oldest head of the activity lists. */
static uint32_t
lru_victim(const struct fcache *fc)
{
	uint32_t best = FC_NIL, i, c;

	for (c = 0; c < FC_NCLASS; c++) {
		i = fc->act[c].head;
		if (i != FC_NIL &&
		    (best == FC_NIL || fc->e[i].end_ms < fc->e[best].end_ms))
			best = i;
	}
	return best;
}

/* A free entry, ending timed-out flows or the LRU flow if need be. */
static uint32_t
entry_take(struct fcache *fc, uint64_t now)
{
	uint32_t i;

	if (fc->free == FC_NIL)
		fcache_expire(fc, now);
	if (fc->free == FC_NIL)
		flow_end(fc, lru_victim(fc), FLOW_END_LACK);
	i = fc->free;
	fc->free = fc->e[i].lnext;
	return i;
}

static uint32_t
flow_create(struct fcache *fc, const struct fkey *k, uint32_t h,
	    const struct pkt *p)
{
	uint32_t i = entry_take(fc, p->ts_ms);
	struct fentry *f = &fc->e[i];
	uint32_t *b = &fc->bucket[h & fc->mask];

	f->key = *k;
	f->hash = h;
	f->hnext = *b;
	*b = i;
	f->start_ms = f->end_ms = p->ts_ms;
	f->octets = f->packets = 0;
	f->tcp_flags = 0;
	f->cls = class_of(p->proto, 0);
	list_push(fc->e, &fc->act[f->cls], i, 0);
	list_push(fc->e, &fc->age, i, 1);
	fc->st.created++;
	fc->st.active++;
	return i;
}

static uint32_t
flow_find(const struct fcache *fc, const struct fkey *k, uint32_t h)
{
	uint32_t i = fc->bucket[h & fc->mask];

	while (i != FC_NIL &&
	       (fc->e[i].hash != h || memcmp(&fc->e[i].key, k, sizeof(*k))))
		i = fc->e[i].hnext;
	return i;
}

/* Does packet `p` end flow `f` before being counted (timeout, or a new
 * connection on a finished one)? Returns the reason or FLOW_END_NONE. */
static uint8_t
flow_ends_before(const struct fcache *fc, const struct fentry *f,
		 const struct pkt *p)
{
	uint8_t why = flow_over(fc, f, p->ts_ms);

	if (why == FLOW_END_NONE && f->cls != FC_TCP &&
	    f->key.proto == IPPROTO_TCP &&
	    (p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN)
		why = FLOW_END_EOF;
	return why;
}

/* Count `p` into flow `i` and move it to the tail of its class's list. */
static void
flow_update(struct fcache *fc, uint32_t i, const struct pkt *p)
{
	struct fentry *f = &fc->e[i];
	uint8_t cls;

	f->octets += p->octets;
	f->packets++;
	f->tcp_flags |= p->tcp_flags;
	if (p->ts_ms > f->end_ms)
		f->end_ms = p->ts_ms;
	if (p->ts_ms < f->start_ms)
		f->start_ms = p->ts_ms;
	cls = class_of(f->key.proto, f->tcp_flags);
	if (cls == f->cls && fc->act[cls].tail == i)
		return;
	list_unlink(fc->e, &fc->act[f->cls], i, 0);
	f->cls = cls;
	list_push(fc->e, &fc->act[cls], i, 0);
}

void
fcache_add(struct fcache *fc, const struct pkt *p)
{
	struct fkey k;
	uint32_t h, i;
	uint8_t why;

	key_make(&k, p);
	h = key_hash(fc, &k);
	i = flow_find(fc, &k, h);
	if (i != FC_NIL) {
		why = flow_ends_before(fc, &fc->e[i], p);
		if (why != FLOW_END_NONE) {
			flow_end(fc, i, why);
			i = FC_NIL;
		}
	}
	if (i == FC_NIL)
		i = flow_create(fc, &k, h, p);
	fc->st.packets_in++;
	fc->st.octets_in += p->octets;
	flow_update(fc, i, p);
}

void
fcache_flush(struct fcache *fc, enum flow_end_reason why)
{
	uint32_t i;

	while ((i = fc->age.head) != FC_NIL)
		flow_end(fc, i, (uint8_t)why);
}

struct fcache *
fcache_new(const struct fcache_params *p, fcache_emit_fn emit, void *ctx)
{
	struct fcache *fc;
	uint32_t nb = 1, i;

	if (p->max_flows == 0 || p->max_flows >= FC_NIL / 2 || emit == NULL)
		return NULL;
	while (nb < p->max_flows)
		nb <<= 1;
	fc = g_new0(struct fcache, 1);
	fc->e = g_try_new(struct fentry, p->max_flows);
	fc->bucket = g_try_new(uint32_t, nb);
	if (fc->e == NULL || fc->bucket == NULL) {
		fcache_free(fc);
		return NULL;
	}
	memset(fc->bucket, 0xff, sizeof(uint32_t) * nb);
	fc->mask = nb - 1;
	for (i = 0; i < p->max_flows; i++)
		fc->e[i].lnext = i + 1 < p->max_flows ? i + 1 : FC_NIL;
	fc->free = 0;
	for (i = 0; i < FC_NCLASS; i++)
		fc->act[i].head = fc->act[i].tail = FC_NIL;
	fc->age.head = fc->age.tail = FC_NIL;
	fc->tout[FC_TCP] = p->tcp_ms;
	fc->tout[FC_TCP_FIN] = p->tcp_fin_ms;
	fc->tout[FC_TCP_RST] = p->tcp_rst_ms;
	fc->tout[FC_UDP] = p->udp_ms;
	fc->tout[FC_ICMP] = p->icmp_ms;
	fc->tout[FC_GENERAL] = p->general_ms;
	fc->maxlife_ms = p->maxlife_ms;
	fc->seed = (uint64_t)g_random_int() << 32 | g_random_int();
	fc->emit = emit;
	fc->ctx = ctx;
	return fc;
}

void
fcache_free(struct fcache *fc)
{
	if (fc == NULL)
		return;
	g_free(fc->e);
	g_free(fc->bucket);
	g_free(fc);
}

void
fcache_stats(const struct fcache *fc, struct fcache_stats *st)
{
	*st = fc->st;
}

size_t
fcache_flow_size(void)
{
	/* Buckets are the next power of two up: at most two per flow. */
	return sizeof(struct fentry) + 2 * sizeof(uint32_t);
}
