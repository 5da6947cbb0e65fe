#!/usr/bin/env python3
"""Worker boot, restart and memory figures of a running Prefork master.

  boot_probe.py memory MASTER_PID                  idle RSS/PSS of the master and of each worker
  boot_probe.py restart MASTER_PID ADMIN_URL N K GAP
                                                   K times: SIGKILL one worker, time until a new worker
                                                   exists and the admin /metrics shows N ready again; then
                                                   wait GAP s (past the master's crash-backoff reset, so
                                                   each kill is an isolated crash, not a crash loop)
Workers are the master's child processes (from /proc). Output: KEY value lines.
"""
import os
import re
import signal
import statistics
import sys
import time
import urllib.request

READY = re.compile(r'^prefork_workers\{[^}]*state="ready"[^}]*\}\s+(\S+)', re.M)
BOOT = re.compile(r'^prefork_worker_boot_seconds_(sum|count)(?:\{[^}]*\})?\s+(\S+)', re.M)
BUCKET = re.compile(r'^prefork_worker_boot_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\}\s+(\S+)', re.M)


def children(pid):
    kids = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids.update(int(x) for x in f.read().split())
    except FileNotFoundError:
        pass
    return kids


def metrics(admin):
    with urllib.request.urlopen(admin + "/metrics", timeout=2) as r:
        return r.read().decode()


def ready(admin):
    try:
        m = READY.search(metrics(admin))
        return float(m.group(1)) if m else 0
    except OSError:
        return 0


def boot_hist(admin):
    text = metrics(admin)
    vals = {k: float(v) for k, v in BOOT.findall(text)}
    buckets = {float(le) if le != "+Inf" else float("inf"): float(v) for le, v in BUCKET.findall(text)}
    return vals.get("sum", 0.0), vals.get("count", 0.0), buckets


def smaps(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                out[parts[0][:-1]] = int(parts[1]) / 1024.0  # kB -> MiB
    return out


def memory(master):
    workers = sorted(children(master))
    m = smaps(master)
    print(f"MASTER_RSS_MIB {m['Rss']:.1f}")
    print(f"MASTER_PSS_MIB {m['Pss']:.1f}")
    rss, pss = [], []
    for w in workers:
        s = smaps(w)
        rss.append(s["Rss"])
        pss.append(s["Pss"])
        exe = os.readlink(f"/proc/{w}/exe")
        print(f"WORKER {w} exe={exe} rss_mib={s['Rss']:.1f} pss_mib={s['Pss']:.1f}")
    print(f"WORKER_RSS_MIB {statistics.mean(rss):.1f}")
    print(f"WORKER_PSS_MIB {statistics.mean(pss):.1f}")


def restart(master, admin, n, k, gap):
    times = []
    s0, c0, b0 = boot_hist(admin)
    if c0:
        print(f"INITIAL_BOOT_MEAN_MS {s0 / c0 * 1000:.0f}")
    for i in range(k):
        old = children(master)
        victim = sorted(old)[i % len(old)]
        t0 = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        deadline = t0 + 60
        while True:
            now = time.monotonic()
            if children(master) - old and ready(admin) >= n:
                break
            if now > deadline:
                sys.exit(f"boot_probe: no new ready worker 60 s after SIGKILL of {victim}")
            time.sleep(0.005)
        ms = (time.monotonic() - t0) * 1000
        times.append(ms)
        print(f"RESTART pid={victim} ms={ms:.0f}")
        if i < k - 1:
            time.sleep(gap)
    s1, c1, b1 = boot_hist(admin)
    print(f"RESTART_MEDIAN_MS {statistics.median(times):.0f}")
    print(f"RESTART_MIN_MS {min(times):.0f}")
    print(f"RESTART_MAX_MS {max(times):.0f}")
    if c1 > c0:
        print(f"BOOT_MEAN_MS {(s1 - s0) / (c1 - c0) * 1000:.0f}")
        print(f"BOOT_COUNT {c1 - c0:.0f}")
        # Median from the histogram buckets of these boots (an upper bound: the bucket's edge).
        delta = sorted((le, b1.get(le, 0) - b0.get(le, 0)) for le in b1)
        half = (c1 - c0) / 2
        for le, cum in delta:
            if cum >= half:
                print(f"BOOT_MEDIAN_BUCKET_MS {le * 1000:.0f}")
                break


def main():
    cmd = sys.argv[1]
    if cmd == "memory":
        memory(int(sys.argv[2]))
    elif cmd == "restart":
        restart(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    else:
        sys.exit(f"boot_probe.py: unknown command {cmd!r}; use memory or restart")


if __name__ == "__main__":
    main()
