// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <string.h>

#include "container.h"
#include "util.h"

/* Ids are 64 hex digits; accept shortened ones down to 12 (docker --cgroup-parent). */
static size_t hex_run(const char *s)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]) && !isupper((unsigned char)s[n]))
		n++;
	return n;
}

static int take_hex(const char *s, char id[PG_CONTAINER_ID_LEN])
{
	size_t n = hex_run(s);

	if (n < 12 || n > 64)
		return 0;
	if (s[n] && s[n] != '/' && s[n] != '.')
		return 0;
	memcpy(id, s, n);
	id[n] = 0;
	return 1;
}

const char *pg_container_id(const char *path, char id[PG_CONTAINER_ID_LEN])
{
	static const struct {
		const char *prefix;
		const char *runtime;
	} scopes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "libpod-", "podman" },
	};
	const char *comp, *next, *found = NULL;
	size_t i;

	if (!path)
		return NULL;
	/* the innermost match wins: nested cgroups belong to the inner one */
	for (comp = path; comp && *comp; comp = next) {
		while (*comp == '/')
			comp++;
		next = strchr(comp, '/');
		for (i = 0; i < PG_ARRAY_SIZE(scopes); i++) {
			size_t plen = strlen(scopes[i].prefix);

			if (!strncmp(comp, scopes[i].prefix, plen) && take_hex(comp + plen, id))
				found = scopes[i].runtime;
		}
		if (!strncmp(comp, "machine-", 8) && strstr(comp, ".scope")) {
			size_t n = strcspn(comp + 8, "/");

			if (n > 6 && n - 6 < PG_CONTAINER_ID_LEN &&
			    !strncmp(comp + 8 + n - 6, ".scope", 6)) {
				memcpy(id, comp + 8, n - 6);
				id[n - 6] = 0;
				found = "systemd-nspawn";
			}
		}
		/* cgroupfs drivers: /docker/<id>, /kubepods/<qos>/pod<uid>/<id> */
		if (hex_run(comp) == 64 && take_hex(comp, id)) {
			if (strstr(path, "docker"))
				found = "docker";
			else if (strstr(path, "kubepods"))
				found = "containerd";
			else
				found = "unknown";
		}
	}
	return found;
}
