#!/bin/sh
# SPDX-License-Identifier: ISC
#
# End to end on loopback: the IPFIX File of the shared captures is sent
# as UDP datagrams to a live flowtally-collector with three memory
# plugins (src_host, sum_host, the 5-tuple), then the flowtally CLI reads
# each table over its socket. Every table must equal, row for row, the
# totals computed from tshark's decode of the same file; the grand totals
# are those of the capture INDEX (49001404 bytes, 56695 packets).
# Then the whole chain: flowtally-probe reads each capture of
# traffic-truth.json and exports to the collector over loopback, and
# `flowtally -s -e -O json` of src_host, sum_host and the seed's seven-key
# aggregate must give the truth's octets per source and destination host.
. "$top_srcdir/tests/lib.sh"

need_tool python3 tshark
need_built "$COLLECTOR" "$CLI"
need_shared data/captures/flow/ipfixcol2-example_flows.ipfix
IPFIX=$SHARED/data/captures/flow/ipfixcol2-example_flows.ipfix
FIVE=src_host,dst_host,src_port,dst_port,proto

# The truth, from Wireshark's dissector.
tshark -r "$IPFIX" -T json >"$TMPD/decode.json" 2>"$TMPD/tshark.err"
for k in src_host sum_host "$FIVE"; do
	python3 "$top_srcdir/tests/tshark-flow-truth.py" "$k" \
		<"$TMPD/decode.json" >"$TMPD/truth.$k"
done

port=$(free_udp_port)
cat >"$TMPD/collector.conf" <<EOF
collector_ip: 127.0.0.1
collector_port: $port
plugins: memory[hosts], memory[sum], memory[five]
aggregate[hosts]: src_host
aggregate[sum]: sum_host
aggregate[five]: $FIVE
imt_path[hosts]: $TMPD/hosts.sock
imt_path[sum]: $TMPD/sum.sock
imt_path[five]: $TMPD/five.sock
EOF
start "$TMPD/collector.log" "$COLLECTOR" -d -f "$TMPD/collector.conf"
collector=$LAST_PID
wait_unix_socket "$TMPD/five.sock"
wait_udp_port "$port"
python3 "$top_srcdir/tests/ipfix-replay.py" "$IPFIX" "127.0.0.1:$port" \
	>/dev/null

# The rows of a table (no header), sorted, numeric protocols.
rows() {
	"$CLI" -p "$TMPD/$1.sock" -s -O csv -u | tail -n +2 | sort
}
total_packets() {
	rows "$1" | awk -F, '{ p += $(NF - 1) } END { print p + 0 }'
}
arrived() {
	[ "$(total_packets "$1")" = 56695 ]
}
wait_for "56695 packets in the src_host table" arrived hosts
wait_for "56695 packets in the 5-tuple table" arrived five

# Each table equals tshark's totals, row for row.
rows hosts >"$TMPD/got.hosts"
rows sum >"$TMPD/got.sum"
rows five >"$TMPD/got.five"
cmp "$TMPD/truth.src_host" "$TMPD/got.hosts" || fail "src_host table"
cmp "$TMPD/truth.sum_host" "$TMPD/got.sum" || fail "sum_host table"
cmp "$TMPD/truth.$FIVE" "$TMPD/got.five" || fail "5-tuple table"
bytes=$(awk -F, '{ b += $NF } END { print b }' "$TMPD/got.hosts")
expect_eq "INDEX octets" 49001404 "$bytes"

# The formatted footer counts the entries; JSON has one line per entry.
n=$(wc -l <"$TMPD/truth.src_host")
"$CLI" -p "$TMPD/hosts.sock" -s >"$TMPD/formatted"
tail -n 1 "$TMPD/formatted" | grep -qx "For a total of: $n entries" ||
	fail "footer: $(tail -n 1 "$TMPD/formatted")"
expect_eq "JSON lines" "$n" \
	"$("$CLI" -p "$TMPD/hosts.sock" -s -O json | wc -l | tr -d ' ')"

# -T: the top three by bytes are the truth's three largest.
sort -t, -k3,3nr "$TMPD/truth.src_host" | head -n 3 | cut -d, -f3 \
	>"$TMPD/top.truth"
"$CLI" -p "$TMPD/hosts.sock" -s -T bytes,3 -O csv | tail -n +2 |
	cut -d, -f3 >"$TMPD/top.got"
cmp "$TMPD/top.truth" "$TMPD/top.got" || fail "-T bytes,3"

# -N against the server's matching: the largest source's figures.
top=$(sort -t, -k3,3nr "$TMPD/truth.src_host" | head -n 1)
host=${top%%,*}
expect_eq "-N" "${top##*,}" "$("$CLI" -p "$TMPD/hosts.sock" -c src_host \
	-N "$host")"
expect_eq "-N on the 5-tuple table" "${top##*,}" \
	"$("$CLI" -p "$TMPD/five.sock" -c src_host -N "$host")"

# -r: the matched entry is gone afterwards.
"$CLI" -p "$TMPD/hosts.sock" -c src_host -M "$host" -r -O csv >/dev/null
expect_eq "-r" 0 "$("$CLI" -p "$TMPD/hosts.sock" -c src_host -N "$host")"

# --status shows the exporter's records.
"$CLI" -p "$TMPD/hosts.sock" --status >"$TMPD/status"
grep -q 'records=3979' "$TMPD/status" || fail "--status: $(cat "$TMPD/status")"

# -s -e reads everything and clears it in one step; -i then says 0.
expect_eq "-i before -e" never "$("$CLI" -p "$TMPD/five.sock" -i)"
"$CLI" -p "$TMPD/five.sock" -s -e -O csv -u | tail -n +2 | sort \
	>"$TMPD/erased"
cmp "$TMPD/truth.$FIVE" "$TMPD/erased" || fail "-s -e: rows"
"$CLI" -p "$TMPD/five.sock" -s >"$TMPD/after"
tail -n 1 "$TMPD/after" | grep -qx 'For a total of: 0 entries' ||
	fail "-s -e did not clear the table"
since=$("$CLI" -p "$TMPD/five.sock" -i)
case $since in
[0-9]) ;;
*) fail "-i after -e: '$since'" ;;
esac

stop_pid "$collector"
check_log_clean "$TMPD/collector.log"

# The probe into the collector, capture by capture.
need_shared data/captures/traffic-truth.json
need_built "$PROBE"
TRUTH=$SHARED/data/captures/traffic-truth.json
SEVEN="src_host, src_port, src_mac, dst_host, dst_port, dst_mac, proto"
port=$(free_udp_port)
cat >"$TMPD/chain.conf" <<EOF
collector_ip: 127.0.0.1
collector_port: $port
plugins: memory[src], memory[sum], memory[seven]
aggregate[src]: src_host
aggregate[sum]: sum_host
aggregate[seven]: $SEVEN
imt_path[src]: $TMPD/src.sock
imt_path[sum]: $TMPD/sum.sock
imt_path[seven]: $TMPD/seven.sock
EOF
start "$TMPD/chain.log" "$COLLECTOR" -d -f "$TMPD/chain.conf"
collector=$LAST_PID
wait_unix_socket "$TMPD/seven.sock"
wait_udp_port "$port"

packets_in() {
	"$CLI" -p "$TMPD/$1.sock" -s -O json | python3 -c 'import json, sys
print(sum(json.loads(l)["packets"] for l in sys.stdin))'
}
chain_arrived() {
	[ "$(packets_in src)" = "$1" ] && [ "$(packets_in seven)" = "$1" ] &&
		[ "$(packets_in sum)" = "$(($1 * 2))" ]
}
names=$(python3 -c 'import json, sys
print("\n".join(sorted(json.load(open(sys.argv[1])))))' "$TRUTH")
n=0
for name in $names; do
	python3 "$top_srcdir/tests/probe-check.py" extract - "$TRUTH" "$name" \
		>"$TMPD/want.json"
	want=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["packets"])' "$TMPD/want.json")
	"$PROBE" -r "$SHARED/data/captures/traffic/$name" \
		-n "127.0.0.1:$port" 2>"$TMPD/probe.log" ||
		fail "$name: the probe failed: $(cat "$TMPD/probe.log")"
	wait_for "$name: $want packets in every table" chain_arrived "$want"
	for t in src sum seven; do
		"$CLI" -p "$TMPD/$t.sock" -s -e -O json >"$TMPD/got.$t"
	done
	python3 - "$TMPD" "$name" <<'EOF' || fail "$name: tables differ"
import ipaddress, json, sys
d, name = sys.argv[1:3]
want = json.load(open(d + "/want.json"))


def rows(t):
    return [json.loads(l) for l in open("%s/got.%s" % (d, t))]


def add(m, k, v):
    k = str(ipaddress.ip_address(k))
    m[k] = m.get(k, 0) + v


src, tsum, ssrc, sdst, total = {}, {}, {}, {}, 0
for r in rows("src"):
    add(src, r["ip_src"], r["bytes"])
for r in rows("sum"):
    add(tsum, r["ip_src"], r["bytes"])
for r in rows("seven"):
    add(ssrc, r["ip_src"], r["bytes"])
    add(sdst, r["ip_dst"], r["bytes"])
    total += r["bytes"]
wsrc, wdst, wsum = {}, {}, {}
for k, v in want.get("src", {}).items():
    add(wsrc, k, v)
    add(wsum, k, v)
for k, v in want.get("dst", {}).items():
    add(wdst, k, v)
    add(wsum, k, v)
bad = ["%s: %s, truth %s" % (what, got, exp)
       for what, got, exp in (("src_host", src, wsrc),
                              ("sum_host", tsum, wsum),
                              ("seven-key sources", ssrc, wsrc),
                              ("seven-key destinations", sdst, wdst))
       if got != exp]
if total != want["bytes"]:
    bad.append("seven-key bytes %d, truth %d" % (total, want["bytes"]))
for b in bad:
    print(name, b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
	n=$((n + 1))
done
[ "$n" -gt 30 ] || fail "only $n captures in $TRUTH"
stop_pid "$collector"
check_log_clean "$TMPD/chain.log"
say "$n captures, probe to collector to flowtally: every host as the truth"
