"""Style and the small script of the committee pages beyond the tables' own style
(:data:`northam_plan.report.html.STYLE`): the brief's first screen, tables that fit the page,
and the print stylesheet.

Printing gives a Letter or A4 brief: the brief on its own first page(s), every chart scaled to
the paper's width (the script measures each chart once drawn and sets ``--print-zoom``), no
plotly toolbar, no row or chart cut in two; the collapsed per-year tables stay collapsed (open
one to print it; every row is in the workbook). The page's "Print the
brief" button — or opening the page with ``#print-brief`` — prints the brief alone.
"""

from __future__ import annotations

#: CSS pixels of the printable width of Letter and A4 with 12 mm margins (A4: 186 mm ≈ 703 px)
PRINT_WIDTH = 680

STYLE = """
body { max-width: 1240px; }
table { max-width: 100%; }
th { overflow-wrap: break-word; }
td.label, td.wrap, td .note { white-space: normal; overflow-wrap: break-word; }
th.group { text-align: center; border-left: 2px solid #fff; }
#sectors th { position: static; }
th.num { white-space: normal; }
.brief { border: 2px solid #1f3b73; border-radius: 6px; padding: 6px 14px 10px;
         margin-top: 12px; }
.brief h2 { margin-top: 6px; border: 0; }
.brief .lede { margin: 4px 0 8px; padding-left: 18px; font-size: 13px; }
.brief .lede li.versus { background: #fff8e8; }
.brief .lede li { margin-bottom: 2px; }
.cards { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px; }
.card { border: 1px solid #c8d1e0; border-radius: 4px; padding: 4px 10px 6px;
        font-size: 12px; line-height: 1.3; background: #fbfcfe; }
.card h3 { margin: 2px 0 0; font-size: 14px; color: #1f3b73; }
.card .path { color: #666; font-size: 11px; margin: 0 0 3px; }
.card ul { margin: 0; padding-left: 15px; }
.card li { margin: 2px 0; }
.card li.versus { background: #fff8e8; }
.card details { font-size: 12px; color: #333; }
.card details summary { cursor: pointer; color: #1f3b73; }
a.row { text-decoration: none; color: #1f3b73; font-size: 11px; padding-left: 2px; }
a.row:hover { text-decoration: underline; }
tr:target td { background: #ffeeb3 !important; }
.keys { font-size: 12px; color: #444; margin: 2px 0 6px; }
button.print { float: right; margin-top: 4px; font-size: 12px; }
details.chain > summary { font-weight: bold; cursor: pointer; margin: 8px 0 4px; }
td.good { color: #0a5d00; } td.bad { color: #a50f15; }
"""

PRINT_STYLE = """
@media print {
  @page { margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h1 { font-size: 17pt; } h2 { font-size: 13pt; break-after: avoid; }
  h3 { break-after: avoid; }
  .modebar-container, button.print, a.row { display: none !important; }
  .brief { border: 0; padding: 0; break-after: page; }
  .cards { grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 5px; }
  .card, tr, .chart, .warn { break-inside: avoid; }
  .card { background: none; font-size: 7.5pt; padding: 2px 6px 4px; }
  .card h3 { font-size: 9pt; }
  .card details, .keys { display: none; }
  .brief .lede { font-size: 8.5pt; }
  table { font-size: 8.5pt; }
  th { position: static; }
  a { color: inherit; text-decoration: none; }
  details > summary { list-style: none; }
  .chart .plot-container { zoom: var(--print-zoom, 1); }
  html.brief-only body > :not(.brief):not(h1):not(.sub) { display: none !important; }
  html.brief-only .brief { break-after: auto; }
}
"""

#: opens a collapsed table at a link into it; scales charts for print;
#: ``#print-brief`` (or the button) prints the brief alone
SCRIPT = f"""
(function () {{
  function openAt(id) {{
    var el = id && document.getElementById(id);
    for (var p = el; p; p = p.parentElement) {{ if (p.tagName === 'DETAILS') p.open = true; }}
    if (el) el.scrollIntoView();
  }}
  window.addEventListener('hashchange', function () {{ openAt(location.hash.slice(1)); }});
  window.addEventListener('afterprint', function () {{
    document.documentElement.classList.remove('brief-only');
  }});
  window.printBrief = function () {{
    document.documentElement.classList.add('brief-only'); window.print();
  }};
  function zoom() {{
    document.querySelectorAll('.chart .js-plotly-plot').forEach(function (div) {{
      var w = div.offsetWidth || {PRINT_WIDTH};
      div.style.setProperty('--print-zoom', Math.min(1, {PRINT_WIDTH} / w).toFixed(3));
    }});
  }}
  window.addEventListener('load', function () {{
    zoom();
    if (location.hash === '#print-brief') document.documentElement.classList.add('brief-only');
    else if (location.hash) openAt(location.hash.slice(1));
  }});
  window.addEventListener('resize', zoom);
}})();
"""
