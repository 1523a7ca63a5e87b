r"""The Pyomo backend of a :class:`~northam_plan.scenarios.resolve.Resolver`: the compiled form it
keeps, and its rebuild (a matrix-backend model takes the array diff of
:mod:`~northam_plan.scenarios.resolve_arrays` instead).

:class:`Kept` is the bookkeeping the direct handlers and the rebuild share: the kept Pyomo
model's standard form, compiled by Pyomo's ``LinearStandardFormCompiler`` in mixed form (one
HiGHS row per ≤, ≥ or = side, no sign flips), and the numbers of the LP

.. math:: \min\; c^\top x + c_0 \quad \text{s.t.}\quad \ell^{row} \le A x \le u^{row},
          \quad \ell^{col} \le x \le u^{col}

as HiGHS holds them (c: present-value M$ per unit of the variable, :math:`c_0` M$). A change
is pushed as the entries that differ from the kept arrays (``changeColsCost``,
``changeRowsBounds``, ``changeColsBounds``), and the kept arrays become the new ones.

:func:`rebuild` is the route for a change the direct handlers
(:mod:`northam_plan.scenarios.resolve_tables`) do not cover, and the one that rebuilds a model
with ``extra=[fn]`` Pyomo components (which a matrix-backend build cannot make): build (with
those functions) and compile the new case through Pyomo, check that its columns and rows
(names, order, senses) and the sparsity pattern of A are the kept ones
(:func:`same_structure`), and push only the numbers that differ (``changeColsCost``,
``changeObjectiveOffset``, ``changeColsBounds``, ``changeRowsBounds``, ``changeCoeff``). It
costs a Pyomo build and a compile but no new HiGHS instance and no cold solve. A change of
structure raises :class:`StructureChanged` before HiGHS is touched.
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException

from northam_plan.case import Case
from northam_plan.model.backends.pyomo import compile_form, highs_lp
from northam_plan.model.build import gc_paused

__all__ = ["Kept", "StructureChanged", "rebuild", "same_structure"]


class StructureChanged(ValueError):
    """The new case has other variables, rows or non-zeros than the kept model: rebuild."""


class Kept:
    r"""The compiled standard form of the kept model and the LP numbers HiGHS holds.

    ``form``: the compiler's output (``form.columns`` the variables in HiGHS column order,
    ``form.rows`` the (constraint, sense) of each HiGHS row, ``form.A`` the CSC matrix);
    :attr:`column` maps ``id(var)`` to its HiGHS column j; :attr:`cost` is c, :attr:`offset`
    :math:`c_0`, :attr:`row_lower` / :attr:`row_upper` are :math:`\ell^{row}, u^{row}` and
    :attr:`col_lower` / :attr:`col_upper` :math:`\ell^{col}, u^{col}` (±inf: no bound).
    """

    def __init__(self, form, lp, names=None) -> None:
        self.form, self.column = form, {id(v): j for j, v in enumerate(form.columns)}
        self.cost = np.array(lp.col_cost_, dtype=float)
        self.offset = float(lp.offset_)
        self.row_lower = np.array(lp.row_lower_, dtype=float)
        self.row_upper = np.array(lp.row_upper_, dtype=float)
        self.col_lower = np.array(lp.col_lower_, dtype=float)
        self.col_upper = np.array(lp.col_upper_, dtype=float)
        self._rows: dict[int, list[tuple[int, int]]] | None = None
        self._names = names

    def rows(self) -> dict[int, list[tuple[int, int]]]:
        """HiGHS rows (index, sense: −1 ≥, 0 =, 1 ≤) of each Pyomo constraint, by id."""
        if self._rows is None:
            rows: dict[int, list[tuple[int, int]]] = {}
            for i, (con, sense) in enumerate(self.form.rows):
                rows.setdefault(id(con), []).append((i, sense))
            self._rows = rows
        return self._rows

    def names(self) -> tuple[list[str], list[tuple[str, int]]]:
        """The names of the columns and the (name, sense) of the rows, in HiGHS order.

        Read while the model of the form is alive (a variable's name needs its parents).
        """
        if self._names is None:
            self._names = _names(self.form)
        return self._names

    def push(self, highs, cost, row_lower, row_upper, col_lower, col_upper) -> bool:
        """Send the entries that differ from the kept arrays to HiGHS and keep the new ones.

        True when an objective coefficient changed.
        """
        changed = np.flatnonzero(cost != self.cost)
        cost_changed = bool(len(changed))
        if cost_changed:
            highs.changeColsCost(len(changed), changed.astype(np.int32), cost[changed])
        changed = np.flatnonzero((row_lower != self.row_lower) | (row_upper != self.row_upper))
        if len(changed):
            highs.changeRowsBounds(len(changed), changed.astype(np.int32),
                                   row_lower[changed], row_upper[changed])
        changed = np.flatnonzero((col_lower != self.col_lower) | (col_upper != self.col_upper))
        if len(changed):
            highs.changeColsBounds(len(changed), changed.astype(np.int32),
                                   col_lower[changed], col_upper[changed])
        self.cost, self.row_lower, self.row_upper = cost, row_lower, row_upper
        self.col_lower, self.col_upper = col_lower, col_upper
        return cost_changed


def rebuild(model: pyo.ConcreteModel, kept: Kept, highs, case: Case, extra=()) -> tuple:
    """Build and compile ``case`` and push what differs from ``kept`` into ``highs``.

    ``model`` is the kept model and ``extra`` the callables of ``build_model(case,
    extra=...)``. Returns the new model, its :class:`Kept` and the seconds of each step
    (``build``, ``compile``, ``push``). Raises :class:`StructureChanged` when the structure
    differs, with ``highs`` untouched.
    """
    from northam_plan.model import build_model

    tic = time.perf_counter()
    new_model = build_model(case, extra=extra)
    timings = {"build": time.perf_counter() - tic}
    tic = time.perf_counter()
    try:
        with gc_paused():  # many small objects: the cyclic GC would walk the whole model
            form = compile_form(new_model)
    except InfeasibleConstraintException as err:
        raise StructureChanged(f"a row of the new case has no variables left ({err})") \
            from None
    timings["compile"] = time.perf_counter() - tic
    tic = time.perf_counter()
    with gc_paused():
        names = same_structure(kept, form, custom_hint(model, extra))
        lp = highs_lp(form)
    old = kept.form.A.data
    for k in np.flatnonzero(old != form.A.data):
        j = int(np.searchsorted(form.A.indptr, k, side="right") - 1)
        highs.changeCoeff(int(form.A.indices[k]), j, float(form.A.data[k]))
    kept.push(highs, cost=np.asarray(lp.col_cost_, dtype=float),
              row_lower=np.asarray(lp.row_lower_, dtype=float),
              row_upper=np.asarray(lp.row_upper_, dtype=float),
              col_lower=np.asarray(lp.col_lower_, dtype=float),
              col_upper=np.asarray(lp.col_upper_, dtype=float))
    if float(lp.offset_) != kept.offset:
        highs.changeObjectiveOffset(float(lp.offset_))
    new_kept = Kept(form, lp, names)
    timings["push"] = time.perf_counter() - tic
    return new_model, new_kept, timings


def same_structure(kept: Kept, form, hint: str = ""):
    """The names of ``form``'s columns and rows if its structure is ``kept``'s.

    Same shape, same column names and row (name, sense) in the same order, and the same
    sparsity pattern of A (``indptr``, ``indices``); else :class:`StructureChanged` naming the
    first difference (``hint`` is added to a change of shape).
    """
    old = kept.form
    if old.A.shape != form.A.shape:
        raise StructureChanged(
            f"the new case has {form.A.shape[1]} variables and {form.A.shape[0]} rows, the "
            f"kept model {old.A.shape[1]} and {old.A.shape[0]}" + hint)
    kept_names = kept.names()
    names = _names(form)
    for what, a, b in (("variable", kept_names[0], names[0]),
                       ("row", kept_names[1], names[1])):
        if a != b:
            i = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
            raise StructureChanged(f"{what} {i} is {b[i]} in the new case, {a[i]} in the "
                                   f"kept model")
    if not (np.array_equal(old.A.indptr, form.A.indptr)
            and np.array_equal(old.A.indices, form.A.indices)):
        j = int(np.flatnonzero(np.diff(old.A.indptr) != np.diff(form.A.indptr))[0]) \
            if not np.array_equal(old.A.indptr, form.A.indptr) else None
        where = f" (in the column of {names[0][j]})" if j is not None else ""
        raise StructureChanged("a coefficient of the new case becomes 0 or stops being 0"
                               + where)
    return names


def custom_hint(model, extra) -> str:
    """Advice for a change of shape when the kept model has custom constraints not in
    ``extra`` (a rebuild would leave them out)."""
    if getattr(model, "custom_names", None) and not extra:
        return ("; the kept model has custom constraints: give their functions to "
                "Resolver(..., extra=[...]) so that a rebuild adds them")
    return ""


def _names(form) -> tuple[list[str], list[tuple[str, int]]]:
    return ([v.name for v in form.columns], [(c.name, s) for c, s in form.rows])
