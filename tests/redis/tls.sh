#!/bin/sh
# rediss://: Redis over TLS with a password, against a redis-server with a CA and certificates made here.
# The same alerts as the memory store and keys in Redis; a certificate signed by another CA, or made out to
# another host, refused at start-up with one message and exit 2; a server that wants a client certificate
# served with redis.tls_cert and redis.tls_key and refused without; the server killed and restarted in
# the middle of a run, reconnected over TLS with nothing lost; and daemon mode, whose fork must not share
# the parent's TLS session.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl is needed to make the certificates"; exit 77; }
PW=tls-sekrit
D=$TMP/pki
mkdir -p "$D"

# ---- certificates: a CA, a server certificate for 127.0.0.1 and localhost, a client certificate, a second
# CA that signed nothing of this server's, and a server certificate for another name.
ossl() {
	openssl "$@" >>"$TMP/openssl.log" 2>&1 || { echo "FAIL: openssl $1: $(tail -n 3 "$TMP/openssl.log")"; exit 1; }
}
mkca() {	# name
	ossl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=dcdnwatch test $1" \
		-keyout "$D/$1.key" -out "$D/$1.crt"
}
mkcert() {	# name ca cn san
	ossl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$3" -keyout "$D/$1.key" -out "$D/$1.csr"
	printf 'subjectAltName=%s\n' "$4" > "$D/$1.ext"
	ossl x509 -req -sha256 -days 2 -in "$D/$1.csr" -CA "$D/$2.crt" -CAkey "$D/$2.key" -CAcreateserial \
		-extfile "$D/$1.ext" -out "$D/$1.crt"
}
mkca ca
mkca otherca
mkcert server ca 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
mkcert client ca dcdnwatch-sensor "DNS:dcdnwatch-sensor"
mkcert elsewhere ca redis.example.net "DNS:redis.example.net"

# ---- a TLS-only redis-server with a password: tls_start PORT CERT AUTH-CLIENTS
TPIDS=""
tls_start() {
	redis-server --port 0 --tls-port "$1" --bind 127.0.0.1 127.0.0.2 --save '' --appendonly no \
		--requirepass "$PW" --tls-cert-file "$D/$2.crt" --tls-key-file "$D/$2.key" \
		--tls-ca-cert-file "$D/ca.crt" --tls-auth-clients "$3" --daemonize yes \
		--pidfile "$TMP/tls-$1.pid" --dir "$TMP" --logfile "$TMP/tls-$1.log" >"$TMP/tls-start.out" 2>&1
	TPIDS="$TPIDS $1"
	i=0
	until [ "$(tcli "$1" ping 2>/dev/null)" = PONG ]; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			echo "FAIL: the TLS redis-server on port $1 did not answer: $(cat "$TMP/tls-start.out")"
			tail -n 5 "$TMP/tls-$1.log" 2>/dev/null
			return 1
		fi
		sleep 0.05
	done
}
tls_stop() {	# PORT
	[ -f "$TMP/tls-$1.pid" ] && kill "$(cat "$TMP/tls-$1.pid")" 2>/dev/null
	i=0
	while tcli "$1" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 200 ] && break
		sleep 0.05
	done
	rm -f "$TMP/tls-$1.pid"
}
# redis-cli over TLS with the client certificate (accepted whether the server asks for one or not).
tcli() {
	p=$1; shift
	redis-cli --tls --cacert "$D/ca.crt" --cert "$D/client.crt" --key "$D/client.key" -p "$p" -a "$PW" \
		--no-auth-warning "$@"
}
trap 'for p in $TPIDS; do tls_stop "$p"; done; rm -rf "$TMP"' EXIT INT TERM
free_port() {
	"$PY" -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"
}

# Skip only when this redis-server or redis-cli cannot do TLS at all (Debian's are built with OpenSSL): a
# server linked with libssl that does not start is a failure.
redis-cli --tls --help >/dev/null 2>&1 || { echo "SKIP: redis-cli is built without TLS"; exit 77; }
P=$(free_port)
if ! tls_start "$P" server no; then
	ldd "$(command -v redis-server)" 2>/dev/null | grep -q libssl && exit 1
	echo "SKIP: this redis-server is not built with TLS: $(head -n 3 "$TMP/tls-start.out")"
	exit 77
fi
URL="rediss://:$PW@127.0.0.1:$P"
CA="--set redis.tls_ca=$D/ca.crt"
CLIENT="--set redis.tls_cert=$D/client.crt --set redis.tls_key=$D/client.key"

# A run expected to be refused at start-up: exit 2, one line on stderr that says want, no password.
refused() {	# what want args...
	what=$1 want=$2; shift 2
	"$DCDNWATCH" -q -r "$top_srcdir/pcaps/benign.pcap" "$@" > "$TMP/refused.json" 2> "$TMP/refused.err"
	rc=$?
	msg=$(cat "$TMP/refused.err")
	if [ $rc -ne 2 ]; then
		fail "$what: exit $rc, want 2 ($msg)"
	elif [ "$(wc -l < "$TMP/refused.err")" -ne 1 ] || ! grep -q -- "$want" "$TMP/refused.err"; then
		fail "$what: want one line saying '$want', got: $msg"
	elif grep -q "$PW" "$TMP/refused.err"; then
		fail "$what: the message shows the password: $msg"
	elif grep -q '"event_type":"alert"' "$TMP/refused.json"; then
		fail "$what: alerts were written before the refusal"
	else
		pass "$what: exit 2, $msg"
	fi
}

# ---- the same alerts as the memory store, and the keys in Redis
n=0
for cap in "$top_srcdir"/pcaps/*.pcap; do
	s=$(basename "$cap" .pcap)
	opts=$(scenario_opts "$cap")
	# shellcheck disable=SC2086
	"$DCDNWATCH" -q -r "$cap" $opts > "$TMP/mem.json" || fail "$s: memory run failed"
	# shellcheck disable=SC2086
	"$DCDNWATCH" -q -r "$cap" $opts -R "$URL" $CA --set redis.prefix="tls$n:" > "$TMP/tls.json" 2> "$TMP/tls.err" ||
		fail "$s: rediss:// run failed: $(cat "$TMP/tls.err")"
	alerts_of "$TMP/mem.json" > "$TMP/mem.a"
	alerts_of "$TMP/tls.json" > "$TMP/tls.a"
	keys=$(tcli "$P" --scan --pattern "tls$n:*" | wc -l)
	stream=$(tcli "$P" xlen "tls${n}:alerts")
	if ! cmp -s "$TMP/mem.a" "$TMP/tls.a"; then
		fail "$s: alerts differ between the memory store and Redis over TLS"
		diff "$TMP/mem.a" "$TMP/tls.a" | cut -c1-200 | head -10
	elif [ "$keys" -eq 0 ] || [ -z "$(tcli "$P" get "tls${n}:epoch")" ]; then
		fail "$s: no keys under tls$n: in Redis"
	elif [ "$stream" != "$(wc -l < "$TMP/tls.a")" ]; then
		fail "$s: the alert stream holds $stream entries for $(wc -l < "$TMP/tls.a") alerts"
	elif [ -s "$TMP/tls.err" ]; then
		fail "$s: messages on a clean run: $(cat "$TMP/tls.err")"
	else
		pass "$s: $(wc -l < "$TMP/mem.a") identical alerts over TLS with AUTH; $keys keys, $stream in the stream"
	fi
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no scenario captures in pcaps/"

# A DNS name: sent as SNI and matched against the certificate's names.
if "$DCDNWATCH" -q -r "$top_srcdir/pcaps/benign.pcap" -R "rediss://:$PW@localhost:$P/3" $CA \
    --set redis.prefix=name: > /dev/null 2> "$TMP/name.err" && [ -n "$(tcli "$P" -n 3 get name:epoch)" ]; then
	pass "rediss://localhost verified by name, db 3 selected"
else
	fail "rediss://localhost: $(cat "$TMP/name.err")"
fi

# ---- refusals at start-up
refused "another CA" "certificate is not trusted" -R "$URL" --set redis.tls_ca="$D/otherca.crt"
refused "the system CA store" "certificate is not trusted" -R "$URL"
refused "an address not in the certificate" "certificate is not for 127.0.0.2" \
	-R "rediss://:$PW@127.0.0.2:$P" $CA
P2=$(free_port)
tls_start "$P2" elsewhere no || exit 1
refused "a name not in the certificate" "certificate is not for localhost" -R "rediss://:$PW@localhost:$P2" $CA
tls_stop "$P2"
refused "a missing CA file" "redis.tls_ca $D/nothing.crt: No such file" -R "$URL" \
	--set redis.tls_ca="$D/nothing.crt"
refused "a certificate that is not a CA file" "redis.tls_ca" -R "$URL" --set redis.tls_ca="$D/server.ext"
refused "a client certificate without its key" "go together" -R "$URL" $CA --set redis.tls_cert="$D/client.crt"
refused "a key for another certificate" "does not match" -R "$URL" $CA --set redis.tls_cert="$D/client.crt" \
	--set redis.tls_key="$D/server.key"
refused "TLS keys with a plain URL" "rediss:// URLs only" -R "redis://:$PW@127.0.0.1:$P" $CA
refused "a wrong password over TLS" "AUTH failed" -R "rediss://:wrong-$PW@127.0.0.1:$P" $CA

# ---- a server that wants a client certificate
tls_stop "$P"
tls_start "$P" server yes || exit 1
cap="$top_srcdir/pcaps/meson-node.pcap"
"$DCDNWATCH" -q -r "$cap" > "$TMP/mem.json" || fail "memory run failed"
alerts_of "$TMP/mem.json" > "$TMP/mem.a"
# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$cap" -R "$URL" $CA $CLIENT --set redis.prefix=cc: > "$TMP/cc.json" 2> "$TMP/cc.err" ||
	fail "with the client certificate: $(cat "$TMP/cc.err")"
alerts_of "$TMP/cc.json" > "$TMP/cc.a"
if cmp -s "$TMP/mem.a" "$TMP/cc.a" && [ -n "$(tcli "$P" get cc:epoch)" ]; then
	pass "client certificate required: served with redis.tls_cert and redis.tls_key ($(wc -l < "$TMP/cc.a") alerts)"
else
	fail "client certificate required: alerts or keys missing: $(cat "$TMP/cc.err")"
fi
refused "a client certificate required, none set" "asked for a client certificate and none is set" \
	-R "$URL" $CA

# ---- the server killed and restarted in the middle of a run: the link reconnects over TLS
# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$cap" --pace 100 -R "$URL" $CA $CLIENT --set redis.prefix=fault: > "$TMP/fault.json" \
	2> "$TMP/fault.err" &
pid=$!
wait_for() {	# what command...: poll for up to 60 s
	what=$1; shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -gt 600 ] && { fail "timed out waiting for $what"; return 1; }
		kill -0 "$pid" 2>/dev/null || { fail "dcdnwatch ended while waiting for $what"; return 1; }
		sleep 0.1
	done
}
has_epoch() { [ -n "$(tcli "$P" get fault:epoch 2>/dev/null)" ]; }
warned() { grep -q 'failed' "$TMP/fault.err"; }
if wait_for "the first writes" has_epoch; then
	tls_stop "$P"
	wait_for "the outage to be noticed" warned
	tls_start "$P" server yes || exit 1
fi
wait "$pid"
rc=$?
[ $rc -eq 0 ] || fail "dcdnwatch exited $rc through the outage: $(tail -n 5 "$TMP/fault.err")"
grep -q "$PW" "$TMP/fault.err" && fail "a message shows the password: $(cat "$TMP/fault.err")"
alerts_of "$TMP/fault.json" > "$TMP/fault.a"
if cmp -s "$TMP/mem.a" "$TMP/fault.a"; then
	pass "server restarted mid-run: no alert lost or changed ($(head -n 1 "$TMP/fault.err" | cut -c1-160))"
else
	fail "alerts differ from the run without an outage"
	diff "$TMP/mem.a" "$TMP/fault.a" | cut -c1-200 | head
fi
"$PY" -c "
import json, sys
st = [json.loads(l) for l in open('$TMP/fault.json')]
st = [e for e in st if e['event_type'] == 'stats'][-1]['stats']['store']
print('store stats:', st)
sys.exit(0 if st['errors'] > 0 and st['reconnects'] > 0 and st['connected'] else 1)
" && pass "the outage and the TLS reconnection are counted" || fail "store stats do not show the reconnection"
[ -n "$(tcli "$P" get fault:epoch)" ] && pass "state written again after the restart" ||
	fail "nothing written after the server came back"

# ---- daemon mode: the fork gets a TLS session of its own, silently, and uses it.  The capture comes through
# a pipe held open until the daemon's pid is known, so the test sees it run and then end.
mkfifo "$TMP/cap.fifo"
{ cat "$cap"; i=0; while [ ! -e "$TMP/release" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done; } \
	> "$TMP/cap.fifo" &
feeder=$!
# shellcheck disable=SC2086
"$DCDNWATCH" -D --run-as-root --pidfile "$TMP/d.pid" -r "$TMP/cap.fifo" -o "$TMP/daemon.json" -R "$URL" $CA \
	$CLIENT --set redis.prefix=daemon: 2> "$TMP/daemon.err" || fail "daemon mode did not start: $(cat "$TMP/daemon.err")"
i=0
while [ ! -s "$TMP/d.pid" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
dpid=$(cat "$TMP/d.pid" 2>/dev/null)
touch "$TMP/release"
wait "$feeder"
i=0
while [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
alerts_of "$TMP/daemon.json" > "$TMP/daemon.a"
if [ -z "$dpid" ]; then
	fail "daemon mode wrote no pid file"
elif kill -0 "$dpid" 2>/dev/null; then
	fail "the daemon did not finish the file"
	kill "$dpid"
elif ! cmp -s "$TMP/mem.a" "$TMP/daemon.a"; then
	fail "daemon mode over TLS: alerts differ from the memory store"
elif "$PY" -c "
import json, sys
st = [json.loads(l) for l in open('$TMP/daemon.json')]
st = [e for e in st if e['event_type'] == 'stats'][-1]['stats']['store']
sys.exit(0 if st['errors'] == 0 and st['connected'] else 1)" && [ -n "$(tcli "$P" get daemon:epoch)" ] &&
    [ "$(tcli "$P" xlen daemon:alerts)" = "$(wc -l < "$TMP/daemon.a")" ]; then
	pass "daemon mode over TLS: $(wc -l < "$TMP/daemon.a") alerts, state and stream written, no store error"
else
	fail "daemon mode over TLS: store errors or nothing written"
fi
finish
