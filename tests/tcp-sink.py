#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A TCP collector stand-in: accept connections on 127.0.0.1:PORT one at
a time and append every byte received to FILE. An IPFIX stream over TCP
is a sequence of messages, exactly the IPFIX file format (RFC 5655), so
ipfixDump can decode FILE. With --once, exit when the first connection
ends; otherwise run until killed, counting connections in FILE.conns."""
import socket
import sys


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    once = "--once" in sys.argv
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    conns = 0
    with open(path, "ab") as out:
        while True:
            c, _ = srv.accept()
            conns += 1
            with open(path + ".conns", "w") as f:
                f.write("%d\n" % conns)
            while True:
                b = c.recv(65536)
                if not b:
                    break
                out.write(b)
                out.flush()
            c.close()
            if once:
                return


if __name__ == "__main__":
    main()
