"""``--highs-option key=value`` on solve and sweep: any HiGHS option, checked by HiGHS itself;
a bad one is a clear error with exit code 2 before anything is solved."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from casekit import TWO_MINES, write_case
from northam_plan.cli import app
from northam_plan.solve.highs_options import HighsOptionError, parse_highs_options

runner = CliRunner()


def test_values_take_the_type_of_the_option():
    assert parse_highs_options(["presolve=off", "threads=2", "time_limit=5",
                                "ipm_optimality_tolerance=1e-7", "run_crossover=off",
                                "allow_unbounded_or_infeasible=on"]) == {
        "presolve": "off", "threads": 2, "time_limit": 5.0, "ipm_optimality_tolerance": 1e-7,
        "run_crossover": "off", "allow_unbounded_or_infeasible": True}
    assert isinstance(parse_highs_options(["time_limit=5"])["time_limit"], float)


def test_every_bad_option_is_reported_with_what_was_expected():
    bad = ["nope=1", "threads=2.5", "presolve=maybe", "simplex_strategy=99", "solver",
           "output_flag=true", "allow_unbounded_or_infeasible=perhaps", "time_limit=soon"]
    with pytest.raises(HighsOptionError) as caught:
        parse_highs_options(bad)
    problems = caught.value.problems
    assert len(problems) == len(bad)
    for expected in ("'nope=1': HiGHS has no option 'nope'",
                     "'threads=2.5': expected a whole number",
                     'Value "maybe" for presolve option is not one of "off", "choose" or "on"',
                     'Value 99 for option "simplex_strategy" is above upper bound of 4',
                     "'solver': expected key=value",
                     "output_flag is set by northam-plan",
                     "expected true or false", "'time_limit=soon': expected a number"):
        assert any(expected in p for p in problems), expected


def test_solve_passes_the_options_to_highs(tmp_path):
    path = write_case(tmp_path / "case", TWO_MINES)
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(path), "--out", str(out), "-q",
                                 "--highs-option", "presolve=off",
                                 "--highs-option", "simplex_strategy=4"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(30.0)  # 10 kt from CN at 2 + 1 M$/kt
    assert summary["options"]["solve"]["highs_options"] == {"presolve": "off",
                                                            "simplex_strategy": 4}
    log = (out / "highs.log").read_text()
    assert "without presolve" in log and "Using primal simplex solver" in log
    assert "Presolving model" not in log


def test_a_bad_option_exits_2_and_solves_nothing(tmp_path):
    path = write_case(tmp_path / "case", TWO_MINES)
    out = tmp_path / "out"
    for command in (["solve", str(path)], ["sweep", str(path), "--vary",
                                           "tariffs.rate=0,1", "--sequential"]):
        result = runner.invoke(app, [*command, "--out", str(out), "--highs-option",
                                     "presolve=maybe", "--highs-option", "nope=1"])
        assert result.exit_code == 2, result.output
        assert "Invalid --highs-option (2 problems)" in result.output
        assert "HiGHS has no option 'nope'" in result.output
        assert "Traceback" not in result.output and not out.exists()


def test_auto_uses_interior_point_from_ipm_from_variables():
    import highspy

    from northam_plan.solve import IPM_FROM, SolveOptions, by_size
    from northam_plan.solve.highs_options import set_highs_options

    def solver_of(options: SolveOptions, variables: int) -> tuple[str, str]:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        set_highs_options(highs, options.highs_options)  # as solve() does, before by_size
        by_size(highs, options, variables)
        return highs.getOptionValue("solver")[1], highs.getOptionValue("run_crossover")[1]

    assert IPM_FROM == 100_000  # above every bundled case (benchmarks/README.md)
    assert solver_of(SolveOptions(), IPM_FROM - 1) == ("choose", "on")
    assert solver_of(SolveOptions(), IPM_FROM) == ("ipm", "on")
    assert solver_of(SolveOptions(algorithm="simplex"), 10 * IPM_FROM)[0] == "choose"
    # an explicit --highs-option wins
    assert solver_of(SolveOptions(highs_options={"solver": "simplex"}), IPM_FROM)[0] == "simplex"
    assert solver_of(SolveOptions(highs_options={"run_crossover": "off"}), IPM_FROM) == \
        ("ipm", "off")
