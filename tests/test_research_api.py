"""The researchers' API: Case.with_overrides, custom constraints in the plan, warm re-solves.

The tiny case of test_security.py: ore mined in the US at 5 M$/kt or shipped from China at
2 + 1 transport = 3 M$/kt delivered; 10 kt/yr of US demand; discount rate 0.
"""

from __future__ import annotations

from pathlib import Path

import pyomo.environ as pyo
import pytest

from casekit import TWO_MINES, write_case
from northam_plan import CaseError, Resolver, build_model, declare, extract_plan, load_case, solve
from northam_plan.research import StructureChanged

ROOT = Path(__file__).resolve().parents[1]

BASE = TWO_MINES


@pytest.fixture
def tiny(tmp_path):
    return load_case(write_case(tmp_path, BASE, end=2026))


def cap_china(m, case):
    """At most 4 kt a year from China (a supplier cap in absolute terms)."""
    m.cn_cap = pyo.Constraint(case.years, rule=lambda m, t: m.flow["CN", "US", "ore", t] <= 4)
    declare(m, "cn_cap", ("year",), "M$/kt")


def test_custom_constraint_binds_costs_what_hand_computes_and_shows_its_dual(tiny):
    free = build_model(tiny)
    assert solve(free, quiet=True).objective == pytest.approx(60.0)  # 2 years × 10 kt × 3

    m = build_model(tiny, extra=[cap_china])
    result = solve(m, quiet=True)
    # each year 4 kt from China (3 M$/kt) and 6 mined at home (5): 42, twice
    assert result.objective == pytest.approx(84.0)
    assert result.objective - 60.0 == pytest.approx(2 * 6 * (5 - 3))
    plan = extract_plan(m, tiny)
    dual = plan.dataset["dual_cn_cap"]
    assert dual.dims == ("year",)
    # one more kt allowed from China saves 5 − 3 = 2 M$ (a ≤ limit: dual ≤ 0 in Pyomo's signs)
    assert dual.sel(year=2025).item() == pytest.approx(-2.0)
    assert plan.dataset["slack_cn_cap"].sel(year=2026).item() == pytest.approx(0.0)
    assert plan.dataset["dual_cn_cap"].attrs["unit"] == "M$/kt"
    table = plan.tables["custom_constraints"].set_index("index")
    assert list(table["name"].unique()) == ["cn_cap"]
    assert table.loc[2025, "body"] == pytest.approx(4.0)
    assert table.loc[2025, "bound"] == pytest.approx(4.0)
    assert table.loc[2025, "slack"] == 0.0
    assert table.loc[2026, "dual"] == pytest.approx(-2.0)


def test_undeclared_custom_constraint_gets_generic_dims_and_a_slack(tiny):
    m = build_model(tiny)
    m.loose = pyo.Constraint([("CN", 2025), ("CN", 2026)], rule=lambda m, k, t:
                             m.flow["CN", "US", "ore", t] <= 50)
    m.floor = pyo.Constraint(expr=m.flow["CN", "US", "ore", 2025] >= 8)
    assert solve(m, quiet=True).objective == pytest.approx(60.0)
    plan = extract_plan(m, tiny)
    slack = plan.dataset["slack_loose"]
    assert slack.dims == ("index_0", "index_1")
    assert slack.sel(index_0="CN", index_1=2025).item() == pytest.approx(40.0)
    assert plan.dataset["dual_loose"].sel(index_0="CN", index_1=2026).item() == \
        pytest.approx(0.0)
    assert plan.dataset["slack_floor"].item() == pytest.approx(2.0)  # 10 shipped, ≥ 8
    assert set(plan.tables["custom_constraints"]["name"]) == {"loose", "floor"}


def test_without_custom_constraints_the_table_is_empty(tiny):
    m = build_model(tiny)
    solve(m, quiet=True)
    plan = extract_plan(m, tiny)
    assert plan.tables["custom_constraints"].empty
    assert not [v for v in plan.dataset.data_vars if v.startswith("slack_")]


def test_declare_checks_the_number_of_dims(tiny):
    m = build_model(tiny)
    m.c = pyo.Constraint(tiny.years, rule=lambda m, t: m.flow["CN", "US", "ore", t] <= 4)
    with pytest.raises(ValueError, match="1 value"):
        declare(m, "c", ("from", "year"))
    with pytest.raises(AttributeError):
        declare(m, "nothing", ("year",))


def test_with_overrides_returns_a_new_validated_case(tiny):
    taxed = tiny.with_overrides(
        {"table": "tariffs", "where": {"from": "CN"}, "set": {"rate": 0.5}},
        add=[{"table": "demand", "rows": [{"region": "US", "commodity": "ore",
                                           "sector": "extra", "year": 2025, "quantity": 1}]}],
        name="taxed")
    assert taxed.name == "taxed" and tiny.name == "tiny"
    assert taxed.table("tariffs")["rate"].tolist() == [0.5]
    assert tiny.table("tariffs")["rate"].tolist() == [0.0]  # the original is unchanged
    assert len(taxed.table("demand")) == 2
    assert taxed.hash != tiny.hash
    assert taxed.resolved_overrides[-1]["add"]["table"] == "demand"
    # 11 kt a year (the extra sector holds after 2025); China at 3 + 0.5 × 4 = 5 M$/kt ties
    # the US mine at 5
    assert solve(build_model(taxed), quiet=True).objective == pytest.approx(110.0)
    assert taxed.with_overrides(options={"discount_rate": 0.1}).options.discount_rate == 0.1


@pytest.mark.parametrize("overrides, add, fragment", [
    ([{"table": "tarifs", "set": {"rate": 1}}], [], "unknown table"),
    ([{"table": "tariffs", "where": {"to": "MX"}, "set": {"rate": 1}}], [], "matches no row"),
    ([{"table": "tariffs", "set": {"rate": "high"}}], [], "expected a number"),
    ([{"table": "tariffs", "set": {"colour": 1}}], [], "unknown column"),
    ([{"table": "tariffs", "sett": {"rate": 1}}], [], "unknown setting"),
    ([], [{"table": "links", "rows": [{"from": "CN", "to": "XX", "commodity": "ore"}]}],
     "XX"),
])
def test_with_overrides_refuses_invalid_input(tiny, overrides, add, fragment):
    with pytest.raises(CaseError) as caught:
        tiny.with_overrides(*overrides, add=add)
    assert any(fragment in p.message for p in caught.value.problems), caught.value.problems


def test_resolver_tariff_change_matches_a_fresh_build(tiny):
    m = build_model(tiny)
    resolver = Resolver(m, tiny, quiet=True)
    assert resolver.solve().objective == pytest.approx(60.0)
    taxed = tiny.with_overrides({"table": "tariffs", "where": {"from": "CN"},
                                 "set": {"rate": 0.75}})
    result = resolver.update(taxed)  # China: 3 + 0.75 × 4 = 6 > 5: all mined at home
    assert result.objective == pytest.approx(100.0)
    assert pyo.value(m.objective) == pytest.approx(100.0)
    plan = extract_plan(m, resolver.case)
    assert sum(plan.costs.values()) == pytest.approx(100.0)
    back = resolver.update(tiny)
    assert back.objective == pytest.approx(60.0)
    assert extract_plan(m, tiny).costs.get("tariff", 0.0) == pytest.approx(0.0)
    halved = resolver.update(tiny.with_overrides({"table": "demand", "set": {"quantity": 5}}))
    assert halved.objective == pytest.approx(30.0) and resolver.route == "direct"
    with pytest.raises(StructureChanged, match="variables"):  # a new link: new flows
        resolver.update(tiny.with_overrides(add=[{"table": "links", "rows": [
            {"from": "US", "to": "CN", "commodity": "ore", "transport_cost": 1.0}]}]))


def test_resolver_bounds_and_costs(tiny):
    m = build_model(tiny)
    resolver = Resolver(m, tiny, quiet=True)
    resolver.solve()
    resolver.set_bounds(m.flow["CN", "US", "ore", 2025], 0, 4)
    assert resolver.resolve().objective == pytest.approx(72.0)  # 42 + 30
    resolver.set_cost(m.flow["CN", "US", "ore", 2026], 10.0)  # 2 + 1 → 10 (+ CN mining 2)
    assert resolver.resolve().objective == pytest.approx(92.0)  # 42 + 50


def test_resolver_on_the_reference_case_matches_a_fresh_build():
    case = load_case(ROOT / "cases" / "reference.toml")
    resolver = Resolver(build_model(case), case, quiet=True)
    assert resolver.solve().optimal
    changed = case.with_overrides({"table": "tariffs", "where": {"from": "CN", "to": "US"},
                                   "set": {"rate": 0.6}})
    warm = resolver.update(changed)
    fresh = solve(build_model(changed), quiet=True)
    assert warm.optimal and fresh.optimal
    assert warm.objective == pytest.approx(fresh.objective, rel=1e-6)
