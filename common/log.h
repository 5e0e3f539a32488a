/* SPDX-License-Identifier: ISC */
/*
 * The one log module of both daemons and the CLI. It writes to stderr
 * until the program detaches, then to syslog; levels are checked before
 * any formatting, and every entry point is printf-checked.
 */
#ifndef FT_LOG_H
#define FT_LOG_H

#include <stdarg.h>

#define FT_PRINTF(f, a) __attribute__((format(printf, f, a)))

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* Start logging to stderr as `ident` at `level`. */
void log_init(const char *ident, enum log_level level);
void log_set_level(enum log_level level);
int log_enabled(enum log_level level);

/* Switch to syslog with `facility` (LOG_DAEMON, ...). */
void log_use_syslog(int facility);

/* Log to `path` instead (reopened by log_reopen() on SIGHUP); 0 or -1. */
int log_use_file(const char *path);
int log_reopen(void);

/* Route GLib's messages (and so libfixbuf's) through this module. */
void log_route_glib(void);

void log_err(const char *fmt, ...) FT_PRINTF(1, 2);
void log_warn(const char *fmt, ...) FT_PRINTF(1, 2);
void log_info(const char *fmt, ...) FT_PRINTF(1, 2);
void log_debug(const char *fmt, ...) FT_PRINTF(1, 2);
void log_msg(enum log_level level, const char *fmt, ...) FT_PRINTF(2, 3);
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	FT_PRINTF(2, 0);

#endif
