"""Bad input: every kind of mistake gives a short error naming file, line and column; exit code 2.

Each entry of ``BAD_INPUTS`` starts from the small valid case ``BASE`` (which loads and solves,
see the first test), breaks one thing and states the problem a user is shown::

    tables/processes.csv, line 3, column 'capex': expected a number ≥ 0, in M$ per unit/yr, …

Line numbers are those of a text editor: the header of a CSV is line 1, its first data row
line 2. Problems about a case file (TOML) name the setting in ``column`` and have no line.

The tests at the end pin bugs found while writing this file (blank lines, trailing commas,
huge whole numbers, infinite options, …), fixed since.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan.case import CaseError, load_case
from northam_plan.cli import app

# --- the valid case every entry breaks ----------------------------------------------------
#
# Line numbers below refer to these rows: processes.csv has mine on line 2 and smelter on
# line 3; every other table has its first row on line 2.

BASE = {
    "countries": [{"country": "US", "cost_of_capital": 0.05},
                  {"country": "CA", "cost_of_capital": 0.06}],
    "regions": [{"region": "US-W", "country": "US", "can_build": "true"},
                {"region": "CA-E", "country": "CA", "can_build": "true"}],
    "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt", "reference_price": 1.0},
                    {"commodity": "metal", "kind": "material", "unit": "kt",
                     "reference_price": 5.0}],
    "processes": [mine(capex=10.0, availability=0.9),
                  {"process": "smelter", "family": "refinery", "main_output": "metal",
                   "availability": 1.0, "capex": 20.0, "lifetime": 25, "construction_years": 1}],
    "process_io": [{"process": "smelter", "commodity": "ore", "side": "input", "ratio": 2.0}],
    "construction_times": [{"process": "mine", "country": "CA", "construction_years": 2}],
    "existing_capacity": [{"region": "CA-E", "process": "mine", "capacity": 50.0}],
    "reserves": [{"region": "CA-E", "commodity": "ore", "reserves": 1000.0}],
    "links": [{"from": "CA-E", "to": "US-W", "commodity": "ore", "transport_cost": 0.1,
               "loss": 0.01}],
    "tariffs": [{"from": "CA", "to": "US", "commodity": "ore", "start_year": 2026,
                 "end_year": 2028, "rate": 0.1}],
    "demand": [{"region": "US-W", "commodity": "metal", "sector": "grid", "year": 2025,
                "quantity": 10.0}],
}
START, END = 2025, 2030


def write_base(folder: Path) -> Path:
    """The valid case in ``folder``; returns its case file (``folder/case.toml``)."""
    return write_case(folder, BASE, start=START, end=END, discount_rate=0.05)


# --- ways to break it: each returns an edit ``case_file -> None`` -------------------------

Edit = Callable[[Path], None]


def _table_path(case: Path, table: str) -> Path:
    return case.parent / "tables" / f"{table}.csv"


def _read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def cell(table: str, line: int, column: str, value: str) -> Edit:
    """Set the cell of ``column`` on ``line`` (header = line 1) of ``table``.csv."""
    def edit(case: Path) -> None:
        path = _table_path(case, table)
        rows = _read_rows(path)
        rows[line - 1][rows[0].index(column)] = value
        _write_rows(path, rows)
    return edit


def add_row(table: str, values: dict) -> Edit:
    """Append a row given as {column: value} (columns not given are left empty)."""
    def edit(case: Path) -> None:
        path = _table_path(case, table)
        rows = _read_rows(path)
        rows.append([str(values.get(name, "")) for name in rows[0]])
        _write_rows(path, rows)
    return edit


def rename_column(table: str, old: str, new: str) -> Edit:
    def edit(case: Path) -> None:
        path = _table_path(case, table)
        rows = _read_rows(path)
        rows[0][rows[0].index(old)] = new
        _write_rows(path, rows)
    return edit


def drop_column(table: str, column: str) -> Edit:
    def edit(case: Path) -> None:
        path = _table_path(case, table)
        rows = _read_rows(path)
        at = rows[0].index(column)
        _write_rows(path, [row[:at] + row[at + 1:] for row in rows])
    return edit


def table_text(table: str, text: str | bytes) -> Edit:
    """Replace the whole file ``table``.csv with ``text`` (bytes are written as they are)."""
    def edit(case: Path) -> None:
        path = _table_path(case, table)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return edit


def link_table(table: str, target: str) -> Edit:
    """Replace ``table``.csv with a symbolic link to ``target``."""
    def edit(case: Path) -> None:
        path = _table_path(case, table)
        path.unlink()
        path.symlink_to(target)
    return edit


def remove_table(table: str) -> Edit:
    return lambda case: _table_path(case, table).unlink()


def remove_case_file() -> Edit:
    return lambda case: case.unlink()


def toml_replace(old: str, new: str) -> Edit:
    def edit(case: Path) -> None:
        text = case.read_text()
        assert old in text, f"{old!r} is not in the base case file"
        case.write_text(text.replace(old, new))
    return edit


def toml_prepend(text: str) -> Edit:
    """Add top-level settings (before the first [table] of the case file)."""
    return lambda case: case.write_text(text + case.read_text())


def toml_append(text: str) -> Edit:
    """Add blocks such as [[override]] at the end of the case file."""
    return lambda case: case.write_text(case.read_text() + text)


def other_case_file(name: str, text: str) -> Edit:
    """Write a second case file next to case.toml."""
    return lambda case: (case.parent / name).write_text(text)


def moved_to_base(extra: str) -> Edit:
    """case.toml becomes a scenario extending base.toml = the old case.toml + ``extra``."""
    def edit(case: Path) -> None:
        (case.parent / "base.toml").write_text(case.read_text() + extra)
        case.write_text('extends = "base.toml"\nname = "scenario"\n')
    return edit


def both(*edits: Edit) -> Edit:
    def edit(case: Path) -> None:
        for one in edits:
            one(case)
    return edit


# --- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One kind of bad input and the problem the user must be shown."""

    kind: str  # test id
    edit: Edit
    file: str  # the problem's file ends with this path
    line: int | None  # editor line of the row at fault; None for a whole-file / TOML problem
    column: str | None  # column (CSV) or setting (TOML) at fault
    says: str | tuple[str, ...]  # fragment(s) of the message: what was expected
    problems: int = 1  # how many problems the case has in all (no follow-on noise)
    position: int | None = None  # character column in a TOML file (syntax errors)


def override(table: str, where: str, set_: str) -> str:
    return f'[[override]]\ntable = "{table}"\nwhere = {{ {where} }}\nset = {{ {set_} }}\n'


BAD_INPUTS = [
    # ---------------------------------------------------------------- the case file (TOML)
    Bad("missing-case-file", remove_case_file(),
        "case.toml", None, None, "case file not found"),
    Bad("invalid-toml", toml_replace("end = 2030", "end = 20 30"),
        "case.toml", 5, None, ("not valid TOML: expected newline or end of document",),
        position=10),
    Bad("unknown-setting-typo", toml_replace("step = 1", "stpe = 1"),
        "case.toml", None, "years.stpe", "'years.stpe': unknown setting"),
    Bad("unknown-option-typo", toml_replace("discount_rate = 0.05", "discount_rte = 0.05"),
        "case.toml", None, "options.discount_rte", "unknown setting"),
    Bad("years-end-before-start", toml_replace("end = 2030", "end = 2020"),
        "case.toml", None, "years", "end (2020) is before start (2025)"),
    Bad("years-step-zero", toml_replace("step = 1", "step = 0"),
        "case.toml", None, "years.step", "must be at least 1, got 0"),
    Bad("years-missing", toml_replace("[years]\nstart = 2025\nend = 2030\nstep = 1\n", ""),
        "case.toml", None, "years", "no [years] given"),
    Bad("tables-folder-missing", toml_replace('tables = "tables"', 'tables = "tabels"'),
        "case.toml", None, "tables", "tables folder not found"),
    Bad("negative-discount-rate", toml_replace("discount_rate = 0.05", "discount_rate = -0.05"),
        "case.toml", None, "options.discount_rate", "must be at least 0, got -0.05"),
    Bad("discount-rate-in-percent", toml_replace("discount_rate = 0.05", "discount_rate = 5"),
        "case.toml", None, "options.discount_rate", "must be at most 1, got 5"),
    Bad("zero-unserved-penalty", toml_replace("unserved_penalty = 100.0", "unserved_penalty = 0"),
        "case.toml", None, "options.unserved_penalty", "must be more than 0, got 0"),
    # ---------------------------------------------------------------- extends chains
    Bad("cyclic-extends", both(toml_prepend('extends = "other.toml"\n'),
                               other_case_file("other.toml", 'extends = "case.toml"\n')),
        "other.toml", None, "extends",
        "'extends' makes a cycle: case.toml → other.toml → case.toml"),
    Bad("self-extends", toml_prepend('extends = "case.toml"\n'),
        "case.toml", None, "extends", "'extends' makes a cycle: case.toml → case.toml"),
    Bad("extends-missing-file", toml_prepend('extends = "bsae.toml"\n'),
        "case.toml", None, "extends", "'extends' names a case file that does not exist: "),
    # ---------------------------------------------------------------- untrusted files
    Bad("tables-outside-the-case-folder", toml_replace('tables = "tables"', 'tables = "/etc"'),
        "case.toml", None, "tables", ("the tables folder /etc is outside the folders this "
                                      "case may read", "--data-root")),
    Bad("extends-outside-the-case-folder", toml_prepend('extends = "../../other/base.toml"\n'),
        "case.toml", None, "extends", ("'extends' names", "is outside the folders this case "
                                       "may read", "NORTHAM_PLAN_DATA_ROOT")),
    Bad("table-linked-outside", link_table("demand", "/etc/hostname"),
        "tables/demand.csv", None, None, "the table file links to /etc/hostname is outside"),
    Bad("missing-table-file", remove_table("demand"),
        "tables/demand.csv", None, None, "file not found: the case needs the table 'demand'"),
    Bad("empty-csv", table_text("countries", ""),
        "tables/countries.csv", 1, None,
        "the file is empty; expected a header line with the columns country, name, "
        "cost_of_capital, source"),
    Bad("ragged-row", table_text("countries", "country,cost_of_capital\nUS,0.05\nCA,0.06,x\n"),
        "tables/countries.csv", 3, None, "3 fields on this line but 2 columns in the header"),
    Bad("not-utf8", table_text("regions", "region,country,name\nUS-W,US,West\nCA-E,CA,Qu\xe9bec\n"
                                           .encode("latin-1")),
        "tables/regions.csv", None, None, "not UTF-8 text (byte 43); save the file as UTF-8"),
    # ---------------------------------------------------------------- columns
    Bad("unknown-column", rename_column("processes", "availability", "availabilty"),
        "tables/processes.csv", 1, "availabilty",
        "unknown column 'availabilty' (did you mean 'availability'?); the columns of processes "),
    Bad("missing-column", drop_column("processes", "lifetime"),
        "tables/processes.csv", 1, "lifetime",
        "missing column 'lifetime' (economic and technical life of new capacity)"),
    Bad("misspelt-required-column", rename_column("demand", "quantity", "qty"),
        "tables/demand.csv", 1, "quantity", "missing column 'quantity'", problems=2),
    # ---------------------------------------------------------------- cells
    Bad("empty-required-cell", cell("regions", 3, "country", ""),
        "tables/regions.csv", 3, "country", "a value is required (text)"),
    Bad("absurd-cost", cell("processes", 2, "capex", "1e300"),
        "tables/processes.csv", 2, "capex",
        "expected a number of magnitude at most 1e+12 M$ per unit/yr, got '1e300': check the unit"),
    Bad("text-in-numeric-column", cell("processes", 3, "capex", "cheap"),
        "tables/processes.csv", 3, "capex",
        "expected a number ≥ 0, in M$ per unit/yr, got 'cheap'"),
    Bad("text-in-whole-number-column", cell("processes", 2, "lifetime", "thirty"),
        "tables/processes.csv", 2, "lifetime", "expected a whole number ≥ 1, in yr, got 'thirty'"),
    Bad("thousands-separator", cell("existing_capacity", 2, "capacity", "1,000"),
        "tables/existing_capacity.csv", 2, "capacity", "expected a number ≥ 0, in unit/yr, "
                                                        "got '1,000'"),
    Bad("fraction-in-whole-number-column", cell("construction_times", 2, "construction_years", "2.5"),
        "tables/construction_times.csv", 2, "construction_years", "expected a whole number, got '2.5'"),
    Bad("negative-capacity", cell("existing_capacity", 2, "capacity", "-5"),
        "tables/existing_capacity.csv", 2, "capacity",
        "expected a number ≥ 0, in unit/yr, got -5"),
    Bad("negative-demand", cell("demand", 2, "quantity", "-10"),
        "tables/demand.csv", 2, "quantity", "expected a number ≥ 0, in kt/yr, got -10"),
    Bad("nan", cell("demand", 2, "quantity", "nan"),
        "tables/demand.csv", 2, "quantity", "expected a number ≥ 0, in kt/yr, got NaN"),
    Bad("infinite", cell("links", 2, "transport_cost", "inf"),
        "tables/links.csv", 2, "transport_cost", "expected a finite number, got 'inf'"),
    Bad("overflow-to-infinite", cell("reserves", 2, "reserves", "1e400"),
        "tables/reserves.csv", 2, "reserves", "expected a finite number, got '1e400'"),
    Bad("availability-above-1", cell("processes", 2, "availability", "1.5"),
        "tables/processes.csv", 2, "availability",
        "expected a number with 0 ≤ value ≤ 1, got 1.5"),
    Bad("loss-of-1", cell("links", 2, "loss", "1"),
        "tables/links.csv", 2, "loss", "expected a number with 0 ≤ value < 1, got 1"),
    Bad("cost-of-capital-in-percent", cell("countries", 3, "cost_of_capital", "6"),
        "tables/countries.csv", 3, "cost_of_capital",
        "expected a number with 0 ≤ value ≤ 1, in 1/yr, got 6"),
    Bad("bad-bool", cell("regions", 2, "can_build", "maybe"),
        "tables/regions.csv", 2, "can_build", "expected true or false, got 'maybe'"),
    Bad("bad-process-family", cell("processes", 2, "family", "mining"),
        "tables/processes.csv", 2, "family",
        "expected one of mine, refinery, manufacturing, recycling, power, other, got 'mining'"),
    Bad("bad-commodity-kind", cell("commodities", 3, "kind", "metal"),
        "tables/commodities.csv", 3, "kind",
        "expected one of mineral, material, component, energy, emission, got 'metal'"),
    Bad("bad-io-side", cell("process_io", 2, "side", "in"),
        "tables/process_io.csv", 2, "side", "expected one of input, output, got 'in'"),
    # ---------------------------------------------------------------- keys and references
    Bad("duplicate-key", add_row("countries", {"country": "US", "cost_of_capital": 0.07}),
        "tables/countries.csv", 4, "country", "duplicate key (country=US); first given on line 2"),
    Bad("duplicate-compound-key", add_row("demand", {"region": "US-W", "commodity": "metal",
                                                     "sector": "grid", "year": 2025,
                                                     "quantity": 12}),
        "tables/demand.csv", 3, "region",
        "duplicate key (region=US-W, commodity=metal, sector=grid, year=2025); "
        "first given on line 2"),
    Bad("unknown-region", cell("demand", 2, "region", "US-X"),
        "tables/demand.csv", 2, "region",
        "unknown region 'US-X' (did you mean 'US-W'?; not in regions.csv; known: CA-E, US-W)"),
    Bad("unknown-country", cell("regions", 3, "country", "MX"),
        "tables/regions.csv", 3, "country", "unknown country 'MX' (not in countries.csv"),
    Bad("unknown-commodity", cell("processes", 3, "main_output", "metl"),
        "tables/processes.csv", 3, "main_output",
        "unknown commodity 'metl' (did you mean 'metal'?; not in commodities.csv; known: metal, "
        "ore)"),
    Bad("unknown-process", cell("existing_capacity", 2, "process", "mien"),
        "tables/existing_capacity.csv", 2, "process",
        "unknown process 'mien' (did you mean 'mine'?; not in processes.csv; known: mine, "
        "smelter)"),
    # ---------------------------------------------------------------- cross-table checks
    Bad("tariff-ends-before-it-starts", cell("tariffs", 2, "end_year", "2025"),
        "tables/tariffs.csv", 2, "end_year", "end_year 2025 is before start_year 2026"),
    Bad("tariff-outside-horizon", both(cell("tariffs", 2, "start_year", "2040"),
                                       cell("tariffs", 2, "end_year", "2045")),
        "tables/tariffs.csv", 2, "start_year",
        "years 2040–2045 lie outside the horizon 2025–2030"),
    Bad("overlapping-tariffs", add_row("tariffs", {"from": "CA", "to": "US", "commodity": "ore",
                                                   "start_year": 2028, "rate": 0.2}),
        "tables/tariffs.csv", 3, "start_year",
        "years 2028–2030 overlap those on line 2 for the same from, to, commodity"),
    Bad("link-to-itself", cell("links", 2, "to", "CA-E"),
        "tables/links.csv", 2, "to", "a link must join two different regions, got 'CA-E' → 'CA-E'"),
    Bad("main-output-in-process-io", add_row("process_io", {"process": "mine", "commodity": "ore",
                                                            "side": "output", "ratio": 0.5}),
        "tables/process_io.csv", 3, "ratio",
        "'ore' is the main output of 'mine', produced at ratio 1 by definition"),
    # ---------------------------------------------------------------- [[override]] blocks
    Bad("override-unknown-table", toml_append(override("proceses", 'process = "mine"',
                                                       "capex = 5.0")),
        "case.toml", None, "table",
        '[[override]] #1 (table = "proceses"): unknown table (did you mean \'processes\'?); '
        "tables are countries, regions"),
    Bad("override-unknown-column", toml_append(override("processes", 'process = "mine"',
                                                        "capx = 5.0")),
        "case.toml", None, "set.capx",
        '[[override]] #1 (table = "processes"): set.capx: unknown column (did you mean '
        "'capex'?); the columns of processes are process, family"),
    Bad("override-unknown-where-column", toml_append(override("processes", 'proces = "mine"',
                                                              "capex = 5.0")),
        "case.toml", None, "where.proces", "where.proces: unknown column"),
    Bad("override-matches-no-row", toml_append(override("processes", 'process = "mien"',
                                                        "capex = 5.0")),
        "case.toml", None, "where",
        "[[override]] #1 (table = \"processes\"): where {process = 'mien'} matches no row of "
        "processes.csv"),
    Bad("override-sets-bad-value", toml_append(override("processes", 'process = "mine"',
                                                        "availability = 1.5")),
        "case.toml", None, "set.availability",
        "set.availability: expected a number with 0 ≤ value ≤ 1, got 1.5"),
    Bad("override-sets-text-in-number", toml_append(override("demand", 'region = "US-W"',
                                                             'quantity = "lots"')),
        "case.toml", None, "set.quantity", "set.quantity: expected a number ≥ 0"),
    Bad("override-second-block-in-base-file",
        moved_to_base(override("processes", 'process = "mine"', "capex = 5.0")
                      + override("links", 'commodity = "metal"', "loss = 0.1")),
        "base.toml", None, "where", '[[override]] #2 (table = "links"): where {commodity = '
                                    "'metal'} matches no row of links.csv"),
    Bad("override-makes-duplicate-key", toml_append(override("processes", 'process = "smelter"',
                                                             'process = "mine"')),
        "tables/processes.csv", 3, "process", "duplicate key (process=mine); first given on "
                                               "line 2"),
]

# The ten kinds named in the issue; every entry above is also run through the CLI.
GOAL_KINDS = {"missing-table-file", "missing-column", "text-in-numeric-column",
              "negative-capacity", "unknown-region", "duplicate-key", "nan",
              "availability-above-1", "cyclic-extends", "override-matches-no-row"}


def test_catalogue_covers_the_kinds_named_in_the_issue():
    kinds = [bad.kind for bad in BAD_INPUTS]
    assert len(kinds) == len(set(kinds))
    assert GOAL_KINDS <= set(kinds)
    assert len(kinds) >= 20


# --- helpers for the assertions -------------------------------------------------------------


def _ends_with(file, suffix: str) -> bool:
    return Path(file).as_posix().endswith("/" + suffix)


def _where(bad: Bad) -> str:
    """The start of the problem as printed: ``<file>, line N, column 'c'``."""
    where = bad.file
    if bad.line is not None:
        where += f", line {bad.line}"
    if bad.position is not None:
        where += f", column {bad.position}"
    if bad.column is not None:
        where += f", column '{bad.column}'"
    return where


def _fragments(bad: Bad) -> tuple[str, ...]:
    return (bad.says,) if isinstance(bad.says, str) else bad.says


def _squeeze(text: str) -> str:
    """Text without whitespace: the CLI wraps long lines at the terminal width."""
    return re.sub(r"\s+", "", text)


def broken_case(tmp_path: Path, bad: Bad) -> Path:
    case = write_base(tmp_path / "case")
    bad.edit(case)
    return case


def run_cli(*args: str):
    return CliRunner().invoke(app, [*map(str, args)])


# --- the tests ------------------------------------------------------------------------------


def test_base_case_is_valid_and_solves(tmp_path):
    """Every entry breaks this case; unbroken, it loads without warnings and solves."""
    from northam_plan.pipeline import run_case
    from northam_plan.solve import SolveOptions

    case = write_base(tmp_path / "case")
    loaded = load_case(case)
    assert loaded.warnings == ()
    assert run_case(case, options=SolveOptions(quiet=True), write=False).result.optimal
    result = run_cli("validate", case)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.kind)
def test_load_case_names_file_line_and_column(tmp_path, bad: Bad):
    case = broken_case(tmp_path, bad)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    problems = caught.value.problems
    shown = "\n".join(map(str, problems))
    assert len(problems) == bad.problems, shown
    matching = [p for p in problems if _ends_with(p.file, bad.file) and p.line == bad.line
                and p.column == bad.column and p.position == bad.position]
    assert matching, f"no problem at {_where(bad)}; got:\n{shown}"
    for fragment in _fragments(bad):
        assert fragment in matching[0].message, shown
    assert str(matching[0]).endswith(f"{_where(bad)}: {matching[0].message}")


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.kind)
def test_cli_validate_exits_2_with_one_screen_of_problems(tmp_path, bad: Bad):
    case = broken_case(tmp_path, bad)
    result = run_cli("validate", case)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) <= 40, result.output
    assert result.output.startswith("Invalid input (")
    assert _squeeze(_where(bad)) in _squeeze(result.output), result.output
    for fragment in _fragments(bad):
        assert _squeeze(fragment) in _squeeze(result.output), result.output


def test_several_problems_in_different_files_are_reported_at_once(tmp_path):
    case = write_base(tmp_path / "case")
    for edit in (cell("countries", 2, "cost_of_capital", "high"),
                 cell("countries", 3, "cost_of_capital", "-0.1"),
                 rename_column("regions", "can_build", "buildable"),
                 cell("processes", 3, "family", "smelting"),
                 drop_column("demand", "sector"),
                 cell("links", 2, "loss", "nan")):
        edit(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    found = {(Path(p.file).name, p.line, p.column) for p in caught.value.problems}
    assert found == {("countries.csv", 2, "cost_of_capital"),
                     ("countries.csv", 3, "cost_of_capital"),
                     ("regions.csv", 1, "buildable"),
                     ("processes.csv", 3, "family"),
                     ("demand.csv", 1, "sector"),
                     ("links.csv", 2, "loss")}

    result = run_cli("validate", case)
    assert result.exit_code == 2
    assert result.output.startswith("Invalid input (6 problems):")


def test_several_cross_table_problems_are_reported_at_once(tmp_path):
    case = write_base(tmp_path / "case")
    for edit in (cell("demand", 2, "region", "US-X"),
                 cell("links", 2, "to", "CA-E"),
                 cell("tariffs", 2, "end_year", "2025"),
                 add_row("process_io", {"process": "smelter", "commodity": "metal",
                                        "side": "output", "ratio": 2})):
        edit(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    found = {(Path(p.file).name, p.line, p.column) for p in caught.value.problems}
    assert found == {("demand.csv", 2, "region"), ("links.csv", 2, "to"),
                     ("tariffs.csv", 2, "end_year"), ("process_io.csv", 3, "ratio")}


def test_several_override_problems_are_reported_at_once(tmp_path):
    case = write_base(tmp_path / "case")
    toml_append(override("proceses", 'process = "mine"', "capex = 5.0")
                + override("processes", 'process = "mien"', "capex = 5.0")
                + override("links", 'commodity = "ore"', "loss = 2"))(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    assert [(p.column, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("table", '[[override]] #1 (table = "proceses")'),
        ("where", '[[override]] #2 (table = "processes")'),
        ("set.loss", '[[override]] #3 (table = "links")')]


def test_many_problems_are_cut_to_one_screen_with_a_count_of_the_rest(tmp_path):
    case = write_base(tmp_path / "case")
    table_text("demand", "region,commodity,sector,year,quantity\n"
               + "".join(f"US-W,metal,grid,{2025 + i},-1\n" for i in range(45)))(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    assert len(caught.value.problems) == 45
    described = caught.value.describe().splitlines()
    assert len(described) == 31
    assert described[-1] == "… and 15 more problems"

    result = run_cli("validate", case)
    assert result.exit_code == 2
    assert result.output.startswith("Invalid input (45 problems):")
    assert "… and 15 more problems" in result.output


def _installed_cli() -> Path:
    script = Path(sys.executable).parent / "northam-plan"
    if not script.is_file():
        pytest.skip("the northam-plan script is not installed next to the Python running tests")
    return script


def test_installed_command_exits_2_for_validate_and_solve(tmp_path):
    """The real entry point (not CliRunner): exit code 2, problems on stderr, no traceback."""
    script = _installed_cli()
    case = write_base(tmp_path / "case")
    cell("existing_capacity", 2, "capacity", "-5")(case)
    out = tmp_path / "results"
    for args in (["validate", str(case)], ["solve", str(case), "--out", str(out), "--quiet"]):
        done = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "COLUMNS": "200"})
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        assert "Invalid input (1 problem):" in done.stderr
        assert "existing_capacity.csv, line 2, column 'capacity'" in done.stderr
    assert not out.exists()


# --- bugs found while writing this file, now fixed: they stay as regression tests ---------


def test_line_numbers_count_blank_lines(tmp_path):
    case = write_base(tmp_path / "case")
    table_text("countries", "country,cost_of_capital\nUS,0.05\n\nCA,abc\n")(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (4, "cost_of_capital")


def test_trailing_comma_on_every_row_does_not_shift_columns(tmp_path):
    case = write_base(tmp_path / "case")
    table_text("countries", "country,cost_of_capital\nUS,0.05,\nCA,0.06,\n")(case)
    try:
        loaded = load_case(case)
    except CaseError as err:  # a problem about the extra field would be fine too …
        blamed = [p for p in err.problems if p.column == "cost_of_capital"]
        assert not blamed, err.describe()  # … but cost_of_capital is given on every row
    else:
        assert list(loaded.tables["countries"]["cost_of_capital"]) == [0.05, 0.06]


def test_huge_whole_number_is_a_problem_not_a_traceback(tmp_path):
    case = write_base(tmp_path / "case")
    cell("processes", 2, "lifetime", "1e30")(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line, problem.column) == \
        ("processes.csv", 2, "lifetime")


def test_infinite_option_is_refused(tmp_path):
    case = write_base(tmp_path / "case")
    toml_replace("unserved_penalty = 100.0", "unserved_penalty = inf")(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    assert caught.value.problems[0].column == "options.unserved_penalty"


def test_extends_to_missing_file_names_the_file_that_extends(tmp_path):
    case = write_base(tmp_path / "case")
    toml_prepend('extends = "bsae.toml"\n')(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.column) == ("case.toml", "extends")


def test_override_where_empty_matches_rows_with_empty_cell(tmp_path):
    case = write_base(tmp_path / "case")
    toml_append(override("existing_capacity", 'retirement_year = ""', "capacity = 5.0"))(case)
    loaded = load_case(case)
    assert list(loaded.tables["existing_capacity"]["capacity"]) == [5.0]


def test_many_problems_fit_one_screen_at_80_columns(tmp_path):
    script = _installed_cli()
    case = write_base(tmp_path / "case")
    table_text("demand", "region,commodity,sector,year,quantity\n"
               + "".join(f"US-X,metal,grid,{2025 + i},10\n" for i in range(40)))(case)
    done = subprocess.run([str(script), "validate", str(case)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) <= 40, done.stderr


def test_problem_in_a_row_an_override_changed_names_the_override(tmp_path):
    case = write_base(tmp_path / "case")
    toml_append(override("links", 'from = "CA-E"', 'to = "MX-N"'))(case)
    with pytest.raises(CaseError) as caught:
        load_case(case)
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line, problem.column) == ("links.csv", 2, "to")
    assert "unknown region 'MX-N'" in problem.message
    assert problem.message.endswith("(value set by case.toml [[override]] #1 "
                                    "(table = \"links\"))")
