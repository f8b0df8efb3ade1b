# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by the scripts that download Debian packages of their own (the
# kernel matrix's kernels, the vmlinux.h of another architecture).

# The archive this machine already uses.  Read from its apt configuration
# rather than written here: the repository names no mirror, and a machine
# behind a local mirror or proxy keeps using it.  PG_DEBIAN_MIRROR overrides.
pg_vm_archive_uri()
{
	if [ -n "${PG_DEBIAN_MIRROR:-}" ]; then
		echo "${PG_DEBIAN_MIRROR%/}"
		return 0
	fi
	local f uri
	# deb822 stanzas: the main archive is the one whose Suites has a bare
	# release name ("bookworm"), not "-updates" or "-security".
	for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = ""; uris = ""; suites = ""; enabled = "yes"
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^[ \t]*#/ || $i !~ /:/) continue
				k = tolower(substr($i, 1, index($i, ":") - 1))
				v = substr($i, index($i, ":") + 1)
				gsub(/^[ \t]+|[ \t]+$/, "", v)
				if (k == "types") types = v
				else if (k == "uris") uris = v
				else if (k == "suites") suites = v
				else if (k == "enabled") enabled = tolower(v)
			}
			if (enabled == "no" || types !~ /(^| )deb( |$)/) next
			n = split(suites, s, /[ \t]+/)
			for (j = 1; j <= n; j++)
				if (s[j] != "" && s[j] !~ /[-\/]/) {
					split(uris, u, /[ \t]+/); print u[1]; exit
				}
		}' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	# One-line format: "deb [options] URI SUITE COMPONENT...".
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) !~ /[-\/]/) { print $i; exit }
		}' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	return 1
}
