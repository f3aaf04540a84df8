// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * view_agent.c - `vfiomigtop --agent`: serve this host's devices on stdout
 * in the line protocol of doc/protocol.md, for a monitor on another host
 * (over ssh) or behind a command (sudo, a container).
 *
 * It is a view like the others, driven by the same run loop: after each
 * refresh it sends the model's new transitions and the devices whose
 * record changed; between refreshes, heartbeats (wakeup()).  It only
 * writes: stdin is read for end-of-file, which ends the agent, and so
 * does a closed stdout (EPIPE).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "devinfo.h"
#include "identmsg.h"
#include "obuf.h"
#include "proto.h"
#include "view.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* What the peer was last told about one model device. */
struct va_shadow {
	uint64_t serial;		/* model_dev.serial it is about (an index taken again starts afresh) */
	bool sent;			/* a record of this device went out */
	struct proto_dev rec;		/* the last one, as sent */
	uint64_t id_hash;		/* the ident message last sent, hashed; 0 none */
};

/* A member of struct proto_dev: where it is, how long. */
struct va_field {
	size_t off;			/* offsetof, bytes */
	size_t len;			/* sizeof, bytes */
};

#define VA_FIELD(f) { offsetof(struct proto_dev, f), \
		      sizeof(((struct proto_dev *)NULL)->f) }

/*
 * The members that, when one changes, make a device's record go out
 * again; raw too, for raw_len bytes.  Not the name (it names the record)
 * nor the transitions (a step message carries each one).
 */
static const struct va_field va_fields[] = {
	VA_FIELD(present), VA_FIELD(val), VA_FIELD(err),
	VA_FIELD(features_known), VA_FIELD(features),
	VA_FIELD(dirty_tracking), VA_FIELD(since_ns), VA_FIELD(busy_ns),
	VA_FIELD(raw_len),
};

struct view_agent {
	struct view base;		/* what the run loop holds */
	struct obuf out;		/* lines of this frame */
	uint64_t interval_ns;		/* refresh interval announced, ns */
	uint64_t hb_ns;			/* heartbeat interval, ns */
	uint64_t next_hb_ns;		/* CLOCK_MONOTONIC ns of the next heartbeat */
	uint64_t hb_seq;		/* heartbeats sent */
	uint64_t ev_next;		/* next model event to relay */
	bool started;			/* hello and the full snapshot went out */
	struct va_shadow *sh;		/* per model device index */
	size_t nsh;			/* entries in sh */
	enum snap_link link;		/* source health as last sent */
	char link_msg[PROTO_TEXT_MAX];	/* its message as last sent */
	char host[PROTO_TEXT_MAX];	/* this host's name */
	uint64_t dev_gen;		/* model.change_gen when the devices were last compared */
	uint64_t id_model_gen;		/* model.change_gen when the idents were last compared */
	uint64_t id_info_gen;		/* devinfo.gen then */
};

static struct view *va_open(const struct options *o, char *err, size_t len)
{
	struct view_agent *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	v->base.ops = &view_agent_ops;
	obuf_init(&v->out);
	v->interval_ns = o->delay_ns;
	v->hb_ns = o->heartbeat_ns ? o->heartbeat_ns : CLOCK_NS_PER_S;
	v->ev_next = 1;
	if (gethostname(v->host, sizeof(v->host) - 1))
		snprintf(v->host, sizeof(v->host), "localhost");
	return &v->base;
}

static int va_input_fd(struct view *v)
{
	(void)v;
	return STDIN_FILENO;
}

/* Standard input only tells us when to stop: at its end. */
static void va_input(struct view *v, const struct view_ctx *c,
		     struct view_req *req)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	(void)v;
	(void)c;
	if (poll(&p, 1, 0) <= 0)
		return;		/* woken by a signal, not by input */
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		req->quit = true;
}

static void va_msg_init(struct proto_msg *m, enum proto_type t,
			uint64_t mono, int64_t real_off)
{
	memset(m, 0, sizeof(*m));
	m->type = t;
	m->mono_ns = mono;
	m->real_ns = (int64_t)mono + real_off;
}

static void va_dev_record(const struct model_dev *d, struct proto_dev *p)
{
	snprintf(p->name, sizeof(p->name), "%s", d->name);
	p->present = d->present;
	p->val = d->val;
	p->err = d->err;
	p->features_known = d->features_known;
	p->features = d->features;
	p->dirty_tracking = d->dirty_tracking;
	p->since_ns = d->since_ns;
	p->busy_ns = d->present ? d->busy_ns : 0;
	p->transitions = d->transitions;
	p->raw_len = d->val == DS_UNPARSABLE ? d->raw_len : 0;
	memcpy(p->raw, d->raw, p->raw_len);
}

/* Whether @p differs from what @s says was sent (va_fields). */
static bool va_differs(const struct va_shadow *s, const struct proto_dev *p)
{
	const char *a = (const char *)&s->rec, *b = (const char *)p;

	if (!s->sent)
		return true;
	for (size_t i = 0; i < sizeof(va_fields) / sizeof(va_fields[0]); i++)
		if (memcmp(a + va_fields[i].off, b + va_fields[i].off,
			   va_fields[i].len))
			return true;
	return memcmp(s->rec.raw, p->raw, p->raw_len) != 0;
}

static int va_grow(struct view_agent *v, size_t n)
{
	struct va_shadow *s;

	if (n <= v->nsh)
		return 0;
	s = realloc(v->sh, n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + v->nsh, 0, (n - v->nsh) * sizeof(*s));
	v->sh = s;
	v->nsh = n;
	return 0;
}

/* What was sent of device @i, afresh when the index holds a new device. */
static struct va_shadow *va_shadow_of(struct view_agent *v,
				      const struct model *m, size_t i)
{
	struct va_shadow *sh = &v->sh[i];

	if (sh->serial != m->devs[i]->serial) {
		memset(sh, 0, sizeof(*sh));
		sh->serial = m->devs[i]->serial;
	}
	return sh;
}

/* Devices whose record changed since it was last sent (all on the first frame). */
static size_t va_devices(struct view_agent *v, const struct model *m, uint64_t now,
			 int64_t real_off)
{
	struct proto_msg msg;
	size_t sent = 0;

	for (size_t i = 0; i < m->ndevs && i < v->nsh; i++) {
		const struct model_dev *d = m->devs[i];
		struct va_shadow *sh = va_shadow_of(v, m, i);

		if (!d->present && !sh->sent)
			continue;	/* the peer never heard of it */
		va_msg_init(&msg, PROTO_DEV, now, real_off);
		va_dev_record(d, &msg.u.dev);
		if (!va_differs(sh, &msg.u.dev))
			continue;
		proto_encode(&v->out, &msg);
		sh->sent = true;
		sh->rec = msg.u.dev;
		sent++;
	}
	return sent;
}

/* The model's transitions since the last frame, in order. */
static void va_steps(struct view_agent *v, const struct model *m, int64_t real_off)
{
	struct proto_msg msg;

	if (m->ev_seq >= v->ev_next + MODEL_EVENTS)
		v->ev_next = m->ev_seq - MODEL_EVENTS + 1;	/* records catch up */
	for (; v->ev_next <= m->ev_seq; v->ev_next++) {
		const struct model_event *e = model_event(m, v->ev_next);

		if (!e || e->kind != MODEL_EV_TRANS || e->dev < 0 ||
		    (size_t)e->dev >= m->ndevs)
			continue;
		va_msg_init(&msg, PROTO_STEP, e->t_ns, real_off);
		snprintf(msg.u.step.name, sizeof(msg.u.step.name), "%s",
			 m->devs[e->dev]->name);
		msg.u.step.from = e->tr.from;
		msg.u.step.to = e->tr.to;
		msg.u.step.flags = e->tr.flags;
		/* A change seen between two reads came after the first. */
		if (!(e->tr.flags & MODEL_T_ARC) && e->tr.lo_ns < e->t_ns)
			msg.u.step.lo_mono_ns = e->tr.lo_ns;
		proto_encode(&v->out, &msg);
	}
}

static void va_link(struct view_agent *v, const struct snapshot *sn, uint64_t now,
		    int64_t real_off)
{
	struct proto_msg msg;

	if (!sn || (sn->link == v->link && !strcmp(sn->msg, v->link_msg)))
		return;
	va_msg_init(&msg, PROTO_LINK, now, real_off);
	msg.u.link.link = sn->link;
	snprintf(msg.u.link.msg, sizeof(msg.u.link.msg), "%s", sn->msg);
	proto_encode(&v->out, &msg);
	v->link = sn->link;
	snprintf(v->link_msg, sizeof(v->link_msg), "%s", sn->msg);
}

static void va_hello(struct view_agent *v, const struct view_ctx *c, uint64_t now,
		     int64_t real_off)
{
	struct proto_msg msg;
	struct proto_hello *h = &msg.u.hello;

	va_msg_init(&msg, PROTO_HELLO, now, real_off);
	h->version = PROTO_VERSION;
	snprintf(h->agent, sizeof(h->agent), "vfiomigtop %s", PACKAGE_VERSION);
	snprintf(h->host, sizeof(h->host), "%s", v->host);
	snprintf(h->source, sizeof(h->source), "%s",
		 c->label[PAIR_SRC] ? c->label[PAIR_SRC] : "");
	h->interval_ns = v->interval_ns;
	h->heartbeat_ns = v->hb_ns;
	proto_encode(&v->out, &msg);
}

/* Each device's identity and owner ("ident", doc/protocol.md), when it
 * changed.  Names that are not printable ASCII are left out. */
static void va_idents(struct view_agent *v, const struct model *m, uint64_t now,
		      int64_t real_off)
{
	struct obuf body;

	if (!m->info)
		return;
	/* Nothing a message says changed: an idle frame costs nothing per
	 * device. */
	if (v->id_model_gen == m->change_gen && v->id_info_gen == m->info->gen)
		return;
	obuf_init(&body);
	for (size_t i = 0; i < m->ndevs && i < v->nsh; i++) {
		const struct model_dev *d = m->devs[i];
		struct va_shadow *sh = va_shadow_of(v, m, i);
		const struct devinfo_dev *x = devinfo_get(m->info, (int)i);
		uint64_t h = 1469598103934665603ULL;
		bool plain = true;

		for (const char *p = d->name; *p; p++)
			plain &= *p >= 0x20 && *p < 0x7f;
		if (!x || !d->present || !plain ||
		    (!x->have_ident && x->owner_st == DI_OWNER_UNKNOWN))
			continue;
		obuf_reset(&body);
		identmsg_body(&body, d->name, &x->id, (int)x->owner_st,
			      &x->owner);
		for (size_t k = 0; k < body.len; k++)
			h = (h ^ (unsigned char)body.p[k]) * 1099511628211ULL;
		h |= 1;
		if (h == sh->id_hash)
			continue;
		obuf_printf(&v->out,
			    "{\"type\":\"ident\",\"mono_ns\":%llu,\"real_ns\":%lld,",
			    (unsigned long long)now,
			    (long long)((int64_t)now + real_off));
		obuf_put(&v->out, body.p, body.len);
		obuf_puts(&v->out, "}\n");
		sh->id_hash = h;
	}
	obuf_free(&body);
	v->id_model_gen = m->change_gen;
	v->id_info_gen = m->info->gen;
}

static int va_frame(struct view *base, const struct view_ctx *c, uint64_t now)
{
	struct view_agent *v = VIEW_OF(base, struct view_agent);
	const struct model *m = c->m;
	int64_t real_off = clock_real_minus_mono_ns();
	struct proto_msg msg;

	if (va_grow(v, m->ndevs))
		return -ENOMEM;
	if (!v->started) {
		size_t n;

		va_hello(v, c, now, real_off);
		n = va_devices(v, m, now, real_off);
		va_msg_init(&msg, PROTO_SYNC, now, real_off);
		msg.u.sync_devices = n;
		proto_encode(&v->out, &msg);
		v->ev_next = m->ev_seq + 1;	/* the snapshot has said it all */
		v->link = SNAP_LINK_OK;
		v->started = true;
		v->next_hb_ns = now + v->hb_ns;
	} else {
		va_steps(v, m, real_off);
		/* A record changes only with the model (model.change_gen). */
		if (v->dev_gen != m->change_gen)
			va_devices(v, m, now, real_off);
	}
	v->dev_gen = m->change_gen;
	va_idents(v, m, now, real_off);
	va_link(v, c->snap[PAIR_SRC], now, real_off);
	if (now >= v->next_hb_ns) {
		va_msg_init(&msg, PROTO_HB, now, real_off);
		msg.u.hb_seq = ++v->hb_seq;
		proto_encode(&v->out, &msg);
		v->next_hb_ns = now + v->hb_ns;
	}
	if (v->out.oom)
		return -ENOMEM;
	return obuf_write(&v->out, stdout) ? -errno : 0;
}

static uint64_t va_wakeup(struct view *base, const struct view_ctx *c,
			  uint64_t now_ns)
{
	const struct view_agent *v = VIEW_OF(base, struct view_agent);

	(void)c;
	(void)now_ns;
	return v->started ? v->next_hb_ns : 0;
}

static void va_close(struct view *base)
{
	struct view_agent *v;

	if (!base)
		return;
	v = VIEW_OF(base, struct view_agent);
	obuf_free(&v->out);
	free(v->sh);
	free(v);
}

const struct view_ops view_agent_ops = {
	.name = "agent",
	.open = va_open,
	.input_fd = va_input_fd,
	.input = va_input,
	.frame = va_frame,
	.wakeup = va_wakeup,
	.close = va_close,
};
