#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `make test`: unit tests, a bounded fuzzing run of the record decoders,
# the end-to-end suite on this kernel, then the
# kernel matrix in VMs. Every stage runs even if an earlier one failed, and
# the last line sums them up.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
log=$(mktemp)
rc=0

# stage NAME WORD COMMAND…: run it; its summary line is "WORD: N passed, N failed…"
stage() {
	name=$1
	word=$2
	shift 2
	echo "==> $name"
	"$@" 2>&1 | tee -a "$log"
	# the pipeline's status is tee's; ask the stage's own summary instead
	st=$(tail -n 40 "$log" | grep -E "^$word: [0-9]+ passed, [0-9]+ failed" | tail -n 1)
	if [ -z "$st" ]; then
		echo "$name: no summary line: the stage crashed" | tee -a "$log"
		rc=1
	elif ! echo "$st" | grep -q " 0 failed"; then
		rc=1
	fi
}

stage unit unit sh tests/unit/run.sh $(ls "$BUILD"/tests/unit/test_* | grep -v '\.d$')
stage fuzz fuzz sh tests/fuzz/run.sh "$BUILD"/fuzz
stage e2e e2e env PENGUARD="$BUILD/penguard" PG_HELPERS="$BUILD/tests/helpers" sh tests/e2e/run.sh
if [ "${PG_SKIP_VM:-0}" = 1 ]; then
	echo "vm: 0 passed, 0 failed, 1 skipped (PG_SKIP_VM=1)" | tee -a "$log"
else
	stage vm vm bash tests/vm/run.sh ${KERNELS:-}
fi

# CI (or PG_FRESH=1) also proves the README's set-up on a minimal Debian
if [ "${CI:-}" = true ] || [ "${PG_FRESH:-0}" = 1 ]; then
	stage fresh fresh bash scripts/test-fresh.sh "$(pwd)"
fi

# the grand total, in the form CI reads
grep -E "^(unit|fuzz|e2e|vm|fresh): [0-9]+ passed, [0-9]+ failed" "$log" | awk '
	{ p += $2; f += $4; if ($6 != "") s += $6 }
	END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }'
rm -f "$log"
exit $rc
