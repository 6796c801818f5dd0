/*
 * pcap_loop.c - the floor of the benchmark: read every packet of a capture with libpcap and do nothing.
 */
#include <stdio.h>
#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, bytes = 0;
	pcap_t *p;

	if (argc != 2 || (p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "usage: pcap_loop FILE (%s)\n", argc == 2 ? err : "");
		return 2;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		bytes += h->len;
	}
	printf("%llu packets %llu bytes\n", n, bytes);
	pcap_close(p);
	return 0;
}
