"""The explorer's state: one base case, its kept HiGHS instance and the last good answer.

:class:`Explorer` solves the base case once on the matrix backend and keeps its
:class:`~northam_plan.scenarios.resolve.Resolver`. :meth:`Explorer.apply` takes lever values,
writes them as ``[[override]]`` / ``[[add]]`` blocks (:mod:`northam_plan.explore.levers`),
builds the changed case with :meth:`~northam_plan.case.Case.with_overrides` — the loader's own
checks, so a bad value is refused with a case file's message — and re-solves it warm through
the array diff. A change of structure (an export ban, a floor or a cap adds rows; other
permitting years shift the permit variables) raises
:class:`~northam_plan.scenarios.resolve.StructureChanged`; the explorer then says
"rebuilding" and calls ``update(case, fallback=True, model=...)``: the new case (built once
for both tries) solved in a new HiGHS instance from the last basis carried over.

One explorer serves one user: :attr:`Explorer.lock` lets one change be solved at a time (the
page says so). A refused value or a solve without an optimal plan leaves
:attr:`Explorer.answer` — the last good answer — as it was, and returns the reason.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from northam_plan.case import Case, load_case
from northam_plan.errors import CaseError
from northam_plan.explore.levers import Lever, blocks, levers_of
from northam_plan.model import build_model
from northam_plan.model.backends import MATRIX
from northam_plan.pipeline import make_summary
from northam_plan.plan import Plan
from northam_plan.plan.extract import extract_plan
from northam_plan.report.brief import write_brief
from northam_plan.report.brief_versus import chain_versus, lede_versus
from northam_plan.report.chainview import brief_years
from northam_plan.report.facts import DATASET_ARRAYS, Facts
from northam_plan.report.metrics import Comparison
from northam_plan.report.planview import Brief, PlanView, Sentence
from northam_plan.scenarios.compare_plan import SolvedPlan, chain_of_case
from northam_plan.scenarios.resolve import Resolver, StructureChanged
from northam_plan.solve import SolveOptions, SolveResult

#: the names the brief gives the two plans
BASE, WHAT_IF = "Base case", "What-if"
#: groups of tables the brief does not read, so a change does not make them (the brief's
#: reading one raises: ``SolvedPlan.table``); a download extracts the whole plan
WITHOUT = ("energy", "passport")


@dataclass
class Answer:
    """One solved plan as the page shows it: the brief of the plan and, for a what-if, the
    brief of it against the base (its "versus" sentences)."""

    values: dict[str, float]
    case: Case
    result: SolveResult
    plan: Plan
    options: SolveOptions
    view: PlanView
    brief: Brief
    versus: list[Sentence]           # the whole plan against the base
    chain_versus: dict[str, Sentence]  # chain key → its change against the base
    route: str
    timings: dict[str, float] = field(default_factory=dict)
    model: object = None  # the solved model: its whole plan (every array) on demand

    @property
    def summary(self) -> dict:
        """``summary.json`` of the plan, with the case's hash (made on demand: the page's
        brief reads only the objective)."""
        return make_summary(self.case, self.result, self.plan, self.options,
                            dict(self.result.timings), MATRIX)

    def whole_plan(self) -> Plan:
        """The plan with every labelled array and the tables' copies (what ``plan.nc``
        holds): :attr:`plan` has only the arrays the brief reads."""
        return extract_plan(self.model, self.case)

    @property
    def objective(self) -> float:
        return float(self.result.objective or 0.0)


@dataclass
class Outcome:
    """What one change came to: ``state`` is ``done`` (``answer`` is new), ``refused`` (the
    values fail the case rules), or ``failed`` (no optimal plan, or an error); ``message``
    says why. ``rebuilt``: the change needed a cold build (a change of structure)."""

    state: str
    answer: Answer | None = None
    message: str = ""
    rebuilt: bool = False


class Explorer:
    """The base case, its levers, the kept Resolver and the last good answer."""

    def __init__(self, case: Case | Path | str, options: SolveOptions | None = None,
                 data_roots: tuple | list = ()) -> None:
        self.base_case = case if isinstance(case, Case) else load_case(case, data_roots)
        self.options = options or SolveOptions(quiet=True)
        self.lock = threading.Lock()
        tic = time.perf_counter()
        model = build_model(self.base_case, backend=MATRIX)
        self.resolver = Resolver(model, self.base_case, self.options)
        result = self.resolver.solve()
        if not result.optimal:
            raise RuntimeError(
                f"the base case has no optimal plan (status '{result.status}'): "
                f"{result.message}")
        solved = time.perf_counter() - tic
        self.base = self._answer({}, self.base_case, result, "cold", {"resolve": solved},
                                 base=True)
        names = self.base.view.names
        chains = [(c.key, c.title, c.stages) for c in self.base.view.chains]
        self.levers: dict[str, Lever] = levers_of(self.base_case, names.commodities(), chains)
        self.answer = self.base

    # --- a change ---------------------------------------------------------------------
    def case_of(self, values: Mapping[str, float]) -> Case:
        """The base case with the levers at ``values``: :class:`CaseError` if they break a
        case rule, :class:`KeyError` for an unknown lever, ValueError for a non-number."""
        clean = {k: _number(k, v) for k, v in values.items()}
        overrides, adds = blocks(self.levers, clean)
        if not overrides and not adds:
            return self.base_case
        return self.base_case.with_overrides(*overrides, add=adds,
                                             name=f"{self.base_case.name} — what-if")

    def apply(self, values: Mapping[str, float],
              on_state: Callable[[str, str], None] = lambda state, why: None) -> Outcome:
        """Solve the base case with the levers at ``values`` (lever key → display value;
        levers not named stay at their base). ``on_state(state, text)`` hears
        ``rebuilding`` (with the reason) before a cold build, and ``solved`` (with the
        objective, M$) as soon as the solver has the optimum, before the plan is read and the
        brief written. Holds :attr:`lock`."""
        with self.lock:
            tic, cpu = time.perf_counter(), time.thread_time()
            try:
                case = self.case_of(values)
            except CaseError as err:
                return Outcome("refused", message=self._culprit(values) or err.describe())
            except (KeyError, ValueError) as err:
                return Outcome("refused", message=str(err).strip("'\""))
            made = time.perf_counter() - tic  # the case: the levers' blocks applied, checked
            tic = time.perf_counter()
            rebuilt = False
            try:
                # built once: for the array diff and, if the structure changed, the cold solve
                model = build_model(case, backend=MATRIX)
                built = time.perf_counter() - tic
                try:
                    result = self.resolver.update(case, model=model)
                except StructureChanged as why:
                    rebuilt = True
                    on_state("rebuilding", str(why))
                    result = self.resolver.update(case, fallback=True, model=model)
            except Exception as err:  # noqa: BLE001 — the page shows it; the last answer stays
                return Outcome("failed", message=f"the solve failed: {err}", rebuilt=rebuilt)
            resolve = time.perf_counter() - tic
            result.timings["build"] = built  # (the resolver was handed the model)
            if not result.optimal:
                return Outcome("failed", rebuilt=rebuilt, message=(
                    f"no optimal plan for these values (solver status '{result.status}'). "
                    f"{result.message}".strip()))
            on_state("solved", repr(float(result.objective or 0.0)))
            answer = self._answer(dict(values), case, result, self.resolver.route,
                                  {"case": made, "resolve": resolve})
            # CPU seconds of this thread (case, solve, plan, brief): what the change costs
            # without other jobs on the machine (HiGHS's simplex runs in the calling thread)
            answer.timings["cpu"] = time.thread_time() - cpu
            self.answer = answer
            return Outcome("done", answer=answer, rebuilt=rebuilt)

    def _culprit(self, values: Mapping[str, float]) -> str:
        """"<lever>: <the case rule's message>" for each moved lever that breaks a rule on
        its own ('' when only their combination does)."""
        out = []
        for key, value in values.items():
            try:
                self.case_of({key: value})
            except CaseError as err:
                lever = self.levers[key]
                out.append(f"{lever.group}, {lever.label} = {value} {lever.unit}: "
                           f"{err.describe()}")
            except (KeyError, ValueError):
                continue
        return "\n".join(out)

    # --- inside ---------------------------------------------------------------------------
    def _answer(self, values: dict, case: Case, result: SolveResult, route: str,
                timings: dict, base: bool = False) -> Answer:
        tic = time.perf_counter()
        model = self.resolver.model  # (a new model object after each update: kept as it is)
        plan = extract_plan(model, case, tables_in_dataset=False, arrays=DATASET_ARRAYS,
                            without=WITHOUT)
        timings["extract"] = time.perf_counter() - tic
        tic = time.perf_counter()
        name = BASE if base else WHAT_IF
        summary = make_summary(case, result, plan, self.options, dict(result.timings), MATRIX,
                               hash_case=False)  # (read by the brief; a download makes its own)
        solved = SolvedPlan(name=name, summary=summary, tables=dict(plan.tables),
                            dataset_=plan.dataset, chain_=chain_of_case(case),
                            left_out=plan.left_out)
        view = PlanView(Facts(solved))
        empty = pd.DataFrame()
        brief = write_brief(Comparison([solved], name, empty), {name: view})
        versus: list[Sentence] = []
        by_chain: dict[str, Sentence] = {}
        if not base:  # the brief's own "against the base" sentences
            versus = lede_versus(view, self.base.view)
            years = brief_years(self.base.view.facts.years)
            for chain in self.base.view.chains:
                sentence = chain_versus(view, self.base.view, chain, years)
                if sentence is not None:
                    by_chain[chain.key] = sentence
        timings["brief"] = time.perf_counter() - tic
        return Answer(values, case, result, plan, self.options, view, brief, versus, by_chain,
                      route, timings, model)


def _number(key: str, value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{key}: expected a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]  # checked: a ValueError says so
    except (TypeError, ValueError):
        raise ValueError(f"{key}: expected a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{key}: expected a finite number, got {value!r}")
    return number
