# SPDX-License-Identifier: ISC
#
# The daemons' configuration test, as a user runs it: the seed
# configuration of DESIGN.md loads and prints normalised (our key names,
# sorted, globals first), a misspelt key stops with FILE:LINE and the
# nearest key, and the probe takes its own keys and refuses the
# collector's.
. "$top_srcdir/tests/lib.sh"

need_built "$COLLECTOR" "$PROBE"

cat >"$TMPD/seed.conf" <<'CONF'
plugins: memory[plugin1]
plugin_buffer_size[plugin1]: 102400
plugin_pipe_size[plugin1]: 10240000
imt_mem_pools_number: 256
imt_path[plugin1]: /var/spool/pmacct/plugin1.pipe
aggregate[plugin1]: src_host, src_port, src_mac, dst_host, dst_port, dst_mac, proto
aggregate_filter[plugin1]: ip
CONF
if [ -f "$SHARED/DESIGN.md" ]; then
	# The copy above must be the one DESIGN.md shows.
	sed -n '/^plugins: memory\[plugin1\]$/,/^```$/p' "$SHARED/DESIGN.md" |
		sed '$d' >"$TMPD/design.conf"
	cmp -s "$TMPD/design.conf" "$TMPD/seed.conf" ||
		fail "the seed configuration in DESIGN.md has changed"
fi

cat >"$TMPD/seed.want" <<'WANT'
imt_mem_pools_number: 256
plugins: memory[plugin1]
aggregate[plugin1]: src_host, src_port, src_mac, dst_host, dst_port, dst_mac, proto
aggregate_filter[plugin1]: ip
imt_path[plugin1]: /var/spool/pmacct/plugin1.pipe
plugin_buffer_size[plugin1]: 102400
plugin_pipe_size[plugin1]: 10240000
WANT
rc=0
"$COLLECTOR" -f "$TMPD/seed.conf" -n >"$TMPD/seed.out" 2>"$TMPD/seed.err" ||
	rc=$?
expect_eq "exit status of the config test on the seed" 0 "$rc"
diff -u "$TMPD/seed.want" "$TMPD/seed.out" >&2 ||
	fail "the normalised seed configuration differs"

printf 'plugins: memory[plugin1]\nagregate[plugin1]: src_host\n' \
	>"$TMPD/typo.conf"
rc=0
"$COLLECTOR" -f "$TMPD/typo.conf" -n >"$TMPD/typo.out" 2>"$TMPD/typo.err" ||
	rc=$?
expect_eq "exit status on a misspelt key" 1 "$rc"
want="$TMPD/typo.conf:2: unknown key 'agregate'; did you mean 'aggregate'?"
grep -qF "$want" "$TMPD/typo.err" ||
	fail "stderr lacks \"$want\": $(cat "$TMPD/typo.err")"
[ ! -s "$TMPD/typo.out" ] || fail "a refused configuration printed on stdout"

# The probe: its own keys pass, a collector key is refused by name.
cat >"$TMPD/probe.conf" <<'CONF'
pcap_interface: eth0
plugins: nfprobe[up]
nfprobe_receiver[up]: [::1]:4739
CONF
"$PROBE" -f "$TMPD/probe.conf" -t >"$TMPD/probe.out" 2>&1 ||
	fail "probe config test failed: $(cat "$TMPD/probe.out")"
grep -qxF 'nfprobe_receiver[up]: [::1]:4739' "$TMPD/probe.out" ||
	fail "probe config test does not print nfprobe_receiver[up]"
printf 'nfacctd_port: 2100\n' >"$TMPD/wrong.conf"
rc=0
"$PROBE" -f "$TMPD/wrong.conf" -t >"$TMPD/wrong.out" 2>&1 || rc=$?
expect_eq "probe exit status on a collector key" 1 "$rc"
want="$TMPD/wrong.conf:1: key 'collector_port' is for flowtally-collector"
grep -qF "$want" "$TMPD/wrong.out" ||
	fail "probe message: $(cat "$TMPD/wrong.out")"
