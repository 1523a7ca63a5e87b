"""Table schemas of trade policy and the product passport: tracked commodities, rules of
origin (regional content) and forced-labour exclusions. Every one is optional; the ``basis``
of a tariff (shipper, mined, processed) is a column of tariffs.csv (:mod:`.schema`).

Origin tags: every unit of a tracked commodity carries (mined in, processed in) — the region
where its mineral was mined and the region of its last transformation ('' for a mineral not
yet processed). Rules name countries, blocs (blocs.csv) or, for exclusions, regions."""

from __future__ import annotations

from northam_plan.case.schema_base import SOURCE, Column, Table, register, year_span

BASES = ("mined", "processed", "either", "both")

register(Table(
    "tracked", "Commodities whose flows, stocks and balances carry an origin tag (product "
    "passport). A process may take at most one tracked input; its tracked outputs keep the "
    "input's mined-in and are processed in the process's region. A tracked output made "
    "without a tracked input is mined in the producing region (processed there too unless "
    "the process is a mine).",
    (
        Column("commodity", "str", "commodity to track"),
        SOURCE,
    ),
    key=("commodity",),
    required=False,
    references={"commodity": "commodities"},
))

register(Table(
    "content_rules", "Rules of origin (regional content): of the deliveries of a tracked "
    "commodity to final demand in a destination, at least a share originates in a bloc.",
    (
        Column("destination", "str", "country or bloc (blocs.csv) whose deliveries count"),
        Column("commodity", "str", "tracked commodity"),
        Column("origin", "str", "country or bloc the content must come from"),
        Column("basis", "str", "mined (mined in the origin), processed (last processed there; "
               "mined-in for unprocessed minerals), either, or both", required=False,
               default="either", choices=BASES),
        *year_span("the rule"),
        Column("share", "float", "least share of deliveries from the origin", unit="1",
               min=0.0, max=1.0),
        SOURCE,
    ),
    key=("destination", "commodity", "origin", "basis", "start_year"),
    required=False,
    references={"commodity": "commodities"},
))

register(Table(
    "forced_labour", "Forced-labour exclusions: tracked goods whose origin is flagged may not "
    "reach the destination, neither directly nor after processing elsewhere.",
    (
        Column("origin", "str", "flagged country or region"),
        Column("destination", "str", "country or bloc (blocs.csv) the goods may not reach"),
        Column("commodity", "str", "tracked commodity; empty = every tracked commodity",
               required=False, default=""),
        Column("basis", "str", "the origin is where the good was mined (mined), last "
               "processed (processed), or either", required=False, default="either",
               choices=("mined", "processed", "either")),
        *year_span("the exclusion"),
        SOURCE,
    ),
    key=("origin", "destination", "commodity", "basis", "start_year"),
    required=False,
))

register(Table(
    "world_market", "The world market: what outside suppliers sell at world prices (offers, "
    "an import supply curve) and what the world buys at world prices (bids) — per region, "
    "commodity, side and tier a price path and the most that can be traded a year. Years "
    "between the given ones are interpolated linearly; before the first and after the last "
    "the nearest value holds.",
    (
        Column("region", "str", "region where the goods change hands: for an offer an outside "
               "supplier (e.g. ROW or CN; freight and tariffs to North America come on top, by "
               "link), for a bid the region that sells to the world at its own port"),
        Column("commodity", "str", "commodity traded"),
        Column("side", "str", "offer: the world sells to the region; bid: the world buys "
               "from it", required=False, default="offer", choices=("offer", "bid")),
        Column("tier", "str", "step of the supply curve, e.g. 1 (at the world price) and 2 "
               "(more, at a premium)", required=False, default="1"),
        Column("year", "int", "year of the figure", unit="yr"),
        Column("price", "float", "price at the region (FOB), before freight and tariffs",
               unit="M$/unit", min=0.0),
        Column("quantity", "float", "most that may be traded in the year; empty = no limit "
               "(all rows of a tier either give it or leave it empty)", unit="unit/yr",
               required=False, default=None, min=0.0),
        SOURCE,
    ),
    key=("region", "commodity", "side", "tier", "year"),
    required=False,
    references={"region": "regions", "commodity": "commodities"},
))
