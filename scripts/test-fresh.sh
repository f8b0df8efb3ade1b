#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make test-fresh: the README's set-up, on the machine a new user has.
#
#   scripts/test-fresh.sh [REPO]        (REPO: default, the one holding this script)
#
# Builds a minimal Debian 12 root (debootstrap --variant=minbase bookworm,
# plus git and nothing else) in a temporary folder, clones REPO's committed
# HEAD into /root/penguard there, and runs the README's set-up commands in
# a chroot with the host's /proc, /sys and /dev bound, in a clean
# environment, as a new user would type them:
#
#   prereq     the one line the README asks for before `make` exists
#   run        `make run`: events on stdout (the first line an event, so
#              `make run | jq` works), a live exec among them, final
#              counters on Ctrl-C
#   test-unit  the README's way to the unit tests
#
# Each step also fails if README.md no longer states its command: the
# README is what this tests, not a copy of it. Uncommitted changes in REPO
# are not tested (a warning says so). Ends with
# "fresh: N passed, N failed, N skipped"; exits non-zero if any failed.
#
# The minbase + git root is kept as a tarball in ~/.cache/penguard/fresh,
# one per ISO week, so repeated runs skip debootstrap; every run unpacks a
# pristine copy. Needs root, the Debian archive of /etc/apt/sources.list*
# (PG_DEBIAN_MIRROR overrides) and a kernel with BTF.
#
#   PG_FRESH_REFRESH=1   rebuild the cached root
#   PG_FRESH_KEEP=1      keep the temporary folder (unmounted) for a look
#   PG_FRESH_TMP=DIR     where the temporary folder goes (default /var/tmp)
#   PG_FRESH_RUN_SECS=N  how long `make run` sees workload (default 5)
set -euo pipefail

# --- the README's set-up, as typed (README.md, "Set-up"); keep in step ---
PG_FRESH_PREREQ='apt-get update && apt-get install -y git make'
PG_FRESH_RUN='make run'
PG_FRESH_UNIT='sh scripts/deps.sh test && make test-unit'

SUITE=bookworm
RUN_SECS=${PG_FRESH_RUN_SECS:-5}
# make run installs clang, llvm … and builds first: minutes on a slow mirror.
READY_TIMEOUT=${PG_FRESH_READY_TIMEOUT:-1800}
CACHE=${PG_FRESH_CACHE:-${HOME:-/root}/.cache/penguard/fresh}
NEED_KB=$((4 * 1024 * 1024)) # minbase, clang, llvm, qemu and apt's archives
# A clean environment, as on a console login (the brief of the chroot).
CHROOT_ENV=(env -i HOME=/root PATH=/usr/bin:/bin:/usr/sbin:/sbin)

PASS=0 FAILED=0 SKIP=0
TMP="" ROOT="" LOGS=""
STAGE="" # the set-up stage running; "steps" once the README's steps run
T0=$SECONDS

say() { echo "fresh: $*"; }
die() {
	echo "fresh: $*" >&2
	exit 2
}
ok() {
	PASS=$((PASS + 1))
	echo "ok $1${2:+ ($2)}"
}
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL $1: $2"
}
skip() {
	SKIP=$((SKIP + 1))
	echo "skip $1: $2"
}
# tail_log FILE: the end of a step's log, indented, for a failure report.
tail_log() { tail -n "${2:-25}" "$1" 2>/dev/null | sed 's/^/    /'; }

# --- mounts and clean-up ---------------------------------------------------

# Mount points at or below $1, deepest first (mountinfo field 5; our paths
# hold no blanks, so no octal escapes to undo).
mounts_under()
{
	awk -v r="$1" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r
}

# The host's /proc, /sys and /dev, with what is mounted below them
# (/sys/fs/bpf, /sys/kernel/tracing, /sys/fs/cgroup, /dev/pts, … whichever
# exist). Slaves: unmounting our copies never propagates to the host's.
bind_host()
{
	local d
	for d in proc sys dev; do
		mkdir -p "$1/$d"
		mount --rbind "/$d" "$1/$d"
		mount --make-rslave "$1/$d"
	done
}

# Processes whose root is inside $1: ours (the chroot is), so end them by
# pid, politely first, before their mounts go.
stop_inside()
{
	local sig p r n
	for sig in TERM KILL; do
		n=0
		for p in /proc/[0-9]*; do
			r=$(readlink "$p/root" 2>/dev/null) || continue
			[[ $r == "$1" || $r == "$1"/* ]] || continue
			kill -s "$sig" "${p#/proc/}" 2>/dev/null && n=$((n + 1))
		done
		[ "$n" -eq 0 ] && return 0
		sleep 2
	done
}

# Undo every mount below $1: one by one, then recursively, then lazily.
# 0 only when /proc/self/mountinfo has none left.
unbind()
{
	local m try
	for try in plain recursive lazy; do
		for m in $(mounts_under "$1"); do
			case $try in
			plain) umount "$m" ;;
			recursive) umount -R "$m" ;;
			lazy) umount -l "$m" ;;
			esac 2>/dev/null || true
		done
		[ -z "$(mounts_under "$1")" ] && return 0
	done
	echo "fresh: mounts left under $1:" >&2
	mounts_under "$1" >&2
	return 1
}

# Remove a root we made, only once nothing is mounted in it, and never
# across file systems.
remove_tree()
{
	[ -n "$1" ] && [ -d "$1" ] || return 0
	unbind "$1" || {
		echo "fresh: not removing $1 (still mounted)" >&2
		return 1
	}
	rm -rf --one-file-system "$1"
}

cleanup()
{
	local rc=$?
	set +e
	trap '' INT TERM HUP
	# A set-up failure is a failure of the whole test, and says so in
	# the summary line CI reads.
	if [ -n "$STAGE" ] && [ "$STAGE" != steps ]; then
		fail setup "$STAGE failed"
		echo "fresh: $PASS passed, $FAILED failed, 3 skipped"
		[ "$rc" -eq 0 ] && rc=1
	fi
	if [ -n "$ROOT" ]; then
		stop_inside "$ROOT"
		unbind "$ROOT" || rc=1
	fi
	if [ -n "$TMP" ]; then
		stop_inside "$TMP"
		if [ "${PG_FRESH_KEEP:-0}" = 1 ] && [ -z "$(mounts_under "$TMP")" ]; then
			echo "fresh: kept $TMP" >&2
		else
			remove_tree "$TMP" || rc=1
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
interrupted()
{
	echo "fresh: interrupted (SIG$1)" >&2
	exit "$2"
}
trap 'interrupted INT 130' INT
trap 'interrupted TERM 143' TERM
trap 'interrupted HUP 129' HUP

# --- the host's apt configuration -------------------------------------------

# Active Debian entries of the host: "TYPE<tab>URI<tab>SUITE<tab>COMPONENTS<tab>KEYRING"
# per suite, from sources.list (one-line format) and sources.list.d/*.list,
# *.sources (deb822). Files of other names are not read by apt either.
apt_entries()
{
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v OFS='\t' '$1 == "deb" || $1 == "deb-src" {
			t = $1; key = "-"; i = 2
			if ($2 ~ /^\[/) {
				opts = ""
				for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) break }
				i++
				if (match(opts, /signed-by=[^] ]+/))
					key = substr(opts, RSTART + 10, RLENGTH - 10)
			}
			comps = ""
			for (j = i + 2; j <= NF && $j !~ /^#/; j++) comps = comps (comps == "" ? "" : " ") $j
			print t, $i, $(i + 1), comps, key
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v OFS='\t' 'BEGIN { RS = ""; FS = "\n" }
		{
			types = ""; uris = ""; suites = ""; comps = ""; key = "-"; enabled = "yes"
			for (i = 1; i <= NF; i++) {
				# comments and the continuation lines of an inline key
				if ($i ~ /^[ \t#]/ || $i !~ /:/) continue
				k = tolower(substr($i, 1, index($i, ":") - 1))
				v = substr($i, index($i, ":") + 1)
				gsub(/^[ \t]+|[ \t]+$/, "", v)
				if (k == "types") types = v
				else if (k == "uris") uris = v
				else if (k == "suites") suites = v
				else if (k == "components") comps = v
				else if (k == "enabled") enabled = tolower(v)
				else if (k == "signed-by" && v ~ /^\//) key = v
			}
			if (enabled == "no") next
			nt = split(types, T, /[ \t]+/); nu = split(uris, U, /[ \t]+/)
			ns = split(suites, S, /[ \t]+/)
			for (a = 1; a <= nt; a++) for (b = 1; b <= nu; b++) for (c = 1; c <= ns; c++)
				print T[a], U[b], S[c], comps, key
		}' "$f"
	done
}

# Only the entries of our suite (bookworm, -updates, -security,
# -backports): third-party repositories are not on a minimal Debian.
suite_entries()
{
	awk -F '\t' -v s="$SUITE" '$1 == "deb" && ($3 == s || $3 ~ ("^" s "-[a-z]+$"))' <<<"$ENTRIES"
}

# The archive debootstrap fetches from: the host's, for the bare suite.
mirror()
{
	if [ -n "${PG_DEBIAN_MIRROR:-}" ]; then
		echo "${PG_DEBIAN_MIRROR%/}"
		return 0
	fi
	# no early exit: the writer must not die of SIGPIPE (pipefail)
	suite_entries | awk -F '\t' -v s="$SUITE" '$3 == s && !n++ { sub(/\/$/, "", $2); print $2 }' |
		grep . || return 1
}

# The host's sources (for our suite), keyrings and apt proxy, and its
# resolver, so apt in the chroot reaches what the host reaches.
apt_config_into()
{
	local r=$1 t uri suite comps key opts
	rm -f "$r/etc/apt/sources.list" "$r"/etc/apt/sources.list.d/*
	while IFS=$'\t' read -r t uri suite comps key; do
		opts=""
		if [ "$key" != - ]; then
			opts="[signed-by=$key] "
			if [ ! -e "$r$key" ] && [ -r "$key" ]; then
				mkdir -p "$r$(dirname "$key")"
				cp "$key" "$r$key"
			fi
		fi
		echo "$t $opts$uri $suite $comps"
	done < <(suite_entries) >"$r/etc/apt/sources.list"
	if [ -n "${PG_DEBIAN_MIRROR:-}" ]; then
		echo "deb ${PG_DEBIAN_MIRROR%/} $SUITE main" >"$r/etc/apt/sources.list"
	fi
	apt-config dump 2>/dev/null | grep -E '^Acquire::[a-z]+::Proxy' \
		>"$r/etc/apt/apt.conf.d/01penguard-fresh-proxy" || rm -f "$r/etc/apt/apt.conf.d/01penguard-fresh-proxy"
	rm -f "$r/etc/resolv.conf"
	cp -L /etc/resolv.conf "$r/etc/resolv.conf"
}

# in_root ROOT COMMAND: run a shell command in the chroot, clean env.
in_root()
{
	"${CHROOT_ENV[@]}" chroot "$1" /bin/bash -lc "$2" </dev/null
}

# --- the cached minbase + git root -------------------------------------------

# The tarball of this week's minbase + git root, made if missing.
cached_root()
{
	local arch tls="" key tar
	arch=$(dpkg --print-architecture)
	# https sources need ca-certificates before anything else installs
	grep -q $'\thttps://' <<<"$(suite_entries)" && tls=-tls
	key="$SUITE-minbase-git$tls-$arch-$(date +%G-W%V)"
	tar="$CACHE/$key.tar.gz"
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	if [ -s "$tar" ] && [ "${PG_FRESH_REFRESH:-0}" != 1 ]; then
		echo "$tar"
		return 0
	fi

	local mirror b="$TMP/build"
	mirror=$(mirror) || die "no $SUITE archive in /etc/apt/sources.list{,.d/*}; set PG_DEBIAN_MIRROR=URI"
	say "debootstrap --variant=minbase $SUITE from $mirror (cached weekly in $CACHE)" >&2
	mkdir -m 755 "$b"
	if ! debootstrap --variant=minbase "$SUITE" "$b" "$mirror" >"$LOGS/debootstrap.log" 2>&1; then
		tail_log "$LOGS/debootstrap.log" >&2
		tail_log "$b/debootstrap/debootstrap.log" >&2
		die "debootstrap failed"
	fi
	apt_config_into "$b"
	bind_host "$b"
	# Without recommends: git's (ca-certificates, less, ssh …) would hide
	# what the README forgets.
	if ! in_root "$b" "export DEBIAN_FRONTEND=noninteractive
		apt-get update -q && apt-get install -y -q --no-install-recommends git${tls:+ ca-certificates}
		apt-get clean" >"$LOGS/git.log" 2>&1; then
		tail_log "$LOGS/git.log" >&2
		die "installing git in the new root failed"
	fi
	stop_inside "$b"
	unbind "$b" || die "could not unmount $b"
	# A fresh machine has no package lists: the README must say to fetch them.
	find "$b/var/lib/apt/lists" -maxdepth 1 -type f -delete
	rm -f "$b/etc/apt/apt.conf.d/01penguard-fresh-proxy"
	tar --numeric-owner --xattrs --xattrs-include='security.capability' \
		-C "$b" -czf "$tar.part" .
	mv "$tar.part" "$tar"
	find "$CACHE" -maxdepth 1 -name "$SUITE-minbase-git*.tar.gz" ! -name "$key.tar.gz" -delete
	rm -rf --one-file-system "$b"
	echo "$tar"
}

# --- the steps ------------------------------------------------------------

readme_states()
{
	grep -qF -- "$1" "$ROOT/root/penguard/README.md"
}

# Returns non-zero when make is not there, so later steps are skipped.
step_prereq()
{
	local t=$SECONDS st=0
	in_root "$ROOT" "cd /root/penguard && $PG_FRESH_PREREQ" >"$LOGS/prereq.log" 2>&1 || st=$?
	if [ $st -ne 0 ] || ! in_root "$ROOT" 'command -v make' >/dev/null; then
		fail prereq "'$PG_FRESH_PREREQ' failed (exit $st)"
		tail_log "$LOGS/prereq.log"
		return 1
	fi
	if ! readme_states "$PG_FRESH_PREREQ"; then
		fail prereq "README.md does not state '$PG_FRESH_PREREQ' (a minimal Debian has no make)"
	else
		ok prereq "$((SECONDS - t)) s"
	fi
}

step_run()
{
	local t=$SECONDS out=$LOGS/run.out err=$LOGS/run.err pid pgid="" n=0 why=""
	local marker="penguard-fresh-$$-$RANDOM" first line
	local event='^\{"[a-z_]+":\{.*\}$' # one JSON object per line, keyed by event
	# the exec of /bin/true in the chroot, not of the env, chroot and bash
	# that carry the marker inside their longer command lines
	local seen="\"arguments\":\"$marker\""
	# Its own session, so SIGINT reaches make and the agent together, as
	# Ctrl-C does; and not ignored, as it would be in a background job.
	setsid env --default-signal=INT "${CHROOT_ENV[@]}" chroot "$ROOT" /bin/bash -lc \
		"cd /root/penguard && $PG_FRESH_RUN" </dev/null >"$out" 2>"$err" &
	pid=$!
	# Signal the group only once setsid made it (pgid == pid): before
	# that, the group is this script's.
	for ((n = 0; n < 50; n++)); do
		if [ "$(awk '{ print $5 }' "/proc/$pid/stat" 2>/dev/null)" = "$pid" ]; then
			pgid=-$pid
			break
		fi
		sleep 0.1
	done
	pgid=${pgid:-$pid}
	while ! grep -q 'ready:' "$err"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			why="it exited before the agent was ready"
			break
		fi
		if [ $((SECONDS - t)) -ge "$READY_TIMEOUT" ]; then
			why="the agent was not ready after $READY_TIMEOUT s"
			break
		fi
		sleep 1
	done
	local ready=$((SECONDS - t))
	if [ -z "$why" ]; then
		for ((n = 0; n < RUN_SECS; n++)); do
			in_root "$ROOT" "/bin/true $marker; ls / >/dev/null; id >/dev/null" || true
			sleep 1
		done
	fi
	kill -s INT -- "$pgid" 2>/dev/null || true
	for ((n = 0; n < 300; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		why="${why:-it did not stop within 30 s of SIGINT}"
		kill -s KILL -- "$pgid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true

	if [ -z "$why" ]; then
		first=$(head -n 1 "$out")
		if [ ! -s "$out" ]; then
			why="nothing on stdout"
		elif ! [[ $first =~ $event ]]; then
			why="stdout line 1 is not an event, so 'make run | jq' breaks: '${first:0:120}'"
		elif line=$(grep -m 1 -vnE "$event" "$out"); then
			why="stdout has a line that is not an event: '${line:0:120}'"
		elif ! grep -qE "^\\{\"process_exec\".*$seen" "$out"; then
			why="no process_exec of the workload ('/bin/true $marker') in $(wc -l <"$out") events"
		elif command -v jq >/dev/null && ! jq -e . "$out" >/dev/null 2>&1; then
			why="stdout is not JSON lines (jq refuses it)"
		elif ! grep -q 'final stats' "$err"; then
			why="no final counters on stderr after SIGINT"
		fi
	fi
	if [ -n "$why" ]; then
		fail run "'$PG_FRESH_RUN': $why"
		echo "    --- stderr (tail)"
		tail_log "$err" 15
		echo "    --- stdout (head)"
		head -n 5 "$out" | cut -c 1-160 | sed 's/^/    /'
		return 0
	fi
	local bin backends
	bin=$(awk -v m="$seen" 'index($0, m) && match($0, /"binary":"[^"]*"/) {
		print substr($0, RSTART, RLENGTH); exit }' "$out")
	# which sensors a fresh machine gets (a missing tracefs once cost three)
	backends=$(sed -n 's/^penguard: info: \([a-z_]*\): using backend \([a-z_]*\).*/\1=\2/p' "$err" |
		paste -sd ' ')
	if ! readme_states "$PG_FRESH_RUN"; then
		fail run "README.md does not state '$PG_FRESH_RUN'"
	else
		ok run "$(wc -l <"$out") events; ready after $ready s; workload seen: $bin; sensors: $backends"
	fi
}

step_unit()
{
	local t=$SECONDS st=0 summary
	in_root "$ROOT" "cd /root/penguard && $PG_FRESH_UNIT" >"$LOGS/unit.log" 2>&1 || st=$?
	summary=$(grep -E '^unit: [0-9]+ passed' "$LOGS/unit.log" | tail -n 1) || true
	if [ $st -ne 0 ]; then
		fail test-unit "'$PG_FRESH_UNIT' failed (exit $st)${summary:+: $summary}"
		tail_log "$LOGS/unit.log"
	elif ! readme_states "$PG_FRESH_UNIT"; then
		fail test-unit "README.md does not state '$PG_FRESH_UNIT'"
	else
		ok test-unit "${summary:-no summary line}; $((SECONDS - t)) s"
	fi
}

# --- main ---------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount, BPF)"
REPO=$(git -C "${1:-$(dirname "$0")/..}" rev-parse --show-toplevel) || die "${1:-.}: not a git repository"
HEAD=$(git -C "$REPO" rev-parse HEAD)
if [ -n "$(git -C "$REPO" status --porcelain)" ]; then
	echo "fresh: $REPO has uncommitted changes: NOT tested; testing its HEAD ${HEAD:0:12}" >&2
fi

ENTRIES=$(apt_entries)
export DEBIAN_FRONTEND=noninteractive
STAGE="installing debootstrap"
if ! command -v debootstrap >/dev/null; then
	say "installing debootstrap" >&2
	{ apt-get install -y -q --no-install-recommends debootstrap ||
		{ apt-get update -q && apt-get install -y -q --no-install-recommends debootstrap; }; } \
		>/dev/null 2>&1 || die "could not install debootstrap"
fi

# A few GB: /var/tmp (disk) rather than /tmp, which may be a small tmpfs.
STAGE="finding room"
base=""
for d in ${PG_FRESH_TMP:-} /var/tmp /tmp; do
	[ -d "$d" ] || continue
	if [ "$(df -Pk "$d" | awk 'NR == 2 { print $4 }')" -ge "$NEED_KB" ]; then
		base=$d
		break
	fi
done
[ -n "$base" ] || die "no folder with $((NEED_KB / 1024 / 1024)) GB free (set PG_FRESH_TMP)"
TMP=$(realpath "$(mktemp -d "$base/penguard-fresh.XXXXXX")")
LOGS=$TMP/logs
mkdir "$LOGS"

say "testing ${HEAD:0:12} of $REPO on a minimal Debian 12 in $TMP"
STAGE="making the minbase + git root"
TAR=$(cached_root)
STAGE="unpacking the root"
ROOT=$TMP/root
# 0755: the chroot's / must be searchable by apt's _apt sandbox user.
mkdir -m 755 "$ROOT"
tar --numeric-owner --xattrs --xattrs-include='security.capability' -C "$ROOT" -xzpf "$TAR"
apt_config_into "$ROOT"
STAGE="cloning $REPO"
git clone -q --no-hardlinks "$REPO" "$ROOT/root/penguard"
git -C "$ROOT/root/penguard" checkout -q --detach "$HEAD"
STAGE="mounting /proc, /sys, /dev"
bind_host "$ROOT"
STAGE=steps
say "root ready after $((SECONDS - T0)) s; running the README's set-up"

if step_prereq; then
	if [ -r /sys/kernel/btf/vmlinux ]; then
		step_run
	else
		skip run "this kernel has no /sys/kernel/btf/vmlinux"
	fi
	step_unit
else
	skip run "make is not installed (prereq failed)"
	skip test-unit "make is not installed (prereq failed)"
fi

echo "fresh: $PASS passed, $FAILED failed, $SKIP skipped (${HEAD:0:12}, $((SECONDS - T0)) s)"
[ "$FAILED" -eq 0 ]
