/* SPDX-License-Identifier: ISC */
/*
 * The query protocol client used by the flowtally CLI. One connection
 * carries one request; the reply is read line by line under a receive
 * timeout, so a stalled server ends the CLI with an error instead of
 * hanging it, and every line longer than QPROTO_MAX_LINE is refused.
 */
#include "qclient.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/error.h"
#include "collector/qproto.h"

/* Seconds a server may stay silent in the middle of a reply. */
#define QCLIENT_TIMEOUT 30

static void
qclient_row_free(gpointer p)
{
	struct qclient_row *row = p;

	g_strfreev(row->fields);
	g_free(row);
}

void
qclient_reply_free(struct qclient_reply *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->cols, TRUE);
	g_ptr_array_free(r->rows, TRUE);
	g_ptr_array_free(r->lines, TRUE);
	g_free(r);
}

static struct qclient_reply *
qclient_reply_new(void)
{
	struct qclient_reply *r = g_new0(struct qclient_reply, 1);

	r->cols = g_ptr_array_new();
	r->rows = g_ptr_array_new_with_free_func(qclient_row_free);
	r->lines = g_ptr_array_new_with_free_func(g_free);
	return r;
}

static int
qclient_connect(const char *path, GError **err)
{
	struct sockaddr_un sa;
	struct timeval tv = { QCLIENT_TIMEOUT, 0 };
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "socket path too long: '%s'", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "cannot connect to '%s': %s", path,
			    g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static gboolean
qclient_send(int fd, const char *path, const char *req, GError **err)
{
	size_t len = strlen(req), off = 0;

	while (off < len) {
		ssize_t n = write(fd, req + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(err, FT_ERROR, FT_ERROR_IO,
				    "'%s': cannot send the request: %s", path,
				    g_strerror(errno));
			return FALSE;
		}
		off += (size_t)n;
	}
	return TRUE;
}

static gboolean
qclient_malformed(GError **err, const char *line)
{
	g_set_error(err, FT_ERROR, FT_ERROR_MALFORMED,
		    "malformed reply line: '%.60s'", line);
	return FALSE;
}

/* COLS <prim>,<prim>...[,flows] ("" when the table aggregates none) */
static gboolean
qclient_cols(struct qclient_reply *r, const char *list, GError **err)
{
	char **names = g_strsplit(list != NULL ? list : "", ",", -1);
	gboolean ok = TRUE;
	size_t i;

	for (i = 0; ok && names[i] != NULL; i++) {
		const struct prim *p;

		if (names[i][0] == '\0')
			continue;
		if (strcmp(names[i], "flows") == 0) {
			r->flows = TRUE;
			continue;
		}
		p = prim_find(names[i]);
		if (p == NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_MALFORMED,
				    "the server sent an unknown primitive '%s'",
				    names[i]);
			ok = FALSE;
		} else {
			g_ptr_array_add(r->cols, (gpointer)p);
		}
	}
	g_strfreev(names);
	return ok;
}

static gboolean
qclient_u64(const char *s, guint64 *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return FALSE;
	errno = 0;
	*v = g_ascii_strtoull(s, &end, 10);
	return *end == '\0' && errno == 0;
}

/* ROW <q> <v>... <packets> <flows> <bytes>; takes `f` on success. */
static gboolean
qclient_row(struct qclient_reply *r, char **f, const char *line, GError **err)
{
	guint n = g_strv_length(f), nc = r->cols->len;
	struct qclient_row *row;
	guint64 q;

	if (n != nc + 5 || !qclient_u64(f[1], &q) || q > G_MAXUINT)
		return qclient_malformed(err, line);
	row = g_new0(struct qclient_row, 1);
	if (!qclient_u64(f[nc + 2], &row->c.packets) ||
	    !qclient_u64(f[nc + 3], &row->c.flows) ||
	    !qclient_u64(f[nc + 4], &row->c.bytes)) {
		g_free(row);
		return qclient_malformed(err, line);
	}
	row->query = (guint)q;
	row->seq = r->rows->len;
	row->fields = f;
	row->values = (const char *const *)&f[2];
	g_ptr_array_add(r->rows, row);
	return TRUE;
}

/* Line outcome: more to read, the reply is complete, or an error. */
enum qclient_step {
	QCLIENT_MORE,
	QCLIENT_DONE,
	QCLIENT_FAIL,
};

static enum qclient_step
qclient_end(struct qclient_reply *r, const char *n, const char *line,
	    GError **err)
{
	guint64 v;

	if (n == NULL || !qclient_u64(n, &v) || v != r->rows->len) {
		qclient_malformed(err, line);
		return QCLIENT_FAIL;
	}
	return QCLIENT_DONE;
}

static enum qclient_step
qclient_line(struct qclient_reply *r, gboolean *have_cols, const char *line,
	     GError **err)
{
	const char *tab = strchr(line, '\t');
	const char *rest = tab != NULL ? tab + 1 : NULL;
	char **f = g_strsplit(line, "\t", -1);
	enum qclient_step step = QCLIENT_FAIL;

	if (strcmp(f[0], "ERR") == 0)
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s",
			    rest != NULL ? rest : "the server refused");
	else if (strcmp(f[0], "LINE") == 0) {
		g_ptr_array_add(r->lines, g_strdup(rest != NULL ? rest : ""));
		step = QCLIENT_MORE;
	} else if (strcmp(f[0], "COLS") == 0 && !*have_cols) {
		*have_cols = TRUE;
		if (qclient_cols(r, rest, err))
			step = QCLIENT_MORE;
	} else if (strcmp(f[0], "ROW") == 0 && *have_cols) {
		if (qclient_row(r, f, line, err))
			return QCLIENT_MORE;
	} else if (strcmp(f[0], "END") == 0)
		step = qclient_end(r, rest, line, err);
	else
		qclient_malformed(err, line);
	g_strfreev(f);
	return step;
}

static gboolean
qclient_read(FILE *in, const char *path, struct qclient_reply *r, GError **err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	gboolean have_cols = FALSE;
	enum qclient_step step = QCLIENT_MORE;

	while (step == QCLIENT_MORE && (len = getline(&line, &cap, in)) > 0) {
		if (len > QPROTO_MAX_LINE || line[len - 1] != '\n') {
			qclient_malformed(err, line);
			step = QCLIENT_FAIL;
			break;
		}
		line[len - 1] = '\0';
		step = qclient_line(r, &have_cols, line, err);
	}
	if (step == QCLIENT_MORE)
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "'%s': the reply ended early%s%s", path,
			    ferror(in) ? ": " : "",
			    ferror(in) ? g_strerror(errno) : "");
	free(line);
	return step == QCLIENT_DONE;
}

struct qclient_reply *
qclient_call(const char *path, const char *request, GError **err)
{
	struct qclient_reply *r;
	FILE *in;
	int fd = qclient_connect(path, err);

	if (fd < 0)
		return NULL;
	if (!qclient_send(fd, path, request, err)) {
		close(fd);
		return NULL;
	}
	in = fdopen(fd, "r");
	if (in == NULL) {
		close(fd);
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "fdopen: %s",
			    g_strerror(errno));
		return NULL;
	}
	r = qclient_reply_new();
	if (!qclient_read(in, path, r, err)) {
		qclient_reply_free(r);
		r = NULL;
	}
	fclose(in);
	return r;
}
