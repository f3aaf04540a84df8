// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_migrate.c - what a `migrate` line of a scenario means: its options,
 * the requests QEMU makes of each side's kernel and what the drivers and
 * the device managers do besides (vfiomig-scenario(5), MIGRATE EXPANSION),
 * and how it ends: the truth that a monitor's verdicts must match.
 * Pure, except sim_fprint_truth().
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "sim_priv.h"

#include <string.h>

static const struct {
	const char *name;	/* option, without "fail=" */
	enum sim_fail fail;
} sim_fails[] = {
	{ "src-cancel", SIM_FAIL_SRC_CANCEL },
	{ "src-abort", SIM_FAIL_SRC_ABORT },
	{ "dst-error", SIM_FAIL_DST_ERROR },
	{ "dst-reject", SIM_FAIL_DST_REJECT },
	{ "dst-stuck", SIM_FAIL_DST_STUCK },
};

#define SIM_NFAILS (sizeof(sim_fails) / sizeof(*sim_fails))

/* Option groups, for conflicts. */
#define SIM_MIG_PRECOPY 1u
#define SIM_MIG_P2P 2u
#define SIM_MIG_FAIL 4u

void sim_mig_defaults(struct sim_mig_opts *o)
{
	o->precopy = true;
	o->p2p = true;
	o->fail = SIM_FAIL_NONE;
	o->seen = 0;
}

const char *sim_fail_name(enum sim_fail f)
{
	for (size_t i = 0; i < SIM_NFAILS; i++)
		if (sim_fails[i].fail == f)
			return sim_fails[i].name;
	return NULL;
}

/* What sim_mig_option() accepts, for messages. */
const char *sim_mig_expected(void)
{
	return "precopy, noprecopy, nop2p or fail=src-cancel|src-abort|dst-error|dst-reject|dst-stuck";
}

static bool sim_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

/* Take one option of a migrate line: 0, SIM_MIG_EUNKNOWN or
 * SIM_MIG_ECONFLICT (the same group given twice). */
int sim_mig_option(struct sim_mig_opts *o, const char *s, size_t len)
{
	unsigned int bit = 0;

	if (sim_is(s, len, "precopy") || sim_is(s, len, "noprecopy")) {
		bit = SIM_MIG_PRECOPY;
		o->precopy = sim_is(s, len, "precopy");
	} else if (sim_is(s, len, "nop2p")) {
		bit = SIM_MIG_P2P;
		o->p2p = false;
	} else if (len > 5 && !memcmp(s, "fail=", 5)) {
		for (size_t i = 0; i < SIM_NFAILS && !bit; i++) {
			if (sim_is(s + 5, len - 5, sim_fails[i].name)) {
				bit = SIM_MIG_FAIL;
				o->fail = sim_fails[i].fail;
			}
		}
	}
	if (!bit)
		return SIM_MIG_EUNKNOWN;
	if (o->seen & bit)
		return SIM_MIG_ECONFLICT;
	o->seen |= bit;
	return 0;
}

/*
 * The expansion documented in vfiomig-scenario(5); returns the count
 * (at most SIM_MIG_EVS).  Offsets in ms: 0 save setup, 30 load setup,
 * 600 cancel, 1000 destination reset after a cancel, 1200 VM stop
 * prepare, 1205 VM stop, 1210 complete pre-copy, 1350 restart after a
 * failure, 1480 save cleanup, 1500 destination VM start (prepare),
 * 1505 VM start, 1600 destination reset after an abort, 1700 after a
 * rejected load.
 */
size_t sim_mig_expand(const struct sim_mig_opts *o, struct sim_mig_ev *ev)
{
	enum fsm_state start = o->p2p ? FSM_RUNNING_P2P : FSM_RUNNING;
	size_t n = 0;

#define EV(t, peer, act, s) \
	(ev[n++] = (struct sim_mig_ev){ (t), (peer), (act), (s) })
	if (o->precopy)
		EV(0, false, SIM_STATE, FSM_PRE_COPY);
	EV(30, true, SIM_STATE, FSM_RESUMING);
	if (o->fail == SIM_FAIL_SRC_CANCEL) {
		/* QEMU's cancel asks for RUNNING; a source without
		 * PRE_COPY never left it. */
		if (o->precopy)
			EV(600, false, SIM_STATE, FSM_RUNNING);
		EV(1000, true, SIM_RESET, 0);
		return n;
	}
	if (o->p2p)
		EV(1200, false, SIM_STATE,
		   o->precopy ? FSM_PRE_COPY_P2P : FSM_RUNNING_P2P);
	EV(1205, false, SIM_STATE, o->precopy ? FSM_STOP_COPY : FSM_STOP);
	if (!o->precopy)
		EV(1210, false, SIM_STATE, FSM_STOP_COPY);
	if (o->fail == SIM_FAIL_SRC_ABORT) {
		/* One request for RUNNING: the kernel walks STOP_COPY,
		 * STOP(, RUNNING_P2P), RUNNING. */
		EV(1350, false, SIM_STATE, FSM_RUNNING);
		EV(1600, true, SIM_RESET, 0);
		return n;
	}
	EV(1480, false, SIM_STATE, FSM_STOP);
	switch (o->fail) {
	case SIM_FAIL_DST_ERROR:
		EV(1500, true, SIM_FAIL, start);
		EV(1500, true, SIM_ERROR, 0);
		break;
	case SIM_FAIL_DST_REJECT:
		EV(1500, true, SIM_FAIL, start);
		EV(1700, true, SIM_RESET, 0);
		break;
	case SIM_FAIL_NONE:
		if (o->p2p)
			EV(1500, true, SIM_STATE, FSM_RUNNING_P2P);
		EV(1505, true, SIM_STATE, FSM_RUNNING);
		break;
	default:
		break;		/* dst-stuck: the destination stays */
	}
#undef EV
	return n;
}

enum sim_outcome sim_migration_outcome(const struct sim_migration *m)
{
	return m->fail == SIM_FAIL_NONE ? SIM_COMPLETED : SIM_FAILED;
}

/* "TIME SRC DST OUTCOME [FAIL]" per migrate, in scenario order. */
int sim_fprint_truth(FILE *f, const struct sim_scenario *sc)
{
	for (size_t i = 0; i < sc->nmigs; i++) {
		const struct sim_migration *m = &sc->migs[i];
		const char *fail = sim_fail_name(m->fail);
		char b[32];

		if (fprintf(f, "%s ", sim_fmt_time(b, m->time_ns)) < 0 ||
		    sim_fprint_field(f, m->dev, m->dev_len) ||
		    fputc(' ', f) == EOF ||
		    sim_fprint_field(f, m->peer, m->peer_len) ||
		    fprintf(f, " %s%s%s\n",
			    sim_migration_outcome(m) == SIM_COMPLETED ?
			    "completed" : "failed",
			    fail ? " " : "", fail ? fail : "") < 0)
			return -1;
	}
	return 0;
}
