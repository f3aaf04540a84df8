// SPDX-License-Identifier: GPL-2.0-only
/*
 * migtest: drive a real VFIO migration between two mdevs (the mtty sample)
 * and check the vfiomig module's files against the kernel at every step.
 *
 *   migtest [-r ROOT] migrate SRC_UUID DST_UUID
 *       source RUNNING->PRE_COPY->STOP_COPY->STOP, destination
 *       STOP->RESUMING->STOP->RUNNING, then failed migrations (truncated and
 *       corrupt data) and VFIO_DEVICE_RESET.  After every step the state file
 *       (one fd kept open, re-read with pread at offset 0) must equal
 *       VFIO_DEVICE_FEATURE GET; the arcs files must hold exactly the steps
 *       the kernel's FSM took; poll() on arcs and inotify IN_MODIFY on state
 *       must report the transitions.
 *   migtest [-r ROOT] reader FILE
 *       re-read FILE with pread until it disappears; pass if the reads ended
 *       with EIO or ENODEV (device removed under an open file).
 *   migtest churn UUID COUNT
 *       COUNT round trips RUNNING->STOP->RUNNING, e.g. while the module is
 *       loaded and unloaded.
 *   migtest [-r ROOT] overflow UUID COUNT
 *       COUNT round trips RUNNING->STOP->RUNNING (4 arcs each) without
 *       reading UUID's arcs file, then read it: more than the ring holds
 *       must show as a "# lost N" line and a seq gap of exactly N, the
 *       rest contiguous; a rewind shows the whole ring without "lost".
 *   migtest flip UUID
 *       for each line on stdin naming a state (STOP, RUNNING, ...), set it
 *       and print "t NS ok" (or "t NS fail"), NS the CLOCK_MONOTONIC ns
 *       just before the ioctl: the screen benchmark's clock for the time
 *       from a state change to its event (vm-qemu.sh screen).
 *   migtest [-r ROOT] hold DEV
 *       keep DEV's state, features and arcs files open while the device is
 *       removed and created again (run by the guest script, which removes
 *       it after "hold: ready" and creates it again after "hold:
 *       removed"; the open files also keep the module loaded): pollers
 *       blocked in poll(), select() and epoll_wait() and a state reader
 *       must return promptly with POLLHUP or EIO; every stale fd then fails
 *       with EIO (POLLHUP for poll) before and after the device is back;
 *       fds are closed both while the device is gone and after it is
 *       back.
 *
 * Output is one line per check, "ok ..." or "not ok ...", and a summary.
 * Built static against the uapi <linux/vfio.h> of the kernel under test
 * (the migration and churn modes need 6.2+ states only for the 6.12 test).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

/* The 6.2 uapi additions, when built against 6.1's header. */
#ifndef VFIO_MIG_GET_PRECOPY_INFO
#define VFIO_DEVICE_STATE_PRE_COPY	6
#define VFIO_DEVICE_STATE_PRE_COPY_P2P	7
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};
#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif

#define NR_STATES 8
#define STATE_INVALID (-100)

static const char *const state_names[NR_STATES] = {
	"ERROR", "STOP", "RUNNING", "STOP_COPY",
	"RESUMING", "RUNNING_P2P", "PRE_COPY", "PRE_COPY_P2P",
};

static const char *root = "/sys/kernel/debug/vfio";
static int n_ok, n_fail;

/* ---- reporting ---------------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
check(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (cond)
		n_ok++;
	else
		n_fail++;
}

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	printf("not ok - fatal: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static const char *state_name(int s)
{
	if (s >= 0 && s < NR_STATES)
		return state_names[s];
	return s == STATE_INVALID ? "Invalid" : "?";
}

static int state_parse(const char *tok)
{
	for (int i = 0; i < NR_STATES; i++)
		if (!strcmp(tok, state_names[i]))
			return i;
	return STATE_INVALID;
}

/* ---- one vfio device and its module files -------------------------------- */

struct dev {
	const char *name;	/* "src" or "dst" */
	char uuid[64];
	int container, group, fd;
	off_t bar0;
	int state_fd;		/* <root>/<uuid>/migration/state, kept open */
	int arcs_fd;		/* <root>/<uuid>/migration/arcs, kept open */
	uint64_t arc_seq;	/* seq and time of the last arc read */
	uint64_t arc_t;
	char dir[PATH_MAX];	/* <root>/<uuid>/migration */
};

static int group_of(const char *uuid)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(link, sizeof(link), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		die("readlink %s", link);
	target[n] = '\0';
	slash = strrchr(target, '/');
	return atoi(slash ? slash + 1 : target);
}

static void dev_open(struct dev *d, const char *name, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = {
		.argsz = sizeof(reg), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	char path[PATH_MAX + 16];

	memset(d, 0, sizeof(*d));
	d->name = name;
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);

	/* One container per device, as two VMMs would have. */
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		die("open /dev/vfio/vfio");
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO_GET_API_VERSION");
	if (ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		die("no VFIO_TYPE1v2_IOMMU");

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_of(uuid));
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		die("open %s", path);
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %s not viable", path);
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		die("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO_SET_IOMMU");
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->fd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD %s", uuid);
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		die("VFIO_DEVICE_GET_REGION_INFO");
	d->bar0 = reg.offset;

	snprintf(d->dir, sizeof(d->dir), "%s/%s/migration", root, uuid);
	snprintf(path, sizeof(path), "%s/state", d->dir);
	d->state_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->state_fd < 0)
		die("open %s", path);
	snprintf(path, sizeof(path), "%s/arcs", d->dir);
	d->arcs_fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (d->arcs_fd < 0)
		die("open %s", path);
}

static void dev_close(struct dev *d)
{
	close(d->arcs_fd);
	close(d->state_fd);
	close(d->fd);
	close(d->group);
	close(d->container);
}

/* VFIO_DEVICE_FEATURE with a payload; returns 0 or -errno. */
static int feature(struct dev *d, uint32_t flags, void *payload, size_t len)
{
	uint64_t buf[8] = { 0 };
	struct vfio_device_feature *f = (struct vfio_device_feature *)buf;

	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, payload, len);
	if (ioctl(d->fd, VFIO_DEVICE_FEATURE, f))
		return -errno;
	memcpy(payload, f->data, len);
	return 0;
}

static int mig_get(struct dev *d)
{
	struct vfio_device_feature_mig_state st = { 0 };
	int ret = feature(d, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &st, sizeof(st));

	return ret ? ret : (int)st.device_state;
}

/* Returns 0 or -errno; *data_fd gets the new data fd or -1. */
static int mig_set(struct dev *d, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state st = { .device_state = state };
	int ret = feature(d, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &st, sizeof(st));

	if (data_fd)
		*data_fd = ret ? -1 : st.data_fd;
	else if (!ret && st.data_fd >= 0)
		close(st.data_fd);
	return ret;
}

/* The module's state file, re-read on the same fd: a state, or -errno. */
static int file_state(struct dev *d)
{
	char buf[64];
	ssize_t n = pread(d->state_fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n == 0 || buf[n - 1] != '\n')
		return STATE_INVALID;
	buf[n - 1] = '\0';
	return state_parse(buf);
}

/* The state file must equal GET, and both must equal @want. */
static void check_state(struct dev *d, int want, const char *step)
{
	int got = mig_get(d), file = file_state(d);

	check(file == got && got == want,
	      "%s %s: state file %s, GET %s, expected %s", d->name, step,
	      state_name(file), state_name(got), state_name(want));
}

static int set_step(struct dev *d, int state, int *data_fd, int want_err)
{
	int ret = mig_set(d, state, data_fd);

	check(ret == want_err, "%s SET %s (%d) returns %d (expected %d)",
	      d->name, state_name(state), state, ret, want_err);
	return ret;
}

/* ---- arcs ------------------------------------------------------------- */

struct arc {
	int cur, next, target, ret;
};

#define MAX_ARCS 64

struct arcs {
	struct arc a[MAX_ARCS];
	int n;
	int lost;
	bool bad;		/* malformed line, seq gap or clock problem */
};

/* Read everything new on the arcs fd (non-blocking read returns 0). */
static void arcs_read(struct dev *d, struct arcs *out, uint64_t t0,
		      uint64_t t1)
{
	char buf[16384], *line, *save;
	size_t len = 0;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	while ((n = read(d->arcs_fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	if (n < 0)
		die("read %s/arcs", d->dir);
	buf[len] = '\0';

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char cur[32], next[32], target[32];
		uint64_t seq, t;
		int ret, lost;

		printf("# %s arcs: %s\n", d->name, line);
		if (sscanf(line, "# lost %d", &lost) == 1) {
			out->lost += lost;
			continue;
		}
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %31s %31s %31s %d",
			   &seq, &t, cur, next, target, &ret) != 6 ||
		    out->n == MAX_ARCS) {
			out->bad = true;
			continue;
		}
		/* seq counts up from 1; t_ns is CLOCK_MONOTONIC */
		if (seq != d->arc_seq + 1 || t < d->arc_t || t < t0 || t > t1)
			out->bad = true;
		d->arc_seq = seq;
		d->arc_t = t;
		out->a[out->n++] = (struct arc){
			state_parse(cur),
			strcmp(next, "-") ? state_parse(next) : -1,
			state_parse(target), ret,
		};
	}
}

/* The arcs logged since the last call must be exactly @want. */
static void check_arcs(struct dev *d, const struct arc *want, int n_want,
		       uint64_t t0, const char *what)
{
	struct arcs got;
	bool same;

	arcs_read(d, &got, t0, now_ns());
	same = got.n == n_want && !got.lost && !got.bad;
	for (int i = 0; same && i < n_want; i++)
		same = !memcmp(&got.a[i], &want[i], sizeof(want[i]));
	check(same, "%s arcs of %s: %d logged, %d expected%s", d->name, what,
	      got.n, n_want, got.bad ? ", malformed/out of order" : "");
	if (!same)
		for (int i = 0; i < n_want; i++)
			printf("#   expected %s %s %s %d\n",
			       state_name(want[i].cur),
			       want[i].next < 0 ? "-" : state_name(want[i].next),
			       state_name(want[i].target), want[i].ret);
}

#define ARCS(d, t0, what, ...) do {					\
	const struct arc want_[] = { __VA_ARGS__ };			\
	check_arcs(d, want_, sizeof(want_) / sizeof(want_[0]), t0, what); \
} while (0)

#define ST(x) VFIO_DEVICE_STATE_##x

/* ---- notification checks ------------------------------------------------ */

static bool poll_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Drain pending inotify events. */
static void inotify_drain(int fd)
{
	char buf[4096];

	while (poll_in(fd, 0) && read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Wait for IN_MODIFY on watch @wd. */
static bool inotify_modified(int fd, int wd, int timeout_ms)
{
	char buf[4096] __attribute__((aligned(8)));
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;

	while (now_ns() < end) {
		ssize_t n;

		if (!poll_in(fd, 50))
			continue;
		n = read(fd, buf, sizeof(buf));
		for (ssize_t off = 0; off < n;) {
			struct inotify_event *ev = (void *)(buf + off);

			if (ev->wd == wd && (ev->mask & IN_MODIFY))
				return true;
			off += sizeof(*ev) + ev->len;
		}
	}
	return false;
}

/*
 * A child blocks in poll() on the source's arcs file (same open file, so
 * same cursor) while the parent makes a transition: the child must wake.
 */
static pid_t spawn_poller(struct dev *d)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(poll_in(d->arcs_fd, 5000) ? 0 : 1);
	if (pid < 0)
		die("fork");
	usleep(100000);		/* let it block */
	return pid;
}

static bool poller_woke(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* ---- device data --------------------------------------------------------- */

static void bar_write(struct dev *d, int reg, uint8_t v)
{
	if (pwrite(d->fd, &v, 1, d->bar0 + reg) != 1)
		die("%s BAR0 write", d->name);
}

static uint8_t bar_read(struct dev *d, int reg)
{
	uint8_t v;

	if (pread(d->fd, &v, 1, d->bar0 + reg) != 1)
		die("%s BAR0 read", d->name);
	return v;
}

#define UART_RX_TX	0
#define UART_SCR	7

/* Read a data fd until it has nothing more (0, or ENOMSG in PRE_COPY). */
static size_t read_data(int fd, uint8_t *buf, size_t len, size_t size)
{
	for (;;) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n > 0) {
			len += n;
			continue;
		}
		if (n < 0 && errno != ENOMSG)
			die("read migration data");
		return len;
	}
}

/* ---- the migration ------------------------------------------------------- */

static void check_features(struct dev *d)
{
	uint64_t flags = 0;
	char buf[256], path[PATH_MAX + 16], want[256] = "";
	ssize_t n;
	int fd;

	int ret = feature(d, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_MIGRATION, &flags, sizeof(flags));

	check(!ret, "%s GET MIGRATION flags %#" PRIx64, d->name, flags);
	if (flags & VFIO_MIGRATION_STOP_COPY)
		strcat(want, "stop-copy\n");
	if (flags & VFIO_MIGRATION_P2P)
		strcat(want, "p2p\n");
	if (flags & VFIO_MIGRATION_PRE_COPY)
		strcat(want, "pre-copy\n");
	strcat(want, "dirty-tracking\n");	/* mtty has (dummy) log_ops */

	snprintf(path, sizeof(path), "%s/features", d->dir);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	if (fd >= 0)
		close(fd);
	check(!strcmp(buf, want), "%s features file matches the flags",
	      d->name);
}

/*
 * With a monitor watching (MIGTEST_PAUSE_MS set), give it time to see each
 * outcome before the next case starts.
 */
static void phase_pause(void)
{
	const char *ms = getenv("MIGTEST_PAUSE_MS");

	if (ms && atoi(ms) > 0)
		usleep((useconds_t)atoi(ms) * 1000);
}

static void migrate(const char *src_uuid, const char *dst_uuid)
{
	struct dev src, dst;
	uint8_t data[4096], bad[64];
	size_t len = 0;
	int fd, dfd, inot, wd_state, wd_dir;
	uint64_t t0, t_mig;
	pid_t poller;

	dev_open(&src, "src", src_uuid);
	dev_open(&dst, "dst", dst_uuid);

	check_features(&src);
	check_state(&src, ST(RUNNING), "initial");
	check_state(&dst, ST(RUNNING), "initial");
	t0 = now_ns();
	ARCS(&src, t0, "open (none yet)");
	ARCS(&dst, t0, "open (none yet)");

	inot = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	{
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/state", src.dir);
		wd_state = inotify_add_watch(inot, path, IN_MODIFY);
		wd_dir = inotify_add_watch(inot, dst.dir, IN_MODIFY);
	}
	check(inot >= 0 && wd_state >= 0 && wd_dir >= 0, "inotify watches");

	/* Device state the destination must end up with. */
	bar_write(&src, UART_SCR, 0xa5);
	bar_write(&src, UART_RX_TX, 'H');
	bar_write(&src, UART_RX_TX, 'I');

	check(!poll_in(src.arcs_fd, 0), "src arcs not readable before a step");
	poller = spawn_poller(&src);

	/* Source: RUNNING -> PRE_COPY (data fd) */
	t_mig = t0 = now_ns();
	set_step(&src, ST(PRE_COPY), &fd, 0);
	check(fd >= 0, "src PRE_COPY returned a data fd");
	check(poller_woke(poller), "poll() on src arcs woke up");
	check(poll_in(src.arcs_fd, 0), "src arcs readable after a step");
	check(inotify_modified(inot, wd_state, 2000),
	      "inotify IN_MODIFY on src state");
	check_state(&src, ST(PRE_COPY), "after PRE_COPY");
	ARCS(&src, t0, "PRE_COPY",
	     { ST(RUNNING), ST(PRE_COPY), ST(PRE_COPY), 0 });
	check(!poll_in(src.arcs_fd, 0), "src arcs not readable once read");
	{
		struct vfio_precopy_info info = { .argsz = sizeof(info) };
		int ret = ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info);

		check(!ret && info.initial_bytes > 0,
		      "src PRECOPY_INFO initial_bytes %llu",
		      (unsigned long long)info.initial_bytes);
	}
	len = read_data(fd, data, len, sizeof(data));

	/* Source: PRE_COPY -> STOP_COPY via PRE_COPY_P2P, same data fd */
	t0 = now_ns();
	set_step(&src, ST(STOP_COPY), &dfd, 0);
	if (dfd >= 0) {
		close(fd);
		fd = dfd;
	}
	check_state(&src, ST(STOP_COPY), "after STOP_COPY");
	ARCS(&src, t0, "STOP_COPY",
	     { ST(PRE_COPY), ST(PRE_COPY_P2P), ST(STOP_COPY), 0 },
	     { ST(PRE_COPY_P2P), ST(STOP_COPY), ST(STOP_COPY), 0 });
	len = read_data(fd, data, len, sizeof(data));
	check(len > 24, "src sent %zu bytes of device state", len);

	t0 = now_ns();
	set_step(&src, ST(STOP), NULL, 0);
	close(fd);
	check_state(&src, ST(STOP), "after STOP");
	ARCS(&src, t0, "STOP", { ST(STOP_COPY), ST(STOP), ST(STOP), 0 });

	/* Destination: RUNNING -> STOP -> RESUMING -> STOP -> RUNNING */
	inotify_drain(inot);
	t0 = now_ns();
	set_step(&dst, ST(STOP), NULL, 0);
	check_state(&dst, ST(STOP), "after STOP");
	check(inotify_modified(inot, wd_dir, 2000),
	      "inotify IN_MODIFY in dst migration/ directory");
	ARCS(&dst, t0, "STOP",
	     { ST(RUNNING), ST(RUNNING_P2P), ST(STOP), 0 },
	     { ST(RUNNING_P2P), ST(STOP), ST(STOP), 0 });

	t0 = now_ns();
	set_step(&dst, ST(RESUMING), &fd, 0);
	check(fd >= 0, "dst RESUMING returned a data fd");
	check_state(&dst, ST(RESUMING), "after RESUMING");
	check(write(fd, data, len) == (ssize_t)len, "dst accepted %zu bytes",
	      len);
	set_step(&dst, ST(STOP), NULL, 0);
	close(fd);
	check_state(&dst, ST(STOP), "after loading");
	set_step(&dst, ST(RUNNING), NULL, 0);
	t_mig = now_ns() - t_mig;
	check_state(&dst, ST(RUNNING), "after RUNNING");
	ARCS(&dst, t0, "RESUMING, STOP, RUNNING",
	     { ST(STOP), ST(RESUMING), ST(RESUMING), 0 },
	     { ST(RESUMING), ST(STOP), ST(STOP), 0 },
	     { ST(STOP), ST(RUNNING_P2P), ST(RUNNING), 0 },
	     { ST(RUNNING_P2P), ST(RUNNING), ST(RUNNING), 0 });
	check(bar_read(&dst, UART_SCR) == 0xa5 &&
	      bar_read(&dst, UART_RX_TX) == 'H' &&
	      bar_read(&dst, UART_RX_TX) == 'I',
	      "device state arrived on dst (SCR and FIFO)");
	printf("# migration took %.3f ms\n", t_mig / 1e6);
	phase_pause();

	/* Requests the FSM refuses are logged with ret -22 and no next. */
	t0 = now_ns();
	set_step(&dst, ST(ERROR), NULL, -EINVAL);
	set_step(&dst, 42, NULL, -EINVAL);
	check_state(&dst, ST(RUNNING), "after refused requests");
	ARCS(&dst, t0, "refused ERROR and 42",
	     { ST(RUNNING), -1, ST(ERROR), -22 },
	     { ST(RUNNING), -1, STATE_INVALID, -22 });
	phase_pause();

	/* Failed migration 1: truncated data (header only). */
	t0 = now_ns();
	set_step(&dst, ST(RESUMING), &fd, 0);
	check(write(fd, data, 24) == 24, "dst accepted a 24-byte header");
	set_step(&dst, ST(STOP), NULL, -EINVAL);
	close(fd);
	check_state(&dst, ST(RESUMING), "after truncated data");
	ARCS(&dst, t0, "truncated data",
	     { ST(RUNNING), ST(RUNNING_P2P), ST(RESUMING), 0 },
	     { ST(RUNNING_P2P), ST(STOP), ST(RESUMING), 0 },
	     { ST(STOP), ST(RESUMING), ST(RESUMING), 0 },
	     { ST(RESUMING), ST(STOP), ST(STOP), 0 });
	phase_pause();
	check(!ioctl(dst.fd, VFIO_DEVICE_RESET), "dst VFIO_DEVICE_RESET");
	check_state(&dst, ST(RUNNING), "after reset");
	phase_pause();

	/* Failed migration 2: corrupt header (bad magic). */
	memcpy(bad, data, 24);
	bad[0] ^= 0xff;
	t0 = now_ns();
	set_step(&dst, ST(RESUMING), &fd, 0);
	{
		ssize_t n = write(fd, bad, 24);
		int err = errno;

		check(n < 0 && err == EFAULT,
		      "dst refused a corrupt header (%s)",
		      n < 0 ? strerror(err) : "accepted");
	}
	set_step(&dst, ST(STOP), NULL, -EINVAL);
	close(fd);
	check_state(&dst, ST(RESUMING), "after corrupt data");
	ARCS(&dst, t0, "corrupt data",
	     { ST(RUNNING), ST(RUNNING_P2P), ST(RESUMING), 0 },
	     { ST(RUNNING_P2P), ST(STOP), ST(RESUMING), 0 },
	     { ST(STOP), ST(RESUMING), ST(RESUMING), 0 },
	     { ST(RESUMING), ST(STOP), ST(STOP), 0 });
	phase_pause();
	check(!ioctl(dst.fd, VFIO_DEVICE_RESET), "dst VFIO_DEVICE_RESET");
	check_state(&dst, ST(RUNNING), "after reset");
	ARCS(&dst, t0, "reset (not an FSM step)");
	phase_pause();

	/* Back to a clean source for later runs. */
	check(!ioctl(src.fd, VFIO_DEVICE_RESET), "src VFIO_DEVICE_RESET");
	check_state(&src, ST(RUNNING), "after reset");

	/* A rewind (pread at 0) returns the whole ring again. */
	{
		char buf[8192];
		ssize_t n = pread(dst.arcs_fd, buf, sizeof(buf) - 1, 0);
		int lines = 0;

		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		check(lines == 16, "dst arcs pread at 0 shows all %d arcs",
		      lines);
	}

	close(inot);
	dev_close(&src);
	dev_close(&dst);
}

/* ---- removal under a reader ------------------------------------------- */

static void reader(const char *path)
{
	int fd = open(path, O_RDONLY);
	char buf[64];
	long reads = 0;
	uint64_t end = now_ns() + 20ull * 1000000000u;
	ssize_t n;

	if (fd < 0)
		die("open %s", path);
	n = pread(fd, buf, sizeof(buf), 0);
	check(n > 0, "reader: first read of %s", path);
	printf("reader: reading\n");
	fflush(stdout);
	while ((n = pread(fd, buf, sizeof(buf), 0)) > 0 && now_ns() < end) {
		reads++;
		usleep(1000);
	}
	check(n < 0 && (errno == EIO || errno == ENODEV),
	      "reader: %ld reads, then %s", reads,
	      n < 0 ? strerror(errno) : "timeout");
	close(fd);
}

/* ---- device removal and return under open files ----------------------- */

/* What a waiter child reports through the pipe. */
struct hold_rec {
	int kind;		/* HOLD_* */
	int ret;		/* return value of the call */
	int err;		/* errno when ret < 0 */
	unsigned int revents;	/* poll revents, epoll events, select: 1 */
	long reads;		/* state reader: successful reads */
	uint64_t t_ns;		/* when the call returned */
};

enum { HOLD_POLL, HOLD_SELECT, HOLD_EPOLL, HOLD_READER, HOLD_NKINDS };

static const char *const hold_names[HOLD_NKINDS] = {
	"poll()", "select()", "epoll_wait()", "state reader",
};

#define HOLD_WAIT_MS 120000
/* How soon a waiter must return after its device's directory went. */
#define HOLD_PROMPT_NS 5000000000ull

static void hold_child(int pipe_w, int kind, int fd, int ep)
{
	struct hold_rec rec = { .kind = kind };

	switch (kind) {
	case HOLD_POLL: {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		rec.ret = poll(&p, 1, HOLD_WAIT_MS);
		rec.revents = p.revents;
		break;
	}
	case HOLD_SELECT: {
		fd_set rd;
		struct timeval tv = { .tv_sec = HOLD_WAIT_MS / 1000 };

		FD_ZERO(&rd);
		FD_SET(fd, &rd);
		rec.ret = select(fd + 1, &rd, NULL, NULL, &tv);
		rec.revents = rec.ret > 0 && FD_ISSET(fd, &rd);
		break;
	}
	case HOLD_EPOLL: {
		struct epoll_event ev = { 0 };

		rec.ret = epoll_wait(ep, &ev, 1, HOLD_WAIT_MS);
		rec.revents = ev.events;
		break;
	}
	case HOLD_READER: {
		char buf[64];
		uint64_t end = now_ns() + HOLD_WAIT_MS * 1000000ull;

		while ((rec.ret = pread(fd, buf, sizeof(buf), 0)) > 0 &&
		       now_ns() < end) {
			rec.reads++;
			usleep(1000);
		}
		break;
	}
	}
	rec.err = rec.ret < 0 ? errno : 0;
	rec.t_ns = now_ns();
	if (write(pipe_w, &rec, sizeof(rec)) != sizeof(rec))
		_exit(2);
	_exit(0);
}

/* Wait until @path exists (@want) or not; CLOCK_MONOTONIC ns or 0. */
static uint64_t hold_wait_path(const char *path, bool want, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;
	struct stat st;

	do {
		if ((stat(path, &st) == 0) == want)
			return now_ns();
		usleep(5000);
	} while (now_ns() < end);
	return 0;
}

/* A stale fd: the call fails with EIO. */
static void hold_check_eio(const char *what, ssize_t ret)
{
	int err = errno;

	check(ret < 0 && err == EIO, "hold: %s on a stale fd fails with EIO (%s)",
	      what, ret < 0 ? strerror(err) : "succeeded");
}

/* The stale fds once the device is gone (and again once it is back). */
static void hold_check_stale(int fd_s, int fd_f, int fd_a, int ep,
			     const char *when)
{
	char buf[64], what[64];
	struct pollfd p = { .fd = fd_a, .events = POLLIN };
	struct epoll_event ev = { 0 };
	int n;

	snprintf(what, sizeof(what), "state pread (%s)", when);
	hold_check_eio(what, pread(fd_s, buf, sizeof(buf), 0));
	if (fd_f >= 0) {
		snprintf(what, sizeof(what), "features read (%s)", when);
		hold_check_eio(what, read(fd_f, buf, sizeof(buf)));
	}
	snprintf(what, sizeof(what), "arcs read (%s)", when);
	hold_check_eio(what, read(fd_a, buf, sizeof(buf)));
	snprintf(what, sizeof(what), "arcs lseek (%s)", when);
	hold_check_eio(what, lseek(fd_a, 0, SEEK_SET));
	n = poll(&p, 1, 0);
	check(n == 1 && (p.revents & POLLHUP),
	      "hold: poll on a stale arcs fd reports POLLHUP (%s, revents %#x)",
	      when, (unsigned int)p.revents);
	n = epoll_wait(ep, &ev, 1, 0);
	check(n == 1 && (ev.events & EPOLLHUP),
	      "hold: epoll reports EPOLLHUP for a stale arcs fd (%s, events %#x)",
	      when, (unsigned int)ev.events);
}

static void hold(const char *dev)
{
	char dir[PATH_MAX], devdir[PATH_MAX], path[PATH_MAX + 16], buf[4096];
	int fd_s, fd_f, fd_a, fd_a2, ep, pfd[2];
	struct epoll_event ev = { .events = EPOLLIN };
	pid_t pids[HOLD_NKINDS];
	bool seen[HOLD_NKINDS] = { false };
	uint64_t t_gone, t_back;
	ssize_t n;

	snprintf(devdir, sizeof(devdir), "%s/%s", root, dev);
	snprintf(dir, sizeof(dir), "%s/%s/migration", root, dev);
	snprintf(path, sizeof(path), "%s/state", dir);
	fd_s = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/features", dir);
	fd_f = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/arcs", dir);
	fd_a = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	fd_a2 = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd_s < 0 || fd_f < 0 || fd_a < 0 || fd_a2 < 0)
		die("hold: open the files of %s", dir);
	n = pread(fd_s, buf, sizeof(buf), 0);
	check(n > 0, "hold: state reads %.*s", n > 0 ? (int)n - 1 : 0, buf);
	while (read(fd_a, buf, sizeof(buf)) > 0)
		;
	while (read(fd_a2, buf, sizeof(buf)) > 0)
		;
	check(!poll_in(fd_a, 0), "hold: arcs has nothing new");

	/* Both arcs fds in one epoll set: one is closed while the device is
	 * gone, the other after it is back (epoll then unhooks its wait). */
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd_a, &ev) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd_a2, &ev))
		die("hold: epoll");

	if (pipe(pfd))
		die("hold: pipe");
	for (int k = 0; k < HOLD_NKINDS; k++) {
		pids[k] = fork();
		if (pids[k] < 0)
			die("hold: fork");
		if (pids[k] == 0)
			hold_child(pfd[1], k, k == HOLD_READER ? fd_s : fd_a, ep);
	}
	close(pfd[1]);
	usleep(200000);		/* let them block */
	printf("hold: ready\n");
	fflush(stdout);

	t_gone = hold_wait_path(devdir, false, HOLD_WAIT_MS);
	check(t_gone, "hold: the device was removed (%s gone)", devdir);

	/* Every waiter returns promptly after the directory went. */
	for (int i = 0; i < HOLD_NKINDS; i++) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		struct hold_rec rec;
		bool fine;

		if (poll(&p, 1, 5000) != 1 ||
		    read(pfd[0], &rec, sizeof(rec)) != sizeof(rec) ||
		    rec.kind < 0 || rec.kind >= HOLD_NKINDS)
			break;
		seen[rec.kind] = true;
		switch (rec.kind) {
		case HOLD_POLL:
			fine = rec.ret == 1 && (rec.revents & POLLHUP);
			break;
		case HOLD_SELECT:
			fine = rec.ret == 1 && rec.revents;
			break;
		case HOLD_EPOLL:
			fine = rec.ret == 1 && (rec.revents & EPOLLHUP);
			break;
		default:
			fine = rec.ret < 0 && rec.err == EIO && rec.reads > 0;
			break;
		}
		check(fine && t_gone && rec.t_ns < t_gone + HOLD_PROMPT_NS,
		      "hold: %s returned %d (%s, revents %#x, %ld reads), %+.0f ms from the directory's removal",
		      hold_names[rec.kind], rec.ret,
		      rec.ret < 0 ? strerror(rec.err) : "-", rec.revents,
		      rec.reads,
		      t_gone ? ((double)rec.t_ns - (double)t_gone) / 1e6 : 0);
	}
	for (int k = 0; k < HOLD_NKINDS; k++) {
		if (!seen[k]) {
			check(false, "hold: %s did not return", hold_names[k]);
			kill(pids[k], SIGKILL);
		}
		waitpid(pids[k], NULL, 0);
	}
	close(pfd[0]);

	hold_check_stale(fd_s, fd_f, fd_a, ep, "removed");
	/* Closed while the device is gone. */
	close(fd_f);
	close(fd_a2);
	printf("hold: removed\n");
	fflush(stdout);

	snprintf(path, sizeof(path), "%s/state", dir);
	t_back = hold_wait_path(path, true, HOLD_WAIT_MS);
	check(t_back, "hold: the device is back (%s)", path);
	hold_check_stale(fd_s, -1, fd_a, ep, "back");
	{
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		check(n > 0, "hold: a new open of state reads %.*s",
		      n > 0 ? (int)n - 1 : 0, buf);
		if (fd >= 0)
			close(fd);
	}
	/* Closed after the device is back; fd_a is still in the epoll set. */
	close(fd_a);
	close(ep);
	close(fd_s);
	printf("hold: closed\n");
}

/* ---- churn: state changes while the module comes and goes -------------- */

/* Open the device alone, without the module's files (they may come and go). */
static void dev_open_fsm(struct dev *d, const char *what, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	d->name = what;
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_of(uuid));
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->container < 0 || d->group < 0 ||
	    ioctl(d->group, VFIO_GROUP_GET_STATUS, &status) ||
	    ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container) ||
	    ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("%s: open group of %s", what, uuid);
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->fd < 0)
		die("%s: open %s", what, uuid);
}

static void dev_close_fsm(struct dev *d)
{
	close(d->fd);
	close(d->group);
	close(d->container);
}

/* Walk RUNNING -> STOP -> RUNNING @n times: every step is an arc. */
static int round_trips(struct dev *d, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++)
		bad += mig_set(d, ST(STOP), NULL) != 0 ||
		       mig_set(d, ST(RUNNING), NULL) != 0;
	return bad;
}

static void churn(const char *uuid, int n)
{
	struct dev d = { 0 };
	int bad;

	dev_open_fsm(&d, "churn", uuid);
	bad = round_trips(&d, n);
	check(!bad && mig_get(&d) == ST(RUNNING),
	      "churn: %d round trips RUNNING->STOP->RUNNING, %d failed", n, bad);
	dev_close_fsm(&d);
}

/* ---- flip: state changes on request, with their times -------------------- */

static void flip(const char *uuid)
{
	struct dev d = { 0 };
	char line[64];

	dev_open_fsm(&d, "flip", uuid);
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		int st;
		uint64_t t;

		line[strcspn(line, "\n")] = 0;
		st = state_parse(line);
		if (st < 0) {
			printf("t 0 fail\n");
		} else {
			t = now_ns();
			printf("t %llu %s\n", (unsigned long long)t,
			       mig_set(&d, (uint32_t)st, NULL) ? "fail" : "ok");
		}
		fflush(stdout);
	}
	dev_close_fsm(&d);
	exit(0);
}

/* ---- overflow of the arc ring -------------------------------------------- */

/* A value of the module's status file <root>/vfiomig, or -1. */
static long status_value(const char *key)
{
	char path[PATH_MAX], line[128], name[64];
	long v, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/vfiomig", root);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &v) == 2 && !strcmp(name, key))
			ret = v;
	fclose(f);
	return ret;
}

struct ovf_read {
	uint64_t lost;		/* sum of "# lost N" lines */
	int lost_lines;
	int n;			/* arc lines */
	uint64_t first, last;	/* their seqs */
	bool contiguous;	/* each arc's seq is the previous one's + 1 */
	bool lost_first;	/* the lost line came before any arc */
	bool bad;		/* anything else */
};

static void ovf_parse(const char *buf, size_t len, struct ovf_read *o)
{
	const char *p = buf, *end = buf + len;

	memset(o, 0, sizeof(*o));
	o->contiguous = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		char line[256], c[32], nx[32], tg[32];
		uint64_t seq, t, lost;
		int ret;

		if (!nl || nl - p >= (long)sizeof(line)) {
			o->bad = true;
			return;
		}
		memcpy(line, p, nl - p);
		line[nl - p] = '\0';
		p = nl + 1;
		if (sscanf(line, "# lost %" SCNu64, &lost) == 1) {
			o->lost += lost;
			o->lost_lines++;
			o->lost_first = !o->n;
			continue;
		}
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %31s %31s %31s %d",
			   &seq, &t, c, nx, tg, &ret) != 6) {
			o->bad = true;
			continue;
		}
		if (o->n && seq != o->last + 1)
			o->contiguous = false;
		if (!o->n)
			o->first = seq;
		o->last = seq;
		o->n++;
	}
}

static size_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size && (n = read(fd, buf + len, size - len)) > 0)
		len += n;
	return len;
}

static void overflow(const char *uuid, int n)
{
	static char buf[1 << 17];
	char path[PATH_MAX + 32];
	struct dev d = { 0 };
	struct ovf_read o;
	long ring = status_value("arcs_ring");
	uint64_t last, steps = 4ull * n, want_lost;
	size_t len;
	int fd, bad;

	check(ring > 0, "overflow: the status file gives the ring size (%ld)",
	      ring);
	if (ring <= 0)
		return;
	dev_open_fsm(&d, "overflow", uuid);
	snprintf(path, sizeof(path), "%s/%s/migration/arcs", root, uuid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		die("open %s", path);

	/* One step at least, so that the cursor is past offset 0. */
	round_trips(&d, 1);
	ovf_parse(buf, read_all(fd, buf, sizeof(buf)), &o);
	check(o.n > 0 && !o.bad, "overflow: %d arcs before, up to seq %" PRIu64,
	      o.n, o.last);
	last = o.last;

	bad = round_trips(&d, n);
	check(!bad, "overflow: %d round trips (%" PRIu64 " steps) unread, %d failed",
	      n, steps, bad);
	want_lost = steps > (uint64_t)ring ? steps - ring : 0;

	len = read_all(fd, buf, sizeof(buf));
	ovf_parse(buf, len, &o);
	check(!o.bad && o.lost_lines == 1 && o.lost_first && o.lost == want_lost,
	      "overflow: a reader behind sees \"# lost %" PRIu64 "\" first (expected %" PRIu64 ")",
	      o.lost, want_lost);
	check(o.n == ring && o.contiguous && o.first == last + want_lost + 1 &&
	      o.last == last + steps,
	      "overflow: then the %d kept arcs, seq %" PRIu64 "..%" PRIu64 " contiguous, a gap of %" PRIu64 " after %" PRIu64,
	      o.n, o.first, o.last, o.first - last - 1, last);
	check(!poll_in(fd, 0), "overflow: nothing more to read");

	/* A rewind starts at the oldest arc kept: no "lost" line. */
	len = pread(fd, buf, sizeof(buf), 0);
	len += read_all(fd, buf + len, sizeof(buf) - len);
	ovf_parse(buf, len, &o);
	check(!o.bad && !o.lost_lines && o.n == ring && o.contiguous &&
	      o.last == last + steps,
	      "overflow: a rewind shows the %d kept arcs from seq %" PRIu64 ", no lost line",
	      o.n, o.first);
	printf("# overflow: arcs_missed %ld\n", status_value("arcs_missed"));
	close(fd);
	dev_close_fsm(&d);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: migtest [-r ROOT] migrate SRC_UUID DST_UUID\n"
		"       migtest [-r ROOT] reader FILE\n"
		"       migtest churn UUID COUNT\n"
		"       migtest flip UUID\n"
		"       migtest [-r ROOT] overflow UUID COUNT\n"
		"       migtest [-r ROOT] hold DEV\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			usage();
		root = optarg;
	}
	argc -= optind;
	argv += optind;

	if (argc == 3 && !strcmp(argv[0], "migrate"))
		migrate(argv[1], argv[2]);
	else if (argc == 2 && !strcmp(argv[0], "reader"))
		reader(argv[1]);
	else if (argc == 3 && !strcmp(argv[0], "churn"))
		churn(argv[1], atoi(argv[2]));
	else if (argc == 2 && !strcmp(argv[0], "flip"))
		flip(argv[1]);
	else if (argc == 3 && !strcmp(argv[0], "overflow"))
		overflow(argv[1], atoi(argv[2]));
	else if (argc == 2 && !strcmp(argv[0], "hold"))
		hold(argv[1]);
	else
		usage();

	printf("migtest: %d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}
