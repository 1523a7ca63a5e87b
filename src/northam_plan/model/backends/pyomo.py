"""The Pyomo backend: the model researchers extend (``extra=[fn]``, :func:`northam_plan.declare`,
mpi-sppy), as Pyomo components on a ``ConcreteModel``; handed to HiGHS through Pyomo's
``LinearStandardFormCompiler``, which turns it into sparse matrices in memory — no files
(DESIGN.md §6 measured this 1.3–1.7× faster to hand over than Pyomo's in-memory HiGHS
interfaces, which add rows one at a time). Primal values are loaded into the variables and the
row duals into a ``model.dual`` suffix (Pyomo's sign convention: for a minimisation, the dual of
a binding ≥ constraint is ≥ 0).

Each row of a family is one ``LinearExpression`` with the family's constant, between the bounds
as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from northam_plan.model.backends.base import Handover
from northam_plan.model.expr import flat_keys

if TYPE_CHECKING:
    from northam_plan.model.family import Family, Rows

__all__ = ["PyomoBackend", "column_bounds", "compile_form", "highs_lp"]


class PyomoBackend:
    """:class:`~northam_plan.model.backends.base.Backend` on Pyomo."""

    name = "pyomo"
    features = frozenset({"extra", "table-handlers"})

    def new_model(self, name: str) -> pyo.ConcreteModel:
        model = pyo.ConcreteModel(name=name)
        model.backend = self.name
        return model

    def add_variables(self, block, name: str, keys: list, lower: np.ndarray | None,
                      upper: np.ndarray | None) -> None:
        bounds = None
        if lower is not None or upper is not None:
            n = len(keys)
            lows = [0.0] * n if lower is None else lower.tolist()
            ups = [None] * n if upper is None else \
                [None if np.isinf(u) else u for u in upper.tolist()]
            position = _positions(keys)

            def bounds(_, *key):
                i = position[key if len(key) > 1 else key[0]]
                return lows[i], ups[i]

        setattr(block, name, pyo.Var(keys, domain=pyo.NonNegativeReals, dense=False,
                                     bounds=bounds))

    def add_rows(self, block, name: str, rows: Rows) -> None:
        keys = rows.index.keys
        n = len(keys)
        expression = _expression_of_row(rows.body)
        low, up = ([None] * n if bound is None else [None if np.isinf(b) else b
                                                      for b in bound.tolist()]
                   for bound in (rows.lower, rows.upper))
        position = _positions(keys)

        def rule(_, *key):
            i = position[key if len(key) > 1 else key[0]]
            lhs = expression(i)
            if up[i] is None:
                return lhs >= low[i]
            if low[i] is None:
                return lhs <= up[i]
            return lhs == low[i] if low[i] == up[i] else (low[i], lhs, up[i])

        setattr(block, name, pyo.Constraint(keys, rule=rule))

    def add_expressions(self, block, name: str, family: Family) -> None:
        keys = family.index.keys
        expression, position = _expression_of_row(family), _positions(keys)

        def rule(_, *key):
            return expression(position[key if len(key) > 1 else key[0]])

        setattr(block, name, pyo.Expression(keys, rule=rule))

    def add_blocks(self, parent, name: str, keys: Sequence) -> None:
        setattr(parent, name, pyo.Block(list(keys)))

    def set_objective(self, model, total: Family) -> None:
        _, items, coefs = total.entries()
        merged: dict[int, float] = {}  # one term per variable, in the order first met
        found: dict[int, Any] = {}
        for var, coef in zip([] if items is None else items.tolist(), coefs.tolist()):
            merged[id(var)] = merged.get(id(var), 0.0) + coef
            found.setdefault(id(var), var)
        model.objective = pyo.Objective(
            expr=self.linear([(merged[i], found[i]) for i in merged],
                             float(total.constant.sum())), sense=pyo.minimize)

    def linear(self, pairs: Sequence[tuple[float, Any]], constant: float = 0.0):
        return LinearExpression(constant=constant, linear_coefs=[c for c, _ in pairs],
                                linear_vars=[v for _, v in pairs])

    def columns(self, var, keys: Sequence | None = None) -> np.ndarray:
        return self.gathered([var[key] for key in (var.index_set() if keys is None else keys)])

    def gathered(self, items: list) -> np.ndarray:
        array = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            array[i] = item
        return array

    def expression_terms(self, component, keys: list) -> tuple:
        term, items, coefs, constants = [], [], [], []
        found: dict = {}  # each expression read once, however many terms take it
        for i, key in enumerate(keys):
            if key not in found:
                expr = component[key].expr
                if not isinstance(expr, LinearExpression):
                    raise TypeError(f"{component.name}[{key}] is not a linear expression")
                found[key] = (expr.linear_vars, expr.linear_coefs, float(expr.constant))
            variables, factors, constant = found[key]
            term.extend([i] * len(variables))
            items.extend(variables)
            coefs.extend(factors)
            constants.append(constant)
        return ((np.array(term, dtype=np.int64), self.gathered(items),
                 np.array(coefs, dtype=float)), np.array(constants))

    def is_variable(self, component) -> bool:
        return getattr(component, "ctype", None) is pyo.Var

    def hand_over(self, model) -> Handover:
        form = compile_form(model)
        bounds = column_bounds(form)
        lp = highs_lp(form, bounds)
        return Handover(lp=lp, rows=int(lp.num_row_), nonzeros=int(form.A.nnz), matrix=form.A,
                        cost=np.asarray(lp.col_cost_, dtype=float), rhs=np.asarray(form.rhs),
                        bounds=bounds, row_name=lambda i: form.rows[i][0],
                        column_name=lambda j: form.columns[j],
                        load=lambda highs: load_solution(model, form, highs))

    def values(self, component) -> np.ndarray:
        if component.ctype is pyo.Var:
            return np.array([0.0 if v.value is None else v.value for v in component.values()],
                            dtype=float)
        return np.array([self.value(e) or 0.0 for e in component.values()], dtype=float)

    def duals(self, component) -> np.ndarray:
        top = component.model()
        duals = top.dual if hasattr(top, "dual") else {}
        return np.array([duals.get(c, np.nan) for c in component.values()], dtype=float)

    def value(self, item) -> float | None:
        return pyo.value(item, exception=False)


def compile_form(model):
    """The model in Pyomo's standard form (mixed form: rows keep their senses)."""
    return LinearStandardFormCompiler().write(model, mixed_form=True)


def column_bounds(form) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the compiled model's columns (±inf where there is none)."""
    columns = form.columns
    lower = np.array([-np.inf if v.lb is None else v.lb for v in columns], dtype=float)
    upper = np.array([np.inf if v.ub is None else v.ub for v in columns], dtype=float)
    return lower, upper


def highs_lp(form, bounds: tuple[np.ndarray, np.ndarray] | None = None) -> highspy.HighsLp:
    """The compiled form as a HiGHS LP (``bounds``: the columns', if already read)."""
    n_rows, n_cols = form.A.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = form.c.toarray()[0] if form.c.shape[0] else np.zeros(n_cols)
    lp.offset_ = float(form.c_offset[0]) if len(form.c_offset) else 0.0
    lp.col_lower_, lp.col_upper_ = bounds if bounds is not None else column_bounds(form)
    sense = np.array([s for _, s in form.rows], dtype=np.int8)
    rhs = np.asarray(form.rhs, dtype=float)
    lp.row_lower_ = np.where(sense == 1, -np.inf, rhs)
    lp.row_upper_ = np.where(sense == -1, np.inf, rhs)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = form.A.indptr
    lp.a_matrix_.index_ = form.A.indices
    lp.a_matrix_.value_ = form.A.data
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    return lp


def load_solution(model, form, highs: highspy.Highs) -> None:
    """HiGHS's solution into the model: values into the variables, row duals into
    ``model.dual`` (a row Pyomo's compiler split in two gets the sum of both duals)."""
    solution = highs.getSolution()
    for var, value in zip(form.columns, solution.col_value):
        var.set_value(value, skip_validation=True)
    if not hasattr(model, "dual"):
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    model.dual.clear()
    duals = model.dual
    for (con, _sense), dual in zip(form.rows, solution.row_dual):
        duals[con] = duals.get(con, 0.0) + dual


def _expression_of_row(family: Family) -> Callable[[int], LinearExpression]:
    """Row i of a family → a ``LinearExpression`` of its terms (in the order they were added)
    and its constant."""
    constants = family.constant.tolist()
    if family.pairs is not None:  # a family of sums(): its pairs as they were collected
        pairs = family.pairs

        def of_pairs(i: int) -> LinearExpression:
            found = pairs[i]
            return LinearExpression(constant=constants[i],
                                    linear_coefs=[c for c, _ in found],
                                    linear_vars=[v for _, v in found])

        return of_pairs
    row, items, coefs = family.entries()
    order = np.argsort(row, kind="stable")
    start = np.zeros(len(family.index) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(family.index)), out=start[1:])
    starts = start.tolist()
    coef_list = coefs[order].tolist()
    item_list = [] if items is None else items[order].tolist()

    def of_row(i: int) -> LinearExpression:
        a, b = starts[i], starts[i + 1]
        return LinearExpression(constant=constants[i], linear_coefs=coef_list[a:b],
                                linear_vars=item_list[a:b])

    return of_row


def _positions(keys: list) -> dict:
    """Row of each key, looked up as a Pyomo rule receives it: nested keys flattened."""
    return dict(zip(flat_keys(keys), range(len(keys))))
