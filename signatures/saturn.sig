# Filecoin Saturn L1: a decentralized CDN node that ACCEPTS inbound HTTP and
# HTTPS (80, 443) under names *.l1s.saturn.ms.  The project may be defunct
# (last update February 2024).
#
# Sources:
#   F1  github.com/filecoin-saturn/L1-node, commit f40048e: README,
#       container/shim/src/config.js, modules/registration.js
#
# Not here, on purpose: the log ingestor (*.lambda-url.us-west-2.on.aws, AWS
# Lambda for everyone) and the IPFS origin ipfs.io.

family saturn

# Registration with the orchestrator, every 6 to 10 minutes.
host     orchestrator.strn.pl         role=control  conf=high   src="F1 config.js; modules/registration.js"
host     orchestrator.strn-test.pl    role=control  conf=medium src="F1 config.js (test network)"

# The node's own names: inbound SNI and the certificate it serves.
domain   l1s.saturn.ms                role=node     conf=high   src="F1 modules/registration.js"
domain   l1s.saturn-test.ms           role=node     conf=medium src="F1 modules/registration.js (test network)"
domain   l1s.strn.pl                  role=node     conf=medium src="F1 modules/registration.js"
cert     *.l1s.saturn.ms              role=node     conf=high   src="F1 modules/registration.js (SAN)"
cert     *.l1s.saturn-test.ms         role=node     conf=medium src="F1 modules/registration.js (SAN, test network)"

domain   strn.pl                      role=control  conf=low    src="INFERRED from F1 (vendor domain)"
domain   saturn.ms                    role=control  conf=low    src="INFERRED from F1 (vendor domain)"
