#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Golden tests of every flowtally output layout. A stand-in server
# (fake-qserver.py) serves the rows of the pmacct reference's test traffic
# (shared/reference/pmacct-1.7.7.md, top); the expected files in
# tests/golden/query are pmacct 1.7.7's observed outputs from reference
# section 4 (see the README there). Where flowtally fixes a pmacct client
# bug, the test asserts the fixed behaviour and names the bug.
. "$top_srcdir/tests/lib.sh"

need_tool python3 cmp diff
need_built "$CLI"
G="$top_srcdir/tests/golden/query"
FAKE="$top_srcdir/tests/fake-qserver.py"

# serve NAME FIXTURE: a fake server on $TMPD/NAME.sock, requests in NAME.log
serve() {
	start "$TMPD/$1.server" python3 "$FAKE" "$TMPD/$1.sock" "$G/$2" \
		"$TMPD/$1.log"
	wait_unix_socket "$TMPD/$1.sock"
}

# run NAME args...: the CLI must succeed with nothing on stderr
run() {
	_n=$1
	shift
	"$CLI" "$@" >"$TMPD/got" 2>"$TMPD/err" ||
		fail "$_n: exit status $?: $(cat "$TMPD/err")"
	[ ! -s "$TMPD/err" ] || fail "$_n: stderr: $(cat "$TMPD/err")"
}

# golden NAME EXPECTED_FILE args...: byte-for-byte comparison
golden() {
	_n=$1
	_e=$2
	shift 2
	run "$_n" "$@"
	cmp -s "$G/$_e" "$TMPD/got" || {
		diff -u "$G/$_e" "$TMPD/got" >&2 || :
		fail "$_n: output differs from $_e"
	}
}

# output NAME EXPECTED_TEXT args...: the whole stdout
output() {
	_n=$1
	_e=$2
	shift 2
	run "$_n" "$@"
	expect_eq "$_n" "$_e" "$(cat "$TMPD/got")"
}

# misuse NAME STDERR_PATTERN args...: exit 1, stdout empty, message on
# stderr. pmacct prints its errors on stdout (reference 4.1): not here.
misuse() {
	_n=$1
	_pat=$2
	shift 2
	_rc=0
	"$CLI" "$@" >"$TMPD/got" 2>"$TMPD/err" || _rc=$?
	expect_eq "$_n: exit status" 1 "$_rc"
	[ ! -s "$TMPD/got" ] || fail "$_n: stdout not empty: $(cat "$TMPD/got")"
	grep -q -- "$_pat" "$TMPD/err" ||
		fail "$_n: stderr lacks '$_pat': $(cat "$TMPD/err")"
}

serve ipfire ipfire.rows
S=$TMPD/ipfire.sock

# Reference 4.3: the IPFire layout, its widths and footer; the header is
# 191 characters long with columns starting at 0,19,38,85,132,142,152,
# 164 and 186.
golden show show.out -p "$S" -s
starts=$(head -n 1 "$TMPD/got" | awk '{
	for (i = 1; i <= length($0); i++)
		if (substr($0, i, 1) != " " && substr($0, i - 1, 1) == " " ||
		    i == 1)
			s = s (s == "" ? "" : ",") i - 1
	print s "/" length($0)
}')
expect_eq "header column starts" "0,19,38,85,132,142,152,164,186/191" \
	"$starts"
golden show-long show.out --socket "$S" --show --output formatted
golden top-bytes top-bytes.out -p "$S" -s -T bytes
golden top-packets-2 top-packets-2.out -p "$S" -s -T packets,2
golden top-long top-packets-2.out -p "$S" -s --top packets,2

# Reference 4.4: CSV, separators, numeric protocols, JSON lines.
golden csv csv.out -p "$S" -s -O csv
golden csv-semicolon csv-semicolon.out -p "$S" -s -O csv -E ';'
golden csv-tab csv-tab.out -p "$S" -s -O csv -E '\t'
golden csv-u csv-u.out -p "$S" -s -O csv -u
golden json json.out -p "$S" -s -O json

# Reference 4.3: -M with several queries under one header and footer.
golden match-2q match-2q.out -p "$S" -c src_host,dst_host \
	-M '192.168.1.10,*;*,192.168.1.10'
golden match-csv csv-match-80.out -p "$S" -c dst_port -M 80 -O csv
golden match-proto-name match-53.out -p "$S" -c proto,dst_port -M 'udp,53'
golden match-order match-53.out -p "$S" -c dst_port,proto -M '53,17'

# Reference 4.5: -N figures, -S, -n all.
output count 728 -p "$S" -c src_host -N 192.168.1.10
output count-2q "728
3120" -p "$S" -c src_host -N '192.168.1.10;10.0.0.1'
output count-sum 3848 -p "$S" -c src_host -N '192.168.1.10;10.0.0.1' -S
output count-packets 6 -p "$S" -c src_host -N 192.168.1.10 -n packets
output count-all "6 728 0 2" -p "$S" -c src_host -N 192.168.1.10 -n all
output count-miss "0 0 0 0" -p "$S" -c src_host -N 192.0.2.1 -n all
output count-v6 160 -p "$S" -c src_host -N '2001:0db8:0:0::10'
# pmacct bug (reference 4.5): on an exact lookup -n all's 4th field is
# garbage (observed 1018294389); ours counts the one entry.
keys=src_mac,dst_mac,src_host,dst_host,src_port,dst_port,proto
key=00:11:22:33:44:01,00:11:22:33:44:02,192.168.1.10,10.0.0.1,40000,80,tcp
output count-all-exact "5 700 0 1" -p "$S" -c "$keys" -N "$key" -n all
printf '192.168.1.10\n\n10.0.0.1\n' >"$TMPD/queries"
output count-file "728
3120" -p "$S" -c src_host -N "file:$TMPD/queries"

# -a: pmacct 1.7.7's rows carry columns its header lacks (reference 4.5);
# ours have exactly the header's columns, at the header's positions.
run all-csv -p "$S" -s -a -O csv
awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$TMPD/got" ||
	fail "-a -O csv: rows and header differ in field count"
run all-formatted -p "$S" -s -a
awk 'function starts(s,   out, i, inw) {
		out = ""; inw = 0
		for (i = 1; i <= length(s); i++) {
			if (substr(s, i, 1) != " " && !inw) out = out " " i
			inw = substr(s, i, 1) != " "
		}
		return out
	}
	NR == 1 { h = starts($0) }
	NR > 1 && NF > 0 && !/^For a total/ && starts($0) != h { exit 1 }' \
	"$TMPD/got" || fail "-a: rows are not aligned with the header"
grep -q '^For a total of: 6 entries$' "$TMPD/got" || fail "-a: footer"

# Errors: stderr, exit 1 (pmacct: stdout).
misuse no-action 'no action' -p "$S"
misuse exclusive 'mutually exclusive' -p "$S" -s -c src_host -N 1.2.3.4
misuse exclusive-status 'mutually exclusive' -p "$S" -s --status
misuse no-keys 'need -c' -p "$S" -M 1.2.3.4
misuse keys-alone 'only to -M and -N' -p "$S" -s -c src_host
misuse reset-alone '-r applies' -p "$S" -s -r
misuse n-with-s '-n and -S' -p "$S" -s -n bytes
misuse sum-with-m '-n and -S' -p "$S" -c src_host -M 1.2.3.4 -S
misuse top-with-n '-T applies' -p "$S" -c src_host -N 1.2.3.4 -T bytes
misuse top-bad 'unknown counter' -p "$S" -s -T octets
misuse top-bad-n 'bad number' -p "$S" -s -T bytes,x
misuse sep-long 'single character' -p "$S" -s -O csv -E ab
misuse output-bad "unknown output 'xml'" -p "$S" -s -O xml
misuse prim-bad "unknown primitive 'foo'" -p "$S" -c foo -N 1
misuse addr-bad "src_host: invalid IP address: 'x'" -p "$S" -c src_host -N x
misuse proto-bad "proto: invalid protocol: 'nosuch'" -p "$S" -c proto -N nosuch
misuse port-bad "dst_port: invalid number: '70000'" -p "$S" -c dst_port -N 70000
misuse mac-bad 'invalid MAC' -p "$S" -c src_mac -N 00:11:22
misuse values-count '2 values for 1' -p "$S" -c src_host -N 1.2.3.4,5.6.7.8
misuse file-missing 'not found' -p "$S" -c src_host -N "file:$TMPD/nosuch"
misuse no-server 'cannot connect' -p "$TMPD/nosuch.sock" -s
misuse bad-option 'unknown option' -p "$S" -s -X

# A failed write to stdout is an error too.
if [ -w /dev/full ]; then
	_rc=0
	"$CLI" -p "$S" -s >/dev/full 2>"$TMPD/err" || _rc=$?
	expect_eq "write error status" 1 "$_rc"
	grep -q 'cannot write' "$TMPD/err" || fail "write error: no message"
fi

# -h and -V succeed on stdout.
run help -h
grep -q '^usage: flowtally' "$TMPD/got" || fail "-h: no usage text"
run version -V
grep -q '^flowtally [0-9]' "$TMPD/got" || fail "-V: no version"
run status -p "$S" --status
grep -q 'entries: 6' "$TMPD/got" || fail "--status: no LINE text"

# Timestamps (reference 4.5): RFC 3339 with microseconds, -I epoch.
serve times times.rows
T=$TMPD/times.sock
golden times times.out -p "$T" -s
golden times-utc times.out -p "$T" -s -0
golden times-epoch times-epoch.out -p "$T" -s -I
golden times-json times.json -p "$T" -s -O json
if [ -e /usr/share/zoneinfo/Europe/Paris ]; then
	TZ=Europe/Paris "$CLI" -p "$T" -s >"$TMPD/got"
	grep -q '2023-11-14T23:13:23.000000+01:00' "$TMPD/got" ||
		fail "local time: no +01:00 offset"
	TZ=Europe/Paris "$CLI" -p "$T" -s -0 >"$TMPD/got"
	cmp -s "$G/times.out" "$TMPD/got" || fail "-0: not in UTC"
fi

# sum_host: pmacct's client JSON drops the address key (reference 4.5,
# `{"packets": 8, "bytes": 3820}`); ours keeps it.
serve sumhost sumhost.rows
output sumhost-json '{"ip_src": "10.0.0.1", "packets": 8, "bytes": 3820}' \
	-p "$TMPD/sumhost.sock" -s -O json
run sumhost-csv -p "$TMPD/sumhost.sock" -s -O csv
expect_eq sumhost-csv "SRC_IP,PACKETS,BYTES
10.0.0.1,8,3820" "$(cat "$TMPD/got")"

# Empty table: header, empty line, 0 entries.
serve empty empty.rows
golden empty empty.out -p "$TMPD/empty.sock" -s

# -r (reference 4.3): one entry, then none; -r travels as MATCH ... RESET.
serve reset ipfire.rows
golden reset match-53.out -p "$TMPD/reset.sock" -c dst_port -M 53 -r
golden reset-after empty.out -p "$TMPD/reset.sock" -c dst_port -M 53
grep -q "$(printf '^MATCH\tdst_port\tRESET$')" "$TMPD/reset.log" ||
	fail "-r: no MATCH ... RESET request"

# -e and -i (reference 4.1): -s -e reads and clears in one request.
serve erase ipfire.rows
E=$TMPD/erase.sock
output since-never never -p "$E" -i
golden show-erase show.out -p "$E" -s -e
expect_eq "-s -e request" "$(printf 'SINCE\nDUMP\tERASE')" \
	"$(cat "$TMPD/erase.log")"
golden after-erase empty.out -p "$E" -s
output since-zero 0 -p "$E" -i
output erase "OK: Clearing stats." -p "$E" -e
