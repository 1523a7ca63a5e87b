"""Warm sweeps: a worker keeps its HiGHS instances and re-solves each scenario from a basis.

A cold scenario costs a load, a build, a hand-over and a solve from nothing. In a warm sweep
(the default of :func:`~northam_plan.scenarios.sweep.run_sweep`) each worker thread keeps a
:class:`WarmSolver` for the sweep (keyed by the sweep's token): the base case, loaded once, and
up to :data:`KEEP` :class:`~northam_plan.scenarios.resolve.Resolver` s of the matrix backend, one
per LP structure met, most recently used first. A scenario is built once on the matrix backend
(its case is the base with the scenario's overrides), then

* tried against each kept resolver: the first whose LP has the same structure (the same
  variables, rows and sparsity pattern: :func:`~northam_plan.scenarios.resolve_arrays.
  same_structure`) takes the array diff — only the costs, bounds and coefficients that differ
  are pushed into its HiGHS instance — and re-solves from its last basis (``start`` ``warm``);
* else it is handed to a new resolver (a variation of a key column, of lead times or of a
  disruption's years changes which variables and rows exist), which is kept for the scenarios
  after it; the least recently used beyond :data:`KEEP` is dropped. Its simplex starts from
  the basis of the most recently used resolver, carried over by variable and row names
  (``start`` ``carried``: :func:`~northam_plan.scenarios.resolve_arrays.carried_basis`;
  about a third of the iterations of a solve from nothing on the reference), or, for the
  worker's first scenario, from nothing (``start`` ``cold``).

Either way the plan is extracted and written by :func:`northam_plan.pipeline.finish`, the end
of the one runner: the same summary.json, plan.nc, tables/ and highs.log as a cold run, with the
same sizes and coefficient ranges. The objective equals a cold solve's to HiGHS's tolerances
(``tests/test_sweep_warm.py`` checks every scenario to 1e-6 relative). A resolver whose update
fails otherwise than by a change of structure is dropped, so one scenario's failure cannot
leave a later one a half-updated LP. A sequential sweep drops its solver when it ends; a worker
of a long-lived cluster (``--scheduler``) keeps the last sweep's until its next sweep starts.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from northam_plan.case import Case, load_case
from northam_plan.model import build_model
from northam_plan.model.backends import MATRIX
from northam_plan.model.expr import Col, RowRef
from northam_plan.pipeline import CaseRun, finish
from northam_plan.scenarios.resolve import Resolver, StructureChanged
from northam_plan.solve import SolveOptions
from northam_plan.solve.numerics import Ranges, coefficient_ranges

__all__ = ["KEEP", "WarmSolver", "release", "warm_solver"]

#: resolvers (LP structures) a worker keeps at once; a reference-sized one holds ~30 MB
KEEP = 4
_LOCAL = threading.local()


class WarmSolver:
    """The base case of one sweep and the resolvers of the structures met so far."""

    def __init__(self, token: str, case_path: str, solve: dict) -> None:
        self.token = token
        self.base = load_case(case_path)
        self.options = SolveOptions(**solve)
        self.resolvers: list[Resolver] = []  # most recently used first
        self.counts = {"warm": 0, "carried": 0, "cold": 0}

    def run(self, case: Case, out: Path | str | None, timings: dict | None = None,
            summary_extra: dict | None = None) -> tuple[CaseRun, str]:
        """Solve ``case`` warm if a kept resolver has its structure, else from the carried basis
        of the last one (or from nothing); write its plan to ``out`` as
        :func:`~northam_plan.pipeline.run` does. Returns the run and how it started: ``warm``,
        ``carried`` or ``cold``."""
        timings = dict(timings or {})
        tic = time.perf_counter()
        model = build_model(case, backend=MATRIX)
        timings["build"] = time.perf_counter() - tic
        result, start = None, "cold"
        for resolver in list(self.resolvers):
            try:
                result = resolver.update(case, model=model)
            except StructureChanged:
                continue
            except BaseException:
                self.resolvers.remove(resolver)  # its LP may be half-updated
                raise
            self.resolvers.remove(resolver)
            start = "warm"
            break
        if result is None:
            nearest = self.resolvers[0] if self.resolvers else None
            resolver = Resolver(model, case, self.options)
            result = resolver.solve(start=nearest)
            start = "cold" if nearest is None else "carried"
        self.resolvers.insert(0, resolver)
        del self.resolvers[KEEP:]
        self.counts[start] += 1
        result.timings.pop("build", None)  # 0: the model was built above
        timings.update(result.timings)
        if resolver.arrays is not None:
            result.ranges = _ranges(resolver)
        extra = dict(summary_extra or {})
        return finish(case, resolver.model, result, self.options, out=out,
                      timings=timings, summary_extra=extra), start


def warm_solver(token: str, case_path: str, solve: dict) -> WarmSolver:
    """This thread's :class:`WarmSolver` of the sweep ``token`` (a new one, loading the base
    case, on the first scenario of a sweep in this thread)."""
    solver = getattr(_LOCAL, "solver", None)
    if solver is None or solver.token != token:
        _LOCAL.solver = None  # the previous sweep's resolvers go before the new base loads
        solver = _LOCAL.solver = WarmSolver(token, case_path, solve)
    return solver


def release(token: str) -> None:
    """Drop this thread's :class:`WarmSolver` of the sweep ``token`` (its HiGHS instances)."""
    solver = getattr(_LOCAL, "solver", None)
    if solver is not None and solver.token == token:
        _LOCAL.solver = None


def _ranges(resolver: Resolver) -> Ranges:
    """The coefficient ranges of the LP HiGHS holds, as the cold hand-over measures them."""
    model, lp = resolver.model, resolver.arrays
    assert lp is not None  # a solved matrix-backend resolver
    rhs = np.where(np.isfinite(lp.row_upper), lp.row_upper, lp.row_lower)
    return coefficient_ranges(lp.A, lp.cost, rhs, (lp.col_lower, lp.col_upper),
                              lambda i: RowRef(model, i), lambda j: Col(model, j))
