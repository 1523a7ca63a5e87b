"""Packages of the wheel: everything under src/ plus the bundled cases and data.

The repository keeps ``cases/`` and ``data/`` at its top (README and users expect
``cases/reference.toml``); pyproject.toml maps them into the package (``package-dir``:
``northam_plan.cases`` → ``cases/``, ``northam_plan.data`` → ``data/``) and this file lists
those folders and every file in them, so the wheel holds ``northam_plan/cases/*.toml`` and
``northam_plan/data/**`` — read through ``importlib.resources`` (:mod:`northam_plan.case.roots`).
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
BUNDLED = {"northam_plan.cases": "cases", "northam_plan.data": "data"}


def bundled_packages() -> dict[str, list[str]]:
    """{package: its files} for every folder of the bundled cases and data."""
    packages = {}
    for package, top in BUNDLED.items():
        for folder in sorted(p for p in [HERE / top, *(HERE / top).rglob("*")] if p.is_dir()):
            if folder.name.startswith((".", "__")):
                continue
            name = ".".join([package, *folder.relative_to(HERE / top).parts])
            packages[name] = sorted(f.name for f in folder.iterdir() if f.is_file()
                                    and not f.name.startswith("."))
    return packages


BUNDLED_FILES = bundled_packages()
setup(packages=[*find_packages("src"), *BUNDLED_FILES],
      package_data={**BUNDLED_FILES, "northam_plan": ["py.typed"]})  # PEP 561: typed
