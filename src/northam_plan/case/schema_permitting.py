"""Table schemas of permitting: construction times, regimes, agency throughput, projects."""

from __future__ import annotations

from northam_plan.case.schema_base import (
    PROCESS_FAMILIES,
    PROJECT_STAGES,
    SOURCE,
    Column,
    Table,
    register,
    year_span,
)

register(Table(
    "construction_times", "Construction years of a process in one country (override "
    "processes.construction_years).",
    (
        Column("process", "str", "process code"),
        Column("country", "str", "country code"),
        Column("construction_years", "int", "years from permit granted to first output",
               unit="yr", min=0, max=100),
        SOURCE,
    ),
    key=("process", "country"),
    required=False,
    references={"process": "processes", "country": "countries"},
))

register(Table(
    "regimes", "Permitting pathways per country and process family. A country and family "
    "without rows has one regime, 'standard', with no permitting years.",
    (
        Column("country", "str", "country code"),
        Column("family", "str", "process family the regime applies to",
               choices=PROCESS_FAMILIES),
        Column("regime", "str", "regime name, e.g. standard, streamlined, fast_track"),
        Column("permitting_years", "int", "years from permit start to permit granted",
               unit="yr", min=0, max=100),
        Column("premium", "float", "extra cost of permitting one unit of capacity under "
               "this regime (e.g. a fast-track fee)", unit="M$ per unit/yr", required=False,
               default=0.0, min=0.0),
        SOURCE,
    ),
    key=("country", "family", "regime"),
    required=False,
    references={"country": "countries"},
))

register(Table(
    "throughput", "How much permitting work an agency can start per year, by country and "
    "regime (weighted by processes.permit_weight). No row means no limit.",
    (
        Column("country", "str", "country code"),
        Column("regime", "str", "regime name (as in regimes.csv)"),
        *year_span("the limit"),
        Column("limit", "float", "workload that may enter permitting per year",
               unit="workload/yr", min=0.0),
        SOURCE,
    ),
    key=("country", "regime", "start_year"),
    required=False,
    references={"country": "countries"},
))

register(Table(
    "projects", "Named projects of the pipeline that the model may choose to complete, up "
    "to their capacity, from their earliest online year.",
    (
        Column("project", "str", "project name (unique)"),
        Column("region", "str", "region code"),
        Column("process", "str", "process code"),
        Column("capacity", "float", "capacity of the project", unit="unit/yr", min=0.0),
        Column("stage", "str", "exploration, permitting, permitted or construction; "
               "permitted and construction skip permitting",
               choices=PROJECT_STAGES),
        Column("earliest_online_year", "int", "first year the project could produce, by its "
               "sponsor's schedule", unit="yr"),
        Column("capex", "float", "overnight capital cost; empty = the process's capex",
               unit="M$ per unit/yr", required=False, default=None, min=0.0),
        Column("committed", "bool", "built in full in its first online year (a project under "
               "construction, on its announced schedule); false = the model may choose to "
               "build it, later or in part", required=False, default=False),
        SOURCE,
    ),
    key=("project",),
    required=False,
    references={"region": "regions", "process": "processes"},
))

register(Table(
    "growth_limits", "How fast a country may add capacity of a process family: new capacity "
    "online in one year, counted in typical projects (capacity × processes.permit_weight; "
    "processes without a permit_weight are not counted), at most absolute + relative × the "
    "family's capacity the year before (in typical projects too). No row means no limit.",
    (
        Column("country", "str", "country code"),
        Column("family", "str", "process family the limit applies to",
               choices=PROCESS_FAMILIES),
        Column("absolute", "float", "typical projects that may come online per year",
               unit="projects/yr", min=0.0),
        Column("relative", "float", "share of the family's capacity of the year before that "
               "may be added per year", unit="1/yr", required=False, default=0.0, min=0.0),
        SOURCE,
    ),
    key=("country", "family"),
    required=False,
    references={"country": "countries"},
))
