#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Explain every difference between softflowd's totals and the truth.

  softflowd-judge.py NAME PCAP SOFTFLOWD.json SOFTFLOWD.log OURS.json TRUTH
  softflowd-judge.py --gen NAME PCAP SOFTFLOWD.json LOG OURS.json GENTRUTH

(totals from ipfix-totals.py; TRUTH is one capture's entry of
traffic-truth.json, GENTRUTH what gen_traffic.py wrote). Ours must equal
the truth (checked by probe-check.py); softflowd's must
equal what its known faults predict, worked out per frame from tshark's
decode of the capture, never from either exporter:

  * It counts the frame's wire length minus the Ethernet header (and one
    802.1Q tag), not the IP length: Ethernet padding, trailers and MPLS
    labels become IP octets.
  * It skips frames with two or more VLAN tags, PPPoE sessions and MPLS
    pseudowires.
  * Link types it does not decode at all: Linux cooked v2 (276), raw
    IPv6 (229), NFLOG (239), PPP (9); on BSD loopback (0) it takes only
    the local AF_INET and AF_INET6 values, not macOS's 30.

Elsewhere it must agree with the truth. Prints one line for the capture
and exits 1 if a difference is not explained.
"""
import json
import struct
import subprocess
import sys

UNDECODED = {276: "Linux cooked v2", 229: "raw IPv6", 239: "NFLOG",
             9: "PPP"}
LOGGED = {276, 229, 239}  # softflowd says "Unsupported datalink type N"
LOCAL_AF = {2, 10}


def link_type(path):
    with open(path, "rb") as f:
        head = f.read(64)
    magic = head[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        order = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        shb_len = struct.unpack(order + "I", head[4:8])[0]
        with open(path, "rb") as f:
            f.seek(shb_len)
            idb = f.read(12)
        return struct.unpack(order + "H", idb[8:10])[0]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack("<I", head[20:24])[0]
    return struct.unpack(">I", head[20:24])[0]


def tshark(path, *fields):
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return [(l.split("\t") + [""] * len(fields))[:len(fields)]
            for l in out.stdout.splitlines()]


def ether_model(path):
    """softflowd's octets and packets on an Ethernet capture."""
    octets = packets = skipped = 0
    rows = tshark(path, "frame.len", "frame.protocols", "vlan.id")
    for wire, protos, vlans in rows:
        st = protos.split(":")
        if "ip" not in st and "ipv6" not in st:
            continue
        ntags = len([v for v in vlans.split(",") if v])
        if ntags > 1 or "pppoes" in st or "pwethcw" in st:
            skipped += 1
            continue
        i = 2 + 2 * ntags  # eth:ethertype[:vlan:ethertype]...
        while i < len(st) and st[i] == "mpls":
            i += 1
        if i >= len(st) or st[i] not in ("ip", "ipv6"):
            continue
        octets += int(wire) - 14 - 4 * ntags
        packets += 1
    return octets, packets, skipped


def null_families(path):
    return {int(r[0]) for r in tshark(path, "null.family") if r[0]}


def bp(t):
    return "%d/%d" % (t["bytes"], t["packets"])


def judge(name, pcap, sf, sflog, ours, truth):
    dlt = link_type(pcap)
    same = all(sf[k] == truth[k] for k in ("bytes", "packets", "src", "dst"))
    if dlt in UNDECODED:
        if sf["flows"] != 0:
            return False, "link type %d exported flows" % dlt
        if dlt in LOGGED and ("Unsupported datalink type %d" % dlt
                              not in sflog):
            return False, "no 'Unsupported datalink type' in its log"
        return True, "does not decode link type %d (%s)" % (
            dlt, UNDECODED[dlt])
    if dlt == 1:
        octets, packets, skipped = ether_model(pcap)
        if (sf["bytes"], sf["packets"]) != (octets, packets):
            return False, "model predicts %d/%d" % (octets, packets)
        if same:
            return True, "agrees"
        if skipped:
            return True, ("skips %d QinQ, PPPoE or MPLS pseudowire frames"
                          % skipped)
        return True, ("counts %d octets of padding, trailers or MPLS "
                      "labels as IP" % (sf["bytes"] - truth["bytes"]))
    if dlt == 0 and not null_families(pcap) <= LOCAL_AF:
        if sf["flows"] != 0:
            return False, "exported flows of a foreign loopback family"
        return True, "skips BSD loopback family %s" % sorted(
            null_families(pcap) - LOCAL_AF)
    return same, "agrees" if same else "unexplained difference"


def judge_gen(pcap, sf, T):
    """gen_traffic.py states the padding: l2_padding_bytes, tx/rx_l2pad."""
    octets, packets, _ = ether_model(pcap)
    if (sf["bytes"], sf["packets"]) != (octets, packets):
        return False, "model predicts %d/%d" % (octets, packets)
    if sf["bytes"] != T["ip_bytes"] + T["l2_padding_bytes"]:
        return False, "octets are not ip_bytes + l2_padding_bytes"
    for host, h in T["per_local_host"].items():
        if (sf["src"].get(host, 0) != h["tx_bytes"] + h["tx_l2pad"] or
                sf["dst"].get(host, 0) != h["rx_bytes"] + h["rx_l2pad"]):
            return False, "host %s is not its bytes + l2pad" % host
    return True, ("counts the %d octets of Ethernet padding (l2pad) as IP,"
                  " host by host" % T["l2_padding_bytes"])


def main():
    gen = sys.argv[1] == "--gen"
    args = sys.argv[2:] if gen else sys.argv[1:]
    name, pcap, sf_path, log_path, ours_path, truth_path = args[:6]
    sf = json.load(open(sf_path))
    ours = json.load(open(ours_path))
    truth = json.load(open(truth_path))
    sflog = open(log_path, errors="replace").read()
    if gen:
        ok, why = judge_gen(pcap, sf, truth)
        truth = {"bytes": truth["ip_bytes"], "packets": truth["packets"]}
    else:
        ok, why = judge(name, pcap, sf, sflog, ours, truth)
    print("%-36s truth %s  flowtally %s  softflowd %s: %s"
          % (name, bp(truth), bp(ours), bp(sf), why))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
