/* SPDX-License-Identifier: ISC */
/*
 * The query protocol between the flowtally CLI and a memory plugin, over
 * the plugin's UNIX stream socket. It is line-based text, so that it can
 * be read with socat when something goes wrong; fields are separated by
 * one tab. The client sends one request and reads until END or ERR.
 *
 * Requests (the first word, then arguments):
 *   DUMP [ERASE]            every entry; ERASE clears the table in the
 *                           same step (read-and-clear is atomic)
 *   MATCH <prims> [RESET]   then one line per query, values tab-separated
 *                           in the order of <prims> (comma-separated
 *                           primitive names), "*" a wildcard; then a line
 *                           "." ends the queries. RESET zeroes the
 *                           entries that matched after reading them.
 *   ERASE                   clear the table
 *   SINCE                   seconds since the last clear, or "never"
 *   STATUS                  status lines
 *
 * Words of a request line are separated by one tab too
 * ("MATCH\tsrc_host,dst_host\tRESET"); query lines hold canonical values
 * (as in ROW lines).
 *
 * Replies:
 *   COLS <prims>            for DUMP and MATCH: the table's aggregated
 *                           primitives, in client column order, comma
 *                           separated ("" for `none`), then ",flows" if
 *                           flows are aggregated
 *   ROW <q> <v>... <packets> <flows> <bytes>
 *                           one entry: <q> is the 0-based index of
 *                           the query it matched (0 for DUMP), then
 *                           one value per column in COLS order,
 *                           canonical text: addresses and MACs in
 *                           text, protocols and TCP flags as numbers,
 *                           timestamps as "<sec>.<usec>" since the epoch
 *   LINE <text>             one line of SINCE or STATUS output
 *   END <n>                 success; n = ROW lines sent
 *   ERR <message>           failure; the message is for the user
 */
#ifndef FT_QPROTO_H
#define FT_QPROTO_H

#define QPROTO_MAX_LINE    65536
#define QPROTO_MAX_QUERIES 4096

/*
 * The socket of a memory plugin without imt_path whose name is "default"
 * (an unnamed `memory` plugin), and the CLI's default -p. Timestamps in
 * ROW lines carry six digits of microseconds ("1700000002.500000").
 */
#ifdef FT_RUNSTATEDIR
#define FT_DEFAULT_IMT_PATH FT_RUNSTATEDIR "/flowtally/default.sock"
#endif

#endif
