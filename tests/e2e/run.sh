#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End-to-end suite: starts the real agent, runs real workloads, asserts the
# JSON it emits. Needs root, jq, PENGUARD (the binary) and PG_HELPERS (the
# folder of pg-testbin). POSIX sh, so the kernel-matrix VMs (busybox) run
# the very same suite. PG_E2E_ONLY=word runs the tests whose name has it.
#
# Prints "ok NAME", "FAIL NAME: why", "skip NAME: why", then a summary line.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

: "${PENGUARD:?set PENGUARD to the penguard binary}"
: "${PG_HELPERS:?set PG_HELPERS to the folder holding pg-testbin}"
PENGUARD=$(readlink -f "$PENGUARD")
BIN=$(readlink -f "$PG_HELPERS/pg-testbin")
STORM_LOOPS=${PG_E2E_STORM_LOOPS:-4}
STORM_COUNT=${PG_E2E_STORM_COUNT:-1000}

if [ "$(id -u)" != 0 ]; then
	echo "skip e2e: needs root to load BPF programs"
	echo "e2e: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
command -v jq >/dev/null || { echo "FAIL e2e: jq is missing"; exit 1; }
[ -x "$BIN" ] || { echo "FAIL e2e: $BIN is missing (make tests)"; exit 1; }

WORK=$(mktemp -d /tmp/pg-e2e.XXXXXX)
WORK=$(readlink -f "$WORK")
PROBE=$("$PENGUARD" probe -o json)
have() { echo "$PROBE" | jq -e ".features.$1" >/dev/null; }

# ---------------------------------------------------------------- tests --

t_cli() {
	if "$PENGUARD" version | grep -q '^penguard ' &&
		"$PENGUARD" run --help | grep -q -- '--export' &&
		echo "$PROBE" | jq -e '.sensors.process | length > 0' >/dev/null; then
		ok cli
	else
		fail cli "version, run --help or probe -o json misbehaved"
	fi
}

t_bad_options() {
	_e=0
	for _o in "--output xml" "--ringbuf-size 3000" "--max-args 99999999" \
		"--backend process" "--frobnicate" "--export-max-size -1"; do
		# shellcheck disable=SC2086
		"$PENGUARD" run $_o >"$WORK/bad.out" 2>"$WORK/bad.err"
		_rc=$?
		if [ $_rc -ne 2 ] || ! grep -q "penguard: " "$WORK/bad.err" ||
			[ "$(wc -l <"$WORK/bad.err")" -gt 3 ]; then
			fail bad_options "'$_o' gave rc=$_rc: $(head -c 300 "$WORK/bad.err")"
			_e=1
		fi
	done
	"$PENGUARD" run --backend process=nosuch -o none >/dev/null 2>"$WORK/bad.err"
	_rc=$?
	if [ $_rc -eq 0 ] || ! grep -q "no backend 'nosuch'" "$WORK/bad.err"; then
		fail bad_options "unknown backend: rc=$_rc $(head -c 300 "$WORK/bad.err")"
		_e=1
	fi
	[ $_e = 0 ] && ok bad_options
}

t_not_root() {
	"$BIN" asuser 65534 "$PENGUARD" run -o none >/dev/null 2>"$WORK/nr.err"
	_rc=$?
	if [ $_rc -ne 0 ] && grep -q "must run as root" "$WORK/nr.err" &&
		[ "$(wc -l <"$WORK/nr.err")" -le 2 ]; then
		ok not_root
	else
		fail not_root "rc=$_rc: $(head -c 300 "$WORK/nr.err")"
	fi
}

t_exec() {
	_m=$(mark exec)
	(cd "$WORK" && "$BIN" spawn 1 "$_m")
	_spawner=$(wait_event main "$_m" ".process_exec.process.arguments == \"spawn 1 $_m\" and
		(.process_exec.process.binary | endswith(\"pg-testbin\"))") ||
		{ fail exec "no process_exec for the spawner"; return; }
	_child=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"") ||
		{ fail exec "no process_exec for the child"; return; }
	_sid=$(js "$_spawner" | jq -r .process_exec.process.exec_id)
	check exec "$_child" "
		.process_exec.process.binary == \"$BIN\" and
		.process_exec.process.cwd == \"$WORK\" and
		.process_exec.process.uid == 0 and .process_exec.process.euid == 0 and
		.process_exec.process.pid > 0 and .process_exec.process.tid == .process_exec.process.pid and
		(.process_exec.process.flags | test(\"execve\")) and
		(.process_exec.process.exec_id | length > 10) and
		.process_exec.process.parent_exec_id == \"$_sid\" and
		.process_exec.parent.exec_id == \"$_sid\" and
		.process_exec.parent.arguments == \"spawn 1 $_m\" and
		.process_exec.process.ppid == .process_exec.parent.pid and
		(.process_exec.process.start_time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{9}Z$\")) and
		(.time | test(\"Z$\")) and (.node_name | length > 0) and
		(.process_exec.process.cap.effective | index(\"CAP_SYS_ADMIN\")) != null and
		(.process_exec.process.ns.mnt > 0) and (.process_exec.process.ns.pid > 0) and
		(.process_exec.process.ns.net > 0) and (.process_exec.process.ns.user > 0) and
		(.process_exec.process.cgroup_id > 0) and (.process_exec.process.cgroup | startswith(\"/\")) and
		(.process_exec.process.auid | type == \"number\")" || return
	# the spawner's own parent is this shell or its clone: known, not a stub
	check exec "$_spawner" '.process_exec.parent.flags != "unknown"' || return
	ok exec
}

t_exit_status() {
	_m=$(mark status)
	"$BIN" exit 7 "$_m"
	_x=$(wait_event main "$_m" ".process_exit.process.arguments == \"exit 7 $_m\"") ||
		{ fail exit_status "no process_exit"; return; }
	_e=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 7 $_m\"") ||
		{ fail exit_status "no process_exec"; return; }
	_id=$(js "$_e" | jq -r .process_exec.process.exec_id)
	check exit_status "$_x" ".process_exit.status == 7 and (.process_exit.signal == null) and
		.process_exit.process.exec_id == \"$_id\" and .process_exit.run_time_ns > 0 and
		.process_exit.process.binary == \"$BIN\"" && ok exit_status
}

t_sigkill() {
	_m=$(mark kill)
	{ "$BIN" kill 9 "$_m"; true; } 2>/dev/null # the shell would say "Killed"
	_x=$(wait_event main "$_m" ".process_exit.process.arguments == \"kill 9 $_m\"") ||
		{ fail sigkill "no process_exit"; return; }
	check sigkill "$_x" '.process_exit.signal == "SIGKILL" and .process_exit.status == 0' &&
		ok sigkill
}

t_hostile_args() {
	_m=$(mark hostile)
	"$BIN" exit 0 "$(printf 'new\nline')" 'q"uote\back' "$(printf 'ctl\001\033[31m')" \
		"$(printf 'bad\377\376utf8')" '' 'two words' "caf$(printf '\303\251')" "$_m"
	_x=$(wait_event main "$_m" ".process_exec.process.arguments | endswith(\"$_m\")") ||
		{ fail hostile_args "no process_exec"; return; }
	# \xff as text, control bytes as \u escapes, quoting keeps words apart;
	# bytes that are not UTF-8 need no quotes: they cannot split a word
	_want=$(printf '%s' '"exit 0 '"'"'new\nline'"'"' '"'"'q\"uote\\back'"'"' '"'"'ctl\u0001\u001b[31m'"'"' bad\\xff\\xfeutf8 '"'"''"'"' '"'"'two words'"'"' café '"$_m"'"')
	if ! js "$_x" | jq -e ".process_exec.process.arguments == $_want" >/dev/null; then
		fail hostile_args "arguments: $(js "$_x" | jq -c .process_exec.process.arguments) want $_want"
		return
	fi
	ok hostile_args
}

t_long_args() {
	_m=$(mark long)
	"$BIN" bigarg 102400 "$_m"
	_x=$(wait_event main AAAAAAAAAAAAAAAA '.process_exec.process.arguments | startswith("exit 0 AAAAAAAA")') ||
		{ fail long_args "no process_exec for a 100 KiB argv"; return; }
	check long_args "$_x" '(.process_exec.process.flags | test("args_truncated")) and
		(.process_exec.process.arguments | length) <= 4096 and
		(.process_exec.process.arguments | length) > 4000' && ok long_args
}

t_shebang() {
	_m=$(mark shebang)
	printf '#!/bin/sh\nexit 0\n' >"$WORK/script.sh"
	chmod +x "$WORK/script.sh"
	_sh=$(readlink -f /bin/sh)
	"$WORK/script.sh" "$_m"
	(cd "$WORK" && ./script.sh "$_m-rel")
	_x=$(wait_event main "$_m" ".process_exec.process.arguments | endswith(\" $_m\")") ||
		{ fail shebang "no process_exec for the script"; return; }
	check shebang "$_x" ".process_exec.process.binary == \"$_sh\" and
		.process_exec.process.script == \"$WORK/script.sh\" and
		(.process_exec.process.flags | test(\"script\"))" || return
	_x=$(wait_event main "$_m" ".process_exec.process.arguments | endswith(\"$_m-rel\")") ||
		{ fail shebang "no process_exec for ./script.sh"; return; }
	check shebang "$_x" ".process_exec.process.script == \"$WORK/./script.sh\" or
		.process_exec.process.script == \"$WORK/script.sh\"" && ok shebang
}

t_preexisting() {
	kill "$PRE_PID" 2>/dev/null
	wait "$PRE_PID" 2>/dev/null
	_x=$(wait_event main "$PRE_MARK" ".process_exit.process.arguments == \"sleep 600000 $PRE_MARK\"") ||
		{ fail preexisting "no process_exit for a process started before the agent"; return; }
	check preexisting "$_x" '(.process_exit.process.flags | test("seeded")) and
		.process_exit.signal == "SIGTERM" and
		.process_exit.process.binary == "'"$BIN"'" and
		.process_exit.parent.flags != "unknown"' && ok preexisting
}

t_many_children() {
	_m=$(mark kids)
	"$BIN" spawn 50 "$_m"
	_s=$(wait_event main "$_m" ".process_exec.process.arguments == \"spawn 50 $_m\"") ||
		{ fail many_children "no process_exec for the parent"; return; }
	wait_event main "$_m" ".process_exit.process.arguments == \"spawn 50 $_m\"" >/dev/null ||
		{ fail many_children "no process_exit for the parent"; return; }
	_sid=$(js "$_s" | jq -r .process_exec.process.exec_id)
	_n=$(count_events main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\" and
		.process_exec.parent.exec_id == \"$_sid\" and
		.process_exec.parent.arguments == \"spawn 50 $_m\"")
	_x=$(count_events main "$_m" ".process_exit.process.arguments == \"exit 0 $_m\" and .process_exit.status == 0")
	if [ "$_n" = 50 ] && [ "$_x" = 50 ]; then
		ok many_children
	else
		fail many_children "$_n/50 execs and $_x/50 exits name the parent"
	fi
}

t_deep_tree() {
	_m=$(mark deep)
	"$BIN" chain 20 "$_m"
	_leaf=$(wait_event main "$_m" ".process_exec.process.arguments == \"chain 0 $_m\"") ||
		{ fail deep_tree "no process_exec for the leaf"; return; }
	# each level's parent is the level above, by exec_id
	_bad=$(jq -s -r '[.[] | select(.process_exec.process.arguments // "" | endswith(" '"$_m"'"))
		| .process_exec] as $e
		| ($e | map({key: .process.arguments, value: .process.exec_id}) | from_entries) as $id
		| [$e[] | select(.process.arguments != "chain 20 '"$_m"'")
		   | select(.parent.exec_id != $id["chain " + ((.process.arguments | split(" ")[1] | tonumber) + 1 | tostring) + " '"$_m"'"])]
		| length' <<EOF_DEEP
$(grep -F -- "$_m" "$WORK/main.json")
EOF_DEEP
)
	_n=$(count_events main "$_m" ".process_exec.process.arguments | endswith(\" $_m\")")
	check deep_tree "$_leaf" '(.process_exec.ancestors | length) >= 20 and
		(.process_exec.ancestors[0].arguments == "chain 2 '"$_m"'")' || return
	if [ "$_n" = 21 ] && [ "$_bad" = 0 ]; then
		ok deep_tree
	else
		fail deep_tree "$_n/21 levels seen, $_bad with a wrong parent"
	fi
}

t_fork() {
	_m=$(mark fork)
	"$BIN" spawn 1 "$_m"
	_x=$(wait_event main "$_m" ".process_fork.parent.arguments == \"spawn 1 $_m\"") ||
		{ fail fork "no process_fork from the spawner"; return; }
	check fork "$_x" '(.process_fork.process.flags | test("clone")) and
		.process_fork.process.ppid == .process_fork.parent.pid and
		.process_fork.process.parent_exec_id == .process_fork.parent.exec_id and
		.process_fork.process.binary == .process_fork.parent.binary' && ok fork
}

# A process in a cgroup named the way docker's systemd driver names them
t_container() {
	_m=$(mark ctr)
	_cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -z "$_cg" ]; then
		skip container "no cgroup2 mount"
		return
	fi
	_id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	_dir="$_cg/pg-e2e-$$/docker-$_id.scope"
	if ! mkdir -p "$_dir" 2>/dev/null; then
		skip container "cannot create a cgroup under $_cg"
		return
	fi
	sh -c "echo \$\$ >'$_dir/cgroup.procs' && exec '$BIN' exit 0 '$_m'"
	_x=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	rmdir "$_dir" "$_cg/pg-e2e-$$" 2>/dev/null
	[ -n "$_x" ] || { fail container "no process_exec"; return; }
	check container "$_x" ".process_exec.process.cgroup == \"/pg-e2e-$$/docker-$_id.scope\" and
		.process_exec.process.container_id == \"$_id\" and
		.process_exec.process.container_runtime == \"docker\" and
		.process_exec.process.cgroup_id > 1" && ok container
}

t_valid_json() {
	# every line the agent wrote, hostile input included, is one JSON object
	_lines=$(wc -l <"$WORK/main.json" | tr -d ' ')
	_objs=$(jq -c 'select(type == "object")' "$WORK/main.json" 2>/dev/null | wc -l | tr -d ' ')
	if [ "$_lines" -gt 0 ] && [ "$_lines" = "$_objs" ]; then
		ok valid_json
	else
		fail valid_json "$_objs objects in $_lines lines"
	fi
}

t_clean_stop() {
	agent_stop main TERM
	if [ "$AGENT_RC" = 0 ] && grep -q "final stats" "$WORK/main.log" &&
		jq -e '.emitted == .delivered + 0 and .lost == 0 and .malformed == 0' \
			"$WORK/main.stats" >/dev/null; then
		ok clean_stop
	else
		fail clean_stop "rc=$AGENT_RC stats=$(cat "$WORK/main.stats" 2>/dev/null)"
	fi
}

t_storm() {
	_m=$(mark storm)
	agent_start storm --ringbuf-size 1M || { fail storm "agent did not start"; return; }
	"$BIN" storm "$STORM_LOOPS" "$STORM_COUNT" "$_m"
	_rc=$?
	agent_stop storm
	_want=$((STORM_LOOPS * STORM_COUNT))
	_got=$(count_events storm "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	# exact accounting: what the kernel produced = delivered + counted lost
	if [ "$_rc" = 0 ] && [ "$AGENT_RC" = 0 ] && jq -e "
		.emitted == .delivered and
		.events.process_exec.delivered >= $_got and
		$_got + .events.process_exec.lost >= $_want" "$WORK/storm.stats" >/dev/null; then
		ok "storm ($_got/$_want storm execs delivered, lost $(jq .lost "$WORK/storm.stats"))"
	else
		fail storm "rc=$_rc agent=$AGENT_RC got=$_got want=$_want stats=$(cat "$WORK/storm.stats")"
	fi
}

# A stalled reader: stdout is a pipe nobody reads for a while, the agent
# blocks on it, the small ring buffer overflows. Every exec must still be
# either delivered or counted as lost.
t_loss() {
	_m=$(mark loss)
	rm -f "$WORK/loss.json" "$WORK/loss.stats" "$WORK/loss.pid"
	{ "$PENGUARD" run -o json --export "$WORK/loss.json" --stats-file "$WORK/loss.stats" \
		--ringbuf-size 16K --no-seed 2>"$WORK/loss.log" & echo $! >"$WORK/loss.pid"; } |
		{ sleep 3; cat >/dev/null; } &
	_pipe=$!
	while [ ! -s "$WORK/loss.pid" ]; do sleep 0.1; done # written as the agent forks
	wait_ready "$WORK/loss.log" "$(cat "$WORK/loss.pid")"
	"$BIN" storm 2 500 "$_m"
	sleep 3
	kill -INT "$(cat "$WORK/loss.pid")"
	wait "$_pipe"
	_got=$(count_events loss "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	if jq -e ".lost > 0 and .emitted == .delivered and
		$_got + .events.process_exec.lost >= 1000 and
		.events.process_exec.delivered >= $_got" "$WORK/loss.stats" >/dev/null; then
		ok "loss ($_got delivered + $(jq .events.process_exec.lost "$WORK/loss.stats") counted lost of 1000 storm execs)"
	else
		fail loss "got=$_got stats=$(cat "$WORK/loss.stats" 2>/dev/null)"
	fi
}

# Shells start background jobs with SIGINT ignored; the agent must still
# stop on it (and drain), not run on unnoticed.
t_sigint_ignored() {
	(trap '' INT; exec "$PENGUARD" run -o none --no-seed 2>"$WORK/sigint.log") &
	_p=$!
	wait_ready "$WORK/sigint.log" $_p
	kill -INT $_p
	__ai=0
	while kill -0 $_p 2>/dev/null && [ $__ai -lt 300 ]; do
		sleep 0.1
		__ai=$((__ai + 1))
	done
	if kill -0 $_p 2>/dev/null; then
		kill -KILL $_p
		fail sigint_ignored "still running 30 s after SIGINT"
	elif grep -q "final stats" "$WORK/sigint.log"; then
		ok sigint_ignored
	else
		fail sigint_ignored "stopped without its final stats: $(tail -n 2 "$WORK/sigint.log")"
	fi
	wait $_p 2>/dev/null
}

t_rotation() {
	_m=$(mark rot)
	agent_start rot --export-max-size 64K --export-backups 2 ||
		{ fail rotation "agent did not start"; return; }
	"$BIN" storm 1 200 "$_m"
	sleep 0.5
	agent_stop rot
	_total=0
	for _f in "$WORK/rot.json" "$WORK/rot.json.1" "$WORK/rot.json.2"; do
		[ -f "$_f" ] || { fail rotation "$_f missing"; return; }
		[ "$(stat -c %a "$_f")" = 600 ] || { fail rotation "$_f mode $(stat -c %a "$_f")"; return; }
		[ "$(stat -c %s "$_f")" -le 65536 ] || { fail rotation "$_f over the limit"; return; }
		_l=$(wc -l <"$_f" | tr -d ' ')
		_o=$(jq -c . "$_f" 2>/dev/null | wc -l | tr -d ' ')
		[ "$_l" = "$_o" ] || { fail rotation "$_f has a split line"; return; }
	done
	[ -f "$WORK/rot.json.3" ] && { fail rotation "more backups than asked"; return; }
	jq -e '.output.rotations >= 2 and .output.dropped == 0' "$WORK/rot.stats" >/dev/null &&
		ok rotation || fail rotation "stats: $(cat "$WORK/rot.stats")"
}

t_compact() {
	_m=$(mark compact)
	"$PENGUARD" run -o compact --flush-interval 20 >"$WORK/compact.out" 2>"$WORK/compact.log" &
	_p=$!
	wait_ready "$WORK/compact.log" $_p
	"$BIN" exit 3 "$_m"
	sleep 0.5
	kill -INT $_p
	wait $_p
	if grep -q "exec .*pg-testbin exit 3 $_m" "$WORK/compact.out" &&
		grep -q "exit .*pg-testbin exit 3 $_m.*status=3" "$WORK/compact.out"; then
		ok compact
	else
		fail compact "$(grep "$_m" "$WORK/compact.out" | head -3)"
	fi
}

# --backend SENSOR=NAME: every backend this kernel accepts must work
t_backends() {
	for _b in fentry tp_btf raw_tp; do
		_m=$(mark "be$_b")
		if ! have "$_b"; then
			# forcing it must fail fast, with a clear reason, not hang
			"$PENGUARD" run -o none --backend "process=$_b" >/dev/null 2>"$WORK/be$_b.err"
			_rc=$?
			if [ $_rc = 1 ] && grep -q "backend $_b failed at load" "$WORK/be$_b.err"; then
				skip "backend_$_b" "this kernel refuses $_b programs (and says so: $(tail -n 1 "$WORK/be$_b.err"))"
			else
				fail "backend_$_b" "forcing a refused backend: rc=$_rc $(cat "$WORK/be$_b.err")"
			fi
			continue
		fi
		agent_start "be$_b" --backend "process=$_b" --no-seed ||
			{ fail "backend_$_b" "agent did not start"; continue; }
		"$BIN" spawn 1 "$_m"
		_x=$(wait_event "be$_b" "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
		_y=$(wait_event "be$_b" "$_m" ".process_exit.process.arguments == \"exit 0 $_m\"")
		agent_stop "be$_b"
		if [ -n "$_x" ] && [ -n "$_y" ] && grep -q "using backend $_b" "$WORK/be$_b.log" &&
			check "backend_$_b" "$_x" ".process_exec.process.binary == \"$BIN\" and
				.process_exec.parent.arguments == \"spawn 1 $_m\" and
				.process_exec.process.cwd != \"\""; then
			ok "backend_$_b"
		elif [ -z "$_x" ] || [ -z "$_y" ]; then
			fail "backend_$_b" "exec or exit missing: $(tail -3 "$WORK/be$_b.log")"
		fi
	done
}

# ---------------------------------------------------------------- main --

echo "e2e: kernel $(uname -r), process backend $(echo "$PROBE" | jq -r .sensors.process)"
run_test t_cli
run_test t_bad_options
run_test t_not_root

# a process that exists before the agent starts
PRE_MARK=$(mark pre)
"$BIN" sleep 600000 "$PRE_MARK" &
PRE_PID=$!

if agent_start main --ancestors --fork-events; then
	run_test t_exec
	run_test t_exit_status
	run_test t_sigkill
	run_test t_hostile_args
	run_test t_long_args
	run_test t_shebang
	run_test t_preexisting
	run_test t_many_children
	run_test t_deep_tree
	run_test t_fork
	run_test t_container
	run_test t_clean_stop
	run_test t_valid_json
else
	fail agent_start "the agent did not start"
	kill "$PRE_PID" 2>/dev/null
fi
run_test t_storm
run_test t_loss
run_test t_sigint_ignored
run_test t_rotation
run_test t_compact
run_test t_backends

# whatever a filtered or failed run left behind
kill "$PRE_PID" 2>/dev/null
for _a in main storm rot; do
	_p=$(eval echo "\${AGENT_$_a:-}")
	[ -n "$_p" ] && kill -INT "$_p" 2>/dev/null
done
wait

[ "$FAIL" = 0 ] && rm -rf "$WORK" || echo "e2e: artifacts kept in $WORK"
echo "e2e: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
