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
grep -q "pcap_filter: 'not port': " "$TMPD/filter.err" ||
	fail "the filter error names no key and value: $(cat "$TMPD/filter.err")"

# A value the probe refuses after the registry took it names its key and
# value (the registry's own checks name FILE:LINE, as above).
for kv in 'nfprobe_timeouts: tcp=abc' 'nfprobe_timeouts: bogus=5' \
	'nfprobe_direction: sideways' 'nfprobe_transport: sctp' \
	'pcap_filter: not port'; do
	key=${kv%%: *}
	val=${kv#*: }
	printf '%s\n' "$kv" >"$TMPD/value.conf"
	if "$PROBE" -t -f "$TMPD/value.conf" -i eth0 >/dev/null \
		2>"$TMPD/value.err"; then
		fail "-t accepted '$kv'"
	fi
	grep -q "^flowtally-probe: error: $key: '$val': " "$TMPD/value.err" ||
		fail "'$kv': $(cat "$TMPD/value.err")"
	[ "$(grep -c "$key" "$TMPD/value.err")" = 1 ] ||
		fail "'$kv': the key is named twice: $(cat "$TMPD/value.err")"
done

# A capture file that cannot be opened is named once.
if "$PROBE" -d -r "$TMPD/none.pcap" >/dev/null 2>"$TMPD/nofile.err"; then
	fail "a missing capture file was accepted"
fi
[ "$(grep -o 'none\.pcap' "$TMPD/nofile.err" | wc -l)" -eq 1 ] ||
	fail "the missing file is not named once: $(cat "$TMPD/nofile.err")"

# pcap_interface_wait: false, and the interface is missing: exit 1 saying
# so, without promising to wait.
printf 'pcap_interface_wait: false\nnfprobe_output_file: %s\n' \
	"$TMPD/nowait.ipfix" >"$TMPD/nowait.conf"
if "$PROBE" -d -f "$TMPD/nowait.conf" -i ftnosuch0 >/dev/null \
	2>"$TMPD/nowait.err"; then
	fail "the probe ran on a missing interface without waiting"
fi
if grep -qi 'permission\|not permitted' "$TMPD/nowait.err"; then
	say "cannot open capture sockets; the missing interface is not checked"
else
	grep -q 'interface ftnosuch0: .*pcap_interface_wait is false' \
		"$TMPD/nowait.err" ||
		fail "no reason for giving up: $(cat "$TMPD/nowait.err")"
	if grep -q 'waiting for it' "$TMPD/nowait.err"; then
		fail "promised to wait: $(cat "$TMPD/nowait.err")"
	fi
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
