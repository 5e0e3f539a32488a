# SPDX-License-Identifier: ISC
"""Write real packets for flow records into a pcap file.

Each input line describes one flow record (whitespace-separated fields:
family src dst proto sport dport tos tcpflags vlan srcmac dstmac packets
octets) and gives two Ethernet frames: the packet without any VLAN tag,
then the same packet with an 802.1Q tag when vlan is not 0 (else the
untagged packet again). Packets are built the way a host would send them:
correct total and payload lengths, checksums, a payload that brings the
IP length up to the flow's mean packet size. The filter test runs
libpcap over these frames to learn what a BPF expression says about a
real packet of each flow.

usage: mkpackets.py RECORDS PCAP
"""

import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def l4(proto, sport, dport, flags, plen, pseudo):
    """Transport header and payload, `plen` bytes in all."""
    if proto == 6:
        hdr = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4,
                          flags, 65535, 0, 0)
    elif proto in (1, 58):
        hdr = struct.pack("!BBHHH", dport >> 8, dport & 0xFF, 0, 1, 1)
    else:
        hdr = struct.pack("!HHHH", sport, dport, plen, 0)
    seg = hdr + b"x" * max(0, plen - len(hdr))
    if proto != 1:
        c = csum(pseudo(len(seg)) + seg)
    else:
        c = csum(seg)
    off = {6: 16, 17: 6, 1: 2, 58: 2}.get(proto)
    if off is not None:
        seg = seg[:off] + struct.pack("!H", c) + seg[off + 2:]
    return seg


def l4_min(proto):
    return 20 if proto == 6 else 8


def ipv4(r, total):
    src = socket.inet_pton(socket.AF_INET, r["src"])
    dst = socket.inet_pton(socket.AF_INET, r["dst"])

    def pseudo(n):
        return src + dst + struct.pack("!BBH", 0, r["proto"], n)

    seg = l4(r["proto"], r["sport"], r["dport"], r["flags"], total - 20,
             pseudo)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, r["tos"], total, 1, 0, 64,
                      r["proto"], 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return 0x0800, hdr + seg


def ipv6(r, total):
    src = socket.inet_pton(socket.AF_INET6, r["src"])
    dst = socket.inet_pton(socket.AF_INET6, r["dst"])

    def pseudo(n):
        return src + dst + struct.pack("!I3xB", n, r["proto"])

    seg = l4(r["proto"], r["sport"], r["dport"], r["flags"], total - 40,
             pseudo)
    first = 6 << 28 | r["tos"] << 20
    hdr = struct.pack("!IHBB16s16s", first, len(seg), r["proto"], 64, src,
                      dst)
    return 0x86DD, hdr + seg


def frame(r, tagged):
    iphdr = 40 if r["family"] == 6 else 20
    total = max(iphdr + l4_min(r["proto"]), r["octets"] // r["packets"])
    etype, ip = (ipv6 if r["family"] == 6 else ipv4)(r, total)
    eth = bytes.fromhex(r["dstmac"].replace(":", ""))
    eth += bytes.fromhex(r["srcmac"].replace(":", ""))
    if tagged and r["vlan"]:
        eth += struct.pack("!HH", 0x8100, r["vlan"])
    return eth + struct.pack("!H", etype) + ip


def parse(line):
    f = line.split()
    keys = ("family src dst proto sport dport tos flags vlan srcmac dstmac "
            "packets octets").split()
    r = dict(zip(keys, f))
    for k in ("family", "proto", "sport", "dport", "tos", "flags", "vlan",
              "packets", "octets"):
        r[k] = int(r[k], 0)
    return r


def main():
    records = [parse(l) for l in open(sys.argv[1]) if l.strip()]
    with open(sys.argv[2], "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, r in enumerate(records):
            for tagged in (False, True):
                pkt = frame(r, tagged)
                out.write(struct.pack("<IIII", 1700000000 + i, 0, len(pkt),
                                      len(pkt)))
                out.write(pkt)


if __name__ == "__main__":
    main()
