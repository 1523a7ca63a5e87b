"""Joint finance facility (finance component) — solved by hand.

One country US (bloc NA) at a 10 % cost of capital; a mine costs 100 M$ per kt/yr, lives 10
years; 5 kt/yr wanted in 2025 (one model year, discount rate 0): the build's capex is 500 M$.
CRF(10 %, 10) = 0.1 / (1 − 1.1⁻¹⁰) = 0.16274539…, CRF(0, 10) = 0.1.
"""

from __future__ import annotations

import pytest

from casekit import mine, write_case
from northam_plan import CaseError, build_model, extract_plan, load_case, solve
from northam_plan.plan.extract import dual_values, variable_values
from readme_figures import ROOT, check_case
from test_reference import PINNED_OBJECTIVE

CRF10 = 0.1 / (1 - 1.1 ** -10)
BASE = {
    "countries": [{"country": "US", "cost_of_capital": 0.10}],
    "blocs": [{"bloc": "NA", "country": "US"}],
    "processes": [mine(capex=100.0, lifetime=10)],
    "reserves": [{"region": "US", "commodity": "ore", "reserves": 1e6}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 5}],
}


def facility(budget, rate=0.0, bloc="NA", **more):
    return [{"facility": "NAFF", "bloc": bloc, "budget": budget, "cost_of_capital": rate,
             **more}]


def run(tmp_path, **tables):
    case = load_case(write_case(tmp_path, {**BASE, **tables}))
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return model, result, extract_plan(model, case)


def test_facility_budget_dual_equals_the_saving_per_million(tmp_path):
    """A budget of 200 M$ at 0 %: 200 of the 500 M$ capex are annualised at CRF 0.1 instead of
    0.1627…: objective 300 · CRF10 + 200 · 0.1 = 68.82 M$ (81.37 without the facility). One
    more M$ of budget saves CRF10 − 0.1 = 0.0627 M$: the budget row's dual is −0.0627."""
    m, result, plan = run(tmp_path, finance_facilities=facility(200.0))
    assert result.objective == pytest.approx(300 * CRF10 + 200 * 0.1)
    assert m.financed["NAFF", "US", "mine", 2025].value == pytest.approx(200.0)
    assert m.dual[m.finance_budget_max["NAFF", 2025]] == pytest.approx(-(CRF10 - 0.1))
    row = plan.tables["finance"].set_index(["facility", "year"]).loc[("NAFF", 2025)]
    assert row["financed"] == pytest.approx(200.0)
    assert row["shadow_price"] == pytest.approx(CRF10 - 0.1)
    assert float(plan.dataset["finance_shadow_price"].sel(facility="NAFF", year=2025)) == \
        pytest.approx(CRF10 - 0.1)


def test_facility_larger_than_the_build_is_worth_nothing_at_the_margin(tmp_path):
    """A budget of 900 M$ at 2 %: the whole 500 M$ is financed (CRF(2 %, 10) = 0.11133): the
    objective is 500 · 0.11133 = 55.66 M$ and one more M$ of budget is worth 0."""
    crf2 = 0.02 / (1 - 1.02 ** -10)
    m, result, plan = run(tmp_path, finance_facilities=facility(900.0, rate=0.02))
    assert result.objective == pytest.approx(500 * crf2)
    assert m.dual[m.finance_budget_max["NAFF", 2025]] == pytest.approx(0.0, abs=1e-9)


def test_facility_finances_only_the_families_it_names(tmp_path):
    """A facility for refineries only: the mine pays its own 10 % (81.37 M$)."""
    m, result, _ = run(tmp_path, finance_facilities=facility(200.0, families="refinery"))
    assert result.objective == pytest.approx(5 * 100 * CRF10)
    assert len(m.financed) == 0


def test_facility_is_open_only_to_members(tmp_path):
    """The bloc NA holds Canada only: the US build pays its own 10 % (81.37 M$)."""
    m, result, _ = run(tmp_path, countries=[{"country": "US", "cost_of_capital": 0.10},
                                            {"country": "CA", "cost_of_capital": 0.10}],
                       blocs=[{"bloc": "NA", "country": "CA"}],
                       finance_facilities=facility(200.0))
    assert result.objective == pytest.approx(5 * 100 * CRF10)
    assert len(m.financed) == 0


@pytest.mark.parametrize(("rows", "column", "words"), [
    (facility(100.0, bloc="EU"), "bloc", "unknown bloc 'EU'"),
    (facility(-1.0), "budget", ""),
    (facility(100.0, rate=1.5), "cost_of_capital", ""),
    (facility(100.0, start_year=2030), "start_year", "outside the horizon"),
    (facility(100.0, families="mine;mines"), "families", "unknown process family 'mines'"),
])
def test_bad_facility_tables(tmp_path, rows, column, words):
    with pytest.raises(CaseError) as error:
        load_case(write_case(tmp_path, {**BASE, "finance_facilities": rows}))
    found = [p for p in error.value.problems
             if p.file.name == "finance_facilities.csv" and p.column == column]
    assert found, error.value.problems
    assert all(p.line for p in found) and any(words in p.message for p in found)


@pytest.mark.slow
def test_finance_facility_case_saves_and_its_budget_binds():
    """The bundled facility (2,000 M$ a year at 3 %, 2026-2035, mineral processes): it costs
    less than the reference, finances no more than its budget, and its budget binds from
    2028 with a positive shadow price; the figures docs/data/scenarios.md quotes are this
    solve's."""
    model = build_model(load_case(ROOT / "cases" / "finance_facility.toml"), backend="matrix")
    result = solve(model, quiet=True)
    assert result.optimal
    check_case("finance_facility", result.objective, PINNED_OBJECTIVE)
    assert result.objective < PINNED_OBJECTIVE
    financed = variable_values(model, "financed").groupby("year").sum()
    assert (financed <= 2000.0 + 1e-6).all()
    assert financed.loc[2028:2035].tolist() == pytest.approx([2000.0] * 8)
    duals = dual_values(model, "finance_budget_max").droplevel("facility")
    assert (duals.loc[2028:2035] < 0).all()
