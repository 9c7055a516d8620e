// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "common/kmsg.h"
#include "common/log.h"
#include "common/paths.h"

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
	if (t == VFE_LOG_KMSG)
		(void)kmsg_open(r); /* no kernel log: stderr it is */
}

void log_close(void)
{
	kmsg_close();
}

void log_flush(void)
{
	kmsg_flush();
}

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
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
	if (kmsg_is_open()) {
		kmsg_add(level, prog_name, msg);
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
