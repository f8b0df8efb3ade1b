#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian packages penguard needs, only those that are missing,
# so that `make run` and `make test` work on a fresh Debian 12 machine, down
# to a minimal one (debootstrap --variant=minbase, plus git and make):
# `make test-fresh` proves it on such a system.
# Usage: scripts/deps.sh build|test|bench
#
# Prints nothing on stdout, ever: `make run | jq` reads the agent's events
# there, and this runs first. Messages go to stderr; apt's output only when
# it fails.
set -eu
exec >&2

# The build, from minbase: gcc recommends libc6-dev but does not depend on
# it, and we install without recommends, so the C library headers (and
# libc.a, for the static test helpers) are named here.
build="make gcc libc6-dev clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libyaml-dev pkg-config"
# make test: cmocka (unit), clang's fuzzer and sanitizer runtimes (only a
# recommendation of clang's), jq (e2e), clang-format (make check), and the
# kernel matrix's own list (tests/vm/deps.sh: qemu … debian-archive-keyring;
# the base tools there are on every Debian, named so a removal shows here).
test_pkgs="libcmocka-dev libclang-rt-dev jq iproute2 clang-format qemu-system-x86 busybox-static cpio gzip coreutils util-linux libc-bin dpkg apt debian-archive-keyring"
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
log=$(mktemp "${TMPDIR:-/tmp}/penguard-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT TERM

# Wait for another apt (unattended-upgrades at boot) instead of failing.
apt_install()
{
	# shellcheck disable=SC2086 # $missing is a list of package names
	apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 $missing
}
# A fresh machine often has no package lists, an old one stale lists:
# update only when the install fails, so a machine missing one package does
# not pay for a full update. apt-get update exits 0 when a source failed,
# so the retry's own error is what we show.
if ! apt_install >"$log" 2>&1; then
	if ! { apt-get update -q -o DPkg::Lock::Timeout=300 && apt_install; } >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		echo "penguard: could not install$missing" >&2
		exit 1
	fi
fi
