# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Helpers of the end-to-end suite. POSIX sh: it also runs under busybox ash
# inside the kernel-matrix VMs.

PASS=0 FAIL=0 SKIP=0

ok() { PASS=$((PASS + 1)); echo "ok $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1: $2"; }
skip() { SKIP=$((SKIP + 1)); echo "skip $1: $2"; }

# selected NAME: whether PG_E2E_ONLY keeps test NAME: empty keeps all,
# else one of its comma-separated words is part of the name.
selected() {
	[ -z "${PG_E2E_ONLY:-}" ] && return 0
	__sl=$PG_E2E_ONLY,
	while [ -n "$__sl" ]; do
		__sw=${__sl%%,*}
		__sl=${__sl#*,}
		case "$1" in
		*"$__sw"*) [ -n "$__sw" ] && return 0 ;;
		esac
	done
	return 1
}

# Run test function $1 unless PG_E2E_ONLY excludes it.
run_test() {
	selected "$1" || return 0
	"$@"
}

# wait_ready LOG PID: wait until the agent logging to LOG says it is
# ready (verifier time under TCG can be long). 0: ready, 1: PID died,
# 2: not ready after 180 s.
wait_ready() {
	__wr=0
	while [ $__wr -lt 1800 ]; do
		grep -q "ready:" "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		__wr=$((__wr + 1))
	done
	return 2
}

# agent_start NAME [penguard run options…]: start an agent exporting to
# $WORK/NAME.json; wait until it says it is ready (verifier time under TCG
# can be long). Returns non-zero, with the log shown, if it died.
agent_start() {
	__an=$1
	shift
	rm -f "$WORK/$__an.json" "$WORK/$__an.stats" "$WORK/$__an.log"
	"$PENGUARD" run --socket "" -o none --socket "" --export "$WORK/$__an.json" --stats-file "$WORK/$__an.stats" \
		--flush-interval 20 "$@" 2>"$WORK/$__an.log" &
	eval "AGENT_$__an=$!"
	wait_ready "$WORK/$__an.log" "$(eval echo \$AGENT_$__an)"
	case $? in
	0) return 0 ;;
	2)
		echo "    agent $__an not ready after 180 s"
		return 1
		;;
	esac
	sed 's/^/    /' "$WORK/$__an.log" | tail -20
	# once: the verifier's own words, for the log of this run
	if [ -z "${VERIFIER_SHOWN:-}" ]; then
		VERIFIER_SHOWN=1
		echo "    --- penguard run -v (tail) ---"
		timeout 60 "$PENGUARD" run --socket "" -o none -v --no-seed "$@" 2>&1 </dev/null |
			grep -v '^penguard: info' | tail -40 | sed 's/^/    /'
	fi
	return 1
}

# agent_stop NAME [SIGNAL]: stop it and wait; the exit code is in AGENT_RC.
agent_stop() {
	__ap=$(eval echo \$AGENT_$1)
	kill -"${2:-INT}" "$__ap" 2>/dev/null
	wait "$__ap"
	AGENT_RC=$?
}

# wait_event NAME NEEDLE JQ-CONDITION [SECONDS]: wait (10 s times
# PG_E2E_SLOW unless told) until an event
# matching the condition is in NAME's export; prints the first match
# (compact JSON). NEEDLE, a fixed string every match holds, keeps this fast
# on a busy host whose export is large.
wait_event() {
	__wf="$WORK/$1.json"
	__wn=${4:-$((10 * ${PG_E2E_SLOW:-1}))}
	__wn=$((__wn * 10))
	while [ "$__wn" -gt 0 ]; do
		__wm=$(grep -F -- "$2" "$__wf" 2>/dev/null | jq -c "select($3)" 2>/dev/null | head -n 1)
		if [ -n "$__wm" ]; then
			printf '%s\n' "$__wm"
			return 0
		fi
		sleep 0.1
		__wn=$((__wn - 1))
	done
	return 1
}

# event_of TEST AGENT TYPE PID JQ SECONDS WHAT: wait for the TYPE event of
# PID for which JQ holds in AGENT's export; EV is the event. Otherwise
# fail TEST, saying what was looked for (WHAT) and what the export has
# for that pid, and return 1.
event_of() {
	EV=$(wait_event "$2" "\"$3\"" ".$3.process.pid == $4 and ($5)" "$6")
	[ -n "$EV" ] && return 0
	__ex=$(grep -F "\"$3\"" "$WORK/$2.json" 2>/dev/null | grep -F "\"pid\":$4" | head -n 3 | cut -c1-700)
	fail "$1" "no $3 of pid $4${7:+ $7}; the export has for that pid: ${__ex:-nothing}"
	return 1
}

# count_events NAME NEEDLE JQ-CONDITION
count_events() {
	grep -F -- "$2" "$WORK/$1.json" 2>/dev/null | jq -c "select($3)" 2>/dev/null | wc -l | tr -d ' '
}

# check NAME JSON JQ-EXPRESSION: the expression must be true on JSON
check() {
	if printf '%s\n' "$2" | jq -e "$3" >/dev/null 2>&1; then
		return 0
	fi
	fail "$1" "expected $3 in: $(printf '%s\n' "$2" | cut -c1-600)"
	return 1
}

# JSON goes through printf: dash's echo would expand its backslashes.
js() { printf '%s\n' "$1"; }

# Marks make each test's processes easy to find among everything else.
mark() { echo "pgmark-$1-$$"; }

# now_cs: a monotonic clock in centiseconds (/proc/uptime: busybox has no
# date +%N), to measure how long the agent takes to stop.
now_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# wait_gone PID SECONDS: wait until PID is gone (a child of ours is reaped
# by the shell's next foreground wait, i.e. the sleep here). 0: gone, 1:
# still there. WAITED_CS: how long it took, in centiseconds.
wait_gone() {
	__gs=$(now_cs)
	__gd=$((__gs + $2 * 100))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(now_cs)" -ge "$__gd" ]; then
			WAITED_CS=$(($(now_cs) - __gs))
			return 1
		fi
		sleep 0.05
	done
	WAITED_CS=$(($(now_cs) - __gs))
	return 0
}

# pubdir: print a fresh folder that every user can traverse (mktemp makes
# 0700 ones, and the repository may be cloned under root's 0700 home), for
# files that a test runs as another user. Removed at the end of the suite.
pubdir() {
	__pd=$(mktemp -d) || return 1
	__pd=$(readlink -f "$__pd")
	chmod 755 "$__pd"
	echo "$__pd" >>"$WORK/pubdirs"
	echo "$__pd"
}

# suid_ok TEST DIR: whether DIR's mount lets set-user-ID files and file
# capabilities work (no nosuid: the mount point that is DIR's longest
# prefix); else TEST is skipped, and why.
suid_ok() {
	__so=$(awk -v d="$2/" '{ m = ($2 == "/") ? "/" : $2 "/" }
		index(d, m) == 1 && length(m) >= best { best = length(m); o = $4 }
		END { print o }' /proc/mounts)
	case ",$__so," in
	*,nosuid,*)
		skip "$1" "$2 is on a nosuid mount"
		return 1
		;;
	esac
}

# suid_bin TEST: a set-user-ID root copy of pg-testbin in a new public
# folder whose mount honours it; SUID_BIN its path. False, with TEST
# failed or skipped and why, when it cannot be had here.
suid_bin() {
	__sd=$(pubdir) || { fail "$1" "mktemp -d failed"; return 1; }
	suid_ok "$1" "$__sd" || return 1
	SUID_BIN=$__sd/suid-bin
	if ! { cp "$BIN" "$SUID_BIN" && chown 0:0 "$SUID_BIN" && chmod 4755 "$SUID_BIN"; }; then
		rm -f "$SUID_BIN"
		fail "$1" "cannot make $SUID_BIN set-uid root"
		return 1
	fi
}

# exit_audit NAME MARK: over the processes of NAME's export whose arguments
# end with MARK, print "EXECS EXITS MULTI PHANTOM MISSING": exec events,
# exit events, exec_ids with more than one exit, exits of an exec_id no
# exec of them had, execs without an exit.
exit_audit() {
	grep -F -- "$2" "$WORK/$1.json" 2>/dev/null | jq -s -r --arg m "$2" '
		def marked: (.arguments // "") | endswith($m);
		[.[] | .process_exec.process // empty | select(marked) | .exec_id] as $ex
		| [.[] | .process_exit.process // empty | select(marked) | .exec_id] as $xt
		| (reduce $ex[] as $i ({}; .[$i] = 0)) as $known
		| (reduce $xt[] as $i ({}; .[$i] += 1)) as $n
		| [($ex | length), ($xt | length),
		   ([$n | to_entries[] | select(.value > 1)] | length),
		   ([$n | keys[] | select($known[.] == null)] | length),
		   ([$ex[] | select($n[.] == null)] | length)]
		| map(tostring) | join(" ")'
}

# kernel_before MAJOR.MINOR: whether the running kernel is older.
kernel_before() {
	__kr=$(uname -r)
	__kmaj=${__kr%%.*}
	__kmin=${__kr#*.}
	__kmin=${__kmin%%[!0-9]*}
	[ $((__kmaj * 1000 + __kmin)) -lt $((${1%%.*} * 1000 + ${1#*.})) ]
}

# sensor_backend SENSOR TEST: true if probe names a backend for SENSOR;
# otherwise TEST is skipped, with why.
sensor_backend() {
	__sb=$(echo "$PROBE" | jq -r ".sensors.$1 // empty")
	case "$__sb" in
	"" | none | null)
		skip "$2" "no $1 sensor backend on this kernel or in this build (probe: $(echo "$PROBE" | jq -c '.sensors'))"
		return 1
		;;
	esac
	return 0
}
