#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Generate bpf/vmlinux/<arch>/vmlinux.h from a Debian kernel package.
#
#   scripts/vmlinux-from-deb.sh arm64|x86 [OUTPUT]
#
# The BPF objects include a vmlinux.h committed per architecture, as
# libbpf-tools does, because a build must not depend on the build host's
# kernel (CO-RE relocates field offsets at load time).  `make vmlinux` dumps
# the running kernel's /sys/kernel/btf/vmlinux, which only works for the
# host's own architecture; there is no arm64 machine here.  So this script
# takes the BTF out of Debian's cloud kernel image package instead, for any
# architecture, from any host with apt, dpkg, perl and bpftool.
#
# Committed files produced by it:
#   bpf/vmlinux/arm64/vmlinux.h  linux-image-6.1.0-50-cloud-arm64-unsigned
#                                6.1.176-1 (bookworm, arm64)
#   bpf/vmlinux/x86/vmlinux.h    not from here: `make vmlinux` on the host.
#                                `scripts/vmlinux-from-deb.sh x86` would
#                                replace it with the amd64 6.1 kernel's.
# Record the package here when regenerating (the script prints it).
#
# What it does: downloads the newest bookworm 6.1 linux-image-*-cloud-<arch>
# package (the -unsigned one when it exists: same kernel, no signature),
# unpacks it with dpkg -x, decompresses /boot/vmlinuz-* (arm64: a raw Image,
# possibly gzipped or an EFI zboot image; x86: a bzImage whose payload is a
# compressed vmlinux ELF), finds the .BTF blob in it by its header (struct
# btf_header: magic 0xeB9F, version 1, hdr_len 24, type section then string
# section), checks it, and runs `bpftool btf dump file BLOB format c`.
# The header is only written after it has the types penguard uses and
# bpf/*.bpf.c compile against it.
#
# apt runs on a private sources list and private state in a temporary folder,
# as in tests/vm/fetch-kernels.sh: the host's apt configuration and package
# lists are never touched, and it can list another architecture's packages.
#
# Environment:
#   PG_DEBIAN_MIRROR  archive URI (default: the one this machine's apt uses)
#   PG_DEBIAN_SUITE   suite (default: bookworm)
#   PG_KERNEL_PKG     exact package name, to pin one instead of the newest
#   BPFTOOL, CLANG    tools (default: bpftool, also looked up in /usr/sbin)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die()
{
	echo "vmlinux-from-deb: $*" >&2
	exit 1
}

usage()
{
	echo "usage: $0 arm64|x86 [OUTPUT]" >&2
	exit 2
}

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/debian-archive.sh"

# find_payload VMLINUZ OUT: locate the compressed kernel inside a vmlinuz.
# Prints "FORMAT SIZE" and writes the compressed stream to OUT, or prints
# "raw 0" (and writes nothing) when VMLINUZ is the uncompressed image.
# SIZE is the decompressed size the kernel build appended after the stream
# (0: none to check); the four bytes holding it are not written to OUT.
find_payload()
{
	perl -e '
	use strict; use warnings;
	my ($in, $out) = @ARGV;
	open(my $f, "<:raw", $in) or die "$in: $!\n";
	my $d = do { local $/; <$f> };
	my ($off, $len, $wrapped) = (0, length($d), 0);
	if (length($d) > 0x250 && substr($d, 0x202, 4) eq "HdrS") {
		# x86 bzImage: setup sectors, then the protected-mode code, whose
		# payload_offset/payload_length (boot protocol >= 2.08) point at
		# the compressed vmlinux.
		my $setup = ord(substr($d, 0x1f1, 1)) || 4;
		my ($poff, $plen) = unpack("VV", substr($d, 0x248, 8));
		($off, $len, $wrapped) = (($setup + 1) * 512 + $poff, $plen, 1);
	} elsif (substr($d, 0, 2) eq "MZ" && substr($d, 4, 4) eq "zimg") {
		# arm64 EFI zboot image: payload offset and size at 8 and 12.
		($off, $len) = unpack("VV", substr($d, 8, 8));
		$wrapped = 1;
	}
	die "$in: payload out of bounds\n" if $off + $len > length($d);
	my $p = substr($d, $off, $len);
	my $fmt =
	    $p =~ /^\x1f\x8b/                ? "gzip"  :
	    $p =~ /^\xfd7zXZ\x00/            ? "xz"    :
	    $p =~ /^\x28\xb5\x2f\xfd/        ? "zstd"  :
	    $p =~ /^\x02\x21\x4c\x18/        ? "lz4"   :
	    $p =~ /^BZh/                     ? "bzip2" :
	    $p =~ /^\x5d\x00\x00/            ? "lzma"  :
	    $p =~ /^\x89LZO/                 ? "lzo"   : "raw";
	die "$in: unknown compression of the kernel payload\n"
	    if $wrapped && $fmt eq "raw";
	if ($fmt eq "raw") { print "raw 0\n"; exit 0; }
	# The kernel build appends the decompressed size (le32) to every
	# compressed kernel but a gzip one, whose own trailer ends with it.
	my $size = 0;
	if ($wrapped && $fmt ne "gzip") {
		$size = unpack("V", substr($p, -4));
		$p = substr($p, 0, -4);
	} elsif ($fmt eq "gzip") {
		$size = unpack("V", substr($p, -4));
	}
	open(my $o, ">:raw", $out) or die "$out: $!\n";
	print $o $p or die "$out: $!\n";
	close($o) or die "$out: $!\n";
	print "$fmt $size\n";
	' "$1" "$2"
}

# extract_btf IMAGE OUT: find the kernel BTF blob (header, types, strings)
# in an uncompressed kernel image, raw or ELF, and write it to OUT.
extract_btf()
{
	perl -e '
	use strict; use warnings;
	my ($in, $out) = @ARGV;
	open(my $f, "<:raw", $in) or die "$in: $!\n";
	my $d = do { local $/; <$f> };
	my @ok;
	# struct btf_header, little-endian: magic 0xeB9F, version 1, flags 0,
	# hdr_len 24, then type_off, type_len, str_off, str_len (from the end
	# of the header).
	while ($d =~ /\x9f\xeb\x01\x00\x18\x00\x00\x00/g) {
		my $at = pos($d) - 8;
		pos($d) = $at + 1;
		next if $at + 24 > length($d);
		my ($toff, $tlen, $soff, $slen) = unpack("V4", substr($d, $at + 8, 16));
		next unless $toff == 0 && $soff == $toff + $tlen;
		# A whole kernel: MBs of types, ~1-3 MB of names.
		next unless $tlen >= 512 << 10 && $tlen <= 256 << 20;
		next unless $slen >= 64 << 10 && $slen <= 64 << 20;
		my $s = $at + 24 + $soff;
		next if $s + $slen > length($d);
		# The string section starts with the empty name and ends with
		# a NUL, and names the types we are after.
		next unless substr($d, $s, 1) eq "\0" && substr($d, $s + $slen - 1, 1) eq "\0";
		my $strs = substr($d, $s, $slen);
		next unless index($strs, "\0task_struct\0") >= 0;
		push @ok, [$at, 24 + $soff + $slen, $tlen, $slen];
	}
	die "$in: no kernel BTF found\n" unless @ok;
	printf STDERR "  BTF at offset 0x%x: %d bytes of types, %d of strings%s\n",
	    $ok[0][0], $ok[0][2], $ok[0][3],
	    @ok > 1 ? sprintf(" (%d candidates, took the first)", scalar @ok) : "";
	open(my $o, ">:raw", $out) or die "$out: $!\n";
	print $o substr($d, $ok[0][0], $ok[0][1]) or die "$out: $!\n";
	close($o) or die "$out: $!\n";
	' "$1" "$2"
}

# check_header ARCH HEADER: the types penguard reads, for the right arch.
check_header()
{
	local arch=$1 h=$2 t
	for t in task_struct linux_binprm pt_regs; do
		grep -q "^struct $t {" "$h" || die "$h: no struct $t"
	done
	# The first members of struct pt_regs tell the architecture apart.
	local regs
	regs=$(awk '/^struct pt_regs \{/ { on = 1; next } on && /^};/ { exit } on' "$h")
	case "$arch" in
	arm64) grep -q 'regs\[31\];' <<<"$regs" || die "$h: struct pt_regs is not arm64's" ;;
	x86) grep -q 'long unsigned int r15;' <<<"$regs" || die "$h: struct pt_regs is not x86's" ;;
	esac
}

# compile_check ARCH DIR: bpf/*.bpf.c against DIR/vmlinux.h, as the Makefile
# builds them.
compile_check()
{
	local arch=$1 dir=$2 clang=${CLANG:-clang} src
	if ! command -v "$clang" >/dev/null; then
		echo "  $clang not found: skipped compiling bpf/*.bpf.c" >&2
		return 0
	fi
	for src in "$REPO"/bpf/*.bpf.c; do
		[ -e "$src" ] || continue
		"$clang" -g -O2 -target bpf -Wall -Werror -Wno-gnu-variable-sized-type-not-at-end \
			-D__TARGET_ARCH_"$arch" -I"$REPO/include" -I"$dir" \
			-c "$src" -o "$dir/check.o" ||
			die "${src#"$REPO"/} does not compile against the new $arch vmlinux.h"
		echo "  compiles: ${src#"$REPO"/} ($arch)" >&2
	done
	rm -f "$dir/check.o"
}

main()
{
	if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
	local arch debarch
	case "$1" in
	arm64 | aarch64) arch=arm64 debarch=arm64 ;;
	x86 | x86_64 | amd64) arch=x86 debarch=amd64 ;;
	*) usage ;;
	esac
	local out=${2:-$REPO/bpf/vmlinux/$arch/vmlinux.h}
	local suite=${PG_DEBIAN_SUITE:-bookworm}

	local bpftool=${BPFTOOL:-$(PATH="$PATH:/usr/sbin:/sbin" command -v bpftool || true)}
	[ -n "$bpftool" ] || die "bpftool not found (apt-get install bpftool)"
	local t
	for t in apt-get apt-cache dpkg perl; do
		command -v "$t" >/dev/null || die "$t not found"
	done
	[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		die "no /usr/share/keyrings/debian-archive-keyring.gpg (apt-get install debian-archive-keyring)"

	local uri
	uri=$(pg_vm_archive_uri) ||
		die "no Debian archive in /etc/apt/sources.list{,.d/*}; set PG_DEBIAN_MIRROR=URI"

	local tmp
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now: it is local
	trap "rm -rf '$tmp'" EXIT
	mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/deb" "$tmp/out"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" \
		>"$tmp/sources.list"
	# The private temporary folder is mode 0700, which the _apt sandbox user
	# cannot write; we are already fetching as whoever runs this.
	local apt_opts=(
		-o "Dir::Etc::sourcelist=$tmp/sources.list" -o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
		-o "APT::Sandbox::User=$(id -un)" -o "Acquire::Languages=none"
		-o "APT::Architecture=$debarch" -o "APT::Architectures=$debarch"
	)

	echo "fetching $suite $debarch package lists from $uri" >&2
	# apt-get update exits 0 even when a list could not be fetched (it only
	# warns), so look for that warning too.
	if ! apt-get "${apt_opts[@]}" update >"$tmp/update.log" 2>&1 ||
		grep -qE '^(E: |W: Failed to fetch|W: Some index files failed)' "$tmp/update.log"; then
		tail -n 15 "$tmp/update.log" >&2
		die "apt-get update on $uri failed (no network? set PG_DEBIAN_MIRROR)"
	fi

	local pkg=${PG_KERNEL_PKG:-} names
	if [ -z "$pkg" ]; then
		names=$(apt-cache "${apt_opts[@]}" pkgnames linux-image-)
		# 6\.1\.[0-9] keeps 6.12 out of the 6.1 series.  The unsigned
		# image is the same kernel without the Secure Boot signature.
		pkg=$(grep -E "^linux-image-6\\.1\\.[0-9][^ ]*-cloud-$debarch-unsigned\$" <<<"$names" |
			sort -V | tail -n 1) || true
		[ -n "$pkg" ] || pkg=$(grep -E "^linux-image-6\\.1\\.[0-9][^ ]*-cloud-$debarch\$" <<<"$names" |
			sort -V | tail -n 1) || true
		[ -n "$pkg" ] || die "no linux-image-6.1.*-cloud-$debarch package in $suite"
	fi

	echo "downloading $pkg" >&2
	if ! (cd "$tmp/deb" && apt-get "${apt_opts[@]}" download "$pkg") \
		>"$tmp/download.log" 2>&1; then
		tail -n 15 "$tmp/download.log" >&2
		die "apt-get download $pkg failed"
	fi
	local deb ver img
	deb=$(ls "$tmp"/deb/*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	dpkg -x "$deb" "$tmp/deb/x"
	# shellcheck disable=SC2012 # one file, from a Debian package
	img=$(ls "$tmp"/deb/x/boot/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$img" ] || die "$pkg has no boot/vmlinuz-*"

	local fmt size kernel
	read -r fmt size < <(find_payload "$img" "$tmp/payload") || die "$img: cannot read"
	[ -n "$fmt" ] || die "$img: cannot read"
	if [ "$fmt" = raw ]; then
		kernel=$img
		echo "  ${img##*/}: uncompressed image" >&2
	else
		local cmd
		case "$fmt" in
		gzip) cmd=(gzip -dc) ;;
		xz) cmd=(xz -dc) ;;
		lzma) cmd=(xz --format=lzma -dc) ;;
		zstd) cmd=(zstd -dcq) ;;
		lz4) cmd=(lz4 -dc) ;;
		bzip2) cmd=(bzip2 -dc) ;;
		lzo) cmd=(lzop -dc) ;;
		esac
		command -v "${cmd[0]}" >/dev/null ||
			die "${img##*/} is $fmt-compressed and ${cmd[0]} is not installed"
		"${cmd[@]}" <"$tmp/payload" >"$tmp/kernel" || die "${img##*/}: $fmt: cannot decompress"
		rm -f "$tmp/payload"
		kernel=$tmp/kernel
		local got
		got=$(stat -c %s "$kernel")
		# The le32 size wraps past 4 GiB; a kernel is far smaller.
		[ "$size" = 0 ] || [ "$got" = "$size" ] ||
			die "${img##*/}: decompressed $got bytes, the image says $size"
		echo "  ${img##*/}: $fmt, $got bytes decompressed" >&2
	fi

	extract_btf "$kernel" "$tmp/btf"
	rm -rf "$tmp/deb" "$tmp/kernel"
	"$bpftool" btf dump file "$tmp/btf" format c >"$tmp/out/vmlinux.h" ||
		die "bpftool cannot read the BTF found in $pkg"
	check_header "$arch" "$tmp/out/vmlinux.h"
	compile_check "$arch" "$tmp/out"

	mkdir -p "$(dirname "$out")"
	# Copy then rename: an interrupted run never leaves half a header.
	cp "$tmp/out/vmlinux.h" "$out.tmp"
	mv "$out.tmp" "$out"
	echo "wrote $out ($(stat -c %s "$out") bytes) from $pkg $ver ($suite, $debarch)"
	echo "(record the package in the header comment of ${BASH_SOURCE[0]##*/})" >&2
}

main "$@"
