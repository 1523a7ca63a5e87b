r"""Close the gap that progressive hedging leaves: an L-shaped (Benders) finish.

Progressive hedging on a linear program converges only linearly, so its consensus
:math:`\bar x` is rarely within 1e-6 of the optimum. Starting from it, this module runs a
multi-cut L-shaped method on the same scenario models, which ends with an optimum certified
by its own bounds:

* **evaluation** at a first stage :math:`\hat x` (unit/yr): each scenario s solves

  .. math:: \tilde f_s(\hat x) = \min_{x, y_s} f_s(x, y_s) + M \sum_i (u_i + v_i)
            \quad\text{s.t.}\quad x_i - u_i + v_i = \hat x_i \;(\lambda_{s,i}),\; u, v \ge 0

  (elastic, so every :math:`\hat x` can be evaluated). :math:`\tilde f_s \le f_s`
  everywhere, and :math:`\tilde f_s(\hat x) = f_s(\hat x)` when u = v = 0; the row duals
  :math:`\lambda_s` (M$ per unit/yr) are a subgradient of :math:`\tilde f_s` at
  :math:`\hat x`. When every scenario ends with u = v = 0, :math:`\sum_s \pi_s f_s(\hat x)`
  is an **inner (upper) bound**.
* **master** over the first-stage variables and their own constraints (project sizes, build
  limits, permit pools, agency throughput) with one :math:`\theta_s` per scenario:

  .. math:: \min \sum_s \pi_s \theta_s \quad\text{s.t.}\quad
            \theta_s \ge \tilde f_s(\hat x^k) + \lambda_s^{k\top}(x - \hat x^k) \;\forall k,
            \qquad \theta_s \ge L_s - W_s^\top x

  where the last cut comes from progressive hedging's final Lagrangian subproblem
  (:math:`L_s = \min_x f_s(x) + W_s^\top x`, valid for any W). Its value is an **outer
  (lower) bound**; its solution (see below) the next :math:`\hat x`.

The next :math:`\hat x` minimises the master within a box :math:`|x - x^c| \le \Delta`
around the best point so far (a trust region, Linderoth & Wright 2003: without it the first
masters jump to extreme first stages); :math:`\Delta` doubles after a full step that lowers
the cost enough and halves after a step that raises it. The outer bound is the master
without the box (and, when the box leaves no decrease, its solution is the next point).
It stops when inner − outer ≤ tol · max(1, |inner|). Scenarios are evaluated on the rank
that holds them (mpi-sppy's distribution); cuts are gathered on every rank and the master
is solved on rank 0 and broadcast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from northam_plan.decomposition.scenarios import first_stage_vars


@dataclass
class PolishTrace:
    """What the L-shaped finish did: bounds per iteration (M$) and the best first stage."""

    inner: float = float("inf")
    outer: float = float("-inf")
    iterations: int = 0
    xhat: np.ndarray | None = None
    history: list[tuple[float, float]] = field(default_factory=list)
    seconds: float = 0.0
    failure: str = ""


def _highs():
    from pyomo.contrib.appsi.solvers.highs import Highs

    solver = Highs()
    solver.config.stream_solver = False
    solver.config.load_solution = False
    return solver


class _Evaluator:
    """The elastic evaluation rows on one scenario model (a progressive hedging subproblem
    whose own objective is set aside), solved with a persistent HiGHS."""

    def __init__(self, model, penalty: float):
        self.model = model
        self.x = first_stage_vars(model)
        n = len(self.x)
        b = model.polish = pyo.Block()
        b.xhat = pyo.Param(range(n), mutable=True, initialize=0.0)
        b.up = pyo.Var(range(n), domain=pyo.NonNegativeReals)
        b.down = pyo.Var(range(n), domain=pyo.NonNegativeReals)
        b.fix = pyo.Constraint(range(n), rule=lambda b, i: self.x[i] - b.up[i] + b.down[i]
                               == b.xhat[i])
        for objective in model.component_data_objects(pyo.Objective, active=True):
            objective.deactivate()
        b.objective = pyo.Objective(expr=model.cost_expr + penalty * (
            pyo.quicksum(b.up.values()) + pyo.quicksum(b.down.values())), sense=pyo.minimize)
        self.solver = _highs()

    def evaluate(self, xhat: np.ndarray) -> tuple[float, np.ndarray, float] | None:
        """(f̃_s(x̂), λ_s, largest elastic move |u|+|v|) at ``xhat``; None when HiGHS does not
        end optimal (seen on the reference-size case: 'unbounded' on this bounded LP)."""
        b = self.model.polish
        for i, value in enumerate(xhat):
            b.xhat[i] = float(value)
        result = self.solver.solve(self.model)
        status = str(result.termination_condition)
        if "optimal" not in status:  # a warm start from the last basis can fail: start cold
            self.solver = _highs()
            result = self.solver.solve(self.model)
            status = str(result.termination_condition)
        if "optimal" not in status:
            return None
        result.solution_loader.load_vars()
        duals = self.solver.get_duals([b.fix[i] for i in range(len(self.x))])
        slopes = np.array([duals[b.fix[i]] for i in range(len(self.x))])
        moved = max((b.up[i].value + b.down[i].value for i in range(len(self.x))), default=0.0)
        return float(result.best_feasible_objective), slopes, float(moved)


class _Master:
    """The first stage alone (a scenario model without its scenario block) plus θ_s and cuts."""

    def __init__(self, model, names: list[str], probability: dict[str, float],
                 lagrangian: dict[str, list[tuple[float, np.ndarray]]]):
        self.model = model
        model.scenario.deactivate()
        model.objective.deactivate()
        self.x = first_stage_vars(model)
        self.names = names
        model.theta = pyo.Var(names)
        model.cuts = pyo.ConstraintList()
        model.master_objective = pyo.Objective(
            expr=pyo.quicksum(probability[s] * model.theta[s] for s in names))
        for s, cuts in lagrangian.items():
            for value, w in cuts:
                model.cuts.add(model.theta[s] >= value - _dot(w, self.x))
        self.solver = _highs()

    def add_cut(self, s: str, value: float, slopes: np.ndarray, xhat: np.ndarray) -> None:
        self.model.cuts.add(self.model.theta[s] >= value - float(slopes @ xhat)
                            + _dot(slopes, self.x))

    def solve(self, centre: np.ndarray | None = None, radius: float = 0.0
              ) -> tuple[float, np.ndarray]:
        """Minimise the cut model: over the whole first stage, or within the box
        |x − centre| ≤ radius (the trust region)."""
        for i, x in enumerate(self.x):
            if centre is None:
                x.setlb(0.0)
                x.setub(None)
            else:
                x.setlb(max(0.0, centre[i] - radius))
                x.setub(centre[i] + radius)
        result = self.solver.solve(self.model)
        status = str(result.termination_condition)
        if "optimal" not in status:
            raise RuntimeError(f"L-shaped master ended with status {status}")
        result.solution_loader.load_vars()
        return float(result.best_feasible_objective), np.array([v.value for v in self.x])


def _dot(coefs: np.ndarray, xs: list):
    from northam_plan.model.algebra import linear

    return linear([(float(c), x) for c, x in zip(coefs, xs) if c != 0.0])


def polish(ph, master_model, xbar: np.ndarray, lagrangian: dict, probability: dict,
           tol: float = 1e-8, max_iterations: int = 200, penalty: float = 1e6,
           log=None) -> PolishTrace:
    """Run the L-shaped finish from ``xbar`` on the scenarios of ``ph`` (an mpi-sppy PH object
    after its iterations); ``master_model`` is one scenario model (built on every rank, used
    on rank 0). ``lagrangian`` maps each local scenario to its cuts [(L_s, W_s), …]:
    θ_s ≥ L_s − W_s·x. Returns the bounds and
    the best first stage found."""
    tic = time.perf_counter()
    comm, rank = ph.mpicomm, ph.cylinder_rank
    evaluators = {name: _Evaluator(s, penalty) for name, s in ph.local_scenarios.items()}
    all_lagrangian = {}
    for part in comm.allgather(lagrangian):
        all_lagrangian.update(part)
    master = _Master(master_model, list(ph.all_scenario_names), probability, all_lagrangian) \
        if rank == 0 else None
    trace = PolishTrace()
    xhat, centre, centre_value = xbar, xbar, float("inf")
    radius = 0.1 * (1.0 + float(np.max(np.abs(xbar), initial=0.0)))
    predicted = None
    for k in range(1, max_iterations + 1):
        local = {name: e.evaluate(xhat) for name, e in evaluators.items()}
        results = {}
        for part in comm.allgather(local):
            results.update(part)
        failed = sorted(s for s, r in results.items() if r is None)
        if failed:  # every rank sees the same results, so all stop together
            trace.failure = (f"HiGHS did not solve the evaluation of scenario(s) {failed} at "
                             f"L-shaped iteration {k}")
            break
        value = sum(probability[s] * v for s, (v, _, _) in results.items())  # Σ π f̃_s(x̂)
        scale = 1.0 + float(np.max(np.abs(xhat), initial=0.0))
        if all(moved <= 1e-9 * scale for _, _, moved in results.values()) \
                and value < trace.inner:
            trace.inner, trace.xhat = value, xhat.copy()
        # trust region: move the centre on enough decrease, else shrink the box
        if predicted is None or value <= centre_value - 0.1 * (centre_value - predicted):
            step = float(np.max(np.abs(xhat - centre), initial=0.0))
            if predicted is not None and step >= 0.99 * radius:
                radius *= 2.0
            centre, centre_value = xhat, value
        elif value > centre_value:
            radius *= 0.5
        if master is not None:  # rank 0
            for s, (v, slopes, _) in results.items():
                master.add_cut(s, v, slopes, xhat)
            outer, xfree = master.solve()
            predicted, xnext = master.solve(centre, radius)
            if centre_value - predicted <= tol * max(1.0, abs(centre_value)):
                xnext = xfree  # no decrease left in the box: add cuts where the model is loose
        else:
            outer, predicted, xnext = None, None, None
        outer, predicted, xnext = comm.bcast((outer, predicted, xnext), root=0)
        trace.outer = max(trace.outer, outer)
        trace.iterations = k
        trace.history.append((trace.inner, trace.outer))
        if log:
            log(f"L-shaped {k}: inner {trace.inner:.10g}  outer {trace.outer:.10g}  "
                f"trust radius {radius:.3g}")
        if trace.inner - trace.outer <= tol * max(1.0, abs(trace.inner)):
            break
        xhat = xnext
    trace.seconds = time.perf_counter() - tic
    return trace
