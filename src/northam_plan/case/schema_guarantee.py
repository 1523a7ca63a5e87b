"""Table schemas of the crisis guarantee (a shared reserve held by a bloc, the bloc's crisis
policy, fair sharing of shortfalls) and of the joint finance facility. Every one is optional;
a case without them is built exactly as before."""

from __future__ import annotations

from northam_plan.case.schema_base import SOURCE, Column, Table, register, year_span

#: crisis policies of guarantees.csv
POLICIES = ("guarantee", "national_first")

register(Table(
    "shared_reserves", "Shared reserves: a stock of a commodity held by a bloc (blocs.csv) in "
    "one of its members' regions, filled there and drawable by any member region in the "
    "crisis years of guarantees.csv (only by the host country's regions under a "
    "national_first policy). Read by the guarantee component.",
    (
        Column("bloc", "str", "bloc holding the reserve (blocs.csv)"),
        Column("commodity", "str", "commodity stocked (not tracked, not timesliced)"),
        Column("region", "str", "region where the reserve sits and is filled; its country "
               "must be a member of the bloc"),
        Column("initial_stock", "float", "stock at the start of the first model year",
               unit="unit", required=False, default=0.0, min=0.0),
        Column("capacity", "float", "largest stock; empty = no limit", unit="unit",
               required=False, default=None, min=0.0),
        Column("max_fill", "float", "fastest fill; empty = no limit", unit="unit/yr",
               required=False, default=None, min=0.0),
        Column("max_draw", "float", "fastest draw, all members together; empty = no limit",
               unit="unit/yr", required=False, default=None, min=0.0),
        Column("holding_cost", "float", "cost of holding one unit for a year, shared among "
               "the members by reserve_cost_shares.csv", unit="M$ per unit per yr",
               required=False, default=0.0, min=0.0),
        SOURCE,
    ),
    key=("bloc", "commodity"),
    required=False,
    references={"region": "regions", "commodity": "commodities"},
))

register(Table(
    "reserve_cost_shares", "The key by which the members of a bloc share the holding cost of "
    "its shared reserves; the shares of a bloc sum to 1. A bloc without rows: its host "
    "country pays all.",
    (
        Column("bloc", "str", "bloc (blocs.csv)"),
        Column("country", "str", "member country"),
        Column("share", "float", "share of the holding cost the country pays", unit="1",
               min=0.0, max=1.0),
        SOURCE,
    ),
    key=("bloc", "country"),
    required=False,
    references={"country": "countries"},
))

register(Table(
    "guarantees", "A bloc's crisis policy for a commodity in the years of a disruption: "
    "'guarantee' (the shared reserve is drawable by every member and members do not restrict "
    "exports to each other) or 'national_first' (the counterfactual: each member ships at "
    "most export_limit of the commodity to the other members, and the reserve serves only "
    "its host country); optionally fair sharing of the shortfall. Read by the guarantee "
    "component.",
    (
        Column("bloc", "str", "bloc (blocs.csv)"),
        Column("commodity", "str", "commodity guaranteed (not tracked, not timesliced)"),
        *year_span("the policy (the crisis years)"),
        Column("policy", "str", "guarantee or national_first", required=False,
               default="guarantee", choices=POLICIES),
        Column("export_limit", "float", "national_first: most one member ships to the other "
               "members in a crisis year (0 = none)", unit="unit/yr", required=False,
               default=0.0, min=0.0),
        Column("fair_sharing", "bool", "unserved demand shared in proportion to each member "
               "region's demand (equal curtailment ratios) in the crisis years",
               required=False, default=False),
        SOURCE,
    ),
    key=("bloc", "commodity", "start_year"),
    required=False,
    references={"commodity": "commodities"},
))

register(Table(
    "finance_facilities", "A joint finance facility: a yearly budget of concessional finance "
    "at its own cost of capital, open to new capacity in the member countries of a bloc; the "
    "model chooses which builds it finances. Read by the finance component.",
    (
        Column("facility", "str", "facility name"),
        Column("bloc", "str", "bloc whose member countries may borrow (blocs.csv)"),
        *year_span("the budget (online years of the builds financed)"),
        Column("budget", "float", "overnight capex of the builds coming online in a year "
               "that the facility may finance", unit="M$/yr", min=0.0),
        Column("cost_of_capital", "float", "real cost of capital of the financed share, in "
               "place of the country's (countries.csv)", unit="1/yr", min=0.0, max=1.0),
        Column("families", "str", "process families the facility finances, separated by ';' "
               "(mine, refinery, manufacturing, recycling, power, other); empty = all",
               required=False, default=""),
        SOURCE,
    ),
    key=("facility", "start_year"),
    required=False,
))
