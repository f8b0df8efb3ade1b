/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef PG_CAPS_H
#define PG_CAPS_H

#include <stdint.h>

struct pg_json;

/* Name of capability @bit ("CAP_SYS_ADMIN"), or NULL past the known ones. */
const char *pg_cap_name(unsigned bit);

/* Write @caps as a JSON array of names; unknown bits as "CAP_<n>". */
void pg_caps_json(struct pg_json *w, uint64_t caps);

#endif
