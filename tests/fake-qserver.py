#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A stand-in memory plugin for the CLI's golden tests.

It speaks collector/qproto.h on a UNIX socket and serves canned rows read
from a fixture (a COLS line and ROW lines, as the protocol sends them), so
that the flowtally CLI can be checked without a collector. Matching is
the plain scan of reference 4.2: each query value equals the entry's
canonical value or is "*"; a key the table does not aggregate never
matches. ERASE and RESET change the canned table for the rest of the run.
Every request line is appended to a log so tests can check what was sent.

usage: fake-qserver.py SOCKET FIXTURE LOG
"""

import os
import socket
import sys

MAX_CONNECTIONS = 1000
IDLE_SECONDS = 60


def load(path):
    cols, rows = [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("COLS"):
                parts = line.split("\t")
                cols = [c for c in (parts[1] if len(parts) > 1 else "")
                        .split(",") if c]
            elif line.startswith("ROW"):
                rows.append(line.split("\t")[2:])
    return cols, rows


class Table:
    def __init__(self, path):
        self.cols, self.rows = load(path)
        self.cleared = False

    def keys(self):
        return [c for c in self.cols if c != "flows"]

    def cols_line(self):
        return "COLS\t" + ",".join(self.cols) + "\n"

    @staticmethod
    def row_line(q, row):
        return "ROW\t%d\t%s\n" % (q, "\t".join(row))

    def dump(self, erase):
        out = [self.cols_line()]
        out += [self.row_line(0, r) for r in self.rows]
        out.append("END\t%d\n" % len(self.rows))
        if erase:
            self.erase()
        return "".join(out)

    def erase(self):
        self.rows = []
        self.cleared = True

    def matches(self, names, values, row):
        keys = self.keys()
        for name, value in zip(names, values):
            if value == "*":
                continue
            if name not in keys or row[keys.index(name)] != value:
                return False
        return True

    def match(self, names, queries, reset):
        out = [self.cols_line()]
        hit = set()
        n = 0
        for q, values in enumerate(queries):
            for i, row in enumerate(self.rows):
                if self.matches(names, values, row):
                    out.append(self.row_line(q, row))
                    hit.add(i)
                    n += 1
        out.append("END\t%d\n" % n)
        if reset:
            self.rows = [r for i, r in enumerate(self.rows) if i not in hit]
        return "".join(out)


def read_line(f, log):
    line = f.readline()
    if not line.endswith("\n"):
        raise EOFError
    line = line[:-1]
    log.write(line + "\n")
    log.flush()
    return line


def serve_one(conn, table, log):
    f = conn.makefile("r")
    words = read_line(f, log).split("\t")
    if words[0] == "DUMP":
        reply = table.dump(words[1:] == ["ERASE"])
    elif words[0] == "MATCH":
        names = words[1].split(",")
        queries = []
        for _ in range(4097):
            line = read_line(f, log)
            if line == ".":
                break
            queries.append(line.split("\t"))
        reply = table.match(names, queries, words[2:] == ["RESET"])
    elif words[0] == "ERASE":
        table.erase()
        reply = "END\t0\n"
    elif words[0] == "SINCE":
        reply = "LINE\t%s\nEND\t0\n" % ("0" if table.cleared else "never")
    elif words[0] == "STATUS":
        reply = "LINE\tentries: %d\nEND\t0\n" % len(table.rows)
    else:
        reply = "ERR\tunknown request '%s'\n" % words[0]
    conn.sendall(reply.encode())


def main():
    path, fixture, logpath = sys.argv[1:4]
    table = Table(fixture)
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    srv.settimeout(IDLE_SECONDS)
    with open(logpath, "a") as log:
        for _ in range(MAX_CONNECTIONS):
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                break
            with conn:
                conn.settimeout(IDLE_SECONDS)
                try:
                    serve_one(conn, table, log)
                except (EOFError, OSError, IndexError):
                    pass
    os.unlink(path)


if __name__ == "__main__":
    main()
