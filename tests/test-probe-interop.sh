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

# send NAME CAP CONFIG PORT...: one probe run, exporting to every PORT.
send() {
	_name=$1
	_cap=$2
	_conf=$3
	shift 3
	_to=
	for _p in "$@"; do
		_to="$_to -n 127.0.0.1:$_p"
	done
	"$PROBE" -f "$_conf" -r "$_cap" $_to 2>"$TMPD/$_name.probe.log" ||
		fail "$_name: the probe failed"
	check_log_clean "$TMPD/$_name.probe.log"
}

_queue_empty() {
	ss -Hlun "sport = :$cap_port" | awk '$2 != 0 { exit 1 }'
}

# nfacctd drops what arrives in its first moments, before it says so in
# any way a test can see: a one-packet capture (10.31.0.1 -> 10.34.0.1)
# is sent until nfacctd has accounted it, and its rows are left out.
WARM="$SHARED/data/captures/traffic/akvorado-mpls-ipv4.pcap"
WARM_HOSTS="10.31.0.1 10.34.0.1"

pmacct_totals() {
	$TOTALS pmacct "$TMPD/src.csv" "$TMPD/dst.csv" $WARM_HOSTS
}

_pmacct_has() {
	[ -s "$TMPD/src.csv" ] && [ -s "$TMPD/dst.csv" ] &&
		[ "$(pmacct_totals | python3 -c 'import json, sys
print(json.load(sys.stdin)["packets"])')" -ge "$1" ]
}

_nfacctd_warm() {
	"$PROBE" -r "$WARM" -n "127.0.0.1:$acct_port" 2>/dev/null
	[ -s "$TMPD/src.csv" ] && grep -q '^10\.31\.0\.1,' "$TMPD/src.csv"
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

nfacctd_up() {
	acct_port=$(free_udp_port)
	rm -f "$TMPD/src.csv" "$TMPD/dst.csv"
	cat >"$TMPD/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_pipe_size: 8388608
nfacctd_port: $acct_port
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
	wait_udp_port "$acct_port"
	wait_for "nfacctd to account a first flow" _nfacctd_warm
}

# nfacctd_collect NAME PACKETS
nfacctd_collect() {
	# Its print plugins write every second: wait for all the packets.
	wait_for "nfacctd to account $2 packets" _pmacct_has "$2"
	pmacct_totals >"$TMPD/$1.nfacctd.json"
	if grep -a -E '^(WARN|ERROR)' "$TMPD/nfacctd.log" >&2; then
		fail "nfacctd warned about our export"
	fi
	stop_nfacctd "$acct_pid"
}

nfcapd_up() {
	cap_port=$(free_udp_port)
	rm -rf "$TMPD/nf"
	mkdir "$TMPD/nf"
	start "$TMPD/nfcapd.log" nfcapd -b 127.0.0.1 -p "$cap_port" \
		-w "$TMPD/nf" -t 3600
	cap_pid=$LAST_PID
	wait_udp_port "$cap_port"
}

nfcapd_collect() {
	wait_for "nfcapd to read its queue" _queue_empty
	stop_pid "$cap_pid" || fail "nfcapd did not stop cleanly"
	grep -q 'Sequence Errors: 0,' "$TMPD/nfcapd.log" ||
		fail "nfcapd saw sequence errors: $(grep Sequence \
			"$TMPD/nfcapd.log")"
	nfdump -R "$TMPD/nf" -o csv >"$TMPD/$1.csv"
	$TOTALS nfdump "$TMPD/$1.csv" >"$TMPD/$1.nfcapd.json"
}

# nfcapd leaves options records out of its sequence count (RFC 7011
# section 3.1 counts every Data Record), so each statistics record but
# the last would show as a sequence error there: only the last is sent.
printf 'nfprobe_stats_interval: 0\n' >"$TMPD/nostats.conf"
: >"$TMPD/default.conf"

via_nfacctd() {
	nfacctd_up
	send "$1" "$2" "$TMPD/default.conf" "$acct_port"
	nfacctd_collect "$1" "$3"
}

via_nfcapd() {
	nfcapd_up
	send "$1" "$2" "$TMPD/nostats.conf" "$cap_port"
	nfcapd_collect "$1"
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

# Two collectors at once: each message goes to both.
nfacctd_up
nfcapd_up
send both "$TMPD/gen.pcap" "$TMPD/nostats.conf" "$acct_port" "$cap_port"
nfacctd_collect both "$(packets_of "$TMPD/gen.truth.json")"
nfcapd_collect both
check gen both nfacctd
check gen both nfcapd

[ -z "$bad" ] || fail "collectors disagree with the truth:$bad"
