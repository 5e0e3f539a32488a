/* SPDX-License-Identifier: ISC */
/*
 * History bins in UTC. pmacct anchors its grid at the minute the daemon
 * started (reference 5.5), so a restart shifts every bin; here the grid
 * starts at a calendar boundary chosen by the roundoff letters (or the
 * epoch) and steps by the bin length from there.
 */
#include "bins.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/value.h"

#define DAY_SECS  86400
#define WEEK_SECS (7 * DAY_SECS)
/* 1970-01-05 00:00 UTC, the first Monday of the epoch. */
#define FIRST_MONDAY (4 * DAY_SECS)

static gboolean
parse_roundoff(const char *s, enum bins_anchor *out, GError **err)
{
	static const char letters[] = "mhwdM";
	const char *p;
	enum bins_anchor a = BINS_ANCHOR_EPOCH;

	/* Several letters are allowed (pmacct's "mh"); the coarsest wins. */
	for (; s != NULL && *s != '\0'; s++) {
		p = strchr(letters, *s);
		if (p == NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
				    "'%c' is not a roundoff letter (m h d w M)",
				    *s);
			return FALSE;
		}
		if ((enum bins_anchor)(p - letters + 1) > a)
			a = (enum bins_anchor)(p - letters + 1);
	}
	*out = a;
	return TRUE;
}

/*
 * Shortest span of each anchor's period. A bin longer than its anchor's
 * period would be cut at every anchor, so such a grid starts at the epoch.
 */
static const int64_t anchor_span[] = {
	[BINS_ANCHOR_EPOCH] = INT64_MAX,
	[BINS_ANCHOR_HOUR] = 3600,
	[BINS_ANCHOR_DAY] = DAY_SECS,
	[BINS_ANCHOR_WEEK] = WEEK_SECS,
	[BINS_ANCHOR_MONTH] = 28 * DAY_SECS,
	[BINS_ANCHOR_YEAR] = 365 * DAY_SECS,
};

gboolean
bins_init(struct bins *b, const char *history, const char *roundoff,
	  GError **err)
{
	memset(b, 0, sizeof(*b));
	b->unit = 's';
	if (!parse_roundoff(roundoff, &b->anchor, err))
		return FALSE;
	if (history == NULL)
		return TRUE;
	if (!val_history(history, &b->len, &b->unit, err))
		return FALSE;
	if (b->unit == 's' && (int64_t)b->len > anchor_span[b->anchor])
		b->anchor = BINS_ANCHOR_EPOCH;
	return TRUE;
}

gboolean
bins_enabled(const struct bins *b)
{
	return b->len > 0;
}

static int64_t
floor_to(int64_t t, int64_t base, int64_t step)
{
	int64_t d = (t - base) % step;

	if (d < 0)
		d += step;
	return t - d;
}

/* Month index since year 0 and back: months are the calendar's unit. */
static int64_t
month_index(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	return (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
}

static int64_t
month_time(int64_t idx)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(idx / 12) - 1900;
	tm.tm_mon = (int)(idx % 12);
	tm.tm_mday = 1;
	return (int64_t)timegm(&tm);
}

/* The anchor at or before `t`: where the grid holding `t` starts. */
static int64_t
anchor_of(const struct bins *b, int64_t t)
{
	switch (b->anchor) {
	case BINS_ANCHOR_HOUR:
		return floor_to(t, 0, 3600);
	case BINS_ANCHOR_DAY:
		return floor_to(t, 0, DAY_SECS);
	case BINS_ANCHOR_WEEK:
		return floor_to(t, FIRST_MONDAY, WEEK_SECS);
	case BINS_ANCHOR_MONTH:
		return month_time(month_index(t));
	case BINS_ANCHOR_YEAR:
		return month_time(month_index(t) / 12 * 12);
	case BINS_ANCHOR_EPOCH:
		break;
	}
	return b->len % WEEK_SECS == 0 ? FIRST_MONDAY - WEEK_SECS : 0;
}

/* The next anchor after the one at `a`; INT64_MAX for the epoch. */
static int64_t
anchor_next(const struct bins *b, int64_t a)
{
	switch (b->anchor) {
	case BINS_ANCHOR_HOUR:
		return a + 3600;
	case BINS_ANCHOR_DAY:
		return a + DAY_SECS;
	case BINS_ANCHOR_WEEK:
		return a + WEEK_SECS;
	case BINS_ANCHOR_MONTH:
		return month_time(month_index(a) + 1);
	case BINS_ANCHOR_YEAR:
		return month_time(month_index(a) + 12);
	case BINS_ANCHOR_EPOCH:
		break;
	}
	return INT64_MAX;
}

int64_t
bins_start(const struct bins *b, int64_t t)
{
	int64_t m;

	if (b->len == 0)
		return 0;
	if (t < 0)
		t = 0;
	if (b->unit == 'M') {
		/* Whole months, aligned to January for lengths dividing 12. */
		m = month_index(t);
		return month_time(m - m % (int64_t)b->len);
	}
	return floor_to(t, anchor_of(b, t), (int64_t)b->len);
}

int64_t
bins_end(const struct bins *b, int64_t start)
{
	int64_t next, cut;

	if (b->len == 0)
		return 0;
	if (b->unit == 'M')
		return month_time(month_index(start) + (int64_t)b->len);
	next = start + (int64_t)b->len;
	cut = anchor_next(b, anchor_of(b, start));
	return next < cut ? next : cut;
}

void
bins_stamp(int64_t t, char buf[20])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 20, "%Y-%m-%d %H:%M:%S", &tm);
}
