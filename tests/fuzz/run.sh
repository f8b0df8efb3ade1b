#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run the record fuzzer for a bounded time (PG_FUZZ_SECONDS, default 60)
# from the committed seed corpus (real records, captured with --record).
# Prints "fuzz: N passed, N failed": a crash, leak or hang is a failure,
# with the reproducer left in build/fuzz/.
set -u
FUZZER=${1:?usage: run.sh FUZZER}
HERE=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/pg-fuzz.XXXXXX)
cp "$HERE"/corpus/* "$work"/
out=$(dirname "$FUZZER")
if "$FUZZER" -max_total_time="${PG_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$out/" -print_final_stats=1 "$work" >"$out/fuzz.log" 2>&1; then
	echo "ok fuzz_records ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/fuzz.log" | grep -o '[0-9]*$') inputs)"
	echo "fuzz: 1 passed, 0 failed"
	rc=0
else
	echo "FAIL fuzz_records: see $out/fuzz.log"
	grep -E "ERROR|SUMMARY|==[0-9]+==" "$out/fuzz.log" | head -20
	echo "fuzz: 0 passed, 1 failed"
	rc=1
fi
rm -rf "$work"
exit $rc
