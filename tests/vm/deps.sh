#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Host packages the kernel-matrix harness needs.  Sourced by the other
# scripts in tests/vm/ (which call pg_vm_deps), or run alone to prepare a
# machine, e.g. from CI before the first VM run.
#
# A fresh machine has none of these, and nothing installed by hand survives
# a move to a new machine, so the harness installs what is missing itself
# instead of documenting a manual step.

# Debian package that provides each command or file we rely on.  Checked with
# dpkg -s, not command -v: the static busybox and the archive keyring are
# files, not commands, and the dynamic busybox package would satisfy
# "command -v busybox" while giving us a binary we cannot drop into an
# initramfs without its libraries.
PG_VM_PACKAGES=(
	qemu-system-x86 # qemu-system-x86_64 (pulls seabios for the -kernel boot)
	busybox-static # /bin/busybox, the shell and tools inside the VM
	cpio # packs the initramfs
	gzip # compresses it
	jq # parses `penguard probe -o json`; also copied into the VM
	coreutils # timeout(1) bounds each VM
	util-linux # flock(1): one matrix run at a time
	libc-bin # ldd finds the libraries to copy
	dpkg # dpkg -x unpacks the kernel packages
	xz-utils # xz: 6.12's modules are compressed (the test module is kept plain)
	apt # apt-get download fetches them
	debian-archive-keyring # verifies the suites we add privately
)

pg_vm_pkg_installed()
{
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

# Install whatever is missing; print nothing when all is there so re-runs
# stay quiet.
pg_vm_deps()
{
	local missing=() p
	for p in "${PG_VM_PACKAGES[@]}"; do
		pg_vm_pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	if [ "$(id -u)" -ne 0 ]; then
		echo "tests/vm: missing packages: ${missing[*]} (run as root or install them)" >&2
		return 1
	fi
	echo "tests/vm: installing ${missing[*]}" >&2
	local log
	log=$(mktemp)
	# The package lists may be absent or stale on a fresh machine: update
	# only when the first attempt fails, so a machine that is merely
	# missing one package does not pay for a full update.
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >"$log" 2>&1; then
		if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install \
			-y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
			tail -n 20 "$log" >&2
			rm -f "$log"
			echo "tests/vm: could not install ${missing[*]}" >&2
			return 1
		fi
	fi
	rm -f "$log"
}

# Run directly: just install.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	pg_vm_deps
fi
