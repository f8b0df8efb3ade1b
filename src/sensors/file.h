/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * File sensor: file_open, file_create, file_unlink, file_rename,
 * file_chmod, file_chown, file_truncate, file_link, file_symlink,
 * file_mmap_exec (struct pg_file_event). Reported only when a rule matches.
 */
#ifndef PG_SENSORS_FILE_H
#define PG_SENSORS_FILE_H

#include <stddef.h>

#include <penguard/events.h>

#include "sensor.h"

struct pg_buf;

extern const struct pg_sensor pg_sensor_file;

/* A validated file record: its strings, each with its length (not NUL-terminated). */
struct pg_file_view {
	const struct pg_file_event *e;
	const char *path, *path2, *base, *base2, *root;
};

/*
 * Check every length of a file record against @size and PG_PATH_MAX.
 * 0 or -EBADMSG.
 */
int pg_file_decode(const void *rec, size_t size, struct pg_file_view *v);

/*
 * Whether the lsm and fentry backends can attach to path_chown: not before
 * 6.1, whose trampolines refuse its struct arguments. Where not, they take
 * file_chown at chown_common() instead, which reports and cannot deny.
 */
bool pg_file_chown_hookable(void);

/*
 * @path (@n bytes) made absolute against @base (@bn bytes) when relative,
 * then normalised lexically: "." and empty components dropped, ".." takes
 * the previous component off (never above "/"). The result, in @out, is
 * NUL-terminated and starts with '/' — unless both @path and @base are
 * relative or empty, when it stays relative to an unknown directory.
 * 0, or -ENOMEM (@out failed).
 */
int pg_file_join_path(struct pg_buf *out, const char *base, size_t bn, const char *path, size_t n);

/*
 * As pg_file_join_path(), and ".." never climbs out of @top (@tn bytes,
 * the process's root as the kernel resolved it: "/jail" for a chrooted
 * process) when the walk reaches it: the kernel's lookup never does. A
 * base outside @top (a chroot without a chdir) climbs past it: so does
 * the kernel's.
 */
int pg_file_join_path_in(struct pg_buf *out, const char *top, size_t tn, const char *base,
			 size_t bn, const char *path, size_t n);

#endif
