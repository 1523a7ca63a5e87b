"""The matrix backend: the LP kept as flat arrays as the components declare it
(:class:`~northam_plan.model.matrix.MatrixModel`: every variable and row numbered as it is
declared, each family's coefficients appended to flat arrays, constants moved into the bounds as
Pyomo's compiler moves them). No Pyomo object is made; the hand-over to HiGHS is one sparse
conversion. Values and duals are read back into the model (``model.x``, ``model.dual``,
``model.row_value``) and through the same interface extraction uses on a Pyomo model
(``component.items()``, ``var.value``, ``model.dual.get(row)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
from pyomo.common.errors import InfeasibleConstraintException

from northam_plan.model.backends.base import Handover
from northam_plan.model.expr import Col, Cols, Lin, RowRef, flat, flat_keys, lin_of
from northam_plan.model.matrix import (
    Duals,
    MatrixBlock,
    MatrixConstraint,
    MatrixExpression,
    MatrixModel,
    MatrixVar,
)

if TYPE_CHECKING:
    from northam_plan.model.family import Family, Rows

__all__ = ["MatrixBackend", "load_solution"]

_NO_IDS = np.zeros(0, dtype=np.int64)


class MatrixBackend:
    """:class:`~northam_plan.model.backends.base.Backend` on flat arrays."""

    name = "matrix"
    features: frozenset[str] = frozenset()

    def new_model(self, name: str) -> MatrixModel:
        return MatrixModel(name)

    def add_variables(self, block: MatrixBlock, name: str, keys: list,
                      lower: np.ndarray | None, upper: np.ndarray | None) -> None:
        block.add_var(name, keys, lower, upper)

    def add_rows(self, block: MatrixBlock, name: str, rows: Rows) -> None:
        body, n = rows.body, len(rows.index)
        row, items, coefs = body.entries()
        lower = np.full(n, -np.inf) if rows.lower is None else rows.lower - body.constant
        upper = np.full(n, np.inf) if rows.upper is None else rows.upper - body.constant
        block.add_rows(name, flat_keys(rows.index.keys), row,
                       _NO_IDS if items is None else items.ids, coefs, lower, upper)

    def add_expressions(self, block: MatrixBlock, name: str, family: Family) -> None:
        keys = family.index.keys
        row, items, coefs = family.entries()
        order = np.argsort(row, kind="stable")
        indptr = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=len(keys)), out=indptr[1:])
        ids = _NO_IDS if items is None else items.ids[order]
        setattr(block, name, MatrixExpression.packed(
            block.model(), name, flat_keys(keys), indptr, ids, coefs[order],
            family.constant.copy(), block.block_name))

    def add_blocks(self, parent: MatrixBlock, name: str, keys: Sequence) -> None:
        setattr(parent, name, {key: MatrixBlock(parent.model(), f"{name}[{key}]")
                               for key in keys})

    def set_objective(self, model: MatrixModel, total: Family) -> None:
        _, items, coefs = total.entries()
        ids = _NO_IDS if items is None else items.ids
        model.cost = np.bincount(ids, weights=coefs, minlength=model.n_cols)
        model.offset = float(total.constant.sum())

    def linear(self, pairs: Sequence[tuple[float, Any]], constant: float = 0.0) -> Lin:
        return lin_of(pairs, constant)

    def columns(self, var: MatrixVar, keys: Sequence | None = None) -> Cols:
        if keys is None:
            ids = np.arange(var.start, var.start + len(var.keys_list), dtype=np.int64)
        else:
            try:
                at = np.fromiter(map(var.position.__getitem__, keys), dtype=np.int64)
            except KeyError:  # nested keys: as Pyomo, look them up flattened
                at = np.fromiter(map(var.position.__getitem__, map(flat, keys)),
                                 dtype=np.int64)
            ids = var.start + at
        return Cols(var.model, ids)

    def gathered(self, items: list) -> Cols:
        model = items[0].model if items else None
        return Cols(model, np.fromiter((var.id for var in items), dtype=np.int64,
                                       count=len(items)))

    def expression_terms(self, component: MatrixExpression, keys: list) -> tuple:
        at = np.fromiter(map(component.position.__getitem__, keys), dtype=np.int64,
                         count=len(keys))
        length = component.indptr[at + 1] - component.indptr[at]
        term = np.repeat(np.arange(len(keys)), length)
        taken = np.repeat(component.indptr[at], length) + np.arange(len(term)) - \
            np.repeat(np.cumsum(length) - length, length)
        return ((term, Cols(component.model, component.ids[taken]), component.coefs[taken]),
                component.constants[at])

    def is_variable(self, component: Any) -> bool:
        return isinstance(component, MatrixVar)

    def hand_over(self, model: MatrixModel) -> Handover:
        matrix = model.matrix()
        lower = np.frombuffer(model.row_lower, dtype=float)
        upper = np.frombuffer(model.row_upper, dtype=float)
        used = np.bincount(matrix.indices, minlength=model.n_rows) > 0
        for row in np.flatnonzero(~used):  # as Pyomo's compiler: a row without variables …
            if lower[row] > 1e-9 or upper[row] < -1e-9:  # … that cannot hold ends the solve
                raise InfeasibleConstraintException(
                    f"{RowRef(model, int(row)).name} has no variables and cannot hold")
        bounds = (np.frombuffer(model.col_lower, dtype=float),
                  np.frombuffer(model.col_upper, dtype=float))
        cost = model.cost if model.cost is not None else np.zeros(model.n_cols)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = model.n_cols, model.n_rows
        lp.col_cost_ = cost
        lp.offset_ = model.offset
        lp.col_lower_, lp.col_upper_ = bounds
        lp.row_lower_, lp.row_upper_ = lower, upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = model.n_cols, model.n_rows
        return Handover(lp=lp, rows=int(used.sum()), nonzeros=int(matrix.nnz), matrix=matrix,
                        cost=cost, rhs=np.where(np.isfinite(upper), upper, lower),
                        bounds=bounds, row_name=lambda i: RowRef(model, i),
                        column_name=lambda j: Col(model, j),
                        load=lambda highs: load_solution(model, highs))

    def values(self, component: MatrixVar | MatrixExpression) -> np.ndarray:
        model = component.model
        if model.x is None:
            return np.zeros(len(component))
        if isinstance(component, MatrixVar):  # one slice of the solution
            return model.x[component.start:component.start + len(component)]
        return component.evaluate()

    def duals(self, component: MatrixConstraint) -> np.ndarray:
        model = component.model
        if model.dual is None:
            return np.full(len(component), np.nan)
        return model.dual.values[np.asarray(component.rows, dtype=np.int64)]

    def value(self, item: Col | Lin) -> float | None:
        return item.value


def load_solution(model: MatrixModel, highs: highspy.Highs) -> None:
    """HiGHS's solution into the model: values, row duals and row activities."""
    solution = highs.getSolution()
    model.x = np.asarray(solution.col_value, dtype=float)
    model.dual = Duals(np.asarray(solution.row_dual, dtype=float))
    model.row_value = np.asarray(solution.row_value, dtype=float)
