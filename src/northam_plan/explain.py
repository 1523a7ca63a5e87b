"""Explain why a case has no feasible plan, in the words and rows of its own tables.

Unserved demand is priced, so a case is infeasible only when a hard rule cannot hold: a
sourcing floor, an emission cap, a reserve margin, a minimum stock — or, when the case forbids
unserved demand (``[options] allow_unserved = false``), a rule that cannot hold with every demand
met, such as a rule of origin (content rule) that the region's own supply cannot fill. :func:`explain` asks HiGHS
for an irreducible infeasible subset (IIS) of the LP — a smallest set of constraints and bounds
that cannot hold together — and maps each member back to its constraint family, index and the
data row it came from ("regional_shares.csv, line 2"). With ``elastic=True`` it also solves the
LP with every hard constraint relaxed by slack at a high price and reports what had to give, by
how much: how far the data is from feasible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from northam_plan.case import Case
from northam_plan.model import build_model
from northam_plan.solve import _highs_lp, _quiet_stdout
from northam_plan.sources import data_rows, index_of

IIS_STRATEGY = 2  # HiGHS: from the LP, row priority (strategies 0/1 return no IIS here)
ELASTIC_PENALTY = 1e7  # M$ per unit of relaxation: above any real cost in the reference units

HARD = ("regional_share_min", "content_share_min", "supplier_share_max", "emission_max", "reserve_margin_min",
        "stock_cover_min", "extraction_max", "export_max", "permit_throughput_max",
        "project_max", "project_commit_min", "flow_max", "intertie_max", "build_max",
        "growth_max")


@dataclass
class Cause:
    """One member of the infeasible subset (or one relaxed constraint, in elastic mode)."""

    constraint: str  # e.g. regional_share_min[USMCA, li_chem, 2030]
    family: str
    index: tuple
    rows: list[str] = field(default_factory=list)  # "file, line N" of the data behind it
    relaxed_by: float | None = None  # elastic mode: slack in the constraint's units

    def __str__(self) -> str:
        text = self.constraint
        if self.relaxed_by is not None:
            text += f" must give by {self.relaxed_by:.6g}"
        if self.rows:
            text += " — from " + "; ".join(self.rows)
        return text


@dataclass
class Explanation:
    feasible: bool
    causes: list[Cause] = field(default_factory=list)
    relaxed: list[Cause] = field(default_factory=list)
    bounds: int = 0  # variable bounds in the IIS (capacities that are zero, …)

    def describe(self) -> str:
        if self.feasible:
            return "the case is feasible: there is nothing to explain"
        lines = ["These constraints cannot all hold (an irreducible infeasible subset):"]
        lines += [f"  - {cause}" for cause in self.causes]
        if self.bounds:
            lines.append(f"  together with {self.bounds} variable bound(s) (nothing may be "
                         "negative)")
        if self.relaxed:
            lines.append("Relaxing the hard constraints at a high price, these had to give:")
            lines += [f"  - {cause}" for cause in self.relaxed]
        return "\n".join(lines)


def explain(case: Case, elastic: bool = False) -> Explanation:
    """Build and analyse the LP of ``case``; return what makes it infeasible, if anything."""
    model = build_model(case)
    constant = trivially_infeasible(model)
    if constant:  # rows without variables that no plan can satisfy
        causes = [_cause(case, con, relaxed_by=gap if elastic else None)
                  for con, gap in constant]
        return Explanation(feasible=False, causes=causes,
                           relaxed=causes if elastic else [])
    form = LinearStandardFormCompiler().write(model, mixed_form=True)
    lp = _highs_lp(form)
    with _quiet_stdout(True):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("iis_strategy", IIS_STRATEGY)
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        return Explanation(feasible=True)
    status, iis = highs.getIis()
    causes = []
    seen = set()
    for row in (iis.row_index_ if iis.valid_ else []):
        con = form.rows[row][0]
        if id(con) not in seen:
            seen.add(id(con))
            causes.append(_cause(case, con))
    columns = list(iis.col_index_) if iis.valid_ else []
    causes += _forbidden_unserved(case, [form.columns[col] for col in columns])
    explanation = Explanation(feasible=False, causes=causes, bounds=len(columns))
    if elastic:
        explanation.relaxed = _elastic(case, form, lp)
    return explanation


def _forbidden_unserved(case: Case, variables) -> list[Cause]:
    """Unserved-demand bounds in the IIS, when the case forbids unserved demand: the demand
    that must be met in full is part of the conflict."""
    if case.options.allow_unserved:
        return []
    causes = []
    for var in variables:
        family = var.parent_component().local_name
        if family in ("unserved", "unserved_slice"):
            cause = _cause(case, var)
            cause.constraint = (f"{cause.constraint} = 0 (demand met in full: [options] "
                                f"allow_unserved = false in {case.path.name})")
            causes.append(cause)
    return causes


def trivially_infeasible(model) -> list[tuple[object, float]]:
    """Constraints whose body has no variables and violates its bounds, with the violation.

    Such a row (a floor on output that no process can produce, a margin over capacity that
    cannot be built) never reaches the solver: Pyomo's compiler refuses it outright.
    """
    found = []
    for con in model.component_data_objects(pyo.Constraint, active=True):
        body = con.body
        if any(True for _ in identify_variables(body, include_fixed=False)):
            continue
        value = pyo.value(body)
        gap = max((pyo.value(con.lower) - value) if con.has_lb() else 0.0,
                  (value - pyo.value(con.upper)) if con.has_ub() else 0.0)
        if gap > 1e-9:
            found.append((con, gap))
    return found


def _cause(case: Case, con, relaxed_by: float | None = None) -> Cause:
    family = con.parent_component().local_name
    index = index_of(con)
    shown = ", ".join(map(str, index))
    return Cause(constraint=f"{family}[{shown}]", family=family, index=index,
                 rows=data_rows(case, family, index), relaxed_by=relaxed_by)


def _elastic(case: Case, form, lp) -> list[Cause]:
    """Solve with a priced slack on every row of the hard families; report the slacks used."""
    with _quiet_stdout(True):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    slack_rows = []
    for row, (con, sense) in enumerate(form.rows):
        if con.parent_component().local_name not in HARD:
            continue
        # a ≥ row (sense −1) is eased by +slack, a ≤ row (+1) by −slack
        for sign in ((1.0,) if sense == -1 else (-1.0,) if sense == 1 else (1.0, -1.0)):
            highs.addCol(ELASTIC_PENALTY, 0.0, highspy.kHighsInf, 1,
                         np.array([row], dtype=np.int32), np.array([sign]))
            slack_rows.append(row)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.asarray(highs.getSolution().col_value)[lp.num_col_:]
    used: dict[int, float] = {}
    for row, value in zip(slack_rows, values):
        if value > 1e-7:
            used[row] = used.get(row, 0.0) + value
    return [_cause(case, form.rows[row][0], relaxed_by=value) for row, value in used.items()]
