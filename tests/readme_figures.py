"""What README.md and the pages of the documentation site say: their `northam-plan` commands
and the figures they quote of solved cases.

The figures are read from the pages themselves (:data:`DOCUMENTS`: README.md and the site's
Markdown pages that quote commands or figures) and compared with a solve
(tests/test_readme.py for the cases their commands solve and the energy cases,
tests/test_reference.py for the cases it solves anyway), so that re-measured figures need
changing in one place only: the page that quotes them.

A figure is an objective (M$, rounded to a whole M$), a difference from the reference's
objective, or the unserved demand of a case (kt, one decimal), written in one of the shapes of
:data:`PROSE` or in a case table row ``| `case` | objective (difference …) | … |``.
"""

from __future__ import annotations

import re
import shlex
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
#: the pages whose commands are run and whose figures are checked, in the order their commands
#: run: README first (its solve writes results/reference, which later commands read), then the
#: site's pages (tests/test_readme.py checks that no other page of docs/ quotes any)
DOCUMENTS = [README, *(DOCS / page for page in (
    "getting-started.md", "guides/planners.md", "guides/committee.md", "guides/researchers.md",
    "data/calibration.md", "data/scenarios.md", "formulation/index.md"))]


def documents_text() -> str:
    """The text of every page of :data:`DOCUMENTS`, one after the other."""
    return "\n\n".join(path.read_text() for path in DOCUMENTS)

NUMBER = r"[−+-]?\d[\d,]*(?:\.\d+)?"
#: case → figures written in prose (each pattern names its figure: objective, difference,
#: unserved)
PROSE = [
    ("reference", rf"The reference objective is (?P<objective>{NUMBER}) M\$"),
    ("reference", rf"Measured on the reference \((?P<objective>{NUMBER}) M\$"),
    ("permitting_reform", rf"Objective \*\*(?P<objective>{NUMBER}) M\$\*\* vs"),
    ("reference", rf"vs \*\*(?P<objective>{NUMBER}) M\$\*\* for the reference"),
    ("permitting_reform", rf"for the reference \((?P<difference>{NUMBER}) M\$\)"),
    ("release_committed", rf"releases them\s+\((?P<difference>{NUMBER}) M\$"),
    ("lithium_price_shock", rf"the shock changes the plan's cost by (?P<difference>{NUMBER}) M\$"),
    ("cn_ree_ban", rf"(?P<unserved>{NUMBER}) kt unserved in all"),
    ("disruption_stochastic", rf"expected unserved (?P<unserved>{NUMBER}) kt"),
]
TABLE_ROW = re.compile(rf"^\| `(?P<case>\w+)` \| (?P<objective>{NUMBER}) "
                       rf"\((?P<difference>{NUMBER}|= reference)", re.MULTILINE)
#: a figure of the size of an objective (M$; not a count of rows), or a signed amount of M$
FIGURE = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?! rows)|(?<![\de])[−+]\d[\d,.]* M\$")


def number(text: str) -> float:
    if text == "= reference":
        return 0.0
    return float(text.replace("−", "-").replace(",", ""))


def figures(text: str | None = None) -> dict[str, dict[str, list[float]]]:
    """case → figure kind → the values the pages quote."""
    text = documents_text() if text is None else text
    out: dict = defaultdict(lambda: defaultdict(list))
    for case, pattern in PROSE:
        for match in re.finditer(pattern, text):
            for kind, value in match.groupdict().items():
                out[case][kind].append(number(value))
    for match in TABLE_ROW.finditer(text):
        out[match["case"]]["objective"].append(number(match["objective"]))
        out[match["case"]]["difference"].append(number(match["difference"]))
    return out


def unclaimed_figures(text: str | None = None, name: str = "") -> list[str]:
    """Objective-sized or signed M$ figures of the pages (or of ``text``) that no pattern above
    reads."""
    if text is None:
        return [found for path in DOCUMENTS
                for found in unclaimed_figures(path.read_text(), str(path.relative_to(ROOT)))]
    claimed = [m.span() for _, p in PROSE for m in re.finditer(p, text)]
    claimed += [m.span() for m in TABLE_ROW.finditer(text)]
    return [f"{name + ' ' if name else ''}line {text.count(chr(10), 0, m.start()) + 1}: "
            f"{m.group()}" for m in FIGURE.finditer(text)
            if not any(a <= m.start() < b for a, b in claimed)]


def check_case(case: str, objective: float, reference: float,
               unserved: float | None = None) -> None:
    """Every figure the pages quote of ``case`` matches its solve (there must be one)."""
    quoted = figures().get(case)
    assert quoted, f"README and the site quote no figure of {case}"
    for value in quoted.get("objective", []):
        assert value == round(objective), f"docs: {case} objective {value:,.0f} M$, " \
            f"solved {objective:,.3f}"
    for value in quoted.get("difference", []):
        exact, rounded = objective - reference, round(objective) - round(reference)
        assert value in (round(exact), rounded), f"docs: {case} differs by {value:+,.0f} " \
            f"M$ from the reference, solved {exact:+,.3f}"
    for value in quoted.get("unserved", []):
        assert unserved is not None and value == round(unserved, 1), \
            f"docs: {case} unserved {value} kt, solved {unserved}"


def commands(text: str | None = None) -> list[list[str]]:
    """The `northam-plan …` commands of the code blocks (indented or fenced) of the pages, in
    their order (a command that a page before has already shown is run once), as argument
    lists without the program name: continuation lines joined, comments dropped,
    `a && northam-plan …` chains reduced to their northam-plan part. `northam-plan explore`
    serves until Ctrl-C, so it is left out: tests/test_explore.py starts its app."""
    if text is None:
        out: list[list[str]] = []
        for path in DOCUMENTS:
            out += [args for args in commands(path.read_text()) if args not in out]
        return out
    lines, out, fenced, previous_blank = text.splitlines(), [], False, True
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            fenced = not fenced
        in_code = fenced or (line.startswith("    ") and (previous_blank or out_code(lines, i)))
        if in_code and "northam-plan " in line:
            command = line
            while command.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command.rstrip()[:-1] + " " + lines[i].strip()
            command = command.split("&&")[-1] if "&&" in command else command
            words = shlex.split(command, comments=True)
            if words and words[0] == "northam-plan" and words[1:2] != ["explore"]:
                out.append(words[1:])
        previous_blank = not line.strip()
        i += 1
    return out


def out_code(lines: list[str], i: int) -> bool:
    """Line ``i`` (indented) continues an indented code block."""
    j = i - 1
    while j >= 0 and lines[j].startswith("    "):
        j -= 1
    return j >= 0 and not lines[j].strip()
