#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Self-test of tetragon-types.jq, the checker of Tetragon's JSON types: a
# fully conforming event of each kind must give [], and each single-field
# mutation of one of them must be reported, under the mutated field's path
# and nowhere else. POSIX sh: also runs under busybox ash. Needs jq (1.6+).
#
#   sh tests/e2e/tetragon-types-selftest.sh     (JQ=/path/to/jq to pick one)

here=$(cd "$(dirname "$0")" && pwd)
PROG=$here/tetragon-types.jq
JQ=${JQ:-jq}
PASS=0 FAIL=0

command -v "$JQ" >/dev/null 2>&1 || {
	echo "FAIL tetragon-types: jq is missing"
	echo "tetragon-types: 0 passed, 1 failed"
	exit 1
}

ok() { PASS=$((PASS + 1)); echo "ok $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1: $2"; }

# the checker's verdict on one line
check() { printf '%s\n' "$1" | "$JQ" -c -f "$PROG" 2>&1; }

# good NAME LINE: the line conforms
good() {
	__out=$(check "$2")
	if [ "$__out" = "[]" ]; then
		ok "good/$1"
	else
		fail "good/$1" "$__out"
	fi
}

# bad NAME PATH BASE MUTATION: BASE changed by the jq filter MUTATION is
# reported, and every violation found names PATH.
bad() {
	if ! __line=$(printf '%s\n' "$3" | "$JQ" -c "$4" 2>&1); then
		fail "bad/$1" "mutation '$4' does not run: $__line"
		return
	fi
	__out=$(check "$__line")
	# shellcheck disable=SC2016 # $p is jq's
	if printf '%s\n' "$__out" | "$JQ" -e --arg p "$2" \
		'type == "array" and length > 0 and all(.[]; startswith($p + ":"))' >/dev/null 2>&1; then
		ok "bad/$1"
	else
		fail "bad/$1" "want violations of $2 only, got $__out"
	fi
}

T='"2026-11-25T15:54:37.700407192Z"'
NS='{"uts":{"inum":4026531838,"is_host":true},"ipc":{"inum":4026531839,"is_host":true},"mnt":{"inum":4026532301},"pid":{"inum":4026531836,"is_host":true},"pid_for_children":{"inum":4026531836,"is_host":true},"net":{"inum":4026531840,"is_host":true},"time":{"inum":4026531834,"is_host":true},"time_for_children":{"inum":4026531834,"is_host":true},"cgroup":{"inum":4026531835,"is_host":true},"user":{"inum":4026531837,"is_host":true}}'
CAP='{"permitted":["CAP_CHOWN","DAC_OVERRIDE","CAP_SETUID","CAP_CHECKPOINT_RESTORE"],"effective":["CAP_CHOWN","DAC_OVERRIDE"],"inheritable":["CAP_KILL"]}'

# a Process with every field Tetragon has, each correctly typed
PROC='{"exec_id":"bm9kZToxMjM0NTY3ODk6NTY3OA==","pid":5678,"tid":5678,"uid":0,"auid":4294967295,
"cwd":"/root","binary":"/usr/bin/ls","arguments":"-l \"a b\"","flags":"execve rootcwd clone",
"start_time":'"$T"',
"pod":{"namespace":"default","name":"web-0","labels":["k8s:app=web"],"pod_labels":{"app":"web"},
 "container":{"id":"containerd://4b0c","name":"web","image":{"id":"sha256:9f1e","name":"nginx"},
  "start_time":"2026-11-25T15:00:00Z","pid":1,"maybe_exec_probe":true},
 "workload":"web","workload_kind":"StatefulSet"},
"docker":"4b0c1f2","parent_exec_id":"bm9kZToxMDAwOjEyMzQ=","refcnt":1,
"cap":'"$CAP"',"ns":'"$NS"',
"process_credentials":{"uid":0,"gid":0,"euid":0,"egid":0,"suid":0,"sgid":0,"fsuid":0,"fsgid":0,
 "securebits":["SecBitKeepCaps"],"caps":'"$CAP"',
 "user_ns":{"level":0,"uid":0,"gid":0,"ns":{"inum":4026531837,"is_host":true}}},
"binary_properties":{"setuid":0,"setgid":0,"privileges_changed":["PRIVILEGES_RAISED_EXEC_FILE_SETUID"],
 "file":{"inode":{"number":"18446744073709551615","links":1},"path":"/usr/bin/ls"}},
"user":{"name":"root"},"in_init_tree":false,
"environment_variables":[{"key":"PATH","value":"/usr/bin:/bin"}]}'
PARENT='{"exec_id":"bm9kZToxMDAwOjEyMzQ=","pid":1234,"tid":1234,"uid":1000,"auid":1000,"cwd":"/home/u","binary":"/bin/bash","flags":"procFS","start_time":"2026-11-25T15:50:00.1Z","refcnt":2,"in_init_tree":true}'
ANCESTOR='{"exec_id":"bm9kZToxOjE=","pid":1,"tid":1,"uid":0,"auid":4294967295,"cwd":"/","binary":"/sbin/init","flags":"procFS rootcwd","start_time":"2026-11-25T08:00:00Z"}'

EXEC='{"process_exec":{"process":'"$PROC"',"parent":'"$PARENT"',"ancestors":['"$ANCESTOR"']},"node_name":"node-1","time":'"$T"'}'
EXIT='{"process_exit":{"process":'"$PROC"',"parent":'"$PARENT"',"signal":"SIGKILL","status":137,"time":'"$T"',"ancestors":['"$ANCESTOR"']},"node_name":"node-1","time":'"$T"'}'
FORK='{"process_fork":{"process":'"$PROC"',"parent":'"$PARENT"',"ancestors":['"$ANCESTOR"']},"node_name":"node-1","time":'"$T"'}'
# one line each, as penguard writes them
if ! EXEC=$(printf '%s\n' "$EXEC" | "$JQ" -c .) || ! EXIT=$(printf '%s\n' "$EXIT" | "$JQ" -c .) ||
	! FORK=$(printf '%s\n' "$FORK" | "$JQ" -c .); then
	echo "FAIL tetragon-types: the samples are not JSON"
	echo "tetragon-types: 0 passed, 1 failed"
	exit 1
fi

# ---- conforming lines ----
good exec "$EXEC"
good exit "$EXIT"
good fork "$FORK"
good exit_status_0_signal_none "$(printf '%s\n' "$EXIT" | "$JQ" -c 'del(.process_exit.status, .process_exit.signal)')"
good no_parent_no_ancestors "$(printf '%s\n' "$EXEC" | "$JQ" -c 'del(.process_exec.parent, .process_exec.ancestors)')"
good wrappers_at_zero "$(printf '%s\n' "$EXEC" | "$JQ" -c '.process_exec.process |= (.pid = 0 | .tid = 0 | .uid = 0 | .auid = 0 | .in_init_tree = false | .exec_id = "")')"
good ns_not_host_and_time_no_fraction "$(printf '%s\n' "$EXEC" | "$JQ" -c '.process_exec.process.ns = {"net":{"inum":4026532500}} | .time = "2026-11-25T15:54:37Z"')"
# penguard's own keys, of any type, are not looked at
good penguard_extras "$(printf '%s\n' "$EXIT" | "$JQ" -c '.process_exit += {"run_time_ns":12345,"core_dumped":false,"policy":"","tags":[]}
	| .process_exit.process += {"ppid":1234,"euid":0,"gid":"x","comm":"ls","tty":"pts/0","cgroup_id":42,"cgroup":"/user.slice","script":"/x.sh"}')"
# the stub penguard writes for a parent not in its cache; penguard flag words
good parent_stub '{"process_exec":{"process":{"exec_id":"YQ==","pid":7,"flags":"execve clone"},"parent":{"exec_id":"Yg==","pid":6,"flags":"unknown"}},"node_name":"n","time":"2026-01-01T00:00:00.5Z"}'
good other_kind '{"process_kprobe":{"process":{"pid":1},"function_name":"x"},"node_name":"n","time":"2026-01-01T00:00:00Z"}'

# ---- one array per input line ----
__out=$(printf '%s\n%s\n%s\n' "$EXEC" '{"process_exec":{"process":{"pid":"1"}},"node_name":"n","time":'"$T"'}' "$EXIT" |
	"$JQ" -c -f "$PROG" 2>&1 | tr '\n' '|')
if [ "$__out" = '[]|["process_exec.process.pid: expected number (uint32), got string"]|[]|' ]; then
	ok lines
else
	fail lines "$__out"
fi

# ---- violations ----
P=.process_exec.process
bad ns_net_number process_exec.process.ns.net "$EXEC" "$P.ns.net = 4026531840"
bad status_0 process_exit.status "$EXIT" '.process_exit.status = 0'
bad uid_string process_exec.process.uid "$EXEC" "$P.uid = \"0\""
bad cap_unknown 'process_exec.process.cap.effective[2]' "$EXEC" "$P.cap.effective += [\"CAP_DAC_OVERRIDE\"]"
bad cap_not_array process_exec.process.cap.permitted "$EXEC" "$P.cap.permitted = \"CAP_CHOWN\""
bad cred_cap_unknown 'process_exec.process.process_credentials.caps.inheritable[0]' "$EXEC" "$P.process_credentials.caps.inheritable = [\"CAP_FOO\"]"
bad inode_number_number process_exec.process.binary_properties.file.inode.number "$EXEC" "$P.binary_properties.file.inode.number = 1234567"
bad inode_number_zero process_exec.process.binary_properties.file.inode.number "$EXEC" "$P.binary_properties.file.inode.number = \"0\""
bad inode_number_too_big process_exec.process.binary_properties.file.inode.number "$EXEC" "$P.binary_properties.file.inode.number = \"18446744073709551616\""
bad inode_links_string process_exec.process.binary_properties.file.inode.links "$EXEC" "$P.binary_properties.file.inode.links = \"1\""
bad is_host_false process_exec.process.ns.mnt.is_host "$EXEC" "$P.ns.mnt.is_host = false"
bad inum_string process_exec.process.ns.pid.inum "$EXEC" "$P.ns.pid.inum = \"4026531836\""
bad inum_zero process_exec.process.ns.time.inum "$EXEC" "$P.ns.time.inum = 0"
bad ns_unknown_key process_exec.process.ns.cgroup_id "$EXEC" "$P.ns.cgroup_id = {\"inum\":1}"
bad ns_extra_field process_exec.process.ns.uts.host "$EXEC" "$P.ns.uts.host = true"
bad docker_empty process_exec.process.docker "$EXEC" "$P.docker = \"\""
bad parent_exec_id_empty process_exec.parent.parent_exec_id "$EXEC" '.process_exec.parent.parent_exec_id = ""'
bad arguments_empty process_exec.process.arguments "$EXEC" "$P.arguments = \"\""
bad arguments_array process_exec.process.arguments "$EXEC" "$P.arguments = [\"-l\"]"
bad refcnt_0 process_exec.process.refcnt "$EXEC" "$P.refcnt = 0"
bad start_time_not_rfc3339 process_exec.process.start_time "$EXEC" "$P.start_time = \"2026-11-25 15:54:37\""
bad start_time_number process_exec.process.start_time "$EXEC" "$P.start_time = 1764086077700407192"
bad start_time_offset process_exec.process.start_time "$EXEC" "$P.start_time = \"2026-11-25T16:54:37.7+01:00\""
bad start_time_10_digits process_exec.process.start_time "$EXEC" "$P.start_time = \"2026-11-25T15:54:37.7004071921Z\""
bad time_month_13 time "$EXEC" '.time = "2026-13-25T15:54:37Z"'
bad time_missing time "$EXEC" 'del(.time)'
bad node_name_missing node_name "$EXEC" 'del(.node_name)'
bad node_name_number node_name "$EXEC" '.node_name = 1'
bad ancestors_not_array process_exec.ancestors "$EXEC" '.process_exec.ancestors = .process_exec.ancestors[0]'
bad ancestor_uid_string 'process_exec.ancestors[0].uid' "$EXEC" '.process_exec.ancestors[0].uid = "0"'
bad process_missing process_exec.process "$EXEC" 'del(.process_exec.process)'
bad process_not_object process_exec.process "$EXEC" "$P = \"ls\""
bad pid_negative process_exec.process.pid "$EXEC" "$P.pid = -1"
bad pid_fraction process_exec.process.pid "$EXEC" "$P.pid = 1.5"
bad auid_too_big process_exec.process.auid "$EXEC" "$P.auid = 4294967296"
bad tid_null process_exec.process.tid "$EXEC" "$P.tid = null"
bad exec_id_number process_exec.process.exec_id "$EXEC" "$P.exec_id = 5"
bad flags_double_space process_exec.process.flags "$EXEC" "$P.flags = \"execve  clone\""
bad flags_leading_space process_exec.process.flags "$EXEC" "$P.flags = \" execve\""
bad flags_trailing_space process_exec.process.flags "$EXEC" "$P.flags = \"execve \""
bad flags_tab process_exec.process.flags "$EXEC" "$P.flags = \"execve\tclone\""
bad flags_array process_exec.process.flags "$EXEC" "$P.flags = [\"execve\"]"
bad in_init_tree_string process_exec.process.in_init_tree "$EXEC" "$P.in_init_tree = \"false\""
bad cred_euid_string process_exec.process.process_credentials.euid "$EXEC" "$P.process_credentials.euid = \"0\""
bad securebits_string process_exec.process.process_credentials.securebits "$EXEC" "$P.process_credentials.securebits = \"SecBitKeepCaps\""
bad user_ns_level_fraction process_exec.process.process_credentials.user_ns.level "$EXEC" "$P.process_credentials.user_ns.level = 0.5"
bad user_ns_ns_is_host_false process_exec.process.process_credentials.user_ns.ns.is_host "$EXEC" "$P.process_credentials.user_ns.ns.is_host = false"
bad setuid_string process_exec.process.binary_properties.setuid "$EXEC" "$P.binary_properties.setuid = \"0\""
bad privileges_unknown 'process_exec.process.binary_properties.privileges_changed[0]' "$EXEC" "$P.binary_properties.privileges_changed = [\"PRIVILEGES_RAISED\"]"
bad file_path_empty process_exec.process.binary_properties.file.path "$EXEC" "$P.binary_properties.file.path = \"\""
bad user_name_number process_exec.process.user.name "$EXEC" "$P.user.name = 0"
bad env_value_number 'process_exec.process.environment_variables[0].value' "$EXEC" "$P.environment_variables[0].value = 1"
bad env_key_missing 'process_exec.process.environment_variables[0].key' "$EXEC" "$P.environment_variables[0] |= del(.key)"
bad pod_not_object process_exec.process.pod "$EXEC" "$P.pod = \"web-0\""
bad signal_number process_exit.signal "$EXIT" '.process_exit.signal = 9'
bad signal_empty process_exit.signal "$EXIT" '.process_exit.signal = ""'
bad status_string process_exit.status "$EXIT" '.process_exit.status = "137"'
bad exit_time_missing process_exit.time "$EXIT" 'del(.process_exit.time)'
bad exit_time_ktime process_exit.time "$EXIT" '.process_exit.time = 123456789'
bad exit_ns_number process_exit.process.ns.user "$EXIT" '.process_exit.process.ns.user = 4026531837'
bad fork_parent_pid_string process_fork.parent.pid "$FORK" '.process_fork.parent.pid = "1234"'
bad fork_process_missing process_fork.process "$FORK" 'del(.process_fork.process)'
bad two_event_keys event "$EXEC" '.process_fork = .process_exec'
bad no_event_key event "$EXEC" 'del(.process_exec)'
bad event_not_object event "$EXEC" '[.]'
bad body_not_object process_exec "$EXEC" '.process_exec = []'

echo "tetragon-types: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
