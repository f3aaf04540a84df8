// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * src_agent.c - the source that reads a vfiomigtop agent (doc/protocol.md)
 * from a child process: `ssh HOST vfiomigtop --agent` or any command.
 *
 * The child's stdout and stderr are non-blocking pipes behind one epoll
 * fd, which is the source's poll fd: the run loop calls pump() as soon as
 * bytes arrive, so they are stamped with their true receive time and news
 * are shown at once.  Nothing here ever blocks.  Lines are decoded and
 * applied to the slots at once; the list of changed slots and the steps
 * are published to the snapshot at refresh_end().
 *
 * A connection that ends, stalls or speaks garbage is dropped with the
 * reason shown (link DOWN or DEGRADED); the devices keep their last known
 * values, marked stale, and reconnection is retried with a backoff of
 * 0.5 s doubling to 30 s.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "identmsg.h"
#include "proto.h"
#include "source.h"
#include "src_agent.h"
#include "strmap.h"

extern char **environ;

#define SA_BACKOFF_MIN_NS (500 * CLOCK_NS_PER_MS)	/* first retry delay */
#define SA_BACKOFF_MAX_NS (30 * CLOCK_NS_PER_S)		/* longest retry delay */
#define SA_STEADY_NS (10 * CLOCK_NS_PER_S)		/* live this long: the backoff starts over */
#define SA_HELLO_NS SRC_AGENT_HELLO_NS			/* time allowed for the first line */
#define SA_HB_DEFAULT_NS CLOCK_NS_PER_S			/* heartbeat if the agent names none */
#define SA_STALL_BEATS 3				/* missed beats before DEGRADED */
#define SA_STALL_MIN_NS (500 * CLOCK_NS_PER_MS)		/* ... but never sooner */
#define SA_DEAD_BEATS 10				/* missed beats before reconnecting */
#define SA_DEAD_MIN_NS (3 * CLOCK_NS_PER_S)		/* ... but never sooner */
#define SA_BAD_SHOW_NS (30 * CLOCK_NS_PER_S)		/* a bad line keeps the link DEGRADED so long */
#define SA_BAD_MAX 100					/* bad lines before giving up on a connection */
#define SA_READ_BUDGET (1024 * 1024)			/* bytes read per pump, to stay responsive */
#define SA_MAX_STEPS 65536				/* steps kept between two refreshes */
#define SA_TERM_NS (500 * CLOCK_NS_PER_MS)		/* grace before SIGTERM after closing stdin */
#define SA_KILL_NS (2 * CLOCK_NS_PER_S)			/* grace before SIGKILL after SIGTERM */
#define SA_MAX_CHILDREN 8				/* children being reaped at once */

/* Where a connection stands. */
enum sa_phase {
	SA_IDLE,		/* no child: waiting to retry */
	SA_HELLO,		/* child started, waiting for its hello */
	SA_INITIAL,		/* hello seen, receiving the full snapshot */
	SA_LIVE,		/* synced: receiving changes */
};

/* A child that was let go and still has to be reaped. */
struct sa_child {
	pid_t pid;		/* process (and process group) id, 0 when free */
	uint64_t term_ns;	/* CLOCK_MONOTONIC ns to send SIGTERM; 0 once sent */
	uint64_t kill_ns;	/* CLOCK_MONOTONIC ns to send SIGKILL */
};

/* A remote device's identity and owner, from an "ident" message. */
struct sa_ident {
	bool have;			/* a message arrived */
	struct ident id;
	struct owner_proc owner;
	int owner_st;			/* IDENTMSG_OWNER_* */
};

struct sa {
	struct source *src;		/* back pointer */
	char **argv;			/* command that starts the agent */
	bool ssh;			/* over ssh (for hints in messages) */
	char what[300];			/* "ssh HOST" or "command", for messages */
	/* the connection */
	enum sa_phase phase;		/* where it stands */
	pid_t pid;			/* current child, 0 when none */
	int out_fd;			/* its stdout, non-blocking; -1 when closed */
	int err_fd;			/* its stderr, non-blocking; -1 when closed */
	int in_fd;			/* its stdin; closing it asks the agent to quit */
	int ep;				/* epoll on out_fd and err_fd: the poll fd */
	uint64_t start_ns;		/* CLOCK_MONOTONIC ns the child was started */
	uint64_t rx_ns;			/* CLOCK_MONOTONIC ns bytes last arrived */
	uint64_t hb_ns;			/* the agent's heartbeat interval, ns */
	uint64_t ivl_ns;		/* the agent's refresh interval, ns (0 unknown) */
	bool stalled;			/* rx_ns is older than the stall limit */
	struct proto_lines lines;	/* framing of stdout */
	struct proto_clock clock;	/* the agent's clock offsets */
	char errtail[512];		/* last bytes of its stderr */
	size_t errlen;			/* bytes in errtail */
	/* after a connection */
	unsigned int attempts;		/* connections tried since the last sync */
	uint64_t backoff_ns;		/* delay before the next retry, ns */
	uint64_t retry_ns;		/* CLOCK_MONOTONIC ns of the next attempt */
	char reason[256];		/* why the last connection ended, "" if none */
	char errline[200];		/* last stderr line of that connection */
	pid_t last_pid;			/* that connection's child */
	int last_status;		/* its wait status, -1 while unknown */
	bool dropped;			/* a connection ended since open */
	uint64_t drop_ns;		/* CLOCK_MONOTONIC ns it ended */
	uint64_t live_ns;		/* CLOCK_MONOTONIC ns the current one synced */
	bool by_itself;			/* the last one ended by itself: its stderr and status tell why */
	bool by_itself_next;		/* the one being dropped ended by itself */
	bool synced;			/* a full snapshot arrived since open */
	struct sa_child kids[SA_MAX_CHILDREN];	/* children to reap */
	/* the agent's news */
	char host[PROTO_TEXT_MAX];	/* its host name */
	enum snap_link rlink;		/* its source's health */
	char rmsg[PROTO_TEXT_MAX];	/* its source's message */
	uint64_t nbad;			/* bad lines in this connection */
	uint64_t bad_ns;		/* CLOCK_MONOTONIC ns of the last bad line */
	char bad[200];			/* what was wrong with it */
	bool too_many;			/* devices were ignored: over PROTO_MAX_DEVS */
	bool lost_steps;		/* steps were dropped: over SA_MAX_STEPS */
	/* slots */
	struct strmap names;		/* device name -> slot */
	size_t cap;			/* slots allocated */
	bool *listed;			/* per slot: in this connection's full snapshot */
	bool *marked;			/* per slot: in pend */
	uint32_t *pend;			/* slots changed since the last publish */
	size_t npend;			/* entries in pend */
	struct snap_step *psteps;	/* steps since the last publish */
	size_t npsteps, cap_steps;	/* entries / allocated */
	size_t snap_steps_cap;		/* allocated entries of src->snap.steps */
	struct sa_ident *ids;		/* per slot: what the agent said it is (identmsg.c) */
	size_t nids;			/* entries in ids */
};

static struct src_agent_cfg sa_cfg;	/* set by src_agent_configure() */

/* Remember how agents are started (pointers must stay valid). */
void src_agent_configure(const struct src_agent_cfg *cfg)
{
	sa_cfg = *cfg;
}

static int64_t sa_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Text from the peer, made plain printable ASCII for messages. */
static void sa_plain(char *dst, size_t len, const char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[j++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[j] = 0;
}

/* snprintf() for messages that may be cut: truncation is expected. */
static void sa_fmt(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sa_fmt(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

/* ---- slots ---- */

static void sa_mark(struct sa *a, size_t slot)
{
	if (a->marked[slot])
		return;
	a->marked[slot] = true;
	a->pend[a->npend++] = (uint32_t)slot;
}

static int sa_grow(struct sa *a)
{
	struct snapshot *sn = &a->src->snap;
	size_t cap = a->cap ? a->cap * 2 : 64;
	struct snap_dev *d;
	uint32_t *c, *p;
	bool *l, *m;

	d = realloc(sn->dev, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	sn->dev = d;
	c = realloc(sn->changed, cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	sn->changed = c;
	p = realloc(a->pend, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	a->pend = p;
	l = realloc(a->listed, cap * sizeof(*l));
	if (!l)
		return -ENOMEM;
	a->listed = l;
	m = realloc(a->marked, cap * sizeof(*m));
	if (!m)
		return -ENOMEM;
	a->marked = m;
	memset(d + a->cap, 0, (cap - a->cap) * sizeof(*d));
	memset(l + a->cap, 0, (cap - a->cap) * sizeof(*l));
	memset(m + a->cap, 0, (cap - a->cap) * sizeof(*m));
	a->cap = cap;
	return 0;
}

/* The slot of device @name, created when @create; -1 if none. */
static long sa_slot(struct sa *a, const char *name, bool create)
{
	struct snapshot *sn = &a->src->snap;
	size_t len = strlen(name);
	int slot = strmap_get(&a->names, name, len);

	if (slot >= 0 || !create)
		return slot;
	if (sn->nslots >= PROTO_MAX_DEVS) {
		a->too_many = true;
		return -1;
	}
	if (sn->nslots == a->cap && sa_grow(a))
		return -1;
	if (strmap_put(&a->names, name, len, (int)sn->nslots))
		return -1;
	memset(&sn->dev[sn->nslots], 0, sizeof(sn->dev[0]));
	memcpy(sn->dev[sn->nslots].name, name, len + 1);
	sn->dev[sn->nslots].val = DS_UNKNOWN;
	return (long)sn->nslots++;
}

/* ---- messages ---- */

/* A line that could not be used: counted, shown, and the end past a limit. */
static void sa_drop(struct sa *a, uint64_t now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sa_bad(struct sa *a, uint64_t now, const char *why)
{
	a->nbad++;
	a->bad_ns = now;
	snprintf(a->bad, sizeof(a->bad), "%s", why);
	a->src->snap.urgent = true;
	if (a->nbad >= SA_BAD_MAX)
		sa_drop(a, now, "%llu bad lines from the agent, last: %s",
			(unsigned long long)a->nbad, why);
}

static uint64_t sa_local(struct sa *a, uint64_t agent_mono, uint64_t now)
{
	if (!agent_mono)
		return 0;
	return proto_clock_to_local(&a->clock, agent_mono, 1, now);
}

/* Margin for the agent's clock, as converted to ours, ns (the conversion
 * errs late by up to the network's one-way delay). */
#define SA_CLOCK_MARGIN_NS (20 * CLOCK_NS_PER_MS)

/*
 * A heartbeat: the agent would have sent any change it read before it, so
 * every value it listed held at its last refresh before the heartbeat.
 */
static void sa_confirm(struct sa *a, const struct proto_msg *m, uint64_t now)
{
	struct snapshot *sn = &a->src->snap;
	uint64_t t = sa_local(a, m->mono_ns, now);
	uint64_t back = (a->ivl_ns ? a->ivl_ns : a->hb_ns) + SA_CLOCK_MARGIN_NS;

	if (a->phase != SA_LIVE || !t || t <= back)
		return;
	for (size_t i = 0; i < sn->nslots; i++)
		if (sn->dev[i].present && t - back > sn->dev[i].seen_ns)
			sn->dev[i].seen_ns = t - back;
}

static void sa_on_dev(struct sa *a, const struct proto_dev *p, uint64_t now)
{
	struct snapshot *sn = &a->src->snap;
	long slot = sa_slot(a, p->name, p->present);
	struct snap_dev *sd;
	uint64_t busy;
	bool changed;

	if (slot < 0)
		return;
	sd = &sn->dev[slot];
	if (a->phase == SA_INITIAL)
		a->listed[slot] = true;
	if (!p->present) {
		if (sd->present) {
			sd->present = false;
			sd->stale = false;
			sd->busy_ns = 0;
			sa_mark(a, (size_t)slot);
		}
		return;
	}
	changed = !sd->present;
	if (!sd->present) {
		sd->gen++;
		sd->present = true;
		sd->val = DS_UNKNOWN;
	}
	busy = sa_local(a, p->busy_ns, now);
	changed |= sd->val != p->val || sd->err != p->err ||
		   sd->features_known != p->features_known ||
		   sd->features != p->features ||
		   sd->dirty_tracking != p->dirty_tracking ||
		   !sd->busy_ns != !busy || sd->raw_len != p->raw_len ||
		   memcmp(sd->raw, p->raw, p->raw_len);
	sd->val = p->val;
	sd->err = p->err;
	sd->features_known = p->features_known;
	sd->features = p->features;
	sd->dirty_tracking = p->dirty_tracking;
	sd->busy_ns = busy;
	sd->raw_len = p->raw_len;
	memcpy(sd->raw, p->raw, p->raw_len);
	sd->read_ns = p->since_ns ? sa_local(a, p->since_ns, now) : now;
	/* Live, every change comes with its steps; a full snapshot after a
	 * reconnection may have missed some: let the model infer those. */
	if (sd->exact != (a->phase == SA_LIVE))
		changed = true;
	sd->exact = a->phase == SA_LIVE;
	if (changed)
		sa_mark(a, (size_t)slot);
}

static void sa_on_step(struct sa *a, const struct proto_msg *m, uint64_t now)
{
	long slot = sa_slot(a, m->u.step.name, false);
	struct snap_step *st;

	if (slot < 0 || a->phase != SA_LIVE)
		return;
	if (a->npsteps == a->cap_steps) {
		size_t cap = a->cap_steps ? a->cap_steps * 2 : 64;

		if (cap > SA_MAX_STEPS || !(st = realloc(a->psteps,
							 cap * sizeof(*st)))) {
			a->lost_steps = true;
			return;
		}
		a->psteps = st;
		a->cap_steps = cap;
	}
	st = &a->psteps[a->npsteps++];
	st->slot = (uint32_t)slot;
	st->gen = a->src->snap.dev[slot].gen;
	st->t_ns = sa_local(a, m->mono_ns, now);
	st->from = m->u.step.from;
	st->to = m->u.step.to;
	st->flags = m->u.step.flags;
	if (!st->t_ns)
		st->t_ns = now;
	st->lo_ns = m->u.step.lo_mono_ns ?
		    sa_local(a, m->u.step.lo_mono_ns, now) : 0;
}

/* End of the full snapshot: whatever it did not list is gone. */
static void sa_on_sync(struct sa *a)
{
	struct snapshot *sn = &a->src->snap;

	for (size_t i = 0; i < sn->nslots; i++) {
		if (sn->dev[i].present && !a->listed[i]) {
			sn->dev[i].present = false;
			sn->dev[i].busy_ns = 0;
			sa_mark(a, i);
		}
		sn->dev[i].stale = false;
	}
	a->phase = SA_LIVE;
	a->synced = true;
	sn->ever = true;
	a->attempts = 0;
	a->live_ns = clock_mono_ns();
	a->reason[0] = 0;
}

static void sa_on_hello(struct sa *a, const struct proto_msg *m, uint64_t now)
{
	const struct proto_hello *h = &m->u.hello;

	if (h->version != PROTO_VERSION) {
		sa_drop(a, now,
			"the agent speaks protocol version %d, this vfiomigtop speaks %d: install the same version on both hosts",
			h->version, PROTO_VERSION);
		return;
	}
	sa_plain(a->host, sizeof(a->host), h->host, strlen(h->host));
	a->hb_ns = h->heartbeat_ns;
	a->ivl_ns = h->interval_ns;
	if (a->hb_ns < 10 * CLOCK_NS_PER_MS || a->hb_ns > 3600 * CLOCK_NS_PER_S)
		a->hb_ns = SA_HB_DEFAULT_NS;
	memset(a->listed, 0, a->cap * sizeof(*a->listed));
	a->phase = SA_INITIAL;
}

/* An "ident" message: kept for the slot it names (ignored if none). */
static void sa_on_ident(struct sa *a, const char *line, size_t len)
{
	struct sa_ident in;
	char name[SNAP_NAME_MAX];
	long slot;

	if (identmsg_decode(line, len, name, sizeof(name), &in.id, &in.owner,
			    &in.owner_st) != 1)
		return;
	slot = sa_slot(a, name, false);
	if (slot < 0)
		return;
	if ((size_t)slot >= a->nids) {
		size_t n = (size_t)slot + 64;
		struct sa_ident *p = realloc(a->ids, n * sizeof(*p));

		if (!p)
			return;
		memset(p + a->nids, 0, (n - a->nids) * sizeof(*p));
		a->ids = p;
		a->nids = n;
	}
	in.have = true;
	a->ids[slot] = in;
}

static bool sa_ident_op(struct source *s, uint32_t slot, uint32_t gen,
			struct ident *id, struct owner_proc *owner,
			int *owner_st)
{
	const struct sa *a = s->priv;

	(void)gen;
	if (slot >= a->nids || !a->ids[slot].have)
		return false;
	*id = a->ids[slot].id;
	*owner = a->ids[slot].owner;
	*owner_st = a->ids[slot].owner_st;
	return id->kind != IDENT_UNKNOWN;
}

static void sa_line(struct sa *a, const char *line, size_t len, uint64_t now,
		    int64_t real)
{
	struct proto_msg m;
	char err[200];

	if (proto_decode(line, len, &m, err, sizeof(err))) {
		if (a->phase == SA_HELLO)
			sa_drop(a, now, "not a vfiomigtop agent: first line: %s",
				err);
		else
			sa_bad(a, now, err);
		return;
	}
	if (a->phase == SA_HELLO && m.type != PROTO_HELLO) {
		sa_drop(a, now,
			"not a vfiomigtop agent: the first line is not a hello");
		return;
	}
	if (proto_carries_send_time(m.type))
		proto_clock_sample(&a->clock, m.mono_ns, m.real_ns, now, real);
	switch (m.type) {
	case PROTO_HELLO:
		sa_on_hello(a, &m, now);
		break;
	case PROTO_DEV:
		sa_on_dev(a, &m.u.dev, now);
		break;
	case PROTO_STEP:
		sa_on_step(a, &m, now);
		break;
	case PROTO_SYNC:
		if (a->phase == SA_INITIAL)
			sa_on_sync(a);
		break;
	case PROTO_LINK:
		a->rlink = m.u.link.link;
		sa_plain(a->rmsg, sizeof(a->rmsg), m.u.link.msg,
			 strlen(m.u.link.msg));
		break;
	case PROTO_HB:
		sa_confirm(a, &m, now);
		return;		/* nothing to show */
	case PROTO_UNKNOWN:
		sa_on_ident(a, line, len);
		return;
	}
	a->src->snap.urgent = true;
}

/* ---- the child ---- */

static void sa_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Keep the last bytes the child wrote to stderr. */
static void sa_read_err(struct sa *a)
{
	char buf[4096];
	ssize_t n;

	while (a->err_fd >= 0) {
		n = read(a->err_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				sa_close_fd(&a->err_fd);
			return;
		}
		if ((size_t)n >= sizeof(a->errtail)) {
			memcpy(a->errtail, buf + n - sizeof(a->errtail),
			       sizeof(a->errtail));
			a->errlen = sizeof(a->errtail);
		} else {
			size_t keep = sizeof(a->errtail) - (size_t)n;

			if (a->errlen > keep) {
				memmove(a->errtail, a->errtail + a->errlen - keep,
					keep);
				a->errlen = keep;
			}
			memcpy(a->errtail + a->errlen, buf, (size_t)n);
			a->errlen += (size_t)n;
		}
	}
}

/* The last non-empty line of the child's stderr, printable. */
static void sa_err_line(const struct sa *a, char *out, size_t len)
{
	size_t end = a->errlen, start;

	while (end && (a->errtail[end - 1] == '\n' || a->errtail[end - 1] == '\r'))
		end--;
	start = end;
	while (start && a->errtail[start - 1] != '\n')
		start--;
	sa_plain(out, len, a->errtail + start, end - start);
}

static void sa_let_go(struct sa *a, pid_t pid, uint64_t now)
{
	for (size_t i = 0; i < SA_MAX_CHILDREN; i++) {
		if (!a->kids[i].pid) {
			a->kids[i].pid = pid;
			a->kids[i].term_ns = now + SA_TERM_NS;
			a->kids[i].kill_ns = now + SA_TERM_NS + SA_KILL_NS;
			return;
		}
	}
	kill(-pid, SIGKILL);	/* no room to wait politely */
	waitpid(pid, NULL, 0);
}

/* Reap children that ended; hurry those that take too long. */
static void sa_reap(struct sa *a, uint64_t now)
{
	for (size_t i = 0; i < SA_MAX_CHILDREN; i++) {
		struct sa_child *k = &a->kids[i];
		int st;

		if (!k->pid)
			continue;
		if (waitpid(k->pid, &st, WNOHANG) == k->pid) {
			if (k->pid == a->last_pid)
				a->last_status = st;
			kill(-k->pid, SIGKILL);	/* anything left in its group */
			k->pid = 0;
			a->src->snap.urgent = true;
			continue;
		}
		if (k->term_ns && now >= k->term_ns) {
			kill(-k->pid, SIGTERM);
			kill(-k->pid, SIGCONT);	/* a stopped agent must see it */
			k->term_ns = 0;
		} else if (!k->term_ns && now >= k->kill_ns) {
			kill(-k->pid, SIGKILL);
		}
	}
}

/* End the connection: keep the devices as stale, retry later. */
static void sa_drop(struct sa *a, uint64_t now, const char *fmt, ...)
{
	struct snapshot *sn = &a->src->snap;
	va_list ap;

	if (a->phase == SA_IDLE)
		return;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	sa_read_err(a);
	sa_err_line(a, a->errline, sizeof(a->errline));
	sa_close_fd(&a->in_fd);		/* the agent ends at end of input */
	sa_close_fd(&a->out_fd);
	sa_close_fd(&a->err_fd);
	if (a->phase == SA_LIVE && now - a->live_ns >= SA_STEADY_NS)
		a->backoff_ns = SA_BACKOFF_MIN_NS;	/* it was working well */
	a->last_pid = a->pid;
	a->last_status = -1;
	a->by_itself = a->by_itself_next;
	a->by_itself_next = false;
	if (a->pid)
		sa_let_go(a, a->pid, now);
	a->pid = 0;
	a->phase = SA_IDLE;
	a->dropped = true;
	a->drop_ns = now;
	a->retry_ns = now + a->backoff_ns;
	a->backoff_ns = a->backoff_ns * 2 > SA_BACKOFF_MAX_NS ?
			SA_BACKOFF_MAX_NS : a->backoff_ns * 2;
	for (size_t i = 0; i < sn->nslots; i++)
		sn->dev[i].stale = sn->dev[i].present;
	sn->urgent = true;
	sa_reap(a, now);
}

static int sa_pipe(int fds[2], int ours)
{
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	return fcntl(fds[ours], F_SETFL, O_NONBLOCK) ? -errno : 0;
}

static int sa_spawn_child(struct sa *a, const int in[2], const int out[2],
			  const int err[2])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGQUIT);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
	posix_spawnattr_init(&at);
	/* Its own session: no terminal to prompt on or get signals from,
	 * and one kill of the process group ends it all. */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID |
			     POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	rc = posix_spawnp(&a->pid, a->argv[0], &fa, &at, a->argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		a->pid = 0;
	return -rc;
}

/* Start the agent.  A failure is a dropped connection like any other. */
static void sa_connect(struct sa *a, uint64_t now)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	struct epoll_event ev = { .events = EPOLLIN };
	int rc;

	a->attempts++;
	a->phase = SA_HELLO;
	a->start_ns = a->rx_ns = now;
	a->stalled = false;
	a->errlen = 0;
	a->nbad = 0;
	a->rlink = SNAP_LINK_OK;
	a->rmsg[0] = 0;
	proto_lines_reset(&a->lines);
	proto_clock_reset(&a->clock);
	rc = sa_pipe(in, 1);
	if (!rc)
		rc = sa_pipe(out, 0);
	if (!rc)
		rc = sa_pipe(err, 0);
	if (!rc)
		rc = sa_spawn_child(a, in, out, err);
	sa_close_fd(&in[0]);
	sa_close_fd(&out[1]);
	sa_close_fd(&err[1]);
	a->in_fd = in[1];
	a->out_fd = out[0];
	a->err_fd = err[0];
	if (!rc && a->out_fd >= 0) {
		ev.data.fd = a->out_fd;
		if (epoll_ctl(a->ep, EPOLL_CTL_ADD, a->out_fd, &ev))
			rc = -errno;
	}
	if (!rc && a->err_fd >= 0) {
		ev.data.fd = a->err_fd;
		if (epoll_ctl(a->ep, EPOLL_CTL_ADD, a->err_fd, &ev))
			rc = -errno;
	}
	if (rc) {
		a->by_itself_next = true;
		sa_drop(a, now, "cannot run %s: %s", a->argv[0], strerror(-rc));
	}
}

static void sa_eof(struct sa *a, uint64_t now)
{
	size_t part = proto_lines_partial(&a->lines);

	a->by_itself_next = true;
	if (part)
		sa_drop(a, now, "connection closed in the middle of a line (%zu bytes dropped)",
			part);
	else if (a->phase == SA_HELLO)
		sa_drop(a, now, "connection closed before the agent said hello");
	else
		sa_drop(a, now, "connection closed");
}

/* Read what the child's stdout has, up to a budget. */
static void sa_read_out(struct sa *a, uint64_t now)
{
	static char buf[65536];
	int64_t real = sa_real_ns();
	size_t budget = SA_READ_BUDGET;

	while (a->out_fd >= 0 && budget) {
		ssize_t n = read(a->out_fd, buf, sizeof(buf));
		const char *line;
		size_t len;
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			a->by_itself_next = true;
			sa_drop(a, now, "reading from the agent: %s",
				strerror(errno));
			return;
		}
		if (n == 0) {
			sa_eof(a, now);
			return;
		}
		budget -= (size_t)n > budget ? budget : (size_t)n;
		if (a->stalled)
			a->src->snap.urgent = true;	/* it is back: show it */
		a->rx_ns = now;
		a->stalled = false;
		if (proto_lines_feed(&a->lines, buf, (size_t)n)) {
			sa_drop(a, now, "out of memory");
			return;
		}
		while (a->phase != SA_IDLE &&
		       (rc = proto_lines_next(&a->lines, &line, &len))) {
			if (rc < 0) {
				char why[80];

				snprintf(why, sizeof(why),
					 "a line longer than %d bytes was dropped",
					 PROTO_LINE_MAX);
				if (a->phase == SA_HELLO)
					sa_drop(a, now, "not a vfiomigtop agent: %s",
						why);
				else
					sa_bad(a, now, why);
			} else {
				sa_line(a, line, len, now, real);
			}
		}
	}
}

/* Timers: a silent agent, a retry that is due, children to reap. */
static void sa_timers(struct sa *a, uint64_t now)
{
	uint64_t hb = a->hb_ns ? a->hb_ns : SA_HB_DEFAULT_NS;
	uint64_t stall = hb * SA_STALL_BEATS, dead = hb * SA_DEAD_BEATS;
	uint64_t quiet = now - a->rx_ns;

	if (stall < SA_STALL_MIN_NS)
		stall = SA_STALL_MIN_NS;
	if (dead < SA_DEAD_MIN_NS)
		dead = SA_DEAD_MIN_NS;
	sa_reap(a, now);
	if (a->phase == SA_HELLO && now - a->start_ns > SA_HELLO_NS) {
		sa_drop(a, now, "no answer from the agent within %llu s",
			(unsigned long long)(SA_HELLO_NS / CLOCK_NS_PER_S));
	} else if (a->phase >= SA_INITIAL && quiet > dead) {
		sa_drop(a, now, "no heartbeat for %.1f s: the agent is stalled",
			(double)quiet / 1e9);
	} else if (a->phase >= SA_INITIAL && quiet > stall && !a->stalled) {
		a->stalled = true;
		a->src->snap.urgent = true;
	}
	if (a->phase == SA_IDLE && now >= a->retry_ns)
		sa_connect(a, now);
}

static void sa_service(struct sa *a, uint64_t now)
{
	if (a->phase != SA_IDLE) {
		sa_read_out(a, now);
		sa_read_err(a);
	}
	sa_timers(a, now);
}

/* ---- the snapshot ---- */

static void sa_exit_text(const struct sa *a, char *buf, size_t len)
{
	int st = a->last_status;

	buf[0] = 0;
	if (st < 0)
		return;
	if (WIFEXITED(st) && WEXITSTATUS(st))
		snprintf(buf, len, " (exit status %d%s)", WEXITSTATUS(st),
			 WEXITSTATUS(st) == 127 && a->ssh ?
			 ": is vfiomigtop installed there? see VFIOMIGTOP_REMOTE_CMD" : "");
	else if (WIFSIGNALED(st))
		snprintf(buf, len, " (killed by signal %d)", WTERMSIG(st));
}

/* Link state and message from where the connection stands. */
static void sa_link(struct sa *a, uint64_t now)
{
	struct snapshot *sn = &a->src->snap;
	char ex[120], tail[220] = "";

	ex[0] = 0;
	if (a->by_itself && a->errline[0])
		sa_fmt(tail, sizeof(tail), ": %s", a->errline);
	if (a->by_itself)
		sa_exit_text(a, ex, sizeof(ex));
	if (a->phase == SA_IDLE) {
		uint64_t left = a->retry_ns > now ? a->retry_ns - now : 0;

		sn->link = SNAP_LINK_DOWN;
		sa_fmt(sn->msg, sizeof(sn->msg),
			 "disconnected: %s%s%s; retry in %.1f s", a->reason,
			 tail, ex, (double)left / 1e9);
	} else if (a->phase != SA_LIVE) {
		sn->link = SNAP_LINK_DOWN;
		if (a->reason[0])
			sa_fmt(sn->msg, sizeof(sn->msg),
				 "reconnecting to %s (attempt %u); last: %s%s%s",
				 a->what, a->attempts, a->reason, tail, ex);
		else
			sa_fmt(sn->msg, sizeof(sn->msg), "connecting to %s",
				 a->what);
	} else if (a->stalled) {
		sn->link = SNAP_LINK_DEGRADED;
		sa_fmt(sn->msg, sizeof(sn->msg),
			 "stalled: no heartbeat from %s for %.1f s", a->what,
			 (double)(now - a->rx_ns) / 1e9);
	} else if (a->rlink != SNAP_LINK_OK) {
		sn->link = a->rlink;
		sa_fmt(sn->msg, sizeof(sn->msg), "on %s: %s", a->host,
			 a->rmsg);
	} else if (a->nbad && now - a->bad_ns < SA_BAD_SHOW_NS) {
		sn->link = SNAP_LINK_DEGRADED;
		sa_fmt(sn->msg, sizeof(sn->msg),
			 "ignored %llu bad line%s from the agent, last: %s",
			 (unsigned long long)a->nbad, a->nbad == 1 ? "" : "s",
			 a->bad);
	} else if (a->too_many || a->lost_steps) {
		sn->link = SNAP_LINK_DEGRADED;
		sa_fmt(sn->msg, sizeof(sn->msg), "%s",
			 a->too_many ? "the agent lists more than 65536 devices: some are not shown" :
			 "too many steps at once: some were inferred");
	} else {
		sn->link = SNAP_LINK_OK;
		sn->msg[0] = 0;
	}
}

static void sa_publish(struct sa *a, uint64_t now)
{
	struct snapshot *sn = &a->src->snap;
	bool stale = a->phase != SA_LIVE || a->stalled ||
		     a->rlink == SNAP_LINK_DOWN;
	struct snap_step *tmp;
	size_t tcap;
	int64_t real_off = 0;

	for (size_t i = 0; i < sn->nslots; i++)
		sn->dev[i].stale = sn->dev[i].present && stale;
	memcpy(sn->changed, a->pend, a->npend * sizeof(*a->pend));
	sn->nchanged = a->npend;
	for (size_t i = 0; i < a->npend; i++)
		a->marked[a->pend[i]] = false;
	a->npend = 0;
	/* Swap the step buffers: the snapshot's becomes the next pending one. */
	tmp = sn->steps;
	tcap = a->snap_steps_cap;
	sn->steps = a->psteps;
	sn->nsteps = a->npsteps;
	a->snap_steps_cap = a->cap_steps;
	a->psteps = tmp;
	a->cap_steps = tcap;
	a->npsteps = 0;
	proto_clock_offsets(&a->clock, NULL, &real_off);
	sn->clock_offset_ns = real_off;
	sa_fmt(sn->host, sizeof(sn->host), "%s", a->host);
	sa_link(a, now);
	sn->t_ns = now;
}

/* ---- the source interface ---- */

static void sa_pump(struct source *s, uint64_t now_ns)
{
	sa_service(s->priv, now_ns);
}

static void sa_refresh_begin(struct source *s, uint64_t now_ns)
{
	s->snap.nchanged = 0;
	s->snap.nsteps = 0;
	sa_service(s->priv, now_ns);
}

static void sa_refresh_end(struct source *s, uint64_t deadline_ns)
{
	uint64_t now = clock_mono_ns();

	(void)deadline_ns;
	sa_service(s->priv, now);
	sa_publish(s->priv, now);
	s->snap.urgent = false;
}

static int sa_poll_fd(struct source *s)
{
	return ((struct sa *)s->priv)->ep;
}

/* The first full snapshot is in, or a connection already failed (and its
 * child's exit status is known, or took too long to come). */
static bool sa_ready(struct source *s)
{
	struct sa *a = s->priv;

	return a->synced || (a->dropped && (a->last_status >= 0 ||
		clock_mono_ns() - a->drop_ns > SA_TERM_NS));
}

static void sa_free(struct sa *a)
{
	struct snapshot *sn = &a->src->snap;
	uint64_t until;

	if (a->phase != SA_IDLE)
		sa_drop(a, clock_mono_ns(), "closed");
	/* Give the children a moment to end by themselves, then make them. */
	until = clock_mono_ns() + SA_TERM_NS + SA_KILL_NS;
	for (;;) {
		bool any = false;
		uint64_t now = clock_mono_ns();
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		sa_reap(a, now);
		for (size_t i = 0; i < SA_MAX_CHILDREN; i++)
			any |= a->kids[i].pid != 0;
		if (!any)
			break;
		if (now >= until) {
			for (size_t i = 0; i < SA_MAX_CHILDREN; i++) {
				if (!a->kids[i].pid)
					continue;
				kill(-a->kids[i].pid, SIGKILL);
				waitpid(a->kids[i].pid, NULL, 0);
				a->kids[i].pid = 0;
			}
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (a->ep >= 0)
		close(a->ep);
	src_agent_argv_free(a->argv);
	proto_lines_free(&a->lines);
	strmap_free(&a->names);
	free(a->listed);
	free(a->marked);
	free(a->pend);
	free(a->psteps);
	free(a->ids);
	free(sn->dev);
	free(sn->changed);
	free(sn->steps);
	sn->dev = NULL;
	sn->changed = NULL;
	sn->steps = NULL;
	sn->nslots = sn->nchanged = sn->nsteps = 0;
	free(a);
}

static void sa_close(struct source *s)
{
	if (s->priv)
		sa_free(s->priv);
	s->priv = NULL;
}

static int sa_open(struct source *s, const char *spec, char *err, size_t len)
{
	struct src_agent_cfg cfg = sa_cfg;
	struct src_agent_spec sp;
	struct sa *a;

	if (src_agent_parse(spec, &sp, err, len))
		return -EINVAL;
	if (!cfg.env_opts)
		cfg.env_opts = getenv("VFIOMIGTOP_SSH_OPTS");
	if (!cfg.remote_cmd)
		cfg.remote_cmd = getenv("VFIOMIGTOP_REMOTE_CMD");
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	a->src = s;
	a->ssh = sp.ssh;
	a->pid = 0;
	a->in_fd = a->out_fd = a->err_fd = -1;
	a->backoff_ns = SA_BACKOFF_MIN_NS;
	a->last_status = -1;
	strmap_init(&a->names);
	proto_lines_init(&a->lines, PROTO_LINE_MAX);
	if (sp.ssh)
		snprintf(a->what, sizeof(a->what), "ssh %s", sp.host);
	else
		snprintf(a->what, sizeof(a->what), "the agent command");
	snprintf(a->host, sizeof(a->host), "%s", sp.ssh ? sp.host : "");
	a->argv = src_agent_argv(&sp, &cfg);
	a->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!a->argv || a->ep < 0 || sa_grow(a)) {
		snprintf(err, len, "%s", a->ep < 0 ? strerror(errno) :
			 "out of memory");
		s->priv = a;
		sa_close(s);
		return -ENOMEM;
	}
	s->priv = a;
	s->snap.link = SNAP_LINK_DOWN;
	sa_fmt(s->snap.msg, sizeof(s->snap.msg), "connecting to %s", a->what);
	sa_connect(a, clock_mono_ns());
	return 0;
}

const struct source_ops src_agent_ops = {
	.kind = "agent",
	.open = sa_open,
	.poll_fd = sa_poll_fd,
	.refresh_begin = sa_refresh_begin,
	.refresh_end = sa_refresh_end,
	.close = sa_close,
	.pump = sa_pump,
	.ready = sa_ready,
	.ident = sa_ident_op,
};
