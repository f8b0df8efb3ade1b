#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian packages penguard needs, only those that are missing,
# so that `make run` and `make test` work on a fresh Debian 12 machine.
# Usage: scripts/deps.sh build|test|bench
set -eu

build="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make gcc"
test_pkgs="libcmocka-dev jq qemu-system-x86 busybox-static cpio clang-format"
bench_pkgs="libbpf-tools auditd bpftrace jq"

case "${1:-build}" in
build) want="$build" ;;
test) want="$build $test_pkgs" ;;
bench) want="$build $bench_pkgs" ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "penguard: missing packages:$missing; run as root or install them" >&2
	exit 1
fi
echo "penguard: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
