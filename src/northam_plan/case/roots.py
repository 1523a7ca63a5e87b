"""Which folders a case may read from: untrusted case files stay inside them.

A case file may read only inside

* its *project*: the folder that holds the case file's folder, so that the layout of this
  repository (``cases/reference.toml`` reading ``../data/reference``) works wherever a planner
  copies ``cases/`` and ``data/`` side by side;
* the current directory (where the command runs);
* the *data roots* configured by the user — the environment variable ``NORTHAM_PLAN_DATA_ROOT``
  (folders separated by ``os.pathsep``, ``:`` on Linux) or ``--data-root`` on the command line;
* the bundled ``cases/`` and ``data/`` folders (of this repository, or inside the installed
  package, where :func:`find_case` finds a bundled case by its bare name: ``reference``).

The project and the current directory are never the filesystem's root or the user's home
folder (a case file in ``~/Downloads`` must not read ``~/.ssh``): there the case reads only its
own folder, and a wider folder must be named as a data root. ``extends`` targets, the
``tables`` folder and every CSV file in it must lie inside one of these after following
symbolic links and ``..``; anything else is refused with a message that says how to allow it.
So a case file from elsewhere cannot make the planner read ``/etc/passwd`` or another user's
data.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

ENV = "NORTHAM_PLAN_DATA_ROOT"


def bundled_roots() -> tuple[Path, ...]:
    """The bundled ``cases/`` and ``data/`` folders, where they exist: in the installed package
    (a wheel) or at the top of the repository (a clone, an editable install)."""
    package = Path(str(files("northam_plan"))).resolve()
    if (package / "cases").is_dir():  # a wheel: the package data
        top = package
    elif package.parent.name == "src":  # src/northam_plan of a clone
        top = package.parent.parent
    else:
        return ()
    return tuple(folder for folder in (top / "cases", top / "data") if folder.is_dir())


def bundled_cases() -> Path | None:
    """The folder of the bundled case files: ``northam_plan/cases`` in an installed wheel, the
    repository's ``cases/`` in a clone (``None`` in a broken install)."""
    for folder in bundled_roots():
        if folder.name == "cases":
            return folder
    return None


def find_case(path: Path | str) -> Path:
    """The case file that ``path`` names: the file itself when it exists, else, for a bare
    name (``reference`` or ``reference.toml``, no folder), the bundled case of that name, so
    that ``northam-plan solve reference`` works from any folder and after ``pip install .``.
    Anything else is returned as given (and reported as not found by the loader)."""
    path = Path(path)
    if path.exists() or len(path.parts) != 1 or path.suffix not in ("", ".toml"):
        return path
    folder = bundled_cases()
    if folder is not None and (folder / f"{path.stem}.toml").is_file():
        return folder / f"{path.stem}.toml"
    return path


def _too_wide(folder: Path) -> bool:
    """The filesystem root or the home folder: never a root unless named as a data root."""
    try:
        home = Path.home().resolve()
    except (KeyError, RuntimeError):  # no home folder known
        home = None
    return folder == Path(folder.anchor) or folder == home


def read_roots(case_file: Path | str,
               data_roots: tuple[Path | str, ...] | list = ()) -> tuple[Path, ...]:
    """Folders a case rooted at ``case_file`` may read: its folder, its project (the folder
    above) and the current directory unless too wide, the given and configured data roots,
    the bundled folders (all resolved)."""
    configured = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    own = Path(case_file).resolve().parent
    try:
        here = [Path.cwd().resolve()]
    except OSError:  # the current directory was removed
        here = []
    implicit = [folder for folder in (own.parent, *here) if not _too_wide(folder)]
    folders = [own, *implicit, *map(Path, data_roots), *map(Path, configured)]
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
