"""Explain why a case has no feasible plan, in the words and rows of its own tables.

Unserved demand is priced, so a case is infeasible only when a hard rule cannot hold: a
sourcing floor, an emission cap, a reserve margin, a minimum stock — or, when the case forbids
unserved demand (``[options] allow_unserved = false``), a rule that cannot hold with every demand
met, such as a rule of origin (content rule) that the region's own supply cannot fill.
:func:`explain` asks HiGHS for an irreducible infeasible subset (IIS) of the LP — a smallest
set of constraints and bounds that cannot hold together — and maps each member back to its
constraint family, index and the data row it came from ("regional_shares.csv, line 2"). With
``elastic=True`` it also solves the LP with every hard constraint relaxed by slack at a high
price and reports what had to give, by how much: how far the data is from feasible.

The explanation starts with a one-line diagnosis: the rule that had to give most when the hard
constraints are relaxed at a high price (or, when relaxing them is not enough and the case
forbids unserved demand, the demand that cannot be met), by how much and in which unit
(:mod:`northam_plan.solve.explain_text`). The subset follows, grouped by constraint family, with the
distinct data rows behind each family.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from northam_plan.case import Case
from northam_plan.log import get_logger
from northam_plan.model import build_model
from northam_plan.model.backends.pyomo import compile_form, highs_lp
from northam_plan.solve import quiet_stdout
from northam_plan.solve.explain_text import diagnosis, grouped, row_unit
from northam_plan.solve.sources import SOURCES, _rows, data_rows, index_of

log = get_logger(__name__)

IIS_STRATEGY = 2  # HiGHS: from the LP, row priority (strategies 0/1 return no IIS here)
ELASTIC_PENALTY = 1e7  # M$ per unit of relaxation: above any real cost in the reference units

HARD = ("regional_share_min", "content_share_min", "supplier_share_max", "emission_max",
        "reserve_margin_min", "stock_cover_min", "extraction_max", "export_max",
        "permit_throughput_max", "project_max", "project_commit_min", "flow_max",
        "intertie_max", "build_max", "growth_max")


@dataclass
class Cause:
    """One member of the infeasible subset (or one relaxed constraint, in elastic mode)."""

    constraint: str  # e.g. regional_share_min[USMCA, li_chem, 2030]
    family: str
    index: tuple
    rows: list[str] = field(default_factory=list)  # "file, line N" of the data behind it
    relaxed_by: float | None = None  # elastic mode: slack in the constraint's units
    unit: str = ""  # the unit of relaxed_by, e.g. "kt Li/yr"

    def __str__(self) -> str:
        text = self.constraint
        if self.relaxed_by is not None:
            text += f" must give by {self.relaxed_by:.6g} {self.unit}".rstrip()
        if self.rows:
            text += " — from " + "; ".join(self.rows)
        return text


@dataclass
class Explanation:
    feasible: bool
    causes: list[Cause] = field(default_factory=list)
    relaxed: list[Cause] = field(default_factory=list)
    bounds: int = 0  # variable bounds in the IIS (capacities that are zero, …)
    #: one line: what cannot hold, by how much, in which unit (None: not found)
    diagnosis: str | None = None

    @property
    def explained(self) -> bool:
        """An infeasible case with a diagnosis or an infeasible subset to show."""
        return not self.feasible and bool(self.diagnosis or self.causes)

    def describe(self) -> str:
        if self.feasible:
            return "the case is feasible: there is nothing to explain"
        lines = [f"Infeasible: {self.diagnosis or 'no single rule found to relax; see below'}."]
        if self.causes:
            lines += grouped(self.causes, self.bounds)
        else:
            lines.append("HiGHS found no irreducible infeasible subset.")
        if self.relaxed:
            lines.append("Relaxing the hard constraints at a high price, these had to give:")
            lines += [f"  - {cause}" for cause in self.relaxed]
        return "\n".join(lines)


def explain(case: Case, elastic: bool = False) -> Explanation:
    """Build and analyse the LP of ``case``; return what makes it infeasible, if anything.

    The diagnosis line is always computed (it needs the relaxed LP); ``elastic=True`` also
    lists every relaxed constraint in :attr:`Explanation.relaxed`."""
    log.info("building the model of %s", case.name)
    model = build_model(case)
    constant = trivially_infeasible(model)
    if constant:  # rows without variables that no plan can satisfy
        causes = [_cause(case, con, relaxed_by=gap if elastic else None)
                  for con, gap in constant]
        return Explanation(feasible=False, causes=causes, relaxed=causes if elastic else [],
                           diagnosis=_diagnosis(case, [_cause(case, con, relaxed_by=gap)
                                                       for con, gap in constant], elastic))
    form = compile_form(model)
    lp = highs_lp(form)
    with quiet_stdout(True):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("iis_strategy", IIS_STRATEGY)
    highs.passModel(lp)
    log.info("solving the LP of %s: %s rows, %s columns", case.name, f"{lp.num_row_:,}",
             f"{lp.num_col_:,}")
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        return Explanation(feasible=True)
    log.info("finding an irreducible infeasible subset")
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
    log.info("relaxing the hard constraints at a high price")
    relaxed = _elastic(case, form, lp)
    if not relaxed and not case.options.allow_unserved:
        log.info("relaxing the demand that must be met in full")
        relaxed = _unserved_needed(case, form, lp)
    explanation.diagnosis = _diagnosis(case, relaxed, elastic)
    if elastic:
        explanation.relaxed = relaxed
    return explanation


def _diagnosis(case: Case, relaxed: list[Cause], elastic: bool) -> str | None:
    """The line for the constraint that must give most (the first of equals)."""
    if not relaxed:
        return None
    # (a relaxed cause always has its relaxed_by: `or 0.0` only tells the type checker)
    first = max(relaxed, key=lambda cause: cause.relaxed_by or 0.0)
    text = diagnosis(case, first.family, first.index, first.relaxed_by or 0.0)
    if len(relaxed) > 1:
        more = len(relaxed) - 1
        text += (f" (and {more} more constraint{'s' if more > 1 else ''} must give"
                 f"{'' if elastic else '; see --elastic'})")
    return text


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
                 rows=_data_rows(case, family, index), relaxed_by=relaxed_by,
                 unit=row_unit(case, family, index) if relaxed_by is not None else "")


def _data_rows(case: Case, family: str, index: tuple) -> list[str]:
    """The rows behind a constraint or variable; demand rows of its own year only."""
    table, columns, _ = SOURCES.get(family, (None, (), False))
    if table == "demand" and len(index) >= 3 and "year" in case.tables["demand"]:
        return _rows(case, "demand", {"region": index[0], "commodity": index[1],
                                      "year": index[2]}, None, 5)
    return data_rows(case, family, index)


def _elastic(case: Case, form, lp) -> list[Cause]:
    """Solve with a priced slack on every row of the hard families; report the slacks used."""
    with quiet_stdout(True):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    slack_rows, signs = [], []
    for row, (con, sense) in enumerate(form.rows):
        if con.parent_component().local_name not in HARD:
            continue
        # a ≥ row (sense −1) is eased by +slack, a ≤ row (+1) by −slack
        for sign in ((1.0,) if sense == -1 else (-1.0,) if sense == 1 else (1.0, -1.0)):
            slack_rows.append(row)
            signs.append(sign)
    n = len(slack_rows)
    if n:  # one column per slack, added at once
        highs.addCols(n, np.full(n, ELASTIC_PENALTY), np.zeros(n), np.full(n, highspy.kHighsInf),
                      n, np.arange(n, dtype=np.int32), np.array(slack_rows, dtype=np.int32),
                      np.array(signs))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.asarray(highs.getSolution().col_value)[lp.num_col_:]
    used: dict[int, float] = {}
    for row, value in zip(slack_rows, values):
        if value > 1e-7:
            used[row] = used.get(row, 0.0) + value
    return [_cause(case, form.rows[row][0], relaxed_by=value) for row, value in used.items()]


def _unserved_needed(case: Case, form, lp) -> list[Cause]:
    """When the case forbids unserved demand: allow it at a high price, report how much of
    each demand could not be met (summed over time slices)."""
    with quiet_stdout(True):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    columns = [j for j, var in enumerate(form.columns)
               if var.parent_component().local_name in ("unserved", "unserved_slice")]
    for j in columns:
        highs.changeColBounds(j, 0.0, highspy.kHighsInf)
        highs.changeColCost(j, ELASTIC_PENALTY)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.asarray(highs.getSolution().col_value)
    short: dict[tuple, float] = {}
    for j in columns:
        if values[j] > 1e-7:
            key = index_of(form.columns[j])[:3]  # region, commodity, year
            short[key] = short.get(key, 0.0) + values[j]
    return [Cause(constraint=f"unserved[{', '.join(map(str, key))}]", family="unserved",
                  index=key, rows=_data_rows(case, "unserved", key), relaxed_by=value,
                  unit=row_unit(case, "unserved", key)) for key, value in short.items()]
