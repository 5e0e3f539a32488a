#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Send the messages of an IPFIX file (RFC 5655) as UDP datagrams.

usage: ipfix-send.py FILE HOST PORT [DELAY_MS]

Each message (RFC 7011 section 3.1: its length is bytes 2-3 of the
header) goes out as one datagram, DELAY_MS apart, so a test can act on a
collector while a stream is still arriving. Send errors (nobody
listening any more) are counted, not fatal; the count is printed.
"""
import socket
import struct
import sys
import time


def messages(data):
    off = 0
    while off + 16 <= len(data):
        version, length = struct.unpack_from("!HH", data, off)
        if version != 10 or length < 16 or off + length > len(data):
            sys.exit("ipfix-send: bad message at offset %d" % off)
        yield data[off:off + length]
        off += length


def main():
    path, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    delay = float(sys.argv[4]) / 1000 if len(sys.argv) > 4 else 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = errors = 0
    for msg in messages(open(path, "rb").read()):
        try:
            s.sendto(msg, (host, port))
            sent += 1
        except OSError:
            errors += 1
        if delay:
            time.sleep(delay)
    print("ipfix-send: %d sent, %d errors" % (sent, errors))


main()
