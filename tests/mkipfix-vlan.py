#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A small IPFIX File of tagged and untagged flows, and its truth.

The flows are fixed below: IPv4 and IPv6, VLAN ids under and over 256
(nfacctd's filter only sees a tag when the id's high byte is set,
shared/reference/pmacct-1.7.7.md section 7.3). The file is written by
hand-packed structs per RFC 7011 (one message: a template set with an
IPv4 and an IPv6 template, then one data set for each), so nothing of
flowtally's is involved in making it.

usage: mkipfix-vlan.py FILE          write the IPFIX File
       mkipfix-vlan.py --truth MODE  print the rows a memory table with
                                     aggregate vlan, src_host, dst_host,
                                     proto holds, as `flowtally -s -O csv
                                     -u` prints them (sorted, no header)
MODE: all (no filter); ip (aggregate_filter: ip, by BPF's meaning: every
IPv4 flow, whatever its VLAN); ip-nfacctd (what nfacctd 1.7.7 keeps for
the same filter: IPv4 flows with VLAN id 0..255 only).
"""

import ipaddress
import struct
import sys

# vlan, src, dst, sport, dport, proto, packets, bytes
FLOWS = [
    (0, "192.168.1.10", "10.0.0.1", 40000, 80, 6, 5, 700),
    (0, "10.0.0.1", "192.168.1.10", 80, 40000, 6, 3, 3120),
    (7, "192.168.1.11", "8.8.8.8", 5353, 53, 17, 2, 156),
    (100, "192.168.2.20", "10.0.0.2", 1234, 5678, 17, 1, 38),
    (300, "192.168.3.30", "10.0.0.3", 2000, 3000, 17, 4, 400),
    (3704, "192.168.4.40", "10.0.0.4", 443, 50000, 6, 6, 6000),
    (0, "2001:db8::10", "2001:db8:1::1", 50000, 443, 6, 2, 160),
    (300, "2001:db8::20", "2001:db8:1::53", 5300, 53, 17, 1, 80),
]

START_MS = 1700000000000
# IE id, length: octets, packets, src, dst, ports, proto, vlanId, times
COMMON_HEAD = [(1, 8), (2, 8)]
COMMON_TAIL = [(7, 2), (11, 2), (4, 1), (58, 2), (152, 8), (153, 8)]
TEMPLATES = {
    256: COMMON_HEAD + [(8, 4), (12, 4)] + COMMON_TAIL,
    257: COMMON_HEAD + [(27, 16), (28, 16)] + COMMON_TAIL,
}


def template_set():
    body = b""
    for tid, fields in TEMPLATES.items():
        body += struct.pack(">HH", tid, len(fields))
        for ie, length in fields:
            body += struct.pack(">HH", ie, length)
    return struct.pack(">HH", 2, 4 + len(body)) + body


def record(flow):
    vlan, src, dst, sport, dport, proto, packets, octets = flow
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    return (struct.pack(">QQ", octets, packets) + a.packed + b.packed +
            struct.pack(">HHBHQQ", sport, dport, proto, vlan, START_MS,
                        START_MS + 1000))


def data_set(tid, flows):
    body = b"".join(record(f) for f in flows)
    return struct.pack(">HH", tid, 4 + len(body)) + body


def is_v6(flow):
    return ipaddress.ip_address(flow[1]).version == 6


def write(path):
    v4 = [f for f in FLOWS if not is_v6(f)]
    v6 = [f for f in FLOWS if is_v6(f)]
    sets = template_set() + data_set(256, v4) + data_set(257, v6)
    header = struct.pack(">HHIII", 10, 16 + len(sets), START_MS // 1000,
                         0, 1)
    with open(path, "wb") as f:
        f.write(header + sets)


def keep(flow, mode):
    if mode == "all":
        return True
    if is_v6(flow):
        return False
    return mode == "ip" or flow[0] < 256


def truth(mode):
    rows = []
    for f in FLOWS:
        if keep(f, mode):
            vlan, src, dst, _, _, proto, packets, octets = f
            rows.append("%d,%s,%s,%d,%d,%d" %
                        (vlan, src, dst, proto, packets, octets))
    for row in sorted(rows):
        print(row)


def main():
    if sys.argv[1] == "--truth":
        truth(sys.argv[2])
    else:
        write(sys.argv[1])


if __name__ == "__main__":
    main()
