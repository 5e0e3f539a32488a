/* SPDX-License-Identifier: ISC */
/*
 * The IPFIX decoder on input built by hand: each case is a list of
 * messages and the counters they must leave (drops by reason, records,
 * sequence gaps), read off RFC 7011's wire format rather than from the
 * decoder. Template withdrawal and redefinition are checked by the
 * values the records carry. A bounded fuzz loop with a fixed seed
 * mutates valid messages and throws random bytes at the decoder.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "collector/dispatch.h"
#include "tests/recvfeed.h"

#define SRC "198.51.100.7"

/* A message under construction; lengths are patched by msg_end(). */
struct msg {
	uint8_t b[2048];
	size_t len;
	size_t set_at; /* offset of the open set, or 0 */
};

static void
put16(struct msg *m, uint16_t v)
{
	m->b[m->len++] = v >> 8;
	m->b[m->len++] = v & 0xff;
}

static void
put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void
msg_begin(struct msg *m, uint32_t seq, uint32_t domain)
{
	memset(m, 0, sizeof(*m));
	put16(m, 10);
	put16(m, 0);
	put32(m, 1700000000);
	put32(m, seq);
	put32(m, domain);
}

static void
set_end(struct msg *m)
{
	size_t n;

	if (m->set_at == 0)
		return;
	n = m->len - m->set_at;
	m->b[m->set_at + 2] = n >> 8;
	m->b[m->set_at + 3] = n & 0xff;
	m->set_at = 0;
}

static void
set_begin(struct msg *m, uint16_t id)
{
	set_end(m);
	m->set_at = m->len;
	put16(m, id);
	put16(m, 0);
}

static void
msg_end(struct msg *m)
{
	set_end(m);
	m->b[2] = m->len >> 8;
	m->b[3] = m->len & 0xff;
}

/* Template 256: octetDeltaCount(1)/8, packetDeltaCount(2)/8, src/dst v4. */
static void
tmpl_a(struct msg *m)
{
	set_begin(m, 2);
	put16(m, 256);
	put16(m, 4);
	put16(m, 1), put16(m, 8);
	put16(m, 2), put16(m, 8);
	put16(m, 8), put16(m, 4);
	put16(m, 12), put16(m, 4);
}

/* Template 256 redefined: packetDeltaCount/4 first, octetDeltaCount/4. */
static void
tmpl_b(struct msg *m)
{
	set_begin(m, 2);
	put16(m, 256);
	put16(m, 2);
	put16(m, 2), put16(m, 4);
	put16(m, 1), put16(m, 4);
}

static void
data_a(struct msg *m, uint32_t octets, uint32_t packets)
{
	set_begin(m, 256);
	put32(m, 0), put32(m, octets);
	put32(m, 0), put32(m, packets);
	put32(m, 0xc0000201), put32(m, 0xc0000202);
}

struct run {
	struct tally *t;
	struct dispatch *d;
};

static void
run_open(struct run *r)
{
	static const struct recv_opts opts = { FALSE, 0, FALSE };
	struct flow_sink sink;

	r->t = tally_new();
	sink.fn = tally_sink;
	sink.data = r->t;
	r->d = dispatch_new(&sink, &opts, NULL);
	assert_non_null(r->d);
}

static void
run_close(struct run *r)
{
	dispatch_free(r->d);
	tally_free(r->t);
}

static void
send_raw(struct run *r, const void *buf, size_t len)
{
	uint8_t copy[4096];
	struct ft_addr a;

	assert_true(len <= sizeof(copy));
	memcpy(copy, buf, len);
	ft_addr_parse(SRC, &a, NULL);
	dispatch_message(r->d, &a, copy, len, 0);
}

static void
send_msg(struct run *r, const struct msg *m)
{
	send_raw(r, m->b, m->len);
}

static uint64_t
drops(struct run *r, enum exporter_drop why)
{
	return exporter_drops(dispatch_exporters(r->d), why);
}

/* Builders of one malformed datagram each, and the reason it must get. */
static size_t
mk_empty(struct msg *m)
{
	return 0;
}

static size_t
mk_one_byte(struct msg *m)
{
	m->b[0] = 0;
	return 1;
}

static size_t
mk_short_header(struct msg *m)
{
	msg_begin(m, 0, 0);
	return 10;
}

static size_t
mk_length_over(struct msg *m)
{
	msg_begin(m, 0, 0);
	msg_end(m);
	m->b[3] = 100;
	return m->len;
}

static size_t
mk_length_under(struct msg *m)
{
	msg_begin(m, 0, 0);
	tmpl_a(m);
	msg_end(m);
	m->b[3] = 16;
	return m->len;
}

static size_t
mk_set_len0(struct msg *m)
{
	msg_begin(m, 0, 0);
	put16(m, 2);
	put16(m, 0);
	put32(m, 0);
	msg_end(m);
	return m->len;
}

static size_t
mk_set_len2(struct msg *m)
{
	msg_begin(m, 0, 0);
	put16(m, 256);
	put16(m, 2);
	put32(m, 0);
	msg_end(m);
	return m->len;
}

static size_t
mk_set_overrun(struct msg *m)
{
	msg_begin(m, 0, 0);
	put16(m, 256);
	put16(m, 100);
	put32(m, 0);
	msg_end(m);
	return m->len;
}

static size_t
mk_set_tail(struct msg *m)
{
	msg_begin(m, 0, 0);
	tmpl_a(m);
	set_end(m);
	put16(m, 256);
	msg_end(m);
	return m->len;
}

static size_t
mk_set_id1(struct msg *m)
{
	msg_begin(m, 0, 0);
	set_begin(m, 1);
	put32(m, 0);
	msg_end(m);
	return m->len;
}

static size_t
mk_set_id100(struct msg *m)
{
	msg_begin(m, 0, 0);
	set_begin(m, 100);
	put32(m, 0);
	msg_end(m);
	return m->len;
}

static size_t
mk_version7(struct msg *m)
{
	msg_begin(m, 0, 0);
	msg_end(m);
	m->b[1] = 7;
	return m->len;
}

static size_t
mk_version9(struct msg *m)
{
	msg_begin(m, 0, 0);
	msg_end(m);
	m->b[1] = 9;
	return m->len;
}

static size_t
mk_version5(struct msg *m)
{
	msg_begin(m, 0, 0);
	msg_end(m);
	m->b[1] = 5;
	return m->len;
}

/* A template announcing 65535 fields and carrying one. */
static size_t
mk_absurd_fields(struct msg *m)
{
	msg_begin(m, 0, 0);
	set_begin(m, 2);
	put16(m, 300);
	put16(m, 65535);
	put16(m, 1), put16(m, 8);
	msg_end(m);
	return m->len;
}

/* An options template whose scope count exceeds its field count. */
static size_t
mk_absurd_scope(struct msg *m)
{
	msg_begin(m, 0, 0);
	set_begin(m, 3);
	put16(m, 301);
	put16(m, 1);
	put16(m, 9);
	put16(m, 149), put16(m, 4);
	msg_end(m);
	return m->len;
}

static size_t
mk_unknown_tmpl(struct msg *m)
{
	msg_begin(m, 0, 0);
	set_begin(m, 999);
	put32(m, 1), put32(m, 2);
	msg_end(m);
	return m->len;
}

struct bad_case {
	const char *name;
	size_t (*build)(struct msg *m);
	enum exporter_drop reason;
};

static const struct bad_case bad_cases[] = {
	{ "empty datagram", mk_empty, EXPORTER_DROP_SHORT },
	{ "one byte", mk_one_byte, EXPORTER_DROP_SHORT },
	{ "header cut at 10 bytes", mk_short_header, EXPORTER_DROP_SHORT },
	{ "length beyond datagram", mk_length_over, EXPORTER_DROP_LENGTH },
	{ "length short of datagram", mk_length_under, EXPORTER_DROP_LENGTH },
	{ "set length 0", mk_set_len0, EXPORTER_DROP_SET_LENGTH },
	{ "set length 2", mk_set_len2, EXPORTER_DROP_SET_LENGTH },
	{ "set past the message", mk_set_overrun, EXPORTER_DROP_SET_OVERRUN },
	{ "half a set header", mk_set_tail, EXPORTER_DROP_SET_LENGTH },
	{ "set id 1 (v9 options)", mk_set_id1, EXPORTER_DROP_SET_ID },
	{ "set id 100 (reserved)", mk_set_id100, EXPORTER_DROP_SET_ID },
	{ "version 7", mk_version7, EXPORTER_DROP_BAD_VERSION },
	{ "version 9", mk_version9, EXPORTER_DROP_UNSUPPORTED },
	{ "version 5", mk_version5, EXPORTER_DROP_UNSUPPORTED },
	{ "65535 fields announced", mk_absurd_fields, EXPORTER_DROP_TEMPLATE },
	{ "scope beyond fields", mk_absurd_scope, EXPORTER_DROP_TEMPLATE },
	{ "data set, no template", mk_unknown_tmpl, EXPORTER_DROP_NO_TEMPLATE },
};

/* Each bad datagram is counted once under its reason, then a good one
 * still decodes. */
static void
test_bad(void **state)
{
	const struct bad_case *c = *state;
	struct run r;
	struct msg m;
	size_t len;

	run_open(&r);
	len = c->build(&m);
	send_raw(&r, m.b, len);
	assert_int_equal(drops(&r, c->reason), 1);
	for (int i = 0; i < EXPORTER_DROP_N; i++)
		if (i != (int)c->reason)
			assert_int_equal(drops(&r, i), 0);
	msg_begin(&m, 0, 0);
	tmpl_a(&m);
	data_a(&m, 1000, 10);
	msg_end(&m);
	send_msg(&r, &m);
	assert_int_equal(tally_records(r.t), 1);
	run_close(&r);
}

/* RFC 7011 8.1: withdrawal (field count 0), then a new definition. */
static void
test_withdraw_redefine(void **state)
{
	const struct tally_row *row;
	struct run r;
	struct msg m;

	run_open(&r);
	msg_begin(&m, 0, 5);
	tmpl_a(&m);
	data_a(&m, 1500, 3);
	msg_end(&m);
	send_msg(&r, &m);

	msg_begin(&m, 1, 5);
	set_begin(&m, 2);
	put16(&m, 256);
	put16(&m, 0);
	data_a(&m, 7, 7);
	msg_end(&m);
	send_msg(&r, &m);
	assert_int_equal(drops(&r, EXPORTER_DROP_NO_TEMPLATE), 1);

	msg_begin(&m, 1, 5);
	tmpl_b(&m);
	set_begin(&m, 256);
	put32(&m, 4), put32(&m, 400);
	msg_end(&m);
	send_msg(&r, &m);

	row = tally_find(r.t, SRC, 5);
	assert_non_null(row);
	assert_int_equal(row->records, 2);
	assert_int_equal(row->octets, 1500 + 400);
	assert_int_equal(row->packets, 3 + 4);
	run_close(&r);
}

/* Templates are per domain: domain 6 cannot use domain 5's template. */
static void
test_domain_scope(void **state)
{
	struct run r;
	struct msg m;

	run_open(&r);
	msg_begin(&m, 0, 5);
	tmpl_a(&m);
	msg_end(&m);
	send_msg(&r, &m);
	msg_begin(&m, 0, 6);
	data_a(&m, 1, 1);
	msg_end(&m);
	send_msg(&r, &m);
	assert_int_equal(drops(&r, EXPORTER_DROP_NO_TEMPLATE), 1);
	assert_int_equal(tally_records(r.t), 0);
	run_close(&r);
}

/* Sequence numbers count data records (RFC 7011 3.1). */
static void
test_sequence(void **state)
{
	struct exporter_domain *dom;
	struct run r;
	struct msg m;

	run_open(&r);
	msg_begin(&m, 100, 0);
	tmpl_a(&m);
	data_a(&m, 1, 1);
	msg_end(&m);
	send_msg(&r, &m);
	msg_begin(&m, 101, 0);
	data_a(&m, 1, 1);
	msg_end(&m);
	send_msg(&r, &m);
	msg_begin(&m, 107, 0);
	data_a(&m, 1, 1);
	msg_end(&m);
	send_msg(&r, &m);
	dom = feed_domain(r.d, SRC, 0);
	assert_non_null(dom);
	assert_int_equal(dom->out_of_seq, 1);
	assert_int_equal(dom->lost, 5);
	assert_int_equal(dom->records, 3);
	run_close(&r);
}

/* Domains that hold a template keep their entries: the bound is hard. */
static void
test_domain_limit(void **state)
{
	struct run r;
	struct msg m;

	run_open(&r);
	for (uint32_t i = 0; i <= EXPORTER_MAX_DOMAINS; i++) {
		msg_begin(&m, 0, i);
		tmpl_a(&m);
		msg_end(&m);
		send_msg(&r, &m);
	}
	assert_int_equal(drops(&r, EXPORTER_DROP_DOMAINS), 1);
	assert_int_equal(exporter_reclaimed(dispatch_exporters(r.d)), 0);
	run_close(&r);
}

/*
 * A flood of well-formed but empty, or template-less, messages of ever
 * new domain ids, then a real export from one more domain: it decodes,
 * and a domain that decoded before the flood still does.
 */
static void
test_domain_reclaim(void **state)
{
	const uint32_t flood = 20000;
	struct run r;
	struct msg m;

	run_open(&r);
	msg_begin(&m, 0, 7);
	tmpl_a(&m);
	msg_end(&m);
	send_msg(&r, &m);
	for (uint32_t i = 0; i < flood; i++) {
		msg_begin(&m, 0, 1000 + i);
		if (i % 2)
			data_a(&m, 1, 1);
		msg_end(&m);
		send_msg(&r, &m);
	}
	assert_int_equal(drops(&r, EXPORTER_DROP_DOMAINS), 0);
	assert_int_equal(drops(&r, EXPORTER_DROP_NO_TEMPLATE), flood / 2);
	/* Domain 7 and 63 garbage ones filled the table; the rest reused. */
	assert_int_equal(exporter_reclaimed(dispatch_exporters(r.d)),
			 flood - (EXPORTER_MAX_DOMAINS - 1));
	msg_begin(&m, 0, 99);
	tmpl_a(&m);
	data_a(&m, 1000, 10);
	msg_end(&m);
	send_msg(&r, &m);
	msg_begin(&m, 0, 7);
	data_a(&m, 500, 5);
	msg_end(&m);
	send_msg(&r, &m);
	assert_int_equal(drops(&r, EXPORTER_DROP_DOMAINS), 0);
	assert_non_null(tally_find(r.t, SRC, 99));
	assert_int_equal(tally_find(r.t, SRC, 99)->octets, 1000);
	assert_non_null(tally_find(r.t, SRC, 7));
	assert_int_equal(tally_find(r.t, SRC, 7)->packets, 5);
	run_close(&r);
}

static void
send_from(struct run *r, const char *from, const struct msg *m)
{
	uint8_t copy[sizeof(m->b)];
	struct ft_addr a;

	memcpy(copy, m->b, m->len);
	assert_true(ft_addr_parse(from, &a, NULL));
	dispatch_message(r->d, &a, copy, m->len, 0);
}

/* The allow-list: prefixes of both families; an empty file denies all. */
static void
test_allow(void **state)
{
	gchar *path =
		g_build_filename(g_get_tmp_dir(), "ft-allow-XXXXXX", NULL);
	int fd = g_mkstemp(path);
	struct run r;
	struct msg m;

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(
		path, "# exporters\n10.0.0.0/8\n2001:db8::/32 # lab\n", -1,
		NULL));
	run_open(&r);
	assert_true(dispatch_load_allow(r.d, path, NULL));
	msg_begin(&m, 0, 0);
	tmpl_a(&m);
	data_a(&m, 1, 1);
	msg_end(&m);
	send_from(&r, "10.1.2.3", &m);
	send_from(&r, "2001:db8::9", &m);
	send_from(&r, "11.0.0.1", &m);
	send_from(&r, "2001:db9::1", &m);
	assert_int_equal(tally_records(r.t), 2);
	assert_int_equal(drops(&r, EXPORTER_DROP_NOT_ALLOWED), 2);

	assert_true(g_file_set_contents(path, "\n", -1, NULL));
	assert_true(dispatch_load_allow(r.d, path, NULL));
	send_from(&r, "10.1.2.3", &m);
	assert_int_equal(drops(&r, EXPORTER_DROP_NOT_ALLOWED), 3);

	assert_true(g_file_set_contents(path, "10.0.0.0/33\n", -1, NULL));
	assert_false(dispatch_load_allow(r.d, path, NULL));
	run_close(&r);
	g_unlink(path);
	g_free(path);
}

/* Templates are per exporter too (RFC 7011 8): a second exporter with the
 * same domain and template id cannot use, nor replace, the first's. */
static void
test_exporter_scope(void **state)
{
	const struct tally_row *row;
	struct run r;
	struct msg m;

	run_open(&r);
	msg_begin(&m, 0, 5);
	tmpl_a(&m);
	data_a(&m, 1500, 3);
	msg_end(&m);
	send_from(&r, "192.0.2.1", &m);

	msg_begin(&m, 0, 5);
	data_a(&m, 7, 7);
	msg_end(&m);
	send_from(&r, "192.0.2.2", &m);
	assert_int_equal(drops(&r, EXPORTER_DROP_NO_TEMPLATE), 1);
	assert_null(tally_find(r.t, "192.0.2.2", 5));

	msg_begin(&m, 0, 5);
	tmpl_b(&m);
	set_begin(&m, 256);
	put32(&m, 4), put32(&m, 400);
	msg_end(&m);
	send_from(&r, "192.0.2.2", &m);

	msg_begin(&m, 1, 5);
	data_a(&m, 20, 2);
	msg_end(&m);
	send_from(&r, "192.0.2.1", &m);

	row = tally_find(r.t, "192.0.2.1", 5);
	assert_non_null(row);
	assert_int_equal(row->records, 2);
	assert_int_equal(row->octets, 1500 + 20);
	assert_int_equal(row->packets, 3 + 2);
	row = tally_find(r.t, "192.0.2.2", 5);
	assert_non_null(row);
	assert_int_equal(row->records, 1);
	assert_int_equal(row->octets, 400);
	assert_int_equal(row->packets, 4);
	assert_int_equal(tally_rows(r.t), 2);
	assert_int_equal(drops(&r, EXPORTER_DROP_NO_TEMPLATE), 1);
	run_close(&r);
}

/* A rate carried in the data record itself (RFC 7012: samplingInterval
 * 34 is 1 in N; samplingPacketInterval 305 selected, then
 * samplingPacketSpace 306 skipped, is 1 in 305 + 306) scales the record's
 * counters when renormalising. */
static void
test_record_sampling(void **state)
{
	static const struct recv_opts opts = { TRUE, 0, FALSE };
	struct flow_sink sink;
	const struct tally_row *row;
	struct run r;
	struct msg m;

	r.t = tally_new();
	sink.fn = tally_sink;
	sink.data = r.t;
	r.d = dispatch_new(&sink, &opts, NULL);
	assert_non_null(r.d);

	msg_begin(&m, 0, 7);
	set_begin(&m, 2);
	put16(&m, 257), put16(&m, 5);
	put16(&m, 1), put16(&m, 8);
	put16(&m, 2), put16(&m, 8);
	put16(&m, 8), put16(&m, 4);
	put16(&m, 12), put16(&m, 4);
	put16(&m, 34), put16(&m, 4);
	set_begin(&m, 257);
	put32(&m, 0), put32(&m, 1500);
	put32(&m, 0), put32(&m, 3);
	put32(&m, 0xc0000201), put32(&m, 0xc0000202);
	put32(&m, 100);
	msg_end(&m);
	send_msg(&r, &m);

	msg_begin(&m, 0, 8);
	set_begin(&m, 2);
	put16(&m, 258), put16(&m, 6);
	put16(&m, 1), put16(&m, 8);
	put16(&m, 2), put16(&m, 8);
	put16(&m, 8), put16(&m, 4);
	put16(&m, 12), put16(&m, 4);
	put16(&m, 305), put16(&m, 4);
	put16(&m, 306), put16(&m, 4);
	set_begin(&m, 258);
	put32(&m, 0), put32(&m, 40);
	put32(&m, 0), put32(&m, 2);
	put32(&m, 0xc0000201), put32(&m, 0xc0000202);
	put32(&m, 1), put32(&m, 9);
	msg_end(&m);
	send_msg(&r, &m);

	row = tally_find(r.t, SRC, 7);
	assert_non_null(row);
	assert_int_equal(row->octets, 1500 * 100);
	assert_int_equal(row->packets, 3 * 100);
	assert_int_equal(row->sampling, 100);
	row = tally_find(r.t, SRC, 8);
	assert_non_null(row);
	assert_int_equal(row->octets, 40 * 10);
	assert_int_equal(row->packets, 2 * 10);
	assert_int_equal(row->sampling, 10);
	run_close(&r);
}

/* The last record's times, as a sink of its own. */
static void
keep_times(void *data, const struct flowrec *rec)
{
	uint64_t *t = data;

	t[0] = rec->start_ms;
	t[1] = rec->end_ms;
}

/* One record of template 300 carrying the time pair `start_ie`, `end_ie`
 * (both `len` bytes), sent in a message exported at 1700000000 s. */
static void
send_times(struct dispatch *d, uint16_t start_ie, uint16_t end_ie, uint16_t len,
	   uint64_t start, uint64_t end)
{
	uint8_t copy[sizeof(((struct msg *)0)->b)];
	struct ft_addr a;
	struct msg m;

	msg_begin(&m, 0, 9);
	set_begin(&m, 2);
	put16(&m, 300), put16(&m, 3);
	put16(&m, 1), put16(&m, 8);
	put16(&m, start_ie), put16(&m, len);
	put16(&m, end_ie), put16(&m, len);
	set_begin(&m, 300);
	put32(&m, 0), put32(&m, 100);
	if (len == 8)
		put32(&m, start >> 32), put32(&m, start & 0xffffffff);
	else
		put32(&m, (uint32_t)start);
	if (len == 8)
		put32(&m, end >> 32), put32(&m, end & 0xffffffff);
	else
		put32(&m, (uint32_t)end);
	msg_end(&m);
	memcpy(copy, m.b, m.len);
	assert_true(ft_addr_parse(SRC, &a, NULL));
	dispatch_message(d, &a, copy, m.len, 0);
}

/* Flow times from each encoding RFC 7012 defines, worked out from the
 * definitions: seconds (150/151), NTP microseconds (154/155: seconds
 * since 1900, then a 2^-32 fraction), and microseconds before the
 * message's export time (158/159). */
static void
test_times(void **state)
{
	static const struct recv_opts opts = { FALSE, 0, FALSE };
	const uint64_t ntp = 1700000000ull + 2208988800ull;
	uint64_t t[2] = { 0, 0 };
	struct flow_sink sink = { keep_times, t };
	struct dispatch *d = dispatch_new(&sink, &opts, NULL);

	assert_non_null(d);
	send_times(d, 150, 151, 4, 1699999940, 1700000000);
	assert_int_equal(t[0], 1699999940000ull);
	assert_int_equal(t[1], 1700000000000ull);
	send_times(d, 152, 153, 8, 1699999999001ull, 1700000000002ull);
	assert_int_equal(t[0], 1699999999001ull);
	assert_int_equal(t[1], 1700000000002ull);
	send_times(d, 154, 155, 8, (ntp - 1) << 32 | 0x80000000u, ntp << 32);
	assert_int_equal(t[0], 1699999999500ull);
	assert_int_equal(t[1], 1700000000000ull);
	send_times(d, 158, 159, 4, 5000000, 1000000);
	assert_int_equal(t[0], 1699999995000ull);
	assert_int_equal(t[1], 1699999999000ull);
	dispatch_free(d);
}

/* Templates of one domain are bounded; a message past the bound is
 * refused whole, and the templates already known keep working. */
static void
test_template_limit(void **state)
{
	struct run r;
	struct msg m;
	uint32_t tid = 256;

	run_open(&r);
	while (tid < 256 + 5000) {
		msg_begin(&m, 0, 0);
		set_begin(&m, 2);
		for (int k = 0; k < 100; k++, tid++) {
			put16(&m, (uint16_t)tid);
			put16(&m, 1);
			put16(&m, 1), put16(&m, 8);
		}
		msg_end(&m);
		send_msg(&r, &m);
	}
	assert_true(drops(&r, EXPORTER_DROP_TEMPLATE) >= 1);
	msg_begin(&m, 0, 0);
	set_begin(&m, 256);
	put32(&m, 0), put32(&m, 1234);
	msg_end(&m);
	send_msg(&r, &m);
	assert_int_equal(tally_records(r.t), 1);
	run_close(&r);
}

static uint32_t
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Fixed seed, bounded: mutations of a valid message, then noise. */
static void
test_fuzz(void **state)
{
	uint64_t seed = 20261203;
	struct run r;
	struct msg good, m;

	run_open(&r);
	msg_begin(&good, 0, 0);
	tmpl_a(&good);
	tmpl_b(&good);
	data_a(&good, 10, 1);
	msg_end(&good);
	for (int i = 0; i < 20000; i++) {
		m = good;
		for (int k = rnd(&seed) % 8; k >= 0; k--)
			m.b[rnd(&seed) % m.len] = rnd(&seed) & 0xff;
		send_raw(&r, m.b, rnd(&seed) % 4 ? m.len : rnd(&seed) % m.len);
	}
	for (int i = 0; i < 5000; i++) {
		size_t len = rnd(&seed) % 200;

		for (size_t k = 0; k < len; k++)
			m.b[k] = rnd(&seed) & 0xff;
		if (len >= 2 && rnd(&seed) % 2)
			m.b[0] = 0, m.b[1] = 10;
		send_raw(&r, m.b, len);
	}
	send_msg(&r, &good);
	assert_true(tally_records(r.t) >= 1);
	run_close(&r);
}

int
main(void)
{
	struct CMUnitTest tests[G_N_ELEMENTS(bad_cases) + 11];
	size_t n = 0;

	/* A decoder that loops (libfixbuf 2.4 does on a data set of a
	 * withdrawn template) must fail the test, not hang make check. */
	alarm(300);

	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test(test_bad);
		tests[n].name = bad_cases[i].name;
		tests[n++].initial_state = (void *)&bad_cases[i];
	}
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_withdraw_redefine);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_domain_scope);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sequence);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_domain_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_domain_reclaim);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_allow);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_exporter_scope);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_record_sampling);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_times);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_template_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fuzz);
	return _cmocka_run_group_tests("ipfix-malformed", tests, n, NULL, NULL);
}
