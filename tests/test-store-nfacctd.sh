#!/bin/sh
# SPDX-License-Identifier: ISC
# The same IPFIX records to nfacctd's own sqlite3 plugin (pmacct 1.7.7,
# its shipped v9 table) and to ours, with the same aggregate and
# sql_history: the rows must be the same, column for column, once summed
# over bins. Our deliberate differences are named and asserted:
#   UTC     we write UTC stamps; nfacctd (no timestamps_utc, run here in
#           Asia/Kolkata, UTC+5:30) writes local time;
#   END     we bin a flow by its end, nfacctd by its start, so our bin is
#           never earlier;
#   FLOWS   we count flows; nfacctd writes 0 unless `flows` is aggregated.
. "$top_srcdir/tests/lib.sh"

need_tool python3 sqlite3 nfacctd
need_shared tools/gen_traffic.py
need_built "$PROBE" "$COLLECTOR"
SCHEMA=/usr/share/pmacct/sql/pmacct-create-table_v9.sqlite3
[ -r "$SCHEMA" ] || skip "$SCHEMA is missing (Debian package pmacct)"

python3 "$SHARED/tools/gen_traffic.py" --packets 4000 --duration 900 \
	--seed 5 --out "$TMPD/t.pcap" >/dev/null
# The probe's UDP export, recorded: nfacctd 1.7.7 cannot read the larger
# messages of an IPFIX file ("incomplete NetFlow v9/IPFIX packet").
python3 "$top_srcdir/tests/ipfix-record.py" "$TMPD/t.ipfix" "$PROBE" \
	-r "$TMPD/t.pcap" -n '127.0.0.1:{port}' >"$TMPD/record.log" \
	2>"$TMPD/probe.log"
truth=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["ip_bytes"])' "$TMPD/t.truth.json")
records=$(sed -n 's/.* \([0-9]*\) flows sent.*/\1/p' "$TMPD/probe.log")
AGG="src_host, dst_host, src_port, dst_port, proto"

# nfacctd, fed over UDP, until its table holds every byte.
sqlite3 "$TMPD/pm.db" <"$SCHEMA"
port=$(free_udp_port)
cat >"$TMPD/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $port
plugins: sqlite3[s]
aggregate[s]: $AGG
sql_db[s]: $TMPD/pm.db
sql_table_version[s]: 9
sql_table[s]: acct_v9
sql_refresh_time[s]: 3
sql_history[s]: 5m
sql_history_roundoff[s]: m
CONF
# nfacctd forks a writer per purge; two at once on one key can clash (a
# lost or doubled row), so its purges are kept far apart.
pm_bytes() {
	[ "$(sqlite3 "$TMPD/pm.db" \
		'SELECT coalesce(sum(bytes), 0) FROM acct_v9')" -ge "$truth" ]
}
TZ=Asia/Kolkata start "$TMPD/nfacctd.log" nfacctd -f "$TMPD/nfacctd.conf"
nf=$LAST_PID
wait_udp_port "$port"
python3 "$top_srcdir/tests/ipfix-send.py" "$TMPD/t.ipfix" 127.0.0.1 \
	"$port" 5 >"$TMPD/send.log"
wait_for "nfacctd's rows" pm_bytes
# SIGINT: nfacctd's clean stop (reference section 9, T19).
kill -INT "$nf"
wait_exit "$nf"

# Ours, from the same file.
cat >"$TMPD/ours.conf" <<CONF
plugins: sqlite3[s]
aggregate[s]: $AGG
sql_db[s]: $TMPD/ours.db
sql_table_version[s]: 9
sql_history[s]: 5m
sql_history_roundoff[s]: m
CONF
t0=$(date -u '+%Y-%m-%d %H:%M:%S')
"$COLLECTOR" -d -f "$TMPD/ours.conf" -r "$TMPD/t.ipfix" 2>"$TMPD/ours.log"
t1=$(date -u '+%Y-%m-%d %H:%M:%S')
check_log_clean "$TMPD/ours.log"

q() {
	sqlite3 "$TMPD/ours.db" "ATTACH '$TMPD/pm.db' AS pm; $1"
}
KEYS="tag, class_id, mac_src, mac_dst, vlan, as_src, as_dst, ip_src, ip_dst,
	port_src, port_dst, tcp_flags, ip_proto, tos"
ROWS="SELECT $KEYS, sum(packets), sum(bytes) FROM"
GROUP="GROUP BY $KEYS"

# Same rows, every column of pmacct's v9 table, summed over bins.
expect_eq "our rows" "$truth" "$(q 'SELECT sum(bytes) FROM main.acct_v9')"
expect_eq "rows only nfacctd has" 0 "$(q "SELECT count(*) FROM
	($ROWS pm.acct_v9 $GROUP EXCEPT $ROWS main.acct_v9 $GROUP)")"
expect_eq "rows only we have" 0 "$(q "SELECT count(*) FROM
	($ROWS main.acct_v9 $GROUP EXCEPT $ROWS pm.acct_v9 $GROUP)")"
say "same rows: $(q "SELECT count(*) FROM ($ROWS main.acct_v9 $GROUP)") keys"

# UTC and END: nfacctd's local stamp minus 5:30 is on the same 5-minute
# grid, and never after our bin for the same key.
expect_eq "bins off the grid" 0 "$(q "SELECT count(*) FROM (SELECT
	stamp_inserted s FROM main.acct_v9 UNION ALL SELECT datetime(
	stamp_inserted, '-330 minutes') FROM pm.acct_v9) WHERE
	CAST(strftime('%M', s) AS INT) % 5 != 0 OR strftime('%S', s) != '00'")"
JOIN="(SELECT $KEYS, min(stamp_inserted) s FROM main.acct_v9 $GROUP) o
	JOIN (SELECT $KEYS, datetime(min(stamp_inserted), '-330 minutes') s
	FROM pm.acct_v9 $GROUP) p USING (tag, class_id, mac_src, mac_dst,
	vlan, as_src, as_dst, ip_src, ip_dst, port_src, port_dst, tcp_flags,
	ip_proto, tos)"
expect_eq "nfacctd bins after ours" 0 \
	"$(q "SELECT count(*) FROM $JOIN WHERE p.s > o.s")"
# A flow lasts less than the 15-minute capture: a wrong zone shows here.
expect_eq "bins further apart than the capture" 0 \
	"$(q "SELECT count(*) FROM $JOIN WHERE p.s < datetime(o.s,
	'-15 minutes')")"
say "END: $(q "SELECT count(*) FROM $JOIN WHERE p.s < o.s") keys binned" \
	"later by flow end than by flow start"

# UTC: our stamp_updated is the write time in UTC.
expect_eq "stamp_updated outside the run (UTC)" 0 \
	"$(q "SELECT count(*) FROM main.acct_v9 WHERE stamp_updated < '$t0'
	OR stamp_updated > '$t1'")"

# FLOWS: one per record for us, 0 for nfacctd.
expect_eq "our flows" "$records" "$(q 'SELECT sum(flows) FROM main.acct_v9')"
expect_eq "nfacctd's flows" 0 "$(q 'SELECT sum(flows) FROM pm.acct_v9')"
