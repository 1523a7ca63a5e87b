"""The documentation site (docs/) builds with warnings as errors, offline, and says what the code
says: every table and column of the case schema, every key of a case file, every command of the
command line, every model component, every public name of the API and every worked example
appear in it, and no page loads anything from the network (the math renders in Chromium with
the network cut off).

The site is built once, in one test (a build per xdist worker would race on the generated
component pages): into a temporary folder, or, when ``NORTHAM_PLAN_SITE`` names a folder that
``.ci/run`` has just built with ``sphinx -W``, read from there.
"""

from __future__ import annotations

import ast
import html
import os
import pkgutil
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casekit import CHROMIUM, chromium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import northam_docs  # noqa: E402  (docs/_ext: what the site generates, and from which tests)

BUILD_SECONDS = 120  # the build takes ~25-35 s on 2 cores (it solves the reference case once)


def build_site(out: Path) -> float:
    """Build the site into ``out`` with warnings as errors; return the seconds it took."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q",
                           "-b", "html", str(ROOT / "docs"), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    warnings = [line for line in (done.stdout + done.stderr).splitlines()
                if "WARNING" in line or "ERROR" in line or "Traceback" in line]
    assert done.returncode == 0, "\n".join(warnings) or done.stderr[-3000:]
    return seconds


# ---------------------------------------------------------------------------------------------
# reading the built pages


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def sections(page: str) -> dict[str, str]:
    """Heading text → the HTML from that heading to the next one."""
    heads = list(re.finditer(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page, re.DOTALL))
    out = {}
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(page)
        title = text_of(head.group(1)).replace("¶", "").replace("#", "").strip()
        out[title] = page[head.end():end]
    return out


def first_cells(fragment: str) -> list[str]:
    """The text of the first cell of every body row of the tables in ``fragment``."""
    body = "".join(re.findall(r"<tbody>(.*?)</tbody>", fragment, re.DOTALL))
    return [text_of(cell).strip() for cell in
            re.findall(r"<tr[^>]*>\s*<td[^>]*>(.*?)</td>", body, re.DOTALL)]


#: attributes that make a browser load something, and CSS that does
RESOURCE = re.compile(r"<(?:script|link|img|iframe|source|video|audio|embed|object|track)\b"
                      r"[^>]*?\b(?:src|href|data|poster|srcset)\s*=\s*[\"']([^\"']+)[\"']",
                      re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])([^"')\s]+)""", re.IGNORECASE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//|^(?:https?|ftp):", re.IGNORECASE)


def loaded_urls(site: Path) -> list[tuple[Path, str]]:
    """(file, URL) of everything a page of the site or its stylesheets make a browser load."""
    found = []
    for path in sorted(site.rglob("*.html")):
        page = path.read_text(errors="replace")
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio|embed|object|"
                              r"track)\b[^>]*>", page, re.IGNORECASE):
            if re.search(r"rel\s*=\s*[\"'](?:canonical|next|prev|search|index|author|license|"
                         r"help|alternate)[\"']", tag, re.IGNORECASE):
                continue  # navigation links, not loaded
            found += [(path, url) for url in RESOURCE.findall(tag)]
        for style in re.findall(r"<style[^>]*>(.*?)</style>|style\s*=\s*\"([^\"]*)\"", page,
                                re.DOTALL | re.IGNORECASE):
            found += [(path, url) for url in CSS_URL.findall("".join(style))]
    for path in sorted(site.rglob("*.css")):
        found += [(path, url) for url in CSS_URL.findall(path.read_text(errors="replace"))]
    return found


def offline_problems(site: Path) -> list[str]:
    """External URLs a page would load, and local ones that are missing from the site."""
    problems = []
    for path, url in loaded_urls(site):
        if EXTERNAL.search(url):
            problems.append(f"{path.relative_to(site)} loads {url}")
            continue
        if url.startswith(("data:", "#", "about:")):
            continue
        local = (path.parent / url.split("#")[0].split("?")[0]).resolve()
        if not local.exists():
            problems.append(f"{path.relative_to(site)}: {url} is not in the site")
    return problems


# ---------------------------------------------------------------------------------------------
# what the code says the site must hold


def schema_problems(site: Path) -> list[str]:
    from northam_plan.case.schema import TABLES

    page = (site / "reference" / "case-format.html").read_text()
    found = sections(page)
    problems = []
    for table in TABLES.values():
        section = found.get(f"{table.name}.csv")
        if section is None:
            problems.append(f"table {table.name}: no section '{table.name}.csv'")
            continue
        columns = first_cells(section)
        problems += [f"column {table.name}.{c.name} is missing from the case format"
                     for c in table.columns if c.name not in columns]
        for column in table.columns:  # unit and description shown with the column
            row = re.search(rf"<tr[^>]*>\s*<td[^>]*>(?:(?!</tr>).)*?>{re.escape(column.name)}<"
                            rf"(?:(?!</tr>).)*</tr>", section, re.DOTALL)
            shown = text_of(row.group(0)) if row else ""
            words = column.description.split()[:3]
            if row and not all(w.strip("*`|_") in shown for w in words):
                problems.append(f"column {table.name}.{column.name}: its description is "
                                "missing")
    from northam_plan.case import casefile

    for title, model in (("Top-level keys", casefile.CaseFile), ("[years]", casefile.Years),
                         ("[options]", casefile.Options), ("[[override]]", casefile.Override),
                         ("[[add]]", casefile.Add)):
        keys = first_cells(found.get(title, ""))
        problems += [f"case file key {title} {name} is missing" for name in model.model_fields
                     if name not in keys]
    return problems


def cli_problems(site: Path) -> list[str]:
    page = (site / "reference" / "cli.html").read_text()
    found = sections(page)
    problems = []
    for name in northam_docs.cli_commands():
        section = found.get(f"northam-plan {name}", "")
        if f"Usage: northam-plan {name}" not in text_of(section):
            problems.append(f"command {name}: no section with its --help")
    if "usage: python -m northam_plan.decomposition" not in text_of(page):
        problems.append("python -m northam_plan.decomposition: its --help is missing")
    return problems


def component_problems(site: Path) -> list[str]:
    import northam_plan.model.components as package

    problems = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        page = site / "formulation" / "components" / f"{info.name}.html"
        if not page.is_file():
            problems.append(f"component {info.name}: no page")
            continue
        source = (ROOT / "src" / "northam_plan" / "model" / "components" /
                  f"{info.name}.py").read_text()
        first = " ".join((ast.get_docstring(ast.parse(source)) or "").split("\n\n")[0].split())
        shown = " ".join(text_of(page.read_text()).split())
        if text_of(first.replace("``", "")) not in shown:
            problems.append(f"component {info.name}: its docstring is not on its page")
    return problems


def api_problems(site: Path) -> list[str]:
    import northam_plan

    page = (site / "reference" / "api.html").read_text()
    return [f"northam_plan.{name} is missing from the API reference"
            for name in northam_plan.__all__ if not name.startswith("__")
            and f'id="northam_plan.{name}"' not in page]


def example_problems(site: Path) -> list[str]:
    page = text_of((site / "formulation" / "examples.html").read_text())
    problems = []
    for file in northam_docs.EXAMPLES:
        assert (ROOT / "tests" / file).is_file(), f"EXAMPLES names a missing test file {file}"
        problems += [f"worked example {file}::{f.name} is missing"
                     for f in northam_docs.test_functions(file)
                     if northam_docs.test_title(f.name) not in page]
    return problems


def money_problems(site: Path) -> list[str]:
    """Money written M$ in a Markdown page is still M$ on the built page (a Markdown math
    extension reading "M$ … M$" as a formula would swallow it)."""
    problems = []
    for source in sorted((ROOT / "docs").rglob("*.md")):
        if "_build" in source.parts or "_static" in source.parts:
            continue
        built = site / source.relative_to(ROOT / "docs").with_suffix(".html")
        wanted = source.read_text().count("M$")
        shown = text_of(built.read_text()).count("M$") if built.is_file() else 0
        if shown < wanted:
            problems.append(f"{built.relative_to(site)} shows {shown} of the {wanted} M$ of "
                            f"{source.relative_to(ROOT)}")
    return problems


# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_site_builds_strictly_and_matches_the_code(tmp_path):
    given = os.environ.get("NORTHAM_PLAN_SITE")
    if given and (Path(given) / "index.html").is_file():
        site = Path(given)  # built by .ci/run with -W just before the tests
    else:
        site = tmp_path / "html"
        seconds = build_site(site)
        assert seconds < BUILD_SECONDS, f"the site took {seconds:.0f} s to build"
    problems = (schema_problems(site) + cli_problems(site) + component_problems(site)
                + api_problems(site) + example_problems(site) + offline_problems(site)
                + money_problems(site))
    assert problems == [], "\n".join(problems)
    if not CHROMIUM.exists():
        return
    # the math renders: KaTeX replaced every formula of a component page, with no error, no
    # console message and no network (casekit's Chromium resolves no host)
    page = site / "formulation" / "components" / "capacity.html"
    dom = chromium(page, "--dump-dom")
    console = [line for line in dom.stderr.splitlines()
               if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    formulas = len(re.findall(r'<(?:span|div) class="math"', page.read_text()))
    assert formulas >= 10
    assert dom.stdout.count('class="katex"') >= formulas, "KaTeX did not render every formula"
    assert "katex-error" not in dom.stdout


def test_offline_check_finds_external_and_missing_resources(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "here.css").write_text(
        "@font-face{src:url(fonts/gone.woff2)} body{background:url('https://cdn.example/x.png')}")
    (tmp_path / "index.html").write_text(
        '<link rel="stylesheet" href="_static/here.css"><script src="//cdn.example/k.js">'
        '</script><link rel="next" href="https://example.org/next.html">'
        '<img src="missing.png"><a href="https://example.org">a link is not loaded</a>')
    problems = offline_problems(tmp_path)
    assert problems == ["index.html loads //cdn.example/k.js",
                        "index.html: missing.png is not in the site",
                        "_static/here.css: fonts/gone.woff2 is not in the site",
                        "_static/here.css loads https://cdn.example/x.png"]


def test_schema_check_finds_a_missing_column():
    page = ("<h3>countries.csv</h3><table><tbody><tr><td><p><code>country</code></p></td>"
            "<td>str</td></tr></tbody></table><h3>regions.csv</h3>")
    found = sections(page)
    assert first_cells(found["countries.csv"]) == ["country"]
    assert found["regions.csv"] == ""


def test_every_component_module_is_documented_by_the_generator():
    """The generator lists every module of model/components (a new one gets its page)."""
    import northam_plan.model.components as package

    modules = {i.name for i in pkgutil.iter_modules(package.__path__)
               if not i.name.startswith("_")}
    assert {northam_docs.short(m) for m in northam_docs.components()} == modules
    readers = northam_docs.readers()
    unread = sorted(t for t, names in readers.items() if not names)
    assert unread == [], f"tables no component reads (check the generator's scan): {unread}"
