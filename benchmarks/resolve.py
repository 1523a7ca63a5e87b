"""Warm re-solve against a cold build-and-solve, per kind of change.

For each case (the reference case and a synthetic one of ``generate.py``) and each change —
a tariff (every Chinese rate set to 60 %), demand +10 %, var_om × 1.2, a cap (supplier caps
× 0.8 where the case has them, else reserves × 0.8) — it times

* ``cold``: load_case + the change + build_model + hand-over + HiGHS solve (+ loading values);
* ``direct``: ``Resolver.update(changed, route="direct")`` + warm solve (where a handler covers
  the change);
* ``rebuild``: ``Resolver.update(changed, route="rebuild")``: build + compile + push of the
  numbers that differ + warm solve;

and checks that the objectives agree (1e-6 relative). Every re-solve starts from the basis of
the unchanged case (the resolver is moved back between changes, untimed).

    .venv/bin/python benchmarks/resolve.py                     # reference + 12x10x26
    .venv/bin/python benchmarks/resolve.py --sizes medium --algorithm ipm
    .venv/bin/python benchmarks/resolve.py --no-reference --sizes 8x6x26
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path
from types import MappingProxyType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_case  # noqa: E402

from northam_plan import Resolver, SolveOptions, build_model, load_case, solve  # noqa: E402

PRESETS = {"small": (8, 6, 26), "medium": (36, 26, 26), "large": (80, 60, 26)}


def scaled(case, table: str, column: str, factor: float, rows=None):
    """``case`` with ``table.column`` × factor in ``rows`` (a boolean mask; all rows if None)
    — a valid case: only numbers change."""
    frame = case.tables[table].copy()
    rows = slice(None) if rows is None else rows
    frame.loc[rows, column] = frame.loc[rows, column] * factor
    return dataclasses.replace(case, tables=MappingProxyType({**case.tables, table: frame}))


def tariff(case):
    rows = case.tables["tariffs"]
    if not (rows["from"] == "CN").any():
        return None
    return case.with_overrides({"table": "tariffs", "where": {"from": "CN"},
                                "set": {"rate": 0.6}})


def cap(case):
    if len(case.tables["supplier_caps"]):
        return scaled(case, "supplier_caps", "cap", 0.8)
    return scaled(case, "reserves", "reserves", 0.8)


CHANGES = {
    "tariff CN 60%": tariff,
    # from the second model year (in the first, nothing new can be built)
    "demand +10%": lambda case: scaled(case, "demand", "quantity", 1.1,
                                       case.tables["demand"]["year"] > case.years[0]),
    "mineral demand +10%": lambda case: scaled(
        case, "demand", "quantity", 1.1, (case.tables["demand"]["year"] > case.years[0])
        & ~case.tables["demand"]["commodity"].isin(case.timesliced)),
    "var_om x1.2": lambda case: scaled(case, "processes", "var_om", 1.2),
    "cap x0.8": cap,
}


def bench_case(label: str, path: Path, options: SolveOptions) -> list[dict]:
    base = load_case(path)
    resolver = Resolver(build_model(base), base, options)
    first = resolver.solve()
    assert first.optimal, first
    print(f"\n{label}: {first.sizes['variables']:,} variables, {first.sizes['constraints']:,} "
          f"rows; first solve {first.timings['solve']:.2f} s", flush=True)
    rows = []
    for name, change in CHANGES.items():
        if change(base) is None:
            continue
        tic = time.perf_counter()
        changed = change(load_case(path))
        model = build_model(changed)
        cold = solve(model, options)
        cold_s = time.perf_counter() - tic
        del model
        row = {"case": label, "change": name, "cold": cold_s, "objective": cold.objective}
        for route in ("direct", "rebuild"):
            tic = time.perf_counter()
            try:
                warm = resolver.update(changed, route=route)
            except ValueError as why:
                row[route] = None
                row[f"{route}_why"] = str(why)
                continue
            row[route] = time.perf_counter() - tic
            row[f"{route}_steps"] = {k: round(v, 3) for k, v in warm.timings.items()}
            assert warm.optimal == cold.optimal, (label, name, route, warm.status, cold.status)
            if not cold.optimal:  # e.g. a hard limit that more demand breaks: both say so
                row[f"{route}_gap"] = 0.0
                row["objective"] = cold.status
                resolver.update(base, route="rebuild" if route == "rebuild" else "auto")
                continue
            gap = abs(warm.objective - cold.objective) / max(1.0, abs(cold.objective))
            row[f"{route}_gap"] = gap
            assert gap <= 1e-6, (label, name, route, warm.objective, cold.objective)
            resolver.update(base, route="rebuild" if route == "rebuild" else "auto")
        rows.append(row)
        _print_row(row)
    return rows


def _number(value) -> str:
    return value if isinstance(value, str) else f"{value:,.3f}"


def _print_row(row: dict) -> None:
    def cell(route):
        if row.get(route) is None:
            return f"{'—':>8} {'':>7}"
        return f"{row[route]:8.3f} {row['cold'] / row[route]:6.1f}×"
    print(f"  {row['change']:<19} cold {row['cold']:7.3f} s | direct {cell('direct')} | "
          f"rebuild {cell('rebuild')} | objective {_number(row['objective'])}", flush=True)
    for route in ("direct", "rebuild"):
        if f"{route}_steps" in row:
            print(f"      {route}: {row[f'{route}_steps']}  |Δobj|/obj {row[f'{route}_gap']:.1e}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="12x10x26",
                        help="synthetic sizes: presets (small, medium, large) or RxCxT, comma-"
                             "separated; '' for none")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--algorithm", default="auto", choices=["auto", "simplex", "ipm"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--changes", default=",".join(CHANGES),
                        help=f"comma-separated, of: {', '.join(CHANGES)}")
    args = parser.parse_args(argv)
    options = SolveOptions(quiet=True, algorithm=args.algorithm)
    wanted = args.changes.split(",")
    unknown = [name for name in wanted if name not in CHANGES]
    if unknown:
        parser.error(f"unknown change(s) {unknown}; choose from {list(CHANGES)}")
    for name in list(CHANGES):
        if name not in wanted:
            del CHANGES[name]
    rows = []
    if not args.no_reference:
        rows += bench_case("reference", HERE.parent / "cases" / "reference.toml", options)
    for size in filter(None, args.sizes.split(",")):
        r, c, t = PRESETS.get(size) or tuple(int(x) for x in size.split("x"))
        with tempfile.TemporaryDirectory() as folder:
            path = generate_case(Path(folder), regions=r, commodities=c, years=t,
                                 seed=args.seed)
            rows += bench_case(f"synthetic {r}x{c}x{t}", path, options)
    print("\nseconds: cold = load + change + build + hand-over + solve; direct / rebuild = "
          "update + warm solve (+ values loaded); × = speed-up over cold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
