/* SPDX-License-Identifier: ISC */
/*
 * The memory plugin's query server (collector/qproto.h). Each connection
 * carries one request. The rows of a reply are copied out of the table in
 * one step on the main loop, which makes DUMP ERASE and MATCH RESET
 * atomic with respect to incoming records; they are formatted
 * QS_ROWS_PER_STEP at a time as the client reads, so a large table never
 * stalls the loop for long. DUMP lists entries in the order their keys
 * first arrived. A client that makes no progress for QS_IDLE_SECONDS, in
 * either direction, is dropped and counted.
 */
#include "config.h"

#include "collector/qserver.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "collector/qproto.h"
#include "collector/qrows.h"
#include "common/error.h"

#define QS_MAX_CLIENTS   32
#define QS_IDLE_SECONDS  10
#define QS_MAX_REQUEST   (16u << 20)
#define QS_READ_CHUNK    65536
#define QS_ROWS_PER_STEP 2048

struct qs_client {
	struct qserver *qs;
	int fd;
	guint src;
	GString *in;
	GString *out; /* NULL while reading the request */
	gsize out_off;
	struct qrows *rows; /* rows still to format, then END */
	gint64 last_us;     /* monotonic time of the last progress */
};

struct qserver {
	gchar *path;
	int fd;
	guint src;
	guint sweep;
	struct memtab *tab;
	const struct plugin_ctx *ctx;
	GPtrArray *clients; /* struct qs_client */
	gint64 cleared_us;  /* monotonic time of the last clear, or 0 */
	guint64 dropped;
};

static void
qs_client_free(gpointer p)
{
	struct qs_client *c = p;

	if (c->src != 0)
		g_source_remove(c->src);
	close(c->fd);
	g_string_free(c->in, TRUE);
	if (c->out != NULL)
		g_string_free(c->out, TRUE);
	qrows_free(c->rows);
	g_free(c);
}

static void
qs_client_close(struct qs_client *c)
{
	g_ptr_array_remove_fast(c->qs->clients, c);
}

/* Copying the rows of a reply out of the table. */
struct qs_rows {
	struct qrows *rows;
	guint query;
	GPtrArray *matched; /* struct aggctr * to reset, or NULL */
};

static void
qs_row(const uint8_t *key, struct aggctr *ctr, void *data)
{
	struct qs_rows *r = data;

	if (memtab_is_reset(ctr))
		return;
	qrows_add(r->rows, r->query, key, ctr);
	if (r->matched != NULL)
		g_ptr_array_add(r->matched, ctr);
}

static void
qs_cols(const struct qserver *qs, GString *out)
{
	const struct aggkey_spec *spec = qs->ctx->spec;
	guint i;

	g_string_append(out, "COLS\t");
	for (i = 0; i < spec->ncols; i++)
		g_string_append_printf(out, "%s%s", i ? "," : "",
				       spec->cols[i]->name);
	if (spec->flows)
		g_string_append(out, spec->ncols > 0 ? ",flows" : "flows");
	g_string_append_c(out, '\n');
}

static void
qs_clear(struct qserver *qs)
{
	memtab_clear(qs->tab);
	qs->cleared_us = g_get_monotonic_time();
}

static struct qrows *
qs_dump(struct qserver *qs, gboolean erase, GString *out)
{
	struct qs_rows r = { 0 };

	r.rows = qrows_new(qs->ctx->spec, memtab_count(qs->tab));
	qs_cols(qs, out);
	memtab_foreach(qs->tab, qs_row, &r);
	if (erase)
		qs_clear(qs);
	return r.rows;
}

static gboolean
qs_parse_prims(const char *list, GPtrArray *prims, GError **err)
{
	gchar **names = g_strsplit(list, ",", -1);
	gboolean ok = TRUE;
	guint i;

	for (i = 0; ok && names[i] != NULL; i++) {
		const struct prim *p = prim_find(g_strstrip(names[i]));

		if (p == NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
				    "unknown primitive '%s'", names[i]);
			ok = FALSE;
		}
		g_ptr_array_add(prims, (gpointer)p);
	}
	g_strfreev(names);
	return ok;
}

/* Queries from `lines` (up to "."), built against the table's spec. */
static GArray *
qs_parse_queries(const struct qserver *qs, GPtrArray *prims, gchar **lines,
		 GError **err)
{
	GArray *qs_arr = g_array_new(FALSE, FALSE, sizeof(struct aggkey_query));
	guint i;

	for (i = 0; lines[i] != NULL && strcmp(lines[i], ".") != 0; i++) {
		gchar **vals = g_strsplit(lines[i], "\t", -1);
		struct aggkey_query q;
		gboolean ok = g_strv_length(vals) == prims->len;

		if (!ok)
			g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
				    "query %u: %u values for %u primitives",
				    i + 1, g_strv_length(vals), prims->len);
		else if (i >= QPROTO_MAX_QUERIES) {
			g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
				    "more than %d queries", QPROTO_MAX_QUERIES);
			ok = FALSE;
		} else {
			ok = aggkey_query_build(
				qs->ctx->spec,
				(const struct prim *const *)prims->pdata,
				(const char *const *)vals, prims->len, &q, err);
		}
		g_strfreev(vals);
		if (!ok) {
			g_array_free(qs_arr, TRUE);
			return NULL;
		}
		g_array_append_val(qs_arr, q);
	}
	return qs_arr;
}

static void
qs_reset_matched(GPtrArray *matched)
{
	guint i;

	for (i = 0; i < matched->len; i++)
		memtab_reset(g_ptr_array_index(matched, i));
}

static struct qrows *
qs_match(struct qserver *qs, gchar **words, gchar **lines, GString *out,
	 GError **err)
{
	GPtrArray *prims = g_ptr_array_new();
	gboolean reset = words[1] != NULL && g_strcmp0(words[2], "RESET") == 0;
	struct qs_rows r = { 0 };
	GArray *queries = NULL;
	guint i;

	if (words[1] == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "MATCH needs a primitive list");
		goto fail;
	}
	if (!qs_parse_prims(words[1], prims, err))
		goto fail;
	queries = qs_parse_queries(qs, prims, lines, err);
	if (queries == NULL)
		goto fail;
	r.matched = reset ? g_ptr_array_new() : NULL;
	r.rows = qrows_new(qs->ctx->spec, 0);
	qs_cols(qs, out);
	for (i = 0; i < queries->len; i++) {
		r.query = i;
		memtab_match(qs->tab, qs->ctx->spec,
			     &g_array_index(queries, struct aggkey_query, i),
			     qs_row, &r);
	}
	if (reset) {
		qs_reset_matched(r.matched);
		g_ptr_array_free(r.matched, TRUE);
	}
	g_array_free(queries, TRUE);
	g_ptr_array_free(prims, TRUE);
	return r.rows;
fail:
	g_ptr_array_free(prims, TRUE);
	return NULL;
}

static void
qs_lines(GString *out, const char *text)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	guint i;

	for (i = 0; lines[i] != NULL; i++)
		if (lines[i][0] != '\0')
			g_string_append_printf(out, "LINE\t%s\n", lines[i]);
	g_strfreev(lines);
}

static void
qs_since(const struct qserver *qs, GString *out)
{
	if (qs->cleared_us == 0)
		g_string_append(out, "LINE\tnever\n");
	else
		g_string_append_printf(
			out, "LINE\t%" G_GINT64_FORMAT "\n",
			(g_get_monotonic_time() - qs->cleared_us) / 1000000);
	g_string_append(out, "END\t0\n");
}

static void
qs_status(const struct qserver *qs, GString *out)
{
	GString *text = g_string_new(NULL);

	qs->ctx->status(text, qs->ctx);
	qs_lines(out, text->str);
	g_string_free(text, TRUE);
	g_string_append(out, "END\t0\n");
}

/*
 * One request (its first line split in `words`, the rest in `lines`).
 * DUMP and MATCH leave their rows in `*rows`, to follow `out`.
 */
static gboolean
qs_dispatch(struct qserver *qs, gchar **words, gchar **lines, GString *out,
	    struct qrows **rows, GError **err)
{
	const char *cmd = words[0] != NULL ? words[0] : "";

	if (strcmp(cmd, "DUMP") == 0)
		*rows = qs_dump(qs, g_strcmp0(words[1], "ERASE") == 0, out);
	else if (strcmp(cmd, "MATCH") == 0)
		return (*rows = qs_match(qs, words, lines, out, err)) != NULL;
	else if (strcmp(cmd, "ERASE") == 0) {
		qs_clear(qs);
		g_string_append(out, "END\t0\n");
	} else if (strcmp(cmd, "SINCE") == 0)
		qs_since(qs, out);
	else if (strcmp(cmd, "STATUS") == 0)
		qs_status(qs, out);
	else {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "unknown request '%s'", cmd);
		return FALSE;
	}
	return TRUE;
}

static GString *
qs_handle(struct qserver *qs, const char *req, struct qrows **rows)
{
	gchar **lines = g_strsplit(req, "\n", -1);
	gchar **words;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	guint i;

	for (i = 0; lines[i] != NULL; i++)
		g_strchomp(lines[i]);
	words = g_strsplit_set(lines[0], " \t", -1);
	if (!qs_dispatch(qs, words, lines + 1, out, rows, &err)) {
		g_string_assign(out, "");
		g_string_append_printf(out, "ERR\t%s\n", err->message);
		g_error_free(err);
	}
	g_strfreev(words);
	g_strfreev(lines);
	return out;
}

/* TRUE once `in` holds a whole request: one line, or MATCH up to ".". */
static gboolean
qs_request_complete(const GString *in)
{
	const char *nl = memchr(in->str, '\n', in->len);

	if (nl == NULL)
		return FALSE;
	if (strncmp(in->str, "MATCH", 5) != 0)
		return TRUE;
	return strstr(nl, "\n.\n") != NULL || strstr(nl, "\n.\r\n") != NULL;
}

static gboolean qs_client_write(gint fd, GIOCondition cond, gpointer data);

static void
qs_client_reply(struct qs_client *c)
{
	c->out = qs_handle(c->qs, c->in->str, &c->rows);
	c->src = g_unix_fd_add(c->fd, G_IO_OUT, qs_client_write, c);
}

/* Read what is there; FALSE at end of input, on error or overflow. */
static gboolean
qs_client_fill(struct qs_client *c)
{
	char buf[QS_READ_CHUNK];
	int rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return TRUE;
		if (n <= 0 || c->in->len + (gsize)n > QS_MAX_REQUEST)
			return FALSE;
		g_string_append_len(c->in, buf, n);
		c->last_us = g_get_monotonic_time();
	}
	return TRUE;
}

static gboolean
qs_client_read(gint fd, GIOCondition cond, gpointer data)
{
	struct qs_client *c = data;
	gboolean open = qs_client_fill(c);

	if (qs_request_complete(c->in)) {
		qs_client_reply(c);
		return G_SOURCE_REMOVE;
	}
	if (!open) {
		c->src = 0;
		qs_client_close(c);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* Format the next rows, then END, into the drained buffer. */
static gboolean
qs_client_refill(struct qs_client *c)
{
	g_string_truncate(c->out, 0);
	c->out_off = 0;
	if (c->rows == NULL)
		return FALSE;
	if (!qrows_format(c->rows, c->out, QS_ROWS_PER_STEP)) {
		g_string_append_printf(c->out, "END\t%zu\n",
				       qrows_count(c->rows));
		qrows_free(c->rows);
		c->rows = NULL;
	}
	return TRUE;
}

static gboolean
qs_client_write(gint fd, GIOCondition cond, gpointer data)
{
	struct qs_client *c = data;
	ssize_t n;

	if (c->out_off == c->out->len && !qs_client_refill(c)) {
		c->src = 0;
		qs_client_close(c);
		return G_SOURCE_REMOVE;
	}
	n = send(fd, c->out->str + c->out_off, c->out->len - c->out_off,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n > 0) {
		c->out_off += (gsize)n;
		c->last_us = g_get_monotonic_time();
	}
	if (n > 0)
		return G_SOURCE_CONTINUE;
	c->src = 0;
	qs_client_close(c);
	return G_SOURCE_REMOVE;
}

static void
qs_accept_one(struct qserver *qs, int fd)
{
	struct qs_client *c;

	if (qs->clients->len >= QS_MAX_CLIENTS) {
		qs->dropped++;
		close(fd);
		return;
	}
	c = g_new0(struct qs_client, 1);
	c->qs = qs;
	c->fd = fd;
	c->in = g_string_new(NULL);
	c->last_us = g_get_monotonic_time();
	c->src = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP, qs_client_read, c);
	g_ptr_array_add(qs->clients, c);
}

static gboolean
qs_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct qserver *qs = data;
	int i;

	for (i = 0; i < QS_MAX_CLIENTS; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			break;
		qs_accept_one(qs, cfd);
	}
	return G_SOURCE_CONTINUE;
}

/* Drop clients that made no progress for QS_IDLE_SECONDS. */
static gboolean
qs_sweep(gpointer data)
{
	struct qserver *qs = data;
	gint64 now = g_get_monotonic_time();
	guint i = 0;

	while (i < qs->clients->len) {
		struct qs_client *c = g_ptr_array_index(qs->clients, i);

		if (now - c->last_us > QS_IDLE_SECONDS * G_USEC_PER_SEC) {
			qs->dropped++;
			g_ptr_array_remove_index_fast(qs->clients, i);
			continue;
		}
		i++;
	}
	return G_SOURCE_CONTINUE;
}

/* Whether a process listens on the socket at `sun` (connect succeeds). */
static gboolean
qs_socket_live(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	gboolean live;

	if (fd < 0)
		return FALSE;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	       errno == EAGAIN;
	close(fd);
	return live;
}

/* Remove a stale socket; fail if something else is at `path`, or if a
 * running process still listens there (another collector). */
static gboolean
qs_unlink_stale(const char *path, const struct sockaddr_un *sun, GError **err)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return TRUE;
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "%s exists and is not a socket", path);
		return FALSE;
	}
	if (qs_socket_live(sun)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "%s is in use by another running process", path);
		return FALSE;
	}
	if (unlink(path) != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
qs_set_owner(const char *path, const char *group, GError **err)
{
	struct group *gr;

	if (chmod(path, 0660) != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: chmod: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	if (group == NULL || *group == '\0')
		return TRUE;
	gr = getgrnam(group);
	if (gr == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "imt_group '%s': no such group", group);
		return FALSE;
	}
	if (chown(path, (uid_t)-1, gr->gr_gid) != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: chown: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
qs_prepare_path(const char *path, struct sockaddr_un *sun, GError **err)
{
	gchar *dir = g_path_get_dirname(path);
	int rc = g_mkdir_with_parents(dir, 0755);

	g_free(dir);
	if (rc != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "%s: cannot create its directory: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
			    "%s: socket path too long", path);
		return FALSE;
	}
	strcpy(sun->sun_path, path);
	return qs_unlink_stale(path, sun, err);
}

/* Bind, set mode and group, then listen: no client gets in before. */
static int
qs_listen(const char *path, const char *group, GError **err)
{
	struct sockaddr_un sun;
	int fd;

	if (!qs_prepare_path(path, &sun, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", path,
			    g_strerror(errno));
		goto fail;
	}
	if (!qs_set_owner(path, group, err))
		goto fail_unlink;
	if (listen(fd, 64) != 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: listen: %s", path,
			    g_strerror(errno));
		goto fail_unlink;
	}
	return fd;
fail_unlink:
	unlink(path);
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

struct qserver *
qserver_new(const char *path, const char *group, struct memtab *tab,
	    const struct plugin_ctx *ctx, GError **err)
{
	struct qserver *qs;
	GError *lerr = NULL;
	int fd = qs_listen(path, group, &lerr);

	if (fd < 0) {
		g_set_error(err, FT_ERROR, lerr->code, "query socket: %s",
			    lerr->message);
		g_error_free(lerr);
		return NULL;
	}
	qs = g_new0(struct qserver, 1);
	qs->path = g_strdup(path);
	qs->fd = fd;
	qs->tab = tab;
	qs->ctx = ctx;
	qs->clients = g_ptr_array_new_with_free_func(qs_client_free);
	qs->src = g_unix_fd_add(fd, G_IO_IN, qs_accept, qs);
	qs->sweep = g_timeout_add_seconds(1, qs_sweep, qs);
	return qs;
}

void
qserver_free(struct qserver *qs)
{
	if (qs == NULL)
		return;
	g_source_remove(qs->src);
	g_source_remove(qs->sweep);
	g_ptr_array_free(qs->clients, TRUE);
	close(qs->fd);
	unlink(qs->path);
	g_free(qs->path);
	g_free(qs);
}

guint64
qserver_dropped_clients(const struct qserver *qs)
{
	return qs->dropped;
}
