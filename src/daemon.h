/*
 * daemon.h - running as a service: detaching, the pid file and dropping privileges.
 */
#ifndef DCDN_DAEMON_H
#define DCDN_DAEMON_H

#include <stddef.h>

/* Look the user up now, before anything is opened, so a typo fails at once.  0 or -1 with err. */
int daemon_check_user(const char *user, char *err, size_t errlen);
/*
 * Double fork, setsid, chdir /, stdio to /dev/null.  Returns in the grandchild only.  The command's own
 * process waits until the daemon calls daemon_ready and then exits 0, or exits 1 when the daemon ended
 * before (its message went to syslog): so a service manager and a shell both learn whether it started.
 */
int daemon_detach(char *err, size_t errlen);
/* The daemon is running (pid file written, privileges dropped): let the command's process exit 0. */
void daemon_ready(void);
/* Write our pid to path (0644, replaced atomically).  0 or -1 with err. */
int daemon_write_pidfile(const char *path, char *err, size_t errlen);
/*
 * A process that gives up root cannot remove its pid file from a directory only root may write (/run).
 * So this one forks: the parent stays root and does nothing but pass INT, TERM, HUP and USR1 on to the
 * child, wait for it, remove path and exit with the child's status; it returns only in the child, which
 * goes on to write the pid file (its own pid) and drop privileges.  Call it before any thread is started.
 * -1 with err if the fork fails.
 */
int daemon_pidfile_keeper(const char *path, char *err, size_t errlen);
/* Become user and its groups; refuses to stay root.  0 or -1 with err. */
int daemon_drop_privileges(const char *user, char *err, size_t errlen);

#endif
