/* SPDX-License-Identifier: ISC */
/*
 * The memory plugin end to end, without the receive side: a configuration
 * with two memory plugins, the pmacct reference traffic as flow records
 * through the pipeline, and a plain-socket client speaking qproto.h to
 * each plugin's UNIX socket. Expected values: reference 3.1 (sum_host
 * gives 192.168.1.10 9 packets and 3848 bytes), 2.5 and 4.2 (reset rows
 * hidden, match semantics), and the issue (socket mode 0660).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "collector/pipeline.h"
#include "common/config.h"
#include "common/log.h"

struct ref_rec {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t flags;
	uint64_t packets, bytes;
};

/* Reference test traffic, IP lengths (frame minus Ethernet, VLAN). */
static const struct ref_rec ref[] = {
	{ "192.168.1.10", "10.0.0.1", 6, 40000, 80, 0x10, 5, 700 },
	{ "10.0.0.1", "192.168.1.10", 6, 80, 40000, 0x18, 3, 3120 },
	{ "192.168.1.11", "8.8.8.8", 17, 5353, 53, 0, 2, 156 },
	{ "192.168.1.10", "1.1.1.1", 1, 0, 0x0800, 0, 1, 28 },
	{ "2001:db8::10", "2001:db8:1::1", 6, 50000, 443, 0x02, 2, 160 },
	{ "192.168.2.20", "10.0.0.2", 17, 1234, 5678, 0, 1, 38 },
};

struct fixture {
	gchar *dir, *sock_a, *sock_s;
	struct cfg *cfg;
	struct pipeline *pl;
};

static void
feed(struct pipeline *pl, const struct ref_rec *c)
{
	struct flowrec r;

	memset(&r, 0, sizeof(r));
	assert_true(ft_addr_parse(c->src, &r.src, NULL));
	assert_true(ft_addr_parse(c->dst, &r.dst, NULL));
	r.proto = c->proto;
	r.src_port = c->sport;
	r.dst_port = c->dport;
	r.tcp_flags = c->flags;
	r.packets = c->packets;
	r.octets = c->bytes;
	r.flows = 1;
	r.vlan = strcmp(c->src, "192.168.2.20") == 0 ? 100 : 0;
	pipeline_record(pl, &r);
}

static void
feed_ref(struct pipeline *pl)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(ref); i++)
		feed(pl, &ref[i]);
}

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	GError *err = NULL;
	gchar *text;

	f->dir = g_dir_make_tmp("ftqs-XXXXXX", NULL);
	f->sock_a = g_build_filename(f->dir, "run", "a.sock", NULL);
	f->sock_s = g_build_filename(f->dir, "run", "s.sock", NULL);
	text = g_strdup_printf("plugins: memory[a], memory[s]\n"
			       "aggregate[a]: proto, dst_host, src_host\n"
			       "imt_path[a]: %s\n"
			       "aggregate[s]: sum_host\n"
			       "aggregate_filter[s]: ip\n"
			       "imt_path[s]: %s\n",
			       f->sock_a, f->sock_s);
	f->cfg = cfg_new(CFG_COLLECTOR);
	if (!cfg_load_string(f->cfg, "test.conf", text, &err) ||
	    !cfg_finish(f->cfg, &err))
		fail_msg("config: %s", err->message);
	g_free(text);
	f->pl = pipeline_new(f->cfg, &err);
	if (f->pl == NULL)
		fail_msg("pipeline: %s", err->message);
	feed_ref(f->pl);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	pipeline_free(f->pl);
	cfg_free(f->cfg);
	assert_false(g_file_test(f->sock_a, G_FILE_TEST_EXISTS));
	g_rmdir(g_path_get_dirname(f->sock_a));
	g_rmdir(f->dir);
	g_free(f->sock_a);
	g_free(f->sock_s);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static int
client_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Read the whole reply, running the collector's loop meanwhile. */
static GString *
client_read(int fd)
{
	GString *out = g_string_new(NULL);
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	char buf[65536];

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (g_get_monotonic_time() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		while (g_main_context_iteration(NULL, FALSE))
			;
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n > 0)
			g_string_append_len(out, buf, n);
		else if (errno == EAGAIN)
			poll(&p, 1, 5);
		else
			fail_msg("read: %s", g_strerror(errno));
	}
	close(fd);
	return out;
}

static GString *
query(const char *path, const char *req)
{
	int fd = client_connect(path);

	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	return client_read(fd);
}

static void
expect(const char *path, const char *req, const char *want)
{
	GString *got = query(path, req);

	assert_string_equal(got->str, want);
	g_string_free(got, TRUE);
}

static void
test_socket_mode(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(stat(f->sock_a, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
}

/* A second collector given the same imt_path must not take the socket
 * of the running one (its table would be left unreachable); a socket
 * file nobody listens on is stale and replaced. */
static void
test_socket_in_use(void **state)
{
	struct fixture *f = *state;
	gchar *stale = g_build_filename(f->dir, "stale.sock", NULL);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pipeline *pl;
	GError *err = NULL;
	struct cfg *cfg;
	gchar *text;
	int fd;

	g_strlcpy(sun.sun_path, stale, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	text = g_strdup_printf("plugins: memory[b], memory[c]\n"
			       "imt_path[b]: %s\nimt_path[c]: %s\n",
			       stale, f->sock_a);
	cfg = cfg_new(CFG_COLLECTOR);
	assert_true(cfg_load_string(cfg, "b.conf", text, NULL));
	assert_true(cfg_finish(cfg, NULL));
	pl = pipeline_new(cfg, &err);
	assert_null(pl);
	assert_non_null(err);
	assert_non_null(strstr(err->message, "in use"));
	g_error_free(err);
	close(client_connect(f->sock_a));
	expect(f->sock_a, "FROB\n", "ERR\tunknown request 'FROB'\n");
	pipeline_free(pl);
	cfg_free(cfg);
	g_unlink(stale);
	g_free(stale);
	g_free(text);
}

static void
test_sum_host(void **state)
{
	struct fixture *f = *state;

	/* `ip` keeps the IPv6 record out; every other host on both sides. */
	expect(f->sock_s, "DUMP\n",
	       "COLS\tsum_host\n"
	       "ROW\t0\t192.168.1.10\t9\t3\t3848\n"
	       "ROW\t0\t10.0.0.1\t8\t2\t3820\n"
	       "ROW\t0\t192.168.1.11\t2\t1\t156\n"
	       "ROW\t0\t8.8.8.8\t2\t1\t156\n"
	       "ROW\t0\t1.1.1.1\t1\t1\t28\n"
	       "ROW\t0\t192.168.2.20\t1\t1\t38\n"
	       "ROW\t0\t10.0.0.2\t1\t1\t38\n"
	       "END\t7\n");
}

static void
test_dump_match(void **state)
{
	struct fixture *f = *state;

	/* rows come in arrival order of their keys */
	expect(f->sock_a, "DUMP\n",
	       "COLS\tsrc_host,dst_host,proto\n"
	       "ROW\t0\t192.168.1.10\t10.0.0.1\t6\t5\t1\t700\n"
	       "ROW\t0\t10.0.0.1\t192.168.1.10\t6\t3\t1\t3120\n"
	       "ROW\t0\t192.168.1.11\t8.8.8.8\t17\t2\t1\t156\n"
	       "ROW\t0\t192.168.1.10\t1.1.1.1\t1\t1\t1\t28\n"
	       "ROW\t0\t2001:db8::10\t2001:db8:1::1\t6\t2\t1\t160\n"
	       "ROW\t0\t192.168.2.20\t10.0.0.2\t17\t1\t1\t38\n"
	       "END\t6\n");
	/* two queries; the second is exact, values in -c order */
	expect(f->sock_a, "MATCH\tsrc_host\n192.168.1.10\n10.0.0.1\n.\n",
	       "COLS\tsrc_host,dst_host,proto\n"
	       "ROW\t0\t192.168.1.10\t10.0.0.1\t6\t5\t1\t700\n"
	       "ROW\t0\t192.168.1.10\t1.1.1.1\t1\t1\t1\t28\n"
	       "ROW\t1\t10.0.0.1\t192.168.1.10\t6\t3\t1\t3120\n"
	       "END\t3\n");
	expect(f->sock_a,
	       "MATCH\tproto,src_host,dst_host\n6\t*\t*\n"
	       "udp\t192.168.2.20\t10.0.0.2\n.\n",
	       "COLS\tsrc_host,dst_host,proto\n"
	       "ROW\t0\t192.168.1.10\t10.0.0.1\t6\t5\t1\t700\n"
	       "ROW\t0\t10.0.0.1\t192.168.1.10\t6\t3\t1\t3120\n"
	       "ROW\t0\t2001:db8::10\t2001:db8:1::1\t6\t2\t1\t160\n"
	       "ROW\t1\t192.168.2.20\t10.0.0.2\t17\t1\t1\t38\n"
	       "END\t4\n");
	/* a primitive the table does not key on never matches */
	expect(f->sock_a, "MATCH\tsum_host\n192.168.1.10\n.\n",
	       "COLS\tsrc_host,dst_host,proto\nEND\t0\n");
	expect(f->sock_a, "MATCH\tsrc_port\n*\n.\n",
	       "COLS\tsrc_host,dst_host,proto\n"
	       "ROW\t0\t192.168.1.10\t10.0.0.1\t6\t5\t1\t700\n"
	       "ROW\t0\t10.0.0.1\t192.168.1.10\t6\t3\t1\t3120\n"
	       "ROW\t0\t192.168.1.11\t8.8.8.8\t17\t2\t1\t156\n"
	       "ROW\t0\t192.168.1.10\t1.1.1.1\t1\t1\t1\t28\n"
	       "ROW\t0\t2001:db8::10\t2001:db8:1::1\t6\t2\t1\t160\n"
	       "ROW\t0\t192.168.2.20\t10.0.0.2\t17\t1\t1\t38\n"
	       "END\t6\n");
}

static void
test_errors(void **state)
{
	struct fixture *f = *state;

	expect(f->sock_a, "FROB\n", "ERR\tunknown request 'FROB'\n");
	expect(f->sock_a, "MATCH\tsrc_hots\n1.2.3.4\n.\n",
	       "ERR\tunknown primitive 'src_hots'\n");
	expect(f->sock_a, "MATCH\tsrc_host,proto\n1.2.3.4\n.\n",
	       "ERR\tquery 1: 1 values for 2 primitives\n");
	expect(f->sock_a, "MATCH\tsrc_host\nnot-an-ip\n.\n",
	       "ERR\t'not-an-ip' is not an IPv4 or IPv6 address\n");
	expect(f->sock_a, "\n", "ERR\tunknown request ''\n");
	expect(f->sock_a, "MATCH\n.\n", "ERR\tMATCH needs a primitive list\n");
	expect(f->sock_a, "MATCH\ttcpflags\n16\n.\n",
	       "ERR\ttcpflags is not a key: it cannot be matched\n");
	expect(f->sock_a, "MATCH\tsrc_host\n1.2.3.4\t5\n.\n",
	       "ERR\tquery 1: 2 values for 1 primitives\n");
}

static void
test_reset(void **state)
{
	struct fixture *f = *state;
	static const struct ref_rec again = {
		"10.0.0.1", "192.168.1.10", 6, 80, 40000, 0x18, 1, 40
	};

	expect(f->sock_a,
	       "MATCH\tsrc_host,dst_host,proto\tRESET\n"
	       "10.0.0.1\t192.168.1.10\t6\n.\n",
	       "COLS\tsrc_host,dst_host,proto\n"
	       "ROW\t0\t10.0.0.1\t192.168.1.10\t6\t3\t1\t3120\n"
	       "END\t1\n");
	/* hidden until new traffic hits it (reference 2.5) */
	expect(f->sock_a, "MATCH\tsrc_host\n10.0.0.1\n.\n",
	       "COLS\tsrc_host,dst_host,proto\nEND\t0\n");
	feed(f->pl, &again);
	expect(f->sock_a, "MATCH\tsrc_host\n10.0.0.1\n.\n",
	       "COLS\tsrc_host,dst_host,proto\n"
	       "ROW\t0\t10.0.0.1\t192.168.1.10\t6\t1\t1\t40\n"
	       "END\t1\n");
}

/* Sum the packets column of every ROW line. */
static guint64
packets_of(const GString *reply)
{
	gchar **lines = g_strsplit(reply->str, "\n", -1);
	guint64 sum = 0;
	guint i;

	for (i = 0; lines[i] != NULL; i++) {
		gchar **w = g_strsplit(lines[i], "\t", -1);
		guint n = g_strv_length(w);

		if (n > 3 && strcmp(w[0], "ROW") == 0)
			sum += g_ascii_strtoull(w[n - 3], NULL, 10);
		g_strfreev(w);
	}
	g_strfreev(lines);
	return sum;
}

/* DUMP ERASE reads and clears in one step: records that arrive around it
 * land in exactly one of the two dumps. */
static void
test_dump_erase(void **state)
{
	struct fixture *f = *state;
	guint64 total = 0, fed = 0;
	GString *r;
	int fd, round;
	size_t i;

	r = query(f->sock_s, "ERASE\n");
	assert_string_equal(r->str, "END\t0\n");
	g_string_free(r, TRUE);
	for (round = 0; round < 3; round++) {
		fd = client_connect(f->sock_s);
		assert_int_equal(write(fd, "DUMP\tERASE\n", 11), 11);
		for (i = 0; i < G_N_ELEMENTS(ref); i++) {
			feed(f->pl, &ref[i]);
			/* sum_host counts IPv4 packets twice */
			fed += strchr(ref[i].src, ':') ? 0 : 2 * ref[i].packets;
		}
		r = client_read(fd);
		total += packets_of(r);
		g_string_free(r, TRUE);
		feed(f->pl, &ref[0]);
		fed += 2 * ref[0].packets;
	}
	r = query(f->sock_s, "DUMP\tERASE\n");
	total += packets_of(r);
	g_string_free(r, TRUE);
	assert_int_equal(total, fed);
	expect(f->sock_s, "DUMP\n", "COLS\tsum_host\nEND\t0\n");
	r = query(f->sock_s, "SINCE\n");
	assert_true(g_str_has_prefix(r->str, "LINE\t0\n") ||
		    g_str_has_prefix(r->str, "LINE\t1\n"));
	g_string_free(r, TRUE);
	feed_ref(f->pl);
}

static void
test_status_since(void **state)
{
	struct fixture *f = *state;
	GString *r;

	expect(f->sock_a, "SINCE\n", "LINE\tnever\nEND\t0\n");
	r = query(f->sock_a, "STATUS\n");
	assert_non_null(strstr(r->str, "LINE\tmemory a: table entries 6, "
				       "limit 1000000, dropped 0"));
	assert_non_null(strstr(r->str, "LINE\tplugin memory[s]: records "));
	assert_non_null(strstr(r->str, "filtered out "));
	assert_true(g_str_has_suffix(r->str, "END\t0\n"));
	g_string_free(r, TRUE);
}

/* A client that asks for a dump and does not read, and one that never
 * asks, do not keep others from being served. */
static void
test_stuck_client(void **state)
{
	struct fixture *f = *state;
	struct ref_rec big = { NULL, "10.0.0.1", 17, 1, 2, 0, 1, 100 };
	char src[32];
	int idle, stuck, i;
	GString *r;

	for (i = 0; i < 30000; i++) {
		g_snprintf(src, sizeof(src), "10.%d.%d.%d", i >> 16,
			   (i >> 8) & 255, i & 255);
		big.src = src;
		feed(f->pl, &big);
	}
	idle = client_connect(f->sock_a);
	stuck = client_connect(f->sock_a);
	assert_int_equal(write(stuck, "DUMP\n", 5), 5);
	for (i = 0; i < 3; i++) {
		r = query(f->sock_a, "SINCE\n");
		assert_string_equal(r->str, "LINE\tnever\nEND\t0\n");
		g_string_free(r, TRUE);
	}
	/* one that hangs up half way through its request, or its reply */
	i = client_connect(f->sock_a);
	assert_int_equal(write(i, "DU", 2), 2);
	close(i);
	i = client_connect(f->sock_a);
	assert_int_equal(write(i, "DUMP\n", 5), 5);
	while (g_main_context_iteration(NULL, FALSE))
		;
	close(i);
	r = query(f->sock_a, "SINCE\n");
	assert_string_equal(r->str, "LINE\tnever\nEND\t0\n");
	g_string_free(r, TRUE);
	/* the stuck dump is still whole when finally read */
	r = client_read(stuck);
	assert_true(g_str_has_suffix(r->str, "END\t30006\n"));
	g_string_free(r, TRUE);
	close(idle);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_mode),
		cmocka_unit_test(test_socket_in_use),
		cmocka_unit_test(test_sum_host),
		cmocka_unit_test(test_dump_match),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_status_since),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_dump_erase),
		cmocka_unit_test(test_stuck_client),
	};

	log_init("test-qserver", LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
