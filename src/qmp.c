// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qmp.c - a read-only QMP client on a unix socket, as a non-blocking
 * state machine: connect, greeting, qmp_capabilities, then discovery
 * (query-name; qom-list of /machine/peripheral and peripheral-anon; per
 * vfio-pci device qom-get of sysfsdev, host and migration-events) and
 * query-migrate every poll interval and after each migration event.
 * Only queries and qmp_capabilities are ever sent.  Whatever the peer
 * does (garbage, huge lines, silence, closing), the connection is dropped
 * with a message and tried again later, doubling the wait up to 5 s.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "clock.h"

#define QMP_RETRY_MIN_NS (500 * CLOCK_NS_PER_MS)
#define QMP_RETRY_MAX_NS (5 * CLOCK_NS_PER_S)
#define QMP_REDISCOVER_NS (10 * CLOCK_NS_PER_S)
#define QMP_PENDING 64
#define QMP_WBUF 65536

enum qmp_state {
	QMP_DOWN,		/* not connected; retry at retry_ns */
	QMP_GREETING,		/* connected, waiting for the greeting */
	QMP_CAPS,		/* qmp_capabilities sent */
	QMP_READY,		/* commands accepted */
};

enum qmp_req {
	QR_CAPS, QR_NAME, QR_LIST, QR_SYSFSDEV, QR_HOST, QR_EVENTS, QR_MIGRATE,
};

struct qmp_pending {
	uint64_t id;
	enum qmp_req kind;
	int dev;		/* device index for QR_SYSFSDEV/HOST/EVENTS */
	uint64_t sent_ns;
};

struct qmp_conn {
	struct qmp_view v;	/* what others see */
	enum qmp_state st;
	int fd;
	uint64_t retry_ns;	/* when to connect again */
	uint64_t backoff_ns;	/* current wait between tries */
	uint64_t since_ns;	/* when the current state began */
	uint64_t next_poll_ns;	/* next query-migrate */
	uint64_t next_disc_ns;	/* next device discovery */
	char *rbuf;		/* bytes of the line being read */
	size_t rlen, rcap;
	bool skipping;		/* dropping an over-long line */
	char wbuf[QMP_WBUF];	/* commands not written yet */
	size_t wlen;
	uint64_t next_id;
	struct qmp_pending pend[QMP_PENDING];
	size_t npend;
	struct qmp_vdev disc[QMP_DEVS];	/* devices being discovered */
	size_t ndisc;
	int lists_left;		/* qom-list answers still due */
	bool mig_pending;	/* a query-migrate is on its way */
	bool status_seen;	/* a migration status was seen on this connection */
	uint64_t status_ns;	/* when that status was last confirmed */
	bool run;		/* a migration under way was seen */
	uint64_t run_lo_ns;	/* it began after this */
	bool fail_wants_text;	/* the newest failure still lacks its error-desc */
};

struct qmp_conn *qmp_new(const char *path)
{
	struct qmp_conn *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	snprintf(q->v.path, sizeof(q->v.path), "%s", path);
	snprintf(q->v.status, sizeof(q->v.status), "none");
	snprintf(q->v.msg, sizeof(q->v.msg), "not connected yet");
	q->v.vfio_transferred = q->v.total_time = q->v.downtime = -1;
	q->fd = -1;
	q->backoff_ns = QMP_RETRY_MIN_NS;
	return q;
}

static void qmp_drop(struct qmp_conn *q, uint64_t now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Close the connection, say why, and plan the next try. */
static void qmp_drop(struct qmp_conn *q, uint64_t now, const char *fmt, ...)
{
	va_list ap;

	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	va_start(ap, fmt);
	vsnprintf(q->v.msg, sizeof(q->v.msg), fmt, ap);
	va_end(ap);
	q->st = QMP_DOWN;
	q->v.up = false;
	q->rlen = q->wlen = q->npend = 0;
	q->skipping = false;
	q->mig_pending = false;
	q->status_seen = false;
	q->run = false;
	q->retry_ns = now + q->backoff_ns;
	q->backoff_ns = q->backoff_ns * 2 > QMP_RETRY_MAX_NS ?
			QMP_RETRY_MAX_NS : q->backoff_ns * 2;
	/* A device's last request is history once QEMU is gone. */
	for (size_t i = 0; i < q->v.ndev; i++)
		q->v.dev[i].last[0] = q->v.dev[i].prev[0] = 0;
}

void qmp_free(struct qmp_conn *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q->rbuf);
	free(q);
}

int qmp_fd(const struct qmp_conn *q)
{
	return q->fd;
}

short qmp_want(const struct qmp_conn *q)
{
	if (q->fd < 0)
		return 0;
	return (short)(POLLIN | (q->wlen ? POLLOUT : 0));
}

const struct qmp_view *qmp_view(const struct qmp_conn *q)
{
	return &q->v;
}

const struct qmp_fail *qmp_fail_get(const struct qmp_view *v, uint32_t seq)
{
	const struct qmp_fail *f;

	if (!seq || seq > v->nfail || v->nfail - seq >= QMP_FAILS)
		return NULL;
	f = &v->fail[seq % QMP_FAILS];
	return f->seq == seq ? f : NULL;
}

/* QAPI's device-state ("pre-copy-p2p") as the kernel's token. */
const char *qmp_state_token(const char *s)
{
	static const struct {
		const char *qapi, *tok;
	} map[] = {
		{ "stop", "STOP" }, { "running", "RUNNING" },
		{ "stop-copy", "STOP_COPY" }, { "resuming", "RESUMING" },
		{ "running-p2p", "RUNNING_P2P" }, { "pre-copy", "PRE_COPY" },
		{ "pre-copy-p2p", "PRE_COPY_P2P" },
		{ "pre-copy-p2p-prepare", "PRE_COPY_P2P(prepare)" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].qapi))
			return map[i].tok;
	return NULL;
}

/* Text from QEMU, reduced to printable ASCII: it reaches terminals. */
static void qmp_plain(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	if (!len)
		return;
	for (; src && src[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[i] = 0;
}

/* ---- sending ---- */

static void qmp_send(struct qmp_conn *q, enum qmp_req kind, int dev,
		     uint64_t now, const char *cmd, json_t *args)
{
	json_t *o = json_object();
	char *s;
	size_t n;

	if (!o || q->npend >= QMP_PENDING) {
		json_decref(args);
		json_decref(o);
		return;
	}
	q->next_id++;
	json_object_set_new(o, "execute", json_string(cmd));
	if (args)
		json_object_set_new(o, "arguments", args);
	json_object_set_new(o, "id", json_integer((json_int_t)q->next_id));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return;
	n = strlen(s);
	if (q->wlen + n + 1 > sizeof(q->wbuf)) {
		free(s);
		qmp_drop(q, now, "QEMU does not read its socket");
		return;
	}
	memcpy(q->wbuf + q->wlen, s, n);
	q->wbuf[q->wlen + n] = '\n';
	q->wlen += n + 1;
	free(s);
	q->pend[q->npend++] = (struct qmp_pending){ q->next_id, kind, dev, now };
	q->v.sent++;
}

static void qmp_flush(struct qmp_conn *q, uint64_t now)
{
	while (q->wlen && q->fd >= 0) {
		ssize_t n = send(q->fd, q->wbuf, q->wlen, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			qmp_drop(q, now, "write: %s", strerror(errno));
			return;
		}
		memmove(q->wbuf, q->wbuf + n, q->wlen - (size_t)n);
		q->wlen -= (size_t)n;
	}
}

static void qmp_query_migrate(struct qmp_conn *q, uint64_t now)
{
	if (q->st != QMP_READY || q->mig_pending)
		return;
	q->mig_pending = true;
	qmp_send(q, QR_MIGRATE, -1, now, "query-migrate", NULL);
}

static void qmp_discover(struct qmp_conn *q, uint64_t now)
{
	static const char *const roots[] = {
		"/machine/peripheral", "/machine/peripheral-anon",
	};

	if (q->lists_left)
		return;
	q->ndisc = 0;
	q->lists_left = 2;
	for (int i = 0; i < 2; i++) {
		json_t *a = json_pack("{s:s}", "path", roots[i]);

		qmp_send(q, QR_LIST, i, now, "qom-list", a);
	}
	q->next_disc_ns = now + QMP_REDISCOVER_NS;
}

static void qmp_qom_get(struct qmp_conn *q, enum qmp_req kind, int dev,
			const char *prop, uint64_t now)
{
	json_t *a = json_pack("{s:s,s:s}", "path", q->disc[dev].qom,
			      "property", prop);

	qmp_send(q, kind, dev, now, "qom-get", a);
}

/* ---- receiving ---- */

static void qmp_host_from(const char *s, char *out, size_t len)
{
	const char *b = strrchr(s, '/');

	qmp_plain(out, len, b ? b + 1 : s);
}

/* Discovery done: the new list replaces the old, keeping event history. */
static void qmp_disc_done(struct qmp_conn *q)
{
	struct qmp_vdev nd[QMP_DEVS];

	for (size_t i = 0; i < q->ndisc; i++) {
		nd[i] = q->disc[i];
		for (size_t j = 0; j < q->v.ndev; j++) {
			const struct qmp_vdev *o = &q->v.dev[j];

			if (!strcmp(o->qom, nd[i].qom)) {
				memcpy(nd[i].last, o->last, sizeof(o->last));
				memcpy(nd[i].prev, o->prev, sizeof(o->prev));
				nd[i].last_ns = o->last_ns;
				nd[i].nev = o->nev;
				nd[i].reset_seen = o->reset_seen;
			}
		}
	}
	memcpy(q->v.dev, nd, q->ndisc * sizeof(nd[0]));
	q->v.ndev = q->ndisc;
	q->v.devs_known = true;
}

static bool qmp_disc_busy(const struct qmp_conn *q)
{
	if (q->lists_left)
		return true;
	for (size_t i = 0; i < q->npend; i++)
		if (q->pend[i].kind == QR_SYSFSDEV || q->pend[i].kind == QR_HOST ||
		    q->pend[i].kind == QR_EVENTS)
			return true;
	return false;
}

static void qmp_on_list(struct qmp_conn *q, int root, json_t *ret,
			uint64_t now)
{
	static const char *const roots[] = {
		"/machine/peripheral", "/machine/peripheral-anon",
	};
	size_t i;
	json_t *e;

	if (json_is_array(ret)) {
		json_array_foreach(ret, i, e) {
			const char *name = json_string_value(json_object_get(e, "name"));
			const char *type = json_string_value(json_object_get(e, "type"));
			struct qmp_vdev *d;

			if (!name || !type || strncmp(type, "child<vfio-pci", 14) ||
			    q->ndisc >= QMP_DEVS)
				continue;
			d = &q->disc[q->ndisc];
			memset(d, 0, sizeof(*d));
			d->events = -1;
			if (strlen(name) + strlen(roots[root]) + 2 > sizeof(d->qom) ||
			    strchr(name, '/'))
				continue;	/* not a device name QEMU makes */
			for (const char *c = name; *c && d; c++)
				if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
					d = NULL;	/* nor this */
			if (!d)
				continue;
			{
				size_t rl = strlen(roots[root]), nl = strlen(name);

				memcpy(d->qom, roots[root], rl);	/* length checked above */
				d->qom[rl] = '/';
				memcpy(d->qom + rl + 1, name, nl + 1);
			}
			if (root == 0)
				qmp_plain(d->id, sizeof(d->id), name);
			qmp_qom_get(q, QR_SYSFSDEV, (int)q->ndisc, "sysfsdev", now);
			qmp_qom_get(q, QR_EVENTS, (int)q->ndisc, "migration-events", now);
			q->ndisc++;
		}
	}
	if (q->lists_left > 0)
		q->lists_left--;
}

/* A migration status seen at @now (by a query or an event). */
static void qmp_status(struct qmp_conn *q, const char *st, uint64_t now)
{
	bool idle = !strcmp(st, "none") || !strcmp(st, "completed") ||
		    !strcmp(st, "failed") || !strcmp(st, "cancelled");
	bool changed = strcmp(st, q->v.status) != 0;

	if (changed && q->status_seen && !strcmp(st, "failed")) {
		struct qmp_fail *f;

		q->v.nfail++;
		f = &q->v.fail[q->v.nfail % QMP_FAILS];
		memset(f, 0, sizeof(*f));
		f->seq = q->v.nfail;
		f->lo_ns = q->run ? q->run_lo_ns : q->status_ns;
		f->t_ns = now;
		q->fail_wants_text = true;	/* error-desc: from query-migrate */
	}
	if (!idle && !q->run) {
		q->run = true;
		q->run_lo_ns = q->status_seen ? q->status_ns : now;
	}
	if (idle)
		q->run = false;
	qmp_plain(q->v.status, sizeof(q->v.status), st);
	q->status_seen = true;
	q->status_ns = now;
}

static int64_t qmp_int(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static void qmp_on_migrate(struct qmp_conn *q, json_t *ret, uint64_t now)
{
	const char *st = json_string_value(json_object_get(ret, "status"));
	const char *err = json_string_value(json_object_get(ret, "error-desc"));
	json_t *vfio = json_object_get(ret, "vfio");

	q->mig_pending = false;
	if (!json_is_object(ret))
		return;
	q->v.mig_ns = now;
	q->v.vfio_transferred = json_is_object(vfio) ?
				qmp_int(vfio, "transferred") : -1;
	q->v.total_time = qmp_int(ret, "total-time");
	q->v.downtime = qmp_int(ret, "downtime");
	qmp_plain(q->v.error, sizeof(q->v.error), err ? err : "");
	qmp_status(q, st ? st : "none", now);
	if (q->fail_wants_text && st && !strcmp(st, "failed")) {
		struct qmp_fail *f = &q->v.fail[q->v.nfail % QMP_FAILS];

		if (f->seq == q->v.nfail && err)
			qmp_plain(f->text, sizeof(f->text), err);
		q->fail_wants_text = false;
	}
}

static void qmp_on_return(struct qmp_conn *q, uint64_t id, json_t *ret,
			  json_t *error, uint64_t now)
{
	struct qmp_pending p;
	size_t i;

	for (i = 0; i < q->npend && q->pend[i].id != id; i++)
		;
	if (i == q->npend)
		return;		/* not ours (or dropped): ignore */
	p = q->pend[i];
	memmove(&q->pend[i], &q->pend[i + 1], (q->npend - i - 1) * sizeof(p));
	q->npend--;
	switch (p.kind) {
	case QR_CAPS:
		if (error) {
			qmp_drop(q, now, "qmp_capabilities refused");
			return;
		}
		q->st = QMP_READY;
		q->v.up = q->v.ever_up = true;
		q->v.msg[0] = 0;
		q->backoff_ns = QMP_RETRY_MIN_NS;
		qmp_send(q, QR_NAME, -1, now, "query-name", NULL);
		qmp_discover(q, now);
		qmp_query_migrate(q, now);
		break;
	case QR_NAME: {
		const char *n = json_string_value(json_object_get(ret, "name"));

		qmp_plain(q->v.vm, sizeof(q->v.vm), n ? n : "");
		break;
	}
	case QR_LIST:
		qmp_on_list(q, p.dev, error ? NULL : ret, now);
		break;
	case QR_SYSFSDEV:
	case QR_HOST: {
		const char *s = json_string_value(ret);

		if (p.dev < 0 || (size_t)p.dev >= q->ndisc)
			break;
		if (s && *s && strcmp(s, "0000:00:00.0"))
			qmp_host_from(s, q->disc[p.dev].host,
				      sizeof(q->disc[p.dev].host));
		else if (p.kind == QR_SYSFSDEV)
			qmp_qom_get(q, QR_HOST, p.dev, "host", now);
		break;
	}
	case QR_EVENTS:
		if (p.dev >= 0 && (size_t)p.dev < q->ndisc)
			q->disc[p.dev].events = json_is_boolean(ret) ?
						json_is_true(ret) : -1;
		break;
	case QR_MIGRATE:
		q->mig_pending = false;
		if (!error)
			qmp_on_migrate(q, ret, now);
		break;
	}
	if ((p.kind == QR_LIST || p.kind == QR_SYSFSDEV || p.kind == QR_HOST ||
	     p.kind == QR_EVENTS) && !qmp_disc_busy(q))
		qmp_disc_done(q);
}

static void qmp_on_event(struct qmp_conn *q, const char *ev, json_t *data,
			 uint64_t now)
{
	if (!strcmp(ev, "VFIO_MIGRATION")) {
		const char *qom = json_string_value(json_object_get(data, "qom-path"));
		const char *st = json_string_value(json_object_get(data, "device-state"));

		if (!qom || !st || !qmp_state_token(st))
			return;
		for (size_t i = 0; i < q->v.ndev; i++) {
			struct qmp_vdev *d = &q->v.dev[i];

			if (strcmp(d->qom, qom))
				continue;
			/* running straight after resuming: QEMU reset the
			 * device after a failed load (it reports a reset as
			 * running). */
			if (!strcmp(st, "running") && !strcmp(d->last, "resuming"))
				d->reset_seen = true;
			else if (!strcmp(st, "resuming"))
				d->reset_seen = false;
			memcpy(d->prev, d->last, sizeof(d->prev));
			snprintf(d->last, sizeof(d->last), "%s", st);
			d->last_ns = now;
			d->nev++;
		}
		/* A device not discovered yet: look again. */
		qmp_query_migrate(q, now);
	} else if (!strcmp(ev, "MIGRATION")) {
		const char *st = json_string_value(json_object_get(data, "status"));

		if (st)
			qmp_status(q, st, now);
		qmp_query_migrate(q, now);
	} else if (!strcmp(ev, "DEVICE_DELETED")) {
		qmp_discover(q, now);
	}
}

/* One complete line from QEMU. */
static void qmp_line(struct qmp_conn *q, const char *line, size_t len,
		     uint64_t now)
{
	json_error_t je;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je), *id;
	const char *ev;

	q->v.received++;
	if (!json_is_object(o)) {
		json_decref(o);
		qmp_drop(q, now, "not QMP: a message that is not a JSON object");
		return;
	}
	if (q->st == QMP_GREETING) {
		if (!json_is_object(json_object_get(o, "QMP"))) {
			json_decref(o);
			qmp_drop(q, now, "not QMP: no greeting");
			return;
		}
		q->st = QMP_CAPS;
		q->since_ns = now;
		qmp_send(q, QR_CAPS, -1, now, "qmp_capabilities", NULL);
		json_decref(o);
		return;
	}
	if ((ev = json_string_value(json_object_get(o, "event")))) {
		json_t *data = json_object_get(o, "data");

		if (json_is_object(data))
			qmp_on_event(q, ev, data, now);
	} else if ((id = json_object_get(o, "id")) && json_is_integer(id)) {
		json_t *ret = json_object_get(o, "return");
		json_t *error = json_object_get(o, "error");

		qmp_on_return(q, (uint64_t)json_integer_value(id),
			      ret, json_is_object(error) ? error : NULL, now);
	}
	json_decref(o);
}

static void qmp_read(struct qmp_conn *q, uint64_t now)
{
	char buf[16384];

	for (int rounds = 0; rounds < 64 && q->fd >= 0; rounds++) {
		ssize_t n = recv(q->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0) {
			qmp_drop(q, now, "QEMU closed the connection");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				qmp_drop(q, now, "read: %s", strerror(errno));
			return;
		}
		for (ssize_t i = 0; i < n && q->fd >= 0; i++) {
			char c = buf[i];

			if (c == '\n') {
				if (!q->skipping && q->rlen)
					qmp_line(q, q->rbuf, q->rlen, now);
				else if (q->skipping)
					qmp_drop(q, now, "not QMP: a message longer than 1 MiB");
				q->rlen = 0;
				q->skipping = false;
				continue;
			}
			if (q->skipping || c == '\r')
				continue;
			if (q->rlen >= QMP_LINE_MAX) {
				q->skipping = true;
				continue;
			}
			if (q->rlen + 1 > q->rcap) {
				size_t nc = q->rcap ? q->rcap * 2 : 4096;
				char *nb = realloc(q->rbuf, nc);

				if (!nb) {
					qmp_drop(q, now, "out of memory");
					return;
				}
				q->rbuf = nb;
				q->rcap = nc;
			}
			q->rbuf[q->rlen++] = c;
		}
	}
}

/* Use @fd, a connected socket (tests: one end of a socketpair). */
int qmp_attach_fd(struct qmp_conn *q, int fd, uint64_t now_ns)
{
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	q->fd = fd;
	q->st = QMP_GREETING;
	q->since_ns = now_ns;
	q->v.pid = 0;
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl))
		q->v.pid = cr.pid;
	snprintf(q->v.msg, sizeof(q->v.msg), "waiting for the QMP greeting");
	return 0;
}

static void qmp_connect(struct qmp_conn *q, uint64_t now)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(q->v.path) >= sizeof(sa.sun_path)) {
		snprintf(q->v.msg, sizeof(q->v.msg), "socket path too long");
		q->retry_ns = UINT64_MAX;
		return;
	}
	memcpy(sa.sun_path, q->v.path, strlen(q->v.path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		qmp_drop(q, now, "socket: %s", strerror(errno));
		return;
	}
	/* A unix socket connects at once, or fails (EAGAIN: backlog full). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		q->fd = -1;
		qmp_drop(q, now, "cannot connect: %s%s", strerror(e),
			 e == ENOENT || e == ECONNREFUSED ?
			 " (QEMU not running, or no -qmp on this socket)" : "");
		return;
	}
	qmp_attach_fd(q, fd, now);
}

void qmp_io(struct qmp_conn *q, short revents, uint64_t now_ns)
{
	if (q->fd < 0)
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		qmp_read(q, now_ns);
	if (q->fd >= 0 && (revents & POLLOUT))
		qmp_flush(q, now_ns);
}

/* Timers: connecting, polling, rediscovery, a peer that stalls. */
void qmp_tick(struct qmp_conn *q, uint64_t now, uint64_t poll_ns)
{
	if (q->st == QMP_DOWN) {
		if (now >= q->retry_ns)
			qmp_connect(q, now);
		return;
	}
	if ((q->st == QMP_GREETING || q->st == QMP_CAPS) &&
	    now > q->since_ns && now - q->since_ns > QMP_STALL_NS) {
		qmp_drop(q, now, "no QMP greeting within 10 s (not a QMP socket, or QEMU busy)");
		return;
	}
	for (size_t i = 0; i < q->npend; i++)
		if (now > q->pend[i].sent_ns &&
		    now - q->pend[i].sent_ns > QMP_STALL_NS) {
			qmp_drop(q, now, "QEMU stopped answering (10 s)");
			return;
		}
	if (q->st == QMP_READY) {
		if (now >= q->next_poll_ns) {
			qmp_query_migrate(q, now);
			q->next_poll_ns = now + poll_ns;
		}
		if (now >= q->next_disc_ns)
			qmp_discover(q, now);
	}
	qmp_flush(q, now);
}

/* When qmp_tick() has something to do next (CLOCK_MONOTONIC ns). */
uint64_t qmp_next(const struct qmp_conn *q, uint64_t poll_ns)
{
	uint64_t t = UINT64_MAX;

	(void)poll_ns;
	if (q->st == QMP_DOWN)
		return q->retry_ns;
	if (q->st != QMP_READY)
		return q->since_ns + QMP_STALL_NS + 1;
	t = q->next_poll_ns < q->next_disc_ns ? q->next_poll_ns : q->next_disc_ns;
	for (size_t i = 0; i < q->npend; i++)
		if (q->pend[i].sent_ns + QMP_STALL_NS + 1 < t)
			t = q->pend[i].sent_ns + QMP_STALL_NS + 1;
	return t;
}
