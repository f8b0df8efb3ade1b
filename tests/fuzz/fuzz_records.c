// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: arbitrary bytes as a stream of kernel records (the
 * --record format: u32 size, then the record) through the whole user-space
 * pipeline: every sensor's decoder, the process cache and both renderers.
 * The kernel is a trusted producer, but a bug there, a version skew or a
 * corrupted ring must cost a counter, never the agent.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pg_agent agent;
static struct pg_config cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;

	if (!ready) {
		int null = open("/dev/null", O_WRONLY);

		/* the events go nowhere; the rendering still runs */
		dup2(null, STDOUT_FILENO);
		close(null);
		pg_log_level = PG_LOG_ERROR;
		pg_config_init(&cfg);
		cfg.format = PG_FORMAT_JSON;
		cfg.ancestors = true;
		cfg.fork_events = true;
		cfg.process_creds = true;
		cfg.process_ns = true;
		cfg.cache_size = 64; /* small: eviction paths run too */
		if (pg_agent_init(&agent, &cfg))
			return 0;
		ready = 1;
	}
	pg_agent_replay(&agent, data, size);
	pg_output__flush(agent.out);
	return 0;
}
