#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The -r reader on an IPFIX File (RFC 5655) against libfixbuf's own
# ipfixDump, an independent decoder of the same file: both must see the
# same number of data records and the same octet and packet totals.

. "$top_srcdir/tests/lib.sh"
need_tool ipfixDump
need_shared data/captures/flow/ipfixcol2-example_flows.ipfix
need_built "$COLLECTOR"

file="$SHARED/data/captures/flow/ipfixcol2-example_flows.ipfix"
ipfixDump -d -i "$file" >"$TMPD/dump" 2>/dev/null
want_records=$(grep -c -- '--- data record' "$TMPD/dump")
want_octets=$(awk '/ octetDeltaCount :/ { s += $NF } END { print s }' \
	"$TMPD/dump")
want_packets=$(awk '/ packetDeltaCount :/ { s += $NF } END { print s }' \
	"$TMPD/dump")
[ "$want_records" -gt 0 ] || fail "ipfixDump decoded no records"

cat >"$TMPD/c.conf" <<CONF
plugins: memory[t]
imt_path[t]: $TMPD/t.sock
aggregate[t]: src_host, dst_host
CONF
"$COLLECTOR" -f "$TMPD/c.conf" -r "$file" 2>"$TMPD/log" ||
	fail "-r failed: $(cat "$TMPD/log")"
check_log_clean "$TMPD/log"
line=$(grep ' records=' "$TMPD/log" | tail -n 1)
field() {
	printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
expect_eq records "$want_records" "$(field records)"
expect_eq octets "$want_octets" "$(field octets)"
expect_eq packets "$want_packets" "$(field packets)"

# A file cut inside a message is reported and fails.
head -c 1000 "$file" >"$TMPD/cut.ipfix"
rc=0
"$COLLECTOR" -f "$TMPD/c.conf" -r "$TMPD/cut.ipfix" 2>"$TMPD/log2" || rc=$?
expect_eq "exit status on a cut file" 1 "$rc"
grep -q 'ends inside a message' "$TMPD/log2" || fail "no error for a cut file"
