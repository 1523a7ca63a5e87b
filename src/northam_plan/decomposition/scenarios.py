r"""One disruption scenario as its own Pyomo model, in the form mpi-sppy expects.

The extensive form (:func:`northam_plan.model.build.build_model` with scenarios.csv) is

.. math:: \min_{x}\; \sum_s \pi_s\, f_s(x), \qquad
          f_s(x) = c^\top x + \min_{y_s} \{ d_s^\top y_s : (x, y_s) \text{ feasible in } s \}

with x the first stage (permits, pipeline projects, intertie builds: every variable declared
on the model itself rather than in a ``scenario[s]`` block) and :math:`y_s` the operations of
scenario s. Because :math:`\sum_s \pi_s = 1`, the investment cost counts once.

:func:`scenario_model` builds :math:`f_s`: the same builder on a copy of the case whose
scenarios table holds only s, with probability 1 — so its objective is the scenario's own
discounted cost (M$, present value in the first model year), not weighted by :math:`\pi_s`.
mpi-sppy weighs it with ``_mpisppy_probability`` = :math:`\pi_s`.
"""

from __future__ import annotations

import dataclasses

import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

from northam_plan.case import Case
from northam_plan.errors import CaseError, Problem
from northam_plan.model.build import build_model


def scenario_probabilities(case: Case) -> dict[str, float]:
    """π_s per scenario of scenarios.csv; a :class:`CaseError` when the case has none."""
    table = case.tables["scenarios"]
    if table.empty:
        raise CaseError([Problem(
            case.path, "the case has no disruption scenarios (scenarios.csv is missing or "
            "empty), so there is no two-stage problem to decompose; solve it with "
            "`northam-plan solve` instead")])
    return {str(s): float(p) for s, p in zip(table["scenario"], table["probability"])}


def one_scenario_case(case: Case, scenario: str) -> Case:
    """``case`` with only ``scenario`` in its scenarios table, at probability 1."""
    table = case.tables["scenarios"]
    row = table[table["scenario"] == scenario].copy()
    if row.empty:
        raise KeyError(f"no scenario '{scenario}' in {case.path}")
    row["probability"] = 1.0
    return dataclasses.replace(case, tables={**case.tables, "scenarios": row})


def first_stage_vars(model) -> list:
    """The first-stage variables of a two-stage model, in a fixed order.

    Every variable declared on the model itself and not in a ``scenario[s]`` block: those of
    the INVESTMENT components (``permit``, ``permit_use``, ``permit_pool``,
    ``project_build``) and investments that an operating component declares once for all
    scenarios (the energy component's ``link_build``). Two models of the same case list them
    in the same order.
    """
    return [v for component in model.component_objects(pyo.Var, descend_into=False)
            for v in component.values()]


def scenario_model(scenario: str, case: Case, probabilities: dict[str, float] | None = None
                   ) -> pyo.ConcreteModel:
    """mpi-sppy's scenario creator: the model of :math:`f_s` with its ROOT node attached.

    Adds ``cost_expr`` (the scenario's objective expression, kept before progressive hedging
    adds its W and proximal terms to the objective) and ``first_stage_cost`` (:math:`c^\\top
    x`, M$; reporting only).
    """
    from mpisppy.utils import sputils

    probabilities = probabilities or scenario_probabilities(case)
    model = build_model(one_scenario_case(case, scenario))
    first = first_stage_vars(model)
    model.cost_expr = model.objective.expr
    ids = {id(v) for v in first}
    repn = generate_standard_repn(model.cost_expr, compute_values=True)
    model.first_stage_cost = pyo.Expression(expr=sum(
        c * v for c, v in zip(repn.linear_coefs, repn.linear_vars) if id(v) in ids))
    sputils.attach_root_node(model, model.first_stage_cost, first)
    model._mpisppy_probability = probabilities[scenario]
    return model


def cost_rho(model, factor: float = 1.0, floor: float = 1e-2) -> list[tuple[int, float]]:
    r"""Cost-proportional PH penalties (Watson & Woodruff, 2011): for first-stage variable i,
    :math:`\rho_i = factor \cdot \max(|c_i|, floor)` with :math:`c_i` its coefficient in the
    scenario's cost (M$ per unit/yr). mpi-sppy's ``rho_setter`` form: (id(var), rho) pairs."""
    repn = generate_standard_repn(model.cost_expr, compute_values=True)
    coefficient = {id(v): c for c, v in zip(repn.linear_coefs, repn.linear_vars)}
    return [(id(v), factor * max(abs(coefficient.get(id(v), 0.0)), floor))
            for v in first_stage_vars(model)]

