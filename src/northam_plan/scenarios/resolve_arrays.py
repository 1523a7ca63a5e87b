r"""The array-diff route of a :class:`~northam_plan.scenarios.resolve.Resolver`: rebuild the
changed case on the matrix backend, diff its arrays against the LP HiGHS holds, push what changed.

A model of the matrix backend (``build_model(case, backend="matrix")``, the route of
:func:`northam_plan.pipeline.run`) *is* its LP, kept as flat arrays:

.. math:: \min\; c^\top x \quad \text{s.t.}\quad \ell^{row} \le A x \le u^{row},
          \quad \ell^{col} \le x \le u^{col}

with one column per variable and one row per constraint, numbered in the order the components
declare them — the order HiGHS gets them in (:func:`northam_plan.solve.solve`). No formula is
written here: the components' own build makes the new numbers, so a parameter a component
gains needs nothing in the resolver.

:class:`ArrayLP` is the copy of those arrays HiGHS holds. :func:`rebuild_arrays` builds the
new case on the matrix backend, checks that it has the same structure (:func:`same_structure`:
the same variable and constraint families with the same keys in the same order, hence the same
columns and rows, and the same sparsity pattern of A) and pushes the entries that differ —
``changeColsCost``, ``changeRowsBounds``, ``changeColsBounds``, ``changeCoeff`` — so that HiGHS
can re-solve from its last basis. A change of structure raises
:class:`~northam_plan.scenarios.resolve_rebuild.StructureChanged` with HiGHS untouched.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
from pyomo.common.errors import InfeasibleConstraintException

from northam_plan.case import Case
from northam_plan.model.backends import MATRIX
from northam_plan.model.expr import Col, RowRef
from northam_plan.model.matrix import MatrixModel
from northam_plan.scenarios.resolve_rebuild import StructureChanged

__all__ = ["ArrayLP", "carried_basis", "check_rows", "rebuild_arrays", "same_structure"]


class ArrayLP:
    r"""The LP of a matrix-backend model as HiGHS holds it.

    :attr:`cost` is c (present-value M$ per unit of the variable), :attr:`col_lower` /
    :attr:`col_upper` :math:`\ell^{col}, u^{col}`, :attr:`row_lower` / :attr:`row_upper`
    :math:`\ell^{row}, u^{row}` (±inf: no bound), :attr:`A` the column-wise matrix
    (:class:`~northam_plan.model.matrix.CSC`). Copies, not views of the model's arrays.
    """

    def __init__(self, model: MatrixModel, matrix=None) -> None:
        self.A = model.matrix() if matrix is None else matrix
        self.cost = np.array(model.cost, dtype=float)
        self.col_lower = np.array(model.col_lower, dtype=float)
        self.col_upper = np.array(model.col_upper, dtype=float)
        self.row_lower = np.array(model.row_lower, dtype=float)
        self.row_upper = np.array(model.row_upper, dtype=float)

    def used(self) -> np.ndarray:
        """Whether each row has a variable (rows without are in the LP but constrain nothing)."""
        return np.bincount(self.A.indices, minlength=len(self.row_lower)) > 0

    def used_rows(self) -> int:
        """The rows with variables (the ``constraints`` size of a cold solve)."""
        return int(self.used().sum())

    def highs_lp(self) -> highspy.HighsLp:
        """The arrays as a ``HighsLp`` (what :func:`~northam_plan.solve.solve` hands over)."""
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(self.cost), len(self.row_lower)
        lp.col_cost_ = self.cost
        lp.col_lower_, lp.col_upper_ = self.col_lower, self.col_upper
        lp.row_lower_, lp.row_upper_ = self.row_lower, self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self.A.indptr
        lp.a_matrix_.index_ = self.A.indices
        lp.a_matrix_.value_ = self.A.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(self.cost), len(self.row_lower)
        return lp

    def push(self, highs: highspy.Highs, new: ArrayLP) -> dict[str, int]:
        """Send the entries of ``new`` that differ from these to ``highs``; these arrays become
        ``new``'s. Returns how many of each kind were pushed (cost, row_bounds, col_bounds,
        coefficients). The structure must be the same (:func:`same_structure`)."""
        counts = {}
        changed = np.flatnonzero(new.cost != self.cost)
        if len(changed):
            highs.changeColsCost(len(changed), changed.astype(np.int32), new.cost[changed])
        counts["cost"] = len(changed)
        for kind, change, lower, upper in (
                # (changeRowsBounds is in highspy, not in its type stubs)
                ("row_bounds", highs.changeRowsBounds,  # type: ignore[attr-defined]
                 "row_lower", "row_upper"),
                ("col_bounds", highs.changeColsBounds, "col_lower", "col_upper")):
            lo, up = getattr(new, lower), getattr(new, upper)
            changed = np.flatnonzero((lo != getattr(self, lower)) | (up != getattr(self, upper)))
            if len(changed):
                change(len(changed), changed.astype(np.int32), lo[changed], up[changed])
            counts[kind] = len(changed)
        changed = np.flatnonzero(new.A.data != self.A.data)
        if len(changed):
            column = np.searchsorted(new.A.indptr, changed, side="right") - 1
            for i, j, value in zip(new.A.indices[changed].tolist(), column.tolist(),
                                   new.A.data[changed].tolist()):
                highs.changeCoeff(i, j, value)
        counts["coefficients"] = len(changed)
        self.A, self.cost = new.A, new.cost
        self.col_lower, self.col_upper = new.col_lower, new.col_upper
        self.row_lower, self.row_upper = new.row_lower, new.row_upper
        return counts

    def set_cost(self, highs: highspy.Highs, j: int, coefficient: float) -> None:
        self.cost[j] = coefficient
        highs.changeColsCost(1, np.array([j], dtype=np.int32),
                             np.array([coefficient], dtype=float))

    def set_bounds(self, highs: highspy.Highs, j: int, lower: float, upper: float) -> None:
        self.col_lower[j], self.col_upper[j] = lower, upper
        highs.changeColBounds(j, lower, upper)


def rebuild_arrays(kept_model: MatrixModel, kept: ArrayLP, highs: highspy.Highs,
                   case: Case, model: MatrixModel | None = None) -> tuple[MatrixModel, dict]:
    """Build ``case`` on the matrix backend and push what differs from ``kept`` into ``highs``.

    Returns the new model (``kept`` now holds its arrays) and the seconds of each step
    (``build``: the components; ``diff``: the matrix, the structure check and the comparison;
    ``push``: the calls to HiGHS). ``model``: ``case`` already built on the matrix route (then
    nothing is built here and ``build`` is 0). Raises :class:`StructureChanged` when the
    structure differs or a row without variables cannot hold, with ``highs`` and ``kept``
    untouched.
    """
    from northam_plan.model import build_model

    tic = time.perf_counter()
    if model is None:
        model = build_model(case, backend=MATRIX)
    timings = {"build": time.perf_counter() - tic}
    tic = time.perf_counter()
    same_structure(kept_model, model)
    new = ArrayLP(model)
    j = _first_other_column(kept.A, new.A)
    if j is not None:
        raise StructureChanged(f"a coefficient of the new case becomes 0 or stops being 0 "
                               f"(in the column of {Col(model, j).name})")
    try:
        check_rows(model, new)
    except InfeasibleConstraintException as err:
        raise StructureChanged(f"a row of the new case has no variables left and cannot hold: "
                               f"the new case is infeasible ({err})") from None
    timings["diff"] = time.perf_counter() - tic
    tic = time.perf_counter()
    kept.push(highs, new)
    timings["push"] = time.perf_counter() - tic
    return model, timings


def same_structure(kept: MatrixModel, new: MatrixModel) -> None:
    """Raise :class:`StructureChanged` unless ``new`` declares the same variable and constraint
    families as ``kept``, in the same order, with the same keys — so column j and row i are the
    same variable and constraint in both (the sparsity of A is checked by
    :func:`rebuild_arrays`)."""
    if (kept.n_cols, kept.n_rows) != (new.n_cols, new.n_rows):
        raise StructureChanged(
            f"the new case has {new.n_cols} variables and {new.n_rows} rows, the kept model "
            f"{kept.n_cols} and {kept.n_rows}")
    for what, old_families, new_families in (
            ("variable", kept.var_components, new.var_components),
            ("row", kept.row_components, new.row_components)):
        old_names = [family.name for family in old_families]
        new_names = [family.name for family in new_families]
        if old_names != new_names:
            raise StructureChanged(f"the {what} families of the new case are {new_names}, "
                                   f"those of the kept model {old_names}")
        for old, fresh in zip(old_families, new_families):
            if old.keys_list != fresh.keys_list:
                i = next((i for i, (a, b) in enumerate(zip(old.keys_list, fresh.keys_list))
                          if a != b), min(len(old.keys_list), len(fresh.keys_list)))
                raise StructureChanged(
                    f"{what} {_key_name(fresh, i)} is in the new case where the kept model has "
                    f"{_key_name(old, i)} ({len(fresh.keys_list)} against "
                    f"{len(old.keys_list)} {fresh.name})")


def carried_basis(old: MatrixModel, highs: highspy.Highs, new: MatrixModel) -> highspy.HighsBasis:
    """The basis ``highs`` holds for ``old``'s LP, carried to ``new``'s, whose structure
    differs (other variables or rows: a ban's or a lead time's years moved).

    A variable or row of ``new`` that ``old`` has — the same block, family and key — keeps its
    status; a new variable starts nonbasic at a finite bound (at 0 if free), a new row basic
    (its slack). The basis is *alien* — its number of basic variables need not be the number
    of rows, and it may be singular — so HiGHS completes it with slacks or trims it before
    simplex starts. On the sweep of ``benchmarks/sweep_throughput.py`` (the reference with the
    Chinese rare-earth ban, ban year or US mine permitting years moved) simplex then needs
    1,455–3,055 iterations instead of 9,358–9,654 from nothing (measured 2026-12-05).
    """
    basis = highs.getBasis()
    col = _carried(np.array([int(s) for s in basis.col_status], dtype=np.int8),
                   old.var_components, new.var_components, new.n_cols,
                   lambda c: range(c.start, c.start + len(c.keys_list)),
                   _nonbasic(np.asarray(new.col_lower), np.asarray(new.col_upper)))
    row = _carried(np.array([int(s) for s in basis.row_status], dtype=np.int8),
                   old.row_components, new.row_components, new.n_rows, lambda c: c.rows,
                   np.full(new.n_rows, int(highspy.HighsBasisStatus.kBasic), dtype=np.int8))
    carried = highspy.HighsBasis()
    status = {int(s): s for s in (highspy.HighsBasisStatus.kLower, highspy.HighsBasisStatus.kBasic,
                                  highspy.HighsBasisStatus.kUpper, highspy.HighsBasisStatus.kZero,
                                  highspy.HighsBasisStatus.kNonbasic)}
    carried.col_status = [status[s] for s in col.tolist()]
    carried.row_status = [status[s] for s in row.tolist()]
    carried.valid = carried.alien = True
    return carried


def _nonbasic(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The status of a new variable: at its lower bound, else its upper, else free at 0."""
    return np.where(np.isfinite(lower), int(highspy.HighsBasisStatus.kLower),
                    np.where(np.isfinite(upper), int(highspy.HighsBasisStatus.kUpper),
                             int(highspy.HighsBasisStatus.kZero))).astype(np.int8)


def _carried(old_status: np.ndarray, old_families, new_families, size: int, span,
             default: np.ndarray) -> np.ndarray:
    """``default`` with the statuses of the positions (columns or rows) ``old`` has too."""
    out = default.copy()
    by_name = {(f.block_name, f.local_name): f for f in old_families}
    for family in new_families:
        before = by_name.get((family.block_name, family.local_name))
        if before is None or not len(family.keys_list):
            continue
        where, was = np.asarray(span(family)), np.asarray(span(before))
        if before.keys_list == family.keys_list:
            out[where] = old_status[was]
            continue
        position = dict(zip(before.keys_list, was.tolist()))
        found = [(i, position.get(key)) for i, key in zip(where.tolist(), family.keys_list)]
        pairs = np.array([(i, j) for i, j in found if j is not None], dtype=np.int64)
        if len(pairs):
            out[pairs[:, 0]] = old_status[pairs[:, 1]]
    assert len(out) == size
    return out


def check_rows(model: MatrixModel, lp: ArrayLP) -> None:
    """As the cold hand-over (:func:`northam_plan.solve.solve`): a row without variables that
    cannot hold makes the case infeasible before any solve (``InfeasibleConstraintException``).
    """
    bad = np.flatnonzero(~lp.used() & ((lp.row_lower > 1e-9) | (lp.row_upper < -1e-9)))
    if len(bad):
        raise InfeasibleConstraintException(
            f"{RowRef(model, int(bad[0])).name} has no variables and cannot hold")


def _key_name(family, i: int) -> str:
    if i >= len(family.keys_list):
        return f"no {family.name}[…] (the end of the family)"
    key = family.keys_list[i]
    key = key if isinstance(key, tuple) else (key,)
    return f"{family.name}[{','.join(map(str, key))}]"


def _first_other_column(old, new) -> int | None:
    """A column whose sparsity pattern differs between two CSC matrices of one shape
    (None: the same pattern)."""
    if np.array_equal(old.indptr, new.indptr):
        if np.array_equal(old.indices, new.indices):
            return None
        k = int(np.flatnonzero(old.indices != new.indices)[0])
        return int(np.searchsorted(new.indptr, k, side="right") - 1)
    return int(np.flatnonzero(np.diff(old.indptr) != np.diff(new.indptr))[0])
