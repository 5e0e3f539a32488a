#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IPFIX over TCP. A stand-in collector (tcp-sink.py) stores the stream,
# which is an IPFIX file (RFC 5655), and ipfixDump decodes it.
#  1. Offline into a listening collector: the totals equal the truth.
#  2. Offline with nobody listening: exit 1, every flow counted as lost.
#  3. Live on lo: flows that end while the collector is down wait in the
#     queue, go out once it is up, and again after it restarts.

. "$top_srcdir/tests/lib.sh"

need_tool ipfixDump python3 ss
need_shared tools/gen_traffic.py
need_built "$PROBE"

TOTALS="python3 $top_srcdir/tests/ipfix-totals.py"
SINK="python3 $top_srcdir/tests/tcp-sink.py"

flows_in() {
	ipfixDump --in "$1" >"$TMPD/dump.txt" 2>/dev/null || return 1
	$TOTALS ipfixdump "$TMPD/dump.txt" | python3 -c 'import json, sys
print(json.load(sys.stdin)["flows"])'
}

printf 'nfprobe_transport: tcp\n' >"$TMPD/tcp.conf"
python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --seed 11 \
	--out "$TMPD/gen.pcap" --no-flows-csv >/dev/null 2>&1

# 1. Offline, the collector listening.
port=$(free_tcp_port)
start "$TMPD/sink1.log" $SINK "$port" "$TMPD/one.ipfix" --once
sink=$LAST_PID
wait_tcp_port "$port"
"$PROBE" -f "$TMPD/tcp.conf" -r "$TMPD/gen.pcap" -n "127.0.0.1:$port" \
	2>"$TMPD/probe1.log" || fail "offline TCP export failed"
check_log_clean "$TMPD/probe1.log"
wait_exit "$sink"
stop_pid "$sink" || :
ipfixDump --in "$TMPD/one.ipfix" >"$TMPD/one.txt" ||
	fail "ipfixDump cannot read the TCP stream"
$TOTALS ipfixdump "$TMPD/one.txt" >"$TMPD/one.json"
python3 "$top_srcdir/tests/probe-check.py" gen "$TMPD/one.json" \
	"$TMPD/gen.truth.json" >&2 || fail "TCP export differs from the truth"
say "offline over TCP: totals equal the truth"

# 2. Offline, nobody listening: the run is incomplete and says so.
port=$(free_tcp_port)
if "$PROBE" -f "$TMPD/tcp.conf" -r "$TMPD/gen.pcap" \
	-n "127.0.0.1:$port" 2>"$TMPD/probe2.log"; then
	fail "exit 0 although no flow was delivered"
fi
n=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["flows_unidirectional"])' \
	"$TMPD/gen.truth.json")
grep -q "$n lost" "$TMPD/probe2.log" ||
	fail "the log does not count the $n lost flows"
say "offline, collector away: exit 1, $n flows counted lost"

# 3. Live on the loopback interface (needs the right to capture).
cport=$(free_tcp_port)
uport=$(free_udp_port)
printf 'nfprobe_transport: tcp\nnfprobe_timeouts: udp=1:expint=1\n' \
	>"$TMPD/live.conf"
start "$TMPD/live.log" "$PROBE" -d -f "$TMPD/live.conf" -i lo \
	-n "127.0.0.1:$cport" udp port "$uport"
probe=$LAST_PID
_capturing() {
	grep -q 'capturing' "$TMPD/live.log" && return 0
	kill -0 "$probe" 2>/dev/null || return 0
	return 1
}
wait_for "the probe to open lo" _capturing
if ! grep -q 'capturing' "$TMPD/live.log"; then
	stop_pid "$probe" || :
	skip "cannot capture on lo here: $(tail -1 "$TMPD/live.log")"
fi

# Send N datagrams, each from its own port: N flows, idle after 1 s.
send_flows() {
	python3 -c 'import socket, sys
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x" * 100, ("127.0.0.1", int(sys.argv[1])))
    s.close()' "$uport" "$1"
}
_ended() {
	kill -USR1 "$probe"
	grep -q "ended idle $1," "$TMPD/live.log"
}
_has_flows() {
	[ "$(flows_in "$1")" = "$2" ]
}

send_flows 20
wait_for "20 flows to end" _ended 20
start "$TMPD/sink2.log" $SINK "$cport" "$TMPD/live.ipfix"
sink=$LAST_PID
wait_for "the queued flows to arrive" _has_flows "$TMPD/live.ipfix" 20

# The collector goes away and comes back: the probe reconnects.
stop_pid "$sink" || :
send_flows 10
wait_for "10 more flows to end" _ended 30
start "$TMPD/sink3.log" $SINK "$cport" "$TMPD/live.ipfix"
sink=$LAST_PID
wait_for "the flows of the outage" _has_flows "$TMPD/live.ipfix" 30
stop_pid "$probe" || fail "the probe did not stop cleanly on SIGTERM"
grep -q '30 flows sent, 0 lost (0 to a full queue)' "$TMPD/live.log" ||
	fail "the probe's counters disagree (see $TMPD/live.log)"
[ "$(grep -c 'connected$' "$TMPD/live.log")" -ge 2 ] ||
	fail "the probe did not reconnect"
say "live over TCP: 30 flows across two outages, none lost"
