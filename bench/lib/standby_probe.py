#!/usr/bin/env python3
"""How fast a pool replaces workers, seen by a client: kill-to-served and the HUP roll.

  standby_probe.py kill PORT SERVER_PID N KILLS ADMIN STANDBY
      KILLS times: wait until the pool is whole (N pids answer new connections; with a Prefork ADMIN URL also
      N ready and STANDBY standing by), SIGKILL one serving worker, then send GET / on a new connection after
      another (each waits in the listen backlog while nobody accepts) until one is answered by a pid that was
      not serving before the kill: the replacement. Prints KILL lines and KILL_MEDIAN_MS / _MIN_MS / _MAX_MS.
  standby_probe.py roll PORT SERVER_PID N ROLLS ADMIN STANDBY
      ROLLS times: wait until the pool is whole, send HUP to the server, and time until every pid that served
      before has exited and the pool is whole again with N new serving pids. Prints ROLL lines and ROLL_MEDIAN_MS.
  standby_probe.py memory SERVER_PID PORT
      PSS / RSS of each child, and whether it serves (answers requests) or stands by.

ADMIN is the Prefork admin URL or '-' (Gunicorn: its children are its workers). Python 3 standard library only.
"""
import http.client
import os
import re
import signal
import statistics
import sys
import time
import urllib.request

import boot_probe  # same directory: children() and smaps()

GAUGE = r'^prefork_workers\{{[^}}]*state="{}"[^}}]*\}}\s+(\S+)'


def children(pid):
    # Not the master's CDS training run: it is no worker.
    return {k for k in boot_probe.children(pid) if b"CdsTraining" not in cmdline(k)}


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def gauge(admin, state):
    try:
        with urllib.request.urlopen(admin + "/metrics", timeout=2) as r:
            m = re.search(GAUGE.format(state), r.read().decode(), re.M)
            return float(m.group(1)) if m else 0.0
    except OSError:
        return -1.0


def served_by(port, timeout=5.0):
    """The X-Worker-Pid of GET / on a new connection, or None on a connection error."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", "/", headers={"Connection": "close"})
        r = c.getresponse()
        r.read()
        return int(r.getheader("X-Worker-Pid")) if r.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError, TypeError):
        return None
    finally:
        c.close()


def whole(port, server, n, admin, standby, deadline):
    """Waits until n pids answer (and the admin shows n ready and `standby` standing by); returns those pids."""
    while time.monotonic() < deadline:
        if admin != "-" and (gauge(admin, "ready") != n or gauge(admin, "standby") != standby):
            time.sleep(0.05)
            continue
        seen = set()
        for _ in range(40 * n):
            pid = served_by(port)
            if pid is not None:
                seen.add(pid)
            if len(seen) == n:
                return seen
        time.sleep(0.05)
    sys.exit(f"standby_probe: the pool of {n} never became whole (admin {admin})")


def kill(port, server, n, kills, admin, standby):
    times = []
    for i in range(kills):
        serving = whole(port, server, n, admin, standby, time.monotonic() + 60)
        time.sleep(0.5)  # let the master settle (a refill may still be starting)
        victim = sorted(serving)[i % len(serving)]
        t0 = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        while True:
            pid = served_by(port)
            if pid is not None and pid not in serving:
                break
            if time.monotonic() - t0 > 60:
                sys.exit(f"standby_probe: nothing new served 60 s after SIGKILL of {victim}")
        ms = (time.monotonic() - t0) * 1000
        times.append(ms)
        print(f"KILL victim={victim} replacement={pid} ms={ms:.1f}", flush=True)
    print(f"KILL_MEDIAN_MS {statistics.median(times):.1f}")
    print(f"KILL_MIN_MS {min(times):.1f}")
    print(f"KILL_MAX_MS {max(times):.1f}")


def roll(port, server, n, rolls, admin, standby):
    times = []
    for i in range(rolls):
        before = whole(port, server, n, admin, standby, time.monotonic() + 60)
        time.sleep(1.0)
        t0 = time.monotonic()
        os.kill(server, signal.SIGHUP)
        while True:
            if time.monotonic() - t0 > 120:
                sys.exit("standby_probe: the roll did not finish within 120 s")
            if any(alive(p) for p in before):
                time.sleep(0.005)
                continue
            if admin != "-" and gauge(admin, "ready") != n:
                time.sleep(0.005)
                continue
            if admin == "-" and len([p for p in children(server) if alive(p)]) != n:
                time.sleep(0.005)
                continue
            break
        ms = (time.monotonic() - t0) * 1000
        times.append(ms)
        print(f"ROLL {i + 1} ms={ms:.0f}", flush=True)
    print(f"ROLL_MEDIAN_MS {statistics.median(times):.0f}")
    print(f"ROLL_MIN_MS {min(times):.0f}")
    print(f"ROLL_MAX_MS {max(times):.0f}")


def memory(server, port):
    serving = set()
    for _ in range(200):
        pid = served_by(port)
        if pid:
            serving.add(pid)
    for w in sorted(children(server)):
        s = boot_probe.smaps(w)
        role = "serving" if w in serving else "standby"
        print(f"MEMORY pid={w} role={role} rss_mib={s['Rss']:.1f} pss_mib={s['Pss']:.1f}")


def main():
    cmd = sys.argv[1]
    if cmd in ("kill", "roll"):
        port, server, n, k = (int(x) for x in sys.argv[2:6])
        admin, standby = sys.argv[6], int(sys.argv[7])
        (kill if cmd == "kill" else roll)(port, server, n, k, admin, standby)
    elif cmd == "memory":
        memory(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(f"standby_probe.py: unknown command {cmd!r}; use kill, roll or memory")


if __name__ == "__main__":
    main()
