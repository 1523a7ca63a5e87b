"""Sweep throughput: 100 variations of the reference, warm against cold, 1 against 2 workers.

The sweep is the reference with China's NdPr oxide and magnet export ban
(``cases/cn_ree_ban.toml``) varied in three ways — 5 ban years × 5 permitting years of a
standard US mine × 4 tariff rates on everything China ships, in that order (the last varies
fastest) — 100 scenarios through ``run_sweep`` (what ``northam-plan sweep`` runs) on a new
``LocalCluster`` each time, one thread per worker. Ban years and permitting years change which
variables and rows exist (so each of their 25 combinations is solved cold once per worker that
meets it); tariff rates change numbers only (re-solved warm). Printed side by side, from one
run: wall seconds, scenarios per minute, how many scenarios were re-solved warm, and the
seconds per scenario inside the workers (median).

    python benchmarks/sweep_throughput.py                          # warm 1 and 2, cold 1 and 2
    python benchmarks/sweep_throughput.py --configs warm2,cold2 --json /tmp/sweep.json
    python benchmarks/sweep_throughput.py --cold-scenarios 20      # cold on the first 20 only

Each configuration writes into a fresh temporary folder (nothing is skipped). The 1-minute
load average before each is printed: on a shared machine the wall time moves with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "cn_ree_ban.toml"
VARY = ["ban_year:disruptions.start_year=2027,2028,2029,2030,2031",
        "us_mine_permit:regimes[country=US,family=mine,regime=standard].permitting_years=3,4,5,6,7",
        "cn_tariff:tariffs[from=CN].rate=0,0.25,0.5,1"]
CONFIGS = {"warm1": (True, 1), "warm2": (True, 2), "cold1": (False, 1), "cold2": (False, 2)}


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def load_average() -> float:
    return os.getloadavg()[0]


def run(config: str, vary: list[str], out: Path) -> dict:
    from northam_plan.scenarios.sweep import run_sweep

    warm, workers = CONFIGS[config]
    load = load_average()
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    tic = time.perf_counter()
    done = run_sweep(CASE, vary, out, workers=workers, warm=warm)
    seconds = time.perf_counter() - tic
    # CPU seconds: this process (scheduler, client) and the worker processes, reaped when the
    # LocalCluster closed
    cpu = [_cpu(resource.getrusage(who)) - _cpu(b) for who, b in
           zip((resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN), before)]
    solved = [r for r in done.rows if r["status"] == "solved"]
    return {"config": config, "warm": warm, "workers": workers, "scenarios": len(done.rows),
            "solved": len(solved), "failed": len(done.failed),
            "re_solved_warm": sum(r.get("start") == "warm" for r in solved),
            "seconds": round(seconds, 1), "per_minute": round(60 * len(solved) / seconds, 1),
            "cpu_here": round(cpu[0], 1), "cpu_workers": round(cpu[1], 1),
            "end_load_average": round(load_average(), 1),
            "median_scenario_s": round(statistics.median(r["seconds"] for r in solved), 2)
            if solved else None, "load_average": round(load, 1),
            "objectives": {r["scenario"]: r["objective"] for r in solved}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default="warm1,warm2,cold1,cold2",
                        help="comma-separated of " + ", ".join(CONFIGS))
    parser.add_argument("--cold-scenarios", type=int, default=100,
                        help="cold configurations sweep only the first N scenarios (ban "
                             "years first), to keep a loaded machine's run short")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if importlib.util.find_spec("northam_plan") is None:  # a clone without an install
        sys.path.insert(0, str(ROOT / "src"))
    records = []
    print(f"{CASE.name}: " + " × ".join(str(v.rsplit("=", 1)[1].count(",") + 1) for v in VARY)
          + " variations", flush=True)
    for config in args.configs.split(","):
        vary = list(VARY)
        if not CONFIGS[config][0] and args.cold_scenarios < 100:
            vary = _first(args.cold_scenarios)
        with tempfile.TemporaryDirectory(prefix=f"sweep-{config}-") as tmp:
            record = run(config, vary, Path(tmp) / "out")
        records.append(record)
        print(f"  {config:6s} {record['solved']:3d} solved ({record['re_solved_warm']:3d} warm) "
              f"in {record['seconds']:7.1f} s = {record['per_minute']:6.1f} scenarios/min; "
              f"median {record['median_scenario_s']} s per scenario; CPU s: workers "
              f"{record['cpu_workers']}, this process {record['cpu_here']}; load "
              f"{record['load_average']}–{record['end_load_average']}", flush=True)
    _compare(records)
    if args.json:
        args.json.write_text(json.dumps(records, indent=2) + "\n")


def _first(n: int) -> list[str]:
    """The variations cut to about the first ``n`` scenarios: fewer ban years."""
    years = VARY[0].split("=")[1].split(",")
    keep = max(1, -(-n // 20))
    return [VARY[0].split("=")[0] + "=" + ",".join(years[:keep]), *VARY[1:]]


def _compare(records: list[dict]) -> None:
    """Every configuration's objectives against the first one's (scenarios both solved)."""
    if len(records) < 2:
        return
    base = records[0]["objectives"]
    for record in records[1:]:
        shared = set(base) & set(record["objectives"])
        gap = max((abs(base[k] - record["objectives"][k]) / abs(base[k]) for k in shared),
                  default=0.0)
        print(f"  {record['config']} vs {records[0]['config']}: {len(shared)} scenarios, "
              f"largest relative objective gap {gap:.1e}")


if __name__ == "__main__":
    main()
