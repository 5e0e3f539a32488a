#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The collector's config test (-n): the seed configuration of DESIGN.md
# is accepted and printed back normalised; the same file with one key
# misspelt is refused with its file and line and the key it meant; bad
# listener settings and refresh times of 0 are refused too.

. "$top_srcdir/tests/lib.sh"
need_built "$COLLECTOR"

seed="$top_srcdir/tests/receive-seed.conf"
"$COLLECTOR" -f "$seed" -n >"$TMPD/out" 2>"$TMPD/err" ||
	fail "seed configuration refused: $(cat "$TMPD/err")"
grep -qx 'plugins: memory\[plugin1\]' "$TMPD/out" ||
	fail "no plugins line in the dump"
agg='src_host, src_port, src_mac, dst_host, dst_port, dst_mac, proto'
grep -qxF "aggregate[plugin1]: $agg" "$TMPD/out" ||
	fail "aggregate[plugin1] not in the dump"
grep -qx 'aggregate_filter\[plugin1\]: ip' "$TMPD/out" ||
	fail "aggregate_filter[plugin1] not in the dump"

# The dump is itself a configuration the collector takes.
"$COLLECTOR" -f "$TMPD/out" -n >"$TMPD/out2" 2>"$TMPD/err" ||
	fail "the dump is refused: $(cat "$TMPD/err")"
cmp -s "$TMPD/out" "$TMPD/out2" || fail "the dump does not round-trip"

# Line 7 of the seed is the aggregate line.
sed 's/^aggregate\[/agregate[/' "$seed" >"$TMPD/bad.conf"
rc=0
"$COLLECTOR" -f "$TMPD/bad.conf" -n >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "exit status on a misspelt key" 1 "$rc"
grep -q "bad.conf:7:" "$TMPD/err" || fail "no FILE:LINE in: $(cat "$TMPD/err")"
grep -q "'aggregate'" "$TMPD/err" || fail "no suggestion in: $(cat "$TMPD/err")"
[ ! -s "$TMPD/out" ] || fail "a refused configuration printed a dump"

# What only building the plugins finds (a filter libpcap cannot compile,
# an unknown primitive) also fails the config test, naming the plugin.
for bad in 'aggregate_filter[plugin1]: tcp and porrt 80' \
	'aggregate[plugin1]: src_hots'; do
	grep -v '^aggregate' "$seed" >"$TMPD/bad.conf"
	echo "$bad" >>"$TMPD/bad.conf"
	rc=0
	"$COLLECTOR" -f "$TMPD/bad.conf" -n >"$TMPD/out" 2>"$TMPD/err" ||
		rc=$?
	expect_eq "exit status for '$bad'" 1 "$rc"
	grep -q 'memory\[plugin1\]' "$TMPD/err" ||
		fail "'$bad': no plugin named in: $(cat "$TMPD/err")"
	[ ! -s "$TMPD/out" ] || fail "'$bad': a refused configuration printed"
done
grep -qF "unknown primitive 'src_hots' in aggregate; did you mean 'src_host'?" \
	"$TMPD/err" || fail "no nearest primitive in: $(cat "$TMPD/err")"
# A nearest name only when one is near: a typo of DESIGN.md's names.
for typo in 'dst_prot dst_port' 'src_mca src_mac' 'porto proto' \
	'tos_ tos' 'qwertyuiop -'; do
	set -- $typo
	grep -v '^aggregate' "$seed" >"$TMPD/bad.conf"
	echo "aggregate[plugin1]: $1" >>"$TMPD/bad.conf"
	"$COLLECTOR" -f "$TMPD/bad.conf" -n >/dev/null 2>"$TMPD/err" &&
		fail "'$1' accepted"
	if [ "$2" = - ]; then
		grep -q 'did you mean' "$TMPD/err" &&
			fail "'$1': a far name offered: $(cat "$TMPD/err")"
	else
		grep -qF "'$1' in aggregate; did you mean '$2'?" "$TMPD/err" ||
			fail "'$1': not '$2' in: $(cat "$TMPD/err")"
	fi
done

# What only starting used to find: listener settings (checked without
# binding) and a refresh time of 0, each with the key and its value.
n=0
while IFS='|' read -r lines want; do
	n=$((n + 1))
	printf '%b\n' "$lines" >"$TMPD/l$n.conf"
	rc=0
	"$COLLECTOR" -f "$TMPD/l$n.conf" -n >"$TMPD/out" 2>"$TMPD/err" ||
		rc=$?
	expect_eq "exit status for '$lines'" 1 "$rc"
	grep -qF "$want" "$TMPD/err" ||
		fail "'$lines': no \"$want\" in: $(cat "$TMPD/err")"
done <<'CASES'
collector_port: abc|collector_port 'abc': not a port number
collector_port: 4739, 70000|collector_port '70000': not a port number
collector_ip: bogus|collector_ip 'bogus': not a numeric IPv4 or IPv6
collector_ip: 127.0.0.1, 10.0.0.300|collector_ip '10.0.0.300': not a
plugins: print[p]\nprint_refresh_time: 0|print_refresh_time: 0 would
plugins: sqlite3[s]\nsql_db: /none.db\nsql_refresh_time: 0|sql_refresh_time: 0 w
CASES
expect_eq "listener and refresh cases run" 6 "$n"
printf 'collector_ip: 127.0.0.1, ::1\ncollector_port: 1, 65535\n' \
	>"$TMPD/ok.conf"
"$COLLECTOR" -f "$TMPD/ok.conf" -n >/dev/null 2>"$TMPD/err" ||
	fail "valid listener settings refused: $(cat "$TMPD/err")"

# The other switches: -h and -V exit 0, an unknown one exits 1.
"$COLLECTOR" -h >"$TMPD/out" || fail "-h failed"
grep -q '^usage: flowtally-collector' "$TMPD/out" || fail "-h: no usage"
"$COLLECTOR" -V >"$TMPD/out" || fail "-V failed"
grep -q '^flowtally-collector [0-9]' "$TMPD/out" || fail "-V: no version"
rc=0
"$COLLECTOR" -Q >"$TMPD/out" 2>"$TMPD/err" || rc=$?
expect_eq "exit status on an unknown switch" 1 "$rc"
grep -q '^usage:' "$TMPD/err" || fail "no usage on stderr for -Q"
