r"""Labelled families: the one way components write constraints and expressions.

A :class:`Family` is a linear expression per label of an :class:`Index` (the labels are key
tuples such as ``(region, process, year)``, with dimension names): for row i,

.. math:: family_i = \sum_{e:\, row(e) = i} coef_e \cdot x_{var(e)} + constant_i

Families are made from the model's variables and named expressions with :func:`terms`, or from
``(coef, variable)`` pairs collected per label with :func:`sums`; they add, subtract and scale
(by a number or per row by labelled data), and compare with ``<=``, ``>=`` and ``==`` to a
number, labelled data (a dict or pandas Series keyed by the labels, or an array in the
index's order) or another family. A comparison is a family of rows (:class:`Rows`) that
:func:`~northam_plan.model.algebra.constraints` adds to the model::

    rows = Index(limited, ("from", "to", "commodity", "year"))
    constraints(m, "flow_max", terms(m.flow, index=rows) <= capacity)   # capacity: a dict

    cap = Index(keys, ("region", "process", "year"))                    # act ≤ f · cap
    constraints(m, "activity_max", terms(m.act, index=cap) <= terms(m.cap, index=cap, coefs=f))

    share = Index(sorted(permits_by_row), ("country", "regime", "year"))  # Σ over a group
    lhs = terms(m.permit, kept, coefs=weight, at=country_regime_year, index=share)

Everything is kept as arrays: on the matrix backend the variables are column numbers
(:class:`~northam_plan.model.expr.Cols`) from end to end; on the Pyomo backend an array of Pyomo
variables, turned into one ``LinearExpression`` per row when the family is added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from northam_plan.model import backends
from northam_plan.model.arrays import columns, expression_terms, gathered
from northam_plan.model.expr import Cols

__all__ = ["Family", "Index", "Rows", "sums", "terms"]


class Index:
    """The labels of a family's rows, in order, and the names of their dimensions.

    ``keys``: a list of labels (tuples, or single values), an :class:`Index`, or a pandas
    ``Index`` / ``MultiIndex`` (whose level names become ``dims``). A list is kept, not
    copied: do not change it afterwards."""

    __slots__ = ("keys", "dims", "_position")

    keys: list
    dims: tuple[str, ...] | None
    _position: dict | None

    def __init__(self, keys, dims: tuple[str, ...] | None = None):
        if isinstance(keys, Index):
            keys, dims = keys.keys, dims or keys.dims
        elif isinstance(keys, pd.Index):
            if dims is None and any(name is not None for name in keys.names):
                dims = tuple(str(name) for name in keys.names)
            keys = keys.tolist()
        elif not isinstance(keys, list):
            keys = list(keys)
        self.keys, self.dims, self._position = keys, dims, None

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self):
        return iter(self.keys)

    def __repr__(self) -> str:
        return f"Index({len(self.keys)} labels, dims={self.dims})"

    @property
    def position(self) -> dict:
        """label → row number (made on first use)."""
        if self._position is None:
            self._position = {key: i for i, key in enumerate(self.keys)}
        return self._position

    def locate(self, labels) -> np.ndarray:
        """The row numbers of ``labels``; a label not in the index raises KeyError."""
        position = self.position
        try:
            return np.fromiter(map(position.__getitem__, labels), dtype=np.int64,
                               count=len(labels))
        except KeyError as missing:
            raise KeyError(f"label {missing.args[0]!r} is not in the index {self}") from None

    def align(self, data) -> np.ndarray:
        """``data`` as one float per label: a number (every row), a dict or pandas Series
        keyed by the labels (a defaultdict gives its default where a label is missing), or
        a sequence in the index's order. None and NaN stay NaN (for bounds: no bound)."""
        n = len(self.keys)
        if isinstance(data, pd.Series):
            data = dict(zip(data.index, data.to_numpy()))
        if isinstance(data, defaultdict) and data.default_factory is not None:
            default, get = data.default_factory(), data.get  # no new entries in data
            return np.array([get(key, default) for key in self.keys], dtype=float).reshape(n)
        if isinstance(data, Mapping):
            try:
                values = [data[key] for key in self.keys]
            except KeyError as missing:
                raise KeyError(f"no value for label {missing.args[0]!r} of {self}") from None
            return np.array(values, dtype=float).reshape(n)
        array = np.asarray(data, dtype=float)
        if array.ndim == 0:
            return np.full(n, float(array))
        if array.shape != (n,):
            raise ValueError(f"{array.shape[0]} values for the {n} labels of {self}")
        return array


def _index(index) -> Index:
    return index if isinstance(index, Index) else Index(index)


class Family:
    """Linear expressions, one per label of ``index``: Σ coef · variable + constant.

    Kept as parts ``(rows, variables, coefs)`` (one entry per term: its row number, its
    variable, its coefficient) and a constant per row; ``+`` joins parts without copying.
    Families over different indexes add over the union of their labels (the left one's first).
    A family from :func:`sums` keeps its ``(coef, variable)`` pairs per row (``pairs``) and
    makes its parts only when they are needed: the Pyomo backend takes the pairs as they are.
    """

    __slots__ = ("index", "_parts", "pairs", "constant")
    __array_ufunc__ = None  # numpy on the left (array * family) defers to the family

    def __init__(self, index, parts=(), constant=None, pairs=None):
        self.index = _index(index)
        self._parts = None if pairs is not None else list(parts)
        self.pairs = pairs
        self.constant = np.zeros(len(self.index)) if constant is None else constant

    @property
    def parts(self) -> list:
        if self._parts is None:
            self._parts = _flattened(self.pairs)
        return self._parts

    def __repr__(self) -> str:
        return f"Family({self.index}, {sum(len(p[0]) for p in self.parts)} terms)"

    # --- arrays ---------------------------------------------------------------------------
    def entries(self) -> tuple[np.ndarray, Any, np.ndarray]:
        """(rows, variables, coefs) of every term, in the order they were added; variables
        as :class:`Cols` (matrix backend) or an array of Pyomo variables (None: no terms)."""
        parts = [part for part in self.parts if len(part[0])]
        if not parts:
            return np.zeros(0, dtype=np.int64), None, np.zeros(0)
        rows = np.concatenate([part[0] for part in parts])
        coefs = np.concatenate([part[2] for part in parts])
        first = parts[0][1]
        if isinstance(first, Cols):
            return rows, Cols(first.model, np.concatenate([part[1].ids for part in parts])), \
                coefs
        return rows, np.concatenate([part[1] for part in parts]), coefs

    def _over(self, index: Index) -> Family:
        """This family with its rows renumbered into ``index`` (which holds its labels)."""
        if index is self.index:
            return self
        at = index.locate(self.index.keys)
        constant = np.zeros(len(index))
        constant[at] = self.constant
        return Family(index, [(at[rows], items, coefs) for rows, items, coefs in self.parts],
                      constant)

    def _joined(self, other: Family) -> tuple[Family, Family]:
        """Both families over one index: this one's, or the union of their labels."""
        if other.index is self.index:
            return self, other
        if other.index.keys is self.index.keys or other.index.keys == self.index.keys:
            return self, Family(self.index, other.parts, other.constant)
        seen = self.index.position
        union = Index(self.index.keys + [k for k in other.index.keys if k not in seen],
                      self.index.dims or other.index.dims)
        return self._over(union), other._over(union)

    # --- arithmetic -----------------------------------------------------------------------
    def __add__(self, other) -> Family:
        if isinstance(other, Family):
            left, right = self._joined(other)
            return Family(left.index, left.parts + right.parts, left.constant + right.constant)
        return Family(self.index, self._parts or (), self.constant + self.index.align(other),
                      pairs=self.pairs if self._parts is None else None)

    __radd__ = __add__

    def __neg__(self) -> Family:
        return Family(self.index, [(rows, items, -coefs) for rows, items, coefs in self.parts],
                      -self.constant)

    def __sub__(self, other) -> Family:
        return self + (-other if isinstance(other, Family) else -self.index.align(other))

    def __rsub__(self, other) -> Family:
        return -self + other

    def __mul__(self, factor) -> Family:
        """Scaled by a number, or row by row by labelled data (see :meth:`Index.align`)."""
        if isinstance(factor, Family):
            raise TypeError("a family times a family is not linear")
        if np.ndim(factor) == 0 and not isinstance(factor, (Mapping, pd.Series)):
            f = float(factor)
            return Family(self.index, [(rows, items, coefs * f)
                                       for rows, items, coefs in self.parts],
                          self.constant * f)
        per_row = self.index.align(factor)
        return Family(self.index, [(rows, items, coefs * per_row[rows])
                                   for rows, items, coefs in self.parts],
                      self.constant * per_row)

    __rmul__ = __mul__

    # --- relations: a family of rows ------------------------------------------------------
    def _relation(self, other, lower: bool, upper: bool) -> Rows:
        if isinstance(other, Family):
            body = self - other
            bound = np.zeros(len(body.index))
        else:
            body, bound = self, self.index.align(other)
        return Rows(body, bound if lower else None, bound if upper else None)

    def __le__(self, other) -> Rows:
        return self._relation(other, lower=False, upper=True)

    def __ge__(self, other) -> Rows:
        return self._relation(other, lower=True, upper=False)

    def __eq__(self, other) -> Rows:  # type: ignore[override]
        return self._relation(other, lower=True, upper=True)

    __hash__ = None  # type: ignore[assignment]


class Rows:
    """lower ≤ body ≤ upper for every label of ``body.index`` (None: no bound on that side),
    as a comparison of families makes it; :func:`~northam_plan.model.algebra.constraints`
    adds it to a model. The body keeps its constants: the matrix backend moves them into the
    bounds, as Pyomo's compiler does."""

    __slots__ = ("body", "lower", "upper")

    def __init__(self, body: Family, lower, upper):
        self.body, self.lower, self.upper = body, lower, upper

    @property
    def index(self) -> Index:
        return self.body.index

    def __bool__(self):
        raise TypeError("a family of rows has no truth value (chained comparison?)")


def terms(source, keys=None, *, coefs=1.0, at=None, index=None) -> Family:
    """Σ coefs · source[key] per row: one term per key of ``keys``.

    ``source``: an indexed variable (``m.flow``), named expressions (``m.cap``: each term
    brings the expression's variables and constant, times its coefficient), or variables as
    one array (:func:`~.arrays.columns`, :func:`~.arrays.gathered`).

    ``keys``: the keys of ``source`` to take; by default those of ``index`` (term i in row
    i; for an array source, its element i).

    ``at``: the row label of each term — several terms with one label add up in one row;
    as an integer numpy array, the row numbers in ``index`` instead; ``index.keys`` itself:
    term i in row i. By default each term is in the row labelled by its own key.

    ``index``: the rows, in order (:class:`Index`, a list of labels or a pandas index); by
    default the labels of ``at`` (or ``keys``) in the order they first appear.

    ``coefs``: a number or one per term."""
    if index is not None:
        index = _index(index)
    array = isinstance(source, (Cols, np.ndarray))
    if array and keys is not None:
        raise TypeError("keys select from a variable or expression component, not an array")
    if not array and keys is None:
        if index is None:
            raise TypeError("give the keys of the terms, or the index whose keys they are")
        keys = index.keys
    n = len(source) if array else len(keys)
    coefs = np.asarray(coefs, dtype=float)
    coefs = np.full(n, float(coefs)) if coefs.ndim == 0 else coefs
    if coefs.shape != (n,):
        raise ValueError(f"{coefs.shape[0]} coefficients for {n} terms")

    # rows of the terms
    if at is None:
        if index is None:
            index = Index(keys)
            rows = np.arange(n, dtype=np.int64)
        elif array or keys is index.keys:
            if n != len(index):
                raise ValueError(f"{n} terms for the {len(index)} rows of {index}: give at")
            rows = np.arange(n, dtype=np.int64)
        else:
            rows = index.locate(keys)
    elif isinstance(at, np.ndarray) and at.dtype.kind in "iu":
        if index is None:
            raise TypeError("row numbers (at) need the index they number")
        rows = at.astype(np.int64, copy=False)
    elif index is not None and at is index.keys:  # term i in row i: no look-ups
        rows = np.arange(len(index), dtype=np.int64)
    else:
        at = at if isinstance(at, list) else list(at)
        if index is None:
            index = Index(list(dict.fromkeys(at)))
        rows = index.locate(at)
    if len(rows) != n:
        raise ValueError(f"{len(rows)} row labels for {n} terms")

    constant = np.zeros(len(index))
    if not array and not _is_var(source):  # named expressions: their terms and constants
        (term, items, coef), constants = expression_terms(source, keys)
        constant += np.bincount(rows, weights=coefs * constants, minlength=len(index))
        return Family(index, [(rows[term], items, coefs[term] * coef)], constant)
    items = source if array else columns(source, keys)
    return Family(index, [(rows, items, coefs)], constant)


def sums(pairs: Mapping, index=None) -> Family:
    """Σ coef · variable per row from ``(coef, variable)`` pairs collected per label (a dict of
    lists, as components collect balance terms); ``index``: the rows, in order (default: the
    dict's labels). A label of the index without pairs is a row without terms. The lists are
    read, not copied or changed (a defaultdict gains no labels)."""
    index = _index(list(pairs) if index is None else index)
    get = pairs.get
    return Family(index, pairs=[get(key) or () for key in index.keys])


def _flattened(grouped: list) -> list:
    """Parts of a family from its pairs per row."""
    rows, items, coefs = [], [], []
    for i, found in enumerate(grouped):
        if found:
            rows.extend([i] * len(found))
            coefs.extend([coef for coef, _ in found])
            items.extend([item for _, item in found])
    if not items:
        return []
    return [(np.array(rows, dtype=np.int64), gathered(items), np.array(coefs, dtype=float))]


def _is_var(component) -> bool:
    return backends.of(component).is_variable(component)
