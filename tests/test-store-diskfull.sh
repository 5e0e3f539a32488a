#!/bin/sh
# SPDX-License-Identifier: ISC
# A full disk under the sqlite3 and print plugins: a small tmpfs (root
# only; skipped otherwise) is filled, records stream in, every write fails
# with a clear error and a counter in the status, the intervals are kept,
# and once space is freed they are written: SQLite rows and CSV files then
# hold exactly the generator's ground truth per host.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
need_tool python3 sqlite3 mount umount
need_shared tools/gen_traffic.py
need_built "$PROBE" "$COLLECTOR" "$CLI"

FULL="$TMPD/full"
mkdir "$FULL"
mount -t tmpfs -o size=256k tmpfs "$FULL" 2>/dev/null ||
	skip "cannot mount a tmpfs here"
trap '_rc=$?; umount -l "$FULL" 2>/dev/null; (exit $_rc); _lib_cleanup' EXIT

python3 "$SHARED/tools/gen_traffic.py" --packets 4000 --duration 900 \
	--seed 3 --out "$TMPD/t.pcap" >/dev/null
"$PROBE" -r "$TMPD/t.pcap" -o "$TMPD/t.ipfix" 2>"$TMPD/probe.log"
port=$(free_udp_port)
cat >"$TMPD/c.conf" <<CONF
plugins: memory[m], sqlite3[db], print[csv]
aggregate: src_host, dst_host
imt_path[m]: $TMPD/m.sock
sql_db[db]: $FULL/flows.db
sql_refresh_time[db]: 1
sql_history[db]: 1h
sql_history_roundoff[db]: h
print_output[csv]: csv
print_output_file[csv]: $FULL/csv/%Y%m%d-%H%M.csv
print_refresh_time[csv]: 1
print_history[csv]: 1h
print_history_roundoff[csv]: h
CONF

# Start once on the empty disk (the table is created), then fill it.
start "$TMPD/c.log" "$COLLECTOR" -d -f "$TMPD/c.conf" -L 127.0.0.1 \
	-l "$port"
c=$LAST_PID
wait_unix_socket "$TMPD/m.sock"
dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null || :
python3 "$top_srcdir/tests/ipfix-send.py" "$TMPD/t.ipfix" 127.0.0.1 \
	"$port" >"$TMPD/send.log"
wait_for "the print plugin's failure" \
	grep -q 'print\[csv\]: .*No space left on device; .* kept' "$TMPD/c.log"
wait_for "the sqlite3 plugin's failure" \
	grep -q 'sqlite3\[db\]: .* full.* kept' "$TMPD/c.log"

# The counters say so.
"$CLI" -p "$TMPD/m.sock" --status >"$TMPD/status"
failed() {
	sed -n "s/^$1: .* \\([0-9]*\\) failed writes.*/\\1/p" "$TMPD/status"
}
kept() {
	sed -n "s/^$1: .* \\([0-9]*\\) kept for a retry.*/\\1/p" "$TMPD/status"
}
[ "$(kept 'print\[csv\]')" -ge 1 ] || fail "no print entries kept"
[ "$(kept 'sqlite3\[db\]')" -ge 1 ] || fail "no sqlite3 entries kept"
[ "$(failed 'print\[csv\]')" -ge 1 ] || fail "no failed print write counted"
[ "$(failed 'sqlite3\[db\]')" -ge 1 ] || fail "no failed sqlite3 write counted"
[ ! -e "$FULL/csv" ] || [ -z "$(ls -A "$FULL/csv")" ] ||
	fail "a file was written on the full disk"

# Space again: the kept intervals are written at the next refresh.
rm "$FULL/filler"
wait_for "the print plugin's write" grep -q 'print\[csv\]: wrote' "$TMPD/c.log"
wait_for "the sqlite3 plugin's write" grep -q 'sqlite3\[db\]: wrote' \
	"$TMPD/c.log"
stop_pid "$c"
python3 "$top_srcdir/tests/store-check.py" "$TMPD/t.truth.json" - 3600 \
	"sqlite:$FULL/flows.db:acct" "csv:$FULL/csv"

# The only complaints in the log are the full disk's.
if grep -Ei 'warn|error' "$TMPD/c.log" |
	grep -Ev 'No space left on device|database or disk is full' >&2; then
	fail "unexpected warnings or errors (above)"
fi
