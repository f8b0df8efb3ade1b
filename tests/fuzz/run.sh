#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run each libFuzzer target for a bounded time (PG_FUZZ_SECONDS each,
# default 60) from its committed seed corpus:
#   fuzz_records  kernel records (captured with --record) -> corpus/
#   fuzz_policy   policy files (the parser)               -> policy-corpus/
# Prints "ok"/"FAIL" per target, then "fuzz: N passed, N failed": a crash,
# leak or hang is a failure, with the reproducer left beside the fuzzer.
# Usage: run.sh BUILD_FUZZ_DIR
set -u
DIR=${1:?usage: run.sh BUILD_FUZZ_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 failed=0

# run NAME CORPUS [libFuzzer options]
run() {
	name=$1 corpus=$2
	shift 2
	work=$(mktemp -d /tmp/pg-fuzz.XXXXXX)
	cp "$corpus"/* "$work"/
	if "$DIR/$name" -max_total_time="${PG_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$DIR/$name-" -print_final_stats=1 "$@" "$work" \
		>"$DIR/$name.log" 2>&1; then
		echo "ok $name ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$DIR/$name.log" | grep -o '[0-9]*$') inputs)"
		pass=$((pass + 1))
	else
		echo "FAIL $name: see $DIR/$name.log"
		grep -E "ERROR|SUMMARY|==[0-9]+==" "$DIR/$name.log" | head -20
		failed=$((failed + 1))
	fi
	rm -rf "$work"
}

run fuzz_records "$HERE/corpus"
run fuzz_policy "$HERE/policy-corpus" -max_len=65536 -dict="$HERE/policy.dict"
echo "fuzz: $pass passed, $failed failed"
[ $failed = 0 ]
