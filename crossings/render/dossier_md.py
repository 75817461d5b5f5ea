"""The dossier in Markdown: the same sections as the HTML page (``render.dossier``).

Stored text goes through :func:`md`: hidden characters shown as escapes, ``<``, ``>`` and
``&`` as entities (a name cannot become HTML where the Markdown is rendered), and the
characters Markdown reads as markup (``\\ ` * _ [ ] | #``) backslash-escaped, so a cell
cannot end a table row or start a link. The diagram sits in a code fence longer than any
run of backticks inside it.
"""

from __future__ import annotations

import html
import re
from typing import Any, Mapping

from .dossier import REFUSED_WORD, label, picture
from .escape import term

Data = Mapping[str, Any]
_MARKUP = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]|#~"})


def md(value: Any) -> str:
    return html.escape(term(str(value)), quote=False).translate(_MARKUP)


def value_md(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{md(k)}: {value_md(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return "<br>".join(value_md(v) for v in value)
    return md(value)


def _event(e: Data) -> str:
    what = md(str(e["what"]).removeprefix(REFUSED_WORD))
    if e.get("voided"):
        v = e["voided"]
        what = (f"**VOIDED** ~~{what}~~ (voided by seq {md(v.get('by_seq'))}"
                f"{' on ' + md(v['at']) if v.get('at') else ''}: {md(v.get('reason') or '')})")
    elif e["outcome"] == "refused":
        what = f"**REFUSED** {what}"
    if e.get("to_state"):
        what += f" ({md(e['from_state'] or 'new')} → {md(e['to_state'])})"
    clauses = ", ".join(f"[{md(c)}](#clause-{md(c).lower()})" for c in e["clauses"]) or "—"
    return (f"| {md(e['at'] or '')} | {md(e['actor'] or '')} ({md(e['role'] or '')}) | {what} "
            f"| {clauses} | {md(e['source']) if e.get('source') else '—'} | {md(e['seq'])} |")


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _verify(data: Data) -> list[str]:
    seqs = ", ".join(md(e["seq"]) for e in data["events"])
    out = ["## Audit trail", "", f"Audit rows (seq): {seqs}", ""]
    found = data.get("verify")
    if found is None:
        return [*out, "Not verified here: run `crossings verify`.", ""]
    verdict = "no problems" if found["ok"] else f"**{md(found['problem_count'])} problem(s)**"
    out += [f"`crossings verify` over the whole file (this case's rows are links of the file's "
            f"one chain): {md(found['rows'])} rows and {md(found['cases'])} cases, {verdict}; "
            f"of them naming this case: {len(found['case_problems'])}.", ""]
    out += [f"- seq {md(p['seq'])} \\[{md(p['check'])}\\]: {md(p['message'])}"
            for p in found["case_problems"]]
    return [*out, f"Trail head: seq {md(found['head']['seq'])}, sha256 `{md(found['head']['hash'])}`.", ""]


def markdown(data: Data) -> str:
    """The whole dossier as Markdown text."""
    case, state, policy = data["case"], data["state"], data["policy"]
    native = f" ({md(case['native_name'])})" if case.get("native_name") else ""
    out = [f"# Case {md(case['id'])}: {md(case['name'])}{native}", "",
           f"Now **{md(state['name'])}**: {md(state['meaning'])}"
           + (f" Flags: {md(', '.join(case['flags']))}." if case.get("flags") else ""), "",
           f"Handled under **{md(policy['key'])}**: {md(policy['title'])}.", "", "## Names", ""]
    out += [f"- {md(label(n['fact']))}: " + ", ".join(md(v) for v in n["values"]) for n in data["names"]]
    out += ["", "## Facts", "", "| fact | value | meaning |", "|---|---|---|"]
    out += [f"| {md(label(f['fact']))} | {value_md(f['value'])} | {md(f['help'])} |" for f in data["facts"]]
    out += ["", "## Timeline", "", "| date | who | what happened | clauses | source | seq |",
            "|---|---|---|---|---|---|", *map(_event, data["events"]), "",
            f"## Clauses cited, in {md(policy['called'])}'s own words", ""]
    for cid, words in data["clauses"].items():
        out += [f'<a id="clause-{md(cid).lower()}"></a>**{md(cid)}**: {md(words["summary"])}', "",
                f"> {md(words['words'])}", ""]
    out += [md(policy["source"]), "", "## Its path through the procedure", ""]
    text = picture(data, "mermaid")[1]
    fence = _fence(text)
    out += [f"{fence}mermaid", text.rstrip("\n"), fence, "", *_verify(data)]
    return "\n".join(out)
