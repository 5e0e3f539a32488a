#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The collector on loopback: two payload sets of INDEX.md (MikroTik,
# domain 0, from 127.0.0.1, and OpenBSD pflow, domain 42, from ::1 to its
# IPv6 socket) are sent while it runs; its status and its memory table
# must hold the records, octets
# and packets INDEX.md gives, malformed datagrams must show up as drops,
# NetFlow v5 and v9 datagrams are counted and warned about once each,
# pmacct's tuning keys are accepted and reported once as no-ops, and it
# must reopen its log, report, and stop cleanly on signals.

. "$top_srcdir/tests/lib.sh"
need_tool python3
need_shared data/captures/payloads/ls-ipfix-mikrotik \
	data/captures/payloads/ls-ipfix-openbsd-pflow
need_built "$COLLECTOR" "$CLI"

P="$SHARED/data/captures/payloads"
port=$(free_udp_port)
sock="$TMPD/mem.sock"
cat >"$TMPD/c.conf" <<CONF
collector_ip: 127.0.0.1, ::1
collector_port: $port
collector_pipe_size: 64K
pidfile: $TMPD/c.pid
logfile: $TMPD/c.log
plugins: memory[m]
imt_path[m]: $sock
aggregate[m]: src_host, dst_host
plugin_buffer_size[m]: 102400
imt_mem_pools_number: 256
CONF
start "$TMPD/stderr" "$COLLECTOR" -d -f "$TMPD/c.conf"
pid=$LAST_PID
wait_udp_port "$port"
wait_unix_socket "$sock"
wait_file "$TMPD/c.pid"
expect_eq "pid file" "$pid" "$(cat "$TMPD/c.pid")"
# What it says at start goes to its log file, not only to the terminal.
wait_for "the listeners in the log" grep -q 'listening on ' "$TMPD/c.log"

# A second collector on the busy port must not start (it would take the
# datagrams meant for the first one), nor one on a port past 65535.
sed -e '/^pidfile/d' -e '/^logfile/d' -e "s|$sock|$TMPD/second.sock|" \
	"$TMPD/c.conf" >"$TMPD/second.conf"
rc=0
timeout 10 "$COLLECTOR" -d -f "$TMPD/second.conf" >"$TMPD/second.out" 2>&1 ||
	rc=$?
expect_eq "exit status of a second collector on port $port" 1 "$rc"
grep -q 'in use' "$TMPD/second.out" ||
	fail "second collector: $(cat "$TMPD/second.out")"
wrap=$(($(free_udp_port) + 65536))
sed "s/^collector_port: .*/collector_port: $wrap/" \
	"$TMPD/second.conf" >"$TMPD/wrap.conf"
rc=0
timeout 10 "$COLLECTOR" -d -f "$TMPD/wrap.conf" >"$TMPD/wrap.out" 2>&1 ||
	rc=$?
expect_eq "exit status for port $wrap" 1 "$rc"
grep -q 'not a port' "$TMPD/wrap.out" ||
	fail "port $wrap: $(cat "$TMPD/wrap.out")"
# An IPv4 address beside "::" on one port: "::" is then IPv6 only.
both=$(free_udp_port)
sed -e "s/^collector_port: .*/collector_port: $both/" \
	-e 's/^collector_ip: .*/collector_ip: 127.0.0.1, ::/' \
	"$TMPD/second.conf" >"$TMPD/both.conf"
start "$TMPD/both.out" "$COLLECTOR" -d -f "$TMPD/both.conf"
wait_for "IPv4 and :: on port $both" grep -q 'listening on 2 ' \
	"$TMPD/both.out"
stop_pid "$LAST_PID" || fail "127.0.0.1 and :: on one port: $(cat \
	"$TMPD/both.out")"

# Datagrams as the payload files hold them, then malformed ones.
python3 - "$port" "$P" <<'PY'
import socket, sys
port, base = int(sys.argv[1]), sys.argv[2]
sets = [("127.0.0.1", "ls-ipfix-mikrotik", ["ipfix_test_mikrotik_tpl.dat",
         "ipfix_test_mikrotik_data258.dat",
         "ipfix_test_mikrotik_data259.dat"]),
        ("::1", "ls-ipfix-openbsd-pflow",
         ["ipfix_test_openbsd_pflow_tpl.dat",
          "ipfix_test_openbsd_pflow_data.dat"])]
for to, d, files in sets:
    s = socket.socket(socket.AF_INET6 if ":" in to else socket.AF_INET,
                      socket.SOCK_DGRAM)
    for f in files:
        with open("%s/%s/%s" % (base, d, f), "rb") as fh:
            s.sendto(fh.read(), (to, port))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x00", ("127.0.0.1", port))                       # short
for _ in range(2):                                           # NetFlow
    s.sendto(b"\x00\x09" + b"\x00" * 18, ("127.0.0.1", port))  # v9
    s.sendto(b"\x00\x05" + b"\x00" * 22, ("127.0.0.1", port))  # v5
s.sendto(b"\x00\x0a\x00\x40" + b"\x00" * 12, ("127.0.0.1", port))  # length
PY

has_counts() {
	"$CLI" -p "$sock" --status >"$TMPD/status" 2>&1 &&
		grep -q 'bad-length=1' "$TMPD/status"
}
wait_for "the datagrams to be counted" has_counts
mt='^exporter 127.0.0.1 domain 0: .* records=46 octets=103235 packets=253 '
grep -q "$mt" "$TMPD/status" || fail "MikroTik totals: $(cat "$TMPD/status")"
grep -q '^exporter ::1 domain 42: .* records=26 octets=99323 packets=209 ' \
	"$TMPD/status" || fail "pflow totals: $(cat "$TMPD/status")"
grep -q '^exporter 127.0.0.1: datagrams=9 .*short=1' "$TMPD/status" ||
	fail "short datagram not counted: $(cat "$TMPD/status")"
grep -q 'unsupported-version=4' "$TMPD/status" ||
	fail "NetFlow v5, v9 not counted: $(cat "$TMPD/status")"
# Why they go nowhere is said once per exporter and version, as a warning.
for v in 5 9; do
	expect_eq "the NetFlow v$v warning, said once" 1 "$(grep -c \
		"exporter 127.0.0.1: NetFlow v$v is not decoded by this vers" \
		"$TMPD/c.log")"
done

# The memory table holds every octet and packet, whatever the keys.
"$CLI" -p "$sock" -s -O csv >"$TMPD/table.csv"
sums=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ b += $c["BYTES"]; p += $c["PACKETS"] } END { print b, p }' \
	"$TMPD/table.csv")
expect_eq "bytes and packets in the table" \
	"$((103235 + 99323)) $((253 + 209))" \
	"$sums"

# SIGUSR1 logs the status; SIGHUP reopens the log file.
kill -USR1 "$pid"
wait_for "the status in the log" grep -q 'domain 42: .*records=26' \
	"$TMPD/c.log"
mv "$TMPD/c.log" "$TMPD/c.log.1"
kill -HUP "$pid"
wait_for "a new log file" test -e "$TMPD/c.log"
kill -USR1 "$pid"
wait_for "the status in the new log" grep -q 'records=26' "$TMPD/c.log"

stop_pid "$pid" || fail "the collector did not stop cleanly"
[ ! -e "$TMPD/c.pid" ] || fail "the pid file was left behind"
grep -q 'stopping' "$TMPD/c.log" || fail "no clean stop in the log"
grep -v 'NetFlow v[59] is not decoded' "$TMPD/c.log.1" >"$TMPD/c.log.1.rest"
check_log_clean "$TMPD/c.log.1.rest"
# pmacct's tuning keys are taken, and said to do nothing, once.
expect_eq "the no-op keys, said once" 1 "$(cat "$TMPD/stderr" \
	"$TMPD/c.log.1" "$TMPD/c.log" | grep -c \
	"no effect here: imt_mem_pools_number, plugin_buffer_size$")"
check_log_clean "$TMPD/c.log"
check_log_clean "$TMPD/stderr"
