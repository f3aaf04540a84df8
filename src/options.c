// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - parse and validate the whole command line before anything
 * else happens; every mistake gets a message that says what is wrong.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "journal.h"

enum {
	OPT_SRC = 256,
	OPT_DST,
	OPT_PAIR,
	OPT_JSON,
	OPT_EVENTS,
	OPT_DEMO,
	OPT_DEMO_SPEED,
	OPT_ASCII,
	OPT_BELL,
	OPT_STUCK,
	OPT_BUSY,
	OPT_TOMB,
	OPT_AGENT,
	OPT_HEARTBEAT,
	OPT_SSH_OPT,
	OPT_REMOTE_CMD,
	OPT_PROM,
	OPT_PROM_FILE,
	OPT_SYSFS,
	OPT_QMP,
	OPT_NO_OWNERS,
	OPT_WRITE_MAX,
	OPT_WRITE_KEEP,
	OPT_BEGIN,
	OPT_END,
	OPT_REPORT,
	OPT_COLOR,
	OPT_UTC,
	OPT_NO_CONFIG,
};

static const struct option opt_long[] = {
	{ "src", required_argument, NULL, OPT_SRC },
	{ "dst", required_argument, NULL, OPT_DST },
	{ "pair", required_argument, NULL, OPT_PAIR },
	{ "delay", required_argument, NULL, 'd' },
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "demo", optional_argument, NULL, OPT_DEMO },
	{ "demo-speed", required_argument, NULL, OPT_DEMO_SPEED },
	{ "no-color", no_argument, NULL, 'C' },
	{ "no-colour", no_argument, NULL, 'C' },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "utc", no_argument, NULL, OPT_UTC },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "bell", no_argument, NULL, OPT_BELL },
	{ "stuck", required_argument, NULL, OPT_STUCK },
	{ "busy-fail", required_argument, NULL, OPT_BUSY },
	{ "highlight", required_argument, NULL, 'H' },
	{ "tombstone", required_argument, NULL, OPT_TOMB },
	{ "agent", no_argument, NULL, OPT_AGENT },
	{ "heartbeat", required_argument, NULL, OPT_HEARTBEAT },
	{ "ssh-opt", required_argument, NULL, OPT_SSH_OPT },
	{ "remote-cmd", required_argument, NULL, OPT_REMOTE_CMD },
	{ "prometheus", no_argument, NULL, OPT_PROM },
	{ "prometheus-file", required_argument, NULL, OPT_PROM_FILE },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "qmp", required_argument, NULL, OPT_QMP },
	{ "no-owners", no_argument, NULL, OPT_NO_OWNERS },
	{ "write", required_argument, NULL, 'w' },
	{ "write-max", required_argument, NULL, OPT_WRITE_MAX },
	{ "write-keep", required_argument, NULL, OPT_WRITE_KEEP },
	{ "read", required_argument, NULL, 'r' },
	{ "begin", required_argument, NULL, OPT_BEGIN },
	{ "end", required_argument, NULL, OPT_END },
	{ "report", optional_argument, NULL, OPT_REPORT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *f)
{
	fputs("Usage: vfiomigtop [OPTION]...\n"
	      "Watch the live-migration state of VFIO devices, source and destination side by side.\n"
	      "\n"
	      "Sources:\n"
	      "  --src SOURCE        source devices (default: the local debugfs vfio root)\n"
	      "  --dst SOURCE        destination devices (default: none)\n"
	      "  --pair SRC=DST      show device SRC and device DST as one pair (repeatable)\n"
	      "  --demo[=FILE]       run on the built-in simulator (or replay scenario FILE)\n"
	      "  --demo-speed X      replay the demo X times faster (default 1)\n"
	      "  SOURCE is a directory laid out like /sys/kernel/debug/vfio,\n"
	      "    ssh://[user@]host[:port][/PATH]  (runs 'vfiomigtop --agent' there), or\n"
	      "    cmd:COMMAND  (runs COMMAND, which speaks the agent protocol)\n"
	      "\n"
	      "Remote hosts:\n"
	      "      --agent         serve --src on stdout for a remote monitor (doc/protocol.md)\n"
	      "      --heartbeat SECS  agent heartbeat interval (default 1)\n"
	      "      --ssh-opt OPT   one more ssh argument (repeatable; also VFIOMIGTOP_SSH_OPTS)\n"
	      "      --remote-cmd CMD  how to run vfiomigtop over ssh (default vfiomigtop,\n"
	      "                      also VFIOMIGTOP_REMOTE_CMD), e.g. 'sudo vfiomigtop'\n"
	      "\n"
	      "Identity, owners and QEMU:\n"
	      "      --sysfs ROOT    read device identities under ROOT (default /sys)\n"
	      "      --no-owners     do not scan /proc for the processes holding devices\n"
	      "      --qmp PATH      also watch the QEMU on QMP socket PATH, read-only\n"
	      "                      (repeatable)\n"
	      "\n"
	      "Refresh and batch mode:\n"
	      "  -d, --delay SECS    refresh interval in seconds, 0.01 to 3600 (default 1)\n"
	      "  -b, --batch         print snapshots instead of the interactive screen\n"
	      "  -n, --iterations N  stop after N snapshots\n"
	      "      --json          batch: one JSON object per snapshot per line\n"
	      "      --events        batch: one line per transition as it is observed\n"
	      "      --prometheus    batch: Prometheus metrics (text exposition format)\n"
	      "      --prometheus-file PATH  rewrite PATH atomically with the metrics every\n"
	      "                      refresh (node_exporter textfile collector); implies -b\n"
	      "\n"
	      "Journal (vfiomigtop-journal(5)):\n"
	      "  -w, --write FILE    record everything seen to FILE (appends)\n"
	      "      --write-max SIZE  start a new file past SIZE bytes (K, M, G), keeping\n"
	      "                      the previous one as FILE.1 (see --write-keep)\n"
	      "      --write-keep N  rotated files kept, FILE.1 to FILE.N (default 1)\n"
	      "  -r, --read FILE     replay a journal (repeatable: rotated files, or the\n"
	      "                      journals of the source and destination hosts)\n"
	      "      --begin TIME    replay from TIME ([YYYY-MM-DD ]HH:MM[:SS], or +SECS\n"
	      "      --end TIME      from the journal's start), until TIME\n"
	      "      --report[=PAIR] print a report of PAIR's attempts, or of every\n"
	      "                      failed one, to paste into a bug report (--json)\n"
	      "\n"
	      "Verdicts and display:\n"
	      "      --stuck SECS    a destination in RESUMING longer than this fails (default 30)\n"
	      "      --busy-fail SECS  a read blocked longer than this fails (default 30)\n"
	      "  -H, --highlight SECS  how long a change stays highlighted (default 3)\n"
	      "      --tombstone SECS  how long a vanished device stays listed (default 60)\n"
	      "  -C, --no-color      no colours (also when NO_COLOR is set)\n"
	      "      --color WHEN    colour scheme: auto (from COLORFGBG), light, dark, none\n"
	      "      --utc           show times in UTC (default: local time)\n"
	      "      --no-config     neither read nor write the settings file\n"
	      "                      ($XDG_CONFIG_HOME/vfiomigtop/vfiomigtoprc)\n"
	      "      --ascii         ASCII line drawing\n"
	      "      --bell          ring the bell when a device enters ERROR or a pair fails\n"
	      "  -h, --help          this help\n"
	      "  -V, --version       version\n"
	      "\n"
	      "Exit status: 0 ok, 1 usage or environment error, 3 (batch) a device entered\n"
	      "ERROR or a pair failed.  See vfiomigtop(8).\n", f);
}

static int opt_secs(const char *what, const char *arg, double min, double max,
		    uint64_t *ns, char *err, size_t len)
{
	int rc = clock_parse_secs(arg, min, max, ns);

	if (rc == -ERANGE)
		snprintf(err, len, "%s '%s': out of range (%g to %g seconds)",
			 what, arg, min, max);
	else if (rc)
		snprintf(err, len, "%s '%s': not a number of seconds", what,
			 arg);
	return rc;
}

static int opt_pair(struct options *o, const char *arg, char *err, size_t len)
{
	const char *eq = strchr(arg, '=');
	struct pair_spec *p;
	char *s, *d;

	if (!eq || eq == arg || !eq[1] || strchr(eq + 1, '=')) {
		snprintf(err, len, "--pair '%s': expected SRC=DST", arg);
		return -EINVAL;
	}
	s = strndup(arg, (size_t)(eq - arg));
	d = strdup(eq + 1);
	p = realloc(o->pairs, (o->npairs + 1) * sizeof(*p));
	if (!s || !d || !p) {
		free(s);
		free(d);
		if (p)
			o->pairs = p;
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < o->npairs; i++) {
		if (!strcmp(p[i].src, s) || !strcmp(p[i].dst, d)) {
			o->pairs = p;
			snprintf(err, len,
				 "--pair '%s': %s is already paired", arg,
				 !strcmp(p[i].src, s) ? s : d);
			free(s);
			free(d);
			return -EINVAL;
		}
	}
	p[o->npairs].src = s;
	p[o->npairs].dst = d;
	o->pairs = p;
	o->npairs++;
	return 0;
}

static int opt_ssh_opt(struct options *o, const char *arg, char *err,
		       size_t len)
{
	const char **p = realloc(o->ssh_opts, (o->nssh_opts + 1) * sizeof(*p));

	if (!p) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	p[o->nssh_opts++] = arg;
	o->ssh_opts = p;
	return 0;
}

/* What --agent and --prometheus-file allow with them. */
static int opt_modes(struct options *o, bool fmt_set, char *err, size_t len)
{
	if (o->prom_file) {
		if (fmt_set && o->format != OPT_FMT_PROM) {
			snprintf(err, len,
				 "--prometheus-file writes metrics: drop --json/--events");
			return -EINVAL;
		}
		o->batch = true;
		o->format = OPT_FMT_PROM;
	}
	if (!o->agent)
		return 0;
	if (o->batch || fmt_set || o->dst || o->npairs || o->demo || o->nqmp) {
		snprintf(err, len,
			 "--agent serves one tree on stdout: it takes --src, --sysfs, --no-owners, -d, -n and --heartbeat only");
		return -EINVAL;
	}
	return 0;
}

static int opt_long_n(const char *arg, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < 1)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A job's answer for an option that belongs to another job. */
#define OPT_NOT_MINE 1

/* The journal's options: -w, --write-max, --write-keep, -r, --begin,
 * --end, --report (vfiomigtop-journal(5)). */
static int opt_journal(struct options *o, int c, const char *arg, char *err,
		       size_t len)
{
	const char **p;
	long n;

	switch (c) {
	case 'w':
		if (!*arg) {
			snprintf(err, len, "-w: empty FILE");
			return -EINVAL;
		}
		o->write_path = arg;
		return 0;
	case OPT_WRITE_MAX:
		if (jf_parse_size(arg, &o->write_max) ||
		    o->write_max < JOURNAL_MAX_MIN) {
			snprintf(err, len,
				 "--write-max '%s': expected a size of at least %uK (bytes, or with K, M, G)",
				 arg, JOURNAL_MAX_MIN / 1024);
			return -EINVAL;
		}
		return 0;
	case OPT_WRITE_KEEP:
		if (opt_long_n(arg, &n) || n > 1000) {
			snprintf(err, len, "--write-keep '%s': expected 1 to 1000 files", arg);
			return -EINVAL;
		}
		o->write_keep = (unsigned int)n;
		return 0;
	case 'r':
		if (!*arg) {
			snprintf(err, len, "-r: empty FILE");
			return -EINVAL;
		}
		p = realloc(o->read_paths, (o->nread + 1) * sizeof(*p));
		if (!p) {
			snprintf(err, len, "out of memory");
			return -ENOMEM;
		}
		p[o->nread++] = arg;
		o->read_paths = p;
		return 0;
	case OPT_BEGIN:
	case OPT_END:
		if (!*arg) {
			snprintf(err, len, "--%s: empty TIME", c == OPT_BEGIN ? "begin" : "end");
			return -EINVAL;
		}
		if (c == OPT_BEGIN)
			o->begin = arg;
		else
			o->end = arg;
		return 0;
	case OPT_REPORT:
		o->report = true;
		if (arg && !*arg) {
			snprintf(err, len, "--report=: empty PAIR (a device name, or SRC=DST)");
			return -EINVAL;
		}
		o->report_pair = arg;
		return 0;
	default:
		return OPT_NOT_MINE;
	}
}

/* What the journal's options allow with the rest. */
static int opt_journal_modes(struct options *o, bool fmt_set, char *err,
			     size_t len)
{
	if (o->nread && (o->src || o->dst || o->demo || o->agent)) {
		snprintf(err, len,
			 "-r replays a journal: drop %s (the journal says what was watched)",
			 o->src ? "--src" : o->dst ? "--dst" : o->demo ? "--demo" : "--agent");
		return -EINVAL;
	}
	if (o->nread && (o->nqmp || o->sysfs)) {
		snprintf(err, len,
			 "-r replays a journal: drop %s (it watches this host)",
			 o->nqmp ? "--qmp" : "--sysfs");
		return -EINVAL;
	}
	if (o->nread && o->write_path) {
		snprintf(err, len, "-w records live devices and -r replays a journal: use one of them");
		return -EINVAL;
	}
	if (o->nread && o->delay_set) {
		snprintf(err, len, "-d does not apply to -r: a replay keeps the journal's refreshes");
		return -EINVAL;
	}
	if ((o->begin || o->end) && !o->nread) {
		snprintf(err, len, "--%s applies to a replay: add -r FILE",
			 o->begin ? "begin" : "end");
		return -EINVAL;
	}
	if ((o->write_max || o->write_keep) && !o->write_path) {
		snprintf(err, len, "--%s applies to a recording: add -w FILE",
			 o->write_max ? "write-max" : "write-keep");
		return -EINVAL;
	}
	if (!o->write_keep)
		o->write_keep = 1;
	if (!o->report)
		return 0;
	if (o->agent || o->prom_file ||
	    (fmt_set && o->format != OPT_FMT_JSON)) {
		snprintf(err, len,
			 "--report prints a report (text, or --json): drop %s",
			 o->agent ? "--agent" : o->prom_file ? "--prometheus-file" :
			 o->format == OPT_FMT_EVENTS ? "--events" : "--prometheus");
		return -EINVAL;
	}
	o->batch = true;	/* no screen: the report goes to stdout */
	return 0;
}

/* Where the devices come from: --src, --dst, --pair, --demo, --sysfs,
 * --no-owners, --qmp. */
static int opt_source(struct options *o, int c, const char *arg, char *err,
		      size_t len)
{
	const char **p;

	switch (c) {
	case OPT_SRC:
	case OPT_DST:
		if (!*arg) {
			snprintf(err, len, "--%s: empty SOURCE",
				 c == OPT_SRC ? "src" : "dst");
			return -EINVAL;
		}
		if (c == OPT_SRC)
			o->src = arg;
		else
			o->dst = arg;
		return 0;
	case OPT_PAIR:
		return opt_pair(o, arg, err, len);
	case OPT_DEMO:
		o->demo = true;
		o->scenario = arg;
		return 0;
	case OPT_SYSFS:
		if (!*arg) {
			snprintf(err, len, "--sysfs: empty ROOT");
			return -EINVAL;
		}
		o->sysfs = arg;
		return 0;
	case OPT_NO_OWNERS:
		o->no_owners = true;
		return 0;
	case OPT_QMP:
		if (!*arg) {
			snprintf(err, len, "--qmp: empty PATH");
			return -EINVAL;
		}
		if (o->nqmp >= OPT_QMP_MAX) {
			snprintf(err, len, "--qmp: at most %d sockets", OPT_QMP_MAX);
			return -EINVAL;
		}
		p = realloc(o->qmp, (o->nqmp + 1) * sizeof(*p));
		if (!p) {
			snprintf(err, len, "out of memory");
			return -ENOMEM;
		}
		p[o->nqmp++] = arg;
		o->qmp = p;
		return 0;
	default:
		return OPT_NOT_MINE;
	}
}

/* --demo-speed: a factor, not seconds; parsed alike, said as what it is. */
static int opt_speed(struct options *o, const char *arg, char *err,
		     size_t len)
{
	uint64_t ns;
	int rc = clock_parse_secs(arg, 0.01, 1000, &ns);

	if (rc == -ERANGE)
		snprintf(err, len,
			 "--demo-speed '%s': out of range (a speed-up factor from 0.01 to 1000 times)",
			 arg);
	else if (rc)
		snprintf(err, len,
			 "--demo-speed '%s': not a number (a speed-up factor, e.g. 8)",
			 arg);
	if (rc)
		return -EINVAL;
	o->speed = (double)ns / 1e9;
	return 0;
}

/* Talking to other hosts: --agent, --heartbeat, --ssh-opt, --remote-cmd. */
static int opt_remote(struct options *o, int c, const char *arg, char *err,
		      size_t len)
{
	switch (c) {
	case OPT_AGENT:
		o->agent = true;
		return 0;
	case OPT_HEARTBEAT:
		return opt_secs("--heartbeat", arg, 0.01, 3600, &o->heartbeat_ns,
				err, len);
	case OPT_SSH_OPT:
		return opt_ssh_opt(o, arg, err, len);
	case OPT_REMOTE_CMD:
		if (!*arg) {
			snprintf(err, len, "--remote-cmd: empty command");
			return -EINVAL;
		}
		o->remote_cmd = arg;
		return 0;
	default:
		return OPT_NOT_MINE;
	}
}

/* The rhythm and the output: -d, -b, -n, --json, --events,
 * --prometheus, --prometheus-file. */
static int opt_output(struct options *o, int c, const char *arg,
		      bool *fmt_set, char *err, size_t len)
{
	switch (c) {
	case 'd':
		o->delay_set = true;
		return opt_secs("-d", arg, OPT_DELAY_MIN, OPT_DELAY_MAX,
				&o->delay_ns, err, len);
	case 'b':
		o->batch = true;
		return 0;
	case 'n':
		if (opt_long_n(arg, &o->iterations)) {
			snprintf(err, len, "-n '%s': expected a positive whole number", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_JSON:
	case OPT_EVENTS:
	case OPT_PROM:
		if (*fmt_set) {
			snprintf(err, len,
				 "--json, --events and --prometheus exclude each other");
			return -EINVAL;
		}
		*fmt_set = true;
		o->format = c == OPT_JSON ? OPT_FMT_JSON :
			    c == OPT_EVENTS ? OPT_FMT_EVENTS : OPT_FMT_PROM;
		return 0;
	case OPT_PROM_FILE:
		if (!*arg) {
			snprintf(err, len, "--prometheus-file: empty PATH");
			return -EINVAL;
		}
		o->prom_file = arg;
		return 0;
	default:
		return OPT_NOT_MINE;
	}
}

/*
 * --color=auto|light|dark|none (options_color): the scheme to start with.
 * An explicit scheme wins over NO_COLOR; none is -C.  A bad value is a
 * warning (o->warn), not an error: the monitor works without colours.
 */
static int opt_color(struct options *o, const char *arg, char *err,
		     size_t len)
{
	(void)err;
	(void)len;
	if (options_color(arg, &o->color)) {
		/* Only looks: say so and go on with the automatic choice. */
		snprintf(o->warn, sizeof(o->warn),
			 "--color '%.40s': expected auto, light, dark or none; using auto",
			 arg);
		o->color = OPT_COLOR_AUTO;
		return 0;
	}
	o->color_set = true;
	o->no_color = o->color == OPT_COLOR_NONE;
	return 0;
}

/* How things look and how long they stay: -C, --color, --utc, --ascii,
 * --bell, -H, --tombstone. */
static int opt_display(struct options *o, int c, const char *arg, char *err,
		       size_t len)
{
	switch (c) {
	case 'C':
		o->no_color = true;
		o->color = OPT_COLOR_NONE;
		o->color_set = true;
		return 0;
	case OPT_COLOR:
		return opt_color(o, arg, err, len);
	case OPT_UTC:
		o->utc = true;
		return 0;
	case OPT_ASCII:
		o->ascii = true;
		return 0;
	case OPT_BELL:
		o->bell = true;
		return 0;
	case 'H':
		return opt_secs("-H", arg, 0, 3600, &o->highlight_ns, err, len);
	case OPT_TOMB:
		return opt_secs("--tombstone", arg, 0, 86400, &o->tomb_ns, err, len);
	default:
		return OPT_NOT_MINE;
	}
}

/* When a verdict gives up waiting: --stuck, --busy-fail. */
static int opt_verdict(struct options *o, int c, const char *arg, char *err,
		       size_t len)
{
	switch (c) {
	case OPT_STUCK:
		return opt_secs("--stuck", arg, 0.01, 86400, &o->stuck_ns, err, len);
	case OPT_BUSY:
		return opt_secs("--busy-fail", arg, 0.01, 86400, &o->busy_ns, err, len);
	default:
		return OPT_NOT_MINE;
	}
}

/* Ask each job in turn; the one that owns @c handles it. */
static int opt_one(struct options *o, int c, const char *arg, bool *fmt_set,
		   char *err, size_t len)
{
	static int (*const jobs[])(struct options *, int, const char *,
				   char *, size_t) = {
		opt_source, opt_remote, opt_display, opt_verdict, opt_journal,
	};
	int rc;

	switch (c) {
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case OPT_DEMO_SPEED:
		return opt_speed(o, arg, err, len);
	case OPT_NO_CONFIG:
		o->no_config = true;
		return 0;
	}
	rc = opt_output(o, c, arg, fmt_set, err, len);
	for (size_t i = 0; rc == OPT_NOT_MINE && i < sizeof(jobs) / sizeof(jobs[0]); i++)
		rc = jobs[i](o, c, arg, err, len);
	if (rc == OPT_NOT_MINE) {
		snprintf(err, len, "unknown option");
		return -EINVAL;
	}
	return rc;
}

/* Parse a --color value (also the rc file's "color="). */
int options_color(const char *arg, enum opt_color *out)
{
	static const char *const names[] = {
		[OPT_COLOR_AUTO] = "auto", [OPT_COLOR_LIGHT] = "light",
		[OPT_COLOR_DARK] = "dark", [OPT_COLOR_NONE] = "none",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (arg && !strcmp(arg, names[i])) {
			*out = (enum opt_color)i;
			return 0;
		}
	return -EINVAL;
}

/*
 * Parse @argv into @o.  Returns 0, or -EINVAL with a message in @err.
 * Only validates; nothing is opened here.
 */
int options_parse(int argc, char **argv, struct options *o, char *err,
		  size_t len)
{
	const char *nc = getenv("NO_COLOR");
	bool fmt_set = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->delay_ns = CLOCK_NS_PER_S;
	o->speed = 1.0;
	o->stuck_ns = 30 * CLOCK_NS_PER_S;
	o->busy_ns = 30 * CLOCK_NS_PER_S;
	o->highlight_ns = 3 * CLOCK_NS_PER_S;
	o->tomb_ns = 60 * CLOCK_NS_PER_S;
	o->no_color = nc && *nc;
	err[0] = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:bn:CH:hVw:r:", opt_long, NULL)) != -1) {
		if (c == '?') {
			if (optopt)
				snprintf(err, len, "unknown option '-%c'", optopt);
			else
				snprintf(err, len, "unknown option '%s'",
					 argv[optind - 1]);
			return -EINVAL;
		}
		if (c == ':') {
			snprintf(err, len, "option '%s' needs an argument",
				 argv[optind - 1]);
			return -EINVAL;
		}
		if (opt_one(o, c, optarg, &fmt_set, err, len))
			return -EINVAL;
	}
	/* --report PAIR, as well as --report=PAIR. */
	if (optind + 1 == argc && o->report && !o->report_pair && argv[optind][0])
		o->report_pair = argv[optind++];
	if (optind < argc) {
		snprintf(err, len, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (o->help || o->version)
		return 0;
	if (opt_journal_modes(o, fmt_set, err, len))
		return -EINVAL;
	if (opt_modes(o, fmt_set, err, len))
		return -EINVAL;
	if ((o->iterations || fmt_set) && !o->batch && !o->agent) {
		snprintf(err, len, "%s only applies to batch mode: add -b",
			 o->iterations ? "-n" : (o->format == OPT_FMT_JSON ?
						 "--json" : o->format == OPT_FMT_PROM ?
						 "--prometheus" : "--events"));
		return -EINVAL;
	}
	if (o->demo && (o->src || o->dst)) {
		snprintf(err, len, "--demo brings its own trees: drop --src/--dst");
		return -EINVAL;
	}
	return 0;
}

void options_free(struct options *o)
{
	for (size_t i = 0; i < o->npairs; i++) {
		free((char *)o->pairs[i].src);
		free((char *)o->pairs[i].dst);
	}
	free(o->pairs);
	o->pairs = NULL;
	o->npairs = 0;
	free(o->ssh_opts);
	o->ssh_opts = NULL;
	free(o->qmp);
	o->qmp = NULL;
	o->nqmp = 0;
	o->nssh_opts = 0;
	free(o->read_paths);
	o->read_paths = NULL;
	o->nread = 0;
}
