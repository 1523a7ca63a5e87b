"""Scenario decomposition with mpi-sppy (northam_plan.decomposition) against the extensive form.

Runs where the optional ``[mpi]`` extra is installed (``pip install -e ".[mpi]"``), in one
process (mpi4py with a single rank). Cases as in test_security.py: regions US and CN, ore
mined in the US or imported from China, which a disruption scenario may cut off.
"""

from __future__ import annotations

import sys

import pyomo.environ as pyo
import pytest

pytest.importorskip("mpisppy")

from casekit import mine, write_case  # noqa: E402
from northam_plan import CaseError, build_model, load_case, solve  # noqa: E402
from northam_plan.decomposition import MissingExtra, require_mpisppy, solve_ph  # noqa: E402
from northam_plan.decomposition.__main__ import main  # noqa: E402
from test_security import TWO_STAGE  # noqa: E402

BASE = TWO_STAGE  # US mines old and new, Chinese ore that a scenario may ban
BAN = {"exporter": "CN", "commodity": "ore", "limit": 0}


def extensive_form(path):
    """(objective, builds) of the extensive form, solved by HiGHS in one piece."""
    model = build_model(load_case(path))
    result = solve(model, quiet=True)
    assert result.optimal, result
    return result.objective, {key: pyo.value(model.build[key]) for key in model.build}


def assert_agree(path, **options):
    """PH + L-shaped finish and the extensive form: same objective (1e-6 relative), same
    first-stage builds."""
    objective, builds = extensive_form(path)
    result = solve_ph(load_case(path), **options)
    assert result.optimal, result.summary()
    assert result.objective == pytest.approx(objective, rel=1e-6)
    assert result.outer <= result.objective + 1e-9 * abs(objective)
    assert result.gap <= 1e-6
    assert result.builds.keys() == builds.keys()
    for key, value in builds.items():
        assert result.builds[key] == pytest.approx(value, rel=1e-6, abs=1e-6), key
    return result, objective, builds


def test_hedging_build_of_the_hand_solved_two_stage_case(tmp_path):
    """test_security.test_two_stage_build_hedges_between_scenarios: calm (p = 0.9) alone
    builds nothing, ban (p = 0.1) alone 10 kt/yr; together 5 kt/yr at 37.5 M$. PH stopped
    after 5 iterations is still far from it; the finish must close the gap."""
    path = write_case(tmp_path, {
        **BASE,
        "scenarios": [{"scenario": "calm", "probability": 0.9},
                      {"scenario": "ban", "probability": 0.1}],
        "disruptions": [{**BAN, "scenario": "ban"}]})
    result, objective, builds = assert_agree(path, ph_iterations=5)
    assert objective == pytest.approx(37.5)
    assert result.builds["US", "new_mine", 2025] == pytest.approx(5.0)
    assert result.ph_iterations == 5
    assert result.trivial_bound == pytest.approx(0.9 * 30 + 0.1 * 40)  # wait-and-see
    # both are lower bounds; the Lagrangian one is -inf when a scenario with W but without
    # the proximal term is unbounded (as calm is here after 5 iterations)
    assert max(result.trivial_bound, result.lagrangian_bound) <= result.outer + 1e-9


def test_three_scenarios_over_three_discounted_years(tmp_path):
    """Growing demand, a 5 % discount rate, a partial cut from 2026 and a full ban from 2027:
    several first-stage builds across the years, all equal to the extensive form's."""
    path = write_case(tmp_path, {
        **BASE,
        "processes": [mine("new_mine", capex=6.0, lifetime=3, var_om=2.0, max_build=20),
                      mine("old_mine", var_om=8.0, capex=1000.0),
                      mine("mine_cn", var_om=2.0, capex=1000.0)],
        "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                    "quantity": 10},
                   {"region": "US", "commodity": "ore", "sector": "all", "year": 2027,
                    "quantity": 16}],
        "scenarios": [{"scenario": "calm", "probability": 0.5},
                      {"scenario": "partial", "probability": 0.3},
                      {"scenario": "ban", "probability": 0.2}],
        "disruptions": [{**BAN, "limit": 4, "start_year": 2026, "scenario": "partial"},
                        {**BAN, "start_year": 2027, "scenario": "ban"}]},
        end=2027, discount_rate=0.05)
    result, _, builds = assert_agree(path, ph_iterations=10)
    assert sum(value > 1e-6 for value in builds.values()) >= 2  # a non-trivial first stage
    assert result.polish_iterations >= 1


def test_a_case_without_scenarios_is_a_clear_error(tmp_path, capsys):
    path = write_case(tmp_path, BASE)
    with pytest.raises(CaseError, match="no disruption scenarios"):
        solve_ph(load_case(path))
    assert main([str(path)]) == 2
    assert "scenarios.csv" in capsys.readouterr().err


def test_the_command_line_entry_solves_in_one_process(tmp_path, capsys):
    path = write_case(tmp_path, {
        **BASE,
        "scenarios": [{"scenario": "calm", "probability": 0.9},
                      {"scenario": "ban", "probability": 0.1}],
        "disruptions": [{**BAN, "scenario": "ban"}]})
    assert main([str(path), "--ph-iterations", "3"]) == 0
    out = capsys.readouterr().out
    assert "status      optimal on 1 rank(s)" in out
    assert "objective   37.5" in out


def test_without_the_extra_the_message_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpisppy.opt.ph", None)  # import fails as if missing
    with pytest.raises(MissingExtra, match=r'pip install -e "\.\[mpi\]"'):
        require_mpisppy()
