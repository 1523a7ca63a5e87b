"""Table schemas of energy co-planning: time slices, capacity factors, reserve margins and
emissions. Every one is optional; without timeslices.csv a year is one slice."""

from __future__ import annotations

from northam_plan.case.schema import SOURCE, Column, Table, _table, year_span

_table(Table(
    "timeslices", "Representative slices of a year (e.g. seasons × day/night) in which "
    "timesliced commodities are balanced.",
    (
        Column("slice", "str", "slice name"),
        Column("weight", "float", "share of the year's hours", unit="1", min=0.0, max=1.0),
        Column("demand_share", "float", "share of a year's exogenous demand of timesliced "
               "commodities that falls in the slice; empty = its weight", unit="1",
               required=False, default=None, min=0.0, max=1.0),
        SOURCE,
    ),
    key=("slice",),
    required=False,
))

_table(Table(
    "capacity_factors", "Share of capacity available in a slice (wind, sun, water), per "
    "process and optionally per region.",
    (
        Column("process", "str", "process code"),
        Column("region", "str", "region code; empty = every region", required=False,
               default=""),
        Column("slice", "str", "slice name (timeslices.csv)"),
        Column("factor", "float", "available share of capacity in the slice", unit="1",
               min=0.0, max=1.0),
        SOURCE,
    ),
    key=("process", "region", "slice"),
    required=False,
    references={"process": "processes"},
))

_table(Table(
    "reserve_margins", "Firm capacity (capacity × capacity_credit) must exceed the peak use "
    "of a timesliced commodity by a margin.",
    (
        Column("region", "str", "region code"),
        Column("commodity", "str", "timesliced commodity, e.g. elec"),
        *year_span("the margin"),
        Column("margin", "float", "reserve above the peak", unit="1", min=0.0, max=10.0),
        SOURCE,
    ),
    key=("region", "commodity", "start_year"),
    required=False,
    references={"region": "regions", "commodity": "commodities"},
))

_table(Table(
    "emission_caps", "Caps on what the processes of a country or bloc emit.",
    (
        Column("scope", "str", "country or bloc"),
        Column("commodity", "str", "emission commodity, e.g. co2"),
        *year_span("the cap"),
        Column("cap", "float", "most that may be emitted per year", unit="unit/yr",
               min=0.0),
        SOURCE,
    ),
    key=("scope", "commodity", "start_year"),
    required=False,
    references={"commodity": "commodities"},
))

_table(Table(
    "emission_prices", "A price on every unit of an emission commodity that processes emit.",
    (
        Column("commodity", "str", "emission commodity"),
        *year_span("the price"),
        Column("price", "float", "price per unit emitted", unit="M$/unit", min=0.0),
        SOURCE,
    ),
    key=("commodity", "start_year"),
    required=False,
    references={"commodity": "commodities"},
))
