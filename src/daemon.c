/*
 * daemon.c - detaching and privilege dropping, in the order a capture daemon needs them: open the capture
 * and the outputs as root, detach, write the pid file, then become the unprivileged user before the first
 * packet is parsed, and only then tell the command's process (and so the service manager) that the daemon
 * is up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

int
daemon_check_user(const char *user, char *err, size_t errlen)
{
	errno = 0;
	if (getpwnam(user) == NULL) {
		snprintf(err, errlen, "-u %s: no such user", user);
		return -1;
	}
	return 0;
}

/* The write end of the pipe the command's own process waits on; -1 when not detached or already told. */
static int ready_fd = -1;

int
daemon_detach(char *err, size_t errlen)
{
	pid_t pid;
	int fd, p[2];

	if (pipe(p) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		char c;
		ssize_t n;

		/* The daemon's word, or end of file when every copy of the write end is closed. */
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	ready_fd = p[1];
	if (setsid() < 0) {
		snprintf(err, errlen, "setsid: %s", strerror(errno));
		return -1;
	}
	/* The second fork makes sure we can never get a controlling terminal back. */
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	umask(027);
	if (chdir("/") != 0) {
		snprintf(err, errlen, "chdir /: %s", strerror(errno));
		return -1;
	}
	if ((fd = open("/dev/null", O_RDWR)) < 0) {
		snprintf(err, errlen, "/dev/null: %s", strerror(errno));
		return -1;
	}
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

void
daemon_ready(void)
{
	char c = 0;

	if (ready_fd < 0)
		return;
	if (write(ready_fd, &c, 1) != 1)
		return;	/* the command's process is gone: nobody to tell */
	close(ready_fd);
	ready_fd = -1;
}

static volatile sig_atomic_t keeper_child;

static void
keeper_pass(int sig)
{
	if (keeper_child > 0)
		kill((pid_t)keeper_child, sig);
}

int
daemon_pidfile_keeper(const char *path, char *err, size_t errlen)
{
	static const int pass[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	struct sigaction sa;
	sigset_t all, old;
	pid_t pid;
	int status, i;

	/* No signal may reach the parent before it knows whom to pass it to. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	keeper_child = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = keeper_pass;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < (int)(sizeof(pass) / sizeof(pass[0])); i++)
		sigaction(pass[i], &sa, NULL);
	/* Nothing of the run is ours: the capture, the outputs, the readiness pipe stay with the child. */
	closefrom(STDERR_FILENO + 1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	unlink(path);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int
daemon_write_pidfile(const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	FILE *fp;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
daemon_drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL) {
		snprintf(err, errlen, "-u %s: no such user", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	/* Make sure there is no way back. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "privileges could be regained after dropping to %s", user);
		return -1;
	}
	return 0;
}
