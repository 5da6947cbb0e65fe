#!/usr/bin/env python3
"""Turns bench/run's raw results (one TSV row per wrk run) into markdown tables of medians.

Usage: report.py RESULTS.tsv --scenarios "c64 close" --servers "prefork single" --duration 10s
                 --rounds 3 --workers 2 [--cmd SCENARIO=COMMAND ...] [--check]
--check exits 1 when a (scenario, server) cell has no number (for bench/smoke).
"""
import argparse
import os
import statistics
import sys

TITLES = {
    "c64": "keep-alive, 64 connections",
    "c256": "keep-alive, 256 connections",
    "close": "`Connection: close`, a new connection per request, 64 connections",
    "mixed": "5% `/burn?ms=50` (50 ms of CPU burnt in the handler), keep-alive, 64 connections",
}
FIELDS = ["rps", "p50", "p99", "sockerr", "non2xx", "probes", "probe_p50", "probe_max", "probe_fail", "cpu_us"]


def server_name(server, workers, gthreads):
    return {
        "prefork": f"Prefork, {workers} workers",
        "prefork-rp": f"Prefork `--reuse-port`, {workers} workers",
        "prefork-b": f"Prefork (jar B), {workers} workers",
        "single-b": "SingleProcess (jar B)",
        "single": "SingleProcess (1 JVM)",
        "nginx": f"nginx, {workers} workers, fixed 200",
        "node": f"Node.js cluster, {workers} workers",
        "gunicorn-sync": f"Gunicorn sync, {workers} workers",
        "gunicorn-gthread": f"Gunicorn gthread, {workers}×{gthreads} threads",
    }.get(server, server)


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def load(path):
    rows = {}
    with open(path) as f:
        header = f.readline().split()
        for line in f:
            parts = line.split()
            if len(parts) != len(header):
                continue
            r = dict(zip(header, parts))
            r.setdefault("cpu_us", "NA")  # results of a bench/run from before the column
            rows.setdefault((r["scenario"], r["server"]), []).append(r)
    return rows


def summarize(runs):
    """Medians over rounds; errors summed over rounds (a median would hide one bad round)."""
    def vals(k):
        return [x for x in (num(r[k]) for r in runs) if x is not None]

    def med(k):
        v = vals(k)
        return statistics.median(v) if v else None

    def total(k):
        v = vals(k)
        return int(sum(v)) if v else None

    pm = vals("probe_max")
    rps = vals("rps")
    return {
        "rps_min": min(rps) if rps else None, "rps_max": max(rps) if rps else None,
        "rps": med("rps"), "p50": med("p50"), "p99": med("p99"), "cpu_us": med("cpu_us"),
        "sockerr": total("sockerr"), "non2xx": total("non2xx"),
        "probes": total("probes"), "probe_p50": med("probe_p50"),
        "probe_max": max(pm) if pm else None, "probe_fail": total("probe_fail"),
        "rounds": len(runs),
    }


def round_ratios(a_runs, b_runs):
    """req/s ratio of two servers within each round: both ran minutes apart at most, so slow drift of the
    machine's load cancels out."""
    b = {r["round"]: num(r["rps"]) for r in b_runs}
    out = []
    for r in sorted(a_runs, key=lambda x: int(x["round"])):
        x, y = num(r["rps"]), b.get(r["round"])
        if x is not None and y:
            out.append(x / y)
    return out


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsv")
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--servers", required=True)
    ap.add_argument("--duration", required=True)
    ap.add_argument("--rounds", required=True)
    ap.add_argument("--workers", default="2")
    ap.add_argument("--gthreads", default="4")
    ap.add_argument("--cmd", action="append", default=[])
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    rows = load(a.tsv)
    scenarios = a.scenarios.split()
    servers = a.servers.split()
    cmds = dict(c.split("=", 1) for c in a.cmd)
    missing = []
    out = []
    goals = []
    for scen in scenarios:
        s = {srv: summarize(rows.get((scen, srv), [])) for srv in servers}
        refs = [("single", "× SingleProcess"), ("nginx", "× nginx"), ("node", "× Node")]
        # nginx answers /burn at once (it has no handler to block): no peer for the mixed load.
        refs = [(k, t) for k, t in refs if k in servers and not (scen == "mixed" and k == "nginx")]
        out.append(f"### {scen}: {TITLES.get(scen, scen)}")
        out.append("")
        if scen in cmds:
            out.append(f"`{cmds[scen]}`, {a.duration} per run, median of {a.rounds} round(s) "
                       f"(each round runs every server once; even rounds in reverse order).")
        out.append(f"**wrk shares the {os.cpu_count()} cores with the servers**: "
                   "read the figures as ratios within this run, not as capacity.")
        if scen == "mixed" and "nginx" in servers:
            out.append("nginx answers `/burn` at once (it has no handler that could block), so it is no peer here.")
        out.append("")
        head = ["server", "req/s", "req/s min–max", "p50 ms", "p99 ms", "socket errors", "non-2xx",
                "probe p50 / max ms (fails)", "server CPU µs/req"] + [t for _, t in refs]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
        for srv in servers:
            r = s[srv]
            if (r["rps"] is None or r["rps"] <= 0 or r["p50"] is None or r["p99"] is None
                    or r["probe_max"] is None):
                missing.append(f"{scen}/{srv}")
            probe = (f"{fmt(r['probe_p50'], 1)} / {fmt(r['probe_max'], 1)}"
                     f" ({r['probe_fail'] if r['probe_fail'] is not None else 'n/a'})")
            spread = f"{fmt(r['rps_min'])}–{fmt(r['rps_max'])}" if r["rounds"] > 1 else "–"
            cells = [server_name(srv, a.workers, a.gthreads), fmt(r["rps"]), spread, fmt(r["p50"], 2),
                     fmt(r["p99"], 2), fmt(r["sockerr"]), fmt(r["non2xx"]), probe, fmt(r["cpu_us"], 1)]
            if scen == "mixed" and srv == "nginx":
                cells += ["–" for _ in refs]  # nginx does not burn: its figures are no comparison here
            else:
                cells += [ratio(r["rps"], s[k]["rps"]) for k, _ in refs]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        for p in (x for x in ("prefork", "prefork-rp") if x in servers):
            targets = {"c64": [("single", 0.95), ("node", 1.0), ("nginx", 0.8)],
                       "c256": [("nginx", 0.8)],
                       "close": [("node", 1.0), ("nginx", 0.8)]}.get(scen, [])
            for ref, goal in targets:
                if ref in servers and s[p]["rps"] and s[ref]["rps"]:
                    got = s[p]["rps"] / s[ref]["rps"]
                    verdict = "met" if got >= goal else f"missed by {(goal - got) / goal:.0%}"
                    per_round = round_ratios(rows.get((scen, p), []), rows.get((scen, ref), []))
                    pr = ", ".join(f"{x:.2f}" for x in per_round)
                    goals.append(f"- {scen}: {p} / {ref} = {got:.2f} (goal ≥ {goal:.2f}): {verdict}; "
                                 f"per round: {pr or 'n/a'}")
        for p, single in (("prefork", "single"), ("prefork-b", "single-b")):
            if p not in servers:
                continue
            parts = []
            for ref in ("nginx", single):
                if ref in servers and s[p]["rps"] and s[ref]["rps"]:
                    per_round = round_ratios(rows.get((scen, p), []), rows.get((scen, ref), []))
                    parts.append(f"{p} / {ref} = {s[p]['rps'] / s[ref]['rps']:.2f} (per round "
                                 f"{', '.join(f'{x:.2f}' for x in per_round)}; CPU per request "
                                 f"{ratio(s[p]['cpu_us'], s[ref]['cpu_us'])}×)")
            if parts:
                goals.append(f"- {scen} ratios: " + "; ".join(parts))
        if "prefork-b" in servers and "prefork" in servers:
            ab = round_ratios(rows.get((scen, "prefork-b"), []), rows.get((scen, "prefork"), []))
            if ab:
                goals.append(f"- {scen}: A/B prefork-b / prefork per round: {', '.join(f'{x:.2f}' for x in ab)}"
                             f" (median {statistics.median(ab):.2f}); server CPU per request "
                             f"{ratio(s['prefork-b']['cpu_us'], s['prefork']['cpu_us'])}×")
    if goals:
        out.append("Goals (issues 5 and 13):")
        out.append("")
        out.extend(goals)
        out.append("")
    print("\n".join(out))
    if a.check and missing:
        print("bench: no numbers for " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
