r"""The two-stage disruption model by scenario decomposition with mpi-sppy.

The extensive form (``build_model`` of a case with scenarios.csv, one HiGHS solve) stays the
default for a few scenarios. For many, :func:`solve_ph` splits the problem by scenario:

1. **progressive hedging** (mpi-sppy's PH, HiGHS through Pyomo's ``appsi_highs``, the
   proximal term linearised): each scenario s minimises its own cost :math:`f_s(x, y_s)`
   (M$, :mod:`northam_plan.decomposition.scenarios`) plus :math:`W_s^\top x + \frac{\rho}{2}\|x -
   \bar x\|^2`, with :math:`\bar x = \sum_s \pi_s x_s` the consensus of the first stage x
   (permits, projects, intertie builds; unit/yr) and :math:`W_s \mathrel{+}= \rho (x_s -
   \bar x)`;
2. a **Lagrangian bound** :math:`\sum_s \pi_s \min_x (f_s + W_s^\top x)` from the final W;
3. an **L-shaped finish** (:mod:`northam_plan.decomposition.polish`) from :math:`\bar x`
   that ends with inner (a first stage evaluated in every scenario) and outer bounds within ``tol``.

Run in one process, or over K MPI ranks (K ≤ cores), each holding some of the scenarios::

    mpiexec -n 4 python -m northam_plan.decomposition cases/disruption_stochastic.toml

Needs the optional extra: ``pip install -e ".[mpi]"`` (mpi-sppy, mpi4py and the mpich
wheel, which supplies the MPI library mpi4py loads).
"""

from __future__ import annotations

import contextlib
import io
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pyomo.environ as pyo

from northam_plan.case import Case

INSTALL_HINT = 'pip install -e ".[mpi]"'


class MissingExtra(ImportError):
    """The optional ``[mpi]`` extra (mpi-sppy, mpi4py, mpich) is not installed or broken."""


def require_mpisppy():
    """Import mpi-sppy, or raise :class:`MissingExtra` saying how to install it."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
            import mpisppy.opt.ph  # noqa: F401
    except (ImportError, RuntimeError) as err:  # mpi4py without an MPI library: RuntimeError
        raise MissingExtra(
            f"scenario decomposition needs the optional [mpi] extra (mpi-sppy, mpi4py, "
            f"mpich): {INSTALL_HINT}  (import failed: {err})") from None
    import mpisppy

    return mpisppy


@dataclass
class PHResult:
    """A decomposed solve: objective and bounds (M$, present value), iterations, seconds.

    ``objective`` is the inner bound — the expected cost of the first stage ``first_stage``
    evaluated in every scenario; ``outer`` a proven lower bound; ``gap`` = (inner − outer) /
    max(1, |inner|). ``builds`` is new capacity per (region, process, online year), unit/yr.
    """

    status: str
    objective: float | None
    outer: float
    gap: float
    ph_iterations: int
    ph_convergence: float | None
    lagrangian_bound: float
    trivial_bound: float
    polish_iterations: int
    first_stage: dict[str, float] = field(default_factory=dict)
    builds: dict[tuple, float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    ranks: int = 1
    message: str = ""

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    def summary(self) -> dict:
        out = asdict(self)
        out.pop("first_stage")
        out.pop("builds")
        return out


def solve_ph(case: Case, *, rho: float = 1.0, ph_iterations: int = 100,
             ph_convergence: float = 1e-4, tol: float = 1e-8, polish_iterations: int = 200,
             elastic_penalty: float | None = None, solver: str = "appsi_highs",
             verbose: bool = False) -> PHResult:
    r"""Solve the two-stage disruption model of ``case`` with mpi-sppy's progressive hedging
    and an L-shaped finish (module docstring).

    ``rho`` scales the cost-proportional PH penalties :math:`\rho_i = rho \cdot |c_i|`;
    PH stops after ``ph_iterations`` or when mpi-sppy's convergence metric (mean
    :math:`|x_s - \bar x|`, unit/yr) falls below ``ph_convergence``; the finish stops at a
    relative gap ``tol``. ``elastic_penalty`` (M$ per unit/yr) prices a move away from the
    evaluated first stage (default: 100 × the largest cost coefficient). A
    :class:`~northam_plan.CaseError` when the case has no scenarios; :class:`MissingExtra`
    without the ``[mpi]`` extra.
    """
    from northam_plan.decomposition.scenarios import (
        cost_rho,
        scenario_model,
        scenario_probabilities,
    )

    probability = scenario_probabilities(case)
    require_mpisppy()
    import mpisppy.opt.ph
    from mpisppy import MPI

    log = print if verbose and MPI.COMM_WORLD.Get_rank() == 0 else (lambda *_: None)
    timings = {}
    tic = time.perf_counter()
    options = {
        "solver_name": solver, "PHIterLimit": ph_iterations, "defaultPHrho": rho,
        "convthresh": ph_convergence, "verbose": False, "display_progress": verbose,
        "display_timing": verbose, "linearize_proximal_terms": True,
        "proximal_linearization_tolerance": 1e-6,
        "rho_setter_kwargs": {"factor": rho},
    }
    quiet = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO())
    with quiet:
        ph = mpisppy.opt.ph.PH(options, list(probability), scenario_model,
                               scenario_creator_kwargs={"case": case,
                                                        "probabilities": probability},
                               rho_setter=cost_rho, extensions=_wait_and_see_recorder())
        timings["build"] = time.perf_counter() - tic
        conv, _, trivial = ph.ph_main()
        timings["ph"] = time.perf_counter() - tic - timings["build"]
        lagrangian_bound = ph.post_solve_bound()
    # with W but without the proximal term a scenario may be unbounded: no Lagrangian cut
    solved = {name: s._mpisppy_data.solution_available for name, s in ph.local_scenarios.items()}
    if ph.allreduce_or(not all(solved.values())):
        lagrangian_bound = float("-inf")
    lagrangian = {name: [(s.wait_and_see_bound, np.zeros(len(s._mpisppy_data.nonant_indices)))]
                  + ([_lagrangian_cut(s)] if solved[name] else [])
                  for name, s in ph.local_scenarios.items()}
    xbar = _xbar(ph)
    log(f"PH: {ph._PHIter} iterations, convergence {conv}, trivial bound {trivial:.10g}, "
        f"Lagrangian bound {lagrangian_bound:.10g}")

    tic = time.perf_counter()
    from northam_plan.decomposition.polish import polish

    rank = ph.cylinder_rank
    master = scenario_model(next(iter(probability)), case, probability) if rank == 0 else None
    penalty = elastic_penalty or ph.mpicomm.bcast(
        _default_penalty(master) if rank == 0 else None, root=0)
    trace = polish(ph, master, xbar, lagrangian, probability, tol=tol,
                   max_iterations=polish_iterations, penalty=penalty, log=log)
    timings["polish"] = time.perf_counter() - tic
    outer = max(trace.outer, lagrangian_bound)
    found = trace.xhat is not None
    inner = trace.inner if found else None
    gap = (trace.inner - outer) / max(1.0, abs(trace.inner)) if found else float("inf")
    result = PHResult(
        status="optimal" if found and gap <= tol else "gap_not_closed",
        objective=inner, outer=outer, gap=gap, ph_iterations=ph._PHIter,
        ph_convergence=None if conv is None else float(conv),
        lagrangian_bound=float(lagrangian_bound), trivial_bound=float(trivial),
        polish_iterations=trace.iterations, timings=timings,
        ranks=MPI.COMM_WORLD.Get_size(), message=trace.failure)
    if trace.xhat is not None and rank == 0:  # found
        _first_stage_values(result, master, trace.xhat)
    result.first_stage, result.builds = ph.mpicomm.bcast(
        (result.first_stage, result.builds), root=0)
    return result


def _wait_and_see_recorder():
    """An mpi-sppy extension keeping each scenario's own optimum (iteration 0, no W, no
    proximal term) as ``wait_and_see_bound``: min_x f_s(x), a valid cut θ_s ≥ it."""
    from mpisppy.extensions.extension import Extension

    class WaitAndSee(Extension):
        def post_iter0(self):
            for s in self.opt.local_scenarios.values():
                s.wait_and_see_bound = float(s._mpisppy_data.outer_bound)

    return WaitAndSee


def _xbar(ph) -> np.ndarray:
    """The PH consensus x̄ of the first stage, in nonant order."""
    s = next(iter(ph.local_scenarios.values()))
    keys = sorted(s._mpisppy_data.nonant_indices, key=lambda k: k[1])
    return np.array([pyo.value(s._mpisppy_model.xbars[k]) for k in keys])


def _lagrangian_cut(s) -> tuple[float, np.ndarray]:
    """(L_s, W_s) after PH's Lagrangian solve (W on, proximal term off): L_s = min_x f_s(x) +
    W_s·x, HiGHS's dual bound of that solve, so that θ_s ≥ L_s − W_s·x holds for every x."""
    keys = sorted(s._mpisppy_data.nonant_indices, key=lambda k: k[1])
    w = np.array([pyo.value(s._mpisppy_model.W[k]) for k in keys])
    return float(s._mpisppy_data.outer_bound), w


def _default_penalty(model) -> float:
    from pyomo.repn import generate_standard_repn

    repn = generate_standard_repn(model.cost_expr, compute_values=True)
    return 100.0 * max((abs(c) for c in repn.linear_coefs), default=1.0)


def _first_stage_values(result: PHResult, master, xhat: np.ndarray) -> None:
    from northam_plan.decomposition.scenarios import first_stage_vars

    for var, value in zip(first_stage_vars(master), xhat):
        var.set_value(float(value), skip_validation=True)
        result.first_stage[var.name] = float(value)
    result.builds = {key: float(pyo.value(master.build[key])) for key in master.build}
