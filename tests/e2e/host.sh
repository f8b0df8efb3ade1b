# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end tests of the host sensor (credentials_change,
# namespace_change, host_change), sourced by run.sh (POSIX sh). The
# workloads are pg-host (tests/helpers/pg-host.c) and, where present,
# util-linux's unshare and nsenter; a test whose tool is missing says
# skipped and why. Each event is found by its process id.

PGHOST=$(readlink -f "$PG_HELPERS/pg-host" 2>/dev/null)

# hev TEST TYPE PID [JQ]: wait for the TYPE event of PID; HX is the event, or fail TEST.
hev() {
	__hc=".$2.process.pid == $3"
	[ -n "${4:-}" ] && __hc="$__hc and ($4)"
	HX=$(wait_event host "\"$2\"" "$__hc" "$HOST_WAIT")
	[ -n "$HX" ] && return 0
	HOST_WAIT=$SLOW
	__hx=$(grep -F "\"$2\"" "$WORK/host.json" 2>/dev/null | grep -F "\"pid\":$3" | head -n 3 | cut -c1-700)
	fail "$1" "no $2 of pid $3${4:+ with $4}; the export has for that pid: ${__hx:-nothing}"
	return 1
}

# The policy the tests run under: every host event, and execs (so that
# the process of each event is known by its binary).
h_policy_all() {
	cat >"$WORK/hall.yaml" <<'EOF'
name: host-all
rules:
  - name: everything
    on: [credentials_change, namespace_change]
  - name: execs
    on: [process_exec]
EOF
}

# setresgid, setresuid away from root keeping it saved, back to root (a
# privilege escalation), capset dropping CAP_NET_RAW: one event each,
# before and after as the kernel held them.
t_host_creds() {
	_out=$("$PGHOST" creds 1234 2>&1)
	_pid=$(js "$_out" | sed -n 's/^pid=//p')
	js "$_out" | grep -q '^ok$' || { fail host_creds "pg-host creds: $_out"; return; }
	hev host_creds credentials_change "$_pid" '.credentials_change.credentials.syscall == "setresgid"' || return
	check host_creds "$HX" '.credentials_change.process.binary | endswith("/pg-host")' || return
	check host_creds "$HX" '.credentials_change.credentials as $c | $c.return == 0 and
		$c.before.gid == 0 and $c.before.egid == 0 and $c.after.gid == 1234 and
		$c.after.egid == 1234 and $c.after.sgid == 1234 and $c.after.fsgid == 1234 and
		$c.after.uid == 0 and ($c.privilege_escalation | not)' || return
	hev host_creds credentials_change "$_pid" '.credentials_change.credentials.syscall == "setresuid" and
		.credentials_change.credentials.after.uid == 1234' || return
	check host_creds "$HX" '.credentials_change.credentials as $c | $c.before.uid == 0 and
		$c.after.euid == 1234 and $c.after.suid == 0 and $c.after.fsuid == 1234 and
		($c.before.caps.effective | index(["CAP_SYS_ADMIN"])) != null and
		($c.after.caps.effective == null) and ($c.privilege_escalation | not)' || return
	hev host_creds credentials_change "$_pid" '.credentials_change.credentials.syscall == "setresuid" and
		.credentials_change.credentials.after.uid == 0' || return
	check host_creds "$HX" '.credentials_change.credentials as $c | $c.before.uid == 1234 and
		$c.after.euid == 0 and $c.privilege_escalation == true and
		($c.after.caps.effective | index(["CAP_SYS_ADMIN"])) != null' || return
	hev host_creds credentials_change "$_pid" '.credentials_change.credentials.syscall == "capset"' || return
	check host_creds "$HX" '.credentials_change.credentials as $c |
		($c.before.caps.permitted | index(["CAP_NET_RAW"])) != null and
		($c.after.caps.permitted | index(["CAP_NET_RAW"])) == null and
		($c.after.caps.effective | index(["CAP_NET_RAW"])) == null and
		($c.privilege_escalation | not)' || return
	# a call that changes nothing (setresuid to what it has) is no event
	[ "$(count_events host '"credentials_change"' ".credentials_change.process.pid == $_pid")" = 4 ] ||
		{ fail host_creds "not 4 credentials_change events for pid $_pid"; return; }
	ok host_creds
}

# unshare(CLONE_NEWUTS) then a hostname in the new namespace: which
# namespace changed, its old and new inode.
t_host_ns_unshare() {
	command -v unshare >/dev/null || { skip host_ns_unshare "no unshare command"; return; }
	_m="pg-hns-$$"
	# $$ of the inner sh is unshare's own pid: it execs the shell
	if ! unshare -u sh -c "echo \$\$ >'$WORK/hns.pid'; hostname $_m" 2>"$WORK/hns.err"; then
		skip host_ns_unshare "unshare -u failed: $(head -c 200 "$WORK/hns.err")"
		return
	fi
	_pid=$(cat "$WORK/hns.pid")
	hev host_ns_unshare namespace_change "$_pid" '.namespace_change.namespaces.syscall == "unshare"' || return
	check host_ns_unshare "$HX" '.namespace_change.namespaces as $n | $n.return == 0 and
		$n.changed == ["uts"] and ($n.flags | tonumber) == 67108864 and
		$n.before.uts.inum != $n.after.uts.inum and $n.before.mnt.inum == $n.after.mnt.inum' || return
	ok host_ns_unshare
}

# clone(CLONE_NEWUTS): the child's namespaces against its parent's.
t_host_ns_clone() {
	_out=$("$PGHOST" newuts 2>&1) || { fail host_ns_clone "pg-host newuts: $_out"; return; }
	_pid=$(js "$_out" | sed -n 's/^pid=\([0-9]*\) .*/\1/p')
	_child=$(js "$_out" | sed -n 's/.* child=//p')
	hev host_ns_clone namespace_change "$_pid" '.namespace_change.namespaces.syscall == "clone"' || return
	check host_ns_clone "$HX" ".namespace_change.namespaces as \$n | \$n.child_pid == $_child and
		\$n.changed == [\"uts\"] and \$n.before.uts.inum != \$n.after.uts.inum" || return
	ok host_ns_clone
}

# setns into another process's UTS namespace (nsenter).
t_host_ns_setns() {
	command -v unshare >/dev/null || { skip host_ns_setns "no unshare command"; return; }
	command -v nsenter >/dev/null || { skip host_ns_setns "no nsenter command"; return; }
	unshare -u sleep 30 &
	_tp=$!
	sleep 0.3
	nsenter -t "$_tp" -u sh -c "echo \$\$ >'$WORK/hsetns.pid'" 2>"$WORK/hsetns.err"
	_rc=$?
	kill "$_tp" 2>/dev/null
	wait "$_tp" 2>/dev/null
	[ "$_rc" = 0 ] || { skip host_ns_setns "nsenter failed: $(head -c 200 "$WORK/hsetns.err")"; return; }
	_pid=$(cat "$WORK/hsetns.pid")
	hev host_ns_setns namespace_change "$_pid" '.namespace_change.namespaces.syscall == "setns"' || return
	check host_ns_setns "$HX" '.namespace_change.namespaces as $n | $n.return == 0 and
		$n.changed == ["uts"] and $n.before.uts.inum != $n.after.uts.inum' || return
	ok host_ns_setns
}

HOST_TESTS="t_host_creds t_host_ns_unshare t_host_ns_clone t_host_ns_setns"
HOST_OWN_TESTS=""

host_tests() {
	# shellcheck disable=SC2086
	file_selected $HOST_TESTS $HOST_OWN_TESTS || return 0
	HOST_WAIT=$((5 * SLOW))
	_hb=$(echo "$PROBE" | jq -r '.sensors.host // empty')
	if [ -z "$_hb" ] || [ "$_hb" = none ] || [ "$_hb" = null ]; then
		skip host "no host sensor backend on this kernel or in this build (probe: $(echo "$PROBE" | jq -c '.sensors'))"
		return 0
	fi
	[ -x "$PGHOST" ] || { fail host "$PG_HELPERS/pg-host is missing (make tests)"; return 0; }
	h_policy_all
	# shellcheck disable=SC2086
	if file_selected $HOST_TESTS; then
		if pol_agent host hall; then
			for _t in $HOST_TESTS; do
				run_test "$_t"
			done
			agent_stop host
		else
			fail host "the agent with host rules did not start"
		fi
	fi
	for _t in $HOST_OWN_TESTS; do
		run_test "$_t"
	done
}
