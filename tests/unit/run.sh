#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Run the cmocka unit test binaries given as arguments, show their output,
# and end with one line: "unit: N passed, N failed".
#
# Cases are counted from cmocka's own summary lines. A binary that dies
# before printing its summary (a crash, a sanitizer abort) still counts:
# the cases it finished are passed, and it adds one failure, so a crash
# can never look like success. Exits non-zero if anything failed.

if [ $# -eq 0 ]; then
	echo "usage: $0 TEST_BINARY..." >&2
	exit 2
fi

# The summary lines parsed below are those of cmocka's plain output; an
# inherited CMOCKA_MESSAGE_OUTPUT=tap or xml would change them.
CMOCKA_MESSAGE_OUTPUT=stdout
export CMOCKA_MESSAGE_OUTPUT

out=$(mktemp "${TMPDIR:-/tmp}/penguard-unit.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
broken=""

for bin in "$@"; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		echo "unit: $name: not an executable file" >&2
		failed=$((failed + 1))
		broken="$broken $name"
		continue
	fi
	echo "== $name"
	"$bin" >"$out" 2>&1
	rc=$?
	cat "$out"

	# "[  PASSED  ] 12 test(s)." and "[  FAILED  ] 2 test(s), listed below:"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$out" | tail -n 1)

	if [ -z "$p" ] && [ -z "$f" ]; then
		# no summary: the binary did not reach the end of its group
		ok=$(grep -c '^\[       OK \]' "$out")
		passed=$((passed + ok))
		failed=$((failed + 1))
		broken="$broken $name"
		echo "unit: $name: ended without a summary (exit status $rc)" >&2
		continue
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# a summary with no failure but a bad status: exit handlers, leaks
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		failed=$((failed + 1))
		broken="$broken $name"
		echo "unit: $name: exit status $rc after all cases passed" >&2
	fi
done

[ -n "$broken" ] && echo "unit: broken binaries:$broken" >&2
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
