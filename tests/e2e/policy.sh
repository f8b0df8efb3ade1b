# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end tests of policies, sourced by run.sh (POSIX sh: the VMs run
# them too). Each starts its own agent with --no-default-policies and a
# policy written here, runs real programs, and checks what happened and
# what the agent reported.

# pol_write NAME: the policy on stdin becomes $WORK/NAME.yaml
pol_write() { cat >"$WORK/$1.yaml"; }

# pol_reload NAME PID: SIGHUP to agent NAME (pid PID); returns once its
# log says it switched to a new generation (10 s at most)
pol_reload() {
	__rn=$(grep -c 'generation' "$WORK/$1.log")
	kill -HUP "$2"
	__ri=0
	while [ "$(grep -c 'generation' "$WORK/$1.log")" = "$__rn" ] && [ $__ri -lt 100 ]; do
		sleep 0.1
		__ri=$((__ri + 1))
	done
}

# pol_agent NAME POLICY [options]: an agent with only that policy
pol_agent() {
	__pn=$1
	__pp=$2
	shift 2
	agent_start "$__pn" --no-default-policies --policy-dir "" --policy "$WORK/$__pp.yaml" "$@"
}

# policy_suite AGENT POLICY WHAT TESTS…: the TESTS that PG_E2E_ONLY
# selects, under one agent started with $WORK/POLICY.yaml alone; WHAT
# names its rules in the failure if it does not start.
policy_suite() {
	__psa=$1 __psp=$2 __psw=$3
	shift 3
	file_selected "$@" || return 0
	if pol_agent "$__psa" "$__psp"; then
		for __pst in "$@"; do
			run_test "$__pst"
		done
		agent_stop "$__psa"
	else
		fail "$__psa" "the agent with $__psw rules did not start"
	fi
}

# A copy of pg-testbin at $1 (the policies match by path)
bin_copy() {
	mkdir -p "$(dirname "$1")"
	cp "$BIN" "$1"
	chmod 755 "$1"
}

t_policy_check() {
	_e=0
	printf 'name: x\nrules:\n  - name: a\n    on: [process_exec]\n    actoin: kill\n' >"$WORK/bad.yaml"
	"$PENGUARD" policy check "$WORK/bad.yaml" >/dev/null 2>"$WORK/check.err"
	_rc=$?
	grep -q "bad.yaml:5:5: .*unknown key 'actoin'" "$WORK/check.err" && [ $_rc = 1 ] ||
		{ fail policy_check "rc=$_rc: $(cat "$WORK/check.err")"; _e=1; }
	# the agent refuses to start on it, with the same message
	"$PENGUARD" run --socket "" -o none --no-default-policies --policy "$WORK/bad.yaml" >/dev/null 2>"$WORK/check2.err"
	_rc=$?
	[ $_rc = 1 ] && grep -q "unknown key 'actoin'" "$WORK/check2.err" ||
		{ fail policy_check "agent with a broken policy: rc=$_rc $(tail -n 3 "$WORK/check2.err")"; _e=1; }
	[ $_e = 0 ] && ok policy_check
}

# kill: the first act of the binary is to create a marker; it never does
t_policy_kill() {
	_m=$(mark pkill)
	bin_copy "$WORK/killme/pg-testbin"
	pol_write pkill <<EOF
name: kill-test
mode: enforce
rules:
  - name: kill-killme
    on: [process_exec]
    match:
      binary: {prefix: [$WORK/killme/]}
    action: kill
    tags: [test, kill]
EOF
	pol_agent pkill pkill || { fail policy_kill "agent did not start"; return; }
	rm -f "$WORK/marker-kill"
	"$WORK/killme/pg-testbin" touch "$WORK/marker-kill" "$_m" 2>/dev/null
	_rc=$?
	# an unmatched binary runs as usual
	"$BIN" touch "$WORK/marker-ok" "$_m"
	_x=$(wait_event pkill "$_m" ".process_exec.process.binary == \"$WORK/killme/pg-testbin\"")
	agent_stop pkill
	if [ -e "$WORK/marker-kill" ]; then
		fail policy_kill "the killed binary ran: its marker exists"
	elif [ $_rc != 137 ]; then
		fail policy_kill "exit status $_rc, not 137 (SIGKILL)"
	elif [ ! -e "$WORK/marker-ok" ]; then
		fail policy_kill "an unmatched binary did not run"
	elif [ -z "$_x" ]; then
		fail policy_kill "no process_exec for the killed binary"
	else
		check policy_kill "$_x" '.process_exec.policy == {"name":"kill-test","rule":"kill-killme","action":"kill","mode":"enforce"} and
			.process_exec.tags == ["test","kill"]' || return
		[ "$(count_events pkill "$_m" ".process_exec.process.binary == \"$BIN\"")" = 0 ] ||
			{ fail policy_kill "an exec no rule matched was reported"; return; }
		jq -e '.policies[0].rules[0].killed == 1 and .policies[0].rules[0].matched == 1' \
			"$WORK/pkill.stats" >/dev/null ||
			{ fail policy_kill "counters: $(jq -c .policies "$WORK/pkill.stats")"; return; }
		ok policy_kill
	fi
}

# monitor mode: the same rule only says what it would do
t_policy_monitor() {
	_m=$(mark pmon)
	bin_copy "$WORK/killme/pg-testbin"
	pol_write pmon <<EOF
name: kill-test
mode: monitor
rules:
  - name: kill-killme
    on: [process_exec]
    match:
      binary: {prefix: [$WORK/killme/]}
    action: kill
EOF
	pol_agent pmon pmon || { fail policy_monitor "agent did not start"; return; }
	rm -f "$WORK/marker-mon"
	"$WORK/killme/pg-testbin" touch "$WORK/marker-mon" "$_m"
	_rc=$?
	_x=$(wait_event pmon "$_m" ".process_exec.process.binary == \"$WORK/killme/pg-testbin\"")
	agent_stop pmon
	if [ $_rc != 0 ] || [ ! -e "$WORK/marker-mon" ]; then
		fail policy_monitor "monitor mode killed: rc=$_rc"
	else
		check policy_monitor "$_x" '.process_exec.policy.action == "kill" and
			.process_exec.policy.mode == "monitor"' && ok policy_monitor
	fi
}

# exact, prefix, suffix, uid and negation, each alone
t_policy_selectors() {
	_m=$(mark psel)
	bin_copy "$WORK/sel/alpha"
	bin_copy "$WORK/sel/alphabet"
	bin_copy "$WORK/sel/sub/beta.tool"
	chmod 755 "$WORK" "$WORK/sel" # uid 65534 runs one of them
	pol_write psel <<EOF
name: selectors
rules:
  - name: exact
    on: [process_exec]
    match: {binary: [$WORK/sel/alpha]}
  - name: prefix
    on: [process_exec]
    match: {binary: {prefix: [$WORK/sel/sub/]}}
  - name: suffix
    on: [process_exec]
    match: {binary: {suffix: [.tool]}}
  - name: uid
    on: [process_exec]
    match:
      uid: ["65000-65534"]
      binary: {prefix: [$WORK/sel/]}
  - name: negated
    on: [process_exit]
    match:
      binary: {prefix: [$WORK/sel/]}
      not:
        binary: [$WORK/sel/alphabet]
EOF
	pol_agent psel psel || { fail policy_selectors "agent did not start"; return; }
	"$WORK/sel/alpha" exit 0 "$_m" a
	"$WORK/sel/alphabet" exit 0 "$_m" b
	"$WORK/sel/sub/beta.tool" exit 0 "$_m" c
	"$BIN" asuser 65534 "$WORK/sel/alphabet" exit 0 "$_m" d
	wait_event psel "$_m" '.process_exit.process.arguments | endswith(" c")' >/dev/null
	sleep 0.3
	agent_stop psel
	_rule() { count_events psel "$_m" ".$1.process.arguments == \"exit 0 $_m $2\" and .$1.policy.rule == \"$3\""; }
	_any() { count_events psel "$_m" ".$1.process.arguments == \"exit 0 $_m $2\""; }
	_e=""
	[ "$(_rule process_exec a exact)" = 1 ] || _e="$_e alpha-not-exact"
	[ "$(_any process_exec b)" = 0 ] || _e="$_e alphabet-matched-exact"
	# rule order decides: prefix comes before suffix
	[ "$(_rule process_exec c prefix)" = 1 ] || _e="$_e beta-not-prefix"
	[ "$(_rule process_exec d uid)" = 1 ] || _e="$_e uid"
	[ "$(_rule process_exit a negated)" = 1 ] || _e="$_e alpha-exit"
	[ "$(_any process_exit b)" = 0 ] || _e="$_e alphabet-exit-not-negated"
	[ -z "$_e" ] && ok policy_selectors || fail policy_selectors "wrong:$_e"
}

# parent and ancestor: pg-testbin "run" forks and execs another program
t_policy_lineage() {
	_m=$(mark plin)
	bin_copy "$WORK/lin/grandparent"
	bin_copy "$WORK/lin/parent"
	bin_copy "$WORK/lin/child"
	pol_write plin <<EOF
name: lineage
rules:
  - name: by-parent
    on: [process_exec]
    match:
      binary: [$WORK/lin/child]
      parent_binary: [$WORK/lin/parent]
  - name: by-ancestor
    on: [process_exec]
    match:
      binary: [$WORK/lin/child]
      ancestor_binary: [$WORK/lin/grandparent]
EOF
	pol_agent plin plin || { fail policy_lineage "agent did not start"; return; }
	# grandparent -> parent -> child (matches both; by-parent first)
	"$WORK/lin/grandparent" run "$WORK/lin/parent" run "$WORK/lin/child" exit 0 "$_m" one
	# parent -> child, no grandparent: by-parent only
	"$WORK/lin/parent" run "$WORK/lin/child" exit 0 "$_m" two
	# grandparent -> child directly: the ancestor rule (a parent is an ancestor)
	"$WORK/lin/grandparent" run "$WORK/lin/child" exit 0 "$_m" three
	# no matching lineage
	"$BIN" run "$WORK/lin/child" exit 0 "$_m" four
	wait_event plin "$_m" '.process_exec.process.arguments | endswith(" three")' >/dev/null
	sleep 0.3
	agent_stop plin
	_r() { count_events plin "$_m" ".process_exec.process.arguments == \"exit 0 $_m $1\" and .process_exec.policy.rule == \"$2\""; }
	_e=""
	[ "$(_r one by-parent)" = 1 ] || _e="$_e one"
	[ "$(_r two by-parent)" = 1 ] || _e="$_e two"
	[ "$(_r three by-ancestor)" = 1 ] || _e="$_e three"
	[ "$(count_events plin "$_m" ".process_exec.process.arguments == \"exit 0 $_m four\"")" = 0 ] || _e="$_e four"
	[ -z "$_e" ] && ok policy_lineage || fail policy_lineage "wrong:$_e"
}

# A process the agent never evaluated (running before it, not seeded:
# this shell under --no-seed) is held to the rules with no process
# selector, and so are the children it forks after the agent started,
# until they exec: a subshell's write is reported. (They once inherited
# an empty selection that passed for generation 0's: no rule matched.)
t_policy_unseeded() {
	mkdir -p "$WORK/unseeded"
	: >"$WORK/unseeded/f"
	pol_write punseed <<EOF
name: unseeded
rules:
  - name: writes
    on: [file_open]
    match:
      path:
        prefix: [$WORK/unseeded/]
EOF
	pol_agent punseed punseed --no-seed || { fail policy_unseeded "agent did not start"; return; }
	# in a forked child of this shell, which never execs
	(echo x >"$WORK/unseeded/f")
	_x=$(wait_event punseed unseeded ".file_open.file.path == \"$WORK/unseeded/f\"")
	agent_stop punseed
	[ -n "$_x" ] || { fail policy_unseeded "no file_open of $WORK/unseeded/f from a subshell of an unseeded shell"; return; }
	check policy_unseeded "$_x" '.file_open.policy.rule == "writes" and .file_open.access == "write"' &&
		ok policy_unseeded
}

# a rate limit caps a flood and counts the rest: on execs (the process
# sensor's own verdict) and on file opens (the verdict the other sensors
# share, which reads the clock only for a rule with a limit)
t_policy_rate_limit() {
	_m=$(mark prate)
	bin_copy "$WORK/rate/pg-testbin"
	echo x >"$WORK/rate/watched"
	pol_write prate <<EOF
name: rate
rules:
  - name: capped
    on: [process_exec]
    match: {binary: [$WORK/rate/pg-testbin]}
    rate_limit: {max: 5, per: global, interval: 1h}
  - name: capped-file
    on: [file_open]
    match: {path: [$WORK/rate/watched]}
    rate_limit: {max: 3, per: global, interval: 1h}
EOF
	pol_agent prate prate || { fail policy_rate_limit "agent did not start"; return; }
	# storm: the spawner itself is the first exec, then its 40 children;
	# then 10 execs more, each opening the watched file once
	"$WORK/rate/pg-testbin" storm 1 40 "$_m"
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		"$WORK/rate/pg-testbin" open "$WORK/rate/watched" r
	done
	sleep 0.5
	agent_stop prate
	_n=$(count_events prate "$_m" '.process_exec.policy.rule == "capped"')
	_f=$(count_events prate "$WORK/rate/watched" '.file_open.policy.rule == "capped-file"')
	if [ "$_n" = 5 ] && [ "$_f" = 3 ] && jq -e '.policies[0].rules[0].rate_limited == 46 and
		.policies[0].rules[0].matched == 51 and .policies[0].rules[1].rate_limited == 7 and
		.policies[0].rules[1].matched == 10' "$WORK/prate.stats" >/dev/null; then
		ok "policy_rate_limit (execs: 5 reported, 46 suppressed; opens: 3 reported, 7 suppressed)"
	else
		fail policy_rate_limit "$_n execs and $_f opens reported; $(jq -c .policies "$WORK/prate.stats")"
	fi
}

# SIGHUP under an exec storm: nothing lost, nothing twice; a broken set
# leaves the old one active
t_policy_reload() {
	_m=$(mark prel)
	bin_copy "$WORK/rel/pg-testbin"
	_pol() {
		pol_write prel <<EOF
name: reload
rules:
  - name: storm-$1
    on: [process_exec]
    match: {binary: [$WORK/rel/pg-testbin]}
    tags: [$1]
EOF
	}
	_pol a
	pol_agent prel prel --ringbuf-size 4M || { fail policy_reload "agent did not start"; return; }
	_p=$(eval echo \$AGENT_prel)
	"$WORK/rel/pg-testbin" storm 2 "$PG_E2E_RELOAD_COUNT" "$_m" &
	_s=$!
	for _i in 1 2 3 4 5 6; do
		sleep 0.2
		if [ $((_i % 2)) = 1 ]; then _pol b; else _pol a; fi
		kill -HUP "$_p"
	done
	wait $_s
	# a broken set: the old one stays
	printf 'name: reload\nrules: [\n' >"$WORK/prel.yaml"
	kill -HUP "$_p"
	sleep 0.5
	"$WORK/rel/pg-testbin" exit 0 "$_m" after
	wait_event prel "$_m" '.process_exec.process.arguments | endswith(" after")' >/dev/null
	agent_stop prel
	_want=$((2 * PG_E2E_RELOAD_COUNT + 1)) # the spawner, then its children
	_got=$(count_events prel "$_m" '.process_exec.process.arguments | startswith("storm") or . == "exit 0 '"$_m"'"')
	_ids=$(grep -F -- "$_m" "$WORK/prel.json" | jq -r 'select(.process_exec) | .process_exec.process.exec_id' | sort | uniq -d | wc -l | tr -d ' ')
	_a=$(count_events prel "$_m" '.process_exec.tags == ["a"]')
	_b=$(count_events prel "$_m" '.process_exec.tags == ["b"]')
	if [ "$_got" != "$_want" ] || [ "$_ids" != 0 ]; then
		fail policy_reload "$_got/$_want storm execs reported, $_ids twice; lost $(jq .lost "$WORK/prel.stats")"
	elif [ "$_a" = 0 ] || [ "$_b" = 0 ]; then
		fail policy_reload "the swaps did not take: $_a under a, $_b under b"
	elif ! grep -q "previous one stays active" "$WORK/prel.log" ||
		[ "$(count_events prel "$_m" '.process_exec.process.arguments | endswith(" after")')" != 1 ]; then
		fail policy_reload "a broken set: $(grep -c stays "$WORK/prel.log") warnings, exec after it not reported"
	else
		ok "policy_reload ($_got execs across 6 swaps: $_a under a, $_b under b; broken set kept the old)"
	fi
}

# rsel_start NAME: start launcher NAME, whose child keeper NAME waits for
# $_d/go-NAME, then opens $_d/secret-NAME; RSEL its pid, once the keeper runs.
rsel_start() {
	"$_d/launcher" run "$_d/keeper" waitopen "$_d/secret-$1" "$_d/go-$1" "$_m" "$1" &
	RSEL=$!
	__i=0
	while ! grep -qs -- "$_d/go-$1" /proc/[0-9]*/cmdline && [ $__i -lt 100 ]; do
		sleep 0.05
		__i=$((__i + 1))
	done
}

# rsel_check NAME RULE: let keeper NAME open its file; its file_open must
# come under RULE.
rsel_check() {
	touch "$_d/go-$1"
	wait "$RSEL" || { fail policy_reselect "keeper $1 failed"; return 1; }
	__ev=$(wait_event prsel "$_d/secret-$1" ".file_open.process.binary == \"$_d/keeper\"")
	if [ -z "$__ev" ]; then
		fail policy_reselect "no file_open of $_d/secret-$1 by keeper $1; agent: $(grep -a 'polic' "$WORK/prsel.log" | tail -n 3 | tr '\n' ' ')"
		return 1
	fi
	check policy_reselect "$__ev" ".file_open.policy.rule == \"$2\""
}

# Processes that run before a policy applies are held to its process
# selectors all the same: a rule on a binary and on its parent's binary
# sees the open of a child that was running when the agent started
# (seeded: its parent's entry was made first), and, brought by a SIGHUP,
# that of a child running then (every running process is evaluated again
# under the new set, its parent first).
t_policy_reselect() {
	_m=$(mark prsel)
	_d=$WORK/rsel
	bin_copy "$_d/launcher"
	bin_copy "$_d/keeper"
	echo x >"$_d/secret-seeded"
	echo x >"$_d/secret-reloaded"
	rm -f "$_d/go-seeded" "$_d/go-reloaded"
	_pol() {
		pol_write prsel <<EOF
name: reselect
rules:
  - name: $1
    on: [file_open]
    match:
      binary: [$_d/keeper]
      parent_binary: [$_d/launcher]
      path: [$_d/secret-$1]
EOF
	}
	rsel_start seeded
	_pol seeded
	pol_agent prsel prsel || {
		touch "$_d/go-seeded"
		fail policy_reselect "agent did not start"
		return
	}
	_p=$(eval echo \$AGENT_prsel)
	rsel_check seeded seeded || {
		agent_stop prsel
		return
	}
	rsel_start reloaded
	_pol reloaded
	pol_reload prsel "$_p"
	rsel_check reloaded reloaded || { agent_stop prsel; return; }
	agent_stop prsel
	ok policy_reselect
}

# A script running when a reload brings a rule on its own path: its
# binary is the interpreter, and the name it was exec'd by, which its
# exec's binary selectors saw, is kept for the evaluation after the reload
t_policy_reselect_script() {
	_d=$WORK/rsels
	mkdir -p "$_d"
	echo x >"$_d/secret"
	rm -f "$_d/go"
	cat >"$_d/waiter.sh" <<EOF
#!/bin/sh
# $(mark prsels)
while [ ! -e "$_d/go" ]; do sleep 0.05; done
read -r _x <"$_d/secret"
EOF
	chmod 755 "$_d/waiter.sh"
	_pol() {
		pol_write prsels <<EOF
name: reselect-script
rules:
  - name: $1
    on: [file_open]
    match:
      binary: [$_d/$2]
      path: [$_d/secret]
EOF
	}
	_pol before nothing-runs-this
	pol_agent prsels prsels || { fail policy_reselect_script "agent did not start"; return; }
	_p=$(eval echo \$AGENT_prsels)
	"$_d/waiter.sh" &
	_w=$!
	_i=0
	while ! grep -qs waiter.sh "/proc/$_w/cmdline" && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	_pol after waiter.sh
	pol_reload prsels "$_p"
	touch "$_d/go"
	wait "$_w" || { agent_stop prsels; fail policy_reselect_script "the script failed"; return; }
	_x=$(wait_event prsels "$_d/secret" ".file_open.process.pid == $_w")
	agent_stop prsels
	[ -n "$_x" ] || { fail policy_reselect_script "no file_open of $_d/secret by the script (pid $_w) after the reload: $(grep -a 'polic' "$WORK/prsels.log" | tail -n 3 | tr '\n' ' ')"; return; }
	check policy_reselect_script "$_x" '.file_open.policy.rule == "after" and
		.file_open.process.binary == "'"$_d/waiter.sh"'"' && ok policy_reselect_script
}

t_policy_deny() {
	_m=$(mark pdeny)
	bin_copy "$WORK/denyme/pg-testbin"
	pol_write pdeny <<EOF
name: deny-test
mode: enforce
rules:
  - name: deny-it
    on: [process_exec]
    match:
      binary: {prefix: [$WORK/denyme/]}
    action: deny
EOF
	if [ "$(echo "$PROBE" | jq -r '.sensors.exec_enforce')" != lsm ]; then
		# no BPF LSM: refused at load, clearly; with fallback: kill, it kills
		"$PENGUARD" run --socket "" -o none --no-default-policies --policy-dir "" \
			--policy "$WORK/pdeny.yaml" >/dev/null 2>"$WORK/pdeny.err"
		_rc=$?
		[ $_rc = 1 ] && grep -q "cannot deny" "$WORK/pdeny.err" ||
			{ fail policy_deny "rc=$_rc: $(tail -n 2 "$WORK/pdeny.err")"; return; }
		printf '    fallback: kill\n' >>"$WORK/pdeny.yaml"
		pol_agent pdeny pdeny || { fail policy_deny "agent with fallback did not start"; return; }
		rm -f "$WORK/marker-deny"
		"$WORK/denyme/pg-testbin" touch "$WORK/marker-deny" "$_m" 2>/dev/null
		_rc=$?
		agent_stop pdeny
		if [ $_rc = 137 ] && [ ! -e "$WORK/marker-deny" ]; then
			skip policy_deny "no BPF LSM on this kernel: deny refused at load, fallback: kill killed it (the VM kernels test deny)"
		else
			fail policy_deny "fallback: kill did not kill: rc=$_rc"
		fi
		return
	fi
	pol_agent pdeny pdeny || { fail policy_deny "agent did not start"; return; }
	rm -f "$WORK/marker-deny"
	"$BIN" run "$WORK/denyme/pg-testbin" touch "$WORK/marker-deny" "$_m"
	_rc=$?
	"$BIN" touch "$WORK/marker-deny-ok" "$_m"
	_x=$(wait_event pdeny "$WORK/denyme" ".process_exec_denied.binary == \"$WORK/denyme/pg-testbin\"")
	agent_stop pdeny
	# pg-testbin run exits 127 when execv fails (here: EPERM)
	if [ -e "$WORK/marker-deny" ] || [ $_rc != 127 ]; then
		fail policy_deny "the denied binary ran or the exec did not fail: rc=$_rc"
	elif [ ! -e "$WORK/marker-deny-ok" ]; then
		fail policy_deny "an allowed binary did not run"
	elif [ -z "$_x" ]; then
		fail policy_deny "no process_exec_denied event"
	else
		check policy_deny "$_x" ".process_exec_denied.policy.action == \"deny\" and
			.process_exec_denied.policy.rule == \"deny-it\" and
			.process_exec_denied.process.binary == \"$BIN\"" && ok policy_deny
	fi
}

# penguard policy list|add|remove over the control socket, root only
t_policy_socket() {
	host_only policy_socket "control socket" && return
	_m=$(mark psock)
	_sock="$WORK/pg.sock"
	bin_copy "$WORK/sock/a"
	bin_copy "$WORK/sock/b"
	pol_write psock <<EOF
name: watch-a
rules:
  - name: report-a
    on: [process_exec]
    match: {binary: [$WORK/sock/a]}
EOF
	pol_write psockkill <<EOF
name: kill-b
mode: enforce
rules:
  - name: kill-b
    on: [process_exec]
    match: {binary: [$WORK/sock/b]}
    action: kill
EOF
	printf 'name: broken\nrules:\n  - name: x\n    on: [process_exec]\n    match: {binary: [relative]}\n' >"$WORK/psockbad.yaml"
	pol_agent psock psock --socket "$_sock" || { fail policy_socket "agent did not start"; return; }
	_e=""
	[ "$(stat -c %a "$_sock")" = 600 ] || _e="$_e mode-$(stat -c %a "$_sock")"
	"$PENGUARD" policy list --socket "$_sock" >"$WORK/list1.json" 2>"$WORK/list.err" &&
		jq -e '.[0].name == "watch-a" and .[0].rules[0].name == "report-a"' "$WORK/list1.json" >/dev/null ||
		_e="$_e list($(cat "$WORK/list.err" "$WORK/list1.json" | head -c 200))"
	"$PENGUARD" policy add "$WORK/psockkill.yaml" --socket "$_sock" >/dev/null 2>"$WORK/add.err" ||
		_e="$_e add($(head -c 200 "$WORK/add.err"))"
	"$WORK/sock/b" exit 0 "$_m" b1 2>/dev/null
	[ $? = 137 ] || _e="$_e not-killed-after-add"
	"$WORK/sock/a" exit 0 "$_m" a1 || _e="$_e a-failed"
	# a broken policy: refused with its mistakes, the set unchanged
	"$PENGUARD" policy add "$WORK/psockbad.yaml" --socket "$_sock" >/dev/null 2>"$WORK/bad.err"
	_rc=$?
	[ $_rc = 1 ] && grep -q "(added):5:.*not an absolute path" "$WORK/bad.err" ||
		_e="$_e broken-add(rc=$_rc $(head -c 200 "$WORK/bad.err"))"
	"$WORK/sock/b" exit 0 "$_m" b2 2>/dev/null
	[ $? = 137 ] || _e="$_e kill-lost-after-broken-add"
	"$PENGUARD" policy remove kill-b --socket "$_sock" >/dev/null 2>"$WORK/rm.err" ||
		_e="$_e remove($(head -c 200 "$WORK/rm.err"))"
	"$WORK/sock/b" exit 0 "$_m" b3 || _e="$_e still-killed-after-remove"
	"$PENGUARD" policy remove no-such --socket "$_sock" >/dev/null 2>"$WORK/rm2.err"
	[ $? = 1 ] && grep -q "no such policy" "$WORK/rm2.err" || _e="$_e remove-unknown"
	# root only: the socket is 0600, and the agent checks the peer too
	"$BIN" asuser 65534 "$PENGUARD" policy list --socket "$_sock" >/dev/null 2>"$WORK/nr.err" &&
		_e="$_e non-root-listed"
	wait_event psock "$_m" '.process_exec.process.arguments | endswith(" a1")' >/dev/null ||
		_e="$_e a1-not-reported"
	# counters start again with each set loaded: one more exec of a, reported
	"$WORK/sock/a" exit 0 "$_m" a2
	wait_event psock "$_m" '.process_exec.process.arguments | endswith(" a2")' >/dev/null ||
		_e="$_e a2-not-reported"
	"$PENGUARD" policy list --socket "$_sock" >"$WORK/list2.json" 2>/dev/null
	jq -e 'length == 1 and .[0].rules[0].reported == 1 and .[0].rules[0].matched == 1' \
		"$WORK/list2.json" >/dev/null || _e="$_e list-after($(head -c 200 "$WORK/list2.json"))"
	agent_stop psock
	[ -e "$_sock" ] && _e="$_e socket-left-behind"
	[ -z "$_e" ] && ok policy_socket || fail policy_socket "wrong:$_e"
}

policy_tests() {
	PG_E2E_RELOAD_COUNT=${PG_E2E_RELOAD_COUNT:-500}
	run_test t_policy_check
	run_test t_policy_kill
	run_test t_policy_monitor
	run_test t_policy_selectors
	run_test t_policy_lineage
	run_test t_policy_unseeded
	run_test t_policy_rate_limit
	run_test t_policy_reload
	run_test t_policy_reselect
	run_test t_policy_reselect_script
	run_test t_policy_deny
	run_test t_policy_socket
}
