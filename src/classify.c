/*
 * classify.c - the nDPI wrapper.  Mirrors the feeding rule of nDPI's own reader (example/reader_util.c in
 * nDPI 4.2) so our labels agree with ndpiReader's, but frees each flow's nDPI state as soon as it is done.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ndpi/ndpi_api.h>

#include "classify.h"
#include "log.h"

struct classifier {
	struct classifier_cfg cfg;
	struct ndpi_detection_module_struct *ndpi;
	uint64_t pkts;
};

/*
 * The process's first module is made alone; later ones side by side.  nDPI 4.2 sets up state of its own
 * the first time round, process-wide and unguarded: it initialises libgcrypt, and fills the bigram tables
 * of its DGA check (which a module made at the same moment could read half-filled).  Once a module is
 * made, later ones find both done and touch nothing shared (4.2's sources, ndpi_main.c).
 */
static pthread_mutex_t first_mu = PTHREAD_MUTEX_INITIALIZER;
static bool first_made;		/* under first_mu */

static struct ndpi_detection_module_struct *
module_new(void)
{
	struct ndpi_detection_module_struct *m;
	NDPI_PROTOCOL_BITMASK all;

	if ((m = ndpi_init_detection_module(ndpi_no_prefs)) == NULL)
		log_fatal(1, "cannot initialise nDPI");
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(m, &all);
	ndpi_finalize_initialization(m);
	return m;
}

struct classifier *
classifier_new(const struct classifier_cfg *cfg)
{
	struct classifier *c = xcalloc(1, sizeof(*c));
	bool made = false;

	c->cfg = *cfg;
	pthread_mutex_lock(&first_mu);
	if (!first_made) {
		c->ndpi = module_new();
		first_made = made = true;
	}
	pthread_mutex_unlock(&first_mu);
	if (!made)
		c->ndpi = module_new();
	return c;
}

void
classifier_free(struct classifier *c)
{
	if (c == NULL)
		return;
	ndpi_exit_detection_module(c->ndpi);
	free(c);
}

/* Copy what nDPI learned into the flow, then free the nDPI state. */
static void
collect(struct classifier *c, struct flow *f, ndpi_protocol p)
{
	struct ndpi_flow_struct *nf = f->ndpi;
	const char *alpn = NULL, *ja3c = "", *ja3s = "", *certs = NULL;
	struct flow_l7 *l7;
	bool tls;

	f->rec.master = p.master_protocol;
	f->rec.app = p.app_protocol;
	f->rec.category = (uint16_t)ndpi_get_proto_category(c->ndpi, p);
	f->rec.confidence = (uint8_t)nf->confidence;
	/* nf->protos is a union: its TLS member means something only for TLS-family flows. */
	tls = classify_is(&f->rec, NDPI_PROTOCOL_TLS) || classify_is(&f->rec, NDPI_PROTOCOL_QUIC) ||
	    classify_is(&f->rec, NDPI_PROTOCOL_DTLS);
	if (tls) {
		alpn = nf->protos.tls_quic.alpn;
		ja3c = nf->protos.tls_quic.ja3_client;
		ja3s = nf->protos.tls_quic.ja3_server;
		if (nf->protos.tls_quic.server_names && nf->protos.tls_quic.server_names_len)
			certs = nf->protos.tls_quic.server_names;
	}
	if (nf->host_server_name[0] || ja3c[0] || ja3s[0] || alpn || certs) {
		l7 = xcalloc(1, sizeof(*l7));
		if (nf->host_server_name[0])
			l7->name = xstrndup(nf->host_server_name,
			    strnlen(nf->host_server_name, sizeof(nf->host_server_name)));
		if (alpn)
			l7->alpn = xstrndup(alpn, strnlen(alpn, 256));
		/* The certificate's subject names: a server presenting a vendor's node certificate is a node. */
		if (certs)
			l7->cert_names = xstrndup(certs, strnlen(certs, 1024));
		snprintf(l7->ja3c, sizeof(l7->ja3c), "%s", ja3c);
		snprintf(l7->ja3s, sizeof(l7->ja3s), "%s", ja3s);
		f->rec.l7 = l7;
	}
	ndpi_free_flow(nf);
	f->ndpi = NULL;
	f->classified = 1;
}

int
classify_packet(struct classifier *c, struct flow *f, const uint8_t *l3, uint32_t l3_len, uint64_t now_ms)
{
	ndpi_protocol p;
	uint32_t n = f->rec.pkts[0] + f->rec.pkts[1];
	uint32_t limit = f->rec.key.proto == 6 ? c->cfg.max_tcp_pkts : c->cfg.max_udp_pkts;
	bool enough;

	if (f->classified)
		return 0;
	if (f->ndpi == NULL)
		f->ndpi = xcalloc(1, SIZEOF_FLOW_STRUCT);
	enough = n > limit;
	if (l3_len > 0xffff)
		l3_len = 0xffff;
	p = ndpi_detection_process_packet(c->ndpi, f->ndpi, l3, (unsigned short)l3_len, now_ms);
	c->pkts++;
	if (!enough && p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		return 0;
	/* Detected, but a certificate or an answer may still come. */
	if (!enough && ndpi_extra_dissection_possible(c->ndpi, f->ndpi))
		return 0;
	if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		uint8_t guessed;

		p = ndpi_detection_giveup(c->ndpi, f->ndpi, 1, &guessed);
	}
	collect(c, f, p);
	return 1;
}

void
classify_finish(struct classifier *c, struct flow *f)
{
	ndpi_protocol p;
	uint8_t guessed;

	if (f->classified || f->ndpi == NULL) {
		f->classified = 1;
		return;
	}
	p = ndpi_detection_giveup(c->ndpi, f->ndpi, 1, &guessed);
	collect(c, f, p);
}

const char *
classify_label(struct classifier *c, const struct flow_rec *f, char *buf, size_t len)
{
	ndpi_protocol p;

	memset(&p, 0, sizeof(p));
	p.master_protocol = f->master;
	p.app_protocol = f->app;
	return ndpi_protocol2name(c->ndpi, p, buf, (u_int)len);
}

const char *
classify_category(struct classifier *c, const struct flow_rec *f)
{
	return ndpi_category_get_name(c->ndpi, (ndpi_protocol_category_t)f->category);
}

const char *
classify_confidence(const struct flow_rec *f)
{
	return ndpi_confidence_get_name((ndpi_confidence_t)f->confidence);
}

int
classify_is(const struct flow_rec *f, uint16_t proto)
{
	return f->master == proto || f->app == proto;
}

uint64_t
classify_packets(const struct classifier *c)
{
	return c->pkts;
}
