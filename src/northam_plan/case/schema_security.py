"""Table schemas of supply security: blocs, sourcing floors, supplier caps, disruptions,
stockpiles and disruption scenarios. Every one is optional."""

from __future__ import annotations

from northam_plan.case.schema_base import SOURCE, Column, Table, register, year_span

register(Table(
    "blocs", "Named sets of countries (trade agreements, ally groups), one row per member.",
    (
        Column("bloc", "str", "bloc name, e.g. USMCA"),
        Column("country", "str", "member country"),
        SOURCE,
    ),
    key=("bloc", "country"),
    required=False,
    references={"country": "countries"},
))

register(Table(
    "regional_shares", "Sourcing floors: the bloc's own production of a commodity, net of "
    "what it ships out of the bloc, covers at least a share of the bloc's use (final demand "
    "plus process inputs).",
    (
        Column("bloc", "str", "bloc name (blocs.csv)"),
        Column("commodity", "str", "commodity"),
        *year_span("the floor"),
        Column("share", "float", "least share of the bloc's use", unit="1", min=0.0, max=1.0),
        SOURCE,
    ),
    key=("bloc", "commodity", "start_year"),
    required=False,
    references={"commodity": "commodities"},
))

register(Table(
    "supplier_caps", "Caps on dependence: what the bloc receives of a commodity from any one "
    "outside country is at most a share of the bloc's use.",
    (
        Column("bloc", "str", "bloc name (blocs.csv)"),
        Column("commodity", "str", "commodity"),
        *year_span("the cap"),
        Column("cap", "float", "largest share of the bloc's use from one outside country",
               unit="1", min=0.0, max=1.0),
        SOURCE,
    ),
    key=("bloc", "commodity", "start_year"),
    required=False,
    references={"commodity": "commodities"},
))

register(Table(
    "disruptions", "Limits on what an exporter (a country or a region) ships of a commodity "
    "to other countries in given years; 0 is an export ban.",
    (
        Column("exporter", "str", "country or region code"),
        Column("commodity", "str", "commodity"),
        *year_span("the limit"),
        Column("limit", "float", "most that may be exported per year", unit="unit/yr",
               min=0.0),
        Column("scenario", "str", "disruption scenario the row belongs to (scenarios.csv); "
               "empty = every scenario", required=False, default=""),
        SOURCE,
    ),
    key=("exporter", "commodity", "start_year", "scenario"),
    required=False,
    references={"commodity": "commodities"},
))

register(Table(
    "stockpiles", "Strategic stockpiles that may be built up and drawn down.",
    (
        Column("region", "str", "region holding the stock"),
        Column("commodity", "str", "commodity stocked"),
        Column("initial_stock", "float", "stock at the start of the first model year",
               unit="unit", required=False, default=0.0, min=0.0),
        Column("capacity", "float", "largest stock; empty = no limit", unit="unit",
               required=False, default=None, min=0.0),
        Column("max_fill", "float", "fastest fill; empty = no limit", unit="unit/yr",
               required=False, default=None, min=0.0),
        Column("max_draw", "float", "fastest draw; empty = no limit", unit="unit/yr",
               required=False, default=None, min=0.0),
        Column("holding_cost", "float", "cost of holding one unit for a year",
               unit="M$ per unit per yr", required=False, default=0.0, min=0.0),
        Column("min_cover_days", "float", "least stock, in days of the region's demand",
               unit="days", required=False, default=0.0, min=0.0, max=3650.0),
        SOURCE,
    ),
    key=("region", "commodity"),
    required=False,
    references={"region": "regions", "commodity": "commodities"},
))

register(Table(
    "scenarios", "Disruption scenarios of a two-stage stochastic case: permits and builds are "
    "decided once for all of them, operations per scenario; probabilities sum to 1.",
    (
        Column("scenario", "str", "scenario name"),
        Column("probability", "float", "probability of the scenario", unit="1", min=0.0,
               max=1.0),
        Column("description", "str", "what happens in the scenario", required=False,
               default=""),
        SOURCE,
    ),
    key=("scenario",),
    required=False,
))
