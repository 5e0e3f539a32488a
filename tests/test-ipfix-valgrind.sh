#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The malformed-input and fuzz cases of the IPFIX decoder once more,
# under valgrind's memcheck: no invalid read or write, no use of
# uninitialised memory, no definite leak, on any of them.

. "$top_srcdir/tests/lib.sh"
need_tool valgrind
prog="$top_builddir/tests/test-ipfix-malformed"
need_built "$prog"

rc=0
valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite "$prog" >"$TMPD/out" 2>&1 || rc=$?
[ "$rc" -ne 99 ] || { cat "$TMPD/out" >&2; fail "valgrind found errors"; }
expect_eq "exit status of the cases" 0 "$rc"
