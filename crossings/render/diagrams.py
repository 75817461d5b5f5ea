"""Diagrams of the policy, drawn by ``transitions.extensions.diagrams`` (GraphMachine).

Every edge is labelled with its trigger and clause ids; a loop is an internal trigger (the
state does not change). With a case, the states it passed through and the edges it took
are highlighted (transitions' ``previous`` style), its current state too (``active``), and
each edge taken carries the timeline's step numbers. Mermaid and DOT are text and need
nothing else; SVG and PNG are rendered by Graphviz's ``dot`` program.

Every edge label and the title (which holds a case's name, stored text) go through
``render.escape.label`` for their syntax, and Mermaid's title is a quoted YAML scalar in
the front matter, so no stored text breaks a line, a label or the front matter. A state
is drawn under its name, an identifier of the policy table (Mermaid's ``as id`` too).

transitions and graphviz are imported only when a diagram is drawn: the command line
must start fast.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Literal, Mapping

from workflow import Policy, Trigger, WorkflowError
from workflow.record import Record, field

from .escape import label as escaped, yaml_string

Syntax = Literal["mermaid", "dot"]

FORMATS = ("mermaid", "dot", "svg", "png")
INSTALL_DOT = ("install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
               "graphviz; others: https://graphviz.org/download/), or use --format mermaid or dot")


class MissingTool(WorkflowError):
    """A program or package a diagram format needs is not installed."""


class Path(Record, frozen=False):
    """What a case went through: edges taken with their step numbers, states, where now."""

    current: str
    steps: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    opened_at: int | None = None
    visited: set[str] = field(default_factory=set)


def case_path(current: str, rows: Iterable[Mapping[str, Any]]) -> Path:
    """The path from a case's audit rows in order (step = position in the timeline)."""
    path = Path(current)
    for step, row in enumerate(rows, 1):
        if row.get("outcome") != "applied":
            continue
        if row.get("from_state") is None:
            path.opened_at = step
        else:
            key = (str(row["from_state"]), str(row["to_state"]), str(row["trigger"]))
            path.steps.setdefault(key, []).append(step)
            path.visited.add(str(row["from_state"]))
        path.visited.add(str(row["to_state"]))
    return path


def _label(trigger: Trigger, steps: list[int] | None = None,
           syntax: Syntax = "mermaid") -> str:
    label = f"{trigger.name} ({', '.join(trigger.clauses)})"
    if steps:
        label += f" · step{'s' if len(steps) > 1 else ''} {', '.join(map(str, steps))}"
    return escaped(label, syntax)


def transitions_table(policy: Policy, path: Path | None = None,
                      end: str = "", syntax: Syntax = "mermaid") -> list[dict[str, Any]]:
    """One transition per trigger and source; internal triggers drawn as loops.

    ``end`` closes each label: DOT's left-aligned line break puts each trigger of a loop
    on a line of its own (transitions joins the labels of one edge with " | "); each
    label is escaped for ``syntax`` before it."""
    table = []
    for trigger in policy.triggers:
        if trigger.opens:
            continue
        for source in policy.sources(trigger):
            dest = trigger.dest or source
            steps = path.steps.get((source, dest, trigger.name)) if path else None
            table.append({"trigger": trigger.name, "source": source, "dest": dest,
                          "label": _label(trigger, steps, syntax) + end})
    return table


_LINE_END = {"graphviz": "\\l", "mermaid": ""}
_SYNTAX: dict[str, Syntax] = {"graphviz": "dot", "mermaid": "mermaid"}


class _Model:
    """The one model the GraphMachine draws."""

    state: str


def _machine(policy: Policy, engine: Literal["graphviz", "mermaid"], title: str,
             path: Path | None) -> Any:
    from transitions.extensions.diagrams import GraphMachine

    model = _Model()
    machine = GraphMachine(model=model, states=policy.state_names,
                           initial=policy.initial.name,
                           transitions=transitions_table(policy, path, _LINE_END[engine],
                                                         _SYNTAX[engine]),
                           auto_transitions=False,
                           graph_engine=engine, title=title)
    styles: dict[str, Any] = copy.deepcopy(machine.style_attributes)
    styles["node"]["terminal"] = {"fillcolor": "gainsboro"}
    machine.style_attributes = styles
    graph = machine.model_graphs[id(model)]
    graph.reset_styling()
    for state in policy.terminal:
        graph.set_node_style(state, "terminal")
    if path:
        for source, dest, _ in path.steps:
            graph.set_previous_transition(source, dest)
        for state in path.visited:
            graph.set_node_style(state, "previous")
        graph.set_node_style(path.current, "active")
    return model


def _open_label(policy: Policy, path: Path | None, syntax: Syntax = "mermaid") -> str:
    opened = [path.opened_at] if path and path.opened_at else None
    return _label(policy.opening, opened, syntax)


def mermaid(policy: Policy, title: str, path: Path | None = None) -> str:
    """Mermaid stateDiagram-v2 text, from transitions' mermaid engine; the title a quoted
    YAML scalar in the front matter."""
    model = _machine(policy, "mermaid", f"title: {yaml_string(title)}", path)
    lines = model.get_graph().source.splitlines()
    start = f"  [*] --> {policy.initial.name}"
    lines = [f"{line}: {_open_label(policy, path)}" if line == start else line
             for line in lines]
    lines += [f"  {s.name} --> [*]" for s in policy.states if s.terminal]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _digraph(policy: Policy, title: str, path: Path | None) -> Any:
    try:
        model = _machine(policy, "graphviz", escaped(title, "dot"), path)
        graph = model.get_graph()
    except ImportError:
        raise MissingTool("DOT, SVG and PNG diagrams need the graphviz Python package: "
                          "pip install graphviz") from None
    graph.node("__new__", label="", shape="point", width="0.15", style="filled",
               fillcolor="black")
    style = {"color": "blue"} if path and path.opened_at else {}
    graph.edge("__new__", policy.initial.name, label=_open_label(policy, path, "dot"), **style)
    return graph


def render(policy: Policy, fmt: str, title: str, path: Path | None = None) -> str | bytes:
    """The diagram as text (mermaid, dot) or image bytes (svg, png)."""
    if fmt == "mermaid":
        return mermaid(policy, title, path)
    graph = _digraph(policy, title, path)
    if fmt == "dot":
        return str(graph.source)
    from graphviz import CalledProcessError, ExecutableNotFound

    try:
        return bytes(graph.pipe(format=fmt))
    except ExecutableNotFound:
        raise MissingTool(f"{fmt.upper()} needs Graphviz's dot program, which is not on PATH: "
                          f"{INSTALL_DOT}") from None
    except CalledProcessError as error:
        raise MissingTool(f"Graphviz's dot failed to draw {fmt.upper()} "
                          f"(exit {error.returncode})") from None
