#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Run the end-to-end suite on each kernel of the matrix, in QEMU.
#
#   tests/vm/run.sh [5.10|6.1|6.12 ...]      (default: all three, or $KERNELS)
#
# Environment:
#   PG_VM_TIMEOUT  seconds per VM before it counts as hung (default 2400:
#                  the suite runs ~23 min under single-threaded TCG)
#   PG_E2E_ONLY    run only the e2e tests whose name has one of these
#                  comma-separated words (no spaces)
#   PG_VM_LSM      the lsm= list to boot with (default lockdown,capability,bpf;
#                  empty: the kernel's built-in list, which on 5.10 lacks bpf)
#   PG_VM_APPEND   extra kernel command line words
#   PG_VM_MEM, PG_VM_SMP, PG_VM_CPU   guest RAM in MiB (1024), CPUs (2), and
#                  QEMU -cpu model (max,-cx16: see below)
#   PG_VM_ACCEL    QEMU -accel (tcg,thread=single: see below)
#   PG_VM_RETRY    second boots allowed per run (default 1, 0: none) of a
#                  kernel whose first boot stopped in a soft lockup or RCU
#                  stall before any test failed
#   PENGUARD, PG_HELPERS_DIR, PG_E2E_DIR, PENGUARD_KERNEL_CACHE: see
#                  mkinitramfs.sh and fetch-kernels.sh
#
# Writes build/vm/<kernel>.log (the serial console), build/vm/report.md, and
# prints a report per kernel, then "vm: N passed, N failed, N skipped" over
# all kernels.  Exits 0 only if every kernel booted, ran the suite to its end
# with no failure, and neither panicked nor oopsed.
#
# VMs run one after another: each keeps a host core busy, and the machines
# this runs on have two.  TCG, not KVM: nested KVM crashes on the
# machines we have, and TCG needs nothing from the host kernel.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

timeout_s=${PG_VM_TIMEOUT:-2400}
lsm=${PG_VM_LSM-lockdown,capability,bpf}
out=$PG_REPO/build/vm
agent=${PENGUARD:-$PG_REPO/build/penguard}
# No CMPXCHG16B: QEMU 7.2's TCG (Debian 12) corrupts RFLAGS on the kernel's
# "cmpxchg16b %gs:(...)" that SLUB uses since 6.8 for its per-CPU freelist,
# and 6.12 then oopses (double fault in kmem_cache_alloc) in 2 boots of 3.
# Without the feature the kernel takes its locked fallback: 49 of 49 boots
# of the three kernels passed.  Nothing the agent uses depends on it.
cpu=${PG_VM_CPU:-max,-cx16}
# One host thread for all guest CPUs (no MTTCG). With a thread per CPU,
# guests stopped in soft lockups at code the kernel was patching live
# (the BPF trampoline at bpf_lsm_mmap_file+0, a static branch in
# syscall_trace_enter), twice in one 5.10 boot and its retry: cross-CPU
# code changes are where MTTCG is weakest. The guest still has 2 CPUs.
accel=${PG_VM_ACCEL:-tcg,thread=single}

# Totals over kernels and over their tests, and the markdown report built
# as we go.
n_ok=0 n_bad=0 t_pass=0 t_fail=0 t_skip=0
md_rows=() md_sections=() fail_lines=() retry_lines=()
lockup=""

# Lines of log $2 that carry prefix $1, prefix removed.
field()
{
	sed -n "s/^$1 //p" "$2"
}

# The suite's lines of log $1, without the guest uptime init.sh puts before
# each.  Control characters made visible (cat -v): they end up on a
# terminal and in markdown, and the suite's hostile-input tests print some.
e2e_lines()
{
	sed -n 's/^PG-E2E \[ *[0-9.]*\] //p' "$1" | cat -v
}

# Each line of $2, if any, after the prefix $1, control characters visible.
prefixed()
{
	[ -z "$2" ] || printf '%s\n' "$2" | cat -v | awk -v p="$1" '{ print p $0 }'
}

# From the first oops, panic, lockup or stall in log $1: the lines that say
# what and where (the test that ran, RIP, the call chain), not the register
# dump, so that the part of a CI log anyone sees holds the cause.
kernel_trouble()
{
	awk '/^PG-E2E / { last = $0; next }
	     !s && /BUG:|Oops|general protection fault|soft lockup|self-detected stall|rcu_.*stall|Kernel panic|WARNING: CPU/ {
		s = 1; if (last != "") print "(after " last ")" }
	     s' "$1" |
		grep -aE 'BUG:|Oops|general protection|lockup|stall|WARNING:|RIP:|Comm:|CPU: [0-9]+ PID|Call Trace|Hardware name|#PF:|Kernel panic|<IRQ>|<TASK>|<SOFTIRQ>|^\(after|^\[ *[0-9.]+\] +[?]? ?[A-Za-z_0-9.]+\+0x' |
		head -n 60 | cut -c 1-200 | cat -v
}

# The same complaint on one line: the function it was stuck in, then the
# callers the unwinder was sure of ("?" frames are guesses), for the final
# "failed:" lines, the part of a CI log that is always seen. The callers
# are those after the RIP line: before it, a soft lockup's trace shows
# only the watchdog's own path (timer interrupt, panic).
trouble_chain()
{
	kernel_trouble "$1" | awk '
		/RIP: [0-9a-f]+:/ && !rip { sub(/.*RIP: [0-9a-f]+:/, ""); sub(/\+0x.*/, ""); rip = $0; next }
		/^\[ *[0-9.]+\] +[A-Za-z_0-9.]+\+0x/ {
			f = $0; sub(/^\[ *[0-9.]+\] +/, "", f); sub(/\+0x.*/, "", f)
			if (rip == "" && n < 12) pre = pre (n++ ? " < " : "") f
			else if (rip != "" && m < 12) chain = chain (m++ ? " < " : "") f
		}
		END {
			if (chain == "") chain = pre
			if (rip != "" || chain != "") printf "in %s, called from %s", (rip != "" ? rip : "?"), (chain != "" ? chain : "?")
		}'
}

# Boot one kernel and report on it.  Returns 1 if it failed.
run_one()
{
	local k=$1 img log t0 t1 secs qrc rd=$initrd mod
	img=$(pg_vm_cached_kernel "$k")
	log=$out/$k.log
	# This kernel's own test module, in a second archive after the common
	# one: the kernel unpacks concatenated archives in turn.
	mod=$(pg_vm_test_module "$img")
	if [ -s "$mod" ]; then
		rd=$out/$k.initramfs.cpio.gz
		rm -rf "$out/$k.mod" && mkdir -p "$out/$k.mod/penguard-test"
		cp "$mod" "$out/$k.mod/penguard-test/dummy.ko"
		(cd "$out/$k.mod" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$rd.mod"
		cat "$initrd" "$rd.mod" >"$rd"
		rm -rf "$rd.mod" "$out/$k.mod"
	fi
	echo "== $k: booting $(basename "$img") (timeout ${timeout_s}s)"
	t0=$(date +%s.%N)
	set +e
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		-accel "$accel" -cpu "$cpu" -m "${PG_VM_MEM:-1024}" -smp "${PG_VM_SMP:-2}" \
		-display none -nodefaults -no-user-config -no-reboot \
		-serial "file:$log.raw" \
		-kernel "$img" -initrd "$rd" -append "$append" \
		</dev/null >"$out/$k.qemu.log" 2>&1
	qrc=$?
	set -e
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# The serial line ends lines with CR LF.  The log may hold any byte (the
	# suite passes hostile arguments), hence "grep -a" on it below.
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"

	local reasons=() version lsms probe_rc backends="" absent="" summary
	local passed='?' failed='?' skipped='?' end_rc
	version=$(field PG-VM-BEGIN "$log" | head -n 1)
	lsms=$(field PG-LSM "$log" | head -n 1)

	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		reasons+=("hung: no power-off within ${timeout_s}s")
	elif [ "$qrc" -ne 0 ]; then
		reasons+=("qemu exited with $qrc: $(head -c 300 "$out/$k.qemu.log")")
	fi
	[ -n "$version" ] || reasons+=("never reached /init: boot failure")
	# Kernel trouble is a failure even when every test passed: an agent
	# that oopses the kernel is broken.  Test output (PG-E2E) could quote
	# these words, so it is left out of the search.
	if grep -av '^PG-E2E ' "$log" | grep -aqE 'Kernel panic|BUG:|Oops|general protection fault'; then
		reasons+=("kernel panic or oops: $(grep -av '^PG-E2E ' "$log" |
			grep -a -m 1 -E 'Kernel panic|BUG:|Oops|general protection fault')")
	fi

	[ "$agent" != none ] || backends="(no agent in this run)"
	if [ "$agent" != none ] && [ -n "$version" ]; then
		probe_rc=$(field PG-PROBE-RC "$log" | head -n 1)
		if [ "${probe_rc:-x}" != 0 ]; then
			reasons+=("penguard probe exited with ${probe_rc:-nothing}")
		elif ! field PG-PROBE "$log" | jq -e 'type == "object"' >/dev/null 2>&1; then
			reasons+=("penguard probe -o json printed no JSON object")
		else
			backends=$(field PG-PROBE "$log" | jq -r '(.sensors // {}) | to_entries |
				map("\(.key)=\(.value | if type == "string" then . else tojson end)") |
				join(" ")')
			absent=$(field PG-PROBE "$log" | jq -r '(.features // {}) | to_entries |
				map(select(.value == false) | .key) | join(" ")')
		fi
	fi

	summary=$(e2e_lines "$log" | grep -aE '^e2e: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' |
		tail -n 1) || true
	if [ -n "$summary" ]; then
		read -r passed failed skipped < <(echo "$summary" |
			sed -E 's/^e2e: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')
		[ "$failed" -eq 0 ] || reasons+=("$failed test(s) failed")
		[ "$passed" -gt 0 ] || reasons+=("no test passed")
	elif [ -n "$version" ]; then
		reasons+=("the e2e suite printed no 'e2e: N passed, N failed, N skipped' line")
	fi
	# The VM is not what the suite was promised (a file system missing).
	while IFS= read -r r; do
		reasons+=("VM setup: $r")
	done < <(field PG-VM-WARN "$log")
	if grep -aq '^PG-VM-TIMEOUT ' "$log"; then
		reasons+=("hung inside the VM: $(field PG-VM-TIMEOUT "$log" | head -n 1)")
	fi
	end_rc=$(field PG-VM-END "$log" | sed -n 's/^rc=//p' | head -n 1)
	if [ -n "$version" ] && [ -z "$end_rc" ]; then
		reasons+=("no PG-VM-END: the run stopped before its end")
	elif [ -n "$end_rc" ] && [ "$end_rc" != 0 ]; then
		reasons+=("the e2e suite exited with $end_rc")
	fi

	local verdict=PASS
	[ ${#reasons[@]} -eq 0 ] || verdict=FAIL
	# A boot that failed only because the kernel stopped scheduling (a soft
	# lockup or RCU stall, no test failed before it) may be booted again:
	# see main().
	lockup=""
	if [ "$verdict" = FAIL ] && [ "${failed:-?}" = '?' ] && ! e2e_lines "$log" | grep -aq '^FAIL ' &&
		grep -av '^PG-E2E ' "$log" | grep -aqE 'soft lockup|self-detected stall|rcu_.*stall'; then
		lockup=$(trouble_chain "$log")
		lockup=${lockup:-no call chain}
	fi
	local fails skips warns leftovers
	leftovers=$(field PG-VM-LEFTOVER "$log")
	fails=$(e2e_lines "$log" | grep -a '^FAIL ' || true)
	skips=$(e2e_lines "$log" | grep -a '^skip ' || true)
	warns=$(field PG-DMESG "$log" || true)

	echo "   result:   $verdict in ${secs}s (boot + probe + suite)"
	echo "   kernel:   ${version:-?}  (LSMs: ${lsms:-?})"
	echo "   backends: ${backends:-?}"
	[ -z "$absent" ] || echo "   missing features: $absent"
	echo "   e2e:      $passed passed, $failed failed, $skipped skipped"
	prefixed '     ' "$skips"
	prefixed '     ' "$fails"
	prefixed '   left running after the suite (killed): ' "$leftovers"
	[ -z "$warns" ] || echo "   kernel warnings while the agent ran: $(echo "$warns" | wc -l) (PG-DMESG in $log)"
	local r
	for r in "${reasons[@]}"; do echo "   why:      $r"; done
	if [ "$verdict" = FAIL ]; then
		echo "   --- the kernel's complaint in $log, if any: where, and the call chain"
		prefixed '   | ' "$(kernel_trouble "$log")"
		echo "   --- last 15 lines of $log"
		prefixed '   | ' "$(tail -n 15 "$log")"
		local chain
		chain=$(trouble_chain "$log")
		fail_lines+=("$k: $(printf '%s; ' "${reasons[@]}")${chain:+kernel stuck $chain; }last test line: $(e2e_lines "$log" | tail -n 1)")
	fi

	md_rows+=("| $k | ${version:-?} | **$verdict** | $passed | $failed | $skipped | ${secs} s | ${backends:-?} |")
	local sec="### $k: $verdict"$'\n\n'"- kernel: \`${version:-?}\`, LSMs \`${lsms:-?}\`"$'\n'
	sec+="- backends: ${backends:-?}"$'\n'
	[ -z "$absent" ] || sec+="- missing features: $absent"$'\n'
	for r in "${reasons[@]}"; do sec+="- why: $r"$'\n'; done
	[ -z "$leftovers" ] || sec+="- left running after the suite: $(echo "$leftovers" | paste -sd ';')"$'\n'

	if [ -n "$skips$fails" ]; then
		sec+=$'\n```\n'"$(printf '%s\n%s' "$fails" "$skips" | sed '/^$/d')"$'\n```\n'
	fi
	md_sections+=("$sec")

	[ "$passed" = '?' ] || t_pass=$((t_pass + passed)) t_skip=$((t_skip + skipped))
	# A kernel that failed with no failing test (no boot, a panic, a hang)
	# still counts as one failure, so the total never reads "0 failed" on a
	# run that failed.
	if [ "$failed" != '?' ] && [ "$failed" -gt 0 ]; then
		t_fail=$((t_fail + failed))
	elif [ "$verdict" = FAIL ]; then
		t_fail=$((t_fail + 1))
	fi
	[ "$verdict" = PASS ]
}

# Everything runs from here, parsed whole before it starts: bash reads a
# script as it goes, and this one runs long enough for someone to edit it.
main()
{
	kernels=("$@")
	[ ${#kernels[@]} -eq 0 ] && read -r -a kernels <<<"${KERNELS:-$PG_VM_ALL_KERNELS}"
	for k in "${kernels[@]}"; do pg_vm_check_series "$k"; done
	case "$timeout_s" in '' | *[!0-9]*) pg_vm_die "PG_VM_TIMEOUT must be a number of seconds" ;; esac
	# The pattern reaches the VM as one kernel command line word.
	case "${PG_E2E_ONLY:-}" in *[[:space:]\"\']*) pg_vm_die "PG_E2E_ONLY cannot hold spaces or quotes" ;; esac

	pg_vm_deps
	mkdir -p "$out"
	# One run at a time per checkout: two would overwrite each other's
	# initramfs and logs, and on two cores slow each other's TCG enough to
	# fail timing-sensitive tests.  The lock goes when this process exits.
	exec 9>"$out/.lock"
	if ! flock -n 9; then
		echo "tests/vm: another run is using $out; waiting for it" >&2
		flock 9
	fi
	"$PG_VM_DIR/fetch-kernels.sh" "${kernels[@]}" >/dev/null
	initrd=$out/initramfs.cpio.gz
	"$PG_VM_DIR/mkinitramfs.sh" "$initrd"

	# A soft lockup ends the run at once (panic, then -no-reboot) instead of
	# after the whole timeout, with every CPU's stack: the one that spins
	# and the one it waits for.
	append="console=ttyS0 quiet panic=-1 random.trust_cpu=on softlockup_panic=1 softlockup_all_cpu_backtrace=1"
	[ -n "$lsm" ] && append+=" lsm=$lsm"
	[ -n "${PG_E2E_ONLY:-}" ] && append+=" PG_E2E_ONLY=$PG_E2E_ONLY"
	[ -n "${PG_VM_APPEND:-}" ] && append+=" $PG_VM_APPEND"
	# The suite's own limit inside the VM, below ours, so that a hung test still
	# ends with a list of what was running and a full log.
	append+=" PG_E2E_TIMEOUT=$((timeout_s > 120 ? timeout_s - 60 : timeout_s / 2))"

	local saved
	for k in "${kernels[@]}"; do
		saved="$t_pass $t_fail $t_skip ${#md_rows[@]} ${#md_sections[@]} ${#fail_lines[@]}"
		if run_one "$k"; then
			n_ok=$((n_ok + 1))
			continue
		fi
		# A soft lockup under TCG with no test failed: QEMU 7.2's TCG has
		# hung guests before (see cpu above), and a lost boot costs the
		# whole timeout. Boot once more, and say so at the end and in the
		# report; the first log stays as <kernel>.lockup.log. A lockup
		# that comes back fails the kernel. One second boot per run at
		# most (CI's time is bounded); PG_VM_RETRY=0: none.
		if [ -n "$lockup" ] && [ ${#retry_lines[@]} -lt "${PG_VM_RETRY:-1}" ]; then
			mv "$out/$k.log" "$out/$k.lockup.log"
			retry_lines+=("$k: the first boot stopped in a soft lockup or stall ($lockup; last test line: $(e2e_lines "$out/$k.lockup.log" | tail -n 1)); its log is $out/$k.lockup.log; booted again")
			read -r t_pass t_fail t_skip n_rows n_secs n_fails <<<"$saved"
			md_rows=("${md_rows[@]:0:n_rows}")
			md_sections=("${md_sections[@]:0:n_secs}")
			fail_lines=("${fail_lines[@]:0:n_fails}")
			echo "== $k: soft lockup or stall, no test failed: booting it once more"
			if run_one "$k"; then
				n_ok=$((n_ok + 1))
				continue
			fi
		fi
		n_bad=$((n_bad + 1))
	done

	{
		echo "# penguard kernel matrix"
		echo
		echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$PG_REPO" rev-parse --short HEAD 2>/dev/null || echo 'no commit'), QEMU TCG, lsm=${lsm:-built-in}${PG_E2E_ONLY:+, PG_E2E_ONLY=$PG_E2E_ONLY}"
		echo
		echo "| kernel | version | result | passed | failed | skipped | time | backends |"
		echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
		printf '%s\n' "${md_rows[@]}"
		echo
		printf '%s\n' "${md_sections[@]}"
		[ ${#retry_lines[@]} -eq 0 ] || printf -- '- booted twice: %s\n' "${retry_lines[@]}"
	} >"$out/report.md"
	echo "report: $out/report.md"
	# What failed, once more at the end: a CI log may show only its tail.
	[ ${#fail_lines[@]} -eq 0 ] || printf 'failed: %s\n' "${fail_lines[@]}" | cut -c 1-1000
	[ ${#retry_lines[@]} -eq 0 ] || printf 'booted twice: %s\n' "${retry_lines[@]}" | cut -c 1-1000
	echo "kernels: $n_ok passed, $n_bad failed"
	# Last, in the form tests/run-all.sh and CI read: the tests of every
	# kernel added up.
	echo "vm: $t_pass passed, $t_fail failed, $t_skip skipped"
	[ "$n_bad" -eq 0 ]
}

# On one line: bash has read "exit" before main runs, so an edit of this
# file during a run cannot change what follows.
main "$@"; exit
