#!/bin/sh
# SPDX-License-Identifier: ISC
# The sqlite3 and print plugins against the traffic generator's ground
# truth: bytes per host, in total and per 5-minute bin (by flow end), over
# all SQLite rows (aggregate schema and pmacct's v9) and over all CSV and
# JSON files. The flows are fed twice in two processes, as a restart
# would: SQLite rows must add up in place (doubling, never duplicating).
. "$top_srcdir/tests/lib.sh"

need_tool python3 sqlite3
need_shared tools/gen_traffic.py
FEED="$top_builddir/tests/storefeed"
need_built "$FEED"

python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --duration 1800 \
	--seed 7 --out "$TMPD/t.pcap" >/dev/null
cat >"$TMPD/store.conf" <<CONF
plugins: sqlite3[agg], sqlite3[v9], print[csv], print[json], print[fmt], \
	print[tab], print[out], sqlite3[dyn]
aggregate: src_host, dst_host
sql_db[agg]: $TMPD/agg.db
sql_db[v9]: $TMPD/v9.db
sql_table_version[v9]: 9
sql_history: 5m
sql_history_roundoff: m
print_history: 5m
print_output[csv]: csv
print_output_file[csv]: $TMPD/csv/%Y%m%d-%H%M.csv
print_markers[csv]: true
print_latest_file[csv]: $TMPD/csv/latest
print_output[json]: json
print_output_file[json]: $TMPD/json/%Y%m%d-%H%M.json
print_output[fmt]: formatted
print_output_file[fmt]: $TMPD/fmt/%Y%m%d-%H%M.txt
print_output[tab]: csv
print_output_separator[tab]: \\t
print_time_columns[tab]: true
print_output_file[tab]: $TMPD/tab/%Y%m%d-%H%M.csv
print_output[out]: csv
sql_db[dyn]: $TMPD/dyn.db
sql_table[dyn]: acct_%Y%m%d_%H%M
CONF

gzip -dc "$TMPD/t.flows.csv.gz" | "$FEED" "$TMPD/store.conf" \
	>"$TMPD/stdout" 2>"$TMPD/feed.log"
check_log_clean "$TMPD/feed.log"

# Without print_output_file: one header, then rows, on stdout.
expect_eq "stdout header" "SRC_IP,DST_IP,PACKETS,BYTES" \
	"$(grep -v '^[0-9a-f]' "$TMPD/stdout")"
truth=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["ip_bytes"])' "$TMPD/t.truth.json")
expect_eq "stdout bytes" "$truth" "$(awk -F, 'NR > 1 { s += $4 }
	END { print s }' "$TMPD/stdout")"
python3 "$top_srcdir/tests/store-check.py" "$TMPD/t.truth.json" \
	"$TMPD/t.flows.csv.gz" 300 "sqlite:$TMPD/agg.db:acct" \
	"sqlite:$TMPD/v9.db:acct_v9" "csv:$TMPD/csv" "json:$TMPD/json" \
	"fmt:$TMPD/fmt"

# sql_table with placeholders: one table per bin, together the truth.
tables=$(sqlite3 "$TMPD/dyn.db" "SELECT name FROM sqlite_master WHERE
	type = 'table' ORDER BY name")
sum=0
for t in $tables; do
	case $t in
	acct_[0-9]*_[0-9][0-9][0-9][0-9]) ;;
	*) fail "unexpected table $t" ;;
	esac
	sum=$((sum + $(sqlite3 "$TMPD/dyn.db" "SELECT sum(bytes) FROM $t")))
done
expect_eq "bytes over the tables of each bin" "$truth" "$sum"
[ "$(echo "$tables" | wc -l)" -ge 2 ] || fail "one table only"

# Tab-separated, with bin columns: each row's bin is its file's, 5 minutes.
python3 - "$TMPD/tab" <<'PY'
import datetime, glob, os, sys
n = 0
for path in glob.glob(os.path.join(sys.argv[1], "*.csv")):
    start = datetime.datetime.strptime(os.path.basename(path)[:13],
                                       "%Y%m%d-%H%M")
    end = start + datetime.timedelta(minutes=5)
    lines = open(path).read().splitlines()
    assert lines[0].split("\t") == ["SRC_IP", "DST_IP", "BIN_START",
                                     "BIN_END", "PACKETS", "BYTES"], lines[0]
    for line in lines[1:]:
        v = line.split("\t")
        assert v[2] == str(start) and v[3] == str(end), (path, line)
        n += 1
assert n > 0
print("bin columns: %d rows in their files' bins" % n)
PY

# Markers (reference section 6) where asked for, and only there.
for f in "$TMPD"/csv/*.csv; do
	head -n 1 "$f" | grep -Eq '^--START \([0-9]+\)--$' || fail "$f: no start"
	tail -n 1 "$f" | grep -Eq '^--END \([0-9]+\)--$' || fail "$f: no end"
done
if grep -l -e '^--' "$TMPD"/tab/* "$TMPD"/fmt/* >&2; then
	fail "markers in files that did not ask for them (above)"
fi

# The latest link names the newest CSV file.
newest=$(ls "$TMPD/csv" | grep -v latest | sort | tail -n 1)
expect_eq "latest file" "$TMPD/csv/$newest" "$(readlink "$TMPD/csv/latest")"

# No temporary file is left behind.
left=$(find "$TMPD/csv" "$TMPD/json" "$TMPD/fmt" -name '.*' -type f | wc -l)
expect_eq "temporary files left" 0 "$left"

# A second run over the same flows adds to the same rows.
rows1=$(sqlite3 "$TMPD/agg.db" 'SELECT count(*) FROM acct')
bytes1=$(sqlite3 "$TMPD/agg.db" 'SELECT sum(bytes) FROM acct')
gzip -dc "$TMPD/t.flows.csv.gz" | "$FEED" "$TMPD/store.conf" >/dev/null \
	2>"$TMPD/feed2.log"
check_log_clean "$TMPD/feed2.log"
expect_eq "rows after a restart" "$rows1" \
	"$(sqlite3 "$TMPD/agg.db" 'SELECT count(*) FROM acct')"
expect_eq "bytes after a restart" "$((bytes1 * 2))" \
	"$(sqlite3 "$TMPD/agg.db" 'SELECT sum(bytes) FROM acct')"
