"""The matrix backend's model: the LP kept as flat arrays as components declare variables and
rows (:class:`MatrixModel`, :class:`MatrixBlock`), the indexed components extraction reads
(:class:`MatrixVar`, :class:`MatrixExpression`, :class:`MatrixConstraint`), the column-wise
matrix HiGHS takes (:class:`CSC`) and the duals after a solve (:class:`Duals`).

Components do not use this module directly: they call :mod:`northam_plan.model.algebra`, whose
matrix backend (:mod:`northam_plan.model.backends.matrix`) makes these objects.
"""

from __future__ import annotations

import bisect
from array import array
from typing import Any

import numpy as np

from northam_plan.model.expr import Col, Lin, RowRef, flat, flat_keys


class _Indexed:
    """What extraction needs of an indexed component: keys, items, len, item access."""

    keys_list: list
    backend = "matrix"

    def __init__(self, local_name: str, block_name: str = ""):
        self.local_name, self.block_name = local_name, block_name

    def __getitem__(self, key) -> Any:
        raise NotImplementedError

    @property
    def name(self) -> str:
        return f"{self.block_name}.{self.local_name}" if self.block_name else self.local_name

    def __len__(self):
        return len(self.keys_list)

    def __iter__(self):
        return iter(self.keys_list)

    def keys(self):
        return iter(self.keys_list)

    def values(self):
        return (self[key] for key in self.keys_list)

    def items(self):
        return ((key, self[key]) for key in self.keys_list)

    def is_indexed(self) -> bool:
        return True


class MatrixVar(_Indexed):
    def __init__(self, model, local_name: str, start: int, keys: list, block_name: str = ""):
        super().__init__(local_name, block_name)
        self.model, self.start, self.keys_list = model, start, keys
        self._position: dict | None = None

    @property
    def position(self) -> dict:
        """key → offset of its column; made on first look-up (many families never need it)."""
        if self._position is None:
            self._position = {key: i for i, key in enumerate(self.keys_list)}
        return self._position

    def values(self):
        return (Col(self.model, j) for j in range(self.start, self.start + len(self.keys_list)))

    def items(self):
        return zip(self.keys_list, self.values())

    def __getitem__(self, key) -> Col:
        at = self.position.get(key)
        if at is None:  # a nested key (r, c, (m, p), t): as Pyomo, look it up flattened
            at = self.position[flat(key)]
        return Col(self.model, self.start + at)

    def __contains__(self, key) -> bool:
        return key in self.position or flat(key) in self.position


class MatrixExpression(_Indexed):
    """Named expressions kept as arrays: those of key i are Σ coefs[a:b] · x[ids[a:b]] +
    constants[i] with a, b = indptr[i], indptr[i + 1] (:meth:`packed`)."""

    def __init__(self, model, local_name: str, keys: list, block_name: str = ""):
        super().__init__(local_name, block_name)
        self.model, self.keys_list = model, keys
        self.position: dict = {}
        self.indptr = self.ids = np.zeros(0, dtype=np.int64)
        self.coefs = self.constants = np.zeros(0)

    def __getitem__(self, key) -> Lin:
        i = self.position[key] if key in self.position else self.position[flat(key)]
        a, b = self.indptr[i], self.indptr[i + 1]
        return Lin(self.ids[a:b].tolist(), self.coefs[a:b].tolist(), float(self.constants[i]),
                   self.model)

    def __contains__(self, key) -> bool:
        return key in self.position or flat(key) in self.position

    @classmethod
    def packed(cls, model, local_name: str, keys: list, indptr, ids, coefs, constants,
               block_name: str = "") -> MatrixExpression:
        component = cls(model, local_name, keys, block_name)
        component.indptr, component.ids, component.coefs = indptr, ids, coefs
        component.constants = constants
        component.position = {key: i for i, key in enumerate(keys)}
        return component

    def evaluate(self) -> np.ndarray:
        """Every expression's value after a solve, in key order."""
        x = self.model.x
        owner = np.repeat(np.arange(len(self.keys_list)), np.diff(self.indptr))
        sums = np.bincount(owner, weights=self.coefs * x[self.ids],
                           minlength=len(self.keys_list))
        return sums + self.constants


class MatrixConstraint(_Indexed):
    def __init__(self, model, local_name: str, block_name: str = ""):
        super().__init__(local_name, block_name)
        self.model, self.keys_list = model, []
        self.rows: range = range(0)
        self.row_of: dict = {}

    def __getitem__(self, key) -> RowRef:
        try:
            return RowRef(self.model, self.row_of[key])
        except KeyError:
            return RowRef(self.model, self.row_of[flat(key)])

    def __contains__(self, key) -> bool:
        return key in self.row_of or flat(key) in self.row_of


class MatrixBlock:
    """A model or a scenario's block on the matrix backend: attributes hold its components."""

    backend = "matrix"

    _top: MatrixModel

    def __init__(self, top: MatrixModel | None, name: str = ""):
        if top is not None:  # (a MatrixModel is its own top)
            self._top = top
        self.block_name = name  # "" for the model, "scenario[ban]" for a scenario's block

    def model(self) -> MatrixModel:
        return self._top

    def __getattr__(self, name: str) -> Any:
        """Components are set as attributes when they are declared (``block.flow``)."""
        raise AttributeError(f"'{self.block_name or 'model'}' has no component '{name}'")

    def add_var(self, name: str, keys, lower=None, upper=None) -> None:
        """Variables for ``keys``; ``lower``, ``upper``: arrays in their order (None: 0 and
        no upper bound)."""
        top = self._top
        keys = flat_keys(keys)
        component = MatrixVar(top, name, top.n_cols, keys, self.block_name)
        top.var_starts.append(top.n_cols)
        top.var_components.append(component)
        for target, values, default in ((top.col_lower, lower, 0.0),
                                        (top.col_upper, upper, np.inf)):
            values = np.full(len(keys), default) if values is None else values
            target.frombytes(np.ascontiguousarray(values, dtype=float).tobytes())
        top.n_cols += len(keys)
        setattr(self, name, component)

    def add_rows(self, name: str, keys: list, row, col, val, lower, upper) -> None:
        """Rows lower[i] ≤ Σ_e val[e] · x[col[e]] over the entries e with row[e] = i ≤ upper[i],
        one per key: a constraint family given as arrays."""
        order = np.argsort(row, kind="stable")
        self._append_rows(name, keys, np.bincount(row, minlength=len(keys)), col[order],
                          val[order], lower, upper)

    def _append_rows(self, name: str, keys: list, counts, cols, vals, lower, upper) -> None:
        """Append a constraint family, row by row: ``counts[i]`` entries of row i in ``cols``
        and ``vals`` (in row order), its bounds ``lower[i]``, ``upper[i]``."""
        top = self._top
        component = MatrixConstraint(top, name, self.block_name)
        top.row_starts.append(top.n_rows)
        top.row_components.append(component)
        for target, values, dtype in ((top.row_count, counts, np.int64),
                                      (top.entry_col, cols, np.int64),
                                      (top.entry_val, vals, float),
                                      (top.row_lower, lower, float),
                                      (top.row_upper, upper, float)):
            target.frombytes(np.ascontiguousarray(values, dtype=dtype).tobytes())
        first = top.n_rows
        component.keys_list = list(keys)
        component.row_of = dict(zip(component.keys_list, range(first, first + len(keys))))
        top.n_rows = first + len(keys)
        component.rows = range(first, top.n_rows)
        setattr(self, name, component)


class MatrixModel(MatrixBlock):
    """The LP as flat arrays, filled as components declare variables and rows."""

    def __init__(self, name: str = ""):
        super().__init__(None)
        self._top = self
        self.name = name
        self.n_cols = self.n_rows = 0
        self.col_lower, self.col_upper = array("d"), array("d")
        self.row_lower, self.row_upper = array("d"), array("d")
        self.row_count = array("q")  # entries of each row, in row order
        self.entry_col, self.entry_val = array("q"), array("d")  # the entries, row by row
        self.cost: np.ndarray | None = None  # objective coefficients, set by the build
        self.offset = 0.0  # the objective's constant
        self.var_starts: list[int] = []
        self.var_components: list[MatrixVar] = []
        self.row_starts: list[int] = []
        self.row_components: list[MatrixConstraint] = []
        self.x: np.ndarray | None = None  # primal values after a solve
        self.dual: Duals | None = None  # row duals after a solve (Pyomo's signs)
        self.row_value: np.ndarray | None = None  # row activities after a solve

    def component_of_column(self, column: int) -> MatrixVar:
        return self.var_components[bisect.bisect_right(self.var_starts, column) - 1]

    def component_of_row(self, row: int) -> MatrixConstraint:
        position = bisect.bisect_right(self.row_starts, row) - 1
        while not self.row_components[position].rows or \
                self.row_components[position].rows[0] > row:  # skip empty constraints
            position -= 1
        return self.row_components[position]

    def matrix(self) -> CSC:
        """The constraint matrix compressed by columns: duplicates summed, zeros dropped."""
        rows = np.repeat(np.arange(self.n_rows, dtype=np.int64),
                         np.frombuffer(self.row_count, dtype=np.int64))
        cols = np.frombuffer(self.entry_col, dtype=np.int64)
        vals = np.frombuffer(self.entry_val, dtype=float)
        key = cols * max(self.n_rows, 1) + rows
        order = np.argsort(key, kind="stable")
        key, vals = key[order], vals[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else \
            np.zeros(0, dtype=np.int64)
        data = np.add.reduceat(vals, first) if len(key) else vals
        key = key[first]
        keep = data != 0.0
        key, data = key[keep], data[keep]
        col = key // max(self.n_rows, 1)
        indptr = np.zeros(self.n_cols + 1, dtype=np.int64)
        np.cumsum(np.bincount(col, minlength=self.n_cols), out=indptr[1:])
        return CSC(data=data, indices=(key % max(self.n_rows, 1)).astype(np.int32),
                   indptr=indptr, shape=(self.n_rows, self.n_cols))


class CSC:
    """A sparse matrix by columns (the arrays HiGHS takes), built with numpy alone."""

    def __init__(self, data, indices, indptr, shape):
        self.data, self.indices, self.indptr, self.shape = data, indices, indptr, shape

    @property
    def nnz(self) -> int:
        return len(self.data)

    def tocoo(self):
        """As (row, col, value) arrays in a scipy COO matrix (for tests and analysis)."""
        from scipy.sparse import csc_matrix
        return csc_matrix((self.data, self.indices, self.indptr), shape=self.shape).tocoo()


class Duals:
    """Row duals read like Pyomo's dual suffix: ``duals.get(row, default)``."""

    def __init__(self, values: np.ndarray):
        self.values = values

    def get(self, row, default=None):
        return float(self.values[row.id]) if isinstance(row, RowRef) else default

    def __getitem__(self, row):
        return float(self.values[row.id])
