"""Objective, sizes and LP fingerprints of every bundled case (cases/*.toml), on both backends,
to check that a change of the model's code left the LP as it was.

    python benchmarks/bundled.py record before.json             # every case, both backends
    python benchmarks/bundled.py record after.json --cases reference,cn_ree_ban
    python benchmarks/bundled.py compare before.json after.json   # exit 1 on a difference

For each case and backend (``matrix``, ``pyomo``) a record holds the objective and the sizes
HiGHS reports after a solve, and two SHA-256 fingerprints of the LP before the solve:

* ``ordered``: rows and columns named (block, component, index) in the order the model has
  them, with every coefficient, bound, right-hand side and cost — equal only if the LP is the
  same row for row, in the same order;
* ``unordered``: the same, sorted by name — equal if the LP is the same up to the order of its
  rows and columns.

Numbers enter the fingerprints rounded to 12 significant digits, so that a difference in the
last bit (a sum taken in another order) does not count; ``compare`` says so when only the
exact ``*_exact`` fingerprints differ.

``compare`` checks objectives and sizes to 1e-9 relative and reports which fingerprints
changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _key(data) -> str:
    from northam_plan.model.expr import Col, RowRef
    component = data.parent_component()
    if isinstance(data, (Col, RowRef)):
        block = component.block_name
    else:
        block = "" if component.parent_block() is component.model() else \
            component.parent_block().name
    return f"{block}/{component.local_name}{data.index()!r}"


def _lp(model) -> tuple[list, list, list, list, list, list]:
    """(row names, column names, entries (row, col, value), row bounds, column bounds,
    costs) of either backend's model."""
    from northam_plan.model.expr import Col, RowRef
    from northam_plan.model.matrix import MatrixModel
    if isinstance(model, MatrixModel):
        coo = model.matrix().tocoo()
        rows = [_key(RowRef(model, i)) for i in range(model.n_rows)]
        cols = [_key(Col(model, j)) for j in range(model.n_cols)]
        row_bounds = list(zip(model.row_lower, model.row_upper))
        col_bounds = list(zip(model.col_lower, model.col_upper))
        cost = model.cost.tolist()
    else:
        from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

        from northam_plan.model.backends.pyomo import column_bounds
        form = LinearStandardFormCompiler().write(model, mixed_form=True)
        rows = [_key(con) for con, _ in form.rows]
        cols = [_key(v) for v in form.columns]
        lower, upper = column_bounds(form)
        col_bounds = list(zip(lower.tolist(), upper.tolist()))
        row_bounds = [(-np.inf if sense == 1 else float(rhs), np.inf if sense == -1 else
                       float(rhs)) for (_, sense), rhs in zip(form.rows, form.rhs)]
        cost = form.c.toarray()[0].tolist()
        coo = form.A.tocoo()
    entries = list(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    return rows, cols, entries, row_bounds, col_bounds, cost


def _digests(lp, rounded: bool) -> tuple[str, str]:
    rows, cols, entries, row_bounds, col_bounds, cost = lp
    r = (lambda v: float(f"{v:.12g}")) if rounded else float  # noqa: E731
    entries = [(i, j, r(v)) for i, j, v in entries]
    row_bounds = [(r(lo), r(up)) for lo, up in row_bounds]
    col_bounds = [(r(lo), r(up)) for lo, up in col_bounds]
    cost = [r(c) for c in cost]
    ordered = hashlib.sha256()
    ordered.update(repr((rows, cols, sorted(entries), row_bounds, col_bounds, cost)).encode())
    by_row: dict[str, list] = {name: [] for name in rows}
    for i, j, v in entries:
        by_row[rows[i]].append((cols[j], v))
    unordered = hashlib.sha256()
    unordered.update(repr((
        sorted((rows[i], sorted(by_row[rows[i]]), row_bounds[i]) for i in range(len(rows))),
        sorted(zip(cols, col_bounds, cost)))).encode())
    return ordered.hexdigest(), unordered.hexdigest()


def fingerprints(model) -> dict[str, str]:
    lp = _lp(model)
    ordered, unordered = _digests(lp, rounded=True)
    ordered_exact, unordered_exact = _digests(lp, rounded=False)
    return {"ordered": ordered, "unordered": unordered, "ordered_exact": ordered_exact,
            "unordered_exact": unordered_exact}


def record(names: list[str]) -> dict:
    from northam_plan import build_model, load_case, solve
    out = {}
    for name in names:
        case = load_case(ROOT / "cases" / f"{name}.toml")
        for backend in ("matrix", "pyomo"):
            model = build_model(case, backend=backend)
            prints = fingerprints(model)
            result = solve(model, quiet=True)
            out[f"{name}/{backend}"] = {"status": result.status, "objective": result.objective,
                                      "sizes": result.sizes, **prints}
            print(f"{name:28} {backend:6} {result.status:8} {result.objective!r:>24} "
                  f"{result.sizes}", flush=True)
    return out


def compare(before: dict, after: dict) -> bool:
    same = True
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            print(f"{key}: only in {'after' if a is None else 'before'}")
            same = False
            continue
        notes = []
        if a["status"] != b["status"] or a["sizes"] != b["sizes"]:
            notes.append(f"status/sizes {a['status']} {a['sizes']} -> {b['status']} "
                         f"{b['sizes']}")
        if (a["objective"] is None) != (b["objective"] is None) or (
                a["objective"] is not None and
                abs(a["objective"] - b["objective"]) > 1e-9 * abs(a["objective"])):
            notes.append(f"objective {a['objective']!r} -> {b['objective']!r}")
        same = same and not notes
        for kind in ("ordered", "unordered"):
            if a[kind] != b[kind]:
                notes.append(f"{kind} fingerprint differs")
            elif a.get(f"{kind}_exact") != b.get(f"{kind}_exact"):
                notes.append(f"{kind} same to 12 digits, not in the last bit")
        same = same and not any("fingerprint differs" in note for note in notes)
        print(f"{key:36} {'same' if not notes else '; '.join(notes)}")
    return same


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record")
    rec.add_argument("out")
    rec.add_argument("--cases", default="", help="comma-separated stems (default: all)")
    cmp_ = commands.add_parser("compare")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "record":
        names = args.cases.split(",") if args.cases else \
            sorted(p.stem for p in (ROOT / "cases").glob("*.toml"))
        Path(args.out).write_text(json.dumps(record(names), indent=1))
        return 0
    return 0 if compare(json.loads(Path(args.before).read_text()),
                        json.loads(Path(args.after).read_text())) else 1


if __name__ == "__main__":
    sys.exit(main())
