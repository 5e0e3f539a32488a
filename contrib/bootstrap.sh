#!/bin/sh
# SPDX-License-Identifier: ISC
#
# From a fresh Debian 12 checkout to a result, in one command:
#
#	contrib/bootstrap.sh demo	build, then run probe -> collector ->
#					flowtally on the bundled capture
#	contrib/bootstrap.sh check	build, then make check and
#					make style-check, ending with one line
#					"N passed, N failed"
#
# Both install the Debian packages that are missing (with sudo when not
# root) and build out of tree in build/ of the checkout, so the source
# tree stays clean. .ci/run calls the second one.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
jobs=$(nproc 2>/dev/null || echo 2)

packages="build-essential autoconf automake libtool pkg-config libpcap-dev
libfixbuf-dev libfixbuf-tools libglib2.0-dev libsqlite3-dev sqlite3
libcmocka-dev clang-format tshark softflowd pmacct nfdump python3
iproute2"

say() {
	printf 'bootstrap: %s\n' "$*" >&2
}

die() {
	say "$*"
	exit 1
}

usage() {
	echo "usage: contrib/bootstrap.sh demo|check" >&2
	exit 2
}

installed() {
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

# Install what dpkg does not list as installed; nothing else is touched.
install_missing() {
	missing=
	if ! command -v dpkg >/dev/null 2>&1; then
		say "no dpkg: not Debian; make sure these are installed:"
		# shellcheck disable=SC2086 # one word per package
		say $packages
		return 0
	fi
	for p in $packages; do
		installed "$p" || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	say "installing:$missing"
	sudo=
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			die "not root and no sudo: as root, run apt-get install$missing"
		sudo=sudo
	fi
	$sudo apt-get update -q
	# tshark asks whether to let non-root users capture: take the
	# default (no) instead of stopping at the question.
	# shellcheck disable=SC2086 # one word per package
	$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $missing
}

# Each step returns on failure: this runs as an if condition, where set -e
# does not apply.
build_tree() {
	cd "$top" || return 1
	if [ -f config.status ]; then
		say "$top was configured in place; run 'make distclean' there" \
			"first (the build goes to build/)"
		return 1
	fi
	if [ ! -x configure ] || [ -n "$(find configure.ac -newer configure)" ]
	then
		say "running autogen.sh"
		./autogen.sh || return 1
	fi
	mkdir -p "$build" && cd "$build" || return 1
	if [ ! -f Makefile ]; then
		say "configuring in $build"
		"$top/configure" -q || return 1
	fi
	say "building"
	make -s -j"$jobs"
}

# Sum one field of the summaries of every automake test-suite.log under
# build/. Only the header counts: the failed tests' logs follow it.
sum_field() {
	find "$build" -name test-suite.log -exec awk -v f="# $1:" '
		FNR == 1 { head = 1 }
		/^\.\. contents::/ { head = 0 }
		head && index($0, f) == 1 { n += $NF }
		END { print n + 0 }' {} + |
		awk '{ n += $1 } END { print n + 0 }'
}

run_check() {
	check_rc=0
	style_rc=0

	find "$build" -name test-suite.log -exec rm -f {} +
	say "running make check"
	make -j"$jobs" check VERBOSE=1 || check_rc=$?
	say "running make style-check"
	make style-check || style_rc=$?

	pass=$(sum_field PASS)
	xfail=$(sum_field XFAIL)
	skip=$(sum_field SKIP)
	failed=$(($(sum_field FAIL) + $(sum_field XPASS) + $(sum_field ERROR)))
	passed=$((pass + xfail))
	# style-check is counted as one more test; a make check that stopped
	# before its tests ran (a build error) counts as a failure.
	if [ "$style_rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	if [ "$check_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		say "make check failed (exit $check_rc) outside the tests"
		failed=1
	fi
	[ "$skip" -eq 0 ] || say "$skip tests skipped (see their logs)"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# The demo pipeline, set up by run_demo. Cleanup stops what it started.
demo_pid=

demo_cleanup() {
	if [ -n "$demo_pid" ]; then
		kill "$demo_pid" 2>/dev/null || :
		wait "$demo_pid" 2>/dev/null || :
	fi
}

free_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Stop here, after the build, when a program the demo needs does not do
# its part yet.  Usage: demo_missing MESSAGE [LOGFILE]
demo_missing() {
	say "the build is done; the demo stops here: $1"
	[ $# -lt 2 ] || [ ! -s "$2" ] || sed 's/^/    /' "$2" >&2
	exit 1
}

# The table, printed once two reads a fifth of a second apart agree, so
# that every exported flow has been counted (at most 10 seconds).
demo_query() {
	prev=''
	i=0
	while [ "$i" -lt 50 ]; do
		cur=$("$cli" -p "$sock" -s -T bytes 2>"$dir/cli.err") || cur=
		if [ -n "$cur" ] && [ "$cur" = "$prev" ]; then
			break
		fi
		prev=$cur
		sleep 0.2
		i=$((i + 1))
	done
	[ -n "$cur" ] ||
		demo_missing "flowtally cannot query $sock:" "$dir/cli.err"
	printf '%s\n' "$cur"
	# Rows start with an address; sum their packets and bytes.
	printf '%s\n' "$cur" | awk '$1 ~ /^[0-9a-f]*[.:]/ && NF >= 3 \
		{ p += $(NF - 1); b += $NF }
		END { printf "table total: %d packets, %d bytes\n", p, b }'
}

demo_truth() {
	python3 - "$1" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
hosts = sorted(t["per_local_host"].items(),
               key=lambda kv: (-kv[1]["tx_bytes"], kv[0]))
print("ground truth (%s): %d packets, %d IP bytes in total"
      % (sys.argv[1].split("/")[-1], t["packets"], t["ip_bytes"]))
print("bytes and packets sent by each local host (src_host):")
for host, h in hosts:
    print("  %-40s %10d %8d" % (host, h["tx_bytes"], h["tx_packets"]))
EOF
}

run_demo() {
	demo="$top/contrib/demo"
	dir="$build/demo"
	probe="$build/probe/flowtally-probe"
	collector="$build/collector/flowtally-collector"
	cli="$build/collector/flowtally"

	for p in "$probe" "$collector" "$cli"; do
		[ -x "$p" ] || demo_missing "$p was not built"
	done
	mkdir -p "$dir"
	rm -f "$dir"/*.log "$dir"/demo.sock
	port=$(free_port)
	sock="$dir/demo.sock"
	cat >"$dir/collector.conf" <<EOF
! flowtally demo: one memory table of bytes per source host
collector_ip: 127.0.0.1
collector_port: $port
plugins: memory[demo]
aggregate[demo]: src_host
imt_path[demo]: $sock
EOF
	"$collector" -f "$dir/collector.conf" -n >"$dir/conftest.log" 2>&1 ||
		demo_missing "flowtally-collector rejects the demo config:" \
			"$dir/conftest.log"

	trap demo_cleanup EXIT
	"$collector" -d -f "$dir/collector.conf" >"$dir/collector.log" 2>&1 &
	demo_pid=$!
	i=0
	while [ ! -S "$sock" ]; do
		kill -0 "$demo_pid" 2>/dev/null ||
			demo_missing "flowtally-collector exited:" \
				"$dir/collector.log"
		[ "$i" -lt 100 ] ||
			demo_missing "no query socket $sock after 10 s:" \
				"$dir/collector.log"
		sleep 0.1
		i=$((i + 1))
	done

	say "probe: $demo/lan.pcap -> IPFIX -> 127.0.0.1:$port"
	"$probe" -r "$demo/lan.pcap" -n "127.0.0.1:$port" \
		>"$dir/probe.log" 2>&1 ||
		demo_missing "flowtally-probe failed on the capture:" \
			"$dir/probe.log"

	echo "flowtally -p $sock -s -T bytes"
	demo_query
	echo
	demo_truth "$demo/lan.truth.json"
}

[ $# -eq 1 ] || usage
case $1 in
demo | check) ;;
*) usage ;;
esac
install_missing
if ! (build_tree); then
	say "the build failed"
	[ "$1" = demo ] || echo "0 passed, 1 failed"
	exit 1
fi
cd "$build"
case $1 in
check) run_check ;;
demo) run_demo ;;
esac
