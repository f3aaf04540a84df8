// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * src_agent_spec.c - what an agent SOURCE means: parsing
 * ssh://[user@]host[:port][/PATH] and cmd:COMMAND, and the command line
 * that starts the agent.  Pure: nothing is run here.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "src_agent.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SA_SSH_PREFIX "ssh://"
#define SA_CMD_PREFIX "cmd:"

/* Whether @spec names an agent source rather than a directory. */
bool src_agent_is_spec(const char *spec)
{
	return !strncmp(spec, SA_SSH_PREFIX, strlen(SA_SSH_PREFIX)) ||
	       !strncmp(spec, SA_CMD_PREFIX, strlen(SA_CMD_PREFIX));
}

/* A user or host name that is safe to hand to ssh as one argument. */
static bool sa_word_ok(const char *s, size_t n)
{
	if (!n || s[0] == '-')
		return false;	/* empty, or would look like an option */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '/' || s[i] == '@')
			return false;
	return true;
}

static int sa_parse_port(const char *s, size_t n, unsigned int *port)
{
	unsigned long v = 0;

	if (!n || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	*port = (unsigned int)v;
	return 0;
}

/* host, [v6addr], with an optional :port after either. */
static int sa_parse_hostport(const char *s, size_t n, struct src_agent_spec *o)
{
	const char *colon;
	size_t hl;

	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);

		if (!rb)
			return -EINVAL;
		hl = (size_t)(rb - s - 1);
		if (!hl || hl >= sizeof(o->host) || s[1] == '-')
			return -EINVAL;
		memcpy(o->host, s + 1, hl);
		o->host[hl] = 0;
		for (size_t i = 0; i < hl; i++)	/* address and zone */
			if (!isalnum((unsigned char)o->host[i]) &&
			    !strchr(":.%_-", o->host[i]))
				return -EINVAL;
		s = rb + 1;
		n -= hl + 2;
		if (!n)
			return 0;
		if (s[0] != ':')
			return -EINVAL;
		return sa_parse_port(s + 1, n - 1, &o->port);
	}
	colon = memchr(s, ':', n);
	hl = colon ? (size_t)(colon - s) : n;
	if (hl >= sizeof(o->host) || !sa_word_ok(s, hl))
		return -EINVAL;
	memcpy(o->host, s, hl);
	o->host[hl] = 0;
	if (colon)
		return sa_parse_port(colon + 1, n - hl - 1, &o->port);
	return 0;
}

/*
 * Parse an agent SOURCE.  Returns 0, or -EINVAL with a message in @err.
 * ssh URLs take no %-escapes; PATH is everything from the first '/'
 * after the host, so ssh://h/sys/kernel/debug/vfio names that directory.
 */
int src_agent_parse(const char *spec, struct src_agent_spec *out, char *err,
		    size_t len)
{
	const char *a, *slash, *at;
	size_t alen;

	memset(out, 0, sizeof(*out));
	if (!strncmp(spec, SA_CMD_PREFIX, strlen(SA_CMD_PREFIX))) {
		out->cmd = spec + strlen(SA_CMD_PREFIX);
		if (!out->cmd[strspn(out->cmd, " \t")]) {
			snprintf(err, len, "'%s': cmd: needs a command", spec);
			return -EINVAL;
		}
		return 0;
	}
	if (strncmp(spec, SA_SSH_PREFIX, strlen(SA_SSH_PREFIX))) {
		snprintf(err, len, "'%s': not ssh:// or cmd:", spec);
		return -EINVAL;
	}
	out->ssh = true;
	a = spec + strlen(SA_SSH_PREFIX);
	slash = strchr(a, '/');
	alen = slash ? (size_t)(slash - a) : strlen(a);
	at = memchr(a, '@', alen);
	if (at) {
		size_t ul = (size_t)(at - a);

		if (ul >= sizeof(out->user) || !sa_word_ok(a, ul)) {
			snprintf(err, len, "'%s': bad user name", spec);
			return -EINVAL;
		}
		memcpy(out->user, a, ul);
		out->user[ul] = 0;
		alen -= ul + 1;
		a = at + 1;
	}
	if (sa_parse_hostport(a, alen, out)) {
		snprintf(err, len,
			 "'%s': expected ssh://[user@]host[:port][/PATH]", spec);
		return -EINVAL;
	}
	if (slash) {
		if (strlen(slash) >= sizeof(out->path)) {
			snprintf(err, len, "'%s': path too long", spec);
			return -EINVAL;
		}
		snprintf(out->path, sizeof(out->path), "%s", slash);
	}
	return 0;
}

/* @s quoted for a POSIX shell: 'it'\''s'. */
char *src_agent_shell_quote(const char *s)
{
	size_t n = 2;
	char *q, *p;

	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	q = malloc(n + 1);
	if (!q)
		return NULL;
	p = q;
	*p++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *c;
		}
	}
	*p++ = '\'';
	*p = 0;
	return q;
}

/* Seconds as the shortest exact decimal, for -d and --heartbeat. */
static void sa_secs(char *buf, size_t len, uint64_t ns)
{
	int n = snprintf(buf, len, "%llu.%09llu",
			 (unsigned long long)(ns / 1000000000ull),
			 (unsigned long long)(ns % 1000000000ull));

	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = 0;
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = 0;
}

/* The remote command: REMOTE_CMD --agent [-d S] [--heartbeat S] [--src 'PATH']. */
static char *sa_remote_command(const struct src_agent_spec *sp,
			       const struct src_agent_cfg *cfg)
{
	const char *rc = cfg->remote_cmd && *cfg->remote_cmd ?
			 cfg->remote_cmd : "vfiomigtop";
	char *qpath = sp->path[0] ? src_agent_shell_quote(sp->path) : NULL;
	char d[40] = "", hb[40] = "", *out;
	size_t n;

	if (sp->path[0] && !qpath)
		return NULL;
	if (cfg->delay_ns) {
		memcpy(d, " -d ", 4);
		sa_secs(d + 4, sizeof(d) - 4, cfg->delay_ns);
	}
	if (cfg->heartbeat_ns) {
		memcpy(hb, " --heartbeat ", 13);
		sa_secs(hb + 13, sizeof(hb) - 13, cfg->heartbeat_ns);
	}
	n = strlen(rc) + strlen(d) + strlen(hb) + (qpath ? strlen(qpath) : 0) + 32;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s --agent%s%s%s%s", rc, d, hb,
			 qpath ? " --src " : "", qpath ? qpath : "");
	free(qpath);
	return out;
}

static int sa_push(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	char *c;

	if (*n + 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	c = strndup(s, len);
	if (!c)
		return -ENOMEM;
	(*v)[(*n)++] = c;
	(*v)[*n] = NULL;
	return 0;
}

/*
 * The command to run, NULL-terminated, every string allocated:
 *   cmd:C     /bin/sh -c C
 *   ssh://... ssh [VFIOMIGTOP_SSH_OPTS] [--ssh-opt]... -T -o BatchMode=yes
 *             [-l USER] [-p PORT] -- HOST 'REMOTE_CMD --agent ...'
 * The user's options come first, so they win over ours (ssh takes the
 * first value of each setting); the ssh config is honoured as usual.
 */
char **src_agent_argv(const struct src_agent_spec *sp,
		      const struct src_agent_cfg *cfg)
{
	char **v = NULL, *rcmd = NULL, port[12];
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!sp->ssh) {
		rc |= sa_push(&v, &n, &cap, "/bin/sh", 7);
		rc |= sa_push(&v, &n, &cap, "-c", 2);
		rc |= sa_push(&v, &n, &cap, sp->cmd, strlen(sp->cmd));
		goto out;
	}
	rc |= sa_push(&v, &n, &cap, "ssh", 3);
	for (const char *e = cfg->env_opts; e && *e;) {
		size_t w;

		e += strspn(e, " \t\n");
		w = strcspn(e, " \t\n");
		if (w)
			rc |= sa_push(&v, &n, &cap, e, w);
		e += w;
	}
	for (size_t i = 0; i < cfg->nssh_opts; i++)
		rc |= sa_push(&v, &n, &cap, cfg->ssh_opts[i],
			      strlen(cfg->ssh_opts[i]));
	rc |= sa_push(&v, &n, &cap, "-T", 2);
	rc |= sa_push(&v, &n, &cap, "-o", 2);
	rc |= sa_push(&v, &n, &cap, "BatchMode=yes", 13);
	if (sp->user[0]) {
		rc |= sa_push(&v, &n, &cap, "-l", 2);
		rc |= sa_push(&v, &n, &cap, sp->user, strlen(sp->user));
	}
	if (sp->port) {
		snprintf(port, sizeof(port), "%u", sp->port);
		rc |= sa_push(&v, &n, &cap, "-p", 2);
		rc |= sa_push(&v, &n, &cap, port, strlen(port));
	}
	rc |= sa_push(&v, &n, &cap, "--", 2);
	rc |= sa_push(&v, &n, &cap, sp->host, strlen(sp->host));
	rcmd = sa_remote_command(sp, cfg);
	rc |= rcmd ? sa_push(&v, &n, &cap, rcmd, strlen(rcmd)) : -ENOMEM;
	free(rcmd);
out:
	if (rc) {
		src_agent_argv_free(v);
		return NULL;
	}
	return v;
}

void src_agent_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
