"""Crisis guarantee of a bloc (guarantee component) — solved by hand.

Bloc NA = {A, B}; China (CN) mines ore at 1 M$/kt and ships it free to A and B; A has its own
mine (10 kt/yr at 5 M$/kt) and a link to B (0.1 M$/kt); B has none. Demand: A 10, B 30 kt/yr
in 2025 and 2026. China bans ore exports in 2026 (the crisis). A shared NA reserve sits in A,
holding cost 0.5 M$/kt a year shared 50/50. Discount rate 0, unserved demand 100 M$/kt.
"""

from __future__ import annotations

import pytest

from casekit import mine, write_case
from northam_plan import CaseError, build_model, extract_plan, load_case, solve
from northam_plan.plan.extract import variable_values
from readme_figures import ROOT, check_case
from test_reference import PINNED_OBJECTIVE

BASE = {
    "countries": [{"country": k, "cost_of_capital": 0.0} for k in ("A", "B", "CN")],
    "regions": [{"region": k, "country": k} for k in ("A", "B", "CN")],
    "processes": [mine("mine_a", var_om=5.0), mine("mine_cn", var_om=1.0)],
    "existing_capacity": [{"region": "A", "process": "mine_a", "capacity": 10},
                          {"region": "CN", "process": "mine_cn", "capacity": 100}],
    "links": [{"from": "CN", "to": "A", "commodity": "ore"},
              {"from": "CN", "to": "B", "commodity": "ore"},
              {"from": "A", "to": "B", "commodity": "ore", "transport_cost": 0.1}],
    "blocs": [{"bloc": "NA", "country": "A"}, {"bloc": "NA", "country": "B"}],
    "disruptions": [{"exporter": "CN", "commodity": "ore", "start_year": 2026, "limit": 0}],
    "demand": [{"region": r, "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": q} for r, q in (("A", 10), ("B", 30))],
    "reserve_cost_shares": [{"bloc": "NA", "country": "A", "share": 0.5},
                            {"bloc": "NA", "country": "B", "share": 0.5}],
}


def reserve(capacity):
    return [{"bloc": "NA", "commodity": "ore", "region": "A", "capacity": capacity,
             "holding_cost": 0.5}]


def crisis(policy="guarantee", fair=False):
    return [{"bloc": "NA", "commodity": "ore", "start_year": 2026, "end_year": 2026,
             "policy": policy, "fair_sharing": fair}]


def run(tmp_path, **tables):
    case = load_case(write_case(tmp_path, {**BASE, **tables}, end=2026))
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return model, result, extract_plan(model, case)


def unserved(plan, region, year=2026):
    frame = plan.tables["unserved"].set_index(["region", "year"])
    return float(frame.at[(region, year), "unserved"])


def test_shared_reserve_serves_the_member_hit_hardest(tmp_path):
    """Reserve of 30 kt: filled in 2025 (30 from China at 1, held a year at 0.5), drawn in
    2026 into B, which has no mine; A's mine serves A (B through the link would cost 0.1
    more). 2025: 40 + 30 + 15 holding; 2026: 50 mined; no unserved: 135 M$. The holding
    cost of 15 is paid 7.5 by A and 7.5 by B."""
    m, result, plan = run(tmp_path, shared_reserves=reserve(30), guarantees=crisis())
    assert result.objective == pytest.approx(135.0)
    assert m.reserve_stock["NA", "ore", 2025].value == pytest.approx(30.0)
    assert m.reserve_draw["NA", "ore", "B", 2026].value == pytest.approx(30.0)
    assert m.reserve_draw["NA", "ore", "A", 2026].value == pytest.approx(0.0)
    costs = plan.tables["costs"].set_index(["country", "category"])["discounted"]
    assert costs["A", "shared_reserve"] == pytest.approx(7.5)
    assert costs["B", "shared_reserve"] == pytest.approx(7.5)
    table = plan.tables["guarantee"].set_index(["bloc", "commodity", "country", "year"])
    assert table.at[("NA", "ore", "B", 2026), "drawn"] == pytest.approx(30.0)
    assert table.at[("NA", "ore", "B", 2026), "unserved"] == pytest.approx(0.0)
    assert table.at[("NA", "ore", "A", 2025), "stock_held"] == pytest.approx(15.0)


def test_national_first_keeps_the_reserve_and_the_mine_at_home(tmp_path):
    """national_first: the reserve serves only its host A and A ships nothing to B in 2026.
    A fills only 10 (1 + 0.5 holding beats its mine at 5), B goes short by 30 kt:
    2025: 40 + 10 + 5; 2026: 30 · 100 = 3,000; total 3,055 M$ (vs 135 with the guarantee)."""
    m, result, plan = run(tmp_path, shared_reserves=reserve(30),
                          guarantees=crisis("national_first"))
    assert result.objective == pytest.approx(3055.0)
    assert ("NA", "ore", "B", 2026) not in m.reserve_draw
    assert m.reserve_draw["NA", "ore", "A", 2026].value == pytest.approx(10.0)
    assert m.flow["A", "B", "ore", 2026].value == pytest.approx(0.0)
    assert unserved(plan, "B") == pytest.approx(30.0)
    assert unserved(plan, "A") == pytest.approx(0.0)
    # one more kt allowed from A to B: filled in 2025 at 1 + 0.5 holding, shipped at 0.1,
    # instead of 100 unserved — the restriction's dual is −98.4
    assert m.dual[m.bloc_export_max["NA", "ore", "A", 2026]] == pytest.approx(-98.4)


def test_fair_sharing_equalises_curtailment(tmp_path):
    """Reserve of 20: 2026 has 10 mined + 20 drawn for 40 wanted. Without fair sharing B bears
    all 10 kt short (A's mine serves A free of transport): 60 + 10 + 50 + 1,000 = 1,120 M$.
    With it both lose 10/40 = 25 %: A 2.5, B 7.5 — A's mine sends 2.5 to B at 0.1:
    1,120.25 M$."""
    _, result, plan = run(tmp_path, shared_reserves=reserve(20), guarantees=crisis())
    assert result.objective == pytest.approx(1120.0)
    assert unserved(plan, "A") == pytest.approx(0.0)
    assert unserved(plan, "B") == pytest.approx(10.0)

    m, result, plan = run(tmp_path / "fair", shared_reserves=reserve(20),
                          guarantees=crisis(fair=True))
    assert result.objective == pytest.approx(1120.25)
    assert unserved(plan, "A") == pytest.approx(2.5)
    assert unserved(plan, "B") == pytest.approx(7.5)
    assert m.curtailment["NA", "ore", 2026].value == pytest.approx(0.25)
    shares = plan.tables["unserved"].set_index(["region", "year"])["share"]
    assert shares["A", 2026] == pytest.approx(shares["B", 2026])


def test_fair_sharing_under_national_first_shares_the_shortfall_it_makes(tmp_path):
    """national_first with an export limit of 5 kt and fair sharing: B (no mine, no reserve
    access) gets at most the 5 kt A ships, so it bears 25/30 = 5/6 curtailment, and fair sharing
    puts A's users at the same 5/6: A keeps 10/6 kt and ships 5, both from the reserve (filled
    in 2025 at 1 + 0.5 holding, cheaper than A's mine at 5), which A's mine leaves idle.
    2025: 40 + 20/3 filled + 10/3 holding; 2026: 0.5 transport + (50/6 + 25) · 100 unserved:
    3,383.83 M$."""
    m, result, plan = run(tmp_path, shared_reserves=reserve(30), guarantees=[
        {**crisis("national_first", fair=True)[0], "export_limit": 5.0}])
    assert result.objective == pytest.approx(40 + 20 / 3 + 10 / 3 + 0.5 + (50 / 6 + 25) * 100)
    assert m.curtailment["NA", "ore", 2026].value == pytest.approx(5 / 6)
    assert unserved(plan, "A") == pytest.approx(50 / 6)
    assert unserved(plan, "B") == pytest.approx(25.0)
    assert m.flow["A", "B", "ore", 2026].value == pytest.approx(5.0)
    assert m.reserve_draw["NA", "ore", "A", 2026].value == pytest.approx(20 / 3)
    assert m.act["A", "mine_a", 2026].value == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("tables", "file", "column", "words"), [
    ({"shared_reserves": [{"bloc": "NA", "commodity": "ore", "region": "CN"}]},
     "shared_reserves.csv", "region", "not a member of bloc 'NA'"),
    ({"shared_reserves": [{"bloc": "EU", "commodity": "ore", "region": "A"}]},
     "shared_reserves.csv", "bloc", "unknown bloc 'EU'"),
    ({"reserve_cost_shares": [{"bloc": "NA", "country": "A", "share": 0.5},
                              {"bloc": "NA", "country": "B", "share": 0.6}]},
     "reserve_cost_shares.csv", "share", "sum to 1.1"),
    ({"reserve_cost_shares": [{"bloc": "NA", "country": "CN", "share": 1.0}]},
     "reserve_cost_shares.csv", "country", "'CN' is not a member"),
    ({"guarantees": [{"bloc": "NA", "commodity": "ore", "policy": "selfish"}]},
     "guarantees.csv", "policy", "selfish"),
    ({"guarantees": [{"bloc": "NA", "commodity": "ore", "start_year": 2027}]},
     "guarantees.csv", "start_year", "outside the horizon"),
    ({"tracked": [{"commodity": "ore"}], "disruptions": [],
      "guarantees": [{"bloc": "NA", "commodity": "ore"}]},
     "guarantees.csv", "commodity", "tracked"),
])
def test_bad_guarantee_tables(tmp_path, tables, file, column, words):
    with pytest.raises(CaseError) as error:
        load_case(write_case(tmp_path, {**BASE, **tables}, end=2026))
    found = [p for p in error.value.problems if p.file.name == file and p.column == column]
    assert found, error.value.problems
    assert any(words in p.message for p in found), found
    assert all(p.line for p in found)


@pytest.mark.slow
def test_crisis_cases_guarantee_costs_less_than_national_first():
    """The bundled pair under the same 2030 anode disruption: the guarantee costs less than
    national first, neither leaves demand unserved, the reserve is drawn in the crisis and
    Canada ships anode to the other members only under the guarantee; the figures
    docs/data/scenarios.md quotes are these solves'."""
    solved = {}
    for name in ("crisis_guarantee", "crisis_national_first"):
        model = build_model(load_case(ROOT / "cases" / f"{name}.toml"), backend="matrix")
        result = solve(model, quiet=True)
        assert result.optimal, name
        short = float(variable_values(model, "unserved").sum())
        check_case(name, result.objective, PINNED_OBJECTIVE, short)
        assert short == pytest.approx(0.0, abs=1e-6)
        draws = variable_values(model, "reserve_draw")
        assert draws[("USMCA", "anode_graphite", "US", 2030)] == pytest.approx(83.75)
        flows = variable_values(model, "flow")
        solved[name] = (result.objective, sum(flows[("CA", to, "anode_graphite", 2030)]
                                              for to in ("US", "MX")))
    (guaranteed, shipped), (national, kept) = solved.values()
    assert guaranteed < national
    assert shipped > 1.0 and kept == pytest.approx(0.0, abs=1e-6)
