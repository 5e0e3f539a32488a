#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Send the messages of an IPFIX File (RFC 5655) as UDP datagrams.

Each message (its length is at offset 2 of its header, RFC 7011 section
3.1) goes as one datagram from one socket to every destination in turn,
so that several collectors receive exactly the same records from the
same exporter address and port.

usage: ipfix-replay.py [--gap MS] FILE HOST:PORT [HOST:PORT...]
--gap: milliseconds between two messages (default 2), so that a slow
receiver's buffers do not overflow
"""

import socket
import struct
import sys
import time


def messages(data):
    off = 0
    while off + 16 <= len(data):
        version, length = struct.unpack_from(">HH", data, off)
        if version != 10 or length < 16 or off + length > len(data):
            raise ValueError("bad IPFIX message at offset %d" % off)
        yield data[off:off + length]
        off += length


def main():
    args = sys.argv[1:]
    gap = 0.002
    if args[0] == "--gap":
        gap = float(args[1]) / 1000
        args = args[2:]
    with open(args[0], "rb") as f:
        data = f.read()
    dests = []
    for arg in args[1:]:
        host, port = arg.rsplit(":", 1)
        dests.append((host, int(port)))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    n = 0
    for msg in messages(data):
        for dest in dests:
            sock.sendto(msg, dest)
        n += 1
        time.sleep(gap)
    print("%d messages" % n)


if __name__ == "__main__":
    main()
