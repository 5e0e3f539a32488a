#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Totals of flow records, read from the text of an independent decoder.

  ipfix-totals.py ipfixdump FILE     ipfixDump (libfixbuf-tools) output
  ipfix-totals.py nfdump FILE        nfdump -o csv output
  ipfix-totals.py pmacct SRC DST [ADDR...]
                                     pmacct print plugin CSV files, one
                                     aggregated on src_host, one on
                                     dst_host; rows of ADDR left out

Prints one JSON object: bytes, packets, flows, octets per source and per
destination address (addresses normalised), the end reasons seen and, for
ipfixDump, the fields of the last statistics options record.
"""
import csv
import ipaddress
import json
import re
import sys


def norm(a):
    return str(ipaddress.ip_address(a.strip()))


def new_totals():
    return {"bytes": 0, "packets": 0, "flows": 0, "src": {}, "dst": {},
            "end_reasons": {}, "stats": {}}


def add_flow(t, src, dst, octets, packets, reason=None):
    t["bytes"] += octets
    t["packets"] += packets
    t["flows"] += 1
    t["src"][src] = t["src"].get(src, 0) + octets
    t["dst"][dst] = t["dst"].get(dst, 0) + octets
    if reason is not None:
        t["end_reasons"][reason] = t["end_reasons"].get(reason, 0) + 1


FIELD = re.compile(r"^\s*\((\d+)\)\s*(?:\(S\))?\s*(\w+)\s*:\s*(.*)$")


def finish_record(t, rec):
    if "octetDeltaCount" in rec:
        src = rec.get("sourceIPv4Address") or rec.get("sourceIPv6Address")
        dst = (rec.get("destinationIPv4Address")
               or rec.get("destinationIPv6Address"))
        add_flow(t, norm(src), norm(dst), int(rec["octetDeltaCount"]),
                 int(rec["packetDeltaCount"]), rec.get("flowEndReason"))
    elif "exportedFlowRecordTotalCount" in rec:
        t["stats"] = {k: v for k, v in rec.items()}


def from_ipfixdump(path):
    t = new_totals()
    rec = None
    with open(path) as f:
        for line in f:
            if line.startswith("--- data record"):
                if rec is not None:
                    finish_record(t, rec)
                rec = {}
                continue
            if line.startswith("---") or line.startswith("***"):
                if rec is not None:
                    finish_record(t, rec)
                rec = None
                continue
            m = FIELD.match(line)
            if m and rec is not None:
                rec[m.group(2)] = m.group(3).strip()
    if rec is not None:
        finish_record(t, rec)
    return t


def from_nfdump(path):
    t = new_totals()
    with open(path) as f:
        rows = csv.reader(f)
        head = next(rows)
        col = {name: i for i, name in enumerate(head)}
        for r in rows:
            if len(r) < len(head) or not r[col["sa"]]:
                continue
            add_flow(t, norm(r[col["sa"]]), norm(r[col["da"]]),
                     int(r[col["ibyt"]]), int(r[col["ipkt"]]))
    return t


def pmacct_side(path, col, skip):
    out = {}
    packets = octets = 0
    with open(path) as f:
        for r in csv.DictReader(f):
            if r.get(col) in (None, col):
                continue  # a header repeated by an appended write
            a = norm(r[col])
            if a in skip:
                continue
            out[a] = out.get(a, 0) + int(r["BYTES"])
            packets += int(r["PACKETS"])
            octets += int(r["BYTES"])
    return out, packets, octets


def from_pmacct(src_path, dst_path, skip):
    t = new_totals()
    skip = {norm(a) for a in skip}
    t["src"], t["packets"], t["bytes"] = pmacct_side(src_path, "SRC_IP",
                                                     skip)
    t["dst"], _, _ = pmacct_side(dst_path, "DST_IP", skip)
    return t


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "ipfixdump":
        t = from_ipfixdump(path)
    elif kind == "pmacct":
        t = from_pmacct(path, sys.argv[3], sys.argv[4:])
    else:
        t = from_nfdump(path)
    json.dump(t, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
