"""Pictures of dates: one case's events on a dated axis, or every case's span over time.

Two forms, from :meth:`crossings.service.Service.chronology`'s data: a Mermaid ``gantt``
(text; the title a quoted YAML scalar in the front matter, every label through
``escape.label``, so a ``:``, ``;``, ``#`` or a line break in a name cannot end a task's
text, and no "today" line stretching the axis to this year) and a self-contained SVG
drawn here (every text through :func:`xml`, so it parses as XML whatever a name holds).
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Iterable, Mapping

from .escape import label, term, yaml_string

Data = Mapping[str, Any]
FORMATS = ("mermaid", "svg")
WIDTH, LEFT, ROW, TOP = 980, 260, 24, 64
INSIDE, END = ' class="end inside"', ' class="end"'


def _day(text: Any) -> dt.date:
    return dt.date.fromisoformat(str(text)[:10])


def xml(value: Any) -> str:
    """Text for SVG: :func:`term`, XML 1.0's non-characters shown as escapes, escaped."""
    shown = term(str(value)).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")
    return html.escape(shown, quote=True)


def _title(data: Data) -> str:
    case = data.get("case")
    if case is None:
        return f"Every case over time ({len(data['spans'])} cases)"
    native = f" ({case['native_name']})" if case.get("native_name") else ""
    return f"Case {case['id']}: {case['name']}{native}, now {case['state']}"


def _event_label(event: Data) -> str:
    clauses = f" ({', '.join(event['clauses'])})" if event["clauses"] else ""
    refused = "refused: " if event["outcome"] == "refused" else ""
    voided = "voided: " if event.get("voided") else ""
    return f"{voided}{refused}{event['trigger']}{clauses}"


def _stays(events: Iterable[Data]) -> list[tuple[str, dt.date, dt.date]]:
    """Each state the case stood in, from the date it entered to the date it left (its
    last event's date for the state it is in now)."""
    stays: list[tuple[str, dt.date, dt.date]] = []
    last = None
    for event in events:
        if not event.get("at"):
            continue
        day = last = _day(event["at"])
        if event.get("to_state") and not event.get("voided"):
            if stays:
                stays[-1] = (stays[-1][0], stays[-1][1], day)
            stays.append((str(event["to_state"]), day, day))
    if stays and last is not None:
        stays[-1] = (stays[-1][0], stays[-1][1], last)
    return stays


def mermaid(data: Data) -> str:
    """A Mermaid gantt: a case's stays and events, or every case's span by its state now."""
    out = ["---", f"title: {yaml_string(_title(data))}", "---", "gantt",
           "  dateFormat YYYY-MM-DD", "  axisFormat %Y-%m-%d", "  todayMarker off"]
    if data.get("case") is None:
        by_state: dict[str, list[Data]] = {}
        for span in data["spans"]:
            by_state.setdefault(str(span["state"]), []).append(span)
        for state, spans in by_state.items():
            out.append(f"  section {label(state, 'mermaid')}")
            out += [f"  {label(_span_label(s), 'mermaid')} :c{int(s['id'])}, {_day(s['first_at'])}, "
                    f"{_end(s['first_at'], s['last_at'])}" for s in spans if s.get("first_at")]
        return "\n".join(out) + "\n"
    events = data["events"]
    out.append("  section states")
    out += [f"  {label(state, 'mermaid')} :s{n}, {start}, {_end(start, end)}"
            for n, (state, start, end) in enumerate(_stays(events), 1)]
    out.append("  section events")
    out += [f"  {label(_event_label(e), 'mermaid')} :{_kind(e)}e{int(e['seq'])}, {_day(e['at'])}, 0d"
            for e in events if e.get("at")]
    return "\n".join(out) + "\n"


def _kind(event: Data) -> str:
    return "crit, milestone, " if event["outcome"] == "refused" else "milestone, "


def _end(start: Any, end: Any) -> str:
    """A bar's end: its last day, or a day's length for a stay begun and ended the same day."""
    first, last = _day(start), _day(end)
    return "1d" if last <= first else last.isoformat()


def _span_label(span: Data) -> str:
    native = f" ({span['native_name']})" if span.get("native_name") else ""
    return f"{span['id']} {span['name']}{native}"


# -- SVG -----------------------------------------------------------------------------------

class _Axis:
    def __init__(self, first: dt.date, last: dt.date, left: int, right: int) -> None:
        self.first, self.days = first, max((last - first).days, 1)
        self.left, self.right = left, right

    def x(self, day: dt.date) -> float:
        return round(self.left + (day - self.first).days / self.days * (self.right - self.left), 1)

    def ticks(self) -> list[dt.date]:
        months = max(1, (self.days // 30) // 12 + 1)  # about a dozen ticks at most
        day, out = self.first.replace(day=1), []
        while day <= self.first + dt.timedelta(days=self.days):
            if day >= self.first:
                out.append(day)
            month = day.month - 1 + months
            day = day.replace(year=day.year + month // 12, month=month % 12 + 1)
        return out


def _frame(title: str, axis: _Axis, height: int, body: list[str]) -> str:
    ticks = []
    for day in axis.ticks():
        x = axis.x(day)
        ticks += [f'<line x1="{x}" y1="{TOP - 8}" x2="{x}" y2="{height - 20}" class="tick"/>',
                  f'<text x="{x}" y="{TOP - 14}" class="tick">{day.isoformat()[:7]}</text>']
    style = ("text{font-family:system-ui,sans-serif;font-size:12px;fill:#1f2328}"
             ".title{font-size:16px;font-weight:bold}.tick{stroke:#d8dde3;fill:#5b6470;"
             "text-anchor:middle;font-size:11px}text.tick{stroke:none}.bar{fill:#c9a27e}"
             ".terminal{fill:#a7b0ba}.refused{fill:#c62828}.applied{fill:#35506b}"
             ".voided{fill:#fff;stroke:#555}.stay0{fill:#efe6d8}.stay1{fill:#e2d3bd}"
             ".end{text-anchor:end}.inside{fill:#fff}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img"><title>{xml(title)}</title>'
            f"<style>{style}</style>"
            f'<rect width="{WIDTH}" height="{height}" fill="#fdfcf9"/>'
            f'<text x="16" y="26" class="title">{xml(title)}</text>{"".join(ticks)}'
            f"{''.join(body)}</svg>\n")


def _case_svg(data: Data) -> str:
    events = [e for e in data["events"] if e.get("at")]
    days = [_day(e["at"]) for e in events] or [dt.date.today()]
    axis = _Axis(min(days), max(days), 40, WIDTH - 40)
    height = TOP + ROW * (len(events) + 2)
    body = []
    for n, (state, start, end) in enumerate(_stays(events)):
        x1, x2 = axis.x(start), max(axis.x(end), axis.x(start) + 3)
        body.append(f'<rect x="{x1}" y="{TOP}" width="{round(x2 - x1, 1)}" height="{ROW}" '
                    f'class="stay{n % 2}"><title>{xml(state)}: {start} to {end}</title></rect>')
        if x2 - x1 > 7 * len(state) + 6:  # a label only where it fits; the tooltip says it
            body.append(f'<text x="{x1 + 4}" y="{TOP + 16}">{xml(state)}</text>')
    for n, event in enumerate(events, 1):
        x, y = axis.x(_day(event["at"])), TOP + ROW * n + ROW // 2
        kind = "voided" if event.get("voided") else event["outcome"]
        left = x > WIDTH * 0.6  # late events are labelled on their left
        text = f"{event['at']} · {_event_label(event)} · seq {event['seq']}"
        body += [f'<circle cx="{x}" cy="{y + ROW // 2}" r="5" class="{xml(kind)}"/>',
                 f'<text x="{x - 9 if left else x + 9}" y="{y + ROW // 2 + 4}"'
                 f'{END if left else ""}>{xml(text)}</text>']
    return _frame(_title(data), axis, height + ROW, body)


def _spans_svg(data: Data) -> str:
    spans = [s for s in data["spans"] if s.get("first_at")]
    firsts = [_day(s["first_at"]) for s in spans] or [dt.date.today()]
    lasts = [_day(s["last_at"]) for s in spans] or firsts
    axis = _Axis(min(firsts), max(lasts), LEFT, WIDTH - 24)
    body = []
    terminal = set(data.get("terminal") or ())
    for n, span in enumerate(spans):
        y = TOP + ROW * n
        x1 = axis.x(_day(span["first_at"]))
        x2 = max(axis.x(_day(span["last_at"])), x1 + 4)
        kind = "bar terminal" if span["state"] in terminal else "bar"
        name = _span_label(span)
        shown = name if len(name) <= 34 else name[:33] + "…"
        inside = x2 + 8 + 7 * len(str(span["state"])) > WIDTH
        body += [f'<text x="{LEFT - 8}" y="{y + 16}" class="end">{xml(shown)}<title>{xml(name)}'
                 f"</title></text>",
                 f'<rect x="{x1}" y="{y + 5}" width="{round(x2 - x1, 1)}" height="{ROW - 10}" '
                 f'rx="3" class="{kind}"><title>{xml(span["first_at"])} to {xml(span["last_at"])}: '
                 f'{xml(span["state"])}</title></rect>',
                 f'<text x="{x2 - 6 if inside else x2 + 6}" y="{y + 16}"'
                 f'{INSIDE if inside else ""}>{xml(span["state"])}</text>']
    return _frame(_title(data), axis, TOP + ROW * (len(spans) + 1), body)


def svg(data: Data) -> str:
    """The picture as an SVG document (one case's events, or every case's span)."""
    return _spans_svg(data) if data.get("case") is None else _case_svg(data)


def render(data: Data, fmt: str) -> str:
    return svg(data) if fmt == "svg" else mermaid(data)
