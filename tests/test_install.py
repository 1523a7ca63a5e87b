"""A wheel built from a clean copy of the repository carries the bundled cases and data:
installed (not editable) and run from a folder outside the repository, ``northam-plan solve``
solves the bundled reference case and ``northam-plan validate reference`` finds it by name.

The wheel is built offline (``pip wheel --no-build-isolation``: the test extra holds the
setuptools the build needs) and installed without its dependencies into a folder of its own,
which is put first on PYTHONPATH: the test environment supplies pyomo, highspy and the rest,
and the package imported is the installed one (checked), not the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from test_reference import PINNED_OBJECTIVE

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCE = ["pyproject.toml", "setup.py", "README.md", "LICENSE", "src", "cases", "data"]

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict, timeout: float = 300) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(folder the wheel is installed in, environment to run it, the wheel)."""
    tmp = tmp_path_factory.mktemp("install")
    clone = tmp / "clone"  # what a clean clone holds: no build/, egg-info or __pycache__
    for name in SOURCE:
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, clone / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info", "*.pyc"))
        else:
            clone.mkdir(exist_ok=True)
            shutil.copy2(source, clone / name)
    source_path = str(REPOSITORY / "src")
    build_env = {**os.environ, "PYTHONPATH": os.pathsep.join(  # never the source tree
        p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if p and Path(p).resolve() != Path(source_path).resolve())}
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(tmp / "dist"), str(clone)],
        cwd=tmp, env=build_env)
    [wheel] = (tmp / "dist").glob("northam_plan-*.whl")
    site = tmp / "site"
    run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
         "--disable-pip-version-check", "-q", "--target", str(site), str(wheel)],
        cwd=tmp, env=build_env)
    env = {**os.environ, "PYTHONPATH": str(site)}
    return site, env, wheel


def test_the_wheel_holds_every_bundled_case_and_data_file(installed):
    _, _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"northam_plan/{path.relative_to(REPOSITORY).as_posix()}"
                for top in ("cases", "data") for path in (REPOSITORY / top).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts}
    assert len(expected) > 30 and expected <= names, sorted(expected - names)
    assert any(name.endswith("licenses/LICENSE") for name in names)
    assert "northam_plan/py.typed" in names  # PEP 561: the package ships its type hints


def test_the_installed_command_solves_the_bundled_reference_from_anywhere(installed, tmp_path):
    site, env, _ = installed
    where = run([sys.executable, "-c", "import northam_plan; print(northam_plan.__file__)"],
                cwd=tmp_path, env=env)
    assert Path(where.strip()).resolve().is_relative_to(site.resolve()), where  # not src/
    command = [str(site / "bin" / "northam-plan")]  # the console script of the wheel
    output = run([*command, "solve", "--out", "ref", "--quiet"], cwd=tmp_path, env=env)
    summary = json.loads((tmp_path / "ref" / "summary.json").read_text())
    assert summary["status"] == "optimal", output
    assert summary["objective"] == pytest.approx(PINNED_OBJECTIVE, rel=1e-6)
    assert Path(summary["case_file"]).resolve().is_relative_to(site.resolve())
    assert (tmp_path / "ref" / "tables" / "investments.csv").is_file()
    for name in ("reference", "reference.toml", "tariff25_non_usmca"):  # extends inside too
        output = run([*command, "validate", name], cwd=tmp_path, env=env)
        assert "valid:" in output, output
    missing = subprocess.run([*command, "validate", "no_such_case"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr + missing.stdout
    assert "case file not found" in missing.stderr + missing.stdout
