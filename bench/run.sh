#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# bench/run.sh - the exec-storm benchmark behind `make bench`.
#
# Runs the same exec storm (bench/execstorm.c running bench/tiny.c) with no
# monitor, under penguard (its built-in policy, and three policy sets of its
# own: one rule naming the storm's binary, the same rule among 10,000
# binaries and 2,000 prefixes and suffixes, a rule matching nothing), and
# under three peers (libbpf-tools execsnoop, auditd with an execve rule, a
# bpftrace one-liner), each configuration BENCH_REPEAT times, interleaved,
# and writes docs/BENCHMARKS.md.
#
# Overhead is reported only as ratios against the baseline of the same run:
# absolute numbers on a shared VM mean little, ratios measured minutes apart
# on the same machine mean more. Needs root (BPF, audit, mounting tracefs).
#
# The penguard runs also yield the agent's own books: its CPU per event
# delivered and the size of its process_exec lines; and, from a second run
# of the same configuration right after each timed one (a "stats run", not
# in the ratios), the kernel's run time of each of its BPF programs
# (kernel.bpf_stats_enabled=1: clock reads around every program run, a cost
# the peers do not pay, so never in a timed run). Last,
# a separate storm is recorded (`penguard run --record`) and replayed by
# build/bench/pipeline: the user-space pipeline alone, in events/s on a core.
#
# Knobs (environment):
#   BENCH_EXECS     execs per loop (default: sized by a calibration storm of
#                   LOOPS x 500 execs so the baseline runs >= BENCH_TARGET_S)
#   BENCH_TARGET_S  baseline storm length the sizing aims at (default 5)
#   BENCH_MAX_EXECS cap on the sized storm, all loops together (default 200000)
#   BENCH_LOOPS     parallel exec loops (default 2); total = LOOPS * EXECS
#   BENCH_REPEAT    repetitions of every configuration (default 3)
#   BENCH_SETTLE_MS time kept inside the CPU window after the storm, so a
#                   monitor still draining its backlog is charged for it
#                   (default 1000)
#   BENCH_IDLE_WAIT seconds to wait, before each storm, for the machine to
#                   go quiet (default 20)
#   BENCH_RETRIES   times a run disturbed by other load is run again
#                   (default 2)
#   BENCH_CONFIGS   space-separated subset of: baseline penguard penguard-p1
#                   penguard-p10k penguard-nomatch execsnoop auditd bpftrace
#                   (default all; baseline is always run)
#   BENCH_OUT       report path (default docs/BENCHMARKS.md)
#   BENCH_KEEP      1 keeps the monitors' full output in $BUILD/bench/runs/
#                   (default: files over 1 MiB are deleted once counted)
#   BENCH_RECORD_EXECS  execs of the storm recorded for the pipeline replay
#                   (default 5000)
#   BENCH_PIPELINE_S CPU seconds each pipeline replay runs at least (default 2)
#   PENGUARD        agent binary (default $BUILD/penguard, BUILD=build: `make
#                   BUILD=dir bench` passes BUILD on)
#   PIPELINE        the replay benchmark (default $BUILD/bench/pipeline)
#
# The open storms (bench/openstorm.c: open(O_RDONLY) + close in LOOPS loops)
# run after the exec storm, of a file no rule watches and of /etc/shadow,
# which the built-in file policy watches (every open an event), with no
# monitor, under penguard (built-in policies), libbpf-tools opensnoop and
# auditd with -w rules like the built-in file policy; then the watched-file
# event rate the agent sustains without loss, at paced rates. Knobs:
#   BENCH_OPEN      0 skips the open storms (default 1)
#   BENCH_OPEN_CONFIGS  subset of: baseline penguard tp-floor tp-open opensnoop auditd
#                   (default all; baseline is always run)
#   BENCH_OPENS     opens per loop of the unwatched storm (default: sized so
#                   its baseline lasts BENCH_TARGET_S)
#   BENCH_OPENS_WATCHED  opens per loop of the watched storm (default: sized
#                   so its baseline lasts BENCH_OPEN_WATCHED_S)
#   BENCH_OPEN_WATCHED_S  (default 1: each of its opens is an event every
#                   monitor must carry, and auditd takes minutes over 5 s' worth)
#   BENCH_OPEN_MAX  cap on either storm, all loops together (default 20000000)
#   BENCH_OPEN_RATES  offered watched-open rates (events/s, all loops) of the
#                   sustained-rate steps (default "100000 200000 300000 400000")
#   BENCH_OPEN_RATE_S  seconds each step lasts (default 3)
#
# The connect storm (bench/connstorm.c: LOOPS loops, each with a listener of
# its own on 127.0.0.1, doing connect + accept + close) runs after the open
# storms, with no monitor, under penguard (built-in policies: loopback is
# not reported, so these are connections no rule reports), penguard with a
# policy reporting every connection, the tcpconnect tools where installed
# (libbpf-tools tcpconnect, bcc's tcpconnect-bpfcc; nothing is installed for
# them) and auditd with a connect rule. Knobs:
#   BENCH_CONN      0 skips the connect storm (default 1)
#   BENCH_CONN_CONFIGS  subset of: baseline penguard penguard-all tp-floor
#                   tcpconnect tcpconnect-bpfcc auditd (default all; baseline is always run)
#   BENCH_CONNS     connections per loop (default: sized so the baseline lasts
#                   BENCH_TARGET_S)
#   BENCH_CONN_MAX  cap on the storm, all loops together (default 2000000)

set -euo pipefail
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXECS=${BENCH_EXECS:-}
TARGET_S=${BENCH_TARGET_S:-5}
MAX_EXECS=${BENCH_MAX_EXECS:-200000}
LOOPS=${BENCH_LOOPS:-2}
REPEAT=${BENCH_REPEAT:-3}
SETTLE_MS=${BENCH_SETTLE_MS:-1000}
OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
BUILD_DIR=${BUILD:-build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
# The workload, the runs' logs and raw numbers go there too.
BB="$BUILD_DIR/bench"
RBB=${BB#"$ROOT"/}
PENGUARD=${PENGUARD:-$BUILD_DIR/penguard}
PIPELINE=${PIPELINE:-$BUILD_DIR/bench/pipeline}
RECORD_EXECS=${BENCH_RECORD_EXECS:-5000}
PIPE_S=${BENCH_PIPELINE_S:-2}
# Execs per loop of the calibration storm that sizes the real one.
CAL_EXECS=500
KEEP=${BENCH_KEEP:-0}
ALL_CONFIGS="baseline penguard penguard-p1 penguard-p10k penguard-nomatch execsnoop auditd bpftrace"
# The penguard configurations that load policies of their own instead of
# the built-in one (report every exec and exit); the files are written to
# POLDIR (see write_policies).
PG_POLICY_CONFIGS="penguard-p1 penguard-p10k penguard-nomatch"
POLDIR="$BB/policies"
# Values of the p10k policy: binaries (the storm's among them, last), and
# prefixes and suffixes that match nothing.
P10K_BINARIES=10000
P10K_PREFIXES=1000
P10K_SUFFIXES=1000
CONFIGS=${BENCH_CONFIGS:-$ALL_CONFIGS}
OPEN=${BENCH_OPEN:-1}
ALL_OPEN_CONFIGS="baseline penguard tp-floor tp-open opensnoop auditd"
OPEN_CONFIGS=${BENCH_OPEN_CONFIGS:-$ALL_OPEN_CONFIGS}
OPENS=${BENCH_OPENS:-}
OPENS_W=${BENCH_OPENS_WATCHED:-}
OPEN_WATCHED_S=${BENCH_OPEN_WATCHED_S:-1}
OPEN_MAX=${BENCH_OPEN_MAX:-20000000}
OPEN_RATES=${BENCH_OPEN_RATES:-"100000 200000 300000 400000"}
OPEN_RATE_S=${BENCH_OPEN_RATE_S:-3}
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

for v in LOOPS REPEAT TARGET_S MAX_EXECS RECORD_EXECS; do
	[[ ${!v} =~ ^[1-9][0-9]{0,6}$ ]] || die "BENCH_$v must be a positive integer"
done
[[ -z $EXECS || $EXECS =~ ^[1-9][0-9]{0,6}$ ]] || die "BENCH_EXECS must be a positive integer"
[[ $PIPE_S =~ ^[1-9][0-9]{0,2}$ ]] || die "BENCH_PIPELINE_S must be a positive integer (s)"
[[ $SETTLE_MS =~ ^[0-9]{1,5}$ ]] || die "BENCH_SETTLE_MS must be an integer (ms)"
[[ $IDLE_WAIT =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_IDLE_WAIT must be a positive integer (s)"
[[ $RETRIES =~ ^[0-9]$ ]] || die "BENCH_RETRIES must be 0..9"
for c in $CONFIGS; do
	[[ " $ALL_CONFIGS " == *" $c "* ]] || die "unknown configuration '$c' in BENCH_CONFIGS"
done
[[ $OPEN =~ ^[01]$ ]] || die "BENCH_OPEN must be 0 or 1"
for c in $OPEN_CONFIGS; do
	[[ " $ALL_OPEN_CONFIGS " == *" $c "* ]] || die "unknown configuration '$c' in BENCH_OPEN_CONFIGS"
done
[[ " $OPEN_CONFIGS " == *" baseline "* ]] || OPEN_CONFIGS="baseline $OPEN_CONFIGS"
for v in OPEN_WATCHED_S OPEN_MAX OPEN_RATE_S; do
	[[ ${!v} =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_$v must be a positive integer"
done
[[ -z $OPENS || $OPENS =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_OPENS must be a positive integer"
[[ -z $OPENS_W || $OPENS_W =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_OPENS_WATCHED must be a positive integer"
for v in $OPEN_RATES; do
	[[ $v =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_OPEN_RATES must be positive integers (events/s)"
done
# The connect storm's knobs (see the top).
CONN=${BENCH_CONN:-1}
ALL_CONN_CONFIGS="baseline penguard penguard-all tp-floor tcpconnect tcpconnect-bpfcc auditd"
CONN_CONFIGS=${BENCH_CONN_CONFIGS:-$ALL_CONN_CONFIGS}
CONNS=${BENCH_CONNS:-}
CONN_MAX=${BENCH_CONN_MAX:-2000000}
[[ $CONN =~ ^[01]$ ]] || die "BENCH_CONN must be 0 or 1"
for c in $CONN_CONFIGS; do
	[[ " $ALL_CONN_CONFIGS " == *" $c "* ]] || die "unknown configuration '$c' in BENCH_CONN_CONFIGS"
done
[[ " $CONN_CONFIGS " == *" baseline "* ]] || CONN_CONFIGS="baseline $CONN_CONFIGS"
[[ $CONN_MAX =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_CONN_MAX must be a positive integer"
[[ -z $CONNS || $CONNS =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_CONNS must be a positive integer"
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
# The penguard runs' extra numbers (see penguard_books), each line prefixed
# with the repetition and its disturbed flag, one pair of files per penguard
# configuration (BOOKS and PROGS: the built-in policy's); the pipeline
# replays.
books_file() { echo "$BB/$1.tsv"; }
progs_file() { if [[ $1 == penguard ]]; then echo "$BB/programs.tsv"; else echo "$BB/programs-$1.tsv"; fi; }
BOOKS=$(books_file penguard)
PROGS=$(progs_file penguard)
PIPES="$BB/pipeline.tsv"
for c in penguard $PG_POLICY_CONFIGS; do
	: >"$(books_file "$c")"
	: >"$(progs_file "$c")"
done
: >"$PIPES"

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

# kernel.bpf_stats_enabled makes the kernel time every BPF program run
# (run_time_ns in bpf_prog_info): on for penguard's stats runs only
# (PG_STATS_RUN=1, see stats_run), then put back as it was.
BPF_STATS=/proc/sys/kernel/bpf_stats_enabled
BPF_STATS_SAVED=""
PG_STATS_RUN=0

# bpf_stats_on: returns 1 if the kernel cannot time BPF programs.
bpf_stats_on()
{
	local v
	if [[ -z $BPF_STATS_SAVED ]]; then
		v=$(cat "$BPF_STATS" 2>/dev/null) || return 1
		[[ $v =~ ^[0-9]+$ ]] || return 1
		BPF_STATS_SAVED=$v
	fi
	{ echo 1 >"$BPF_STATS"; } 2>/dev/null || return 1
	[[ $(cat "$BPF_STATS" 2>/dev/null) == 1 ]]
}

bpf_stats_restore()
{
	[[ -n $BPF_STATS_SAVED ]] || return 0
	{ echo "$BPF_STATS_SAVED" >"$BPF_STATS"; } 2>/dev/null ||
		log "warning: cannot put kernel.bpf_stats_enabled back to $BPF_STATS_SAVED"
	BPF_STATS_SAVED=""
}

cleanup()
{
	if [[ -n $MON_PID ]] && kill -0 "$MON_PID" 2>/dev/null; then
		kill -KILL "$MON_PID" 2>/dev/null || true
		wait "$MON_PID" 2>/dev/null || true
	fi
	MON_PID=""
	bpf_stats_restore
	# the open storms' watch rules (defined with them, below)
	! declare -F open_audit_del >/dev/null || open_audit_del
	# the connect storm's rule (defined with it, below)
	! declare -F conn_audit_del >/dev/null || conn_audit_del
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
# opensnoop ships in libbpf-tools (bookworm), like execsnoop
if ((OPEN)); then
	[[ " $OPEN_CONFIGS " == *" opensnoop "* ]] && ! command -v opensnoop >/dev/null &&
		[[ " ${need_pkgs[*]} " != *" libbpf-tools "* ]] && need_pkgs+=(libbpf-tools)
	[[ " $OPEN_CONFIGS " == *" auditd "* ]] && ! command -v auditd >/dev/null &&
		[[ " ${need_pkgs[*]} " != *" auditd "* ]] && need_pkgs+=(auditd)
fi
# tp-floor and tp-open run bpftrace one-liners
if [[ " $OPEN_CONFIGS $CONN_CONFIGS " == *" tp-"[fo]* ]] && ! command -v bpftrace >/dev/null &&
	[[ " ${need_pkgs[*]} " != *" bpftrace "* ]]; then
	need_pkgs+=(bpftrace)
fi
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
if [[ ! -x $PENGUARD ]]; then
	for c in penguard $PG_POLICY_CONFIGS; do
		UNAVAIL[$c]="not built (${PENGUARD#"$ROOT"/} missing)"
	done
fi
PIPE_UNAVAIL=""
[[ -x $PIPELINE ]] || PIPE_UNAVAIL="not built (${PIPELINE#"$ROOT"/} missing)"
[[ -z ${UNAVAIL[penguard]:-} ]] || PIPE_UNAVAIL="no agent to record with: ${UNAVAIL[penguard]}"
[[ " $CONFIGS " == *" penguard "* ]] || PIPE_UNAVAIL="penguard not in BENCH_CONFIGS"

# bpftrace and the tracepoint-based tools look tracepoints up in tracefs.
# Left mounted afterwards: it is the normal state of a Debian system.
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null ||
	log "warning: cannot mount debugfs"
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
	log "warning: cannot mount tracefs"

CFLAGS=(-std=gnu11 -O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes)
cc "${CFLAGS[@]}" -o "$BB/execstorm" "$ROOT/bench/execstorm.c" "$ROOT/bench/storm.c" ||
	die "cannot build execstorm"
cc "${CFLAGS[@]}" -o "$BB/openstorm" "$ROOT/bench/openstorm.c" "$ROOT/bench/storm.c" ||
	die "cannot build openstorm"
cc "${CFLAGS[@]}" -o "$BB/connstorm" "$ROOT/bench/connstorm.c" "$ROOT/bench/storm.c" ||
	die "cannot build connstorm"
# The libc-free static binary keeps each exec as cheap as it can be; where
# tiny.c has no exit stub for the architecture, an ordinary static one.
TINY_KIND="static, no libc"
if ! cc "${CFLAGS[@]}" -static -nostdlib -DTINY_NOSTDLIB -o "$TINY" "$ROOT/bench/tiny.c" 2>/dev/null; then
	TINY_KIND="static glibc"
	cc "${CFLAGS[@]}" -static -o "$TINY" "$ROOT/bench/tiny.c" || die "cannot build $TINY_NAME"
fi
"$TINY" || die "$TINY_NAME does not run"

# ---------------------------------------------------------------------------
# The policy sets of the penguard-p1, -p10k and -nomatch configurations.
# ---------------------------------------------------------------------------

# write_policy FILE NAME RULE BINARY NBIN NPREFIX NSUFFIX: a policy (monitor
# mode) whose rule RULE reports process_exec and process_exit of BINARY, its
# binary list padded in front with NBIN - 1 paths that never exist; with
# NPREFIX and NSUFFIX > 0, two more rules on process_exec, of as many
# binary prefixes and suffixes, that match nothing. Every value is quoted:
# the build directory's path could hold anything.
write_policy()
{
	local q=${4//\\/\\\\}

	q=${q//\"/\\\"}
	PG_BENCH_BINARY="\"$q\"" awk -v name="$2" -v rule="$3" -v nb="$5" -v np="$6" -v ns="$7" '
	BEGIN {
		print "# Generated by bench/run.sh for the policy benchmarks; overwritten each run."
		print "name: " name
		print "description: bench/run.sh policy benchmark"
		print "mode: monitor"
		print "rules:"
		print "  - name: " rule
		print "    on: [process_exec, process_exit]"
		print "    match:"
		print "      binary:"
		for (i = 1; i < nb; i++)
			printf "        - \"/opt/bench/nonexistent/tool%d\"\n", i
		print "        - " ENVIRON["PG_BENCH_BINARY"]
		print "    action: report"
		if (np > 0) {
			print "  - name: prefixes"
			print "    on: [process_exec]"
			print "    match:"
			print "      binary:"
			print "        prefix:"
			for (i = 1; i <= np; i++)
				printf "          - \"/opt/bench/prefix%d/\"\n", i
			print "    action: report"
		}
		if (ns > 0) {
			print "  - name: suffixes"
			print "    on: [process_exec]"
			print "    match:"
			print "      binary:"
			print "        suffix:"
			for (i = 1; i <= ns; i++)
				printf "          - \".bench%d\"\n", i
			print "    action: report"
		}
	}' >"$1"
}

# policy_args CFG: sets PG_ARGS to the options that give the penguard
# configuration CFG its policies (none for the built-in one).
PG_ARGS=()
policy_args()
{
	PG_ARGS=()
	[[ $1 == penguard ]] || PG_ARGS=(--no-default-policies --policy-dir "" --policy "$POLDIR/${1#penguard-}.yaml")
}

# write_policies: the files, each checked by `penguard policy check`; a file
# it rejects makes its configuration unavailable, with the first message.
write_policies()
{
	local c f err

	mkdir -p "$POLDIR"
	write_policy "$POLDIR/p1.yaml" bench-p1 storm-binary "$TINY" 1 0 0
	write_policy "$POLDIR/p10k.yaml" bench-p10k storm-binary "$TINY" "$P10K_BINARIES" \
		"$P10K_PREFIXES" "$P10K_SUFFIXES"
	write_policy "$POLDIR/nomatch.yaml" bench-nomatch never /nonexistent/never 1 0 0
	for c in $PG_POLICY_CONFIGS; do
		[[ " $CONFIGS " == *" $c "* && -z ${UNAVAIL[$c]:-} ]] || continue
		f="$POLDIR/${c#penguard-}.yaml"
		if ! err=$("$PENGUARD" policy check "$f" 2>&1 >/dev/null); then
			UNAVAIL[$c]="policy rejected by \`penguard policy check\`: $(head -n 1 <<<"$err" | head -c 200)"
			log "$c: ${UNAVAIL[$c]}"
		fi
	done
}
write_policies

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

# pg_detached: wait (up to 60 s) for the child a stopping agent leaves to
# detach its syscall tracepoints (src/loader.c: that takes the kernel
# seconds, and the agent does not wait for it). Until it is done they
# still run, and the next run would be measured under them.
pg_detached()
{
	local i

	for ((i = 0; i < 600; i++)); do
		pgrep -x penguard >/dev/null || return 0
		sleep 0.1
	done
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
	pg_detached
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
		$2 ~ /^(penguard|execsnoop|opensnoop|tcpconnect|tcpconnect-bpfc|bpftrace|auditd)$/ && $1 != me { printf "%s:%s ", $2, $1 }'
}

# kv KEY LINE: the value of KEY in execstorm's "k=v k=v" output line.
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# Per-run results, filled by each run_* function.
R_STATUS=""; R_DELIV="-"; R_LOST="-"; R_NOTE=""; STORM=""; R_BG="-"; R_ATTR="-"; R_FOREIGN=0
R_MONCPU=""
# The penguard run's export files (it rotates).
EXPORTS=()
# Processes whose CPU time is the monitor's (MON_PID, kauditd for auditd).
MON_CPU_PIDS=()

# proc_cpu_ns PID: CPU time used so far by PID's live threads, in ns, from
# schedstat (on-CPU time, user + system); from /proc/PID/stat's ticks where
# the kernel has no schedstat. Empty if PID is gone.
proc_cpu_ns()
{
	local f v n=0 s=0
	for f in /proc/"$1"/task/*/schedstat; do
		read -r v _ 2>/dev/null <"$f" || continue
		[[ $v =~ ^[0-9]+$ ]] || continue
		s=$((s + v))
		n=1
	done
	if ((n)); then
		echo "$s"
	elif [[ -e /proc/$1/stat ]]; then
		echo $(($(proc_ticks "$1") * 1000000000 / HZ))
	fi
}

# wait_idle: wait (a bounded time) for the machine to be quiet: a shared
# machine (a build, a test VM) would otherwise be counted as monitor cost.
# The last 1 s sample, left in R_BG, is the run's background load. Returns 1
# if the machine never went quiet.
wait_idle()
{
	local i
	for ((i = 0; i < IDLE_WAIT; i++)); do
		R_BG=$(busy_over 1)
		awk -v b="$R_BG" -v m="$IDLE_MAX" 'BEGIN { exit !(b <= m) }' && return 0
	done
	return 1
}

# measure DIR UNIT CMD...: run the storm CMD (execstorm or openstorm),
# whose result line counts UNIT (execs, opens); sets STORM to that line,
# and R_MONCPU to the monitor process's own CPU ns over the storm and the
# settle time.
measure()
{
	local d=$1 unit=$2 rc=0 t0 t1 m0="" m1="" others

	shift 2
	wait_idle || R_NOTE+="machine busy before the storm ($R_BG CPU-s/s); "
	others=$(other_monitors)
	[[ -z $MON_PID ]] || m0=$(proc_cpu_ns "$MON_PID")
	t0=$(proc_ticks "${MON_CPU_PIDS[@]}")
	timeout 600 "$@" >"$d/storm.out" 2>"$d/storm.err" || rc=$?
	t1=$(proc_ticks "${MON_CPU_PIDS[@]}")
	[[ -z $m0 ]] || m1=$(proc_cpu_ns "$MON_PID")
	[[ -z $m0 || -z $m1 ]] || R_MONCPU=$((m1 - m0))
	others+=$(other_monitors)
	if [[ -n $others ]]; then
		R_NOTE+="other monitors running ($(awk '{ for (i = 1; i <= NF; i++)
			if (!seen[$i]++) printf "%s%s", (n++ ? " " : ""), $i }' <<<"$others")); "
		R_FOREIGN=1
	fi
	STORM=$(tail -n 1 "$d/storm.out")
	if [[ $STORM != "$unit"=* ]]; then
		R_STATUS="storm failed (rc $rc): $(head -c 200 "$d/storm.err")"
		return 1
	fi
	# CPU the storm and the monitor can be charged with by name: deaf to
	# other load on the machine, blind to kernel work in other contexts.
	R_ATTR=$(awk -v w="$(kv cpu_work_s "$STORM")" -v t="$((t1 - t0))" -v hz="$HZ" \
		'BEGIN { printf "%.3f", w + t / hz }')
	# Operations that failed under a monitor are worth knowing, but the
	# timing is still kept: the row's note says so.
	(($(kv failed "$STORM") == 0)) || R_NOTE+="$(kv failed "$STORM") $unit failed; "
	return 0
}

# storm DIR: the exec storm (measure)
storm()
{
	measure "$1" execs "$BB/execstorm" -l "$LOOPS" -n "$EXECS" -s "$SETTLE_MS" "$TINY"
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

# penguard_books DIR TIMED: the agent's own numbers for one run, from its
# stats file, its export and R_MONCPU: DIR/programs.tsv (sensor, program,
# runs, ns per run, recursion misses; ns "-" unless TIMED, i.e. with
# kernel.bpf_stats_enabled=1 all along) and DIR/books.tsv, one line:
#   agent_cpu_s us_per_event us_per_line bpf_ns_per_exec exec_runs emitted
#   lost delivered recursion_misses lines exec_lines line_avg line_p95
#   line_max timed exec_records storm_exits policy_matched
# ("-" for what is unknown; exec_records is the process_exec records the
# agent received, .events.process_exec.delivered, reported or not;
# storm_exits the storm's process_exit lines, PG_EXITS; policy_matched the
# kernel's rule matches summed over the loaded rules, .policies). An agent
# whose stats predate some of these only loses those columns.
penguard_books()
{
	local d=$1 timed=$2 cpu_ns=${R_MONCPU:--} emitted lost delivered rmiss lines
	local cpu_s=- upe=- upl=- bpf_exec bpf_runs sizes matched

	jq -r '(.sensors // {}) | to_entries[] | .key as $s | (.value.programs // {}) | to_entries[] |
		[$s, .key] + ([.value.runs, .value.ns_per_run, .value.recursion_misses] |
			map(if type == "number" then tostring else "-" end)) | @tsv' \
		"$d/stats.json" 2>/dev/null |
		awk -F'\t' -v OFS='\t' -v t="$timed" 't != 1 { $3 = $4 = "-" } { print }' >"$d/programs.tsv" || true
	if [[ ! -s $d/programs.tsv ]]; then
		R_NOTE+="stats have no sensors.*.programs (older agent?): no BPF times; "
	elif ((PG_STATS_RUN)) && [[ $timed != 1 ]]; then
		R_NOTE+="kernel.bpf_stats_enabled could not be set: no BPF times; "
	fi
	# Per exec: every program but the iterators (they run once, at start
	# or at a reload), over the runs of the process sensor's exec hook
	# (the host sensor has exec hooks too), i.e. all the execs the kernel
	# did while the agent was loaded.
	read -r bpf_exec bpf_runs < <(awk -F'\t' '
		$4 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ { bad = 1; next }
		$2 !~ /^iter_/ { ns += $3 * $4 }
		$1 == "process" && $2 ~ /_exec$/ { ex += $3 }
		END { if (bad || !ex) print "-", (ex ? ex : "-"); else printf "%.0f %d\n", ns / ex, ex }' \
		"$d/programs.tsv")
	read -r emitted lost delivered rmiss lines < <(jq -r '[.emitted, .lost, .delivered,
		.recursion_misses, .output.lines] | map(if type == "number" then tostring else "-" end) |
		join(" ")' "$d/stats.json" 2>/dev/null || echo "- - - - -")
	if [[ $cpu_ns =~ ^[0-9]+$ ]]; then
		cpu_s=$(awk -v n="$cpu_ns" 'BEGIN { printf "%.3f", n / 1e9 }')
		[[ ! $delivered =~ ^[1-9][0-9]*$ ]] ||
			upe=$(awk -v n="$cpu_ns" -v e="$delivered" 'BEGIN { printf "%.2f", n / 1e3 / e }')
		[[ ! $lines =~ ^[1-9][0-9]*$ ]] ||
			upl=$(awk -v n="$cpu_ns" -v e="$lines" 'BEGIN { printf "%.2f", n / 1e3 / e }')
	fi
	# Sizes of the storm's process_exec lines (JSON text, no newline).
	# shellcheck disable=SC2016 # awk code, not shell
	sizes=$(awk -v t="$TINY" 'index($0, "{\"process_exec\":") == 1 &&
		index($0, "\"binary\":\"" t "\"") { print length($0) }' "${EXPORTS[@]}" | sort -n |
		awk '{ v[NR] = $1; s += $1 } END {
			if (!NR) { print "0 - - -"; exit }
			i = int(0.95 * NR); if (i < 0.95 * NR) i++
			printf "%d %.0f %d %d\n", NR, s / NR, v[i], v[NR] }')
	read -ra sizes <<<"$sizes"
	matched=$(jq -r '[.policies[]?.rules[]?.matched | numbers] |
		if length > 0 then add | tostring else "-" end' "$d/stats.json" 2>/dev/null || echo -)
	printf '%s\t' "$cpu_s" "$upe" "$upl" "$bpf_exec" "$bpf_runs" "$emitted" "$lost" \
		"$delivered" "$rmiss" "$lines" "${sizes[@]}" "$timed" "${PG_EXEC_RECORDS:--}" \
		"${PG_EXITS:--}" >"$d/books.tsv"
	printf '%s\n' "${matched:--}" >>"$d/books.tsv"
}

# run_penguard DIR [CFG]: the agent with the policies of the penguard
# configuration CFG (default: the built-in one, every exec and exit
# reported). Sets R_DELIV to the storm's process_exec lines in the export,
# PG_EXITS to its process_exit lines and PG_EXEC_RECORDS to the exec records
# the agent received (reported or not).
PG_EXITS=""
PG_EXEC_RECORDS=""
run_penguard()
{
	local d=$1 cfg=${2:-penguard} rc=0 ready_rc=0 exported st_emit st_lost st_deliv timed=0 f
	local lines

	PG_EXITS=""
	PG_EXEC_RECORDS=""
	policy_args "$cfg"
	# In a stats run the kernel times every BPF program run: the agent's
	# stats then hold ns per run of each of its programs.
	if ((PG_STATS_RUN)); then
		timed=1
		bpf_stats_on || timed=0
	fi
	# The export rotates at its default size, as deployed; backups enough
	# that a large storm loses no line to it.
	"$PENGUARD" run --socket "" -o none "${PG_ARGS[@]}" --export "$d/export.jsonl" --export-backups 1000 \
		--stats-file "$d/stats.json" >"$d/stdout" 2>"$d/stderr" &
	MON_PID=$!
	MON_CPU_PIDS=("$MON_PID")
	wait_until "$READY_TIMEOUT" "$MON_PID" grep -qsw ready "$d/stderr" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor INT || true
		bpf_stats_restore
		R_STATUS="did not attach ($([[ $ready_rc == 2 ]] && echo exited || echo timeout)): $(tail -n 1 "$d/stderr" | head -c 200)"
		return 0
	fi
	storm "$d" || rc=1
	stop_monitor INT || R_NOTE+="killed after SIGINT; "
	bpf_stats_restore
	((rc == 0)) || return 0

	if [[ ! -s $d/stats.json ]] || ! jq -e . "$d/stats.json" >/dev/null 2>&1; then
		R_STATUS="no stats JSON written"
		return 0
	fi
	# Every process_exec and process_exit event in the export, by binary;
	# the storm's are those of our binary (by its path: the storm's own
	# command line names it too).
	EXPORTS=()
	for f in "$d"/export.jsonl "$d"/export.jsonl.*; do
		[[ ! -e $f ]] || EXPORTS+=("$f")
	done
	((${#EXPORTS[@]})) || EXPORTS=(/dev/null)
	jq -r 'if .process_exec then "E\t" + (.process_exec.process.binary // "")
		elif .process_exit then "X\t" + (.process_exit.process.binary // "") else empty end' \
		"${EXPORTS[@]}" >"$d/binaries" 2>"$d/jq.err" || R_NOTE+="export is not clean JSON lines (see jq.err); "
	exported=$(grep -c '^E' "$d/binaries" || true)
	R_DELIV=$(grep -cxF "E"$'\t'"$TINY" "$d/binaries" || true)
	PG_EXITS=$(grep -cxF "X"$'\t'"$TINY" "$d/binaries" || true)
	st_emit=$(jq '.events.process_exec.emitted // empty' "$d/stats.json")
	st_lost=$(jq '.events.process_exec.lost // empty' "$d/stats.json")
	st_deliv=$(jq '.events.process_exec.delivered // empty' "$d/stats.json")
	lines=$(jq '.output.lines // empty' "$d/stats.json")
	R_LOST=${st_lost:--}
	PG_EXEC_RECORDS=${st_deliv:--}
	# The agent's own books must balance: what the kernel wrote is what
	# the agent received (emitted = delivered; lost is counted apart);
	# what it reported must be what its policies ask for.
	if [[ -z $st_emit || -z $st_lost || -z $st_deliv ]]; then
		R_NOTE+="stats lack events.process_exec counters; "
	else
		((st_emit == st_deliv)) ||
			R_NOTE+="stats: emitted $st_emit != delivered $st_deliv (lost $st_lost apart); "
	fi
	case $cfg in
	penguard)
		# The built-in policy reports every exec record it receives.
		((R_DELIV > 0 || exported == 0)) ||
			R_NOTE+="no process_exec.process.binary equal to the storm's binary: export schema changed?; "
		[[ -z $st_deliv ]] || ((exported == st_deliv)) ||
			R_NOTE+="export holds $exported process_exec, stats say delivered $st_deliv; "
		;;
	penguard-nomatch)
		# Nothing matches: not one line, though every lifecycle record
		# still reaches the agent (its process cache needs them).
		((exported == 0)) || R_NOTE+="$exported process_exec reported by a policy that matches nothing; "
		[[ -z $lines ]] || ((lines == 0)) || R_NOTE+="$lines lines written by a policy that matches nothing; "
		[[ -z $st_deliv || -z $st_lost ]] || ((st_deliv + st_lost >= TOTAL)) ||
			R_NOTE+="only $((st_deliv + st_lost)) exec records for the storm's $TOTAL execs; "
		;;
	*)
		# Only the storm's binary matches: every line is the storm's.
		((R_DELIV > 0)) ||
			R_NOTE+="no process_exec.process.binary equal to the storm's binary: export schema changed, or the policy missed it?; "
		((exported == R_DELIV)) ||
			R_NOTE+="$((exported - R_DELIV)) process_exec of other binaries reported: the policy matched more than the storm; "
		[[ -z $lines ]] || ((lines == R_DELIV + PG_EXITS)) ||
			R_NOTE+="$lines lines written, the storm's exec and exit lines are $((R_DELIV + PG_EXITS)); "
		;;
	esac
	penguard_books "$d" "$timed"
	R_STATUS=ok
}

# stats_run DIR LABEL PREFIX BLANK BOOKS PROGS RUNNER ARG…: right after a
# timed penguard run, RUNNER DIR ARG… once more with the kernel's BPF stats
# on, for the times of its programs. Its books row joins BOOKS (and its
# programs PROGS) after PREFIX (tab-separated: repetition, disturbed 0,
# …), its columns BLANK (numbers, space-separated: the agent's CPU) "-":
# the ratios and the agent's CPU come from the timed runs alone. The R_*
# are its own after: callers run it last, once the timed run's are written.
stats_run()
{
	local d=$1 label=$2 prefix=$3 blank=$4 books=$5 progs=$6 runner=$7

	shift 7
	mkdir -p "$d"
	R_STATUS=""; R_DELIV="-"; R_LOST="-"; R_NOTE=""; STORM=""; R_BG="-"; R_ATTR="-"
	R_FOREIGN=0; R_MONCPU=""
	MON_CPU_PIDS=()
	PG_STATS_RUN=1
	"$runner" "$d" "$@"
	PG_STATS_RUN=0
	[[ $KEEP == 1 ]] || find "$d" -type f -size +1M -delete
	if [[ $R_STATUS == ok && -s $d/books.tsv ]]; then
		awk -F'\t' -v OFS='\t' -v p="$prefix" -v b="$blank" 'BEGIN { n = split(b, c, " ") }
			{ for (i = 1; i <= n; i++) $c[i] = "-"; print p, $0 }' "$d/books.tsv" >>"$books"
		awk -v p="$prefix" -v OFS='\t' '{ print p, $0 }' "$d/programs.tsv" >>"$progs"
		log "$label, BPF stats run: ok${R_NOTE:+ ($R_NOTE)}"
	else
		log "$label, BPF stats run: ${R_STATUS:-no books}${R_NOTE:+ ($R_NOTE)}"
	fi
}

# mon_storm DIR SKIP READY… -- STORM…: with a peer monitor just started in
# the background ($!), waits up to READY_TIMEOUT for the command READY… to
# say it is attached, runs the storm command STORM… (measure) and stops the
# monitor with SIGINT. Returns 1 unless the storm ran; R_STATUS says why
# where the monitor did not attach (the last line of DIR/err, lines
# matching SKIP left out unless SKIP is empty).
mon_storm()
{
	local d=$1 skip=$2 rc=0 ready_rc=0 ready=()

	MON_PID=$!
	MON_CPU_PIDS=("$MON_PID")
	shift 2
	while [[ $1 != -- ]]; do
		ready+=("$1")
		shift
	done
	shift
	wait_until "$READY_TIMEOUT" "$MON_PID" "${ready[@]}" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor INT || true
		R_STATUS="did not attach: $({ if [[ -n $skip ]]; then grep -v "$skip" "$d/err"; else cat "$d/err"; fi; } | tail -n 1 | head -c 200)"
		return 1
	fi
	"$@" || rc=1
	stop_monitor INT || R_NOTE+="killed after SIGINT; "
	((rc == 0))
}

run_execsnoop()
{
	local d=$1

	# Line-buffered so the header, printed once the programs are
	# attached, shows that it is ready; that costs one write() per event,
	# small next to an exec.
	stdbuf -oL execsnoop >"$d/out" 2>"$d/err" &
	mon_storm "$d" "" test -s "$d/out" -- storm "$d" || return 0
	# PCOMM is the first column; the exec'd image's comm is our binary.
	# shellcheck disable=SC2016 # awk code, not shell
	R_DELIV=$(count_matching "$d/out" '$1 == n')
	R_LOST=$(sum_lost "$d/out" "$d/err")
	R_STATUS=ok
}

run_bpftrace()
{
	local d=$1

	# BEGIN fires once every probe is attached, so READY means ready.
	bpftrace -o "$d/out" -e 'BEGIN { printf("READY\n"); }
		tracepoint:sched:sched_process_exec { printf("%d %s\n", pid, str(args->filename)); }' \
		>"$d/stdout" 2>"$d/err" &
	mon_storm "$d" RLIMIT_MEMLOCK grep -qs '^READY$' "$d/out" -- storm "$d" || return 0
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
# Sizing: a storm of half a second is mostly start-up and scheduling noise,
# so unless BENCH_EXECS says otherwise, a short calibration storm (no
# monitor) times this machine and the real one gets enough execs for the
# baseline to last TARGET_S seconds.
# ---------------------------------------------------------------------------

# cal_storm N I: a calibration storm of LOOPS x N execs; prints its wall s.
cal_storm()
{
	local d="$RUNDIR/calibration" out w

	mkdir -p "$d"
	timeout 120 "$BB/execstorm" -l "$LOOPS" -n "$1" -s 0 "$TINY" >"$d/storm$2.out" 2>"$d/storm$2.err" ||
		die "calibration storm failed: $(head -c 200 "$d/storm$2.err")"
	out=$(tail -n 1 "$d/storm$2.out")
	w=$(kv wall_s "$out")
	[[ $w =~ ^[0-9.]+$ ]] || die "calibration storm printed no wall_s: $out"
	echo "$w"
}

# calibrate: sets EXECS, and SIZING to how it was chosen.
calibrate()
{
	local w1 n2 w2 cap busy=""

	wait_idle || busy=" (machine busy: $R_BG CPU-s/s, the storm may come out short)"
	cap=$(((MAX_EXECS + LOOPS - 1) / LOOPS))
	# A first storm of CAL_EXECS per loop (it also warms the page cache)
	# sizes a second one to last about half a second: a storm of a few
	# tens of ms is timed by the scheduler more than by the execs.
	w1=$(cal_storm "$CAL_EXECS" 1)
	n2=$(awk -v n="$CAL_EXECS" -v w="$w1" -v cap="$cap" 'BEGIN {
		x = w > 0 ? n * 0.5 / w : n; x = int((x + 99) / 100) * 100
		if (x < n) x = n; if (x > cap) x = cap; print x }')
	w2=$(cal_storm "$n2" 2)
	# A quarter over the target (the rate wobbles), rounded up to 100 per loop.
	EXECS=$(awk -v n="$n2" -v w="$w2" -v t="$TARGET_S" -v cap="$cap" 'BEGIN {
		x = w > 0 ? n * t * 1.25 / w : cap
		x = int((x + 99) / 100) * 100
		if (x < n) x = n
		if (x > cap) x = cap
		print x }')
	SIZING="sized by calibration: $LOOPS × $n2 execs took $w2 s after a warm-up of $LOOPS × $CAL_EXECS, so the baseline should last at least $TARGET_S s"
	((EXECS < cap)) || SIZING+=", capped at BENCH_MAX_EXECS=$MAX_EXECS execs in all"
	SIZING+="$busy"
	log "calibration: $LOOPS x $CAL_EXECS execs in ${w1}s, $LOOPS x $n2 in ${w2}s -> $EXECS execs per loop$busy"
}

if [[ -n $EXECS ]]; then
	SIZING="set by BENCH_EXECS"
else
	calibrate
fi

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

log "exec storm: $LOOPS loops x $EXECS execs = $TOTAL ($SIZING), $REPEAT repetitions; configurations: $CONFIGS"
START_TS=$SECONDS
for ((rep = 1; rep <= REPEAT; rep++)); do
	for ((k = 0; k < NCFG; k++)); do
		cfg=${CFG[$(((k + rep - 1) % NCFG))]}
		for ((try = 0; try <= RETRIES; try++)); do
			d="$RUNDIR/$rep-$cfg"
			((try == 0)) || d="$RUNDIR/$rep-$cfg-retry$try"
			mkdir -p "$d"
			R_STATUS=""; R_DELIV="-"; R_LOST="-"; R_NOTE=""; STORM=""; R_BG="-"; R_ATTR="-"
			R_FOREIGN=0; R_MONCPU=""
			MON_CPU_PIDS=()
			if [[ -n ${UNAVAIL[$cfg]:-} ]]; then
				R_STATUS=${UNAVAIL[$cfg]}
			else
				case $cfg in
				penguard*) run_penguard "$d" "$cfg" ;;
				*) "run_$cfg" "$d" ;;
				esac
			fi
			# The monitors' raw output is large (penguard's export
			# alone is a few KiB per exec); only the counts are needed.
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
			expect=$TOTAL
			[[ $cfg != penguard-nomatch ]] || expect="0 (its policy matches nothing)"
			log "[$rep/$REPEAT] $cfg: wall ${wall}s, cpu ${cpu}s, delivered $R_DELIV/$expect, lost $R_LOST${R_NOTE:+ ($R_NOTE)}"
		elif ((rep == 1)) || [[ -z ${UNAVAIL[$cfg]:-} ]]; then
			log "[$rep/$REPEAT] $cfg: $R_STATUS"
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$cfg" "$R_STATUS" \
			"$wall" "$cpu" "$cpuw" "$R_DELIV" "$R_LOST" "$R_NOTE" "$R_BG" "$R_ATTR" "$unattr" \
			"$disturbed" >>"$RESULTS"
		# The agent's own books of the kept try, marked like its row.
		if [[ $cfg == penguard* && $R_STATUS == ok && -s $d/books.tsv ]]; then
			printf '%s\t%s\t%s\n' "$rep" "$disturbed" "$(cat "$d/books.tsv")" >>"$(books_file "$cfg")"
			awk -v r="$rep" -v x="$disturbed" -v OFS='\t' '{ print r, x, $0 }' \
				"$d/programs.tsv" >>"$(progs_file "$cfg")"
			stats_run "$d-stats" "[$rep/$REPEAT] $cfg" "$rep"$'\t0' "1 2 3" "$(books_file "$cfg")" \
				"$(progs_file "$cfg")" run_penguard "$cfg"
		fi
	done
done
ELAPSED=$((SECONDS - START_TS))
IDLE_AFTER=$(busy_over 2)
if awk -v a="$IDLE_BEFORE" -v b="$IDLE_AFTER" 'BEGIN { exit !(a > 0.1 || b > 0.1) }'; then
	log "warning: the machine was not idle (busy $IDLE_BEFORE / $IDLE_AFTER CPU-s per s before / after)"
fi

# ---------------------------------------------------------------------------
# The user-space pipeline alone: a storm recorded by the agent (every raw
# kernel record, `penguard run --record`), replayed by build/bench/pipeline
# through decode, process cache, JSON rendering and the writer, pinned to
# one CPU, with no kernel in the loop. Not part of the timed runs above:
# recording costs the agent a write per record.
# ---------------------------------------------------------------------------
PIPE_STATUS=""     # empty: ok; else why there are no pipeline numbers
PIPE_NOTE=""
PIPE_ROUNDS=-
PIPE_REC_EXECS=-
PIPE_LINE=""
PIPE_DIR="$RUNDIR/record"
PIN=()
PIN_CPU=$(awk '/^Cpus_allowed_list:/ { split($2, a, /[-,]/); print a[1] }' /proc/self/status)
if command -v taskset >/dev/null && [[ -n $PIN_CPU ]]; then
	PIN=(taskset -c "$PIN_CPU")
else
	PIN_CPU=""
fi

# record_storm: a storm of RECORD_EXECS execs under `penguard run --record`.
record_storm()
{
	local d=$PIPE_DIR per rc=0 ready_rc=0 out

	mkdir -p "$d"
	per=$(((RECORD_EXECS + LOOPS - 1) / LOOPS))
	"$PENGUARD" run --socket "" -o none --export /dev/null --record "$d/records.bin" \
		--stats-file "$d/stats.json" >"$d/stdout" 2>"$d/stderr" &
	MON_PID=$!
	wait_until "$READY_TIMEOUT" "$MON_PID" grep -qsw ready "$d/stderr" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor INT || true
		PIPE_STATUS="the recording agent did not start: $(tail -n 1 "$d/stderr" | head -c 200)"
		return 1
	fi
	timeout 600 "$BB/execstorm" -l "$LOOPS" -n "$per" -s 500 "$TINY" \
		>"$d/storm.out" 2>"$d/storm.err" || rc=$?
	stop_monitor INT || PIPE_NOTE+="recording agent killed after SIGINT; "
	out=$(tail -n 1 "$d/storm.out")
	if [[ $out != execs=* ]]; then
		PIPE_STATUS="recording storm failed (rc $rc): $(head -c 200 "$d/storm.err")"
		return 1
	fi
	if [[ ! -s $d/records.bin ]]; then
		PIPE_STATUS="the agent recorded nothing"
		return 1
	fi
	PIPE_REC_EXECS=$((per * LOOPS))
}

# pipe_once ROUNDS: one replay; sets PIPE_LINE to its key=value line.
pipe_once()
{
	local rc=0

	"${PIN[@]}" "$PIPELINE" "$PIPE_DIR/records.bin" "$1" >/dev/null 2>"$PIPE_DIR/pipeline.err" || rc=$?
	PIPE_LINE=$(grep '^records=' "$PIPE_DIR/pipeline.err" | tail -n 1 || true)
	if ((rc)) || [[ -z $PIPE_LINE ]]; then
		PIPE_STATUS="pipeline failed (rc $rc): $(head -c 200 "$PIPE_DIR/pipeline.err")"
		return 1
	fi
}

# run_pipeline: size the replay to PIPE_S CPU seconds, then run it REPEAT
# times; rows of PIPES: rep, busy (the machine did not go quiet first),
# background, records, events, cpu_s, events/s, records/s, rounds.
run_pipeline()
{
	local rounds=1 c rep busy

	record_storm || return 0
	# Grow by fours until a replay takes 0.5 s, then scale to PIPE_S and
	# a third over, as the replay's speed wobbles on a shared machine.
	while :; do
		pipe_once "$rounds" || return 0
		c=$(kv cpu_s "$PIPE_LINE")
		awk -v c="$c" -v r="$rounds" 'BEGIN { exit !(c < 0.5 && r < 10000000) }' || break
		rounds=$((rounds * 4))
	done
	PIPE_ROUNDS=$(awk -v c="$c" -v r="$rounds" -v t="$PIPE_S" 'BEGIN {
		x = c > 0 ? r * t * 1.33 / c : r; x = int(x) + (x > int(x)); print x < 1 ? 1 : x }')
	for ((rep = 1; rep <= REPEAT; rep++)); do
		busy=0
		wait_idle || busy=1
		pipe_once "$PIPE_ROUNDS" || return 0
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$busy" "$R_BG" \
			"$(kv records "$PIPE_LINE")" "$(kv events "$PIPE_LINE")" "$(kv cpu_s "$PIPE_LINE")" \
			"$(kv events_per_s "$PIPE_LINE")" "$(kv records_per_s "$PIPE_LINE")" "$PIPE_ROUNDS" >>"$PIPES"
		log "[$rep/$REPEAT] pipeline: $PIPE_LINE$( ((busy)) && echo " (machine busy: $R_BG CPU-s/s)")"
		if awk -v c="$(kv cpu_s "$PIPE_LINE")" -v t="$PIPE_S" 'BEGIN { exit !(c < t) }'; then
			PIPE_NOTE+="replay $rep ran $(kv cpu_s "$PIPE_LINE") CPU-s, under the $PIPE_S aimed at; "
		fi
	done
}

PIPE_TS=$SECONDS
if [[ -n $PIPE_UNAVAIL ]]; then
	PIPE_STATUS=$PIPE_UNAVAIL
else
	log "pipeline: recording a storm of $RECORD_EXECS execs, then replaying it $REPEAT time(s)"
	run_pipeline
	[[ -z $PIPE_STATUS ]] || log "pipeline: $PIPE_STATUS"
	[[ $KEEP == 1 ]] || find "$PIPE_DIR" -type f -size +1M -delete
fi
PIPE_ELAPSED=$((SECONDS - PIPE_TS))

# ---------------------------------------------------------------------------
# The open storms. Two files: one no rule watches (a file of ours), and
# /etc/shadow, which the built-in file policy watches (rule credential-read:
# every open of it is an event). Each storm runs with no monitor, under
# penguard (built-in policies), opensnoop (every open on the machine, no
# path filter) and auditd (-w rules like the built-in file policy), each
# REPEAT times, interleaved; rows in OPEN_RESULTS with the columns of
# RESULTS, the configuration named STORM:CONFIG. Then the sustained rate.
# ---------------------------------------------------------------------------
OPEN_RESULTS="$BB/open-results.tsv"
OPEN_BOOKS="$BB/open-books.tsv"
OPEN_PROGS="$BB/open-programs.tsv"
OPEN_RATE_TSV="$BB/open-rates.tsv"
: >"$OPEN_RESULTS"
: >"$OPEN_BOOKS"
: >"$OPEN_PROGS"
: >"$OPEN_RATE_TSV"
OPEN_UNWATCHED="$BB/open-unwatched"
OPEN_WATCHED=/etc/shadow
OPEN_AUDIT_KEY=penguard-bench-open
OPEN_STATUS=""  # empty: the open storms ran; else why not
OPEN_SIZING=""
OPEN_ELAPSED=0
OPEN_RATE_NOTE=""
declare -A OUNAVAIL=()
# The -w rules of the auditd configuration: the built-in file policy's
# files and folders (policies/file.yaml), with the access it reports:
# reads of credential stores, writes and attribute changes of the rest.
OPEN_AUDIT_WATCH=(
	"/etc/shadow rwa" "/etc/gshadow rwa" "/etc/shadow- r" "/etc/gshadow- r" "/etc/sudoers rwa"
	"/etc/sudoers.d rwa" "/root/.ssh rwa" "/etc/ssh/ssh_host_rsa_key r"
	"/etc/ssh/ssh_host_ecdsa_key r" "/etc/ssh/ssh_host_ed25519_key r"
	"/etc/ssh/ssh_host_dsa_key r" "/etc/passwd wa" "/etc/group wa" "/etc/ld.so.preload wa"
	"/etc/ld.so.conf.d wa" "/boot wa" "/etc/pam.d wa" "/etc/security wa" "/etc/crontab wa"
	"/root/.bashrc wa" "/root/.profile wa" "/root/.bash_profile wa" "/root/.bash_login wa"
	"/etc/profile wa" "/etc/bash.bashrc wa" "/etc/rc.local wa" "/etc/cron.d wa"
	"/etc/cron.hourly wa" "/etc/cron.daily wa" "/etc/cron.weekly wa" "/etc/cron.monthly wa"
	"/var/spool/cron wa" "/etc/systemd/system wa" "/usr/lib/systemd/system wa"
	"/etc/profile.d wa"
)
OPEN_AUDIT_ADDED=()

open_audit_add()
{
	local w p
	for w in "${OPEN_AUDIT_WATCH[@]}"; do
		p=${w% *}
		[[ -e $p ]] || continue
		auditctl -w "$p" -p "${w##* }" -k "$OPEN_AUDIT_KEY" >/dev/null 2>&1 &&
			OPEN_AUDIT_ADDED+=("$w")
	done
}

open_audit_del()
{
	local w
	for w in "${OPEN_AUDIT_ADDED[@]}"; do
		auditctl -W "${w% *}" -p "${w##* }" -k "$OPEN_AUDIT_KEY" >/dev/null 2>&1 || true
	done
	OPEN_AUDIT_ADDED=()
}

# ostorm DIR FILE PER_LOOP: the open storm of FILE (measure)
ostorm()
{
	measure "$1" opens "$BB/openstorm" -l "$LOOPS" -n "$3" -s "$SETTLE_MS" "$2"
}

orun_baseline() { ostorm "$@" || return 0; R_STATUS=ok; }

# tp_floor DIR STORM…: the storm command STORM… with no monitor but one
# BPF program on a syscall tracepoint the storm never reaches
# (sys_exit_reboot; not empty: bpftrace drops an empty probe, then ends). Once any syscall tracepoint has a program, the
# kernel sends every system call of every task through its tracing slow
# path: this is what that alone costs, the floor under any monitor built
# on syscall tracepoints (penguard's tracepoint backends), before any
# program of its own runs.
tp_floor()
{
	local d=$1

	shift
	# stdout, not -o: bpftrace holds -o's output back until it ends
	bpftrace -e 'BEGIN { printf("READY\n"); } tracepoint:syscalls:sys_exit_reboot { @n = count(); }' \
		>"$d/out" 2>"$d/err" &
	mon_storm "$d" RLIMIT_MEMLOCK grep -qs '^READY$' "$d/out" -- "$@" || return 0
	R_STATUS=ok
}

orun_tp-floor() { tp_floor "$1" ostorm "$@"; }

# orun_tp-open: no monitor but one BPF program on the storm's own
# sys_exit_openat that does nothing (a test that never holds: bpftrace
# drops an empty probe). What any monitor taking opens from syscall
# tracepoints pays before it decides anything: the floor of penguard's
# tracepoint backend on the unwatched storm.
orun_tp-open()
{
	local d=$1

	bpftrace -e 'BEGIN { printf("READY\n"); } tracepoint:syscalls:sys_exit_openat /args->ret == -4095/ { @n = count(); }' \
		>"$d/out" 2>"$d/err" &
	mon_storm "$d" RLIMIT_MEMLOCK grep -qs '^READY$' "$d/out" -- ostorm "$@" || return 0
	R_STATUS=ok
}

# storm_file_opens FILE…: the storm's file_open lines in penguard exports
# (its binary, first key file_open)
storm_file_opens()
{
	# shellcheck disable=SC2016 # awk code, not shell
	awk -v b="\"binary\":\"$BB/openstorm\"" 'index($0, "{\"file_open\":") == 1 && index($0, b) { c++ }
		END { print c + 0 }' "$@"
}

# pg_storm DIR [AGENT_ARG…] -- STORM…: the storm command STORM… (measure)
# under `penguard run` (its extra arguments AGENT_ARG…) exporting to
# DIR/export.jsonl, with bpf stats on in a stats run (PG_TIMED 1; 0 in a
# timed run, or where they could not be turned on); PG_EXPORTS its export
# files. Returns 1 (R_STATUS set where
# the agent is to blame) unless the storm ran and DIR/stats.json is JSON.
pg_storm()
{
	local d=$1 rc=0 ready_rc=0 f args=()

	shift
	while [[ $1 != -- ]]; do
		args+=("$1")
		shift
	done
	shift
	PG_TIMED=0
	PG_EXPORTS=()
	if ((PG_STATS_RUN)); then
		PG_TIMED=1
		bpf_stats_on || PG_TIMED=0
	fi
	"$PENGUARD" run --socket "" -o none "${args[@]}" --export "$d/export.jsonl" --export-backups 1000 \
		--stats-file "$d/stats.json" >"$d/stdout" 2>"$d/stderr" &
	MON_PID=$!
	MON_CPU_PIDS=("$MON_PID")
	wait_until "$READY_TIMEOUT" "$MON_PID" grep -qsw ready "$d/stderr" || ready_rc=$?
	if ((ready_rc)); then
		stop_monitor INT || true
		bpf_stats_restore
		R_STATUS="did not attach ($([[ $ready_rc == 2 ]] && echo exited || echo timeout)): $(tail -n 1 "$d/stderr" | head -c 200)"
		return 1
	fi
	"$@" || rc=1
	stop_monitor INT || R_NOTE+="killed after SIGINT; "
	bpf_stats_restore
	((rc == 0)) || return 1
	if ! jq -e . "$d/stats.json" >/dev/null 2>&1; then
		R_STATUS="no stats JSON written"
		return 1
	fi
	for f in "$d"/export.jsonl "$d"/export.jsonl.*; do
		[[ ! -e $f ]] || PG_EXPORTS+=("$f")
	done
	((${#PG_EXPORTS[@]})) || PG_EXPORTS=(/dev/null)
}

# pg_cpu DELIV: "CPU_S US_PER_EVENT" of the agent's R_MONCPU ns, the second
# over DELIV events ("-" where DELIV is not a positive count)
pg_cpu()
{
	local cpu_s=- upe=-

	if [[ ${R_MONCPU:-} =~ ^[0-9]+$ ]]; then
		cpu_s=$(awk -v n="$R_MONCPU" 'BEGIN { printf "%.3f", n / 1e9 }')
		[[ ! $1 =~ ^[1-9][0-9]*$ ]] ||
			upe=$(awk -v n="$R_MONCPU" -v e="$1" 'BEGIN { printf "%.2f", n / 1e3 / e }')
	fi
	echo "$cpu_s $upe"
}

# orun_penguard DIR FILE PER_LOOP STORM: the agent with its built-in
# policies; R_DELIV the storm's file_open lines, R_LOST the kernel's lost
# file_open records; a line of OPEN_BOOKS and the file programs' run times
# in OPEN_PROGS (written by the caller with the repetition).
orun_penguard()
{
	local d=$1 deliv lost emit cpu_s=- upe=- bpf=-

	pg_storm "$d" -- ostorm "$d" "$2" "$3" || return 0
	R_DELIV=$(storm_file_opens "${PG_EXPORTS[@]}")
	read -r emit deliv lost < <(jq -r '[.events.file_open.emitted, .events.file_open.delivered,
		.events.file_open.lost] | map(if type == "number" then tostring else "-" end) | join(" ")' \
		"$d/stats.json")
	R_LOST=$lost
	[[ $emit == - || $deliv == - || $lost == - ]] || ((emit == deliv)) ||
		R_NOTE+="stats: file_open emitted $emit != delivered $deliv (lost $lost apart); "
	if [[ $4 == unwatched ]]; then
		((R_DELIV == 0)) || R_NOTE+="$R_DELIV opens of an unwatched file reported; "
	elif [[ $lost =~ ^[0-9]+$ ]] && ((R_DELIV + lost < $3 * LOOPS)); then
		R_NOTE+="$((R_DELIV + lost)) of $(($3 * LOOPS)) watched opens reported or counted lost; "
	fi
	# the file sensor's programs: runs, and ns per run in a stats run
	jq -r '(.sensors.file.programs // {}) | to_entries[] |
		[.key, (.value.runs | tostring), (.value.ns_per_run | tostring)] | @tsv' \
		"$d/stats.json" >"$d/programs.tsv" 2>/dev/null || true
	((PG_TIMED)) || sed -i 's/\t[^\t]*\t[^\t]*$/\t-\t-/' "$d/programs.tsv"
	bpf=$(awk -F'\t' -v n="$(($3 * LOOPS))" '$3 ~ /^[0-9.]+$/ { s += $2 * $3; k = 1 }
		END { if (k) printf "%.0f", s / n; else print "-" }' "$d/programs.tsv")
	# per event only where events are what the agent spent on
	read -r cpu_s upe < <(pg_cpu "$([[ $4 == watched ]] && echo "$deliv" || echo -)")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$cpu_s" "$deliv" "$upe" "$bpf" "$emit" "$lost" >"$d/books.tsv"
	R_STATUS=ok
}

orun_opensnoop()
{
	local d=$1

	stdbuf -oL opensnoop >"$d/out" 2>"$d/err" &
	mon_storm "$d" "" test -s "$d/out" -- ostorm "$d" "$2" "$3" || return 0
	# PID COMM FD ERR PATH: the storm's opens of its file
	R_DELIV=$(awk -v f="$2" '$2 == "openstorm" && $NF == f { c++ } END { print c + 0 }' "$d/out")
	R_LOST=$(sum_lost "$d/out" "$d/err")
	R_STATUS=ok
}

# storm_auditd DIR UNAVAIL ADD DEL KEY COMM STORM…: the private auditd of
# the exec storm, its rules put in by the function ADD and taken out by DEL,
# under the storm command STORM… (measure); R_DELIV the SYSCALL records of
# KEY by COMM. Why auditd cannot run goes into the associative array named
# UNAVAIL, for the configuration's next runs.
storm_auditd()
{
	local d=$1 add=$3 del=$4 key=$5 comm=$6 rc=0 lost0 lost1 pid kpid
	local -n un_a=$2

	shift 6
	pid=$(audit_status pid)
	if [[ -n $pid && $pid != 0 ]]; then
		un_a[auditd]="skipped: an auditd (pid $pid) is already running"
		R_STATUS=${un_a[auditd]}
		return 0
	fi
	[[ -n ${AUDIT_SAVED:-} ]] || AUDIT_SAVED="$(audit_status enabled) $(audit_status backlog_limit)"
	if ! auditd_start "$d"; then
		stop_monitor TERM || true
		audit_restore
		un_a[auditd]="auditd cannot run here (see $d/auditd.err)"
		R_STATUS=${un_a[auditd]}
		return 0
	fi
	auditctl -b 8192 >/dev/null
	kpid=$(pgrep -x kauditd | head -n 1 || true)
	[[ -z $kpid ]] || MON_CPU_PIDS+=("$kpid")
	"$add"
	lost0=$(audit_status lost)
	"$@" || rc=1
	lost1=$(audit_status lost)
	"$del"
	stop_monitor TERM || R_NOTE+="auditd killed after SIGTERM; "
	audit_restore
	rm -rf "$AUDITD_CONF_DIR"
	AUDITD_CONF_DIR=""
	((rc == 0)) || return 0
	R_DELIV=$(grep -F 'type=SYSCALL' "$d/log/audit.log" | grep -F "key=\"$key\"" |
		grep -cF "comm=\"$comm\"" || true)
	R_LOST=$((lost1 - lost0))
	R_STATUS=ok
}

# orun_auditd DIR FILE PER_LOOP: auditd with the -w rules of OPEN_AUDIT_WATCH
orun_auditd()
{
	storm_auditd "$1" OUNAVAIL open_audit_add open_audit_del "$OPEN_AUDIT_KEY" openstorm \
		ostorm "$1" "$2" "$3"
}

# storm_cal DIR BIN TARGET N: wall s of a calibration storm of bench/BIN,
# LOOPS x N, of TARGET (a file, an address); its output in $RUNDIR/DIR/out
storm_cal()
{
	local out
	mkdir -p "$RUNDIR/$1"
	timeout 120 "$BB/$2" -l "$LOOPS" -n "$4" -s 0 "$3" >"$RUNDIR/$1/out" 2>&1 || return 1
	out=$(tail -n 1 "$RUNDIR/$1/out")
	kv wall_s "$out"
}

# storm_size DIR BIN TARGET MAX FIRST SECONDS: per loop, for a baseline of
# about SECONDS (a quarter over, rounded up to 1000, at most MAX in all),
# from a storm sized to last ~0.5 s by one of FIRST per loop (storm_cal)
storm_size()
{
	local w n first=$5 cap=$((($4 + LOOPS - 1) / LOOPS))
	w=$(storm_cal "$1" "$2" "$3" "$first") || return 1
	n=$(awk -v w="$w" -v f="$first" 'BEGIN { x = w > 0 ? f * 0.5 / w : f; print int((x + 999) / 1000) * 1000 }')
	((n >= first)) || n=$first
	((n <= cap)) || n=$cap
	w=$(storm_cal "$1" "$2" "$3" "$n") || return 1
	awk -v n="$n" -v w="$w" -v t="$6" -v cap="$cap" 'BEGIN {
		x = w > 0 ? n * t * 1.25 / w : cap; x = int((x + 999) / 1000) * 1000
		if (x < 1000) x = 1000; if (x > cap) x = cap; print x }'
}

# osize FILE SECONDS: opens per loop of FILE for a baseline of about SECONDS
osize() { storm_size open-calibration openstorm "$1" "$OPEN_MAX" 20000 "$2"; }

# open_rates: the sustained rate; one agent per step, watched opens paced
# at the offered rate for OPEN_RATE_S s. Rows of OPEN_RATE_TSV: offered,
# achieved, expected, delivered (the storm's lines), lost, agent CPU s,
# status.
open_rates()
{
	local r d per n out rc ready_rc m0 m1 cpu deliv lost f exports st

	for r in $OPEN_RATES; do
		d="$RUNDIR/open-rate-$r"
		mkdir -p "$d"
		per=$(((r + LOOPS - 1) / LOOPS))
		n=$((per * OPEN_RATE_S))
		"$PENGUARD" run --socket "" -o none --export "$d/export.jsonl" --export-backups 1000 \
			--stats-file "$d/stats.json" >"$d/stdout" 2>"$d/stderr" &
		MON_PID=$!
		ready_rc=0
		wait_until "$READY_TIMEOUT" "$MON_PID" grep -qsw ready "$d/stderr" || ready_rc=$?
		if ((ready_rc)); then
			stop_monitor INT || true
			printf '%s\t-\t-\t-\t-\t-\t%s\n' "$r" "agent did not start" >>"$OPEN_RATE_TSV"
			continue
		fi
		wait_idle || true
		m0=$(proc_cpu_ns "$MON_PID")
		rc=0
		timeout 600 "$BB/openstorm" -l "$LOOPS" -n "$n" -r "$per" -s "$SETTLE_MS" "$OPEN_WATCHED" \
			>"$d/storm.out" 2>"$d/storm.err" || rc=$?
		# the rest of the backlog: the step counts as sustained only if
		# the agent is done by the end of the settle time
		m1=$(proc_cpu_ns "$MON_PID")
		stop_monitor INT || true
		out=$(tail -n 1 "$d/storm.out")
		if [[ $out != opens=* ]]; then
			printf '%s\t-\t-\t-\t-\t-\t%s\n' "$r" "storm failed (rc $rc)" >>"$OPEN_RATE_TSV"
			continue
		fi
		exports=()
		for f in "$d"/export.jsonl "$d"/export.jsonl.*; do
			[[ ! -e $f ]] || exports+=("$f")
		done
		((${#exports[@]})) || exports=(/dev/null)
		deliv=$(storm_file_opens "${exports[@]}")
		lost=$(jq -r '.events.file_open.lost // "-"' "$d/stats.json" 2>/dev/null || echo -)
		cpu=$(awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		st=ok
		[[ -s $d/stats.json ]] || st="no stats written (the agent's end: $(tail -n 1 "$d/stderr" | head -c 120))"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$(kv rate "$out")" "$((n * LOOPS))" "$deliv" \
			"$lost" "$cpu" "$st" >>"$OPEN_RATE_TSV"
		log "open rate $r/s offered: $(kv rate "$out")/s achieved, $deliv/$((n * LOOPS)) delivered, lost $lost, agent ${cpu} CPU-s"
		[[ $KEEP == 1 ]] || find "$d" -type f -size +1M -delete
	done
}

# storm_config REP CFG DIR LABEL ROW TAG KIND UNAVAIL RUNNER ARG…: one
# repetition of one configuration of the open or connect storms, run again
# (up to RETRIES times) while other load disturbs it: RUNNER $RUNDIR/DIR
# ARG…, unless the associative array named UNAVAIL says why CFG cannot run;
# logged as "[REP/REPEAT] LABEL: …", its row (configuration ROW) appended to
# KIND_RESULTS (KIND: OPEN or CONN) and, for penguard, its books (tagged
# TAG) and programs to KIND_BOOKS and KIND_PROGS.
storm_config()
{
	local rep=$1 cfg=$2 dir=$3 label=$4 row=$5 tag=$6 kind=$7 runner=$9
	local -n unavail=$8
	local results=${kind}_RESULTS books=${kind}_BOOKS progs=${kind}_PROGS
	local try d wall cpu cpuw unattr disturbed

	shift 9
	for ((try = 0; try <= RETRIES; try++)); do
		d="$RUNDIR/$dir"
		((try == 0)) || d+="-retry$try"
		mkdir -p "$d"
		R_STATUS=""; R_DELIV="-"; R_LOST="-"; R_NOTE=""; STORM=""; R_BG="-"; R_ATTR="-"
		R_FOREIGN=0; R_MONCPU=""
		MON_CPU_PIDS=()
		if [[ -n ${unavail[$cfg]:-} ]]; then
			R_STATUS=${unavail[$cfg]}
		else
			"$runner" "$d" "$@"
		fi
		[[ $KEEP == 1 ]] || find "$d" -type f -size +1M -delete
		wall=-; cpu=-; cpuw=-; unattr=-; disturbed=0
		[[ $R_STATUS == ok ]] || break
		wall=$(kv wall_s "$STORM"); cpu=$(kv cpu_machine_s "$STORM"); cpuw=$(kv cpu_work_s "$STORM")
		unattr=$(awk -v c="$cpu" -v a="$R_ATTR" -v w="$wall" 'BEGIN { printf "%.2f", (c - a) / w }')
		awk -v u="$unattr" -v m="$DISTURB_MAX" 'BEGIN { exit !(u > m) }' || ((R_FOREIGN)) || break
		disturbed=1
		log "[$rep/$REPEAT] $label: disturbed ($unattr CPU-s/s not ours)$( ((try < RETRIES)) && echo ", again")"
	done
	((try > RETRIES)) && try=$RETRIES
	((try == 0)) || R_NOTE+="run again $try time(s) after other load disturbed it; "
	((disturbed == 0)) || R_NOTE+="still disturbed ($unattr CPU-s/s not ours); "
	if [[ $R_STATUS == ok ]]; then
		log "[$rep/$REPEAT] $label: wall ${wall}s, cpu ${cpu}s, delivered $R_DELIV, lost $R_LOST${R_NOTE:+ ($R_NOTE)}"
	elif ((rep == 1)); then
		log "[$rep/$REPEAT] $label: $R_STATUS"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$row" \
		"$R_STATUS" "$wall" "$cpu" "$cpuw" "$R_DELIV" "$R_LOST" "$R_NOTE" "$R_BG" \
		"$R_ATTR" "$unattr" "$disturbed" >>"${!results}"
	if [[ $cfg == penguard* && $R_STATUS == ok && -s $d/books.tsv ]]; then
		printf '%s\t%s\t%s\t%s\n' "$rep" "$disturbed" "$tag" "$(cat "$d/books.tsv")" >>"${!books}"
		awk -v r="$rep" -v x="$disturbed" -v t="$tag" -v OFS='\t' '{ print r, x, t, $0 }' \
			"$d/programs.tsv" >>"${!progs}"
		stats_run "$d-stats" "[$rep/$REPEAT] $label" "$rep"$'\t0\t'"$tag" "1 3" "${!books}" \
			"${!progs}" "$runner" "$@"
	fi
}

open_storms()
{
	local storm file per rep k cfg ncfg
	local -a ocfg

	[[ -x $PENGUARD ]] || OUNAVAIL[penguard]="not built (${PENGUARD#"$ROOT"/} missing)"
	command -v opensnoop >/dev/null || OUNAVAIL[opensnoop]="not installed (libbpf-tools)"
	if ! command -v bpftrace >/dev/null; then
		OUNAVAIL[tp-floor]="bpftrace not installed"
		OUNAVAIL[tp-open]="bpftrace not installed"
	fi
	[[ -z ${UNAVAIL[auditd]:-} ]] || OUNAVAIL[auditd]=${UNAVAIL[auditd]}
	echo "penguard bench: an open storm's file no rule watches" >"$OPEN_UNWATCHED"
	if [[ -z $OPENS ]]; then
		OPENS=$(osize "$OPEN_UNWATCHED" "$TARGET_S") || { OPEN_STATUS="calibration storm failed"; return 0; }
		OPEN_SIZING="opens per loop sized by calibration for a baseline of about $TARGET_S s"
	else
		OPEN_SIZING="set by BENCH_OPENS"
	fi
	if [[ ! -r $OPEN_WATCHED ]]; then
		OPENS_W=0
		OPEN_SIZING+="; no $OPEN_WATCHED here: no watched storm"
	elif [[ -z $OPENS_W ]]; then
		OPENS_W=$(osize "$OPEN_WATCHED" "$OPEN_WATCHED_S") || { OPEN_STATUS="calibration storm failed"; return 0; }
		OPEN_SIZING+="; the watched storm for about $OPEN_WATCHED_S s"
	else
		OPEN_SIZING+="; the watched storm's set by BENCH_OPENS_WATCHED"
	fi
	log "open storms: $LOOPS loops x $OPENS opens of $OPEN_UNWATCHED, $LOOPS x $OPENS_W of $OPEN_WATCHED; configurations: $OPEN_CONFIGS"
	read -ra ocfg <<<"$OPEN_CONFIGS"
	ncfg=${#ocfg[@]}
	for rep in $(seq 1 "$REPEAT"); do
		for storm in unwatched watched; do
			if [[ $storm == unwatched ]]; then
				file=$OPEN_UNWATCHED per=$OPENS
			else
				file=$OPEN_WATCHED per=$OPENS_W
				((per > 0)) || continue
			fi
			for ((k = 0; k < ncfg; k++)); do
				cfg=${ocfg[$(((k + rep - 1) % ncfg))]}
				# the floors are the unwatched storm's: nothing is watched there
				[[ $storm == watched && $cfg == tp-* ]] && continue
				storm_config "$rep" "$cfg" "open-$rep-$storm-$cfg" "open $storm $cfg" "$storm:$cfg" \
					"$storm" OPEN OUNAVAIL "orun_$cfg" "$file" "$per" "$storm"
			done
		done
	done
	if [[ -n ${OUNAVAIL[penguard]:-} ]]; then
		OPEN_RATE_NOTE="no agent: ${OUNAVAIL[penguard]}"
	elif ((OPENS_W == 0)); then
		OPEN_RATE_NOTE="no $OPEN_WATCHED to open"
	else
		log "open rate: watched opens paced at $OPEN_RATES events/s, $OPEN_RATE_S s each"
		open_rates
	fi
}

OPEN_TS=$SECONDS
if ((OPEN)); then
	open_storms
else
	OPEN_STATUS="skipped (BENCH_OPEN=0)"
fi
OPEN_ELAPSED=$((SECONDS - OPEN_TS))

# ---------------------------------------------------------------------------
# The connect storm: LOOPS loops, each with a listener of its own on
# CONN_ADDR, doing connect + accept + close (bench/connstorm.c: the client
# end closes with an RST, so no TIME_WAIT outlives a run into the next).
# penguard's built-in network policy leaves loopback out, so under it these
# are connections no rule reports; penguard-all adds a policy reporting
# every connection. The peers: libbpf-tools tcpconnect and bcc's
# tcpconnect-bpfcc, each where installed, and auditd with a connect rule.
# Every configuration REPEAT times, interleaved; rows in CONN_RESULTS with
# the columns of RESULTS, the configuration named connect:CONFIG.
# ---------------------------------------------------------------------------
CONN_RESULTS="$BB/conn-results.tsv"
CONN_BOOKS="$BB/conn-books.tsv"
CONN_PROGS="$BB/conn-programs.tsv"
: >"$CONN_RESULTS"
: >"$CONN_BOOKS"
: >"$CONN_PROGS"
CONN_ADDR=127.0.0.1
CONN_AUDIT_KEY=penguard-bench-connect
CONN_AUDIT_RULE=("always,exit" -F arch=b64 -S connect -k "$CONN_AUDIT_KEY")
CONN_AUDIT_ADDED=0
CONN_POLICY="$POLDIR/connect-all.yaml"
CONN_STATUS="" # empty: the connect storm ran; else why not
CONN_SIZING=""
CONN_ELAPSED=0
declare -A CUNAVAIL=()

conn_audit_add()
{
	auditctl -a "${CONN_AUDIT_RULE[@]}" >/dev/null
	CONN_AUDIT_ADDED=1
}

conn_audit_del()
{
	((CONN_AUDIT_ADDED)) || return 0
	auditctl -d "${CONN_AUDIT_RULE[@]}" >/dev/null 2>&1 || true
	CONN_AUDIT_ADDED=0
}

# cstorm DIR PER_LOOP: the connect storm (measure)
cstorm()
{
	measure "$1" connects "$BB/connstorm" -l "$LOOPS" -n "$2" -s "$SETTLE_MS" "$CONN_ADDR"
}

crun_baseline() { cstorm "$1" "$2" || return 0; R_STATUS=ok; }

# storm_net_lines FILE…: the storm's network_connect, network_accept and
# network_close lines in penguard exports (its binary, first key the type)
storm_net_lines()
{
	# shellcheck disable=SC2016 # awk code, not shell
	awk -v b="\"binary\":\"$BB/connstorm\"" 'index($0, b) {
			if (index($0, "{\"network_connect\":") == 1) c++
			else if (index($0, "{\"network_accept\":") == 1) a++
			else if (index($0, "{\"network_close\":") == 1) x++
		}
		END { print c + 0, a + 0, x + 0 }' "$@"
}

# write_conn_policy: the policy of penguard-all, one rule reporting every
# connection (no match), checked with `penguard policy check`; a file it
# rejects makes penguard-all unavailable, with the first message.
write_conn_policy()
{
	local err

	mkdir -p "$POLDIR"
	cat >"$CONN_POLICY" <<-EOF
		# Generated by bench/run.sh for the connect storm; overwritten each run.
		name: bench-connect-all
		description: bench/run.sh connect storm, every connection reported
		mode: monitor
		rules:
		  - name: every-connection
		    on: [network_connect, network_accept, network_close]
		    action: report
	EOF
	[[ -z ${CUNAVAIL[penguard-all]:-} ]] || return 0
	if ! err=$("$PENGUARD" policy check "$CONN_POLICY" 2>&1 >/dev/null); then
		CUNAVAIL[penguard-all]="policy rejected by \`penguard policy check\`: $(head -n 1 <<<"$err" | head -c 200)"
		log "connect penguard-all: ${CUNAVAIL[penguard-all]}"
	fi
}

# crun_penguard DIR PER_LOOP CFG: the agent with its built-in policies, and
# for penguard-all the policy reporting every connection besides (the only
# difference between the two); R_DELIV the storm's network lines, R_LOST
# the kernel's lost network records; a line of CONN_BOOKS and the network
# programs' run times in CONN_PROGS (written by the caller with the
# repetition).
crun_penguard()
{
	local d=$1 total=$(($2 * LOOPS)) cfg=$3 args=()
	local emit deliv lost lc la lx cpu_s=- upe=- bpf=-

	[[ $cfg == penguard ]] || args=(--policy "$CONN_POLICY")
	pg_storm "$d" "${args[@]}" -- cstorm "$d" "$2" || return 0
	read -r lc la lx < <(storm_net_lines "${PG_EXPORTS[@]}")
	R_DELIV=$((lc + la + lx))
	# The three network event types together; "-" where the agent has
	# not all three counters (no network sensor).
	read -r emit deliv lost < <(jq -r '[.events.network_connect, .events.network_accept,
		.events.network_close] as $e |
		if ($e | map(type == "object") | all) then
			[($e | map(.emitted // 0) | add), ($e | map(.delivered // 0) | add),
			 ($e | map(.lost // 0) | add)] | map(tostring) | join(" ")
		else "- - -" end' "$d/stats.json")
	R_LOST=$lost
	if [[ $emit == - ]]; then
		R_NOTE+="stats lack events.network_connect/accept/close (an agent without the network sensor?); "
	else
		((emit == deliv)) || R_NOTE+="stats: network emitted $emit != delivered $deliv (lost $lost apart); "
	fi
	if [[ $cfg == penguard ]]; then
		((R_DELIV == 0)) || R_NOTE+="$R_DELIV network lines of loopback connections reported by the built-in policies; "
	elif [[ $lost =~ ^[0-9]+$ ]]; then
		# docs/EVENTS-NETWORK.md: a TCP connect is two network_connect
		# (the call, then "established"), an accept one network_accept,
		# and each end's socket one network_close when it reaches
		# TCP_CLOSE (the client's at its close, the accepted one at the RST).
		((lc + lost >= 2 * total)) ||
			R_NOTE+="$lc network_connect lines (lost $lost) for $total connects (2 each expected); "
		((la + lost >= total)) || R_NOTE+="$la network_accept lines (lost $lost) for $total accepts; "
		((lx + lost >= 2 * total)) ||
			R_NOTE+="$lx network_close lines (lost $lost) for $total connections (one per end expected); "
	fi
	# The network sensor's programs: runs, and ns per run in a stats run.
	jq -r '(.sensors // {}) | to_entries[] | select(.key | test("^net")) | .key as $s |
		(.value.programs // {}) | to_entries[] |
		[$s, .key, (.value.runs | tostring), (.value.ns_per_run | tostring)] | @tsv' \
		"$d/stats.json" >"$d/programs.tsv" 2>/dev/null || true
	((PG_TIMED)) || sed -i 's/\t[^\t]*\t[^\t]*$/\t-\t-/' "$d/programs.tsv"
	# BPF time per connection of the storm: every network program but the
	# seeding iterators (they run once, at start), over the connections.
	bpf=$(awk -F'\t' -v n="$total" '$2 !~ /^iter_/ && $4 ~ /^[0-9.]+$/ { s += $3 * $4; k = 1 }
		END { if (k) printf "%.0f", s / n; else print "-" }' "$d/programs.tsv")
	# per event only where events are what the agent spent on
	read -r cpu_s upe < <(pg_cpu "$([[ $cfg != penguard ]] && echo "$deliv" || echo -)")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cpu_s" "$deliv" "$upe" "$bpf" "$emit" "$lost" \
		"$lc" "$la" "$lx" >"$d/books.tsv"
	R_STATUS=ok
}

# conn_lost FILE…: the tcpconnect tools' own loss reports, libbpf-tools'
# "Lost N events on CPU" and bcc's "Possibly lost N samples"
conn_lost()
{
	{ cat "$@" 2>/dev/null || true; } | { grep -oiE 'lost [0-9]+ (events|samples)' || true; } |
		awk '{ s += $2 } END { print s + 0 }'
}

# crun_tcpconnect DIR PER_LOOP CFG: tcpconnect (libbpf-tools) or
# tcpconnect-bpfcc (bcc: Python, unbuffered so the header shows it is
# attached). Both print their header once attached, then PID COMM IP
# SADDR DADDR DPORT per connect; delivered: the lines of connstorm.
crun_tcpconnect()
{
	local d=$1

	if [[ $3 == tcpconnect ]]; then
		stdbuf -oL tcpconnect >"$d/out" 2>"$d/err" &
	else
		PYTHONUNBUFFERED=1 tcpconnect-bpfcc >"$d/out" 2>"$d/err" &
	fi
	mon_storm "$d" RLIMIT_MEMLOCK test -s "$d/out" -- cstorm "$d" "$2" || return 0
	R_DELIV=$(awk '$2 == "connstorm" { c++ } END { print c + 0 }' "$d/out")
	R_LOST=$(conn_lost "$d/out" "$d/err")
	R_STATUS=ok
}

crun_tp-floor() { tp_floor "$1" cstorm "$@"; }

# crun_auditd DIR PER_LOOP: auditd with the rule -a CONN_AUDIT_RULE; one
# SYSCALL record per connect call.
crun_auditd()
{
	storm_auditd "$1" CUNAVAIL conn_audit_add conn_audit_del "$CONN_AUDIT_KEY" connstorm \
		cstorm "$1" "$2"
}

# csize SECONDS: connections per loop for a baseline of about SECONDS
csize() { storm_size conn-calibration connstorm "$CONN_ADDR" "$CONN_MAX" 2000 "$1"; }

# crun DIR PER_LOOP CFG: CFG's runner (crun_penguard and crun_tcpconnect
# serve two configurations each)
crun()
{
	case $3 in
	penguard*) crun_penguard "$@" ;;
	tcpconnect*) crun_tcpconnect "$@" ;;
	*) "crun_$3" "$1" "$2" ;;
	esac
}

conn_storms()
{
	local rep k cfg ncfg
	local -a ccfg

	if [[ ! -x $PENGUARD ]]; then
		CUNAVAIL[penguard]="not built (${PENGUARD#"$ROOT"/} missing)"
		CUNAVAIL[penguard-all]=${CUNAVAIL[penguard]}
	fi
	command -v tcpconnect >/dev/null ||
		CUNAVAIL[tcpconnect]="not installed (libbpf-tools' tcpconnect; the script installs nothing for it)"
	command -v tcpconnect-bpfcc >/dev/null ||
		CUNAVAIL[tcpconnect-bpfcc]="not installed (bpfcc-tools; the script installs nothing for it)"
	command -v bpftrace >/dev/null || CUNAVAIL[tp-floor]="bpftrace not installed"
	[[ -z ${UNAVAIL[auditd]:-} ]] || CUNAVAIL[auditd]=${UNAVAIL[auditd]}
	[[ -z ${OUNAVAIL[auditd]:-} ]] || CUNAVAIL[auditd]=${OUNAVAIL[auditd]}
	[[ " $CONN_CONFIGS " != *" penguard-all "* ]] || write_conn_policy
	if [[ -z $CONNS ]]; then
		CONNS=$(csize "$TARGET_S") || { CONN_STATUS="calibration storm failed (see $RBB/runs/conn-calibration/out)"; return 0; }
		CONN_SIZING="connections per loop sized by calibration for a baseline of about $TARGET_S s"
		((CONNS < (CONN_MAX + LOOPS - 1) / LOOPS)) ||
			CONN_SIZING+=", capped at BENCH_CONN_MAX=$CONN_MAX connections in all"
	else
		CONN_SIZING="set by BENCH_CONNS"
	fi
	log "connect storm: $LOOPS loops x $CONNS connections to $CONN_ADDR; configurations: $CONN_CONFIGS"
	read -ra ccfg <<<"$CONN_CONFIGS"
	ncfg=${#ccfg[@]}
	for rep in $(seq 1 "$REPEAT"); do
		for ((k = 0; k < ncfg; k++)); do
			cfg=${ccfg[$(((k + rep - 1) % ncfg))]}
			storm_config "$rep" "$cfg" "conn-$rep-$cfg" "connect $cfg" "connect:$cfg" "$cfg" \
				CONN CUNAVAIL crun "$CONNS" "$cfg"
		done
	done
}

CONN_TS=$SECONDS
if ((CONN)); then
	conn_storms
else
	CONN_STATUS="skipped (BENCH_CONN=0)"
fi
CONN_ELAPSED=$((SECONDS - CONN_TS))

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

# book_vals FILE COL [FCOL FVAL]: the numbers in column COL of BOOKS, PROGS
# or PIPES (only rows whose column FCOL is FVAL), over the rows whose column
# 2 (disturbed, or busy) is 0, or over all if none is.
book_vals()
{
	awk -F'\t' -v col="$2" -v fc="${3:-0}" -v fv="${4:-}" '
		(fc == 0 || $fc == fv) && $col ~ /^[0-9]+(\.[0-9]*)?$/ {
			all[++na] = $col; if (!$2) clean[++nc] = $col }
		END {
			if (nc) for (i = 1; i <= nc; i++) print clean[i]
			else for (i = 1; i <= na; i++) print all[i]
		}' "$1"
}

# book_cell FORMAT FILE COL [FCOL FVAL]: their median in printf FORMAT, with
# the range in brackets when they differ; "-" when there are none.
book_cell()
{
	local fmt=$1
	shift
	book_vals "$@" | sort -g | awk -v f="$fmt" '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		s = sprintf(f, m)
		if (v[1] != v[NR]) s = s sprintf(" (" f "–" f ")", v[1], v[NR])
		print s }'
}

# vals_cell FORMAT: the numbers piped in as "median (min–max)" in printf
# FORMAT, the range only when they differ; "-" when there are none.
vals_cell()
{
	awk 'NF' | sort -g | awk -v f="$1" '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		s = sprintf(f, m)
		if (v[1] != v[NR]) s = s sprintf(" (" f "–" f ")", v[1], v[NR])
		print s }'
}

# judge A B: A and B newline-separated numbers (one per repetition).
# Prints "VERDICT DIFF NOISE": DIFF the median of A minus that of B, NOISE
# the run-to-run spread, the wider of their two ranges (max − min over the
# repetitions); VERDICT "same" when |DIFF| <= NOISE, else "higher" or
# "lower" (A against B), "unknown" when a side has no value or neither has
# two (one repetition: no spread to judge by).
judge()
{
	awk -v a="$1" -v b="$2" '
		function load(s, v,   n, i, j, k, t, x) {
			n = split(s, t, "\n")
			k = 0
			for (i = 1; i <= n; i++)
				if (t[i] ~ /^-?[0-9]+(\.[0-9]*)?(e[-+]?[0-9]+)?$/) v[++k] = t[i] + 0
			for (i = 2; i <= k; i++) {	# insertion sort: a few values
				x = v[i]
				for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
				v[j + 1] = x
			}
			return k
		}
		function med(v, n) { return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
		BEGIN {
			na = load(a, va); nb = load(b, vb)
			if (!na || !nb || (na < 2 && nb < 2)) { print "unknown - -"; exit }
			noise = 0
			if (na > 1) noise = va[na] - va[1]
			if (nb > 1 && vb[nb] - vb[1] > noise) noise = vb[nb] - vb[1]
			d = med(va, na) - med(vb, nb)
			printf "%s %g %g\n", (d > noise ? "higher" : -d > noise ? "lower" : "same"), d, noise
		}'
}

# fmt_num FORMAT N: N in printf FORMAT.
fmt_num() { awk -v f="$1" -v n="$2" 'BEGIN { printf f, n }'; }

# cmp_phrase WHAT FORMAT A B: "WHAT a (range) against b (range): verdict"
# (no verdict when judge cannot tell), for the report's paragraphs (A and B
# as for judge).
cmp_phrase()
{
	local v d n
	read -r v d n < <(judge "$3" "$4")
	printf '%s %s against %s' "$1" "$(vals_cell "$2" <<<"$3")" "$(vals_cell "$2" <<<"$4")"
	[[ $v == unknown ]] || printf ': '
	case $v in
	same) printf 'within the run-to-run spread (medians %s apart, spread %s)' \
		"$(fmt_num "$2" "${d#-}")" "$(fmt_num "$2" "$n")" ;;
	higher | lower) printf '**%s** by %s, beyond the run-to-run spread (%s)' "$v" \
		"$(fmt_num "$2" "${d#-}")" "$(fmt_num "$2" "$n")" ;;
	*) ;; # the conclusion says why it is not judged
	esac
}

# ---------------------------------------------------------------------------
# The open storms' part of the report.
# ---------------------------------------------------------------------------

# run_notes RESULTS: "- repetition N, CONFIG: …" of every run with a note
# or a failure, of the configurations that ran at least once (one that
# never ran says why in its row)
run_notes()
{
	awk -F'\t' 'NR == FNR { if ($3 == "ok") ok[$2]++; next }
		$2 in ok && ($9 != "" || $3 != "ok") {
			print "- repetition " $1 ", " $2 ": " ($3 == "ok" ? $9 : $3) }' "$1" "$1"
}

# progs_rows PROGS P: the table rows "| TAG | `PROGRAM` | runs | ns per run |"
# (medians, range in brackets) of the programs that ran (the others' hooks
# saw no call), from PROGS' rows REP DISTURBED TAG …, the program's name in
# column P, its runs and ns per run in the next two
progs_rows()
{
	local tag r

	awk -F'\t' -v p="$2" '$(p + 1) > 0 && !seen[$3 FS $p]++ { print $3 "\t" $p }' "$1" |
		while IFS=$'\t' read -r tag r; do
			# shellcheck disable=SC2016 # markdown backticks
			printf '| %s | `%s` | %s | %s |\n' "$tag" "$r" \
				"$(awk -F'\t' -v t="$tag" -v n="$r" -v p="$2" -v OFS='\t' '$3 == t && $p == n { print $1, $2, $(p + 1) }' "$1" | book_cell %.0f /dev/stdin 3)" \
				"$(awk -F'\t' -v t="$tag" -v n="$r" -v p="$2" -v OFS='\t' '$3 == t && $p == n { print $1, $2, $(p + 2) }' "$1" | book_cell %.0f /dev/stdin 3)"
		done
}

# oratios CFG COL: per-repetition ratios of OPEN_RESULTS' CFG ("STORM:X")
# against STORM:baseline, as ratios() does for the exec storm.
oratios()
{
	awk -F'\t' -v c="$1" -v col="$2" -v b="${1%%:*}:baseline" '
		$3 == "ok" && $2 == b { base[$1] = $col; bd[$1] = $13 }
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
		}' "$OPEN_RESULTS"
}

oratio_cell() { oratios "$1" "$2" | vals_cell %.2f; }

# ocol CFG COL: median over the clean ok runs (all if none is clean)
ocol()
{
	awk -F'\t' -v c="$1" -v col="$2" '
		$3 == "ok" && $2 == c { all[++na] = $col; if (!$13) clean[++nc] = $col }
		END {
			if (nc) for (i = 1; i <= nc; i++) print clean[i]
			else for (i = 1; i <= na; i++) print all[i]
		}' "$OPEN_RESULTS" | median
}

ospread() { RESULTS=$OPEN_RESULTS spread_cell "$@"; }

# obook FORMAT STORM COL: OPEN_BOOKS column COL over STORM's rows
obook() { book_cell "$1" "$OPEN_BOOKS" "$3" 3 "$2"; }

# storm_row RESULTS ROW LABEL: the overhead table's row, labelled LABEL, of
# the configuration ROW (STORM:CONFIG) of the open or connect storms' RESULTS
storm_row()
{
	# the helpers below read OPEN_RESULTS
	local OPEN_RESULTS=$1 ok why

	ok=$(awk -F'\t' -v c="$2" '$2 == c && $3 == "ok"' "$1" | wc -l)
	if ((ok == 0)); then
		why=$(awk -F'\t' -v c="$2" '$2 == c { print $3; exit }' "$1")
		echo "| $3 | ${why:-not run} | | | | | | |"
	elif [[ ${2#*:} == baseline ]]; then
		printf '| %s | %.2f | 1.00 | %.2f | 1.00 | 1.00 | - | - |\n' "$3" "$(ocol "$2" 4)" "$(ocol "$2" 5)"
	else
		printf '| %s | %.2f | %s | %.2f | %s | %s | %s | %s |\n' "$3" \
			"$(ocol "$2" 4)" "$(oratio_cell "$2" 4)" "$(ocol "$2" 5)" "$(oratio_cell "$2" 5)" \
			"$(oratio_cell "$2" 11)" "$(ospread "$2" 7)" "$(ospread "$2" 8)"
	fi
}

open_report()
{
	local storm cfg label ok exp why n total r

	cat <<-EOF

		## Open storms: overhead against no monitor

	EOF
	if [[ -n $OPEN_STATUS ]]; then
		echo "Not run: $OPEN_STATUS."
		return 0
	fi
	cat <<-EOF
		\`$RBB/openstorm -l $LOOPS -n N -s $SETTLE_MS FILE\`: $LOOPS parallel loops, each doing N times
		\`open(FILE, O_RDONLY)\` + \`close\`. Two storms: **unwatched**, $((OPENS * LOOPS)) opens of
		\`$RBB/open-unwatched\`, a file no rule watches (N = $OPENS); **watched**, $((OPENS_W * LOOPS)) opens of
		\`$OPEN_WATCHED\`, which penguard's built-in file policy watches (rule \`credential-read\`,
		report: every open is an event; N = $OPENS_W). Sizes: $OPEN_SIZING. Each configuration ran $REPEAT
		time(s) per storm, interleaved like the exec storm, the same disturbance rules applying; the
		open storms and the rate steps took $OPEN_ELAPSED s.

		- **penguard**: \`run -o none --export … --stats-file\` with its built-in policies (the
		  process policy and policies/file.yaml), BPF stats off (its program times come from a
		  stats run after each timed run, see Method). Events delivered: the storm's
		  \`file_open\` lines in the export (its binary); lost: the kernel's
		  \`events.file_open.lost\` (records the ring had no room for). Expected: none for the
		  unwatched storm, every open for the watched one.
		- **tp-floor**: no monitor, only a BPF program (bpftrace, a count) on
		  \`syscalls/sys_exit_reboot\`, which the storm never calls. Once any syscall tracepoint
		  has a program, the kernel takes its tracing slow path on every system call of every
		  task: this is what that alone costs, the floor under any monitor built on syscall
		  tracepoints (penguard's tracepoint backends, the only ones this kind of host allows)
		  before any program of its own runs. Expected: none.
		- **tp-open** (unwatched storm only): no monitor, only a bpftrace program on the storm's own
		  \`syscalls/sys_exit_openat\` whose test never holds: the kernel's price of running a BPF
		  program on each open's exit, which any monitor built on that tracepoint pays before it
		  decides anything (penguard's file backend on this kind of host).
		- **opensnoop** (libbpf-tools $(pkgver libbpf-tools)): every open on the machine (it has no
		  path filter), line-buffered to a file; delivered: lines of \`openstorm\` naming the storm's
		  file; lost: its "lost N events" messages.
		- **auditd** $(pkgver auditd): the private instance of the exec storm, backlog 8192, with
		  \`-w PATH -p PERMS -k $OPEN_AUDIT_KEY\` rules for the files and folders of the built-in file
		  policy that exist here (reads of credential stores: \`-p r\`/\`rwa\`; the others \`-p wa\`):
		  the same watch list. Delivered: SYSCALL records with the key and comm \`openstorm\`;
		  lost: the kernel's \`lost\` counter delta (records, machine-wide).

	EOF
	for storm in unwatched watched; do
		[[ $storm == unwatched ]] && total=$((OPENS * LOOPS)) || total=$((OPENS_W * LOOPS))
		if ((total == 0)); then
			printf '### %s storm\n\nNot run: no %s here.\n\n' "$storm" "$OPEN_WATCHED"
			continue
		fi
		if [[ $storm == unwatched ]]; then
			exp="none for penguard and auditd (nothing watched is opened), $total for opensnoop (every open)"
		else
			exp="$total for every monitor"
		fi
		cat <<-EOF
			### $storm storm: $total opens

			Expected events: $exp.

			| configuration | wall s | wall ratio | CPU s | CPU ratio | attributed CPU ratio | events delivered | events lost |
			| --- | --- | --- | --- | --- | --- | --- | --- |
		EOF
		for cfg in $OPEN_CONFIGS; do
			[[ $storm == watched && $cfg == tp-* ]] && continue
			case $cfg in
			baseline) label="baseline (no monitor)" ;;
			penguard) label="penguard (built-in policies)" ;;
			tp-floor) label="tp-floor (no monitor; one program on an unused syscall tracepoint)" ;;
			tp-open) label="tp-open (no monitor; one program doing nothing on sys_exit_openat)" ;;
			opensnoop) label="opensnoop (libbpf-tools)" ;;
			auditd) label="auditd, -w rules" ;;
			esac
			storm_row "$OPEN_RESULTS" "$storm:$cfg" "$label"
		done
		echo
		[[ $storm == unwatched ]] && floor_line "$storm" "opens of a file no rule watches" oratios
		[[ $storm == unwatched ]] && open_floor_line
	done
	n=$(run_notes "$OPEN_RESULTS")
	[[ -z $n ]] || printf 'Run notes:\n\n%s\n\n' "$n"

	if [[ -s $OPEN_BOOKS ]]; then
		cat <<-EOF
			### penguard in the open storms

			The agent's CPU time over the storm and the settle time (schedstat), its \`file_open\`
			records delivered (\`events.file_open.delivered\`: the storm's and anyone else's), CPU per
			event, and the BPF time per open of the storm (Σ runs × ns per run of the file sensor's
			programs in the stats runs, over the storm's opens: what each open paid
			in the kernel, watched or not). Medians, range in brackets.

			| storm | agent CPU s | file_open delivered | µs CPU per event | BPF ns per open | file_open lost |
			| --- | --- | --- | --- | --- | --- |
		EOF
		for storm in unwatched watched; do
			grep -q "	$storm	" "$OPEN_BOOKS" || continue
			printf '| %s | %s | %s | %s | %s | %s |\n' "$storm" "$(obook %.3f "$storm" 4)" \
				"$(obook %.0f "$storm" 5)" "$(obook %.2f "$storm" 6)" "$(obook %.0f "$storm" 7)" \
				"$(obook %.0f "$storm" 9)"
		done
		if [[ -s $OPEN_PROGS ]]; then
			printf '\n| storm | program | runs | ns per run |\n| --- | --- | --- | --- |\n'
			progs_rows "$OPEN_PROGS" 4
		fi
		echo
	fi

	cat <<-EOF
		### Sustained watched-file event rate

	EOF
	if [[ -n $OPEN_RATE_NOTE ]]; then
		echo "Not measured: $OPEN_RATE_NOTE."
		return 0
	fi
	cat <<-EOF
		One agent per step (built-in policies, \`run -o none --export … --stats-file\`), and
		\`openstorm -l $LOOPS -r RATE/$LOOPS\` opening \`$OPEN_WATCHED\` at the offered rate for
		$OPEN_RATE_S s: every open an event to deliver. Delivered: the storm's \`file_open\` lines in the
		export; lost: \`events.file_open.lost\`; agent CPU from the storm's start to $SETTLE_MS ms after
		its end. A step is **lossless** when nothing was lost and every open is in the export. The
		achieved rate is what the storm managed on this machine with the agent running (at most the
		offered one): $(nproc) cores shared by the storm, the agent and the kernel's BPF work.

		| offered events/s | achieved opens/s | expected | delivered | lost | agent CPU s | lossless |
		| --- | --- | --- | --- | --- | --- | --- |
	EOF
	awk -F'\t' '{
		ll = ($7 == "ok" && $5 == "0" && $4 == $3) ? "yes" : ($7 == "ok" ? "**no**" : $7)
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, ll }' "$OPEN_RATE_TSV"
	# a step whose storm kept to its offered rate (within 2 %: the pacing
	# runs a little behind) counts at the offered rate
	r=$(awk -F'\t' '$7 == "ok" && $5 == "0" && $4 == $3 {
		v = ($2 + 0 >= 0.98 * $1) ? $1 + 0 : $2 + 0; if (v > best) best = v }
		END { printf "%.0f", best }' "$OPEN_RATE_TSV")
	echo
	printf 'Highest lossless rate: **%s events/s** (target ≥ 200000 events/s: %s).\n' "$r" \
		"$(awk -v r="$r" 'BEGIN { print (r >= 200000 ? "met" : "**not met**") }')"
}

# ---------------------------------------------------------------------------
# The connect storm's part of the report.
# ---------------------------------------------------------------------------

# The open storms' helpers over CONN_RESULTS, whose rows are connect:CONFIG
# (their baseline connect:baseline).
cratios() { OPEN_RESULTS=$CONN_RESULTS oratios "$@"; }
cratio_cell() { cratios "$1" "$2" | vals_cell %.2f; }
ccol() { OPEN_RESULTS=$CONN_RESULTS ocol "$@"; }
cspread() { RESULTS=$CONN_RESULTS spread_cell "$@"; }

# cbook FORMAT CFG COL: CONN_BOOKS column COL over CFG's rows
cbook() { book_cell "$1" "$CONN_BOOKS" "$3" 3 "$2"; }

# floor_line STORM WHAT RATIOS: penguard's CPU ratio on STORM against the
# tp-floor's (RATIOS: oratios or cratios), where both ran: how much of
# penguard's overhead is the kernel's syscall tracing slow path alone.
floor_line()
{
	local pr fr

	pr=$("$3" "$1:penguard" 5 | median)
	fr=$("$3" "$1:tp-floor" 5 | median)
	[[ -n $pr && $pr != - && -n $fr && $fr != - ]] || return 0
	awk -v p="$pr" -v f="$fr" -v w="$2" 'BEGIN {
		printf "**The syscall tracepoint floor** (%s): tp-floor, a program on a syscall tracepoint the storm never calls, costs a CPU ratio of %.2f by itself", w, f
		if (f < 1.02 || p <= 1)
			printf ": nothing measurable. Syscall tracepoints in use do not tax the other system calls here; penguard'"'"'s %.2f is its own programs on the storm'"'"'s calls and its agent.\n\n", p
		else
			printf "; penguard %.2f: %.0f %% of penguard'"'"'s overhead is that floor, the rest (%.2f) its own programs and agent.\n\n",
				p, 100 * (f - 1) / (p - 1), p - f + 1 }'
}

# open_floor_line: penguard's CPU ratio on the unwatched opens against
# tp-open's, where both ran: the share of its overhead that is the price
# of any program on sys_exit_openat, and what its own decision adds.
open_floor_line()
{
	local pr fr

	pr=$(oratios "unwatched:penguard" 5 | median)
	fr=$(oratios "unwatched:tp-open" 5 | median)
	[[ -n $pr && $pr != - && -n $fr && $fr != - ]] || return 0
	awk -v p="$pr" -v f="$fr" 'BEGIN {
		printf "**The open tracepoint floor**: tp-open, a program doing nothing on each open'"'"'s exit, costs a CPU ratio of %.2f by itself; penguard %.2f", f, p
		if (p > f && f > 1)
			printf ": %.0f %% of penguard'"'"'s overhead is that floor, the rest (%.2f) its decision in the kernel (the identity walk) and its agent", 100 * (f - 1) / (p - 1), p - f + 1
		printf ". No monitor taking opens from syscall tracepoints can come in under %.2f on this machine.\n\n", f }'
}

conn_report()
{
	local cfg label ok why n total cr wr verdict r

	cat <<-EOF

		## Connect storm: overhead against no monitor

	EOF
	if [[ -n $CONN_STATUS ]]; then
		echo "Not run: $CONN_STATUS."
		return 0
	fi
	total=$((CONNS * LOOPS))
	cat <<-EOF
		\`$RBB/connstorm -l $LOOPS -n $CONNS -s $SETTLE_MS $CONN_ADDR\`: $LOOPS parallel loops, each
		with a TCP listener of its own on $CONN_ADDR and an ephemeral port, doing $CONNS times
		\`connect\` (blocking) + \`accept\` + \`close\` of both ends, the client's with \`SO_LINGER\`
		0 (an RST: no TIME_WAIT outlives one run into the next); **$total connections** per run
		($CONN_SIZING). Each configuration ran $REPEAT time(s), interleaved like the exec storm, the
		same disturbance rules applying; the connect storm took $CONN_ELAPSED s.

		- **penguard**: \`run -o none --export … --stats-file\` with its built-in policies, BPF
		  stats off (program times from stats runs, see Method). Its network policy leaves loopback out: these are connections no rule reports.
		  Events delivered: the storm's network lines in the export (its binary); lost: the
		  kernel's \`events.network_connect\`, \`network_accept\` and \`network_close\` \`.lost\`
		  together. Expected: none.
		- **tp-floor**: no monitor, only a BPF program on \`syscalls/sys_exit_reboot\`, as in
		  the open storms: the floor under anything built on syscall tracepoints. Expected: none.
		- **penguard-all**: the same with \`--policy $RBB/policies/connect-all.yaml\` besides, one rule
		  \`on: [network_connect, network_accept, network_close]\` with no \`match\`: every
		  connection reported, loopback too. Expected: $((5 * total)) lines, per connection two
		  \`network_connect\` (the call, then \`established\`), one \`network_accept\` and one
		  \`network_close\` for each end (split by type below).
		- **tcpconnect** (libbpf-tools $(pkgver libbpf-tools)) and **tcpconnect-bpfcc** (bcc,
		  bpfcc-tools $(pkgver bpfcc-tools)), each where installed (the script installs neither):
		  every TCP connect on the machine, to a file; delivered: lines of \`connstorm\`; lost: their
		  "lost N events" (libbpf-tools) or "lost N samples" (bcc) messages. Expected: $total.
		- **auditd** $(pkgver auditd): the private instance of the exec storm, backlog 8192, with
		  the rule \`-a ${CONN_AUDIT_RULE[*]}\`. Delivered: SYSCALL records with the key and comm
		  \`connstorm\`; lost: the kernel's \`lost\` counter delta (records, machine-wide).
		  Expected: $total.

		| configuration | wall s | wall ratio | CPU s | CPU ratio | attributed CPU ratio | events delivered | events lost |
		| --- | --- | --- | --- | --- | --- | --- | --- |
	EOF
	for cfg in $CONN_CONFIGS; do
		case $cfg in
		baseline) label="baseline (no monitor)" ;;
		penguard) label="penguard (built-in policies: loopback not reported)" ;;
		penguard-all) label="penguard-all (every connection reported)" ;;
		tp-floor) label="tp-floor (no monitor; one program on an unused syscall tracepoint)" ;;
		tcpconnect) label="tcpconnect (libbpf-tools)" ;;
		tcpconnect-bpfcc) label="tcpconnect-bpfcc (bcc)" ;;
		auditd) label="auditd, connect rule" ;;
		esac
		storm_row "$CONN_RESULTS" "connect:$cfg" "$label"
	done
	echo
	cr=$(cratios connect:penguard 5)
	if [[ -n $cr ]]; then
		wr=$(cratios connect:penguard 4)
		verdict=$(median <<<"$cr" | awk '{ print ($1 <= 1.03 ? "met" : "**not met**") }')
		printf '**Connections no rule reports** (penguard, built-in policies): CPU ratio %s, wall ratio %s; target ≤ 1.03 (median CPU ratio): %s.\n\n' \
			"$(vals_cell %.2f <<<"$cr")" "$(vals_cell %.2f <<<"$wr")" "$verdict"
	else
		printf '**Connections no rule reports:** not measured (no penguard run).\n\n'
	fi
	floor_line connect "connections no rule reports" cratios
	n=$(run_notes "$CONN_RESULTS")
	[[ -z $n ]] || printf 'Run notes:\n\n%s\n\n' "$n"

	[[ -s $CONN_BOOKS ]] || return 0
	cat <<-EOF
		### penguard in the connect storm

		The agent's CPU time over the storm and the settle time (schedstat); the network records the
		kernel gave it (\`events.network_connect\`, \`network_accept\` and \`network_close\`
		\`.delivered\` together: the storm's and anyone else's) and those it lost; CPU per record
		delivered (penguard-all only: under the built-in policies the agent spends on other things);
		the BPF time per connection (Σ runs × ns per run of the network sensor's programs,
		in the stats runs, over the storm's $total connections: what each connect,
		accept and two closes paid in the kernel); and the storm's lines in the export by type.
		Medians, range in brackets.

		| configuration | agent CPU s | network records delivered | µs CPU per record | BPF ns per connection | records lost | network_connect lines | network_accept lines | network_close lines |
		| --- | --- | --- | --- | --- | --- | --- | --- | --- |
	EOF
	for cfg in penguard penguard-all; do
		grep -q "	$cfg	" "$CONN_BOOKS" || continue
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$cfg" "$(cbook %.3f "$cfg" 4)" \
			"$(cbook %.0f "$cfg" 5)" "$(cbook %.2f "$cfg" 6)" "$(cbook %.0f "$cfg" 7)" \
			"$(cbook %.0f "$cfg" 9)" "$(cbook %.0f "$cfg" 10)" "$(cbook %.0f "$cfg" 11)" \
			"$(cbook %.0f "$cfg" 12)"
	done
	if [[ -s $CONN_PROGS ]]; then
		printf '\n| configuration | program | runs | ns per run |\n| --- | --- | --- | --- |\n'
		progs_rows "$CONN_PROGS" 5
	fi
	echo
}

# Sections on the penguard runs only make sense with some.
PG_OK=$(awk -F'\t' '$2 == "penguard" && $3 == "ok"' "$RESULTS" | wc -l)
PG_WHY=$(awk -F'\t' '$2 == "penguard" { print $3; exit }' "$RESULTS")
[[ " $CONFIGS " == *" penguard "* ]] || PG_WHY="penguard not in BENCH_CONFIGS"
BASE_WALL=$(col_median baseline 4)
# The CPU one exec costs with no monitor: the baseline storm's own.
BASE_EXEC_US=$(awk -v c="$(col_median baseline 6)" -v n="$TOTAL" 'BEGIN {
	if (c == "-" || c <= 0) print "-"; else printf "%.1f", c * 1e6 / n }')
SHORT_NOTE=""
if [[ $BASE_WALL != - ]] && awk -v w="$BASE_WALL" -v t="$TARGET_S" 'BEGIN { exit !(w < t) }'; then
	SHORT_NOTE="The baseline storm ran $(printf '%.2f' "$BASE_WALL") s, under the $TARGET_S s aimed at: short storms are mostly noise."
	log "warning: $SHORT_NOTE"
fi

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
		# Benchmarks

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

		\`$RBB/execstorm -l $LOOPS -n $EXECS -s $SETTLE_MS $RBB/$TINY_NAME\`: $LOOPS parallel
		loops, each doing $EXECS times vfork + execve of \`$TINY_NAME\` ($TINY_KIND, it only exits 0) and
		waitpid; **$TOTAL execs** per run ($SIZING). Every configuration ran $REPEAT times, interleaved (the order
		rotated each repetition); the runs took ${ELAPSED} s, the pipeline replay ${PIPE_ELAPSED} s more.
		${SHORT_NOTE}

		## Exec storm: overhead against no monitor

		Medians over the repetitions. Ratios are taken against the baseline of the same repetition, then
		the median is shown with the range (min–max) in brackets. Runs disturbed by other load on the
		machine (see Method) are left out of both while undisturbed ones exist. Expected events per
		run: **$TOTAL** (none for penguard-nomatch, whose policy matches nothing). Events lost are
		penguard's \`events.process_exec.lost\`: exec records the kernel had no ring room for,
		reported or not.

		| configuration | wall s | wall ratio | CPU s | CPU ratio | attributed CPU ratio | events delivered | events lost |
		| --- | --- | --- | --- | --- | --- | --- | --- |
	EOF
	for cfg in $CONFIGS; do
		ok=$(awk -F'\t' -v c="$cfg" '$2 == c && $3 == "ok"' "$RESULTS" | wc -l)
		case $cfg in
		baseline) label="baseline (no monitor)" ;;
		penguard) label="penguard (\`run -o none --export\`, built-in policy)" ;;
		penguard-p1) label="penguard-p1 (1 rule: the storm's binary)" ;;
		penguard-p10k) label="penguard-p10k (the same rule among $P10K_BINARIES binaries; $P10K_PREFIXES prefixes, $P10K_SUFFIXES suffixes)" ;;
		penguard-nomatch) label="penguard-nomatch (1 rule matching nothing)" ;;
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
			# Its policy reports nothing: the agent still receives
			# every exec record (the process cache needs them).
			[[ $cfg != penguard-nomatch ]] ||
				dl="$dl reported (none expected; $(book_cell %.0f "$(books_file "$cfg")" 18) exec records received)"
		fi
		printf '| %s | %.2f | %s | %.2f | %s | %s | %s | %s |\n' "$label" "$(col_median "$cfg" 4)" \
			"$wr" "$(col_median "$cfg" 5)" "$cr" "$ar" "$dl" "$ls"
	done
	# Notes of single runs; a configuration that never ran already says
	# why in its row.
	notes=$(run_notes "$RESULTS")
	if [[ -n $notes ]]; then
		printf '\nRun notes:\n\n%s\n' "$notes"
	fi

	pol_any=0
	for c in $PG_POLICY_CONFIGS; do
		[[ " $CONFIGS " != *" $c "* ]] || pol_any=1
	done
	if ((pol_any)); then
		cat <<-EOF

			### penguard's policies

			The same agent run the same way (\`run -o none --export … --stats-file\`, BPF times from stats runs),
			only its policies changed: the built-in one reports every exec and exit; the others load
			\`--no-default-policies --policy-dir "" --policy FILE\` instead, files written to
			\`$RBB/policies/\` and checked with \`penguard policy check\` first:

			- **penguard-p1**: one rule on \`[process_exec, process_exit]\` with \`binary: [$TINY]\`:
			  the storm's every exec and exit is reported, as with the built-in policy.
			- **penguard-p10k**: the same rule, its \`binary:\` list $P10K_BINARIES paths, $((P10K_BINARIES - 1)) that never
			  exist and the storm's last; plus a rule of $P10K_PREFIXES \`prefix:\` values and one of $P10K_SUFFIXES \`suffix:\`
			  values on \`process_exec\` that match nothing.
			- **penguard-nomatch**: one rule on \`[process_exec, process_exit]\` with \`binary: [/nonexistent/never]\`:
			  nothing is reported. The kernel still sends every lifecycle record (the agent's process
			  cache needs them); the agent renders none.

			| configuration | wall ratio | CPU ratio | BPF ns per exec | agent CPU s | events delivered | events lost | storm execs reported | JSON lines written |
			| --- | --- | --- | --- | --- | --- | --- | --- | --- |
		EOF
		for c in penguard $PG_POLICY_CONFIGS; do
			[[ " $CONFIGS " == *" $c "* ]] || continue
			ok=$(awk -F'\t' -v c="$c" '$2 == c && $3 == "ok"' "$RESULTS" | wc -l)
			if ((ok == 0)); then
				echo "| $c | $(awk -F'\t' -v c="$c" '$2 == c { print $3; exit }' "$RESULTS") | | | | | | | |"
				continue
			fi
			bf=$(books_file "$c")
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$(ratio_cell "$c" 4)" \
				"$(ratio_cell "$c" 5)" "$(book_cell %.0f "$bf" 6)" "$(book_cell %.3f "$bf" 3)" \
				"$(book_cell %.0f "$bf" 10)" "$(book_cell %.0f "$bf" 9)" "$(spread_cell "$c" 7)" \
				"$(book_cell %.0f "$bf" 12)"
		done
		cat <<-EOF

			Ratios as in the table above (median, range over the repetitions); BPF ns per exec as in
			"Kernel side" below, per configuration. Events delivered is the agent's \`.delivered\`: every
			lifecycle record (exec, exit) the kernel gave it, reported or not, the rest of the machine's
			processes included; events lost its \`.lost\`; storm execs reported, the storm's
			\`process_exec\` lines in the export; JSON lines written, its \`.output.lines\`. Two
			configurations differ beyond the noise when their medians are further apart than the wider of
			their two ranges over the repetitions.

		EOF
		p10k_ok=$(awk -F'\t' '$2 == "penguard-p10k" && $3 == "ok"' "$RESULTS" | wc -l)
		p1_ok=$(awk -F'\t' '$2 == "penguard-p1" && $3 == "ok"' "$RESULTS" | wc -l)
		if ((p10k_ok && p1_ok)); then
			a_w=$(ratios penguard-p10k 4); b_w=$(ratios penguard-p1 4)
			a_c=$(ratios penguard-p10k 5); b_c=$(ratios penguard-p1 5)
			a_b=$(book_vals "$(books_file penguard-p10k)" 6); b_b=$(book_vals "$(books_file penguard-p1)" 6)
			verdicts="$(judge "$a_w" "$b_w" | cut -d' ' -f1) $(judge "$a_c" "$b_c" | cut -d' ' -f1) $(judge "$a_b" "$b_b" | cut -d' ' -f1)"
			case " $verdicts " in
			*" unknown "*) concl="not judged, a single repetition gives no spread to judge by (\`BENCH_REPEAT\` ≥ 2)" ;;
			*" higher "* | *" lower "*) concl="**p10k does not match p1** within the run-to-run noise" ;;
			*) concl="**p10k matches p1** within the run-to-run noise: the number of values does not show" ;;
			esac
			printf '**p10k (%s values) against p1 (one):** %s. p10k against p1: %s; %s; %s.\n' \
				"$((P10K_BINARIES + P10K_PREFIXES + P10K_SUFFIXES))" "$concl" \
				"$(cmp_phrase "wall ratio" %.2f "$a_w" "$b_w")" "$(cmp_phrase "CPU ratio" %.2f "$a_c" "$b_c")" \
				"$(cmp_phrase "BPF ns per exec" %.0f "$a_b" "$b_b")"
		else
			echo "**p10k ($((P10K_BINARIES + P10K_PREFIXES + P10K_SUFFIXES)) values) against p1 (one):** not compared (penguard-p10k and penguard-p1 both need runs)."
		fi
		echo
		nm_ok=$(awk -F'\t' '$2 == "penguard-nomatch" && $3 == "ok"' "$RESULTS" | wc -l)
		if ((nm_ok && PG_OK)); then
			a_c=$(ratios penguard-nomatch 5); b_c=$(ratios penguard 5)
			a_w=$(ratios penguard-nomatch 4); b_w=$(ratios penguard 4)
			a_a=$(book_vals "$(books_file penguard-nomatch)" 3); b_a=$(book_vals "$BOOKS" 3)
			case $(judge "$a_c" "$b_c" | cut -d' ' -f1) in
			lower) concl="**nomatch is cheaper** than reporting everything" ;;
			same) concl="**nomatch is not measurably cheaper** than reporting everything: within the run-to-run noise" ;;
			higher) concl="**nomatch costs more** than reporting everything, beyond the run-to-run noise" ;;
			*) concl="not judged, a single repetition gives no spread to judge by (\`BENCH_REPEAT\` ≥ 2)" ;;
			esac
			printf '**nomatch against reporting everything (penguard, the built-in policy):** %s. nomatch against penguard: %s; %s; %s.' \
				"$concl" "$(cmp_phrase "CPU ratio" %.2f "$a_c" "$b_c")" \
				"$(cmp_phrase "wall ratio" %.2f "$a_w" "$b_w")" "$(cmp_phrase "agent CPU s" %.3f "$a_a" "$b_a")"
			if [[ " $CONFIGS " == *" penguard-p1 "* ]] && ((p1_ok)); then
				printf ' Against penguard-p1 (the storm reported by a policy): %s.' \
					"$(cmp_phrase "CPU ratio" %.2f "$a_c" "$(ratios penguard-p1 5)")"
			fi
			echo
		else
			echo "**nomatch against reporting everything:** not compared (penguard-nomatch and penguard both need runs)."
		fi
	fi

	cat <<-EOF

		## Kernel side: penguard's BPF programs

	EOF
	if ((PG_OK == 0)); then
		echo "No penguard run: ${PG_WHY:-none}."
	elif [[ ! -s $PROGS ]]; then
		echo "The agent's stats hold no \`sensors.*.programs\` (an older agent): no BPF times."
	else
		cat <<-EOF
			What the kernel measured of each of penguard's BPF programs in the stats runs (each timed
			penguard run above followed by the same run with \`kernel.bpf_stats_enabled=1\`, left out
			of every ratio), as the agent reports it at exit (stats file,
			\`.sensors.<sensor>.programs\`: \`bpf_prog_info\` run count, and run time / runs). Runs count
			everything the hook saw while the agent was loaded: the storm's $TOTAL execs (and as many
			vforks and exits) plus the rest of the machine. Medians over the repetitions, range in
			brackets.

			| sensor | program | runs | ns per run | recursion misses |
			| --- | --- | --- | --- | --- |
		EOF
		awk -F'\t' '!seen[$4]++ { print $3 "\t" $4 }' "$PROGS" | while IFS=$'\t' read -r sen prog; do
			printf '| %s | %s | %s | %s | %s |\n' "$sen" "\`$prog\`" "$(book_cell %.0f "$PROGS" 5 4 "$prog")" \
				"$(book_cell %.0f "$PROGS" 6 4 "$prog")" "$(book_cell %.0f "$PROGS" 7 4 "$prog")"
		done
		bpf_exec=$(book_vals "$BOOKS" 6 | median)
		share=$(awk -v b="$bpf_exec" -v e="$BASE_EXEC_US" 'BEGIN {
			if (b == "-" || e == "-") print "-"; else printf "%.1f %%", 100 * b / 1e3 / e }')
		cat <<-EOF

			| BPF ns per exec (all hooks) | CPU per exec without a monitor | BPF share |
			| --- | --- | --- |
			| **$(book_cell %.0f "$BOOKS" 6)** | $BASE_EXEC_US µs | $share |

			BPF ns per exec is Σ runs × ns per run over every program but the iterators (they
			run once, at start or at a reload), divided by the process sensor's exec hook's runs: what penguard's BPF adds to one
			exec with its vfork and exit. The CPU per exec without a monitor is the baseline storm's
			own CPU time (getrusage) over its execs.
		EOF
	fi

	cat <<-EOF

		## Agent: CPU per event

	EOF
	if ((PG_OK == 0)); then
		echo "No penguard run: ${PG_WHY:-none}."
	else
		cat <<-EOF
			The agent process's own CPU time (user + system, from \`/proc/PID/task/*/schedstat\`) from
			the start of the storm to $SETTLE_MS ms after its end, over the events it delivered (its
			stats' \`.delivered\`: every event it handled, process_exec, process_exit and process_fork,
			the last written only with \`--fork-events\`) and over the JSON lines it wrote (\`.output.lines\`).
			Medians over the penguard runs, range in brackets.

			| agent CPU s | events delivered | µs CPU per event | JSON lines written | µs CPU per JSON line | emitted | lost | recursion misses |
			| --- | --- | --- | --- | --- | --- | --- | --- |
			| $(book_cell %.3f "$BOOKS" 3) | $(book_cell %.0f "$BOOKS" 10) | **$(book_cell %.2f "$BOOKS" 4)** | $(book_cell %.0f "$BOOKS" 12) | $(book_cell %.2f "$BOOKS" 5) | $(book_cell %.0f "$BOOKS" 8) | $(book_cell %.0f "$BOOKS" 9) | $(book_cell %.0f "$BOOKS" 11) |
		EOF
	fi

	cat <<-EOF

		## User-space pipeline alone

	EOF
	if [[ -n $PIPE_STATUS ]]; then
		echo "Not measured: $PIPE_STATUS."
	else
		eps=$(book_vals "$PIPES" 7 | median)
		verdict=$(awk -v e="$eps" 'BEGIN { print (e >= 500000 ? "met" : "**not met**") }')
		cat <<-EOF
			A separate storm of $PIPE_REC_EXECS execs (not one of the timed runs: recording costs the agent
			a write per record) was recorded with \`penguard run --record\`, then replayed by
			\`${PIPELINE#"$ROOT"/} RECORDS $PIPE_ROUNDS >/dev/null\` (decode, process cache, JSON rendering,
			the stdout writer; rounds sized for at least $PIPE_S CPU-s), $REPEAT time(s), $([[ -n $PIN_CPU ]] && echo "pinned to CPU $PIN_CPU" || echo "unpinned (no taskset)").
			CPU time is the replay's own (getrusage), so this is the agent's user-space ceiling on one
			core with no kernel in the loop. Medians, range in brackets.

			| records replayed | events (JSON lines) | CPU s | events/s on one core | records/s | target ≥ 500000 events/s |
			| --- | --- | --- | --- | --- | --- |
			| $(book_cell %.0f "$PIPES" 4) | $(book_cell %.0f "$PIPES" 5) | $(book_cell %.3f "$PIPES" 6) | **$(book_cell %.0f "$PIPES" 7)** | $(book_cell %.0f "$PIPES" 8) | $verdict |
		EOF
		[[ -z $PIPE_NOTE ]] || printf '\nNote: %s\n' "$PIPE_NOTE"
	fi

	cat <<-EOF

		## process_exec line size

	EOF
	if ((PG_OK == 0)); then
		echo "No penguard run: ${PG_WHY:-none}."
	else
		p95=$(book_vals "$BOOKS" 15 | median)
		verdict=$(awk -v e="$p95" 'BEGIN { print (e == "-" ? "-" : e <= 1536 ? "met" : "**not met**") }')
		cat <<-EOF
			The storm's own \`process_exec\` lines in the penguard runs' export (bytes of JSON text, newline
			not counted). The storm's binary has no arguments and a short path: lines of real programs
			are longer by their arguments, paths and cwd. Medians over the penguard runs.

			| lines | average bytes | 95th percentile bytes | max bytes | target ≤ 1.5 KB (1536 B, 95th percentile) |
			| --- | --- | --- | --- | --- |
			| $(book_cell %.0f "$BOOKS" 13) | **$(book_cell %.0f "$BOOKS" 14)** | **$(book_cell %.0f "$BOOKS" 15)** | $(book_cell %.0f "$BOOKS" 16) | $verdict |
		EOF
	fi

	open_report
	conn_report

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
		  ignored): penguard: \`process_exec\` objects in the export files that name it (the export
		  rotates at its default size, with \`--export-backups 1000\` so that none is dropped; its stats must
		  balance: \`emitted = delivered\` (what the kernel wrote reached the agent; \`lost\` counts what it could not write), and the export must hold \`delivered\` exec events;
		  a mismatch shows in the run notes);
		  execsnoop: lines whose PCOMM is it; bpftrace: lines with its path; auditd: \`SYSCALL\` records
		  with the rule's key and its comm. Values that differ between repetitions show as min–max.
		  penguard-p1 and -p10k count the same way, and every \`process_exec\` in their export must be
		  the storm's and every line one of its execs or exits; penguard-nomatch must write no line at
		  all, while the exec records its agent received (\`events.process_exec.delivered\`, plus lost)
		  must cover the storm's execs. A mismatch shows in the run notes.
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
		- **Storm size**: unless \`BENCH_EXECS\` sets it, calibration storms with no monitor ($LOOPS ×
		  $CAL_EXECS execs, then one sized from it to last about 0.5 s) time the machine, and the real
		  storm gets enough execs per loop for the baseline to last at least $TARGET_S s
		  (\`BENCH_TARGET_S\`, aiming a quarter over), capped at $MAX_EXECS execs in all (\`BENCH_MAX_EXECS\`):
		  a storm of half a second is mostly start-up and scheduling noise.
		- **BPF run time** is the kernel's own (\`bpf_prog_info.run_time_ns\`), which it keeps only while
		  \`kernel.bpf_stats_enabled=1\`. That costs two clock reads around every program run (tens
		  of ns each in a VM: more than some of the programs themselves), a cost the peers do not
		  pay and a deployed agent does not either. So penguard's timed runs leave it off, like the
		  peers', and each is followed by a **stats run**: the same configuration and storm again,
		  with it on (put back after, and on exit), left out of every ratio and of the agent's CPU.
		  The BPF times (per program, per exec, open or connection) are the stats runs'; a tiny
		  program's time includes part of the clock reads around it.
		- **Agent CPU per event** takes the agent's CPU over the same window as the storm's CPU s
		  (storm + settle), but \`.delivered\` over the agent's whole life (a few more events from the
		  idle wait before the storm): it slightly flatters the agent on a busy machine, not on a quiet one.
		- **The pipeline** replay is single-threaded and runs the agent's own dispatch
		  (\`pg_agent_replay\`) on records exactly as the rings gave them, writing to /dev/null; it
		  leaves out the kernel, reading the rings and writing a real file, which the agent CPU per
		  event above includes.
		- Raw numbers of every run: \`$RBB/results.tsv\`, the penguard runs' own numbers in
		  \`$RBB/penguard.tsv\` and \`programs.tsv\`, the replays in \`pipeline.tsv\`; per-run
		  logs: \`$RBB/runs/\` (the monitors' bulky output and the recording are deleted once
		  counted unless \`BENCH_KEEP=1\`).
		- With as many loops as cores ($LOOPS loops, $(nproc) cores here) the storm keeps every core busy,
		  so a monitor's CPU can only come out of the storm's time: the CPU and wall ratios then track
		  each other. \`BENCH_LOOPS=1\` leaves a core to the monitor's process and separates them: wall
		  ratio for the latency added to each exec, CPU ratio for the total cost.
		- Knobs: \`BENCH_EXECS\` (execs per loop), \`BENCH_TARGET_S\`, \`BENCH_MAX_EXECS\`,
		  \`BENCH_LOOPS\`, \`BENCH_REPEAT\`, \`BENCH_SETTLE_MS\`, \`BENCH_IDLE_WAIT\`, \`BENCH_RETRIES\`,
		  \`BENCH_CONFIGS\`, \`BENCH_RECORD_EXECS\`, \`BENCH_PIPELINE_S\`; \`PENGUARD\` and \`PIPELINE\`
		  (binaries, default under \`\$BUILD\`). Small VMs are noisy; look at the ranges before reading
		  much into a few percent.
	EOF
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote ${OUT#"$ROOT"/} (raw: $RBB/results.tsv), ${ELAPSED}s of runs"
