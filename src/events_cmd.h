/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef PG_EVENTS_CMD_H
#define PG_EVENTS_CMD_H

/* `penguard events`: stream the running agent's events (src/events_cmd.c). */
int pg_events_cmd(int argc, char **argv);

#endif
