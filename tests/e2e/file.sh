# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end tests of the file sensor and file rules, sourced by run.sh
# (POSIX sh: the VMs run them too). Files are matched by identity (device
# and inode of the file, or of a watched directory above it), so every way
# of reaching a watched file must be reported, with the absolute path the
# process used, and nothing else: opens of other files leave no record.
#
# Layout (FW, a folder every user can traverse, made at setup):
#   etc/shadow        a copy of a credential file, watched exactly (rule
#                     shadow-copy); /etc/shadow itself too (real-shadow)
#   tree/             watched with everything below it (rule tree, every
#                     file event)
#   other/ out/       not watched, same file system (hard and symbolic links,
#                     rename sources and targets)
#   bind/ jail/       mount points for the bind mount and chroot tests
#   bin/pg-testbin    a copy that uid 65534 can run
# Each test runs its workload in the background to know its pid, and finds
# the event by path and pid. Waits are short (5 s times PG_E2E_SLOW) and
# shrink to 1 s after one comes back empty, so a sensor that reports nothing
# fails the group quickly instead of stalling the VMs.

# frun CMD…: run CMD, FPID its pid, FRC its exit status
frun() {
	"$@" &
	FPID=$!
	wait $FPID
	FRC=$?
}

# frun_in DIR CMD…: the same, with DIR as the working directory
frun_in() {
	__fd=$1
	shift
	(cd "$__fd" && exec "$@") &
	FPID=$!
	wait $FPID
	FRC=$?
}

# fwait AGENT KIND PATH PID [JQ]: wait for the KIND event (file_open…) of
# PID whose file.path is PATH (and JQ, if given); FX is the event, or empty
# (returns 1) after FILE_WAIT seconds, and later waits are shorter. Not in
# a $(…): it sets variables.
fwait() {
	__fc=".$2.file.path == \"$3\" and .$2.process.pid == $4"
	[ -n "${5:-}" ] && __fc="$__fc and ($5)"
	FX=$(wait_event "$1" "$3" "$__fc" "$FILE_WAIT")
	[ -n "$FX" ] && return 0
	FILE_WAIT=$SLOW
	return 1
}

# fev TEST AGENT KIND PATH PID WHAT [JQ]: fwait, or fail TEST with what
# the export holds about PATH.
fev() {
	fwait "$2" "$3" "$4" "$5" "${7:-}" && return 0
	__fx=$(grep -F -- "$4" "$WORK/$2.json" 2>/dev/null | head -n 3 | cut -c1-700)
	fail "$1" "no $3 of $4 by pid $5 ($6); the export has about it: ${__fx:-nothing}"
	return 1
}

# jq: the operation succeeded (result 0, no error)
f_ok() { echo ".$1.result == 0 and (.$1 | has(\"error\") or has(\"errno\") | not)"; }
# jq: it failed with errno $2, named $3 (docs/EVENTS-FILE.md)
f_err() { echo "(.$1.errno == $2 and .$1.error == \"$3\" and (.$1 | has(\"result\") | not))"; }
# jq: flag $2 is set
f_flag() { echo "((.$1.flags // []) | index(\"$2\")) != null"; }

# mounted DIR: DIR is a mount point (busybox has no mountpoint)
mounted() { awk -v d="$1" '$2 == d { f = 1 } END { exit !f }' /proc/mounts; }

file_setup() {
	FW=$(pubdir) || return 1
	W="$FW/etc"
	D="$FW/tree"
	mkdir -p "$W" "$D" "$FW/other" "$FW/out" "$FW/bind" "$FW/jail/bin" "$FW/jail/etc" \
		"$FW/nsb" "$FW/bin" || return 1
	echo 'root:*:19000:0:99999:7:::' >"$W/shadow"
	chmod 640 "$W/shadow"
	cp "$BIN" "$FW/bin/pg-testbin" && chmod 755 "$FW/bin/pg-testbin" "$D" || return 1
	SHADOW_INO=$(stat -c %i "$W/shadow")
	return 0
}

file_cleanup() {
	for __m in "$FW/jail/etc" "$FW/bind"; do
		mounted "$__m" && umount "$__m"
	done
	return 0
}

# ------------------------------------------------- the reporting agent --

f_policy_main() {
	pol_write fmain <<EOF
name: file-e2e
mode: monitor
rules:
  - name: shadow-copy
    on: [file_open]
    match:
      path: [$W/shadow]
  - name: real-shadow
    on: [file_open]
    match:
      path: [/etc/shadow]
  - name: tree
    on: [file_open, file_create, file_unlink, file_rename, file_chmod, file_chown, file_truncate, file_link, file_symlink, file_mmap_exec]
    match:
      path: {prefix: [$D/]}
  - name: by-name
    on: [file_open]
    match:
      name: [pg-e2e.key]
EOF
}

# by absolute path: the rule, the policy, the process, the access
t_file_abs() {
	frun "$BIN" open "$W/shadow" r
	[ $FRC = 0 ] || { fail file_abs "pg-testbin open failed: rc=$FRC"; return; }
	fev file_abs file file_open "$W/shadow" $FPID "absolute path" || return
	check file_abs "$FX" ".file_open.process.binary == \"$BIN\" and
		.file_open.policy.name == \"file-e2e\" and .file_open.policy.rule == \"shadow-copy\" and
		.file_open.access == \"read\" and $(f_ok file_open)" && ok file_abs
}

# name: in any folder; a name of the same length and a longer one are not
# it (the kernel skips names whose length no rule has)
t_file_name() {
	for __n in pg-e2e.kez pg-e2e.keys pg-e2e.key; do
		echo x >"$FW/other/$__n"
	done
	frun "$BIN" open "$FW/other/pg-e2e.kez" r
	frun "$BIN" open "$FW/other/pg-e2e.keys" r
	frun "$BIN" open "$FW/other/pg-e2e.key" r
	fev file_name file file_open "$FW/other/pg-e2e.key" $FPID "open of a watched name" || return
	check file_name "$FX" '.file_open.policy.rule == "by-name"' || return
	if grep -q -e "pg-e2e.kez" -e "pg-e2e.keys" "$WORK/file.json"; then
		fail file_name "a name no rule has was reported: $(grep -e "pg-e2e.kez" -e "pg-e2e.keys" "$WORK/file.json" | head -n 1 | cut -c1-300)"
		return
	fi
	ok file_name
}

t_file_relative() {
	frun_in "$W" "$BIN" open shadow r
	fev file_relative file file_open "$W/shadow" $FPID "relative path, cwd $W" &&
		ok file_relative
}

# through "..": in the argument, and from a cwd next to it
t_file_dotdot() {
	frun "$BIN" open "$FW/other/../etc/shadow" r
	fev file_dotdot file file_open "$W/shadow" $FPID "$FW/other/../etc/shadow" || return
	frun_in "$FW/other" "$BIN" open ../etc/shadow r
	fev file_dotdot file file_open "$W/shadow" $FPID "../etc/shadow from $FW/other" &&
		ok file_dotdot
}

# through symbolic links (absolute and relative): the file they lead to
t_file_symlink_open() {
	ln -sf "$W/shadow" "$FW/other/sl"
	ln -sf ../etc/shadow "$FW/other/rsl"
	frun "$BIN" open "$FW/other/sl" r
	fev file_symlink_open file file_open "$W/shadow" $FPID "symlink $FW/other/sl" || return
	frun "$BIN" open "$FW/other/rsl" r
	fev file_symlink_open file file_open "$W/shadow" $FPID "relative symlink $FW/other/rsl" &&
		ok file_symlink_open
}

# openat() from a directory fd, plain and with ".."
t_file_openat() {
	frun "$BIN" openat "$W" shadow r
	fev file_openat file file_open "$W/shadow" $FPID "openat($W, shadow)" || return
	frun "$BIN" openat "$FW/other" ../etc/shadow r
	fev file_openat file file_open "$W/shadow" $FPID "openat($FW/other, ../etc/shadow)" &&
		ok file_openat
}

# A chrooted process (busybox, copied into the jail) opens /etc/shadow of
# the jail, which is the watched folder bind-mounted there: the path is the
# real one, from the mount namespace's root, not the jail's.
t_file_chroot() {
	if ! command -v chroot >/dev/null; then
		skip file_chroot "no chroot command"
		return
	fi
	cp /bin/busybox "$FW/jail/bin/busybox" 2>/dev/null || {
		skip file_chroot "no /bin/busybox to put in the jail"
		return
	}
	if ! mount --bind "$W" "$FW/jail/etc" 2>"$WORK/fchroot.err"; then
		skip file_chroot "cannot bind-mount into the jail: $(head -c 200 "$WORK/fchroot.err")"
		return
	fi
	frun chroot "$FW/jail" /bin/busybox cat /etc/shadow >/dev/null
	if [ $FRC != 0 ]; then
		umount "$FW/jail/etc"
		fail file_chroot "cat in the chroot failed: rc=$FRC"
		return
	fi
	fev file_chroot file file_open "$FW/jail/etc/shadow" $FPID "cat /etc/shadow in a chroot at $FW/jail"
	_got=$?
	umount "$FW/jail/etc"
	[ $_got = 0 ] || return
	check file_chroot "$FX" ".file_open.process.pid == $FPID and $(f_ok file_open)" && ok file_chroot
}

# A chrooted process's absolute path names a file of its jail, not of the
# host: "rm /victim" in a jail made inside the watched tree removes the
# tree's file, reported with its real path (the syscall backend joins the
# string to the process's root, and keeps the string as the argument).
t_file_chroot_unlink() {
	command -v chroot >/dev/null || { skip file_chroot_unlink "no chroot command"; return; }
	mkdir -p "$D/jail/bin"
	cp /bin/busybox "$D/jail/bin/busybox" 2>/dev/null ||
		{ skip file_chroot_unlink "no /bin/busybox to put in the jail"; return; }
	echo x >"$D/jail/victim"
	frun chroot "$D/jail" /bin/busybox rm /victim
	[ $FRC = 0 ] || { fail file_chroot_unlink "rm in the chroot failed: rc=$FRC"; return; }
	fev file_chroot_unlink file file_unlink "$D/jail/victim" $FPID "rm /victim in a chroot at $D/jail" \
		"$(f_ok file_unlink) and (.file_unlink.file.argument // \"/victim\") == \"/victim\"" || return
	# a relative name whose ".." would climb above the chroot: the kernel
	# stops at its root, and so does the path reported
	mkdir -p "$D/jail/sub"
	echo x >"$D/jail/victim2"
	frun chroot "$D/jail" /bin/busybox sh -c 'cd /sub && exec /bin/busybox rm ../../../victim2'
	[ $FRC = 0 ] || { fail file_chroot_unlink "rm ../../../victim2 in the chroot failed: rc=$FRC"; return; }
	fev file_chroot_unlink file file_unlink "$D/jail/victim2" $FPID "rm ../../../victim2 from /sub in a chroot at $D/jail" \
		"$(f_ok file_unlink) and (.file_unlink.file.argument // \"../../../victim2\") == \"../../../victim2\"" &&
		ok file_chroot_unlink
}

# From another mount namespace: the file as such, and through a bind mount
# made only in that namespace
t_file_mntns() {
	if ! unshare -m true 2>"$WORK/fmntns.err"; then
		skip file_mntns "unshare -m fails here: $(head -c 200 "$WORK/fmntns.err")"
		return
	fi
	frun unshare -m "$BIN" open "$W/shadow" r
	fev file_mntns file file_open "$W/shadow" $FPID "unshare -m" || return
	# shellcheck disable=SC2016 # $0 and $1 are the inner shell's
	frun unshare -m sh -c 'mount --bind "$1" "$2" && exec "$0" open "$2/shadow" r' \
		"$BIN" "$W" "$FW/nsb"
	[ $FRC = 0 ] || { fail file_mntns "bind mount and open in a new namespace failed: rc=$FRC"; return; }
	fev file_mntns file file_open "$FW/nsb/shadow" $FPID "bind mount inside unshare -m" &&
		ok file_mntns
}

# A hard link in another folder: the same inode, named by the link
t_file_hardlink() {
	if ! ln "$W/shadow" "$FW/other/hl" 2>"$WORK/fhl.err"; then
		fail file_hardlink "ln failed: $(head -c 200 "$WORK/fhl.err")"
		return
	fi
	frun "$BIN" open "$FW/other/hl" r
	fev file_hardlink file file_open "$FW/other/hl" $FPID "hard link $FW/other/hl" || return
	check file_hardlink "$FX" ".file_open.file.inode == $SHADOW_INO" && ok file_hardlink
}

# The watched folder bind-mounted elsewhere: named through the mount
t_file_bindmount() {
	if ! mount --bind "$W" "$FW/bind" 2>"$WORK/fbind.err"; then
		skip file_bindmount "mount --bind fails here: $(head -c 200 "$WORK/fbind.err")"
		return
	fi
	frun "$BIN" open "$FW/bind/shadow" r
	fev file_bindmount file file_open "$FW/bind/shadow" $FPID "bind mount $FW/bind"
	_got=$?
	umount "$FW/bind"
	[ $_got = 0 ] || return
	check file_bindmount "$FX" ".file_open.file.inode == $SHADOW_INO" && ok file_bindmount
}

# A path longer than 255 bytes, below the watched folder, reported whole
t_file_deep() {
	_a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	_p="$D/deep/$_a.1/$_a.2/$_a.3/$_a.4/$_a.5"
	mkdir -p "$_p" || { fail file_deep "mkdir -p failed"; return; }
	_p="$_p/file-at-the-bottom"
	echo x >"$_p"
	frun "$BIN" open "$_p" r
	fev file_deep file file_open "$_p" $FPID "${#_p}-byte path" || return
	check file_deep "$FX" "(.file_open.file.path | length) == ${#_p} and ${#_p} > 255" &&
		ok "file_deep (${#_p} bytes)"
}

# The real /etc/shadow, only read
t_file_real_shadow() {
	if [ ! -f /etc/shadow ]; then
		skip file_real_shadow "no /etc/shadow here"
		return
	fi
	frun "$BIN" open /etc/shadow r
	fev file_real_shadow file file_open /etc/shadow $FPID "absolute" \
		".file_open.policy.rule == \"real-shadow\"" || return
	frun_in /etc "$BIN" open shadow r
	fev file_real_shadow file file_open /etc/shadow $FPID "relative, cwd /etc" &&
		ok file_real_shadow
}

# A write open, and an append
t_file_write() {
	echo data >"$D/w"
	frun "$BIN" open "$D/w" w
	fev file_write file file_open "$D/w" $FPID "write open" || return
	check file_write "$FX" ".file_open.access == \"write\" and .file_open.policy.rule == \"tree\" and
		$(f_ok file_open)" || return
	frun "$BIN" open "$D/w" rw
	fev file_write file file_open "$D/w" $FPID "read-write open" '.file_open.access == "read-write"' &&
		ok file_write
}

# open(O_CREAT) of a new file, mknod (a FIFO), mkdir (a directory)
t_file_create() {
	rm -f "$D/new" "$D/fifo"
	frun "$BIN" open "$D/new" c
	fev file_create file file_create "$D/new" $FPID "open(O_CREAT) of a new file" || return
	# mode: what was asked for, "left out when unknown" (the syscall backend)
	# The tracepoint backend reports the open that created the file, with
	# O_CREAT in its flags although the open file no longer has it (the
	# kernel clears it once the file is open); lsm and fentry report the
	# creation itself (path_mknod), before any open, with no open flags.
	_flags='(.file_create.open_flags | index("O_CREAT")) != null'
	[ "$FILE_BACKEND" = tracepoint ] || _flags="(.file_create | has(\"open_flags\") | not) or $_flags"
	check file_create "$FX" "$(f_ok file_create) and (.file_create.mode // \"0644\") == \"0644\" and
		($_flags)" || return
	# the create is one event, not a create and an open
	[ "$(count_events file "$D/new" ".file_open.file.path == \"$D/new\" and .file_open.process.pid == $FPID")" = 0 ] ||
		{ fail file_create "the creating open was also reported as file_open"; return; }
	frun "$BIN" mkfifo "$D/fifo"
	fev file_create file file_create "$D/fifo" $FPID "mknod of a FIFO" || return
	check file_create "$FX" "$(f_ok file_create) and .file_create.file.type == \"fifo\"" || return
	rmdir "$D/newdir" 2>/dev/null
	frun "$BIN" mkdir "$D/newdir"
	fev file_create file file_create "$D/newdir" $FPID "mkdir" || return
	check file_create "$FX" "$(f_ok file_create) and .file_create.file.type == \"dir\" and
		(.file_create.mode // \"0755\") == \"0755\"" || return
	rmdir "$D/newdir"
	ok file_create
}

# rename into the watched folder and out of it: path is the old name, the
# new one is in the event too
t_file_rename() {
	echo in >"$FW/out/in"
	echo out >"$D/out"
	rm -f "$D/in" "$FW/out/out"
	frun "$BIN" rename "$FW/out/in" "$D/in"
	[ $FRC = 0 ] || { fail file_rename "rename failed: rc=$FRC"; return; }
	fev file_rename file file_rename "$FW/out/in" $FPID "rename into $D" || return
	check file_rename "$FX" ".file_rename.new_path == \"$D/in\" and $(f_ok file_rename)" || return
	frun "$BIN" rename "$D/out" "$FW/out/out"
	fev file_rename file file_rename "$D/out" $FPID "rename out of $D" || return
	check file_rename "$FX" ".file_rename.new_path == \"$FW/out/out\" and $(f_ok file_rename)" &&
		ok file_rename
}

t_file_chmod() {
	echo x >"$D/m"
	frun "$BIN" chmod "$D/m" 600
	fev file_chmod file file_chmod "$D/m" $FPID "chmod()" "$(f_ok file_chmod) and .file_chmod.mode == \"0600\"" || return
	frun "$BIN" fchmod "$D/m" 640
	fev file_chmod file file_chmod "$D/m" $FPID "fchmod()" "$(f_ok file_chmod) and .file_chmod.mode == \"0640\"" || return
	[ "$(stat -c %a "$D/m")" = 640 ] || { fail file_chmod "mode is $(stat -c %a "$D/m")"; return; }
	ok file_chmod
}

# before 6.1 the lsm and fentry backends take chown at chown_common
# (path_chown's ids are structs by value): reported all the same
t_file_chown() {
	echo x >"$D/o"
	frun "$BIN" chown "$D/o" 1 1
	fev file_chown file file_chown "$D/o" $FPID "chown()" \
		"$(f_ok file_chown) and .file_chown.owner == {\"uid\": 1, \"gid\": 1}" || return
	frun "$BIN" fchown "$D/o" 0 0
	fev file_chown file file_chown "$D/o" $FPID "fchown()" \
		"$(f_ok file_chown) and .file_chown.owner == {\"uid\": 0, \"gid\": 0}" && ok file_chown
}

# unlink of a file, rmdir of a folder
t_file_unlink() {
	echo x >"$D/u"
	mkdir -p "$D/ud"
	frun "$BIN" unlink "$D/u"
	fev file_unlink file file_unlink "$D/u" $FPID "unlink()" "$(f_ok file_unlink)" || return
	[ ! -e "$D/u" ] || { fail file_unlink "the file is still there"; return; }
	frun "$BIN" rmdir "$D/ud"
	fev file_unlink file file_unlink "$D/ud" $FPID "rmdir()" "$(f_ok file_unlink)" &&
		ok file_unlink
}

t_file_truncate() {
	echo 0123456789 >"$D/t"
	frun "$BIN" truncate "$D/t" 3
	# the length, unless the LSM hook saw it (it is not told the length)
	fev file_truncate file file_truncate "$D/t" $FPID "truncate()" \
		"$(f_ok file_truncate) and (.file_truncate.length == 3 or $(f_flag file_truncate before))" || return
	frun "$BIN" ftruncate "$D/t" 1
	fev file_truncate file file_truncate "$D/t" $FPID "ftruncate()" \
		"$(f_ok file_truncate) and (.file_truncate.length == 1 or $(f_flag file_truncate before))" || return
	[ "$(stat -c %s "$D/t")" = 1 ] || { fail file_truncate "size $(stat -c %s "$D/t")"; return; }
	ok file_truncate
}

# link(): path is the old file, the new link is in the event; symlink():
# path is the new link, the target as written is in the event
t_file_link() {
	echo x >"$D/lsrc"
	rm -f "$D/lnew" "$D/snew"
	frun "$BIN" link "$D/lsrc" "$D/lnew"
	fev file_link file file_link "$D/lsrc" $FPID "link()" || return
	check file_link "$FX" ".file_link.new_path == \"$D/lnew\" and $(f_ok file_link)" || return
	frun "$BIN" symlink /pg-nowhere/target "$D/snew"
	fev file_link file file_symlink "$D/snew" $FPID "symlink()" || return
	check file_link "$FX" ".file_symlink.target == \"/pg-nowhere/target\" and $(f_ok file_symlink)" &&
		ok file_link
}

# mmap(PROT_EXEC) of a file in the watched folder
t_file_mmap_exec() {
	cp "$BIN" "$D/lib.so"
	frun "$BIN" mmapx "$D/lib.so"
	if [ $FRC = 1 ]; then
		skip file_mmap_exec "mmap(PROT_EXEC) refused with EPERM here (a noexec mount?)"
		return
	fi
	[ $FRC = 0 ] || { fail file_mmap_exec "pg-testbin mmapx failed: rc=$FRC"; return; }
	fev file_mmap_exec file file_mmap_exec "$D/lib.so" $FPID "mmap PROT_EXEC" "$(f_ok file_mmap_exec) and
		(.file_mmap_exec.prot | index(\"PROT_EXEC\")) != null" && ok file_mmap_exec
}

# uid 65534 opens a 0600 root file: refused by the kernel, reported with
# its errno
t_file_refused() {
	if [ "$(echo "$PROBE" | jq -r '.sensors.file')" = lsm ]; then
		# the permission check refuses it before security_file_open runs
		skip file_refused "the lsm backend does not see opens the kernel refuses (DAC) before its hook"
		return
	fi
	echo secret >"$D/secret"
	chmod 600 "$D/secret"
	frun "$FW/bin/pg-testbin" asuser 65534 "$FW/bin/pg-testbin" open "$D/secret" r 2>/dev/null
	[ $FRC = 13 ] || { fail file_refused "the open as uid 65534 gave rc=$FRC, not EACCES (13)"; return; }
	fev file_refused file file_open "$D/secret" $FPID "EACCES open as uid 65534" || return
	check file_refused "$FX" "$(f_err file_open 13 EACCES) and .file_open.process.uid == 65534" &&
		ok file_refused
}

# The agent's books for all of the above
t_file_stats() {
	agent_stop file
	FILE_AGENT_UP=0
	_n=$(grep -c '"file_' "$WORK/file.json" 2>/dev/null)
	_o=$(jq -c 'select(type == "object")' "$WORK/file.json" 2>/dev/null | wc -l | tr -d ' ')
	if [ "$AGENT_RC" = 0 ] && [ "${_n:-0}" -gt 0 ] && [ "$(wc -l <"$WORK/file.json" | tr -d ' ')" = "$_o" ] &&
		jq -e '.lost == 0 and .malformed == 0 and .emitted == .delivered and
			.events.file_open.delivered > 0 and .events.file_open.lost == 0' \
			"$WORK/file.stats" >/dev/null; then
		ok "file_stats ($_n file events, $(jq -c '.sensors.file.backend' "$WORK/file.stats") backend)"
	else
		fail file_stats "rc=$AGENT_RC, $_n file lines, $_o objects; stats=$(jq -c '{emitted, delivered, lost, malformed, events, errors}' "$WORK/file.stats" 2>/dev/null | cut -c1-1200)"
	fi
}

# ------------------------------------------------- agents of their own --

# Opens (and other operations) of files no rule watches leave no record at
# all in the kernel: the counters of kernel records say so, not only the
# export. The rule names our binary so that the rest of the machine (whose
# refused opens the syscall backend forwards) cannot add records.
t_file_unwatched() {
	_c="$FW/c"
	mkdir -p "$_c/tree" "$_c/tree2" "$_c/other" "$_c/bin"
	cp "$BIN" "$_c/bin/pg-testbin"
	_b="$_c/bin/pg-testbin"
	for _f in "$_c/watched" "$_c/unwatched" "$_c/tree/a" "$_c/tree2/a" "$_c/other/watched"; do
		echo x >"$_f"
	done
	pol_write fcount <<EOF
name: file-count
rules:
  - name: watched
    on: [file_open, file_create, file_unlink, file_rename, file_chmod, file_chown, file_truncate, file_link, file_symlink, file_mmap_exec]
    match:
      binary: [$_b]
      path:
        exact: [$_c/watched]
        prefix: [$_c/tree/]
EOF
	pol_agent fcount fcount || { fail file_unwatched "agent did not start"; return; }
	_e=""
	"$_b" openloop "$_c/unwatched" 2000 || _e="$_e openloop-unwatched"
	"$_b" openloop "$_c/tree2/a" 500 || _e="$_e openloop-tree2"
	"$_b" openloop "$_c/other/watched" 500 || _e="$_e openloop-other-watched"
	[ -f /etc/passwd ] && "$_b" openloop /etc/passwd 500
	"$_b" open "$_c/new" c || _e="$_e create"
	"$_b" mmapx "$_c/bin/pg-testbin" || _e="$_e mmapx"
	"$_b" truncate "$_c/unwatched" 1 || _e="$_e truncate"
	"$_b" chmod "$_c/unwatched" 600 || _e="$_e chmod"
	"$_b" rename "$_c/new" "$_c/new2" || _e="$_e rename"
	"$_b" unlink "$_c/new2" || _e="$_e unlink"
	# then the watched ones: 1 + 3 opens
	"$_b" open "$_c/watched" r || _e="$_e open-watched"
	"$_b" openloop "$_c/tree/a" 3 || _e="$_e openloop-tree"
	wait_event fcount "$_c/tree/a" ".file_open.file.path == \"$_c/tree/a\"" "$FILE_WAIT" >/dev/null
	sleep 0.5
	agent_stop fcount
	[ -z "$_e" ] || { fail file_unwatched "workload failed:$_e"; return; }
	_w=$(count_events fcount "$_c/" "(.file_open.file.path == \"$_c/watched\") or (.file_open.file.path == \"$_c/tree/a\")")
	_u=$(grep -c -e '"file_' "$WORK/fcount.json" 2>/dev/null)
	if [ "$_w" = 4 ] && [ "${_u:-0}" = 4 ] && jq -e '.events.file_open.emitted == 4 and
		.events.file_open.delivered == 4 and .events.file_open.lost == 0 and
		.events.file_create.emitted == 0 and .events.file_mmap_exec.emitted == 0' \
		"$WORK/fcount.stats" >/dev/null; then
		ok "file_unwatched (4000 unwatched opens: no record; 4 watched: 4; kernel records of path calls: $(jq -c '[.events | to_entries[] | select(.key | startswith("file_")) | select(.value.emitted > 0) | "\(.key)=\(.value.emitted)"] | join(" ")' "$WORK/fcount.stats"))"
	else
		fail file_unwatched "$_w/4 watched opens reported, $_u file lines in all; counters: $(jq -c '[.events | to_entries[] | select(.key | startswith("file_")) | {(.key): .value}] | add' "$WORK/fcount.stats" 2>/dev/null | cut -c1-900)"
	fi
}

# kill: the process dies (with the syscall backend, after the call
# returned: it never runs its next instruction); others are unaffected
t_file_kill() {
	mkdir -p "$FW/k" "$FW/killer"
	echo secret >"$FW/k/secret"
	cp "$BIN" "$FW/killer/pg-testbin"
	pol_write fkill <<EOF
name: file-kill
mode: enforce
rules:
  - name: kill-reader
    on: [file_open]
    match:
      path: [$FW/k/secret]
      binary: {prefix: [$FW/killer/]}
    action: kill
EOF
	pol_agent fkill fkill || { fail file_kill "agent did not start"; return; }
	rm -f "$FW/k/marker"
	{ frun "$FW/killer/pg-testbin" openmark "$FW/k/secret" r "$FW/k/marker"; } 2>/dev/null
	_rc=$FRC
	_pid=$FPID
	frun "$BIN" open "$FW/k/secret" r
	_orc=$FRC
	fwait fkill file_open "$FW/k/secret" "$_pid"
	_x=$FX
	# through io_uring (no open system call): killed as well
	{ frun "$FW/killer/pg-testbin" uringopen "$FW/k/secret" r; } 2>/dev/null
	_urc=$FRC _kills=2
	[ $_urc = 38 ] && _kills=1 # no io_uring in this kernel
	agent_stop fkill
	if [ $_rc != 137 ] || [ -e "$FW/k/marker" ]; then
		fail file_kill "the reader was not killed: rc=$_rc, marker $([ -e "$FW/k/marker" ] && echo created || echo absent)"
	elif [ $_urc != 137 ] && [ $_kills = 2 ]; then
		fail file_kill "the io_uring reader was not killed: rc=$_urc"
	elif [ $_orc != 0 ]; then
		fail file_kill "another binary could not read the file: rc=$_orc"
	elif [ -z "$_x" ]; then
		fail file_kill "no file_open for the killed reader: $(grep -F "$FW/k/secret" "$WORK/fkill.json" | head -n 2 | cut -c1-600)"
	else
		check file_kill "$FX" '.file_open.policy.action == "kill" and .file_open.policy.rule == "kill-reader"' || return
		jq -e ".policies[0].rules[0].killed == $_kills" "$WORK/fkill.stats" >/dev/null ||
			{ fail file_kill "counters: $(jq -c .policies "$WORK/fkill.stats")"; return; }
		ok "file_kill ($(echo "$PROBE" | jq -r .sensors.file) backend)"
	fi
}

# deny: the call fails with EPERM and the file is untouched (BPF LSM only);
# reads, other files and other binaries are unaffected
t_file_deny() {
	_d="$FW/d"
	mkdir -p "$_d" "$FW/denier"
	cp "$BIN" "$FW/denier/pg-testbin"
	_dn="$FW/denier/pg-testbin"
	echo "keep me" >"$_d/secret"
	chmod 644 "$_d/secret"
	echo other >"$_d/other"
	pol_write fdeny <<EOF
name: file-deny
mode: enforce
rules:
  - name: deny-write
    on: [file_open]
    match:
      path: [$_d/secret]
      access: [write]
      binary: {prefix: [$FW/denier/]}
    action: deny
  - name: deny-change
    on: [file_unlink, file_rename, file_truncate, file_chmod]
    match:
      path: [$_d/secret]
    action: deny
EOF
	if [ "$(echo "$PROBE" | jq -r '.sensors.file')" != lsm ]; then
		# no BPF LSM: refused at load, clearly; with fallback: kill, it kills
		"$PENGUARD" run --socket "" -o none --no-default-policies --policy-dir "" \
			--policy "$WORK/fdeny.yaml" >/dev/null 2>"$WORK/fdeny.err" </dev/null
		_rc=$?
		[ $_rc = 1 ] && grep -q "cannot deny" "$WORK/fdeny.err" ||
			{ fail file_deny "deny without BPF LSM: rc=$_rc: $(tail -n 2 "$WORK/fdeny.err")"; return; }
		# the open is decided in the kernel, where a kill is immediate
		pol_write fdenyk <<EOF
name: file-deny
mode: enforce
rules:
  - name: deny-write
    on: [file_open]
    match:
      path: [$_d/secret]
      access: [write]
      binary: {prefix: [$FW/denier/]}
    action: deny
    fallback: kill
EOF
		pol_agent fdeny fdenyk || { fail file_deny "agent with fallback: kill did not start"; return; }
		{ frun "$_dn" openmark "$_d/secret" a "$_d/marker"; } 2>/dev/null
		_rc=$FRC
		frun "$_dn" open "$_d/secret" r
		_rrc=$FRC
		agent_stop fdeny
		if [ $_rc = 137 ] && [ ! -e "$_d/marker" ] && [ $_rrc = 0 ]; then
			skip file_deny "no BPF LSM here (file backend $(echo "$PROBE" | jq -r .sensors.file)): deny refused at load, fallback: kill killed the writer, not the reader (the VM kernels test deny)"
		else
			fail file_deny "fallback: kill: writer rc=$_rc (want 137, marker $([ -e "$_d/marker" ] && echo created || echo absent)), reader rc=$_rrc (want 0)"
		fi
		return
	fi
	pol_agent fdeny fdeny || { fail file_deny "agent did not start"; return; }
	_e=""
	frun "$_dn" open "$_d/secret" t 2>/dev/null
	_pid=$FPID
	[ $FRC = 1 ] || _e="$_e write-open-rc=$FRC"
	frun "$_dn" unlink "$_d/secret" 2>/dev/null
	[ $FRC = 1 ] || _e="$_e unlink-rc=$FRC"
	frun "$_dn" rename "$_d/secret" "$_d/moved" 2>/dev/null
	[ $FRC = 1 ] || _e="$_e rename-rc=$FRC"
	frun "$_dn" truncate "$_d/secret" 0 2>/dev/null
	[ $FRC = 1 ] || _e="$_e truncate-rc=$FRC"
	frun "$_dn" chmod "$_d/secret" 777 2>/dev/null
	[ $FRC = 1 ] || _e="$_e chmod-rc=$FRC"
	# io_uring's open goes through the same hook: refused as well
	frun "$_dn" uringopenw "$_d/secret" a 2>/dev/null
	[ $FRC = 1 ] || [ $FRC = 38 ] || _e="$_e io_uring-write-open-rc=$FRC"
	[ "$(cat "$_d/secret" 2>/dev/null)" = "keep me" ] || _e="$_e content-changed"
	[ "$(stat -c %a "$_d/secret" 2>/dev/null)" = 644 ] || _e="$_e mode-changed"
	# unaffected: a read by the same binary, another file, another binary
	frun "$_dn" open "$_d/secret" r
	[ $FRC = 0 ] || _e="$_e read-denied"
	frun "$_dn" open "$_d/other" w
	[ $FRC = 0 ] || _e="$_e other-file-denied"
	frun "$BIN" open "$_d/secret" a
	[ $FRC = 0 ] || _e="$_e other-binary-denied"
	fwait fdeny file_open "$_d/secret" "$_pid"
	_x=$FX
	agent_stop fdeny
	if [ -n "$_e" ]; then
		fail file_deny "wrong:$_e"
	elif [ -z "$_x" ]; then
		fail file_deny "no file_open for the denied open: $(grep -F "$_d/secret" "$WORK/fdeny.json" | head -n 2 | cut -c1-600)"
	else
		check file_deny "$FX" ".file_open.policy.action == \"deny\" and .file_open.policy.rule == \"deny-write\" and
			$(f_err file_open 1 EPERM) and $(f_flag file_open before)" || return
		_n=$(count_events fdeny "$_d/secret" '.file_unlink or .file_rename or .file_truncate or .file_chmod')
		[ "$_n" = 4 ] || { fail file_deny "$_n/4 denied unlink, rename, truncate, chmod reported"; return; }
		ok file_deny
	fi
}

# deny of a chown: EPERM and the owner unchanged where the lsm backend
# has path_chown; before 6.1 (chown_common, which cannot refuse) a deny
# rule is refused at load with the reason, never quietly not enforced
t_file_chown_deny() {
	if [ "$(echo "$PROBE" | jq -r '.sensors.file')" != lsm ]; then
		skip file_chown_deny "no BPF LSM here (file backend $(echo "$PROBE" | jq -r .sensors.file)): t_file_deny tests the refusal"
		return
	fi
	_d="$FW/cd"
	mkdir -p "$_d"
	echo x >"$_d/owned"
	pol_write fcdeny <<EOF
name: chown-deny
mode: enforce
rules:
  - name: deny-chown
    on: [file_chown]
    match:
      path: [$_d/owned]
    action: deny
EOF
	if grep -q "taken at chown_common" "$WORK/file.log"; then
		"$PENGUARD" run --socket "" -o none --no-default-policies --policy-dir "" \
			--policy "$WORK/fcdeny.yaml" >/dev/null 2>"$WORK/fcdeny.err" </dev/null
		_rc=$?
		[ $_rc = 1 ] && grep -q "cannot deny file_chown (file_chown's LSM hook takes structs by value" "$WORK/fcdeny.err" ||
			{ fail file_chown_deny "deny of chown before 6.1: rc=$_rc: $(tail -n 2 "$WORK/fcdeny.err")"; return; }
		ok file_chown_deny
		return
	fi
	pol_agent fcdeny fcdeny || { fail file_chown_deny "agent did not start"; return; }
	frun "$BIN" chown "$_d/owned" 1 1 2>/dev/null
	_rc=$FRC _pid=$FPID
	fwait fcdeny file_chown "$_d/owned" "$_pid"
	_x=$FX
	agent_stop fcdeny
	[ $_rc = 1 ] || { fail file_chown_deny "chown rc=$_rc, want 1 (EPERM)"; return; }
	[ "$(stat -c %u "$_d/owned")" = 0 ] || { fail file_chown_deny "owner changed to $(stat -c %u "$_d/owned")"; return; }
	check file_chown_deny "$_x" '.file_chown.policy.action == "deny" and
		'"$(f_err file_chown 1 EPERM)" && ok file_chown_deny
}

# --backend file=tracepoint where the LSM one is the default (the VMs):
# works from 5.15 (bpf_task_pt_regs), or is refused with a reason
t_file_backend_tracepoint() {
	_b=$(echo "$PROBE" | jq -r '.sensors.file')
	if [ "$_b" = tracepoint ]; then
		skip file_backend_tracepoint "tracepoint is this kernel's default file backend: the tests above ran it"
		return
	fi
	# 5.10 would refuse it (and WARN about the policy's LPM trie, not
	# preallocated, in a tracepoint program): not tried there
	if [ "$(echo "$PROBE" | jq -r '.features.pt_regs')" != true ]; then
		skip file_backend_tracepoint "kernel $(uname -r) has no bpf_task_pt_regs (5.15+): the backend is not offered here"
		return
	fi
	if ! pol_agent ftp fmain --backend file=tracepoint; then
		# shellcheck disable=SC2046
		set -- $(uname -r | tr '.-' '  ')
		if [ "$1" -lt 5 ] || { [ "$1" = 5 ] && [ "$2" -lt 15 ]; }; then
			skip file_backend_tracepoint "kernel $(uname -r) < 5.15 (no bpf_task_pt_regs): $(grep -i -e error -e tracepoint "$WORK/ftp.log" | tail -n 1 | cut -c1-200)"
		else
			fail file_backend_tracepoint "agent did not start on $(uname -r): $(tail -n 2 "$WORK/ftp.log")"
		fi
		return
	fi
	frun "$BIN" open "$W/shadow" r
	fwait ftp file_open "$W/shadow" $FPID
	_x=$FX
	[ -e "$D/m" ] || echo x >"$D/m" # t_file_chmod's file, when it did not run
	frun "$BIN" chmod "$D/m" 644
	fwait ftp file_chmod "$D/m" $FPID
	_y=$FX
	# io_uring: its tracepoints have the request from 5.19 and 6.0 on
	frun "$BIN" uringopenw "$W/shadow" r
	_u=yes
	[ $FRC = 0 ] && { fwait ftp file_open "$W/shadow" $FPID "$(f_flag file_open ioUring)" || _u=""; }
	rmdir "$D/tpd" 2>/dev/null
	frun "$BIN" uringmkdir "$D/tpd"
	[ $FRC = 0 ] && { fwait ftp file_create "$D/tpd" $FPID "$(f_flag file_create ioUring)" || _u=""; }
	# a 32-bit open (int $0x80; where the kernel runs 32-bit code: elsewhere
	# it kills the caller)
	_c=yes
	if [ "$(uname -m)" = x86_64 ]; then
		frun "$BIN" compatopen "$W/shadow" r 2>/dev/null
		if [ $FRC = 0 ]; then
			fwait ftp file_open "$W/shadow" $FPID "$(f_flag file_open compat32)" || _c=""
		elif [ $FRC -le 128 ]; then
			_c=""
		fi
	fi
	agent_stop ftp
	if [ -z "$_x" ] || [ -z "$_y" ] || [ -z "$_u" ] || [ -z "$_c" ]; then
		fail file_backend_tracepoint "open reported: $([ -n "$_x" ] && echo yes || echo no), chmod reported: $([ -n "$_y" ] && echo yes || echo no), io_uring open and mkdir: $([ -n "$_u" ] && echo yes || echo no), 32-bit open: $([ -n "$_c" ] && echo yes || echo no)"
	elif ! jq -e '.sensors.file.backend == "tracepoint"' "$WORK/ftp.stats" >/dev/null; then
		fail file_backend_tracepoint "stats name backend $(jq -c .sensors.file.backend "$WORK/ftp.stats")"
	else
		ok file_backend_tracepoint
	fi
}

# fentry on the security_*() functions, forced where it works (the VM
# kernels): the same hooks as lsm, so the same events, flag "before";
# a kill rule kills, and a deny rule is refused at load (no deny here)
t_file_backend_fentry() {
	if [ "$(echo "$PROBE" | jq -r '.features.fentry')" != true ]; then
		skip file_backend_fentry "no fentry on this kernel ($(uname -r)): the VM kernels test it"
		return
	fi
	pol_agent ffe fmain --backend file=fentry ||
		{ fail file_backend_fentry "agent did not start: $(tail -n 2 "$WORK/ffe.log")"; return; }
	frun "$BIN" open "$W/shadow" r
	fwait ffe file_open "$W/shadow" $FPID "$(f_flag file_open before)"
	_x=$FX
	[ -e "$D/m" ] || echo x >"$D/m"
	frun "$BIN" chmod "$D/m" 644
	fwait ffe file_chmod "$D/m" $FPID ".file_chmod.mode == \"0644\""
	_y=$FX
	# path_chown, or chown_common before 6.1
	frun "$BIN" chown "$D/m" 2 2
	fwait ffe file_chown "$D/m" $FPID ".file_chown.owner == {\"uid\": 2, \"gid\": 2}"
	_o=$FX
	frun "$BIN" rename "$D/m" "$D/m2"
	fwait ffe file_rename "$D/m" $FPID ".file_rename.new_path == \"$D/m2\""
	_z=$FX
	agent_stop ffe
	mv "$D/m2" "$D/m" 2>/dev/null
	if [ -z "$_x" ] || [ -z "$_y" ] || [ -z "$_o" ] || [ -z "$_z" ]; then
		fail file_backend_fentry "open reported: $([ -n "$_x" ] && echo yes || echo no), chmod: $([ -n "$_y" ] && echo yes || echo no), chown: $([ -n "$_o" ] && echo yes || echo no), rename: $([ -n "$_z" ] && echo yes || echo no)"
		return
	fi
	jq -e '.sensors.file.backend == "fentry"' "$WORK/ffe.stats" >/dev/null ||
		{ fail file_backend_fentry "stats name backend $(jq -c .sensors.file.backend "$WORK/ffe.stats")"; return; }
	# t_file_kill's rule: the reader dies before its open returns
	[ -f "$WORK/fkill.yaml" ] || { skip file_backend_fentry "kill not tried: t_file_kill did not run"; return; }
	pol_agent ffk fkill --backend file=fentry ||
		{ fail file_backend_fentry "agent with the kill rule did not start: $(tail -n 2 "$WORK/ffk.log")"; return; }
	rm -f "$FW/k/marker"
	{ frun "$FW/killer/pg-testbin" openmark "$FW/k/secret" r "$FW/k/marker"; } 2>/dev/null
	_rc=$FRC
	agent_stop ffk
	if [ "$_rc" != 137 ] || [ -e "$FW/k/marker" ]; then
		fail file_backend_fentry "kill rule: reader rc=$_rc (want 137), marker $([ -e "$FW/k/marker" ] && echo created || echo absent)"
		return
	fi
	ok file_backend_fentry
}

# io_uring opens enter no open system call: an io_uring openat of the
# watched file, by the submitter and by an io_uring worker thread, is
# reported all the same (the tracepoint backend flags it "ioUring")
t_file_io_uring() {
	frun "$BIN" uringopen "$W/shadow" r 2>"$WORK/furing.err"
	if [ $FRC != 0 ] && grep -q -e "not implemented" -e "not permitted" "$WORK/furing.err"; then
		skip file_io_uring "no io_uring here: $(head -c 200 "$WORK/furing.err")"
		return
	fi
	[ $FRC = 0 ] || { fail file_io_uring "io_uring open failed: rc=$FRC: $(head -c 200 "$WORK/furing.err")"; return; }
	_q='true'
	[ "$FILE_BACKEND" = tracepoint ] && _q="$(f_flag file_open ioUring)"
	fev file_io_uring file file_open "$W/shadow" $FPID "io_uring openat" "$_q" || return
	check file_io_uring "$FX" '.file_open.policy.rule == "shadow-copy" and .file_open.access == "read"' ||
		return
	frun "$BIN" uringopenw "$W/shadow" r
	[ $FRC = 0 ] || { fail file_io_uring "io_uring open by a worker failed: rc=$FRC"; return; }
	fev file_io_uring file file_open "$W/shadow" $FPID "io_uring openat by a worker thread" "$_q" &&
		ok "file_io_uring ($FILE_BACKEND backend)"
}

# iou_ev TYPE PATH JQ: the last io_uring path operation's event (the
# tracepoint backend flags it ioUring and before)
iou_ev() {
	__q='true'
	[ "$FILE_BACKEND" = tracepoint ] && __q="$(f_flag "$1" ioUring) and $(f_flag "$1" before)"
	fev file_io_uring_paths file "$1" "$2" $FPID "io_uring $1" "$__q and ($3)"
}

# The path operations through io_uring (no unlinkat, renameat, … system
# call): each is reported with its paths; the tracepoint backend sees them
# at submission (flags ioUring and before), the lsm one in its hooks
t_file_io_uring_paths() {
	_u="$D/iou"
	rm -rf "$_u" && mkdir "$_u" && echo x >"$_u/f" || { fail file_io_uring_paths "cannot set up $_u"; return; }
	frun "$BIN" uringmkdir "$_u/d" 2>"$WORK/furing.err"
	if [ $FRC = 38 ] || grep -q "not permitted" "$WORK/furing.err"; then
		skip file_io_uring_paths "no io_uring here: $(head -c 200 "$WORK/furing.err")"
		return
	fi
	if [ $FRC = 22 ]; then
		# EINVAL: an opcode this kernel's io_uring lacks (mkdirat, symlinkat, linkat: 5.15)
		skip file_io_uring_paths "kernel $(uname -r): io_uring has no IORING_OP_MKDIRAT (5.15+)"
		return
	fi
	[ -d "$_u/d" ] || { fail file_io_uring_paths "io_uring mkdirat failed: rc=$FRC"; return; }
	iou_ev file_create "$_u/d" '.file_create.mode == "0755" or .file_create.mode == null' || return
	frun "$BIN" uringrename "$_u/f" "$_u/g"
	iou_ev file_rename "$_u/f" ".file_rename.new_path == \"$_u/g\"" || return
	frun "$BIN" uringlink "$_u/g" "$_u/h"
	iou_ev file_link "$_u/g" ".file_link.new_path == \"$_u/h\"" || return
	frun "$BIN" uringsymlink ../x "$_u/s"
	iou_ev file_symlink "$_u/s" '.file_symlink.target == "../x"' || return
	frun "$BIN" uringunlink "$_u/h"
	iou_ev file_unlink "$_u/h" true || return
	[ -e "$_u/g" ] && [ ! -e "$_u/h" ] && [ -L "$_u/s" ] ||
		{ fail file_io_uring_paths "the operations did not all happen: $(ls "$_u" | tr '\n' ' ')"; return; }
	ok "file_io_uring_paths ($FILE_BACKEND backend)"
}

# c32_ev TYPE PATH JQ: the last 32-bit call's event (the tracepoint
# backend flags it compat32)
c32_ev() {
	__q="$(f_ok "$1")"
	[ "$FILE_BACKEND" = tracepoint ] && __q="$__q and $(f_flag "$1" compat32)"
	fev file_compat file "$1" "$2" $FPID "32-bit $1" "$__q and ($3)"
}

# 32-bit system calls, made by int $0x80 from a 64-bit program: x86's
# syscall tracepoints do not fire for them (the way around monitors that
# watch the 64-bit calls). The tracepoint backend takes them at the raw
# sys_exit (flag compat32), the lsm one in its hooks, as any call.
t_file_compat() {
	if [ "$(uname -m)" != x86_64 ]; then
		skip file_compat "not x86-64 ($(uname -m)): no int \$0x80 to test with"
		return
	fi
	_c="$D/c32"
	rm -rf "$_c" && mkdir "$_c" && echo x >"$_c/f" || { fail file_compat "cannot set up $_c"; return; }
	frun "$BIN" compatopen "$W/shadow" r 2>"$WORK/fcompat.err"
	if [ $FRC -gt 128 ]; then
		# int $0x80 faults where the kernel runs no 32-bit code
		skip file_compat "kernel $(uname -r) has no ia32 emulation (int \$0x80 killed it: $FRC)"
		return
	fi
	[ $FRC = 0 ] || { fail file_compat "32-bit open failed: rc=$FRC: $(head -c 200 "$WORK/fcompat.err")"; return; }
	c32_ev file_open "$W/shadow" '.file_open.policy.rule == "shadow-copy" and .file_open.access == "read"' ||
		return
	frun "$BIN" compatmkdir "$_c/d"
	c32_ev file_create "$_c/d" '.file_create.mode == "0755" or .file_create.mode == null' || return
	frun "$BIN" compatrename "$_c/f" "$_c/g"
	c32_ev file_rename "$_c/f" ".file_rename.new_path == \"$_c/g\"" || return
	# fchmod's file is opened by a 64-bit open: the call on its fd is 32-bit
	frun "$BIN" compatfchmod "$_c/g" 600
	c32_ev file_chmod "$_c/g" '.file_chmod.mode == "0600"' || return
	# the old chown's 16-bit ids: 0xffff is -1, "unchanged"
	frun "$BIN" compatchown16 "$_c/g" 1 -1
	c32_ev file_chown "$_c/g" '.file_chown.owner == {"uid": 1}' || return
	frun "$BIN" compatunlink "$_c/g"
	c32_ev file_unlink "$_c/g" true || return
	[ -d "$_c/d" ] && [ ! -e "$_c/f" ] && [ ! -e "$_c/g" ] ||
		{ fail file_compat "the calls did not all happen: $(ls "$_c" | tr '\n' ' ')"; return; }
	ok "file_compat ($FILE_BACKEND backend)"
}

# The built-in policies watch /etc/shadow: a read of it is reported
t_file_default() {
	if [ ! -f /etc/shadow ]; then
		skip file_default "no /etc/shadow here"
		return
	fi
	agent_start fdef --no-seed || { fail file_default "agent with the built-in policies did not start"; return; }
	frun "$BIN" open /etc/shadow r
	fwait fdef file_open /etc/shadow $FPID
	_x=$FX
	# a sysctl written back with its own value: a write that changes nothing
	_sys=/proc/sys/vm/swappiness _s=""
	frun sh -c "echo \$(cat $_sys) >$_sys"
	[ "$FRC" = 0 ] && fwait fdef file_open $_sys $FPID && _s=$FX
	_src=$FRC
	agent_stop fdef
	[ -n "$_x" ] || { fail file_default "no file_open of /etc/shadow with the built-in policies"; return; }
	check file_default "$_x" '.file_open.policy.name == "file-integrity" and
		.file_open.policy.rule == "credential-read"' || return
	if [ "$_src" != 0 ]; then
		skip file_default_sysctl "cannot write $_sys here"
	elif [ -z "$_s" ]; then
		fail file_default "no file_open of $_sys (a sysctl write) with the built-in policies"
		return
	else
		check file_default "$_s" '.file_open.policy.rule == "kernel-interfaces-write" and
			.file_open.access == "write"' || return
	fi
	ok file_default
}

FILE_MAIN_TESTS="t_file_abs t_file_name t_file_relative t_file_dotdot t_file_symlink_open t_file_openat
t_file_chroot t_file_chroot_unlink t_file_mntns t_file_hardlink t_file_bindmount t_file_deep t_file_real_shadow
t_file_write t_file_create t_file_rename t_file_chmod t_file_chown t_file_chown_deny t_file_unlink
t_file_truncate t_file_link t_file_mmap_exec t_file_refused t_file_io_uring t_file_io_uring_paths t_file_compat
t_file_stats"
FILE_OWN_TESTS="t_file_unwatched t_file_kill t_file_deny t_file_backend_tracepoint t_file_backend_fentry t_file_default"

# file_selected NAME…: PG_E2E_ONLY keeps one of them
file_selected() {
	for __t in "$@"; do
		selected "$__t" && return 0
	done
	return 1
}

file_tests() {
	# shellcheck disable=SC2086
	file_selected $FILE_MAIN_TESTS $FILE_OWN_TESTS || return 0
	FILE_WAIT=$((5 * SLOW))
	_fb=$(echo "$PROBE" | jq -r '.sensors.file // empty')
	if [ -z "$_fb" ] || [ "$_fb" = none ] || [ "$_fb" = null ]; then
		skip file "no file sensor backend on this kernel or in this build (probe: $(echo "$PROBE" | jq -c '.sensors'))"
		return 0
	fi
	FILE_BACKEND=$_fb
	file_setup || { fail file_setup "cannot lay out the test folders"; return 0; }
	f_policy_main
	# shellcheck disable=SC2086
	if file_selected $FILE_MAIN_TESTS; then
		if pol_agent file fmain; then
			FILE_AGENT_UP=1
			for _t in $FILE_MAIN_TESTS; do
				run_test "$_t"
			done
			[ "$FILE_AGENT_UP" = 1 ] && agent_stop file
		else
			fail file "the agent with file rules did not start"
		fi
	fi
	for _t in $FILE_OWN_TESTS; do
		run_test "$_t"
	done
	file_cleanup
}
