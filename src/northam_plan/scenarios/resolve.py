r"""Re-solve a changed case warm, without a cold start: :class:`Resolver`.

A :class:`Resolver` keeps a solved model, the LP HiGHS holds and the HiGHS instance itself.
``update(new_case)`` pushes what changed into that instance and re-solves from the last basis.
The LP of a case is

.. math:: \min\; c^\top x + c_0 \quad \text{s.t.}\quad \ell^{row} \le A x \le u^{row},
          \quad \ell^{col} \le x \le u^{col}

and a change that only touches numbers (costs, tariffs, demand, caps, shares, capacities …)
changes :math:`c, A` values, :math:`\ell, u` but not the structure (variables, rows, sparsity
pattern). What the resolver does depends on the route the model was built on:

**matrix backend** (``build_model(case, backend="matrix")``, the route of
:func:`northam_plan.pipeline.run`) — one way, the **array diff**
(:mod:`northam_plan.scenarios.resolve_arrays`): build the new case on the matrix backend, check
that it declares the same variable and constraint families with the same keys in the same
order and the same sparsity pattern of A, and push only the costs, row bounds, column bounds
and coefficients that differ (``changeColsCost``, ``changeRowsBounds``, ``changeColsBounds``,
``changeCoeff``). The components' own build makes the numbers, so any table and any option may
change and no formula is written twice. ``resolver.model`` becomes the new case's model.

**Pyomo backend** (``build_model(case)``; the only route for a model with ``extra=[fn]``
components, whose functions the resolver then needs as ``Resolver(..., extra=[fn])``) — two
ways, on the kept compiled standard form (Pyomo's ``LinearStandardFormCompiler``, mixed form):

* **direct** (:mod:`northam_plan.scenarios.resolve_tables`, no rebuild) for a change confined
  to ``tariffs`` (untracked commodities), ``demand`` (the (region, commodity, year) keys with
  positive demand unchanged), ``processes.var_om`` and ``links.transport_cost``, with the same
  years and options. The handlers re-derive the components' formulas for these tables and
  move the kept Pyomo model and its ledger with HiGHS, so ``resolver.model`` stays the same
  object. Each is kept only because the array diff was measured more than 2× slower than it
  on the reference or the 35k-variable benchmark case (``benchmarks/resolve.py``; the factors
  are at each handler); every other table — capex, fixed O&M and cost factors included —
  takes the rebuild;
* **rebuild** (:mod:`northam_plan.scenarios.resolve_rebuild`) for any other change: build and
  compile the new case through Pyomo, check that its columns and rows (names, order, senses)
  and the sparsity pattern of A are the kept ones, and push only the numbers that differ. It
  costs a Pyomo build and a compile but no new HiGHS instance and no cold solve;
  ``resolver.model`` becomes the new model.

A change of structure — a row added to a table that makes a new variable or constraint, a
coefficient that becomes 0 or stops being 0, other years — raises :class:`StructureChanged`
before HiGHS is touched, or with ``update(case, fallback=True)`` makes a full build (on the
model's route) and a new HiGHS instance — on the matrix backend its simplex starts from the last
basis carried over by variable and row names
(:func:`~northam_plan.scenarios.resolve_arrays.carried_basis`). So does a row without
variables that cannot hold (the new case is infeasible before any solve). Never a wrong
answer: the tests compare every route with a cold build-and-solve of the changed case.

With ``algorithm="ipm"`` the first solve uses interior point; re-solves use simplex, which can
start from the basis. Deterministic cases only.

``benchmarks/resolve.py`` times the array diff, the direct handlers and the Pyomo rebuild side
by side against a cold solve (benchmarks/README.md has the table).
"""

from __future__ import annotations

import time
from typing import cast

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException

from northam_plan.case import Case
from northam_plan.log import get_logger
from northam_plan.model import backends
from northam_plan.model.backends import MATRIX
from northam_plan.model.backends import matrix as matrix_backend
from northam_plan.model.backends import pyomo as pyomo_backend
from northam_plan.model.backends.pyomo import compile_form, highs_lp
from northam_plan.model.build import gc_paused
from northam_plan.model.expr import Col
from northam_plan.model.matrix import MatrixModel
from northam_plan.scenarios.resolve_arrays import (
    ArrayLP,
    carried_basis,
    check_rows,
    rebuild_arrays,
)
from northam_plan.scenarios.resolve_rebuild import Kept, StructureChanged, rebuild
from northam_plan.scenarios.resolve_tables import (
    Changes,
    NotDirect,
    apply_changes,
    changed_tables,
    direct_changes,
)
from northam_plan.solve import (
    ADVICE,
    STATUS,
    HighsLog,
    SolveOptions,
    SolveResult,
    by_size,
    highs_version,
    quiet_stdout,
    run_highs,
    set_options,
)

__all__ = ["Resolver", "StructureChanged"]

log = get_logger(__name__)

_PYOMO = backends.get(backends.PYOMO)  # the direct handlers move a Pyomo model's expressions

ROUTES = ("auto", "direct", "rebuild")  # of a Pyomo-backend model
#: HiGHS's ``simplex_strategy`` for a re-solve: "choose" — primal simplex when the last basis
#: is still primal feasible (a change of costs only: a tariff, a cost of capital), dual simplex
#: otherwise. HiGHS's default is dual simplex always; on the explorer's reference levers
#: (20 changes each, 2026-12-05) "choose" re-solved a cost of capital in 0.029 s at the median
#: instead of 0.092 (p95 0.063 instead of 0.127) and a tariff at p95 0.026 s instead of 0.115;
#: demand (bounds: dual either way) alike. A ``simplex_strategy`` in
#: ``SolveOptions.highs_options`` wins.
CHOOSE = 0
MATRIX_ROUTES = ("auto", "diff")  # of a matrix-backend model


class Resolver:
    """A solved model — of either route of :func:`~northam_plan.build_model` — that can be
    changed and re-solved warm.

    ``update(case)`` takes a case that differs from the current one only in numbers (see the
    module docstring for the routes); :meth:`set_cost` and :meth:`set_bounds` change one
    variable, :meth:`resolve` re-solves after them. After every optimal (re)solve the values
    and duals are loaded into :attr:`model` and ``extract_plan(resolver.model,
    resolver.case)`` gives its plan. ``extra`` are the callables given to ``build_model(case,
    extra=...)`` (Pyomo backend only), needed when an update rebuilds a model with custom
    constraints. :attr:`route` tells how the last update went: ``diff`` (matrix backend),
    ``direct`` or ``rebuild`` (Pyomo backend), or ``cold``.
    """

    def __init__(self, model: pyo.ConcreteModel, case: Case,
                 options: SolveOptions | None = None, extra=(), **kwargs) -> None:
        if extra and "extra" not in backends.of(model).features:
            raise ValueError("extra components are Pyomo components: build the model with "
                             "build_model(case, extra=...) on the Pyomo backend")
        if getattr(model, "scenario_names", None):
            raise ValueError("Resolver handles deterministic cases only; this case has "
                             "disruption scenarios (scenarios.csv)")
        self.model, self.case, self.extra = model, case, tuple(extra)
        self.options = options or SolveOptions(**kwargs)
        self.highs: highspy.Highs | None = None
        self.route = ""
        self._kept: Kept | None = None  # the Pyomo backend's compiled form
        self._arrays: ArrayLP | None = None  # the matrix backend's arrays
        self._objective_stale = False
        self.highs_log: HighsLog | None = None  # HiGHS's log; each result gets its own lines

    @property
    def matrix(self) -> bool:
        """True when the model is of the matrix backend (updates by the array diff)."""
        return backends.of(self.model).name == MATRIX

    @property
    def arrays(self) -> ArrayLP | None:
        """The matrix backend's LP as HiGHS holds it (None before :meth:`solve`, or on the Pyomo
        route)."""
        return self._arrays

    @property
    def form(self):
        """The compiled standard form HiGHS holds (None before :meth:`solve`)."""
        return None if self._kept is None else self._kept.form

    # --- first solve ------------------------------------------------------------------
    def solve(self, start: Resolver | None = None) -> SolveResult:
        """Hand the model to HiGHS and solve (as :func:`solve`): a Pyomo model compiled to
        standard form, a matrix-backend model as its arrays.

        ``start``: a solved matrix-backend resolver of a case whose structure differs; simplex
        then starts from its basis, carried over by variable and row names
        (:func:`~northam_plan.scenarios.resolve_arrays.carried_basis`), not from nothing."""
        carried = None
        if start is not None and start.matrix and start.highs is not None:
            carried = (start.model, start.highs)
        return self._solve(carried)

    def _solve(self, carried: tuple[MatrixModel, highspy.Highs] | None) -> SolveResult:
        """:meth:`solve`, from the basis ``carried`` (a matrix model and the HiGHS instance
        that solved it) when given."""
        tic = time.perf_counter()
        try:
            if self.matrix:
                self._arrays = ArrayLP(self.model)
                check_rows(self.model, self._arrays)
                lp = self._arrays.highs_lp()
            else:
                with gc_paused():  # many small objects: no cyclic GC walks
                    form = compile_form(self.model)
                lp = highs_lp(form)
                self._kept = Kept(form, lp)
        except InfeasibleConstraintException as err:
            return SolveResult(status="infeasible", objective=None, sizes={},
                               timings={"handover": time.perf_counter() - tic},
                               message=f"{ADVICE['infeasible']} ({err})")
        handover = time.perf_counter() - tic
        with quiet_stdout(True):  # HiGHS's banner; its log goes to the logger (solve.py)
            highs = self.highs = highspy.Highs()
        self.highs_log = set_options(highs, self.options)
        by_size(highs, self.options, int(lp.num_col_))
        highs.passModel(lp)
        timings = {"handover": handover}
        if carried is not None and self.matrix:
            tic = time.perf_counter()
            if highs.setBasis(carried_basis(*carried, self.model)) == \
                    highspy.HighsStatus.kError:  # (not seen) then simplex starts from nothing
                log.warning("the carried basis was refused: solving from nothing")
            highs.setOptionValue("solver", "simplex")  # (not IPM): it starts from the basis
            timings["basis"] = time.perf_counter() - tic
        return self._run(timings)

    # --- changes ----------------------------------------------------------------------
    def column(self, var) -> int:
        """The HiGHS column of a variable: a Pyomo variable (KeyError if it is in no
        constraint) or, on the matrix backend, ``model.<var>[key]`` (its column number)."""
        self._require()
        if self.matrix:
            if not isinstance(var, Col):
                raise TypeError(f"{var!r} is not a variable of a matrix-backend model")
            return var.id
        return self._compiled.column[id(var)]

    def set_cost(self, var, coefficient: float) -> None:
        """Set the objective coefficient of ``var`` (present value, M$ per unit).

        Changes the objective only: ``annual_cost`` (and so ``plan.costs``) do not see it; the
        next :meth:`update` replaces it with the new case's coefficient.
        """
        j = self.column(var)
        if self.matrix:
            self._lp.set_cost(self._highs, j, coefficient)
            self.model.cost[j] = coefficient
            return
        self._compiled.cost[j] = coefficient
        self._highs.changeColsCost(1, np.array([j], dtype=np.int32),
                                  np.array([coefficient], dtype=float))
        self._objective_stale = True

    def set_bounds(self, var, lower: float | None, upper: float | None) -> None:
        """Set the bounds of ``var`` in HiGHS and in the model (None: unbounded); the next
        :meth:`update` replaces them with the new case's."""
        j = self.column(var)
        low = -np.inf if lower is None else float(lower)
        up = np.inf if upper is None else float(upper)
        if self.matrix:
            self._lp.set_bounds(self._highs, j, low, up)
            self.model.col_lower[j], self.model.col_upper[j] = low, up
            return
        kept = self._compiled
        kept.col_lower[j], kept.col_upper[j] = low, up
        self._highs.changeColBounds(j, low, up)
        var.setlb(lower)
        var.setub(upper)

    def update(self, case: Case, route: str = "auto", fallback: bool = False,
               model: MatrixModel | None = None) -> SolveResult:
        """Switch to ``case`` and re-solve from the last basis.

        ``route`` on a matrix-backend model: ``auto`` or ``diff``, the same (build on the matrix
        route, push the arrays that differ). On a Pyomo-backend model: ``direct`` (per-table
        handlers only; ValueError naming what they do not cover), ``rebuild`` (build, compile,
        push the numbers that differ) or ``auto`` (direct when it covers the change, else
        rebuild). A change of structure raises :class:`StructureChanged`, or with ``fallback``
        is built and solved cold. ``SolveResult.timings`` has the seconds of each step
        (``build``, ``diff``, ``push``: the array diff; ``update``: the direct route or its
        attempt; ``build``, ``compile``, ``push``: the rebuild route; ``solve``, ``load``).
        ``model``: ``case`` already built on the matrix route (matrix-route resolvers only),
        e.g. by a caller that tries it against several resolvers, or tries the diff and then
        falls back; neither the diff nor the cold build then builds it again.
        """
        self._require()
        routes = MATRIX_ROUTES if self.matrix else ROUTES
        if route not in routes:
            raise ValueError(f"route must be one of {routes} for a "
                             f"{'matrix' if self.matrix else 'Pyomo'}-route model, not "
                             f"{route!r}")
        try:
            if self.case.years_spec != case.years_spec:
                raise StructureChanged("the model years changed: every variable changes")
            if model is not None and not self.matrix:
                raise ValueError("a prebuilt model is for a matrix-route resolver only")
            timings = self._diff(case, model) if self.matrix else \
                self._pyomo_update(case, route)
        except StructureChanged:
            if not fallback:
                raise
            return self._cold(case, model)
        self.case = case
        return self._run(timings)

    def resolve(self) -> SolveResult:
        """Re-solve after :meth:`set_cost` / :meth:`set_bounds`, from the last basis."""
        self._require()
        return self._run({})

    # --- matrix backend: the array diff -----------------------------------------------------
    def _diff(self, case: Case, model: MatrixModel | None = None) -> dict:
        """The array diff (:func:`~northam_plan.scenarios.resolve_arrays.rebuild_arrays`): its
        timings."""
        self.model, timings = rebuild_arrays(self.model, self._lp, self._highs, case,
                                             model=model)
        self.route = "diff"
        return timings

    # --- Pyomo backend: direct, else rebuild ------------------------------------------------
    def _pyomo_update(self, case: Case, route: str) -> dict:
        changes, timings = None, {}
        if route != "rebuild":
            tic = time.perf_counter()
            try:
                changes = self._direct(case)
            except NotDirect as why:
                if route == "direct":
                    raise ValueError(f"no direct re-solve: {why}; use route='rebuild'") \
                        from None
            timings["update"] = time.perf_counter() - tic  # (the attempt, if it failed)
        if changes is None:
            timings.update(self._rebuild(case))
            self.route = "rebuild"
        else:
            self.route = "direct"
        return timings

    def _direct(self, case: Case) -> Changes:
        if self.case.options != case.options:
            raise NotDirect("the options changed")
        with gc_paused():  # many small objects: the cyclic GC would walk the whole model
            changes = direct_changes(self.model, self.case, case,
                                     changed_tables(self.case, case))
            if apply_changes(self.model, self._compiled, self._highs, changes, case):
                self._objective_stale = True
        return changes

    def _rebuild(self, case: Case) -> dict:
        """The rebuild route (:func:`~northam_plan.scenarios.resolve_rebuild.rebuild`): its
        timings."""
        self.model, self._kept, timings = rebuild(self.model, self._compiled, self._highs, case,
                                                  self.extra)
        self._objective_stale = False  # HiGHS has the costs of the new model's objective
        return timings

    def _cold(self, case: Case, model: MatrixModel | None = None) -> SolveResult:
        """Build ``case`` (or take ``model``, ``case`` already built on the matrix route) and
        solve it in a new HiGHS instance, from the last basis carried over."""
        from northam_plan.model import build_model

        tic = time.perf_counter()
        carried = (self.model, self.highs) if self.matrix and self.highs is not None else None
        self.model = model if model is not None else build_model(
            case, extra=self.extra, backend=backends.of(self.model).name)
        self.case = case
        built = time.perf_counter() - tic
        self.highs = None
        result = self._solve(carried)  # from the last basis, carried to the new structure
        result.timings = {"build": built, **result.timings}
        self.route = "cold"
        return result

    # --- inside -------------------------------------------------------------------------
    @property
    def _highs(self) -> highspy.Highs:
        """The HiGHS instance (a RuntimeError before the first solve)."""
        self._require()
        return cast(highspy.Highs, self.highs)

    @property
    def _compiled(self) -> Kept:
        if self._kept is None:
            raise RuntimeError("the Pyomo backend's compiled form is kept only after solve()")
        return self._kept

    @property
    def _lp(self) -> ArrayLP:
        if self._arrays is None:
            raise RuntimeError("the matrix backend's arrays are kept only after solve()")
        return self._arrays

    def _require(self) -> None:
        if self.highs is None:
            raise RuntimeError("call Resolver.solve() first")

    def _run(self, timings: dict) -> SolveResult:
        highs = self._highs
        if "handover" not in timings:  # a re-solve, from the last basis
            _, solver = highs.getOptionValue("solver")
            if solver not in ("simplex", "choose"):
                highs.setOptionValue("solver", "simplex")  # (not IPM): it starts from it
            if "simplex_strategy" not in self.options.highs_options:
                highs.setOptionValue("simplex_strategy", CHOOSE)
        if self.highs_log is not None:
            self.highs_log.lines = []  # this run's lines only
        tic = time.perf_counter()
        run_highs(highs)
        timings["solve"] = time.perf_counter() - tic
        if self.highs_log is not None:
            self.highs_log.flush()
        status = STATUS.get(highs.getModelStatus(), str(highs.getModelStatus()))
        if self.matrix:
            arrays = self._lp
            sizes = {"variables": int(highs.getNumCol()), "constraints": arrays.used_rows(),
                     "nonzeros": int(arrays.A.nnz)}
        else:
            kept = self._compiled
            sizes = {"variables": int(highs.getNumCol()), "constraints": int(highs.getNumRow()),
                     "nonzeros": int(kept.form.A.nnz)}
        objective = None
        if status == "optimal" and self.matrix:
            tic = time.perf_counter()
            matrix_backend.load_solution(self.model, highs)
            objective = float(highs.getInfo().objective_function_value)
            timings["load"] = time.perf_counter() - tic
        elif status == "optimal":
            tic = time.perf_counter()
            with gc_paused():
                pyomo_backend.load_solution(self.model, kept.form, highs)
                if self._objective_stale:  # keep model.objective what HiGHS minimised
                    self.model.objective.set_value(_PYOMO.linear(
                        [(c, v) for c, v in zip(kept.cost, kept.form.columns) if c],
                        constant=kept.offset))
                    self._objective_stale = False
            objective = float(highs.getInfo().objective_function_value)
            timings["load"] = time.perf_counter() - tic
        return SolveResult(status=status, objective=objective, sizes=sizes, timings=timings,
                           solver=f"HiGHS {highs_version()}", message=ADVICE.get(status, ""),
                           log=list(self.highs_log.lines) if self.highs_log else [])
