"""The reading room: a Datasette plugin that makes a crossings file readable without SQL.

Shipped in the package and registered under Datasette's ``datasette`` entry point (so
``datasette serve ANY-NAME.db`` finds it too), it acts only on databases that are
crossings files (a ``cases`` and an ``audit`` table, a crossings schema version):

* ``get_metadata``: every table, view and column described, internal tables hidden,
  keyed by the name Datasette gave the database, whatever the file is called;
* a case page, ``/-/crossings/DB/case/ID``: the case's dossier (``render.dossier``), its
  timeline in sentences with sources and the clauses' own words;
* ``render_cell``: case ids link to their case page, clause ids to their words (the
  ``clauses`` view), a source to the events that cite it;
* an index page for readers (``templates/index.html``) and one style sheet.

Every stored text reaches the page through the dossier's escaping or Datasette's own
autoescaping; the links built here escape what they hold (``markupsafe.escape``).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from workflow import NotFound as NoSuchCase
from workflow.policies import DEFAULT as POLICY

from ..render.datasette import database_metadata, instance_metadata, reading_order
from ..render.styles import READING_CSS

CSS_PATH = "/-/crossings.css"
_ROOMS = "_crossings_rooms"  # an attribute of the Datasette instance: name -> is a room


def _is_crossings_file(path: str | None) -> bool:
    if not path:
        return False
    from store.sqlite.schema import EARLIEST

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('cases', 'audit')")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return version >= EARLIEST and tables == {"cases", "audit"}


def rooms(datasette: Any) -> list[str]:
    """The names of the crossings databases this Datasette serves (each file looked at once)."""
    known: dict[str, bool] = datasette.__dict__.setdefault(_ROOMS, {})
    for name, db in list(datasette.databases.items()):
        if name not in known:
            known[name] = _is_crossings_file(getattr(db, "path", None))
    return [name for name, yes in known.items() if yes and name in datasette.databases]


@hookimpl
def get_metadata(datasette: Any, key: Any, database: Any, table: Any) -> dict[str, Any]:
    served = rooms(datasette)
    if not served:
        return {}
    described = database_metadata(POLICY)
    return {**instance_metadata(POLICY), "databases": {name: described for name in served}}


@hookimpl
def extra_css_urls(database: Any, datasette: Any) -> list[dict[str, str]]:
    served = rooms(datasette)
    return [{"url": CSS_PATH}] if (database in served or (database is None and served)) else []


@hookimpl
def extra_template_vars(template: str, datasette: Any) -> Any:
    if template != "index.html":
        return {}

    async def rooms_vars() -> dict[str, Any]:
        out = []
        for name in rooms(datasette):
            db = datasette.get_database(name)
            counts = (await db.execute(
                "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM audit), "
                "(SELECT count(*) FROM sources)")).first()
            out.append({"name": name, "cases": counts[0], "events": counts[1],
                        "sources": counts[2], "views": reading_order(POLICY)})
        return {"crossings_rooms": out, "crossings_clauses": [
            {"id": cid, "summary": c.summary, "words": c.words}
            for cid, c in POLICY.clauses.items()], "crossings_source": POLICY.source}

    return rooms_vars


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/crossings\.css$", _css),
            (r"^/-/crossings/(?P<database>[^/]+)/case/(?P<case_id>[0-9]{1,18})$", case_page)]


async def _css() -> Response:
    return Response(READING_CSS, content_type="text/css; charset=utf-8")


def case_url(datasette: Any, database: str, case_id: Any) -> str:
    return datasette.urls.path(f"/-/crossings/{quote(database, safe='')}/case/{int(case_id)}")


def _dossier(path: str, case_id: int) -> dict[str, Any]:
    from ..service import Service

    with Service.open(path, readonly=True) as service:
        return service.dossier(case_id, verify=False)


async def case_page(datasette: Any, request: Any) -> Response:
    """One case in words: the dossier's body inside Datasette's page."""
    from ..render.dossier import article

    name = request.url_vars["database"]
    if name not in rooms(datasette):
        raise NotFound(f"no crossings database {name}")
    path = datasette.get_database(name).path
    case_id = int(request.url_vars["case_id"])
    try:
        data = await asyncio.get_running_loop().run_in_executor(None, _dossier, path, case_id)
    except NoSuchCase as error:
        raise NotFound(str(error)) from None
    context = {"database": name, "case": data["case"], "article": Markup(article(data)),
               "timeline_url": datasette.urls.table(name, "case_timeline")
               + f"?case_id={case_id}", "audit_url": datasette.urls.table(name, "audit")
               + f"?case_id={case_id}", "row_url": datasette.urls.row(name, "cases", str(case_id))}
    return Response.html(await datasette.render_template("crossings_case.html", context,
                                                         request=request))


def _clause_links(datasette: Any, database: str, value: Any) -> Markup | None:
    text = str(value)
    try:
        ids = json.loads(text) if text.startswith("[") else [c.strip() for c in text.split(",")]
    except json.JSONDecodeError:
        return None
    if not isinstance(ids, list) or not ids or not all(str(c) in POLICY.clauses for c in ids):
        return None
    base = datasette.urls.table(database, "clauses")
    return Markup(", ").join(
        Markup('<a class="clause" href="{}?id={}" title="{}">{}</a>').format(
            base, quote(str(c)), POLICY.clauses[str(c)].summary, c) for c in ids)


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | None:
    if value is None or database not in rooms(datasette):
        return None
    if column == "case_id" and table not in ("audit", None) and str(value).isdecimal():
        return Markup('<a href="{}">{}</a>').format(case_url(datasette, database, value), value)
    if column in ("clauses", "clause") and table != "clauses":
        return _clause_links(datasette, database, value)
    if column == "source" and table == "sources":
        url = datasette.urls.table(database, "case_timeline") + "?source=" + quote(str(value))
        return Markup('<a href="{}">{}</a>').format(url, escape(str(value)))
    return None
