/* SPDX-License-Identifier: ISC */
/*
 * The flow cache between the decoder and the exporter. Every packet finds
 * or creates its flow in a chained hash table and moves it to the tail of
 * its timeout class's activity list; expiry and eviction only ever look at
 * list heads, so both cost O(1) per flow they end.
 */
#include <stddef.h>
#include <stdlib.h>
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

#define FC_NIL  UINT32_MAX
#define FC_LINE 64 /* cache line bytes, the alignment of the entries */

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

/*
 * The flow key: eight 64-bit words, hashed and compared whole. Words 0-3
 * hold the addresses (IPv6: source then destination, as bytes; IPv4: the
 * source in the low and the destination in the high half of word 0,
 * words 1-3 zero, so the hash and the comparison skip them). Words 4-6
 * are struct pkt's run of key fields from `in_iface` to `proto`, copied
 * as they lie (FC_TAIL_* are their offsets in it, checked below); word 7
 * is the ToS.
 */
#define FC_KEY_WORDS 8
#define FC_TAIL      32 /* where the copied run starts in the key */
#define FC_TAIL_LEN  25

struct fkey {
	uint64_t w[FC_KEY_WORDS];
};

#define PKT_AT(f) (offsetof(struct pkt, f) - offsetof(struct pkt, in_iface))
enum {
	FC_TAIL_SPORT = 4,
	FC_TAIL_DPORT = 6,
	FC_TAIL_VLAN = 8,
	FC_TAIL_SMAC = 10,
	FC_TAIL_DMAC = 16,
	FC_TAIL_IPVER = 22,
	FC_TAIL_PROTO = 23,
	FC_TAIL_TOS = 24,
};
_Static_assert(PKT_AT(src_port) == FC_TAIL_SPORT &&
		       PKT_AT(dst_port) == FC_TAIL_DPORT &&
		       PKT_AT(vlan) == FC_TAIL_VLAN &&
		       PKT_AT(src_mac) == FC_TAIL_SMAC &&
		       PKT_AT(dst_mac) == FC_TAIL_DMAC &&
		       PKT_AT(ipver) == FC_TAIL_IPVER &&
		       PKT_AT(proto) == FC_TAIL_PROTO &&
		       PKT_AT(tos) == FC_TAIL_TOS &&
		       FC_TAIL_TOS + 1 == FC_TAIL_LEN,
	       "struct pkt's key fields lie in one run");

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
_Static_assert(sizeof(struct fentry) % FC_LINE == 0, "entries stay aligned");

struct flist {
	uint32_t head;
	uint32_t tail;
};

struct fcache {
	struct fentry *e;
	uint32_t *bucket;
	uint32_t mask; /* buckets - 1 */
	uint32_t free;
	uint32_t seed[2 * FC_KEY_WORDS]; /* NH key: two halves a word */
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
	p->maxlife_ms = 60 * 1000;
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

/* Byte `at` of the copied run of key `k`. */
static inline uint8_t
key_tail8(const struct fkey *k, size_t at)
{
	return ((const uint8_t *)k->w)[FC_TAIL + at];
}

static inline uint8_t
key_ipver(const struct fkey *k)
{
	return key_tail8(k, FC_TAIL_IPVER);
}

static inline uint8_t
key_proto(const struct fkey *k)
{
	return key_tail8(k, FC_TAIL_PROTO);
}

/* One word's share of the hash: the product of its two 32-bit halves,
 * each offset by a seed half (UMAC's NH, RFC 4418), so which keys collide
 * depends on the seed. */
static inline uint64_t
nh_word(uint64_t w, const uint32_t *s)
{
	uint32_t lo = (uint32_t)w + s[0];
	uint32_t hi = (uint32_t)(w >> 32) + s[1];

	return (uint64_t)lo * hi;
}

/* The sum of the words' NH shares, seeded per cache so that crafted
 * traffic cannot aim at one bucket, then mixed so that the low bits (the
 * bucket) depend on every bit. An IPv4 key skips its zero words 1-3. */
static uint32_t
key_hash(const struct fcache *fc, const struct fkey *k)
{
	const uint32_t *s = fc->seed;
	uint64_t h;

	h = nh_word(k->w[0], s) + nh_word(k->w[4], s + 8) +
	    nh_word(k->w[5], s + 10) + nh_word(k->w[6], s + 12) +
	    nh_word(k->w[7], s + 14);
	if (key_ipver(k) != 4)
		h += nh_word(k->w[1], s + 2) + nh_word(k->w[2], s + 4) +
		     nh_word(k->w[3], s + 6);
	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

/* Do keys `a` and `b` match? Words 1-3 of an IPv4 key are zero, and a
 * key of the other version differs in word 6 (`ipver`). */
static inline int
key_equal(const struct fkey *a, const struct fkey *b)
{
	uint64_t d;

	d = (a->w[0] ^ b->w[0]) | (a->w[4] ^ b->w[4]) | (a->w[5] ^ b->w[5]) |
	    (a->w[6] ^ b->w[6]) | (a->w[7] ^ b->w[7]);
	if (key_ipver(a) != 4)
		d |= (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		     (a->w[3] ^ b->w[3]);
	return d == 0;
}

/* The key of packet `p`, word by word: no byte stores that the hash would
 * then read back as words. */
static void
key_make(struct fkey *k, const struct pkt *p)
{
	const uint8_t *t = (const uint8_t *)p + offsetof(struct pkt, in_iface);
	uint32_t s4, d4;

	if (p->ipver == 4) {
		memcpy(&s4, p->src.bytes, 4);
		memcpy(&d4, p->dst.bytes, 4);
		k->w[0] = (uint64_t)d4 << 32 | s4;
		k->w[1] = k->w[2] = k->w[3] = 0;
	} else {
		memcpy(&k->w[0], p->src.bytes, 16);
		memcpy(&k->w[2], p->dst.bytes, 16);
	}
	memcpy(&k->w[4], t, 8);
	memcpy(&k->w[5], t + 8, 8);
	memcpy(&k->w[6], t + 16, 8);
	k->w[7] = t[FC_TAIL_TOS];
}

static void
key_to_rec(const struct fkey *k, struct flowrec *r)
{
	const uint8_t *t = (const uint8_t *)k->w + FC_TAIL;
	uint32_t s4 = (uint32_t)k->w[0], d4 = (uint32_t)(k->w[0] >> 32);

	r->src.family = r->dst.family = key_ipver(k);
	if (key_ipver(k) == 4) {
		memcpy(r->src.bytes, &s4, 4);
		memcpy(r->dst.bytes, &d4, 4);
	} else {
		memcpy(r->src.bytes, &k->w[0], 16);
		memcpy(r->dst.bytes, &k->w[2], 16);
	}
	memcpy(&r->in_iface, t, 4);
	memcpy(&r->src_port, t + FC_TAIL_SPORT, 2);
	memcpy(&r->dst_port, t + FC_TAIL_DPORT, 2);
	memcpy(&r->vlan, t + FC_TAIL_VLAN, 2);
	memcpy(r->src_mac, t + FC_TAIL_SMAC, 6);
	memcpy(r->dst_mac, t + FC_TAIL_DMAC, 6);
	r->proto = key_proto(k);
	r->tos = (uint8_t)k->w[7];
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
	key_to_rec(&f->key, &r);
	r.octets = f->octets;
	r.packets = f->packets;
	r.flows = 1;
	r.start_ms = f->start_ms;
	r.end_ms = f->end_ms;
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

/* Out of line: most packets find their flow, and fcache_add() keeps fewer
 * registers to save without this path. */
static uint32_t __attribute__((noinline))
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
	       (fc->e[i].hash != h || !key_equal(&fc->e[i].key, k)))
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
	    key_proto(&f->key) == IPPROTO_TCP &&
	    (p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN)
		why = FLOW_END_EOF;
	return why;
}

/* Count `p` into flow `i` and move it to the tail of its class's list. */
static void
flow_update(struct fcache *fc, uint32_t i, const struct pkt *p)
{
	struct fentry *f = &fc->e[i];
	uint8_t cls = f->cls, flags = f->tcp_flags | p->tcp_flags;

	f->octets += p->octets;
	f->packets++;
	if (p->ts_ms > f->end_ms)
		f->end_ms = p->ts_ms;
	if (p->ts_ms < f->start_ms)
		f->start_ms = p->ts_ms;
	/* The class follows from the protocol and the flags alone. */
	if (flags != f->tcp_flags) {
		f->tcp_flags = flags;
		cls = class_of(key_proto(&f->key), flags);
	}
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
	void *mem;
	gsize size;

	if (p->max_flows == 0 || p->max_flows >= FC_NIL / 2 || emit == NULL ||
	    !g_size_checked_mul(&size, sizeof(struct fentry), p->max_flows))
		return NULL;
	while (nb < p->max_flows)
		nb <<= 1;
	fc = g_new0(struct fcache, 1);
	/* Entries on cache-line boundaries: a flow's key is one line and its
	 * counters and links the next, rather than three lines for most. */
	if (posix_memalign(&mem, FC_LINE, size) != 0)
		mem = NULL;
	fc->e = mem;
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
	for (i = 0; i < 2 * FC_KEY_WORDS; i++)
		fc->seed[i] = g_random_int();
	fc->emit = emit;
	fc->ctx = ctx;
	return fc;
}

void
fcache_free(struct fcache *fc)
{
	if (fc == NULL)
		return;
	free(fc->e);
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
