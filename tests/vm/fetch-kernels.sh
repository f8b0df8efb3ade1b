#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Download the Debian cloud kernels the VM matrix boots, once.
#
#   tests/vm/fetch-kernels.sh [5.10|6.1|6.12 ...]     (default: all, or $KERNELS)
#
# Keeps vmlinuz-<version> (and config-<version>, to answer "does this kernel
# have X"; dummy-<version>.ko, the module the tests load) in
# ${PENGUARD_KERNEL_CACHE:-~/.cache/penguard/kernels}.  A series
# already in the cache costs nothing: no network, not even an apt update.
# PG_KERNEL_REFRESH=1 asks the archive for a newer build anyway.
#
# apt runs on a private sources list and private state in a temporary folder,
# so the host's own apt configuration and package lists are never touched and
# suites of other releases (bullseye on a bookworm host) never leak into it.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/debian-archive.sh"

main()
{
	local want=("$@") s
	[ ${#want[@]} -eq 0 ] && read -r -a want <<<"${KERNELS:-$PG_VM_ALL_KERNELS}"
	for s in "${want[@]}"; do pg_vm_check_series "$s"; done

	local todo=()
	for s in "${want[@]}"; do
		if [ "${PG_KERNEL_REFRESH:-0}" != 1 ] && pg_vm_cached_kernel "$s" >/dev/null &&
			[ -s "$(pg_vm_test_module "$(pg_vm_cached_kernel "$s")")" ]; then
			echo "kernel $s: $(pg_vm_cached_kernel "$s") (cached)"
		else
			todo+=("$s")
		fi
	done
	[ ${#todo[@]} -eq 0 ] && return 0

	pg_vm_deps
	mkdir -p "$PG_VM_CACHE"

	local uri
	uri=$(pg_vm_archive_uri) ||
		pg_vm_die "no Debian archive in /etc/apt/sources.list{,.d/*}; set PG_DEBIAN_MIRROR=URI"

	local tmp
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now: it is local
	trap "rm -rf '$tmp'" EXIT
	mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/deb"
	for s in "${todo[@]}"; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $(pg_vm_suite "$s") main"
	done >"$tmp/sources.list"
	# The private temporary folder is mode 0700, which the _apt sandbox user
	# cannot write; we are already fetching as whoever runs this.
	local apt_opts=(
		-o "Dir::Etc::sourcelist=$tmp/sources.list" -o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
		-o "APT::Sandbox::User=$(id -un)" -o "Acquire::Languages=none"
	)

	echo "fetching package lists from $uri" >&2
	# apt-get update exits 0 even when a list could not be fetched (it only
	# warns), so look for that warning too.
	if ! apt-get "${apt_opts[@]}" update >"$tmp/update.log" 2>&1 ||
		grep -qE '^(E: |W: Failed to fetch|W: Some index files failed)' "$tmp/update.log"; then
		tail -n 15 "$tmp/update.log" >&2
		pg_vm_die "apt-get update on $uri failed (no network? set PG_DEBIAN_MIRROR)"
	fi

	local pkg re deb img ver mod
	for s in "${todo[@]}"; do
		# 6\.1\.[0-9] keeps 6.12 out of the 6.1 series.
		re="^linux-image-${s//./\\.}\\.[0-9].*-cloud-amd64-unsigned\$"
		pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-image- | grep -E "$re" |
			sort -V | tail -n 1) || true
		[ -n "$pkg" ] || pg_vm_die "no package matching $re in $(pg_vm_suite "$s")"
		echo "kernel $s: downloading $pkg" >&2
		rm -rf "$tmp/deb" && mkdir "$tmp/deb"
		if ! (cd "$tmp/deb" && apt-get "${apt_opts[@]}" download "$pkg") \
			>"$tmp/download.log" 2>&1; then
			tail -n 15 "$tmp/download.log" >&2
			pg_vm_die "apt-get download $pkg failed"
		fi
		deb=$(ls "$tmp"/deb/*.deb)
		dpkg -x "$deb" "$tmp/deb/x"
		# shellcheck disable=SC2012 # one file, from a Debian package
		img=$(ls "$tmp"/deb/x/boot/vmlinuz-* 2>/dev/null | head -n 1)
		[ -n "$img" ] || pg_vm_die "$pkg has no boot/vmlinuz-*"
		ver=${img##*/vmlinuz-}
		# Copy then rename, so an interrupted run never leaves a
		# truncated image that later runs would take as cached.
		cp "$img" "$PG_VM_CACHE/.vmlinuz-$ver.part"
		cp "$tmp/deb/x/boot/config-$ver" "$PG_VM_CACHE/config-$ver" 2>/dev/null || true
		mod=$tmp/deb/x/lib/modules/$ver/kernel/drivers/net/dummy.ko
		if [ -f "$mod" ]; then
			cp "$mod" "$PG_VM_CACHE/.dummy.part"
		elif [ -f "$mod.xz" ]; then
			xz -dc "$mod.xz" >"$PG_VM_CACHE/.dummy.part"
		else
			pg_vm_die "$pkg has no drivers/net/dummy.ko: the module tests need it"
		fi
		mv "$PG_VM_CACHE/.dummy.part" "$(pg_vm_test_module "vmlinuz-$ver")"
		mv "$PG_VM_CACHE/.vmlinuz-$ver.part" "$PG_VM_CACHE/vmlinuz-$ver"
		echo "kernel $s: $PG_VM_CACHE/vmlinuz-$ver (fetched)"
	done
}

main "$@"
