// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmmpath.c - which steps a device took between two reads, when only one
 * way is plausible.
 *
 * The kernel's path rule (fsm.c) says what one request does; but VMMs
 * reach most states in several requests, and user space may reset a device
 * (straight to RUNNING, by no kernel step).  Polling a source that
 * completes shows PRE_COPY then STOP: the kernel's path for one request
 * (PRE_COPY, RUNNING, RUNNING_P2P, STOP) reads like a cancel, while every
 * VMM went PRE_COPY, PRE_COPY_P2P, STOP_COPY, STOP.  So the candidates are
 * the kernel's path for one request and every stretch of the flows real
 * VMMs drive (QEMU with and without PRE_COPY or P2P, Cloud Hypervisor,
 * libvfio-user; source and destination; success, cancel, abort, reset).
 * When they agree, that is the path; when not, the steps are unknown and
 * are shown as missed, never guessed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "vmmpath.h"
#include "fsm_short.h"

#include <stdbool.h>
#include <string.h>

/* A reset to RUNNING (no kernel step), and the end of a flow. */
#define RR 8
#define END 9

/* Flows VMMs drive: a state, then what happens in order: a request for a
 * state (expanded with the kernel's path rule), a reset to RUNNING (RR),
 * or a driver setting ERROR by itself (E). */
static const unsigned char vmmpath_flows[][8] = {
	{ R, PC, PP, SC, S, RR, END },		/* QEMU source, P2P and PRE_COPY */
	{ R, PC, SC, S, RR, END },		/* QEMU source without P2P */
	{ R, RP, S, SC, S, RR, END },		/* QEMU source without PRE_COPY */
	{ R, S, SC, S, RR, END },		/* Cloud Hypervisor source */
	{ SC, R, END },				/* abort after stop-copy */
	{ PC, RR, END },			/* the source reset while saving */
	{ SC, RR, END },
	{ R, RS, RP, R, END },			/* QEMU destination, P2P */
	{ R, RS, R, END },			/* ... without P2P */
	{ R, RS, S, RP, R, END },		/* libvfio-user style destination */
	{ R, RS, S, R, END },			/* Cloud Hypervisor destination */
	{ RS, RR, END },			/* the destination reset after a failed load */
	{ RS, E, RR, END },
	{ R, RP, R, END },			/* a VM started */
	{ R, S, R, END },			/* a VM paused and resumed */
};

/* Most states a flow goes through once expanded. */
#define VMMPATH_LONG 24

/* Expand flow @fl for a device with @flags into @out; -1 if it does not
 * apply (a request the device cannot take). */
static int vmmpath_expand(const unsigned char *fl, unsigned int flags,
			  unsigned char *out)
{
	enum fsm_state cur = (enum fsm_state)fl[0], p[FSM_MAX_PATH];
	int n = 0;

	if (!fsm_supported(cur, flags))
		return -1;
	out[n++] = fl[0];
	for (int i = 1; fl[i] != END; i++) {
		int k;

		if (fl[i] == RR || fl[i] == E) {
			out[n++] = fl[i];
			cur = fl[i] == RR ? R : E;
			continue;
		}
		k = fsm_path(cur, (enum fsm_state)fl[i], flags, p, FSM_MAX_PATH);
		if (k <= 0 || n + k > VMMPATH_LONG)
			return -1;
		for (int j = 0; j < k; j++)
			out[n++] = (unsigned char)p[j];
		cur = (enum fsm_state)fl[i];
	}
	return n;
}

/* A candidate path: states after @from, RR marking a reset. */
struct vmmpath_cand {
	unsigned char st[VMMPATH_LONG];	/* the steps */
	int n;				/* how many */
};

static bool vmmpath_same(const struct vmmpath_cand *a,
			 const struct vmmpath_cand *b)
{
	return a->n == b->n && !memcmp(a->st, b->st, (size_t)a->n);
}

/* Keep the first candidate; false when @c differs from it. */
static bool vmmpath_add(struct vmmpath_cand *first, bool *have,
			const struct vmmpath_cand *c)
{
	if (!*have) {
		*first = *c;
		*have = true;
		return true;
	}
	return vmmpath_same(first, c);
}

/*
 * The steps a device most certainly took from @from to @to (a device with
 * feature @flags), written to @steps (@to included, @from not).  Returns
 * how many, or -1 when several ways are plausible (or none is known).
 */
int vmmpath_between(enum fsm_state from, enum fsm_state to,
		    unsigned int flags, enum fsm_state *steps, int max)
{
	enum fsm_state k[FSM_MAX_PATH];
	struct vmmpath_cand first, c;
	bool have = false;
	int n = fsm_path(from, to, flags, k, FSM_MAX_PATH);

	if (n > 0) {
		c.n = n;
		for (int i = 0; i < n; i++)
			c.st[i] = (unsigned char)k[i];
		vmmpath_add(&first, &have, &c);
	}
	for (size_t f = 0; f < sizeof(vmmpath_flows) / sizeof(vmmpath_flows[0]); f++) {
		unsigned char fl[VMMPATH_LONG];
		int len = vmmpath_expand(vmmpath_flows[f], flags, fl);

		for (int i = 0; i < len; i++) {
			if (fl[i] != from && !(fl[i] == RR && from == R))
				continue;
			c.n = 0;
			for (int j = i + 1; j < len; j++) {
				c.st[c.n++] = fl[j];
				if (fl[j] == to || (fl[j] == RR && to == R)) {
					if (!vmmpath_add(&first, &have, &c))
						return -1;
					break;
				}
				if (fl[j] == from)
					break;
			}
		}
	}
	if (!have || first.n > max)
		return -1;
	for (int i = 0; i < first.n; i++) {
		if (first.st[i] == RR)
			return -1;	/* a reset: not a path of steps */
		steps[i] = (enum fsm_state)first.st[i];
	}
	return first.n;
}
