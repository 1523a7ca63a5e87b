"""Errors a user can act on: each names the file, the row and the column at fault."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    ``line`` is the line number in the file as a text editor shows it (the header of a CSV
    is line 1, its first data row line 2); ``None`` when the problem concerns the whole file.
    """

    file: Path | str
    message: str
    line: int | None = None
    column: str | None = None
    position: int | None = None  # character column in a text file (TOML), 1-based

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f", line {self.line}"
        if self.position is not None:
            where += f", column {self.position}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


def did_you_mean(name: object, known, cutoff: float = 0.6) -> str:
    """' (did you mean 'x'?)' for the known name closest to ``name``, or '' when none is close.

    Case is ignored when looking (``us`` finds ``US``)."""
    found = closest(name, known, cutoff)
    return f" (did you mean '{found}'?)" if found is not None else ""


def closest(name: object, known, cutoff: float = 0.6) -> str | None:
    """The known name closest to ``name`` (case ignored), or None when none is close."""
    text = str(name)
    by_folded = {str(k).casefold(): str(k) for k in known if str(k)}
    close = difflib.get_close_matches(text.casefold(), list(by_folded), n=1, cutoff=cutoff)
    if close and by_folded[close[0]] != text:
        return by_folded[close[0]]
    return None


def listing(names, limit: int = 12) -> str:
    """``a, b, c`` — sorted, at most ``limit`` shown, '…' after; 'none' when empty."""
    names = sorted({str(n) for n in names if str(n)})
    if not names:
        return "none"
    return ", ".join(names[:limit]) + (" …" if len(names) > limit else "")


class CaseError(Exception):
    """The case cannot be used as it is; ``problems`` lists everything found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self, limit: int = 30) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"… and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


class ProblemList:
    """Collects problems while a stage goes on, and raises them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file, message, line=None, column=None) -> None:
        """Record a problem; line 0 marks a row added by a case file, which has no CSV line."""
        self.items.append(Problem(file, message, line or None, column))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise CaseError(self.items)
