#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Check what the sqlite3 and print plugins wrote against ground truth.

usage: store-check.py TRUTH.json FLOWS.csv.gz BIN_SECS STORE...

STORE is sqlite:DB:TABLE, csv:DIR, fmt:DIR or json:DIR (files named
%Y%m%d-%H%M.csv or .txt by bin; JSON lines carry stamp_inserted).

TRUTH.json is the traffic generator's ground truth (per local host bytes
sent and received, total IP bytes); FLOWS.csv.gz its list of flows, from
which the expected bytes per history bin (by each flow's last packet)
are summed here. TRUTH.json#CAPTURE instead names one capture's entry of
the shared traffic-truth.json (bytes per source and destination address
from tshark). With FLOWS "-" bins are not checked. Every store must give
the same per-host and per-bin totals. Exits non-zero with a message on
the first difference.
"""
import collections
import csv
import datetime
import glob
import gzip
import json
import os
import sqlite3
import sys


def fail(msg):
    sys.exit("store-check: FAIL: " + msg)


def stamp(secs):
    return datetime.datetime.fromtimestamp(
        secs, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def expected(truth_path, flows_path, bin_secs):
    path, _, capture = truth_path.partition("#")
    truth = json.load(open(path))
    if capture:
        t = truth[capture]
        return t["bytes"], t["src"], t["dst"], None
    tx = {h: v["tx_bytes"] for h, v in truth["per_local_host"].items()}
    rx = {h: v["rx_bytes"] for h, v in truth["per_local_host"].items()}
    if flows_path == "-":
        return truth["ip_bytes"], tx, rx, None
    bins = collections.Counter()
    with gzip.open(flows_path, "rt") as f:
        for row in csv.DictReader(f):
            end = int(row["last_us"]) // 1000000
            bins[stamp(end - end % bin_secs)] += int(row["ip_bytes"])
    return truth["ip_bytes"], tx, rx, bins


def compare(what, exp, got, keys=None):
    for k in keys if keys is not None else set(exp) | set(got):
        if exp.get(k, 0) != got.get(k, 0):
            fail("%s %s: expected %d, got %d"
                 % (what, k, exp.get(k, 0), got.get(k, 0)))


def check(name, total, tx, rx, bins, rows):
    """rows: (ip_src, ip_dst, bin stamp, bytes) from one store."""
    src, dst, per_bin = (collections.Counter() for _ in range(3))
    for s, d, b, n in rows:
        src[s] += n
        dst[d] += n
        per_bin[b] += n
    if sum(src.values()) != total:
        fail("%s: total %d bytes, truth %d" % (name, sum(src.values()), total))
    compare(name + " sent by", tx, src, tx.keys())
    compare(name + " received by", rx, dst, rx.keys())
    if bins is not None:
        compare(name + " bin", bins, per_bin)
    print("store-check: %s: %d bytes, %d sources match%s"
          % (name, total, len(tx),
             "" if bins is None else ", %d bins" % len(bins)))


def sqlite_rows(db, table):
    con = sqlite3.connect(db)
    return con.execute("SELECT ip_src, ip_dst, stamp_inserted, bytes FROM "
                       + table).fetchall()


def text_rows(d, ext, split):
    rows = []
    for path in sorted(glob.glob(os.path.join(d, "*." + ext))):
        name = os.path.basename(path)[:-len(ext) - 1]
        b = datetime.datetime.strptime(name, "%Y%m%d-%H%M")
        b = b.strftime("%Y-%m-%d %H:%M:%S")
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if (not line.strip() or line.startswith("--")
                        or line.startswith("SRC_IP")):
                    continue
                v = split(line)
                rows.append((v[0], v[1], b, int(v[-1])))
    return rows


def json_rows(d):
    rows = []
    for path in sorted(glob.glob(os.path.join(d, "*.json"))):
        with open(path) as f:
            for line in f:
                o = json.loads(line)
                if o.get("event_type") != "purge":
                    continue
                rows.append((o["ip_src"], o["ip_dst"], o["stamp_inserted"],
                             o["bytes"]))
    return rows


def rows_of(store):
    kind, _, where = store.partition(":")
    if kind == "sqlite":
        db, _, table = where.rpartition(":")
        return sqlite_rows(db, table)
    if kind == "csv":
        return text_rows(where, "csv", lambda l: l.split(","))
    if kind == "fmt":
        return text_rows(where, "txt", str.split)
    if kind == "json":
        return json_rows(where)
    fail("unknown store " + store)


def main():
    truth, flows, bin_secs = sys.argv[1:4]
    total, tx, rx, bins = expected(truth, flows, int(bin_secs))
    for store in sys.argv[4:]:
        check(store, total, tx, rx, bins, rows_of(store))


main()
