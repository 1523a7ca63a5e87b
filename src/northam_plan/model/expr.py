"""Linear expressions of the matrix backend: columns (:class:`Col`, :class:`Cols`), expressions
over them (:class:`Lin`: a named expression's value, the objective) and rows (:class:`RowRef`),
with Pyomo's spelling of their names and Pyomo's flattening of nested index tuples. Constraints
are written as labelled families (:mod:`.family`), not row by row.
"""

from __future__ import annotations

import numpy as np


def lin_of(terms, constant: float = 0.0) -> Lin:
    """Σ coef · item + constant from ``(coef, item)`` pairs (items: columns, expressions or
    numbers)."""
    try:  # the common case: every term a variable
        return Lin([item.id for _, item in terms], [c for c, _ in terms], constant,
                   terms[0][1].model if terms else None)
    except AttributeError:  # an expression (or a number) among the terms
        lin = Lin([], [], constant)
        for coef, item in terms:
            lin._add(item, coef)
        return lin


class Lin:
    """Σ coefs · columns + constant (column numbers of the :class:`MatrixModel`)."""

    backend = "matrix"  # the backend that made it (northam_plan.model.backends.of)
    __slots__ = ("ids", "coefs", "constant", "model")

    def __init__(self, ids, coefs, constant=0.0, model=None):
        self.ids, self.coefs, self.constant, self.model = ids, coefs, constant, model

    def _add(self, item, scale: float = 1.0) -> None:
        if isinstance(item, Col):
            self.ids.append(item.id)
            self.coefs.append(scale)
            self.model = item.model
        elif isinstance(item, Lin):
            self.ids.extend(item.ids)
            self.coefs.extend([scale * c for c in item.coefs] if scale != 1.0 else item.coefs)
            self.constant += scale * item.constant
            self.model = self.model or item.model
        else:
            self.constant += scale * float(item)

    def _combined(self, other, sign: float) -> Lin:
        if isinstance(other, Col):
            return Lin(self.ids + [other.id], self.coefs + [sign], self.constant, self.model)
        if isinstance(other, Lin):
            return Lin(self.ids + other.ids,
                       self.coefs + (other.coefs if sign == 1.0 else
                                     [sign * c for c in other.coefs]),
                       self.constant + sign * other.constant, self.model or other.model)
        return Lin(list(self.ids), list(self.coefs), self.constant + sign * float(other),
                   self.model)

    def __add__(self, other):
        return self._combined(other, 1.0)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combined(other, -1.0)

    def __rsub__(self, other):
        return (-self)._combined(other, 1.0)

    def __neg__(self):
        return Lin(list(self.ids), [-c for c in self.coefs], -self.constant, self.model)

    def __mul__(self, factor):
        factor = float(factor)
        return Lin(self.ids.copy(), [factor * c for c in self.coefs], factor * self.constant,
                   self.model)

    __rmul__ = __mul__

    def __truediv__(self, divisor):
        return self * (1.0 / float(divisor))

    @property
    def value(self) -> float | None:
        if not self.ids:
            return self.constant
        x = self.model.x if self.model is not None else None
        if x is None:
            return None
        return float(np.dot(self.coefs, x[self.ids])) + self.constant


class Col:
    """Variable number ``id`` of a :class:`MatrixModel`; operators make :class:`Lin`."""

    backend = "matrix"  # the backend that made it (northam_plan.model.backends.of)
    __slots__ = ("model", "id")

    def __init__(self, model, id_):
        self.model, self.id = model, id_

    def _lin(self) -> Lin:
        return Lin([self.id], [1.0], 0.0, self.model)

    def __add__(self, other):
        return self._lin() + other

    __radd__ = __add__

    def __sub__(self, other):
        return self._lin() - other

    def __rsub__(self, other):
        return other + (-self._lin())

    def __neg__(self):
        return Lin([self.id], [-1.0], 0.0, self.model)

    def __mul__(self, factor):
        return Lin([self.id], [float(factor)], 0.0, self.model)

    __rmul__ = __mul__

    @property
    def value(self) -> float | None:
        return None if self.model.x is None else float(self.model.x[self.id])

    # names, for messages (numerics, tests): like Pyomo's component data
    def parent_component(self):
        return self.model.component_of_column(self.id)

    def index(self):
        component = self.parent_component()
        return component.keys_list[self.id - component.start]

    @property
    def name(self) -> str:
        return _name(self.parent_component().name, self.index())


class Cols:
    """Many variables of a :class:`MatrixModel` as one array of column numbers (what
    :func:`~northam_plan.model.algebra.columns` gives on the matrix backend): no object per
    variable. Index it like a numpy array (a mask or positions select some)."""

    backend = "matrix"  # the backend that made it (northam_plan.model.backends.of)
    __slots__ = ("model", "ids")

    def __init__(self, model, ids: np.ndarray):
        self.model, self.ids = model, ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            return Col(self.model, int(self.ids[index]))
        return Cols(self.model, self.ids[index])


class RowRef:
    """Row number ``id`` of a :class:`MatrixModel` (a constraint's data, for messages)."""

    backend = "matrix"  # the backend that made it (northam_plan.model.backends.of)
    __slots__ = ("model", "id")

    def __init__(self, model, id_):
        self.model, self.id = model, id_

    def parent_component(self):
        return self.model.component_of_row(self.id)

    def index(self):
        component = self.parent_component()
        return component.keys_list[component.rows.index(self.id)]

    @property
    def name(self) -> str:
        return _name(self.parent_component().name, self.index())

    def body(self) -> float | None:
        """The row's activity Σ coef · value after a solve (constants are in its bounds)."""
        return None if self.model.row_value is None else float(self.model.row_value[self.id])


def flat(key):
    """A key with nested tuples flattened, as Pyomo indexes: (r, c, (m, p), t) → (r, c, m, p, t)."""
    if not isinstance(key, tuple):
        return key
    out: list = []
    nested = False
    for part in key:  # (a loop, not generators: components flatten tens of thousands of keys)
        if isinstance(part, tuple):
            out.extend(part)
            nested = True
        else:
            out.append(part)
    return tuple(out) if nested else key


def flat_keys(keys) -> list:
    """The keys of one component, flattened if they nest (all keys of a component share one
    shape, so the first tells)."""
    keys = list(keys)
    if keys and isinstance(keys[0], tuple) and any(isinstance(part, tuple) for part in keys[0]):
        return [flat(key) for key in keys]
    return keys


def _name(local_name: str, key) -> str:
    """Pyomo's spelling: ``act[US,li_mine,2030]``."""
    key = key if isinstance(key, tuple) else (key,)
    return f"{local_name}[{','.join(map(str, key))}]"
