/*
 * daemon.h - running as a service: detaching, the pid file and dropping privileges.
 */
#ifndef DCDN_DAEMON_H
#define DCDN_DAEMON_H

#include <stddef.h>

/* Look the user up now, before anything is opened, so a typo fails at once.  0 or -1 with err. */
int daemon_check_user(const char *user, char *err, size_t errlen);
/* Double fork, setsid, chdir /, stdio to /dev/null.  Returns in the grandchild only. */
int daemon_detach(char *err, size_t errlen);
/* Write our pid to path (0600, replaced atomically).  0 or -1 with err. */
int daemon_write_pidfile(const char *path, char *err, size_t errlen);
/* Give the pid file to user, so the daemon can remove it when it stops. */
void daemon_chown(const char *path, const char *user);
/* Become user and its groups; refuses to stay root.  0 or -1 with err. */
int daemon_drop_privileges(const char *user, char *err, size_t errlen);

#endif
