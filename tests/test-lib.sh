# SPDX-License-Identifier: ISC
#
# The shell test helpers themselves: a UDP listener, a UNIX socket and a
# pid file are waited for, a clean and a dirty log are told apart, and a
# started process is stopped by its pid. Other shell tests rely on these.
. "$top_srcdir/tests/lib.sh"

need_tool python3 ss

# A UDP listener on a free port is seen by wait_udp_port.
port=$(free_udp_port)
case $port in
'' | *[!0-9]*) fail "free_udp_port printed '$port'" ;;
esac
start "$TMPD/udp.log" python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write("ready\n")
time.sleep(60)' "$port" "$TMPD/udp.ready"
udp_pid=$LAST_PID
wait_udp_port "$port"
wait_file "$TMPD/udp.ready"

# A UNIX socket that accepts.
start "$TMPD/unix.log" python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(4)
while True:
    s.accept()[0].close()' "$TMPD/q.sock"
unix_pid=$LAST_PID
wait_unix_socket "$TMPD/q.sock"

# A bound that ends: nothing listens on this path.
if (WAIT_TRIES=3 wait_unix_socket "$TMPD/none.sock") 2>/dev/null; then
	fail "wait_unix_socket returned on a missing socket"
fi

# Logs.
printf 'info: started\ninfo: 0 errors, 0 warnings\n' >"$TMPD/clean.log"
check_log_clean "$TMPD/clean.log"
for line in 'ft: warning: exporter lost' 'ft: error: bind' \
	'(process:1): GLib-WARNING **: x' 'fatal: no memory'; do
	printf 'info: started\n%s\n' "$line" >"$TMPD/dirty.log"
	if (check_log_clean "$TMPD/dirty.log") 2>/dev/null; then
		fail "check_log_clean passed '$line'"
	fi
done

# Stopping: python dies of SIGTERM (status 143); the port is then free.
rc=0
stop_pid "$udp_pid" || rc=$?
expect_eq "status of a process killed by SIGTERM" 143 "$rc"
kill -0 "$udp_pid" 2>/dev/null && fail "pid $udp_pid still runs"
if ss -Hlun "sport = :$port" | grep -q .; then
	fail "UDP port $port still bound"
fi
stop_pid "$unix_pid" || :
expect_eq "shared material" "$top_srcdir/../shared" "$SHARED"
