"""Written results follow the user's umask: under umask 022 folders are 0755 and files 0644, so
colleagues on a shared disk can read them (tempfile's private 0700/0600 staging modes used to
survive the rename into place)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casekit import TWO_MINES, write_case
from northam_plan.cli import app
from northam_plan.files import atomic_write_text, file_mode, folder_mode, staging_folder
from northam_plan.scenarios.sweep import run_sweep

runner = CliRunner()


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_under(folder: Path) -> dict[str, set[int]]:
    """{"folders": modes of folder and every folder in it, "files": modes of every file}."""
    found = {"folders": {mode(folder)}, "files": set()}
    for path in folder.rglob("*"):
        found["folders" if path.is_dir() else "files"].add(mode(path))
    return found


@pytest.mark.parametrize("umask, folders, files", [(0o022, 0o755, 0o644),
                                                   (0o027, 0o750, 0o640),
                                                   (0o077, 0o700, 0o600)])
def test_the_helper_gives_what_mkdir_and_open_give(tmp_path, umask, folders, files):
    previous = os.umask(umask)
    try:
        assert (folder_mode(), file_mode()) == (folders, files)
        staging = staging_folder(tmp_path / "result")
        assert staging.parent == tmp_path and staging.name.startswith(".result.")
        assert mode(staging) == folders
        (tmp_path / "plain").mkdir()
        assert mode(tmp_path / "plain") == folders
        atomic_write_text(tmp_path / "index.csv", "a,b\n1,2\n")
        assert mode(tmp_path / "index.csv") == files
        assert (tmp_path / "index.csv").read_text() == "a,b\n1,2\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == [staging.name, "index.csv",
                                                              "plain"]  # no temporary left
    finally:
        os.umask(previous)


def test_solve_compare_and_report_write_files_others_can_read(tmp_path, umask_022):
    plans = []
    for name, rate in (("base", 0.0), ("tariff", 1.0)):
        tables = {**TWO_MINES, "tariffs": [{**TWO_MINES["tariffs"][0], "rate": rate}]}
        case = write_case(tmp_path / name, tables, name=name)
        out = tmp_path / "results" / name
        result = runner.invoke(app, ["solve", str(case), "--out", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
        assert (out / "tables").is_dir() and (out / "plan.nc").is_file()
        assert modes_under(out) == {"folders": {0o755}, "files": {0o644}}
        plans.append(out)
    again = runner.invoke(app, ["solve", str(tmp_path / "base" / "case.toml"), "--out",
                                str(plans[0]), "--quiet"])  # an earlier result replaced
    assert again.exit_code == 0, again.output
    assert modes_under(plans[0]) == {"folders": {0o755}, "files": {0o644}}
    comparison = tmp_path / "results" / "comparison"
    result = runner.invoke(app, ["compare", *map(str, plans), "--out", str(comparison)])
    assert result.exit_code == 0, result.output
    assert len(list(comparison.iterdir())) == 4
    assert modes_under(comparison) == {"folders": {0o755}, "files": {0o644}}
    result = runner.invoke(app, ["report", str(plans[1])])
    assert result.exit_code == 0, result.output
    assert mode(plans[1] / "report.html") == 0o644
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [
        "base", "comparison", "tariff"]  # no staging folder left behind


def test_sweep_index_and_scenario_folders_are_readable_by_others(tmp_path, umask_022):
    case = write_case(tmp_path / "case", TWO_MINES)
    out = tmp_path / "sweep"
    done = run_sweep(case, ["tariffs[from=CN].rate=0,1"], out, sequential=True)
    assert done.counts["solved"] == 2
    assert {"sweep.csv", "sweep.json"} <= {p.name for p in out.iterdir()}
    assert modes_under(out) == {"folders": {0o755}, "files": {0o644}}
