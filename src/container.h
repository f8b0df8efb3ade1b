/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef PG_CONTAINER_H
#define PG_CONTAINER_H

#include <stddef.h>

#define PG_CONTAINER_ID_LEN 65

/*
 * Find a container id in a cgroup path, as the runtimes name their
 * cgroups: docker ("/docker/<id>", "docker-<id>.scope"), containerd
 * ("cri-containerd-<id>.scope", "/kubepods/.../<id>"), cri-o
 * ("crio-<id>.scope"), podman ("libpod-<id>.scope"), systemd-nspawn
 * ("machine.slice/machine-<name>.scope"). Returns the runtime name and
 * writes the id into @id, or returns NULL when the path shows none.
 */
const char *pg_container_id(const char *cgroup_path, char id[PG_CONTAINER_ID_LEN]);

#endif
