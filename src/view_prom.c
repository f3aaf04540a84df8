// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * view_prom.c - `-b --prometheus` and `--prometheus-file PATH`: metrics
 * in the Prometheus text exposition format (doc/prometheus.md), per
 * device and per pair, with host and device labels.  On stdout, one
 * exposition per refresh (use -n 1); to a file, the file is replaced
 * atomically every refresh (a temporary file in the same directory,
 * then rename), for node_exporter's textfile collector.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "obuf.h"
#include "verdict.h"
#include "view.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* Counters kept per model device (indexes are stable for the run). */
struct prom_count {
	uint64_t serial;		/* model_dev.serial counted for (an index taken again starts at 0) */
	uint64_t errors;		/* entries into ERROR */
	uint64_t failures;		/* entries into a failed read */
};

struct view_prom {
	struct view base;		/* what the run loop holds */
	const char *path;		/* --prometheus-file, NULL for stdout */
	struct obuf out;		/* the exposition being built */
	uint64_t ev_next;		/* next model event to count */
	struct prom_count *cnt;		/* per model device */
	size_t ncnt;			/* entries in cnt */
	char host[256];			/* this host's name */
};

static const char *const prom_status[DS_NR] = {
	[DS_INVALID] = "invalid", [DS_EINVAL] = "einval", [DS_GONE] = "gone",
	[DS_EACCES] = "eacces", [DS_UNPARSABLE] = "unparsable",
	[DS_ERRNO] = "errno", [DS_NOMIG] = "no-migration",
	[DS_UNKNOWN] = "unknown",
};

#define PROM_N(a) (sizeof(a) / sizeof((a)[0]))

/* Check that a file can be created beside @path, so mistakes show at start. */
static int prom_probe(const char *path, char *err, size_t len)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, len, "--prometheus-file %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

static struct view *vp_open(const struct options *o, char *err, size_t len)
{
	struct view_prom *v;

	if (o->prom_file && prom_probe(o->prom_file, err, len))
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	v->base.ops = &view_prom_ops;
	v->path = o->prom_file;
	v->ev_next = 1;
	obuf_init(&v->out);
	if (gethostname(v->host, sizeof(v->host) - 1))
		snprintf(v->host, sizeof(v->host), "localhost");
	return &v->base;
}

static int vp_input_fd(struct view *v)
{
	(void)v;
	return -1;
}

static void vp_input(struct view *v, const struct view_ctx *c,
		     struct view_req *req)
{
	(void)v;
	(void)c;
	(void)req;
}

/*
 * A label value: printable ASCII as is, backslash, quote and newline
 * escaped as the format says, any other byte as the text \xHH (written
 * with an escaped backslash, so the value stays valid UTF-8).
 */
static void prom_esc(struct obuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			obuf_puts(b, "\\\\");
		else if (c == '"')
			obuf_puts(b, "\\\"");
		else if (c == '\n')
			obuf_puts(b, "\\n");
		else if (c >= 0x20 && c < 0x7f)
			obuf_putc(b, (char)c);
		else
			obuf_printf(b, "\\\\x%c%c", hex[c >> 4], hex[c & 15]);
	}
}

static void prom_head(struct obuf *b, const char *name, const char *type,
		      const char *help)
{
	obuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_secs(struct obuf *b, uint64_t ns)
{
	obuf_ms3(b, ns);
}

static const char *prom_host(const struct view_prom *v, const struct view_ctx *c,
			     enum pair_side side)
{
	const struct snapshot *sn = c->snap[side];

	if (sn && sn->host[0])
		return sn->host;
	return c->host ? c->host : v->host;	/* a replay: the recording's host */
}


/* {host="..",side="..",device=".."} without the closing brace. */
static void prom_dev_labels(struct obuf *b, const struct view_prom *v,
			    const struct view_ctx *c, const struct model_dev *d)
{
	obuf_puts(b, "{host=\"");
	prom_esc(b, prom_host(v, c, d->side));
	obuf_printf(b, "\",side=\"%s\",device=\"", pair_side_name(d->side));
	prom_esc(b, d->name);
	obuf_putc(b, '"');
}

/* Count the events since the last frame into the per-device counters. */
static int prom_count_events(struct view_prom *v, const struct model *m)
{
	if (m->ndevs > v->ncnt) {
		struct prom_count *n = realloc(v->cnt, m->ndevs * sizeof(*n));

		if (!n)
			return -ENOMEM;
		memset(n + v->ncnt, 0, (m->ndevs - v->ncnt) * sizeof(*n));
		v->cnt = n;
		v->ncnt = m->ndevs;
	}
	if (m->ev_seq >= v->ev_next + MODEL_EVENTS)
		v->ev_next = m->ev_seq - MODEL_EVENTS + 1;
	for (; v->ev_next <= m->ev_seq; v->ev_next++) {
		const struct model_event *e = model_event(m, v->ev_next);
		struct prom_count *n;

		if (!e || e->kind != MODEL_EV_TRANS || e->dev < 0 ||
		    (size_t)e->dev >= v->ncnt || (e->tr.flags & MODEL_T_ATTEMPT))
			continue;
		/* A kept event names the device that has the index now. */
		n = &v->cnt[e->dev];
		if (n->serial != m->devs[e->dev]->serial)
			*n = (struct prom_count){ .serial = m->devs[e->dev]->serial };
		/* ERROR as a first value is a status, not an entry. */
		if (e->tr.to == DS_ERROR &&
		    dstate_is_state((enum dstate)e->tr.from))
			n->errors++;
		else if (dstate_is_failure((enum dstate)e->tr.to) &&
			 e->tr.to != DS_GONE)
			n->failures++;
	}
	return 0;
}

static void prom_sources(struct obuf *b, const struct view_prom *v,
			 const struct view_ctx *c)
{
	static const char *const names[] = {
		"vfiomigtop_source_up", "vfiomigtop_source_degraded",
		"vfiomigtop_source_clock_offset_seconds",
	};
	static const char *const help[] = {
		"Whether the side's source can be read now (0: down, values are stale).",
		"Whether the side's source reports a problem while reading.",
		"Estimated CLOCK_REALTIME of the side's host minus this host's, in seconds.",
	};

	for (size_t k = 0; k < PROM_N(names); k++) {
		prom_head(b, names[k], "gauge", help[k]);
		for (int s = 0; s < PAIR_NSIDES; s++) {
			const struct snapshot *sn = c->snap[s];

			if (!c->label[s] || !sn)
				continue;
			obuf_printf(b, "%s{host=\"", names[k]);
			prom_esc(b, prom_host(v, c, (enum pair_side)s));
			obuf_printf(b, "\",side=\"%s\",source=\"",
				    pair_side_name((enum pair_side)s));
			prom_esc(b, c->label[s]);
			obuf_puts(b, "\"} ");
			if (k == 0)
				obuf_puts(b, sn->link != SNAP_LINK_DOWN ? "1" : "0");
			else if (k == 1)
				obuf_puts(b, sn->link == SNAP_LINK_DEGRADED ? "1" : "0");
			else
				obuf_printf(b, "%.6f", (double)sn->clock_offset_ns / 1e9);
			obuf_putc(b, '\n');
		}
	}
}

/* Device gauges and counters that have one sample per device. */
enum prom_dev_metric {
	PD_SECONDS, PD_TRANS, PD_ERRORS, PD_FAILURES, PD_PRESENT, PD_STALE,
	PD_BUSY, PD_NR,
};

static void prom_dev_value(struct obuf *b, const struct view_prom *v,
			   const struct view_ctx *c, const struct model_dev *d,
			   size_t i, enum prom_dev_metric k, uint64_t now)
{
	switch (k) {
	case PD_SECONDS:
		prom_secs(b, now > d->since_ns ? now - d->since_ns : 0);
		break;
	case PD_TRANS:
		obuf_u64(b, d->transitions);
		break;
	case PD_ERRORS:
	case PD_FAILURES:
		if (i >= v->ncnt || v->cnt[i].serial != d->serial)
			obuf_puts(b, "0");
		else
			obuf_u64(b, k == PD_ERRORS ? v->cnt[i].errors :
				 v->cnt[i].failures);
		break;
	case PD_PRESENT:
		obuf_puts(b, d->present ? "1" : "0");
		break;
	case PD_STALE:
		obuf_puts(b, view_dev_stale(c, d) ? "1" : "0");
		break;
	case PD_BUSY:
		prom_secs(b, d->busy_ns && now > d->busy_ns ? now - d->busy_ns : 0);
		break;
	case PD_NR:
		break;
	}
}

static void prom_devices(struct obuf *b, const struct view_prom *v,
			 const struct view_ctx *c, uint64_t now)
{
	static const struct {
		const char *name, *type, *help;
	} mt[PD_NR] = {
		[PD_SECONDS] = { "vfiomigtop_device_state_seconds", "gauge",
				 "Seconds the device has had its current state or read outcome." },
		[PD_TRANS] = { "vfiomigtop_device_transitions_total", "counter",
			       "Migration state machine steps seen or inferred." },
		[PD_ERRORS] = { "vfiomigtop_device_errors_total", "counter",
				"Times the device entered the ERROR state." },
		[PD_FAILURES] = { "vfiomigtop_device_read_failures_total", "counter",
				  "Times reading the device's state started failing (EINVAL, EACCES, unparsable, I/O error)." },
		[PD_PRESENT] = { "vfiomigtop_device_present", "gauge",
				 "Whether the device exists now (0: vanished, still listed)." },
		[PD_STALE] = { "vfiomigtop_device_stale", "gauge",
			       "Whether the values are the last known ones of a source that cannot be read now." },
		[PD_BUSY] = { "vfiomigtop_device_busy_seconds", "gauge",
			      "Seconds a read of the state file has been blocked, 0 if none." },
	};
	const struct model *m = c->m;

	prom_head(b, "vfiomigtop_device_state", "gauge",
		  "Current migration state of the device, one-hot (all 0 when the last read gave no state).");
	for (size_t i = 0; i < m->ndevs; i++) {
		const struct model_dev *d = m->devs[i];

		if (!model_dev_listed(d, m->cfg.tomb_ns, now))
			continue;
		for (int st = 0; st < FSM_NR; st++) {
			obuf_puts(b, "vfiomigtop_device_state");
			prom_dev_labels(b, v, c, d);
			obuf_printf(b, ",state=\"%s\"} %d\n",
				    fsm_name((enum fsm_state)st),
				    d->val == (enum dstate)st);
		}
	}
	prom_head(b, "vfiomigtop_device_status", "gauge",
		  "Outcome of the last read of the device's state: 1 for the current one (ok, invalid, einval, gone, eacces, unparsable, errno, no-migration, unknown).");
	for (size_t i = 0; i < m->ndevs; i++) {
		const struct model_dev *d = m->devs[i];

		if (!model_dev_listed(d, m->cfg.tomb_ns, now))
			continue;
		obuf_puts(b, "vfiomigtop_device_status");
		prom_dev_labels(b, v, c, d);
		obuf_printf(b, ",status=\"%s\"} 1\n",
			    dstate_is_state(d->val) ? "ok" :
			    (unsigned int)d->val < DS_NR ? prom_status[d->val] :
			    "unknown");
	}
	for (int k = 0; k < PD_NR; k++) {
		prom_head(b, mt[k].name, mt[k].type, mt[k].help);
		for (size_t i = 0; i < m->ndevs; i++) {
			const struct model_dev *d = m->devs[i];

			if (!model_dev_listed(d, m->cfg.tomb_ns, now))
				continue;
			obuf_puts(b, mt[k].name);
			prom_dev_labels(b, v, c, d);
			obuf_puts(b, "} ");
			prom_dev_value(b, v, c, d, i, (enum prom_dev_metric)k, now);
			obuf_putc(b, '\n');
		}
	}
}

static bool prom_whole(const struct model_pair *p)
{
	return p->dev[PAIR_SRC] >= 0 && p->dev[PAIR_DST] >= 0;
}

static void prom_pair_labels(struct obuf *b, const struct view_prom *v,
			     const struct view_ctx *c, const struct model_pair *p)
{
	const struct model *m = c->m;

	obuf_puts(b, "{src_host=\"");
	prom_esc(b, prom_host(v, c, PAIR_SRC));
	obuf_puts(b, "\",src_device=\"");
	prom_esc(b, m->devs[p->dev[PAIR_SRC]]->name);
	obuf_puts(b, "\",dst_host=\"");
	prom_esc(b, prom_host(v, c, PAIR_DST));
	obuf_puts(b, "\",dst_device=\"");
	prom_esc(b, m->devs[p->dev[PAIR_DST]]->name);
	obuf_putc(b, '"');
}

static void prom_pairs(struct obuf *b, const struct view_prom *v,
		       const struct view_ctx *c, uint64_t now)
{
	static const char *const phases[] = {
		"idle", "pre-copy", "stop-copy", "resuming", "completed",
		"failed", "uncertain",
	};
	static const enum att_outcome counted[] = {
		ATT_COMPLETED, ATT_FAILED, ATT_UNCERTAIN,
	};
	const struct model *m = c->m;
	struct verdict *vd = calloc(m->npairs + 1, sizeof(*vd));

	if (!vd)
		return;
	for (size_t k = 0; k < m->npairs; k++)
		verdict_of(m, &m->pairs[k], now, &vd[k]);
	prom_head(b, "vfiomigtop_pair_attempts_total", "counter",
		  "Migration attempts of the pair decided since vfiomigtop started, by outcome (completed, failed, uncertain).");
	for (size_t k = 0; k < m->npairs; k++) {
		if (!prom_whole(&m->pairs[k]))
			continue;
		for (size_t i = 0; i < PROM_N(counted); i++) {
			obuf_puts(b, "vfiomigtop_pair_attempts_total");
			prom_pair_labels(b, v, c, &m->pairs[k]);
			obuf_printf(b, ",outcome=\"%s\"} %u\n",
				    att_outcome_name(counted[i]),
				    vd[k].count[counted[i]]);
		}
	}
	prom_head(b, "vfiomigtop_pair_phase", "gauge",
		  "The pair's latest attempt, one-hot: idle (none yet), pre-copy, stop-copy, resuming (under way), completed, failed, uncertain.");
	for (size_t k = 0; k < m->npairs; k++) {
		const char *now_ph = vd[k].kind == VERDICT_OPEN ?
				     att_phase_name(vd[k].a->phase) :
				     vd[k].kind == VERDICT_IDLE ? "idle" :
				     att_outcome_name(vd[k].a ? vd[k].a->outcome :
						      ATT_OPEN);

		if (!prom_whole(&m->pairs[k]))
			continue;
		for (size_t ph = 0; ph < PROM_N(phases); ph++) {
			obuf_puts(b, "vfiomigtop_pair_phase");
			prom_pair_labels(b, v, c, &m->pairs[k]);
			obuf_printf(b, ",phase=\"%s\"} %d\n", phases[ph],
				    !strcmp(now_ph, phases[ph]));
		}
	}
	prom_head(b, "vfiomigtop_pair_failed", "gauge",
		  "Whether the pair's latest attempt failed.");
	for (size_t k = 0; k < m->npairs; k++) {
		if (!prom_whole(&m->pairs[k]))
			continue;
		obuf_puts(b, "vfiomigtop_pair_failed");
		prom_pair_labels(b, v, c, &m->pairs[k]);
		obuf_printf(b, "} %d\n", vd[k].kind == VERDICT_FAILED);
	}
	prom_head(b, "vfiomigtop_pair_failure_info", "gauge",
		  "Why the pair's latest attempt failed or is uncertain: the side whose evidence decided and the reason; present only then.");
	for (size_t k = 0; k < m->npairs; k++) {
		const struct att_attempt *a = vd[k].a;

		if (!prom_whole(&m->pairs[k]) || !a ||
		    (a->outcome != ATT_FAILED && a->outcome != ATT_UNCERTAIN))
			continue;
		obuf_puts(b, "vfiomigtop_pair_failure_info");
		prom_pair_labels(b, v, c, &m->pairs[k]);
		obuf_printf(b, ",outcome=\"%s\",failed_side=\"%s\",reason=\"%s\"} 1\n",
			    att_outcome_name(a->outcome),
			    pair_side_name((enum pair_side)a->side),
			    att_reason_code(a->reason));
	}
	prom_head(b, "vfiomigtop_pair_stranded_seconds", "gauge",
		  "How long a device has been left behind by a failed attempt (a destination in RESUMING or ERROR, a source in STOP_COPY); present only then.");
	for (size_t k = 0; k < m->npairs; k++) {
		if (!prom_whole(&m->pairs[k]) || !vd[k].stranded)
			continue;
		obuf_puts(b, "vfiomigtop_pair_stranded_seconds");
		prom_pair_labels(b, v, c, &m->pairs[k]);
		obuf_printf(b, ",side=\"%s\"} ",
			    pair_side_name((enum pair_side)vd[k].stranded_side));
		prom_secs(b, now > vd[k].stranded_ns ? now - vd[k].stranded_ns : 0);
		obuf_putc(b, '\n');
	}
	prom_head(b, "vfiomigtop_pair_migration_seconds", "gauge",
		  "Duration of the pair's latest attempt: so far while under way, start to end once decided (0 when none).");
	for (size_t k = 0; k < m->npairs; k++) {
		const struct att_attempt *a = vd[k].a;
		uint64_t d = 0;

		if (!prom_whole(&m->pairs[k]))
			continue;
		if (a)
			d = a->outcome == ATT_OPEN ?
			    (now > a->start_ns ? now - a->start_ns : 0) :
			    a->end_ns - a->start_ns;
		obuf_puts(b, "vfiomigtop_pair_migration_seconds");
		prom_pair_labels(b, v, c, &m->pairs[k]);
		obuf_puts(b, "} ");
		prom_secs(b, d);
		obuf_putc(b, '\n');
	}
	free(vd);
}

static void prom_build(struct view_prom *v, const struct view_ctx *c, uint64_t now)
{
	struct obuf *b = &v->out;

	prom_head(b, "vfiomigtop_build_info", "gauge",
		  "Version of the vfiomigtop that wrote these metrics.");
	obuf_printf(b, "vfiomigtop_build_info{version=\"%s\"} 1\n",
		    PACKAGE_VERSION);
	prom_head(b, "vfiomigtop_last_refresh_timestamp_seconds", "gauge",
		  "Wall-clock time of the refresh these metrics describe.");
	obuf_printf(b, "vfiomigtop_last_refresh_timestamp_seconds %.3f\n",
		    (double)((int64_t)now + c->real_off_ns) / 1e9);
	prom_sources(b, v, c);
	prom_devices(b, v, c, now);
	prom_pairs(b, v, c, now);
}

/* Replace the file: write a temporary one beside it, then rename. */
static int prom_write_file(struct view_prom *v)
{
	char tmp[4200];
	int fd, rc = 0;
	size_t off = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", v->path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0644);
	while (off < v->out.len) {
		ssize_t n = write(fd, v->out.p + off, v->out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, v->path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	obuf_reset(&v->out);
	return rc;
}

static int vp_frame(struct view *base, const struct view_ctx *c, uint64_t now)
{
	struct view_prom *v = VIEW_OF(base, struct view_prom);

	if (c->extra)
		return 0;	/* metrics keep the -d rhythm */
	if (prom_count_events(v, c->m))
		return -ENOMEM;
	prom_build(v, c, now);
	if (v->out.oom) {
		obuf_reset(&v->out);
		return -ENOMEM;
	}
	if (v->path)
		return prom_write_file(v);
	return obuf_write(&v->out, stdout) ? -errno : 0;
}

static void vp_close(struct view *base)
{
	struct view_prom *v;

	if (!base)
		return;
	v = VIEW_OF(base, struct view_prom);
	obuf_free(&v->out);
	free(v->cnt);
	free(v);
}

const struct view_ops view_prom_ops = {
	.name = "prometheus",
	.open = vp_open,
	.input_fd = vp_input_fd,
	.input = vp_input,
	.frame = vp_frame,
	.close = vp_close,
};
