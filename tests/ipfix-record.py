#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Record an exporter's IPFIX datagrams into an IPFIX file (RFC 5655).

usage: ipfix-record.py OUT COMMAND ARGS...

Binds a UDP socket on 127.0.0.1 (the kernel picks the port), runs the
command with every "{port}" in its arguments replaced by that port, and
once the command has exited writes every datagram it sent, in order, to
OUT. Unlike `flowtally-probe -o`, whose file messages can reach 64 KiB,
this keeps the message sizes of a UDP export, which every collector
reads.
"""
import socket
import subprocess
import sys


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("127.0.0.1", 0))
    port = str(s.getsockname()[1])
    rc = subprocess.call([a.replace("{port}", port) for a in cmd])
    if rc != 0:
        sys.exit("ipfix-record: %s exited with %d" % (cmd[0], rc))
    s.setblocking(False)
    n = 0
    with open(out, "wb") as f:
        while True:
            try:
                f.write(s.recv(65536))
                n += 1
            except BlockingIOError:
                break
    print("ipfix-record: %d messages" % n)


main()
