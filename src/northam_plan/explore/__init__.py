"""``northam-plan explore``: committee staff move a policy lever and see the plan answer.

A local web app. The base case is solved once; its HiGHS instance is kept
(:class:`~northam_plan.scenarios.resolve.Resolver`, the array diff of the matrix backend), and
every move of a lever is written as the ``[[override]]`` / ``[[add]]`` blocks of a case file,
validated by the case loader's own rules, re-solved warm, and shown as the brief's headline
against the base case. "Save as case" writes those blocks as a case file that ``extends`` the
base; "download" gives the plan folder as a zip.

Modules, one concern each: :mod:`~northam_plan.explore.levers` (the levers and their blocks),
:mod:`~northam_plan.explore.session` (the kept Resolver, the last good answer, one change at
a time), :mod:`~northam_plan.explore.page` (the HTML and its script),
:mod:`~northam_plan.explore.save` (case file and zip), :mod:`~northam_plan.explore.app`
(routes and server).

**Framework: Starlette + uvicorn**, with the page rendered on the server and about a hundred
lines of plain JavaScript. The app has four routes and one page, so it needs a router, JSON and
a streamed response (to say "rebuilding" while a change of structure is solved from scratch),
and nothing else: Starlette is the small, well-kept ASGI toolkit FastAPI is built on (no
pydantic models or OpenAPI needed here), uvicorn its usual server; the two add only ``h11``
to what is installed already. Dash or Panel would bring a component framework, a client
bundle and their own state model for one page of sliders and sentences; the brief's sentences
are already HTML-ready text, so the server renders them and the browser swaps one ``<div>``.
"""

from northam_plan.explore.session import Answer, Explorer, Outcome

__all__ = ["Answer", "Explorer", "Outcome"]
