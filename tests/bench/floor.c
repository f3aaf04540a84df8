// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floor.c - the least any monitor can do, for the benchmark: open every
 * state file once, then per refresh one pread per file at offset 0 and one
 * short printed line per device, and sleep between refreshes.
 *   floor ROOT[:ROOT...] REFRESHES INTERVAL_MS
 * REFRESHES 0 runs until killed (for CPU measured from outside).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec iv;
	DIR *d;
	struct dirent *de;
	char path[4096], buf[64];
	int *fds = NULL;
	char **names = NULL;
	size_t n = 0;
	long refreshes, ms;

	if (argc != 4)
		return 2;
	refreshes = atol(argv[2]);
	ms = atol(argv[3]);
	iv.tv_sec = ms / 1000;
	iv.tv_nsec = (ms % 1000) * 1000000;
	for (char *root = strtok(argv[1], ":"); root; root = strtok(NULL, ":")) {
		d = opendir(root);
		if (!d)
			return 1;
		while ((de = readdir(d))) {
			int fd;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/migration/state",
				 root, de->d_name);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			fds = realloc(fds, (n + 1) * sizeof(*fds));
			names = realloc(names, (n + 1) * sizeof(*names));
			fds[n] = fd;
			names[n] = strdup(de->d_name);
			n++;
		}
		closedir(d);
	}
	for (long r = 0; !refreshes || r < refreshes; r++) {
		for (size_t i = 0; i < n; i++) {
			ssize_t k = pread(fds[i], buf, sizeof(buf) - 1, 0);

			buf[k > 0 ? k : 0] = 0;
			printf("%s %s", names[i], buf);
		}
		fflush(stdout);
		nanosleep(&iv, NULL);
	}
	return 0;
}
