"""Table schemas of a case: every column with its type, unit, default and meaning.

This is the one place where the columns of the case tables are declared (STYLE.md §2).
The loader converts each CSV against its schema; the cross-table checks in
:mod:`northam_plan.case.checks` then test references and keys.

Units used throughout the reference case (any consistent set works):

* quantities of minerals and materials in **kt** (thousand tonnes) of the commodity's unit
  basis, flows and capacities in **kt/yr**;
* money in **M$** (million US dollars, 2024 real), so a price of 1 M$/kt is 1 $/kg;
* capital cost in **M$ per kt/yr** of capacity (= $ per kg/yr).
"""

from __future__ import annotations

from northam_plan.case.schema_base import (  # noqa: F401 (re-exported: the schema API)
    COMMODITY_KINDS,
    PROCESS_FAMILIES,
    PROJECT_STAGES,
    SOURCE,
    TABLES,
    Column,
    Kind,
    Table,
    register,
    year_span,
)

register(Table(
    "countries", "Countries of the regions and of trade rules, with their cost of capital.",
    (
        Column("country", "str", "ISO-like code; USMCA members are US, CA, MX"),
        Column("name", "str", "display name", required=False, default=""),
        Column("cost_of_capital", "float", "real weighted average cost of capital used to "
               "annualise investments", unit="1/yr", min=0.0, max=1.0),
        SOURCE,
    ),
    key=("country",),
))

register(Table(
    "regions", "Planning nodes; each lies in one country.",
    (
        Column("region", "str", "region code, e.g. US-W"),
        Column("country", "str", "country the region lies in"),
        Column("name", "str", "display name", required=False, default=""),
        Column("can_build", "bool", "whether new capacity may be built in the region",
               required=False, default=True),
        SOURCE,
    ),
    key=("region",),
    references={"country": "countries"},
))

register(Table(
    "commodities", "Goods with a unit; the balance is kept per region, commodity and year.",
    (
        Column("commodity", "str", "commodity code, e.g. lioh"),
        Column("kind", "str", "mineral, material, component, energy or emission",
               choices=COMMODITY_KINDS),
        Column("timesliced", "bool", "balanced per time slice (timeslices.csv), as "
               "electricity is; otherwise per year", required=False, default=False),
        Column("unit", "str", "unit of one quantity of the commodity, e.g. kt LCE"),
        Column("reference_price", "float", "price that ad-valorem tariffs apply to",
               unit="M$/unit", required=False, default=0.0, min=0.0),
        Column("name", "str", "display name", required=False, default=""),
        SOURCE,
    ),
    key=("commodity",),
))

register(Table(
    "processes", "Technologies that turn inputs into outputs; activity is counted in units "
    "of the main output, capacity in units of main output per year.",
    (
        Column("process", "str", "process code, e.g. lioh_refinery"),
        Column("family", "str", "mine, refinery, manufacturing, recycling, power or other",
               choices=PROCESS_FAMILIES),
        Column("main_output", "str", "commodity the activity and capacity are measured in"),
        Column("availability", "float", "share of capacity usable in a year", unit="1",
               required=False, default=1.0, min=0.0, max=1.0),
        Column("activity_per_capacity", "float", "activity of one unit of capacity running a "
               "whole year, e.g. 8.76 TWh per GW", unit="unit per unit/yr", required=False,
               default=1.0, min=0.0),
        Column("capacity_credit", "float", "share of capacity counted as firm for the "
               "reserve margin (reserve_margins.csv)", unit="1", required=False, default=0.0,
               min=0.0, max=1.0),
        Column("capex", "float", "overnight capital cost of new capacity",
               unit="M$ per unit/yr", min=0.0),
        Column("fixed_om", "float", "fixed operation and maintenance cost of new capacity",
               unit="M$ per unit/yr, per yr", required=False, default=0.0, min=0.0),
        Column("var_om", "float", "variable operating cost per unit of activity",
               unit="M$/unit", required=False, default=0.0, min=0.0),
        Column("lifetime", "int", "economic and technical life of new capacity", unit="yr",
               min=1),
        Column("construction_years", "int", "years from permit granted to first output, "
               "unless construction_times.csv gives them for the country; the lead time of a "
               "new build is the permitting years of its regime (regimes.csv) plus these",
               unit="yr", min=0, max=100),
        Column("permit_weight", "float", "permitting-agency workload per unit of capacity "
               "entering permitting (e.g. 1 / typical project size, so that throughput.csv "
               "counts projects per year)", unit="workload per unit/yr", required=False,
               default=0.0, min=0.0),
        Column("max_build", "float", "most new capacity one region may add per year; empty "
               "means no limit", unit="unit/yr per yr", required=False, default=None, min=0.0),
        SOURCE,
    ),
    key=("process",),
    references={"main_output": "commodities"},
))

register(Table(
    "cost_factors", "Country cost differences of new capacity and operation, relative to the "
    "process's own figures (processes.csv): construction (labour, materials, contractors) "
    "in capex_factor, operating labour and services in om_factor; energy is priced by the "
    "model itself and the permitting premium is in regimes.csv. A country and family without "
    "a row have factors 1. Read by the permitting component (capex of permits, and of "
    "pipeline projects without their own capex), the capacity component (fixed O&M) and the "
    "activity component (variable O&M).",
    (
        Column("country", "str", "country code"),
        Column("family", "str", "process family the factors apply to",
               choices=PROCESS_FAMILIES),
        Column("capex_factor", "float", "multiplies processes.capex of capacity built in the "
               "country (a project's own capex in projects.csv is already local and is kept)",
               unit="1", required=False, default=1.0, min=0.0, min_exclusive=True),
        Column("om_factor", "float", "multiplies processes.fixed_om and processes.var_om in "
               "the country", unit="1", required=False, default=1.0, min=0.0,
               min_exclusive=True),
        SOURCE,
    ),
    key=("country", "family"),
    required=False,
    references={"country": "countries"},
))

register(Table(
    "process_io", "Inputs and by-product outputs per unit of activity. The main output is "
    "produced at ratio 1 and need not be listed.",
    (
        Column("process", "str", "process code"),
        Column("commodity", "str", "commodity consumed or produced"),
        Column("side", "str", "input or output", choices=("input", "output")),
        Column("ratio", "float", "units of the commodity per unit of activity",
               unit="unit/unit", min=0.0),
        SOURCE,
    ),
    key=("process", "commodity", "side"),
    required=False,
    references={"process": "processes", "commodity": "commodities"},
))

register(Table(
    "existing_capacity", "Capacity in place at the start of the horizon.",
    (
        Column("region", "str", "region code"),
        Column("process", "str", "process code"),
        Column("name", "str", "plant or project name, to tell apart rows of the same region "
               "and process", required=False, default=""),
        Column("capacity", "float", "capacity in units of the main output per year",
               unit="unit/yr", min=0.0),
        Column("retirement_year", "int", "first year in which the capacity is gone; empty "
               "means it lasts beyond the horizon", unit="yr", required=False, default=None),
        SOURCE,
    ),
    key=("region", "process", "name", "retirement_year"),
    required=False,
    references={"region": "regions", "process": "processes"},
))

register(Table(
    "availability", "Availability of a region's capacity of a process in given years, in "
    "place of the process's availability (processes.csv): e.g. a plant ramping up to its "
    "design rate, or one that runs other campaigns. Not for power processes, whose output "
    "per slice capacity_factors.csv sets.",
    (
        Column("region", "str", "region code"),
        Column("process", "str", "process code (not a power process)"),
        *year_span("the availability"),
        Column("availability", "float", "share of the region's capacity of the process "
               "usable in the year", unit="1", min=0.0, max=1.0),
        SOURCE,
    ),
    key=("region", "process", "start_year"),
    required=False,
    references={"region": "regions", "process": "processes"},
))

register(Table(
    "reserves", "Cumulative extraction limit of a mineral in a region (output of mine "
    "processes): the reserves at the start of the first model year, growing as resources are "
    "converted to reserves, up to the resources.",
    (
        Column("region", "str", "region code"),
        Column("commodity", "str", "mineral extracted"),
        Column("reserves", "float", "quantity that may be extracted from the first model year "
               "on, before any growth", unit="unit", min=0.0),
        Column("growth", "float", "reserves added per calendar year by conversion of "
               "resources, as a share of the reserves column", unit="1/yr", required=False,
               default=0.0, min=0.0),
        Column("resources", "float", "ceiling of the grown reserves (cumulative extraction "
               "never exceeds it); empty = no ceiling", unit="unit", required=False,
               default=None, min=0.0),
        SOURCE,
    ),
    key=("region", "commodity"),
    required=False,
    references={"region": "regions", "commodity": "commodities"},
))

register(Table(
    "links", "Trade routes: a commodity may be shipped from one region to another.",
    (
        Column("from", "str", "exporting region"),
        Column("to", "str", "importing region"),
        Column("commodity", "str", "commodity shipped"),
        Column("transport_cost", "float", "cost of shipping one unit", unit="M$/unit",
               required=False, default=0.0, min=0.0),
        Column("loss", "float", "share of the shipment lost on the way", unit="1",
               required=False, default=0.0, min=0.0, max=1.0, max_exclusive=True),
        Column("capacity", "float", "most that may be shipped per year; empty means no "
               "limit", unit="unit/yr", required=False, default=None, min=0.0),
        Column("expansion_cost", "float", "overnight cost of more link capacity (e.g. an "
               "intertie); empty means the link cannot be expanded", unit="M$ per unit/yr",
               required=False, default=None, min=0.0),
        SOURCE,
    ),
    key=("from", "to", "commodity"),
    required=False,
    references={"from": "regions", "to": "regions", "commodity": "commodities"},
))

register(Table(
    "tariffs", "Ad-valorem tariffs: rate × reference price per unit shipped from a region "
    "of one country to a region of another; rows of different bases add up.",
    (
        Column("from", "str", "exporting country"),
        Column("to", "str", "importing country"),
        Column("commodity", "str", "commodity"),
        *year_span("the rate"),
        Column("rate", "float", "tariff as a share of the reference price", unit="1",
               min=0.0),
        Column("basis", "str", "which country 'from' names: the shipping country (shipper), "
               "or, for tracked commodities (tracked.csv), where the good was mined (mined) or "
               "last processed (processed; mined-in for unprocessed minerals) — so routing a "
               "good through a third country does not change what it pays",
               required=False, default="shipper", choices=("shipper", "mined", "processed")),
        SOURCE,
    ),
    key=("from", "to", "commodity", "basis", "start_year"),
    required=False,
    references={"from": "countries", "to": "countries", "commodity": "commodities"},
))

register(Table(
    "demand", "Exogenous final use of a commodity. Years between the given ones are "
    "interpolated linearly; before the first and after the last the nearest value holds.",
    (
        Column("region", "str", "region code"),
        Column("commodity", "str", "commodity demanded"),
        Column("sector", "str", "using sector, e.g. automotive, defense, grid"),
        Column("year", "int", "year of the figure", unit="yr"),
        Column("quantity", "float", "quantity used in the year", unit="unit/yr", min=0.0),
        SOURCE,
    ),
    key=("region", "commodity", "sector", "year"),
    references={"region": "regions", "commodity": "commodities"},
))


# Tables of further concerns live in their own modules and register here (no import circle:
# they import schema_base, not this module).
from northam_plan.case import schema_energy, schema_permitting, schema_security  # noqa: E402,F401,I001
from northam_plan.case import schema_trade  # noqa: E402,F401,I001
from northam_plan.case import schema_guarantee  # noqa: E402,F401,I001
from northam_plan.case import schema_circular  # noqa: E402,F401,I001
