#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The flow timeouts as configured: one UDP flow whose two packets are ten
# seconds apart is one flow under a 300 s UDP timeout and two under 5 s,
# whether that is said in nfprobe_timeouts or in the single key
# nfprobe_timeout_udp, which beats it. Records counted by ipfixDump.

. "$top_srcdir/tests/lib.sh"
need_tool ipfixDump python3
need_built "$PROBE"

python3 - "$TMPD/gap.pcap" <<'PY'
import struct, sys
def frame(ts):
    udp = struct.pack("!HHHH", 40000, 53, 8 + 4, 0) + b"abcd"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    data = eth + ip + udp
    return struct.pack("<IIII", ts, 0, len(data), len(data)) + data
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(frame(1700000000) + frame(1700000010))
PY

# records CONFIG-LINES...: flow records the probe exports for gap.pcap.
records() {
	printf '%s\n' "$@" >"$TMPD/p.conf"
	"$PROBE" -d -f "$TMPD/p.conf" -r "$TMPD/gap.pcap" \
		-o "$TMPD/out.ipfix" 2>>"$TMPD/probe.log"
	ipfixDump --in "$TMPD/out.ipfix" | grep -c ' octetDeltaCount : '
}

expect_eq "one flow under udp=300" 1 \
	"$(records 'nfprobe_timeouts: udp=300')"
expect_eq "two flows under udp=5" 2 "$(records 'nfprobe_timeouts: udp=5')"
expect_eq "two flows: the single key beats nfprobe_timeouts" 2 \
	"$(records 'nfprobe_timeouts: udp=300' 'nfprobe_timeout_udp: 5s')"
expect_eq "one flow: the single key in minutes" 1 \
	"$(records 'nfprobe_timeouts: udp=5' 'nfprobe_timeout_udp: 5m')"
say "udp timeouts from nfprobe_timeouts and nfprobe_timeout_udp honoured"
