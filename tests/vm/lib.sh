# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=bash
#
# Shared by the tests/vm/ scripts: paths, the kernel list and small helpers.
# Sourced, never run.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/deps.sh"

PG_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this
PG_REPO=$(cd "$PG_VM_DIR/../.." && pwd)

# The kernels we test on, each the newest Debian cloud build of a series:
#   5.10 - bullseye: oldest kernel we support; BPF LSM and fentry exist but
#          several helpers and BTF kfuncs do not.
#   6.1  - bookworm: the current Debian stable kernel.
#   6.12 - bookworm-backports: the newest LTS Debian ships.
PG_VM_ALL_KERNELS="5.10 6.1 6.12"

# Kept outside the repository: the images are tens of MB and are the same
# for every checkout.
PG_VM_CACHE=${PENGUARD_KERNEL_CACHE:-$HOME/.cache/penguard/kernels}

pg_vm_die()
{
	echo "tests/vm: $*" >&2
	exit 1
}

# Debian suite that carries a series' cloud kernel.
pg_vm_suite()
{
	case "$1" in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo bookworm-backports ;;
	*) return 1 ;;
	esac
}

pg_vm_check_series()
{
	pg_vm_suite "$1" >/dev/null ||
		pg_vm_die "unknown kernel '$1' (known: $PG_VM_ALL_KERNELS)"
}

# The module a kernel's tests load (host_change kind module), kept beside
# its image: drivers/net/dummy, which needs no other module and no
# hardware. Printed whether or not it is there.
pg_vm_test_module()
{
	echo "$PG_VM_CACHE/dummy-${1##*vmlinuz-}.ko"
}

# Newest cached image of a series, or nothing.  "vmlinuz-6.1.*" cannot match
# a 6.12 image: after "6.1" a 6.12 name has "2", not ".".
pg_vm_cached_kernel()
{
	local f
	# shellcheck disable=SC2012 # our own file names; ls feeds sort -V
	f=$(ls -1 "$PG_VM_CACHE"/vmlinuz-"$1".* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$f" ] && echo "$f"
}
