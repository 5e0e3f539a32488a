#!/bin/sh
# SPDX-License-Identifier: ISC
# A collector stopped with SIGTERM in the middle of a stream, then
# restarted: the sqlite3 plugin must hold exactly what the collector
# acknowledged as written ("wrote ... B bytes" log lines), losing none and
# duplicating none (both are counted), and a full second stream must add
# exactly the generator's ground-truth total to the same rows.
. "$top_srcdir/tests/lib.sh"

need_tool python3 sqlite3
need_shared tools/gen_traffic.py
need_built "$PROBE" "$COLLECTOR"

python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --duration 1800 \
	--seed 7 --out "$TMPD/t.pcap" >/dev/null
"$PROBE" -r "$TMPD/t.pcap" -o "$TMPD/t.ipfix" 2>"$TMPD/probe.log"
truth=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["ip_bytes"])' "$TMPD/t.truth.json")
port=$(free_udp_port)
cat >"$TMPD/c.conf" <<CONF
plugins: sqlite3[db], sqlite3[two]
aggregate: src_host, dst_host
sql_db: $TMPD/flows.db
sql_refresh_time: 1
sql_history: 5m
sql_history_roundoff: m
sql_table[two]: second
CONF

# Sum of the bytes a log acknowledges as written (by plugin $2).
acked() {
	_p="sqlite3\\[${2:-db}\\]: wrote .* packets, \\([0-9]*\\) bytes"
	sed -n "s/.*$_p.*/\\1/p" "$1" | awk '{ s += $1 } END { print s + 0 }'
}

acked_at_least() {
	[ "$(acked "$1")" -ge "$2" ]
}

stored() {
	sqlite3 "$TMPD/flows.db" 'SELECT coalesce(sum(bytes), 0) FROM acct'
}

# Lost and duplicated bytes: what was acknowledged against what is there.
check_acked() {
	lost=$(($1 > $2 ? $1 - $2 : 0))
	dup=$(($2 > $1 ? $2 - $1 : 0))
	say "$3: acknowledged $1 bytes, stored $2: lost $lost, duplicated $dup"
	expect_eq "$3: bytes lost" 0 "$lost"
	expect_eq "$3: bytes duplicated" 0 "$dup"
}

# Run 1: SIGTERM after the first write, while the stream goes on.
start "$TMPD/c1.log" "$COLLECTOR" -d -f "$TMPD/c.conf" -L 127.0.0.1 -l "$port"
c1=$LAST_PID
wait_udp_port "$port"
start "$TMPD/send1.log" python3 "$top_srcdir/tests/ipfix-send.py" \
	"$TMPD/t.ipfix" 127.0.0.1 "$port" 200
s1=$LAST_PID
wait_for "a first write" grep -q 'sqlite3\[db\]: wrote' "$TMPD/c1.log"
stop_pid "$c1"
wait_exit "$s1"
a1=$(acked "$TMPD/c1.log")
[ "$a1" -gt 0 ] || fail "nothing acknowledged before SIGTERM"
[ "$a1" -lt "$truth" ] || say "note: the whole stream came in before SIGTERM"
check_acked "$a1" "$(stored)" "after SIGTERM"

# Run 2: the whole stream again, stopped once it is all acknowledged.
start "$TMPD/c2.log" "$COLLECTOR" -d -f "$TMPD/c.conf" -L 127.0.0.1 -l "$port"
c2=$LAST_PID
wait_udp_port "$port"
python3 "$top_srcdir/tests/ipfix-send.py" "$TMPD/t.ipfix" 127.0.0.1 \
	"$port" 20 >"$TMPD/send2.log"
wait_for "the whole stream acknowledged" acked_at_least "$TMPD/c2.log" "$truth"
stop_pid "$c2"
a2=$(acked "$TMPD/c2.log")
expect_eq "second stream acknowledged" "$truth" "$a2"
check_acked "$((a1 + a2))" "$(stored)" "after the restart"

# A second plugin on the same file (two writer threads, one database):
# no lock-out, and it holds what it acknowledged too.
a_two=$(($(acked "$TMPD/c1.log" two) + $(acked "$TMPD/c2.log" two)))
check_acked "$a_two" "$(sqlite3 "$TMPD/flows.db" \
	'SELECT coalesce(sum(bytes), 0) FROM second')" "second plugin"

# One row per key and bin, however many writes and runs fed it.
expect_eq "duplicate rows" 0 "$(sqlite3 "$TMPD/flows.db" 'SELECT count(*) -
	(SELECT count(*) FROM (SELECT DISTINCT ip_src, ip_dst,
	stamp_inserted FROM acct)) FROM acct')"
check_log_clean "$TMPD/c1.log"
check_log_clean "$TMPD/c2.log"
