# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end tests of the host sensor (credentials_change,
# namespace_change, host_change), sourced by run.sh (POSIX sh). The
# workloads are pg-host (tests/helpers/pg-host.c) and, where present,
# util-linux's unshare and nsenter; a test whose tool is missing says
# skipped and why. Each event is found by its process id.

PGHOST=$(readlink -f "$PG_HELPERS/pg-host" 2>/dev/null)

# hpid OUTPUT: the pid a pg-host run printed (its line "pid=P")
hpid() { js "$1" | sed -n 's/^pid=//p'; }

# has_syscall NAME: whether this kernel has the call (its tracepoint)
has_syscall() {
	[ -e "/sys/kernel/tracing/events/syscalls/sys_enter_$1" ] ||
		[ -e "/sys/kernel/debug/tracing/events/syscalls/sys_enter_$1" ]
}

# no_ia32 TEST OUT: whether pg-host's OUT says int $0x80 faulted (no IA32
# emulation); TEST is skipped then.
no_ia32() {
	js "$2" | grep -q '^compat=none' || return 1
	skip "$1" "no 32-bit system calls here (int \$0x80 faults: no IA32 emulation)"
}

# hev TEST TYPE PID [JQ [AGENT]]: wait for the TYPE event of PID in the
# export of AGENT (default: host); HX is the event, or fail TEST.
hev() {
	event_of "$1" "${5:-host}" "$2" "$3" "${4:-true}" "$HOST_WAIT" "${4:+with $4}" || {
		HOST_WAIT=$SLOW
		# what the agent said of the sensor: a refused program says why
		grep -a -m 5 'host\|error' "$WORK/${5:-host}.log" 2>/dev/null | cut -c1-400 | sed 's/^/    agent: /'
		return 1
	}
	HX=$EV
}

# The policy the tests run under: every host event, and execs (so that
# the process of each event is known by its binary).
h_policy_all() {
	cat >"$WORK/hall.yaml" <<'EOF'
name: host-all
rules:
  - name: everything
    on: [credentials_change, namespace_change, host_change]
  - name: execs
    on: [process_exec]
EOF
}

# setresgid, setresuid away from root keeping it saved, back to root (a
# privilege escalation), capset dropping CAP_NET_RAW, setgroups,
# setfsuid: one event each, before and after as the kernel held them.
t_host_creds() {
	_out=$("$PGHOST" creds 1234 2>&1)
	_pid=$(hpid "$_out")
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
	hev host_creds credentials_change "$_pid" '.credentials_change.credentials.syscall == "setgroups"' || return
	check host_creds "$HX" '.credentials_change.credentials as $c | $c.groups_after == [1234, 1235] and
		$c.before.uid == $c.after.uid and ($c.groups_before | index([1234])) == null' || return
	hev host_creds credentials_change "$_pid" '.credentials_change.credentials.syscall == "setfsuid"' || return
	check host_creds "$HX" '.credentials_change.credentials as $c | $c.return == 0 and
		$c.before.fsuid == 0 and $c.after.fsuid == 1234 and $c.after.euid == 0' || return
	[ "$(count_events host '"credentials_change"' ".credentials_change.process.pid == $_pid")" = 6 ] ||
		{ fail host_creds "not 6 credentials_change events for pid $_pid"; return; }
	ok host_creds
}

# hexec TEST FILE MARK: run FILE as uid 65534 (pg-testbin asuser: setgid,
# setuid, execve), HPID its pid, or fail TEST.
hexec() {
	"$BIN" asuser 65534 "$2" exit 0 "$3" &
	HPID=$!
	wait "$HPID" || { fail "$1" "$2 run as uid 65534 failed: rc=$?"; return 1; }
}

# The exec of a set-user-ID root file by uid 65534: a credentials_change
# of the execve itself, in the new image, explained by the file (no
# privilege_escalation). The exec of a plain file changes nothing.
t_host_exec_setuid() {
	suid_bin host_exec_setuid || return
	hexec host_exec_setuid "$SUID_BIN" "$(mark hsuid)" || return
	_p=$HPID
	hexec host_exec_setuid "$BIN" "$(mark hplain)" || return
	_q=$HPID
	hev host_exec_setuid credentials_change "$_p" '.credentials_change.credentials.syscall == "execve"' || return
	check host_exec_setuid "$HX" ".credentials_change.process.binary == \"$SUID_BIN\"" || return
	check host_exec_setuid "$HX" '.credentials_change.credentials as $c | $c.return == 0 and
		$c.before.uid == 65534 and $c.before.euid == 65534 and $c.before.caps == {} and
		$c.after.uid == 65534 and $c.after.euid == 0 and $c.after.suid == 0 and
		$c.after.fsuid == 0 and ($c.after.caps.effective | index(["CAP_SYS_ADMIN"])) != null and
		$c.privileges_changed == ["PRIVILEGES_RAISED_EXEC_FILE_SETUID"] and
		($c.privilege_escalation | not)' || return
	# the plain run: its setgid and setuid, then its exec (seen), no change by it
	hev host_exec_setuid process_exec "$_q" ".process_exec.process.binary == \"$BIN\"" || return
	sleep 0.2
	_n=$(count_events host '"credentials_change"' ".credentials_change.process.pid == $_q and
		.credentials_change.credentials.syscall == \"execve\"")
	[ "$_n" = 0 ] || { fail host_exec_setuid "$_n credentials_change for the exec of a plain file"; return; }
	ok host_exec_setuid
}

# The exec of a set-user-ID root file through the 32-bit execve (int
# $0x80), which no syscall tracepoint sees: from 6.10 the sensor takes
# execs at sched_prepare_exec, and reports it as the 64-bit one, marked
# compat32. Before 6.10 it is not seen (docs/EVENTS-HOST.md).
t_host_exec_compat() {
	set -- $(uname -r | tr '.-' '  ')
	if [ "$1" -lt 6 ] || { [ "$1" = 6 ] && [ "$2" -lt 10 ]; }; then
		skip host_exec_compat "kernel $(uname -r) < 6.10 has no sched_prepare_exec: a 32-bit execve is not seen"
		return
	fi
	suid_bin host_exec_compat || return
	_out=$("$PGHOST" compat-exec 65534 "$SUID_BIN" 2>&1)
	_rc=$?
	_pid=$(hpid "$_out")
	no_ia32 host_exec_compat "$_out" && return
	[ "$_rc" = 0 ] || { fail host_exec_compat "pg-host compat-exec: rc=$_rc $_out"; return; }
	hev host_exec_compat credentials_change "$_pid" '.credentials_change.credentials.syscall == "execve"' || return
	check host_exec_compat "$HX" ".credentials_change.process.binary == \"$SUID_BIN\"" || return
	check host_exec_compat "$HX" '.credentials_change.credentials as $c | $c.compat32 == true and
		$c.return == 0 and $c.before.uid == 65534 and $c.before.euid == 65534 and
		$c.after.uid == 65534 and $c.after.euid == 0 and
		$c.privileges_changed == ["PRIVILEGES_RAISED_EXEC_FILE_SETUID"] and
		($c.privilege_escalation | not)' || return
	ok host_exec_compat
}

# The exec of a file with a file capability (CAP_NET_RAW, permitted and
# effective) by uid 65534: the capability gained, explained by the file.
t_host_exec_filecap() {
	_d=$(pubdir) || { fail host_exec_filecap "mktemp -d failed"; return; }
	suid_ok host_exec_filecap "$_d" || return
	cp "$BIN" "$_d/cap-bin" || { fail host_exec_filecap "cannot copy $BIN"; return; }
	"$PGHOST" filecap "$_d/cap-bin" 2>"$WORK/filecap.err"
	case $? in
	0) ;;
	3)
		skip host_exec_filecap "no security xattrs on $_d's file system: $(cat "$WORK/filecap.err")"
		return
		;;
	*)
		fail host_exec_filecap "pg-host filecap: $(cat "$WORK/filecap.err")"
		return
		;;
	esac
	hexec host_exec_filecap "$_d/cap-bin" "$(mark hcap)" || return
	hev host_exec_filecap credentials_change "$HPID" '.credentials_change.credentials.syscall == "execve"' || return
	check host_exec_filecap "$HX" '.credentials_change.credentials as $c |
		$c.before.euid == 65534 and $c.after.euid == 65534 and $c.before.caps == {} and
		$c.after.caps.permitted == ["CAP_NET_RAW"] and $c.after.caps.effective == ["CAP_NET_RAW"] and
		$c.privileges_changed == ["PRIVILEGES_RAISED_EXEC_FILE_CAP"] and
		($c.privilege_escalation | not)' || return
	ok host_exec_filecap
}

# uts_hostname TEST: unshare -u, then sethostname in the new UTS
# namespace (the host's name is left alone), one process throughout
# (unshare execs the shell, which execs hostname): HPID its pid, HNAME
# the name. False, with TEST skipped and why, if that cannot run here.
uts_hostname() {
	command -v unshare >/dev/null || { skip "$1" "no unshare command"; return 1; }
	HNAME="pg-$1-$$"
	HNAME=$(echo "$HNAME" | tr _ -)
	if ! unshare -u sh -c "echo \$\$ >'$WORK/uts.pid'; exec hostname $HNAME" 2>"$WORK/uts.err"; then
		skip "$1" "unshare -u hostname failed: $(head -c 200 "$WORK/uts.err")"
		return 1
	fi
	HPID=$(cat "$WORK/uts.pid")
}

# unshare(CLONE_NEWUTS): which namespace changed, its old and new inode.
t_host_ns_unshare() {
	uts_hostname host_ns_unshare || return
	hev host_ns_unshare namespace_change "$HPID" '.namespace_change.namespaces.syscall == "unshare"' || return
	check host_ns_unshare "$HX" '.namespace_change.namespaces as $n | $n.return == 0 and
		$n.changed == ["uts"] and ($n.flags | tonumber) == 67108864 and
		$n.before.uts.inum != $n.after.uts.inum and $n.before.mnt.inum == $n.after.mnt.inum' || return
	ok host_ns_unshare
}

# clone(CLONE_NEWUTS | SIGCHLD): the child's namespaces against its
# parent's, and the flags told from what the child got (0x4000011)
t_host_ns_clone() {
	_out=$("$PGHOST" newuts 2>&1) || { fail host_ns_clone "pg-host newuts: $_out"; return; }
	_pid=$(js "$_out" | sed -n 's/^pid=\([0-9]*\) .*/\1/p')
	_child=$(js "$_out" | sed -n 's/.* child=//p')
	hev host_ns_clone namespace_change "$_pid" '.namespace_change.namespaces.syscall == "clone"' || return
	check host_ns_clone "$HX" ".namespace_change.namespaces as \$n | \$n.child_pid == $_child and
		\$n.changed == [\"uts\"] and \$n.before.uts.inum != \$n.after.uts.inum and
		\$n.flags == \"$((0x04000000 | 17))\"" || return
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

# hchg TEST PID SYSCALL [JQ]: the host_change of PID by SYSCALL; HX is the event.
hchg() {
	hev "$1" host_change "$2" ".host_change.host.syscall == \"$3\"${4:+ and ($4)}"
}

# A tmpfs mounted and unmounted in a new mount namespace: the paths,
# source and type as the caller gave them.
# hmount TEST VERB WHAT: pg-host VERB on a new temporary folder, _d, in
# a mount namespace of its own; _pid its pid. False, with TEST skipped,
# when WHAT cannot be mounted here.
hmount() {
	_d=$(mktemp -d)
	_out=$("$PGHOST" "$2" "$_d" 2>&1)
	_rc=$?
	rmdir "$_d"
	_pid=$(hpid "$_out")
	[ "$_rc" = 0 ] || { skip "$1" "cannot mount $3 in a new mount namespace: $_out"; return 1; }
}

t_host_mount() {
	hmount host_mount mount "a tmpfs" || return
	# (the first mount is the namespace's root made private)
	hchg host_mount "$_pid" mount '.host_change.host.fstype == "tmpfs"' || return
	check host_mount "$HX" ".host_change.host as \$h | \$h.kind == \"mount\" and \$h.return == 0 and
		\$h.path == \"$_d\" and \$h.source == \"pgtmp\" and \$h.fstype == \"tmpfs\"" || return
	hchg host_mount "$_pid" umount2 || return
	check host_mount "$HX" ".host_change.host as \$h | \$h.kind == \"mount\" and \$h.return == 0 and
		\$h.path == \"$_d\"" || return
	# the unshare(CLONE_NEWNS) before it
	hev host_mount namespace_change "$_pid" '.namespace_change.namespaces.changed == ["mnt"]' || return
	ok host_mount
}

# The same with the new mount API, in a new mount namespace: fsopen,
# fsconfig, fsmount, move_mount, open_tree (a clone), mount_setattr where the
# kernel has it (5.12+), each a host_change of kind mount.
t_host_newmount() {
	hmount host_newmount newmount "with the new mount API" || return
	hchg host_newmount "$_pid" fsopen || return
	check host_newmount "$HX" '.host_change.host as $h | $h.kind == "mount" and $h.return >= 0 and
		$h.fstype == "tmpfs"' || return
	# its option ("size"="1m"), then its creation: a key and value, then a command
	hchg host_newmount "$_pid" fsconfig '.host_change.host.key == "size"' || return
	check host_newmount "$HX" '.host_change.host as $h | $h.kind == "mount" and $h.return == 0 and
		$h.command == "FSCONFIG_SET_STRING" and $h.value == "1m"' || return
	hchg host_newmount "$_pid" fsconfig '.host_change.host.command == "FSCONFIG_CMD_CREATE"' || return
	hchg host_newmount "$_pid" fsmount || return
	# MOUNT_ATTR_NODEV
	check host_newmount "$HX" '.host_change.host as $h | $h.kind == "mount" and $h.return >= 0 and
		$h.attributes == "4"' || return
	hchg host_newmount "$_pid" move_mount || return
	check host_newmount "$HX" ".host_change.host as \$h | \$h.kind == \"mount\" and \$h.return == 0 and
		\$h.path == \"$_d\" and \$h.source == \"\" and \$h.flags == \"4\"" || return
	hchg host_newmount "$_pid" open_tree || return
	check host_newmount "$HX" ".host_change.host as \$h | \$h.return >= 0 and \$h.path == \"$_d\" and
		\$h.flags == \"1\"" || return
	if has_syscall mount_setattr; then
		hchg host_newmount "$_pid" mount_setattr || return
		# MOUNT_ATTR_RDONLY set, nothing cleared
		check host_newmount "$HX" ".host_change.host as \$h | \$h.return == 0 and \$h.path == \"$_d\" and
			\$h.attr_set == \"1\" and \$h.attr_clr == \"0\"" || return
	fi
	ok host_newmount
}

# sethostname in a new UTS namespace: the name.
t_host_hostname() {
	uts_hostname host_hostname || return
	hchg host_hostname "$HPID" sethostname || return
	check host_hostname "$HX" ".host_change.host as \$h | \$h.kind == \"hostname\" and
		\$h.return == 0 and \$h.name == \"$HNAME\"" || return
	ok host_hostname
}

# Calls that fail (or change nothing), harmless here: each failure is
# still a host_change, with its errno; a read-only adjtimex is none.
t_host_calls() {
	_out=$("$PGHOST" calls 2>&1) || { fail host_calls "pg-host calls: $_out"; return; }
	_pid=$(hpid "$_out")
	hchg host_calls "$_pid" clock_settime || return
	check host_calls "$HX" '.host_change.host as $h | $h.kind == "time" and $h.return == -22 and
		$h.error == "EINVAL" and $h.clock == 1' || return
	hchg host_calls "$_pid" swapoff || return
	check host_calls "$HX" '.host_change.host as $h | $h.kind == "swap" and $h.error == "ENOENT" and
		$h.path == "/nonexistent-pg"' || return
	hchg host_calls "$_pid" reboot || return
	check host_calls "$HX" '.host_change.host as $h | $h.kind == "reboot" and $h.error == "EINVAL"' || return
	hchg host_calls "$_pid" chroot || return
	check host_calls "$HX" '.host_change.host as $h | $h.kind == "mount" and $h.return == 0 and $h.path == "/"' || return
	hchg host_calls "$_pid" pivot_root || return
	check host_calls "$HX" '.host_change.host as $h | $h.kind == "mount" and $h.error == "ENOENT" and
		$h.path == "/nonexistent-pg" and $h.put_old == "/nonexistent-pg"' || return
	[ "$(count_events host '"adjtimex"' ".host_change.process.pid == $_pid")" = 0 ] ||
		{ fail host_calls "a read-only adjtimex was reported"; return; }
	ok host_calls
}

# The module calls where the kernel has them (the VM kernels; not this
# host's): init_module, finit_module and delete_module, each refused,
# each reported with its error and what it was given; and a module the
# kernel requests for the process (a socket of an unknown protocol).
t_host_module() {
	# where they are missing, host_unavailable says "skip host_module" and why
	[ -e /proc/modules ] || return 0
	_out=$("$PGHOST" modcalls 2>&1)
	_pid=$(hpid "$_out")
	[ -n "$_pid" ] || { fail host_module "pg-host modcalls: $_out"; return; }
	hchg host_module "$_pid" init_module || return
	check host_module "$HX" '.host_change.host as $h | $h.kind == "module" and $h.return < 0 and
		$h.arguments == "pg_arg=1"' || return
	hchg host_module "$_pid" finit_module || return
	check host_module "$HX" '.host_change.host as $h | $h.kind == "module" and $h.return < 0 and
		$h.arguments == "pg_arg=1"' || return
	hchg host_module "$_pid" delete_module || return
	check host_module "$HX" '.host_change.host as $h | $h.kind == "module" and $h.error == "ENOENT" and
		$h.name == "pg_no_such_mod"' || return
	# the kernel's own request, on the process's behalf: no module call
	hchg host_module "$_pid" request_module || return
	check host_module "$HX" '.host_change.host as $h | $h.kind == "module" and
		$h.name == "net-pf-2-proto-253-type-2" and $h.wait == true' && ok host_module
}

# The kexec calls where the kernel has them (the VM kernels; not this
# host's), each refused before it changes anything: reported with the
# error, the flags and kexec_file_load's command line.
t_host_kexec() {
	# where they are missing, host_unavailable says "skip host_kexec" and why
	[ -z "$(echo "$PROBE" | jq -r '.unavailable[]? | select(.kind == "kexec") | .kind')" ] || return 0
	_out=$("$PGHOST" kexec 2>&1)
	_pid=$(hpid "$_out")
	[ -n "$_pid" ] || { fail host_kexec "pg-host kexec: $_out"; return; }
	# EINVAL, or EPERM where lockdown or kexec_load_disabled refuses first
	hchg host_kexec "$_pid" kexec_load || return
	check host_kexec "$HX" '.host_change.host as $h | $h.kind == "kexec" and
		($h.error == "EINVAL" or $h.error == "EPERM") and $h.flags == "1"' || return
	hchg host_kexec "$_pid" kexec_file_load || return
	check host_kexec "$HX" '.host_change.host as $h | $h.kind == "kexec" and
		($h.error == "EINVAL" or $h.error == "EPERM") and $h.arguments == "pg_arg=1" and
		$h.flags == "2147483648"' && ok host_kexec
}

# bpf(BPF_PROG_LOAD) by another process than the agent: type and name.
t_host_bpf() {
	_out=$("$PGHOST" bpfload 2>&1)
	_pid=$(js "$_out" | sed -n 's/^pid=\([0-9]*\) .*/\1/p')
	[ -n "$_pid" ] || { fail host_bpf "pg-host bpfload: $_out"; return; }
	hchg host_bpf "$_pid" bpf || return
	check host_bpf "$HX" '.host_change.host as $h | $h.kind == "bpf" and
		$h.program_type == "socket_filter" and $h.name == "pg_host_test"' || return
	# the agent's own loads are not reported
	_ap=$(eval echo \$AGENT_host)
	[ "$(count_events host '"host_change"' ".host_change.process.pid == $_ap")" = 0 ] ||
		{ fail host_bpf "the agent's own program loads were reported"; return; }
	ok host_bpf
}

# PTRACE_ATTACH and process_vm_writev against a test target.
t_host_ptrace() {
	"$PGHOST" target >"$WORK/htarget.out" &
	_tp=$!
	_i=0
	while ! grep -q addr= "$WORK/htarget.out" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	_addr=$(sed -n 's/.*addr=//p' "$WORK/htarget.out")
	_t=$("$PGHOST" trace "$_tp" 2>&1)
	_v=$("$PGHOST" vmwrite "$_tp" "$_addr" 2>&1)
	kill "$_tp" 2>/dev/null
	wait "$_tp" 2>/dev/null
	_pid=$(hpid "$_t")
	[ -n "$_pid" ] || { fail host_ptrace "pg-host trace: $_t"; return; }
	hchg host_ptrace "$_pid" ptrace || return
	check host_ptrace "$HX" ".host_change.host as \$h | \$h.kind == \"ptrace\" and \$h.return == 0 and
		\$h.request == \"PTRACE_ATTACH\" and \$h.target_pid == $_tp" || return
	_pid=$(js "$_v" | sed -n 's/^pid=\([0-9]*\) .*/\1/p')
	hchg host_ptrace "$_pid" process_vm_writev || return
	check host_ptrace "$HX" ".host_change.host as \$h | \$h.kind == \"process_vm_write\" and
		\$h.return == 1 and \$h.target_pid == $_tp" || return
	ok host_ptrace
}

# The built-in policies report each kind of change under its own rule
# names and tags: policies/host.yaml the calls, policies/process.yaml's
# fileless-exec a program run from a memfd or a deleted file.
t_host_default() {
	agent_start hdef --no-seed || { fail host_default "agent with the built-in policies did not start"; return; }
	_out=$("$PGHOST" creds 1234 2>&1)
	_c=$(hpid "$_out")
	_out=$("$PGHOST" calls 2>&1)
	_h=$(hpid "$_out")
	# fileless execution: a copy of true run from a memfd, and from a deleted file
	_out=$("$PGHOST" fileless memfd 2>&1)
	_m=$(hpid "$_out")
	_out=$("$PGHOST" fileless deleted 2>&1)
	_d=$(hpid "$_out")
	HOST_WAIT=$((5 * SLOW))
	_x="" _y="" _fm="" _fd=""
	hev host_default_c credentials_change "$_c" '.credentials_change.credentials.privilege_escalation == true' hdef &&
		_x=$HX
	hev host_default_h host_change "$_h" '.host_change.host.syscall == "chroot"' hdef && _y=$HX
	hev host_default_m process_exec "$_m" '.process_exec.process.binary == "memfd:pg-fileless"' hdef &&
		_fm=$HX
	hev host_default_d process_exec "$_d" '.process_exec.process.binary | endswith(" (deleted)")' hdef &&
		_fd=$HX
	agent_stop hdef
	[ -n "$_x" ] && [ -n "$_y" ] && [ -n "$_fm" ] && [ -n "$_fd" ] || return
	check host_default "$_x" '.credentials_change.policy.name == "host" and
		(.credentials_change.tags | index(["privilege-escalation"])) != null' || return
	check host_default "$_y" '.host_change.policy.name == "host"' || return
	for _f in "$_fm" "$_fd"; do
		check host_default "$_f" '.process_exec.policy.rule == "fileless-exec" and
			(.process_exec.tags | index(["fileless-execution"])) != null and
			(.process_exec.process.flags | test("memfd|deleted"))' || return
	done
	ok host_default
}

# A real module loaded from its file, then removed: the load names it
# and its file (resolved by the kernel from the fd).
# The VM kernels have one (tests/vm/run.sh puts their dummy.ko in the
# initramfs); a host has none to offer.
t_host_modload() {
	_k=/penguard-test/dummy.ko
	[ -e /proc/modules ] || { skip host_modload "no loadable module support"; return; }
	[ -e "$_k" ] || { skip host_modload "no test module here (the VM kernels have $_k)"; return; }
	_out=$("$PGHOST" modload "$_k" dummy 2>&1) || { fail host_modload "pg-host modload: $_out"; return; }
	_pid=$(hpid "$_out")
	hchg host_modload "$_pid" finit_module || return
	check host_modload "$HX" '.host_change.host as $h | $h.kind == "module" and $h.return == 0 and
		$h.name == "dummy" and $h.file == "/penguard-test/dummy.ko" and $h.arguments == ""' || return
	hchg host_modload "$_pid" delete_module || return
	check host_modload "$HX" '.host_change.host as $h | $h.return == 0 and $h.name == "dummy"' || return
	ok host_modload
}

# A kind: selector: a rule on ptrace alone reports no other host change,
# decided in the kernel.
t_host_kind() {
	cat >"$WORK/hkind.yaml" <<'EOF'
name: host-kind
rules:
  - name: ptrace-only
    on: [host_change]
    match:
      kind: [ptrace]
EOF
	pol_agent hkind hkind --no-seed || { fail host_kind "the agent with a kind rule did not start"; return; }
	_out=$("$PGHOST" calls 2>&1)
	_c=$(hpid "$_out")
	"$PGHOST" target >"$WORK/hktarget.out" &
	_tp=$!
	sleep 0.3
	_out=$("$PGHOST" trace "$_tp" 2>&1)
	kill "$_tp" 2>/dev/null
	wait "$_tp" 2>/dev/null
	_p=$(hpid "$_out")
	_x=""
	hev host_kind host_change "$_p" '.host_change.host.kind == "ptrace"' hkind && _x=$HX
	sleep 0.2
	_n=$(count_events hkind '"host_change"' ".host_change.process.pid == $_c")
	agent_stop hkind
	[ -n "$_x" ] || return
	[ "$_n" = 0 ] || { fail host_kind "$_n host_change events of other kinds were reported"; return; }
	ok host_kind
}

# A rule on credentials_change selecting the set-user-ID file itself
# reports its exec: the caller of execve (not selected) is not what
# decides whether the exec is watched. The caller's own setgid and
# setuid, not selected, are not reported.
t_host_exec_selected() {
	suid_bin host_exec_selected || return
	cat >"$WORK/hsel.yaml" <<EOF
name: host-exec-selected
rules:
  - name: suid-bin
    on: [credentials_change]
    match:
      binary: [$SUID_BIN]
EOF
	pol_agent hsel hsel --no-seed || { fail host_exec_selected "the agent with a binary rule did not start"; return; }
	hexec host_exec_selected "$SUID_BIN" "$(mark hsel)"
	_p=$HPID
	_x=""
	hev host_exec_selected credentials_change "$_p" '.credentials_change.credentials.syscall == "execve"' hsel &&
		_x=$HX
	sleep 0.2
	_n=$(count_events hsel '"credentials_change"' ".credentials_change.process.pid == $_p")
	agent_stop hsel
	[ -n "$_x" ] || return
	check host_exec_selected "$_x" '.credentials_change.policy.rule == "suid-bin" and
		.credentials_change.credentials.after.euid == 0' || return
	[ "$_n" = 1 ] || { fail host_exec_selected "$_n credentials_change for pid $_p, not 1 (its exec)"; return; }
	ok host_exec_selected
}

# host_commits: whether the host sensor watches commit_creds here (its
# fentry and lsm backends).
host_commits() {
	case $(echo "$PROBE" | jq -r '.sensors.host') in
	fentry | lsm) return 0 ;;
	esac
	return 1
}

# Credentials changed through no watched call: back to root by the
# 32-bit setresuid32 (int $0x80), which no syscall tracepoint sees. The
# tracepoint backend finds it at the process's next fork, and at its
# next exec; the fentry and lsm backends as the kernel commits it, even
# if the process then exits (no fork, no exec to compare at), with the
# system call's number from 5.15 (bpf_task_pt_regs), and its fork must
# not report it again. Syscall "none", an escalation, reported once.
t_host_unwatched() {
	_modes="fork exec" _seen='($c | has("seen_at") | not)'
	if host_commits; then
		_modes="exit fork" _seen='$c.seen_at == "commit_creds" and $c.syscall_nr == 208 and $c.syscall_name == "setresuid32" and $c.compat32 == true'
		kernel_before 5.15 && _seen='$c.seen_at == "commit_creds" and ($c | has("syscall_nr") | not)'
	fi
	for _then in $_modes; do
		_out=$("$PGHOST" compat 1234 "$_then" 2>&1)
		_rc=$?
		_pid=$(hpid "$_out")
		no_ia32 host_unwatched "$_out" && return
		[ "$_rc" = 0 ] || { fail host_unwatched "pg-host compat 1234 $_then: $_out"; return; }
		hev host_unwatched credentials_change "$_pid" '.credentials_change.credentials.syscall == "none"' || return
		check host_unwatched "$HX" ".credentials_change.credentials as \$c | $_seen and
			\$c.before.uid == 1234 and \$c.before.suid == 0 and \$c.after.uid == 0 and
			\$c.after.euid == 0 and \$c.privilege_escalation == true and
			(\$c | has(\"return\") | not) and
			(.credentials_change.process.binary | endswith(\"/pg-host\"))" || return
		sleep 0.2
		_n=$(count_events host '"credentials_change"' ".credentials_change.process.pid == $_pid and
			.credentials_change.credentials.syscall == \"none\"")
		[ "$_n" = 1 ] || { fail host_unwatched "$_then: $_n unwatched changes for pid $_pid, not 1"; return; }
	done
	ok "host_unwatched (after: $_modes; host backend $(echo "$PROBE" | jq -r '.sensors.host'))"
}

# A kill rule on credentials_change stops a process before it runs again
# with the new credentials: the child that drops root by setresuid32
# alone (no watched call) never prints its uid. The fentry backend kills
# at commit_creds; the lsm backend earlier, in the call's LSM hook, which
# also refuses the change (EPERM). Where lsm runs, fentry is forced too.
t_host_creds_kill() {
	_hb=$(echo "$PROBE" | jq -r '.sensors.host')
	host_commits || {
		skip host_creds_kill "host backend $_hb here: the tracepoint backend kills after the call (t_host_unwatched tests what it sees of this one)"
		return
	}
	cat >"$WORK/hck.yaml" <<EOF
name: creds-kill
mode: enforce
rules:
  - name: no-creds-change
    on: [credentials_change]
    action: kill
    match:
      binary: [$PGHOST]
EOF
	_bs=$_hb
	[ "$_hb" = lsm ] && _bs="lsm fentry"
	for _b in $_bs; do
		pol_agent hck hck --no-seed --backend "host=$_b" ||
			{ fail host_creds_kill "the agent ($_b) with a kill rule on credentials_change did not start"; return; }
		_out=$("$PGHOST" compat 1234 drop 2>&1)
		_rc=$?
		_pid=$(hpid "$_out")
		_x=""
		no_ia32 host_creds_kill "$_out" && { agent_stop hck; return; }
		hev host_creds_kill credentials_change "$_pid" '.credentials_change.policy.action == "kill"' hck && _x=$HX
		agent_stop hck
		[ -n "$_x" ] || return
		_how='.credentials_change.credentials.seen_at == "commit_creds"'
		[ "$_b" = lsm ] && _how='.credentials_change.credentials as $c | $c.syscall == "setresuid" and $c.return == -1'
		check host_creds_kill "$_x" "$_how and .credentials_change.credentials.after.uid == 1234" || return
		[ "$_rc" = 4 ] && js "$_out" | grep -q '^killed' && ! js "$_out" | grep -q '^compat=' ||
			{ fail host_creds_kill "$_b: the child was not killed before it printed (status $_rc): $_out"; return; }
	done
	ok "host_creds_kill ($_bs)"
}

# A deny rule on credentials_change: with the host sensor's lsm backend
# (and a setgroups hook: 6.1+) setgroups, setresuid and the 32-bit
# setresuid32 fail with EPERM before anything changes, each reported
# with the deny; elsewhere the agent refuses the rule at load, saying
# why, rather than run without the refusal.
t_host_creds_deny() {
	cat >"$WORK/hcd.yaml" <<EOF
name: creds-deny
mode: enforce
rules:
  - name: no-setid
    on: [credentials_change]
    action: deny
    match:
      binary: [$PGHOST]
EOF
	if [ "$(echo "$PROBE" | jq -r '.sensors.host')" != lsm ] || kernel_before 6.1; then
		if pol_agent hcd hcd --no-seed; then
			agent_stop hcd
			fail host_creds_deny "the agent started with a deny rule on credentials_change it cannot enforce (host backend $(echo "$PROBE" | jq -r '.sensors.host'))"
			return
		fi
		grep -q "cannot deny credentials_change (the host sensor does not run its lsm backend" "$WORK/hcd.log" ||
			{ fail host_creds_deny "the refusal does not say why: $(grep -a -m3 error "$WORK/hcd.log")"; return; }
		ok "host_creds_deny (refused at load here: host backend $(echo "$PROBE" | jq -r '.sensors.host'), $(uname -r))"
		return
	fi
	pol_agent hcd hcd --no-seed || { fail host_creds_deny "the agent with a deny rule on credentials_change did not start"; return; }
	_out=$("$PGHOST" setid 1234 2>&1)
	_pid=$(hpid "$_out")
	_x="" _y=""
	hev host_creds_deny credentials_change "$_pid" '.credentials_change.credentials.syscall == "setgroups"' hcd && _x=$HX
	hev host_creds_deny credentials_change "$_pid" '.credentials_change.credentials.syscall == "setresuid"' hcd && _y=$HX
	_cout=$("$PGHOST" compat 1234 drop 2>&1)
	_cpid=$(hpid "$_cout")
	_z=none
	if ! js "$_cout" | grep -q '^compat=none'; then
		_z=""
		hev host_creds_deny credentials_change "$_cpid" '.credentials_change.credentials.syscall == "setresuid"' hcd && _z=$HX
	fi
	agent_stop hcd
	[ -n "$_x" ] && [ -n "$_y" ] && [ -n "$_z" ] || return
	js "$_out" | grep -q '^setgroups=-1/1 setresuid=-1/1 uid=0$' ||
		{ fail host_creds_deny "the calls were not refused with EPERM: $_out"; return; }
	check host_creds_deny "$_x" '.credentials_change.policy.action == "deny" and
		.credentials_change.credentials as $c | $c.return == -1 and $c.groups_after == [1234] and
		$c.groups_before != [1234]' || return
	check host_creds_deny "$_y" '.credentials_change.policy.action == "deny" and
		.credentials_change.credentials as $c | $c.return == -1 and $c.before.uid == 0 and
		$c.after.uid == 1234 and $c.after.suid == 1234' || return
	if [ "$_z" != none ]; then
		js "$_cout" | grep -q '^compat=-1 uid=0$' ||
			{ fail host_creds_deny "the 32-bit setresuid32 was not refused: $_cout"; return; }
		check host_creds_deny "$_z" '.credentials_change.policy.action == "deny" and
			.credentials_change.credentials.after.uid == 1234' || return
	fi
	ok host_creds_deny
}

# sysctl_ok TEST: whether this kernel reports sysctl writes; if not,
# TEST is skipped with probe's reason.
sysctl_ok() {
	__why=$(echo "$PROBE" | jq -r '.unavailable[]? | select(.kind == "sysctl") | .why')
	[ -z "$__why" ] && return 0
	skip "$1" "$__why"
	return 1
}

# hsysctl VALUE [wait]: pg-host sysctl; _pid, _old (the value before),
# _write (0 or -errno) and _now (the value after) of its run, _rc its status.
hsysctl() {
	# the status from inside: the shell that sees a kill says "Killed"
	_out=$( ("$PGHOST" sysctl "$@" 2>&1; echo "rc=$?") 2>/dev/null)
	_rc=$(js "$_out" | sed -n 's/^rc=//p')
	_pid=$(js "$_out" | sed -n 's/^pid=\([0-9]*\) .*/\1/p')
	_old=$(js "$_out" | sed -n 's/^pid=[0-9]* old=//p')
	_write=$(js "$_out" | sed -n 's/^write=//p')
	_now=$(js "$_out" | sed -n 's/^now=//p')
}

# A write to /proc/sys (kernel.domainname, in a UTS namespace of its
# own): named as sysctl(8) names it, the value written and the one
# before; a write names no system call (any write call reaches it).
t_host_sysctl() {
	sysctl_ok host_sysctl || return
	hsysctl pg-sysctl
	[ "$_now" = pg-sysctl ] || { fail host_sysctl "pg-host sysctl: $_out"; return; }
	hev host_sysctl host_change "$_pid" '.host_change.host.kind == "sysctl"' || return
	check host_sysctl "$HX" ".host_change.host as \$h | \$h.return == 0 and
		\$h.name == \"kernel.domainname\" and \$h.value == \"pg-sysctl\" and
		\$h.old_value == \"$_old\" and (\$h | has(\"syscall\") | not)" || return
	ok host_sysctl
}

# Enforcement on sysctl writes, on every backend: the cgroup hook refuses
# the write (EPERM) before the kernel takes it, the value stays; a kill
# refuses it too, and the agent kills the writer (a cgroup program
# cannot send signals).
t_host_sysctl_enforce() {
	sysctl_ok host_sysctl_enforce || return
	for _a in deny kill; do
		cat >"$WORK/hs$_a.yaml" <<EOF
name: sysctl-$_a
mode: enforce
rules:
  - name: no-sysctl
    on: [host_change]
    action: $_a
    match:
      kind: [sysctl]
      binary: [$PGHOST]
EOF
		pol_agent "hs$_a" "hs$_a" --no-seed || { fail host_sysctl_enforce "the agent with a $_a rule on sysctl did not start"; return; }
		hsysctl "pg-$_a" wait
		_x=""
		hev host_sysctl_enforce host_change "$_pid" '.host_change.host.kind == "sysctl"' "hs$_a" && _x=$HX
		agent_stop "hs$_a"
		[ -n "$_x" ] || return
		[ "$_write" = -1 ] && [ "$_now" = "$_old" ] ||
			{ fail host_sysctl_enforce "$_a: the write was not refused: $_out"; return; }
		check host_sysctl_enforce "$_x" ".host_change.policy.action == \"$_a\" and
			.host_change.host.return == -1 and .host_change.host.error == \"EPERM\" and
			.host_change.host.value == \"pg-$_a\"" || return
		# killed (128 + 9) within its 10 s wait, not ended by it
		if [ "$_a" = kill ] && [ "$_rc" != 137 ]; then
			fail host_sysctl_enforce "kill: pg-host ended with status $_rc, not killed"
			return
		fi
	done
	ok host_sysctl_enforce
}

# What this kernel cannot report is said by probe, and skipped here with its reason.
t_host_unavailable() {
	_u=$(echo "$PROBE" | jq -r '.unavailable[]? | select(.event == "host_change") | "\(.kind): \(.why)"')
	if [ -z "$_u" ]; then
		ok host_unavailable
		return
	fi
	# a here-document, not a pipe: skip counts in this shell
	while read -r _l; do
		skip "host_${_l%%:*}" "${_l#*: }"
	done <<EOF
$_u
EOF
	# the module calls: /proc/modules says whether the kernel has them
	if [ ! -e /proc/modules ] && ! echo "$PROBE" | jq -e '.unavailable[] | select(.kind == "module")' >/dev/null; then
		fail host_unavailable "no /proc/modules, yet probe lists module changes as available"
		return
	fi
	ok host_unavailable
}

HOST_TESTS="t_host_creds t_host_exec_setuid t_host_exec_compat t_host_exec_filecap t_host_ns_unshare t_host_ns_clone t_host_ns_setns t_host_mount t_host_newmount t_host_hostname t_host_calls t_host_module t_host_kexec t_host_modload t_host_bpf t_host_ptrace t_host_sysctl t_host_unwatched"
HOST_OWN_TESTS="t_host_default t_host_kind t_host_exec_selected t_host_sysctl_enforce t_host_creds_kill t_host_creds_deny t_host_unavailable"

host_tests() {
	# shellcheck disable=SC2086
	file_selected $HOST_TESTS $HOST_OWN_TESTS || return 0
	HOST_WAIT=$((5 * SLOW))
	sensor_backend host host || return 0
	[ -x "$PGHOST" ] || { fail host "$PG_HELPERS/pg-host is missing (make tests)"; return 0; }
	h_policy_all
	# shellcheck disable=SC2086
	policy_suite host hall host $HOST_TESTS
	for _t in $HOST_OWN_TESTS; do
		run_test "$_t"
	done
}
