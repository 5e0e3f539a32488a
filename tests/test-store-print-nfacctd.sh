#!/bin/sh
# SPDX-License-Identifier: ISC
# The same IPFIX records to nfacctd's print plugin (pmacct 1.7.7) and to
# ours, each writing CSV, JSON lines and formatted text to one appended
# file: the same header, the same rows (sorted, since the orders of the
# tables differ), the same JSON keys in the same order with the same
# values. Named difference, asserted: stamp_inserted is the bin of the
# flow's end for us and of its start for nfacctd, never later than ours.
. "$top_srcdir/tests/lib.sh"

need_tool python3 nfacctd
need_shared tools/gen_traffic.py
need_built "$PROBE" "$COLLECTOR"

python3 "$SHARED/tools/gen_traffic.py" --packets 4000 --duration 900 \
	--seed 5 --out "$TMPD/t.pcap" >/dev/null
python3 "$top_srcdir/tests/ipfix-record.py" "$TMPD/t.ipfix" "$PROBE" \
	-r "$TMPD/t.pcap" -n '127.0.0.1:{port}' >"$TMPD/record.log" \
	2>"$TMPD/probe.log"

# One configuration for both, but for the files' names.
plugins() {
	cat <<CONF
plugins: print[c], print[j], print[f]
aggregate: src_mac, dst_mac, vlan, src_host, dst_host, src_port, dst_port, \
	proto, tos
print_refresh_time: 1
print_history: 5m
print_history_roundoff: m
print_output_file_append: true
timestamps_utc: true
print_output[c]: csv
print_output_file[c]: $TMPD/$1.csv
print_output[j]: json
print_output_file[j]: $TMPD/$1.json
print_output[f]: formatted
print_output_file[f]: $TMPD/$1.txt
CONF
}

# Ours first: nfacctd is then waited for until it has as many rows.
plugins ours >"$TMPD/ours.conf"
"$COLLECTOR" -d -f "$TMPD/ours.conf" -r "$TMPD/t.ipfix" 2>"$TMPD/ours.log"
check_log_clean "$TMPD/ours.log"
rows=$(wc -l <"$TMPD/ours.json")

port=$(free_udp_port)
{
	printf 'daemonize: false\nnfacctd_ip: 127.0.0.1\n'
	printf 'nfacctd_port: %s\n' "$port"
	plugins pm
} >"$TMPD/nfacctd.conf"
json_lines() {
	[ -f "$TMPD/pm.json" ] && [ "$(wc -l <"$TMPD/pm.json")" -ge "$rows" ]
}
start "$TMPD/nfacctd.log" nfacctd -f "$TMPD/nfacctd.conf"
nf=$LAST_PID
wait_udp_port "$port"
python3 "$top_srcdir/tests/ipfix-send.py" "$TMPD/t.ipfix" 127.0.0.1 \
	"$port" 5 >"$TMPD/send.log"
wait_for "nfacctd's files" json_lines
kill -INT "$nf"
wait_exit "$nf"

for ext in csv txt; do
	expect_eq "$ext header" "$(head -n 1 "$TMPD/pm.$ext")" \
		"$(head -n 1 "$TMPD/ours.$ext")"
	sort "$TMPD/pm.$ext" >"$TMPD/pm.sorted"
	sort "$TMPD/ours.$ext" >"$TMPD/ours.sorted"
	diff -u "$TMPD/pm.sorted" "$TMPD/ours.sorted" ||
		fail "$ext rows differ from nfacctd's (above)"
done

python3 - "$TMPD/pm.json" "$TMPD/ours.json" <<'PY'
import json, sys
pm, ours = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
stamps = ("stamp_inserted", "stamp_updated")
def key(o):
    return tuple((k, v) for k, v in o.items() if k not in stamps)
assert len(pm) == len(ours), (len(pm), len(ours))
assert {tuple(o) for o in pm} == {tuple(o) for o in ours}, "key order"
pm.sort(key=key)
ours.sort(key=key)
assert [key(o) for o in pm] == [key(o) for o in ours], "values"
later = sum(p["stamp_inserted"] < o["stamp_inserted"] for p, o in zip(pm, ours))
assert all(p["stamp_inserted"] <= o["stamp_inserted"] for p, o in zip(pm, ours))
print("json: %d rows equal; %d binned later by flow end" % (len(pm), later))
PY
