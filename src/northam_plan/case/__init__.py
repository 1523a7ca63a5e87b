"""Load a case: TOML case file (+ ``extends`` chain) and CSV tables → validated :class:`Case`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from northam_plan.case.case import Case
from northam_plan.case.casefile import resolve_case
from northam_plan.case.checks import check_case
from northam_plan.case.domains import stray_tables
from northam_plan.case.leadtimes import rounding_warnings
from northam_plan.case.overrides import apply_additions, apply_overrides
from northam_plan.case.roots import find_case, inside, outside_message
from northam_plan.case.schema import TABLES
from northam_plan.case.tables import read_table
from northam_plan.errors import CaseError, ProblemList

__all__ = ["Case", "CaseError", "load_case"]


def load_case(path: Path | str, data_roots: tuple | list = ()) -> Case:
    """Read, override and validate a case; raise :class:`CaseError` listing every problem.

    Nothing of the case is executed: TOML and CSV are parsed as data only, and only files
    inside the case's folder, the bundled data and the ``data_roots`` (with those configured
    in ``NORTHAM_PLAN_DATA_ROOT``) are read — see :mod:`northam_plan.case.roots`. A bare name
    that is no file here (``"reference"``) is the bundled case of that name.
    """
    resolved = resolve_case(find_case(path), data_roots)
    problems = ProblemList()
    for schema in TABLES.values():  # a CSV may be a symbolic link to somewhere else
        file = resolved.tables / schema.file
        if file.exists() and not inside(file, resolved.roots):
            problems.add(file, outside_message("the table file links to", file, resolved.roots))
    problems.raise_if_any()
    commodities = read_table(resolved.tables, TABLES["commodities"], problems)
    units = dict(zip(commodities["commodity"], commodities["unit"]))
    tables = {name: commodities if name == "commodities" else
              read_table(resolved.tables, schema, problems, units)
              for name, schema in TABLES.items()}
    stray = stray_tables(resolved.tables, problems)
    problems.raise_if_any()
    tables = apply_additions(tables, resolved.tables, resolved.additions, problems)
    tables = apply_overrides(tables, resolved.tables, resolved.overrides, problems)
    problems.raise_if_any()
    warnings = stray + check_case(tables, resolved.tables, resolved.years, problems)
    problems.raise_if_any()
    overrides = tuple({"file": str(o.file), **o.override.model_dump()}
                      for o in resolved.overrides) + tuple(
        {"file": str(a.file), "add": a.add.model_dump()} for a in resolved.additions)
    case = Case(name=resolved.name, description=resolved.description, path=resolved.path,
                chain=resolved.chain, tables_dir=resolved.tables, years_spec=resolved.years,
                options=resolved.options, tables=tables, warnings=tuple(warnings),
                resolved_overrides=overrides)
    return replace(case, warnings=(*case.warnings, *rounding_warnings(case)))
