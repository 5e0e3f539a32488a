#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Compare flow totals (from ipfix-totals.py) with a ground truth.

  probe-check.py traffic TOTALS.json TRUTH.json NAME
      traffic-truth.json entry NAME: bytes, packets, per-source and
      per-destination octets must all be equal.
  probe-check.py gen TOTALS.json TRUTH.json
      gen_traffic.py truth: ip_bytes, packets, and for every local host
      its tx_bytes (as source) and rx_bytes (as destination).
  probe-check.py extract - TRUTH.json NAME
      print the truth that applies to NAME (with the erratum below).

Prints what differs and exits 1 if anything does.
"""
import json
import sys

# Where traffic-truth.json does not follow its own definition (the
# outermost IP header). akvorado-vlan-ipv6.pcap is VLAN 100 + IPv6
# (payload length 139, next header 4) carrying IPv4 (total length 139) +
# GRE + PPP; tshark's stack for the frame is eth:vlan:ipv6:ip:gre:ppp:ip,
# but the truth took the IPv4 header inside: the outer one is 40 + 139.
ERRATA = {
    "akvorado-vlan-ipv6.pcap": {
        "bytes": 179, "packets": 1,
        "src": {"2402:f000:1:8e01::5555": 179},
        "dst": {"2607:fcd0:100:2300::b108:2a6b": 179},
    },
}


def applicable(truth, name):
    if name in ERRATA:
        if truth[name]["bytes"] == ERRATA[name]["bytes"]:
            sys.exit("%s: the truth was corrected; drop the erratum" % name)
        return ERRATA[name]
    return truth[name]


def diff_maps(what, ours, truth, out):
    for k in sorted(set(ours) | set(truth)):
        if ours.get(k, 0) != truth.get(k, 0):
            out.append("%s %s: ours %d, truth %d"
                       % (what, k, ours.get(k, 0), truth.get(k, 0)))


def check_traffic(t, truth, name):
    T = applicable(truth, name)
    out = []
    for k in ("bytes", "packets"):
        if t[k] != T[k]:
            out.append("%s: ours %d, truth %d" % (k, t[k], T[k]))
    diff_maps("src", t["src"], T.get("src", {}), out)
    diff_maps("dst", t["dst"], T.get("dst", {}), out)
    return out


def check_gen(t, T):
    out = []
    if t["bytes"] != T["ip_bytes"]:
        out.append("bytes: ours %d, truth %d" % (t["bytes"], T["ip_bytes"]))
    if t["packets"] != T["packets"]:
        out.append("packets: ours %d, truth %d"
                   % (t["packets"], T["packets"]))
    for host, h in sorted(T["per_local_host"].items()):
        for ours, key in ((t["src"], "tx_bytes"), (t["dst"], "rx_bytes")):
            if ours.get(host, 0) != h[key]:
                out.append("%s %s: ours %d, truth %d"
                           % (host, key, ours.get(host, 0), h[key]))
    return out


def main():
    kind = sys.argv[1]
    with open(sys.argv[3]) as f:
        truth = json.load(f)
    if kind == "extract":
        json.dump(applicable(truth, sys.argv[4]), sys.stdout)
        sys.stdout.write("\n")
        return
    with open(sys.argv[2]) as f:
        t = json.load(f)
    if kind == "traffic":
        out = check_traffic(t, truth, sys.argv[4])
    else:
        out = check_gen(t, truth)
    for line in out[:20]:
        print(line)
    sys.exit(1 if out else 0)


if __name__ == "__main__":
    main()
