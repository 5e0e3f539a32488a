#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Our export is standard: flowtally-probe sends IPFIX over UDP on loopback
# to nfacctd (pmacct, print plugins on src_host and dst_host) and to
# nfcapd (nfdump), and both account the ground truth of the capture:
# octets, packets and octets per host. nfcapd must see no sequence error
# and nfacctd must log no warning.

. "$top_srcdir/tests/lib.sh"

need_tool nfacctd nfcapd nfdump python3 ss pgrep
need_shared data/captures/traffic-truth.json tools/gen_traffic.py
need_built "$PROBE"

TRUTH="$SHARED/data/captures/traffic-truth.json"
TOTALS="python3 $top_srcdir/tests/ipfix-totals.py"
CHECK="python3 $top_srcdir/tests/probe-check.py"
bad=

# check KIND NAME PEER: compare $TMPD/NAME.PEER.json with the truth.
check() {
	if [ "$1" = gen ]; then
		$CHECK gen "$TMPD/$2.$3.json" "$TMPD/gen.truth.json" \
			>"$TMPD/diff" || :
	else
		$CHECK traffic "$TMPD/$2.$3.json" "$TRUTH" "$2" >"$TMPD/diff" ||
			:
	fi
	if [ -s "$TMPD/diff" ]; then
		say "$3 on $2 differs from the truth:"
		sed 's/^/	/' "$TMPD/diff" >&2
		bad="$bad $2/$3"
	else
		say "$3 on $2: totals equal the truth"
	fi
}

# send NAME CAP [CONFIG]
send() {
	"$PROBE" ${3:+-f "$3"} -r "$2" -n "127.0.0.1:$port" \
		2>"$TMPD/$1.probe.log" || fail "$1: the probe failed"
	check_log_clean "$TMPD/$1.probe.log"
}

_queue_empty() {
	ss -Hlun "sport = :$port" | awk '$2 != 0 { exit 1 }'
}

_pmacct_has() {
	[ -s "$TMPD/src.csv" ] && [ "$($TOTALS pmacct "$TMPD/src.csv" \
		"$TMPD/src.csv" | python3 -c 'import json, sys
print(json.load(sys.stdin)["packets"])')" -ge "$1" ]
}

# nfacctd 1.7.7 blocks SIGTERM in its core process and, with print
# plugins, does not finish on SIGINT either; what it wrote is all we need,
# so it and its plugin processes are killed.
stop_nfacctd() {
	_kids=$(pgrep -P "$1" || :)
	kill -KILL "$1" $_kids 2>/dev/null || :
	wait "$1" 2>/dev/null || :
	stop_pid "$1" || :
}

via_nfacctd() {
	port=$(free_udp_port)
	rm -f "$TMPD/src.csv" "$TMPD/dst.csv"
	cat >"$TMPD/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $port
plugins: print[src], print[dst]
aggregate[src]: src_host
aggregate[dst]: dst_host
print_output: csv
print_output_file_append: true
print_refresh_time: 1
print_output_file[src]: $TMPD/src.csv
print_output_file[dst]: $TMPD/dst.csv
CONF
	start "$TMPD/nfacctd.log" nfacctd -f "$TMPD/nfacctd.conf"
	acct_pid=$LAST_PID
	wait_udp_port "$port"
	send "$1" "$2"
	# Its print plugins write every second: wait for all the packets.
	wait_for "nfacctd to account $3 packets" _pmacct_has "$3"
	wait_for "nfacctd to write dst_host" test -s "$TMPD/dst.csv"
	$TOTALS pmacct "$TMPD/src.csv" "$TMPD/dst.csv" >"$TMPD/$1.nfacctd.json"
	if grep -a -E '^(WARN|ERROR)' "$TMPD/nfacctd.log" >&2; then
		fail "nfacctd warned about our export"
	fi
	stop_nfacctd "$acct_pid"
}

via_nfcapd() {
	port=$(free_udp_port)
	rm -rf "$TMPD/nf"
	mkdir "$TMPD/nf"
	start "$TMPD/nfcapd.log" nfcapd -b 127.0.0.1 -p "$port" \
		-w "$TMPD/nf" -t 3600
	cap_pid=$LAST_PID
	wait_udp_port "$port"
	# nfcapd leaves options records out of its sequence count (RFC 7011
	# section 3.1 counts every Data Record), so each statistics record
	# but the last would show as a sequence error: only the last is sent.
	printf 'nfprobe_stats_interval: 0\n' >"$TMPD/nostats.conf"
	send "$1" "$2" "$TMPD/nostats.conf"
	wait_for "nfcapd to read its queue" _queue_empty
	stop_pid "$cap_pid" || fail "nfcapd did not stop cleanly"
	grep -q 'Sequence Errors: 0,' "$TMPD/nfcapd.log" ||
		fail "nfcapd saw sequence errors: $(grep Sequence \
			"$TMPD/nfcapd.log")"
	nfdump -R "$TMPD/nf" -o csv >"$TMPD/$1.csv"
	$TOTALS nfdump "$TMPD/$1.csv" >"$TMPD/$1.nfcapd.json"
}

packets_of() {
	python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
print(t[sys.argv[2]]["packets"] if len(sys.argv) > 2 else t["packets"])' "$@"
}

python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --seed 5 \
	--out "$TMPD/gen.pcap" --no-flows-csv >/dev/null 2>&1
via_nfacctd gen "$TMPD/gen.pcap" "$(packets_of "$TMPD/gen.truth.json")"
check gen gen nfacctd
via_nfcapd gen "$TMPD/gen.pcap"
check gen gen nfcapd

# IPv6 with extension headers, and PPPoE inside QinQ.
for name in nfdump-ipv6.pcap zeek-pppoe-over-qinq.pcap; do
	cap="$SHARED/data/captures/traffic/$name"
	via_nfacctd "$name" "$cap" "$(packets_of "$TRUTH" "$name")"
	check traffic "$name" nfacctd
	via_nfcapd "$name" "$cap"
	check traffic "$name" nfcapd
done

[ -z "$bad" ] || fail "collectors disagree with the truth:$bad"
