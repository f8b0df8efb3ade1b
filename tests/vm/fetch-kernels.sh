#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Download the Debian cloud kernels the VM matrix boots, once.
#
#   tests/vm/fetch-kernels.sh [5.10|6.1|6.12 ...]     (default: all, or $KERNELS)
#
# Keeps vmlinuz-<version> (and config-<version>, to answer "does this kernel
# have X") in ${PENGUARD_KERNEL_CACHE:-~/.cache/penguard/kernels}.  A series
# already in the cache costs nothing: no network, not even an apt update.
# PG_KERNEL_REFRESH=1 asks the archive for a newer build anyway.
#
# apt runs on a private sources list and private state in a temporary folder,
# so the host's own apt configuration and package lists are never touched and
# suites of other releases (bullseye on a bookworm host) never leak into it.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The archive this machine already uses.  Read from its apt configuration
# rather than written here: the repository names no mirror, and a machine
# behind a local mirror or proxy keeps using it.  PG_DEBIAN_MIRROR overrides.
pg_vm_archive_uri()
{
	if [ -n "${PG_DEBIAN_MIRROR:-}" ]; then
		echo "${PG_DEBIAN_MIRROR%/}"
		return 0
	fi
	local f uri
	# deb822 stanzas: the main archive is the one whose Suites has a bare
	# release name ("bookworm"), not "-updates" or "-security".
	for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = ""; uris = ""; suites = ""; enabled = "yes"
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^[ \t]*#/ || $i !~ /:/) continue
				k = tolower(substr($i, 1, index($i, ":") - 1))
				v = substr($i, index($i, ":") + 1)
				gsub(/^[ \t]+|[ \t]+$/, "", v)
				if (k == "types") types = v
				else if (k == "uris") uris = v
				else if (k == "suites") suites = v
				else if (k == "enabled") enabled = tolower(v)
			}
			if (enabled == "no" || types !~ /(^| )deb( |$)/) next
			n = split(suites, s, /[ \t]+/)
			for (j = 1; j <= n; j++)
				if (s[j] != "" && s[j] !~ /[-\/]/) {
					split(uris, u, /[ \t]+/); print u[1]; exit
				}
		}' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	# One-line format: "deb [options] URI SUITE COMPONENT...".
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) !~ /[-\/]/) { print $i; exit }
		}' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	return 1
}

main()
{
	local want=("$@") s
	[ ${#want[@]} -eq 0 ] && read -r -a want <<<"${KERNELS:-$PG_VM_ALL_KERNELS}"
	for s in "${want[@]}"; do pg_vm_check_series "$s"; done

	local todo=()
	for s in "${want[@]}"; do
		if [ "${PG_KERNEL_REFRESH:-0}" != 1 ] && pg_vm_cached_kernel "$s" >/dev/null; then
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

	local pkg re deb img ver
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
		mv "$PG_VM_CACHE/.vmlinuz-$ver.part" "$PG_VM_CACHE/vmlinuz-$ver"
		echo "kernel $s: $PG_VM_CACHE/vmlinuz-$ver (fetched)"
	done
}

main "$@"
