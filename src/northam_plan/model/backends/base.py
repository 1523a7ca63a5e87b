"""The backend protocol (:class:`Backend`) and what a backend hands to HiGHS (:class:`Handover`);
:mod:`northam_plan.model.backends` says how the two backends implement it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import highspy
import numpy as np

if TYPE_CHECKING:
    from northam_plan.model.family import Family, Rows

__all__ = ["Backend", "Handover"]


@dataclass
class Handover:
    """A model handed to HiGHS: the LP, its size, what its numerics are measured on, and how
    to load HiGHS's solution back into the model."""

    lp: highspy.HighsLp
    rows: int  # rows with a variable (a row without is dropped, or kept if it holds)
    nonzeros: int
    #: for the numerics report: the matrix (scipy CSC, or anything with its indptr, indices
    #: and data), costs, right-hand sides, column bounds and the names of rows and columns
    matrix: Any
    cost: np.ndarray
    rhs: np.ndarray
    bounds: tuple[np.ndarray, np.ndarray]
    row_name: Callable[[int], Any]
    column_name: Callable[[int], Any]
    load: Callable[[highspy.Highs], None]


class Backend(Protocol):
    """What a backend does. ``block``: the model or one of its blocks (a disruption
    scenario's); ``keys``: a list of labels; arrays are in the labels' order."""

    #: the backend's name, as the CLI and summary.json spell it
    name: str
    #: what only some backends can do: ``"extra"`` (a researcher's Pyomo components run on
    #: the model), ``"table-handlers"`` (the model keeps its ledger's terms after the build, so
    #: the Resolver's direct table handlers can move them; the matrix backend lets them go:
    #: its arrays hold them)
    features: frozenset[str]

    def new_model(self, name: str) -> Any:
        """An empty model called ``name``; its ``backend`` attribute names this backend."""
        ...

    def add_variables(self, block: Any, name: str, keys: list, lower: np.ndarray | None,
                      upper: np.ndarray | None) -> None:
        """Non-negative variables ``block.<name>[key]``; bounds per key (None: 0 and none; an
        upper bound of inf: none)."""
        ...

    def add_rows(self, block: Any, name: str, rows: Rows) -> None:
        """Constraints ``block.<name>[label]``, one per label of ``rows`` (lower ≤ body ≤
        upper)."""
        ...

    def add_expressions(self, block: Any, name: str, family: Family) -> None:
        """Named linear expressions ``block.<name>[label]``."""
        ...

    def add_blocks(self, parent: Any, name: str, keys: Sequence) -> None:
        """Sub-models ``parent.<name>[key]`` (one per disruption scenario)."""
        ...

    def set_objective(self, model: Any, total: Family) -> None:
        """min the one expression of ``total`` (a family of one row; a variable may appear in
        several terms: they add up)."""
        ...

    def linear(self, pairs: Sequence[tuple[float, Any]], constant: float = 0.0) -> Any:
        """One linear expression Σ coef · item + constant from ``(coef, item)`` pairs."""
        ...

    def columns(self, var: Any, keys: Sequence | None = None) -> Any:
        """The variables ``var[key]`` for ``keys`` (default all, in order) as one array."""
        ...

    def gathered(self, items: list) -> Any:
        """Variables from a list, as one array like :meth:`columns` gives."""
        ...

    def expression_terms(self, component: Any, keys: list) -> tuple:
        """The terms of the named expressions ``component[keys[i]]``: ``((term, variables,
        coefs), constants)``, term i for keys[i]."""
        ...

    def is_variable(self, component: Any) -> bool:
        """Whether ``component`` is indexed variables (not named expressions)."""
        ...

    def hand_over(self, model: Any) -> Handover:
        """The model as a HiGHS LP, and how to load the solution back into the model."""
        ...

    def values(self, component: Any) -> np.ndarray:
        """Values of indexed variables or expressions after a solve, in key order (0 before)."""
        ...

    def duals(self, component: Any) -> np.ndarray:
        """Duals of indexed constraints after a solve, in key order (Pyomo's signs; NaN
        where there is none)."""
        ...

    def value(self, item: Any) -> float | None:
        """The value of one variable or expression after a solve."""
        ...
