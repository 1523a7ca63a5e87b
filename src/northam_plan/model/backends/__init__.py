r"""The backend seam: one small protocol, implemented once for Pyomo (:mod:`.pyomo`) and once for
the LP as arrays (:mod:`.matrix`).

The components write the model once, through :mod:`northam_plan.model.algebra` (variables with
labelled bounds, labelled families of rows ``lhs <= rhs``, named expressions, the objective).
What that makes is the backend's business: :class:`Backend` lists everything a backend does,
from adding variables to handing the LP over to HiGHS and reading values and duals back.
Backend-specific code lives in the two modules that implement it, nowhere else; a feature only
one backend has is declared in :attr:`Backend.features`, not discovered through an exception.

* ``"pyomo"`` (:class:`~.pyomo.PyomoBackend`): Pyomo components on a ``ConcreteModel``, the model
  researchers extend in a notebook (``extra=[fn]``, :func:`northam_plan.declare`, mpi-sppy);
  handed to HiGHS through Pyomo's standard-form compiler.
* ``"matrix"`` (:class:`~.matrix.MatrixBackend`, :data:`DEFAULT_BACKEND`: the runner's): the LP
  kept as flat arrays as it is declared (:class:`~northam_plan.model.matrix.MatrixModel`), handed
  to HiGHS in one sparse conversion.

Which backend a component's calls go to: the one a build runs in (:func:`building`, set by
:func:`~northam_plan.model.build.build_model`); after the build, the one the model was made by
(:func:`of`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from northam_plan.model.backends.base import Backend, Handover
from northam_plan.model.backends.matrix import MatrixBackend
from northam_plan.model.backends.pyomo import PyomoBackend

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "MATRIX", "PYOMO", "Backend", "Handover", "building",
           "current", "get", "of"]

PYOMO, MATRIX = PyomoBackend.name, MatrixBackend.name
#: the backend every runner (CLI, sweeps, the notebooks' API) uses unless told otherwise
DEFAULT_BACKEND = MATRIX


BACKENDS: dict[str, Backend] = {PYOMO: PyomoBackend(), MATRIX: MatrixBackend()}
_CURRENT: ContextVar[Backend] = ContextVar("northam_plan_backend", default=BACKENDS[PYOMO])


def get(name: str) -> Backend:
    """The backend called ``name``; a clear error for any other name."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got '{name}'") \
            from None


@contextmanager
def building(name: str) -> Iterator[Backend]:
    """Components called inside make the model of backend ``name`` ('pyomo' or 'matrix')."""
    token = _CURRENT.set(get(name))
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def current() -> Backend:
    """The backend of the build under way (Pyomo outside any :func:`building`)."""
    return _CURRENT.get()


def of(item: Any) -> Backend:
    """The backend that made ``item``: a model, block, component, variable or expression. The
    matrix backend's objects say so (``backend = "matrix"``); a Pyomo object asks its model,
    and a Pyomo model a researcher made by hand is Pyomo's."""
    name = getattr(item, "backend", None)
    if name is None and callable(getattr(item, "model", None)):  # a Pyomo block or component
        name = getattr(item.model(), "backend", None)
    return BACKENDS[name or PYOMO]
