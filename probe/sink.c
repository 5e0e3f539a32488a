/* SPDX-License-Identifier: ISC */
/*
 * The transports behind the exporter. A file sink writes the message
 * stream of RFC 5655 under a temporary name and renames it when complete;
 * a UDP sink sends each message as one datagram and repeats the templates
 * on a timer and a message count (RFC 7011 section 8.4); a TCP sink keeps
 * one connection, sends the templates first on each new one, and while
 * the collector is away holds messages in a ring preallocated at start.
 */
#include "config.h"

#include "probe/sink.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib.h>

#include "common/log.h"

enum sink_kind {
	SINK_FILE,
	SINK_UDP,
	SINK_TCP,
};

enum tcp_state {
	TCP_DOWN,
	TCP_CONNECTING,
	TCP_UP,
};

#define SINK_BACKOFF_MIN_MS  1000
#define SINK_BACKOFF_MAX_MS  60000
#define SINK_CONNECT_MAX_MS  10000
#define SINK_CLOSE_WAIT_MS   3000
#define SINK_SNDTIMEO_S      2
#define SINK_UDP_SNDBUF      (1 << 20)
#define SINK_QUEUE_MIN_SLOTS 4
#define SINK_WARN_EVERY_MS   60000

/* One queued message: `len` bytes of a slot `mtu` long. */
struct slot {
	size_t len;
	uint32_t flows;
};

/*
 * The TCP queue is a ring of `nslots` slots of `mtu` bytes each, so that
 * holding a message costs a copy and never an allocation.
 */
struct ring {
	uint8_t *data;
	struct slot *slots;
	size_t nslots, mtu;
	size_t head, count;
};

struct sink {
	enum sink_kind kind;
	char *name; /* "file PATH", "udp HOST:PORT", "tcp HOST:PORT" */
	const struct sink_tmpl *tmpl;
	struct sink_counters c;

	/* File. */
	FILE *fp;
	char *path, *tmp_path;
	int failed;

	/* Network. */
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int tmpl_sent;

	/* UDP template refresh. */
	uint64_t refresh_ms, last_tmpl_ms;
	uint32_t refresh_msgs, msgs_since_tmpl;
	int paced;
	uint32_t burst;
	uint64_t last_warn_ms;

	/* TCP. */
	enum tcp_state state;
	uint64_t next_try_ms, backoff_ms, connect_start_ms;
	struct ring q;
};

static uint64_t
mono_ms(void)
{
	return (uint64_t)g_get_monotonic_time() / 1000;
}

static struct sink *
sink_alloc(enum sink_kind kind, const struct sink_tmpl *t)
{
	struct sink *s = g_new0(struct sink, 1);

	s->kind = kind;
	s->tmpl = t;
	s->fd = -1;
	return s;
}

/* ---- file ------------------------------------------------------------ */

static int
in_place(const struct sink *s)
{
	return strcmp(s->tmp_path, s->path) == 0;
}

struct sink *
sink_file_new(const char *path, const struct sink_tmpl *t)
{
	struct sink *s = sink_alloc(SINK_FILE, t);
	struct stat st;

	s->name = g_strdup_printf("file %s", path);
	s->path = g_strdup(path);
	/*
	 * A device or FIFO (/dev/null, /dev/stdout, a pipe to another tool)
	 * is written in place: renaming over it would replace the node.
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		s->tmp_path = g_strdup(path);
	else
		s->tmp_path = g_strdup_printf("%s.tmp", path);
	s->fp = fopen(s->tmp_path, "wb");
	if (s->fp == NULL) {
		log_err("ipfix file %s: cannot create: %s", s->tmp_path,
			strerror(errno));
		sink_free(s);
		return NULL;
	}
	return s;
}

static void
file_write(struct sink *s, const uint8_t *msg, size_t len, uint32_t flows)
{
	if (s->failed) {
		s->c.lost += flows;
		return;
	}
	if (!s->tmpl_sent) {
		if (fwrite(s->tmpl->msg, 1, s->tmpl->len, s->fp) !=
		    s->tmpl->len)
			goto fail;
		s->tmpl_sent = 1;
	}
	if (fwrite(msg, 1, len, s->fp) != len)
		goto fail;
	s->c.messages++;
	s->c.flows += flows;
	return;
fail:
	log_err("ipfix file %s: write failed: %s", s->tmp_path,
		strerror(errno));
	s->failed = 1;
	s->c.send_err++;
	s->c.lost += flows;
}

static int
file_close(struct sink *s)
{
	int rc = 0;

	if (s->fp == NULL)
		return 0;
	if (!s->failed && !s->tmpl_sent &&
	    fwrite(s->tmpl->msg, 1, s->tmpl->len, s->fp) != s->tmpl->len)
		s->failed = 1;
	if (fflush(s->fp) != 0)
		s->failed = 1;
	if (!in_place(s) && fsync(fileno(s->fp)) != 0)
		s->failed = 1;
	if (fclose(s->fp) != 0)
		s->failed = 1;
	s->fp = NULL;
	if (s->failed) {
		log_err("ipfix file %s: incomplete, left as %s", s->path,
			s->tmp_path);
		return -1;
	}
	if (!in_place(s) && rename(s->tmp_path, s->path) != 0) {
		log_err("ipfix file %s: cannot rename from %s: %s", s->path,
			s->tmp_path, strerror(errno));
		s->failed = 1;
		rc = -1;
	}
	return rc;
}

/* ---- network helpers ------------------------------------------------- */

static int
resolve(struct sink *s, const char *host, uint16_t port, int socktype)
{
	struct addrinfo hints, *res;
	char svc[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	hints.ai_family = AF_UNSPEC;
	g_snprintf(svc, sizeof(svc), "%u", port);
	rc = getaddrinfo(host != NULL ? host : "127.0.0.1", svc, &hints, &res);
	if (rc != 0) {
		log_err("collector %s: cannot resolve: %s", s->name,
			gai_strerror(rc));
		return -1;
	}
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static char *
make_name(const char *proto, const char *host, uint16_t port)
{
	if (host != NULL && strchr(host, ':') != NULL)
		return g_strdup_printf("%s [%s]:%u", proto, host, port);
	return g_strdup_printf("%s %s:%u", proto,
			       host != NULL ? host : "127.0.0.1", port);
}

/* Write all of `len` bytes; -1 with errno on failure or timeout. */
static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- UDP ------------------------------------------------------------- */

struct sink *
sink_udp_new(const char *host, uint16_t port, const struct sink_tmpl *t,
	     uint64_t refresh_ms, uint32_t refresh_msgs)
{
	struct sink *s = sink_alloc(SINK_UDP, t);
	int buf = SINK_UDP_SNDBUF;

	s->name = make_name("udp", host, port);
	s->refresh_ms = refresh_ms;
	s->refresh_msgs = refresh_msgs;
	if (resolve(s, host, port, SOCK_DGRAM) != 0)
		goto fail;
	s->fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 ||
	    connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) != 0) {
		log_err("collector %s: %s", s->name, strerror(errno));
		goto fail;
	}
	/* A larger buffer absorbs the burst of an expiry scan. */
	(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return s;
fail:
	sink_free(s);
	return NULL;
}

void
sink_udp_pace(struct sink *s)
{
	s->paced = 1;
}

static int
udp_sendmsg(struct sink *s, const uint8_t *msg, size_t len)
{
	struct timespec pause = { .tv_nsec = 1000000 };
	ssize_t n;

	if (s->paced && ++s->burst >= SINK_PACE_BURST) {
		s->burst = 0;
		(void)nanosleep(&pause, NULL);
	}
	do {
		n = send(s->fd, msg, len, 0);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

static void
udp_send(struct sink *s, const uint8_t *msg, size_t len, uint32_t flows)
{
	uint64_t now = mono_ms();

	if (!s->tmpl_sent || s->msgs_since_tmpl >= s->refresh_msgs ||
	    now - s->last_tmpl_ms >= s->refresh_ms) {
		if (udp_sendmsg(s, s->tmpl->msg, s->tmpl->len) == 0) {
			s->tmpl_sent = 1;
			s->last_tmpl_ms = now;
			s->msgs_since_tmpl = 0;
		} else {
			s->c.send_err++;
		}
	}
	if (udp_sendmsg(s, msg, len) != 0) {
		/*
		 * An ICMP error fails the next send only, so failures come
		 * and go: said at most once a minute, the counters tell the
		 * rest.
		 */
		if (s->c.send_err == 0 ||
		    now - s->last_warn_ms >= SINK_WARN_EVERY_MS) {
			log_warn("collector %s: send failed: %s (%" PRIu64
				 " failed sends so far)",
				 s->name, strerror(errno), s->c.send_err + 1);
			s->last_warn_ms = now;
		}
		s->c.send_err++;
		s->c.lost += flows;
		return;
	}
	s->msgs_since_tmpl++;
	s->c.messages++;
	s->c.flows += flows;
}

/* ---- TCP ------------------------------------------------------------- */

static void
ring_init(struct ring *q, size_t bytes, size_t mtu)
{
	q->mtu = mtu;
	q->nslots = bytes / mtu;
	if (q->nslots < SINK_QUEUE_MIN_SLOTS)
		q->nslots = SINK_QUEUE_MIN_SLOTS;
	q->data = g_malloc(q->nslots * mtu);
	q->slots = g_new0(struct slot, q->nslots);
}

/* Queue a message; a full ring drops its oldest. Returns flows dropped. */
static uint32_t
ring_push(struct ring *q, const uint8_t *msg, size_t len, uint32_t flows)
{
	uint32_t dropped = 0;
	size_t i;

	if (q->count == q->nslots) {
		dropped = q->slots[q->head].flows;
		q->head = (q->head + 1) % q->nslots;
		q->count--;
	}
	i = (q->head + q->count) % q->nslots;
	memcpy(q->data + i * q->mtu, msg, len);
	q->slots[i].len = len;
	q->slots[i].flows = flows;
	q->count++;
	return dropped;
}

struct sink *
sink_tcp_new(const char *host, uint16_t port, const struct sink_tmpl *t,
	     size_t queue_bytes, size_t mtu)
{
	struct sink *s = sink_alloc(SINK_TCP, t);

	s->name = make_name("tcp", host, port);
	if (resolve(s, host, port, SOCK_STREAM) != 0) {
		sink_free(s);
		return NULL;
	}
	ring_init(&s->q, queue_bytes, mtu);
	s->state = TCP_DOWN;
	s->backoff_ms = SINK_BACKOFF_MIN_MS;
	sink_tick(s);
	return s;
}

static void
tcp_enqueue(struct sink *s, const uint8_t *msg, size_t len, uint32_t flows)
{
	uint32_t dropped = ring_push(&s->q, msg, len, flows);

	s->c.queue_drop += dropped;
	s->c.lost += dropped;
}

static void
tcp_down(struct sink *s, const char *why, int err)
{
	if (s->state == TCP_UP)
		log_warn("collector %s: connection lost: %s", s->name,
			 err != 0 ? strerror(err) : why);
	else if (s->backoff_ms == SINK_BACKOFF_MIN_MS)
		log_warn("collector %s: cannot connect: %s; retrying", s->name,
			 err != 0 ? strerror(err) : why);
	else
		log_debug("collector %s: cannot connect: %s", s->name,
			  err != 0 ? strerror(err) : why);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->state != TCP_UP)
		s->backoff_ms = MIN(s->backoff_ms * 2, SINK_BACKOFF_MAX_MS);
	s->next_try_ms = mono_ms() + s->backoff_ms;
	s->state = TCP_DOWN;
}

/* Send the queue in order; stop at the first failure. */
static int
tcp_drain(struct sink *s)
{
	struct ring *q = &s->q;
	struct slot *sl;

	while (q->count > 0) {
		sl = &q->slots[q->head];
		if (write_all(s->fd, q->data + q->head * q->mtu, sl->len) != 0)
			return -1;
		s->c.messages++;
		s->c.flows += sl->flows;
		q->head = (q->head + 1) % q->nslots;
		q->count--;
	}
	return 0;
}

static void
tcp_up(struct sink *s)
{
	struct timeval tv = { .tv_sec = SINK_SNDTIMEO_S };
	int fl = fcntl(s->fd, F_GETFL);

	/* Blocking writes, bounded by a timeout: a stuck peer is lost. */
	(void)fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
	(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	s->state = TCP_UP;
	s->backoff_ms = SINK_BACKOFF_MIN_MS;
	s->c.reconnects++;
	log_info("collector %s: connected", s->name);
	if (write_all(s->fd, s->tmpl->msg, s->tmpl->len) != 0 ||
	    tcp_drain(s) != 0) {
		s->c.send_err++;
		tcp_down(s, "write failed", errno);
	}
}

static void
tcp_start(struct sink *s)
{
	s->fd = socket(s->addr.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		tcp_down(s, "socket", errno);
		return;
	}
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) == 0) {
		tcp_up(s);
		return;
	}
	if (errno != EINPROGRESS) {
		tcp_down(s, "connect", errno);
		return;
	}
	s->state = TCP_CONNECTING;
	s->connect_start_ms = mono_ms();
}

/* A pending connect: done, failed, or still going. */
static void
tcp_check_connect(struct sink *s, int wait_ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&p, 1, wait_ms) == 0) {
		if (mono_ms() - s->connect_start_ms > SINK_CONNECT_MAX_MS)
			tcp_down(s, "connection timed out", 0);
		return;
	}
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0)
		tcp_down(s, "connect", err);
	else
		tcp_up(s);
}

/* A collector that closed its end shows as readable with EOF. */
static void
tcp_check_peer(struct sink *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	uint8_t b[256];
	ssize_t n;

	if (poll(&p, 1, 0) <= 0)
		return;
	n = recv(s->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		tcp_down(s, "closed by the collector", n < 0 ? errno : 0);
}

static void
tcp_tick(struct sink *s)
{
	switch (s->state) {
	case TCP_DOWN:
		if (mono_ms() >= s->next_try_ms)
			tcp_start(s);
		break;
	case TCP_CONNECTING:
		tcp_check_connect(s, 0);
		break;
	case TCP_UP:
		tcp_check_peer(s);
		break;
	}
}

static void
tcp_send(struct sink *s, const uint8_t *msg, size_t len, uint32_t flows)
{
	if (s->state != TCP_UP) {
		tcp_enqueue(s, msg, len, flows);
		return;
	}
	if (write_all(s->fd, msg, len) != 0) {
		s->c.send_err++;
		tcp_down(s, "write failed", errno);
		/* The collector drops a cut message; send it whole later. */
		tcp_enqueue(s, msg, len, flows);
		return;
	}
	s->c.messages++;
	s->c.flows += flows;
}

/* At shutdown: one more bounded attempt for a collector that is away. */
static int
tcp_close(struct sink *s)
{
	uint64_t deadline = mono_ms() + SINK_CLOSE_WAIT_MS;

	if (s->state == TCP_DOWN && s->q.count > 0)
		tcp_start(s);
	while (s->state == TCP_CONNECTING && mono_ms() < deadline)
		tcp_check_connect(s, 100);
	if (s->state == TCP_UP && tcp_drain(s) != 0)
		tcp_down(s, "write failed", errno);
	while (s->q.count > 0) {
		s->c.lost += s->q.slots[s->q.head].flows;
		s->q.head = (s->q.head + 1) % s->q.nslots;
		s->q.count--;
	}
	if (s->fd >= 0) {
		shutdown(s->fd, SHUT_WR);
		close(s->fd);
		s->fd = -1;
	}
	s->state = TCP_DOWN;
	return 0;
}

/* ---- dispatch -------------------------------------------------------- */

void
sink_send(struct sink *s, const uint8_t *msg, size_t len, uint32_t flows)
{
	switch (s->kind) {
	case SINK_FILE:
		file_write(s, msg, len, flows);
		break;
	case SINK_UDP:
		udp_send(s, msg, len, flows);
		break;
	case SINK_TCP:
		tcp_send(s, msg, len, flows);
		break;
	}
}

void
sink_tick(struct sink *s)
{
	if (s->kind == SINK_TCP)
		tcp_tick(s);
}

int
sink_close(struct sink *s)
{
	switch (s->kind) {
	case SINK_FILE:
		return file_close(s);
	case SINK_TCP:
		return tcp_close(s);
	case SINK_UDP:
		break;
	}
	return 0;
}

const char *
sink_name(const struct sink *s)
{
	return s->name;
}

const char *
sink_state(const struct sink *s)
{
	if (s->kind == SINK_FILE)
		return s->failed       ? "incomplete"
		       : s->fp != NULL ? "open"
				       : "done";
	if (s->kind == SINK_UDP)
		return "sending";
	switch (s->state) {
	case TCP_UP:
		return "connected";
	case TCP_CONNECTING:
		return "connecting";
	case TCP_DOWN:
		break;
	}
	return "down";
}

void
sink_counters(const struct sink *s, struct sink_counters *c)
{
	*c = s->c;
}

void
sink_free(struct sink *s)
{
	if (s == NULL)
		return;
	if (s->fp != NULL)
		fclose(s->fp);
	if (s->fd >= 0)
		close(s->fd);
	g_free(s->q.data);
	g_free(s->q.slots);
	g_free(s->name);
	g_free(s->path);
	g_free(s->tmp_path);
	g_free(s);
}
