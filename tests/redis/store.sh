#!/bin/sh
# The Redis store and alert stream (src/store_redis.c, src/output_redis.c) against real redis-servers that
# this script starts on free loopback ports and stops again: the suite (epoch, sets against the memory
# store, hosts, queue bound; tests/redis/store_suite.c), error replies and the alert stream, a TTL on every
# key, refused passwords, a missing database, listeners that are not Redis, the hand-over when Redis comes
# up late, a kill mid-run (tests/redis/store_faults.c, alert_stream.c), and the memory 10,000 saved hosts
# take.  Exit 0 (pass), 1 (fail), 77 (redis-server not installed).  URL parsing needs no server: it is
# the unit test tests/unit/test_redis_url.
#
# The programs run are those of $TEST_REDIS_PROGS, by default tests/redis of the build tree; point it at a
# sanitizer build to run the same cases under ASan and UBSan (any report fails the case).
. "$(dirname "$0")/../lib.sh"

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
	echo "SKIP: redis-server and redis-cli are needed (Debian package redis-server)"
	exit 77
fi
PROGS=${TEST_REDIS_PROGS:-$top_builddir/tests/redis}
for p in store_suite store_faults alert_stream; do
	if [ ! -x "$PROGS/$p" ]; then
		echo "FAIL: $PROGS/$p is not built"
		exit 1
	fi
done
[ -x "$PY" ] || PY=python3

PIDFILES=""	# servers started here, by pid file
BGPIDS=""	# the stand-in listeners started here

# Stop a server started here: TERM to the pid in its pid file, if that is still a redis-server.
stop_pidfile() {
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	case "$(cat /proc/"$pid"/comm 2>/dev/null)" in
	redis-server*) kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done ;;
	esac
	rm -f "$1"
}
cleanup() {
	for f in $PIDFILES; do stop_pidfile "$f"; done
	for p in $BGPIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The first port from $1 up where nothing listens on 127.0.0.1.
NEXT_PORT=$((20000 + $$ % 20000))
free_port() {
	NEXT_PORT=$("$PY" - "$NEXT_PORT" <<'EOF'
import socket, sys
p = int(sys.argv[1])
for q in list(range(p, 40000)) + list(range(20000, p)):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", q))
        print(q)
        break
    except OSError:
        pass
    finally:
        s.close()
EOF
)
	PORT=$NEXT_PORT
	NEXT_PORT=$((NEXT_PORT + 1))
}

# The shell command that starts server NAME on PORT (more redis-server options may follow) and waits until
# it answers; the program under test runs it too, to bring a server up in the middle of a scenario.
server_cmd() {
	name=$1 port=$2
	shift 2
	echo "redis-server --bind 127.0.0.1 --port $port --save '' --appendonly no --daemonize yes" \
		"--pidfile $TMP/$name.pid --logfile $TMP/$name.log --dir $TMP --unixsocket $TMP/$name.sock" \
		"--unixsocketperm 700 $* && i=0 && while [ \$i -lt 100 ] &&" \
		"! redis-cli -h 127.0.0.1 -p $port ping 2>/dev/null | grep -q -e PONG -e NOAUTH;" \
		"do sleep 0.05; i=\$((i + 1)); done;" \
		"redis-cli -h 127.0.0.1 -p $port ping 2>/dev/null | grep -q -e PONG -e NOAUTH"
}
start_server() {
	PIDFILES="$PIDFILES $TMP/$1.pid"
	if ! sh -c "$(server_cmd "$@")"; then
		echo "FAIL: redis-server $1 did not start on port $2"
		cat "$TMP/$1.log" 2>/dev/null
		exit 1
	fi
}
kill_cmd() {	# SIGKILL, as a crash would
	echo "pid=\$(cat $TMP/$1.pid) && kill -9 \$pid && while kill -0 \$pid 2>/dev/null; do sleep 0.05; done"
}

# A listener that is not Redis: http (python's http.server), silent (accepts, never answers) or
# hangup (accepts and closes).
standin() {
	mode=$1 port=$2
	if [ "$mode" = http ]; then
		(cd "$TMP" && exec "$PY" -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
	else
		"$PY" - "$mode" "$port" >/dev/null 2>&1 <<'EOF' &
import socket, sys
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    if mode == "hangup":
        c.close()
    else:
        held.append(c)
EOF
	fi
	BGPIDS="$BGPIDS $!"
	"$PY" - "$port" <<'EOF'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        break
    except OSError:
        time.sleep(0.05)
EOF
}

# run NAME PROGRAM ARGS...: the program's own lines are shown indented; it must exit 0 without a sanitizer
# report.
run() {
	name=$1
	prog=$2
	shift 2
	"$PROGS/$prog" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	sed 's/^/    /' "$TMP/out"
	if [ "$rc" -ne 0 ]; then
		fail "$name: exit $rc"
		sed 's/^/    | /' "$TMP/err"
		return 1
	fi
	if grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$TMP/err"; then
		fail "$name: sanitizer report"
		cat "$TMP/err"
		return 1
	fi
	pass "$name"
}

# ---- one server for the suite ----
free_port
MAIN=$PORT
start_server main "$MAIN"
run "suite (tcp and unix socket)" store_suite suite "redis://127.0.0.1:$MAIN" "unix://$TMP/main.sock"
run "error replies" store_faults refusals "redis://127.0.0.1:$MAIN"
run "alert stream" alert_stream "redis://127.0.0.1:$MAIN"
run "database 15 selected" store_suite open "redis://127.0.0.1:$MAIN/15"
keys=$(redis-cli -h 127.0.0.1 -p "$MAIN" KEYS 'dwtest:*' | wc -l)
# TTL answers -1 for a key without one, and -2 for a key that expired since KEYS listed it: a slow machine
# can take a minute over this loop, and the suite sets some keys to expire in 60 s.
nottl=0
gone=0
for k in $(redis-cli -h 127.0.0.1 -p "$MAIN" KEYS 'dwtest:*'); do
	t=$(redis-cli -h 127.0.0.1 -p "$MAIN" TTL "$k")
	if [ "$t" -eq -2 ]; then
		gone=$((gone + 1))
	elif [ "$t" -le 0 ]; then
		echo "    no TTL: $k ($t)"
		nottl=$((nottl + 1))
	fi
done
if [ "$keys" -gt "$gone" ] && [ "$nottl" -eq 0 ]; then
	pass "TTL on every one of the $keys keys written (redis-cli TTL over KEYS dwtest:*; $gone expired meanwhile)"
else
	fail "TTL: $nottl of $keys keys have none ($gone expired meanwhile)"
fi
run "wrong database refused" store_faults fail "redis://127.0.0.1:$MAIN/99" "SELECT 99 failed"
stop_pidfile "$TMP/main.pid"

# ---- a server with a password ----
free_port
AUTHP=$PORT
start_server auth "$AUTHP" --requirepass s3cret
run "right password" store_suite open "redis://:s3cret@127.0.0.1:$AUTHP/1"
run "right user and password (ACL)" store_suite open "redis://default:s3cret@127.0.0.1:$AUTHP"
run "password over a unix socket" store_suite open "unix://$TMP/auth.sock?db=3&password=s3cret"
run "wrong password refused" store_faults fail "redis://:wrong@127.0.0.1:$AUTHP" "AUTH failed"
run "unknown user refused" store_faults fail "redis://bob:s3cret@127.0.0.1:$AUTHP" "AUTH as bob failed"
run "missing password refused" store_faults fail "redis://127.0.0.1:$AUTHP" "wants a password"
stop_pidfile "$TMP/auth.pid"

# ---- listeners that are not Redis ----
for mode in http silent hangup; do
	free_port
	standin "$mode" "$PORT"
	run "not Redis ($mode) refused" store_faults fail "redis://127.0.0.1:$PORT" "not a Redis server"
done

# ---- Redis comes up after the program started ----
free_port
HAND=$PORT
PIDFILES="$PIDFILES $TMP/handover.pid"
REDIS_START=$(server_cmd handover "$HAND")
export REDIS_START
run "hand-over" store_faults handover "redis://127.0.0.1:$HAND"
n=$(grep -c "cannot connect to redis://127.0.0.1:$HAND (.*); running on memory and retrying" "$TMP/err")
if [ "$n" -eq 1 ]; then
	pass "hand-over: one warning: $(grep "running on memory" "$TMP/err")"
else
	fail "hand-over: $n warnings about the unreachable server, want 1"
	cat "$TMP/err"
fi
stop_pidfile "$TMP/handover.pid"

# ---- Redis killed mid-run, then restarted empty ----
free_port
OUT=$PORT
start_server outage "$OUT"
REDIS_STOP=$(kill_cmd outage)
REDIS_START=$(server_cmd outage "$OUT")
export REDIS_STOP REDIS_START
run "outage" store_faults outage "redis://127.0.0.1:$OUT"
stop_pidfile "$TMP/outage.pid"

# ---- memory of 10,000 hosts, on a server of its own ----
free_port
MEAS=$PORT
start_server measure "$MEAS"
run "memory measured" store_suite measure "redis://127.0.0.1:$MEAS"
stop_pidfile "$TMP/measure.pid"

finish
