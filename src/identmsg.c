// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * identmsg.c - the agent protocol's "ident" message (doc/protocol.md): a
 * remote side's device identity and owner.  A message type of its own, so
 * that an older monitor ignores it and the version stays 1.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "identmsg.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

/* The fields after "type", "mono_ns" and "real_ns" (no leading comma). */
void identmsg_body(struct obuf *b, const char *name, const struct ident *id,
		   int owner_st, const struct owner_proc *ow)
{
	obuf_puts(b, "\"name\":\"");
	obuf_esc_json(b, name, strlen(name));
	obuf_putc(b, '"');
	obuf_json_kstr(b, "bus", id->bus);
	obuf_json_kstr(b, "driver", id->driver);
	if (id->ids)
		obuf_printf(b, ",\"vendor_id\":%u,\"device_id\":%u",
			    id->vendor, id->device);
	obuf_json_kstr(b, "vendor", id->vendor_name);
	obuf_json_kstr(b, "device", id->device_name);
	if (id->iommu_group >= 0)
		obuf_printf(b, ",\"iommu_group\":%d", id->iommu_group);
	obuf_json_kstr(b, "pf", id->pf);
	obuf_json_kstr(b, "mdev_parent", id->parent);
	obuf_json_kstr(b, "mdev_type", id->mdev_type);
	obuf_json_kstr(b, "mdev_type_name", id->mdev_type_name);
	obuf_json_kstr(b, "vfio_dev", id->vfio_dev);
	obuf_printf(b, ",\"reset\":%s,\"remove\":%s", id->reset ? "true" : "false",
		    id->remove ? "true" : "false");
	obuf_json_kstr(b, "problem", id->err);
	obuf_puts(b, ",\"owner\":");
	if (owner_st == IDENTMSG_OWNER_SOME && ow) {
		obuf_printf(b, "{\"pid\":%d", (int)ow->pid);
		obuf_json_kstr(b, "comm", ow->comm);
		obuf_json_kstr(b, "vm", ow->vm);
		obuf_putc(b, '}');
	} else {
		obuf_puts(b, owner_st == IDENTMSG_OWNER_NONE ? "false" : "null");
	}
}

static void im_get(json_t *o, const char *key, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));

	out[0] = 0;
	if (!s)
		return;
	/* Printable ASCII only: it reaches terminals. */
	for (size_t i = 0; s[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		out[i + 1] = 0;
	}
}

/*
 * Decode @line if it is an "ident" message: 1 (with @name, @id, @ow,
 * @owner_st set), 0 when it is another message, -1 when it is a bad one.
 */
int identmsg_decode(const char *line, size_t len, char *name, size_t nlen,
		    struct ident *id, struct owner_proc *ow, int *owner_st)
{
	json_t *o = json_loadb(line, len, 0, NULL), *v, *own;
	const char *type = json_string_value(json_object_get(o, "type"));
	int rc = 0;

	if (!o || !type || strcmp(type, "ident")) {
		json_decref(o);
		return 0;
	}
	memset(id, 0, sizeof(*id));
	memset(ow, 0, sizeof(*ow));
	id->iommu_group = -1;
	*owner_st = IDENTMSG_OWNER_UNKNOWN;
	v = json_object_get(o, "name");
	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) >= nlen) {
		rc = -1;
		goto out;
	}
	memcpy(name, json_string_value(v), json_string_length(v) + 1);
	im_get(o, "bus", id->bus, sizeof(id->bus));
	id->kind = !strcmp(id->bus, "pci") ? IDENT_PCI :
		   !strcmp(id->bus, "mdev") ? IDENT_MDEV :
		   id->bus[0] ? IDENT_OTHER : IDENT_UNKNOWN;
	im_get(o, "driver", id->driver, sizeof(id->driver));
	if (json_is_integer(json_object_get(o, "vendor_id")) &&
	    json_is_integer(json_object_get(o, "device_id"))) {
		json_int_t ve = json_integer_value(json_object_get(o, "vendor_id"));
		json_int_t de = json_integer_value(json_object_get(o, "device_id"));

		if (ve >= 0 && ve <= 0xffff && de >= 0 && de <= 0xffff) {
			id->ids = true;
			id->vendor = (uint16_t)ve;
			id->device = (uint16_t)de;
		}
	}
	im_get(o, "vendor", id->vendor_name, sizeof(id->vendor_name));
	im_get(o, "device", id->device_name, sizeof(id->device_name));
	v = json_object_get(o, "iommu_group");
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 0x7fffffff)
		id->iommu_group = (int)json_integer_value(v);
	im_get(o, "pf", id->pf, sizeof(id->pf));
	im_get(o, "mdev_parent", id->parent, sizeof(id->parent));
	im_get(o, "mdev_type", id->mdev_type, sizeof(id->mdev_type));
	im_get(o, "mdev_type_name", id->mdev_type_name, sizeof(id->mdev_type_name));
	im_get(o, "vfio_dev", id->vfio_dev, sizeof(id->vfio_dev));
	im_get(o, "problem", id->err, sizeof(id->err));
	id->reset = json_is_true(json_object_get(o, "reset"));
	id->remove = json_is_true(json_object_get(o, "remove"));
	own = json_object_get(o, "owner");
	if (json_is_false(own)) {
		*owner_st = IDENTMSG_OWNER_NONE;
	} else if (json_is_object(own) &&
		   json_is_integer(json_object_get(own, "pid")) &&
		   json_integer_value(json_object_get(own, "pid")) > 0 &&
		   json_integer_value(json_object_get(own, "pid")) <= 0x7fffffff) {
		*owner_st = IDENTMSG_OWNER_SOME;
		ow->pid = (pid_t)json_integer_value(json_object_get(own, "pid"));
		im_get(own, "comm", ow->comm, sizeof(ow->comm));
		im_get(own, "vm", ow->vm, sizeof(ow->vm));
	}
	rc = 1;
out:
	json_decref(o);
	return rc;
}
