"""One case as a page to read, print and cite: the dossier, in HTML (Markdown: ``dossier_md``).

Built from :meth:`crossings.service.Service.dossier`'s data: names, facts and state, the
policy the case is handled under, every event in words (date, actor and role, what
happened, clauses, source, seq), refusals and voided events marked, the clauses' own words
at hand, the case's path on the diagram, and what verify found. Every stored text goes
through :func:`h` (``html.escape`` of :func:`~crossings.render.escape.term`: a bidi override
or a control character is shown as its escape, never acted on) and every name sits in a
``<bdi>``. The page is self-contained: inline CSS, an inline SVG, nothing fetched.
"""

from __future__ import annotations

import html
from typing import Any, Mapping

from workflow import Policy, policies

from .escape import term
from .styles import DOSSIER_CSS, PAGE_CSS

Data = Mapping[str, Any]
REFUSED_WORD = "REFUSED "  # how a refused event's words begin (service.history): a badge here


def h(value: Any) -> str:
    """Stored text for HTML: hidden characters made visible, then escaped (quotes too)."""
    return html.escape(term(str(value)), quote=True)


def value_html(value: Any) -> str:
    """A fact's value: text, a list (one item a line), an entry of fields."""
    if isinstance(value, Mapping):
        return "; ".join(f"{h(k)}: {value_html(v)}" for k, v in value.items()
                         if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        if not value:
            return ""
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            return ", ".join(h(v) for v in value)
        return '<ul class="plain">' + "".join(f"<li>{value_html(v)}</li>" for v in value) + "</ul>"
    return h(value)


def picture(data: Data, fmt: str = "svg") -> tuple[str, str]:
    """The case's path on the state diagram: ("svg", inline SVG) when Graphviz's dot is
    installed and FMT is svg, else ("mermaid", the Mermaid text). Voided events are not
    part of the path."""
    from .diagrams import MissingTool, case_path, render

    policy = policies.get(data["case"]["policy"])
    rows = [{"outcome": e["outcome"], "trigger": e["trigger"], "from_state": e["from_state"],
             "to_state": e["to_state"] or e["from_state"]} for e in data["events"]
            if not e.get("voided")]
    path = case_path(data["case"]["state"], rows)
    title = f"{policy.title}: case {data['case']['id']}, {data['case']['name']}"
    if fmt == "svg":
        try:
            svg = render(policy, "svg", title, path)
            text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
            return "svg", text[text.index("<svg"):]
        except MissingTool:
            pass
    return "mermaid", str(render(policy, "mermaid", title, path))


def _clause_links(clauses: list[str], words: Mapping[str, Any]) -> str:
    return ", ".join(f'<a href="#clause-{h(c)}" title="{h(words[c]["summary"]) if c in words else ""}">'
                     f"{h(c)}</a>" for c in clauses) or "—"


def _what(event: Data) -> str:
    marks, text = "", h(str(event["what"]).removeprefix(REFUSED_WORD))
    if event["outcome"] == "refused":
        marks += '<span class="badge">Refused</span>'
    voided = event.get("voided")
    if voided:
        marks += '<span class="badge void">Voided</span>'
    out = f'{marks}<span class="what-text">{text}</span>'
    if event.get("to_state"):
        out += f'<br><span class="move">{h(event["from_state"] or "new")} → {h(event["to_state"])}</span>'
    if voided:
        out += (f'<br><span class="void-note">voided by seq {h(voided.get("by_seq"))}'
                f'{" on " + h(voided["at"]) if voided.get("at") else ""}: '
                f'{h(voided.get("reason") or "")}</span>')
    return out


def _event_row(event: Data, words: Mapping[str, Any]) -> str:
    kind = "voided" if event.get("voided") else str(event["outcome"])
    who = f'{h(event["actor"] or "")}<br><span class="role">{h(event["role"] or "")}</span>'
    source = f'<span class="source">{h(event["source"])}</span>' if event.get("source") else "—"
    return (f'<tr class="event {h(kind)}" id="seq-{h(event["seq"])}"><td class="date">'
            f'{h(event["at"] or "")}</td><td>{who}</td><td>{_what(event)}</td>'
            f'<td>{_clause_links(event["clauses"], words)}</td><td>{source}</td>'
            f'<td class="seq">{h(event["seq"])}</td></tr>')


def _timeline(data: Data) -> str:
    words = data["clauses"]
    rows = "".join(_event_row(e, words) for e in data["events"])
    refused = sum(1 for e in data["events"] if e["outcome"] == "refused")
    voided = sum(1 for e in data["events"] if e.get("voided"))
    counts = f"{len(data['events'])} events, {refused} refused, {voided} voided"
    return ('<section id="timeline"><h2>Timeline</h2>'
            f'<p class="small">{counts}; each event\'s clauses link to their words below.</p>'
            '<table class="events"><colgroup><col class="date"><col class="who"><col>'
            '<col class="clauses"><col><col class="seq"></colgroup>'
            "<thead><tr><th>Date</th><th>Who</th><th>What happened</th><th>Clauses</th>"
            f"<th>Source</th><th>Seq</th></tr></thead><tbody>{rows}</tbody></table></section>")


def label(fact: str) -> str:
    """A fact's name as a heading: ``native_name`` as "native name"."""
    return fact.replace("_", " ")


def _names(data: Data) -> str:
    items = "".join(f'<dt title="{h(n["help"])}">{h(label(n["fact"]))}</dt><dd>'
                    + ", ".join(f"<bdi>{h(v)}</bdi>" for v in n["values"]) + "</dd>"
                    for n in data["names"])
    return f'<section id="names"><h2>Names</h2><dl class="names">{items}</dl></section>'


def _facts(data: Data) -> str:
    rows = "".join(f'<tr><td><b>{h(label(f["fact"]))}</b><br><span class="small">{h(f["help"])}'
                   f"</span></td><td>{value_html(f['value'])}</td></tr>" for f in data["facts"])
    return ('<section id="facts"><h2>Facts</h2><table class="facts"><colgroup>'
            '<col class="fact"><col></colgroup><thead><tr><th>Fact</th><th>Value</th></tr>'
            f"</thead><tbody>{rows}</tbody></table></section>")


def _clauses(data: Data) -> str:
    called = h(data["policy"]["called"])
    rows = "".join(f'<tr id="clause-{h(c)}"><td><b>{h(c)}</b></td><td>{h(w["summary"])}</td>'
                   f"<td><blockquote>{h(w['words'])}</blockquote></td></tr>"
                   for c, w in data["clauses"].items())
    return (f'<section id="clauses"><h2>Clauses cited, in {called}\'s own words</h2>'
            '<table class="clauses"><colgroup><col class="cid"><col style="width:30%"><col>'
            f"</colgroup><thead><tr><th>Id</th><th>In short</th><th>{called.capitalize()} says"
            f"</th></tr></thead><tbody>{rows}</tbody></table>"
            f'<p class="small">{h(data["policy"]["source"])}</p></section>')


def _path(data: Data, drawn: tuple[str, str] | None) -> str:
    kind, text = drawn if drawn is not None else picture(data)
    body = (f"<figure>{text}</figure>" if kind == "svg" else
            '<p class="small">Graphviz is not installed here: the diagram as Mermaid text.</p>'
            f"<pre>{h(text)}</pre>")
    return f'<section id="path"><h2>Its path through the procedure</h2>{body}</section>'


def _verify(data: Data) -> str:
    seqs = ", ".join(f'<a href="#seq-{h(e["seq"])}">{h(e["seq"])}</a>' for e in data["events"])
    found = data.get("verify")
    if found is None:
        said = ('<p>Not verified on this page: run <code>crossings verify</code>, or '
                "<code>crossings dossier</code>, which does.</p>")
    else:
        verdict = ('<span class="ok">no problems</span>' if found["ok"] else
                   f'<span class="bad">{h(found["problem_count"])} problem(s)</span>')
        said = (f"<p><code>crossings verify</code> over the whole file (this case's rows are "
                f"links of the file's one chain): {h(found['rows'])} rows and "
                f"{h(found['cases'])} cases, {verdict}; of them naming this case: "
                f"{h(len(found['case_problems']))}.</p>")
        said += "".join(f"<p class=\"bad\">seq {h(p['seq'])} [{h(p['check'])}]: "
                        f"{h(p['message'])}</p>" for p in found["case_problems"])
        said += (f'<p class="small">Trail head: seq {h(found["head"]["seq"])}, sha256 '
                 f'<code>{h(found["head"]["hash"])}</code>.</p>')
    return (f'<section id="verify"><h2>Audit trail</h2><p>Audit rows (seq): {seqs}</p>'
            f"{said}</section>")


def article(data: Data, drawn: tuple[str, str] | None = None) -> str:
    """The dossier's body, an ``<article class="dossier">`` (the reading room's case page
    shows the same)."""
    case, state, policy = data["case"], data["state"], data["policy"]
    native = f'<span class="native"><bdi>{h(case["native_name"])}</bdi></span>' \
        if case.get("native_name") else ""
    flags = f' · flags: {h(", ".join(case["flags"]))}' if case.get("flags") else ""
    return (
        f'<article class="dossier"><div class="dossier-head"><p class="kicker">Case dossier · case {h(case["id"])}'
        f'</p><h1><bdi>{h(case["name"])}</bdi>{native}</h1>'
        f'<p class="standing">Now <span class="state">{h(state["name"])}</span> '
        f'— {h(state["meaning"])}{flags}</p>'
        f'<p class="policy">Handled under <b>{h(policy["key"])}</b>: {h(policy["title"])}.</p>'
        f"</div>{_names(data)}{_facts(data)}{_timeline(data)}{_clauses(data)}"
        f"{_path(data, drawn)}{_verify(data)}</article>")


def page(data: Data, drawn: tuple[str, str] | None = None) -> str:
    """The whole dossier: one self-contained HTML document."""
    case = data["case"]
    title = h(f"Case {case['id']}: {case['name']} — crossings dossier")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{DOSSIER_CSS}{PAGE_CSS}</style></head>"
            f"<body>{article(data, drawn)}</body></html>\n")


def policy_of(data: Data) -> Policy:
    return policies.get(data["case"]["policy"])
