/* SPDX-License-Identifier: GPL-2.0-or-later */
/* role.h - semantic roles of what the screen shows, and the colour schemes */
#ifndef VFIOMIGTOP_TUI_ROLE_H
#define VFIOMIGTOP_TUI_ROLE_H

/* What a piece of text means; colours.c maps each role to attributes. */
enum role {
	ROLE_NORMAL,		/* plain text */
	ROLE_HEADER,		/* the header lines */
	ROLE_TITLE,		/* pane titles */
	ROLE_COLHEAD,		/* column headings */
	ROLE_BORDER,		/* lines between panes */
	ROLE_KEY,		/* a key name in the key bar and help */
	ROLE_KEYDESC,		/* what the key does, in the key bar */
	ROLE_RUNNING,		/* RUNNING, RUNNING_P2P */
	ROLE_PRECOPY,		/* PRE_COPY, PRE_COPY_P2P */
	ROLE_STOPCOPY,		/* STOP_COPY */
	ROLE_STOP,		/* STOP */
	ROLE_RESUMING,		/* RESUMING */
	ROLE_ERRSTATE,		/* the kernel's ERROR state */
	ROLE_FAILREAD,		/* a read failure, Invalid, unparsable content */
	ROLE_NOMIG,		/* no migration support, not read yet */
	ROLE_CHANGED,		/* a value that changed a moment ago */
	ROLE_INFERRED,		/* a step rebuilt with the kernel's rule */
	ROLE_ALERT,		/* an error or failure not yet acknowledged */
	ROLE_TOMB,		/* a device that vanished */
	ROLE_BUSY,		/* a read that has not returned yet */
	ROLE_OK,		/* a completed migration */
	ROLE_PROGRESS,		/* a migration under way */
	ROLE_FAILED,		/* a failed migration (acknowledged) */
	ROLE_UNCERTAIN,		/* a migration whose outcome the evidence cannot tell */
	ROLE_DIM,		/* secondary text: idle, unpaired, empty */
	ROLE_PROMPT,		/* the input line */
	ROLE_MESSAGE,		/* a transient message */
	ROLE_NR,
};

/* Colour schemes, cycled at run time. */
enum role_scheme {
	ROLE_SCHEME_DARK,	/* colours for a dark background */
	ROLE_SCHEME_LIGHT,	/* colours for a light background */
	ROLE_SCHEME_MONO,	/* attributes only */
	ROLE_SCHEME_NR,
};

#endif
