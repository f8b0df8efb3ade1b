#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# bench/run.sh - the exec-storm benchmark behind `make bench`.
#
# Runs the same exec storm (bench/execstorm.c running bench/tiny.c) with no
# monitor, under penguard, and under three peers (libbpf-tools execsnoop,
# auditd with an execve rule, a bpftrace one-liner), each configuration
# BENCH_REPEAT times, interleaved, and writes docs/BENCHMARKS.md.
#
# Overhead is reported only as ratios against the baseline of the same run:
# absolute numbers on a shared VM mean little, ratios measured minutes apart
# on the same machine mean more. Needs root (BPF, audit, mounting tracefs).
#
# Knobs (environment):
#   BENCH_EXECS     execs per loop (default 6000)
#   BENCH_LOOPS     parallel exec loops (default 2); total = LOOPS * EXECS
#   BENCH_REPEAT    repetitions of every configuration (default 3)
#   BENCH_SETTLE_MS time kept inside the CPU window after the storm, so a
#                   monitor still draining its backlog is charged for it
#                   (default 1000)
#   BENCH_IDLE_WAIT seconds to wait, before each storm, for the machine to
#                   go quiet (default 20)
#   BENCH_RETRIES   times a run disturbed by other load is run again
#                   (default 2)
#   BENCH_CONFIGS   space-separated subset of: baseline penguard execsnoop
#                   auditd bpftrace (default all; baseline is always run)
#   BENCH_OUT       report path (default docs/BENCHMARKS.md)
#   BENCH_KEEP      1 keeps the monitors' full output in build/bench/runs/
#                   (default: files over 1 MiB are deleted once counted)
#   PENGUARD        agent binary (default build/penguard)

set -euo pipefail
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BB="$ROOT/build/bench"
EXECS=${BENCH_EXECS:-6000}
LOOPS=${BENCH_LOOPS:-2}
REPEAT=${BENCH_REPEAT:-3}
SETTLE_MS=${BENCH_SETTLE_MS:-1000}
OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
PENGUARD=${PENGUARD:-$ROOT/build/penguard}
KEEP=${BENCH_KEEP:-0}
ALL_CONFIGS="baseline penguard execsnoop auditd bpftrace"
CONFIGS=${BENCH_CONFIGS:-$ALL_CONFIGS}
TINY_NAME=pgbench-tiny
TINY="$BB/$TINY_NAME"
AUDIT_KEY=penguard-bench
AUDIT_RULE=("always,exit" -F arch=b64 -S execve -k "$AUDIT_KEY")
# Seconds a monitor may take to attach; bpftrace compiles with LLVM and
# parses the kernel BTF first, which takes ~20 s on a small VM.
READY_TIMEOUT=90
# Before every storm (the baseline's too) the script waits up to IDLE_WAIT
# seconds, in 1 s samples, for the machine's busy CPU to drop to IDLE_MAX
# CPU-s per second: that lets a monitor's start-up burst die down, and
# keeps the storm off a machine someone else is loading.
IDLE_WAIT=${BENCH_IDLE_WAIT:-20}
IDLE_MAX=0.15
HZ=$(getconf CLK_TCK)
# A run during which the machine spent more than DISTURB_MAX CPU-s per s on
# things neither the storm nor the monitor account for was disturbed by
# someone else's load (a test VM, a build): it is run again, up to RETRIES
# times, and if still disturbed, kept but left out of the medians.
DISTURB_MAX=0.2
RETRIES=${BENCH_RETRIES:-2}

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*"; }

for v in EXECS LOOPS REPEAT; do
	[[ ${!v} =~ ^[1-9][0-9]{0,6}$ ]] || die "BENCH_$v must be a positive integer"
done
[[ $SETTLE_MS =~ ^[0-9]{1,5}$ ]] || die "BENCH_SETTLE_MS must be an integer (ms)"
[[ $IDLE_WAIT =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_IDLE_WAIT must be a positive integer (s)"
[[ $RETRIES =~ ^[0-9]$ ]] || die "BENCH_RETRIES must be 0..9"
for c in $CONFIGS; do
	[[ " $ALL_CONFIGS " == *" $c "* ]] || die "unknown configuration '$c' in BENCH_CONFIGS"
done
# The baseline is what every ratio divides by.
[[ " $CONFIGS " == *" baseline "* ]] || CONFIGS="baseline $CONFIGS"
((EUID == 0)) || die "needs root (BPF programs, audit rules, tracefs)"

mkdir -p "$BB"
exec 9>"$BB/.lock"
flock -n 9 || die "another bench/run.sh is running"

RUNDIR="$BB/runs"
rm -rf "$RUNDIR"
mkdir -p "$RUNDIR"
RESULTS="$BB/results.tsv"
: >"$RESULTS"

# ---------------------------------------------------------------------------
# Clean-up: everything this script started or changed, and nothing else.
# ---------------------------------------------------------------------------
MON_PID=""           # the monitor currently running, started by us
AUDIT_RULE_ADDED=0
AUDIT_SAVED=""       # "enabled backlog_limit" before we touched audit
AUDITD_CONF_DIR=""

audit_restore()
{
	if ((AUDIT_RULE_ADDED)); then
		auditctl -d "${AUDIT_RULE[@]}" >/dev/null 2>&1 || true
		AUDIT_RULE_ADDED=0
	fi
	if [[ -n $AUDIT_SAVED ]]; then
		# auditd leaves auditing enabled when it exits; a kernel with
		# audit on costs every later configuration a little, so put
		# back what was there before.
		local en bl
		read -r en bl <<<"$AUDIT_SAVED"
		auditctl -b "$bl" >/dev/null 2>&1 || true
		auditctl -e "$en" >/dev/null 2>&1 || true
		AUDIT_SAVED=""
	fi
}

cleanup()
{
	if [[ -n $MON_PID ]] && kill -0 "$MON_PID" 2>/dev/null; then
		kill -KILL "$MON_PID" 2>/dev/null || true
		wait "$MON_PID" 2>/dev/null || true
	fi
	MON_PID=""
	audit_restore
	[[ -n $AUDITD_CONF_DIR ]] && rm -rf "$AUDITD_CONF_DIR"
	AUDITD_CONF_DIR=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# Setup: packages, tracefs, binaries.
# ---------------------------------------------------------------------------
declare -A UNAVAIL=()

need_pkgs=()
command -v jq >/dev/null || need_pkgs+=(jq)
[[ " $CONFIGS " == *" execsnoop "* ]] && ! command -v execsnoop >/dev/null && need_pkgs+=(libbpf-tools)
[[ " $CONFIGS " == *" auditd "* ]] && ! command -v auditd >/dev/null && need_pkgs+=(auditd)
[[ " $CONFIGS " == *" bpftrace "* ]] && ! command -v bpftrace >/dev/null && need_pkgs+=(bpftrace)
if ((${#need_pkgs[@]})); then
	log "installing ${need_pkgs[*]}"
	if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"; } \
		>"$BB/apt.log" 2>&1; then
		log "apt-get failed, see $BB/apt.log; missing tools' rows will say so"
	fi
fi
command -v jq >/dev/null || die "jq is needed and could not be installed"
command -v execsnoop >/dev/null || UNAVAIL[execsnoop]="not installed (libbpf-tools)"
{ command -v auditd && command -v auditctl; } >/dev/null || UNAVAIL[auditd]="not installed (auditd)"
command -v bpftrace >/dev/null || UNAVAIL[bpftrace]="not installed (bpftrace)"
[[ -x $PENGUARD ]] || UNAVAIL[penguard]="not built (${PENGUARD#"$ROOT"/} missing)"

# bpftrace and the tracepoint-based tools look tracepoints up in tracefs.
# Left mounted afterwards: it is the normal state of a Debian system.
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null ||
	log "warning: cannot mount debugfs"
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
	log "warning: cannot mount tracefs"

CFLAGS=(-std=gnu11 -O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes)
cc "${CFLAGS[@]}" -o "$BB/execstorm" "$ROOT/bench/execstorm.c" ||
	die "cannot build execstorm"
# The libc-free static binary keeps each exec as cheap as it can be; where
# tiny.c has no exit stub for the architecture, an ordinary static one.
TINY_KIND="static, no libc"
if ! cc "${CFLAGS[@]}" -static -nostdlib -DTINY_NOSTDLIB -o "$TINY" "$ROOT/bench/tiny.c" 2>/dev/null; then
	TINY_KIND="static glibc"
	cc "${CFLAGS[@]}" -static -o "$TINY" "$ROOT/bench/tiny.c" || die "cannot build $TINY_NAME"
fi
"$TINY" || die "$TINY_NAME does not run"

# ---------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------

# wait_until TIMEOUT_S PID CMD...: poll CMD every 0.1 s. Returns 0 once it
# succeeds, 1 on timeout, 2 if PID (the monitor) died first.
wait_until()
{
	local deadline=$((SECONDS + $1)) pid=$2
	shift 2
	while ((SECONDS < deadline)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 2
		sleep 0.1
	done
	return 1
}

# stop_monitor SIGNAL: ask the current monitor to stop, give it time to
# flush its output, then kill it. Returns 1 if it had to be killed.
stop_monitor()
{
	local sig=$1 i rc=0

	[[ -n $MON_PID ]] || return 0
	kill "-$sig" "$MON_PID" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$MON_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$MON_PID" 2>/dev/null; then
		kill -KILL "$MON_PID" 2>/dev/null || true
		rc=1
	fi
	wait "$MON_PID" 2>/dev/null || true
	MON_PID=""
	return $rc
}

# Busy jiffies of the whole machine, as execstorm counts them (guest time is
# already inside user time).
read_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# busy_over SECONDS: the machine's busy CPU-seconds per second over that time.
busy_over()
{
	local b0 b1
	b0=$(read_busy)
	sleep "$1"
	b1=$(read_busy)
	awk -v a="$b0" -v b="$b1" -v s="$1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz / s }'
}

# proc_ticks PID...: CPU ticks used so far by these processes (all threads,
# and reaped children), 0 for any that is gone.
proc_ticks()
{
	local p t=0 v
	for p in "$@"; do
		# Drop "pid (comm) " first: comm may hold spaces and parentheses.
		v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || v=0
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# other_monitors: "comm:pid " for every exec monitor running that is not
# ours. Another monitor (a test's penguard, a stray bpftrace) hooks the same
# execs in the kernel, on the storm's own CPU time, where no CPU accounting
# can tell it apart: such a run counts as disturbed.
other_monitors()
{
	ps -eo pid=,comm= | awk -v me="${MON_PID:-0}" '
		$2 ~ /^(penguard|execsnoop|bpftrace|auditd)$/ && $1 != me { printf "%s:%s ", $2, $1 }'
}

# kv KEY LINE: the value of KEY in execstorm's "k=v k=v" output line.
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# Per-run results, filled by each run_* function.
R_STATUS=""; R_DELIV="-"; R_LOST="-"; R_NOTE=""; STORM=""; R_BG="-"; R_ATTR="-"; R_FOREIGN=0
# Processes whose CPU time is the monitor's (MON_PID, kauditd for auditd).
MON_CPU_PIDS=()

# storm DIR: run the workload; sets STORM to its output line.
storm()
{
	local rc=0 i t0 t1 others

	# Wait (a bounded time) for the machine to be quiet: a shared machine
	# (a build, a test VM) would otherwise be counted as monitor cost. The
	# last 1 s sample is the run's background load, kept with its result.
	for ((i = 0; i < IDLE_WAIT; i++)); do
		R_BG=$(busy_over 1)
		awk -v b="$R_BG" -v m="$IDLE_MAX" 'BEGIN { exit !(b <= m) }' && break
	done
	awk -v b="$R_BG" -v m="$IDLE_MAX" 'BEGIN { exit !(b <= m) }' ||
		R_NOTE+="machine busy before the storm ($R_BG CPU-s/s); "
	others=$(other_monitors)
	t0=$(proc_ticks "${MON_CPU_PIDS[@]}")
	timeout 600 "$BB/execstorm" -l "$LOOPS" -n "$EXECS" -s "$SETTLE_MS" "$TINY" \
		>"$1/storm.out" 2>"$1/storm.err" || rc=$?
	t1=$(proc_ticks "${MON_CPU_PIDS[@]}")
	others+=$(other_monitors)
	if [[ -n $others ]]; then
		R_NOTE+="other monitors running ($(awk '{ for (i = 1; i <= NF; i++)
			if (!seen[$i]++) printf "%s%s", (n++ ? " " : ""), $i }' <<<"$others")); "
		R_FOREIGN=1
	fi
	STORM=$(tail -n 1 "$1/storm.out")
	if [[ $STORM != execs=* ]]; then
		R_STATUS="storm failed (rc $rc): $(head -c 200 "$1/storm.err")"
		return 1
	fi
	# CPU the storm and the monitor can be charged with by name: deaf to
	# other load on the machine, blind to kernel work in other contexts.
	R_ATTR=$(awk -v w="$(kv cpu_work_s "$STORM")" -v t="$((t1 - t0))" -v hz="$HZ" \
		'BEGIN { printf "%.3f", w + t / hz }')
	# Execs that failed under a monitor are worth knowing, but the
	# timing is still kept: the row's note says so.
	(($(kv failed "$STORM") == 0)) || R_NOTE+="$(kv failed "$STORM") execs failed; "
	return 0
}

# count_matching FILE AWK: lines of FILE for which the awk condition holds;
# in it, t is our binary's path and n its name (callers single-quote it).
count_matching() { awk -v t="$TINY" -v n="$TINY_NAME" "$2 { c++ } END { print c + 0 }" "$1"; }

# sum_lost FILE...: total of "Lost N events" messages (execsnoop, bpftrace).
sum_lost()
{
	{ cat "$@" 2>/dev/null || true; } | { grep -oiE 'lost [0-9]+ events' || true; } |
		awk '{ s += $2 } END { print s + 0 }'
}

run_baseline()
{
	storm "$1" || return 0
	R_STATUS=ok
}

run_penguard()
{
	local d=$1 rc=0 ready_rc=0 exported st_emit st_lost st_deliv

	"$PENGUARD" run -o none --export "$d/export.jsonl" --stats-file "$d/stats.json" \
		>"$d/stdout" 2>"$d/stderr" &
	MON_PID=$!
	MON_CPU_PIDS=("$MON_PID")
	wait_until "$READY_TIMEOUT" "$MON_PID" grep -qsw ready "$d/stderr" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor INT || true
		R_STATUS="did not attach ($([[ $ready_rc == 2 ]] && echo exited || echo timeout)): $(tail -n 1 "$d/stderr" | head -c 200)"
		return 0
	fi
	storm "$d" || rc=1
	stop_monitor INT || R_NOTE+="killed after SIGINT; "
	((rc == 0)) || return 0

	if [[ ! -s $d/stats.json ]] || ! jq -e . "$d/stats.json" >/dev/null 2>&1; then
		R_STATUS="no stats JSON written"
		return 0
	fi
	# Every process_exec event in the export, and those that exec'd our
	# binary (by its path: the storm's own command line names it too).
	jq -r 'select(.process_exec) | .process_exec.process.binary // ""' "$d/export.jsonl" \
		>"$d/exec.binaries" 2>"$d/jq.err" || R_NOTE+="export is not clean JSON lines (see jq.err); "
	exported=$(wc -l <"$d/exec.binaries")
	R_DELIV=$(grep -cxF "$TINY" "$d/exec.binaries" || true)
	((R_DELIV > 0 || exported == 0)) ||
		R_NOTE+="no process_exec.process.binary equal to the storm's binary: export schema changed?; "
	st_emit=$(jq '.events.process_exec.emitted // empty' "$d/stats.json")
	st_lost=$(jq '.events.process_exec.lost // empty' "$d/stats.json")
	st_deliv=$(jq '.events.process_exec.delivered // empty' "$d/stats.json")
	R_LOST=${st_lost:--}
	# The agent's own books must balance: generated = delivered + lost,
	# and what it says it delivered is what the export holds.
	if [[ -z $st_emit || -z $st_lost || -z $st_deliv ]]; then
		R_NOTE+="stats lack events.process_exec counters; "
	else
		((st_emit == st_deliv + st_lost)) ||
			R_NOTE+="stats: emitted $st_emit != delivered $st_deliv + lost $st_lost; "
		((exported == st_deliv)) ||
			R_NOTE+="export holds $exported process_exec, stats say delivered $st_deliv; "
	fi
	R_STATUS=ok
}

run_execsnoop()
{
	local d=$1 rc=0 ready_rc=0

	# Line-buffered so the header, printed once the programs are
	# attached, shows that it is ready; that costs one write() per event,
	# small next to an exec.
	stdbuf -oL execsnoop >"$d/out" 2>"$d/err" &
	MON_PID=$!
	MON_CPU_PIDS=("$MON_PID")
	wait_until "$READY_TIMEOUT" "$MON_PID" test -s "$d/out" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor INT || true
		R_STATUS="did not attach: $(tail -n 1 "$d/err" | head -c 200)"
		return 0
	fi
	storm "$d" || rc=1
	stop_monitor INT || R_NOTE+="killed after SIGINT; "
	((rc == 0)) || return 0
	# PCOMM is the first column; the exec'd image's comm is our binary.
	# shellcheck disable=SC2016 # awk code, not shell
	R_DELIV=$(count_matching "$d/out" '$1 == n')
	R_LOST=$(sum_lost "$d/out" "$d/err")
	R_STATUS=ok
}

run_bpftrace()
{
	local d=$1 rc=0 ready_rc=0

	# BEGIN fires once every probe is attached, so READY means ready.
	bpftrace -o "$d/out" -e 'BEGIN { printf("READY\n"); }
		tracepoint:sched:sched_process_exec { printf("%d %s\n", pid, str(args->filename)); }' \
		>"$d/stdout" 2>"$d/err" &
	MON_PID=$!
	MON_CPU_PIDS=("$MON_PID")
	wait_until "$READY_TIMEOUT" "$MON_PID" grep -qs '^READY$' "$d/out" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor INT || true
		R_STATUS="did not attach: $(grep -v RLIMIT_MEMLOCK "$d/err" | tail -n 1 | head -c 200)"
		return 0
	fi
	storm "$d" || rc=1
	stop_monitor INT || R_NOTE+="killed after SIGINT; "
	((rc == 0)) || return 0
	# shellcheck disable=SC2016 # awk code, not shell
	R_DELIV=$(count_matching "$d/out" '{ sub(/^[0-9]+ /, "") } $0 == t')
	R_LOST=$(sum_lost "$d/out" "$d/err" "$d/stdout")
	R_STATUS=ok
}

audit_status() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
auditd_is_ours() { [[ $(audit_status pid) == "$MON_PID" ]]; }

# auditd_start DIR: a private auditd with its own config and log, so the
# system's audit setup (if any) is not ours to change. Sets MON_PID.
auditd_start()
{
	local d=$1 ready_rc=0

	AUDITD_CONF_DIR=$(mktemp -d /tmp/penguard-bench-auditd.XXXXXX)
	mkdir -p "$d/log"
	# No rotation, no disk-space actions: every record stays in one file
	# to be counted. The rest is Debian's default auditd.conf.
	cat >"$AUDITD_CONF_DIR/auditd.conf" <<-EOF
		local_events = yes
		write_logs = yes
		log_file = $d/log/audit.log
		log_format = ENRICHED
		flush = INCREMENTAL_ASYNC
		freq = 50
		max_log_file = 0
		max_log_file_action = IGNORE
		num_logs = 0
		space_left = 2
		space_left_action = IGNORE
		admin_space_left = 1
		admin_space_left_action = IGNORE
		disk_full_action = IGNORE
		disk_error_action = IGNORE
		name_format = NONE
		priority_boost = 4
		q_depth = 2000
		overflow_action = SYSLOG
	EOF
	chmod 0640 "$AUDITD_CONF_DIR/auditd.conf"
	auditd -n -c "$AUDITD_CONF_DIR" >"$d/auditd.out" 2>"$d/auditd.err" &
	MON_PID=$!
	MON_CPU_PIDS=("$MON_PID")
	# Ready once the kernel knows it as the audit daemon.
	wait_until 15 "$MON_PID" auditd_is_ours || ready_rc=$?
	return $ready_rc
}

run_auditd()
{
	local d=$1 rc=0 ready_rc=0 lost0 lost1 why pid kpid

	# A system auditd is not ours to reconfigure or stop, and the kernel
	# talks to one audit daemon at a time.
	pid=$(audit_status pid)
	if [[ -n $pid && $pid != 0 ]]; then
		UNAVAIL[auditd]="skipped: an auditd (pid $pid) is already running"
		R_STATUS=${UNAVAIL[auditd]}
		return 0
	fi
	if [[ ${AUDIT_SAVED:-} == "" ]]; then
		AUDIT_SAVED="$(audit_status enabled) $(audit_status backlog_limit)"
	fi
	auditd_start "$d" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor TERM || true
		# auditd -n reports config errors only to syslog; -f says why on
		# stderr, so ask it once more for the reason.
		why=$(timeout 3 auditd -f -c "$AUDITD_CONF_DIR" 2>&1 |
			grep -iE 'error|unable|fail|cannot' | head -n 1 | head -c 200 || true)
		audit_restore
		R_STATUS="auditd cannot run here: ${why:-no reason given (see $d/auditd.err)}"
		UNAVAIL[auditd]=$R_STATUS
		return 0
	fi
	# Debian's default rules raise the backlog to 8192; the kernel's 64
	# would make the storm wait on auditd (backlog_wait_time) far sooner
	# than any real deployment does.
	auditctl -b 8192 >/dev/null
	# kauditd is the kernel thread that hands records to auditd: its time
	# is auditd's cost as much as auditd's own is.
	kpid=$(pgrep -x kauditd | head -n 1 || true)
	[[ -z $kpid ]] || MON_CPU_PIDS+=("$kpid")
	auditctl -a "${AUDIT_RULE[@]}" >/dev/null
	AUDIT_RULE_ADDED=1
	lost0=$(audit_status lost)
	storm "$d" || rc=1
	lost1=$(audit_status lost)
	auditctl -d "${AUDIT_RULE[@]}" >/dev/null
	AUDIT_RULE_ADDED=0
	stop_monitor TERM || R_NOTE+="auditd killed after SIGTERM; "
	audit_restore
	rm -rf "$AUDITD_CONF_DIR"
	AUDITD_CONF_DIR=""
	((rc == 0)) || return 0
	# One SYSCALL record per exec; after a successful execve its comm is
	# the new image's.
	R_DELIV=$(grep -F 'type=SYSCALL' "$d/log/audit.log" | grep -F "key=\"$AUDIT_KEY\"" |
		grep -cF "comm=\"$TINY_NAME\"" || true)
	# The kernel's counter is of records, not execs, and machine-wide.
	R_LOST=$((lost1 - lost0))
	R_STATUS=ok
}

# ---------------------------------------------------------------------------
# The runs: every configuration once per repetition, in an order rotated
# each time, so slow drift of the machine spreads over all of them.
# ---------------------------------------------------------------------------
read -ra CFG <<<"$CONFIGS"
NCFG=${#CFG[@]}
TOTAL=$((EXECS * LOOPS))

# The machine's background load, before and after the runs.
IDLE_BEFORE=$(busy_over 2)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

log "exec storm: $LOOPS loops x $EXECS execs = $TOTAL, $REPEAT repetitions; configurations: $CONFIGS"
START_TS=$SECONDS
for ((rep = 1; rep <= REPEAT; rep++)); do
	for ((k = 0; k < NCFG; k++)); do
		cfg=${CFG[$(((k + rep - 1) % NCFG))]}
		for ((try = 0; try <= RETRIES; try++)); do
			d="$RUNDIR/$rep-$cfg"
			((try == 0)) || d="$RUNDIR/$rep-$cfg-retry$try"
			mkdir -p "$d"
			R_STATUS=""; R_DELIV="-"; R_LOST="-"; R_NOTE=""; STORM=""; R_BG="-"; R_ATTR="-"
			R_FOREIGN=0
			MON_CPU_PIDS=()
			if [[ -n ${UNAVAIL[$cfg]:-} ]]; then
				R_STATUS=${UNAVAIL[$cfg]}
			else
				"run_$cfg" "$d"
			fi
			# The monitors' raw output is large (penguard's export
			# alone is ~4 KiB per exec); only the counts are needed.
			[[ $KEEP == 1 ]] || find "$d" -type f -size +1M -delete
			wall=-; cpu=-; cpuw=-; unattr=-; disturbed=0
			[[ $R_STATUS == ok ]] || break
			wall=$(kv wall_s "$STORM"); cpu=$(kv cpu_machine_s "$STORM"); cpuw=$(kv cpu_work_s "$STORM")
			# Machine CPU that neither the storm nor the monitor can be
			# charged with: a clean run has ~0.05 CPU-s per s of it.
			unattr=$(awk -v c="$cpu" -v a="$R_ATTR" -v w="$wall" 'BEGIN { printf "%.2f", (c - a) / w }')
			awk -v u="$unattr" -v m="$DISTURB_MAX" 'BEGIN { exit !(u > m) }' || ((R_FOREIGN)) || break
			disturbed=1
			log "[$rep/$REPEAT] $cfg: disturbed ($unattr CPU-s/s not ours$( ((R_FOREIGN)) && echo ", another monitor running"))$( ((try < RETRIES)) && echo ", again")"
		done
		((try > RETRIES)) && try=$RETRIES
		((try == 0)) || R_NOTE+="run again $try time(s) after other load disturbed it; "
		((disturbed == 0)) || R_NOTE+="still disturbed ($unattr CPU-s/s not ours); "
		if [[ $R_STATUS == ok ]]; then
			log "[$rep/$REPEAT] $cfg: wall ${wall}s, cpu ${cpu}s, delivered $R_DELIV/$TOTAL, lost $R_LOST${R_NOTE:+ ($R_NOTE)}"
		elif ((rep == 1)) || [[ -z ${UNAVAIL[$cfg]:-} ]]; then
			log "[$rep/$REPEAT] $cfg: $R_STATUS"
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$cfg" "$R_STATUS" \
			"$wall" "$cpu" "$cpuw" "$R_DELIV" "$R_LOST" "$R_NOTE" "$R_BG" "$R_ATTR" "$unattr" \
			"$disturbed" >>"$RESULTS"
	done
done
ELAPSED=$((SECONDS - START_TS))
IDLE_AFTER=$(busy_over 2)
if awk -v a="$IDLE_BEFORE" -v b="$IDLE_AFTER" 'BEGIN { exit !(a > 0.1 || b > 0.1) }'; then
	log "warning: the machine was not idle (busy $IDLE_BEFORE / $IDLE_AFTER CPU-s per s before / after)"
fi

# ---------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------

# Pipe numbers in; median out ("-" when there are none).
median()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit }
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Per-repetition ratios against the baseline of the same repetition: the
# interleaving pairs them, which cancels drift better than a ratio of medians.
# Pairs with a disturbed run (column 13) are left out while clean ones exist.
ratios()
{
	awk -F'\t' -v c="$1" -v col="$2" '
		$3 == "ok" && $2 == "baseline" { base[$1] = $col; bd[$1] = $13 }
		$3 == "ok" && $2 == c { val[$1] = $col; vd[$1] = $13 }
		END {
			for (r in val) {
				if (!(r in base) || base[r] <= 0)
					continue
				x = sprintf("%.4f", val[r] / base[r])
				all[++na] = x
				if (!bd[r] && !vd[r])
					clean[++nc] = x
			}
			if (nc) for (i = 1; i <= nc; i++) print clean[i]
			else for (i = 1; i <= na; i++) print all[i]
		}' "$RESULTS"
}

ratio_cell()
{
	local vals med
	vals=$(ratios "$1" "$2")
	[[ -n $vals ]] || { echo "-"; return; }
	med=$(median <<<"$vals")
	if (($(wc -l <<<"$vals") > 1)); then
		printf '%.2f (%.2f–%.2f)' "$med" "$(sort -g <<<"$vals" | head -n 1)" "$(sort -g <<<"$vals" | tail -n 1)"
	else
		printf '%.2f' "$med"
	fi
}

# The values of one column over the ok runs of a config: one value if all
# equal, else min–max.
spread_cell()
{
	awk -F'\t' -v c="$1" -v col="$2" '
		$3 == "ok" && $2 == c && $col != "-" {
			if (!n++ || $col < lo) lo = $col
			if (n == 1 || $col > hi) hi = $col
		}
		END { if (!n) print "-"; else if (lo == hi) print lo; else print lo "–" hi }' "$RESULTS"
}

# bg_stat median|max: the background load sampled before the storms.
bg_stat()
{
	local v
	v=$(awk -F'\t' '$10 != "-" && $10 != "" { print $10 }' "$RESULTS")
	[[ -n $v ]] || { echo "-"; return; }
	if [[ $1 == max ]]; then sort -g <<<"$v" | tail -n 1; else median <<<"$v"; fi
}

# col_median CFG COL: median over the clean runs of CFG, or all if none is.
col_median()
{
	awk -F'\t' -v c="$1" -v col="$2" '
		$3 == "ok" && $2 == c { all[++na] = $col; if (!$13) clean[++nc] = $col }
		END {
			if (nc) for (i = 1; i <= nc; i++) print clean[i]
			else for (i = 1; i <= na; i++) print all[i]
		}' "$RESULTS" | median
}

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
penguard_ver="not built"
if [[ -x $PENGUARD ]]; then
	penguard_ver="$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown) (git)"
fi

mkdir -p "$(dirname "$OUT")"
{
	cat <<-EOF
		<!-- SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) -->
		<!-- Generated by bench/run.sh (make bench); edits here are overwritten. -->
		# Benchmarks: exec storm

		## Machine

		| | |
		| --- | --- |
		| CPU | ${cpu_model:-unknown} |
		| cores | $(nproc) |
		| kernel | $(uname -r) |
		| Debian | $(cat /etc/debian_version 2>/dev/null || echo unknown) |
		| date | $(date -u '+%Y-%m-%d %H:%M UTC') |
		| load average before | $LOAD_BEFORE |
		| background busy CPU before the storms | median $(bg_stat median), max $(bg_stat max) (CPU-s per s, 1 s sample before each storm) |
		| background busy CPU | $IDLE_BEFORE before, $IDLE_AFTER after the runs (CPU-s per s, over 2 s each: the noise floor) |

		## Workload

		\`build/bench/execstorm -l $LOOPS -n $EXECS -s $SETTLE_MS build/bench/$TINY_NAME\`: $LOOPS parallel
		loops, each doing $EXECS times vfork + execve of \`$TINY_NAME\` ($TINY_KIND, it only exits 0) and
		waitpid; **$TOTAL execs** per run. Every configuration ran $REPEAT times, interleaved (the order
		rotated each repetition); the whole benchmark took ${ELAPSED} s.

		## Results

		Medians over the repetitions. Ratios are taken against the baseline of the same repetition, then
		the median is shown with the range (min–max) in brackets. Runs disturbed by other load on the
		machine (see Method) are left out of both while undisturbed ones exist. Expected events per
		run: **$TOTAL**.

		| configuration | wall s | wall ratio | CPU s | CPU ratio | attributed CPU ratio | events delivered | events lost |
		| --- | --- | --- | --- | --- | --- | --- | --- |
	EOF
	for cfg in $CONFIGS; do
		ok=$(awk -F'\t' -v c="$cfg" '$2 == c && $3 == "ok"' "$RESULTS" | wc -l)
		case $cfg in
		baseline) label="baseline (no monitor)" ;;
		penguard) label="penguard (\`run -o none --export\`)" ;;
		execsnoop) label="execsnoop (libbpf-tools $(pkgver libbpf-tools))" ;;
		auditd) label="auditd $(pkgver auditd), execve rule" ;;
		bpftrace) label="bpftrace $(pkgver bpftrace), sched_process_exec" ;;
		esac
		if ((ok == 0)); then
			why=$(awk -F'\t' -v c="$cfg" '$2 == c { print $3; exit }' "$RESULTS")
			echo "| $label | $why | | | | | | |"
			continue
		fi
		if [[ $cfg == baseline ]]; then
			wr="1.00"; cr="1.00"; ar="1.00"; dl="-"; ls="-"
		else
			wr=$(ratio_cell "$cfg" 4); cr=$(ratio_cell "$cfg" 5); ar=$(ratio_cell "$cfg" 11)
			dl=$(spread_cell "$cfg" 7); ls=$(spread_cell "$cfg" 8)
		fi
		printf '| %s | %.2f | %s | %.2f | %s | %s | %s | %s |\n' "$label" "$(col_median "$cfg" 4)" \
			"$wr" "$(col_median "$cfg" 5)" "$cr" "$ar" "$dl" "$ls"
	done
	# Notes of single runs; a configuration that never ran already says
	# why in its row.
	notes=$(awk -F'\t' 'NR == FNR { if ($3 == "ok") ok[$2]++; next }
		$2 in ok && ($9 != "" || $3 != "ok") {
			print "- repetition " $1 ", " $2 ": " ($3 == "ok" ? $9 : $3) }' "$RESULTS" "$RESULTS")
	if [[ -n $notes ]]; then
		printf '\nRun notes:\n\n%s\n' "$notes"
	fi
	cat <<-EOF

		## Method

		- **Wall s** is the storm's own wall-clock time, from releasing the loops to the last loop's exit.
		- **CPU s** is machine-wide busy CPU time (user + nice + system + irq + softirq + steal from
		  \`/proc/stat\`) from the start of the storm until $SETTLE_MS ms after its end. It counts what a
		  monitor costs everywhere: BPF programs and audit filtering run in the kernel on the exec'ing
		  tasks' time, the monitor's own process, and work it does just after the storm to drain its
		  backlog. The baseline has the same settle time, so idle costs all configurations the same.
		  Anything else running on the machine is counted too: see the background busy CPU above.
		- **Attributed CPU** is the same window counted by name instead: the storm's own processes
		  (getrusage, which includes BPF programs and audit filtering run in their syscalls) plus the
		  monitor's process (and the \`kauditd\` kernel thread for auditd) from \`/proc/PID/stat\`. It
		  is deaf to other load on the machine but blind to kernel work in other contexts (softirqs,
		  kworkers), so it is the cross-check when the machine was not quiet, not the headline.
		- Each monitor is started before the storm and must show it is attached first: penguard's
		  \`ready\` line on stderr, execsnoop's header (it prints it once attached; run line-buffered
		  for that), bpftrace's \`BEGIN\` output (BEGIN fires after all probes attach), auditd known to
		  the kernel as the audit daemon and the rule loaded. It is stopped after the storm (SIGINT;
		  auditd SIGTERM) and its output counted. Before every storm (the baseline's
		  too), up to $IDLE_WAIT s of waiting for the machine's busy CPU to fall to $IDLE_MAX CPU-s per s,
		  so a monitor's start-up work (and anyone else's load) is over before the CPU window opens;
		  a run that started on a busy machine says so in the run notes.
		- A run is **disturbed** when machine CPU minus attributed CPU exceeds $DISTURB_MAX CPU-s per s of
		  storm (clean runs here show ~0.05): someone else's load (a build, a test VM) landed in the
		  window; or when another exec monitor (penguard, execsnoop, bpftrace, auditd not started by
		  this script) ran just before or after the storm, since its hooks tax the storm's own CPU
		  time where no accounting can tell them apart. It is run again, up to $RETRIES times; one
		  still disturbed is kept, noted, and left out of medians and ratios while clean runs exist. A monitor doing much of its work in kernel
		  threads would look disturbed too: the run notes would show it on every repetition.
		- **Events delivered** counts only execs of \`$TINY_NAME\` (other execs on the machine are
		  ignored): penguard: \`process_exec\` objects in the export file that name it (its stats must
		  balance: \`emitted = delivered + lost\`, and the export must hold \`delivered\` exec events;
		  a mismatch shows in the run notes);
		  execsnoop: lines whose PCOMM is it; bpftrace: lines with its path; auditd: \`SYSCALL\` records
		  with the rule's key and its comm. Values that differ between repetitions show as min–max.
		- **Events lost** is what each tool itself reports: penguard's \`events.process_exec.lost\`;
		  execsnoop's and bpftrace's "Lost N events" messages; for auditd the delta of the kernel's
		  \`lost\` counter (records, not execs; machine-wide). A tool may also miss events without
		  counting them: compare delivered with the expected $TOTAL.
		- auditd runs as a private instance (\`auditd -n -c\` with its own config writing one unrotated
		  log), with Debian's default backlog of 8192 and the rule
		  \`-a ${AUDIT_RULE[*]}\`; the rule, the backlog and the kernel's audit enable
		  flag are put back afterwards, since auditd leaves auditing enabled when it exits.
		- Versions: penguard $penguard_ver; libbpf-tools $(pkgver libbpf-tools); auditd $(pkgver auditd);
		  bpftrace $(pkgver bpftrace).
		- Raw numbers of every run: \`build/bench/results.tsv\`; per-run logs: \`build/bench/runs/\`
		  (the monitors' bulky output is deleted once counted unless \`BENCH_KEEP=1\`).
		- With as many loops as cores ($LOOPS loops, $(nproc) cores here) the storm keeps every core busy,
		  so a monitor's CPU can only come out of the storm's time: the CPU and wall ratios then track
		  each other. \`BENCH_LOOPS=1\` leaves a core to the monitor's process and separates them: wall
		  ratio for the latency added to each exec, CPU ratio for the total cost.
		- Knobs: \`BENCH_EXECS\` (execs per loop), \`BENCH_LOOPS\`, \`BENCH_REPEAT\`,
		  \`BENCH_SETTLE_MS\`, \`BENCH_IDLE_WAIT\`, \`BENCH_RETRIES\`, \`BENCH_CONFIGS\`. Small VMs are
		  noisy; look at the ranges before reading much into a few percent.
	EOF
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote ${OUT#"$ROOT"/} (raw: build/bench/results.tsv), ${ELAPSED}s of runs"
