// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - vfiomigtop: options, environment checks, sources, model and the
 * view are set up here, in that order, and torn down in reverse.  Nothing
 * touches the terminal before every option and every path is validated.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "devinfo.h"
#include "envcheck.h"
#include "ident.h"
#include "journal.h"
#include "options.h"
#include "tui/settings.h"
#include "replay.h"
#include "report.h"
#include "run.h"
#include "sim.h"
#include "source.h"
#include "src_agent.h"
#include "watch.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

static volatile sig_atomic_t main_stop;	/* set by SIGINT, SIGTERM, SIGHUP */

static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

/* Block the stop signals; run_loop() unblocks them only inside ppoll(). */
static void main_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* State of the built-in demo. */
struct main_demo {
	char root[4096];		/* private temporary directory, "" when unused */
	char src[4200];			/* root/src */
	char dst[4200];			/* root/dst */
	struct sim_scenario sc;		/* the scenario */
	bool have_sc;			/* sc must be freed */
	struct sim_runner *runner;	/* replay thread */
};

static char *main_slurp(const char *path, size_t *len, char *err, size_t elen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		snprintf(err, elen, "--demo=%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				buf = NULL;
				snprintf(err, elen, "out of memory");
				break;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (!got)
			break;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static int main_demo_start(const struct options *o, struct main_demo *d,
			   char *err, size_t len)
{
	struct sim_opts so = { .loop = true, .arcs = true, .prime = true };
	const char *text = sim_demo_scenario, *name = "built-in demo";
	char *owned = NULL;
	size_t tlen = strlen(sim_demo_scenario);
	int rc;

	if (o->scenario) {
		owned = main_slurp(o->scenario, &tlen, err, len);
		if (!owned)
			return -EINVAL;
		text = owned;
		name = o->scenario;
	}
	rc = sim_parse(text, tlen, name, &d->sc, err, len);
	free(owned);
	if (rc)
		return rc;
	d->have_sc = true;
	rc = sim_make_tmproot(d->root, sizeof(d->root));
	if (rc) {
		snprintf(err, len, "cannot create a temporary directory: %s",
			 strerror(-rc));
		d->root[0] = 0;
		return -EIO;
	}
	snprintf(d->src, sizeof(d->src), "%s/src", d->root);
	snprintf(d->dst, sizeof(d->dst), "%s/dst", d->root);
	/* The time-0 tree is laid out before the monitor starts, so the first
	 * snapshot is not empty; the scenario's own `loop` step decides
	 * whether it repeats; arc logs give the monitor every kernel step, as
	 * the vfiomig module does. */
	so.speed = o->speed;
	return sim_start(&d->runner, &d->sc, d->root, &so, err, len);
}

static void main_demo_stop(struct main_demo *d)
{
	sim_fprint_late(stderr, "vfiomigtop: demo: the simulator",
			sim_late(d->runner));
	if (d->runner)
		sim_stop(d->runner);
	d->runner = NULL;
	if (d->root[0])
		sim_remove_tree(d->root);
	d->root[0] = 0;
	if (d->have_sc)
		sim_free(&d->sc);
	d->have_sc = false;
}

/* Turn --src/--dst into directory specs, with the checks that explain. */
static int main_resolve(const char *opt, const char *given, char *out,
			size_t olen, char *err, size_t elen)
{
	if (!given)
		return envcheck_local_roots("/proc/mounts", out, olen, err, elen);
	if (src_agent_is_spec(given)) {	/* checked when it connects */
		snprintf(out, olen, "%s", given);
		return 0;
	}
	if (envcheck_tree(opt, given, err, elen))
		return -EINVAL;
	snprintf(out, olen, "%s", given);
	return 0;
}

static int main_sources(struct run *r, const struct options *o,
			const char *srcp, const char *dstp, char *err,
			size_t len)
{
	char sbuf[8192], dbuf[8192];
	bool shared;

	if (main_resolve("--src", srcp, sbuf, sizeof(sbuf), err, len))
		return -EINVAL;
	if (dstp && main_resolve("--dst", dstp, dbuf, sizeof(dbuf), err, len))
		return -EINVAL;
	/* One tree for both sides when --dst is the same or --pair is
	 * given without --dst: then --pair decides the sides. */
	shared = (!dstp && o->npairs) || (dstp && !strcmp(sbuf, dbuf));
	r->src[0] = source_open(sbuf, err, len);
	if (!r->src[0])
		return -EINVAL;
	r->nsrc = 1;
	r->ctx.label[PAIR_SRC] = r->src[0]->spec;
	r->ctx.snap[PAIR_SRC] = &r->src[0]->snap;
	if (shared) {
		r->feed[0] = (unsigned int)model_add_feed(&r->m, MODEL_FEED_SHARED);
		r->ctx.label[PAIR_DST] = r->src[0]->spec;
		r->ctx.snap[PAIR_DST] = &r->src[0]->snap;
		return 0;
	}
	r->feed[0] = (unsigned int)model_add_feed(&r->m, MODEL_FEED_SRC);
	if (!dstp)
		return 0;
	r->src[1] = source_open(dbuf, err, len);
	if (!r->src[1])
		return -EINVAL;
	r->nsrc = 2;
	r->feed[1] = (unsigned int)model_add_feed(&r->m, MODEL_FEED_DST);
	r->ctx.label[PAIR_DST] = r->src[1]->spec;
	r->ctx.snap[PAIR_DST] = &r->src[1]->snap;
	return 0;
}

/* The view the options ask for. */
static const struct view_ops *main_view(const struct options *o)
{
	if (o->report)
		return &view_report_ops;
	if (o->agent)
		return &view_agent_ops;
	if (o->batch && o->format == OPT_FMT_PROM)
		return &view_prom_ops;
	return o->batch ? &view_batch_ops : &view_tui_ops;
}

/* The screen starts with the saved refresh interval, unless -d says. */
static void main_settings_delay(struct options *o)
{
	struct settings st;
	char warn[8];

	if (main_view(o) != &view_tui_ops || o->nread || o->no_config ||
	    o->delay_set)
		return;
	/* Warnings are the screen's to show (tui_open reads it again). */
	if (!settings_load(&st, warn, sizeof(warn)) && (st.have & SET_DELAY))
		o->delay_ns = st.delay_ns;
}

/* How remote agents are started (ssh://, cmd: sources). */
static void main_remote(const struct options *o)
{
	struct src_agent_cfg c;

	memset(&c, 0, sizeof(c));
	c.ssh_opts = o->ssh_opts;
	c.nssh_opts = o->nssh_opts;
	c.remote_cmd = o->remote_cmd;
	c.delay_ns = o->delay_ns;
	c.heartbeat_ns = o->heartbeat_ns;
	src_agent_configure(&c);
}

/* Batch mode: the first snapshot printed shows the remote sides, so wait
 * for each: its full snapshot, or its failure (a connection that never
 * says hello is dropped after SRC_AGENT_HELLO_NS), and a little more for
 * a large initial snapshot.  A refused or failing one ends the wait at
 * once. */
#define MAIN_READY_NS (SRC_AGENT_HELLO_NS + 5 * CLOCK_NS_PER_S)

/*
 * Batch mode's exit status: a failed attempt (or a device that went into
 * ERROR) first, then a side never read at all, then an attempt uncertain
 * or not finished; 0 when every attempt completed, or none happened.
 */
static int main_status(const struct run *r)
{
	if (r->m.outcomes[ATT_FAILED] || r->m.any_error)
		return OPT_EXIT_MIGFAIL;
	for (size_t i = 0; i < r->nsrc; i++) {
		if (!r->src[i]->snap.ever) {
			fprintf(stderr, "vfiomigtop: %s was never read\n",
				r->src[i]->spec);
			return OPT_EXIT_UNREAD;
		}
	}
	if (r->m.outcomes[ATT_UNCERTAIN] || model_open_attempts(&r->m))
		return OPT_EXIT_UNCERTAIN;
	return OPT_EXIT_OK;
}

/* A duration in seconds from the environment, else @def. */
static uint64_t main_env_secs(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	uint64_t ns;

	if (v && *v && !clock_parse_secs(v, 0.01, 3600, &ns))
		return ns;
	return def;
}

/*
 * Identity, owners and QEMU: a thread of their own (vmwatch.c) when a
 * source is local or --qmp is given.  The /proc and /dev roots and the
 * PCI ID file can be moved for tests (VFIOMIGTOP_PROC_ROOT,
 * VFIOMIGTOP_DEV_ROOT, VFIOMIGTOP_PCI_IDS, VFIOMIGTOP_OWNER_PERIOD).
 */
static int main_devinfo(struct run *r, struct devinfo *di,
			const struct options *o, char *err, size_t len)
{
	struct devinfo_cfg c;
	bool local = false;
	const char *v;

	for (size_t i = 0; i < r->nsrc; i++)
		local |= r->src[i]->ops == &src_debugfs_ops;
	memset(&c, 0, sizeof(c));
	c.sysfs = o->sysfs ? o->sysfs : "/sys";
	c.proc = (v = getenv("VFIOMIGTOP_PROC_ROOT")) && *v ? v : "/proc";
	c.dev = (v = getenv("VFIOMIGTOP_DEV_ROOT")) && *v ? v : "/dev";
	c.owners = !o->no_owners;
	c.owner_ns = main_env_secs("VFIOMIGTOP_OWNER_PERIOD", 5 * CLOCK_NS_PER_S);
	c.qmp = o->qmp;
	c.nqmp = o->nqmp;
	c.delay_ns = o->delay_ns;
	c.quiet = !o->batch && !o->agent;
	if (o->sysfs) {
		struct stat st;

		if (stat(o->sysfs, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, len, "--sysfs %s: %s", o->sysfs,
				 errno && !S_ISDIR(st.st_mode) ? strerror(errno) :
				 "not a directory");
			return -EINVAL;
		}
	}
	ident_names_init(getenv("VFIOMIGTOP_PCI_IDS"));
	/* The demo's devices are not on this host. */
	if (devinfo_init(di, &c, local && (!o->demo || o->sysfs), err, len))
		return -EINVAL;
	r->info = di;
	return 0;
}

/* What runs after every refresh: the journal (-w), the report (--report). */
struct main_hooks {
	struct journal_writer *jw;
	struct report *rep;
	struct journal_idents ids;	/* the report's device facts (devinfo.c) */
};

/* A device fact from devinfo.c: to the journal and the report. */
static void main_fact(void *arg, int side, const char *name, const char *key,
		      const char *val)
{
	struct main_hooks *h = arg;

	journal_note_ident(h->jw, side, name, key, val);
	if (h->rep)
		journal_ident_set(&h->ids, side, name, key, val);
}

static void main_after_refresh(struct run *r, uint64_t now_ns, bool extra,
			       void *arg)
{
	struct main_hooks *h = arg;

	if (r->info && (h->jw || h->rep))
		devinfo_facts(r->info, &r->m, main_fact, h);
	if (h->jw)
		journal_refresh(h->jw, r, now_ns, extra);
	if (h->rep)
		report_collect(h->rep, &r->m, &r->ctx);
}

/* -w: open the journal once the sources are known. */
static struct journal_writer *main_journal(const struct options *o,
					   const struct run *r, char *err,
					   size_t len)
{
	struct journal_wcfg jc;

	memset(&jc, 0, sizeof(jc));
	jc.path = o->write_path;
	jc.max_bytes = o->write_max;
	jc.keep = o->write_keep;
	jc.quiet = r->vops == &view_tui_ops;
	return journal_open(&jc, r, err, len);
}

static int main_fail(const char *msg)
{
	fprintf(stderr, "vfiomigtop: %s\n", msg);
	return OPT_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct main_demo demo = { .root = "" };
	struct devinfo di = { 0 };
	struct main_hooks hooks = { NULL, NULL, { NULL, 0, 0 } };
	struct report_env env;
	struct report rep;
	struct options o;
	struct model_cfg mc;
	struct run r;
	char err[1024];
	int rc, status = OPT_EXIT_OK;

	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "vfiomigtop: %s\nTry 'vfiomigtop --help'.\n", err);
		options_free(&o);
		return OPT_EXIT_USAGE;
	}
	if (o.warn[0])
		fprintf(stderr, "vfiomigtop: %s\n", o.warn);
	if (o.help || o.version) {
		if (o.help)
			options_usage(stdout);
		else
			printf("vfiomigtop %s\n", PACKAGE_VERSION);
		options_free(&o);
		return OPT_EXIT_OK;
	}
	main_signals();
	envcheck_fd_limit();	/* a device may keep two files open */
	main_settings_delay(&o);
	if (o.nread) {		/* -r: replay journals instead */
		status = replay_main(&o, main_view(&o), main_status, &main_stop);
		options_free(&o);
		return status;
	}
	memset(&r, 0, sizeof(r));
	memset(&mc, 0, sizeof(mc));
	mc.pairs = o.pairs;
	mc.npairs = o.npairs;
	mc.ac.stuck_ns = o.stuck_ns;
	mc.ac.busy_ns = o.busy_ns;
	mc.tomb_ns = o.tomb_ns;
	if (model_init(&r.m, &mc)) {
		options_free(&o);
		return main_fail("out of memory");
	}
	r.vops = main_view(&o);
	main_remote(&o);
	r.delay_ns = o.delay_ns;
	r.iterations = o.iterations;
	r.ctx.real_off_ns = clock_real_minus_mono_ns();
	if (o.demo) {
		rc = main_demo_start(&o, &demo, err, sizeof(err));
		if (!rc)
			rc = main_sources(&r, &o, demo.src, demo.dst, err,
					  sizeof(err));
	} else {
		rc = main_sources(&r, &o, o.src, o.dst, err, sizeof(err));
	}
	if (!rc)
		rc = main_devinfo(&r, &di, &o, err, sizeof(err));
	if (!rc && o.write_path) {
		hooks.jw = main_journal(&o, &r, err, sizeof(err));
		rc = hooks.jw ? 0 : -EINVAL;
	}
	if (!rc) {
		report_env_live(&env, (const struct source *const *)r.src,
				r.feed, r.nsrc, &r.m, r.ctx.real_off_ns);
		report_env_set(&env);
		if (o.report) {
			report_init(&rep, o.report_pair);
			rep.env = env;
			rep.env.ids = &hooks.ids;	/* identity, owners, QEMU */
			hooks.rep = &rep;
		}
		r.after_refresh = main_after_refresh;
		r.after_arg = &hooks;
	}
	if (!rc) {
		r.view = r.vops->open(&o, err, sizeof(err));
		rc = r.view ? 0 : -EINVAL;
	}
	if (!rc && o.batch)
		source_wait_ready(r.src, r.nsrc, clock_mono_ns() + MAIN_READY_NS);
	if (rc) {
		status = main_fail(err);
	} else {
		rc = run_loop(&r, &main_stop);
		r.vops->close(r.view);
		if (rc && rc != -EPIPE) {
			fprintf(stderr, "vfiomigtop: cannot write output: %s\n",
				strerror(-rc));
			status = OPT_EXIT_USAGE;
		} else if (o.batch) {
			status = main_status(&r);
		}
		if (hooks.rep) {
			report_finish(&rep, &r.m, &r.ctx);
			if (report_print(&rep, o.format == OPT_FMT_JSON, stdout))
				status = OPT_EXIT_USAGE;
			else if (o.report_pair && !rep.matched) {
				fprintf(stderr, "vfiomigtop: --report=%s: no such pair\n",
					o.report_pair);
				status = OPT_EXIT_USAGE;
			}
		}
	}
	if (hooks.jw && journal_close(hooks.jw, clock_mono_ns(), err,
				      sizeof(err))) {
		fprintf(stderr, "vfiomigtop: %s\n", err);
		if (status == OPT_EXIT_OK)
			status = OPT_EXIT_USAGE;
	}
	if (hooks.rep)
		report_free(&rep);
	r.m.info = NULL;
	devinfo_free(&di);
	journal_ident_free(&hooks.ids);
	for (size_t i = 0; i < r.nsrc; i++)
		source_close(r.src[i]);
	main_demo_stop(&demo);
	model_free(&r.m);
	if (watch_shutdown(2 * CLOCK_NS_PER_S))
		fprintf(stderr, "vfiomigtop: warning: the inotify thread did not stop in 2 s; exiting without it\n");
	options_free(&o);
	return status;
}
