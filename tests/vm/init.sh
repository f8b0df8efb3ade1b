#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# /init of the VM-matrix initramfs (mkinitramfs.sh installs it), PID 1 under
# busybox ash.  Mounts what the agent needs, runs `penguard probe` and the
# end-to-end suite, and powers off.
#
# Everything the host must read goes to the serial console with a PG-*
# prefix, one record per line: the kernel may print between our lines, and
# the host parses the log with grep rather than trusting its order.
#   PG-VM-BEGIN <uname -r>     PG-LSM <active LSMs>
#   PG-VM-WARN <setup step that failed>    PG-VM-UPTIME begin|end <seconds>
#   PG-PROBE <json line>       PG-PROBE-ERR <stderr>  PG-PROBE-RC <n>
#   PG-PROBE-TEXT <plain probe output>
#   PG-E2E [<uptime>] <suite output>
#   PG-VM-TIMEOUT <why>        PG-VM-LEFTOVER <pid cmd>
#   PG-DMESG <kernel warning or worse>
#   PG-VM-END rc=<e2e exit code>
# No "set -e": PID 1 exiting panics the kernel, and a failed mount is worth a
# warning and the rest of the run, not a lost log.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Reopen the console in case the image carried no /dev/console node.
exec </dev/console >/dev/console 2>&1

mnt()
{
	mkdir -p "$3"
	mount -t "$1" "$2" "$3" || echo "PG-VM-WARN cannot mount $1 on $3"
}
mnt proc proc /proc
mnt sysfs sysfs /sys
mnt devpts devpts /dev/pts
mnt tmpfs tmpfs /dev/shm
mnt tmpfs tmpfs /tmp
mnt tmpfs tmpfs /run
mnt securityfs securityfs /sys/kernel/security
mnt bpf bpf /sys/fs/bpf
mnt tracefs tracefs /sys/kernel/tracing
mnt debugfs debugfs /sys/kernel/debug
mnt cgroup2 cgroup2 /sys/fs/cgroup
chmod 1777 /tmp
# devtmpfs lacks these; udev would normally make them, and scripts use
# /dev/stdin and /dev/fd/N.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname pg-vm
# Loopback is all the network a VM without a NIC has; the net tests use it.
ip link set lo up || echo "PG-VM-WARN cannot bring up lo"

echo "PG-VM-BEGIN $(uname -r)"
echo "PG-VM-UPTIME begin $(cut -d' ' -f1 /proc/uptime)"
echo "PG-LSM $(cat /sys/kernel/security/lsm 2>/dev/null)"

# Drop the boot messages (TCG's MTRR and clock complaints): what is left at
# the end is what the kernel said while the agent ran.
dmesg -c >/dev/null

cd /penguard || exit 1
export PENGUARD=/penguard/build/penguard
export PG_HELPERS=/penguard/build/tests/helpers
# PG_E2E_ONLY comes from the kernel command line: the kernel hands unknown
# NAME=value words without a dot to init as environment variables.
[ -n "$PG_E2E_ONLY" ] && export PG_E2E_ONLY
# TCG runs the suite 15-20x slower than the host: longer waits, smaller
# floods (a NAME=value on the command line, PG_VM_APPEND, overrides them)
export PG_E2E_IN_VM=1
export PG_E2E_SLOW=${PG_E2E_SLOW:-10}
export PG_E2E_THREAD_PROCS=${PG_E2E_THREAD_PROCS:-20}
export PG_E2E_STALL_EXECS=${PG_E2E_STALL_EXECS:-400}
export PG_E2E_STORM_LOOPS=${PG_E2E_STORM_LOOPS:-2}
export PG_E2E_STORM_COUNT=${PG_E2E_STORM_COUNT:-250}
export PG_E2E_RELOAD_COUNT=${PG_E2E_RELOAD_COUNT:-100}

# Every step is bounded inside the VM too, so a hang ends with a report of
# what was still running instead of the host's timeout cutting the log.
# run.sh sets PG_E2E_TIMEOUT below its own limit.
e2e_timeout=${PG_E2E_TIMEOUT:-3600}

if [ -x "$PENGUARD" ]; then
	timeout 120 "$PENGUARD" probe -o json >/tmp/probe.json 2>/tmp/probe.err </dev/null
	echo "PG-PROBE-RC $?"
	sed 's/^/PG-PROBE /' /tmp/probe.json
	sed 's/^/PG-PROBE-ERR /' /tmp/probe.err
	# The human-readable form, for whoever reads the log.
	timeout 120 "$PENGUARD" probe </dev/null >/tmp/probe.txt 2>&1
	sed 's/^/PG-PROBE-TEXT /' /tmp/probe.txt
else
	echo "PG-PROBE-ERR no agent in this initramfs"
fi

# The suite writes into a FIFO that awk prefixes, not into a pipe to sed:
# busybox sed reads one line ahead, so the last line before a hang (the one
# that says where it hung) would never reach the console.  And the suite's
# exit does not wait for the prefixer: a process the suite left running
# keeps the FIFO open, and is dealt with below.
mkfifo /tmp/e2e.fifo
# Each line carries the guest's uptime: under TCG, where a test spends its
# time is the first question when the matrix is slow.
awk '{
	getline up <"/proc/uptime"; close("/proc/uptime"); split(up, u, " ")
	printf "PG-E2E [%8s] %s\n", u[1], $0; fflush()
}' </tmp/e2e.fifo &
prefixer=$!
start=$(date +%s)
# "sh", not the script's own shebang: ash is the only shell here.
timeout "$e2e_timeout" sh tests/e2e/run.sh </dev/null >/tmp/e2e.fifo 2>&1
rc=$?
# busybox timeout exits 143 when it had to kill.
if [ "$rc" -eq 143 ] && [ $(($(date +%s) - start)) -ge "$e2e_timeout" ]; then
	echo "PG-VM-TIMEOUT the e2e suite was still running after ${e2e_timeout}s"
fi

# What the suite (or the timeout) left behind: a daemon not stopped, a
# helper stuck.  Named, so the leak or hang can be found, then killed, so
# the FIFO closes and the prefixer ends.  Kernel threads have an empty
# cmdline; so do zombies, which need no killing.
for d in /proc/[0-9]*; do
	pid=${d#/proc/}
	if [ "$pid" = 1 ] || [ "$pid" = "$prefixer" ]; then continue; fi
	cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)
	case "$cmd" in
	# busybox timeout execs the command in its own process and forks the
	# watchdog, which outlives the command by up to a second: ours, no leak.
	"" | "timeout $e2e_timeout sh tests/e2e/run.sh ") continue ;;
	esac
	echo "PG-VM-LEFTOVER $pid $cmd"
	kill -9 "$pid" 2>/dev/null
done
wait "$prefixer"

# Kernel warnings and worse since the probe started, which "quiet" kept off
# the console: a WARN_ON hit while the agent ran is worth seeing even when
# every test passed.  The level is the raw priority modulo 8 (facility 0 is
# the kernel).
dmesg -r | awk '{
	if (match($0, /^<[0-9]+>/) && substr($0, 2, RLENGTH - 2) % 8 <= 4) print "PG-DMESG " $0
}' | tail -n 200

echo "PG-VM-UPTIME end $(cut -d' ' -f1 /proc/uptime)"
echo "PG-VM-END rc=$rc"
sync
poweroff -f
# Not reached unless poweroff failed; the host's timeout is the backstop.
echo o >/proc/sysrq-trigger
sleep 3600
