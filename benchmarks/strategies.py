"""HiGHS strategies on the generated ladder: which solver settings give an optimal plan soonest.

For each size a case is generated (benchmarks/generate.py), built once on the matrix backend and
written to an MPS-free pickle of its arrays; then every strategy solves that same LP in a fresh
Python process (HiGHS's thread pool is per process, so ``threads`` can differ between runs),
with a time limit. Printed per size and strategy: HiGHS seconds (wall, and the process's CPU
seconds), status, objective and its relative gap to the best optimal one, iterations.

    python benchmarks/strategies.py --sizes 8x6x26,16x12x26 --strategies all
    python benchmarks/strategies.py --sizes 32x26x26 --strategies ipm,ipm-nox --time-limit 600
    python benchmarks/strategies.py --sizes 80x60x26 --strategies ipm-nox --json /tmp/large.json

A strategy is a set of HiGHS options (``STRATEGIES``; any ``key=value`` list is accepted too,
e.g. ``--strategies "solver=ipm,run_crossover=off,presolve=off"``). A time-limited run's time is
a lower bound of the time to optimal (printed "> limit").
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: name → HiGHS options (what `northam-plan solve --highs-option key=value` passes)
STRATEGIES: dict[str, dict[str, object]] = {
    "choose": {},  # HiGHS's own choice: dual simplex for an LP
    "dual": {"solver": "simplex", "simplex_strategy": 1},
    "primal": {"solver": "simplex", "simplex_strategy": 4},
    "dual-pami": {"solver": "simplex", "simplex_strategy": 2, "threads": 2},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    "ipm-nox": {"solver": "ipm", "run_crossover": "off"},
    "ipm-nopre": {"solver": "ipm", "run_crossover": "on", "presolve": "off"},
    "ipm-t2": {"solver": "ipm", "run_crossover": "on", "threads": 2},
    "ipm-nox-t2": {"solver": "ipm", "run_crossover": "off", "threads": 2},
    "pdlp": {"solver": "pdlp"},
}


def strategy(text: str) -> tuple[str, dict[str, object]]:
    if text in STRATEGIES:
        return text, STRATEGIES[text]
    options: dict[str, object] = {}
    for item in text.split(","):
        key, _, value = item.partition("=")
        options[key.strip()] = _value(value.strip())
    return text, options


def _value(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def build_lp(size: tuple[int, int, int], folder: Path) -> tuple[Path, dict]:
    """Generate the case, build it on the matrix backend, pickle its arrays; return the pickle."""
    from generate import generate_case

    from northam_plan import load_case
    from northam_plan.model import build_model
    from northam_plan.scenarios.resolve_arrays import ArrayLP

    regions, commodities, years = size
    path = generate_case(folder / "case", regions=regions, commodities=commodities, years=years)
    tic = time.perf_counter()
    model = build_model(load_case(path), backend="matrix")
    built = time.perf_counter() - tic
    lp = ArrayLP(model)
    arrays = {"cost": lp.cost, "col_lower": lp.col_lower, "col_upper": lp.col_upper,
              "row_lower": lp.row_lower, "row_upper": lp.row_upper,
              "indptr": lp.A.indptr, "indices": lp.A.indices, "data": lp.A.data}
    out = folder / "lp.pickle"
    out.write_bytes(pickle.dumps(arrays, protocol=5))
    return out, {"variables": len(lp.cost), "constraints": lp.used_rows(),
                 "nonzeros": int(lp.A.nnz), "build": round(built, 2)}


def solve_worker(lp_path: str, options_json: str, time_limit: float) -> None:
    """In a fresh process: load the arrays, set the options, solve, print a JSON line."""
    import highspy
    import numpy as np

    a = pickle.loads(Path(lp_path).read_bytes())
    lp = highspy.HighsLp()
    n_col, n_row = len(a["cost"]), len(a["row_lower"])
    lp.num_col_, lp.num_row_ = n_col, n_row
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = a["cost"], a["col_lower"], a["col_upper"]
    lp.row_lower_, lp.row_upper_ = a["row_lower"], a["row_upper"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = a["indptr"], a["indices"]
    lp.a_matrix_.value_ = np.asarray(a["data"], dtype=float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_col, n_row
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    options = json.loads(options_json)
    for key, value in options.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise SystemExit(f"bad option {key}={value}")
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    tic = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - tic
    used = resource.getrusage(resource.RUSAGE_SELF)
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    print(json.dumps({"seconds": round(seconds, 2),
                      "cpu": round(used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime,
                                   2),
                      "status": status, "objective": info.objective_function_value,
                      "simplex_iterations": info.simplex_iteration_count,
                      "ipm_iterations": info.ipm_iteration_count,
                      "pdlp_iterations": getattr(info, "pdlp_iteration_count", 0),
                      "crossover_iterations": info.crossover_iteration_count,
                      "peak_mib": round(used.ru_maxrss / 1024)}))


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def main(argv: list[str] | None = None) -> None:
    from run import parse_size

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="8x6x26,16x12x26")
    parser.add_argument("--strategies", default="all",
                        help="comma-free list separated by ';' of names (" +
                             ", ".join(STRATEGIES) + ") or key=value,key=value sets; 'all'")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        solve_worker(args.worker[0], args.worker[1], float(args.worker[2]))
        return
    names = list(STRATEGIES) if args.strategies == "all" else \
        [s for s in args.strategies.split(";") if s]
    chosen = [strategy(s) for s in names]
    records = []
    for text in args.sizes.split(","):
        label, size = parse_size(text)
        with tempfile.TemporaryDirectory(prefix="strategies-") as tmp:
            lp_path, sizes = build_lp(size, Path(tmp))
            print(f"\n{label} ({'x'.join(map(str, size))}): {sizes['variables']:,} variables, "
                  f"{sizes['constraints']:,} constraints, {sizes['nonzeros']:,} nonzeros "
                  f"(build {sizes['build']} s)", flush=True)
            rows = []
            for name, options in chosen:
                load = load_average()
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", str(lp_path), json.dumps(options),
                     str(args.time_limit)], capture_output=True, text=True)
                if done.returncode:
                    print(f"  {name}: failed: {done.stderr.strip()[-300:]}", flush=True)
                    continue
                row = {"size": label, "shape": size, **sizes, "strategy": name,
                       "options": options, "load_average": load,
                       **json.loads(done.stdout.strip().splitlines()[-1])}
                rows.append(row)
                print(f"  {name:12s} {row['status']:12s} {row['seconds']:9.2f} s wall "
                      f"{row['cpu']:9.2f} s CPU  obj {row['objective']:.10g}  it "
                      f"s{row['simplex_iterations']} i{row['ipm_iterations']} "
                      f"x{row['crossover_iterations']}  load {load:.1f}", flush=True)
            best = [r["objective"] for r in rows if r["status"] == "Optimal"]
            for row in rows:
                if best and row["status"] == "Optimal":
                    row["gap_to_best"] = abs(row["objective"] - min(best)) / max(1.0, abs(
                        min(best)))
            records.extend(rows)
    if args.json:
        args.json.write_text(json.dumps(records, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
