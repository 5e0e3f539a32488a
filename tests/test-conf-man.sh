# SPDX-License-Identifier: ISC
#
# flowtally.conf(5) documents every key of the registry: the part of the
# page between its BEGIN KEYS and END KEYS marks must be what cfgkeys-mdoc
# prints from common/cfgkeys.c, and the page must format without
# warnings. With --update, rewrite that part of the page instead.
. "$top_srcdir/tests/lib.sh"

page="$top_srcdir/man/flowtally.conf.5"
gen="$top_builddir/tests/cfgkeys-mdoc"
need_built "$gen"

"$gen" >"$TMPD/keys"
awk -v keys="$TMPD/keys" '
	/^\.\\" END KEYS/ { while ((getline l < keys) > 0) print l; skip = 0 }
	!skip { print }
	/^\.\\" regenerate with:/ { skip = 1 }
' "$page" >"$TMPD/page"
grep -q '^\.\\" END KEYS' "$page" || fail "$page has no END KEYS mark"

if [ "${1:-}" = --update ]; then
	cmp -s "$TMPD/page" "$page" || cp "$TMPD/page" "$page"
	exit 0
fi
if ! diff -u "$page" "$TMPD/page" >"$TMPD/diff"; then
	cat "$TMPD/diff" >&2
	fail "the key list in $page is out of date: make -C tests update-conf-man"
fi

if command -v groff >/dev/null 2>&1; then
	groff -mdoc -Tutf8 -ww -z "$page" >"$TMPD/groff" 2>&1
	if [ -s "$TMPD/groff" ]; then
		cat "$TMPD/groff" >&2
		fail "groff warns about $page"
	fi
fi
