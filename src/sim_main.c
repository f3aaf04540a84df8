// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_main.c - vfiomig-sim: replay a vfiomig-scenario(5) file into a
 * directory laid out like the vfio debugfs tree, for tests and demos.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sim.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* Largest scenario file read, in bytes. */
#define SCENARIO_MAX (256u << 20)

struct opts {
	bool loop;		/* restart at the loop step until a signal */
	bool check;		/* parse and print only */
	bool demo;		/* use the embedded demo scenario */
	bool step;		/* apply one time at a time, on command */
	bool arcs;		/* write arc logs as the vfiomig module does */
	bool truth;		/* print the outcome of every migrate */
	double speed;		/* replay speed multiplier */
	const char *scenario;	/* file name, "-" for stdin; NULL with demo */
	const char *root;	/* tree root; NULL allowed with check, truth */
};

static const char usage_text[] =
	"Usage: vfiomig-sim [--loop] [--speed X] [--arcs] SCENARIO|--demo ROOT\n"
	"       vfiomig-sim --step [--arcs] SCENARIO|--demo ROOT\n"
	"       vfiomig-sim --check|--truth SCENARIO|--demo [ROOT]\n"
	"Replay SCENARIO (a file, or - for standard input) into ROOT/src and\n"
	"ROOT/dst in real time, as the vfio debugfs tree would change during\n"
	"live migrations; the format is described in vfiomig-scenario(5).\n"
	"\n"
	"  --demo      replay the embedded demo scenario instead of a file\n"
	"  --loop      restart at the scenario's loop step (or its end) until\n"
	"              SIGINT or SIGTERM; ROOT is left as it is\n"
	"  --speed X   replay X times faster (decimal, more than 0)\n"
	"  --arcs      also write each device's migration/arcs as the vfiomig\n"
	"              kernel module does: every kernel step, timestamped\n"
	"  --step      apply the steps of the first time at once, then those of\n"
	"              the next time each time a line is read from standard\n"
	"              input; print the steps applied, then a line \".\", and\n"
	"              \"end\" when none is left (for tests in lock step)\n"
	"  --check     only parse, print the expanded steps and exit\n"
	"              (ROOT may be omitted)\n"
	"  --truth     only parse, print the outcome of every migrate line\n"
	"              (\"TIME SRC DST completed|failed [HOW]\") and exit\n"
	"              (ROOT may be omitted)\n"
	"  --help      print this help and exit\n"
	"  --version   print the version and exit\n"
	"\n"
	"Exit status: 0 ok, 1 usage, parse or I/O error.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "vfiomig-sim: %s%s%s\n", msg, arg ? ": " : "",
		arg ? arg : "");
	fprintf(stderr, "Try 'vfiomig-sim --help'.\n");
	return 1;
}

static int parse_speed(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*out) || *out <= 0 ||
	    *out > 1e6)
		return -1;
	return 0;
}

/* 0 to go on, 1 for an error, 2 after --help or --version. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "loop", no_argument, NULL, 'l' },
		{ "speed", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'c' },
		{ "step", no_argument, NULL, 'S' },
		{ "demo", no_argument, NULL, 'd' },
		{ "arcs", no_argument, NULL, 'a' },
		{ "truth", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, npos;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->loop = true;
			break;
		case 'c':
			o->check = true;
			break;
		case 'd':
			o->demo = true;
			break;
		case 'a':
			o->arcs = true;
			break;
		case 't':
			o->truth = true;
			break;
		case 'S':
			o->step = true;
			break;
		case 's':
			if (parse_speed(optarg, &o->speed))
				return usage_error("bad speed (expected a decimal more than 0, at most 1e6)",
						   optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 2;
		case 'V':
			printf("vfiomig-sim %s\n", PACKAGE_VERSION);
			return 2;
		case ':':
			return usage_error("option needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option", argv[optind - 1]);
		}
	}
	npos = argc - optind;
	if (!o->demo && npos >= 1)
		o->scenario = argv[optind++];
	else if (!o->demo)
		return usage_error("missing SCENARIO", NULL);
	if (optind < argc)
		o->root = argv[optind++];
	if (!o->root && !o->check && !o->truth)
		return usage_error("missing ROOT", NULL);
	if (optind < argc)
		return usage_error("too many arguments", argv[optind]);
	if (o->check && o->truth)
		return usage_error("--check and --truth go one at a time", NULL);
	if (o->truth && (o->loop || o->step))
		return usage_error("--truth only reads the scenario: drop --loop and --step",
				   NULL);
	if (o->arcs && (o->check || o->truth))
		return usage_error("--arcs is for a replay: it goes with neither --check nor --truth",
				   NULL);
	if (o->step && (o->loop || o->check))
		return usage_error("--step goes with neither --loop nor --check",
				   NULL);
	return 0;
}

/* Read all of @f into a heap buffer; NULL with errno on failure. */
static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;

	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n < cap)
			continue;
		if (cap >= SCENARIO_MAX) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		nb = realloc(buf, cap * 2);
		if (!nb)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	if (buf && ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

/* Read the scenario file named in @o (or stdin); NULL after a message. */
static char *read_scenario(const struct opts *o, size_t *len)
{
	bool is_stdin = !strcmp(o->scenario, "-");
	FILE *f = is_stdin ? stdin : fopen(o->scenario, "r");
	char *text = NULL;

	if (f)
		text = read_all(f, len);
	if (!text)
		fprintf(stderr, "vfiomig-sim: %s: %s\n", o->scenario,
			strerror(errno));
	if (f && !is_stdin)
		fclose(f);
	return text;
}

/* Load and parse the scenario named in @o; 0 or 1. */
static int load(const struct opts *o, struct sim_scenario *sc)
{
	const char *name = "<demo>";
	const char *text = sim_demo_scenario;
	char *buf = NULL;
	size_t len = strlen(sim_demo_scenario);
	char err[512];
	int rc;

	if (!o->demo) {
		buf = read_scenario(o, &len);
		if (!buf)
			return 1;
		text = buf;
		name = strcmp(o->scenario, "-") ? o->scenario : "<stdin>";
	}
	rc = sim_parse(text, len, name, sc, err, sizeof(err));
	free(buf);
	if (rc)
		fprintf(stderr, "vfiomig-sim: %s\n", err);
	return rc ? 1 : 0;
}

/* --check: the expanded steps; --truth: the outcomes. */
static int check(const struct opts *o, const struct sim_scenario *sc)
{
	if (o->truth) {
		sim_fprint_truth(stdout, sc);
	} else {
		for (size_t i = 0; i < sc->n; i++)
			if (sim_fprint_step(stdout, &sc->steps[i]))
				break;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "vfiomig-sim: standard output: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

/* Wait for the end of the replay or SIGINT/SIGTERM; 0 or 1. */
static int wait_end(struct sim_runner *r, int sfd)
{
	struct pollfd p[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = sim_done_fd(r), .events = POLLIN },
	};
	char err[512];

	while (!sim_finished(r)) {
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			perror("vfiomig-sim: poll");
			return 1;
		}
		if (p[0].revents)
			return 0;
	}
	if (sim_error(r, err, sizeof(err))) {
		fprintf(stderr, "vfiomig-sim: %s\n", err);
		return 1;
	}
	return 0;
}

static int replay(const struct opts *o, const struct sim_scenario *sc)
{
	struct sim_opts so = { .loop = o->loop, .speed = o->speed,
			       .arcs = o->arcs };
	struct sim_runner *r;
	char err[512];
	sigset_t set;
	int sfd, rc;

	if (mkdir(o->root, 0755) && errno != EEXIST) {
		fprintf(stderr, "vfiomig-sim: %s: %s\n", o->root,
			strerror(errno));
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("vfiomig-sim: signalfd");
		return 1;
	}
	if (sim_start(&r, sc, o->root, &so, err, sizeof(err))) {
		fprintf(stderr, "vfiomig-sim: %s\n", err);
		close(sfd);
		return 1;
	}
	rc = wait_end(r, sfd);
	sim_fprint_late(stderr, "vfiomig-sim", sim_late(r));
	sim_stop(r);
	close(sfd);
	return rc;
}

/* Print the steps of one time starting at @i and apply them; the index
 * after them, or (size_t)-1 after a message. */
static size_t step_group(const struct opts *o, struct sim_world *w,
			 const struct sim_scenario *sc, size_t i)
{
	int64_t t = sc->steps[i].time_ns;
	char err[512];

	for (; i < sc->n && sc->steps[i].time_ns == t; i++) {
		if (sc->steps[i].action == SIM_LOOP)
			continue;
		if (sim_apply(w, o->root, &sc->steps[i], err, sizeof(err))) {
			fprintf(stderr, "vfiomig-sim: %s\n", err);
			return (size_t)-1;
		}
		sim_fprint_step(stdout, &sc->steps[i]);
	}
	puts(".");
	fflush(stdout);
	return i;
}

/* --step: one time of the scenario per line of standard input. */
static int step(const struct opts *o, const struct sim_scenario *sc)
{
	struct sim_world *w;
	char line[256];
	size_t i = 0;
	int rc = 0;

	if (mkdir(o->root, 0755) && errno != EEXIST) {
		fprintf(stderr, "vfiomig-sim: %s: %s\n", o->root,
			strerror(errno));
		return 1;
	}
	w = sim_world_new(o->arcs);
	if (!w) {
		fprintf(stderr, "vfiomig-sim: out of memory\n");
		return 1;
	}
	while (i < sc->n) {
		i = step_group(o, w, sc, i);
		if (i == (size_t)-1) {
			rc = 1;
			break;
		}
		if (i < sc->n && !fgets(line, sizeof(line), stdin))
			break;
	}
	sim_fprint_late(stderr, "vfiomig-sim", sim_world_late(w));
	sim_world_free(w);
	if (rc || i < sc->n)
		return rc;
	puts("end");
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .speed = 1.0 };
	struct sim_scenario sc;
	int rc;

	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc == 2 ? 0 : 1;
	if (load(&o, &sc))
		return 1;
	if (o.check || o.truth)
		rc = check(&o, &sc);
	else
		rc = o.step ? step(&o, &sc) : replay(&o, &sc);
	sim_free(&sc);
	return rc;
}
