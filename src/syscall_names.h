/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * System call names by number (x86-64 and ia32), generated at build time
 * from the UAPI headers (scripts/syscall-names.sh).
 */
#ifndef PG_SYSCALL_NAMES_H
#define PG_SYSCALL_NAMES_H

#include <stdbool.h>

/* The name of system call @nr of x86-64, or of ia32 (@compat32); NULL if unknown. */
const char *pg_syscall_name(long nr, bool compat32);

#endif /* PG_SYSCALL_NAMES_H */
