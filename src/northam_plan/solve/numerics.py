"""Numerical health of the LP handed to HiGHS: the ranges of its coefficients.

HiGHS works in double precision with absolute feasibility and optimality tolerances of 1e-7.
When the nonzero magnitudes of the constraint matrix, the costs, the right-hand sides or the
bounds span many orders of magnitude, those tolerances stop meaning the same thing across the
model: small flows drown in round-off, the solver reports numerical trouble, or an "optimal"
plan violates a small constraint. The reference case is built in units that keep every range
narrow (kt, kt/yr, TWh, GW, Mt, M$; see docs/guides/planners.md, "Units and scaling"):

* matrix 3.7e-05 … 11 (a graphite mine's electricity in TWh per kt … gas turbine heat rate),
* costs 8.9e-03 … 8.2e+03 M$ per unit (discounted stock holding … discounted permit cost),
* right-hand sides 0.1 … 5.3e+04, bounds 0.1 … 2.4e+03.

:func:`coefficient_ranges` measures the four ranges of the LP handed to HiGHS (either
backend, :mod:`northam_plan.model.backends`) and keeps the entries at each end;
:func:`health_warnings` turns ranges that are too wide — a spread (largest / smallest nonzero
magnitude) above :data:`MAX_SPREAD`, a magnitude
above :data:`MAX_MAGNITUDE` or below :data:`MIN_MAGNITUDE` — into warnings that name the
constraint, the variable and the table rows at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from northam_plan.solve.sources import coefficient_rows, data_rows, index_of

MAX_SPREAD = 1e9  # largest / smallest nonzero magnitude of one kind
MAX_MAGNITUDE = 1e9  # a coefficient this large meets HiGHS's 1e20 "infinity" after scaling
MIN_MAGNITUDE = 1e-9  # … and one this small is below what its tolerances can tell from 0
KINDS = ("matrix", "cost", "rhs", "bounds")


@dataclass
class Extreme:
    """One end of a range: the value and where it sits (Pyomo component data objects)."""

    value: float
    con: Any = None  # constraint (matrix, rhs)
    var: Any = None  # variable (matrix, cost, bounds)

    @property
    def where(self) -> str:
        names = [item.name for item in (self.con, self.var) if item is not None]
        return " × ".join(names)


@dataclass
class Ranges:
    """Nonzero magnitudes per kind: (smallest, largest) with where each sits."""

    ranges: dict[str, tuple[Extreme, Extreme]] = field(default_factory=dict)

    def spread(self, kind: str) -> float:
        low, high = self.ranges[kind]
        return high.value / low.value

    def to_dict(self) -> dict:
        """For summary.json: ``{kind: {"min": …, "max": …, "min_at": …, "max_at": …}}``."""
        return {kind: {"min": low.value, "max": high.value, "min_at": low.where,
                       "max_at": high.where} for kind, (low, high) in self.ranges.items()}

    def describe(self) -> str:
        return ", ".join(f"{kind} [{low.value:.1e}, {high.value:.1e}]"
                         for kind, (low, high) in self.ranges.items())


def coefficient_ranges(matrix, cost: np.ndarray, rhs: np.ndarray,
                       bounds: tuple[np.ndarray, np.ndarray], row_at, column_at) -> Ranges:
    """The four ranges of an LP: ``matrix`` (scipy csc), ``cost`` per column (M$ per unit,
    present value), ``rhs`` per row, column ``bounds`` (lower, upper arrays; infinite = none).
    ``row_at(i)`` and ``column_at(j)`` give the constraint and variable (component data of
    either backend) for the names in messages; they are called only for the extremes."""
    ranges: dict[str, tuple[Extreme, Extreme]] = {}
    if matrix.nnz:
        values = np.abs(matrix.data)
        columns = np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.indptr))
        ranges["matrix"] = _pair(values, lambda k: Extreme(
            float(values[k]), con=row_at(int(matrix.indices[k])), var=column_at(int(columns[k]))))
    cost = np.abs(cost)
    if np.any(cost > 0):
        ranges["cost"] = _pair(cost, lambda k: Extreme(float(cost[k]), var=column_at(k)))
    rhs = np.abs(np.asarray(rhs, dtype=float))
    rhs = np.where(np.isfinite(rhs), rhs, 0.0)
    if np.any(rhs > 0):
        ranges["rhs"] = _pair(rhs, lambda k: Extreme(float(rhs[k]), con=row_at(k)))
    lower, upper = (np.where(np.isfinite(b), np.abs(b), 0.0) for b in bounds)
    largest = np.maximum(lower, upper)
    if np.any(largest > 0):
        ranges["bounds"] = _pair(largest, lambda k: Extreme(float(largest[k]), var=column_at(k)))
    return Ranges(ranges)


def _pair(values: np.ndarray, extreme: Callable[[int], Extreme]) -> tuple[Extreme, Extreme]:
    """The extremes at the smallest and the largest nonzero value."""
    low, high = _ends(values)
    return extreme(low), extreme(high)


def _ends(values: np.ndarray) -> tuple[int, int]:
    """Positions of the smallest and the largest nonzero value."""
    nonzero = np.flatnonzero(values)
    return (int(nonzero[np.argmin(values[nonzero])]), int(nonzero[np.argmax(values[nonzero])]))


def health_warnings(ranges: Ranges, case=None) -> list[str]:
    """Warnings for ranges HiGHS will find hard, each naming the entries (and, given the case,
    the table rows) at fault; empty for a well-scaled model."""
    found = []
    for kind, (low, high) in ranges.ranges.items():
        problems = []
        if high.value / low.value > MAX_SPREAD:
            problems.append(f"spans {np.log10(high.value / low.value):.0f} orders of magnitude "
                            f"(more than {np.log10(MAX_SPREAD):.0f})")
        if high.value > MAX_MAGNITUDE:
            problems.append(f"holds {high.value:.3g}, above {MAX_MAGNITUDE:.0e}")
        if low.value < MIN_MAGNITUDE:
            problems.append(f"holds {low.value:.3g}, below {MIN_MAGNITUDE:.0e}")
        if problems:
            found.append(
                f"numerics: the {kind} coefficients {' and '.join(problems)}: smallest "
                f"{_at(low, case)}; largest {_at(high, case)}. Rescale the data (units) so that "
                f"the values sit closer together; HiGHS may report numerical trouble or return "
                f"a plan that breaks small constraints.")
    return found


def _at(extreme: Extreme, case) -> str:
    text = f"{extreme.value:.3g} at {extreme.where}"
    if case is None:
        return text
    if extreme.con is not None and extreme.var is not None:
        rows = coefficient_rows(case, extreme.con, extreme.var, limit=3)
    else:
        item = extreme.con if extreme.con is not None else extreme.var
        rows = data_rows(case, item.parent_component().local_name, index_of(item), limit=3)
    return text + (f" (from {'; '.join(rows)})" if rows else "")
