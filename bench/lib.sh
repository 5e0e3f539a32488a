# Shared by the benchmarks: where things are, and CPU time of a command.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
SHARED=${SHARED:-$top_srcdir/../shared}
work=$(mktemp -d /tmp/flowtally-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# cpu CMD...: user+system seconds of CMD (output discarded); the best of
# three runs, so that a busy moment of the machine does not count.
cpu() {
	best=
	for _ in 1 2 3; do
		/usr/bin/time -f "%U %S" -o "$work/time" timeout 600 "$@" \
			</dev/null >/dev/null 2>&1
		t=$(awk '{ printf "%.3f", $1 + $2 }' "$work/time")
		best=$(awk -v a="$t" -v b="${best:-$t}" \
			'BEGIN { print (a < b ? a : b) }')
	done
	echo "$best"
}

# rss_kb CMD...: peak resident set of CMD in KiB.
rss_kb() {
	/usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || true
	cat "$work/rss"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}
