"""Table schemas of offtake contracts and recycling: government offtakes and price floors,
end-of-life streams from the stock in use, the stock put in use before the horizon, and where
recycled output counts toward sourcing floors. Every one is optional."""

from __future__ import annotations

from northam_plan.case.schema_base import SOURCE, Column, Table, register, year_span

register(Table(
    "offtakes", "Government offtake and price-floor contracts: a committed purchase of a "
    "quantity a year at a contract price into a stockpile (kind purchase), or a top-up of "
    "the market price to a floor price on a region's output up to a volume (kind floor).",
    (
        Column("contract", "str", "contract name"),
        Column("kind", "str", "purchase: the government buys quantity a year at price into "
               "the region's stockpile (stockpiles.csv); floor: it pays price − market_price "
               "per unit of the region's output, up to quantity a year",
               choices=("purchase", "floor")),
        Column("region", "str", "region of the producer (floor) or of the stockpile "
               "(purchase)"),
        Column("commodity", "str", "commodity bought or covered"),
        *year_span("the contract"),
        Column("quantity", "float", "purchase: quantity bought a year; floor: most output "
               "covered a year, empty = all of it", unit="unit/yr", required=False,
               default=None, min=0.0),
        Column("price", "float", "purchase: contract price; floor: floor price",
               unit="M$/unit", min=0.0),
        Column("market_price", "float", "floor: the benchmark market price the top-up is "
               "paid against (the payment per unit is max(0, price − market_price))",
               unit="M$/unit", required=False, default=0.0, min=0.0),
        SOURCE,
    ),
    key=("contract", "start_year"),
    required=False,
    references={"region": "regions", "commodity": "commodities"},
))

register(Table(
    "end_of_life", "End-of-life streams: what a region puts in use of a product (its final "
    "demand, demand.csv, and before the horizon stock_in_use.csv) comes back as scrap after "
    "a lifetime, collected at a rate; the scrap is supply of its own commodity, which "
    "recycling processes (processes.csv) turn into material.",
    (
        Column("region", "str", "region where the product is used and the scrap arises"),
        Column("product", "str", "commodity put in use (its final demand in the region)"),
        Column("sector", "str", "sector of the product's demand; empty = every sector",
               required=False, default=""),
        Column("scrap", "str", "commodity the end-of-life product becomes (not tracked)"),
        Column("lifetime", "int", "years from being put in use to end of life", unit="yr",
               min=1, max=100),
        Column("content", "float", "scrap per unit of product reaching end of life",
               unit="unit/unit", required=False, default=1.0, min=0.0),
        Column("collection_rate", "float", "share of the end-of-life product collected for "
               "recycling", unit="1", min=0.0, max=1.0),
        Column("collection_cost", "float", "cost of collecting and preparing one unit of "
               "scrap", unit="M$/unit", required=False, default=0.0, min=0.0),
        SOURCE,
    ),
    key=("region", "product", "sector", "scrap"),
    required=False,
    references={"region": "regions", "product": "commodities", "scrap": "commodities"},
))

register(Table(
    "stock_in_use", "What was put in use of a product before the first model year (from the "
    "first model year on, the case's demand is what is put in use). Years between the given "
    "ones are interpolated linearly; before the first the nearest given value holds.",
    (
        Column("region", "str", "region code"),
        Column("product", "str", "commodity put in use"),
        Column("sector", "str", "sector, as in end_of_life.csv; empty = every sector",
               required=False, default=""),
        Column("year", "int", "calendar year, before the first model year", unit="yr"),
        Column("quantity", "float", "quantity put in use in the year", unit="unit/yr",
               min=0.0),
        SOURCE,
    ),
    key=("region", "product", "sector", "year"),
    required=False,
    references={"region": "regions", "product": "commodities"},
))

register(Table(
    "recycled_content", "Where output of recycling processes (family recycling) counts as "
    "the bloc's own production toward its sourcing floor (regional_shares.csv); without a "
    "row it serves use but does not count toward the floor.",
    (
        Column("bloc", "str", "bloc name (blocs.csv)"),
        Column("commodity", "str", "commodity of the floor"),
        *year_span("the credit"),
        SOURCE,
    ),
    key=("bloc", "commodity", "start_year"),
    required=False,
    references={"commodity": "commodities"},
))
