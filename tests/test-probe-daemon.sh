#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The daemon conventions of flowtally-probe: -V and -h, the configuration
# test (-t prints the normalised configuration and exits 0, or names
# FILE:LINE and exits 1), and a live run that detaches, writes its pid
# file and log file, reports on SIGUSR1 and exports on SIGTERM.

. "$top_srcdir/tests/lib.sh"

need_built "$PROBE"

"$PROBE" -V | grep -q '^flowtally-probe [0-9]' || fail "-V"
"$PROBE" -h | grep -q '^usage: flowtally-probe' || fail "-h"
if "$PROBE" -Q >/dev/null 2>&1; then
	fail "an unknown option was accepted"
fi

# -t: pmacct's nfprobe keys on a plugin, and the normalised dump.
cat >"$TMPD/ok.conf" <<'CONF'
! pmacct style
plugins: nfprobe[ipfire]
nfprobe_receiver[ipfire]: 127.0.0.1:4739
nfprobe_engine[ipfire]: 5
nfprobe_timeouts[ipfire]: tcp=120:maxlife=3600
pcap_interface: eth0
pcap_filter: not port 4739
CONF
"$PROBE" -t -f "$TMPD/ok.conf" >"$TMPD/ok.out" 2>"$TMPD/ok.err" ||
	fail "-t rejected a good configuration: $(cat "$TMPD/ok.err")"
grep -q '^nfprobe_engine\[ipfire\]: 5$' "$TMPD/ok.out" ||
	fail "-t did not print the normalised configuration"
grep -q '^pcap_filter: not port 4739$' "$TMPD/ok.out" ||
	fail "-t lost the filter"

printf 'plugins: nfprobe[x]\nnfprobe_recevier[x]: 1.2.3.4:5\n' \
	>"$TMPD/bad.conf"
if "$PROBE" -t -f "$TMPD/bad.conf" >/dev/null 2>"$TMPD/bad.err"; then
	fail "-t accepted a misspelt key"
fi
grep -q "bad.conf:2:" "$TMPD/bad.err" || fail "no FILE:LINE in: $(cat \
	"$TMPD/bad.err")"
if "$PROBE" -t -i eth0 'not port' >/dev/null 2>"$TMPD/filter.err"; then
	fail "-t accepted a broken filter"
fi
printf 'nfprobe_engine: 1:2\n' >"$TMPD/engine.conf"
if "$PROBE" -t -f "$TMPD/engine.conf" -i eth0 >/dev/null 2>&1; then
	fail "-t accepted a v5 engine pair for IPFIX"
fi

# Only IPFIX is exported for now: NetFlow v9 and v5 are refused where
# they are written.
for v in 9 5; do
	printf 'nfprobe_version: %s\n' "$v" >"$TMPD/v$v.conf"
	if "$PROBE" -t -f "$TMPD/v$v.conf" -i eth0 >/dev/null \
		2>"$TMPD/v$v.err"; then
		fail "-t accepted nfprobe_version $v"
	fi
	grep -q "v$v\.conf:1: nfprobe_version: '$v'" "$TMPD/v$v.err" ||
		fail "no FILE:LINE in: $(cat "$TMPD/v$v.err")"
done
printf 'nfprobe_version: 10\n' >"$TMPD/v10.conf"
"$PROBE" -t -f "$TMPD/v10.conf" -i eth0 >/dev/null ||
	fail "-t refused nfprobe_version 10"

# With neither -n nor -o, the export goes to IPFIX's port, 4739 (RFC 7011,
# section 10.3), where flowtally-collector listens by default.  The one
# frame of a capture is enough for the exporter to name its collector.
need_shared data/captures/traffic/akvorado-mpls-ipv4.pcap
"$PROBE" -d -r "$SHARED/data/captures/traffic/akvorado-mpls-ipv4.pcap" \
	udp port 9 >/dev/null 2>"$TMPD/default.err" || :
grep -q '^flowtally-probe: info: udp 127\.0\.0\.1:4739: ' \
	"$TMPD/default.err" ||
	fail "the default collector is not 127.0.0.1:4739: $(cat \
	"$TMPD/default.err")"

# A live run on lo: detach, pid file, SIGUSR1, SIGTERM.
cat >"$TMPD/live.conf" <<CONF
pidfile: $TMPD/probe.pid
logfile: $TMPD/probe.log
nfprobe_output_file: $TMPD/live.ipfix
CONF
if ! "$PROBE" -f "$TMPD/live.conf" -i lo udp port 9 2>"$TMPD/start.err"
then
	grep -q 'lo:' "$TMPD/start.err" &&
		skip "cannot capture on lo: $(cat "$TMPD/start.err")"
	fail "the probe did not start: $(cat "$TMPD/start.err")"
fi
wait_file "$TMPD/probe.pid"
pid=$(cat "$TMPD/probe.pid")
track_pid "$pid"
kill -USR1 "$pid"
wait_for "the statistics on SIGUSR1" grep -q 'decode: ' "$TMPD/probe.log"
kill -TERM "$pid"
wait_exit "$pid"
wait_for "the file to be renamed into place" test -s "$TMPD/live.ipfix"
check_log_clean "$TMPD/probe.log"
say "-V, -h, -t, detach, pid file, SIGUSR1 and SIGTERM behave"
