"""Untrusted case files: data only, read only inside allowed folders, bounded in size,
writing only to the result folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan import CaseError, load_case
from northam_plan.case import tables as table_reader
from northam_plan.case.roots import ENV
from northam_plan.cli import app
from northam_plan.pipeline import run_case

TINY = {"processes": [mine(var_om=2.0)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10}],
        "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                    "quantity": 8}]}


REPOSITORY = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(autouse=True)
def elsewhere(tmp_path, monkeypatch):
    """Run from an empty folder of its own (the current directory is a folder a case may
    read) with no data roots configured."""
    monkeypatch.delenv(ENV, raising=False)
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def copied_layout(folder: Path) -> Path:
    """The repository's cases/ and data/ copied side by side into ``folder``."""
    for name in ("cases", "data"):
        shutil.copytree(REPOSITORY / name, folder / name)
    return folder


def split_case(tmp_path):
    """A case file in project/cases/ whose tables sit in shared/tiny/ (outside its project)."""
    write_case(tmp_path / "shared" / "tiny", TINY)
    case = tmp_path / "project" / "cases" / "case.toml"
    case.parent.mkdir(parents=True)
    case.write_text('name = "split"\ntables = "../../shared/tiny/tables"\n'
                    "[years]\nstart = 2025\nend = 2025\n")
    return case, tmp_path / "shared"


def test_tables_outside_the_case_folder_need_a_data_root(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    case, shared = split_case(tmp_path)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    [problem] = caught.value.problems
    assert problem.column == "tables" and "outside the folders this case may read" in \
        problem.message
    assert load_case(case, data_roots=[shared]).tables["demand"]["quantity"].sum() == 8
    monkeypatch.setenv(ENV, str(shared))
    assert load_case(case).name == "split"


def test_cli_data_root_option_allows_the_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    case, shared = split_case(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["validate", str(case)]).exit_code == 2
    allowed = runner.invoke(app, ["validate", str(case), "--data-root", str(shared)])
    assert allowed.exit_code == 0, allowed.output
    solved = runner.invoke(app, ["solve", str(case), "--data-root", str(shared), "-q",
                                 "--out", str(tmp_path / "out")])
    assert solved.exit_code == 0, solved.output


def test_extends_into_another_folder_needs_a_data_root(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    base = write_case(tmp_path / "base", TINY)
    scenario = tmp_path / "project" / "scenarios" / "more.toml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text('extends = "../../base/case.toml"\nname = "more"\n[[override]]\n'
                        'table = "demand"\nset = { quantity = 9 }\n')
    with pytest.raises(CaseError) as caught:
        load_case(scenario)
    assert caught.value.problems[0].column == "extends"
    assert load_case(scenario, data_roots=[base.parent]).tables["demand"]["quantity"].sum() == 9


def test_cells_are_data_never_code(tmp_path):
    marker = tmp_path / "executed"
    path = write_case(tmp_path / "case", {**TINY, "processes": [mine(
        var_om=2.0, source=f"__import__('os').system('touch {marker}')")]})
    case = load_case(path)
    assert case.tables["processes"]["source"].iloc[0].startswith("__import__")
    run_case(path, tmp_path / "out", write=True)
    assert not marker.exists()


def test_a_table_larger_than_the_limit_is_refused_while_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(table_reader, "MAX_ROWS", 100)
    path = write_case(tmp_path / "case", {**TINY, "demand": [
        {"region": "US", "commodity": "ore", "sector": f"s{i}", "year": 2025, "quantity": 1}
        for i in range(1_000)]})
    with pytest.raises(CaseError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert problem.file.name == "demand.csv" and "more than 100 rows" in problem.message


def test_solve_writes_only_its_result_folder(tmp_path):
    path = write_case(tmp_path / "case", TINY)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = tmp_path / "results" / "tiny"
    for _ in range(2):  # the second run replaces the first
        result = CliRunner().invoke(app, ["solve", str(path), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.output
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    new = [p for p in after if p not in before]
    assert all(p.parts[:2] == ("results", "tiny") or p.parts == ("results",) for p in new), new
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["tiny"]


# --- the project of a case, the current directory -----------------------------------------------
def test_the_bundled_layout_copied_anywhere_validates_with_no_flag(tmp_path, monkeypatch):
    project = copied_layout(tmp_path / "my project")
    monkeypatch.chdir(project)  # as the README says, from the project's folder
    result = runner.invoke(app, ["validate", "cases/reference.toml"])
    assert result.exit_code == 0, result.output
    assert "valid: USMCA reference" in result.output
    monkeypatch.chdir(tmp_path / "elsewhere")  # the project alone allows it, from anywhere
    result = runner.invoke(app, ["validate", str(project / "cases" / "reference.toml")])
    assert result.exit_code == 0, result.output
    case = load_case(project / "cases" / "tariff25_non_usmca.toml")  # extends inside too
    assert Path(case.path).resolve().is_relative_to(project.resolve())


def test_the_current_directory_may_be_read(tmp_path, monkeypatch):
    write_case(tmp_path / "work" / "shared", TINY)
    case = tmp_path / "work" / "deep" / "cases" / "case.toml"  # its project: work/deep
    case.parent.mkdir(parents=True)
    case.write_text('name = "deep"\ntables = "../../shared/tables"\n'
                    "[years]\nstart = 2025\nend = 2025\n")
    assert runner.invoke(app, ["validate", str(case)]).exit_code == 2  # from elsewhere
    monkeypatch.chdir(tmp_path / "work")
    result = runner.invoke(app, ["validate", str(case)])
    assert result.exit_code == 0, result.output


def test_a_symlink_out_of_the_project_is_refused(tmp_path):
    project = copied_layout(tmp_path / "project")
    outside = tmp_path / "outside"
    outside.mkdir()
    demand = project / "data" / "reference" / "demand.csv"
    shutil.move(demand, outside / "demand.csv")
    demand.symlink_to(outside / "demand.csv")  # a table file linking out of the project
    result = runner.invoke(app, ["validate", str(project / "cases" / "reference.toml")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "demand.csv" in result.output and "outside the folders this case may read" in \
        result.output and "--data-root" in result.output
    assert runner.invoke(app, ["validate", str(project / "cases" / "reference.toml"),
                               "--data-root", str(outside)]).exit_code == 0


def test_a_linked_tables_folder_or_dotdot_out_of_the_project_is_refused(tmp_path):
    project = copied_layout(tmp_path / "project")
    shutil.move(project / "data", tmp_path / "outside")
    (project / "data").symlink_to(tmp_path / "outside")  # data/ itself links out
    result = runner.invoke(app, ["validate", str(project / "cases" / "reference.toml")])
    assert result.exit_code == 2 and "outside the folders this case may read" in \
        result.output, result.output
    (project / "data").unlink()
    escaping = project / "cases" / "escape.toml"  # .. above the project
    escaping.write_text('name = "escape"\ntables = "../../outside/reference"\n'
                        "[years]\nstart = 2025\nend = 2025\n")
    result = runner.invoke(app, ["validate", str(escaping)])
    assert result.exit_code == 2 and "outside the folders this case may read" in \
        result.output, result.output
    assert "Traceback" not in result.output


def test_the_home_folder_is_never_a_project(tmp_path, monkeypatch):
    """A case file in ~/Downloads reads its own folder, not the home folder above it."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    write_case(home / "private", TINY)
    case = home / "Downloads" / "case.toml"
    case.parent.mkdir(parents=True)
    case.write_text('name = "nosy"\ntables = "../private/tables"\n'
                    "[years]\nstart = 2025\nend = 2025\n")
    with pytest.raises(CaseError, match="outside the folders this case may read"):
        load_case(case)
    monkeypatch.chdir(home)  # nor is it one as the current directory
    with pytest.raises(CaseError, match="outside the folders this case may read"):
        load_case(case)
    assert load_case(case, data_roots=[home]).name == "nosy"  # named, it is allowed
