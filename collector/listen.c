/* SPDX-License-Identifier: ISC */
/*
 * The UDP listeners. Sockets are non-blocking and read with recvmmsg()
 * into one set of batch buffers shared by all sockets, since everything
 * runs on one main loop. A readable socket is drained for a bounded
 * number of batches, then the loop gets control back so that timers and
 * queries run. The kernel counts what it dropped on a full socket
 * buffer; that count is read (SO_MEMINFO) when someone asks for it.
 */
#include "config.h"

#include "collector/listen.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <glib-unix.h>

#include "common/error.h"

#define LISTEN_BATCH  64
#define LISTEN_ROUNDS 16    /* batches per wake-up */
#define LISTEN_DGRAM  65536 /* the largest UDP payload, and a byte */

struct listen_sock {
	int fd;
	guint source;
	struct listener *l;
};

struct listener {
	struct dispatch *d;
	GPtrArray *socks; /* of struct listen_sock */
	uint64_t rcvbuf;
	struct mmsghdr msgs[LISTEN_BATCH];
	struct iovec iov[LISTEN_BATCH];
	struct sockaddr_storage from[LISTEN_BATCH];
	uint8_t *bufs; /* LISTEN_BATCH * LISTEN_DGRAM */
};

static void
sock_free(gpointer p)
{
	struct listen_sock *s = p;

	if (s->source != 0)
		g_source_remove(s->source);
	close(s->fd);
	g_free(s);
}

static void
from_sockaddr(const struct sockaddr_storage *ss, struct ft_addr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

	/* A dual-stack socket gives IPv4 sources as ::ffff:a.b.c.d. */
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET)
		ft_addr_set4(a, &s4->sin_addr);
	else if (ss->ss_family == AF_INET6 &&
		 IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		ft_addr_set4(a, &s6->sin6_addr.s6_addr[12]);
	else if (ss->ss_family == AF_INET6)
		ft_addr_set6(a, &s6->sin6_addr);
}

static void
reset_batch(struct listener *l)
{
	for (int i = 0; i < LISTEN_BATCH; i++) {
		struct msghdr *mh = &l->msgs[i].msg_hdr;

		l->iov[i].iov_base = l->bufs + (size_t)i * LISTEN_DGRAM;
		l->iov[i].iov_len = LISTEN_DGRAM;
		mh->msg_name = &l->from[i];
		mh->msg_namelen = sizeof(l->from[i]);
		mh->msg_iov = &l->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = NULL;
		mh->msg_controllen = 0;
		mh->msg_flags = 0;
	}
}

static void
hand_over(struct listen_sock *s, int n)
{
	struct listener *l = s->l;
	uint64_t now_ms = (uint64_t)(g_get_real_time() / 1000);
	struct ft_addr from;

	for (int i = 0; i < n; i++) {
		struct msghdr *mh = &l->msgs[i].msg_hdr;

		if (mh->msg_flags & MSG_TRUNC) {
			dispatch_count(l->d, EXPORTER_DROP_TRUNCATED);
			continue;
		}
		from_sockaddr(&l->from[i], &from);
		dispatch_message(l->d, &from, l->iov[i].iov_base,
				 l->msgs[i].msg_len, now_ms);
	}
}

static gboolean
sock_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct listen_sock *s = data;
	int n;

	for (int round = 0; round < LISTEN_ROUNDS; round++) {
		reset_batch(s->l);
		n = recvmmsg(fd, s->l->msgs, LISTEN_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		hand_over(s, n);
		if (n < LISTEN_BATCH)
			break;
	}
	return G_SOURCE_CONTINUE;
}

/* Ask for `want` bytes; root may exceed rmem_max. Returns the grant. */
static uint64_t
set_rcvbuf(int fd, uint64_t want)
{
	int v = (int)MIN(want / 2, (uint64_t)G_MAXINT / 2);
	socklen_t len = sizeof(v);

	/* Linux doubles the value asked for; ask for half. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == -1)
		return 0;
	return (uint64_t)v;
}

/* A bound socket, or -1 with `err` set; `*no_family` if IPv6 is off. */
static int
open_socket(const struct addrinfo *ai, gboolean dual, gboolean *no_family,
	    GError **err)
{
	int fd, on = 1, off = 0;

	/* No SO_REUSEADDR: on UDP it would let a second collector share
	 * the port and silently take its datagrams. */
	fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd == -1) {
		*no_family = errno == EAFNOSUPPORT;
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "socket: %s",
			    g_strerror(errno));
		return -1;
	}
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &off : &on,
			   sizeof(int));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "bind: %s",
			    g_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A decimal port number up to 65535 (getaddrinfo wraps larger ones). */
static gboolean
port_valid(const char *port)
{
	unsigned long v = 0;

	if (*port == '\0' || strlen(port) > 5)
		return FALSE;
	for (const char *c = port; *c != '\0'; c++) {
		if (!g_ascii_isdigit(*c))
			return FALSE;
		v = v * 10 + (unsigned long)(*c - '0');
	}
	return v <= 65535;
}

/* The socket address of `ip` and `port`, both numeric; FALSE if not. */
static gboolean
resolve(const char *ip, const char *port, struct addrinfo **ai, GError **err)
{
	struct addrinfo hints;
	int rc;

	if (!port_valid(port)) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "collector_port '%s': not a port number "
			    "(0 to 65535)",
			    port);
		return FALSE;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	rc = getaddrinfo(ip, port, &hints, ai);
	if (rc == EAI_NONAME) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "collector_ip '%s': not a numeric IPv4 or IPv6 "
			    "address",
			    ip);
		return FALSE;
	}
	if (rc != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "%s port %s: %s",
			    ip, port, gai_strerror(rc));
		return FALSE;
	}
	return TRUE;
}

/* `dual`: "::" takes IPv4 too (no IPv4 address is in the list). */
static gboolean
add_socket(struct listener *l, const char *ip, const char *port, gboolean dual,
	   GError **err)
{
	struct addrinfo *ai = NULL;
	gboolean any6 = strcmp(ip, "::") == 0;
	gboolean no_family = FALSE;
	struct listen_sock *s;
	GError *e = NULL;
	uint64_t got;
	int fd;

	if (!resolve(ip, port, &ai, err))
		return FALSE;
	fd = open_socket(ai, any6 && dual, &no_family, &e);
	freeaddrinfo(ai);
	/* No IPv6 on this host: the IPv4 wildcard instead of "::". */
	if (fd == -1 && any6 && no_family) {
		g_clear_error(&e);
		return add_socket(l, "0.0.0.0", port, dual, err);
	}
	if (fd == -1) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s port %s: %s", ip,
			    port, e->message);
		g_error_free(e);
		return FALSE;
	}
	got = set_rcvbuf(fd, l->rcvbuf);
	s = g_new0(struct listen_sock, 1);
	s->fd = fd;
	s->l = l;
	s->source = g_unix_fd_add(fd, G_IO_IN, sock_readable, s);
	g_ptr_array_add(l->socks, s);
	if (l->socks->len == 1 || got < l->rcvbuf)
		l->rcvbuf = got;
	return TRUE;
}

struct listener *
listen_new(struct dispatch *d, gchar **ips, gchar **ports, uint64_t rcvbuf,
	   GError **err)
{
	struct listener *l = g_new0(struct listener, 1);
	gboolean dual = TRUE;

	l->d = d;
	l->rcvbuf = rcvbuf;
	l->socks = g_ptr_array_new_with_free_func(sock_free);
	l->bufs = g_malloc((size_t)LISTEN_BATCH * LISTEN_DGRAM);
	for (int i = 0; ips[i] != NULL; i++)
		if (strchr(ips[i], ':') == NULL)
			dual = FALSE; /* an IPv4 address has its own socket */
	for (int i = 0; ips[i] != NULL; i++)
		for (int j = 0; ports[j] != NULL; j++)
			if (!add_socket(l, ips[i], ports[j], dual, err))
				goto fail;
	return l;

fail:
	listen_free(l);
	return NULL;
}

gboolean
listen_check(gchar **ips, gchar **ports, GError **err)
{
	struct addrinfo *ai;

	for (int i = 0; ips[i] != NULL; i++)
		for (int j = 0; ports[j] != NULL; j++) {
			if (!resolve(ips[i], ports[j], &ai, err))
				return FALSE;
			freeaddrinfo(ai);
		}
	return TRUE;
}

void
listen_free(struct listener *l)
{
	if (l == NULL)
		return;
	g_ptr_array_free(l->socks, TRUE);
	g_free(l->bufs);
	g_free(l);
}

guint
listen_count(const struct listener *l)
{
	return l->socks->len;
}

uint64_t
listen_rcvbuf(const struct listener *l)
{
	return l->rcvbuf;
}

uint64_t
listen_kernel_drops(const struct listener *l)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len;
	uint64_t n = 0;

	for (guint i = 0; i < l->socks->len; i++) {
		const struct listen_sock *s = g_ptr_array_index(l->socks, i);

		len = sizeof(mem);
		if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
		    len > SK_MEMINFO_DROPS * sizeof(uint32_t))
			n += mem[SK_MEMINFO_DROPS];
	}
	return n;
}

uint16_t
listen_port(const struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const struct listen_sock *s;

	if (l->socks->len == 0)
		return 0;
	s = g_ptr_array_index(l->socks, 0);
	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}
