"""Which folders a case may read from: untrusted case files stay inside them.

A case file may read only inside its own folder, the bundled ``cases/`` and ``data/`` folders
of this repository, and the *data roots* configured by the user — the environment variable
``NORTHAM_PLAN_DATA_ROOT`` (folders separated by ``os.pathsep``, ``:`` on Linux) or
``--data-root`` on the command line. ``extends`` targets, the ``tables`` folder and every CSV
file in it (after following symbolic links) must lie inside one of these; anything else is
refused with a message that says how to allow it. So a case file from elsewhere cannot make
the planner read ``/etc/passwd`` or another user's data.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

ENV = "NORTHAM_PLAN_DATA_ROOT"


def bundled_roots() -> tuple[Path, ...]:
    """The repository's ``cases/`` and ``data/`` folders, where they exist (editable installs)."""
    repository = Path(str(files("northam_plan"))).resolve().parent.parent
    return tuple(folder for folder in (repository / "cases", repository / "data")
                 if folder.is_dir())


def read_roots(case_file: Path, data_roots: tuple[Path | str, ...] | list = ()) -> tuple[Path, ...]:
    """Folders a case rooted at ``case_file`` may read: its folder, the given and configured
    data roots, the bundled folders (all resolved)."""
    configured = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    folders = [Path(case_file).resolve().parent, *map(Path, data_roots), *map(Path, configured)]
    return tuple(dict.fromkeys(folder.expanduser().resolve() for folder in folders)) + \
        bundled_roots()


def inside(path: Path, roots: tuple[Path, ...]) -> bool:
    """Is ``path`` (symbolic links followed) inside one of ``roots``?"""
    resolved = Path(path).resolve()
    return any(resolved.is_relative_to(root) for root in roots)


def outside_message(what: str, path: Path, roots: tuple[Path, ...]) -> str:
    shown = ", ".join(str(root) for root in roots)
    return (f"{what} {Path(path).resolve()} is outside the folders this case may read ({shown}); "
            f"to allow it, add its folder to the data roots: --data-root FOLDER or the "
            f"environment variable {ENV}")
