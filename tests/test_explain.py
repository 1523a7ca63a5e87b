"""Infeasible cases are explained in terms of their own rules and data rows."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan import load_case
from northam_plan.cli import app
from northam_plan.explain import explain

runner = CliRunner()

FLOOR = {  # the bloc NA = {US} has no way to produce ore, yet must supply 50 % of its use
    "countries": [{"country": "US", "cost_of_capital": 0.0},
                  {"country": "CN", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US"}, {"region": "CN", "country": "CN"}],
    "processes": [mine("mine_cn", var_om=2.0)],
    "existing_capacity": [{"region": "CN", "process": "mine_cn", "capacity": 100}],
    "links": [{"from": "CN", "to": "US", "commodity": "ore"}],
    "blocs": [{"bloc": "NA", "country": "US"}],
    "regional_shares": [{"bloc": "NA", "commodity": "ore", "share": 0.5}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}
ELEC = {"commodity": "elec", "kind": "energy", "unit": "TWh", "timesliced": True}
CO2 = {"commodity": "co2", "kind": "emission", "unit": "Mt"}


def coal(**more):
    return {"process": "coal", "family": "power", "main_output": "elec", "capex": 1000.0,
            "var_om": 2.0, "lifetime": 30, "construction_years": 5,
            "activity_per_capacity": 8.76, "capacity_credit": 1.0, **more}


POWER = {
    "regions": [{"region": "US", "country": "US", "can_build": False}],
    "commodities": [ELEC, CO2], "processes": [coal()],
    "process_io": [{"process": "coal", "commodity": "co2", "side": "output", "ratio": 1.0}],
    "existing_capacity": [{"region": "US", "process": "coal", "capacity": 2.0}],
    "demand": [{"region": "US", "commodity": "elec", "sector": "all", "year": 2025,
                "quantity": 8.76}],
}


def test_a_security_floor_that_cannot_hold_names_the_floor_and_its_row(tmp_path):
    result = explain(load_case(write_case(tmp_path, FLOOR)), elastic=True)
    assert not result.feasible
    [cause] = [c for c in result.causes if c.family == "regional_share_min"]
    assert cause.constraint == "regional_share_min[NA, ore, 2025]"
    assert cause.rows and cause.rows[0].endswith("regional_shares.csv, line 2")
    [relaxed] = result.relaxed
    assert relaxed.family == "regional_share_min"
    assert relaxed.relaxed_by == pytest.approx(5.0)  # 50 % of 10 kt that no one can produce


def test_a_reserve_margin_that_cannot_hold_names_the_margin(tmp_path):
    """2 GW of coal and no way to build: a 150 % margin over a 1 GW peak needs 2.5 GW."""
    path = write_case(tmp_path, {**POWER, "reserve_margins": [
        {"region": "US", "commodity": "elec", "margin": 1.5}]})
    result = explain(load_case(path), elastic=True)
    families = {c.family for c in result.causes}
    assert "reserve_margin_min" in families
    [relaxed] = result.relaxed
    assert relaxed.constraint == "reserve_margin_min[US, elec, 2025]"
    assert relaxed.relaxed_by == pytest.approx(0.5 * 8.76)  # 0.5 GW short, in TWh/yr
    assert relaxed.rows[0].endswith("reserve_margins.csv, line 2")


def test_a_floor_beyond_the_reserves_names_both_and_their_rows(tmp_path):
    """The US mine could make 10 kt, but only 2 kt of reserves remain; the floor asks for 5:
    the floor and the reserves together cannot hold; relaxing, the floor gives 3 kt."""
    path = write_case(tmp_path, {
        **FLOOR, "processes": [mine("mine_cn", var_om=2.0), mine("mine_us", var_om=5.0)],
        "existing_capacity": FLOOR["existing_capacity"] + [
            {"region": "US", "process": "mine_us", "capacity": 10}],
        "reserves": [{"region": "US", "commodity": "ore", "reserves": 2.0}]})
    result = explain(load_case(path), elastic=True)
    causes = {c.family: c for c in result.causes}
    assert {"regional_share_min", "extraction_max"} <= set(causes)
    assert causes["extraction_max"].rows[0].endswith("reserves.csv, line 2")
    assert sum(c.relaxed_by for c in result.relaxed) == pytest.approx(3.0)


CONTENT = {  # the US needs 10 kt of ore; USMCA mines can give 3, Chinese mines plenty
    "countries": [{"country": k, "cost_of_capital": 0.0} for k in ("US", "CN")],
    "regions": [{"region": "US", "country": "US", "can_build": False},
                {"region": "CN", "country": "CN"}],
    "processes": [mine("mine_us", var_om=10.0), mine("mine_cn", var_om=2.0)],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 3},
                          {"region": "CN", "process": "mine_cn", "capacity": 100}],
    "links": [{"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 1.0}],
    "blocs": [{"bloc": "USMCA", "country": "US"}],
    "tracked": [{"commodity": "ore"}],
    "content_rules": [{"destination": "US", "commodity": "ore", "origin": "USMCA",
                       "basis": "mined", "share": 0.4}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def test_a_content_rule_that_cannot_hold_with_demand_met_names_the_rule_and_its_row(tmp_path):
    """40 % of 10 kt must be mined in USMCA, which has 3 kt: with unserved demand allowed the
    model serves 7.5 kt (3 regional = 40 %) and prices the rest; with every demand to be met in
    full the rule cannot hold, and relaxing it, it gives 0.6·3 − 0.4·7 = −1 → by 1 kt."""
    allowed = explain(load_case(write_case(tmp_path / "a", CONTENT)))
    assert allowed.feasible
    path = write_case(tmp_path / "b", CONTENT, extra_toml="allow_unserved = false\n")
    result = explain(load_case(path), elastic=True)
    assert not result.feasible
    causes = {c.family: c for c in result.causes}
    assert causes["content_share_min"].constraint == \
        "content_share_min[US, ore, USMCA, mined, 2025]"
    assert causes["content_share_min"].rows[0].endswith("content_rules.csv, line 2")
    assert causes["activity_max"].rows[0].endswith("existing_capacity.csv, line 2")
    assert "allow_unserved = false" in causes["unserved"].constraint
    assert causes["unserved"].rows[0].endswith("demand.csv, line 2")
    [relaxed] = result.relaxed
    assert relaxed.family == "content_share_min"
    assert relaxed.relaxed_by == pytest.approx(1.0)


def test_cli_solve_points_to_explain_and_explain_lists_the_causes(tmp_path):
    path = write_case(tmp_path / "case", FLOOR)
    solved = runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert solved.exit_code == 1
    assert "infeasible" in solved.output and "northam-plan explain" in solved.output
    explained = runner.invoke(app, ["explain", str(path), "--elastic"])
    assert explained.exit_code == 1
    assert "regional_share_min[NA, ore, 2025]" in explained.output
    assert "regional_shares.csv, line 2" in explained.output
    assert "must give by 5" in explained.output


def test_explain_says_so_when_the_case_is_feasible(tmp_path):
    path = write_case(tmp_path, {**FLOOR, "regional_shares": []})
    result = runner.invoke(app, ["explain", str(path)])
    assert result.exit_code == 0 and "feasible" in result.output
