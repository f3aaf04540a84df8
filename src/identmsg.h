/* SPDX-License-Identifier: GPL-2.0-or-later */
/* identmsg.h - the agent protocol's "ident" message: a remote device's identity and owner */
#ifndef VFIOMIGTOP_IDENTMSG_H
#define VFIOMIGTOP_IDENTMSG_H

#include <stddef.h>

#include "ident.h"
#include "obuf.h"
#include "owner.h"

/* Owner states (the values of enum devinfo_owner). */
#define IDENTMSG_OWNER_UNKNOWN 0
#define IDENTMSG_OWNER_NONE 1
#define IDENTMSG_OWNER_SOME 2

void identmsg_body(struct obuf *b, const char *name, const struct ident *id,
		   int owner_st, const struct owner_proc *ow);
int identmsg_decode(const char *line, size_t len, char *name, size_t nlen,
		    struct ident *id, struct owner_proc *ow, int *owner_st);

#endif
