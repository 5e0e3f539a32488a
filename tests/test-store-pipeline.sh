#!/bin/sh
# SPDX-License-Identifier: ISC
# End to end through the real programs: flowtally-probe reads captures
# with ground truth into an IPFIX file, flowtally-collector reads it with
# sqlite3 and print (CSV, JSON lines) plugins, and the bytes per source
# and per destination address over all SQLite rows and all files equal
# tshark's totals in traffic-truth.json.
. "$top_srcdir/tests/lib.sh"

need_tool python3 sqlite3
need_shared data/captures/traffic-truth.json
need_built "$PROBE" "$COLLECTOR"
TRAFFIC="$SHARED/data/captures/traffic"

for cap in ipfixprobe-mixed.pcap nfdump-ipv6.pcap zeek-http-vlan.pcap \
	zeek-pppoe-over-qinq.pcap tcpdump-sll-mptcp.pcap \
	zeek-ipv4-fragmented-3.pcap suricata-sll2-02.pcap; do
	[ -e "$TRAFFIC/$cap" ] || skip "$TRAFFIC/$cap is missing"
	d="$TMPD/$cap"
	mkdir -p "$d"
	cat >"$d/c.conf" <<CONF
plugins: sqlite3[db], print[csv], print[json]
aggregate: src_host, dst_host
sql_db[db]: $d/flows.db
sql_history[db]: 1h
sql_history_roundoff[db]: h
print_history: 1h
print_history_roundoff: h
print_output[csv]: csv
print_output_file[csv]: $d/csv/%Y%m%d-%H%M.csv
print_output[json]: json
print_output_file[json]: $d/json/%Y%m%d-%H%M.json
CONF
	"$PROBE" -r "$TRAFFIC/$cap" -o "$d/x.ipfix" 2>"$d/probe.log"
	"$COLLECTOR" -d -f "$d/c.conf" -r "$d/x.ipfix" 2>"$d/collector.log"
	check_log_clean "$d/collector.log"
	python3 "$top_srcdir/tests/store-check.py" \
		"$SHARED/data/captures/traffic-truth.json#$cap" - 3600 \
		"sqlite:$d/flows.db:acct" "csv:$d/csv" "json:$d/json"
done

# A table of another schema is refused at start, naming what it lacks,
# and nothing is written to it: here pmacct's v1 table under v9's name.
SCHEMA=/usr/share/pmacct/sql/pmacct-create-table_v1.sqlite3
if [ -r "$SCHEMA" ]; then
	d="$TMPD/mismatch"
	mkdir -p "$d"
	sed 's/acct/acct_v9/g' "$SCHEMA" | sqlite3 "$d/flows.db"
	cat >"$d/c.conf" <<CONF
plugins: sqlite3[db]
aggregate: src_host, dst_host
sql_db[db]: $d/flows.db
sql_table_version[db]: 9
sql_history[db]: 1h
CONF
	if "$COLLECTOR" -d -f "$d/c.conf" -r "$TMPD/zeek-http-vlan.pcap/x.ipfix" \
		2>"$d/collector.log"; then
		fail "the collector started on a table of another schema"
	fi
	grep -q 'table acct_v9 lacks column(s) tag, class_id, vlan' \
		"$d/collector.log" || fail "no clear message: $(cat "$d/collector.log")"
	expect_eq "rows in the refused table" 0 \
		"$(sqlite3 "$d/flows.db" 'SELECT count(*) FROM acct_v9')"
fi

# sql_dont_try_update: INSERT only. A second run over the same records
# finds its rows taken: they are refused, counted and reported, and the
# table keeps one row per key and bin with the first run's counters.
d="$TMPD/insert-only"
mkdir -p "$d"
cat >"$d/c.conf" <<CONF
plugins: sqlite3[db]
aggregate: src_host, dst_host
sql_db[db]: $d/flows.db
sql_history[db]: 1h
sql_dont_try_update[db]: true
CONF
x="$TMPD/zeek-http-vlan.pcap/x.ipfix"
"$COLLECTOR" -d -f "$d/c.conf" -r "$x" 2>"$d/run1.log"
check_log_clean "$d/run1.log"
rows=$(sqlite3 "$d/flows.db" 'SELECT count(*) FROM acct')
"$COLLECTOR" -d -f "$d/c.conf" -r "$x" 2>"$d/run2.log"
grep -q "sqlite3\[db\]: $rows rows already in the table were refused" \
	"$d/run2.log" || fail "no report of refused rows: $(cat "$d/run2.log")"
expect_eq "rows after an insert-only rerun" "$rows" \
	"$(sqlite3 "$d/flows.db" 'SELECT count(*) FROM acct')"
expect_eq "bytes after an insert-only rerun" 5891 \
	"$(sqlite3 "$d/flows.db" 'SELECT sum(bytes) FROM acct')"
