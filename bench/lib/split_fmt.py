#!/usr/bin/env python3
"""Formats a split: reads "PID <pid> <count>" lines on stdin, worker pids as arguments.

Prints e.g. "48/52% of 1000, max/min 1.08": shares in worker-pid order; a worker that got nothing
counts as 0 (max/min = inf). Responses from a pid that is not a listed worker are reported apart.
"""
import sys

counts = {}
for line in sys.stdin:
    parts = line.split()
    if len(parts) == 3 and parts[0] == "PID":
        counts[parts[1]] = counts.get(parts[1], 0) + int(parts[2])
workers = sys.argv[1:]
per = [counts.get(w, 0) for w in workers]
other = sum(n for p, n in counts.items() if p not in workers)
total = sum(per) + other
if total == 0:
    print("n/a (no responses)")
    sys.exit(0)
shares = "/".join(f"{100 * n / total:.0f}" for n in per)
ratio = "inf" if min(per) == 0 else f"{max(per) / min(per):.2f}"
extra = f", {other} from other pids" if other else ""
print(f"{shares}% of {total}, max/min {ratio}{extra}")
