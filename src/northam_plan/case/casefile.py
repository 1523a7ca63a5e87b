"""Case files (TOML): their schema, ``extends`` chains and ``[[override]]`` blocks.

A case file is data only: it is parsed with :mod:`tomllib` and validated with pydantic; no code
named in it is ever imported or executed.

    name = "USMCA reference"
    tables = "../data/reference"                 # folder of CSV tables, relative to this file
    [years]   start = 2025  end = 2050  step = 1
    [options] discount_rate = 0.05  unserved_penalty = 100.0

    extends = "reference.toml"                   # a scenario: everything of the base, plus …
    [[override]]                                  # … rows matched by column values, changed
    table = "tariffs"
    where = { to = "US", from = ["CA", "MX"] }
    set = { rate = 0.25 }
    [[add]]                                       # … and rows added to a table
    table = "disruptions"
    rows = [{ exporter = "CN", commodity = "magnet", start_year = 2027, limit = 0 }]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from northam_plan.case.roots import inside, outside_message, read_roots
from northam_plan.errors import CaseError, Problem, closest, did_you_mean

Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Years(_Strict):
    """Model years ``start, start+step, …, ≤ end``; each is weighted by the years it stands for."""

    start: int = Field(ge=1900, le=2300, description="first model year")
    end: int = Field(ge=1900, le=2300, description="last calendar year of the horizon")
    step: int = Field(default=1, ge=1, le=50,
                      description="calendar years each model year stands for")

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def model_years(self) -> tuple[int, ...]:
        """start, start + step, … up to end."""
        return tuple(range(self.start, self.end + 1, self.step))

    @property
    def weights(self) -> dict[int, int]:
        """Calendar years each model year stands for (its step; the last one up to ``end``)."""
        return {t: min(self.step, self.end - t + 1) for t in self.model_years}


class Options(_Strict):
    """Solve-independent modelling options."""

    discount_rate: float = Field(default=0.05, ge=0.0, le=1.0,
                                 description="real rate that discounts costs to the first year")
    unserved_penalty: float = Field(default=100.0, gt=0.0,
                                    description="cost of one unit of unserved demand, M$/unit")
    allow_unserved: bool = Field(default=True, description=(
        "false: every demand must be met in full, so a rule that cannot hold with full supply "
        "(a content rule, say) makes the case infeasible and `explain` names it"))


class Override(_Strict):
    """Change the columns in ``set`` of every row of ``table`` that matches all of ``where``."""

    table: str = Field(description="table name, e.g. tariffs")
    where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict, description="column → value (a list: any of them) the rows must "
        "match; must match at least one row; empty = every row")
    set: dict[str, Scalar] = Field(description="column → new value in the matching rows")


class Add(_Strict):
    """Append ``rows`` (column → value) to ``table``, e.g. an export ban in a scenario."""

    table: str = Field(description="table name, e.g. disruptions")
    rows: list[dict[str, Scalar]] = Field(description="the rows to append, each column → "
                                                      "value (omitted columns: their default)")


class CaseFile(_Strict):
    """The keys of a case file (TOML)."""

    name: str | None = Field(default=None, description="display name of the case; default: "
                             "the base case's, or the file name")
    description: str = Field(default="", description="what the case is, in prose")
    extends: str | None = Field(default=None, description="case file this one extends, "
                                "relative to this file (a scenario)")
    tables: str | None = Field(default=None, description="folder of the CSV tables, relative "
                               "to this file; required unless the case extends another")
    years: Years | None = Field(default=None, description="the horizon: [years] below; "
                                "required unless the case extends another")
    options: dict[str, Scalar] = Field(default_factory=dict, description="[options] below; "
                                       "each key overrides the base case's")
    override: list[Override] = Field(default_factory=list, description="[[override]] blocks: "
                                     "change rows of a table")
    add: list[Add] = Field(default_factory=list, description="[[add]] blocks: append rows to "
                           "a table")


@dataclass(frozen=True)
class SourcedAdd:
    """Rows to add, with the case file and position they came from (for messages)."""

    add: Add
    file: Path
    position: int


@dataclass(frozen=True)
class SourcedOverride:
    """An override with the case file and position it came from (for messages)."""

    override: Override
    file: Path
    position: int  # 1-based index among the [[override]] blocks of its file


@dataclass(frozen=True)
class ResolvedCase:
    """A case file with its ``extends`` chain merged: what the loader needs next."""

    path: Path
    chain: tuple[Path, ...]  # base first, this file last
    name: str
    description: str
    tables: Path
    years: Years
    options: Options
    overrides: tuple[SourcedOverride, ...]
    additions: tuple[SourcedAdd, ...] = ()
    roots: tuple[Path, ...] = ()  # folders the case may read


def read_case_file(path: Path) -> CaseFile:
    """Parse and validate one TOML case file, or raise :class:`CaseError`."""
    if path.is_dir():
        found = sorted(p.name for p in path.glob("*.toml"))
        listed = (f"; the case files in it are {', '.join(found[:20])}"
                  f"{' …' if len(found) > 20 else ''}" if found
                  else "; it holds no case file (.toml)")
        raise CaseError([Problem(path, f"is a folder, not a case file{listed}")])
    if not path.is_file():
        raise CaseError([Problem(path, "case file not found")])
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise CaseError([toml_problem(path, err)]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise CaseError([Problem(path, f"cannot be read: {err}")]) from None
    try:
        return CaseFile.model_validate(data)
    except ValidationError as err:
        raise CaseError(pydantic_problems(path, err, model=CaseFile)) from None


def toml_problem(path: Path, err: tomllib.TOMLDecodeError) -> Problem:
    """A TOML syntax error with its line and column, in words a planner can act on."""
    text = str(err)
    where = re.search(r"\s*\(at line (\d+), column (\d+)\)", text)
    if where is None:
        where = re.search(r"\s*\(at end of document\)", text)
    what = (text[:where.start()] if where else text).strip() or "syntax error"
    what = what[0].lower() + what[1:]
    line = position = None
    if where is not None and where.groups():
        line, position = int(where.group(1)), int(where.group(2))
    if what.startswith("illegal character '\\n'") or what.startswith("unterminated string"):
        what = "unterminated string: the line ends inside quoted text (a closing \" missing)"
    hint = (" (text must be quoted: name = \"text\"; numbers may not contain spaces)"
            if "invalid value" in what else "")
    return Problem(path, f"not valid TOML: {what}{hint}", line=line, position=position)


_UNION_MEMBERS = {"str", "int", "float", "bool", "list[union[str,int,float,bool]]"}


def pydantic_problems(path: Path, err: ValidationError, prefix: str = "",
                      model: type[BaseModel] | None = None) -> list[Problem]:
    """One problem per setting, in the project's words (no pydantic wording); a value that
    fits no member of a union is one problem. An unknown setting names the closest known one
    and lists the settings of its table (``model`` is the schema that was validated)."""
    problems, seen = [], set()
    items = err.errors()
    meant = set()  # (parent, name) a mistyped setting was probably meant to be
    for item in items:
        if item["type"] == "extra_forbidden" and model is not None:
            parent = tuple(item["loc"][:-1])
            meant.add((parent, closest(item["loc"][-1], _fields_at(model, list(parent)))))
    for item in items:
        parts = [p for p in item["loc"] if str(p).replace(" ", "") not in _UNION_MEMBERS]
        field = prefix + ".".join(f"#{p + 1}" if isinstance(p, int) else str(p) for p in parts)
        if field in seen or (item["type"] == "missing"
                             and (tuple(item["loc"][:-1]), item["loc"][-1]) in meant):
            continue  # a required setting given with a typo: the typo is the one problem
        seen.add(field)
        if item["type"] == "extra_forbidden":
            known = list(_fields_at(model, parts[:-1])) if model is not None else []
            message = (f"unknown setting{did_you_mean(parts[-1], known)}"
                       + (f"; the settings here are {', '.join(known)}" if known else ""))
        elif len(parts) < len(item["loc"]):
            message = "expected text, a number or true/false"
        else:
            message = plain_words(item)
        problems.append(Problem(path, f"'{field}': {message}", column=field or None))
    return problems


_pydantic_problems = pydantic_problems  # the name other modules imported before


def _fields_at(model: type[BaseModel], parts: list) -> list[str]:
    """The setting names of the (nested) schema at ``parts`` of ``model``."""
    for part in parts:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        if info is None:
            return []
        nested = _model_in(info.annotation)
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def _model_in(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _shown(value) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower() \
        if isinstance(value, bool) else str(value)


def plain_words(item: Mapping[str, Any]) -> str:
    """A pydantic error item said as the rest of the project says it."""
    kind, ctx, got = item["type"], item.get("ctx") or {}, item.get("input")
    bounds = {"less_than_equal": ("must be at most", "le"),
              "less_than": ("must be less than", "lt"),
              "greater_than_equal": ("must be at least", "ge"),
              "greater_than": ("must be more than", "gt")}
    if kind in bounds:
        words, key = bounds[kind]
        bound = ctx.get(key)
        return f"{words} {bound:g}, got {_shown(got)}" if isinstance(bound, (int, float)) \
            else f"{words} {bound}, got {_shown(got)}"
    expected = {"int": "a whole number", "float": "a number", "bool": "true or false",
                "string": "text", "dict": "a table (a [section] or { … })",
                "model": "a table (a [section] or { … })", "list": "a list [ … ]"}
    for prefix, words in expected.items():
        if kind.startswith(prefix + "_") and kind != "string_too_short":
            return f"expected {words}, got {_shown(got)}"
    if kind == "finite_number":
        return f"expected a finite number, got {_shown(got)}"
    if kind == "missing":
        return "a value is required"
    message = str(item.get("msg", ""))
    for noise in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(noise)
    return message.replace("Input should be", "must be").replace("Field required",
                                                                   "a value is required")


def resolve_case(path: Path | str, data_roots: tuple | list = ()) -> ResolvedCase:
    """Follow ``extends`` from ``path`` to its root and merge the chain (base first).

    Files outside the folders the case may read (:mod:`northam_plan.case.roots`) are refused.
    """
    path = Path(path).resolve()
    roots = read_roots(path, data_roots)
    chain: list[tuple[Path, CaseFile]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        if current in seen:
            cycle = " → ".join(p.name for p in [*seen, current])
            raise CaseError([Problem(seen[-1], f"'extends' makes a cycle: {cycle}",
                                     column="extends")])
        seen.append(current)
        case_file = read_case_file(current)
        chain.append((current, case_file))
        current = (current.parent / case_file.extends).resolve() if case_file.extends else None
        if current is not None and not inside(current, roots):
            raise CaseError([Problem(seen[-1], outside_message("'extends' names", current,
                                                               roots), column="extends")])
        if current is not None and not current.is_file():
            raise CaseError([Problem(seen[-1], f"'extends' names a case file that does not "
                                               f"exist: {current}", column="extends")])
    chain.reverse()

    name = description = None
    tables = years = None
    options: dict[str, Scalar] = {}
    overrides: list[SourcedOverride] = []
    additions: list[SourcedAdd] = []
    for file, case_file in chain:
        additions += [SourcedAdd(a, file, i + 1) for i, a in enumerate(case_file.add)]
        name = case_file.name or name
        description = case_file.description or description
        if case_file.tables is not None:
            tables = (file.parent / case_file.tables).resolve()
        years = case_file.years or years
        options.update(case_file.options)
        overrides += [SourcedOverride(o, file, i + 1) for i, o in enumerate(case_file.override)]

    problems = []
    if tables is None:
        problems.append(Problem(path, "no 'tables' folder given (here or in a case it extends)",
                                column="tables"))
    elif not inside(tables, roots):
        problems.append(Problem(path, outside_message("the tables folder", tables, roots),
                                column="tables"))
    elif not tables.is_dir():
        problems.append(Problem(path, f"tables folder not found: {tables}", column="tables"))
    if years is None:
        problems.append(Problem(path, "no [years] given (here or in a case it extends)",
                                column="years"))
    try:
        merged_options = Options.model_validate(options)
    except ValidationError as err:
        problems += pydantic_problems(path, err, prefix="options.", model=Options)
    if problems:
        raise CaseError(problems)
    assert tables is not None and years is not None  # else a problem above
    return ResolvedCase(path=path, chain=tuple(p for p, _ in chain), name=name or path.stem,
                        description=description or "", tables=tables, years=years,
                        options=merged_options, overrides=tuple(overrides),
                        additions=tuple(additions), roots=roots)
