"""Finding cases by any of their names, in any spelling: ``Service.search``.

The store's name index (``store.sqlite.names``) finds the candidates; here each is ranked
by how the query matched the name it matched best:

* ``exact``: the name, folded (case, width, spacing), is the query folded;
* ``prefix``: the name, or one of its words, begins with the query;
* ``variant``: the name's romanisation key (``workflow.names``) is the query's, or
  begins with the query's whole words, or is the same without spaces: Choi finds Ch'oe,
  Ri finds Lee, Myeong-ok finds Myong Ok, 최명옥 finds Choe Myong-ok;
* ``substring``: the query is inside the name, or its key inside the name's key.

The look-ups run in that order and stop once LIMIT cases are found; the cases found are
listed best match first, then by case id.
"""

from __future__ import annotations

from typing import Any, Mapping

from workflow import InvalidInput, UsageError
from workflow.names import searchable
from workflow.policy import ALIASES
from workflow.values import clean_name

from .base import ServiceBase

RANKS = ("exact", "prefix", "variant", "substring")
DEFAULT_LIMIT = 20


def clean_query(text: Any) -> str:
    """The search text: a name or part of one. Empty, blank or holding a control or
    invisible character: a usage error (exit 2) saying so."""
    if text is None or not str(text).strip():
        raise UsageError("the search text is empty: give a name or part of one")
    try:
        return clean_name(str(text), "search")
    except InvalidInput as error:
        raise UsageError(str(error).replace("--search: ", "the search text ", 1)) from None


def rank(query: tuple[str, str, str], row: Mapping[str, Any]) -> int | None:
    """How the query (folded, key, squashed) matches one index row: an index of RANKS,
    or None."""
    folded, key, squashed = query
    name = row["folded"]
    if name == folded:
        return 0
    if name.startswith(folded) or f" {folded}" in f" {name}":
        return 1
    their = row["key"]
    if key and (their == key or their.startswith(key + " ") or row["squashed"] == squashed
                or f" {key} " in f" {their} "):
        return 2
    if folded in name or (squashed and squashed in row["squashed"]):
        return 3
    return None


class Search(ServiceBase):
    """Search by name (a part of :class:`crossings.service.Service`)."""

    def search(self, text: Any, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
        """The cases known by a name matching TEXT, best match first (at most LIMIT): each
        with its id, names, state, and the name that matched, how, and in which fact."""
        if limit < 1:
            raise UsageError(f"--limit: {limit} is not a positive number")
        query = searchable(clean_query(text))
        best: dict[int, tuple[int, Mapping[str, Any]]] = {}
        with self.store.read():
            for row in self.store.name_matches(*query):
                found = rank(query, row)
                case_id = row["case_id"]
                if found is not None and (case_id not in best or found < best[case_id][0]):
                    best[case_id] = (found, row)
                if len(best) >= limit:
                    break
            cases = self.store.get_cases(best)
        order = sorted(best, key=lambda c: (best[c][0], c))
        return [_result(cases[c], *best[c]) for c in order if c in cases]


def _result(case: Any, found: int, row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": case.id, "name": case.name, "native_name": case.native_name,
            "aliases": list(case.facts.get(ALIASES) or []), "state": case.state,
            "match": RANKS[found], "matched": row["name"], "field": row["field"]}
