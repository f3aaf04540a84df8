/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src_agent.h - sources that read an agent: ssh://[user@]host[:port][/PATH] and cmd:COMMAND */
#ifndef VFIOMIGTOP_SRC_AGENT_H
#define VFIOMIGTOP_SRC_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How remote agents are started; set once before any source is opened. */
struct src_agent_cfg {
	const char *const *ssh_opts;	/* --ssh-opt values, one ssh argument each */
	size_t nssh_opts;		/* entries in ssh_opts */
	const char *env_opts;		/* VFIOMIGTOP_SSH_OPTS: ssh arguments split at blanks; NULL for none */
	const char *remote_cmd;		/* shell command that runs vfiomigtop there; NULL for "vfiomigtop" */
	uint64_t delay_ns;		/* the agent's refresh interval (-d), ns; 0 for its default */
	uint64_t heartbeat_ns;		/* the agent's heartbeat interval, ns; 0 for its default */
};

/* A parsed SOURCE that names an agent. */
struct src_agent_spec {
	bool ssh;			/* ssh://...; otherwise cmd:COMMAND */
	char user[128];			/* ssh: login name, "" for ssh's choice */
	char host[256];			/* ssh: host name or address, without brackets */
	unsigned int port;		/* ssh: port, 0 for ssh's choice */
	char path[4096];		/* ssh: the remote tree, "" for its default */
	const char *cmd;		/* cmd: the command (points into the spec) */
};

/* How long a new connection may take to say hello before it is dropped,
 * CLOCK_MONOTONIC ns: ssh's connection and login on a busy host fit. */
#define SRC_AGENT_HELLO_NS (20ULL * 1000 * 1000 * 1000)

bool src_agent_is_spec(const char *spec);
int src_agent_parse(const char *spec, struct src_agent_spec *out, char *err,
		    size_t len);
char **src_agent_argv(const struct src_agent_spec *sp,
		      const struct src_agent_cfg *cfg);
void src_agent_argv_free(char **argv);
char *src_agent_shell_quote(const char *s);
void src_agent_configure(const struct src_agent_cfg *cfg);

#endif
