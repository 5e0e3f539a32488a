#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Per-key totals of the flow records of a capture, from tshark's decode.

Reads `tshark -T json` of an IPFIX / NetFlow file on stdin and prints one
CSV line per key, sorted, as `flowtally -s -O csv -u` prints its rows:
the key values, then packets, then bytes. The values come from Wireshark's
dissector, not from flowtally, so a test can compare the two.

usage: tshark -r FILE -T json | tshark-flow-truth.py KEY[,KEY...]
KEY: src_host dst_host src_port dst_port proto, or sum_host alone (each
record counts for its source and for its destination, as pmacct's
sum_host does). A record without ports has port 0, except that an ICMP
record's dst_port is its icmpTypeCode (type * 256 + code), as NetFlow
exporters put it there.
"""

import ipaddress
import json
import sys

FIELDS = {
    "src_host": ("cflow.srcaddr", "cflow.srcaddrv6"),
    "dst_host": ("cflow.dstaddr", "cflow.dstaddrv6"),
    "proto": ("cflow.protocol",),
    "src_port": ("cflow.srcport",),
    "dst_port": ("cflow.dstport", "cflow.icmp_type_code_ipv4",
                 "cflow.icmp_type_code_ipv6"),
}


def records(node):
    """Every flow record object under a dissected packet."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name.startswith("Flow "):
                yield from value if isinstance(value, list) else [value]
            else:
                yield from records(value)
    elif isinstance(node, list):
        for value in node:
            yield from records(value)


def field(rec, key):
    for name in FIELDS[key]:
        if name in rec:
            value = rec[name]
            if key.endswith("_host"):
                return str(ipaddress.ip_address(value))
            return str(int(value, 0))
    if key.endswith("_port"):
        return "0"
    raise KeyError("record without %s" % key)


def main():
    keys = sys.argv[1].split(",")
    totals = {}
    for pkt in json.load(sys.stdin):
        for rec in records(pkt["_source"]["layers"]):
            if "cflow.octets" not in rec:
                continue
            counters = (int(rec["cflow.packets"]), int(rec["cflow.octets"]))
            if keys == ["sum_host"]:
                tuples = [(field(rec, "src_host"),),
                          (field(rec, "dst_host"),)]
            else:
                tuples = [tuple(field(rec, k) for k in keys)]
            for t in tuples:
                p, b = totals.get(t, (0, 0))
                totals[t] = (p + counters[0], b + counters[1])
    lines = [",".join(t + (str(p), str(b))) for t, (p, b) in totals.items()]
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main()
