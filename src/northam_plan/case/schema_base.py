"""The building blocks of the table schemas: :class:`Column`, :class:`Table`, the registry
:data:`TABLES` that the schema modules fill (:mod:`northam_plan.case.schema` and the
``schema_*`` modules of further concerns), and the columns every table shares.

Kept apart from the schemas so that every schema module imports from here and none from
another: :mod:`northam_plan.case.schema` imports them all, in order, after its own tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["str", "float", "int", "bool"]
#: the value of one cell once read (None: empty, where the column has no default)
Cell = str | int | float | bool | None


@dataclass(frozen=True)
class Column:
    """One column of a case table."""

    name: str
    kind: Kind
    description: str
    unit: str = ""
    required: bool = True  # the column must be present and every row must have a value
    default: Cell = None  # used when the column or a cell is empty and not required
    min: float | None = None
    max: float | None = None
    max_exclusive: bool = False
    min_exclusive: bool = False
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    """A case table: a CSV file named ``<name>.csv`` in the case's tables folder."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True  # the file must exist (optional tables default to empty)
    references: dict[str, str] = field(default_factory=dict)  # column -> table it names

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


SOURCE = Column(
    "source", "str", "publication, year and table the row's figures come from; "
    "'estimate: …' where the figure is an assumption", required=False, default="")

PROCESS_FAMILIES = ("mine", "refinery", "manufacturing", "recycling", "power", "other")
COMMODITY_KINDS = ("mineral", "material", "component", "energy", "emission")
PROJECT_STAGES = ("exploration", "permitting", "permitted", "construction")

TABLES: dict[str, Table] = {}


def register(table: Table) -> Table:
    """Add ``table`` to :data:`TABLES` (the modules of table schemas call it once per table)."""
    TABLES[table.name] = table
    return table


def year_span(what: str) -> tuple[Column, Column]:
    """start_year and end_year columns: the years in which ``what`` applies (inclusive)."""
    return (Column("start_year", "int", f"first year {what} applies; empty = horizon start",
                   unit="yr", required=False, default=None),
            Column("end_year", "int", f"last year {what} applies; empty = horizon end",
                   unit="yr", required=False, default=None))
