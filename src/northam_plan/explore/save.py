"""Keep a what-if: as a case file that ``extends`` the base case (:func:`save_case`), or as
the plan folder in a zip (:func:`plan_zip`).

The case file holds the levers' ``[[override]]`` and ``[[add]]`` blocks as they were given to
:meth:`~northam_plan.case.Case.with_overrides`, every number written with Python's shortest
exact ``repr``, so that ``northam-plan solve`` of the file builds the very case the explorer
solved (``tests/test_explore.py`` checks the objective to 1e-9).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
import zipfile
from pathlib import Path

from northam_plan.explore.levers import Lever, blocks
from northam_plan.explore.session import Answer
from northam_plan.files import atomic_write_text
from northam_plan.plan import write_plan

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_value(value: object) -> str:
    """A TOML value: a string, integer, float (shortest exact repr), bool, list or inline
    table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written to a case file")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} to a case file")


def _key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def case_text(base: Path, folder: Path, name: str, levers: dict[str, Lever],
              values: dict[str, float]) -> str:
    """The case file of ``values``, to be written in ``folder``: ``extends`` the base case
    (relative to the folder), then the blocks of each lever moved."""
    overrides, adds = blocks(levers, values)
    extends = os.path.relpath(base.resolve(), folder.resolve())
    moved = [f"{levers[k].group}, {levers[k].label}: {v:g} {levers[k].unit} "
             f"(base {levers[k].base:g})"
             for k, v in values.items() if not _unchanged(levers[k], v)]
    description = "What-if from the explorer: " + ("; ".join(moved) or "no lever moved")
    lines = ["# Written by northam-plan explore: the base case with these levers moved",
             *(f"#   {m}" for m in moved or ["(none)"]),
             f"extends = {toml_value(Path(extends).as_posix())}",
             f"name = {toml_value(name)}",
             f"description = {toml_value(description)}",
             ""]
    for block in adds:
        lines += ["[[add]]", f"table = {toml_value(block['table'])}", "rows = ["]
        lines += [f"  {toml_value(row)}," for row in block["rows"]]
        lines += ["]", ""]
    for block in overrides:
        lines += ["[[override]]", f"table = {toml_value(block['table'])}",
                  f"where = {toml_value(block['where'])}",
                  f"set = {toml_value(block['set'])}", ""]
    return "\n".join(lines)


def _unchanged(lever: Lever, value: float) -> bool:
    return not any(lever.blocks(value))


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return text[:60] or "what_if"


def save_case(answer: Answer, base: Path, folder: Path, name: str,
              levers: dict[str, Lever]) -> Path:
    """Write the case file of ``answer`` into ``folder`` as ``<name>.toml`` (``-2``, ``-3``
    … when taken); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = slug(name)
    path = folder / f"{stem}.toml"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.toml"
    atomic_write_text(path, case_text(base, folder, name, levers, answer.values) + "\n")
    return path


def plan_zip(answer: Answer, name: str) -> bytes:
    """The plan folder of ``answer`` (``summary.json``, ``plan.nc``, ``tables/``) as a zip."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_plan(answer.whole_plan(), answer.summary, Path(tmp) / slug(name))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder.parent).as_posix())
        return buffer.getvalue()
