"""Files and folders written the way the user's umask says (0755/0644 under umask 022).

Results are written into a staging folder (or a temporary file) next to their destination and
moved into place when complete. ``tempfile`` creates those private (0700 folders, 0600 files),
and the mode survives the rename: a result folder would stay unreadable to colleagues on a
shared disk. Every staging folder and temporary file of the package comes from here, with the
mode an ordinary ``mkdir`` or ``open`` would have given.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask (read from /proc on Linux, else set and restored under a lock)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def folder_mode() -> int:
    """The mode ``mkdir`` gives a new folder (0o755 under umask 022)."""
    return 0o777 & ~current_umask()


def file_mode() -> int:
    """The mode ``open(..., "w")`` gives a new file (0o644 under umask 022)."""
    return 0o666 & ~current_umask()


def staging_folder(out: Path) -> Path:
    """A new, empty hidden folder next to ``out`` with the mode of an ordinary new folder."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    os.chmod(staging, folder_mode())
    return staging


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed over it (mode of a new
    file: readers never see half a file, and colleagues can read the whole one)."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as stream:
            os.chmod(temp, file_mode())
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
