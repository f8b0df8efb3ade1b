#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End-to-end suite: starts the real agent, runs real workloads, asserts the
# JSON it emits. Needs root, jq, PENGUARD (the binary) and PG_HELPERS (the
# folder of pg-testbin). POSIX sh, so the kernel-matrix VMs (busybox) run
# the very same suite. PG_E2E_ONLY=word[,word…] runs the tests whose name has one of them.
#
# Sizes and bounds, for slow machines (the VMs run under TCG):
#   PG_E2E_STORM_LOOPS, PG_E2E_STORM_COUNT   exec storm (4 x 1000)
#   PG_E2E_THREAD_PROCS                      processes of 16 threads (200)
#   PG_E2E_STALL_EXECS                       execs while stdout stalls (2000)
#   PG_E2E_SLOW                              multiplies every time bound:
#                                            waits for events (10 s), a stop
#                                            with a stalled stdout (3 s), a
#                                            stop on SIGINT (30 s) (1)
#
# Prints "ok NAME", "FAIL NAME: why", "skip NAME: why", then a summary line.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/policy.sh"
. "$HERE/file.sh"
. "$HERE/net.sh"
. "$HERE/host.sh"

: "${PENGUARD:?set PENGUARD to the penguard binary}"
: "${PG_HELPERS:?set PG_HELPERS to the folder holding pg-testbin}"
PENGUARD=$(readlink -f "$PENGUARD")
BIN=$(readlink -f "$PG_HELPERS/pg-testbin")
STORM_LOOPS=${PG_E2E_STORM_LOOPS:-4}
STORM_COUNT=${PG_E2E_STORM_COUNT:-1000}
THREAD_PROCS=${PG_E2E_THREAD_PROCS:-200}
STALL_EXECS=${PG_E2E_STALL_EXECS:-2000}
SLOW=${PG_E2E_SLOW:-1}
# How long a stop may take when stdout is stalled. A stop that waited on the
# reader would take its 600 s; a busy machine's stop took 5 s (QEMU beside
# it), so the bound tells the two apart without timing the agent.
STOP_SECS=$((15 * SLOW))

if [ "$(id -u)" != 0 ]; then
	echo "skip e2e: needs root to load BPF programs"
	echo "e2e: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
command -v jq >/dev/null || { echo "FAIL e2e: jq is missing"; exit 1; }
[ -x "$BIN" ] || { echo "FAIL e2e: $BIN is missing (make tests)"; exit 1; }

WORK=$(mktemp -d /tmp/pg-e2e.XXXXXX)
WORK=$(readlink -f "$WORK")
# securityfs mounts before anything of ours ran (t_securityfs)
secfs_mounts() { awk '$3 == "securityfs"' /proc/mounts | sort; }
secfs_mounts >"$WORK/secfs.before"
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

# A host whose init did not mount tracefs: the agent mounts it, else the
# sensors built on syscall tracepoints would be lost (seen on a fresh
# machine)
t_probe_tracefs() {
	_tr=/sys/kernel/tracing
	if ! awk -v d=$_tr '$2 == d && $3 == "tracefs" { f = 1 } END { exit !f }' /proc/mounts; then
		skip probe_tracefs "tracefs is not mounted on $_tr here"
		return
	fi
	# debugfs brings tracefs along (an automount at debug/tracing)
	if awk '$3 == "debugfs" { f = 1 } END { exit !f }' /proc/mounts; then
		skip probe_tracefs "debugfs is mounted, and tracefs with it: unmounting $_tr proves nothing"
		return
	fi
	umount $_tr 2>/dev/null || { skip probe_tracefs "cannot unmount $_tr (in use)"; return; }
	"$PENGUARD" probe -o json >"$WORK/probe-tr.json" 2>"$WORK/probe-tr.err"
	if awk -v d=$_tr '$2 == d && $3 == "tracefs" { f = 1 } END { exit !f }' /proc/mounts &&
		jq -e '.features.tracefs == true' "$WORK/probe-tr.json" >/dev/null &&
		grep -q "mounted it on $_tr" "$WORK/probe-tr.err"; then
		ok probe_tracefs
	else
		mount -t tracefs tracefs $_tr
		fail probe_tracefs "after umount $_tr, probe: $(head -c 300 "$WORK/probe-tr.err") $(jq -c .features "$WORK/probe-tr.json" 2>&1 | head -c 300)"
	fi
}

# probe -o json is one JSON document, with the cgroup hierarchy that names
# containers
t_probe_json() {
	"$PENGUARD" probe -o json >"$WORK/probe.json" 2>"$WORK/probe.err"
	_rc=$?
	if [ $_rc = 0 ] && jq -e . "$WORK/probe.json" >/dev/null 2>&1 &&
		jq -e '(.cgroup.hierarchy | type == "string" and length > 0) and
			(.cgroup.mount | type == "string") and
			(.sensors.process | type == "string")' "$WORK/probe.json" >/dev/null; then
		ok probe_json
	else
		fail probe_json "rc=$_rc: $(head -c 600 "$WORK/probe.json") $(head -c 300 "$WORK/probe.err")"
	fi
}

t_bad_options() {
	_e=0
	for _o in "--output xml" "--ringbuf-size 3000" "--max-args 99999999" \
		"--backend process" "--frobnicate" "--export-max-size -1" \
		"--cgroup-hierarchy a/b"; do
		# shellcheck disable=SC2086
		"$PENGUARD" run --socket "" $_o >"$WORK/bad.out" 2>"$WORK/bad.err"
		_rc=$?
		if [ $_rc -ne 2 ] || ! grep -q "penguard: " "$WORK/bad.err" ||
			[ "$(wc -l <"$WORK/bad.err")" -gt 3 ]; then
			fail bad_options "'$_o' gave rc=$_rc: $(head -c 300 "$WORK/bad.err")"
			_e=1
		fi
	done
	"$PENGUARD" run --socket "" --backend process=nosuch -o none >/dev/null 2>"$WORK/bad.err"
	_rc=$?
	if [ $_rc -eq 0 ] || ! grep -q "no backend 'nosuch'" "$WORK/bad.err"; then
		fail bad_options "unknown backend: rc=$_rc $(head -c 300 "$WORK/bad.err")"
		_e=1
	fi
	[ $_e = 0 ] && ok bad_options
}

# A hierarchy that is not mounted: rc 1 and one clear error line (info
# lines may come before it)
t_cgroup_nosuch() {
	timeout 120 "$PENGUARD" run --socket "" -o none --no-seed --cgroup-hierarchy nosuch \
		>/dev/null 2>"$WORK/cgnosuch.err" </dev/null
	_rc=$?
	if [ $_rc = 1 ] && [ "$(grep -c 'error' "$WORK/cgnosuch.err")" = 1 ] &&
		grep 'error' "$WORK/cgnosuch.err" | grep -q "nosuch"; then
		ok cgroup_nosuch
	else
		fail cgroup_nosuch "rc=$_rc: $(head -c 400 "$WORK/cgnosuch.err")"
	fi
}

# As uid 65534, from copies in a folder it can reach: the clone itself may
# be under root's 0700 home.
t_not_root() {
	_d=$(pubdir) || { fail not_root "mktemp -d failed"; return; }
	if ! { cp "$PENGUARD" "$_d/penguard" && cp "$BIN" "$_d/pg-testbin" &&
		chmod 755 "$_d/penguard" "$_d/pg-testbin"; }; then
		fail not_root "cannot copy the binaries to $_d"
		return
	fi
	"$_d/pg-testbin" asuser 65534 "$_d/penguard" run -o none >/dev/null 2>"$WORK/nr.err"
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
	# uid is the effective uid (Tetragon's); no euid/gid/egid beside it,
	# and no cap, ns, process_credentials unless asked for
	check exec "$_child" "
		.process_exec.process.binary == \"$BIN\" and
		.process_exec.process.cwd == \"$WORK\" and
		.process_exec.process.uid == 0 and
		(.process_exec.process | has(\"euid\") or has(\"gid\") or has(\"egid\") | not) and
		(.process_exec.process | has(\"cap\") or has(\"ns\") or has(\"process_credentials\") | not) and
		.process_exec.process.pid > 0 and .process_exec.process.tid == .process_exec.process.pid and
		(.process_exec.process.flags | split(\" \") | index(\"execve\")) != null and
		(.process_exec.process.exec_id | length > 10) and
		.process_exec.process.parent_exec_id == \"$_sid\" and
		.process_exec.parent.exec_id == \"$_sid\" and
		.process_exec.parent.arguments == \"spawn 1 $_m\" and
		.process_exec.process.ppid == .process_exec.parent.pid and
		(.process_exec.process.start_time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{9}Z$\")) and
		(.time | test(\"Z$\")) and (.node_name | length > 0) and
		(.process_exec.process.cgroup_id > 0) and (.process_exec.process.cgroup | startswith(\"/\")) and
		(.process_exec.process.auid | type == \"number\")" || return
	# the spawner's own parent is this shell or its clone: known, not a stub
	check exec "$_spawner" '.process_exec.parent.flags != "unknown"' || return
	ok exec
}

# cwd "/" is flagged rootcwd, as Tetragon does
t_rootcwd() {
	_m=$(mark rootcwd)
	(cd / && "$BIN" exit 0 "$_m")
	_x=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"") ||
		{ fail rootcwd "no process_exec"; return; }
	check rootcwd "$_x" '.process_exec.process.cwd == "/" and
		(.process_exec.process.flags | split(" ") | index("rootcwd")) != null' && ok rootcwd
}

t_exit_status() {
	_m=$(mark status)
	"$BIN" exit 7 "$_m"
	_x=$(wait_event main "$_m" ".process_exit.process.arguments == \"exit 7 $_m\"") ||
		{ fail exit_status "no process_exit"; return; }
	_e=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 7 $_m\"") ||
		{ fail exit_status "no process_exec"; return; }
	_id=$(js "$_e" | jq -r .process_exec.process.exec_id)
	check exit_status "$_x" ".process_exit.status == 7 and (.process_exit | has(\"signal\") | not) and
		.process_exit.process.exec_id == \"$_id\" and .process_exit.run_time_ns > 0 and
		(.process_exit.time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[.][0-9]{9}Z$\")) and
		.process_exit.time >= .process_exit.process.start_time and
		.process_exit.process.binary == \"$BIN\"" && ok exit_status
}

t_sigkill() {
	_m=$(mark kill)
	{ "$BIN" kill 9 "$_m"; true; } 2>/dev/null # the shell would say "Killed"
	_x=$(wait_event main "$_m" ".process_exit.process.arguments == \"kill 9 $_m\"") ||
		{ fail sigkill "no process_exit"; return; }
	# protojson leaves a 0 status out
	check sigkill "$_x" '.process_exit.signal == "SIGKILL" and (.process_exit | has("status") | not)' &&
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
	check long_args "$_x" '(.process_exec.process.flags | split(" ") | index("truncArgs")) != null and
		(.process_exec.process.arguments | length) <= 4096 and
		(.process_exec.process.arguments | length) > 4000' && ok long_args
}

# A #! script: binary is the script (as given to execve, made absolute),
# interpreter the file the kernel ran
t_shebang() {
	_m=$(mark shebang)
	printf '#!/bin/sh\nexit 0\n' >"$WORK/script.sh"
	chmod +x "$WORK/script.sh"
	_sh=$(readlink -f /bin/sh)
	"$WORK/script.sh" "$_m"
	(cd "$WORK" && ./script.sh "$_m-rel")
	_x=$(wait_event main "$_m" ".process_exec.process.arguments | endswith(\" $_m\")") ||
		{ fail shebang "no process_exec for the script"; return; }
	check shebang "$_x" ".process_exec.process.binary == \"$WORK/script.sh\" and
		.process_exec.process.interpreter == \"$_sh\" and
		(.process_exec.process.flags | split(\" \") | index(\"script\")) != null" || return
	_x=$(wait_event main "$_m" ".process_exec.process.arguments | endswith(\"$_m-rel\")") ||
		{ fail shebang "no process_exec for ./script.sh"; return; }
	check shebang "$_x" "(.process_exec.process.binary == \"$WORK/./script.sh\" or
		.process_exec.process.binary == \"$WORK/script.sh\") and
		.process_exec.process.interpreter == \"$_sh\"" && ok shebang
}

t_preexisting() {
	kill "$PRE_PID" 2>/dev/null
	wait "$PRE_PID" 2>/dev/null
	_x=$(wait_event main "$PRE_MARK" ".process_exit.process.arguments == \"sleep 600000 $PRE_MARK\"") ||
		{ fail preexisting "no process_exit for a process started before the agent"; return; }
	check preexisting "$_x" '(.process_exit.process.flags | split(" ") | index("procFS")) != null and
		.process_exit.signal == "SIGTERM" and
		.process_exit.process.binary == "'"$BIN"'" and
		.process_exit.parent.flags != "unknown"' && ok preexisting
}

# Started before the agent from a file deleted since: seeded as deleted
t_seeded_deleted() {
	kill "$PREDEL_PID" 2>/dev/null
	wait "$PREDEL_PID" 2>/dev/null
	_x=$(wait_event main "$PREDEL_MARK" ".process_exit.process.arguments == \"sleep 600000 $PREDEL_MARK\"") ||
		{ fail seeded_deleted "no process_exit for a deleted binary started before the agent"; return; }
	check seeded_deleted "$_x" '(.process_exit.process.flags | split(" ") | index("procFS") and index("deleted")) and
		.process_exit.process.binary == "'"$WORK/delsleep"' (deleted)"' && ok seeded_deleted
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
	_x=$(count_events main "$_m" ".process_exit.process.arguments == \"exit 0 $_m\" and
		(.process_exit | has(\"status\") or has(\"signal\") | not) and
		.process_exit.parent.exec_id == \"$_sid\"")
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
	check fork "$_x" '(.process_fork.process.flags | split(" ") | index("clone")) != null and
		.process_fork.process.ppid == .process_fork.parent.pid and
		.process_fork.process.parent_exec_id == .process_fork.parent.exec_id and
		.process_fork.process.binary == .process_fork.parent.binary' && ok fork
}

# A process in a cgroup named the way docker's systemd driver names them,
# in the hierarchy the agent names containers after (probe's .cgroup: v2,
# or a v1 controller's on hybrid hosts)
t_container() {
	_m=$(mark ctr)
	_cg=$(echo "$PROBE" | jq -r '.cgroup.mount // empty')
	if [ -z "$_cg" ]; then
		skip container "probe names no cgroup mount: $(echo "$PROBE" | jq -c .cgroup)"
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
		.process_exec.process.docker == \"$(echo "$_id" | cut -c1-31)\" and
		.process_exec.process.cgroup_id > 1" && ok container
}

# Fileless execution: an ELF copied into a memfd and run from there
t_memfd() {
	_m=$(mark memfd)
	"$BIN" memfd "$_m" || { fail memfd "pg-testbin memfd failed"; return; }
	_x=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"") ||
		{ fail memfd "no process_exec"; return; }
	check memfd "$_x" '.process_exec.process.binary == "memfd:pgmemfd" and
		(.process_exec.process.flags | split(" ") | index("memfd")) != null and
		.process_exec.process.binary_properties.file.inode.links == 0 and
		(.process_exec.process.binary_properties.file.inode.number | type == "string" and test("^[0-9]+$")) and
		(.process_exec.process.binary_properties.file.path | type == "string" and length > 0)' &&
		ok memfd
}

# execveat() of an open file whose last link is gone
t_delexec() {
	_m=$(mark delexec)
	"$BIN" delexec "$WORK/delexec-bin" "$_m" || { fail delexec "pg-testbin delexec failed"; return; }
	_x=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"") ||
		{ fail delexec "no process_exec"; return; }
	check delexec "$_x" '.process_exec.process.binary == "'"$WORK/delexec-bin"' (deleted)" and
		(.process_exec.process.flags | split(" ") | index("deleted")) != null and
		.process_exec.process.binary_properties.file.inode.links == 0' && ok delexec
}

# exec through /proc/self/fd/N names the file, not the magic link
t_fdexec() {
	_m=$(mark fdexec)
	"$BIN" fdexec "$_m" || { fail fdexec "pg-testbin fdexec failed"; return; }
	_x=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"") ||
		{ fail fdexec "no process_exec"; return; }
	check fdexec "$_x" ".process_exec.process.binary == \"$BIN\"" && ok fdexec
}

# A binary on overlayfs is named by its path in the merged tree
t_overlay() {
	_m=$(mark ovl)
	_o="$WORK/ovl"
	mkdir -p "$_o/lower" "$_o/upper" "$_o/work" "$_o/merged"
	cp "$BIN" "$_o/lower/pg-testbin"
	if ! mount -t overlay overlay \
		-o "lowerdir=$_o/lower,upperdir=$_o/upper,workdir=$_o/work" "$_o/merged" \
		2>"$WORK/ovl.err"; then
		skip overlay "cannot mount overlayfs: $(head -c 200 "$WORK/ovl.err")"
		return
	fi
	"$_o/merged/pg-testbin" exit 0 "$_m"
	_x=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	umount "$_o/merged" || echo "    could not unmount $_o/merged"
	[ -n "$_x" ] || { fail overlay "no process_exec"; return; }
	check overlay "$_x" ".process_exec.process.binary == \"$_o/merged/pg-testbin\"" && ok overlay
}

# A set-user-ID root file run by uid 65534 raises the effective uid
t_setuid() {
	_m=$(mark suid)
	suid_bin setuid || return
	"$BIN" asuser 65534 "$SUID_BIN" exit 0 "$_m"
	_rc=$?
	rm -f "$SUID_BIN"
	[ $_rc = 0 ] || { fail setuid "the set-uid binary failed: rc=$_rc"; return; }
	_x=$(wait_event main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"") ||
		{ fail setuid "no process_exec"; return; }
	check setuid "$_x" '.process_exec.process.uid == 0 and
		.process_exec.process.binary_properties.setuid == 0 and
		(.process_exec.process.binary_properties.privileges_changed | index("PRIVILEGES_RAISED_EXEC_FILE_SETUID")) != null' &&
		ok setuid
}

# 16 threads per process leave together with exit_group: exactly one
# process_exit per process image, none for an image that did not exit
t_threads() {
	_m=$(mark threads)
	"$BIN" threads "$THREAD_PROCS" "$_m" || { fail threads "pg-testbin threads failed"; return; }
	wait_event main "$_m" ".process_exit.process.arguments == \"threads $THREAD_PROCS $_m\"" $((30 * SLOW)) >/dev/null ||
		{ fail threads "no process_exit for the parent"; return; }
	_want=$((THREAD_PROCS + 1))
	# shellcheck disable=SC2046
	set -- $(exit_audit main "$_m")
	if [ "$#" = 5 ] && [ "$1" = "$_want" ] && [ "$2" = "$_want" ] && [ "$3" = 0 ] &&
		[ "$4" = 0 ] && [ "$5" = 0 ]; then
		ok "threads ($THREAD_PROCS processes of 16 threads)"
	else
		fail threads "want $_want execs and exits; got execs exits multi phantom missing: ${*:-none}"
	fi
}

# A thread other than the leader execs: one exec and one exit for the new
# image, and none for the image it replaced (which never exited)
t_threadexec() {
	_m=$(mark thrx)
	"$BIN" threadexec "$_m" || { fail threadexec "pg-testbin threadexec failed"; return; }
	_x=$(wait_event main "$_m" ".process_exit.process.arguments == \"exit 0 $_m\"") ||
		{ fail threadexec "no process_exit for the image a thread exec'd"; return; }
	_e=$(wait_event main "$_m" ".process_exec.process.arguments == \"threadexec $_m\"") ||
		{ fail threadexec "no process_exec for pg-testbin threadexec"; return; }
	_pid=$(js "$_e" | jq .process_exec.process.pid)
	_ne=$(count_events main "$_m" ".process_exec.process.arguments == \"exit 0 $_m\" and
		.process_exec.process.pid == $_pid and .process_exec.process.tid == $_pid")
	_nx=$(count_events main "$_m" ".process_exit.process.arguments == \"exit 0 $_m\"")
	_old=$(count_events main "$_m" ".process_exit.process.arguments == \"threadexec $_m\"")
	if [ "$_ne" = 1 ] && [ "$_nx" = 1 ] && [ "$_old" = 0 ]; then
		ok threadexec
	else
		fail threadexec "$_ne execs (pid $_pid) and $_nx exits of the new image, $_old exits of the replaced one"
	fi
}

t_valid_json() {
	# every line the agent wrote, hostile input included, is one JSON
	# object; the complete lines as they are now, as types_check takes
	# them: the running agent keeps appending between the two counts
	_lines=$(wc -l <"$WORK/main.json" | tr -d ' ')
	_objs=$(head -n "$_lines" "$WORK/main.json" | jq -c 'select(type == "object")' 2>/dev/null |
		wc -l | tr -d ' ')
	if [ "$_lines" -gt 0 ] && [ "$_lines" = "$_objs" ]; then
		ok valid_json
	else
		fail valid_json "$_objs objects in $_lines lines"
	fi
}

# types_check TEST FILE: every line of FILE keeps to Tetragon's JSON types
types_check() {
	# the complete lines as they are now: a running agent keeps appending
	# (on a busy host, between the check and the count)
	_lines=$(wc -l <"$2" | tr -d ' ')
	head -n "$_lines" "$2" >"$2.snap"
	if ! jq -c -f "$HERE/tetragon-types.jq" "$2.snap" >"$2.types" 2>"$2.types.err"; then
		fail "$1" "tetragon-types.jq failed: $(head -c 300 "$2.types.err")"
		return 1
	fi
	_bad=$(grep -c -v '^\[\]$' "$2.types")
	_all=$(wc -l <"$2.types" | tr -d ' ')
	if [ "$_all" = 0 ] || [ "$_all" != "$_lines" ]; then
		fail "$1" "$_all verdicts for $_lines lines"
		return 1
	fi
	if [ "$_bad" != 0 ]; then
		fail "$1" "$_bad of $_all lines break Tetragon's types; first ones: $(grep -v '^\[\]$' "$2.types" | head -n 3 | cut -c1-400)"
		return 1
	fi
	return 0
}

t_tetragon_types() {
	types_check tetragon_types "$WORK/main.json" &&
		ok "tetragon_types ($(wc -l <"$WORK/main.json" | tr -d ' ') lines)"
}

t_tetragon_selftest() {
	# under TCG its 77 jq runs take minutes
	host_only tetragon_selftest "JSON type checker" && return
	if sh "$HERE/tetragon-types-selftest.sh" >"$WORK/selftest.out" 2>&1; then
		ok "tetragon_selftest ($(tail -n 1 "$WORK/selftest.out"))"
	else
		fail tetragon_selftest "$(grep -v '^ok ' "$WORK/selftest.out" | head -n 5)"
	fi
}

# probe and the agent read securityfs; a mount they made must not stay
# (compared before probe and once the main agent is ready: a short window,
# on a host where other jobs may mount things)
t_securityfs() {
	if cmp -s "$WORK/secfs.before" "$WORK/secfs.after"; then
		ok "securityfs ($(wc -l <"$WORK/secfs.after" | tr -d ' ') mounts, as before)"
	else
		fail securityfs "securityfs mounts changed: $(diff "$WORK/secfs.before" "$WORK/secfs.after" | head -n 5)"
	fi
}

t_clean_stop() {
	agent_stop main TERM
	if [ "$AGENT_RC" = 0 ] && grep -q "final stats" "$WORK/main.log" &&
		jq -e '.emitted == .delivered + 0 and .lost == 0 and .malformed == 0 and
			.duplicates == 0 and .recursion_misses == 0 and
			(.errors | type == "object" and all(.[]; type == "number")) and
			(.output.stdout | type == "object") and (.output.export.lines > 0) and
			(.sensors.process.backend | type == "string") and
			(.sensors.process.programs | length > 0)' \
			"$WORK/main.stats" >/dev/null; then
		ok clean_stop
	else
		fail clean_stop "rc=$AGENT_RC stats=$(cat "$WORK/main.stats" 2>/dev/null)"
	fi
}

# --process-creds --process-ns: capabilities, credentials and namespaces,
# in Tetragon's types
t_creds_ns() {
	_m=$(mark creds)
	agent_start creds --process-creds --process-ns --no-seed ||
		{ fail creds_ns "agent did not start"; return; }
	"$BIN" exit 0 "$_m"
	_x=$(wait_event creds "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	wait_event creds "$_m" ".process_exit.process.arguments == \"exit 0 $_m\"" >/dev/null
	agent_stop creds
	[ -n "$_x" ] || { fail creds_ns "no process_exec"; return; }
	# our own namespaces are the process's; is_host compares with pid 1's,
	# which a sandbox (landlock, a container) may not let us read
	_mnt=$(readlink /proc/self/ns/mnt | tr -cd 0-9)
	_host=$(readlink /proc/1/ns/mnt 2>/dev/null | tr -cd 0-9)
	# shellcheck disable=SC2016 # $p is jq's
	if [ -z "$_host" ]; then
		_ishost=true
		_note=" (is_host not checked: pid 1's namespaces are not readable here)"
	elif [ "$_host" = "$_mnt" ]; then
		_ishost='$p.ns.mnt.is_host == true'
		_note=
	else
		_ishost='($p.ns.mnt | has("is_host") | not)'
		_note=" (not in the host's mount namespace)"
	fi
	# shellcheck disable=SC2016
	check creds_ns "$_x" '.process_exec.process as $p |
		($p.cap.effective | index("CAP_SYS_ADMIN")) != null and
		($p.cap.permitted | index("DAC_OVERRIDE")) != null and
		$p.ns.mnt.inum == '"$_mnt"' and '"$_ishost"' and
		($p.ns.pid.inum | type == "number") and ($p.ns.net.inum | type == "number") and
		$p.process_credentials.uid == 0 and $p.process_credentials.euid == 0 and
		($p.process_credentials.caps.effective | index("CAP_SYS_ADMIN")) != null' || return
	types_check creds_ns "$WORK/creds.json" && ok "creds_ns$_note"
}

t_storm() {
	_m=$(mark storm)
	agent_start storm --ringbuf-size 1M --proc-ringbuf-size 1M ||
		{ fail storm "agent did not start"; return; }
	"$BIN" storm "$STORM_LOOPS" "$STORM_COUNT" "$_m"
	_rc=$?
	agent_stop storm
	_want=$((STORM_LOOPS * STORM_COUNT))
	_got=$(count_events storm "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	# shellcheck disable=SC2046
	set -- $(exit_audit storm "$_m")
	# exact accounting: what the kernel produced = delivered + counted lost;
	# one exit per exec'd image and none twice; the only exits of images
	# never exec'd are the storm's loops (forked, not exec'd): one each
	if [ "$_rc" = 0 ] && [ "$AGENT_RC" = 0 ] && [ "$#" = 5 ] && [ "$3" = 0 ] && jq -e "
		.emitted == .delivered and .duplicates == 0 and
		.events.process_exec.delivered >= $_got and
		$_got + .events.process_exec.lost >= $_want and
		($4 == $STORM_LOOPS or ($4 < $STORM_LOOPS and .events.process_exit.lost > 0)) and
		$5 <= .events.process_exit.lost" "$WORK/storm.stats" >/dev/null; then
		ok "storm ($_got/$_want storm execs delivered, lost $(jq .lost "$WORK/storm.stats"))"
	else
		fail storm "rc=$_rc agent=$AGENT_RC got=$_got want=$_want execs/exits/multi/phantom/missing=${*:-none} stats=$(cat "$WORK/storm.stats")"
	fi
}

# The agent stopped (SIGSTOP) while a storm runs: its small rings overflow.
# Every exec must still be either delivered or counted as lost.
t_loss() {
	_m=$(mark loss)
	agent_start loss --ringbuf-size 16K --proc-ringbuf-size 16K --no-seed ||
		{ fail loss "agent did not start"; return; }
	_p=$(eval echo "\$AGENT_loss")
	kill -STOP "$_p"
	"$BIN" storm 2 500 "$_m"
	kill -CONT "$_p"
	sleep 1
	agent_stop loss
	_got=$(count_events loss "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	if [ "$AGENT_RC" = 0 ] && jq -e ".lost > 0 and .emitted == .delivered and
		$_got + .events.process_exec.lost >= 1000 and
		.events.process_exec.delivered >= $_got" "$WORK/loss.stats" >/dev/null; then
		ok "loss ($_got delivered + $(jq .events.process_exec.lost "$WORK/loss.stats") counted lost of 1000 storm execs)"
	else
		fail loss "rc=$AGENT_RC got=$_got stats=$(cat "$WORK/loss.stats" 2>/dev/null)"
	fi
}

# host_only TEST WHAT: skip TEST in the kernel-matrix VMs (true there).
# The agent's own behaviour (WHAT: output back-pressure, signals, files)
# does not change with the kernel; under TCG each of these tests costs
# half a minute of verifier time to start an agent, for nothing new.
host_only() {
	[ -n "${PG_E2E_IN_VM:-}" ] || return 1
	skip "$1" "the agent's own $2, kernel-independent: it runs on the host"
	return 0
}

# stdout is a pipe nobody reads: the export still gets every event, and
# SIGTERM stops the agent promptly (what stdout did not take is counted)
t_stalled_stdout() {
	host_only stalled_stdout "output back-pressure" && return
	_m=$(mark stall)
	rm -f "$WORK/stall.json" "$WORK/stall.stats" "$WORK/stall.fifo"
	mkfifo "$WORK/stall.fifo" || { fail stalled_stdout "mkfifo failed"; return; }
	# the reader opens the FIFO and never reads it
	# shellcheck disable=SC2217
	sleep 600 <"$WORK/stall.fifo" &
	_reader=$!
	"$PENGUARD" run --socket "" -o json --export "$WORK/stall.json" --stats-file "$WORK/stall.stats" \
		--no-seed --flush-interval 20 >"$WORK/stall.fifo" 2>"$WORK/stall.log" &
	_p=$!
	if ! wait_ready "$WORK/stall.log" $_p; then
		fail stalled_stdout "agent did not start: $(tail -n 3 "$WORK/stall.log")"
		kill $_p $_reader 2>/dev/null
		wait $_p $_reader 2>/dev/null
		return
	fi
	"$BIN" storm 2 $((STALL_EXECS / 2)) "$_m"
	kill -TERM $_p
	wait_gone $_p $((STOP_SECS * 10))
	_took=$WAITED_CS
	if kill -0 $_p 2>/dev/null; then
		kill -KILL $_p
	fi
	wait $_p
	_rc=$?
	kill $_reader 2>/dev/null
	wait $_reader 2>/dev/null
	_got=$(count_events stall "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	if [ "$_took" -gt $((STOP_SECS * 100)) ]; then
		fail stalled_stdout "took $_took cs to stop after SIGTERM (limit ${STOP_SECS} s), rc=$_rc"
	elif [ "$_rc" != 0 ] || [ "$_got" != $((STALL_EXECS / 2 * 2)) ] ||
		! grep -q "final stats" "$WORK/stall.log" ||
		! jq -e '.lost == 0 and .emitted == .delivered and
			.output.export.dropped == 0 and
			(.output.stdout.dropped > 0 or .output.stdout.pending_bytes > 0)' \
			"$WORK/stall.stats" >/dev/null; then
		fail stalled_stdout "rc=$_rc, $_got/$((STALL_EXECS / 2 * 2)) execs exported, stats=$(cat "$WORK/stall.stats" 2>/dev/null)"
	else
		ok "stalled_stdout (stopped in $_took cs, stdout dropped $(jq .output.stdout.dropped "$WORK/stall.stats") lines)"
	fi
}

# --export to a file we did not create (a device): used, never chmod'ed
t_export_devnull() {
	host_only export_devnull "handling of export files" && return
	_before=$(stat -c %a /dev/null)
	"$PENGUARD" run --socket "" -o none --export /dev/null --no-seed --flush-interval 20 \
		2>"$WORK/devnull.log" &
	_p=$!
	wait_ready "$WORK/devnull.log" $_p
	_ready=$?
	"$BIN" exit 0 "$(mark devnull)"
	sleep 0.3
	kill -INT $_p 2>/dev/null
	wait $_p
	_rc=$?
	_after=$(stat -c %a /dev/null)
	if [ "$_after" != "$_before" ]; then
		chmod "$_before" /dev/null # put it back for everyone else
		fail export_devnull "/dev/null was mode $_before, the agent left it $_after"
	elif [ $_ready != 0 ] || [ $_rc != 0 ]; then
		fail export_devnull "ready=$_ready rc=$_rc: $(tail -n 3 "$WORK/devnull.log")"
	else
		ok "export_devnull (mode $_after kept)"
	fi
}

# wait_log FILE PATTERN N: until FILE has N lines matching PATTERN (10 s)
wait_log() {
	__wl=0
	while [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -lt "$3" ] && [ $__wl -lt 100 ]; do
		sleep 0.1
		__wl=$((__wl + 1))
	done
}

# penguard events: clients of a running agent, JSON and compact, get its
# events from then on; the agent's stop ends their streams; a 17th client
# and a user other than root are refused
t_events_clients() {
	host_only events_clients "event stream" && return
	_m=$(mark evc)
	_s=$WORK/evc.sock
	rm -f "$WORK"/evc.*
	"$PENGUARD" run --socket "$_s" -o none --no-seed --flush-interval 20 \
		--stats-file "$WORK/evc.stats" 2>"$WORK/evc.log" &
	_p=$!
	if ! wait_ready "$WORK/evc.log" $_p; then
		fail events_clients "agent did not start: $(tail -n 3 "$WORK/evc.log")"
		return
	fi
	"$PENGUARD" events --socket "$_s" -o json >"$WORK/evc.json" 2>"$WORK/evc.jerr" &
	_cj=$!
	"$PENGUARD" events --socket "$_s" -o compact >"$WORK/evc.compact" 2>"$WORK/evc.cerr" &
	_cc=$!
	wait_log "$WORK/evc.log" "streaming" 2
	"$BIN" storm 1 20 "$_m"
	# fill the table: 14 more, then one too many
	_others=
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
		"$PENGUARD" events --socket "$_s" -o json >/dev/null 2>&1 &
		_others="$_others $!"
	done
	wait_log "$WORK/evc.log" "streaming" 16
	"$PENGUARD" events --socket "$_s" >/dev/null 2>"$WORK/evc.full"
	_rfull=$?
	"$BIN" asuser 65534 "$PENGUARD" events --socket "$_s" >/dev/null 2>"$WORK/evc.nr"
	_rnr=$?
	sleep 0.3
	kill -TERM $_p
	wait $_p
	_rc=$?
	wait $_cj
	_rj=$?
	wait $_cc
	_rcc=$?
	# shellcheck disable=SC2086
	wait $_others
	_nj=$(grep -F -- "$_m" "$WORK/evc.json" |
		jq -c "select(.process_exec.process.arguments == \"exit 0 $_m\")" | wc -l | tr -d ' ')
	_nc=$(grep -c "exec .*pg-testbin exit 0 $_m" "$WORK/evc.compact")
	if [ $_rc != 0 ] || [ $_rj != 0 ] || [ $_rcc != 0 ]; then
		fail events_clients "exit codes: agent $_rc, json client $_rj, compact client $_rcc: $(cat "$WORK/evc.jerr")"
	elif [ "$_nj" != 20 ] || [ "$_nc" != 20 ]; then
		fail events_clients "execs seen: json $_nj/20, compact $_nc/20"
	elif ! jq -e . "$WORK/evc.json" >/dev/null; then
		fail events_clients "the JSON client got a line that is not JSON"
	elif ! grep -q "ended the stream" "$WORK/evc.jerr"; then
		fail events_clients "the client did not say the stream ended: $(cat "$WORK/evc.jerr")"
	elif [ $_rfull != 1 ] || ! grep -q "too many clients" "$WORK/evc.full"; then
		fail events_clients "a 17th client: rc=$_rfull, $(cat "$WORK/evc.full")"
	elif [ $_rnr != 1 ] || ! grep -q "Permission denied\|permission denied" "$WORK/evc.nr"; then
		fail events_clients "not root: rc=$_rnr, $(cat "$WORK/evc.nr")"
	elif ! jq -e '.output.clients.accepted == 16 and .output.clients.refused == 1 and
			.output.clients.connected == 0' "$WORK/evc.stats" >/dev/null; then
		fail events_clients "stats: $(jq -c .output.clients "$WORK/evc.stats")"
	else
		ok "events_clients (json and compact: 20/20 execs each; the 17th and not-root refused)"
	fi
}

# A client that stops reading loses lines for itself alone: the export
# gets every event, the agent stops promptly, and when the client reads
# again it is told, in its stream, exactly how many it lost
t_events_slow_client() {
	host_only events_slow_client "event stream" && return
	_m=$(mark evs)
	_s=$WORK/evs.sock
	rm -f "$WORK"/evs.*
	mkfifo "$WORK/evs.fifo" || { fail events_slow_client "mkfifo failed"; return; }
	# the client's reader: opens the FIFO, reads nothing
	# shellcheck disable=SC2217
	sleep 600 <"$WORK/evs.fifo" &
	_reader=$!
	"$PENGUARD" run --socket "$_s" -o none --no-seed --flush-interval 20 --export "$WORK/evs.json" \
		--stats-file "$WORK/evs.stats" 2>"$WORK/evs.log" &
	_p=$!
	if ! wait_ready "$WORK/evs.log" $_p; then
		fail events_slow_client "agent did not start: $(tail -n 3 "$WORK/evs.log")"
		kill $_reader
		return
	fi
	"$PENGUARD" events --socket "$_s" -o json >"$WORK/evs.fifo" 2>"$WORK/evs.cerr" &
	_c=$!
	wait_log "$WORK/evs.log" "streaming" 1
	# twice the 4 MiB the client may have pending, and more
	"$BIN" storm 2 "$STALL_EXECS" "$_m"
	# a reader at last (the idle one stays until the end: with no reader
	# at all, the client would die of SIGPIPE); the loss is told before
	# the next line
	cat "$WORK/evs.fifo" >"$WORK/evs.client" &
	_cat=$!
	wait_log "$WORK/evs.log" "caught up" 1
	"$BIN" exit 0 "$_m-after"
	sleep 0.5
	kill -TERM $_p
	wait_gone $_p $STOP_SECS
	_took=$WAITED_CS
	kill -KILL $_p 2>/dev/null
	wait $_p
	_rc=$?
	wait $_c 2>/dev/null
	kill $_reader
	wait $_cat $_reader 2>/dev/null
	_exp=$(count_events evs "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	_told=$(jq -s '[.[] | .events_lost.count // empty | tonumber] | add // 0' "$WORK/evs.client" 2>/dev/null)
	_dropped=$(jq '.output.clients.dropped' "$WORK/evs.stats" 2>/dev/null)
	_after=$(grep -c -- "exit 0 $_m-after" "$WORK/evs.client")
	if [ $_rc != 0 ] || [ "$_took" -gt $((STOP_SECS * 100)) ]; then
		fail events_slow_client "agent rc=$_rc, stopped in $_took cs"
	elif [ "$_exp" != $((STALL_EXECS * 2)) ] ||
		! jq -e '.lost == 0 and .output.export.dropped == 0' "$WORK/evs.stats" >/dev/null; then
		fail events_slow_client "export: $_exp/$((STALL_EXECS * 2)) execs, stats $(jq -c '{lost, output}' "$WORK/evs.stats")"
	elif [ -z "$_dropped" ] || [ "$_dropped" = 0 ]; then
		fail events_slow_client "the stalled client lost nothing: the test did not stall it ($(jq -c .output.clients "$WORK/evs.stats"))"
	elif [ "$_told" != "$_dropped" ]; then
		fail events_slow_client "the client was told of $_told lost lines, the agent dropped $_dropped"
	elif [ "$_after" -lt 1 ] || ! jq -e . "$WORK/evs.client" >/dev/null; then
		fail events_slow_client "after the loss: $_after lines of the next exec, or a line that is not JSON"
	else
		ok "events_slow_client (lost $_dropped lines for itself, told in its stream; export complete; stopped in $_took cs)"
	fi
}

# Shells start background jobs with SIGINT ignored; the agent must still
# stop on it (and drain), not run on unnoticed.
t_sigint_ignored() {
	host_only sigint_ignored "signal handling" && return
	(trap '' INT; exec "$PENGUARD" run --socket "" -o none --no-seed 2>"$WORK/sigint.log") &
	_p=$!
	wait_ready "$WORK/sigint.log" $_p
	kill -INT $_p
	if ! wait_gone $_p $((30 * SLOW)); then
		kill -KILL $_p
		fail sigint_ignored "still running $((30 * SLOW)) s after SIGINT"
	elif grep -q "final stats" "$WORK/sigint.log"; then
		ok sigint_ignored
	else
		fail sigint_ignored "stopped without its final stats: $(tail -n 2 "$WORK/sigint.log")"
	fi
	wait $_p 2>/dev/null
}

# The same SIGINT while it is still starting (loading, seeding)
t_sigint_startup() {
	host_only sigint_startup "signal handling" && return
	(trap '' INT; exec "$PENGUARD" run --socket "" -o none 2>"$WORK/sigstart.log") &
	_p=$!
	sleep 0.2
	kill -INT $_p
	if wait_gone $_p $((30 * SLOW)); then
		wait $_p 2>/dev/null
		ok "sigint_startup (stopped in $WAITED_CS cs)"
	else
		kill -KILL $_p
		wait $_p 2>/dev/null
		fail sigint_startup "still running $((30 * SLOW)) s after SIGINT during start-up: $(tail -n 2 "$WORK/sigstart.log")"
	fi
}

t_rotation() {
	host_only rotation "export rotation" && return
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
	jq -e '.output.rotations >= 2 and .output.dropped == 0 and
		.output.export.rotations >= 2 and .output.export.dropped == 0' "$WORK/rot.stats" >/dev/null &&
		ok rotation || fail rotation "stats: $(cat "$WORK/rot.stats")"
}

t_compact() {
	host_only compact "compact output" && return
	_m=$(mark compact)
	"$PENGUARD" run --socket "" -o compact --flush-interval 20 >"$WORK/compact.out" 2>"$WORK/compact.log" &
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

# --backend SENSOR=NAME: the process sensor's one backend works when forced;
# the removed ones are refused by name
t_backends() {
	for _b in $(echo "$PROBE" | jq -r '.sensors.process'); do
		_m=$(mark "be$_b")
		agent_start "be$_b" --backend "process=$_b" --no-seed ||
			{ fail "backend_$_b" "agent did not start"; continue; }
		"$BIN" spawn 1 "$_m"
		_x=$(wait_event "be$_b" "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
		_y=$(wait_event "be$_b" "$_m" ".process_exit.process.arguments == \"exit 0 $_m\"")
		agent_stop "be$_b"
		if [ -n "$_x" ] && [ -n "$_y" ] && grep -q "using backend $_b" "$WORK/be$_b.log" &&
			jq -e ".sensors.process.backend == \"$_b\"" "$WORK/be$_b.stats" >/dev/null &&
			check "backend_$_b" "$_x" ".process_exec.process.binary == \"$BIN\" and
				.process_exec.parent.arguments == \"spawn 1 $_m\" and
				(.process_exec.process.cwd | length > 0)"; then
			ok "backend_$_b"
		elif [ -z "$_x" ] || [ -z "$_y" ]; then
			fail "backend_$_b" "exec or exit missing: $(tail -3 "$WORK/be$_b.log")"
		else
			fail "backend_$_b" "log or stats do not name $_b: $(grep backend "$WORK/be$_b.log" | head -n 2)"
		fi
	done
	for _b in fentry raw_tp; do
		timeout 120 "$PENGUARD" run --socket "" -o none --no-seed --backend "process=$_b" \
			>/dev/null 2>"$WORK/be$_b.err" </dev/null
		_rc=$?
		if [ $_rc = 1 ] && grep -q "no backend '$_b'" "$WORK/be$_b.err"; then
			ok "backend_${_b}_gone"
		else
			fail "backend_${_b}_gone" "rc=$_rc: $(head -c 300 "$WORK/be$_b.err")"
		fi
	done
}

# --cgroup-hierarchy v2 forces the unified hierarchy (on a hybrid host,
# processes usually sit at its root)
t_cgroup_v2() {
	_m=$(mark cgv2)
	if ! awk '$3 == "cgroup2" { f = 1 } END { exit !f }' /proc/mounts; then
		skip cgroup_v2 "no cgroup2 mount"
		return
	fi
	agent_start cgv2 --cgroup-hierarchy v2 --no-seed ||
		{ fail cgroup_v2 "agent did not start"; return; }
	"$BIN" exit 0 "$_m"
	_x=$(wait_event cgv2 "$_m" ".process_exec.process.arguments == \"exit 0 $_m\"")
	agent_stop cgv2
	[ -n "$_x" ] || { fail cgroup_v2 "no process_exec"; return; }
	if ! grep -q "v2 hierarchy" "$WORK/cgv2.log"; then
		fail cgroup_v2 "the log does not name the v2 hierarchy: $(grep cgroup "$WORK/cgv2.log")"
		return
	fi
	check cgroup_v2 "$_x" '(.process_exec.process.cgroup | startswith("/")) and
		.process_exec.process.cgroup_id > 0' &&
		ok "cgroup_v2 ($(js "$_x" | jq -r .process_exec.process.cgroup))"
}

# ---------------------------------------------------------------- main --

echo "e2e: kernel $(uname -r), process backend $(echo "$PROBE" | jq -r .sensors.process)," \
	"cgroups $(echo "$PROBE" | jq -r '.cgroup.hierarchy')"
run_test t_cli
run_test t_probe_json
run_test t_probe_tracefs
run_test t_bad_options
run_test t_cgroup_nosuch
run_test t_not_root

# processes that exist before the agent starts; one of them from a file
# deleted since
PRE_MARK=$(mark pre)
"$BIN" sleep 600000 "$PRE_MARK" &
PRE_PID=$!
PREDEL_MARK=$(mark predel)
cp "$BIN" "$WORK/delsleep"
"$WORK/delsleep" sleep 600000 "$PREDEL_MARK" &
PREDEL_PID=$!
# the file goes once it runs (a slow VM may take a while to exec it)
_i=0
while [ "$(readlink "/proc/$PREDEL_PID/exe" 2>/dev/null)" != "$WORK/delsleep" ] && [ $_i -lt 300 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
rm -f "$WORK/delsleep"

if agent_start main --ancestors --fork-events; then
	secfs_mounts >"$WORK/secfs.after"
	run_test t_exec
	run_test t_rootcwd
	run_test t_exit_status
	run_test t_sigkill
	run_test t_hostile_args
	run_test t_long_args
	run_test t_shebang
	run_test t_preexisting
	run_test t_seeded_deleted
	run_test t_many_children
	run_test t_deep_tree
	run_test t_fork
	run_test t_container
	run_test t_memfd
	run_test t_delexec
	run_test t_fdexec
	run_test t_overlay
	run_test t_setuid
	run_test t_threads
	run_test t_threadexec
	run_test t_clean_stop
	run_test t_valid_json
	run_test t_tetragon_types
	run_test t_securityfs
else
	fail agent_start "the agent did not start"
	kill "$PRE_PID" "$PREDEL_PID" 2>/dev/null
fi
run_test t_tetragon_selftest
run_test t_creds_ns
run_test t_storm
run_test t_loss
run_test t_stalled_stdout
run_test t_export_devnull
run_test t_events_clients
run_test t_events_slow_client
run_test t_sigint_ignored
run_test t_sigint_startup
run_test t_rotation
run_test t_compact
run_test t_backends
run_test t_cgroup_v2
policy_tests
file_tests
net_tests
host_tests

# whatever a filtered or failed run left behind
kill "$PRE_PID" "$PREDEL_PID" 2>/dev/null
for _a in main creds storm loss rot cgv2 file fcount fkill fdeny ftp fdef net ndeny nb ndef host hdef hkind; do
	_p=$(eval echo "\${AGENT_$_a:-}")
	[ -n "$_p" ] && kill -INT "$_p" 2>/dev/null
done
wait
net_cleanup
if [ -f "$WORK/pubdirs" ]; then
	while read -r _d; do rm -rf "$_d"; done <"$WORK/pubdirs"
fi

[ "$FAIL" = 0 ] && rm -rf "$WORK" || echo "e2e: artifacts kept in $WORK"
echo "e2e: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
