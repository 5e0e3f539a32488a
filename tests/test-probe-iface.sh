#!/bin/sh
# SPDX-License-Identifier: ISC
#
# An interface that comes and goes, as ppp0 does on every PPPoE
# reconnect: the probe starts before it exists, picks it up when it
# appears, survives its removal and captures again when it is back. The
# frames sent in both lifetimes are all in the export (decoded by
# ipfixDump), also after the probe gave up root. Everything happens in a
# network namespace of the test's own. Needs root, network namespaces and
# veth support; skipped otherwise.

. "$top_srcdir/tests/lib.sh"

need_tool ip ipfixDump python3
need_built "$PROBE"

a="ftp$$"
b="ftq$$"
ns="ftns$$"
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
_del_ns() {
	ip netns del "$ns" 2>/dev/null || :
}
trap '_rc0=$?; _del_ns; (exit $_rc0); _lib_cleanup' EXIT
in_ns() {
	ip netns exec "$ns" "$@"
}
if ! ip -n "$ns" link add "$a" type veth peer name "$b" 2>/dev/null; then
	skip "cannot create a veth pair here"
fi
ip -n "$ns" link del "$a"

links_up() {
	ip -n "$ns" link add "$a" type veth peer name "$b"
	ip -n "$ns" link set "$a" up
	ip -n "$ns" link set "$b" up
}

# Send N UDP frames 192.0.2.1 -> 192.0.2.2 (28 + 100 IP octets each) into
# the far end of the pair, so that they arrive on the captured end.
send_frames() {
	in_ns python3 - "$b" "$1" <<'PY'
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xFFFF) + (s >> 16)
    return ~(s + (s >> 16)) & 0xFFFF
pay = b"x" * 100
udp = struct.pack("!HHHH", 40000, 9999, 8 + len(pay), 0) + pay
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for _ in range(int(sys.argv[2])):
    s.send(eth + ip + udp)
PY
}

# As root, the probe becomes `nobody` once the capture is set up and must
# keep the right to reopen the interface (CAP_NET_RAW, CAP_NET_ADMIN).
printf 'pcap_interface_retry: 1\nnfprobe_timeouts: udp=1:expint=1\n' \
	>"$TMPD/probe.conf"
out="$TMPD/out"
mkdir "$out"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	printf 'user: nobody\n' >>"$TMPD/probe.conf"
	chmod 711 "$TMPD"
	chown nobody "$out"
fi
start "$TMPD/probe.log" ip netns exec "$ns" "$PROBE" -d \
	-f "$TMPD/probe.conf" -i "$a" -o "$out/out.ipfix" udp and host 192.0.2.1
probe=$LAST_PID
_says() {
	[ "$(grep -c "$1" "$TMPD/probe.log")" -ge "$2" ]
}
_ended() {
	kill -USR1 "$probe"
	grep -q "ended idle $1," "$TMPD/probe.log"
}
wait_for "the probe to wait for $a" _says 'waiting for it' 1

links_up
wait_for "the probe to capture on $a" _says 'capturing' 1
send_frames 5
wait_for "the first flow to end" _ended 1

ip -n "$ns" link del "$a"
wait_for "the probe to notice $a is gone" _says 'waiting for it' 2
links_up
wait_for "the probe to capture on $a again" _says 'capturing' 2
send_frames 7
wait_for "the second flow to end" _ended 2
kill -0 "$probe" || fail "the probe died"
stop_pid "$probe" || fail "the probe did not stop cleanly on SIGTERM"
grep -q ', 1 reopened' "$TMPD/probe.log" || fail "no reopen counted"

ipfixDump --in "$out/out.ipfix" >"$TMPD/out.txt"
python3 "$top_srcdir/tests/ipfix-totals.py" ipfixdump "$TMPD/out.txt" \
	>"$TMPD/out.json"
got=$(python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
print(t["packets"], t["src"].get("192.0.2.1", 0))' "$TMPD/out.json")
expect_eq "packets and octets of 192.0.2.1" "12 1536" "$got"
say "$a came and went: 12 frames of both lifetimes exported"
