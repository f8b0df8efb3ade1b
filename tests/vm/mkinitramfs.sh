#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Build the initramfs the VM matrix boots: the current build of penguard, the
# end-to-end suite and its helpers, a static busybox and jq, and an /init that
# runs the suite and powers off.
#
#   tests/vm/mkinitramfs.sh OUT.cpio.gz
#
# Inputs, each overridable for a harness self-test:
#   PENGUARD        agent binary        (default build/penguard; "none": no agent)
#   PG_HELPERS_DIR  e2e helper binaries (default build/tests/helpers; optional)
#   PG_E2E_DIR      e2e suite, run.sh   (default tests/e2e)
#
# Inside the VM the files keep their repository layout under /penguard, so a
# test that finds a file relative to the repository root (a policy, a helper)
# finds it there too.
#
# Why everything goes in the initramfs: Debian's cloud kernels build virtio as
# modules, so a disk or 9p share would need a module tree per kernel; one
# initramfs with no modules boots all of them.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio.gz" >&2; exit 2; }
out=$1

agent=${PENGUARD:-$PG_REPO/build/penguard}
helpers=${PG_HELPERS_DIR:-$PG_REPO/build/tests/helpers}
e2e=${PG_E2E_DIR:-$PG_REPO/tests/e2e}

if [ "$agent" != none ] && [ ! -x "$agent" ]; then
	pg_vm_die "$agent not found: build it first (make), or PENGUARD=none for a harness self-test"
fi
[ -f "$e2e/run.sh" ] || pg_vm_die "$e2e/run.sh not found (PG_E2E_DIR)"

pg_vm_deps

root=$(mktemp -d)
chmod 0755 "$root" # mktemp makes it 0700; it becomes the VM's /
# shellcheck disable=SC2064 # expand $root now
trap "rm -rf '$root'" EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,var/tmp} \
	"$root"/penguard/{build,tests}
chmod 1777 "$root/tmp" "$root/var/tmp"

# busybox and its applets.  Links made here, not by "busybox --install" at
# boot, so the image is complete before /init starts and costs no boot time.
cp /bin/busybox "$root/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# Dynamic ELF binaries bring their libraries and the loader, at the paths
# ldd reports, so the loader's built-in search path finds them without an
# ld.so.cache.  Static binaries (the helpers, by contract) have nothing to add.
copy_libs()
{
	local lib
	# ldd fails on static binaries: nothing to copy then.
	{ ldd "$1" 2>/dev/null || true; } | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(0x/ { print $1 }' |
		while read -r lib; do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
}

install_bin()
{
	local src=$1 dst=$2
	mkdir -p "$(dirname "$root$dst")"
	cp -L "$src" "$root$dst"
	chmod 0755 "$root$dst"
	copy_libs "$src"
}

install_bin "$(command -v jq)" /usr/bin/jq
# The network tests: iproute2 (busybox's ip has no netns), and bash for
# its /dev/tcp connections (the reverse-shell shape).
for tool in ip:/usr/sbin/ip bash:/usr/bin/bash; do
	src=$(PATH="$PATH:/usr/sbin:/sbin" command -v "${tool%%:*}" || true)
	if [ -n "$src" ]; then install_bin "$src" "${tool#*:}"; fi
done

if [ "$agent" != none ]; then
	install_bin "$agent" /penguard/build/penguard
fi
if [ -d "$helpers" ]; then
	mkdir -p "$root/penguard/build/tests/helpers"
	cp -a "$helpers/." "$root/penguard/build/tests/helpers/"
	for f in "$root"/penguard/build/tests/helpers/*; do
		if [ -f "$f" ] && [ -x "$f" ]; then copy_libs "$f"; fi
	done
fi
cp -a "$e2e" "$root/penguard/tests/e2e"
# Built-in policies, for tests that load them by path.
if [ -d "$PG_REPO/policies" ]; then cp -a "$PG_REPO/policies" "$root/penguard/policies"; fi

# The kernels' configs, where a Debian system keeps them: the cloud kernels
# lack /proc/config.gz, and libbpf reads /boot/config-$(uname -r) for
# "__kconfig" externs, so without them a program using one would not load
# in the VM although it would on a real machine.
mkdir -p "$root/boot"
for f in "$PG_VM_CACHE"/config-*; do
	if [ -f "$f" ]; then cp "$f" "$root/boot/"; fi
done

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
# A shadow file, as every Debian system has one (0640), for the file
# sensor's tests and built-in policy that watch reads of /etc/shadow; no
# test writes it.
echo 'root:*:19000:0:99999:7:::' >"$root/etc/shadow"
chmod 0640 "$root/etc/shadow"
printf '127.0.0.1\tlocalhost pg-vm\n::1\t\tlocalhost\n' >"$root/etc/hosts"
echo pg-vm >"$root/etc/hostname"

# The kernel opens /dev/console for init before devtmpfs exists; without the
# node init starts with no stdout.  /init also reopens it after mounting
# devtmpfs, for when mknod is not allowed here.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

cp "$PG_VM_DIR/init.sh" "$root/init"
chmod 0755 "$root/init"

mkdir -p "$(dirname "$out")"
# Owner root for every file whoever builds, so the VM sees sane ownership.
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.part"
mv "$out.part" "$out"
echo "initramfs: $out ($(du -h "$out" | cut -f1))"
