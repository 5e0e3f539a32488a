# SPDX-License-Identifier: ISC
#
# Helpers for the shell tests, sourced first thing:
#
#	. "$top_srcdir/tests/lib.sh"
#
# They stop on the first failed command, skip (exit 77) when a tool or the
# shared test material is missing, wait for readiness by polling with a
# bound, and stop every process a test started when the test ends.
# POSIX sh: make check runs these with /bin/sh.

set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)/..}"
SHARED="$top_srcdir/../shared"
PROBE="$top_builddir/probe/flowtally-probe"
COLLECTOR="$top_builddir/collector/flowtally-collector"
CLI="$top_builddir/collector/flowtally"
TZ=UTC
export TZ

# Polls: WAIT_TRIES rounds of WAIT_STEP seconds (10 s by default).
WAIT_TRIES=${WAIT_TRIES:-100}
WAIT_STEP=${WAIT_STEP:-0.1}

_lib_pids=
_lib_name=$(basename "$0" .sh)

# A private scratch directory, removed at exit.
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/ft-$_lib_name.XXXXXX")

say() {
	printf '%s: %s\n' "$_lib_name" "$*" >&2
}

_lib_failed=

fail() {
	say "FAIL: $*"
	_lib_failed=1
	exit 1
}

skip() {
	say "SKIP: $*"
	exit 77
}

# Skip unless every named program is on PATH.
need_tool() {
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 ||
			skip "$_t is not installed"
	done
}

# Skip unless the shared test material (../shared beside the source tree)
# holds the named files, e.g. need_shared data/captures/INDEX.md.
need_shared() {
	[ -d "$SHARED" ] || skip "no shared test material at $SHARED"
	for _f in "$@"; do
		[ -e "$SHARED/$_f" ] || skip "$SHARED/$_f is missing"
	done
}

# Skip unless the named programs of ours were built (e.g. "$PROBE").
need_built() {
	for _p in "$@"; do
		[ -x "$_p" ] || skip "$_p is not built"
	done
}

# Start a command in the background, logging to FILE; its pid is in
# $LAST_PID and it is stopped at exit.  Usage: start LOGFILE cmd args...
start() {
	_log=$1
	shift
	"$@" >"$_log" 2>&1 &
	LAST_PID=$!
	_lib_pids="$_lib_pids $LAST_PID"
}

# Track a pid started some other way (e.g. read from a pid file).
track_pid() {
	_lib_pids="$_lib_pids $1"
}

# Stop one process: TERM, a bounded wait, then KILL. Returns the exit
# status of our child, so `stop_pid "$pid"` under set -e also checks that
# a daemon shuts down cleanly on SIGTERM.
stop_pid() {
	_p=$1
	_rest=
	for _q in $_lib_pids; do
		[ "$_q" = "$_p" ] || _rest="$_rest $_q"
	done
	_lib_pids=$_rest
	kill -TERM "$_p" 2>/dev/null || { wait "$_p" 2>/dev/null; return; }
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ "$_i" -lt "$WAIT_TRIES" ]; do
		sleep "$WAIT_STEP"
		_i=$((_i + 1))
	done
	if kill -0 "$_p" 2>/dev/null; then
		say "pid $_p ignored SIGTERM; killing it"
		kill -KILL "$_p" 2>/dev/null || :
	fi
	wait "$_p" 2>/dev/null
}

# Wait until a process exits by itself; fails after the bound.
wait_exit() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		[ "$_i" -lt "$WAIT_TRIES" ] || fail "pid $1 did not exit"
		sleep "$WAIT_STEP"
		_i=$((_i + 1))
	done
}

# On failure, the end of every log in the scratch directory goes to the
# test's own log, so that a CI failure can be read without a rerun.
_lib_show_logs() {
	for _f in "$TMPD"/*.log "$TMPD"/*/*.log; do
		[ -s "$_f" ] || continue
		say "--- last lines of ${_f#"$TMPD"/}:"
		tail -n 15 "$_f" >&2
	done
}

_lib_cleanup() {
	_rc=$?
	set +e
	for _p in $_lib_pids; do
		stop_pid "$_p"
	done
	# A program that writes "to /dev/null" through a temporary file and
	# rename() replaces the device when run as root.
	if [ ! -c /dev/null ]; then
		say "FAIL: /dev/null is no longer a device: a command replaced it"
		_lib_failed=1
		_rc=1
	fi
	if [ "$_rc" -ne 0 ] && [ "$_rc" -ne 77 ]; then
		[ -n "$_lib_failed" ] ||
			say "FAIL: a command failed (exit $_rc); set -e stopped here"
		_lib_show_logs
	fi
	if [ "$_rc" -eq 0 ] || [ "$_rc" -eq 77 ] || [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$TMPD"
	else
		say "scratch files kept in $TMPD"
	fi
	exit "$_rc"
}
trap _lib_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Poll until the command succeeds, at most WAIT_TRIES times; fail with
# WHAT otherwise.  Usage: wait_for WHAT cmd args...
wait_for() {
	_what=$1
	shift
	_i=0
	until "$@" >/dev/null 2>&1; do
		[ "$_i" -lt "$WAIT_TRIES" ] || fail "timed out waiting for $_what"
		sleep "$WAIT_STEP"
		_i=$((_i + 1))
	done
}

_udp_bound() {
	ss -Hlun "sport = :$1" | grep -q .
}

_tcp_bound() {
	ss -Hltn "sport = :$1" | grep -q .
}

_unix_accepts() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])' "$1"
}

# Wait until a file exists and is not empty (a pid file, an output file).
wait_file() {
	wait_for "file $1" test -s "$1"
}

# Wait until a UNIX stream socket accepts a connection.
wait_unix_socket() {
	need_tool python3
	wait_for "socket $1" _unix_accepts "$1"
}

# Wait until some process has bound UDP (or TCP) port $1.
wait_udp_port() {
	need_tool ss
	wait_for "UDP port $1" _udp_bound "$1"
}

wait_tcp_port() {
	need_tool ss
	wait_for "TCP port $1" _tcp_bound "$1"
}

# Print a UDP port on 127.0.0.1 that is free right now (the kernel picks
# it). Usage: port=$(free_udp_port)
free_udp_port() {
	need_tool python3
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

free_tcp_port() {
	need_tool python3
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Fail if a log file holds a warning or an error line: the words warn,
# warning, error, critical or fatal in any case (so "3 errors" in a
# statistics line passes, "error: ..." and GLib's "WARNING **" do not).
check_log_clean() {
	[ -f "$1" ] || fail "no log file $1"
	if grep -Einw 'warn|warning|error|critical|fatal' "$1" >&2; then
		fail "$1 holds warnings or errors (above)"
	fi
}

# Fail unless two values are equal: expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
