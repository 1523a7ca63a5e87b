"""Warm re-solves side by side: the direct table handlers, the array diff, the Pyomo rebuild.

For each case (the reference case and a synthetic one of ``generate.py``; the default
12x10x26 has 35,330 variables) and each change — a tariff (Chinese rates on untracked goods set
to 60 %), mineral demand +10 % (from the second model year; energy demand too has a reserve
margin that +10 % breaks in the reference case), var_om × 1.2 and capex × 0.9 (process costs),
transport cost × 1.2, and a cap (supplier caps × 0.8 where the case has them, else reserves ×
0.8; no direct handler) — it times, in one process and one after another,

* ``cold``: the change + build_model on the matrix route + hand-over + HiGHS solve (+ values);
* ``diff``: ``Resolver.update(changed)`` on a matrix-route model: build on the matrix route,
  diff the arrays, push what differs, warm solve (+ values);
* ``direct``: ``Resolver.update(changed, route="direct")`` on a Pyomo-route model: the table
  handlers of ``resolve_tables.py`` (where one covers the change), warm solve (+ values). A
  handler is kept only while the array diff is more than 2× slower than it (the handler of
  capex, fixed O&M and cost factors was removed on that ground: its numbers are in
  resolve_tables.py and benchmarks/README.md, measured with the commit before it);
* ``rebuild``: ``Resolver.update(changed, route="rebuild")`` on the same Pyomo-route model
  (Pyomo build + compile + push + warm solve), for reference;

and checks that every objective agrees with the cold one (1e-6 relative). Every re-solve starts
from the basis of the unchanged case (each resolver is moved back between changes, untimed);
the warm routes are timed ``--repeat`` times, interleaved, and the median is printed. The ratio
``diff/direct`` is how many times slower the array diff is than the direct handler: for the
whole re-solve (update + warm solve + values) in wall-clock seconds and in CPU seconds of this
process (which other jobs on a shared machine disturb less), and for the update alone
(handlers against build + diff + push).

    .venv/bin/python benchmarks/resolve.py                     # reference + 12x10x26 (~25 min)
    .venv/bin/python benchmarks/resolve.py --no-reference --sizes 8x6x26 --repeat 1
    .venv/bin/python benchmarks/resolve.py --changes "tariff CN 60%,transport x1.2"
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import MappingProxyType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_case  # noqa: E402

from northam_plan import Resolver, SolveOptions, build_model, load_case, solve  # noqa: E402
from northam_plan.scenarios.resolve_tables import COVERED, HANDLERS  # noqa: E402

PRESETS = {"small": (8, 6, 26), "medium": (36, 26, 26), "large": (80, 60, 26)}
WARM = ("diff", "direct", "rebuild")


def scaled(case, table: str, column: str, factor: float, rows=None):
    """``case`` with ``table.column`` × factor in ``rows`` (a boolean mask; all rows if None)
    — a valid case: only numbers change."""
    frame = case.tables[table].copy()
    rows = slice(None) if rows is None else rows
    frame.loc[rows, column] = frame.loc[rows, column] * factor
    return dataclasses.replace(case, tables=MappingProxyType({**case.tables, table: frame}))


def tariff(case):
    """Chinese tariffs on untracked goods to 60 % (a tracked good's tariff is per origin tag,
    which no direct handler covers)."""
    rows = case.tables["tariffs"]
    rows = (rows["from"] == "CN") & ~rows["commodity"].isin(case.tracked)
    if not rows.any():
        return None
    frame = case.tables["tariffs"].copy()
    frame.loc[rows, "rate"] = 0.6
    return dataclasses.replace(case, tables=MappingProxyType({**case.tables,
                                                              "tariffs": frame}))


def cap(case):
    if len(case.tables["supplier_caps"]):
        return scaled(case, "supplier_caps", "cap", 0.8)
    return scaled(case, "reserves", "reserves", 0.8)


def covered(handler: str | None) -> bool:
    """Whether a direct handler of resolve_tables.py covers a change of ``table[.column]``."""
    if handler is None:
        return False
    table, _, column = handler.partition(".")
    return table in HANDLERS and (COVERED[table] is None or column in COVERED[table])


CHANGES = {  # name: (case → changed case, the table[.column] it changes if a direct handler
    # covered it when this benchmark was written; one no longer covered was removed after this
    # benchmark measured it: its factor is in resolve_tables.py)
    "tariff CN 60%": (tariff, "tariffs"),
    # from the second model year (in the first, nothing new can be built)
    "mineral demand +10%": (lambda case: scaled(
        case, "demand", "quantity", 1.1, (case.tables["demand"]["year"] > case.years[0])
        & ~case.tables["demand"]["commodity"].isin(case.timesliced)), "demand"),
    "var_om x1.2": (lambda case: scaled(case, "processes", "var_om", 1.2), "processes.var_om"),
    "capex x0.9": (lambda case: scaled(case, "processes", "capex", 0.9), "processes.capex"),
    "transport x1.2": (lambda case: scaled(case, "links", "transport_cost", 1.2),
                       "links.transport_cost"),
    "cap x0.8": (cap, None),
}


def bench_case(label: str, path: Path, options: SolveOptions, repeat: int,
               routes=WARM) -> list[dict]:
    base = load_case(path)
    resolvers = {}
    for route in routes:  # diff: the matrix route; direct and rebuild share a Pyomo model
        if route == "rebuild" and "direct" in resolvers:
            resolvers[route] = resolvers["direct"]
            continue
        model = build_model(base, backend="matrix" if route == "diff" else "pyomo")
        resolvers[route] = Resolver(model, base, options)
        first = resolvers[route].solve()
        assert first.optimal, first
    print(f"\n{label}: {first.sizes['variables']:,} variables, {first.sizes['constraints']:,} "
          f"rows; first solve {first.timings['solve']:.2f} s; median of {repeat}; load "
          f"average {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    for name, (change, handler) in CHANGES.items():
        changed = change(base)
        if changed is None:
            continue
        tic = time.perf_counter()
        changed = change(base)
        cold = solve(build_model(changed, backend="matrix"), options)
        cold_s = time.perf_counter() - tic
        row = {"case": label, "change": name, "handler": handler, "cold": cold_s,
               "objective": cold.objective if cold.optimal else cold.status}
        runs = {route: [] for route in routes}
        for _ in range(repeat):
            for route in routes:  # interleaved: the machine's load falls on each alike
                if route == "direct" and not covered(handler):
                    continue
                resolver = resolvers[route]
                tic, cpu = time.perf_counter(), time.process_time()
                warm = resolver.update(changed, route="auto" if route == "diff" else route)
                seconds, cpu = time.perf_counter() - tic, time.process_time() - cpu
                assert resolver.route == route, (route, resolver.route)
                assert warm.optimal == cold.optimal, (label, name, route, warm.status,
                                                      cold.status)
                gap = 0.0 if not cold.optimal else \
                    abs(warm.objective - cold.objective) / max(1.0, abs(cold.objective))
                assert gap <= 1e-6, (label, name, route, warm.objective, cold.objective)
                steps = warm.timings
                runs[route].append({"total": seconds, "cpu": cpu, "gap": gap,
                                    "update": seconds - steps["solve"] - steps.get("load", 0),
                                    "solve": steps["solve"], "steps": steps})
                resolver.update(base, route="auto" if route == "diff" else route)  # untimed
        for route, measured in runs.items():
            if measured:
                row[route] = {key: statistics.median(run[key] for run in measured)
                              for key in ("total", "cpu", "update", "solve")}
                row[route]["gap"] = max(run["gap"] for run in measured)
                row[route]["steps"] = {k: round(statistics.median(
                    run["steps"].get(k, 0.0) for run in measured), 3)
                    for k in measured[0]["steps"]}
        rows.append(row)
        _print_row(row)
    return rows


def _number(value) -> str:
    return value if isinstance(value, str) else f"{value:,.3f}"


def _print_row(row: dict) -> None:
    def cell(route):
        if route not in row:
            return f"{'—':>7}"
        return f"{row[route]['total']:7.3f}"

    ratio = ""
    if "direct" in row and "diff" in row:
        ratio = (f"diff/direct {row['diff']['total'] / row['direct']['total']:5.2f}× "
                 f"(CPU {row['diff']['cpu'] / row['direct']['cpu']:5.2f}×, update alone "
                 f"{row['diff']['update'] / row['direct']['update']:5.1f}×)")
    print(f"  {row['change']:<19} cold {row['cold']:7.2f} | diff {cell('diff')} | "
          f"direct {cell('direct')} | rebuild {cell('rebuild')} | {ratio} | objective "
          f"{_number(row['objective'])}", flush=True)
    for route in WARM:
        if route in row:
            print(f"      {route:<7}: {row[route]['steps']}  |Δobj|/obj "
                  f"{row[route]['gap']:.1e}")


def _table(rows: list[dict]) -> None:
    print("\n| case | change | handler | cold s | diff s | direct s | rebuild s | diff/direct "
          "| CPU diff/direct | update: diff s | update: direct s | update diff/direct |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        def seconds(route, key="total", row=row):
            return f"{row[route][key]:.3f}" if route in row else "—"
        ratio = cpu_ratio = update_ratio = "—"
        if "direct" in row and "diff" in row:
            ratio = f"{row['diff']['total'] / row['direct']['total']:.2f}×"
            cpu_ratio = f"{row['diff']['cpu'] / row['direct']['cpu']:.2f}×"
            update_ratio = f"{row['diff']['update'] / row['direct']['update']:.1f}×"
        handler = row["handler"] or "—"
        if row["handler"] and not covered(row["handler"]):
            handler = f"{handler} (removed)"
        print(f"| {row['case']} | {row['change']} | {handler} | "
              f"{row['cold']:.2f} | {seconds('diff')} | {seconds('direct')} | "
              f"{seconds('rebuild')} | {ratio} | {cpu_ratio} | {seconds('diff', 'update')} | "
              f"{seconds('direct', 'update')} | {update_ratio} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="12x10x26",
                        help="synthetic sizes: presets (small, medium, large) or RxCxT, comma-"
                             "separated; '' for none")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--algorithm", default="auto", choices=["auto", "simplex", "ipm"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="times each warm route is timed per change (the median counts)")
    parser.add_argument("--routes", default=",".join(WARM),
                        help=f"comma-separated, of: {', '.join(WARM)}")
    parser.add_argument("--changes", default=",".join(CHANGES),
                        help=f"comma-separated, of: {', '.join(CHANGES)}")
    args = parser.parse_args(argv)
    options = SolveOptions(quiet=True, algorithm=args.algorithm)
    wanted = args.changes.split(",")
    unknown = [name for name in wanted if name not in CHANGES]
    routes = tuple(route for route in WARM if route in args.routes.split(","))
    if unknown:
        parser.error(f"unknown change(s) {unknown}; choose from {list(CHANGES)}")
    for name in list(CHANGES):
        if name not in wanted:
            del CHANGES[name]
    rows = []
    if not args.no_reference:
        rows += bench_case("reference", HERE.parent / "cases" / "reference.toml", options,
                           args.repeat, routes)
    for size in filter(None, args.sizes.split(",")):
        r, c, t = PRESETS.get(size) or tuple(int(x) for x in size.split("x"))
        with tempfile.TemporaryDirectory() as folder:
            path = generate_case(Path(folder), regions=r, commodities=c, years=t,
                                 seed=args.seed)
            rows += bench_case(f"synthetic {r}x{c}x{t}", path, options, args.repeat, routes)
    print("\nseconds (medians): cold = change + matrix build + hand-over + solve; diff / direct "
          "/ rebuild = update + warm solve + values; CPU: the same in CPU seconds of this "
          "process; update = the update alone (diff: build + diff + push; direct: the "
          "handlers); diff/direct = how many times slower the array diff is")
    _table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
