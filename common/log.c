// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>

#include "common/log.h"
#include "common/paths.h"

static int kmsg_fd = -1;
static int max_level = LOG_INFO;
static const char *prog_name = "vfio-early";

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return NULL;
	default:
		return "debug";
	}
}

int log_parse_target(const char *s, enum vfe_log_target *ret)
{
	if (streq(s, "auto"))
		*ret = VFE_LOG_AUTO;
	else if (streq(s, "stderr"))
		*ret = VFE_LOG_STDERR;
	else if (streq(s, "kmsg"))
		*ret = VFE_LOG_KMSG;
	else
		return -EINVAL;
	return 0;
}

void log_open(const struct vfe_root *r, enum vfe_log_target t, const char *prog)
{
	if (prog)
		prog_name = prog;
	log_close();
	if (t == VFE_LOG_AUTO)
		t = (!isatty(STDERR_FILENO) && vfe_exists(r, PATH_INITRD_RELEASE)) ? VFE_LOG_KMSG : VFE_LOG_STDERR;
	if (t != VFE_LOG_KMSG)
		return;
	kmsg_fd = openat(r->fd, PATH_KMSG, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
}

void log_close(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
}

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

/* /dev/kmsg takes one record per write() and rejects records over ~1 KiB. */
static void write_kmsg(int level, const char *msg)
{
	char rec[1000];
	int l = snprintf(rec, sizeof(rec), "<%d>%s: %s\n", LOG_USER | level, prog_name, msg);

	if (l < 0)
		return;
	if ((size_t)l >= sizeof(rec)) {
		l = sizeof(rec) - 1;
		rec[l - 1] = '\n';
	}
	if (write(kmsg_fd, rec, (size_t)l) < 0)
		fprintf(stderr, "%s: %s\n", prog_name, msg);
}

int log_full(int level, int err, const char *fmt, ...)
{
	int saved = errno;
	char msg[1024];
	const char *lvl;
	va_list ap;

	if (level > max_level)
		goto out;
	if (err < 0)
		errno = -err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kmsg_fd >= 0) {
		write_kmsg(level, msg);
		goto out;
	}
	lvl = level_name(level);
	if (lvl)
		fprintf(stderr, "%s: %s: %s\n", prog_name, lvl, msg);
	else
		fprintf(stderr, "%s: %s\n", prog_name, msg);
out:
	errno = err < 0 ? -err : saved;
	return err;
}
