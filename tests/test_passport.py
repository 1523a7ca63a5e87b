"""Product passport: origin tags, tariffs by origin, rules of origin, forced labour — by hand.

Regions US, MX, CN (one per country), bloc USMCA = {US, MX}; one year, discount rate 0.
Ore (reference price 10 M$/kt) is mined in China at 2 M$/kt and in the US at 10 M$/kt; the US
needs 10 kt. Shipping CN → US costs 1 M$/kt; CN → MX and MX → US 0.6 each. China's ore pays
25 % (2.5 M$/kt) entering the US.
"""

from __future__ import annotations

import pandas as pd
import pytest

from casekit import mine, write_case
from generated import random_tables
from northam_plan import CaseError, build_model, extract_plan, load_case, solve
from northam_plan.plan.passport import PASSPORT_TABLES

COUNTRIES = [{"country": k, "cost_of_capital": 0.0} for k in ("US", "MX", "CN")]
BASE = {
    "countries": COUNTRIES,
    "regions": [{"region": k, "country": k} for k in ("US", "MX", "CN")],
    "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt",
                     "reference_price": 10.0}],
    "processes": [mine("mine_us", var_om=10.0), mine("mine_cn", var_om=2.0)],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 100},
                          {"region": "CN", "process": "mine_cn", "capacity": 100}],
    "links": [{"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 1.0},
              {"from": "CN", "to": "MX", "commodity": "ore", "transport_cost": 0.6},
              {"from": "MX", "to": "US", "commodity": "ore", "transport_cost": 0.6}],
    "blocs": [{"bloc": "USMCA", "country": "US"}, {"bloc": "USMCA", "country": "MX"}],
    "tracked": [{"commodity": "ore"}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def run(tmp_path, **tables):
    case = load_case(write_case(tmp_path, {**BASE, **tables}))
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return model, result, extract_plan(model, case)


def tariff(basis, rate=0.25):
    return [{"from": "CN", "to": "US", "commodity": "ore", "rate": rate, "basis": basis}]


@pytest.mark.parametrize("basis, tracked, objective, via_mexico", [
    ("shipper", True, 32.0, 10.0),   # 2 + 0.6 + 0.6 = 3.2 via MX beats 2 + 1 + 2.5 = 5.5
    ("mined", True, 55.0, 0.0),      # via MX now 3.2 + 2.5 = 5.7 > 5.5 direct
    ("mined", False, 32.0, 10.0),    # untracked: origin unknown, applied to the shipper
])
def test_transshipment_through_mexico(tmp_path, basis, tracked, objective, via_mexico):
    m, result, plan = run(tmp_path, tariffs=tariff(basis),
                          tracked=BASE["tracked"] if tracked else [])
    assert result.objective == pytest.approx(objective)
    assert m.flow["MX", "US", "ore", 2025].value == pytest.approx(via_mexico)
    revenue = plan.tables["tariff_revenue"]
    assert revenue["revenue"].sum() == pytest.approx(25.0 if objective == 55.0 else 0.0)
    if objective == 55.0:
        assert revenue.iloc[0][["from", "to", "basis"]].tolist() == ["CN", "US", "mined"]
        flows = plan.tables["flows"].set_index(["from", "to"])
        assert flows.at[("CN", "US"), "tariff_cost"] == pytest.approx(25.0)


def test_content_rule_forces_a_costlier_regional_source(tmp_path):
    """40 % of US deliveries mined in USMCA: 4 kt from the US mine at 10 instead of Chinese
    ore via Mexico at 3.2 costs 4 × 6.8 = 27.2 M$ more (32 → 59.2). Its dual: one more unit
    of regional content replaces one unit at 3.2 by one at 10 = 6.8 M$."""
    rule = [{"destination": "US", "commodity": "ore", "origin": "USMCA", "basis": "mined",
             "share": 0.4}]
    m, result, plan = run(tmp_path, tariffs=tariff("shipper"), content_rules=rule)
    assert result.objective == pytest.approx(32.0 + 4 * 6.8)
    key = ("US", "ore", "USMCA", "mined", 2025)
    assert m.dual[m.content_share_min[key]] == pytest.approx(6.8)
    passport = plan.tables["passport"].set_index(["mined_in", "processed_in"])
    assert passport["quantity"].to_dict() == pytest.approx({("US", ""): 4.0, ("CN", ""): 6.0})
    assert passport["share"].sum() == pytest.approx(1.0)
    assert passport.at[("US", ""), "satisfies"].startswith("mined in USMCA")
    summary = plan.tables["passport_summary"].set_index("rule")
    assert summary.at["content USMCA (mined) to US", "share"] == pytest.approx(0.4)
    assert summary.at["content USMCA (mined) to US", "cost"] == pytest.approx(6.8)
    assert summary.at["processed in USMCA", "share"] == pytest.approx(0.4)


REFINED = {
    "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt"},
                    {"commodity": "metal", "kind": "material", "unit": "kt"}],
    "processes": [mine("mine_us", var_om=20.0), mine("mine_cn", var_om=1.0),
                  {"process": "refinery", "family": "refinery", "main_output": "metal",
                   "capex": 0.0, "var_om": 1.0, "lifetime": 30, "construction_years": 0}],
    "process_io": [{"process": "refinery", "commodity": "ore", "side": "input", "ratio": 1.0}],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 100},
                          {"region": "CN", "process": "mine_cn", "capacity": 100},
                          {"region": "MX", "process": "refinery", "capacity": 100},
                          {"region": "US", "process": "refinery", "capacity": 100}],
    "links": [{"from": "CN", "to": "MX", "commodity": "ore", "transport_cost": 0.5},
              {"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 0.5},
              {"from": "MX", "to": "US", "commodity": "metal", "transport_cost": 0.5}],
    "tracked": [{"commodity": "ore"}, {"commodity": "metal"}],
    "demand": [{"region": "US", "commodity": "metal", "sector": "all", "year": 2025,
                "quantity": 10},
               {"region": "MX", "commodity": "metal", "sector": "all", "year": 2025,
                "quantity": 5}],
}


@pytest.mark.parametrize("flagged, objective", [([], 37.5), (["CN"], 222.5)])
def test_excluded_origin_never_reaches_the_flagged_destination(tmp_path, flagged, objective):
    """Metal = 1 kt ore refined at 1 M$/kt. Unflagged, both countries refine Chinese ore
    (1 + 0.5 transport + 1 = 2.5 M$/kt): 10 × 2.5 + 5 × 2.5 = 37.5. With China flagged for the
    US, no ore or metal mined in CN may enter or be refined in the US — not even as metal
    refined in Mexico: US ore at 20 + 1 = 21 → 210, while Mexico still refines Chinese ore:
    210 + 12.5 = 222.5."""
    tables = {**BASE, **REFINED, "forced_labour": [
        {"origin": k, "destination": "US"} for k in flagged]}
    m, result, plan = run(tmp_path, **tables)
    assert result.objective == pytest.approx(objective)
    passport = plan.tables["passport"]
    for (r, c, t), share in passport.groupby(["region", "commodity", "year"])["share"].sum(
            ).items():
        assert share == pytest.approx(1.0)
    mx = passport[passport["region"] == "MX"].set_index(["mined_in", "processed_in"])
    assert mx["quantity"].to_dict() == pytest.approx({("CN", "MX"): 5.0})
    if flagged:
        assert not any(mr == "CN" for (a, b, c, mr, pr, t) in m.flow_tag if b == "US")
        us = passport[passport["region"] == "US"]
        assert us[["mined_in", "processed_in", "quantity"]].values.tolist() == [
            ["US", "US", pytest.approx(10.0)]]
        summary = plan.tables["passport_summary"].set_index(["region", "rule"])
        assert summary.at[("US", "excluded CN (either) to US"), "share"] == pytest.approx(1.0)


@pytest.mark.parametrize("what", ["tariff", "share"])
def test_raising_a_tariff_or_content_share_never_lowers_the_objective(tmp_path, what):
    objectives = []
    for i, x in enumerate((0.0, 0.1, 0.25, 0.5, 0.9)):
        tables = {"tariffs": tariff("mined", x)} if what == "tariff" else {
            "tariffs": tariff("processed"), "content_rules": [
                {"destination": "USMCA", "commodity": "ore", "origin": "US", "share": x}]}
        objectives.append(run(tmp_path / str(i), **tables)[1].objective)
    assert all(b >= a - 1e-7 for a, b in zip(objectives, objectives[1:])), objectives
    assert objectives[-1] > objectives[0]


def test_tagged_stock_before_a_ban(tmp_path):
    """As test_security's stockpile case, with ore tracked: the US has no mine and China bans
    ore exports in 2027; holding costs 0.5 M$/kt a year. Fill 10 kt in 2026: 30 + 60 + 5 = 95
    M$ (China's ore at 2 + 1 transport, shipped direct); the stock drawn in 2027 is mined in
    CN."""
    case = load_case(write_case(tmp_path, {
        **BASE, "processes": [mine("mine_cn", var_om=2.0)],
        "existing_capacity": [{"region": "CN", "process": "mine_cn", "capacity": 100}],
        "links": BASE["links"][:1],
        "disruptions": [{"exporter": "CN", "commodity": "ore", "start_year": 2027, "limit": 0}],
        "stockpiles": [{"region": "US", "commodity": "ore", "holding_cost": 0.5}]}, end=2027))
    m = build_model(case)
    assert solve(m, quiet=True).objective == pytest.approx(95.0)
    assert m.stock_draw_tag["US", "ore", "CN", "", 2027].value == pytest.approx(10.0)
    assert m.stock_tag["US", "ore", "CN", "", 2026].value == pytest.approx(10.0)


@pytest.mark.parametrize("seed", [3, 11])
def test_tagged_balance_conserves_mass_on_a_generated_case(tmp_path, seed):
    """With every commodity tracked and no origin rule, the optimum is unchanged, and the
    untagged solution (act, flow and unserved held at their values) splits into tags."""
    tables = random_tables(seed, regions=4, chains=2)
    plain = load_case(write_case(tmp_path / "plain", tables, end=2029))
    m0 = build_model(plain)
    r0 = solve(m0, quiet=True)
    assert r0.optimal
    tracked = {**tables, "tracked": [{"commodity": c["commodity"]}
                                     for c in tables["commodities"]]}
    case = load_case(write_case(tmp_path / "tracked", tracked, end=2029))
    m1 = build_model(case)
    r1 = solve(m1, quiet=True)
    assert r1.objective == pytest.approx(r0.objective, rel=1e-7)

    m2 = build_model(case)
    for name in ("act", "flow", "unserved"):
        for key, var in getattr(m0, name).items():
            value = var.value or 0.0  # within the solver's tolerance of the optimum
            getattr(m2, name)[key].setlb(max(0.0, value - 1e-7))
            getattr(m2, name)[key].setub(value + 1e-7)
    r2 = solve(m2, quiet=True)
    assert r2.optimal and r2.objective == pytest.approx(r0.objective, rel=1e-6)
    for (a, b, c, t), var in m2.flow.items():
        split = sum(v.value or 0.0 for k, v in m2.flow_tag.items() if k[:3] == (a, b, c)
                    and k[-1] == t)
        assert split == pytest.approx(m0.flow[a, b, c, t].value, abs=1e-6)
    demand = plain.demand_by_year.groupby(["region", "commodity", "year"])["quantity"].sum()
    delivered = {}
    for (r, c, _, _, t), var in m2.deliver_tag.items():
        delivered[r, c, t] = delivered.get((r, c, t), 0.0) + (var.value or 0.0)
    for (r, c, t), var in m2.unserved.items():
        assert delivered.get((r, c, t), 0.0) + var.value == pytest.approx(demand[r, c, t],
                                                                         abs=1e-6)
    plan = extract_plan(m1, case)
    shares = plan.tables["passport"].groupby(["region", "commodity", "year"])["share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)


@pytest.mark.parametrize("tables, file, column, fragment", [
    ({"stockpiles": [{"region": "US", "commodity": "ore", "initial_stock": 5}]},
     "stockpiles.csv", "initial_stock", "not supported yet with tracking"),
    ({"tracked": [], "content_rules": [{"destination": "US", "commodity": "ore",
                                        "origin": "USMCA", "share": 0.5}]},
     "content_rules.csv", "commodity", "is not tracked"),
    ({"content_rules": [{"destination": "EU", "commodity": "ore", "origin": "USMCA",
                         "share": 0.5}]},
     "content_rules.csv", "destination", "unknown country or bloc 'EU'"),
    ({"forced_labour": [{"origin": "XJ", "destination": "US"}]},
     "forced_labour.csv", "origin", "unknown country, bloc or region 'XJ'"),
    ({"tariffs": [{"from": "CN", "to": "US", "commodity": "ore", "rate": 0.1,
                   "basis": "origin"}]},
     "tariffs.csv", "basis", "expected one of shipper, mined, processed"),
])
def test_passport_tables_are_validated(tmp_path, tables, file, column, fragment):
    with pytest.raises(CaseError) as caught:
        load_case(write_case(tmp_path, {**BASE, **tables}))
    [problem] = caught.value.problems
    assert str(problem.file).endswith(file) and problem.column == column
    assert fragment in problem.message


def test_two_tracked_inputs_are_refused(tmp_path):
    tables = {**BASE, **REFINED, "process_io": REFINED["process_io"] + [
        {"process": "refinery", "commodity": "metal", "side": "input", "ratio": 0.1}]}
    with pytest.raises(CaseError) as caught:
        load_case(write_case(tmp_path, tables))
    assert "at most one" in caught.value.problems[0].message


def test_passport_in_plan_nc(tmp_path):
    import xarray as xr

    from northam_plan.plan.write import write_plan
    _, _, plan = run(tmp_path, tariffs=tariff("mined"))
    write_plan(plan, {"objective": 55.0}, tmp_path / "out")
    with xr.open_dataset(tmp_path / "out" / "plan.nc") as ds:
        assert float(ds["passport"].sel(region="US", commodity="ore", year=2025,
                                        mined_in="CN", processed_in="")) == pytest.approx(10)
    assert (tmp_path / "out" / "tables" / "passport.csv").is_file()


def test_without_the_passport_tables_the_rest_of_the_plan_is_the_same(tmp_path):
    """A tariff on ore mined in China, paid per origin by tracked flows: leaving the passport
    tables out (as the explorer does) still completes the flows' tariffs and the prices, and
    keeps the tariff revenue; only the passport and its summary are missing, named as such."""
    case = load_case(write_case(tmp_path, {**BASE, "tariffs": tariff("mined")}))
    model = build_model(case)
    assert solve(model, quiet=True).objective == pytest.approx(55.0)
    whole = extract_plan(model, case)
    part = extract_plan(model, case, without=("passport",))
    assert set(whole.tables) - set(part.tables) == set(PASSPORT_TABLES) == part.left_out
    for name, frame in part.tables.items():
        pd.testing.assert_frame_equal(frame, whole.tables[name])
    revenue = part.tables["tariff_revenue"].set_index("basis")
    assert revenue.at["mined", "revenue"] == pytest.approx(25.0)  # 10 kt × 25 % × 10 M$/kt
    assert part.tables["flows"]["tariff_cost"].sum() == pytest.approx(25.0)
