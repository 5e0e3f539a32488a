/* SPDX-License-Identifier: ISC */
/*
 * recv-replay: feed captures to the receive path, for tests and for
 * looking at a capture by hand. Pcap files give their UDP payloads, any
 * other file is one raw message (the payload sets of the shared
 * captures), "-r FILE" an IPFIX File. Without -u the messages go through
 * the decoder in this process and the exporter status is printed; with
 * -u PORT they are sent as datagrams to 127.0.0.1:PORT instead (to a
 * running collector, or to a peer such as nfacctd).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "collector/dispatch.h"
#include "collector/offline.h"
#include "tests/recvfeed.h"

struct sender {
	int fd;
	struct sockaddr_in to;
	unsigned long sent;
};

static void
send_one(void *p, const struct ft_addr *src, const uint8_t *buf, size_t len,
	 uint64_t ts_ms)
{
	struct sender *s = p;

	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&s->to,
		   sizeof(s->to)) == (ssize_t)len)
		s->sent++;
}

static gboolean
is_pcap(const char *path)
{
	return g_str_has_suffix(path, ".pcap") ||
	       g_str_has_suffix(path, ".pcapng");
}

static int
send_file(struct sender *s, const char *path)
{
	gchar *data;
	gsize len;

	if (is_pcap(path))
		return pcap_each_udp(path, send_one, s);
	if (!g_file_get_contents(path, &data, &len, NULL))
		return -1;
	send_one(s, NULL, (const uint8_t *)data, len, 0);
	g_free(data);
	return 1;
}

static int
run_send(int port, char **files, int n)
{
	struct sender s = { .fd = socket(AF_INET, SOCK_DGRAM, 0) };

	s.to.sin_family = AF_INET;
	s.to.sin_port = htons((uint16_t)port);
	s.to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < n; i++)
		if (send_file(&s, files[i]) < 0) {
			fprintf(stderr, "recv-replay: %s: cannot read\n",
				files[i]);
			return 1;
		}
	printf("sent %lu datagrams\n", s.sent);
	close(s.fd);
	return 0;
}

static void
drop_record(void *data, const struct flowrec *rec)
{
}

static int
run_decode(char **files, int n, gboolean ipfix_file)
{
	static const struct recv_opts opts;
	struct flow_sink sink = { drop_record, NULL };
	struct dispatch *d = dispatch_new(&sink, &opts, NULL);
	GString *out = g_string_new(NULL);
	uint64_t messages;
	int rc = 0;

	for (int i = 0; i < n && rc == 0; i++) {
		if (ipfix_file)
			rc = offline_read(d, files[i], &messages, NULL) ? 0 : 1;
		else if (is_pcap(files[i]))
			rc = feed_pcap(d, files[i]) < 0;
		else
			rc = feed_payload(d, files[i]) < 0;
		if (rc != 0)
			fprintf(stderr, "recv-replay: %s: cannot read\n",
				files[i]);
	}
	exporter_table_report(dispatch_exporters(d), out);
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	dispatch_free(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	gboolean ipfix_file = FALSE;
	int ch, port = 0;

	while ((ch = getopt(argc, argv, "ru:")) != -1) {
		switch (ch) {
		case 'r':
			ipfix_file = TRUE;
			break;
		case 'u':
			port = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: recv-replay [-r] [-u port] "
					"file...\n");
			return 2;
		}
	}
	if (port > 0)
		return run_send(port, argv + optind, argc - optind);
	return run_decode(argv + optind, argc - optind, ipfix_file);
}
