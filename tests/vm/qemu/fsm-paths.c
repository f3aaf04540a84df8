// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsm-paths.c - print the kernel's path rule as src/fsm.c has it, for the
 * QEMU test's checkers (tests/vm/qemu/check-steps.py): one line per pair
 * of states of a device with every optional feature (STOP_COPY, P2P,
 * PRE_COPY, as mtty):
 *
 *	FROM TO STEP...		the steps of one request FROM -> TO
 *	FROM TO !		no path (the kernel refuses the request)
 *
 * FROM == TO prints no step.  Built from the same src/fsm.c as vfiomigtop,
 * so the checkers expand QEMU's requests with the rule the monitor uses.
 */
#include <stdio.h>

#include "fsm.h"

int main(int argc, char **argv)
{
	unsigned int flags = FSM_F_ALL;

	if (argc > 1 && sscanf(argv[1], "%x", &flags) != 1) {
		fprintf(stderr, "usage: fsm-paths [FLAGS-HEX]\n");
		return 2;
	}
	for (int from = 0; from < FSM_NR; from++) {
		for (int to = 0; to < FSM_NR; to++) {
			enum fsm_state steps[FSM_MAX_PATH];
			int n = fsm_path((enum fsm_state)from, (enum fsm_state)to,
					 flags, steps, FSM_MAX_PATH);

			printf("%s %s", fsm_name((enum fsm_state)from),
			       fsm_name((enum fsm_state)to));
			if (n < 0)
				printf(" !");
			for (int i = 0; i < n; i++)
				printf(" %s", fsm_name(steps[i]));
			putchar('\n');
		}
	}
	return ferror(stdout) ? 1 : 0;
}
