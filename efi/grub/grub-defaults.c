// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GRUB's configuration as grub-mkconfig sees it (see grub.h): /bin/sh sources
 * the files and reports the variables; we never interpret shell ourselves.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "efi/grub/grub.h"

#define SHELL "/bin/sh"

/* One variable's report: "V<name>=<value>" on fd 3, when the files set it. */
#define REPORT(v) "[ -z \"${" v "+x}\" ] || printf 'V%s\\0' \"" v "=${" v "}\" >&3\n"

/*
 * $1: <root>/etc; $2: a drop-in to leave out ("" for none). The order and
 * the tests are grub-mkconfig's own (util/grub-mkconfig.in): set -e, the
 * main file when it is a regular file, then each grub.d/ *.cfg that exists,
 * in the shell's glob order. Files' own output goes to stderr; fd 3 gets
 * "F<file>" before each file, the V records, then "E": every record
 * NUL-terminated (no shell value can hold a NUL). Our names start with
 * __vfe_ so that no configuration file clobbers them.
 */
static const char script[] =
	"exec 3>&1 >&2 </dev/null\n"
	"set -e\n"
	"__vfe_etc=$1 __vfe_skip=$2\n"
	"if test -f \"$__vfe_etc/default/grub\"; then\n"
	"  printf 'F%s\\0' \"$__vfe_etc/default/grub\" >&3\n"
	"  . \"$__vfe_etc/default/grub\"\n"
	"fi\n"
	"for __vfe_x in \"$__vfe_etc\"/default/grub.d/*.cfg; do\n"
	"  if [ -e \"$__vfe_x\" ] && [ \"${__vfe_x##*/}\" != \"$__vfe_skip\" ]; then\n"
	"    printf 'F%s\\0' \"$__vfe_x\" >&3\n"
	"    . \"$__vfe_x\"\n"
	"  fi\n"
	"done\n"
	REPORT("GRUB_DEFAULT") REPORT("GRUB_SAVEDEFAULT") REPORT("GRUB_TIMEOUT") REPORT("GRUB_TIMEOUT_STYLE")
	REPORT("GRUB_DISTRIBUTOR") REPORT("GRUB_CMDLINE_LINUX") REPORT("GRUB_CMDLINE_LINUX_DEFAULT")
	REPORT("GRUB_DISABLE_SUBMENU") REPORT("GRUB_DISABLE_RECOVERY")
	"printf 'E\\0' >&3\n";

/*
 * The child's environment: a fixed PATH (the commands in the files, such as
 * lsb_release, are found as under update-grub) and the caller's locale,
 * which decides the glob order of grub.d/ as it does for grub-mkconfig.
 * Nothing else: a GRUB_* variable of the caller must not leak in.
 */
static void child_env(char **envp, size_t n)
{
	static const char *const keep[] = { "LANG", "LC_ALL", "LC_COLLATE", "LC_CTYPE" };
	size_t k = 0;

	envp[k++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; i < ELEMENTSOF(keep) && k + 1 < n; i++) {
		const char *v = getenv(keep[i]);
		if (v && asprintf(&envp[k], "%s=%s", keep[i], v) >= 0)
			k++;
	}
	envp[k] = NULL;
}

static pid_t spawn(const char *etc, const char *skip, int out_fd, int err_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *envp[8];
		char *argv[] = { "sh", "-c", (char *)script, "sh", (char *)etc, (char *)(skip ? skip : ""), NULL };

		child_env(envp, ELEMENTSOF(envp));
		if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
			_exit(126);
		execve(SHELL, argv, envp);
		_exit(127);
	}
	return pid;
}

/* Reads the pipe to its end (or an error), closes it, then reaps the child: its exit status, or -errno. */
static int collect(pid_t pid, int fd, struct strbuf *sb)
{
	char buf[4096];
	ssize_t l;
	int status;

	while ((l = read(fd, buf, sizeof(buf))) != 0) {
		if (l < 0 && errno != EINTR)
			break;
		if (l > 0)
			sb_putn(sb, buf, (size_t)l);
	}
	close(fd); /* a child still writing gets SIGPIPE rather than blocking forever */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return negative_errno();
	if (sb->oom)
		return -ENOMEM;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The last non-empty line the shell wrote to stderr (its error message), into buf. */
static void last_error_line(int fd, char *buf, size_t n)
{
	char text[4096];
	ssize_t l = pread(fd, text, sizeof(text) - 1, 0);
	char *e;

	*buf = '\0';
	if (l <= 0)
		return;
	while (l > 0 && (text[l - 1] == '\n' || text[l - 1] == ' '))
		l--;
	text[l] = '\0';
	e = strrchr(text, '\n');
	snprintf(buf, n, "%s", e ? e + 1 : text);
}

/* Parses the records; *ret_file: the last file begun. 1 when the E record came, 0 when not. */
static int parse_records(const struct strbuf *sb, struct vfe_grubenv *vars, const char **ret_file)
{
	for (size_t i = 0; sb->s && i < sb->len;) {
		const char *rec = sb->s + i;
		size_t l = strnlen(rec, sb->len - i);
		char *eq;
		int k;

		i += l + 1;
		if (rec[0] == 'E')
			return 1;
		if (rec[0] == 'F')
			*ret_file = rec + 1;
		if (rec[0] != 'V' || !(eq = strchr(rec, '=')))
			continue;
		*eq = '\0'; /* the buffer is ours: split NAME=VALUE in place */
		k = vfe_grubenv_set(vars, rec + 1, eq + 1);
		*eq = '=';
		if (k < 0)
			return k;
	}
	return 0;
}

/* "/etc/default/grub" for "<root>/etc/default/grub", in place. */
static void unroot(const struct vfe_root *r, char *s)
{
	size_t rl = strlen(r->path);
	char *p = rl ? strstr(s, r->path) : NULL;

	if (p)
		memmove(p, p + rl, strlen(p + rl) + 1);
}

static int report_failure(const struct vfe_root *r, const char *file, int status, int err_fd)
{
	_cleanup_free_ char *f = strdup(file ? file : "/" GRUB_PATH_DEFAULT);
	char msg[512], why[600];

	if (!f)
		return -ENOMEM;
	unroot(r, f);
	last_error_line(err_fd, msg, sizeof(msg));
	unroot(r, msg);
	if (status == 0)
		snprintf(why, sizeof(why), "it calls exit");
	else
		snprintf(why, sizeof(why), "exit status %d%s%s", status, *msg ? ": " : "", msg);
	return log_error_errno(-EINVAL, GRUB_WHO ": %s stopped while sourcing %s, as grub-mkconfig (update-grub) "
					"would (%s); fix the file, then retry", SHELL, f, why);
}

static int run(const struct vfe_root *r, const char *etc, const char *skip, struct vfe_grubenv *vars)
{
	_cleanup_close_ int err_fd = memfd_create("vfio-early-grub-defaults", MFD_CLOEXEC);
	_cleanup_(sb_freep) struct strbuf sb = { 0 };
	const char *file = NULL;
	int p[2], k;
	pid_t pid;

	if (err_fd < 0 || pipe2(p, O_CLOEXEC) < 0)
		return log_error_errno(negative_errno(), GRUB_WHO ": cannot start %s to read /%s: %m", SHELL,
				       GRUB_PATH_DEFAULT);
	pid = spawn(etc, skip, p[1], err_fd);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return log_error_errno(negative_errno(), GRUB_WHO ": cannot start %s to read /%s: %m", SHELL,
				       GRUB_PATH_DEFAULT);
	}
	k = collect(pid, p[0], &sb);
	if (k == 127)
		k = log_error_errno(-ENOENT, GRUB_WHO ": cannot run %s, which reads /%s as grub-mkconfig does", SHELL,
				    GRUB_PATH_DEFAULT);
	else if (k >= 0) {
		int status = k;
		k = parse_records(&sb, vars, &file);
		if (k >= 0 && (status != 0 || k == 0))
			k = report_failure(r, file, status, err_fd);
	}
	return k < 0 ? k : 0;
}

int vfe_grub_defaults_load(const struct vfe_root *r, const char *skip, struct vfe_grubenv *ret)
{
	_cleanup_(vfe_grubenv_freep) struct vfe_grubenv vars = { 0 };
	_cleanup_free_ char *etc = vfe_root_abspath(r, "etc");
	int k;

	if (!etc)
		return -ENOMEM;
	k = run(r, etc, skip, &vars);
	if (k < 0)
		return k;
	*ret = TAKE_STRUCT(vars);
	return 0;
}
