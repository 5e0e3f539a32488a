#!/bin/sh
# Probe benchmark: CPU time of flowtally-probe and softflowd reading the
# same generated capture offline, each as a ratio to a bare libpcap read
# loop; then memory per tracked flow of both, from a capture of unique
# flows that all stay in the cache. Targets: probe <= 1.3x the read loop
# (softflowd about 2.5x), under 150 bytes a flow (softflowd 297).
. "$(dirname "$0")/lib.sh"
packets=${PACKETS:-2000000}
flows=${FLOWS:-400000}
probe=$top_builddir/probe/flowtally-probe

cc -O2 -o "$work/pcapread" "$top_srcdir/bench/pcapread.c" \
	$(pkg-config --cflags --libs libpcap)
gen() {
	python3 "$SHARED/tools/gen_traffic.py" --no-flows-csv "$@" >/dev/null
}
gen --packets "$packets" --out "$work/mix.pcap"
gen --profile manyflows --flows "$flows" --out "$work/many.pcap"
gen --profile manyflows --flows 1000 --out "$work/few.pcap"

# softflowd exports to a UDP port nobody reads: it only needs to send. It
# runs in the work folder with short relative paths: softflowd 1.1.0 given
# long ones was seen to wait on its control socket forever instead of
# exiting at the end of the file.
printf '#!/bin/sh\ncd "%s" && exec softflowd -d -p sf.pid -c sf.ctl %s "$@"\n' \
	"$work" "-v 10 -n 127.0.0.1:9" >"$work/sf.sh"
chmod +x "$work/sf.sh"

# The same active timeout as softflowd's default (a week), so that both
# export the same flows.
printf 'nfprobe_timeout_maxlife: 1w\n' >"$work/probe.conf"
base=$(cpu "$work/pcapread" "$work/mix.pcap")
ours=$(cpu "$probe" -d -f "$work/probe.conf" -r "$work/mix.pcap" -o /dev/null)
peer=$(cpu "$work/sf.sh" -r mix.pcap)
echo "offline, $packets packets: read loop ${base}s," \
	"flowtally-probe ${ours}s ($(ratio "$ours" "$base")x)," \
	"softflowd ${peer}s ($(ratio "$peer" "$base")x)"

# Memory: peak RSS holding every flow of the many-flows capture, minus a
# run holding 1000 flows, divided by the difference. The probe reserves its
# table at start, so it runs with a table of exactly that many flows;
# softflowd allocates per flow and gets room to spare.
m=$((flows * 2))
ours_few=$(rss_kb "$probe" -d -m 1000 -r "$work/few.pcap" -o /dev/null)
ours_many=$(rss_kb "$probe" -d -m "$flows" -r "$work/many.pcap" -o /dev/null)
peer_few=$(rss_kb "$work/sf.sh" -m $m -r few.pcap)
peer_many=$(rss_kb "$work/sf.sh" -m $m -r many.pcap)
per() {
	awk -v a="$1" -v b="$2" -v n="$flows" \
		'BEGIN { printf "%.0f", (a - b) * 1024 / (n - 1000) }'
}
echo "memory, $flows flows held: flowtally-probe" \
	"$(per "$ours_many" "$ours_few") bytes/flow, softflowd" \
	"$(per "$peer_many" "$peer_few") bytes/flow"
