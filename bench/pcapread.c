/* SPDX-License-Identifier: ISC */
/*
 * The baseline of the probe benchmark: a loop that only reads a capture
 * with libpcap and touches each frame's length, so that the probe's cost
 * can be given as a ratio to the cost of reading the file at all.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int
main(int argc, char *argv[])
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t frames = 0, bytes = 0;
	pcap_t *p;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapread file\n");
		return 1;
	}
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcapread: %s\n", errbuf);
		return 1;
	}
	while (pcap_next_ex(p, &hdr, &data) == 1) {
		frames++;
		bytes += hdr->len + data[0];
	}
	pcap_close(p);
	printf("%llu frames %llu\n", (unsigned long long)frames,
	       (unsigned long long)bytes);
	return 0;
}
