#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The same captures through flowtally-probe and through softflowd, the
# probe peer (softflowd -r CAP -v 10 into nfcapd, read back with nfdump).
# Ours must equal the ground truth; every difference of softflowd's must be
# one its known faults predict (softflowd-judge.py works each out from
# tshark's decode of the capture). The log holds one line per capture:
# truth, ours and softflowd's octets/packets and the reason.

. "$top_srcdir/tests/lib.sh"

need_tool softflowd nfcapd nfdump tshark ipfixDump python3 ss
need_shared data/captures/traffic-truth.json tools/gen_traffic.py
need_built "$PROBE"

TRUTH="$SHARED/data/captures/traffic-truth.json"
TOTALS="python3 $top_srcdir/tests/ipfix-totals.py"
CHECK="python3 $top_srcdir/tests/probe-check.py"
JUDGE="python3 $top_srcdir/tests/softflowd-judge.py"
port=$(free_udp_port)
bad=

# Our side: IPFIX file, decoded by ipfixDump.
ours() {
	"$PROBE" -r "$2" -o "$TMPD/$1.ipfix" 2>"$TMPD/$1.log" ||
		fail "$1: the probe failed"
	ipfixDump --in "$TMPD/$1.ipfix" >"$TMPD/$1.txt"
	$TOTALS ipfixdump "$TMPD/$1.txt" >"$TMPD/$1.ours.json"
}

# The UDP receive queue of the collector has been read empty.
_queue_empty() {
	ss -Hlun "sport = :$port" | awk '$2 != 0 { exit 1 }'
}

# softflowd's side: exported to nfcapd on loopback, read with nfdump.
theirs() {
	rm -rf "$TMPD/nf"
	mkdir "$TMPD/nf"
	start "$TMPD/nfcapd.log" nfcapd -b 127.0.0.1 -p "$port" \
		-w "$TMPD/nf" -t 3600
	nf_pid=$LAST_PID
	wait_udp_port "$port"
	# softflowd 1.1.0 never reads the file when its control socket path
	# is long (it waits in accept()): keep the paths short. It exits 1
	# on a link type it does not take; the judge checks its log then.
	(cd "$TMPD" && exec softflowd -r "$2" -v 10 -6 -n "127.0.0.1:$port" \
		-p sf.pid -c sf.ctl) >"$TMPD/$1.sf.log" 2>&1 || :
	wait_for "nfcapd to read its queue" _queue_empty
	stop_pid "$nf_pid" || fail "nfcapd did not stop cleanly"
	nfdump -R "$TMPD/nf" -o csv >"$TMPD/$1.sf.csv" 2>/dev/null || :
	$TOTALS nfdump "$TMPD/$1.sf.csv" >"$TMPD/$1.sf.json"
}

judge() {
	if ! $JUDGE "$@" >"$TMPD/judge.txt"; then
		bad="$bad $2"
		sed 's/^/	UNEXPLAINED: /' "$TMPD/judge.txt" >&2
	else
		sed 's/^/	/' "$TMPD/judge.txt" >&2
	fi
}

names=$(python3 -c 'import json, sys
print("\n".join(sorted(json.load(open(sys.argv[1])))))' "$TRUTH")
for name in $names; do
	cap="$SHARED/data/captures/traffic/$name"
	ours "$name" "$cap"
	theirs "$name" "$cap"
	$CHECK extract - "$TRUTH" "$name" >"$TMPD/$name.truth.json"
	$CHECK traffic "$TMPD/$name.ours.json" "$TRUTH" "$name" >&2 ||
		bad="$bad $name(ours)"
	judge "$name" "$cap" "$TMPD/$name.sf.json" "$TMPD/$name.sf.log" \
		"$TMPD/$name.ours.json" "$TMPD/$name.truth.json"
done

python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --seed 3 \
	--out "$TMPD/gen.pcap" --no-flows-csv >/dev/null 2>&1
ours gen "$TMPD/gen.pcap"
theirs gen "$TMPD/gen.pcap"
$CHECK gen "$TMPD/gen.ours.json" "$TMPD/gen.truth.json" >&2 ||
	bad="$bad gen(ours)"
judge --gen gen "$TMPD/gen.pcap" "$TMPD/gen.sf.json" "$TMPD/gen.sf.log" \
	"$TMPD/gen.ours.json" "$TMPD/gen.truth.json"

[ -z "$bad" ] || fail "not explained:$bad"
say "every difference of softflowd's is one of its known faults"
