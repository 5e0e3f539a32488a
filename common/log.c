/* SPDX-License-Identifier: ISC */
/*
 * The log module. One process-wide sink, set once at start-up by the
 * daemon layer: stderr, a log file, or syslog. Level checks come before
 * any formatting so that a disabled debug line costs one comparison.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <glib.h>

enum log_sink {
	LOG_SINK_STDERR,
	LOG_SINK_FILE,
	LOG_SINK_SYSLOG,
};

/*
 * Logging state is process-wide by nature (the sink is the process's
 * stderr or syslog connection); it is set only during start-up and by the
 * SIGHUP handler's main-loop callback.
 */
static struct {
	const char *ident;
	enum log_level level;
	enum log_sink sink;
	char *path;
	FILE *file;
} lg = { "flowtally", LOG_LVL_INFO, LOG_SINK_STDERR, NULL, NULL };

static const char *const level_names[] = { "error", "warning", "info",
					   "debug" };
static const int level_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void
log_init(const char *ident, enum log_level level)
{
	lg.ident = ident;
	lg.level = level;
	lg.sink = LOG_SINK_STDERR;
}

void
log_set_level(enum log_level level)
{
	lg.level = level;
}

int
log_enabled(enum log_level level)
{
	return level <= lg.level;
}

void
log_use_syslog(int facility)
{
	openlog(lg.ident, LOG_PID | LOG_NDELAY, facility);
	lg.sink = LOG_SINK_SYSLOG;
}

int
log_use_file(const char *path)
{
	FILE *f;

	f = fopen(path, "a");
	if (f == NULL)
		return -1;
	setvbuf(f, NULL, _IOLBF, 0);
	if (lg.file != NULL)
		fclose(lg.file);
	lg.file = f;
	if (lg.path != path) {
		g_free(lg.path);
		lg.path = g_strdup(path);
	}
	lg.sink = LOG_SINK_FILE;
	return 0;
}

int
log_reopen(void)
{
	if (lg.sink != LOG_SINK_FILE)
		return 0;
	return log_use_file(lg.path);
}

static void
write_stream(FILE *f, enum log_level level, const char *msg)
{
	char stamp[32];
	struct tm tm;
	time_t now;

	if (f == stderr) {
		fprintf(f, "%s: %s: %s\n", lg.ident, level_names[level], msg);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "%s %s: %s: %s\n", stamp, lg.ident, level_names[level], msg);
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;

	if (!log_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	switch (lg.sink) {
	case LOG_SINK_SYSLOG:
		syslog(level_prio[level], "%s: %s", level_names[level], msg);
		break;
	case LOG_SINK_FILE:
		write_stream(lg.file, level, msg);
		break;
	case LOG_SINK_STDERR:
		write_stream(stderr, level, msg);
		break;
	}
	errno = saved;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

#define LOG_AT(fn, lvl)                                                        \
	void fn(const char *fmt, ...)                                          \
	{                                                                      \
		va_list ap;                                                    \
                                                                               \
		va_start(ap, fmt);                                             \
		log_vmsg(lvl, fmt, ap);                                        \
		va_end(ap);                                                    \
	}

LOG_AT(log_err, LOG_LVL_ERR)
LOG_AT(log_warn, LOG_LVL_WARN)
LOG_AT(log_info, LOG_LVL_INFO)
LOG_AT(log_debug, LOG_LVL_DEBUG)

/*
 * GLib (and libfixbuf through it) logs with g_warning() and friends.
 * Its messages keep their level but never go below our debug threshold
 * check; critical ones are errors of ours.
 */
static void
glib_handler(const gchar *domain, GLogLevelFlags flags, const gchar *message,
	     gpointer data)
{
	enum log_level level = LOG_LVL_DEBUG;

	if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		level = LOG_LVL_ERR;
	else if (flags & G_LOG_LEVEL_WARNING)
		level = LOG_LVL_WARN;
	else if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
		level = LOG_LVL_INFO;
	log_msg(level, "%s: %s", domain != NULL ? domain : "glib", message);
}

void
log_route_glib(void)
{
	g_log_set_default_handler(glib_handler, NULL);
}
