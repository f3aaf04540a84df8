// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * settings.c - $XDG_CONFIG_HOME/vfiomigtop/vfiomigtoprc (else
 * ~/.config/...): colour scheme, sort, delay, name filter, line drawing
 * and "verdicts only", as "key=value" lines.  S on the screen writes it
 * (a temporary file renamed over the old one, so a crash never leaves half
 * a file); the next start reads it unless --no-config.  A line that cannot
 * be understood is reported with its number and skipped: the rest still
 * applies.  Parsing and formatting are pure; load and save do the I/O.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"

/* Largest file read, bytes. */
#define SETTINGS_MAX 65536

/* The file's path from $XDG_CONFIG_HOME (@xdg) or $HOME (@home). */
int settings_path(const char *xdg, const char *home, char *buf, size_t len)
{
	int n;

	/* The XDG rule: only an absolute path counts. */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/vfiomigtop/vfiomigtoprc", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.config/vfiomigtop/vfiomigtoprc",
			     home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int settings_bool(const char *v, bool *out)
{
	if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* One "key=value"; 1 for an unknown key, -EINVAL for a bad value. */
static int settings_one(struct settings *s, const char *k, const char *v)
{
	if (!strcmp(k, "version")) {
		return 0;
	} else if (!strcmp(k, "color")) {
		if (options_color(v, &s->color))
			return -EINVAL;
		s->have |= SET_COLOR;
	} else if (!strcmp(k, "sort")) {
		for (int i = 0; i < ROWS_SORT_NR; i++)
			if (!strcmp(v, rows_sort_name((enum rows_sort)i))) {
				s->sort = (enum rows_sort)i;
				s->have |= SET_SORT;
				return 0;
			}
		return -EINVAL;
	} else if (!strcmp(k, "sort_invert")) {
		if (settings_bool(v, &s->invert))
			return -EINVAL;
		s->have |= SET_INVERT;
	} else if (!strcmp(k, "delay")) {
		if (clock_parse_secs(v, OPT_DELAY_MIN, OPT_DELAY_MAX,
				     &s->delay_ns))
			return -EINVAL;
		s->have |= SET_DELAY;
	} else if (!strcmp(k, "filter")) {
		if (strlen(v) >= sizeof(s->filter))
			return -EINVAL;
		snprintf(s->filter, sizeof(s->filter), "%s", v);
		s->have |= SET_FILTER;
	} else if (!strcmp(k, "ascii")) {
		if (settings_bool(v, &s->ascii))
			return -EINVAL;
		s->have |= SET_ASCII;
	} else if (!strcmp(k, "events_verdicts")) {
		if (settings_bool(v, &s->ev_verdicts))
			return -EINVAL;
		s->have |= SET_VERDICTS;
	} else {
		return 1;
	}
	return 0;
}

/*
 * Read @text into @s (what it does not give stays unset).  Returns the
 * number of lines skipped; the first one is described in @warn.
 */
unsigned int settings_parse(const char *text, struct settings *s,
			    char *warn, size_t wlen)
{
	unsigned int bad = 0, lineno = 0;
	const char *p = text;

	memset(s, 0, sizeof(*s));
	if (wlen)
		warn[0] = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[PROMPT_MAX + 64], *eq, *k, *v;
		int rc;

		lineno++;
		if (n >= sizeof(line)) {
			rc = -EINVAL;
			snprintf(line, sizeof(line), "(too long)");
			goto skip;
		}
		memcpy(line, p, n);
		line[n] = 0;
		k = line + strspn(line, " \t");
		if (!*k || *k == '#' || *k == '\r')
			goto next;
		eq = strchr(k, '=');
		if (!eq) {
			rc = -EINVAL;
			goto skip;
		}
		*eq = 0;
		v = eq + 1 + strspn(eq + 1, " \t");
		for (char *e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = 0;
		v[strcspn(v, "\r")] = 0;
		rc = settings_one(s, k, v);
		if (!rc)
			goto next;
skip:
		if (!bad++ && wlen)
			snprintf(warn, wlen, "line %u: %s '%.40s'", lineno,
				 rc > 0 ? "unknown setting" : "bad value for",
				 line);
next:
		p = nl ? nl + 1 : NULL;
	}
	return bad;
}

/* The file's text for @s (every setting it has). */
size_t settings_format(const struct settings *s, char *buf, size_t len)
{
	static const char *const colors[] = {
		[OPT_COLOR_AUTO] = "auto", [OPT_COLOR_LIGHT] = "light",
		[OPT_COLOR_DARK] = "dark", [OPT_COLOR_NONE] = "none",
	};
	char delay[32];
	int n;

	snprintf(delay, sizeof(delay), "%.3f", (double)s->delay_ns / 1e9);
	/* "1.000" reads back as it was; drop the trailing zeros anyway. */
	for (char *e = delay + strlen(delay) - 1; *e == '0' && e[-1] != '.'; e--)
		*e = 0;
	n = snprintf(buf, len,
		     "# vfiomigtop settings, written by S on the screen (vfiomigtop(8), FILES)\n"
		     "version=%d\n"
		     "color=%s\n"
		     "sort=%s\n"
		     "sort_invert=%d\n"
		     "delay=%s\n"
		     "filter=%s\n"
		     "ascii=%d\n"
		     "events_verdicts=%d\n",
		     SETTINGS_VERSION,
		     (unsigned int)s->color < 4 ? colors[s->color] : "auto",
		     rows_sort_name(s->sort), s->invert, delay, s->filter,
		     s->ascii, s->ev_verdicts);
	return n < 0 ? 0 : (size_t)n;
}

/*
 * Read the settings file into @s.  No file is no settings (0); a file
 * that cannot be read, or lines that cannot be understood, give a
 * warning in @warn and whatever could be read.
 */
int settings_load(struct settings *s, char *warn, size_t wlen)
{
	char path[4096], *text;
	size_t got = 0;
	ssize_t n;
	int fd;

	memset(s, 0, sizeof(*s));
	warn[0] = 0;
	if (settings_path(getenv("XDG_CONFIG_HOME"), getenv("HOME"), path,
			  sizeof(path)))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			snprintf(warn, wlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? 0 : -errno;
	}
	text = malloc(SETTINGS_MAX + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (got < SETTINGS_MAX &&
	       (n = read(fd, text + got, SETTINGS_MAX - got)) > 0)
		got += (size_t)n;
	close(fd);
	text[got] = 0;
	if (strlen(text) != got) {
		snprintf(warn, wlen, "%s: not a text file, ignored", path);
		free(text);
		return -EINVAL;
	}
	if (settings_parse(text, s, warn, wlen)) {
		char w[256];

		snprintf(w, sizeof(w), "%s", warn);
		snprintf(warn, wlen, "%s: %s (skipped)", path, w);
	}
	free(text);
	return 0;
}

/* mkdir -p of @path's directory (not @path itself). */
static int settings_mkdirs(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return 0;
}

/*
 * Write @s to the settings file: a temporary file in the same directory,
 * then renamed over the old one.  The path goes to @path.
 */
int settings_save(const struct settings *s, char *path, size_t plen,
		  char *err, size_t elen)
{
	char tmp[4200], text[1024];
	size_t len = settings_format(s, text, sizeof(text));
	int fd, rc = 0;

	if (settings_path(getenv("XDG_CONFIG_HOME"), getenv("HOME"), path,
			  plen)) {
		snprintf(err, elen, "no place for settings: set HOME or XDG_CONFIG_HOME");
		return -ENOENT;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((rc = settings_mkdirs(tmp)) ||
	    (fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = rc ? rc : -errno;
		snprintf(err, elen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd))
		rc = errno ? -errno : -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		snprintf(err, elen, "%s: %s", path, strerror(-rc));
	}
	return rc;
}
