// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/container.c: container ids from cgroup paths, as the
 * runtimes really name them (cgroup v2 with the systemd driver, and the
 * cgroupfs layouts), and paths that must not look like containers: a
 * wrong "container" field sends an incident responder to the wrong place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "container.h"

#define ID64 "3f4d1c0a9b8e7d6c5b4a39281706f5e4d3c2b1a0918273645546372819a0b1c2"
#define ID64B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD_UID "6b9c2d4e-1f3a-4b5c-8d7e-9f0a1b2c3d4e"
/* the systemd driver writes the pod uid with '_' for '-' */
#define POD_UID_SD "6b9c2d4e_1f3a_4b5c_8d7e_9f0a1b2c3d4e"

static void check_id(const char *path, const char *runtime, const char *id)
{
	char got[PG_CONTAINER_ID_LEN];
	const char *rt;

	memset(got, 0, sizeof(got));
	rt = pg_container_id(path, got);
	if (!rt)
		fail_msg("no container found in %s", path);
	if (strcmp(rt, runtime))
		fail_msg("%s: runtime '%s', want '%s'", path, rt, runtime);
	if (strcmp(got, id))
		fail_msg("%s: id '%s', want '%s'", path, got, id);
}

static void check_none(const char *path)
{
	char got[PG_CONTAINER_ID_LEN] = "";
	const char *rt = pg_container_id(path, got);

	if (rt)
		fail_msg("%s: found runtime '%s' id '%s', want none", path, rt, got);
}

static void test_container_docker_systemd(void **state)
{
	(void)state;
	check_id("/system.slice/docker-" ID64 ".scope", "docker", ID64);
	/* a process in a sub-cgroup the container made for itself */
	check_id("/system.slice/docker-" ID64 ".scope/init", "docker", ID64);
}

static void test_container_docker_cgroupfs(void **state)
{
	(void)state;
	check_id("/docker/" ID64, "docker", ID64);
	check_id("/docker/" ID64 "/sub", "docker", ID64);
}

static void test_container_containerd_k8s_systemd(void **state)
{
	(void)state;
	check_id("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_SD
		 ".slice/cri-containerd-" ID64 ".scope",
		 "containerd", ID64);
	/* guaranteed QoS pods sit directly under kubepods.slice */
	check_id("/kubepods.slice/kubepods-pod" POD_UID_SD ".slice/cri-containerd-" ID64 ".scope",
		 "containerd", ID64);
}

static void test_container_k8s_cgroupfs(void **state)
{
	(void)state;
	check_id("/kubepods/besteffort/pod" POD_UID "/" ID64, "containerd", ID64);
	check_id("/kubepods/burstable/pod" POD_UID "/" ID64, "containerd", ID64);
	check_id("/kubepods/pod" POD_UID "/" ID64, "containerd", ID64);
}

static void test_container_crio(void **state)
{
	(void)state;
	check_id("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_UID_SD
		 ".slice/crio-" ID64 ".scope",
		 "cri-o", ID64);
	check_id("/machine.slice/crio-" ID64 ".scope", "cri-o", ID64);
}

static void test_container_podman(void **state)
{
	(void)state;
	check_id("/machine.slice/libpod-" ID64 ".scope", "podman", ID64);
	/* rootless podman, under the user's systemd instance */
	check_id("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
		 ".scope/container",
		 "podman", ID64);
}

static void test_container_systemd_nspawn(void **state)
{
	(void)state;
	check_id("/machine.slice/machine-mybox.scope", "systemd-nspawn", "mybox");
	check_id("/machine.slice/machine-mybox.scope/payload", "systemd-nspawn", "mybox");
}

static void test_container_innermost_wins(void **state)
{
	(void)state;
	/* docker in docker: the process belongs to the inner container */
	check_id("/docker/" ID64 "/docker/" ID64B, "docker", ID64B);
	check_id("/system.slice/docker-" ID64 ".scope/docker/" ID64B, "docker", ID64B);
}

static void test_container_none_on_host_paths(void **state)
{
	(void)state;
	check_none("/");
	check_none("");
	check_none("/user.slice/user-0.slice/session-1.scope");
	check_none("/system.slice/ssh.service");
	check_none("/system.slice/docker.service");
	check_none("/system.slice/containerd.service");
	check_none("/init.scope");
	check_none("/kubepods.slice/kubepods-burstable.slice");
	check_none("/machine.slice");
	assert_null(pg_container_id(NULL, (char[PG_CONTAINER_ID_LEN]){ 0 }));
}

static void test_container_none_on_bad_ids(void **state)
{
	char id63[] = ID64;
	char upper[] = ID64;
	char path[256];
	size_t i;

	(void)state;
	id63[63] = 0;
	for (i = 0; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] -= 'a' - 'A';

	/* cgroupfs layouts name the full 64-digit id, nothing shorter */
	snprintf(path, sizeof(path), "/docker/%s", id63);
	check_none(path);
	snprintf(path, sizeof(path), "/kubepods/besteffort/pod" POD_UID "/%s", id63);
	check_none(path);
	/* ids are lower case hex: docker never writes upper case */
	snprintf(path, sizeof(path), "/docker/%s", upper);
	check_none(path);
	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", upper);
	check_none(path);
	/* 65 digits is not an id either */
	check_none("/docker/" ID64 "0");
	check_none("/system.slice/docker-" ID64 "0.scope");
	/* hex followed by something that is not a path separator or suffix */
	check_none("/system.slice/docker-" ID64 "-x.scope");
	check_none("/docker/" ID64 "x");
	/* non-hex after a known prefix; conmon is the monitor, not the container */
	check_none("/system.slice/docker-compose.scope");
	check_none("/machine.slice/crio-conmon-" ID64 ".scope");
	check_none("/machine.slice/libpod-conmon-" ID64 ".scope");
	/* the prefix must start a path component */
	check_none("/system.slice/notdocker-" ID64 ".scope");
}

static void test_container_short_ids_in_scopes(void **state)
{
	(void)state;
	/* container.c: shortened ids down to 12 digits are accepted in scope names */
	check_id("/system.slice/docker-0123456789ab.scope", "docker", "0123456789ab");
	check_none("/system.slice/docker-0123456789a.scope");
}

static void test_container_nspawn_name_bounds(void **state)
{
	char path[256], name[80];

	(void)state;
	/* the longest name that fits the id field, and one past it */
	memset(name, 'n', 64);
	name[64] = 0;
	snprintf(path, sizeof(path), "/machine.slice/machine-%s.scope", name);
	check_id(path, "systemd-nspawn", name);
	memset(name, 'n', 65);
	name[65] = 0;
	snprintf(path, sizeof(path), "/machine.slice/machine-%s.scope", name);
	check_none(path);
	check_none("/machine.slice/machine-.scope");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_docker_systemd),
		cmocka_unit_test(test_container_docker_cgroupfs),
		cmocka_unit_test(test_container_containerd_k8s_systemd),
		cmocka_unit_test(test_container_k8s_cgroupfs),
		cmocka_unit_test(test_container_crio),
		cmocka_unit_test(test_container_podman),
		cmocka_unit_test(test_container_systemd_nspawn),
		cmocka_unit_test(test_container_innermost_wins),
		cmocka_unit_test(test_container_none_on_host_paths),
		cmocka_unit_test(test_container_none_on_bad_ids),
		cmocka_unit_test(test_container_short_ids_in_scopes),
		cmocka_unit_test(test_container_nspawn_name_bounds),
	};

	return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
