#!/bin/sh
# SPDX-License-Identifier: ISC
# flowtally --db: the top sources of a sqlite3 plugin's database, over
# every bin and over a range of bins, against the generator's list of
# flows (bytes per source address, by the bin each flow ended in).
. "$top_srcdir/tests/lib.sh"

need_tool python3
need_shared tools/gen_traffic.py
FEED="$top_builddir/tests/storefeed"
need_built "$FEED" "$CLI"

python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --duration 1800 \
	--seed 9 --out "$TMPD/t.pcap" >/dev/null
cat >"$TMPD/c.conf" <<CONF
plugins: sqlite3[db], sqlite3[per]
aggregate: src_host, dst_host, proto
sql_db: $TMPD/flows.db
sql_history: 5m
sql_history_roundoff: m
sql_table[per]: bins_%Y%m%d_%H%M
CONF
gzip -dc "$TMPD/t.flows.csv.gz" | "$FEED" "$TMPD/c.conf" 2>"$TMPD/feed.log"
check_log_clean "$TMPD/feed.log"

# The generator's top N sources by bytes, of flows ending in [from, to).
top() {
	python3 - "$TMPD/t.flows.csv.gz" "$@" <<'PY'
import collections, csv, datetime, gzip, sys
path, n = sys.argv[1], int(sys.argv[2])
lo = hi = None
if len(sys.argv) > 3:
    utc = datetime.timezone.utc
    lo, hi = (datetime.datetime.strptime(a, "%Y-%m-%d %H:%M").replace(
        tzinfo=utc).timestamp() for a in sys.argv[3:5])
by = collections.Counter()
for r in csv.DictReader(gzip.open(path, "rt")):
    end = int(r["last_us"]) // 1000000
    end -= end % 300
    if lo is None or lo <= end < hi:
        by[r["src"]] += int(r["ip_bytes"])
for src, b in sorted(by.items(), key=lambda kv: (-kv[1], kv[0]))[:n]:
    print("%s,%d" % (src, b))
PY
}

ours() {
	"$CLI" --db "$TMPD/flows.db" -c src_host -s -T bytes,10 -O csv \
		--table acct "$@" |
		awk -F, 'NR > 1 { print $1 "," $NF }'
}

expect_eq "top 10 sources" "$(top 10)" "$(ours)"
first=$(python3 -c 'import csv, datetime, gzip, sys
t = min(int(r["last_us"]) for r in csv.DictReader(gzip.open(sys.argv[1], "rt")))
t = t // 1000000
t -= t % 300
d = datetime.datetime.fromtimestamp(t + 600, datetime.timezone.utc)
print(d.strftime("%Y-%m-%d %H:%M"))' "$TMPD/t.flows.csv.gz")
last=$(python3 -c 'import datetime, sys
d = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d %H:%M")
print((d + datetime.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M"))' \
	"$first")
expect_eq "top 10 sources from $first to $last" "$(top 10 "$first" "$last")" \
	"$(ours --from "$first" --to "$last")"

# A table per bin (sql_table with placeholders), read with a pattern.
expect_eq "top 10 sources over the tables of each bin" "$(top 10)" \
	"$(ours --table 'bins_*')"

# JSON rows carry the counters too.
"$CLI" --db "$TMPD/flows.db" --table acct -s -O json >"$TMPD/all.json"
python3 - "$TMPD/all.json" "$TMPD/t.truth.json" <<'PY'
import json, sys
total = sum(json.loads(l)["bytes"] for l in open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))["ip_bytes"]
assert total == truth, (total, truth)
PY
