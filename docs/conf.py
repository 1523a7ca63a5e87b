"""Sphinx configuration of the northam-plan documentation site (docs/).

Built by .ci/run with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Fully offline: no intersphinx, no CDN. Math is rendered by KaTeX: its JavaScript comes with the
sphinxcontrib-katex package (PyPI), its stylesheet and fonts are vendored in
``_static/katex/`` (MIT licence beside them). The pages that follow the code are generated at
build time by ``_ext/northam_docs.py``: the formulation from the component docstrings, the
case-format reference from the table schemas, the CLI reference from the commands' own
``--help``, the API reference from docstrings, the worked examples from the hand-solved tests
and the calibration table from a solve of the reference case.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT / "src"))  # the source tree, also when the package is not installed
sys.path.insert(0, str(DOCS / "_ext"))

from northam_plan import __version__  # noqa: E402

project = "northam-plan"
author = "northam-plan contributors"
copyright = "northam-plan contributors (MIT licence)"
version = release = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinxcontrib.katex",
    "northam_docs",
]

# straight quotes: the descriptions quote column values ('from', 'estimate: …') as the CSV has them
smartquotes = False
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "_static/katex/README.md", "Thumbs.db", ".DS_Store"]

# MyST: ::: fences, definition lists, anchors on headings (guides/planners.md#units-and-scaling).
# No dollarmath: the pages are full of money in M$ ("M$ (2024 USD); so 1 M$/kt") that it would
# read as formulas; math in the Markdown pages is written {math}`…` (and ```{math} blocks)
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# the included Markdown of the repository (data/SOURCES.md, CHANGELOG.md, benchmarks/README.md)
# skips heading levels here and there; that is not worth an error
suppress_warnings = ["myst.header"]

# autodoc: the docstrings are the source of the formulation and the API reference
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": False}

# KaTeX, offline: the script from the sphinxcontrib-katex package, the stylesheet and fonts from
# _static/katex/ (KaTeX 0.16.22, the version of that script)
katex_css_path = "katex/katex.min.css"
katex_prerender = False
katex_options = "throwOnError: false, strict: false"

html_theme = "furo"
html_title = f"northam-plan {release}"
html_static_path = ["_static"]
html_css_files = ["northam.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_with_keys": True,
    "top_of_page_buttons": [],
}
