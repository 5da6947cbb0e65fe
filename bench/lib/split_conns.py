#!/usr/bin/env python3
"""Which worker serves each connection: counts X-Worker-Pid per connection.

  split_conns.py URL seq N          N new connections one after another, one request each
  split_conns.py URL concurrent C K C connections opened together and held open, then one request on
                                    each (where keep-alive connections land); repeated K times
Prints "PID <pid> <connections>" lines.
"""
import http.client
import sys
from collections import Counter
from urllib.parse import urlsplit


def worker_of(conn):
    conn.request("GET", "/")
    resp = conn.getresponse()
    resp.read()
    return resp.getheader("X-Worker-Pid", "none")


def main():
    url, mode = urlsplit(sys.argv[1]), sys.argv[2]
    host, port = url.hostname, url.port
    counts = Counter()
    if mode == "seq":
        for _ in range(int(sys.argv[3])):
            conn = http.client.HTTPConnection(host, port, timeout=10)
            counts[worker_of(conn)] += 1
            conn.close()
    elif mode == "concurrent":
        c, k = int(sys.argv[3]), int(sys.argv[4])
        for _ in range(k):
            conns = [http.client.HTTPConnection(host, port, timeout=10) for _ in range(c)]
            for conn in conns:
                conn.connect()
            for conn in conns:
                counts[worker_of(conn)] += 1
            for conn in conns:
                conn.close()
    else:
        sys.exit(f"split_conns.py: unknown mode {mode!r}; use seq or concurrent")
    for pid, n in sorted(counts.items()):
        print(f"PID {pid} {n}")


if __name__ == "__main__":
    main()
