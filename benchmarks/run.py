"""Time every stage of northam-plan on synthetic cases of several sizes.

For each size a case is generated (benchmarks/generate.py) into a temporary folder, then a fresh
Python process runs the stages one by one, so that the peak memory it reports belongs to that
size alone:

    load      load_case(path): TOML + CSV → validated Case
    build     build_model(case, backend=…): Case → the model (--backend matrix, the default of
              `northam-plan solve`: the LP as arrays; --backend pyomo: a Pyomo model)
    handover  solve(): the model → sparse matrices → highspy.HighsLp       (timings['handover'])
    solve     solve(): HiGHS passModel + run                              (timings['solve'])
    values    solve(): primal values and duals loaded back into the model (timings['load'])
    extract   extract_plan(model, case) → Plan (xarray + tables)
    write     make_summary + write_plan(plan, summary, tmp dir): CSV, netCDF, JSON

"outside" is everything except the HiGHS solve; the figures printed are its share of the total
and the ratio outside / solve (DESIGN.md §6: the HiGHS solve is the physical limit).

    python benchmarks/run.py                       # small, medium, large: ~10 min
    python benchmarks/run.py --only-small          # a quick check (seconds)
    python benchmarks/run.py --sizes medium,60x40x26 --json results.json

The large and xlarge presets run with a 420 s HiGHS time limit (``--no-time-limit`` lifts it):
their solve takes far longer than that on 2 cores, and the stages before it are what we measure.
A time-limited solve time is a lower bound of the real one, so outside / solve is then an upper
bound (printed "≤"). ``--skip-solve`` passes the LP to HiGHS with a time limit of 0 (no solve,
no outside / solve). Without an optimal solution there is nothing to extract or write; those
stages show as "—".

Against linopy (``--linopy``, implies ``--core``): each size is generated as a core case
(generate.py ``core=True``) and, after our worker, a second fresh process builds the same LP
with linopy (linopy_model.py) and hands it to highspy (``Model.to_highspy``). Printed: our
build + handover + passModel over linopy's build + to_highspy (wall and CPU seconds), and our
peak RSS once the LP is in HiGHS over linopy's. ``--check-linopy`` also solves both (no time
limit; small size by default) and exits 1 unless sizes and objectives agree to 1e-6.

    python benchmarks/run.py --check-linopy --sizes small,medium
    python benchmarks/run.py --linopy --skip-solve --sizes medium,large,xlarge
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: name → (regions, commodities, years); variables ≈ 220 · regions · commodities (26 years)
PRESETS = {
    "small": (6, 6, 26),       # ~11 k variables
    "medium": (32, 26, 26),    # ~200 k variables
    "large": (76, 60, 26),     # ~1.0 M variables
    "xlarge": (110, 88, 26),   # core: ~2.02 M variables (full: ~2.3 M)
}
#: HiGHS time limit (s) of a preset unless --time-limit or --no-time-limit says otherwise: a
#: 1 M-variable case takes IPX far longer than 10 minutes on 2 cores (see README.md)
PRESET_TIME_LIMITS = {"large": 420.0, "xlarge": 420.0}
STAGES = ("load", "build", "handover", "solve", "values", "extract", "write")
IPM_FROM = 50_000  # variables; below this HiGHS chooses (dual simplex), from here on IPM


def parse_size(text: str) -> tuple[str, tuple[int, int, int]]:
    """A preset name or ``RxCxT`` (regions x commodities x years)."""
    text = text.strip()
    if text in PRESETS:
        return text, PRESETS[text]
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise argparse.ArgumentTypeError(
            f"size '{text}': expected one of {', '.join(PRESETS)} or RxCxT, e.g. 40x30x26")
    return text, tuple(int(p) for p in parts)  # type: ignore[return-value]


def _rss_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


# --- the worker: one size, one fresh process ------------------------------------------------

def worker(case_path: Path, algorithm: str, time_limit: float | None, threads: int | None,
           out_json: Path, pause_gc: bool = False, backend: str = "matrix") -> None:
    if pause_gc:  # what the stages cost without Python's cyclic garbage collector
        import gc
        gc.disable()
    tic = time.perf_counter()
    import highspy
    import pyomo.environ as pyo

    from northam_plan import SolveOptions, build_model, extract_plan, load_case, solve
    from northam_plan.pipeline import make_summary
    from northam_plan.plan import write_plan
    seconds = {}
    passed = {}
    pass_model = highspy.Highs.passModel

    def timed_pass_model(self, *args, **kwargs):  # solve() calls it once: time it apart
        tic, passed["cpu_start"] = time.perf_counter(), time.process_time()
        out = pass_model(self, *args, **kwargs)
        passed["seconds"] = time.perf_counter() - tic
        passed["cpu_end"] = time.process_time()
        passed["rss"] = _rss_mib()
        return out

    highspy.Highs.passModel = timed_pass_model
    rss = {"import": _rss_mib()}
    import_seconds = time.perf_counter() - tic

    cpu = {}  # process CPU seconds: less sensitive than wall time to other jobs' load
    tic, cpu_tic = time.perf_counter(), time.process_time()
    case = load_case(case_path)
    seconds["load"] = time.perf_counter() - tic
    cpu["load"] = time.process_time() - cpu_tic
    rss["load"] = _rss_mib()

    tic, cpu_tic = time.perf_counter(), time.process_time()
    model = build_model(case, backend=backend)
    seconds["build"] = time.perf_counter() - tic
    cpu["build"] = time.process_time() - cpu_tic
    rss["build"] = _rss_mib()

    n_vars = model.n_cols if backend == "matrix" else \
        sum(len(v) for v in model.component_objects(pyo.Var, active=True))
    if algorithm == "by-size":
        algorithm = "ipm" if n_vars >= IPM_FROM else "auto"
    options = SolveOptions(quiet=True, algorithm=algorithm, time_limit=time_limit,
                           threads=threads)
    cpu_tic = time.process_time()
    result = solve(model, options)
    cpu["handover+solve"] = time.process_time() - cpu_tic
    if passed:
        cpu["handover"] = passed["cpu_start"] - cpu_tic
        cpu["pass_model"] = passed["cpu_end"] - passed["cpu_start"]
    seconds["handover"] = result.timings["handover"]
    seconds["solve"] = result.timings["solve"]
    if "load" in result.timings:  # only after an optimal solve
        seconds["values"] = result.timings["load"]
    rss["solve"] = _rss_mib()

    if passed:  # peak memory once the LP is in HiGHS, before HiGHS works on it
        rss["pass_model"] = passed["rss"]
    record = {"status": result.status, "objective": result.objective, "sizes": result.sizes,
              "pass_model_seconds": passed.get("seconds"),
              "algorithm": algorithm, "backend": backend, "time_limit": time_limit,
              "pause_gc": pause_gc,
              "solver": result.solver, "import_seconds": import_seconds}
    if result.optimal:
        tic = time.perf_counter()
        plan = extract_plan(model, case)
        seconds["extract"] = time.perf_counter() - tic
        rss["extract"] = _rss_mib()

        tic = time.perf_counter()
        timings = {"load": seconds["load"], "build": seconds["build"], **result.timings,
                   "extract": seconds["extract"]}
        summary = make_summary(case, result, plan, options, timings)
        summary_seconds = time.perf_counter() - tic
        with tempfile.TemporaryDirectory(prefix="northam-bench-out-") as out:
            tic = time.perf_counter()
            write_plan(plan, summary, Path(out) / "plan")
            write_seconds = time.perf_counter() - tic
            written = sum(f.stat().st_size for f in Path(out).rglob("*") if f.is_file())
        seconds["write"] = summary_seconds + write_seconds
        rss["write"] = _rss_mib()
        unserved = plan.tables["unserved"]
        record.update({
            "summary_seconds": summary_seconds, "written_bytes": written,
            "unserved_share": float(unserved["unserved"].sum() / unserved["demand"].sum()),
            "costs": plan.costs})
    record["seconds"] = seconds
    record["cpu_seconds"] = cpu
    record["peak_rss_mib_after"] = rss
    record["peak_rss_mib"] = _rss_mib()
    out_json.write_text(json.dumps(record, indent=2))


# --- the driver -------------------------------------------------------------------------------

def run_size(name: str, dims: tuple[int, int, int], args) -> dict:
    from generate import generate_case

    regions, commodities, years = dims
    with tempfile.TemporaryDirectory(prefix=f"northam-bench-{name}-") as tmp:
        tic = time.perf_counter()
        case_path = generate_case(Path(tmp) / "case", regions=regions, commodities=commodities,
                                  years=years, seed=args.seed, tracked=args.tracked,
                                  core=args.core)
        generate_seconds = time.perf_counter() - tic
        out_json = Path(tmp) / "result.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(case_path),
                   "--algorithm", args.algorithm, "--worker-json", str(out_json)]
        if args.pause_gc:
            command.append("--pause-gc")
        command += ["--backend", args.backend]
        time_limit = 0.0 if args.skip_solve else args.time_limit if args.time_limit is not None \
            else None if args.no_time_limit or args.check_linopy else PRESET_TIME_LIMITS.get(name)
        if time_limit is not None:
            command += ["--time-limit", str(time_limit)]
        if args.threads is not None:
            command += ["--threads", str(args.threads)]
        load_before = os.getloadavg()[0]  # other work on the machine skews the figures
        tic = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - tic
        if done.returncode != 0 or not out_json.is_file():
            raise RuntimeError(f"size {name}: worker failed (exit {done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}")
        record = json.loads(out_json.read_text())
        if args.linopy:
            command = [sys.executable, str(Path(__file__).resolve()), "--linopy-worker",
                       str(case_path), "--worker-json", str(out_json)]
            if args.check_linopy:
                command.append("--linopy-solve")
            if args.threads is not None:
                command += ["--threads", str(args.threads)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0 or not out_json.is_file():
                raise RuntimeError(f"size {name}: linopy worker failed (exit "
                                   f"{done.returncode}):\n{done.stdout}\n{done.stderr}")
            record["linopy"] = json.loads(out_json.read_text())
    seconds = record["seconds"]
    total = sum(seconds.values())
    outside = total - seconds["solve"]
    record.update({
        "size": name, "regions": regions, "commodities": commodities, "years": years,
        "seed": args.seed, "tracked": args.tracked, "generate_seconds": generate_seconds,
        "process_wall_seconds": wall,
        "load_average_before": load_before,
        "total_seconds": total, "outside_seconds": outside,
        "outside_share": outside / total if total else None,
        "outside_per_solve": outside / seconds["solve"] if seconds["solve"] and
        not args.skip_solve else None,
        "solve_time_limited": record["status"] == "time_limit",
    })
    if args.linopy:
        from versus_linopy import linopy_ratios
        record.update(linopy_ratios(record))
    return record


def print_tables(records: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(200, Console().width))
    sizes = Table(title="northam-plan benchmark: sizes, memory and the share outside HiGHS")
    for column in ("size", "R×C×T", "variables", "constraints", "nonzeros", "algorithm",
                   "status", "total s", "outside s", "outside %", "out/solve", "peak MiB"):
        sizes.add_column(column, justify="left" if column in ("size", "status", "algorithm")
                         else "right")
    for r in records:
        s = r["sizes"]
        sizes.add_row(
            r["size"], f"{r['regions']}×{r['commodities']}×{r['years']}",
            f"{s['variables']:,}", f"{s['constraints']:,}", f"{s['nonzeros']:,}",
            r["algorithm"], r["status"], f"{r['total_seconds']:.1f}",
            f"{r['outside_seconds']:.1f}", f"{100 * r['outside_share']:.0f}",
            _out_per_solve(r), f"{r['peak_rss_mib']:,.0f}")
    console.print(sizes)

    stages = Table(title="seconds per stage (peak RSS in MiB after it); — = not run (no optimal "
                         "plan)")
    stages.add_column("size")
    for stage in STAGES:
        stages.add_column(stage, justify="right")
    for r in records:
        cells = []
        for stage in STAGES:
            value = r["seconds"].get(stage)
            rss = r["peak_rss_mib_after"].get(stage if stage in r["peak_rss_mib_after"] else "")
            cells.append("—" if value is None else
                         f"{value:.2f}" + (f" ({rss:,.0f})" if rss is not None else ""))
        stages.add_row(r["size"], *cells)
    console.print(stages)

    if any("linopy" in r for r in records):
        from versus_linopy import print_versus_linopy
        print_versus_linopy(console, records)


def _out_per_solve(r: dict) -> str:
    """outside / solve; with a time-limited solve the solve time is a lower bound, so the
    ratio is an upper bound (≤)."""
    if r.get("outside_per_solve") is None:
        return "—"
    return ("≤ " if r.get("solve_time_limited") else "") + f"{r['outside_per_solve']:.2f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,medium,large",
                        help="comma-separated presets (" + ", ".join(PRESETS) + ") or RxCxT")
    parser.add_argument("--only-small", action="store_true", help="just the small size")
    parser.add_argument("--algorithm", default="by-size",
                        choices=("by-size", "auto", "simplex", "ipm"),
                        help=f"HiGHS algorithm; by-size: HiGHS's choice below {IPM_FROM:,} "
                             "variables, interior point (+ crossover) from there on")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="HiGHS time limit (s) for every size; default: "
                             + ", ".join(f"{k} {v:g} s" for k, v in PRESET_TIME_LIMITS.items())
                             + ", none for the others")
    parser.add_argument("--no-time-limit", action="store_true",
                        help="no HiGHS time limit, not even for the large preset")
    parser.add_argument("--threads", type=int, default=None, help="HiGHS threads")
    parser.add_argument("--backend", default="matrix", choices=("matrix", "pyomo"),
                        help="how the model reaches HiGHS (build_model(backend=…)); default "
                             "matrix, as `northam-plan solve`")
    parser.add_argument("--pause-gc", action="store_true",
                        help="disable Python's cyclic garbage collector in the worker, to see "
                             "what it costs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tracked", type=int, default=0,
                        help="chains whose goods carry a product passport (origin tags; "
                             "multiplies the size, ~13× for one chain at the small size)")
    parser.add_argument("--core", action="store_true",
                        help="core cases: only the tables of the components linopy_model.py "
                             "covers (generate.py --core)")
    parser.add_argument("--linopy", action="store_true",
                        help="also build each (core) case with linopy in its own process and "
                             "print the ratios; implies --core")
    parser.add_argument("--check-linopy", action="store_true",
                        help="solve both LPs to optimality (no time limit) and check that "
                             "sizes and objectives agree (1e-6); implies --linopy; exit 1 "
                             "if not. Default size: small")
    parser.add_argument("--skip-solve", action="store_true",
                        help="HiGHS time limit 0: the LP is passed to HiGHS but not solved "
                             "(stage times, memory and the linopy ratio without the solve)")
    parser.add_argument("--json", type=Path, default=None, help="write the records here")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-json", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--linopy-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--linopy-solve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.linopy_worker is not None:
        from versus_linopy import linopy_worker
        linopy_worker(args.linopy_worker, args.worker_json, args.linopy_solve, args.threads)
        return
    if args.check_linopy:
        args.linopy = True
        if args.skip_solve:
            parser.error("--check-linopy needs the solve: drop --skip-solve")
        if args.sizes == parser.get_default("sizes"):
            args.sizes = "small"
    if args.linopy:
        args.core = True
    if args.core and args.tracked:
        parser.error("a core case has no product passport: drop --tracked")

    if args.worker is not None:
        worker(args.worker, args.algorithm, args.time_limit, args.threads, args.worker_json,
               args.pause_gc, args.backend)
        return

    try:
        sizes = [parse_size("small")] if args.only_small else \
            [parse_size(text) for text in args.sizes.split(",") if text.strip()]
    except argparse.ArgumentTypeError as err:
        parser.error(str(err))
    records = []
    for name, dims in sizes:
        print(f"… {name} ({dims[0]} regions × {dims[1]} commodities × {dims[2]} years)",
              file=sys.stderr, flush=True)
        record = run_size(name, dims, args)
        records.append(record)
        if args.json is not None:  # after every size, so a long run leaves what it measured
            _write_json(args.json, records)
        print(f"  {record['sizes']['variables']:,} variables, {record['status']}, "
              f"{record['total_seconds']:.1f} s (solve {record['seconds']['solve']:.1f} s)"
              + (f"; linopy {record['linopy_build_handover_seconds']:.1f} s, "
                 f"{record['linopy']['peak_rss_mib']:,.0f} MiB" if args.linopy else ""),
              file=sys.stderr, flush=True)
    print_tables(records)
    if args.json is not None:
        print(f"wrote {args.json}", file=sys.stderr)
    if args.check_linopy and not _check_linopy(records):
        sys.exit(1)


def _check_linopy(records: list[dict]) -> bool:
    from versus_linopy import check_linopy
    return check_linopy(records)


def _commit() -> str | None:
    """The repository's commit, with ``+dirty`` when src/ has changes not committed."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=HERE.parent,
                               text=True, capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def _write_json(path: Path, records: list[dict]) -> None:
    from importlib.metadata import version

    machine = {"python": platform.python_version(), "platform": platform.platform(),
               "cpus": os.cpu_count(), "load_average": os.getloadavg(), "commit": _commit(),
               "versions": {name: version(name) for name in ("northam-plan", "pyomo",
                                                             "highspy", "pandas", "xarray")}}
    path.write_text(json.dumps({"machine": machine, "records": records}, indent=2) + "\n")


if __name__ == "__main__":
    main()
