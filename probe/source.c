/* SPDX-License-Identifier: ISC */
/*
 * libpcap behind the probe. Live handles are opened non-blocking with
 * immediate mode off and a read timeout, so the kernel hands over frames
 * in blocks and the main loop polls their descriptors; a handle that
 * fails (the interface went away) is closed, its counters kept, and the
 * interface is tried again on a timer. Offline, a file is read in batches
 * so that the caller can expire flows between them.
 */
#include "config.h"

#include "probe/source.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>

#include "common/error.h"
#include "common/log.h"
#include "probe/decode.h"

/*
 * One interface (or the file). `pcap` is NULL while the interface is
 * missing; `base` holds the counters of its earlier, closed handles.
 */
struct handle {
	struct source *src;
	char *name;
	pcap_t *pcap;
	int dlt;
	uint32_t ifindex;
	int fd;
	uint64_t next_try_ms;
	gboolean was_open, reported;
	struct source_stats base;
};

struct source {
	struct source_conf conf;
	source_fn fn;
	void *ctx;
	struct handle *h;
	guint nh;
	gboolean offline;
	uint32_t reopened;
};

static uint64_t
mono_ms(void)
{
	return (uint64_t)g_get_monotonic_time() / 1000;
}

static void
trampoline(u_char *user, const struct pcap_pkthdr *hdr, const u_char *bytes)
{
	struct handle *h = (void *)user;

	h->src->fn(h->src->ctx, h->dlt, h->ifindex, hdr, bytes);
}

static int
set_filter(struct handle *h, const char *filter)
{
	struct bpf_program prog;
	int rc;

	if (filter == NULL || filter[0] == '\0')
		return 0;
	if (pcap_compile(h->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) !=
	    0) {
		log_err("%s: bad filter \"%s\": %s", h->name, filter,
			pcap_geterr(h->pcap));
		return -1;
	}
	rc = pcap_setfilter(h->pcap, &prog);
	pcap_freecode(&prog);
	if (rc != 0)
		log_err("%s: cannot set filter: %s", h->name,
			pcap_geterr(h->pcap));
	return rc == 0 ? 0 : -1;
}

static int
check_link(struct handle *h)
{
	h->dlt = pcap_datalink(h->pcap);
	if (decode_link_supported(h->dlt))
		return 0;
	log_err("%s: link type %s (%d) is not supported", h->name,
		pcap_datalink_val_to_name(h->dlt), h->dlt);
	return -1;
}

static int
open_file(struct handle *h, const struct source_conf *c)
{
	char ebuf[PCAP_ERRBUF_SIZE];

	h->pcap = pcap_open_offline(c->file, ebuf);
	if (h->pcap == NULL) {
		/* libpcap's message names the file, or should. */
		if (g_str_has_prefix(ebuf, h->name))
			log_err("%s", ebuf);
		else
			log_err("%s: %s", h->name, ebuf);
		return -1;
	}
	return check_link(h) == 0 && set_filter(h, c->filter) == 0 ? 0 : -1;
}

static void
close_live(struct handle *h)
{
	struct pcap_stat ps;

	if (pcap_stats(h->pcap, &ps) == 0) {
		h->base.received += ps.ps_recv;
		h->base.dropped += ps.ps_drop;
		h->base.ifdropped += ps.ps_ifdrop;
	}
	pcap_close(h->pcap);
	h->pcap = NULL;
	h->fd = -1;
	h->next_try_ms = mono_ms() + h->src->conf.retry_ms;
}

/* Settings that must precede pcap_activate(). */
static void
configure_live(struct handle *h, const struct source_conf *c)
{
	(void)pcap_set_snaplen(h->pcap, (int)c->snaplen);
	(void)pcap_set_promisc(h->pcap, c->promisc ? 1 : 0);
	(void)pcap_set_timeout(h->pcap, (int)c->timeout_ms);
	(void)pcap_set_immediate_mode(h->pcap, 0);
	if (c->buffer_bytes > 0)
		(void)pcap_set_buffer_size(h->pcap,
					   (int)MIN(c->buffer_bytes, G_MAXINT));
}

/* 0 open, 1 missing (retry later), -1 unusable. */
static int
activate_live(struct handle *h, const struct source_conf *c)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	int rc;

	h->pcap = pcap_create(h->name, ebuf);
	if (h->pcap == NULL) {
		log_err("interface %s: %s", h->name, ebuf);
		return -1;
	}
	configure_live(h, c);
	rc = pcap_activate(h->pcap);
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_IFACE_NOT_UP) {
		if (!c->wait && !h->was_open)
			log_err("interface %s: %s; giving up, as "
				"pcap_interface_wait is false",
				h->name, pcap_statustostr(rc));
		else if (!h->reported)
			log_warn("interface %s: %s; waiting for it", h->name,
				 pcap_statustostr(rc));
		h->reported = TRUE;
		pcap_close(h->pcap);
		h->pcap = NULL;
		return 1;
	}
	if (rc < 0) {
		log_err("interface %s: %s", h->name, pcap_geterr(h->pcap));
		pcap_close(h->pcap);
		h->pcap = NULL;
		return -1;
	}
	return 0;
}

static int
open_live(struct handle *h, const struct source_conf *c)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	int rc = activate_live(h, c);

	if (rc != 0) {
		h->next_try_ms = mono_ms() + c->retry_ms;
		return rc;
	}
	if (check_link(h) != 0 || set_filter(h, c->filter) != 0 ||
	    pcap_setnonblock(h->pcap, 1, ebuf) != 0) {
		pcap_close(h->pcap);
		h->pcap = NULL;
		return -1;
	}
	h->fd = pcap_get_selectable_fd(h->pcap);
	h->ifindex = if_nametoindex(h->name);
	if (h->was_open)
		h->src->reopened++;
	h->was_open = TRUE;
	h->reported = FALSE;
	log_info("interface %s: capturing, link type %s, snaplen %u", h->name,
		 pcap_datalink_val_to_name(h->dlt), c->snaplen);
	return 0;
}

static int
open_all(struct source *s)
{
	guint i;
	int rc;

	if (s->offline)
		return open_file(&s->h[0], &s->conf);
	for (i = 0; i < s->nh; i++) {
		rc = open_live(&s->h[i], &s->conf);
		if (rc < 0 || (rc > 0 && !s->conf.wait))
			return -1;
	}
	return 0;
}

struct source *
source_new(const struct source_conf *conf, source_fn fn, void *ctx)
{
	struct source *s = g_new0(struct source, 1);
	guint i;

	s->conf = *conf;
	s->fn = fn;
	s->ctx = ctx;
	s->offline = conf->file != NULL;
	s->nh = s->offline ? 1 : g_strv_length((gchar **)conf->ifaces);
	if (s->nh == 0) {
		log_err("no interface to capture on");
		g_free(s);
		return NULL;
	}
	s->h = g_new0(struct handle, s->nh);
	for (i = 0; i < s->nh; i++) {
		s->h[i].src = s;
		s->h[i].fd = -1;
		s->h[i].name =
			g_strdup(s->offline ? conf->file : conf->ifaces[i]);
	}
	if (open_all(s) != 0) {
		source_free(s);
		return NULL;
	}
	return s;
}

gboolean
source_is_offline(const struct source *s)
{
	return s->offline;
}

int
source_pollfds(struct source *s, struct pollfd *fds, int max)
{
	int n = 0;
	guint i;

	for (i = 0; i < s->nh && n < max; i++) {
		if (s->h[i].pcap == NULL || s->h[i].fd < 0)
			continue;
		fds[n].fd = s->h[i].fd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

static int
dispatch_file(struct source *s, int batch)
{
	struct handle *h = &s->h[0];
	int n = pcap_dispatch(h->pcap, batch, trampoline, (u_char *)h);

	if (n > 0)
		return n;
	if (n == 0)
		return SOURCE_EOF;
	log_err("%s: %s", h->name, pcap_geterr(h->pcap));
	return SOURCE_ERROR;
}

int
source_dispatch(struct source *s, int batch)
{
	struct handle *h;
	int n, total = 0;
	guint i;

	if (s->offline)
		return dispatch_file(s, batch);
	for (i = 0; i < s->nh; i++) {
		h = &s->h[i];
		if (h->pcap == NULL)
			continue;
		n = pcap_dispatch(h->pcap, -1, trampoline, (u_char *)h);
		if (n >= 0) {
			total += n;
			continue;
		}
		log_warn("interface %s: capture stopped: %s; waiting for it",
			 h->name, pcap_geterr(h->pcap));
		h->reported = TRUE;
		close_live(h);
	}
	return total;
}

void
source_tick(struct source *s)
{
	uint64_t now;
	guint i;

	if (s->offline)
		return;
	now = mono_ms();
	for (i = 0; i < s->nh; i++)
		if (s->h[i].pcap == NULL && now >= s->h[i].next_try_ms)
			(void)open_live(&s->h[i], &s->conf);
}

void
source_stats(struct source *s, struct source_stats *st)
{
	struct pcap_stat ps;
	struct handle *h;
	guint i;

	memset(st, 0, sizeof(*st));
	st->reopened = s->reopened;
	for (i = 0; i < s->nh; i++) {
		h = &s->h[i];
		st->received += h->base.received;
		st->dropped += h->base.dropped;
		st->ifdropped += h->base.ifdropped;
		if (h->pcap == NULL)
			continue;
		st->open++;
		if (s->offline || pcap_stats(h->pcap, &ps) != 0)
			continue;
		st->received += ps.ps_recv;
		st->dropped += ps.ps_drop;
		st->ifdropped += ps.ps_ifdrop;
	}
}

gboolean
source_check_filter(const char *filter, GError **err)
{
	struct bpf_program prog;
	pcap_t *p;
	gboolean ok = TRUE;

	if (filter == NULL || filter[0] == '\0')
		return TRUE;
	p = pcap_open_dead(DLT_EN10MB, 262144);
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "pcap_filter: '%s': %s", filter, pcap_geterr(p));
		ok = FALSE;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(p);
	return ok;
}

void
source_free(struct source *s)
{
	guint i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nh; i++) {
		if (s->h[i].pcap != NULL)
			pcap_close(s->h[i].pcap);
		g_free(s->h[i].name);
	}
	g_free(s->h);
	g_free(s);
}
