"""Table schemas of energy co-planning: time slices, capacity factors, reserve margins and
emissions. Every one is optional; without timeslices.csv a year is one slice."""

from __future__ import annotations

from northam_plan.case.schema_base import SOURCE, Column, Table, register, year_span

register(Table(
    "timeslices", "Representative slices of a year (e.g. seasons × day/night) in which "
    "timesliced commodities are balanced.",
    (
        Column("slice", "str", "slice name"),
        Column("weight", "float", "share of the year's hours", unit="1", min=0.0, max=1.0),
        Column("demand_share", "float", "share of a year's exogenous demand of timesliced "
               "commodities that falls in the slice; empty = its weight", unit="1",
               required=False, default=None, min=0.0, max=1.0),
        Column("season", "str", "the season the slice belongs to: an energy-limited process "
               "(energy_limits.csv) may shift its output between the slices of a season; "
               "empty = the slice is a season of its own", required=False, default=""),
        SOURCE,
    ),
    key=("slice",),
    required=False,
))

register(Table(
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

register(Table(
    "energy_limits", "Energy-limited power processes (reservoir hydro): over the slices of a "
    "season their output may not exceed a share of what their capacity could give, while in "
    "any one slice it is limited only by max_output. For the slices of its season a row "
    "replaces capacity_factors.csv.",
    (
        Column("process", "str", "power process code"),
        Column("region", "str", "region code; empty = every region", required=False,
               default=""),
        Column("season", "str", "season name (the season column of timeslices.csv; a slice "
               "with no season is a season of its own; 'year' without timeslices.csv)"),
        Column("factor", "float", "energy available over the season as a share of capacity "
               "× the season's hours (a seasonal capacity factor)", unit="1", min=0.0,
               max=1.0),
        Column("max_output", "float", "most output in any one slice of the season, as a "
               "share of capacity", unit="1", min=0.0, max=1.0),
        SOURCE,
    ),
    key=("process", "region", "season"),
    required=False,
    references={"process": "processes"},
))

register(Table(
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

register(Table(
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

register(Table(
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
