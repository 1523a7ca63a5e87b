"""The explorer's HTML: the page (:func:`page`: levers on the left, the headline on the
right, a little plain JavaScript) and the headline of one answer (:func:`headline`), which the
page swaps in after every change.

The headline is the brief's (:mod:`northam_plan.report.brief`): key figures of the what-if
beside the base case, the whole plan in a sentence or two, then one card per mineral chain with
its sentences and, shaded, its change against the base. Every number carries its unit; names
come from the case's tables, never codes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from northam_plan.explore.levers import Lever
from northam_plan.explore.session import Answer
from northam_plan.report.numbers import money, signed_money
from northam_plan.report.planview import Sentence


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# --- the headline ------------------------------------------------------------------------

def _figures(answer: Answer, base: Answer) -> list[tuple[str, float, float]]:
    """(label, what-if, base) of the key figures, all in M$."""
    rows = [("Total cost (present value)", answer.objective, base.objective)]
    a, b = answer.view.sectors, base.view.sectors
    if a is not None and b is not None:
        rows += [
            ("… of which mineral chains", a.present_value(minerals=True),
             b.present_value(minerals=True)),
            ("… of which energy system", a.present_value(minerals=False),
             b.present_value(minerals=False)),
            ("New capacity in the USMCA, mineral chains (overnight)",
             a.overnight(minerals=True), b.overnight(minerals=True)),
        ]
    return rows


def _sentences(items: Iterable[Sentence], css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return "".join(f"<li{klass}>{esc(s.text)}</li>" for s in items)


def moved(answer: Answer, levers: dict[str, Lever]) -> str:
    """"the base case" or the levers moved, each with its value and its base."""
    parts = []
    for key, value in answer.values.items():
        lever = levers.get(key)
        if lever is None or not any(lever.blocks(float(value))):
            continue
        parts.append(f"{lever.group}: {lever.label} at {_shown(lever, float(value))} "
                     f"(base {_shown(lever, lever.base)})")
    return "; ".join(parts) if parts else "the base case (no lever moved)"


def headline(answer: Answer, base: Answer, levers: dict[str, Lever]) -> str:
    """The headline of ``answer`` against ``base`` (an HTML fragment)."""
    rows = ['<tr><th>figure</th><th class="num">what-if</th><th class="num">base case</th>'
            '<th class="num">difference</th></tr>']
    for label, value, was in _figures(answer, base):
        delta = value - was
        tone = " up" if delta > 0.5 else " down" if delta < -0.5 else ""
        rows.append(f'<tr><td>{esc(label)}</td><td class="num">{esc(money(value))}</td>'
                    f'<td class="num">{esc(money(was))}</td>'
                    f'<td class="num diff{tone}">{esc(signed_money(delta))}</td></tr>')
    cards = []
    for chain_brief in answer.brief.chains:
        chain = chain_brief.chain
        change = answer.chain_versus.get(chain.key)
        versus = (f'<li class="versus">{esc(change.text)}</li>' if change is not None else
                  '<li class="versus quiet">No change worth a sentence against the base '
                  'case.</li>' if answer.values else "")
        cards.append(f'<article class="card" data-chain="{esc(chain.key)}">'
                     f"<h3>{esc(chain.title)}</h3><ul>{versus}"
                     f"{_sentences(chain_brief.sentences)}</ul></article>")
    return (f'<div id="answer" data-objective="{answer.objective!r}" '
            f'data-route="{esc(answer.route)}">'
            f'<p class="what"><b>Showing</b> {esc(moved(answer, levers))}.</p>'
            f'<p class="units">Money in M$ (2024 US dollars); present value over '
            f"{esc(_span(answer))}, discounted to {esc(_first(answer))}.</p>"
            f'<table class="figures">{"".join(rows)}</table>'
            f'<ul class="lede">{_sentences(answer.versus, "versus")}'
            f"{_sentences(answer.brief.lede)}</ul>"
            f'<div class="cards">{"".join(cards)}</div></div>')


def _span(answer: Answer) -> str:
    years = answer.case.years
    return f"{years[0]}–{years[-1]}"


def _first(answer: Answer) -> str:
    return str(answer.case.years[0])


def timing_text(answer: Answer, rebuilt: bool) -> str:
    t = answer.timings
    how = ("rebuilt and solved from the last plan (the change adds or removes rows)" if rebuilt
           else "re-solved from the last solution")
    return (f"case checked in {t.get('case', 0):.2f} s, {how} in {t.get('resolve', 0):.2f} s; "
            f"plan read in {t.get('extract', 0):.2f} s, brief written in "
            f"{t.get('brief', 0):.2f} s")


# --- the levers --------------------------------------------------------------------------

def _num(value: float) -> str:
    """A lever's number as the page writes it: 45, 6.5, 0.25 (never 45.0 or 1e-05)."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _lever(lever: Lever) -> str:
    base = esc(_shown(lever, lever.base))
    common = (f'data-lever="{esc(lever.key)}" data-base="{_num(lever.base)}" '
              f'aria-label="{esc(lever.label)}"')
    if lever.choices:
        options = "".join(f'<option value="{_num(v)}"{" selected" if v == lever.base else ""}>'
                          f"{esc(text)}</option>" for v, text in lever.choices)
        control = f'<select {common}>{options}</select>'
    else:
        control = (f'<input type="range" data-slider="{esc(lever.key)}" '
                   f'aria-label="{esc(lever.label)}, slider" min="{_num(lever.low)}" '
                   f'max="{_num(lever.high)}" step="{_num(lever.step)}" '
                   f'value="{_num(lever.base)}">'
                   f'<input type="number" class="typed" {common} value="{_num(lever.base)}" '
                   f'step="any"><span class="unit">{esc(lever.unit)}</span>')
    return (f'<div class="lever" id="lever-{esc(lever.key)}"><label>{esc(lever.label)} '
            f'<span class="base">(base: {base})</span></label>'
            f'<div class="control">{control}</div></div>')


def _shown(lever: Lever, value: float) -> str:
    if lever.choices:
        return dict(lever.choices).get(value, _num(value))
    return f"{_num(value)} {lever.unit}"


def levers_html(levers: dict[str, Lever]) -> str:
    groups: dict[str, list[Lever]] = {}
    for lever in levers.values():
        groups.setdefault(lever.group, []).append(lever)
    opened = {"Cost of capital", "Demand"}
    out = []
    for group, items in groups.items():
        attr = " open" if group in opened else ""
        out.append(f'<details class="group"{attr}><summary>{esc(group)} '
                   f'<span class="count">({len(items)})</span></summary>'
                   f'{"".join(_lever(lv) for lv in items)}</details>')
    return "".join(out)


def page(title: str, levers: dict[str, Lever], answer: Answer, base: Answer) -> str:
    """The whole page; ``answer`` is shown first (the base case when the app starts)."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Explorer: {esc(title)}</title><style>{STYLE}</style></head>
<body>
<header><h1>What if? <span class="case">{esc(title)}</span></h1>
<p class="note">Move a lever: the plan is solved again and the headline shows the what-if
against the base case. Single user: one change is solved at a time; use one browser tab.</p>
<div id="status" class="ok" role="status">Ready: the base case is solved.</div></header>
<main>
<section id="levers"><h2>Levers</h2>
<div class="actions"><button id="reset" type="button">Reset all levers</button></div>
{levers_html(levers)}
<h2>Keep this what-if</h2>
<div class="actions"><input id="save-name" value="what-if" aria-label="case name">
<button id="save" type="button">Save as case</button>
<a id="download" href="api/download" download>Download the plan (zip)</a></div>
<p id="saved" class="note"></p>
</section>
<section id="headline"><h2>Headline</h2>{headline(answer, base, levers)}</section>
</main>
<script>{SCRIPT}</script>
<script>window.exploreLevers = {json.dumps(list(levers))};</script>
</body></html>"""


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1b1b; }
header { padding: 8px 18px; background: #1f3b73; color: #fff; }
header h1 { margin: 0; font-size: 20px; } header .case { font-weight: normal; }
header .note { margin: 2px 0 6px; color: #dfe6f5; font-size: 12px; }
#status { padding: 4px 8px; border-radius: 4px; font-size: 13px; background: #e7f3e7;
          color: #1b1b1b; white-space: pre-wrap; }
#status.solving { background: #fff8e0; } #status.rebuilding { background: #ffe7c2; }
#status.refused, #status.failed { background: #fde2e2; }
html, body { height: 100%; }
body { display: flex; flex-direction: column; }
main { display: grid; grid-template-columns: minmax(340px, 34%) 1fr; gap: 16px;
       padding: 0 0 0 18px; flex: 1; min-height: 0; }
main > section { overflow-y: auto; padding-right: 14px; padding-bottom: 18px; }
h2 { font-size: 16px; color: #1f3b73; margin: 12px 0 6px; }
details.group { border: 1px solid #c8d1e0; border-radius: 4px; margin: 4px 0; padding: 2px 8px; }
details.group summary { cursor: pointer; font-weight: 600; color: #1f3b73; }
.count { font-weight: normal; color: #666; }
.lever { padding: 3px 0; border-bottom: 1px dotted #dde; }
.lever.changed { background: #fff3d6; }
.lever label { display: block; font-size: 12.5px; }
.control { display: flex; align-items: center; gap: 6px; }
.control input[type=range] { flex: 1; } .control input.typed { width: 70px; }
.unit, .base { font-size: 12px; color: #555; }
.actions { display: flex; gap: 8px; align-items: center; margin: 4px 0; }
table.figures { border-collapse: collapse; margin: 4px 0 8px; }
table.figures td, table.figures th { padding: 3px 8px; border-bottom: 1px solid #e3e7ef; }
table.figures th { text-align: left; background: #eef2f8; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.diff.up { color: #a02020; } .diff.down { color: #1d6b2a; }
.what { margin: 0 0 2px; } .units { color: #444; font-size: 12px; margin: 0; }
ul.lede { padding-left: 18px; }
li.versus { background: #fff8e8; } li.quiet { color: #666; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
         gap: 8px; }
.card { border: 1px solid #c8d1e0; border-radius: 4px; padding: 4px 10px; font-size: 12.5px;
        background: #fbfcfe; }
.card h3 { margin: 2px 0; font-size: 14px; color: #1f3b73; }
.card ul { margin: 0; padding-left: 15px; }
#headline.stale #answer { opacity: 0.55; }
"""

SCRIPT = r"""
(function () {
  const statusBox = document.getElementById('status');
  const headline = document.getElementById('headline');
  let busy = false, pending = false, seq = 0, started = 0, solvedMs = null;
  function setStatus(kind, text) { statusBox.className = kind; statusBox.textContent = text; }
  function controls() { return document.querySelectorAll('[data-lever]'); }
  function values() {
    const out = {};
    controls().forEach(el => {
      const v = parseFloat(el.value), base = parseFloat(el.dataset.base);
      const changed = el.value.trim() === '' || isNaN(v) || v !== base;
      el.closest('.lever').classList.toggle('changed', changed);
      if (changed) out[el.dataset.lever] = el.value.trim() === '' ? el.value : v;
    });
    return out;
  }
  async function send() {
    if (busy) { pending = true; return; }
    busy = true; pending = false;
    const sent = values();
    solvedMs = null;
    setStatus('solving', 'Solving…');
    headline.classList.add('stale');
    let last = null;
    try {
      const resp = await fetch('api/solve', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({values: sent})});
      const reader = resp.body.getReader(), decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        text += decoder.decode(value, {stream: true});
        let cut;
        while ((cut = text.indexOf('\n')) >= 0) {
          const msg = JSON.parse(text.slice(0, cut)); text = text.slice(cut + 1);
          last = msg;
          if (msg.state === 'rebuilding') {
            setStatus('rebuilding', 'Rebuilding the model: this change adds or removes ' +
                      'rows, so the model is built again and solved in a new solver, from ' +
                      'the last plan (about a second)…');
          } else if (msg.state === 'solved') {
            solvedMs = performance.now() - started;
            setStatus('solving', msg.text);
          } else if (msg.state === 'done') {
            document.getElementById('answer').outerHTML = msg.html;
          }
        }
      }
    } catch (err) {
      last = {state: 'failed', message: 'the explorer did not answer: ' + err};
    }
    headline.classList.remove('stale');
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    seq += 1;
    if (last && last.state === 'done') {
      setStatus('ok', 'Updated: ' + last.timing);
    } else {
      const why = last ? last.message : 'no answer';
      setStatus(last ? last.state : 'failed', (last && last.state === 'refused' ?
        'Refused, the headline still shows the last good answer: ' :
        'No new plan, the headline still shows the last good answer: ') + why);
    }
    window.exploreLast = {seq: seq, state: last && last.state,
      ms: performance.now() - started, solvedMs: solvedMs, server: last && last.timings};
    document.body.dataset.seq = String(seq);
    busy = false;
    if (pending) { started = performance.now(); send(); }
  }
  function changed() { started = performance.now(); send(); }
  controls().forEach(el => el.addEventListener('change', changed));
  document.querySelectorAll('[data-slider]').forEach(el => el.addEventListener('change', () => {
    document.querySelector('[data-lever="' + el.dataset.slider + '"]').value = el.value;
    changed();
  }));
  document.querySelectorAll('input.typed').forEach(el => el.addEventListener('input', () => {
    document.querySelector('[data-slider="' + el.dataset.lever + '"]').value = el.value;
  }));
  document.getElementById('reset').addEventListener('click', () => {
    controls().forEach(el => { el.value = el.dataset.base; });
    document.querySelectorAll('[data-slider]').forEach(el => {
      el.value = document.querySelector('[data-lever="' + el.dataset.slider + '"]').dataset.base;
    });
    started = performance.now(); send();
  });
  document.getElementById('save').addEventListener('click', async () => {
    const resp = await fetch('api/save', {method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({name: document.getElementById('save-name').value})});
    const msg = await resp.json();
    document.getElementById('saved').textContent = msg.path ?
      'Saved as ' + msg.path + ' — solve it with: northam-plan solve ' + msg.path :
      'Not saved: ' + msg.message;
    document.body.dataset.saved = msg.path || '';
  });
})();
"""
