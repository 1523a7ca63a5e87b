"""Infeasible cases are explained in terms of their own rules and data rows."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan import load_case
from northam_plan.cli import app
from northam_plan.solve.explain import explain

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
    assert explained.exit_code == 0  # explained (it was 1, as if explaining had failed)
    assert "regional_share_min[NA, ore, 2025]" in explained.stdout
    assert "regional_shares.csv, line 2" in explained.stdout
    assert "must give by 5 kt/yr" in explained.stdout  # the relaxation has its unit


def test_explain_says_so_when_the_case_is_feasible(tmp_path):
    path = write_case(tmp_path, {**FLOOR, "regional_shares": []})
    result = runner.invoke(app, ["explain", str(path)])
    assert result.exit_code == 0 and "feasible" in result.output


def infeasible_cases(tmp_path) -> dict:
    """The infeasible cases above, each with the diagnosis line it must print."""
    return {
        "floor": (write_case(tmp_path / "floor", FLOOR),
                  "Infeasible: the NA sourcing floor for ore in 2025 cannot hold: short by 5 "
                  "kt/yr."),
        "margin": (write_case(tmp_path / "margin", {**POWER, "reserve_margins": [
            {"region": "US", "commodity": "elec", "margin": 1.5}]}),
            "Infeasible: the reserve margin for elec in US 2025 cannot hold: short by 4.38 "
            "TWh/yr."),
        "reserves": (write_case(tmp_path / "reserves", {
            **FLOOR, "processes": [mine("mine_cn", var_om=2.0), mine("mine_us", var_om=5.0)],
            "existing_capacity": FLOOR["existing_capacity"] + [
                {"region": "US", "process": "mine_us", "capacity": 10}],
            "reserves": [{"region": "US", "commodity": "ore", "reserves": 2.0}]}),
            "Infeasible: the ore reserves of US cannot cover the extraction up to 2025: short "
            "by 3 kt."),
        "content": (write_case(tmp_path / "content", CONTENT,
                               extra_toml="allow_unserved = false\n"),
                    "Infeasible: the rule of origin for ore delivered to US in 2025 (mined in "
                    "USMCA) cannot hold: short by 1 kt/yr."),
    }


@pytest.mark.parametrize("name", ["floor", "margin", "reserves", "content"])
def test_explain_starts_with_a_one_line_diagnosis_with_its_unit(tmp_path, name):
    """Each infeasible case: first line = what cannot hold, by how much, in which unit; exit 0;
    nothing but the explanation on standard output."""
    path, expected = infeasible_cases(tmp_path)[name]
    result = runner.invoke(app, ["explain", str(path), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == expected
    assert result.stderr == ""  # -q: no progress messages


def test_demand_that_cannot_be_met_is_the_diagnosis_when_no_rule_can_give(tmp_path):
    """No hard rule, 3 kt of capacity, 10 kt wanted, unserved demand forbidden: the diagnosis is
    the demand itself, short by 7 kt/yr."""
    path = write_case(tmp_path, {
        "regions": [{"region": "US", "country": "US", "can_build": False}],
        "processes": [mine(var_om=1.0)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 3}],
        "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                    "quantity": 10}]}, extra_toml="allow_unserved = false\n")
    result = explain(load_case(path))
    assert result.diagnosis == "demand for ore in US 2025 cannot be met: short by 7 kt/yr"
    assert result.explained and result.relaxed == []  # listed only with elastic=True
    [relaxed] = explain(load_case(path), elastic=True).relaxed
    assert relaxed.family == "unserved" and relaxed.relaxed_by == pytest.approx(7.0)
    assert relaxed.unit == "kt/yr" and relaxed.rows[0].endswith("demand.csv, line 2")


def test_the_subset_is_grouped_by_family_with_each_data_row_once(tmp_path):
    """A floor over three years: three members of one family, one CSV row behind them, shown
    once; demand rows are those of the member's own year."""
    path = write_case(tmp_path, {**FLOOR, "demand": [
        {"region": "US", "commodity": "ore", "sector": "all", "year": year, "quantity": 10}
        for year in (2025, 2026, 2027)]}, end=2027)
    result = runner.invoke(app, ["explain", str(path)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  regional_share_min (3):" in out
    assert out.count("regional_shares.csv, line 2") == 1
    assert out.splitlines()[0].startswith("Infeasible: the NA sourcing floor for ore in 2025 "
                                          "cannot hold: short by 5 kt/yr (and 2 more")
    path = write_case(tmp_path / "b", CONTENT_YEARS, extra_toml="allow_unserved = false\n",
                      end=2026)
    unserved = [c for c in explain(load_case(path)).causes if c.family == "unserved"]
    assert {c.index[2]: [row.rsplit(", ", 1)[1] for row in c.rows] for c in unserved} == {
        2025: ["line 2"], 2026: ["line 3"]}
    out = runner.invoke(app, ["explain", str(path)]).stdout
    assert "demand.csv, lines 2, 3" in out and "demand.csv, line 2;" not in out


CONTENT_YEARS = {**CONTENT, "demand": [
    {"region": "US", "commodity": "ore", "sector": "all", "year": year, "quantity": 10}
    for year in (2025, 2026)]}
