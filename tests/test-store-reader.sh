#!/bin/sh
# SPDX-License-Identifier: ISC
# A reader holding a read transaction open (the sqlite3 shell after
# BEGIN; SELECT ...) while the collector writes an interval: the write
# goes through at once (WAL), nothing is dropped, and the reader's
# snapshot stays what it was until it ends its transaction. Then another
# writer holding the lock: the write is kept and goes through later.
. "$top_srcdir/tests/lib.sh"

need_tool python3 sqlite3 mkfifo
need_shared tools/gen_traffic.py
need_built "$PROBE" "$COLLECTOR"

python3 "$SHARED/tools/gen_traffic.py" --packets 3000 --duration 600 \
	--seed 11 --out "$TMPD/t.pcap" >/dev/null
"$PROBE" -r "$TMPD/t.pcap" -o "$TMPD/t.ipfix" 2>"$TMPD/probe.log"
truth=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["ip_bytes"])' "$TMPD/t.truth.json")
cat >"$TMPD/c.conf" <<CONF
plugins: sqlite3[db]
aggregate: src_host, dst_host
sql_db[db]: $TMPD/flows.db
sql_history[db]: 5m
sql_history_roundoff[db]: m
sql_busy_timeout[db]: 2
CONF
sum() {
	sqlite3 "$TMPD/flows.db" 'SELECT sum(bytes) FROM acct'
}
lines_at_least() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

"$COLLECTOR" -d -f "$TMPD/c.conf" -r "$TMPD/t.ipfix" 2>"$TMPD/c1.log"
expect_eq "first interval" "$truth" "$(sum)"

# The reader: a shell on a FIFO kept open, inside a read transaction.
# Fd 3 holds the write end (opened read-write so that nothing blocks);
# the shell reads the FIFO itself, without fd 3, so it sees EOF later.
mkfifo "$TMPD/in"
exec 3<>"$TMPD/in"
start "$TMPD/reader.out" sh -c 'exec sqlite3 "$1" <"$2" 3>&-' sh \
	"$TMPD/flows.db" "$TMPD/in"
reader=$LAST_PID
echo 'BEGIN; SELECT sum(bytes) FROM acct;' >&3
wait_for "the reader's first answer" lines_at_least "$TMPD/reader.out" 1

"$COLLECTOR" -d -f "$TMPD/c.conf" -r "$TMPD/t.ipfix" 2>"$TMPD/c2.log"
check_log_clean "$TMPD/c2.log"
grep -q "sqlite3\[db\]: wrote .* $truth bytes" "$TMPD/c2.log" ||
	fail "the second interval was not written while the reader held"
expect_eq "both intervals stored" "$((truth * 2))" "$(sum)"

# The reader still sees its snapshot, then the new rows after COMMIT.
echo 'SELECT sum(bytes) FROM acct; COMMIT; SELECT sum(bytes) FROM acct;' >&3
exec 3>&-
wait_exit "$reader"
expect_eq "reader's answers" "$truth $truth $((truth * 2))" \
	"$(tr '\n' ' ' <"$TMPD/reader.out" | sed 's/ $//')"

# Another writer holding the write lock past the busy timeout: the
# interval's write fails with a clear error, is kept, and goes through at
# a later refresh once the lock is released; nothing is lost.
before=$(sum)
port=$(free_udp_port)
{
	grep -v '^sql_busy_timeout' "$TMPD/c.conf"
	printf 'sql_busy_timeout[db]: 1\nsql_refresh_time[db]: 1\n'
} >"$TMPD/live.conf"
start "$TMPD/c3.log" "$COLLECTOR" -d -f "$TMPD/live.conf" -L 127.0.0.1 \
	-l "$port"
c3=$LAST_PID
wait_udp_port "$port"
mkfifo "$TMPD/win"
exec 4<>"$TMPD/win"
start "$TMPD/writer.out" sh -c 'exec sqlite3 "$1" <"$2" 4>&-' sh \
	"$TMPD/flows.db" "$TMPD/win"
writer=$LAST_PID
echo 'BEGIN IMMEDIATE; SELECT 1;' >&4
wait_for "the other writer's lock" lines_at_least "$TMPD/writer.out" 1
python3 "$top_srcdir/tests/ipfix-send.py" "$TMPD/t.ipfix" 127.0.0.1 \
	"$port" >"$TMPD/send.log"
wait_for "the locked write's error" \
	grep -q 'sqlite3\[db\]: .*database is locked; .* kept' "$TMPD/c3.log"
echo 'COMMIT;' >&4
exec 4>&-
wait_exit "$writer"
wait_for "the kept interval's write" \
	grep -q "sqlite3\[db\]: wrote .* $truth bytes" "$TMPD/c3.log"
stop_pid "$c3"
expect_eq "bytes after the lock" "$((before + truth))" "$(sum)"
if grep -Ei 'warn|error' "$TMPD/c3.log" | grep -v 'database is locked' >&2; then
	fail "unexpected warnings or errors (above)"
fi
