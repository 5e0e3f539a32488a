# SPDX-License-Identifier: ISC
#
# The decoder and flow cache against ground truth they did not produce:
# every capture in ../shared/data/captures/traffic/ against
# traffic-truth.json (tshark's decode of the outermost IP header), and a
# synthetic capture from gen_traffic.py against the truth it writes. The
# flows ftdecode-truth emits must total the truth's octets and packets and
# its octets per source and per destination address, exactly.

. "$top_srcdir/tests/lib.sh"

need_shared data/captures/traffic-truth.json tools/gen_traffic.py
need_tool python3
TOOL="$top_builddir/tests/ftdecode-truth"
need_built "$TOOL"

CAPS="$SHARED/data/captures/traffic"
for f in "$CAPS"/*; do
	"$TOOL" "$f" >"$TMPD/$(basename "$f").json" ||
		fail "ftdecode-truth failed on $f"
done

# A small synthetic LAN capture; a tight cache (-m 16) and short timeouts
# make eviction, idle, active and FIN/RST ends happen, and must not change sums.
python3 "$SHARED/tools/gen_traffic.py" --packets 20000 --seed 7 \
	--no-flows-csv --out "$TMPD/gen.pcap" >/dev/null 2>&1 ||
	fail "gen_traffic.py failed"
"$TOOL" "$TMPD/gen.pcap" >"$TMPD/gen.json" || fail "ftdecode-truth on gen"
"$TOOL" -m 16 -t tcp=30:tcp.fin=5:udp=10:icmp=10:maxlife=20 \
	"$TMPD/gen.pcap" >"$TMPD/gen-small.json" ||
	fail "ftdecode-truth -m 16 on gen"

python3 - "$CAPS" "$SHARED/data/captures/traffic-truth.json" "$TMPD" <<'EOF'
import json, os, sys

caps, truth_path, tmpd = sys.argv[1:4]
truth = json.load(open(truth_path))
bad = []

# Files where the truth does not follow its own definition (the
# outermost IP header). akvorado-vlan-ipv6.pcap is VLAN 100 + IPv6
# (payload length 139, next header 4) carrying IPv4 (total length 139)
# + GRE + PPP: tshark's protocol stack for the frame is
# eth:vlan:ipv6:ip:gre:ppp:ip:udp:dns, but the truth took the inner
# IPv4 header. The probe counts tunnels by their outer header, as the
# definition says: 40 + 139 = 179 octets between the IPv6 addresses.
override = {
    "akvorado-vlan-ipv6.pcap": {
        "bytes": 179, "packets": 1,
        "src": {"2402:f000:1:8e01::5555": 179},
        "dst": {"2607:fcd0:100:2300::b108:2a6b": 179},
    },
}

def check(name, got, want):
    for k in ("bytes", "packets", "src", "dst"):
        if got[k] != want[k]:
            bad.append("%s: %s = %s, truth %s" % (name, k, got[k], want[k]))

files = sorted(os.listdir(caps))
if set(files) != set(truth):
    bad.append("capture set and truth differ: %s"
               % sorted(set(files) ^ set(truth)))
for f in files:
    got = json.load(open(os.path.join(tmpd, f + ".json")))
    if f in override:
        if truth.get(f, {}).get("bytes") == override[f]["bytes"]:
            bad.append("%s: truth changed, drop the override" % f)
        check(f, got, override[f])
    elif f in truth:
        check(f, got, truth[f])

gt = json.load(open(os.path.join(tmpd, "gen.truth.json")))
want = {"bytes": gt["ip_bytes"], "packets": gt["packets"]}
for run in ("gen.json", "gen-small.json"):
    got = json.load(open(os.path.join(tmpd, run)))
    for k in want:
        if got[k] != want[k]:
            bad.append("%s: %s = %s, truth %s" % (run, k, got[k], want[k]))
    for h, v in gt["per_local_host"].items():
        if got["src"].get(h, 0) != v["tx_bytes"]:
            bad.append("%s: %s sent %s, truth %s"
                       % (run, h, got["src"].get(h, 0), v["tx_bytes"]))
        if got["dst"].get(h, 0) != v["rx_bytes"]:
            bad.append("%s: %s received %s, truth %s"
                       % (run, h, got["dst"].get(h, 0), v["rx_bytes"]))
    names = {"1": "icmp", "58": "icmp6", "6": "tcp", "17": "udp"}
    for num, name in names.items():
        p = got["proto"].get(num, {"packets": 0, "bytes": 0})
        t = gt["by_proto"][name]
        if (p["packets"], p["bytes"]) != (t["packets"], t["ip_bytes"]):
            bad.append("%s: %s %s, truth %s" % (run, name, p, t))
small = json.load(open(os.path.join(tmpd, "gen-small.json")))
# flowEndReason 1 idle, 2 active, 3 FIN/RST, 5 eviction: all must occur.
if 0 in [small["ended"][r] for r in (1, 2, 3, 5)]:
    bad.append("gen-small.json: an end reason never occurred: %s"
               % small["ended"])

for b in bad:
    print("FAIL:", b)
print("%d captures + synthetic: %d mismatches" % (len(files), len(bad)))
sys.exit(1 if bad else 0)
EOF
