"""The explorer's routes (Starlette) and :func:`serve` (uvicorn).

=====================  ========================================================================
``GET /``              the page (:func:`northam_plan.explore.page.page`)
``POST /api/solve``    ``{"values": {lever: value}}`` → newline-delimited JSON: ``solving``,
                       ``rebuilding`` (a change of structure), then ``done`` (the headline's
                       HTML, the objective, the timings) or ``refused`` / ``failed`` with the
                       reason (the last good answer stays)
``POST /api/save``     ``{"name": …}`` → the case file of the answer on screen:
                       ``{"path": …, "toml": …}``
``GET /api/download``  the plan folder of the answer on screen, as a zip
``GET /api/state``     the answer on screen: objective, lever values, route
=====================  ========================================================================

Requests with a body must be JSON (``Content-Type: application/json``), which a page of
another site cannot send without the browser asking first, and the ``Host`` header must name
the address the app is bound to, so that another site cannot reach the app through a name it
controls (DNS rebinding).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from northam_plan.explore.page import headline, page, timing_text
from northam_plan.explore.save import case_text, plan_zip, save_case, slug
from northam_plan.explore.session import Explorer, Outcome
from northam_plan.report.numbers import money, signed_money

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def create_app(explorer: Explorer, save_to: Path, hosts: tuple[str, ...] = LOOPBACK
               ) -> Starlette:
    """The web app of ``explorer``; "save as case" writes into ``save_to``."""

    async def index(request: Request) -> HTMLResponse:
        return HTMLResponse(page(explorer.base_case.name, explorer.levers, explorer.answer,
                                 explorer.base))

    async def solve(request: Request) -> Response:
        body = await _json(request)
        if isinstance(body, Response):
            return body
        values = body.get("values", {}) if isinstance(body, dict) else None
        if not isinstance(values, dict):
            return JSONResponse({"state": "refused", "message": "expected "
                                 '{"values": {lever: value}}'}, status_code=400)
        return StreamingResponse(_progress(explorer, values), media_type="application/x-ndjson")

    async def save(request: Request) -> Response:
        body = await _json(request)
        if isinstance(body, Response):
            return body
        name = str(body.get("name") or "what-if") if isinstance(body, dict) else "what-if"
        with explorer.lock:
            answer = explorer.answer
            path = save_case(answer, explorer.base_case.path, save_to, name, explorer.levers)
            text = case_text(explorer.base_case.path, save_to, name, explorer.levers,
                             answer.values)
        return JSONResponse({"path": str(path), "toml": text})

    async def download(request: Request) -> Response:
        with explorer.lock:
            answer = explorer.answer
        name = "base_case" if not answer.values else "what_if"
        data = plan_zip(answer, name)
        return Response(data, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{slug(name)}.zip"'})

    async def state(request: Request) -> JSONResponse:
        answer = explorer.answer
        return JSONResponse({"objective": answer.objective, "values": answer.values,
                             "route": answer.route, "case": explorer.base_case.name})

    routes = [Route("/", index), Route("/api/solve", solve, methods=["POST"]),
              Route("/api/save", save, methods=["POST"]),
              Route("/api/download", download), Route("/api/state", state)]
    return Starlette(routes=routes, middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))])


async def _json(request: Request) -> dict | Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"state": "refused", "message": "send JSON"}, status_code=415)
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"state": "refused", "message": "the body is not JSON"},
                            status_code=400)
    return body if isinstance(body, dict) else {}


def _progress(explorer: Explorer, values: dict) -> Iterator[str]:
    """Run the change in a thread; yield each state as one JSON line as it happens."""
    events: queue.Queue = queue.Queue()

    def heard(state: str, text: str) -> None:
        if state == "solved":  # the total cost against the base, before the brief
            objective = float(text)
            delta = objective - explorer.base.objective
            events.put({"state": state, "objective": objective,
                        "text": f"Solved: total cost {money(objective)} (present value), "
                                f"{signed_money(delta)} against the base case; writing the "
                                "brief…"})
        else:
            events.put({"state": state, "reason": text})

    def work() -> None:
        try:
            outcome = explorer.apply(values, heard)
        except Exception as err:  # noqa: BLE001 — reported on the page, never a traceback
            outcome = Outcome("failed", message=str(err))
        events.put(outcome)

    yield json.dumps({"state": "solving"}) + "\n"
    threading.Thread(target=work, daemon=True).start()
    while True:
        item = events.get()
        if isinstance(item, Outcome):
            yield json.dumps(_final(explorer, item)) + "\n"
            return
        yield json.dumps(item) + "\n"


def _final(explorer: Explorer, outcome: Outcome) -> dict:
    if outcome.answer is None:
        return {"state": outcome.state, "message": outcome.message}
    answer = outcome.answer
    tic = time.perf_counter()
    fragment = headline(answer, explorer.base, explorer.levers)
    answer.timings["render"] = time.perf_counter() - tic
    return {"state": "done", "html": fragment, "objective": answer.objective,
            "route": answer.route, "rebuilt": outcome.rebuilt,
            "timing": timing_text(answer, outcome.rebuilt),
            "timings": {k: round(v, 4) for k, v in answer.timings.items()}}


def serve(explorer: Explorer, host: str = "127.0.0.1", port: int = 8000,
          save_to: Path = Path("results") / "explore") -> None:
    """Serve the explorer until Ctrl-C."""
    import uvicorn

    hosts = LOOPBACK if host in LOOPBACK else ("*",)  # bound to a network: any name
    uvicorn.run(create_app(explorer, save_to, hosts), host=host, port=port,
                log_level="warning")
