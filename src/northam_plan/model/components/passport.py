r"""Product passport: tracked commodities balanced per origin tag, tariffs by origin, rules of
origin (regional content) and forced-labour exclusions.

Tags. Every unit of a tracked commodity c (tracked.csv) carries a tag o = (mined region,
processed region): where its mineral was mined and where it was last transformed ('' while it
is an unprocessed mineral). A process takes at most one tracked input; its tracked outputs
keep the input's mined region and are processed in the process's region r, so a refinery in MX
turning Chinese concentrate into hydroxide yields (CN, MX). A tracked output made without a
tracked input is mined in r ((r, '') from a mine, (r, r) from any other process); so is a good
bought on the world market at r (market component): (r, '') for a mineral, else (r, r). Tag sets
:math:`O_{r,c}` are sparse: propagated from the producing regions through processes and links
until nothing changes. Country rules read a region's country; "processed" means the processed
region, or the mined one for an unprocessed mineral.

Variables (unit/yr, per tag o ∈ O)
    ``act_tag[r, p, o, t]`` — activity of process p on input of tag o (processes with a tracked
    input); ``flow_tag[r, r', c, o, t]``; ``deliver_tag[r, c, o, t]`` — deliveries to final
    demand; ``stock_fill_tag``, ``stock_draw_tag`` (unit/yr) and ``stock_tag`` (unit) for
    stockpiles of tracked commodities.

Constraints
    ``act_tag_total[r, p, t]``: :math:`\sum_o act\_tag = act`;
    ``flow_tag_total[r, r', c, t]``: :math:`\sum_o flow\_tag = flow`;
    ``stock_tag_fill_total``, ``stock_tag_draw_total``: :math:`\sum_o fill\_tag = stock\_fill`
    (and draw); ``stock_tag_balance[r, c, o, t]``: :math:`stock_t = stock_{t-1} + w_t (fill -
    draw)` per tag, starting empty (so :math:`\sum_o stock\_tag = stock`);
    ``tagged_balance[r, c, o, t]`` (unit/yr), free disposal as in the untagged balance:

    .. math::
        \sum_{p,o' \to o} out_{p,c}\,act\_tag + [o = base]\,out_{p,c}\,act
        - in_{p,c}\,act\_tag_o + \sum_{in} (1 - loss) flow\_tag_o - \sum_{out} flow\_tag_o
        + draw_o - fill_o - deliver_o \ge 0

    ``delivery_balance[r, c, t]``: :math:`\sum_o deliver\_tag + unserved = demand`;
    ``sale_tag_total[r, c, t]``: :math:`\sum_o sale\_tag = \sum_k sale` — a world-market sale
    (market component) takes tags of the selling region, so no tag is delivered twice;
    ``content_share_min[d, c, B, basis, t]`` (content_rules.csv):
    :math:`\sum_{r \in d, o \in B} deliver\_tag \ge share \cdot \sum_{r \in d, o} deliver\_tag`
    — its dual is the cost of the rule, M$ (present value) per unit.

Forced labour (forced_labour.csv)
    no variable is created that would carry a flagged origin (mined in, or processed in, the
    flagged country or region) into a flagged destination: flows into it, processing, stock and
    deliveries there (tag-level zero bounds, by sparsity).

Costs (annual, M$/yr, importing country), ``tariff`` on each flow between countries:
    :math:`\sum_{basis} rate(k_{basis}(o), k', c, t) \cdot price^{ref}_c \cdot flow\_tag`, with
    :math:`k_{shipper}` the shipping country, :math:`k_{mined}` and :math:`k_{processed}` the
    tag's countries (tariffs.csv ``basis``).
"""

from __future__ import annotations

from collections import defaultdict

from northam_plan.model.algebra import Index, constraints, sums, terms, variables
from northam_plan.model.components.activity import process_ratios
from northam_plan.model.components.security import bloc_members, spans

NAME = "passport"
REQUIRES = ("activity", "market", "trade", "demand")
TAGGED = ("region", "commodity", "mined_region", "processed_region", "year")


def chains(case) -> tuple[dict, dict, dict]:
    """Per process: its tracked input (commodity, ratio) or None, its tracked outputs
    [(commodity, ratio)], and the tag region rule ('mine' or 'process') for base tags."""
    tracked = case.tracked
    ratios = process_ratios(case)
    family = dict(zip(case.tables["processes"]["process"], case.tables["processes"]["family"]))
    inputs = {p: next(((c, -x) for c, x in items if x < 0 and c in tracked), None)
              for p, items in ratios.items()}
    outputs = {p: [(c, x) for c, x in items if x > 0 and c in tracked]
               for p, items in ratios.items()}
    return inputs, outputs, family


def base_tag(r: str, process_family: str) -> tuple[str, str]:
    """Tag of a tracked output made without a tracked input in region r."""
    return (r, "") if process_family == "mine" else (r, r)


def bought_tags(case, purchases) -> dict[tuple[str, str], tuple[str, str]]:
    """Tag per (region, commodity) bought on the world market (market component): the base tag
    of a mine for a mineral (mined in r, unprocessed), of any other process otherwise."""
    commodities = case.tables["commodities"]
    minerals = set(commodities.loc[commodities["kind"] == "mineral", "commodity"])
    return {(r, c): base_tag(r, "mine" if c in minerals else "other")
            for r, c, *_ in purchases}


def tag_sets(case, pairs, bought=()) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Origin tags that can occur per (region, tracked commodity), propagated from the
    (region, process) ``pairs`` that may operate and the world-market purchase keys ``bought``
    ((region, commodity, …)), through processes and links."""
    inputs, outputs, family = chains(case)
    tags: dict = defaultdict(set)
    for (r, c), tag in bought_tags(case, bought).items():
        tags[r, c].add(tag)
    for r, p in pairs:
        if inputs[p] is None:
            for c, _ in outputs[p]:
                tags[r, c].add(base_tag(r, family[p]))
    links = [(a, b, c) for a, b, c in case.tables["links"][["from", "to", "commodity"]]
             .itertuples(index=False) if c in case.tracked]
    changed = True
    while changed:
        changed = False
        for r, p in pairs:
            if inputs[p] is not None:
                made = {(o[0], r) for o in tags[r, inputs[p][0]]}
                for c, _ in outputs[p]:
                    if made - tags[r, c]:
                        tags[r, c] |= made
                        changed = True
        for a, b, c in links:
            if tags[a, c] - tags[b, c]:
                tags[b, c] |= tags[a, c]
                changed = True
    return tags


def places(case) -> dict[str, set[str]]:
    """Countries (and regions) a name stands for: a bloc's members, or the name itself."""
    named = defaultdict(set, {b: set(ks) for b, ks in bloc_members(case).items()})
    for k in case.tables["countries"]["country"]:
        named[k].add(k)
    for r in case.countries_of_regions:
        named[r].add(r)
    return named


def origin_in(o: tuple[str, str], names: set[str], basis: str, country_of) -> bool:
    """Whether tag o comes from ``names`` (countries or regions) on the given basis."""
    processed = o[1] or o[0]
    mined = o[0] in names or country_of[o[0]] in names
    made = processed in names or country_of[processed] in names
    return {"mined": mined, "processed": made, "either": mined or made,
            "both": mined and made}[basis]


def exclusions(case):
    """A function blocked(r, c, o, t): whether forced_labour.csv keeps tag o of c out of r."""
    country_of = case.countries_of_regions
    named = places(case)
    rules = defaultdict(list)  # (destination region, t) -> [(commodity, origin set, basis)]
    for (origin, dest, c, basis, t), _ in spans(
            case, "forced_labour", ["origin", "destination", "commodity", "basis"],
            "origin").items():
        for r, k in country_of.items():
            if k in named[dest] or r == dest:
                rules[r, t].append((c, {origin}, basis))

    def blocked(r, c, o, t):
        return any((not rc or rc == c) and origin_in(o, names, basis, country_of)
                   for rc, names, basis in rules.get((r, t), ()))
    return blocked


def tariff_rates(case) -> dict[str, dict[tuple, float]]:
    """Tariff rate per basis and (from country, to country, commodity, model year)."""
    out: dict = defaultdict(dict)
    for (k_from, k_to, c, basis, t), rate in spans(
            case, "tariffs", ["from", "to", "commodity", "basis"], "rate").items():
        out[basis][k_from, k_to, c, t] = out[basis].get((k_from, k_to, c, t), 0.0) + rate
    return out


def add(m, case, book) -> None:
    tracked = case.tracked
    if not tracked:
        return
    top = m.model()
    country_of = case.countries_of_regions
    inputs, outputs, family = chains(case)
    pairs = sorted({(r, p) for r, p, _ in top.book.cap_keys})
    purchases = [key for key in book.traded.get("purchase", ()) if key[1] in tracked]
    tags = tag_sets(case, pairs, purchases)
    blocked = exclusions(case)
    balance = defaultdict(list)  # tagged_balance: (coef, variable) pairs per (r, c, o, t)
    bought = bought_tags(case, purchases)
    for (r, c, k, t) in purchases:  # world-market purchases (market component)
        balance[r, c, bought[r, c], t].append((1.0, m.purchase[r, c, k, t]))

    # processes: act_tag per input tag, base tags straight from act
    act_keys, split = [], []
    for (r, p, t) in top.book.cap_keys:
        if inputs[p] is None:
            for c, x in outputs[p]:
                balance[r, c, base_tag(r, family[p]), t].append((x, m.act[r, p, t]))
            continue
        split.append((r, p, t))
        c_in = inputs[p][0]
        act_keys += [(r, p, o, t) for o in sorted(tags[r, c_in]) if not blocked(r, c_in, o, t)]
    variables(m, "act_tag", act_keys)
    book.declare("act_tag", ("region", "process", "mined_region", "processed_region", "year"),
                 "unit/yr")
    for (r, p, o, t) in act_keys:
        var = m.act_tag[r, p, o, t]
        c_in, x_in = inputs[p]
        balance[r, c_in, o, t].append((-x_in, var))
        for c, x in outputs[p]:
            balance[r, c, (o[0], r), t].append((x, var))
    rows = Index(split, ("region", "process", "year"))
    constraints(m, "act_tag_total", terms(m.act_tag, act_keys, at=[(r, p, t) for r, p, _, t in
                                                                  act_keys], index=rows)
                == terms(m.act, index=rows))
    book.declare("act_tag_total", rows.dims, "M$/unit")

    _add_flows(m, case, book, tags, blocked, balance, country_of)
    _add_stock(m, case, book, tags, blocked, balance)
    _add_deliveries(m, case, book, tags, blocked, balance, country_of)
    _add_sales(m, book, tags, balance, tracked)

    rows = Index(sorted(k for k, items in balance.items() if items), TAGGED)
    constraints(m, "tagged_balance", sums(balance, rows) >= 0.0)
    book.declare("tagged_balance", rows.dims, "M$/unit")


def _add_sales(m, book, tags, balance, tracked) -> None:
    r"""World-market sales (market component) draw from the region's tags:
    ``sale_tag_total[r, c, t]``: :math:`\sum_o sale\_tag_{r,c,o,t} = \sum_k sale_{r,c,k,t}`."""
    sold = defaultdict(list)
    for (r, c, k, t) in book.traded.get("sale", ()):
        if c in tracked:
            sold[r, c, t].append((1.0, m.sale[r, c, k, t]))
    keys = [(r, c, o, t) for (r, c, t) in sorted(sold) for o in sorted(tags[r, c])]
    variables(m, "sale_tag", keys)
    book.declare("sale_tag", ("region", "commodity", "mined_region", "processed_region",
                              "year"), "unit/yr")
    for (r, c, o, t) in keys:
        balance[r, c, o, t].append((-1.0, m.sale_tag[r, c, o, t]))
    rows = Index(sorted(sold), ("region", "commodity", "year"))
    constraints(m, "sale_tag_total", terms(m.sale_tag, keys, at=[(r, c, t) for r, c, _, t in
                                                                keys], index=rows)
                == sums(sold, rows))
    book.declare("sale_tag_total", rows.dims, "M$/unit")


def _add_flows(m, case, book, tags, blocked, balance, country_of) -> None:
    links = case.tables["links"]
    links = links[links["commodity"].isin(case.tracked)]
    price = dict(zip(case.tables["commodities"]["commodity"],
                     case.tables["commodities"]["reference_price"]))
    rates = tariff_rates(case)
    keys, loss = [], {}
    for a, b, c, x in links[["from", "to", "commodity", "loss"]].itertuples(index=False):
        loss[a, b, c] = x
        keys += [(a, b, c, o, t) for o in sorted(tags[a, c]) for t in case.years
                 if not blocked(b, c, o, t)]
    variables(m, "flow_tag", keys)
    book.declare("flow_tag", ("from", "to", "commodity", "mined_region", "processed_region",
                              "year"), "unit/yr")
    for (a, b, c, o, t) in keys:
        var = m.flow_tag[a, b, c, o, t]
        balance[a, c, o, t].append((-1.0, var))
        balance[b, c, o, t].append((1.0 - loss[a, b, c], var))
        k_to = country_of[b]
        if country_of[a] == k_to:
            continue
        paid = []
        for basis, k in (("shipper", country_of[a]), ("mined", country_of[o[0]]),
                         ("processed", country_of[o[1] or o[0]])):
            rate = rates.get(basis, {}).get((k, k_to, c, t), 0.0)
            if rate and price[c]:
                paid.append((basis, k, rate * price[c]))
                book.cost("tariff", k_to, t, rate * price[c], var)
        if paid:
            book.passport_tariffs[a, b, c, o, t] = paid
    rows = Index([(a, b, c, t) for a, b, c in loss for t in case.years],
                 ("from", "to", "commodity", "year"))
    constraints(m, "flow_tag_total", terms(m.flow_tag, keys, at=[(a, b, c, t) for a, b, c, _, t
                                                                 in keys], index=rows)
                == terms(m.flow, index=rows))
    book.declare("flow_tag_total", rows.dims, "M$/unit")


def _add_stock(m, case, book, tags, blocked, balance) -> None:
    r"""Stock per tag: ``stock_tag_balance[r, c, o, t]``: :math:`stock_t = stock_{t-1} + w_t
    (fill - draw)` (unit), starting empty; ``stock_tag_fill_total``, ``stock_tag_draw_total``
    [r, c, t]: :math:`\sum_o fill\_tag = stock\_fill` (and draw), unit/yr."""
    pairs = sorted({(r, c) for (r, c, _) in getattr(m, "stock_fill", {})
                    if c in case.tracked})
    years = case.years
    keys = Index([(r, c, o, t) for r, c in pairs for o in sorted(tags[r, c]) for t in years
                  if not blocked(r, c, o, t)], TAGGED)
    for name, unit in (("stock_tag", "unit"), ("stock_fill_tag", "unit/yr"),
                       ("stock_draw_tag", "unit/yr")):
        variables(m, name, keys)
        book.declare(name, keys.dims, unit)
    previous = {t: years[i - 1] for i, t in enumerate(years) if i > 0}
    carried = [((r, c, o, t), (r, c, o, previous[t])) for r, c, o, t in keys
               if (r, c, o, previous.get(t)) in keys.position]
    w = [case.year_weights[t] for *_, t in keys]
    stock = terms(m.stock_tag, index=keys) - terms(
        m.stock_tag, [before for _, before in carried], at=[key for key, _ in carried],
        index=keys) - terms(m.stock_fill_tag, index=keys, coefs=w) + terms(
        m.stock_draw_tag, index=keys, coefs=w)
    constraints(m, "stock_tag_balance", stock == 0.0)
    book.declare("stock_tag_balance", keys.dims, "M$/unit")
    for (r, c, o, t) in keys:
        balance[r, c, o, t] += [(1.0, m.stock_draw_tag[r, c, o, t]),
                                (-1.0, m.stock_fill_tag[r, c, o, t])]
    totals = Index([(r, c, t) for r, c in pairs for t in years], ("region", "commodity", "year"))
    at = [(r, c, t) for r, c, _, t in keys]
    for name, total in (("stock_tag_fill_total", "stock_fill"),
                        ("stock_tag_draw_total", "stock_draw")):
        constraints(m, name, terms(getattr(m, f"{total}_tag"), keys.keys, at=at, index=totals)
                    == terms(getattr(m, total), index=totals))
        book.declare(name, totals.dims, "M$/unit")


def _add_deliveries(m, case, book, tags, blocked, balance, country_of) -> None:
    r"""Deliveries per tag: ``delivery_balance[r, c, t]``: :math:`\sum_o deliver\_tag +
    unserved = demand` (unit/yr); ``content_share_min`` (module docstring)."""
    demand = case.demand_by_year.groupby(["region", "commodity", "year"])["quantity"].sum()
    wanted = Index([(r, c, t) for (r, c, t) in m.unserved if c in case.tracked],
                   ("region", "commodity", "year"))
    keys = [(r, c, o, t) for (r, c, t) in wanted for o in sorted(tags[r, c])
            if not blocked(r, c, o, t)]
    variables(m, "deliver_tag", keys)
    book.declare("deliver_tag", TAGGED, "unit/yr")
    for (r, c, o, t) in keys:
        balance[r, c, o, t].append((-1.0, m.deliver_tag[r, c, o, t]))
    constraints(m, "delivery_balance", terms(m.deliver_tag, keys, at=[
        (r, c, t) for r, c, _, t in keys], index=wanted) + terms(m.unserved, index=wanted) == {
        key: float(demand[key]) for key in wanted})
    book.declare("delivery_balance", wanted.dims, "M$/unit")

    named = places(case)
    rules = spans(case, "content_rules", ["destination", "commodity", "origin", "basis"],
                  "share")
    members, totals = defaultdict(list), defaultdict(list)
    for (r, c, o, t) in keys:
        var = m.deliver_tag[r, c, o, t]
        for (dest, rc, origin, basis, rt) in rules:
            if rc == c and rt == t and (country_of[r] in named[dest] or r == dest):
                totals[dest, rc, origin, basis, rt].append(var)
                if origin_in(o, named[origin], basis, country_of):
                    members[dest, rc, origin, basis, rt].append(var)
    rows = Index(sorted(key for key in rules if totals[key]),
                 ("destination", "commodity", "origin", "basis", "year"))

    def content(key) -> list:
        """(1 − share) for a delivery from inside the origin, −share for one from outside."""
        inside = {id(v) for v in members[key]}
        return [((1.0 if id(v) in inside else 0.0) - rules[key], v) for v in totals[key]]

    constraints(m, "content_share_min", sums({key: content(key) for key in rows}, rows) >= 0.0)
    book.declare("content_share_min", rows.dims, "M$/unit", output="limit")
