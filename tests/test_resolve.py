"""Warm re-solves (northam_plan.scenarios.resolve): every route gives what a cold solve gives.

For each kind of change the test checks three things against a cold build of the changed case:
the LP held by HiGHS after the update equals the freshly built one, the objective agrees, and
the warm plan is an optimal plan of the fresh LP (feasible, same cost) and is what
``extract_plan`` reports. On the Pyomo route (direct and rebuild) the LPs are matched by
variable and row names and the objective agrees to 1e-6; on the matrix route (the array diff)
HiGHS's LP must be the new case's arrays entry for entry, the objective and the plan's costs
agree with a cold solve of the matrix route to 1e-9.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from casekit import TWO_MINES, write_case
from generated import random_tables, with_energy, with_security
from northam_plan import Resolver, build_model, extract_plan, load_case, solve
from northam_plan.model.backends.pyomo import highs_lp
from northam_plan.model.matrix import MatrixModel
from northam_plan.research import StructureChanged
from northam_plan.scenarios.resolve import CHOOSE
from northam_plan.scenarios.resolve_arrays import ArrayLP
from northam_plan.solve import SolveOptions

ROOT = Path(__file__).resolve().parents[1]
YEARS = {"start": 2025, "end": 2030, "step": 1, "discount_rate": 0.04}
SETTINGS = settings(max_examples=4, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
KINDS = ("pyomo", "matrix")  # the routes a Resolver's model may be built on


def make_resolver(case, kind: str, **kwargs) -> Resolver:
    return Resolver(build_model(case, backend=kind), case, quiet=True, **kwargs)


# --- comparing LPs --------------------------------------------------------------------------
def _lp_arrays(lp, form) -> dict:
    m = lp.a_matrix_
    shape = (lp.num_row_, lp.num_col_)
    matrix = (sp.csc_array if m.format_ == m.format_.__class__.kColwise else sp.csr_array)(
        (np.asarray(m.value_), np.asarray(m.index_), np.asarray(m.start_)), shape=shape)
    return {"cols": [v.name for v in form.columns],
            "rows": [(c.name, s) for c, s in form.rows],
            "cost": np.asarray(lp.col_cost_), "offset": float(lp.offset_),
            "col_lower": np.asarray(lp.col_lower_), "col_upper": np.asarray(lp.col_upper_),
            "row_lower": np.asarray(lp.row_lower_), "row_upper": np.asarray(lp.row_upper_),
            "A": sp.csc_array(matrix)}


def kept_lp(resolver) -> dict:
    return _lp_arrays(resolver.highs.getLp(), resolver.form)


def fresh_lp(case) -> dict:
    model = build_model(case)  # alive while the names are read
    form = LinearStandardFormCompiler().write(model, mixed_form=True)
    return _lp_arrays(highs_lp(form), form)


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same_inf = (np.isinf(a) == np.isinf(b)) & (np.where(np.isinf(a), a == b, True))
    finite = np.isfinite(a) & np.isfinite(b)
    return bool(same_inf.all() and np.allclose(a[finite], b[finite], rtol=1e-9, atol=1e-9))


def assert_same_lp(kept: dict, fresh: dict) -> None:
    assert sorted(kept["cols"]) == sorted(fresh["cols"])
    assert sorted(kept["rows"]) == sorted(fresh["rows"])
    col = {name: j for j, name in enumerate(fresh["cols"])}
    row = {name: i for i, name in enumerate(fresh["rows"])}
    cp = np.array([col[name] for name in kept["cols"]])
    rp = np.array([row[name] for name in kept["rows"]])
    assert kept["offset"] == pytest.approx(fresh["offset"], rel=1e-9, abs=1e-9)
    for key, perm in (("cost", cp), ("col_lower", cp), ("col_upper", cp), ("row_lower", rp),
                      ("row_upper", rp)):
        assert _close(kept[key], fresh[key][perm]), key
    difference = kept["A"] - fresh["A"][rp][:, cp]
    assert abs(difference).max() <= 1e-9 if difference.nnz else True


def assert_optimal_for(resolver, fresh: dict, objective: float) -> None:
    """The values HiGHS found warm are a feasible plan of the fresh LP costing its optimum."""
    value = {v.name: v.value for v in resolver.form.columns}
    x = np.array([value[name] for name in fresh["cols"]], dtype=float)
    activity = fresh["A"] @ x
    tol = 1e-6 * (1 + np.abs(activity))
    assert (activity >= fresh["row_lower"] - tol).all()
    assert (activity <= fresh["row_upper"] + tol).all()
    assert (x >= fresh["col_lower"] - 1e-6).all() and (x <= fresh["col_upper"] + 1e-6).all()
    assert fresh["cost"] @ x + fresh["offset"] == pytest.approx(objective, rel=1e-6)


def held_arrays(resolver) -> dict:
    """The LP HiGHS holds, as arrays (column-wise A, rows and columns in its order)."""
    lp = resolver.highs.getLp()
    m = lp.a_matrix_
    shape = (lp.num_row_, lp.num_col_)
    matrix = (sp.csc_array if m.format_ == m.format_.__class__.kColwise else sp.csr_array)(
        (np.asarray(m.value_), np.asarray(m.index_), np.asarray(m.start_)), shape=shape)
    return {"cost": np.asarray(lp.col_cost_), "offset": float(lp.offset_),
            "col_lower": np.asarray(lp.col_lower_), "col_upper": np.asarray(lp.col_upper_),
            "row_lower": np.asarray(lp.row_lower_), "row_upper": np.asarray(lp.row_upper_),
            "A": sp.csc_array(matrix)}


def fresh_arrays(model) -> dict:
    """The LP of a matrix-route model as a cold solve hands it to HiGHS."""
    lp = ArrayLP(model)
    return {"cost": lp.cost, "offset": 0.0, "col_lower": lp.col_lower,
            "col_upper": lp.col_upper, "row_lower": lp.row_lower, "row_upper": lp.row_upper,
            "A": sp.csc_array((lp.A.data, lp.A.indices, lp.A.indptr), shape=lp.A.shape)}


def assert_same_arrays(held: dict, fresh: dict) -> None:
    """The same LP, column by column and row by row: the array diff pushes exact values."""
    assert held["offset"] == fresh["offset"]
    for key in ("cost", "col_lower", "col_upper", "row_lower", "row_upper"):
        np.testing.assert_array_equal(held[key], fresh[key], err_msg=key)
    assert held["A"].shape == fresh["A"].shape
    difference = held["A"] - fresh["A"]
    assert not difference.nnz or abs(difference).max() == 0.0


def check_diff_update(resolver, new_case) -> bool:
    """:func:`check_update` for a resolver of a matrix-route model (the array diff)."""
    try:
        warm = resolver.update(new_case)
    except StructureChanged as refused:
        assert "no variables" in str(refused)
        assert solve(build_model(new_case, backend="matrix"), quiet=True).status == "infeasible"
        return False
    assert resolver.route == "diff"
    model = build_model(new_case, backend="matrix")
    fresh = fresh_arrays(model)
    cold = solve(model, quiet=True)
    assert warm.status == cold.status
    assert warm.sizes == cold.sizes
    assert_same_arrays(held_arrays(resolver), fresh)
    if cold.optimal:
        assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
        x = resolver.model.x  # the warm values, in the model extraction reads
        activity = fresh["A"] @ x
        tol = 1e-6 * (1 + np.abs(activity))
        assert (activity >= fresh["row_lower"] - tol).all()
        assert (activity <= fresh["row_upper"] + tol).all()
        assert (x >= fresh["col_lower"] - 1e-6).all() and (x <= fresh["col_upper"] + 1e-6).all()
        assert fresh["cost"] @ x == pytest.approx(cold.objective, rel=1e-9)
        plan = extract_plan(resolver.model, resolver.case)
        assert resolver.case is new_case
        assert sum(plan.costs.values()) == pytest.approx(cold.objective, rel=1e-9)
        cold_plan = extract_plan(model, new_case)
        assert plan.tables["costs"]["discounted"].sum() == pytest.approx(
            cold_plan.tables["costs"]["discounted"].sum(), rel=1e-9)
    return True


def check_update(resolver, new_case, route: str | None = None) -> bool:
    """Update ``resolver`` to ``new_case`` and compare it with a cold solve of ``new_case``.
    False when the new case has a row without variables that cannot hold (infeasible before
    any solve): the resolver refuses it, and it stays at its case. A resolver of a
    matrix-route model always takes the array diff (``route`` is for the Pyomo route)."""
    if resolver.matrix:
        return check_diff_update(resolver, new_case)
    try:
        warm = resolver.update(new_case)
    except StructureChanged as refused:
        assert "no variables" in str(refused)
        assert solve(build_model(new_case), quiet=True).status == "infeasible"
        return False
    if route:
        assert resolver.route == route
    cold = solve(build_model(new_case), quiet=True)
    assert warm.optimal == cold.optimal, (warm.status, cold.status)
    fresh = fresh_lp(new_case)
    assert_same_lp(kept_lp(resolver), fresh)
    if cold.optimal:
        assert warm.objective == pytest.approx(cold.objective, rel=1e-6)
        assert_optimal_for(resolver, fresh, cold.objective)
        assert pyo.value(resolver.model.objective) == pytest.approx(cold.objective, rel=1e-6)
        plan = extract_plan(resolver.model, resolver.case)  # annual_cost follows the change
        assert sum(plan.costs.values()) == pytest.approx(cold.objective, rel=1e-6)
    return True


# --- tiny cases, by hand ---------------------------------------------------------------------
TINY = {**TWO_MINES,  # the link from China carries at most 50 kt/yr
        "links": [{**TWO_MINES["links"][0], "capacity": 50}]}


@pytest.fixture
def tiny(tmp_path):
    return load_case(write_case(tmp_path, TINY, end=2026))


@pytest.fixture
def tiny_resolver(tiny):
    resolver = Resolver(build_model(tiny), tiny, quiet=True)
    assert resolver.solve().objective == pytest.approx(60.0)  # 2 years × 10 kt × 3 M$/kt
    return resolver


@pytest.fixture(params=KINDS)
def any_resolver(tiny, request):
    """A solved resolver of the tiny case, of a model of each route."""
    resolver = make_resolver(tiny, request.param)
    assert resolver.solve().objective == pytest.approx(60.0)
    assert resolver.matrix == (request.param == "matrix")
    return resolver


def assert_holds(resolver, case) -> None:
    """HiGHS holds the LP of ``case`` (built on the resolver's route)."""
    if resolver.matrix:
        assert_same_arrays(held_arrays(resolver), fresh_arrays(build_model(case,
                                                                           backend="matrix")))
    else:
        assert_same_lp(kept_lp(resolver), fresh_lp(case))


@pytest.mark.parametrize("override, route, objective", [
    # demand 10 → 70: 50 kt from China at 3 (link capacity), 20 mined at home at 5; twice
    ({"table": "demand", "set": {"quantity": 70}}, "direct", 2 * (50 * 3 + 20 * 5)),
    # Chinese mining 2 → 4.5: 5.5 delivered > 5 at home: all from the US mine
    ({"table": "processes", "where": {"process": "mine_cn"}, "set": {"var_om": 4.5}},
     "direct", 100.0),
    # … the same by capex: no direct handler for capex (resolve_tables.py says why)
    ({"table": "processes", "where": {"process": "mine_us"}, "set": {"capex": 1.0}},
     "rebuild", 60.0),
    ({"table": "links", "set": {"transport_cost": 2.5}}, "direct", 2 * 10 * 4.5),
    ({"table": "tariffs", "set": {"rate": 0.75}}, "direct", 100.0),  # 3 + 3 > 5
    # the link carries at most 4 kt: a matrix-free bound change, through the rebuild route
    ({"table": "links", "set": {"capacity": 4}}, "rebuild", 2 * (4 * 3 + 6 * 5)),
    ({"table": "existing_capacity", "where": {"process": "mine_cn"}, "set": {"capacity": 3}},
     "rebuild", 2 * (3 * 3 + 7 * 5)),
])
def test_each_table_kind_matches_a_cold_solve(tiny, any_resolver, override, route, objective):
    changed = tiny.with_overrides(override)
    check_update(any_resolver, changed, route)
    assert any_resolver.highs.getInfo().objective_function_value == pytest.approx(objective)
    back = any_resolver.update(tiny)  # and back again
    assert back.objective == pytest.approx(60.0)
    assert_holds(any_resolver, tiny)


def test_a_direct_update_moves_the_plan_the_model_and_its_unit_costs(tiny, tiny_resolver):
    m = tiny_resolver.model
    more = tiny.with_overrides({"table": "demand", "set": {"quantity": 70}},
                               {"table": "links", "set": {"transport_cost": 1.5}})
    result = tiny_resolver.update(more)
    assert tiny_resolver.route == "direct" and tiny_resolver.model is m  # no rebuild
    assert result.objective == pytest.approx(2 * (50 * 3.5 + 20 * 5))
    assert m.unserved["US", "ore", 2025].ub == pytest.approx(70.0)
    assert m.commodity_balance["US", "ore", 2026].lower == pytest.approx(70.0)
    plan = extract_plan(m, more)
    flows = plan.tables["flows"].set_index("year")
    assert flows.loc[2025, "quantity"] == pytest.approx(50.0)
    assert flows.loc[2025, "transport_cost"] == pytest.approx(50 * 1.5)
    assert plan.costs["variable_om"] == pytest.approx(2 * (50 * 2 + 20 * 5))


def test_a_change_of_structure_is_refused_or_built_cold(tiny, any_resolver):
    new_link = tiny.with_overrides(add=[{"table": "links", "rows": [
        {"from": "US", "to": "CN", "commodity": "ore", "transport_cost": 1.0}]}])
    with pytest.raises(StructureChanged, match="variables"):
        any_resolver.update(new_link)
    nothing = tiny.with_overrides({"table": "demand", "set": {"quantity": 0}})  # no unserved
    with pytest.raises(StructureChanged):
        any_resolver.update(nothing)
    with pytest.raises(StructureChanged, match="years"):
        any_resolver.update(load_case(write_case(tiny.path.parent / "y", TINY, end=2027)))
    assert any_resolver.resolve().objective == pytest.approx(60.0)  # nothing was pushed
    assert_holds(any_resolver, tiny)
    check_update(any_resolver, tiny.with_overrides({"table": "demand",
                                                    "set": {"quantity": 20}}), "direct")
    result = any_resolver.update(new_link, fallback=True)  # built and solved cold
    assert any_resolver.route == "cold" and any_resolver.case is new_link
    assert any_resolver.matrix == isinstance(any_resolver.model, MatrixModel)
    assert result.objective == pytest.approx(
        solve(build_model(new_link), quiet=True).objective, rel=1e-9)
    check_update(any_resolver, new_link.with_overrides({"table": "demand",
                                                        "set": {"quantity": 30}}), "direct")


@pytest.mark.parametrize("kind", KINDS)
def test_a_coefficient_that_becomes_zero_is_a_change_of_structure(tmp_path, kind):
    """The Chinese mine yields 0.5 kt of dust per kt of ore, and China wants 1 kt of dust."""
    tables = {**TINY, "commodities": TINY["commodities"] + [
        {"commodity": "dust", "kind": "material", "unit": "kt", "reference_price": 1.0}],
        "process_io": [{"process": "mine_cn", "commodity": "dust", "side": "output",
                        "ratio": 0.5}],
        "demand": TINY["demand"] + [{"region": "CN", "commodity": "dust", "sector": "all",
                                     "year": 2025, "quantity": 1}]}
    case = load_case(write_case(tmp_path, tables, end=2026))
    resolver = make_resolver(case, kind)
    assert resolver.solve().objective == pytest.approx(60.0)
    check_update(resolver, case.with_overrides(  # 0.5 → 0.25: a new value, same structure
        {"table": "process_io", "set": {"ratio": 0.25}}), "rebuild")
    if kind == "matrix":  # changeCoeff: HiGHS's matrix has the new value
        assert held_arrays(resolver)["A"].data.tolist().count(0.25) == 2  # 2 years
    no_dust = case.with_overrides({"table": "process_io", "set": {"ratio": 0.0}})
    with pytest.raises(StructureChanged, match="coefficient"):
        resolver.update(no_dust)
    result = resolver.update(no_dust, fallback=True)  # built and solved cold
    assert resolver.route == "cold"
    assert result.objective == pytest.approx(60.0 + 2 * 100.0)  # the dust is unserved
    assert result.objective == pytest.approx(solve(build_model(no_dust), quiet=True).objective)


def test_routes_can_be_chosen(tiny, tiny_resolver):
    cheaper = tiny.with_overrides({"table": "links", "set": {"transport_cost": 0.5}})
    check_update(tiny_resolver, cheaper, "direct")
    tiny_resolver.update(tiny, route="rebuild")
    assert tiny_resolver.route == "rebuild"
    assert_same_lp(kept_lp(tiny_resolver), fresh_lp(tiny))
    capped = tiny.with_overrides({"table": "links", "set": {"capacity": 4}})
    with pytest.raises(ValueError, match="links.csv changed beyond transport_cost"):
        tiny_resolver.update(capped, route="direct")
    with pytest.raises(ValueError, match="no direct handler for existing_capacity"):
        tiny_resolver.update(tiny.with_overrides({"table": "existing_capacity",
                                                  "set": {"capacity": 90}}), route="direct")
    with pytest.raises(ValueError, match="route"):
        tiny_resolver.update(tiny, route="fast")
    penalty = tiny.with_overrides(options={"unserved_penalty": 4.0})  # options: rebuild
    check_update(tiny_resolver, penalty.with_overrides({"table": "demand",
                                                        "set": {"quantity": 70}}), "rebuild")


def test_custom_constraints_are_kept_through_a_rebuild(tiny):
    def cap(m, case):
        m.cn_cap = pyo.Constraint(case.years, rule=lambda m, t: m.flow["CN", "US", "ore", t]
                                  <= 4)

    resolver = Resolver(build_model(tiny, extra=[cap]), tiny, quiet=True, extra=[cap])
    assert resolver.solve().objective == pytest.approx(2 * (4 * 3 + 6 * 5))
    fewer = tiny.with_overrides({"table": "existing_capacity",
                                 "where": {"process": "mine_us"}, "set": {"capacity": 5}})
    result = resolver.update(fewer)  # 4 from China, 5 at home, 1 unserved at 100
    assert resolver.route == "rebuild" and hasattr(resolver.model, "cn_cap")
    assert result.objective == pytest.approx(2 * (4 * 3 + 5 * 5 + 100))
    bare = Resolver(build_model(tiny, extra=[cap]), tiny, quiet=True)
    bare.solve()
    with pytest.raises(StructureChanged):
        bare.update(fewer)


def test_a_matrix_route_resolver_takes_the_array_diff_only(tiny):
    resolver = make_resolver(tiny, "matrix")
    resolver.solve()
    for route in ("direct", "rebuild", "fast"):
        with pytest.raises(ValueError, match="route"):
            resolver.update(tiny, route=route)
    check_update(resolver, tiny.with_overrides({"table": "links",
                                                "set": {"transport_cost": 0.5}}))
    cheaper = resolver.model
    resolver.update(tiny, route="diff")
    assert resolver.route == "diff" and resolver.model is not cheaper  # the new case's model
    with pytest.raises(ValueError, match="Pyomo"):
        Resolver(build_model(tiny, backend="matrix"), tiny, extra=[lambda m, case: None])
    penalty = tiny.with_overrides(options={"unserved_penalty": 4.0})  # options too
    check_update(resolver, penalty.with_overrides({"table": "demand",
                                                   "set": {"quantity": 70}}))


def test_bounds_and_costs_of_one_variable_on_the_matrix_backend(tiny):
    resolver = make_resolver(tiny, "matrix")
    m = resolver.model
    resolver.solve()
    resolver.set_bounds(m.flow["CN", "US", "ore", 2025], 0, 4)
    assert resolver.resolve().objective == pytest.approx(72.0)  # 4 × 3 + 6 × 5 + 30
    assert extract_plan(m, tiny).tables["flows"].set_index("year").loc[
        2025, "quantity"] == pytest.approx(4.0)
    resolver.set_cost(m.flow["CN", "US", "ore", 2026], 10.0)  # 2 + 1 → 10 (+ CN mining 2)
    assert resolver.resolve().objective == pytest.approx(92.0)  # 42 + 50
    assert_same_arrays(held_arrays(resolver), {**fresh_arrays(m), "offset": 0.0})
    assert resolver.update(tiny).objective == pytest.approx(60.0)  # the case's numbers again
    assert_holds(resolver, tiny)
    with pytest.raises(TypeError, match="matrix-backend"):
        resolver.set_cost(build_model(tiny).flow["CN", "US", "ore", 2026], 1.0)


# --- generated cases ---------------------------------------------------------------------------
def _scaled(tables, table, column, factor, where=lambda row: True):
    return {**tables, table: [
        {**row, column: row[column] * factor} if where(row) and row.get(column, "") != ""
        else row for row in tables[table]]}


CHANGES = {  # kind: (tables → changed tables, route the resolver should take)
    "tariff": (lambda t, f: _scaled(t, "tariffs", "rate", 1 + f), "direct"),
    "demand": (lambda t, f: _scaled(t, "demand", "quantity", 1 + f), "direct"),
    "var_om": (lambda t, f: _scaled(t, "processes", "var_om", 1 + f), "direct"),
    "capex_fom": (lambda t, f: _scaled(_scaled(t, "processes", "capex", 1 - f / 2),
                                       "processes", "fixed_om", 1 + f), "rebuild"),
    "transport": (lambda t, f: _scaled(t, "links", "transport_cost", 1 + f), "direct"),
    "cost_factors": (lambda t, f: {**t, "cost_factors": [
        {"country": row["country"], "family": family, "capex_factor": 1 - f / 2,
         "om_factor": 1 + f} for row in t["countries"] for family in ("mine", "refinery")]},
        "rebuild"),
    "supplier_cap": (lambda t, f: _scaled(t, "supplier_caps", "cap", 1 - f / 2), "rebuild"),
    "regional_share": (lambda t, f: _scaled(t, "regional_shares", "share", 1 + f), "rebuild"),
    "export_limit": (lambda t, f: _scaled(t, "disruptions", "limit", 1 - f / 2), "rebuild"),
    "existing": (lambda t, f: _scaled(t, "existing_capacity", "capacity", 1 - f / 2),
                 "rebuild"),
    "reserves": (lambda t, f: _scaled(t, "reserves", "reserves", 1 + f), "rebuild"),
}


def generated_tables(seed: int) -> dict:
    tables = with_energy(with_security(random_tables(seed), seed), seed)
    tables["stockpiles"] = [{"region": "R0", "commodity": "metal1", "holding_cost": 0.5,
                             "min_cover_days": 30}]
    return tables


@SETTINGS
@given(seed=st.integers(0, 10_000), factor=st.floats(0.05, 0.6),
       kinds=st.lists(st.sampled_from(sorted(CHANGES)), min_size=2, max_size=4, unique=True))
# a reserve margin over existing capacity alone (a row without variables, which the compiled
# model leaves out) whose demand grows: direct while it holds (once refused with "no row in the
# compiled model"), infeasible — refused — once it cannot
@example(seed=10_000, factor=0.15723139639362982, kinds=["capex_fom", "demand"])
@example(seed=10_000, factor=0.5, kinds=["capex_fom", "demand"])
# country cost factors, then process costs that the factors scale (and the other way round)
@example(seed=7, factor=0.3, kinds=["cost_factors", "capex_fom", "var_om"])
@example(seed=11, factor=0.2, kinds=["capex_fom", "cost_factors"])
# a regional share of 0.0 (seed 205): scaled, it stays 0.0 and the resolver rightly goes direct
@example(seed=205, factor=0.3, kinds=["regional_share", "demand"])
@pytest.mark.parametrize("kind", KINDS)
def test_generated_cases_re_solve_like_cold_ones(kind, seed, factor, kinds):
    tables = generated_tables(seed)
    with tempfile.TemporaryDirectory() as folder:
        case = load_case(write_case(Path(folder) / "base", tables, unserved_penalty=50.0,
                                    **YEARS))
        resolver = make_resolver(case, kind)
        assume(resolver.solve().optimal)
        for n, kind in enumerate(kinds):  # one change after another, from the last basis
            change, route = CHANGES[kind]
            before, tables = tables, change(tables, factor)
            if tables == before:  # e.g. a share of 0.0 scaled: nothing to rebuild, direct
                route = "direct"
            new = load_case(write_case(Path(folder) / str(n), tables, unserved_penalty=50.0,
                                       **YEARS))
            if not check_update(resolver, new, route):
                break  # an infeasible change (a row without variables): refused, tested


@pytest.fixture(scope="module")
def benchmark_case(tmp_path_factory):
    """A small synthetic case of benchmarks/generate.py: energy, security, stockpiles and a
    product passport all at once."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" /
                                                  "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return load_case(module.generate_case(tmp_path_factory.mktemp("bench"), regions=6,
                                          commodities=6, years=8, seed=3, tracked=1))


@pytest.mark.parametrize("override", [
    {"table": "demand", "set": {"quantity": 1.0}},  # the direct demand handler, every row
    {"table": "processes", "set": {"var_om": 1.5}},
])
@pytest.mark.parametrize("kind", KINDS)
def test_a_synthetic_case_with_every_component(benchmark_case, override, kind):
    case = benchmark_case
    resolver = make_resolver(case, kind)
    assert resolver.solve().optimal
    if override["table"] == "demand":  # scale every demand by 1.1
        table = case.table("demand")
        rows = [{"table": "demand", "where": {k: row[k] for k in ("region", "commodity",
                                                                     "sector", "year")},
                 "set": {"quantity": row["quantity"] * 1.1}} for _, row in table.iterrows()]
        changed = case.with_overrides(*rows)
    else:
        changed = case.with_overrides(override)
    check_update(resolver, changed, "direct")


@pytest.mark.parametrize("given, used", [({}, CHOOSE), ({"simplex_strategy": 4}, 4)])
def test_a_re_solve_lets_highs_choose_primal_or_dual_unless_told(tiny, given, used):
    """A re-solve starts from the last basis with HiGHS's "choose": primal simplex after a
    change of costs only (the basis stays primal feasible), dual otherwise; a
    ``simplex_strategy`` among the HiGHS options wins. The optimum is the cold one either way
    (Chinese mining 2 → 4.5: all from the US mine; then demand 70 with the link full)."""
    resolver = Resolver(build_model(tiny, backend="matrix"), tiny,
                        SolveOptions(quiet=True, highs_options=given))
    assert resolver.solve().objective == pytest.approx(60.0)
    dearer = tiny.with_overrides({"table": "processes", "where": {"process": "mine_cn"},
                                  "set": {"var_om": 4.5}})
    assert resolver.update(dearer).objective == pytest.approx(100.0)
    assert resolver.highs.getOptionValue("simplex_strategy")[1] == used
    more = dearer.with_overrides({"table": "demand", "set": {"quantity": 70}})
    assert resolver.update(more).objective == pytest.approx(2 * 70 * 5)
