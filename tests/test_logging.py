"""The library logs through ``logging``; the command line keeps the result on standard output,
the log (HiGHS's included) on standard error and in highs.log, and shows a live status line."""

from __future__ import annotations

import logging
import re
import time

from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan import build_model, load_case, solve
from northam_plan.cli import app
from northam_plan.log import HIGHS_LOGGER, highs_progress, level_of, terminal

runner = CliRunner()


def tiny(folder, name="tiny"):
    return write_case(folder, {
        "processes": [mine(var_om=1.0)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 20}],
        "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                    "quantity": 10}]}, name=name)


def test_the_library_prints_nothing_and_logs_highs_line_by_line(tmp_path, capfd, caplog):
    model = build_model(load_case(tiny(tmp_path)))
    with caplog.at_level(logging.DEBUG, logger="northam_plan"):
        loud = solve(model)
        quiet = solve(model, quiet=True)
    assert capfd.readouterr() == ("", "")  # not a byte on the file descriptors (HiGHS's C++)
    assert loud.optimal and any(line.startswith("Model status") for line in loud.log)
    highs = [r for r in caplog.records if r.name == HIGHS_LOGGER]
    assert {r.levelno for r in highs} == {logging.INFO, logging.DEBUG}  # quiet: DEBUG
    assert [r.getMessage() for r in highs if r.levelno == logging.DEBUG] == quiet.log
    assert any(r.name == "northam_plan.solve" and "solving with HiGHS" in r.getMessage()
               for r in caplog.records)


def test_solve_keeps_the_summary_on_stdout_and_the_highs_log_apart(tmp_path):
    out = tmp_path / "result"
    result = runner.invoke(app, ["solve", str(tiny(tmp_path / "case")), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "tiny — optimal" in result.stdout
    assert "Model status" not in result.stdout and "HiGHS" not in result.stdout
    assert "Model status" in result.stderr and "solving with HiGHS" in result.stderr
    log = (out / "highs.log").read_text()
    assert "Model status        : Optimal" in log and log.endswith("\n")


def test_quiet_and_verbose_set_what_reaches_stderr(tmp_path):
    case = tiny(tmp_path / "case")
    quiet = runner.invoke(app, ["solve", str(case), "-o", str(tmp_path / "q"), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert "tiny — optimal" in quiet.stdout
    assert "Model status" in (tmp_path / "q" / "highs.log").read_text()  # kept all the same
    verbose = runner.invoke(app, ["solve", str(case), "-o", str(tmp_path / "v"), "-q", "-v"])
    assert verbose.exit_code == 0 and "Model status" in verbose.stderr  # DEBUG shown
    assert (level_of(0, True), level_of(0), level_of(1), level_of(2, True)) == (
        logging.WARNING, logging.INFO, logging.DEBUG, logging.DEBUG)


def test_compare_says_which_plans_it_reuses_and_why_it_solves(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base, other = (tiny(tmp_path / name, name).rename(tmp_path / name / f"{name}.toml")
                   for name in ("base", "other"))
    first = runner.invoke(app, ["compare", str(base), str(other), "-o", "cmp"])
    assert first.exit_code == 0, first.output
    assert f"solving {base} into results/base (no result there yet)" in first.stderr
    assert "reusing" not in first.stderr
    (other.parent / "tables" / "demand.csv").write_text(
        "region,commodity,sector,year,quantity\nUS,ore,all,2025,11\n")
    second = runner.invoke(app, ["compare", str(base), str(other), "-o", "cmp2"])
    assert second.exit_code == 0, second.output
    said = " ".join(second.stderr.split())
    assert f"reusing results/base for {base} (solved before: same case, same version)" in said
    assert f"solving {other} into results/other (the case changed since)" in said
    assert "Model status" not in second.stderr  # HiGHS's own log: only with -v


def test_highs_lines_become_a_short_progress_text():
    assert highs_progress("       8892     3.1727826821e+06 Pr: 0(0); Du: 0(5.8e-13) 0.9s") \
        == "HiGHS iteration 8,892, objective 3.173e+06"
    assert highs_progress("Presolving model") == "HiGHS: Presolving model"
    assert highs_progress("Coefficient ranges:") is None


def test_the_status_line_shows_the_stage_its_seconds_and_highs_progress(capsys, monkeypatch):
    """On a terminal (forced here) the status line follows the log: the stage from the
    library's INFO records, the detail from HiGHS's lines; it is gone when the block ends."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    monkeypatch.setenv("COLUMNS", "120")
    with terminal(quiet=True, title="solve"):
        logging.getLogger("northam_plan.solve").info("solving with HiGHS: 7 rows")
        logging.getLogger(HIGHS_LOGGER).debug("  41  1.5e+03 Pr: 2(3.1) 0.2s")
        time.sleep(1.3)
    err = capsys.readouterr().err
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err)  # the terminal's control codes out
    assert "solving with HiGHS: 7 rows 1 s HiGHS iteration 41, objective 1500" in shown
    assert err.endswith("\x1b[2K")  # transient: the line is erased at the end
    assert logging.getLogger("northam_plan").level == logging.NOTSET  # restored
