#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Every shared traffic capture, and one made by gen_traffic.py, through
# `flowtally-probe -r CAP -o FILE`; ipfixDump (libfixbuf-tools) decodes the
# file and the totals must equal the capture's ground truth: octets,
# packets and octets per host. The statistics options record must count
# what the data records hold.

. "$top_srcdir/tests/lib.sh"

need_tool ipfixDump python3
need_shared data/captures/traffic-truth.json tools/gen_traffic.py
need_built "$PROBE"

TRUTH="$SHARED/data/captures/traffic-truth.json"
TOTALS="python3 $top_srcdir/tests/ipfix-totals.py"
CHECK="python3 $top_srcdir/tests/probe-check.py"
bad=

# Export CAP into $TMPD/NAME.ipfix and leave its totals in $TMPD/NAME.json.
export_totals() {
	"$PROBE" -r "$2" -o "$TMPD/$1.ipfix" 2>"$TMPD/$1.log" ||
		fail "$1: the probe failed (see $TMPD/$1.log)"
	check_log_clean "$TMPD/$1.log"
	[ ! -e "$TMPD/$1.ipfix.tmp" ] || fail "$1: temporary file left"
	ipfixDump --in "$TMPD/$1.ipfix" >"$TMPD/$1.txt" ||
		fail "$1: ipfixDump cannot read our file"
	$TOTALS ipfixdump "$TMPD/$1.txt" >"$TMPD/$1.json"
	python3 - "$TMPD/$1.json" <<'PY' || fail "$1: statistics record"
import json, sys
t = json.load(open(sys.argv[1]))
s = t["stats"]
assert int(s["exportedFlowRecordTotalCount"]) == t["flows"], s
assert int(s["notSentFlowTotalCount"]) == 0, s
PY
}

names=$(python3 -c 'import json, sys
print("\n".join(sorted(json.load(open(sys.argv[1])))))' "$TRUTH")
n=0
for name in $names; do
	cap="$SHARED/data/captures/traffic/$name"
	[ -f "$cap" ] || fail "$cap is missing"
	export_totals "$name" "$cap"
	if ! $CHECK traffic "$TMPD/$name.json" "$TRUTH" "$name" \
		>"$TMPD/$name.diff"; then
		say "$name differs from its truth:"
		sed 's/^/	/' "$TMPD/$name.diff" >&2
		bad="$bad $name"
	fi
	n=$((n + 1))
done
[ "$n" -gt 30 ] || fail "only $n captures in $TRUTH"

# A generated capture: VLANs, IPv6, TCP handshakes, padding, ICMP.
python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --seed 7 \
	--out "$TMPD/gen.pcap" --no-flows-csv >/dev/null 2>&1
export_totals gen "$TMPD/gen.pcap"
if ! $CHECK gen "$TMPD/gen.json" "$TMPD/gen.truth.json" >"$TMPD/gen.diff"
then
	say "gen_traffic capture differs from its truth:"
	sed 's/^/	/' "$TMPD/gen.diff" >&2
	bad="$bad gen"
fi

# The observation domain (nfprobe_engine) heads every message and scopes
# the statistics record.
printf 'nfprobe_engine: 4242\n' >"$TMPD/engine.conf"
"$PROBE" -f "$TMPD/engine.conf" -r "$TMPD/gen.pcap" -o "$TMPD/engine.ipfix" \
	2>"$TMPD/engine.log" || fail "the probe failed with nfprobe_engine"
ipfixDump --in "$TMPD/engine.ipfix" >"$TMPD/engine.txt"
msgs=$(grep -c 'observation domain id:' "$TMPD/engine.txt")
ours=$(grep -c 'observation domain id: 4242$' "$TMPD/engine.txt")
[ "$msgs" -gt 1 ] && [ "$msgs" = "$ours" ] ||
	fail "observation domain 4242 in $ours of $msgs messages"
grep -q 'observationDomainId : 4242$' "$TMPD/engine.txt" ||
	fail "the statistics record is not scoped to domain 4242"

[ -z "$bad" ] || fail "totals differ from the truth for:$bad"
say "$n shared captures and one generated capture match their truth"
