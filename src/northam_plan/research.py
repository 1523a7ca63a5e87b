"""For researchers: declare your own components, and re-solve without rebuilding.

Add a constraint to a built model (or in a ``build_model(case, extra=[fn])`` callable), name its
dimensions, solve, and its duals and slacks come out in the plan like the built-in limits::

    model = build_model(case)
    years = [t for t in case.years if t > 2030]
    model.cn_ndpr_cap = pyo.Constraint(years, rule=lambda m, t:
                                       m.flow["CN", "US", "ndpr_oxide", t] <= 0.5)
    declare(model, "cn_ndpr_cap", ("year",), "M$ per kt (present value)")
    solve(model); plan = extract_plan(model, case)
    plan.dataset["dual_cn_ndpr_cap"]; plan.tables["custom_constraints"]

:class:`Resolver` keeps the compiled standard form and the HiGHS instance of a solve, so that a
change of cost coefficients or bounds — a tariff, a cost scaled, a variable fixed — is pushed
into HiGHS (``changeColsCost``, ``changeColBounds``) and re-solved from the last basis, without
rebuilding the Pyomo model or handing it over again::

    resolver = Resolver(model, case)           # build is yours; this compiles and solves
    first = resolver.solve()
    second = resolver.update(case.with_overrides(
        {"table": "tariffs", "where": {"from": "CN", "to": "US"}, "set": {"rate": 0.25}}))
    plan = extract_plan(model, resolver.case)  # the model now holds the re-solved plan
"""

from __future__ import annotations

import threading
import time

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from northam_plan.case import Case
from northam_plan.case.tables import LINE, SET_BY
from northam_plan.model.book import linear
from northam_plan.model.components.trade import tariff_rates
from northam_plan.solve import (_ADVICE, _STATUS, SolveOptions, SolveResult, _highs_lp,
                                _highs_version, _load, _quiet_stdout, _set_options)

__all__ = ["Resolver", "as_run", "declare", "solve_case"]


def as_run(case: Case, result: SolveResult, plan, options: SolveOptions | None = None):
    """A solve done by hand (build, solve, extract) as a :class:`~northam_plan.pipeline.CaseRun`,
    which :func:`~northam_plan.compare` accepts: ``compare({"ref": run_a, "ban": run_b})``."""
    from northam_plan.pipeline import CaseRun, make_summary
    return CaseRun(case=case, result=result, plan=plan, out=None, summary=make_summary(
        case, result, plan, options or SolveOptions(), dict(result.timings)))


def solve_case(case: Case, extra=(), options: SolveOptions | None = None, **kwargs):
    """Build (with ``extra`` callables), solve and extract ``case`` in memory → CaseRun
    (``.case``, ``.result``, ``.plan``; ``.plan`` is None unless optimal)."""
    from northam_plan.model import build_model
    from northam_plan.plan import extract_plan
    from northam_plan.solve import solve

    options = options or SolveOptions(**kwargs)
    tic = time.perf_counter()
    model = build_model(case, extra=extra)
    built = time.perf_counter() - tic
    result = solve(model, options)
    result.timings = {"build": built, **result.timings}
    plan = extract_plan(model, case) if result.optimal else None
    return as_run(case, result, plan, options)


def declare(model: pyo.ConcreteModel, name: str, dims: tuple[str, ...] | list[str],
            unit: str = "") -> None:
    """Name the dimensions (and the unit of the dual) of your component ``model.<name>``.

    A constraint declared so, or any constraint on the model that no component made, is a
    *custom constraint*: :func:`~northam_plan.extract_plan` puts ``dual_<name>`` and
    ``slack_<name>`` into ``plan.dataset`` on these dimensions and a row per index into
    ``plan.tables["custom_constraints"]``. Undeclared custom constraints get the dimensions
    ``index_0, index_1, …``.
    """
    component = getattr(model, name, None)
    if component is None:
        raise AttributeError(f"the model has no component '{name}'; add it before declaring")
    dims = tuple(dims)
    if component.is_indexed() and len(component):
        first = next(iter(component.keys()))
        width = len(first) if isinstance(first, tuple) else 1
        if width != len(dims):
            raise ValueError(f"'{name}' is indexed by {width} value(s) per key ({first!r}) "
                             f"but {len(dims)} dimension name(s) were given: {dims}")
    elif not component.is_indexed() and dims:
        raise ValueError(f"'{name}' is not indexed; declare it with dims=()")
    model.book.declare(name, dims, unit)
    custom = getattr(model, "custom_names", None)
    if custom is None:
        custom = model.custom_names = []
    if name not in custom:
        custom.append(name)


class Resolver:
    """A solved model that can be changed and re-solved warm, without rebuilding.

    What can change without a rebuild: objective coefficients (:meth:`set_cost`), variable
    bounds (:meth:`set_bounds`) and, through :meth:`update`, a new case that differs from the
    current one only in ``tariffs.csv`` (rates, years; on commodities without origin tracking).
    Anything else changes the model's structure or its matrix: :meth:`update` refuses it with a
    message naming the tables, and you rebuild with :func:`~northam_plan.build_model`.

    After every (re)solve the values and duals are loaded into the model, the objective and
    the ``annual_cost`` expressions follow the changes, and ``extract_plan(model,
    resolver.case)`` gives the plan of the last solve. Deterministic cases only (no
    ``scenarios.csv``).
    """

    def __init__(self, model: pyo.ConcreteModel, case: Case,
                 options: SolveOptions | None = None, **kwargs) -> None:
        if getattr(model, "scenario_names", None):
            raise ValueError("Resolver handles deterministic cases only; this case has "
                             "disruption scenarios (scenarios.csv)")
        self.model, self.case = model, case
        self.options = options or SolveOptions(**kwargs)
        self.highs = None
        self.form = None
        self._column = {}
        self._objective_stale = False

    # --- first solve ------------------------------------------------------------------
    def solve(self) -> SolveResult:
        """Compile the model to standard form, hand it to HiGHS and solve (as :func:`solve`)."""
        tic = time.perf_counter()
        try:
            form = LinearStandardFormCompiler().write(self.model, mixed_form=True)
        except InfeasibleConstraintException as err:
            return SolveResult(status="infeasible", objective=None, sizes={},
                               timings={"handover": time.perf_counter() - tic},
                               message=f"{_ADVICE['infeasible']} ({err})")
        lp = _highs_lp(form)
        self.form, self._column = form, {id(v): j for j, v in enumerate(form.columns)}
        self._cost = np.array(lp.col_cost_, dtype=float)
        self._offset = float(lp.offset_)
        handover = time.perf_counter() - tic
        with _quiet_stdout(self.options.quiet):
            self.highs = highspy.Highs()
        _set_options(self.highs, self.options)
        self.highs.passModel(lp)
        return self._run({"handover": handover})

    # --- changes ----------------------------------------------------------------------
    def column(self, var) -> int:
        """The HiGHS column of a Pyomo variable (KeyError if it is in no constraint)."""
        self._require()
        return self._column[id(var)]

    def set_cost(self, var, coefficient: float) -> None:
        """Set the objective coefficient of ``var`` (present value, M$ per unit).

        Changes the objective only: ``annual_cost`` (and so ``plan.costs``) do not see it.
        """
        j = self.column(var)
        self._cost[j] = coefficient
        self.highs.changeColsCost(1, np.array([j], dtype=np.int32),
                                  np.array([coefficient], dtype=float))
        self._objective_stale = True

    def set_bounds(self, var, lower: float | None, upper: float | None) -> None:
        """Set the bounds of ``var`` in HiGHS and on the Pyomo variable (None: unbounded)."""
        j = self.column(var)
        self.highs.changeColBounds(j, -np.inf if lower is None else float(lower),
                                   np.inf if upper is None else float(upper))
        var.setlb(lower)
        var.setub(upper)

    def update(self, case: Case) -> SolveResult:
        """Switch to ``case`` (same model, new tariffs) and re-solve from the last basis."""
        self._require()
        changed = _changed_tables(self.case, case)
        if self.case.years_spec != case.years_spec or self.case.options != case.options:
            changed.insert(0, "years or options")
        unsupported = [name for name in changed if name != "tariffs"]
        if unsupported:
            raise ValueError(f"a re-solve can change tariffs.csv only; {', '.join(unsupported)} "
                             f"changed: rebuild with build_model(case)")
        tic = time.perf_counter()
        if "tariffs" in changed:
            self._update_tariffs(case)
        self.case = case
        return self._run({"update": time.perf_counter() - tic})

    def resolve(self) -> SolveResult:
        """Re-solve after :meth:`set_cost` / :meth:`set_bounds`, from the last basis."""
        self._require()
        return self._run({})

    # --- inside -------------------------------------------------------------------------
    def _require(self) -> None:
        if self.highs is None:
            raise RuntimeError("call Resolver.solve() first")

    def _update_tariffs(self, case: Case) -> None:
        m, book = self.model, self.model.book
        old_rates, new_rates = tariff_rates(self.case), tariff_rates(case)
        price = dict(zip(case.tables["commodities"]["commodity"],
                         case.tables["commodities"]["reference_price"]))
        if any(key[2] in case.tracked for key in set(old_rates) ^ set(new_rates) | {
                k for k in old_rates if old_rates[k] != new_rates.get(k)}):
            raise ValueError("tariffs on tracked commodities are per origin tag (passport "
                             "component): rebuild with build_model(case)")
        country_of = case.countries_of_regions
        weights = case.discount_weights
        tariff_of = m.flow_unit_costs[1]
        columns, costs, touched = [], [], set()
        for (a, b, c, t), var in m.flow.items():
            k_from, k_to = country_of[a], country_of[b]
            if k_from == k_to or c in case.tracked:
                continue
            old = tariff_of.get((a, b, c, t), 0.0)
            new = new_rates.get((k_from, k_to, c, t), 0.0) * price[c]
            if new == old:
                continue
            j = self._column.get(id(var))
            if j is None:
                continue
            self._cost[j] += weights[t] * (new - old)
            columns.append(j)
            costs.append(self._cost[j])
            key = ("tariff", k_to, t)
            terms = [(coef, v) for coef, v in book.cost_terms.get(key, []) if v is not var]
            if new:
                terms.append((new, var))
                tariff_of[a, b, c, t] = new
            else:
                tariff_of.pop((a, b, c, t), None)
            book.cost_terms[key] = terms
            touched.add(key)
        if columns:
            self.highs.changeColsCost(len(columns), np.array(columns, dtype=np.int32),
                                      np.array(costs, dtype=float))
            self._objective_stale = True
        index = m.annual_cost.index_set()
        for key in sorted(touched):
            if key not in index:
                index.add(key)
            m.annual_cost[key] = linear(book.cost_terms[key])

    def _run(self, timings: dict) -> SolveResult:
        highs = self.highs
        tic = time.perf_counter()
        if threading.current_thread() is threading.main_thread():
            highs.HandleKeyboardInterrupt = True
            highs.solve()
        else:
            highs.run()
        timings["solve"] = time.perf_counter() - tic
        status = _STATUS.get(highs.getModelStatus(), str(highs.getModelStatus()))
        sizes = {"variables": int(highs.getNumCol()), "constraints": int(highs.getNumRow()),
                 "nonzeros": int(self.form.A.nnz)}
        objective = None
        if status == "optimal":
            tic = time.perf_counter()
            _load(self.model, self.form, highs)
            if self._objective_stale:  # keep model.objective what HiGHS minimised
                self.model.objective.set_value(linear(
                    [(c, v) for c, v in zip(self._cost, self.form.columns) if c],
                    constant=self._offset))
                self._objective_stale = False
            objective = float(highs.getInfo().objective_function_value)
            timings["load"] = time.perf_counter() - tic
        return SolveResult(status=status, objective=objective, sizes=sizes, timings=timings,
                           solver=f"HiGHS {_highs_version()}", message=_ADVICE.get(status, ""))


def _changed_tables(old: Case, new: Case) -> list[str]:
    changed = []
    for name in sorted(set(old.tables) | set(new.tables)):
        if name not in old.tables or name not in new.tables:
            changed.append(name)
            continue
        a = old.tables[name].drop(columns=[LINE, SET_BY, "source"], errors="ignore")
        b = new.tables[name].drop(columns=[LINE, SET_BY, "source"], errors="ignore")
        if not a.reset_index(drop=True).equals(b.reset_index(drop=True)):
            changed.append(name)
    return changed
